use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::RiskLevel;

/// One line of an enterprise's risk list (风险清单).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "risk_item")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub enterprise_id: i64,
    /// The enterprise's own code for the risk, unique per enterprise.
    pub code: String,
    pub name: String,
    pub level: RiskLevel,
    pub measures: String,
    pub identified_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

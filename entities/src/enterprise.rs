use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::{CreditClass, EnterpriseStatus, Industry, RiskLevel};

/// An enterprise under supervision.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "enterprise")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Unified social credit code (统一社会信用代码), GB 32100-2015.
    #[sea_orm(unique)]
    pub credit_code: String,
    pub name: String,
    pub industry: Industry,
    pub region_code: String,
    pub risk_level: RiskLevel,
    pub credit_class: CreditClass,
    /// Key supervision (重点监管).
    pub key_supervision: bool,
    pub status: EnterpriseStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

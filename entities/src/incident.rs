use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::{IncidentKind, Severity};

/// A disaster or accident reported by a department (灾害事故信息报送).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "incident")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub department_id: i64,
    pub region_code: String,
    pub occurred_at: DateTimeUtc,
    pub kind: IncidentKind,
    pub deaths: i32,
    pub serious_injuries: i32,
    pub economic_loss_yuan: i64,
    /// The severity stated when the incident was reported, if stated then.
    pub stated_severity: Option<Severity>,
    /// The severity the current figures call for.
    pub derived_severity: Severity,
    /// The severity the figures given when the incident was reported called for.
    pub derived_severity_at_creation: Severity,
    pub summary: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

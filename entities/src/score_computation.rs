use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::ComputeTrigger;

/// When a period's scores were last computed, and by whom.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "score_computation")]
pub struct Model {
    /// `2026`, `2026Q4` or `2026-11`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub period: String,
    pub computed_at: DateTimeUtc,
    /// The user; `None` for the system (the nightly job, the command line).
    pub computed_by_id: Option<i64>,
    /// Their username, or `system`.
    pub computed_by: String,
    pub trigger: ComputeTrigger,
    /// Department rows computed.
    pub departments: i64,
    /// Enterprise rows computed.
    pub enterprises: i64,
    /// Rows whose values changed.
    pub changed: i64,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

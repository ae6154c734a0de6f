use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::{SubjectKind, TaskStatus};

/// A check of one target, drawn by a draw.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "check_task")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub draw_id: i64,
    pub target_kind: SubjectKind,
    pub enterprise_id: Option<i64>,
    pub department_id: Option<i64>,
    pub region_code: String,
    pub due_at: DateTimeUtc,
    pub status: TaskStatus,
    pub score: Option<f64>,
    /// Σ weight·points/max over the latest data-security findings, fixed on review.
    pub data_security_sum: Option<f64>,
    /// Σ weight over the same findings.
    pub data_security_weight: Option<f64>,
    pub overdue: bool,
    pub started_at: Option<DateTimeUtc>,
    pub submitted_at: Option<DateTimeUtc>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub published_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

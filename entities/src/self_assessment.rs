use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::{AssessmentStatus, SubjectKind};

/// A self-assessment of a department or enterprise for a period.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "self_assessment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub subject_kind: SubjectKind,
    pub department_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub region_code: Option<String>,
    /// `2026`, `2026Q4` or `2026-11`.
    pub period: String,
    pub indicator_set_id: i64,
    pub status: AssessmentStatus,
    pub submitted_at: Option<DateTimeUtc>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

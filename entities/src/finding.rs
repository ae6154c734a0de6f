use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::HazardGrade;

/// A finding recorded on a task against one indicator.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "finding")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub indicator_id: i64,
    pub points: f64,
    pub compliant: bool,
    pub description: String,
    pub hazard_grade: Option<HazardGrade>,
    pub rectify_by: Option<Date>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    /// A later finding on the same task and indicator replaces this one.
    pub superseded: bool,
    /// When the inspectors last corrected it.
    pub updated_at: Option<DateTimeUtc>,
    /// When the inspectors withdrew it; a withdrawn finding counts for nothing.
    pub withdrawn_at: Option<DateTimeUtc>,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

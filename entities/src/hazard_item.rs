use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::{HazardGrade, HazardStatus};

/// One line of an enterprise's hidden-hazard list (隐患排查治理清单).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "hazard_item")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub enterprise_id: i64,
    /// The enterprise's own code for the hazard, unique per enterprise.
    pub code: String,
    pub description: String,
    pub grade: HazardGrade,
    pub found_on: Date,
    pub rectify_by: Date,
    /// The day the enterprise rectified it, as its department reported; cleared
    /// when the rectification is sent back.
    pub rectified_on: Option<Date>,
    /// `open`, `rectified` or `verified`; `overdue` and `withdrawn` are only
    /// shown, from the deadline and `withdrawn_at`.
    pub status: HazardStatus,
    /// When the rectification was verified (销号).
    pub verified_at: Option<DateTimeUtc>,
    /// The check task whose finding raised it, if any.
    pub task_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When the finding that raised it was withdrawn; a withdrawn hazard is
    /// off the list.
    pub withdrawn_at: Option<DateTimeUtc>,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::HazardStep;

/// One step of a hazard's rectification (整改记录): reported rectified,
/// verified (销号) or sent back, with the note given and who gave it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "hazard_step")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub hazard_id: i64,
    pub step: HazardStep,
    /// What was done, or why it was sent back.
    pub note: Option<String>,
    /// The day rectified, on a `rectify` step.
    pub rectified_on: Option<Date>,
    /// The user who took the step; `None` for the system.
    pub user_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

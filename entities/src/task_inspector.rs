use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::InspectorRole;

/// An inspector assigned to a task: one row per task and inspector.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "task_inspector")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub task_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub inspector_id: i64,
    pub role: InspectorRole,
    /// Place in the team as drawn: 0 is the lead, then the members in order.
    pub position: i16,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

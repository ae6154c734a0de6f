use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::InspectorRole;

/// An inspector assigned to a task.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "task_inspector")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub inspector_id: i64,
    pub role: InspectorRole,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

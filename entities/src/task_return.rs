use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A reviewer sending a submitted task back to its inspectors, and why.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "task_return")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    /// What the inspectors are to put right.
    pub reason: String,
    pub returned_by: Option<i64>,
    pub returned_at: DateTimeUtc,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

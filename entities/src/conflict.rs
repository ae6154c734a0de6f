use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// An inspector who must never be drawn for an enterprise or department (回避).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "conflict")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub inspector_id: i64,
    pub enterprise_id: Option<i64>,
    pub department_id: Option<i64>,
    pub reason: String,
    pub created_at: DateTimeUtc,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

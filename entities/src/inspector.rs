use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A law-enforcement inspector (执法检查人员).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "inspector")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Law-enforcement badge number (执法证号).
    #[sea_orm(unique)]
    pub badge_no: String,
    pub name: String,
    pub department_id: i64,
    pub region_code: String,
    /// The industries this inspector is qualified for, as a JSON array of names.
    pub industries: Json,
    pub active: bool,
    #[sea_orm(unique)]
    pub user_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

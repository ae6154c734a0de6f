use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The public result of a check (一公开): public fields only.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "publication")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub task_id: i64,
    pub region_code: String,
    pub target_name: String,
    pub credit_code: Option<String>,
    pub check_date: Date,
    /// JSON array of the inspectors' badge numbers.
    pub inspector_badges: Json,
    pub result: String,
    pub score: Option<f64>,
    /// JSON array of the hazards found, with their deadlines.
    pub hazards: Json,
    pub published_at: DateTimeUtc,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

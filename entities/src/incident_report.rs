use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::ReportStage;

/// One report in an incident's chain: 初报, 续报 or 终报.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "incident_report")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub incident_id: i64,
    pub stage: ReportStage,
    pub reported_at: DateTimeUtc,
    /// Went directly to the ministry (直报).
    pub direct: bool,
    pub deaths: Option<i32>,
    pub serious_injuries: Option<i32>,
    pub economic_loss_yuan: Option<i64>,
    pub summary: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::{Grade, SubjectKind};

/// The scores of one subject for one period.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "score")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub period: String,
    pub subject_kind: SubjectKind,
    pub subject_id: i64,
    pub region_code: Option<String>,
    pub data_security: Option<f64>,
    pub reporting_compliance: Option<f64>,
    pub inspection: Option<f64>,
    pub overall: Option<f64>,
    pub grade: Option<Grade>,
    pub rank: Option<i32>,
    pub computed_at: DateTimeUtc,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

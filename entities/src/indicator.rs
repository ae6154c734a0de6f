use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::{IndicatorCategory, SubjectKind};

/// One item of an indicator set.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "indicator")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub set_id: i64,
    pub code: String,
    pub name: String,
    pub legal_basis: String,
    pub category: IndicatorCategory,
    pub max_points: f64,
    pub weight: f64,
    pub applies_to: SubjectKind,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

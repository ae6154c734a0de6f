use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::{PlanStatus, SubjectKind};

/// A plan for double-random spot checks.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "check_plan")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub target_kind: SubjectKind,
    /// JSON array of region code prefixes; empty means the owner's whole scope.
    pub region_prefixes: Json,
    /// JSON array of industry names; empty means all.
    pub industries: Json,
    /// JSON array of risk level names; empty means all.
    pub risk_levels: Json,
    pub key_only: bool,
    /// JSON object: stratum name to sampling ratio.
    pub ratios: Json,
    pub min_per_stratum: i32,
    pub key_all: bool,
    pub uniform_share: f64,
    /// JSON array of participating department ids (joint checks, 联合抽查).
    pub department_ids: Json,
    pub inspectors_per_task: i32,
    /// Only inspectors qualified for the target's industry are drawn.
    pub require_qualification: bool,
    pub cooldown_days: i32,
    pub cron: Option<String>,
    pub due_days: i32,
    pub indicator_set_id: Option<i64>,
    pub status: PlanStatus,
    /// The department that owns the plan; its region bounds the plan's scope.
    pub owner_department_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

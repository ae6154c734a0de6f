use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::{AccountabilityReason, AccountabilityStatus, AccountableKind, EvidenceKind};

/// An accountability item (问责).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "accountability_item")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub period: String,
    pub subject_kind: AccountableKind,
    pub subject_id: i64,
    pub region_code: Option<String>,
    pub reason: AccountabilityReason,
    pub evidence_kind: EvidenceKind,
    pub evidence_id: i64,
    pub status: AccountabilityStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

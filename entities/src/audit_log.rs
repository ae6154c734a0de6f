use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// An append-only, hash-chained audit entry.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub actor_user_id: Option<i64>,
    /// Username, or `system` / `anonymous`.
    pub actor: String,
    pub role: Option<String>,
    pub action: String,
    pub object_kind: String,
    pub object_id: Option<String>,
    /// `ok`, `denied` or `failed`.
    pub result: String,
    pub source_addr: Option<String>,
    pub detail: String,
    pub prev_hash: String,
    /// `SHA-256(prev_hash ‖ row)` when `key_id` is none; otherwise
    /// HMAC-SHA-256 under the audit key of that id, which is kept outside the
    /// database.
    pub hash: String,
    /// The audit key the hash was made with; none for rows written without one.
    pub key_id: Option<String>,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A login session; only the SHA-256 of its token is stored.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "session")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    #[sea_orm(unique)]
    pub token_sha256: String,
    pub created_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
    /// Absolute expiry; idle expiry follows from `last_seen_at`.
    pub expires_at: DateTimeUtc,
    /// The client address the session was opened from, shown to its owner.
    pub source_addr: Option<String>,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

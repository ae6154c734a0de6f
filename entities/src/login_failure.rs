use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Failed logins counted for a login name from one client address, or from
/// everywhere (`source` = `*`); kept for unknown names too.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "login_failure")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The login name as typed (at most 64 characters).
    pub username: String,
    /// The client address, or `*` for the account from every address.
    pub source: String,
    /// Failures since the count last started.
    pub failures: i32,
    pub last_failed_at: DateTimeUtc,
    pub locked_until: Option<DateTimeUtc>,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

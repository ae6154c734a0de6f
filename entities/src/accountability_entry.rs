use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::AccountabilityStatus;

/// One step in an accountability item's history: who moved it, from what to
/// what, and what they wrote.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "accountability_entry")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub item_id: i64,
    pub at: DateTimeUtc,
    /// The user; `None` for the system or a history recovered without one.
    pub actor_id: Option<i64>,
    /// Their username as it was then.
    pub actor: String,
    /// Their role as it was then.
    pub role: Option<String>,
    pub from_status: AccountabilityStatus,
    pub to_status: AccountabilityStatus,
    /// The note, explanation or decision.
    pub text: Option<String>,
    /// A reference to a supporting document (an answer's attachment).
    pub attachment: Option<String>,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

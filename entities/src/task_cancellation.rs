use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::CancelReason;

/// A supervisor cancelling one task of a draw, and the task drawn to replace it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "task_cancellation")]
pub struct Model {
    /// Cancellations of a draw in id order are the order its replacements replay in.
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub draw_id: i64,
    pub reason: CancelReason,
    /// Required for `other`.
    pub note: Option<String>,
    /// Whether a replacement target was asked for (补抽).
    pub replace: bool,
    /// The replacement task, when one was drawn.
    pub replaced_by: Option<i64>,
    pub cancelled_by: Option<i64>,
    pub cancelled_at: DateTimeUtc,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

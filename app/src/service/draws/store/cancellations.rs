//! A draw's cancellations (补抽): written one at a time, read in the order made.

use chrono::{DateTime, Utc};
use entities::{CancelReason, task_cancellation};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder,
};

use crate::error::AppResult;

/// A cancellation to record.
#[derive(Debug, Clone)]
pub struct NewCancellation {
    /// The cancelled task.
    pub task_id: i64,
    /// Its draw.
    pub draw_id: i64,
    /// Why.
    pub reason: CancelReason,
    /// What the supervisor wrote.
    pub note: Option<String>,
    /// Whether a replacement was asked for.
    pub replace: bool,
    /// The replacement task drawn.
    pub replaced_by: Option<i64>,
    /// Who cancelled, unless the system did.
    pub cancelled_by: Option<i64>,
    /// When.
    pub cancelled_at: DateTime<Utc>,
}

/// Records a cancellation.
///
/// # Errors
/// When the database refuses the row.
pub async fn insert_cancellation<C: ConnectionTrait>(
    db: &C,
    new: NewCancellation,
) -> AppResult<task_cancellation::Model> {
    Ok(task_cancellation::ActiveModel {
        task_id: Set(new.task_id),
        draw_id: Set(new.draw_id),
        reason: Set(new.reason),
        note: Set(new.note),
        replace: Set(new.replace),
        replaced_by: Set(new.replaced_by),
        cancelled_by: Set(new.cancelled_by),
        cancelled_at: Set(new.cancelled_at),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// A draw's cancellations in the order they were made.
///
/// # Errors
/// When the database fails.
pub async fn draw_cancellations<C: ConnectionTrait>(
    db: &C,
    draw_id: i64,
) -> AppResult<Vec<task_cancellation::Model>> {
    Ok(task_cancellation::Entity::find()
        .filter(task_cancellation::Column::DrawId.eq(draw_id))
        .order_by_asc(task_cancellation::Column::Id)
        .all(db)
        .await?)
}

//! When each period was last computed, and by whom (`score_computation`).

use chrono::{DateTime, Utc};
use entities::{ComputeTrigger, score_computation};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait as _, sea_query::OnConflict};

use crate::{error::AppResult, service::Actor};

/// What a recomputation did, to record against its period.
#[derive(Debug, Clone, Copy)]
pub struct Done {
    pub departments: u64,
    pub enterprises: u64,
    pub changed: u64,
}

/// Records a period's recomputation, replacing the one before.
///
/// # Errors
/// When the database fails.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    period: &str,
    actor: &Actor,
    trigger: ComputeTrigger,
    done: Done,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let row = score_computation::ActiveModel {
        period: Set(period.to_owned()),
        computed_at: Set(at),
        computed_by_id: Set(actor.user_id),
        computed_by: Set(actor.username.clone()),
        trigger: Set(trigger),
        departments: Set(count(done.departments)),
        enterprises: Set(count(done.enterprises)),
        changed: Set(count(done.changed)),
    };
    score_computation::Entity::insert(row)
        .on_conflict(
            OnConflict::column(score_computation::Column::Period)
                .update_columns([
                    score_computation::Column::ComputedAt,
                    score_computation::Column::ComputedById,
                    score_computation::Column::ComputedBy,
                    score_computation::Column::Trigger,
                    score_computation::Column::Departments,
                    score_computation::Column::Enterprises,
                    score_computation::Column::Changed,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// A period's last recomputation, if it was ever computed.
///
/// # Errors
/// When the database fails.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    period: &str,
) -> AppResult<Option<score_computation::Model>> {
    Ok(score_computation::Entity::find_by_id(period.to_owned())
        .one(db)
        .await?)
}

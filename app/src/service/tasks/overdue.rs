//! The scheduler's sweeps: tasks past their due time, and reviewed tasks not
//! published in time.

use chrono::{DateTime, NaiveDate, Utc};
use entities::check_task;
use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::{
    model::OverduePublication,
    store,
    view::{calendar, publish_by},
};
use crate::{
    db,
    domain::workdays::china_date,
    error::AppResult,
    service::{
        Actor,
        audit::{self, Entry},
    },
};

/// Flags tasks past their due time that were not submitted; returns how many
/// were newly flagged. Run by the scheduler.
///
/// # Errors
/// When the database fails.
pub async fn mark_overdue(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<u64> {
    let txn = db::begin_write(db).await?;
    let ids = store::newly_overdue(&txn, now).await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let flagged = store::flag_overdue(&txn, ids.clone()).await?;
    audit::append(
        &txn,
        &Actor::system(),
        Entry::ok("task.mark_overdue", "check_task", ids.len())
            .with_detail(serde_json::json!({"task_ids": ids})),
    )
    .await?;
    txn.commit().await?;
    Ok(flagged)
}

/// Raises `publication_overdue` against the supervising department for each
/// reviewed task not published by its deadline; never twice for one task.
/// Returns how many items were raised. Run by the scheduler.
///
/// # Errors
/// When the database fails.
pub async fn raise_publication_overdue(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    working_days: u32,
) -> AppResult<u64> {
    let reviewed = store::reviewed_tasks(db).await?;
    if reviewed.is_empty() {
        return Ok(0);
    }
    let calendar = calendar(db).await?;
    let today = china_date(now);
    let txn = db::begin_write(db).await?;
    let mut raised = Vec::new();
    for task in reviewed {
        let Some(reviewed_at) = task.reviewed_at else {
            continue;
        };
        let deadline = publish_by(&calendar, reviewed_at, working_days);
        if today <= deadline {
            continue;
        }
        let Some(item) = overdue_item(&txn, &task, deadline, now).await? else {
            continue;
        };
        store::insert_publication_overdue(&txn, item).await?;
        raised.push(task.id);
    }
    if raised.is_empty() {
        return Ok(0);
    }
    audit::append(
        &txn,
        &Actor::system(),
        Entry::ok("accountability.raise", "accountability_item", raised.len())
            .with_detail(serde_json::json!({"reason": "publication_overdue", "task_ids": raised})),
    )
    .await?;
    txn.commit().await?;
    Ok(raised.len() as u64)
}

/// The item to raise for a task that missed its deadline: none when its plan
/// has no owning department or the item was raised already.
async fn overdue_item<C: ConnectionTrait>(
    db: &C,
    task: &check_task::Model,
    deadline: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Option<OverduePublication>> {
    let owner = store::plan_of_draw(db, task.draw_id)
        .await?
        .and_then(|p| p.owner_department_id);
    let Some(department_id) = owner else {
        return Ok(None);
    };
    if store::publication_overdue_raised(db, task.id).await? {
        return Ok(None);
    }
    Ok(Some(OverduePublication {
        task_id: task.id,
        department_id,
        region_code: task.region_code.clone(),
        period: format!("{}", deadline.format("%Y-%m")),
        raised_at: now,
    }))
}

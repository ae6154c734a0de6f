//! Check tasks: the lifecycle from assignment to publication (一公开).
//!
//! The rule of a step is here: load the task the caller may act on, ask
//! [`crate::domain::task_state`] where the step leads from its state, record
//! what the step records, audit. [`access`] decides who sees and acts on a
//! task, [`view`] reads tasks, [`findings`] records what inspectors find,
//! [`publication`] writes and reads the public record, [`overdue`] holds the
//! scheduler's sweeps, and [`store`] every query.

mod access;
mod cancel;
mod findings;
mod model;
mod overdue;
mod publication;
mod store;
mod view;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use entities::check_task;
use sea_orm::{ConnectionTrait, DatabaseConnection};

use self::{access::authorized_task, model::Milestone};
pub use self::{
    access::inspector_of,
    cancel::{CancelRequest, Cancelled, cancel},
    findings::{add_finding, correct_finding, findings, withdraw_finding},
    model::{
        FindingInput, PlanRef, PublishedResult, TargetView, TaskFilter, TaskIndicator,
        TaskInspectorView, TaskView,
    },
    overdue::{mark_overdue, raise_publication_overdue},
    publication::public_results,
    view::{calendar, get, list, publish_by, views},
};
use crate::{
    db,
    domain::{
        scoring::{Scored, round2, weighted_percent},
        task_state::{Refused, Step},
    },
    error::{AppError, AppResult},
    msg,
    service::{
        Actor,
        audit::{self, Entry},
        reports::labels,
    },
};

/// A step the task's state does not allow, as a 409 naming both.
fn refused(refused: Refused) -> AppError {
    let Refused { step, from } = refused;
    let (verb, verb_zh, from_zh) = (step.name(), step.zh(), labels::task_status(from));
    AppError::Conflict(msg!(
        "任务状态为 {from}（{from_zh}），不能{verb_zh}",
        "cannot {verb} a task that is {from}"
    ))
}

/// Takes one lifecycle step; an illegal transition answers 409.
///
/// # Errors
/// 404 when the task is not the caller's to see; 403 when the caller may see
/// it but not take this step; 409 from the wrong state or (submit) without findings.
#[tracing::instrument(skip_all, fields(task.id = id, step = step.name()))]
pub async fn step(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    step: Step,
    reason: Option<String>,
    publication_days: u32,
) -> AppResult<TaskView> {
    let task = authorized_task(db, actor, id, step).await?;
    let txn = db::begin_write(db).await?;
    // Re-read under the write lock, locking the row, so that two concurrent
    // steps cannot both pass and no finding goes in once the task is submitted.
    let task = store::lock_task(&txn, task.id).await?.unwrap_or(task);
    let to = step.apply(task.status).map_err(refused)?;
    let now = Utc::now();
    let mut detail = serde_json::json!({"from": task.status, "to": to});
    let milestone = milestone(&txn, actor, step, &task, reason, now, &mut detail).await?;
    store::record_step(&txn, &task, to, milestone, now).await?;
    if step == Step::Review {
        // The findings are final now: fix the check's data-security sums with its score.
        store::settle_data_security(&txn, id).await?;
    }
    audit::append(
        &txn,
        actor,
        Entry::ok(&format!("task.{}", step.name()), "check_task", id).with_detail(detail),
    )
    .await?;
    txn.commit().await?;
    get(db, &Actor::system(), id, publication_days).await
}

/// What a step records besides the new status, and what it adds to the
/// audit detail: a submission needs findings, a review scores them, a
/// return says why, a publication writes the public record.
async fn milestone<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    step: Step,
    task: &check_task::Model,
    reason: Option<String>,
    now: DateTime<Utc>,
    detail: &mut serde_json::Value,
) -> AppResult<Option<Milestone>> {
    Ok(match step {
        Step::Start => task.started_at.is_none().then_some(Milestone::Started),
        Step::Submit => {
            if store::counting_findings(db, task.id).await?.is_empty() {
                return Err(AppError::Conflict(msg!(
                    "提交前至少记录一条检查结果",
                    "record at least one finding before submitting"
                )));
            }
            Some(Milestone::Submitted)
        }
        Step::Review => {
            let score = score(db, task.id).await?;
            detail["score"] = serde_json::json!(score);
            Some(Milestone::Reviewed { score })
        }
        Step::Return => {
            let reason = return_reason(reason)?;
            store::insert_return(db, task.id, &reason, actor.user_id, now).await?;
            detail["reason"] = serde_json::json!(reason);
            None
        }
        Step::Publish => {
            let publication = publication::publish(db, task, now).await?;
            detail["publication_id"] = serde_json::json!(publication);
            Some(Milestone::Published)
        }
        // Cancelling has its own rule (`cancel`), which may draw a replacement.
        Step::Cancel => None,
    })
}

/// Why a task goes back: the inspectors read it to know what to put right.
fn return_reason(reason: Option<String>) -> AppResult<String> {
    let reason = reason.as_deref().map(str::trim).unwrap_or_default();
    if reason.is_empty() {
        return Err(AppError::invalid(
            "reason",
            msg!(
                "退回须写明原因，检查人员据此整改",
                "say why the task goes back, so that its inspectors know what to put right"
            ),
        ));
    }
    if reason.chars().count() > 2000 {
        return Err(AppError::invalid(
            "reason",
            msg!("不能超过 2000 个字符", "must have at most 2000 characters"),
        ));
    }
    Ok(reason.to_owned())
}

/// The task's score: the finding that counts per indicator, weighted, out of 100.
async fn score<C: ConnectionTrait>(db: &C, task_id: i64) -> AppResult<Option<f64>> {
    let mut latest = BTreeMap::new();
    for f in store::counting_findings(db, task_id).await? {
        latest.insert(f.indicator_id, f.points);
    }
    let indicators = store::indicators(db, latest.keys().copied().collect()).await?;
    let items: Vec<Scored> = indicators
        .iter()
        .filter_map(|i| {
            latest.get(&i.id).map(|points| Scored {
                points: *points,
                max: i.max_points,
                weight: i.weight,
            })
        })
        .collect();
    Ok(weighted_percent(&items).map(round2))
}

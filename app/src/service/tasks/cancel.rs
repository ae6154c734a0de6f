//! Cancelling one task of a draw (注销/停产, 查无下落, 发现回避情形, or another
//! stated reason) and, when asked, drawing its replacement (补抽). The task
//! stays, `cancelled`, with its team; the cancellation, the replacement and the
//! audit entry are written in one transaction.

use chrono::Utc;
use entities::CancelReason;
use sea_orm::DatabaseConnection;

use super::{access::authorized_task, get, model::TaskView, refused, store};
use crate::{
    db,
    domain::task_state::Step,
    error::{AppError, AppResult},
    msg,
    service::{
        Actor,
        audit::{self, Entry},
        draws::{self, NewCancellation},
    },
};

/// What a supervisor asks when cancelling a task.
#[derive(Debug, Clone, Default)]
pub struct CancelRequest {
    /// `closed`, `not_found`, `conflict_found` or `other`.
    pub reason: String,
    /// Free text; required for `other`.
    pub note: Option<String>,
    /// Draw a replacement from the same stratum (补抽).
    pub replace: bool,
}

/// A cancelled task and its replacement, if one was drawn.
#[derive(Debug, Clone)]
pub struct Cancelled {
    /// The cancelled task.
    pub task: TaskView,
    /// The replacement task.
    pub replacement: Option<TaskView>,
}

const NOTE_MAX: usize = 2000;

/// The reason and note of a request, checked.
fn parse(request: &CancelRequest) -> AppResult<(CancelReason, Option<String>)> {
    let reason = CancelReason::from_name(request.reason.trim()).ok_or_else(|| {
        let given = &request.reason;
        AppError::invalid(
            "reason",
            msg!(
                "取消原因 {given} 无效；可选 closed（注销/停产）、not_found（查无下落）、conflict_found（发现回避情形）、other（其他，须填写说明）",
                "cancel reason '{given}' is not one of closed, not_found, conflict_found, other"
            ),
        )
    })?;
    let note = request
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if reason == CancelReason::Other && note.is_none() {
        return Err(AppError::invalid(
            "note",
            msg!(
                "取消原因为 other（其他）时须填写说明（note）",
                "a cancellation for reason 'other' needs a note saying why"
            ),
        ));
    }
    if note.is_some_and(|n| n.chars().count() > NOTE_MAX) {
        return Err(AppError::invalid(
            "note",
            msg!(
                "说明不能超过 {NOTE_MAX} 个字符",
                "the note must have at most {NOTE_MAX} characters"
            ),
        ));
    }
    Ok((reason, note.map(str::to_owned)))
}

/// Cancels an open task and, with `replace`, draws its replacement from the
/// same stratum of the same draw (`docs/draw-algorithm.md`, section 9).
///
/// # Errors
/// 404 when the task is not the caller's to see; 403 for callers who see it
/// but may not cancel (inspectors, leaders); 409 for a task no longer open or
/// a stratum with no target left; 422 for a bad reason or a missing note.
#[tracing::instrument(skip_all, fields(task.id = id, replace = request.replace))]
pub async fn cancel(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    request: CancelRequest,
    publication_days: u32,
) -> AppResult<Cancelled> {
    let task = authorized_task(db, actor, id, Step::Cancel).await?;
    let (reason, note) = parse(&request)?;
    let txn = db::begin_write(db).await?;
    // Cancellations of one draw are replayed in order, so they are made in
    // order: the draw is locked before the task.
    draws::lock_draw(&txn, task.draw_id).await?;
    let task = store::lock_task(&txn, task.id).await?.unwrap_or(task);
    let to = Step::Cancel.apply(task.status).map_err(refused)?;
    let now = Utc::now();
    store::record_step(&txn, &task, to, None, now).await?;
    let replacement = if request.replace {
        Some(draws::replace_cancelled(&txn, &task, now).await?)
    } else {
        None
    };
    draws::insert_cancellation(
        &txn,
        NewCancellation {
            task_id: id,
            draw_id: task.draw_id,
            reason,
            note: note.clone(),
            replace: request.replace,
            replaced_by: replacement.as_ref().map(|r| r.task.task_id),
            cancelled_by: actor.user_id,
            cancelled_at: now,
        },
    )
    .await?;
    let detail = serde_json::json!({
        "from": task.status,
        "to": to,
        "draw_id": task.draw_id,
        "target_id": draws::target_of(&task),
        "reason": reason,
        "note": note,
        "replace": request.replace,
        "replacement": replacement.as_ref().map(|r| serde_json::json!({
            "task_id": r.task.task_id,
            "target_id": r.task.target_id,
            "inspector_ids": r.task.inspector_ids,
            "ordinal": r.ordinal,
            "selection": r.selection,
            "passed_over": r.passed_over,
        })),
    });
    audit::append(
        &txn,
        actor,
        Entry::ok("task.cancel", "check_task", id).with_detail(detail),
    )
    .await?;
    txn.commit().await?;
    let system = Actor::system();
    let replacement = match replacement {
        Some(r) => Some(get(db, &system, r.task.task_id, publication_days).await?),
        None => None,
    };
    Ok(Cancelled {
        task: get(db, &system, id, publication_days).await?,
        replacement,
    })
}

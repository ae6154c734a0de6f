//! When a new draw of a plan may be made, and which earlier draw it supersedes.

use entities::{DrawTrigger, TaskStatus, draw};
use sea_orm::ConnectionTrait;

use super::{model::StatusCount, store};
use crate::{
    error::{AppError, AppResult},
    msg,
};

/// The plan's current draw that a new draw supersedes, if any, after checking
/// that a new draw may be made at all.
pub(super) async fn draw_to_supersede<C: ConnectionTrait>(
    db: &C,
    plan_id: i64,
    reason: Option<&str>,
    trigger: DrawTrigger,
) -> AppResult<Option<draw::Model>> {
    if trigger == DrawTrigger::Cron {
        return Ok(None);
    }
    let Some(current) = store::current_draw(db, plan_id).await? else {
        return Ok(None);
    };
    let statuses = store::task_statuses(db, current.id).await?;
    redraw(plan_id, current, &statuses, reason)
}

/// The redraw rule: a finished round (every task reviewed or published) stays,
/// and a new draw stands beside it; a round with open tasks is superseded only
/// with a reason, and only while none of its tasks has started.
fn redraw(
    plan_id: i64,
    current: draw::Model,
    statuses: &[StatusCount],
    reason: Option<&str>,
) -> AppResult<Option<draw::Model>> {
    if open_round(statuses) && reason.is_none() {
        return Err(AppError::Conflict(format!(
            "plan {plan_id} already has draw {} with open tasks; to draw again give a reason, and draw {} will be superseded",
            current.id, current.id
        ).into()));
    }
    supersedable(current, statuses)
}

/// Whether a draw's round is still open: some task is not yet reviewed,
/// published or cancelled.
fn open_round(statuses: &[StatusCount]) -> bool {
    statuses.iter().any(|s| {
        !matches!(
            s.status,
            TaskStatus::Reviewed | TaskStatus::Published | TaskStatus::Cancelled
        )
    })
}

/// The draw that a new manual draw supersedes: the current one while its round
/// is open, refused once any of its tasks has started.
pub(super) fn supersedable(
    current: draw::Model,
    statuses: &[StatusCount],
) -> AppResult<Option<draw::Model>> {
    // A finished round is not superseded: its checks happened and still count
    // for cooldown and "different people every time".
    if !open_round(statuses) {
        return Ok(None);
    }
    // Any task past `assigned` (reviewed ones too) means checks were made;
    // a cancelled one was taken out by hand and ends nobody's work.
    let started = statuses
        .iter()
        .filter(|s| !matches!(s.status, TaskStatus::Assigned | TaskStatus::Cancelled))
        .map(|s| (s.first_task, s.status))
        .min();
    if let Some((task, status)) = started {
        let draw = current.id;
        return Err(AppError::Conflict(msg!(
            "抽取 {draw} 的任务已部分开展（任务 {task} 状态为 {status}），不能整体重新抽取；如个别对象无法检查，请对该任务取消并补抽（POST /api/v1/tasks/{{id}}/cancel，replace: true）",
            "draw {draw} cannot be superseded: task {task} is already {status}; its checks have begun, so cancel and replace the targets that cannot be checked instead (POST /api/v1/tasks/{{id}}/cancel with replace: true)"
        )));
    }
    Ok(Some(current))
}

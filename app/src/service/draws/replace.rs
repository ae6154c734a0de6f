//! Drawing the replacement of one cancelled task (补抽), from the same stratum
//! of the same draw's population snapshot, by the rule of
//! [`crate::domain::draw::replace`] and `docs/draw-algorithm.md` section 9.

use chrono::{DateTime, Duration, Utc};
use entities::{check_task, task_cancellation};
use sea_orm::ConnectionTrait;

use super::{
    model::{CancellationView, DrawnTaskView, NewTask, TaskCommon},
    store,
};
use crate::{
    domain::draw::{
        self as algorithm, Outcome, Params, Population, Selection, Unassigned,
        replace::{Cancellation, ReplaceError, replay},
        snapshot,
    },
    error::{AppError, AppResult},
    msg,
};

/// A replacement task as written.
#[derive(Debug, Clone)]
pub struct ReplacementTask {
    /// The new task with its target and team, lead first.
    pub task: DrawnTaskView,
    /// Its place among the draw's replacements, from 1 (it names its stream).
    pub ordinal: u64,
    /// How it was drawn.
    pub selection: Selection,
    /// Targets picked before it that nobody could be assigned to.
    pub passed_over: Vec<Unassigned>,
}

/// The target of a task.
#[must_use]
pub fn target_of(task: &check_task::Model) -> i64 {
    task.enterprise_id
        .or(task.department_id)
        .unwrap_or_default()
}

/// A draw's cancellations with the targets of their tasks, in the order made.
pub(super) fn views(
    cancellations: Vec<task_cancellation::Model>,
    tasks: &[DrawnTaskView],
) -> Vec<CancellationView> {
    cancellations
        .into_iter()
        .map(|c| CancellationView {
            target_id: tasks
                .iter()
                .find(|t| t.task_id == c.task_id)
                .map_or(0, |t| t.target_id),
            task_id: c.task_id,
            reason: c.reason,
            note: c.note,
            replace: c.replace,
            replaced_by: c.replaced_by,
            cancelled_by: c.cancelled_by,
            cancelled_at: c.cancelled_at,
        })
        .collect()
}

/// Draws and writes the replacement of `task`, which is being cancelled in
/// this transaction: the draw's earlier cancellations are replayed first, so
/// that the replacement is the one `verify` will give.
///
/// # Errors
/// 409 when the stratum has no target left that can be staffed, or when the
/// draw's stored record cannot be replayed.
pub async fn replace_cancelled<C: ConnectionTrait>(
    db: &C,
    task: &check_task::Model,
    now: DateTime<Utc>,
) -> AppResult<ReplacementTask> {
    let draw_id = task.draw_id;
    let stored = store::find(db, draw_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("draw {draw_id}").into()))?;
    let seed = u64::from_ne_bytes(stored.seed.to_ne_bytes());
    let (population, params, outcome) = rerun(&stored, seed)?;
    let tasks = store::stored_tasks(db, draw_id).await?;
    let earlier = views(store::draw_cancellations(db, draw_id).await?, &tasks);
    let target_id = target_of(task);
    let mut asked: Vec<Cancellation> = earlier
        .iter()
        .map(|c| Cancellation {
            target_id: c.target_id,
            replace: c.replace,
        })
        .collect();
    asked.push(Cancellation {
        target_id,
        replace: true,
    });
    let replayed = replay(&population, &params, seed, &outcome, &asked, None);
    let Some(Some(replacement)) = replayed.map_err(refused)?.pop() else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "the replay of draw {draw_id} gave no replacement"
        )));
    };
    let region_code = population
        .target(replacement.target_id)
        .map_or("", |t| t.region_code.as_str());
    let due_days = store::plan_due_days(db, stored.plan_id).await?;
    let common = TaskCommon {
        draw_id,
        target_kind: task.target_kind,
        due_at: now + Duration::days(i64::from(due_days)),
        now,
    };
    let new = NewTask {
        target_id: replacement.target_id,
        region_code,
        inspector_ids: &replacement.inspector_ids,
    };
    let ids = store::write_tasks(db, common, &[new]).await?;
    Ok(ReplacementTask {
        task: DrawnTaskView {
            task_id: ids.first().copied().unwrap_or_default(),
            target_id: replacement.target_id,
            inspector_ids: replacement.inspector_ids,
        },
        ordinal: replacement.ordinal,
        selection: replacement.selection,
        passed_over: replacement.passed_over,
    })
}

/// The population, parameters and outcome a stored draw gives.
fn rerun(stored: &entities::draw::Model, seed: u64) -> AppResult<(Population, Params, Outcome)> {
    let unusable = |e: &dyn std::fmt::Display| {
        let id = stored.id;
        AppError::Conflict(msg!(
            "抽取 {id} 的存档无法重新运行，不能补抽：{e}",
            "draw {id} cannot be re-run from its record, so no replacement can be drawn: {e}"
        ))
    };
    let bytes = snapshot::decompress(&stored.population_snapshot, snapshot::MAX_LEN)
        .map_err(|e| unusable(&e))?;
    let population = snapshot::decode(&bytes).map_err(|e| unusable(&e))?;
    let params: Params = serde_json::from_value(stored.params.clone()).map_err(|e| unusable(&e))?;
    let outcome = algorithm::run(&population, &params, seed).map_err(|e| unusable(&e))?;
    Ok((population, params, outcome))
}

fn refused(e: ReplaceError) -> AppError {
    match e {
        ReplaceError::NoTargetLeft { stratum } => AppError::Conflict(msg!(
            "该层（{stratum}）已无可补抽且能配齐检查人员的对象；可不补抽仅取消（replace: false）",
            "stratum '{stratum}' has no target left that can be drawn and staffed; cancel without a replacement (replace: false)"
        )),
        other => AppError::Conflict(msg!(
            "抽取记录与补抽规则不符，请先核验该次抽取：{other}",
            "the draw's record does not replay, verify the draw first: {other}"
        )),
    }
}

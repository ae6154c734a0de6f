//! Which tasks a caller sees, and whether they may take a step on one.

use entities::{Role, check_task, inspector};
use sea_orm::ConnectionTrait;

use super::{model::TaskScope, store};
use crate::{
    domain::task_state::{self, Access, Caller, Step, Taker},
    error::{AppError, AppResult},
    service::Actor,
};

/// The inspector record linked to the caller's login, if any.
///
/// # Errors
/// When the database fails.
pub async fn inspector_of<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
) -> AppResult<Option<inspector::Model>> {
    match actor.user_id {
        Some(user_id) => store::inspector_of_user(db, user_id).await,
        None => Ok(None),
    }
}

/// The tasks the caller sees: an inspector (or anyone asking for `mine`) the
/// tasks they are on, a department user the checks of their department,
/// others the tasks in their jurisdiction.
pub(super) async fn scope_of<'a, C: ConnectionTrait>(
    db: &C,
    actor: &'a Actor,
    mine: bool,
) -> AppResult<TaskScope<'a>> {
    if mine || actor.role == Role::Inspector {
        let inspector_id = inspector_of(db, actor).await?.map_or(-1, |i| i.id);
        return Ok(TaskScope::Team { inspector_id });
    }
    Ok(match actor.role {
        Role::Department => TaskScope::Department {
            department_id: actor.department_id.unwrap_or(-1),
        },
        _ => TaskScope::Jurisdiction(actor),
    })
}

async fn is_task_inspector<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    task_id: i64,
) -> AppResult<bool> {
    let Some(me) = inspector_of(db, actor).await? else {
        return Ok(false);
    };
    store::is_on_task(db, task_id, me.id).await
}

/// Loads a task the caller may act on for `step`.
///
/// # Errors
/// 404 when the caller may not see the task, 403 when they may see it but
/// not take the step, 409 when a redraw superseded its draw.
pub(super) async fn authorized_task<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
    step: Step,
) -> AppResult<check_task::Model> {
    let not_found = || AppError::NotFound(format!("task {id}").into());
    let task = store::task(db, id).await?.ok_or_else(not_found)?;
    let on_task =
        step.taken_by() == Taker::TaskInspectors && is_task_inspector(db, actor, id).await?;
    let caller = Caller {
        role: actor.role,
        covers_task: actor.covers(&task.region_code),
        on_task,
    };
    match task_state::access(step, caller) {
        Access::Allowed => {}
        Access::Hidden => return Err(not_found()),
        Access::Forbidden => {
            return Err(AppError::Forbidden(match step.taken_by() {
                Taker::TaskInspectors => {
                    format!("only the task's inspectors may {}", step.name()).into()
                }
                Taker::Supervisors => {
                    format!("role '{}' may not {} tasks", actor.role, step.name()).into()
                }
            }));
        }
    }
    // A redraw replaced this task's team; only its own draw's tasks are worked on.
    if let Some(by) = store::superseded_by(db, task.draw_id).await? {
        return Err(AppError::Conflict(
            format!(
                "task {id} belongs to draw {}, which draw {by} superseded",
                task.draw_id
            )
            .into(),
        ));
    }
    Ok(task)
}

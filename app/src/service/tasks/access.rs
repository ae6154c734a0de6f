//! Which tasks a caller sees, and whether they may take a step on one.

use entities::{Role, check_task, inspector};
use sea_orm::ConnectionTrait;

use super::{model::TaskScope, store};
use crate::{
    domain::task_state::{self, Access, Caller, Step, Taker},
    error::{AppError, AppResult},
    msg,
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

/// The caller's own inspector record. An inspector's login works on tasks
/// only through the record it is linked to; without one there is nothing to
/// show, and an empty list would hide the cause.
async fn own_inspector<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
) -> AppResult<Option<inspector::Model>> {
    let me = inspector_of(db, actor).await?;
    if me.is_none() && actor.role == Role::Inspector {
        let username = &actor.username;
        return Err(AppError::Conflict(msg!(
            "账号 {username} 未关联检查人员记录，无法查看或办理检查任务；请管理员在检查人员名录中为其关联（user_id）",
            "login {username} is not linked to an inspector record, so it has no tasks; an administrator links it by setting the inspector's user_id"
        )));
    }
    Ok(me)
}

/// The tasks the caller sees: an inspector (or anyone asking for `mine`) the
/// tasks they are on, a department user the checks of their department,
/// others the tasks in their jurisdiction.
///
/// # Errors
/// 409 for an inspector login linked to no inspector record.
pub(super) async fn scope_of<'a, C: ConnectionTrait>(
    db: &C,
    actor: &'a Actor,
    mine: bool,
) -> AppResult<TaskScope<'a>> {
    if mine || actor.role == Role::Inspector {
        let inspector_id = own_inspector(db, actor).await?.map_or(-1, |i| i.id);
        return Ok(TaskScope::Team { inspector_id });
    }
    Ok(match actor.role {
        Role::Department => TaskScope::Department {
            department_id: actor.department_id.unwrap_or(-1),
        },
        _ => TaskScope::Jurisdiction(actor),
    })
}

/// Loads a task the caller may act on for `step`.
///
/// # Errors
/// 404 when the caller may not see the task, 403 when they may see it but
/// not take the step, 409 for an inspector login linked to no inspector.
pub(super) async fn authorized_task<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
    step: Step,
) -> AppResult<check_task::Model> {
    let not_found = || AppError::NotFound(format!("task {id}").into());
    let task = store::task(db, id).await?.ok_or_else(not_found)?;
    let on_task = match own_inspector(db, actor).await? {
        Some(me) => store::is_on_task(db, id, me.id).await?,
        None => false,
    };
    // An inspector sees exactly the tasks they are on.
    let sees_task = on_task
        || (actor.role != Role::Inspector
            && store::visible_task(db, scope_of(db, actor, false).await?, id)
                .await?
                .is_some());
    let caller = Caller {
        role: actor.role,
        covers_task: actor.covers(&task.region_code),
        on_task,
        sees_task,
    };
    match task_state::access(step, caller) {
        Access::Allowed => Ok(task),
        Access::Hidden => Err(not_found()),
        Access::Forbidden => {
            let (verb, verb_zh) = (step.name(), step.zh());
            Err(AppError::Forbidden(match step.taken_by() {
                Taker::TaskInspectors => msg!(
                    "只有本任务的检查人员可以{verb_zh}",
                    "only the task's inspectors may {verb}"
                ),
                Taker::Supervisors => {
                    let role = actor.role;
                    msg!(
                        "角色 {role} 不能{verb_zh}检查任务；由辖区内的监督人员办理",
                        "role '{role}' may not {verb} tasks; supervisors in scope do"
                    )
                }
            }))
        }
    }
}

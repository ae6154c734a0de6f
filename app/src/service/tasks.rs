//! Check tasks: the lifecycle from assignment to publication (一公开).
//!
//! `assigned → in_progress → submitted → reviewed → published`, and
//! `submitted → returned → in_progress`. The task's inspectors start, record
//! findings and submit; supervisors in scope review, return and publish.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    HolidayKind, InspectorRole, Role, SubjectKind, TaskStatus, check_task, department, enterprise,
    holiday, inspector, task_inspector,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait as _, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait as _,
};

use super::{Actor, Page, Paged};
use crate::{
    domain::workdays::{Calendar, china_date},
    error::{AppError, AppResult},
};

/// Whom a task checks.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetView {
    /// `enterprise` or `department`.
    pub kind: SubjectKind,
    /// The enterprise's or department's id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// An enterprise's credit code.
    pub credit_code: Option<String>,
    /// Where it is.
    pub region_code: String,
}

/// An inspector on a task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskInspectorView {
    /// The inspector's id.
    pub inspector_id: i64,
    /// Badge number.
    pub badge_no: String,
    /// Name.
    pub name: String,
    /// `lead` or `member`.
    pub role: InspectorRole,
}

/// A task with what is needed to show it.
#[derive(Debug, Clone)]
pub struct TaskView {
    /// The stored task.
    pub task: check_task::Model,
    /// Whom it checks.
    pub target: TargetView,
    /// Its inspectors, lead first.
    pub inspectors: Vec<TaskInspectorView>,
    /// For a reviewed task: the last day to publish, the 20th working day
    /// after the review date in China time.
    pub publish_by: Option<NaiveDate>,
}

/// Filters for listing tasks.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// Lifecycle state.
    pub status: Option<TaskStatus>,
    /// Tasks of one draw.
    pub draw_id: Option<i64>,
    /// Only tasks the caller is an inspector on.
    pub mine: bool,
    /// Only overdue tasks.
    pub overdue: Option<bool>,
}

/// The inspector record linked to the caller's login, if any.
pub async fn inspector_of<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
) -> AppResult<Option<inspector::Model>> {
    match actor.user_id {
        Some(user_id) => Ok(inspector::Entity::find()
            .filter(inspector::Column::UserId.eq(user_id))
            .one(db)
            .await?),
        None => Ok(None),
    }
}

/// The query of the tasks the caller may see.
async fn visible<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    mine: bool,
) -> AppResult<sea_orm::Select<check_task::Entity>> {
    let query = check_task::Entity::find();
    if mine || actor.role == Role::Inspector {
        let id = inspector_of(db, actor).await?.map_or(-1, |i| i.id);
        let assigned = task_inspector::Entity::find()
            .select_only()
            .column(task_inspector::Column::TaskId)
            .filter(task_inspector::Column::InspectorId.eq(id))
            .into_query();
        return Ok(query.filter(check_task::Column::Id.in_subquery(assigned)));
    }
    Ok(match actor.role {
        Role::Department => {
            query.filter(check_task::Column::DepartmentId.eq(actor.department_id.unwrap_or(-1)))
        }
        _ => query.filter(actor.scope_condition(check_task::Column::RegionCode)),
    })
}

/// The holiday calendar from the `holiday` table.
///
/// # Errors
/// When the database fails.
pub async fn calendar<C: ConnectionTrait>(db: &C) -> AppResult<Calendar> {
    let rows = holiday::Entity::find().all(db).await?;
    let (workdays, holidays): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .partition(|h| h.kind == HolidayKind::Workday);
    Ok(Calendar::new(
        holidays.into_iter().map(|h| h.date),
        workdays.into_iter().map(|h| h.date),
    ))
}

/// The last day to publish a task reviewed at `reviewed_at`.
#[must_use]
pub fn publish_by(calendar: &Calendar, reviewed_at: DateTime<Utc>, working_days: u32) -> NaiveDate {
    calendar.add_working_days(china_date(reviewed_at), working_days)
}

/// Loads targets and inspectors for a batch of tasks.
///
/// # Errors
/// When the database fails.
pub async fn views<C: ConnectionTrait>(
    db: &C,
    tasks: Vec<check_task::Model>,
    publication_days: u32,
) -> AppResult<Vec<TaskView>> {
    let ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    let links = task_inspector::Entity::find()
        .filter(task_inspector::Column::TaskId.is_in(ids))
        .order_by_asc(task_inspector::Column::TaskId)
        .order_by_asc(task_inspector::Column::Position)
        .all(db)
        .await?;
    let inspector_ids: Vec<i64> = links.iter().map(|l| l.inspector_id).collect();
    let inspectors: HashMap<i64, inspector::Model> = inspector::Entity::find()
        .filter(inspector::Column::Id.is_in(inspector_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let enterprise_ids: Vec<i64> = tasks.iter().filter_map(|t| t.enterprise_id).collect();
    let enterprises: HashMap<i64, enterprise::Model> = enterprise::Entity::find()
        .filter(enterprise::Column::Id.is_in(enterprise_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let department_ids: Vec<i64> = tasks.iter().filter_map(|t| t.department_id).collect();
    let departments: HashMap<i64, department::Model> = department::Entity::find()
        .filter(department::Column::Id.is_in(department_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let calendar = if tasks.iter().any(|t| t.reviewed_at.is_some()) {
        calendar(db).await?
    } else {
        Calendar::default()
    };
    let mut by_task: HashMap<i64, Vec<TaskInspectorView>> = HashMap::new();
    for link in links {
        if let Some(i) = inspectors.get(&link.inspector_id) {
            by_task
                .entry(link.task_id)
                .or_default()
                .push(TaskInspectorView {
                    inspector_id: i.id,
                    badge_no: i.badge_no.clone(),
                    name: i.name.clone(),
                    role: link.role,
                });
        }
    }
    Ok(tasks
        .into_iter()
        .map(|task| {
            let target = match (task.enterprise_id, task.department_id) {
                (Some(id), _) => enterprises.get(&id).map(|e| TargetView {
                    kind: SubjectKind::Enterprise,
                    id,
                    name: e.name.clone(),
                    credit_code: Some(e.credit_code.clone()),
                    region_code: e.region_code.clone(),
                }),
                (None, Some(id)) => departments.get(&id).map(|d| TargetView {
                    kind: SubjectKind::Department,
                    id,
                    name: d.name.clone(),
                    credit_code: None,
                    region_code: d.region_code.clone().unwrap_or_default(),
                }),
                (None, None) => None,
            }
            .unwrap_or_else(|| TargetView {
                kind: task.target_kind,
                id: task
                    .enterprise_id
                    .or(task.department_id)
                    .unwrap_or_default(),
                name: String::new(),
                credit_code: None,
                region_code: task.region_code.clone(),
            });
            let mut inspectors = by_task.remove(&task.id).unwrap_or_default();
            inspectors.sort_by_key(|i| i.role != InspectorRole::Lead);
            let publish_by = task
                .reviewed_at
                .map(|at| publish_by(&calendar, at, publication_days));
            TaskView {
                task,
                target,
                inspectors,
                publish_by,
            }
        })
        .collect())
}

/// One task the caller may see.
///
/// # Errors
/// 404 when it does not exist or is not the caller's to see.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
    publication_days: u32,
) -> AppResult<TaskView> {
    let task = visible(db, actor, false)
        .await?
        .filter(check_task::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("task {id}")))?;
    let mut views = views(db, vec![task], publication_days).await?;
    views
        .pop()
        .ok_or_else(|| AppError::NotFound(format!("task {id}")))
}

/// Lists the tasks the caller may see.
///
/// # Errors
/// When the database fails.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &TaskFilter,
    page: Page,
    publication_days: u32,
) -> AppResult<Paged<TaskView>> {
    let mut query = visible(db, actor, filter.mine).await?;
    if let Some(status) = filter.status {
        query = query.filter(check_task::Column::Status.eq(status));
    }
    if let Some(draw) = filter.draw_id {
        query = query.filter(check_task::Column::DrawId.eq(draw));
    }
    if let Some(overdue) = filter.overdue {
        query = query.filter(check_task::Column::Overdue.eq(overdue));
    }
    let total = query.clone().count(db).await?;
    let tasks = query
        .order_by_asc(check_task::Column::Id)
        .offset(page.offset())
        .limit(page.size)
        .all(db)
        .await?;
    Ok(Paged::new(
        views(db, tasks, publication_days).await?,
        total,
        page,
    ))
}

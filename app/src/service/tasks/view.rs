//! Reading tasks: one, a page, and what is shown with them.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entities::{HolidayKind, InspectorRole, SubjectKind, check_task};
use sea_orm::ConnectionTrait;

use super::{
    access::scope_of,
    model::{TargetView, TaskFilter, TaskInspectorView, TaskView},
    store::{self, ViewRows},
};
use crate::{
    domain::workdays::{Calendar, china_date},
    error::{AppError, AppResult},
    service::{Actor, Page, Paged},
};

/// The holiday calendar from the `holiday` table.
///
/// # Errors
/// When the database fails.
pub async fn calendar<C: ConnectionTrait>(db: &C) -> AppResult<Calendar> {
    let (workdays, holidays): (Vec<_>, Vec<_>) = store::holidays(db)
        .await?
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

/// Whom the task checks; a target gone from the directory keeps its id and
/// the task's region, with an empty name.
fn target_of(task: &check_task::Model, rows: &ViewRows) -> TargetView {
    match (task.enterprise_id, task.department_id) {
        (Some(id), _) => rows.enterprises.get(&id).map(|e| TargetView {
            kind: SubjectKind::Enterprise,
            id,
            name: e.name.clone(),
            credit_code: Some(e.credit_code.clone()),
            region_code: e.region_code.clone(),
        }),
        (None, Some(id)) => rows.departments.get(&id).map(|d| TargetView {
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
    })
}

/// Each task's inspectors, in team order.
fn teams(rows: &ViewRows) -> HashMap<i64, Vec<TaskInspectorView>> {
    let mut by_task: HashMap<i64, Vec<TaskInspectorView>> = HashMap::new();
    for link in &rows.links {
        if let Some(i) = rows.inspectors.get(&link.inspector_id) {
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
    by_task
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
    let rows = store::view_rows(db, &tasks).await?;
    let calendar = if tasks.iter().any(|t| t.reviewed_at.is_some()) {
        calendar(db).await?
    } else {
        Calendar::default()
    };
    let mut by_task = teams(&rows);
    Ok(tasks
        .into_iter()
        .map(|task| {
            let target = target_of(&task, &rows);
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
    let scope = scope_of(db, actor, false).await?;
    let task = store::visible_task(db, scope, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("task {id}").into()))?;
    let mut views = views(db, vec![task], publication_days).await?;
    views
        .pop()
        .ok_or_else(|| AppError::NotFound(format!("task {id}").into()))
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
    let scope = scope_of(db, actor, filter.mine).await?;
    let tasks = store::visible_tasks(db, scope, filter, page).await?;
    Ok(Paged::new(
        views(db, tasks.items, publication_days).await?,
        tasks.total,
        page,
    ))
}

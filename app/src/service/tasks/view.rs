//! Reading tasks: one, a page, and what is shown with them.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entities::{HolidayKind, InspectorRole, SubjectKind, check_plan, check_task, task_return};
use sea_orm::ConnectionTrait;

use super::{
    access::scope_of,
    model::{PlanRef, TargetView, TaskFilter, TaskIndicator, TaskInspectorView, TaskView},
    store::{self, DrawRef, ViewRows},
};
use crate::{
    domain::{
        RegionCode,
        workdays::{Calendar, china_date},
    },
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

/// The indicator set a draw's tasks are scored against: the plan's set as
/// it was when drawn (a plan may change sets later), else the plan's now.
pub(super) fn indicator_set(draw: &DrawRef, plan: Option<&check_plan::Model>) -> Option<i64> {
    draw.params
        .get("plan")
        .and_then(|p| p.get("indicator_set_id"))
        .and_then(serde_json::Value::as_i64)
        .or_else(|| plan.and_then(|p| p.indicator_set_id))
}

/// Whom the task checks; a target gone from the directory keeps its id and
/// the task's region, with an empty name.
fn target_of(task: &check_task::Model, rows: &ViewRows) -> TargetView {
    let region_name = |code: &str| rows.regions.get(code).cloned();
    match (task.enterprise_id, task.department_id) {
        (Some(id), _) => rows.enterprises.get(&id).map(|e| TargetView {
            kind: SubjectKind::Enterprise,
            id,
            name: e.name.clone(),
            code: Some(e.credit_code.clone()),
            credit_code: Some(e.credit_code.clone()),
            region_code: e.region_code.clone(),
            region_name: region_name(&e.region_code),
            industry: Some(e.industry),
            risk_level: Some(e.risk_level),
        }),
        (None, Some(id)) => rows.departments.get(&id).map(|d| TargetView {
            kind: SubjectKind::Department,
            id,
            name: d.name.clone(),
            code: Some(d.code.clone()),
            credit_code: None,
            region_code: d.region_code.clone().unwrap_or_default(),
            region_name: d.region_code.as_deref().and_then(region_name),
            industry: None,
            risk_level: None,
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
        code: None,
        credit_code: None,
        region_code: task.region_code.clone(),
        region_name: region_name(&task.region_code),
        industry: None,
        risk_level: None,
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

/// The indicators each set asks to score of each kind of target, each with
/// the finding that counts for it on `task_id`.
struct Scorecards {
    by_set: HashMap<i64, Vec<entities::indicator::Model>>,
    counting: HashMap<(i64, i64), i64>,
}

impl Scorecards {
    fn of(&self, task: &check_task::Model, set: Option<i64>) -> Vec<TaskIndicator> {
        set.and_then(|set| self.by_set.get(&set))
            .into_iter()
            .flatten()
            .filter(|i| i.applies_to == task.target_kind)
            .map(|i| TaskIndicator {
                id: i.id,
                code: i.code.clone(),
                name: i.name.clone(),
                max_points: i.max_points,
                legal_basis: i.legal_basis.clone(),
                finding_id: self.counting.get(&(task.id, i.id)).copied(),
            })
            .collect()
    }
}

/// Loads plans, targets, teams, indicators and returns for a batch of tasks.
///
/// # Errors
/// When the database fails.
pub async fn views<C: ConnectionTrait>(
    db: &C,
    tasks: Vec<check_task::Model>,
    publication_days: u32,
) -> AppResult<Vec<TaskView>> {
    let rows = store::view_rows(db, &tasks).await?;
    let set_of = |task: &check_task::Model| {
        rows.draws
            .get(&task.draw_id)
            .and_then(|draw| indicator_set(draw, rows.plans.get(&draw.plan_id)))
    };
    let set_ids: Vec<i64> = tasks.iter().filter_map(set_of).collect();
    let mut by_set: HashMap<i64, Vec<_>> = HashMap::new();
    for indicator in store::set_indicators(db, set_ids).await? {
        by_set.entry(indicator.set_id).or_default().push(indicator);
    }
    let scorecards = Scorecards {
        by_set,
        counting: rows
            .counting
            .iter()
            .map(|c| ((c.task_id, c.indicator_id), c.finding_id))
            .collect(),
    };
    let calendar = if tasks.iter().any(|t| t.reviewed_at.is_some()) {
        calendar(db).await?
    } else {
        Calendar::default()
    };
    let mut by_task = teams(&rows);
    let mut returns: HashMap<i64, Vec<task_return::Model>> = HashMap::new();
    for r in &rows.returns {
        returns.entry(r.task_id).or_default().push(r.clone());
    }
    Ok(tasks
        .into_iter()
        .map(|task| {
            let target = target_of(&task, &rows);
            let plan = rows
                .draws
                .get(&task.draw_id)
                .and_then(|d| rows.plans.get(&d.plan_id))
                .map(|p| PlanRef {
                    id: p.id,
                    name: p.name.clone(),
                });
            let indicators = scorecards.of(&task, set_of(&task));
            let mut inspectors = by_task.remove(&task.id).unwrap_or_default();
            inspectors.sort_by_key(|i| i.role != InspectorRole::Lead);
            let publish_by = task
                .reviewed_at
                .map(|at| publish_by(&calendar, at, publication_days));
            let cancellation = rows
                .cancellations
                .iter()
                .find(|c| c.task_id == task.id)
                .cloned();
            let replaces = rows
                .cancellations
                .iter()
                .find(|c| c.replaced_by == Some(task.id))
                .map(|c| c.task_id);
            TaskView {
                cancellation,
                replaces,
                returns: returns.remove(&task.id).unwrap_or_default(),
                task,
                plan,
                target,
                inspectors,
                indicators,
                publish_by,
            }
        })
        .collect())
}

/// One task the caller may see.
///
/// # Errors
/// 404 when it does not exist or is not the caller's to see; 409 for an
/// inspector login linked to no inspector record.
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

/// Lists the tasks the caller may see that pass the filter, soonest due first.
///
/// # Errors
/// 422 for a malformed region code; 409 for an inspector login linked to no
/// inspector record.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &TaskFilter,
    page: Page,
    publication_days: u32,
) -> AppResult<Paged<TaskView>> {
    if let Some(code) = &filter.region_code {
        RegionCode::parse(code).map_err(|e| AppError::invalid("region_code", e.to_string()))?;
    }
    let scope = scope_of(db, actor, filter.mine).await?;
    let tasks = store::visible_tasks(db, scope, filter, page).await?;
    Ok(Paged::new(
        views(db, tasks.items, publication_days).await?,
        tasks.total,
        page,
    ))
}

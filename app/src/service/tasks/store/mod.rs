//! Every query of the tasks capability: tasks and their teams, findings,
//! hazards found, publications, and the overdue sweeps. [`view`] reads what
//! is shown with tasks, [`findings`] corrects findings and their hazards.

mod findings;
mod view;

pub use self::{findings::*, view::*};

use chrono::{DateTime, Utc};
use entities::{
    AccountabilityReason, AccountabilityStatus, AccountableKind, EvidenceKind, HazardStatus,
    TaskStatus, accountability_item, check_plan, check_task, department, draw, enterprise, finding,
    hazard_item, holiday, indicator, inspector, publication, task_inspector, task_return,
};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    IntoActiveModel as _, PaginatorTrait as _, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait as _, Select, sea_query::Expr,
};

use super::model::{
    FindingInput, FoundHazard, Milestone, NewPublication, OverduePublication, TaskFilter, TaskScope,
};
use crate::{
    domain::{
        region_code::prefix_of,
        task_state::{AWAITING_INSPECTORS, VOID},
    },
    error::AppResult,
    service::{
        Page, Paged, scoring,
        store_util::{text_contains, text_starts_with},
    },
};

/// The task, if it exists.
pub async fn task<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<check_task::Model>> {
    Ok(check_task::Entity::find_by_id(id).one(db).await?)
}

/// The task, its row locked until the transaction ends on PostgreSQL
/// (SQLite's write transaction is exclusive already).
pub async fn lock_task<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> AppResult<Option<check_task::Model>> {
    Ok(check_task::Entity::find_by_id(id)
        .lock_exclusive()
        .one(db)
        .await?)
}

/// The inspector record linked to a login, if any.
pub async fn inspector_of_user<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
) -> AppResult<Option<inspector::Model>> {
    Ok(inspector::Entity::find()
        .filter(inspector::Column::UserId.eq(user_id))
        .one(db)
        .await?)
}

/// Whether the inspector is on the task's team.
pub async fn is_on_task<C: ConnectionTrait>(
    db: &C,
    task_id: i64,
    inspector_id: i64,
) -> AppResult<bool> {
    Ok(task_inspector::Entity::find()
        .filter(task_inspector::Column::TaskId.eq(task_id))
        .filter(task_inspector::Column::InspectorId.eq(inspector_id))
        .one(db)
        .await?
        .is_some())
}

/// The plan a draw was made for.
pub async fn plan_of_draw<C: ConnectionTrait>(
    db: &C,
    draw_id: i64,
) -> AppResult<Option<check_plan::Model>> {
    match draw_refs(db, vec![draw_id]).await?.pop() {
        Some(d) => Ok(check_plan::Entity::find_by_id(d.plan_id).one(db).await?),
        None => Ok(None),
    }
}

fn visible(scope: TaskScope<'_>) -> Select<check_task::Entity> {
    let query = check_task::Entity::find();
    match scope {
        TaskScope::Team { inspector_id } => {
            let assigned = task_inspector::Entity::find()
                .select_only()
                .column(task_inspector::Column::TaskId)
                .filter(task_inspector::Column::InspectorId.eq(inspector_id))
                .into_query();
            query.filter(check_task::Column::Id.in_subquery(assigned))
        }
        TaskScope::Department { department_id } => {
            query.filter(check_task::Column::DepartmentId.eq(department_id))
        }
        TaskScope::Jurisdiction(actor) => {
            query.filter(actor.scope_condition(check_task::Column::RegionCode))
        }
    }
}

/// The task, if it lies in the scope.
pub async fn visible_task<C: ConnectionTrait>(
    db: &C,
    scope: TaskScope<'_>,
    id: i64,
) -> AppResult<Option<check_task::Model>> {
    Ok(visible(scope)
        .filter(check_task::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// A page of the tasks in the scope that pass the filter, soonest due first.
/// Superseded tasks are left out unless a status or the filter asks for them.
pub async fn visible_tasks<C: ConnectionTrait>(
    db: &C,
    scope: TaskScope<'_>,
    filter: &TaskFilter,
    page: Page,
) -> AppResult<Paged<check_task::Model>> {
    let mut query = visible(scope);
    if !filter.statuses.is_empty() {
        query = query.filter(check_task::Column::Status.is_in(filter.statuses.clone()));
    } else if !filter.include_superseded {
        query = query.filter(check_task::Column::Status.is_not_in(VOID));
    }
    if let Some(plan) = filter.plan_id {
        let draws = draw::Entity::find()
            .select_only()
            .column(draw::Column::Id)
            .filter(draw::Column::PlanId.eq(plan))
            .into_query();
        query = query.filter(check_task::Column::DrawId.in_subquery(draws));
    }
    if let Some(draw) = filter.draw_id {
        query = query.filter(check_task::Column::DrawId.eq(draw));
    }
    if let Some(region) = &filter.region_code {
        query = query.filter(text_starts_with(
            check_task::Column::RegionCode,
            prefix_of(region),
        ));
    }
    if let Some(q) = filter.q.as_deref() {
        query = query.filter(target_matches(q));
    }
    if let Some(before) = filter.due_before {
        query = query.filter(check_task::Column::DueAt.lt(before.utc()));
    }
    if let Some(overdue) = filter.overdue {
        query = query.filter(check_task::Column::Overdue.eq(overdue));
    }
    let total = query.clone().count(db).await?;
    let tasks = query
        .order_by_asc(check_task::Column::DueAt)
        .order_by_asc(check_task::Column::Id)
        .offset(page.offset())
        .limit(page.size)
        .all(db)
        .await?;
    Ok(Paged::new(tasks, total, page))
}

/// Tasks whose target's name or code contains `q`, case-insensitively.
fn target_matches(q: &str) -> Condition {
    let enterprises = enterprise::Entity::find()
        .select_only()
        .column(enterprise::Column::Id)
        .filter(
            Condition::any()
                .add(text_contains(enterprise::Column::Name, q))
                .add(text_contains(enterprise::Column::CreditCode, q)),
        )
        .into_query();
    let departments = department::Entity::find()
        .select_only()
        .column(department::Column::Id)
        .filter(
            Condition::any()
                .add(text_contains(department::Column::Name, q))
                .add(text_contains(department::Column::Code, q)),
        )
        .into_query();
    Condition::any()
        .add(check_task::Column::EnterpriseId.in_subquery(enterprises))
        .add(check_task::Column::DepartmentId.in_subquery(departments))
}

/// Every holiday and adjusted working day.
pub async fn holidays<C: ConnectionTrait>(db: &C) -> AppResult<Vec<holiday::Model>> {
    Ok(holiday::Entity::find().all(db).await?)
}

/// Writes a step's new status, its time and what else it records.
pub async fn record_step<C: ConnectionTrait>(
    db: &C,
    task: &check_task::Model,
    status: TaskStatus,
    milestone: Option<Milestone>,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let mut model = task.clone().into_active_model();
    model.status = Set(status);
    model.updated_at = Set(at);
    match milestone {
        Some(Milestone::Started) => model.started_at = Set(Some(at)),
        Some(Milestone::Submitted) => model.submitted_at = Set(Some(at)),
        Some(Milestone::Reviewed { score }) => {
            model.score = Set(score);
            model.reviewed_at = Set(Some(at));
        }
        Some(Milestone::Published) => model.published_at = Set(Some(at)),
        None => {}
    }
    model.update(db).await?;
    Ok(())
}

/// Records why a task went back to its inspectors.
pub async fn insert_return<C: ConnectionTrait>(
    db: &C,
    task_id: i64,
    reason: &str,
    returned_by: Option<i64>,
    at: DateTime<Utc>,
) -> AppResult<()> {
    task_return::ActiveModel {
        task_id: Set(task_id),
        reason: Set(reason.to_owned()),
        returned_by: Set(returned_by),
        returned_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Settles the reviewed task's data-security sums with its score.
pub async fn settle_data_security<C: ConnectionTrait>(db: &C, task_id: i64) -> AppResult<()> {
    scoring::store::settle_data_security(db, check_task::Column::Id.eq(task_id)).await?;
    Ok(())
}

/// The task's findings, superseded and withdrawn ones included, in the
/// order recorded.
pub async fn findings<C: ConnectionTrait>(db: &C, task_id: i64) -> AppResult<Vec<finding::Model>> {
    Ok(finding::Entity::find()
        .filter(finding::Column::TaskId.eq(task_id))
        .order_by_asc(finding::Column::Id)
        .all(db)
        .await?)
}

/// The indicator, if it exists.
pub async fn indicator<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<indicator::Model>> {
    Ok(indicator::Entity::find_by_id(id).one(db).await?)
}

/// The indicators with these ids.
pub async fn indicators<C: ConnectionTrait>(
    db: &C,
    ids: Vec<i64>,
) -> AppResult<Vec<indicator::Model>> {
    Ok(indicator::Entity::find()
        .filter(indicator::Column::Id.is_in(ids))
        .all(db)
        .await?)
}

/// Marks the task's current finding on the indicator superseded.
pub async fn supersede_findings<C: ConnectionTrait>(
    db: &C,
    task_id: i64,
    indicator_id: i64,
) -> AppResult<()> {
    finding::Entity::update_many()
        .col_expr(finding::Column::Superseded, Expr::value(true))
        .filter(finding::Column::TaskId.eq(task_id))
        .filter(finding::Column::IndicatorId.eq(indicator_id))
        .filter(finding::Column::Superseded.eq(false))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a finding, its description already checked.
pub async fn insert_finding<C: ConnectionTrait>(
    db: &C,
    task_id: i64,
    input: &FindingInput,
    description: &str,
    created_by: Option<i64>,
    at: DateTime<Utc>,
) -> AppResult<finding::Model> {
    Ok(finding::ActiveModel {
        task_id: Set(task_id),
        indicator_id: Set(input.indicator_id),
        points: Set(input.points),
        compliant: Set(input.compliant),
        description: Set(description.to_owned()),
        hazard_grade: Set(input.hazard_grade),
        rectify_by: Set(input.rectify_by),
        created_by: Set(created_by),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Puts the hazard a finding found on the enterprise's hazard list.
pub async fn insert_hazard<C: ConnectionTrait>(
    db: &C,
    found: &finding::Model,
    hazard: &FoundHazard,
    at: DateTime<Utc>,
) -> AppResult<()> {
    hazard_item::ActiveModel {
        enterprise_id: Set(hazard.enterprise_id),
        code: Set(hazard_code(found.task_id, found.id)),
        description: Set(found.description.clone()),
        grade: Set(hazard.grade),
        found_on: Set(hazard.found_on),
        rectify_by: Set(hazard.rectify_by),
        rectified_on: Set(None),
        status: Set(HazardStatus::Open),
        verified_at: Set(None),
        task_id: Set(Some(found.task_id)),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The hazards the task's findings put on the hazard list, in the order found;
/// those withdrawn with their finding are left out.
pub async fn hazards_of_task<C: ConnectionTrait>(
    db: &C,
    task_id: i64,
) -> AppResult<Vec<hazard_item::Model>> {
    Ok(hazard_item::Entity::find()
        .filter(hazard_item::Column::TaskId.eq(task_id))
        .filter(hazard_item::Column::WithdrawnAt.is_null())
        .order_by_asc(hazard_item::Column::Id)
        .all(db)
        .await?)
}

/// Writes a publication; returns its id.
pub async fn insert_publication<C: ConnectionTrait>(db: &C, new: NewPublication) -> AppResult<i64> {
    let model = publication::ActiveModel {
        task_id: Set(new.task_id),
        region_code: Set(new.region_code),
        target_name: Set(new.target_name),
        credit_code: Set(new.credit_code),
        check_date: Set(new.check_date),
        inspector_badges: Set(serde_json::json!(new.inspector_badges)),
        result: Set(new.result.to_owned()),
        score: Set(new.score),
        hazards: Set(serde_json::json!(new.hazards)),
        published_at: Set(new.published_at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(model.id)
}

/// A page of publications, newest first, below a region prefix if given.
pub async fn publications<C: ConnectionTrait>(
    db: &C,
    region_prefix: Option<&str>,
    page: Page,
) -> AppResult<Paged<publication::Model>> {
    let mut query = publication::Entity::find();
    if let Some(prefix) = region_prefix {
        query = query.filter(text_starts_with(publication::Column::RegionCode, prefix));
    }
    page.fetch(
        db,
        query
            .order_by_desc(publication::Column::PublishedAt)
            .order_by_desc(publication::Column::Id),
    )
    .await
}

/// The tasks past their due time, still with their inspectors and not yet
/// flagged (superseded tasks are nobody's work any more).
pub async fn newly_overdue<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> AppResult<Vec<i64>> {
    let due = check_task::Entity::find()
        .filter(check_task::Column::Overdue.eq(false))
        .filter(check_task::Column::DueAt.lt(now))
        .filter(check_task::Column::Status.is_in(AWAITING_INSPECTORS))
        .all(db)
        .await?;
    Ok(due.iter().map(|t| t.id).collect())
}

/// Flags the tasks overdue; returns how many rows changed.
pub async fn flag_overdue<C: ConnectionTrait>(db: &C, ids: Vec<i64>) -> AppResult<u64> {
    let result = check_task::Entity::update_many()
        .col_expr(check_task::Column::Overdue, Expr::value(true))
        .filter(check_task::Column::Id.is_in(ids))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// The tasks reviewed and not yet published.
pub async fn reviewed_tasks<C: ConnectionTrait>(db: &C) -> AppResult<Vec<check_task::Model>> {
    Ok(check_task::Entity::find()
        .filter(check_task::Column::Status.eq(TaskStatus::Reviewed))
        .all(db)
        .await?)
}

/// Whether the task's late publication was raised already.
pub async fn publication_overdue_raised<C: ConnectionTrait>(
    db: &C,
    task_id: i64,
) -> AppResult<bool> {
    Ok(accountability_item::Entity::find()
        .filter(accountability_item::Column::Reason.eq(AccountabilityReason::PublicationOverdue))
        .filter(accountability_item::Column::EvidenceKind.eq(EvidenceKind::Task))
        .filter(accountability_item::Column::EvidenceId.eq(task_id))
        .one(db)
        .await?
        .is_some())
}

/// Opens the accountability item of a late publication.
pub async fn insert_publication_overdue<C: ConnectionTrait>(
    db: &C,
    item: OverduePublication,
) -> AppResult<()> {
    accountability_item::ActiveModel {
        period: Set(item.period),
        subject_kind: Set(AccountableKind::Department),
        subject_id: Set(item.department_id),
        region_code: Set(Some(item.region_code)),
        reason: Set(AccountabilityReason::PublicationOverdue),
        evidence_kind: Set(EvidenceKind::Task),
        evidence_id: Set(item.task_id),
        status: Set(AccountabilityStatus::Open),
        created_at: Set(item.raised_at),
        updated_at: Set(item.raised_at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

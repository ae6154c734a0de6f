//! Moving a task through its lifecycle, recording findings and publishing results.

use chrono::{NaiveDate, Utc};
use entities::{
    AccountabilityReason, AccountabilityStatus, AccountableKind, EvidenceKind, HazardGrade, Role,
    SubjectKind, TaskStatus, accountability_item, check_plan, check_task, draw, finding,
    hazard_item, indicator, publication, task_inspector,
};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel as _, QueryFilter, QueryOrder, QuerySelect as _, QueryTrait as _,
};

use super::{
    Actor,
    audit::{self, Entry},
    scoring,
    tasks::{self, TaskView},
    validate::Problems,
};
use crate::{
    db,
    domain::{
        scoring::{Scored, round2, weighted_percent},
        workdays::china_date,
    },
    error::{AppError, AppResult},
};

/// A lifecycle step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// An inspector starts (or resumes a returned task).
    Start,
    /// An inspector submits the findings.
    Submit,
    /// A supervisor accepts the findings; the score is computed.
    Review,
    /// A supervisor sends the task back.
    Return,
    /// A supervisor publishes the result (一公开).
    Publish,
}

impl Step {
    fn name(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Submit => "submit",
            Self::Review => "review",
            Self::Return => "return",
            Self::Publish => "publish",
        }
    }

    /// The states a step may leave, and the state it reaches.
    fn transition(self) -> (&'static [TaskStatus], TaskStatus) {
        match self {
            Self::Start => (
                &[TaskStatus::Assigned, TaskStatus::Returned],
                TaskStatus::InProgress,
            ),
            Self::Submit => (&[TaskStatus::InProgress], TaskStatus::Submitted),
            Self::Review => (&[TaskStatus::Submitted], TaskStatus::Reviewed),
            Self::Return => (&[TaskStatus::Submitted], TaskStatus::Returned),
            Self::Publish => (&[TaskStatus::Reviewed], TaskStatus::Published),
        }
    }

    fn by_inspectors(self) -> bool {
        matches!(self, Self::Start | Self::Submit)
    }
}

/// Whether the caller is one of the task's inspectors.
async fn is_task_inspector<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    task_id: i64,
) -> AppResult<bool> {
    let Some(me) = tasks::inspector_of(db, actor).await? else {
        return Ok(false);
    };
    Ok(task_inspector::Entity::find()
        .filter(task_inspector::Column::TaskId.eq(task_id))
        .filter(task_inspector::Column::InspectorId.eq(me.id))
        .one(db)
        .await?
        .is_some())
}

/// Loads a task the caller may act on for `step`.
async fn authorized_task<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
    step: Step,
) -> AppResult<check_task::Model> {
    let not_found = || AppError::NotFound(format!("task {id}"));
    let task = check_task::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    if step.by_inspectors() {
        if !is_task_inspector(db, actor, id).await? {
            // Someone who can see the task but is not on it is told so; others learn nothing.
            return if actor.covers(&task.region_code) && actor.role != Role::Inspector {
                Err(AppError::Forbidden(format!(
                    "only the task's inspectors may {}",
                    step.name()
                )))
            } else {
                Err(not_found())
            };
        }
    } else {
        if !actor.covers(&task.region_code)
            || actor.role == Role::Inspector
            || actor.role == Role::Department
        {
            return Err(not_found());
        }
        actor.require(
            &[Role::Supervisor, Role::Admin],
            &format!("{} tasks", step.name()),
        )?;
    }
    // A redraw replaced this task's team; only its own draw's tasks are worked on.
    if let Some(by) = draw::Entity::find_by_id(task.draw_id)
        .one(db)
        .await?
        .and_then(|d| d.superseded_by)
    {
        return Err(AppError::Conflict(format!(
            "task {id} belongs to draw {}, which draw {by} superseded",
            task.draw_id
        )));
    }
    Ok(task)
}

/// The task's score: the latest finding per indicator, weighted, out of 100.
async fn score<C: ConnectionTrait>(db: &C, task_id: i64) -> AppResult<Option<f64>> {
    let findings = finding::Entity::find()
        .filter(finding::Column::TaskId.eq(task_id))
        .order_by_asc(finding::Column::Id)
        .all(db)
        .await?;
    let mut latest = std::collections::BTreeMap::new();
    for f in findings {
        latest.insert(f.indicator_id, f.points);
    }
    let indicators = indicator::Entity::find()
        .filter(indicator::Column::Id.is_in(latest.keys().copied().collect::<Vec<_>>()))
        .all(db)
        .await?;
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
    let (from, to) = step.transition();
    let txn = db::begin_write(db).await?;
    // Re-read under the write lock, locking the row on PostgreSQL (SQLite's
    // write transaction is exclusive already), so that two concurrent steps
    // cannot both pass and no finding goes in once the task is submitted.
    let task = check_task::Entity::find_by_id(task.id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .unwrap_or(task);
    if !from.contains(&task.status) {
        return Err(AppError::Conflict(format!(
            "cannot {} a task that is {}",
            step.name(),
            task.status
        )));
    }
    let now = Utc::now();
    let mut model = task.clone().into_active_model();
    model.status = Set(to);
    model.updated_at = Set(now);
    let mut detail = serde_json::json!({"from": task.status, "to": to});
    match step {
        Step::Start => {
            if task.started_at.is_none() {
                model.started_at = Set(Some(now));
            }
        }
        Step::Submit => {
            let count = finding::Entity::find()
                .filter(finding::Column::TaskId.eq(id))
                .all(&txn)
                .await?
                .len();
            if count == 0 {
                return Err(AppError::Conflict(
                    "record at least one finding before submitting".to_owned(),
                ));
            }
            model.submitted_at = Set(Some(now));
        }
        Step::Review => {
            let score = score(&txn, id).await?;
            model.score = Set(score);
            model.reviewed_at = Set(Some(now));
            detail["score"] = serde_json::json!(score);
        }
        Step::Return => {
            detail["reason"] = serde_json::json!(reason);
        }
        Step::Publish => {
            model.published_at = Set(Some(now));
            let publication = publish(&txn, &task, now).await?;
            detail["publication_id"] = serde_json::json!(publication);
        }
    }
    model.update(&txn).await?;
    if step == Step::Review {
        // The findings are final now: fix the check's data-security sums with its score.
        scoring::store::settle_data_security(&txn, check_task::Column::Id.eq(id)).await?;
    }
    audit::append(
        &txn,
        actor,
        Entry::ok(&format!("task.{}", step.name()), "check_task", id).with_detail(detail),
    )
    .await?;
    txn.commit().await?;
    tasks::get(db, &Actor::system(), id, publication_days).await
}

/// Writes the public record of a task: public fields only.
async fn publish<C: ConnectionTrait>(
    db: &C,
    task: &check_task::Model,
    now: chrono::DateTime<Utc>,
) -> AppResult<i64> {
    let views = tasks::views(db, vec![task.clone()], 0).await?;
    let view = views
        .into_iter()
        .next()
        .ok_or_else(|| AppError::NotFound(format!("task {}", task.id)))?;
    let hazards: Vec<serde_json::Value> = hazard_item::Entity::find()
        .filter(hazard_item::Column::TaskId.eq(task.id))
        .order_by_asc(hazard_item::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|h| serde_json::json!({"description": h.description, "grade": h.grade, "rectify_by": h.rectify_by}))
        .collect();
    let result = match (task.score, hazards.is_empty()) {
        (_, false) => "hazards_found",
        (Some(score), true) if score >= 60.0 => "compliant",
        (Some(_), true) => "non_compliant",
        (None, true) => "checked",
    };
    let check_date = china_date(task.submitted_at.or(task.started_at).unwrap_or(now));
    let model = publication::ActiveModel {
        task_id: Set(task.id),
        region_code: Set(view.target.region_code.clone()),
        target_name: Set(view.target.name.clone()),
        credit_code: Set(view.target.credit_code.clone()),
        check_date: Set(check_date),
        inspector_badges: Set(serde_json::json!(
            view.inspectors
                .iter()
                .map(|i| i.badge_no.clone())
                .collect::<Vec<_>>()
        )),
        result: Set(result.to_owned()),
        score: Set(task.score),
        hazards: Set(serde_json::json!(hazards)),
        published_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(model.id)
}

/// A finding to record.
#[derive(Debug, Clone)]
pub struct FindingInput {
    /// The indicator checked.
    pub indicator_id: i64,
    /// Points earned, 0 to the indicator's maximum.
    pub points: f64,
    /// Whether the target complies with the indicator.
    pub compliant: bool,
    /// What was found.
    pub description: String,
    /// The grade of a hidden hazard found, if any.
    pub hazard_grade: Option<HazardGrade>,
    /// The rectification deadline of that hazard.
    pub rectify_by: Option<NaiveDate>,
}

/// Records a finding on an in-progress task; a hazard grade also enters the
/// enterprise's hazard list with its deadline.
///
/// # Errors
/// 404/403 as for the inspector steps; 409 unless the task is in progress; 422
/// for an indicator outside the plan's set, points out of range, or a hazard
/// without a deadline.
pub async fn add_finding(
    db: &DatabaseConnection,
    actor: &Actor,
    task_id: i64,
    input: FindingInput,
) -> AppResult<finding::Model> {
    let task = authorized_task(db, actor, task_id, Step::Start).await?;
    let mut problems = Problems::new();
    let description = problems.text("description", &input.description, 2000);
    let plan_set = match draw::Entity::find_by_id(task.draw_id).one(db).await? {
        Some(d) => check_plan::Entity::find_by_id(d.plan_id)
            .one(db)
            .await?
            .and_then(|p| p.indicator_set_id),
        None => None,
    };
    match indicator::Entity::find_by_id(input.indicator_id)
        .one(db)
        .await?
    {
        None => problems.add(
            "indicator_id",
            format!("indicator {} does not exist", input.indicator_id),
        ),
        Some(ind) => {
            problems.check(
                plan_set.is_none_or(|set| set == ind.set_id),
                "indicator_id",
                "the indicator is not in the plan's indicator set",
            );
            problems.check(
                ind.applies_to == task.target_kind,
                "indicator_id",
                format!("the indicator applies to {}s", ind.applies_to),
            );
            problems.check(
                input.points.is_finite() && input.points >= 0.0 && input.points <= ind.max_points,
                "points",
                format!("must be between 0 and {}", ind.max_points),
            );
        }
    }
    let today = china_date(Utc::now());
    match (input.hazard_grade, input.rectify_by) {
        (Some(_), None) => problems.add("rectify_by", "a hazard needs a rectification deadline"),
        (None, Some(_)) => problems.add(
            "hazard_grade",
            "a rectification deadline needs a hazard grade",
        ),
        (Some(_), Some(by)) => {
            problems.check(
                by >= today,
                "rectify_by",
                "the deadline must not be in the past",
            );
            problems.check(
                task.target_kind == SubjectKind::Enterprise,
                "hazard_grade",
                "only enterprises keep a hazard list",
            );
        }
        (None, None) => {}
    }
    problems.finish()?;
    let txn = db::begin_write(db).await?;
    // Locked as a step locks it: the task cannot be submitted meanwhile.
    let current = check_task::Entity::find_by_id(task_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .unwrap_or(task);
    if current.status != TaskStatus::InProgress {
        return Err(AppError::Conflict(format!(
            "findings are recorded on tasks in progress; this one is {}",
            current.status
        )));
    }
    let now = Utc::now();
    // Only the latest finding per indicator counts; the earlier ones say so.
    finding::Entity::update_many()
        .col_expr(
            finding::Column::Superseded,
            sea_orm::sea_query::Expr::value(true),
        )
        .filter(finding::Column::TaskId.eq(task_id))
        .filter(finding::Column::IndicatorId.eq(input.indicator_id))
        .filter(finding::Column::Superseded.eq(false))
        .exec(&txn)
        .await?;
    let model = finding::ActiveModel {
        task_id: Set(task_id),
        indicator_id: Set(input.indicator_id),
        points: Set(input.points),
        compliant: Set(input.compliant),
        description: Set(description.clone()),
        hazard_grade: Set(input.hazard_grade),
        rectify_by: Set(input.rectify_by),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if let (Some(grade), Some(by), Some(enterprise_id)) =
        (input.hazard_grade, input.rectify_by, current.enterprise_id)
    {
        hazard_item::ActiveModel {
            enterprise_id: Set(enterprise_id),
            code: Set(format!("T{task_id}-F{}", model.id)),
            description: Set(description),
            grade: Set(grade),
            found_on: Set(today),
            rectify_by: Set(by),
            rectified_on: Set(None),
            task_id: Set(Some(task_id)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    audit::append(
        &txn,
        actor,
        Entry::ok("finding.create", "finding", model.id).with_detail(serde_json::json!({
            "task_id": task_id, "indicator_id": model.indicator_id, "points": model.points,
            "hazard_grade": model.hazard_grade,
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Lists a task's findings.
///
/// # Errors
/// 404 when the task is not the caller's to see.
pub async fn findings<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    task_id: i64,
) -> AppResult<Vec<finding::Model>> {
    tasks::get(db, actor, task_id, 0).await?;
    Ok(finding::Entity::find()
        .filter(finding::Column::TaskId.eq(task_id))
        .order_by_asc(finding::Column::Id)
        .all(db)
        .await?)
}

/// Flags tasks past their due time that were not submitted; returns how many
/// were newly flagged. Run by the scheduler.
///
/// # Errors
/// When the database fails.
pub async fn mark_overdue(db: &DatabaseConnection, now: chrono::DateTime<Utc>) -> AppResult<u64> {
    let txn = db::begin_write(db).await?;
    let due = check_task::Entity::find()
        .filter(check_task::Column::Overdue.eq(false))
        .filter(check_task::Column::DueAt.lt(now))
        .filter(check_task::Column::Status.is_in([
            TaskStatus::Assigned,
            TaskStatus::InProgress,
            TaskStatus::Returned,
        ]))
        // Tasks of a superseded draw are nobody's work any more.
        .filter(
            check_task::Column::DrawId.in_subquery(
                draw::Entity::find()
                    .select_only()
                    .column(draw::Column::Id)
                    .filter(draw::Column::SupersededBy.is_null())
                    .into_query(),
            ),
        )
        .all(&txn)
        .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = due.iter().map(|t| t.id).collect();
    let result = check_task::Entity::update_many()
        .col_expr(
            check_task::Column::Overdue,
            sea_orm::sea_query::Expr::value(true),
        )
        .filter(check_task::Column::Id.is_in(ids.clone()))
        .exec(&txn)
        .await?;
    audit::append(
        &txn,
        &Actor::system(),
        Entry::ok("task.mark_overdue", "check_task", ids.len())
            .with_detail(serde_json::json!({"task_ids": ids})),
    )
    .await?;
    txn.commit().await?;
    Ok(result.rows_affected)
}

/// Raises `publication_overdue` against the supervising department for each
/// reviewed task not published by its deadline; never twice for one task.
/// Returns how many items were raised. Run by the scheduler.
///
/// # Errors
/// When the database fails.
pub async fn raise_publication_overdue(
    db: &DatabaseConnection,
    now: chrono::DateTime<Utc>,
    working_days: u32,
) -> AppResult<u64> {
    let reviewed = check_task::Entity::find()
        .filter(check_task::Column::Status.eq(TaskStatus::Reviewed))
        .all(db)
        .await?;
    if reviewed.is_empty() {
        return Ok(0);
    }
    let calendar = tasks::calendar(db).await?;
    let today = china_date(now);
    let txn = db::begin_write(db).await?;
    let mut raised = Vec::new();
    for task in reviewed {
        let Some(reviewed_at) = task.reviewed_at else {
            continue;
        };
        let deadline = tasks::publish_by(&calendar, reviewed_at, working_days);
        if today <= deadline {
            continue;
        }
        let owner = match draw::Entity::find_by_id(task.draw_id).one(&txn).await? {
            Some(d) => check_plan::Entity::find_by_id(d.plan_id)
                .one(&txn)
                .await?
                .and_then(|p| p.owner_department_id),
            None => None,
        };
        let Some(owner) = owner else { continue };
        let exists = accountability_item::Entity::find()
            .filter(
                accountability_item::Column::Reason.eq(AccountabilityReason::PublicationOverdue),
            )
            .filter(accountability_item::Column::EvidenceKind.eq(EvidenceKind::Task))
            .filter(accountability_item::Column::EvidenceId.eq(task.id))
            .one(&txn)
            .await?
            .is_some();
        if exists {
            continue;
        }
        let period = format!("{}", deadline.format("%Y-%m"));
        accountability_item::ActiveModel {
            period: Set(period),
            subject_kind: Set(AccountableKind::Department),
            subject_id: Set(owner),
            region_code: Set(Some(task.region_code.clone())),
            reason: Set(AccountabilityReason::PublicationOverdue),
            evidence_kind: Set(EvidenceKind::Task),
            evidence_id: Set(task.id),
            status: Set(AccountabilityStatus::Open),
            note: Set(Some(format!(
                "reviewed on {}, due for publication by {deadline}",
                china_date(reviewed_at)
            ))),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        raised.push(task.id);
    }
    if raised.is_empty() {
        return Ok(0);
    }
    audit::append(
        &txn,
        &Actor::system(),
        Entry::ok("accountability.raise", "accountability_item", raised.len())
            .with_detail(serde_json::json!({"reason": "publication_overdue", "task_ids": raised})),
    )
    .await?;
    txn.commit().await?;
    Ok(raised.len() as u64)
}

/// The public results list: published checks only, public fields only.
///
/// # Errors
/// When the database fails.
pub async fn public_results<C: ConnectionTrait>(
    db: &C,
    region_prefix: Option<&str>,
    page: super::Page,
) -> AppResult<super::Paged<publication::Model>> {
    let mut query = publication::Entity::find();
    if let Some(prefix) = region_prefix.map(crate::domain::region_code::prefix_of) {
        query = query.filter(super::store_util::text_starts_with(
            publication::Column::RegionCode,
            prefix,
        ));
    }
    page.fetch(
        db,
        query
            .order_by_desc(publication::Column::PublishedAt)
            .order_by_desc(publication::Column::Id),
    )
    .await
}

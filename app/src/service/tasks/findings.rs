//! Findings: what the inspectors record on a task in progress, and correct
//! or withdraw while it is still in progress.
//!
//! For each indicator one finding counts: the latest recorded and not
//! withdrawn. Recording another replaces it; a hazard a finding put on the
//! enterprise's hazard list leaves the list with the finding.

use chrono::{DateTime, NaiveDate, Utc};
use entities::{SubjectKind, check_task, finding, indicator};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction};

use super::{
    access::authorized_task,
    model::{FindingInput, FoundHazard},
    store,
    view::{self, indicator_set},
};
use crate::{
    db,
    domain::{
        task_state::{Step, accepts_findings},
        workdays::china_date,
    },
    error::{AppError, AppResult},
    msg,
    service::{
        Actor,
        audit::{self, Entry},
        reports::labels::subject_kind,
        validate::Problems,
    },
};

/// Records a finding on an in-progress task; a hazard grade also enters the
/// enterprise's hazard list with its deadline. It replaces the finding that
/// counted for the same indicator, and that finding's hazard.
///
/// # Errors
/// 404/403 as for the inspector steps; 409 unless the task is in progress; 422
/// for an indicator outside the plan's set or not for this target, points out
/// of range, or a hazard without a deadline.
pub async fn add_finding(
    db: &DatabaseConnection,
    actor: &Actor,
    task_id: i64,
    input: FindingInput,
) -> AppResult<finding::Model> {
    let task = authorized_task(db, actor, task_id, Step::Start).await?;
    let today = china_date(Utc::now());
    let description = check_finding(db, &task, &input, today).await?;
    let txn = db::begin_write(db).await?;
    let current = task_in_progress(&txn, task).await?;
    let now = Utc::now();
    let replaced = store::counting_finding(&txn, task_id, input.indicator_id).await?;
    if let Some(replaced) = &replaced {
        withdraw_hazard_of(&txn, replaced, now).await?;
    }
    // Only the latest finding per indicator counts; the earlier ones say so.
    store::supersede_findings(&txn, task_id, input.indicator_id).await?;
    let model =
        store::insert_finding(&txn, task_id, &input, &description, actor.user_id, now).await?;
    if let Some(hazard) = found_hazard(&current, &model, today) {
        store::insert_hazard(&txn, &model, &hazard, now).await?;
    }
    audit::append(
        &txn,
        actor,
        Entry::ok("finding.create", "finding", model.id).with_detail(serde_json::json!({
            "task_id": task_id, "indicator_id": model.indicator_id, "points": model.points,
            "hazard_grade": model.hazard_grade, "replaces": replaced.map(|f| f.id),
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Corrects the finding that counts for its indicator, on a task in
/// progress; its hazard on the list follows (added, changed or withdrawn).
///
/// # Errors
/// As for [`add_finding`]; 404 for a finding not of this task; 409 for a
/// finding replaced or withdrawn; 422 when the indicator would change.
pub async fn correct_finding(
    db: &DatabaseConnection,
    actor: &Actor,
    task_id: i64,
    finding_id: i64,
    input: FindingInput,
) -> AppResult<finding::Model> {
    let task = authorized_task(db, actor, task_id, Step::Start).await?;
    let existing = counting(db, task_id, finding_id).await?;
    if input.indicator_id != existing.indicator_id {
        return Err(AppError::invalid(
            "indicator_id",
            msg!(
                "检查结果不能改到其他指标上；请撤回后在该指标上重新记录",
                "a finding stays on its indicator; withdraw it and record one on the other indicator"
            ),
        ));
    }
    let today = china_date(Utc::now());
    let description = check_finding(db, &task, &input, today).await?;
    let txn = db::begin_write(db).await?;
    let current = task_in_progress(&txn, task).await?;
    let existing = counting(&txn, task_id, finding_id).await?;
    let now = Utc::now();
    let before = serde_json::json!({
        "points": existing.points, "compliant": existing.compliant,
        "hazard_grade": existing.hazard_grade, "rectify_by": existing.rectify_by,
    });
    let model = store::update_finding(&txn, existing, &input, &description, now).await?;
    follow_hazard(&txn, &current, &model, today, now).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("finding.update", "finding", model.id).with_detail(serde_json::json!({
            "task_id": task_id, "indicator_id": model.indicator_id, "before": before,
            "after": {
                "points": model.points, "compliant": model.compliant,
                "hazard_grade": model.hazard_grade, "rectify_by": model.rectify_by,
            },
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Withdraws the finding that counts for its indicator, on a task in
/// progress: it stays on record, marked, and counts for nothing; its hazard
/// leaves the hazard list.
///
/// # Errors
/// As for [`correct_finding`].
pub async fn withdraw_finding(
    db: &DatabaseConnection,
    actor: &Actor,
    task_id: i64,
    finding_id: i64,
) -> AppResult<()> {
    let task = authorized_task(db, actor, task_id, Step::Start).await?;
    let txn = db::begin_write(db).await?;
    task_in_progress(&txn, task).await?;
    let existing = counting(&txn, task_id, finding_id).await?;
    let now = Utc::now();
    let hazard = withdraw_hazard_of(&txn, &existing, now).await?;
    let model = store::withdraw_finding(&txn, existing, now).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("finding.withdraw", "finding", model.id).with_detail(serde_json::json!({
            "task_id": task_id, "indicator_id": model.indicator_id, "hazard_id": hazard,
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The task re-read under the write lock (a step locks it the same way, so
/// it cannot be submitted meanwhile), if it is in progress.
async fn task_in_progress(
    txn: &DatabaseTransaction,
    task: check_task::Model,
) -> AppResult<check_task::Model> {
    let current = store::lock_task(txn, task.id).await?.unwrap_or(task);
    if accepts_findings(current.status) {
        return Ok(current);
    }
    let status = current.status;
    Err(AppError::Conflict(msg!(
        "只有检查中（in_progress）的任务可以记录或更正检查结果，本任务为 {status}",
        "findings are recorded and corrected on tasks in progress; this one is {status}"
    )))
}

/// The task's finding `finding_id`, if it is the one that counts for its
/// indicator: replaced and withdrawn findings stay as they were recorded.
async fn counting<C: ConnectionTrait>(
    db: &C,
    task_id: i64,
    finding_id: i64,
) -> AppResult<finding::Model> {
    let found = store::finding(db, finding_id)
        .await?
        .filter(|f| f.task_id == task_id)
        .ok_or_else(|| {
            AppError::NotFound(msg!(
                "任务 {task_id} 的检查结果 {finding_id}",
                "finding {finding_id} of task {task_id}"
            ))
        })?;
    if found.withdrawn_at.is_some() {
        return Err(AppError::Conflict(msg!(
            "检查结果 {finding_id} 已撤回",
            "finding {finding_id} was withdrawn"
        )));
    }
    if found.superseded {
        return Err(AppError::Conflict(msg!(
            "检查结果 {finding_id} 已被同一指标上后记录的结果取代，请更正现行的那一条",
            "finding {finding_id} was replaced by a later finding on the same indicator; correct that one"
        )));
    }
    Ok(found)
}

/// The hazard a finding on this task puts on the list, if it found one.
fn found_hazard(
    task: &check_task::Model,
    found: &finding::Model,
    today: NaiveDate,
) -> Option<FoundHazard> {
    match (found.hazard_grade, found.rectify_by, task.enterprise_id) {
        (Some(grade), Some(rectify_by), Some(enterprise_id)) => Some(FoundHazard {
            enterprise_id,
            grade,
            found_on: today,
            rectify_by,
        }),
        _ => None,
    }
}

/// Takes the hazard a finding found off the list; returns its id if it was on it.
async fn withdraw_hazard_of<C: ConnectionTrait>(
    db: &C,
    found: &finding::Model,
    now: DateTime<Utc>,
) -> AppResult<Option<i64>> {
    let Some(hazard) = store::hazard_of_finding(db, found).await? else {
        return Ok(None);
    };
    let id = hazard.id;
    Ok(store::withdraw_hazard(db, hazard, now).await?.then_some(id))
}

/// Brings the hazard list in line with a corrected finding.
async fn follow_hazard<C: ConnectionTrait>(
    db: &C,
    task: &check_task::Model,
    found: &finding::Model,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let listed = store::hazard_of_finding(db, found).await?;
    match (found_hazard(task, found, today), listed) {
        (Some(_), Some(listed)) => store::restate_hazard(db, listed, found, now).await,
        (Some(hazard), None) => store::insert_hazard(db, found, &hazard, now).await,
        (None, Some(listed)) => store::withdraw_hazard(db, listed, now).await.map(|_| ()),
        (None, None) => Ok(()),
    }
}

/// Checks a finding against the task and its plan's indicator set; returns
/// the trimmed description.
async fn check_finding<C: ConnectionTrait>(
    db: &C,
    task: &check_task::Model,
    input: &FindingInput,
    today: NaiveDate,
) -> AppResult<String> {
    let mut problems = Problems::new();
    let description = problems.text("description", &input.description, 2000);
    let draw = store::draw_refs(db, vec![task.draw_id]).await?.pop();
    let plan = store::plan_of_draw(db, task.draw_id).await?;
    let set = draw.and_then(|d| indicator_set(&d, plan.as_ref()));
    match store::indicator(db, input.indicator_id).await? {
        None => problems.add(
            "indicator_id",
            msg!(
                "指标 {} 不存在",
                "indicator {} does not exist",
                input.indicator_id
            ),
        ),
        Some(ind) => check_indicator(&mut problems, task, input, &ind, set),
    }
    check_hazard(&mut problems, task, input, today);
    problems.finish()?;
    Ok(description)
}

/// The indicator must belong to the set the task was drawn with, apply to
/// the task's kind of target, and bound the points.
fn check_indicator(
    problems: &mut Problems,
    task: &check_task::Model,
    input: &FindingInput,
    indicator: &indicator::Model,
    set: Option<i64>,
) {
    let code = &indicator.code;
    match set {
        None => problems.add(
            "indicator_id",
            msg!(
                "本任务的检查计划没有指标集，无法记录检查结果",
                "the task's plan has no indicator set, so no finding can be recorded"
            ),
        ),
        Some(set) => problems.check(
            set == indicator.set_id,
            "indicator_id",
            msg!(
                "指标 {code} 不在本任务检查计划的指标集（{set}）中",
                "indicator {code} is not in the indicator set of the task's plan ({set})"
            ),
        ),
    }
    let (kind, target) = (indicator.applies_to, task.target_kind);
    let (kind_zh, target_zh) = (subject_kind(kind), subject_kind(target));
    problems.check(
        kind == target,
        "indicator_id",
        msg!(
            "指标 {code} 适用于{kind_zh}，本任务检查的是{target_zh}",
            "indicator {code} applies to {kind}s and this task checks a {target}"
        ),
    );
    let max = indicator.max_points;
    problems.check(
        input.points.is_finite() && input.points >= 0.0 && input.points <= max,
        "points",
        msg!("须在 0 到 {max} 之间", "must be between 0 and {max}"),
    );
}

/// A hazard needs a grade and a deadline not yet past, and an enterprise.
fn check_hazard(
    problems: &mut Problems,
    task: &check_task::Model,
    input: &FindingInput,
    today: NaiveDate,
) {
    match (input.hazard_grade, input.rectify_by) {
        (Some(_), None) => problems.add(
            "rectify_by",
            msg!(
                "隐患须有整改期限",
                "a hazard needs a rectification deadline"
            ),
        ),
        (None, Some(_)) => problems.add(
            "hazard_grade",
            msg!(
                "有整改期限须同时给出隐患等级",
                "a rectification deadline needs a hazard grade"
            ),
        ),
        (Some(_), Some(by)) => {
            problems.check(
                by >= today,
                "rectify_by",
                msg!(
                    "整改期限不能早于今天",
                    "the deadline must not be in the past"
                ),
            );
            problems.check(
                task.target_kind == SubjectKind::Enterprise,
                "hazard_grade",
                msg!("只有企业有隐患清单", "only enterprises keep a hazard list"),
            );
        }
        (None, None) => {}
    }
}

/// Lists a task's findings, replaced and withdrawn ones included.
///
/// # Errors
/// 404 when the task is not the caller's to see.
pub async fn findings<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    task_id: i64,
) -> AppResult<Vec<finding::Model>> {
    view::get(db, actor, task_id, 0).await?;
    store::findings(db, task_id).await
}

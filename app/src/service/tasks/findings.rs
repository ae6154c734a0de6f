//! Findings: what the inspectors record on a task in progress.

use chrono::{NaiveDate, Utc};
use entities::{SubjectKind, check_task, finding, indicator};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::{
    access::authorized_task,
    model::{FindingInput, FoundHazard},
    store, view,
};
use crate::{
    db,
    domain::{
        task_state::{Step, accepts_findings},
        workdays::china_date,
    },
    error::{AppError, AppResult},
    service::{
        Actor,
        audit::{self, Entry},
        validate::Problems,
    },
};

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
    let today = china_date(Utc::now());
    let description = check_finding(db, &task, &input, today).await?;
    let txn = db::begin_write(db).await?;
    // Locked as a step locks it: the task cannot be submitted meanwhile.
    let current = store::lock_task(&txn, task_id).await?.unwrap_or(task);
    if !accepts_findings(current.status) {
        return Err(AppError::Conflict(
            format!(
                "findings are recorded on tasks in progress; this one is {}",
                current.status
            )
            .into(),
        ));
    }
    let now = Utc::now();
    // Only the latest finding per indicator counts; the earlier ones say so.
    store::supersede_findings(&txn, task_id, input.indicator_id).await?;
    let model =
        store::insert_finding(&txn, task_id, &input, &description, actor.user_id, now).await?;
    if let (Some(grade), Some(rectify_by), Some(enterprise_id)) =
        (input.hazard_grade, input.rectify_by, current.enterprise_id)
    {
        let hazard = FoundHazard {
            enterprise_id,
            grade,
            found_on: today,
            rectify_by,
        };
        store::insert_hazard(&txn, &model, &hazard, now).await?;
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
    let plan_set = store::plan_of_draw(db, task.draw_id)
        .await?
        .and_then(|p| p.indicator_set_id);
    match store::indicator(db, input.indicator_id).await? {
        None => problems.add(
            "indicator_id",
            format!("indicator {} does not exist", input.indicator_id),
        ),
        Some(ind) => check_indicator(&mut problems, task, input, &ind, plan_set),
    }
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
    Ok(description)
}

/// The indicator must belong to the plan's set (when it names one), apply
/// to the task's kind of target, and bound the points.
fn check_indicator(
    problems: &mut Problems,
    task: &check_task::Model,
    input: &FindingInput,
    indicator: &indicator::Model,
    plan_set: Option<i64>,
) {
    problems.check(
        plan_set.is_none_or(|set| set == indicator.set_id),
        "indicator_id",
        "the indicator is not in the plan's indicator set",
    );
    problems.check(
        indicator.applies_to == task.target_kind,
        "indicator_id",
        format!("the indicator applies to {}s", indicator.applies_to),
    );
    problems.check(
        input.points.is_finite() && input.points >= 0.0 && input.points <= indicator.max_points,
        "points",
        format!("must be between 0 and {}", indicator.max_points),
    );
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
    view::get(db, actor, task_id, 0).await?;
    store::findings(db, task_id).await
}

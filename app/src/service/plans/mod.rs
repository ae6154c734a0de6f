//! Check plans: what a draw samples, how, and when.

mod model;
mod store;

use chrono::Utc;
use entities::{PlanStatus, Role, SubjectKind, check_plan};
use sea_orm::{ConnectionTrait, DatabaseConnection};

pub use model::{DEPARTMENT_STRATA, ENTERPRISE_STRATA, PlanFilter, PlanSpec, spec_of};

use super::{
    Actor, Page, Paged,
    audit::{self, Entry},
    directories::departments,
    validate::Problems,
};
use crate::{
    db,
    domain::region_code::prefix_of,
    error::{AppError, AppResult},
    msg,
    service::reports::labels::subject_kind,
};

const WRITERS: &[Role] = &[Role::Admin, Role::Supervisor];
const READERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Leader];

/// Checks a six-field cron expression (seconds first), exactly as the scheduler reads it.
///
/// # Errors
/// A message saying what is wrong.
pub fn check_cron(expression: &str) -> Result<(), String> {
    scheduler::Schedule::parse_at_offset(expression, crate::domain::workdays::CHINA)
        .map(|_| ())
        .map_err(|e| {
            format!("{e}; use six fields: sec min hour day month weekday, e.g. '0 0 9 1 * *'")
        })
}

/// Every problem with a plan's settings, in the order the API lists them;
/// normalises the department ids and region prefixes on the way.
async fn validate<C: ConnectionTrait>(db: &C, actor: &Actor, spec: &mut PlanSpec) -> AppResult<()> {
    let mut problems = Problems::new();
    check_sampling(&mut problems, spec);
    check_staffing(&mut problems, spec);
    check_regions(db, actor, spec, &mut problems).await?;
    for id in &spec.department_ids {
        if !crate::error::visible(departments::get(db, actor, *id).await)? {
            problems.add("department_ids", format!("department {id} does not exist"));
        }
    }
    if let Some(set_id) = spec.indicator_set_id {
        check_indicator_set(db, &mut problems, set_id, spec.target_kind).await?;
    }
    problems.finish()
}

/// The plan's indicator set must exist and hold indicators for its targets:
/// findings can only be recorded on those.
async fn check_indicator_set<C: ConnectionTrait>(
    db: &C,
    problems: &mut Problems,
    set_id: i64,
    kind: SubjectKind,
) -> AppResult<()> {
    match store::indicators_for(db, set_id, kind).await? {
        None => problems.add(
            "indicator_set_id",
            msg!(
                "指标集 {set_id} 不存在",
                "indicator set {set_id} does not exist"
            ),
        ),
        Some(0) => {
            let zh = subject_kind(kind);
            problems.add(
                "indicator_set_id",
                msg!(
                    "指标集 {set_id} 没有适用于{zh}的指标，请选择适用于{zh}的指标集",
                    "indicator set {set_id} has no indicator that applies to {kind}s; choose a set for {kind}s"
                ),
            );
        }
        Some(_) => {}
    }
    Ok(())
}

/// The name, the strata and their ratios, and the numbers of a sample.
fn check_sampling(problems: &mut Problems, spec: &mut PlanSpec) {
    spec.name = problems.text("name", &spec.name, 200);
    let strata = match spec.target_kind {
        SubjectKind::Enterprise => ENTERPRISE_STRATA,
        SubjectKind::Department => DEPARTMENT_STRATA,
    };
    for (stratum, ratio) in &spec.ratios {
        problems.check(
            strata.contains(&stratum.as_str()),
            "ratios",
            format!(
                "'{stratum}' is not a stratum of a {} plan; use {}",
                spec.target_kind,
                strata.join(", ")
            ),
        );
        problems.check(
            ratio.is_finite() && (0.0..=1.0).contains(ratio),
            "ratios",
            format!("the ratio of '{stratum}' must be between 0 and 1"),
        );
    }
    problems.check(
        spec.uniform_share.is_finite() && (0.0..=1.0).contains(&spec.uniform_share),
        "uniform_share",
        "must be between 0 and 1",
    );
    problems.check(
        spec.min_per_stratum >= 0,
        "min_per_stratum",
        "must not be negative",
    );
    problems.check(
        spec.cooldown_days >= 0,
        "cooldown_days",
        "must not be negative",
    );
    problems.check(
        (1..=3650).contains(&spec.due_days),
        "due_days",
        "must be between 1 and 3650",
    );
}

/// The teams, the filters only enterprise plans have, and the schedule.
fn check_staffing(problems: &mut Problems, spec: &mut PlanSpec) {
    problems.check(
        (1..=20).contains(&spec.inspectors_per_task),
        "inspectors_per_task",
        "must be between 1 and 20 (at least one inspector per task)",
    );
    spec.department_ids.sort_unstable();
    spec.department_ids.dedup();
    problems.check(
        usize::try_from(spec.inspectors_per_task).unwrap_or(0) >= spec.department_ids.len(),
        "inspectors_per_task",
        "a joint check needs at least one inspector per participating department",
    );
    if spec.target_kind == SubjectKind::Department {
        problems.check(
            spec.industries.is_empty(),
            "industries",
            "only enterprise plans filter by industry",
        );
        problems.check(
            spec.risk_levels.is_empty(),
            "risk_levels",
            "only enterprise plans filter by risk level",
        );
        problems.check(
            !spec.key_only,
            "key_only",
            "only enterprise plans filter by key supervision",
        );
    }
    if let Some(cron) = &spec.cron
        && let Err(message) = check_cron(cron)
    {
        problems.add("cron", message);
    }
}

/// Each region prefix: well formed, existing, within the caller's jurisdiction;
/// a six-digit code becomes its subtree's prefix.
async fn check_regions<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    spec: &mut PlanSpec,
    problems: &mut Problems,
) -> AppResult<()> {
    for prefix in &mut spec.region_prefixes {
        let trimmed = prefix.trim().to_owned();
        let prefix_digits = if trimmed.len() == 6 {
            prefix_of(&trimmed).to_owned()
        } else {
            trimmed.clone()
        };
        if !matches!(prefix_digits.len(), 2 | 4 | 6)
            || !prefix_digits.bytes().all(|b| b.is_ascii_digit())
        {
            problems.add(
                "region_prefixes",
                format!("'{trimmed}' is not a region code or a 2-, 4- or 6-digit prefix"),
            );
            continue;
        }
        problems.check(
            store::region_prefix_exists(db, &prefix_digits).await?,
            "region_prefixes",
            format!("no region has the code prefix {prefix_digits}"),
        );
        problems.check(
            actor
                .scope_prefix()
                .is_none_or(|scope| prefix_digits.starts_with(scope)),
            "region_prefixes",
            format!("{trimmed} is outside your jurisdiction"),
        );
        *prefix = prefix_digits;
    }
    Ok(())
}

/// The region of the plan's owner department, which scopes the plan.
///
/// # Errors
/// When the database fails.
pub async fn owner_region<C: ConnectionTrait>(
    db: &C,
    plan: &check_plan::Model,
) -> AppResult<Option<String>> {
    match plan.owner_department_id {
        Some(owner) => store::department_region(db, owner).await,
        None => Ok(None),
    }
}

/// One plan the caller may see: plans are scoped by their owner department's region.
///
/// # Errors
/// 403 for roles without access to plans; 404 when out of scope.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
) -> AppResult<check_plan::Model> {
    actor.require(READERS, "read check plans")?;
    let not_found = || AppError::NotFound(format!("plan {id}").into());
    let plan = store::find(db, id).await?.ok_or_else(not_found)?;
    if actor.covers_opt(owner_region(db, &plan).await?.as_deref()) {
        Ok(plan)
    } else {
        Err(not_found())
    }
}

/// Creates a plan owned by the caller's department.
///
/// # Errors
/// 403 for roles other than admin and supervisor; 422 listing every problem.
#[tracing::instrument(skip_all, fields(actor.id = ?actor.user_id))]
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    mut spec: PlanSpec,
) -> AppResult<check_plan::Model> {
    actor.require(WRITERS, "create check plans")?;
    validate(db, actor, &mut spec).await?;
    let txn = db::begin_write(db).await?;
    let plan = store::insert(&txn, &spec, actor.department_id, actor.user_id, Utc::now()).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("plan.create", "check_plan", plan.id)
            .with_detail(serde_json::to_value(&spec).unwrap_or_default()),
    )
    .await?;
    txn.commit().await?;
    Ok(plan)
}

/// Changes a plan: `change` edits a copy of its settings, which are then
/// validated whole.
///
/// # Errors
/// 403, 404, 422 as for create; 409 for an archived plan.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    change: impl FnOnce(&mut PlanSpec),
) -> AppResult<check_plan::Model> {
    actor.require(WRITERS, "change check plans")?;
    let existing = get(db, actor, id).await?;
    if existing.status == PlanStatus::Archived {
        return Err(AppError::Conflict(
            format!("plan {id} is archived and cannot change").into(),
        ));
    }
    let before = spec_of(&existing);
    let mut spec = before.clone();
    change(&mut spec);
    validate(db, actor, &mut spec).await?;
    let txn = db::begin_write(db).await?;
    let plan = store::update(&txn, existing, &spec).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("plan.update", "check_plan", plan.id)
            .with_detail(serde_json::json!({"before": before, "after": spec})),
    )
    .await?;
    txn.commit().await?;
    Ok(plan)
}

/// Lists the plans the caller may see.
///
/// # Errors
/// 403 for roles without access to plans.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &PlanFilter,
    page: Page,
) -> AppResult<Paged<check_plan::Model>> {
    actor.require(READERS, "read check plans")?;
    store::list(db, actor.scope_prefix(), filter, page).await
}

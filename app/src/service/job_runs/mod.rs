//! The scheduled jobs: which there are, when they fire next, and the history of
//! their runs.

mod store;

use chrono::{DateTime, Utc};
use entities::{PlanStatus, Role, job_run};
use scheduler::{CatchUp, JobInfo, Schedule};
use sea_orm::ConnectionTrait;

use crate::{
    config::JobsPolicy,
    domain::workdays::CHINA,
    error::{AppError, AppResult},
    service::{Actor, Page, Paged, audit},
};

/// Marks tasks past their due date overdue.
pub const TASKS_OVERDUE: &str = "tasks.overdue";
/// Recomputes the current periods' scores and raises overdue publications.
pub const NIGHTLY_SCORES: &str = "scores.nightly";
/// Writes the audit chain's head to the log; `audit verify` reads its runs.
pub const AUDIT_CHECKPOINT: &str = audit::CHECKPOINT_JOB;
/// A plan's draws are the job `plan.draw.{plan id}`.
pub const PLAN_DRAW_PREFIX: &str = "plan.draw.";

/// A job every instance that runs jobs registers.
#[derive(Debug, Clone)]
pub struct FixedJob {
    /// Its name in `job_run`.
    pub name: &'static str,
    /// Its cron expression in China time, seconds first.
    pub cron: String,
    /// What it does about fires missed while no instance ran.
    pub catch_up: CatchUp,
}

/// The jobs besides the plans' draws, on the policy's crons.
#[must_use]
pub fn fixed_jobs(policy: &JobsPolicy) -> [FixedJob; 3] {
    [
        FixedJob {
            name: TASKS_OVERDUE,
            cron: policy.overdue_cron.clone(),
            catch_up: CatchUp::Skip,
        },
        FixedJob {
            name: NIGHTLY_SCORES,
            cron: policy.scores_cron.clone(),
            catch_up: CatchUp::Once,
        },
        FixedJob {
            name: AUDIT_CHECKPOINT,
            cron: policy.checkpoint_cron.clone(),
            catch_up: CatchUp::Once,
        },
    ]
}

const READERS: [Role; 2] = [Role::Admin, Role::Supervisor];

/// Lists job runs, newest fire first (admins and supervisors).
///
/// # Errors
/// 403 for other roles; when the database fails.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    job_name: Option<&str>,
    page: Page,
) -> AppResult<Paged<job_run::Model>> {
    actor.require(&READERS, "read job runs")?;
    let total = store::count_runs(db, job_name).await?;
    let items = store::runs(db, job_name, page.size, page.offset()).await?;
    Ok(Paged::new(items, total, page))
}

/// The scheduled jobs with their next fire times (admins and supervisors):
/// those this instance's scheduler has registered when it runs jobs, otherwise
/// those an instance that runs jobs registers (the fixed jobs and one per active
/// plan with a cron).
///
/// # Errors
/// 403 for other roles; when the database fails.
pub async fn registered<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    policy: &JobsPolicy,
    running: Option<Vec<JobInfo>>,
) -> AppResult<Vec<JobInfo>> {
    actor.require(&READERS, "read the scheduled jobs")?;
    if let Some(jobs) = running {
        return Ok(jobs);
    }
    let now = Utc::now();
    let info = |name: String, cron: &str, catch_up| {
        let next_fire_at = Schedule::parse_at_offset(cron, CHINA)
            .ok()
            .and_then(|s| s.next_after(now));
        JobInfo {
            name,
            cron: cron.to_owned(),
            catch_up,
            next_fire_at,
        }
    };
    let mut jobs: Vec<JobInfo> = fixed_jobs(policy)
        .iter()
        .map(|job| info(job.name.to_owned(), &job.cron, job.catch_up))
        .collect();
    for plan in scheduled_plans(db).await? {
        jobs.push(info(
            format!("{PLAN_DRAW_PREFIX}{}", plan.plan_id),
            &plan.cron,
            CatchUp::Once,
        ));
    }
    jobs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(jobs)
}

/// Records the audit chain's head now, as a run of the checkpoint job.
///
/// # Errors
/// 409 when the chain is broken (the run is recorded as failed); when the
/// database fails.
pub async fn checkpoint_now(db: &sea_orm::DatabaseConnection) -> AppResult<String> {
    let job = scheduler::Job::new(AUDIT_CHECKPOINT, "0 30 0 * * *", CatchUp::Skip, {
        let db = db.clone();
        move |_fire| {
            let db = db.clone();
            async move { audit::checkpoint(&db).await }
        }
    })
    .map_err(|e| AppError::Internal(e.into()))?;
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "spotcheck".to_owned());
    let instance = format!("cli:{host}:{}", std::process::id());
    // A fire is named by its second; the scheduled job may hold this one.
    let mut outcome = None;
    for _ in 0..3 {
        let fire = scheduler::Fire::new(AUDIT_CHECKPOINT, Utc::now(), &instance);
        outcome = scheduler::run_fire(db, &job, fire).await.map_err(|e| {
            AppError::Internal(anyhow::Error::new(e).context("Failed to record the checkpoint"))
        })?;
        if outcome.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1_000)).await;
    }
    let outcome = outcome.ok_or_else(|| {
        AppError::Conflict(
            "checkpoints are being recorded every second; try again"
                .to_owned()
                .into(),
        )
    })?;
    match outcome.status {
        scheduler::RunStatus::Ok => Ok(outcome.message),
        _ => Err(AppError::Conflict(outcome.message.into())),
    }
}

/// A plan whose draws are scheduled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledPlan {
    /// The plan.
    pub plan_id: i64,
    /// Its cron expression in China time, seconds first.
    pub cron: String,
}

/// The active plans with a cron, by id.
///
/// # Errors
/// When the database fails.
pub async fn scheduled_plans<C: ConnectionTrait>(db: &C) -> AppResult<Vec<ScheduledPlan>> {
    let plans = store::active_plans_with_cron(db).await?;
    Ok(plans
        .into_iter()
        .filter_map(|p| {
            Some(ScheduledPlan {
                plan_id: p.id,
                cron: p.cron?,
            })
        })
        .collect())
}

/// Whether the plan is still active with this cron.
///
/// # Errors
/// When the database fails.
pub async fn plan_still_scheduled<C: ConnectionTrait>(
    db: &C,
    plan_id: i64,
    cron: &str,
) -> AppResult<bool> {
    let plan = store::plan(db, plan_id).await?;
    Ok(plan.is_some_and(|p| p.status == PlanStatus::Active && p.cron.as_deref() == Some(cron)))
}

/// The first scheduled draw of the plan made at or after `since`.
///
/// # Errors
/// When the database fails.
pub async fn cron_draw_since<C: ConnectionTrait>(
    db: &C,
    plan_id: i64,
    since: DateTime<Utc>,
) -> AppResult<Option<i64>> {
    let made = store::first_cron_draw_since(db, plan_id, since).await?;
    Ok(made.map(|d| d.id))
}

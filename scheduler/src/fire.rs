//! Running one fire: claim it, run the body, record how it ended.

use std::{any::Any, time::Duration};

use chrono::{DateTime, SubsecRound as _, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use tokio::time::Instant;

use crate::{
    CatchUp, Fire, Job, SchedulerError,
    runs::{self, RunStatus},
};

/// How a fire this instance ran ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The `job_run` row.
    pub run_id: i64,
    /// [`RunStatus::Ok`] or [`RunStatus::Failed`].
    pub status: RunStatus,
    /// The body's message, or what the panic said.
    pub message: String,
    /// How long the body took.
    pub duration: Duration,
}

/// Claims `fire` and, if this instance won it, runs `job`'s body for it.
///
/// `None` when another instance (or an earlier call) holds the fire. The body runs
/// in a task of its own, so a panic is recorded as `failed` instead of unwinding
/// into the scheduler. It takes a connection rather than a transaction: the claim
/// must be visible to the other instances at once.
///
/// # Errors
/// When the claim or the outcome cannot be written; in the latter case the row
/// stays `running`.
#[tracing::instrument(
    name = "scheduler.fire",
    skip_all,
    fields(job.name = %fire.job_name, fire.time = %fire.fire_time, fire.catch_up = fire.catch_up)
)]
pub async fn run_fire(
    db: &DatabaseConnection,
    job: &Job,
    fire: Fire,
) -> Result<Option<Outcome>, SchedulerError> {
    let fire = Fire {
        fire_time: fire.fire_time.trunc_subsecs(0),
        ..fire
    };
    let claimed = runs::insert(
        db,
        &fire.job_name,
        fire.fire_time,
        &fire.instance,
        RunStatus::Running,
        None,
    )
    .await?;
    let Some(run_id) = claimed else {
        tracing::debug!("fire already claimed elsewhere");
        return Ok(None);
    };

    let started = Instant::now();
    let body = job.run.clone();
    let (status, message) = match tokio::spawn(async move { body(fire).await }).await {
        Ok(Ok(message)) => (RunStatus::Ok, message),
        Ok(Err(message)) => (RunStatus::Failed, message),
        Err(e) if e.is_panic() => (RunStatus::Failed, panic_message(e.into_panic())),
        Err(_) => (RunStatus::Failed, "cancelled".to_owned()),
    };
    let duration = started.elapsed();
    runs::finish(db, run_id, status, &message).await?;

    if status == RunStatus::Ok {
        tracing::info!(run.id = run_id, run.ms = duration.as_millis(), %message, "job ran");
    } else {
        tracing::warn!(run.id = run_id, run.ms = duration.as_millis(), %message, "job failed");
    }
    Ok(Some(Outcome {
        run_id,
        status,
        message,
        duration,
    }))
}

/// The latest fire of `job` missed since its last recorded fire, as of `now`.
///
/// `None` for a job that has never run, or when nothing was missed.
///
/// # Errors
/// When the database cannot be read.
pub async fn latest_missed<C: ConnectionTrait>(
    db: &C,
    job: &Job,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, SchedulerError> {
    let Some(last) = runs::last_fire_time(db, &job.name).await? else {
        return Ok(None);
    };
    Ok(job
        .schedule
        .latest_at_or_before(now)
        .filter(|latest| *latest > last))
}

/// Applies `job`'s catch-up policy to the fires missed up to `now`.
///
/// [`CatchUp::Once`] runs one fire for the latest missed fire time, claimed like
/// any other so that only one instance runs it; [`CatchUp::Skip`] runs nothing.
/// `Some` only when this instance ran a catch-up fire.
///
/// # Errors
/// When the database cannot be read or written.
pub async fn catch_up(
    db: &DatabaseConnection,
    job: &Job,
    instance: &str,
    now: DateTime<Utc>,
) -> Result<Option<Outcome>, SchedulerError> {
    let Some(missed) = latest_missed(db, job, now).await? else {
        return Ok(None);
    };
    match job.catch_up {
        CatchUp::Skip => {
            tracing::info!(job.name = %job.name, fire.time = %missed, "missed fires skipped");
            Ok(None)
        }
        CatchUp::Once => {
            let fire = Fire::new(&job.name, missed, instance).as_catch_up();
            run_fire(db, job, fire).await
        }
    }
}

/// What a panic said, when it said it with a string.
fn panic_message(payload: Box<dyn Any + Send>) -> String {
    let said = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned());
    match said {
        Some(said) => format!("panicked: {said}"),
        None => "panicked".to_owned(),
    }
}

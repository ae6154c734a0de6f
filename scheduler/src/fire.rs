//! Running one fire: claim it, run the body, record how it ended.

use std::{any::Any, time::Duration};

use chrono::{DateTime, SubsecRound as _, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use tokio::time::Instant;

use crate::{
    CatchUp, Fire, Job, SchedulerError,
    runs::{self, Claim, RunStatus},
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
    let claim = Claim {
        job_name: &fire.job_name,
        fire_time: fire.fire_time,
        instance: &fire.instance,
        lease: fire.lease,
    };
    let Some(run_id) = runs::insert(db, &claim, RunStatus::Running, None).await? else {
        tracing::debug!("fire already claimed elsewhere");
        return Ok(None);
    };
    run_claimed(db, job, fire, run_id).await.map(Some)
}

/// Runs the body for a fire this instance holds the claim `run_id` on, renewing
/// the claim's lease until the body ends, and records the outcome.
pub(crate) async fn run_claimed(
    db: &DatabaseConnection,
    job: &Job,
    fire: Fire,
    run_id: i64,
) -> Result<Outcome, SchedulerError> {
    let instance = fire.instance.clone();
    let heartbeat = AbortOnDrop(tokio::spawn(keep_leased(
        db.clone(),
        run_id,
        instance.clone(),
        fire.lease,
    )));
    let started = Instant::now();
    let body = job.run.clone();
    let joined = tokio::spawn(async move { body(fire).await }).await;
    drop(heartbeat);
    let (status, message) = match joined {
        Ok(Ok(message)) => (RunStatus::Ok, message),
        Ok(Err(message)) => (RunStatus::Failed, message),
        Err(e) if e.is_panic() => (RunStatus::Failed, panic_message(e.into_panic())),
        Err(_) => (RunStatus::Failed, "cancelled".to_owned()),
    };
    let duration = started.elapsed();
    if !runs::finish(db, run_id, &instance, status, &message).await? {
        tracing::warn!(run.id = run_id, %message, "the claim was taken over before the fire finished; outcome not recorded");
    } else if status == RunStatus::Ok {
        tracing::info!(run.id = run_id, run.ms = duration.as_millis(), %message, "job ran");
    } else {
        tracing::warn!(run.id = run_id, run.ms = duration.as_millis(), %message, "job failed");
    }
    Ok(Outcome {
        run_id,
        status,
        message,
        duration,
    })
}

/// Stops a background task when dropped, however its owner ends.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Renews a claim's lease a third of the lease apart, until aborted or the
/// claim is lost.
async fn keep_leased(db: DatabaseConnection, run_id: i64, instance: String, lease: Duration) {
    let every = (lease / 3).max(Duration::from_millis(100));
    loop {
        tokio::time::sleep(every).await;
        match runs::renew(&db, run_id, &instance, runs::lease_end(Utc::now(), lease)).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(
                    run.id = run_id,
                    "claim lost: another instance took the fire over"
                );
                return;
            }
            Err(e) => tracing::warn!(run.id = run_id, error = %e, "could not renew the claim"),
        }
    }
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
    catch_up_leased(db, job, instance, now, crate::job::DEFAULT_LEASE).await
}

/// [`catch_up`] with claims held for `lease`.
pub(crate) async fn catch_up_leased(
    db: &DatabaseConnection,
    job: &Job,
    instance: &str,
    now: DateTime<Utc>,
    lease: Duration,
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
            let fire = Fire::new(&job.name, missed, instance)
                .as_catch_up()
                .with_lease(lease);
            run_fire(db, job, fire).await
        }
    }
}

/// Resolves the claims that other instances abandoned: those whose instance
/// died (its lease expired) or shut down in the middle of a fire.
///
/// A fire is run again here, once, when it is still its job's latest: no later
/// fire of the job is recorded and the job's next fire time has not come. The
/// body then gets [`Fire::taken_over_from`], and the row names both instances.
/// Otherwise the claim is closed as `interrupted` with the reason, and the job's
/// catch-up policy covers the fires since. `jobs` finds a registered job by
/// name; a claim on a job not registered here is closed.
///
/// # Errors
/// When the database cannot be read or written.
pub async fn resolve_abandoned(
    db: &DatabaseConnection,
    jobs: &(dyn Fn(&str) -> Option<std::sync::Arc<Job>> + Sync),
    instance: &str,
    lease: Duration,
    now: DateTime<Utc>,
) -> Result<Vec<Outcome>, SchedulerError> {
    let mut ran = Vec::new();
    for row in runs::abandoned(db, instance, now, lease).await? {
        let why = match &row.lease_until {
            Some(until) if row.outcome == RunStatus::Running.as_str() => {
                format!(
                    "instance {} stopped answering (its claim expired at {until})",
                    row.instance
                )
            }
            _ => format!(
                "instance {} shut down before the fire finished",
                row.instance
            ),
        };
        let job = jobs(&row.job_name);
        let rerun = match &job {
            None => Err(format!("the job is not registered on {instance}")),
            Some(job)
                if job
                    .schedule
                    .next_after(row.fire_time)
                    .is_some_and(|next| next <= now) =>
            {
                Err("a later fire time of the job has come".to_owned())
            }
            Some(_) if runs::has_later(db, &row.job_name, row.fire_time).await? => {
                Err("a later fire of the job is recorded".to_owned())
            }
            Some(job) => Ok(job),
        };
        match rerun {
            Err(reason) => {
                let message =
                    format!("interrupted: {why}; closed by {instance}, not run again: {reason}");
                if runs::close_abandoned(db, &row, message).await? {
                    tracing::warn!(job.name = %row.job_name, fire.time = %row.fire_time, %why, "abandoned fire closed");
                }
            }
            Ok(job) => {
                if !runs::take_over(db, &row, instance, lease).await? {
                    continue;
                }
                tracing::warn!(job.name = %row.job_name, fire.time = %row.fire_time, %why, "abandoned fire taken over");
                let fire = Fire {
                    taken_over_from: Some(row.instance.clone()),
                    ..Fire::new(&row.job_name, row.fire_time, instance).with_lease(lease)
                };
                ran.push(run_claimed(db, job, fire, row.id).await?);
            }
        }
    }
    Ok(ran)
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

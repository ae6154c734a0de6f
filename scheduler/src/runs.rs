//! The `job_run` table: claims, outcomes and the run history.

use chrono::{DateTime, SubsecRound as _, Utc};
use entities::job_run;
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _, PaginatorTrait as _,
    QueryFilter as _, QueryOrder as _, QuerySelect as _, QueryTrait as _, SqlErr, TryInsertResult,
};

use crate::SchedulerError;

/// The `outcome` of a `job_run` row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    /// Claimed; the body has not finished (or its instance died).
    Running,
    /// The body returned `Ok`.
    Ok,
    /// The body returned `Err` or panicked.
    Failed,
    /// Deliberately not run.
    Skipped,
}

impl RunStatus {
    /// The value stored in `job_run.outcome`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Ok => "ok",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }
}

/// Claims `(job_name, fire_time)` for `instance`: true if this call won it.
///
/// Inserts a `running` row; when another instance already holds the key, the
/// insert does nothing (`ON CONFLICT DO NOTHING`) and the answer is false. The
/// fire time is truncated to the second so that every instance names it alike.
///
/// # Errors
/// When the database cannot be written.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    job_name: &str,
    fire_time: DateTime<Utc>,
    instance: &str,
) -> Result<bool, SchedulerError> {
    let claimed = insert(db, job_name, fire_time, instance, RunStatus::Running, None).await?;
    Ok(claimed.is_some())
}

/// Inserts a row for the key unless one exists; its id if this call inserted it.
pub(crate) async fn insert<C: ConnectionTrait>(
    db: &C,
    job_name: &str,
    fire_time: DateTime<Utc>,
    instance: &str,
    status: RunStatus,
    message: Option<String>,
) -> Result<Option<i64>, SchedulerError> {
    let now = Utc::now();
    let finished_at = (status != RunStatus::Running).then_some(now);
    let row = job_run::ActiveModel {
        job_name: Set(job_name.to_owned()),
        fire_time: Set(fire_time.trunc_subsecs(0)),
        instance: Set(instance.to_owned()),
        started_at: Set(now),
        finished_at: Set(finished_at),
        outcome: Set(status.as_str().to_owned()),
        message: Set(message),
        ..Default::default()
    };
    let result = job_run::Entity::insert(row)
        .on_conflict_do_nothing_on([job_run::Column::JobName, job_run::Column::FireTime])
        .exec(db)
        .await;
    match result {
        Ok(TryInsertResult::Inserted(inserted)) => Ok(Some(inserted.last_insert_id)),
        Ok(TryInsertResult::Conflicted | TryInsertResult::Empty) => Ok(None),
        // An engine without ON CONFLICT on that key still reports the duplicate.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Records how a claimed run ended.
pub(crate) async fn finish<C: ConnectionTrait>(
    db: &C,
    run_id: i64,
    status: RunStatus,
    message: &str,
) -> Result<(), SchedulerError> {
    let row = job_run::ActiveModel {
        id: Set(run_id),
        finished_at: Set(Some(Utc::now())),
        outcome: Set(status.as_str().to_owned()),
        message: Set(Some(message.to_owned())),
        ..Default::default()
    };
    job_run::Entity::update(row).exec(db).await?;
    Ok(())
}

/// The latest fire time recorded for a job, whatever its outcome.
///
/// # Errors
/// When the database cannot be read.
pub async fn last_fire_time<C: ConnectionTrait>(
    db: &C,
    job_name: &str,
) -> Result<Option<DateTime<Utc>>, SchedulerError> {
    let last = job_run::Entity::find()
        .filter(job_run::Column::JobName.eq(job_name))
        .order_by_desc(job_run::Column::FireTime)
        .one(db)
        .await?;
    Ok(last.map(|row| row.fire_time))
}

/// Runs, newest fire first, optionally of one job only; for `GET /api/v1/jobs`.
///
/// # Errors
/// When the database cannot be read.
pub async fn list_runs<C: ConnectionTrait>(
    db: &C,
    job_name: Option<&str>,
    limit: u64,
    offset: u64,
) -> Result<Vec<job_run::Model>, SchedulerError> {
    let runs = job_run::Entity::find()
        .apply_if(job_name, |q, name| {
            q.filter(job_run::Column::JobName.eq(name))
        })
        .order_by_desc(job_run::Column::FireTime)
        .order_by_desc(job_run::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    Ok(runs)
}

/// How many runs [`list_runs`] pages through.
///
/// # Errors
/// When the database cannot be read.
pub async fn count_runs<C: ConnectionTrait>(
    db: &C,
    job_name: Option<&str>,
) -> Result<u64, SchedulerError> {
    let total = job_run::Entity::find()
        .apply_if(job_name, |q, name| {
            q.filter(job_run::Column::JobName.eq(name))
        })
        .count(db)
        .await?;
    Ok(total)
}

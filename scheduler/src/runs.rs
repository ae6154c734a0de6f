//! The `job_run` table: claims, outcomes and the run history.

use std::time::Duration;

use chrono::{DateTime, SubsecRound as _, Utc};
use entities::job_run;
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, Condition, ConnectionTrait, EntityTrait as _,
    PaginatorTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _, QueryTrait as _,
    SqlErr, TryInsertResult, UpdateMany, sea_query::Expr,
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
    /// Its instance stopped before the body finished. While the row still holds
    /// a lease (an instance shut down in the middle of the fire) another instance
    /// decides whether to run the fire in its place; without one it is final.
    Interrupted,
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
            Self::Interrupted => "interrupted",
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
    let claim = Claim {
        job_name,
        fire_time,
        instance,
        lease: crate::job::DEFAULT_LEASE,
    };
    let claimed = insert(db, &claim, RunStatus::Running, None).await?;
    Ok(claimed.is_some())
}

/// Who claims which fire, and for how long.
pub(crate) struct Claim<'a> {
    pub(crate) job_name: &'a str,
    pub(crate) fire_time: DateTime<Utc>,
    pub(crate) instance: &'a str,
    pub(crate) lease: Duration,
}

/// `now + lease`, saturating at the end of time.
pub(crate) fn lease_end(now: DateTime<Utc>, lease: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(lease)
        .ok()
        .and_then(|lease| now.checked_add_signed(lease))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Inserts a row for the key unless one exists; its id if this call inserted it.
/// A `running` row holds the claim's lease.
pub(crate) async fn insert<C: ConnectionTrait>(
    db: &C,
    claim: &Claim<'_>,
    status: RunStatus,
    message: Option<String>,
) -> Result<Option<i64>, SchedulerError> {
    let now = Utc::now();
    let running = status == RunStatus::Running;
    let row = job_run::ActiveModel {
        job_name: Set(claim.job_name.to_owned()),
        fire_time: Set(claim.fire_time.trunc_subsecs(0)),
        instance: Set(claim.instance.to_owned()),
        started_at: Set(now),
        finished_at: Set((!running).then_some(now)),
        outcome: Set(status.as_str().to_owned()),
        message: Set(message),
        lease_until: Set(running.then(|| lease_end(now, claim.lease))),
        taken_over_from: Set(None),
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

/// Records how a claimed run ended; false when the claim is no longer this
/// instance's (another took it over after the lease expired).
pub(crate) async fn finish<C: ConnectionTrait>(
    db: &C,
    run_id: i64,
    instance: &str,
    status: RunStatus,
    message: &str,
) -> Result<bool, SchedulerError> {
    let done = job_run::Entity::update_many()
        .col_expr(job_run::Column::FinishedAt, Expr::value(Some(Utc::now())))
        .col_expr(job_run::Column::Outcome, Expr::value(status.as_str()))
        .col_expr(
            job_run::Column::Message,
            Expr::value(Some(message.to_owned())),
        )
        .col_expr(
            job_run::Column::LeaseUntil,
            Expr::value(None::<DateTime<Utc>>),
        )
        .filter(job_run::Column::Id.eq(run_id))
        .filter(job_run::Column::Instance.eq(instance))
        .filter(job_run::Column::Outcome.is_in(OWNED))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// The outcomes of a row its claiming instance may still finish.
const OWNED: [&str; 2] = ["running", "interrupted"];

/// Extends a running claim's lease; false when the claim is no longer this
/// instance's.
pub(crate) async fn renew<C: ConnectionTrait>(
    db: &C,
    run_id: i64,
    instance: &str,
    until: DateTime<Utc>,
) -> Result<bool, SchedulerError> {
    let renewed = job_run::Entity::update_many()
        .col_expr(job_run::Column::LeaseUntil, Expr::value(Some(until)))
        .filter(job_run::Column::Id.eq(run_id))
        .filter(job_run::Column::Instance.eq(instance))
        .filter(job_run::Column::Outcome.eq(RunStatus::Running.as_str()))
        .exec(db)
        .await?;
    Ok(renewed.rows_affected == 1)
}

/// Claims that another instance should resolve as of `now`: `running` rows whose
/// lease has expired (rows without a lease, from before leases, once they are
/// older than `lease`), and `interrupted` rows that still hold one. Rows of
/// `instance` itself are left to it.
pub(crate) async fn abandoned<C: ConnectionTrait>(
    db: &C,
    instance: &str,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<Vec<job_run::Model>, SchedulerError> {
    let unleased_before = now - chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX);
    let expired = Condition::all()
        .add(job_run::Column::Outcome.eq(RunStatus::Running.as_str()))
        .add(
            Condition::any()
                .add(job_run::Column::LeaseUntil.lt(now))
                .add(
                    Condition::all()
                        .add(job_run::Column::LeaseUntil.is_null())
                        .add(job_run::Column::StartedAt.lt(unleased_before)),
                ),
        );
    let interrupted = Condition::all()
        .add(job_run::Column::Outcome.eq(RunStatus::Interrupted.as_str()))
        .add(job_run::Column::LeaseUntil.is_not_null());
    let rows = job_run::Entity::find()
        .filter(job_run::Column::Outcome.is_in(OWNED))
        .filter(Condition::any().add(expired).add(interrupted))
        .filter(job_run::Column::Instance.ne(instance))
        .order_by_asc(job_run::Column::FireTime)
        .all(db)
        .await?;
    Ok(rows)
}

/// Takes an abandoned claim over for `instance`, unless another instance got
/// there first: true if this call did.
pub(crate) async fn take_over<C: ConnectionTrait>(
    db: &C,
    row: &job_run::Model,
    instance: &str,
    lease: Duration,
) -> Result<bool, SchedulerError> {
    let now = Utc::now();
    let taken = unchanged(job_run::Entity::update_many(), row)
        .col_expr(job_run::Column::Instance, Expr::value(instance))
        .col_expr(
            job_run::Column::TakenOverFrom,
            Expr::value(Some(row.instance.clone())),
        )
        .col_expr(
            job_run::Column::Outcome,
            Expr::value(RunStatus::Running.as_str()),
        )
        .col_expr(job_run::Column::StartedAt, Expr::value(now))
        .col_expr(
            job_run::Column::FinishedAt,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(
            job_run::Column::LeaseUntil,
            Expr::value(Some(lease_end(now, lease))),
        )
        .col_expr(job_run::Column::Message, Expr::value(None::<String>))
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// Closes an abandoned claim as `interrupted` for good, saying why; true if
/// this call did.
pub(crate) async fn close_abandoned<C: ConnectionTrait>(
    db: &C,
    row: &job_run::Model,
    message: String,
) -> Result<bool, SchedulerError> {
    let closed = unchanged(job_run::Entity::update_many(), row)
        .col_expr(
            job_run::Column::Outcome,
            Expr::value(RunStatus::Interrupted.as_str()),
        )
        .col_expr(job_run::Column::FinishedAt, Expr::value(Some(Utc::now())))
        .col_expr(
            job_run::Column::LeaseUntil,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(job_run::Column::Message, Expr::value(Some(message)))
        .exec(db)
        .await?;
    Ok(closed.rows_affected == 1)
}

/// Limits an update to `row` as it was read, so that of several instances
/// resolving the same claim only one succeeds.
fn unchanged(
    update: UpdateMany<job_run::Entity>,
    row: &job_run::Model,
) -> UpdateMany<job_run::Entity> {
    let lease = match row.lease_until {
        Some(until) => job_run::Column::LeaseUntil.eq(until),
        None => job_run::Column::LeaseUntil.is_null(),
    };
    update
        .filter(job_run::Column::Id.eq(row.id))
        .filter(job_run::Column::Instance.eq(row.instance.as_str()))
        .filter(job_run::Column::Outcome.eq(row.outcome.as_str()))
        .filter(lease)
}

/// Marks `instance`'s fires still running as interrupted, keeping their lease
/// so that another instance decides whether to run them again; how many.
pub(crate) async fn interrupt<C: ConnectionTrait>(
    db: &C,
    instance: &str,
) -> Result<u64, SchedulerError> {
    let now = Utc::now();
    let message = format!("interrupted: instance {instance} shut down before the fire finished");
    let interrupted = job_run::Entity::update_many()
        .col_expr(
            job_run::Column::Outcome,
            Expr::value(RunStatus::Interrupted.as_str()),
        )
        .col_expr(job_run::Column::FinishedAt, Expr::value(Some(now)))
        .col_expr(job_run::Column::LeaseUntil, Expr::value(Some(now)))
        .col_expr(job_run::Column::Message, Expr::value(Some(message)))
        .filter(job_run::Column::Instance.eq(instance))
        .filter(job_run::Column::Outcome.eq(RunStatus::Running.as_str()))
        .exec(db)
        .await?;
    Ok(interrupted.rows_affected)
}

/// Whether a fire of the job later than `fire_time` is recorded.
pub(crate) async fn has_later<C: ConnectionTrait>(
    db: &C,
    job_name: &str,
    fire_time: DateTime<Utc>,
) -> Result<bool, SchedulerError> {
    let later = job_run::Entity::find()
        .filter(job_run::Column::JobName.eq(job_name))
        .filter(job_run::Column::FireTime.gt(fire_time))
        .count(db)
        .await?;
    Ok(later > 0)
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

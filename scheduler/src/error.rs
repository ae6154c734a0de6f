//! What can go wrong in the scheduler.

use sea_orm::DbErr;
use tokio_cron_scheduler::JobSchedulerError;

/// An error from the scheduler or from the `job_run` table behind it.
#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    /// The cron expression cannot be parsed, or it never fires again.
    #[error(
        "invalid cron expression {expr:?}: {reason}; expected six fields, seconds first \
         (sec min hour day-of-month month day-of-week [year]), e.g. \"0 0 2 * * *\" \
         for 02:00:00 every day"
    )]
    InvalidCron {
        /// The expression as given.
        expr: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A job of this name is already registered; use `replace` to change it.
    #[error("a job named {0:?} is already registered")]
    DuplicateJob(String),
    /// `start` was called on a scheduler that is already running.
    #[error("the scheduler has already been started")]
    AlreadyStarted,
    /// The scheduler has been shut down and takes no more jobs.
    #[error("the scheduler has been shut down")]
    ShutDown,
    /// Reading or writing `job_run` failed.
    #[error("job_run: {0}")]
    Database(#[from] DbErr),
    /// tokio-cron-scheduler refused an operation.
    #[error("tokio-cron-scheduler: {0}")]
    Engine(#[from] JobSchedulerError),
}

//! When, and exactly once: cron jobs over tokio-cron-scheduler.
//!
//! A [`Job`] is a name, a [`Schedule`] (a cron expression with a seconds field), a
//! [`CatchUp`] policy and an async body that `app` supplies. Several `serve`
//! processes may run the same jobs against one database: tokio-cron-scheduler
//! wakes each of them, and each computes the fire's scheduled time from the cron
//! expression (never from when it happened to wake up), then [`claim`]s
//! `(job name, fire time)` in `job_run` under its unique key. Only the winner runs
//! the body; its outcome, message and timings are recorded on the claimed row.
//!
//! After downtime, [`catch_up`] compares the job's latest recorded fire with its
//! schedule: [`CatchUp::Once`] runs one fire for the latest missed fire time
//! (claimed like any other), [`CatchUp::Skip`] runs nothing. A job never run
//! before has missed nothing.
//!
//! A claim holds a lease that its instance renews while the body runs. When an
//! instance dies, or shuts down before a fire finishes, another instance
//! resolves its claim once the lease has expired ([`resolve_abandoned`]): it
//! runs the fire in its place if the fire is still the job's latest, and closes
//! it as `interrupted` otherwise. Nothing stays claimed forever.
//!
//! [`run_fire`] and [`catch_up`] are plain functions: the [`Scheduler`] calls them,
//! and tests can call them directly.

mod error;
mod fire;
mod job;
mod runs;
mod schedule;
mod scheduler;
mod worker;

pub use error::SchedulerError;
pub use fire::{Outcome, catch_up, latest_missed, resolve_abandoned, run_fire};
pub use job::{CatchUp, DEFAULT_LEASE, Fire, Job, JobFn, JobFuture};
pub use runs::{RunStatus, claim, count_runs, last_fire_time, list_runs};
pub use schedule::Schedule;
pub use scheduler::{JobInfo, Scheduler, Settings};

//! What runs when tokio-cron-scheduler wakes a job up, and the catch-up beside it.

use std::{
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration as StdDuration,
};

use chrono::{DateTime, Duration, SubsecRound as _, Utc};
use sea_orm::DatabaseConnection;
use tokio::sync::RwLock;

use crate::{
    Fire, Job,
    fire::catch_up_leased,
    latest_missed, run_fire,
    runs::{self, Claim, RunStatus},
};

/// How late a wake-up may be and still run the fires it passed on its way.
/// Older ones count as missed, as if the process had been down (see `CatchUp`).
const LATE_GRACE: Duration = Duration::seconds(10);

/// What the engine's callbacks share: one per scheduler.
pub(crate) struct Shared {
    pub(crate) db: DatabaseConnection,
    pub(crate) instance: String,
    /// How long a claim holds unless renewed.
    pub(crate) lease: StdDuration,
    pub(crate) stopping: AtomicBool,
    /// Held shared by every fire in progress; `shutdown` takes it exclusively to
    /// wait for them.
    pub(crate) in_flight: Arc<RwLock<()>>,
}

/// A job as registered with the engine: one per `add` or `replace`.
pub(crate) struct Registration {
    pub(crate) job: Arc<Job>,
    /// Cleared on removal, so that a wake-up already under way does not run it.
    pub(crate) active: AtomicBool,
    /// The latest fire time this registration has taken up.
    seen: Mutex<DateTime<Utc>>,
}

impl Registration {
    pub(crate) fn new(job: Job) -> Self {
        Self {
            job: Arc::new(job),
            active: AtomicBool::new(true),
            seen: Mutex::new(Utc::now()),
        }
    }

    /// Fires after `t` are this registration's; earlier ones are catch-up's.
    pub(crate) fn begin_at(&self, t: DateTime<Utc>) {
        *self.seen.lock().unwrap_or_else(PoisonError::into_inner) = t.trunc_subsecs(0);
    }

    /// The fire times a wake-up at `now` is for, oldest first: the schedule's
    /// latest, and any passed since the previous wake-up that are at most
    /// `LATE_GRACE` old. Named by the schedule, not the clock, so that every
    /// instance names them alike; each is handed out once per registration.
    fn take_due(&self, now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        let schedule = &self.job.schedule;
        let Some(latest) = schedule.latest_at_or_before(now) else {
            return Vec::new();
        };
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if latest <= *seen {
            return Vec::new();
        }
        let mut due = Vec::new();
        let mut cursor = (*seen).max(now - LATE_GRACE);
        while let Some(next) = schedule.next_after(cursor).filter(|next| *next < latest) {
            due.push(next);
            cursor = next;
        }
        due.push(latest);
        *seen = latest;
        due
    }
}

impl Shared {
    /// One wake-up from the engine: run the fires it is for.
    pub(crate) async fn tick(self: Arc<Self>, registration: Arc<Registration>) {
        let due = registration.take_due(Utc::now());
        if due.is_empty() {
            return;
        }
        let _in_flight = Arc::clone(&self.in_flight).read_owned().await;
        let job = &registration.job;
        for fire_time in due {
            if self.stopping.load(Ordering::SeqCst) || !registration.active.load(Ordering::SeqCst) {
                return;
            }
            let fire = Fire::new(&job.name, fire_time, &self.instance).with_lease(self.lease);
            if let Err(e) = run_fire(&self.db, job, fire).await {
                tracing::error!(job.name = %job.name, fire.time = %fire_time, error = %e, "fire not recorded");
            }
        }
    }

    /// Applies the job's catch-up policy in the background; `shutdown` waits for it.
    pub(crate) async fn spawn_catch_up(self: &Arc<Self>, registration: &Arc<Registration>) {
        let shared = Arc::clone(self);
        let registration = Arc::clone(registration);
        // Taken before spawning, so that a shutdown right after start still waits.
        let in_flight = Arc::clone(&self.in_flight).read_owned().await;
        tokio::spawn(async move {
            let _in_flight = in_flight;
            if shared.stopping.load(Ordering::SeqCst) || !registration.active.load(Ordering::SeqCst)
            {
                return;
            }
            let job = &registration.job;
            let now = Utc::now();
            if let Err(e) =
                catch_up_leased(&shared.db, job, &shared.instance, now, shared.lease).await
            {
                tracing::error!(job.name = %job.name, error = %e, "catch-up failed");
            }
        });
    }

    /// Records the latest fire passed over while a job was paused or on another
    /// schedule as `skipped`, so that it never counts as missed.
    pub(crate) async fn mark_passed_over(&self, job: &Job) {
        let marked = async {
            let Some(passed) = latest_missed(&self.db, job, Utc::now()).await? else {
                return Ok(());
            };
            let message = "not run: the job was paused or rescheduled over this fire time";
            let claim = Claim {
                job_name: &job.name,
                fire_time: passed,
                instance: &self.instance,
                lease: self.lease,
            };
            runs::insert(
                &self.db,
                &claim,
                RunStatus::Skipped,
                Some(message.to_owned()),
            )
            .await
            .map(|_| ())
        };
        if let Err(e) = marked.await {
            // Costs at most one unwanted catch-up fire at the next start.
            tracing::warn!(job.name = %job.name, error = %e, "could not record the passed-over fire");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CatchUp;

    fn registration(cron: &str, begin: DateTime<Utc>) -> Registration {
        let job = Job::new("job", cron, CatchUp::Once, |_fire| async {
            Ok(String::new())
        });
        let registration = Registration::new(job.unwrap());
        registration.begin_at(begin);
        registration
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn a_late_wake_up_runs_the_fires_it_passed_once() {
        let every_second = registration("* * * * * *", at("2026-11-29T10:00:00.400Z"));

        let late = every_second.take_due(at("2026-11-29T10:00:03.200Z"));
        let again = every_second.take_due(at("2026-11-29T10:00:03.700Z"));
        let next = every_second.take_due(at("2026-11-29T10:00:04.100Z"));

        let expected =
            ["10:00:01", "10:00:02", "10:00:03"].map(|t| at(&format!("2026-11-29T{t}Z")));
        assert_eq!(late, expected);
        assert!(again.is_empty(), "each fire is handed out once");
        assert_eq!(next, [at("2026-11-29T10:00:04Z")]);
    }

    #[test]
    fn fires_passed_longer_ago_than_the_grace_count_as_missed() {
        let every_second = registration("* * * * * *", at("2026-11-29T10:00:00Z"));
        let minutely = registration("0 * * * * *", at("2026-11-29T10:00:00Z"));

        let after_a_pause = every_second.take_due(at("2026-11-29T10:05:00.300Z"));
        let minutely_after_a_pause = minutely.take_due(at("2026-11-29T10:05:00.300Z"));

        assert_eq!(after_a_pause.len(), 10, "{after_a_pause:?}");
        assert_eq!(after_a_pause.last(), Some(&at("2026-11-29T10:05:00Z")));
        assert_eq!(minutely_after_a_pause, [at("2026-11-29T10:05:00Z")]);
    }

    #[test]
    fn nothing_is_due_before_the_first_fire() {
        let daily = registration("0 0 2 * * *", at("2026-11-29T10:00:00Z"));

        assert!(daily.take_due(at("2026-11-29T10:00:00.600Z")).is_empty());
    }
}

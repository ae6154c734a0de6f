//! Jobs, their catch-up policy, and the fires they are run for.

use std::{fmt, future::Future, pin::Pin, sync::Arc, time::Duration};

use chrono::{DateTime, SubsecRound as _, Utc};

use crate::{Schedule, SchedulerError};

/// What a job body returns: a short outcome message, or an error message.
pub type JobFuture = Pin<Box<dyn Future<Output = Result<String, String>> + Send + 'static>>;

/// A job body: called once per fire this instance wins.
pub type JobFn = Arc<dyn Fn(Fire) -> JobFuture + Send + Sync>;

/// What to do about fires missed while no instance was running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatchUp {
    /// Run nothing for them; wait for the next scheduled fire.
    Skip,
    /// Run one fire, for the latest missed fire time.
    Once,
}

/// A named cron job.
#[derive(Clone)]
pub struct Job {
    /// Unique among the jobs of a scheduler; the first half of the `job_run` key.
    pub name: String,
    /// When it fires.
    pub schedule: Schedule,
    /// What to do about fires missed while down.
    pub catch_up: CatchUp,
    /// The body.
    pub run: JobFn,
}

impl Job {
    /// A job from a cron expression read in UTC and an async body.
    ///
    /// The body returns `Ok(message)` or `Err(message)`; both are recorded.
    ///
    /// # Errors
    /// [`SchedulerError::InvalidCron`] when `cron` is not a valid six-field expression.
    pub fn new<F, Fut>(
        name: impl Into<String>,
        cron: &str,
        catch_up: CatchUp,
        run: F,
    ) -> Result<Self, SchedulerError>
    where
        F: Fn(Fire) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<String, String>> + Send + 'static,
    {
        Ok(Self::with_schedule(
            name,
            Schedule::parse(cron)?,
            catch_up,
            run,
        ))
    }

    /// A job from an already parsed schedule.
    pub fn with_schedule<F, Fut>(
        name: impl Into<String>,
        schedule: Schedule,
        catch_up: CatchUp,
        run: F,
    ) -> Self
    where
        F: Fn(Fire) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<String, String>> + Send + 'static,
    {
        Self {
            name: name.into(),
            schedule,
            catch_up,
            run: Arc::new(move |fire| -> JobFuture { Box::pin(run(fire)) }),
        }
    }
}

impl fmt::Debug for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Job")
            .field("name", &self.name)
            .field("schedule", &self.schedule.as_str())
            .field("catch_up", &self.catch_up)
            .finish_non_exhaustive()
    }
}

/// One scheduled fire of a job, as handed to its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fire {
    /// The job's name.
    pub job_name: String,
    /// The scheduled time, whole seconds: the same on every instance.
    pub fire_time: DateTime<Utc>,
    /// The instance that claimed it.
    pub instance: String,
    /// Whether this is a catch-up run for a fire missed while down.
    pub catch_up: bool,
    /// The instance whose claim on this fire expired or was interrupted, when
    /// this run takes its place. The body may have done its work already
    /// before that instance stopped; a body that must not repeat checks.
    pub taken_over_from: Option<String>,
    /// How long the claim holds without renewal; the run renews it while the
    /// body runs, a third of the lease apart.
    pub lease: Duration,
}

/// How long a claim holds unless renewed, when nothing else is said.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);

impl Fire {
    /// A regular fire; `fire_time` is truncated to the second.
    #[must_use]
    pub fn new(job_name: &str, fire_time: DateTime<Utc>, instance: &str) -> Self {
        Self {
            job_name: job_name.to_owned(),
            fire_time: fire_time.trunc_subsecs(0),
            instance: instance.to_owned(),
            catch_up: false,
            taken_over_from: None,
            lease: DEFAULT_LEASE,
        }
    }

    /// The same fire, claimed for `lease` at a time.
    #[must_use]
    pub fn with_lease(self, lease: Duration) -> Self {
        Self { lease, ..self }
    }

    /// The same fire, marked as a catch-up run.
    #[must_use]
    pub fn as_catch_up(self) -> Self {
        Self {
            catch_up: true,
            ..self
        }
    }
}

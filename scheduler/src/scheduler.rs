//! The scheduler: jobs registered with tokio-cron-scheduler, each fire run once.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use chrono::Utc;
use sea_orm::DatabaseConnection;
use tokio::{
    sync::{Mutex, RwLock},
    task::JoinHandle,
};
use tokio_cron_scheduler::{Job as EngineJob, JobScheduler, job::JobId};

use crate::{
    CatchUp, Job, SchedulerError,
    fire::resolve_abandoned,
    job::DEFAULT_LEASE,
    runs,
    worker::{Registration, Shared},
};

/// How a scheduler holds its claims and how long it waits when it stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// How long a claim holds unless renewed; the claiming instance renews it
    /// a third of the lease apart while the body runs, and others look for
    /// expired claims half a lease apart.
    pub lease: Duration,
    /// How long [`Scheduler::shutdown`] waits for fires in progress before it
    /// records them as interrupted.
    pub shutdown_grace: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            lease: DEFAULT_LEASE,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// A registered job, as an operator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobInfo {
    /// The job's name.
    pub name: String,
    /// Its cron expression, seconds first.
    pub cron: String,
    /// What it does about fires missed while down.
    pub catch_up: CatchUp,
    /// Its next fire time after now, if it ever fires again.
    pub next_fire_at: Option<chrono::DateTime<Utc>>,
}

/// Runs registered jobs on their schedules, each fire once across all instances
/// sharing the database.
///
/// tokio-cron-scheduler wakes this instance at (or up to about half a second
/// after) each scheduled time. The fire is then named by the schedule's latest
/// fire time, not by the clock, claimed in `job_run`, and run here only if the
/// claim is won. A wake-up that comes late also takes up the fires it passed,
/// if they are at most ten seconds old; older ones count as missed.
///
/// Jobs added before [`Self::start`] are handed to tokio-cron-scheduler at start,
/// so that fires between `add` and `start` are treated as missed, by the policy.
pub struct Scheduler {
    shared: Arc<Shared>,
    engine: JobScheduler,
    registry: Arc<Mutex<Registry>>,
    settings: Settings,
    reaper: Mutex<Option<JoinHandle<()>>>,
}

#[derive(Default)]
struct Registry {
    phase: Phase,
    jobs: HashMap<String, Registered>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Phase {
    #[default]
    Idle,
    Running,
    Stopped,
}

struct Registered {
    registration: Arc<Registration>,
    engine_id: Option<JobId>,
}

impl Scheduler {
    /// A scheduler for `instance` (a name unique among the processes sharing
    /// `db`, recorded on every run it makes). Nothing fires before [`Self::start`].
    ///
    /// # Errors
    /// When tokio-cron-scheduler cannot be initialised.
    pub async fn new(
        db: DatabaseConnection,
        instance: impl Into<String>,
    ) -> Result<Self, SchedulerError> {
        Self::with_settings(db, instance, Settings::default()).await
    }

    /// A scheduler with its own lease and shutdown grace.
    ///
    /// # Errors
    /// When tokio-cron-scheduler cannot be initialised.
    pub async fn with_settings(
        db: DatabaseConnection,
        instance: impl Into<String>,
        settings: Settings,
    ) -> Result<Self, SchedulerError> {
        Ok(Self {
            shared: Arc::new(Shared {
                db,
                instance: instance.into(),
                lease: settings.lease,
                stopping: AtomicBool::new(false),
                in_flight: Arc::new(RwLock::new(())),
            }),
            engine: JobScheduler::new().await?,
            registry: Arc::new(Mutex::new(Registry::default())),
            settings,
            reaper: Mutex::new(None),
        })
    }

    /// The registered jobs with their next fire times, sorted by name.
    pub async fn registered(&self) -> Vec<JobInfo> {
        let now = Utc::now();
        let registry = self.registry.lock().await;
        let mut jobs: Vec<JobInfo> = registry
            .jobs
            .values()
            .map(|registered| {
                let job = &registered.registration.job;
                JobInfo {
                    name: job.name.clone(),
                    cron: job.schedule.as_str().to_owned(),
                    catch_up: job.catch_up,
                    next_fire_at: job.schedule.next_after(now),
                }
            })
            .collect();
        jobs.sort_by(|a, b| a.name.cmp(&b.name));
        jobs
    }

    /// This instance's name.
    #[must_use]
    pub fn instance(&self) -> &str {
        &self.shared.instance
    }

    /// The names of the registered jobs, sorted.
    pub async fn job_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.registry.lock().await.jobs.keys().cloned().collect();
        names.sort();
        names
    }

    /// Registers a job. Once the scheduler runs (now, or at [`Self::start`]), the
    /// job's catch-up policy is applied to the fires it missed while down.
    ///
    /// # Errors
    /// [`SchedulerError::DuplicateJob`] when the name is taken (see
    /// [`Self::replace`]), [`SchedulerError::ShutDown`] after shutdown, or when
    /// tokio-cron-scheduler refuses the job.
    pub async fn add(&self, job: Job) -> Result<(), SchedulerError> {
        let mut registry = self.registry.lock().await;
        if registry.phase == Phase::Stopped {
            return Err(SchedulerError::ShutDown);
        }
        if registry.jobs.contains_key(&job.name) {
            return Err(SchedulerError::DuplicateJob(job.name));
        }
        let name = job.name.clone();
        let mut registered = Registered::new(job);
        if registry.phase == Phase::Running {
            registered.engine_id = Some(self.register(&registered.registration).await?);
            self.shared.spawn_catch_up(&registered.registration).await;
        }
        registry.jobs.insert(name, registered);
        Ok(())
    }

    /// Unregisters a job; true if it was registered. A fire already running
    /// finishes.
    ///
    /// # Errors
    /// When tokio-cron-scheduler cannot remove it.
    pub async fn remove(&self, name: &str) -> Result<bool, SchedulerError> {
        let mut registry = self.registry.lock().await;
        let Some(old) = registry.jobs.remove(name) else {
            return Ok(false);
        };
        self.unregister(&old).await?;
        Ok(true)
    }

    /// Registers `job` in place of the job of the same name, or adds it: for an
    /// edited schedule or a resumed job.
    ///
    /// Unlike [`Self::add`] this catches nothing up: fires that fell while the
    /// job was paused or on its old schedule were not missed. So that a later
    /// restart does not take them for downtime either, the latest of them is
    /// recorded as `skipped`.
    ///
    /// # Errors
    /// [`SchedulerError::ShutDown`] after shutdown, or when tokio-cron-scheduler
    /// refuses the change.
    pub async fn replace(&self, job: Job) -> Result<(), SchedulerError> {
        let mut registry = self.registry.lock().await;
        if registry.phase == Phase::Stopped {
            return Err(SchedulerError::ShutDown);
        }
        if let Some(old) = registry.jobs.remove(&job.name) {
            self.unregister(&old).await?;
        }
        let name = job.name.clone();
        let mut registered = Registered::new(job);
        if registry.phase == Phase::Running {
            // Before registering: what the engine fires from now on is not passed over.
            self.shared
                .mark_passed_over(&registered.registration.job)
                .await;
            registered.engine_id = Some(self.register(&registered.registration).await?);
        }
        registry.jobs.insert(name, registered);
        Ok(())
    }

    /// Starts firing, and applies each job's catch-up policy in the background.
    ///
    /// # Errors
    /// [`SchedulerError::AlreadyStarted`], [`SchedulerError::ShutDown`], or when
    /// tokio-cron-scheduler cannot start.
    pub async fn start(&self) -> Result<(), SchedulerError> {
        let mut registry = self.registry.lock().await;
        match registry.phase {
            Phase::Running => return Err(SchedulerError::AlreadyStarted),
            Phase::Stopped => return Err(SchedulerError::ShutDown),
            Phase::Idle => {}
        }
        for registered in registry.jobs.values_mut() {
            if registered.engine_id.is_none() {
                registered.engine_id = Some(self.register(&registered.registration).await?);
            }
        }
        self.engine.start().await?;
        registry.phase = Phase::Running;
        // After the engine has the jobs, so that no fire falls between the two.
        for registered in registry.jobs.values() {
            self.shared.spawn_catch_up(&registered.registration).await;
        }
        *self.reaper.lock().await = Some(self.spawn_reaper());
        tracing::info!(instance = %self.shared.instance, jobs = registry.jobs.len(), "scheduler started");
        Ok(())
    }

    /// Stops firing and waits for the fires in progress, catch-up fires included,
    /// to be recorded.
    ///
    /// # Errors
    /// When tokio-cron-scheduler cannot be stopped.
    pub async fn shutdown(&self) -> Result<(), SchedulerError> {
        {
            let mut registry = self.registry.lock().await;
            registry.phase = Phase::Stopped;
            self.shared.stopping.store(true, Ordering::SeqCst);
            self.engine.clone().shutdown().await?;
        }
        // The reaper stops at its next wake-up; a takeover it runs now is a
        // fire in progress like any other.
        drop(self.reaper.lock().await.take());
        let grace = self.settings.shutdown_grace;
        let drained = tokio::time::timeout(grace, self.shared.in_flight.write()).await;
        if drained.is_err() {
            // The bodies go on until the process ends; whatever they did not
            // commit is lost, and another instance decides whether to run them again.
            let interrupted = runs::interrupt(&self.shared.db, &self.shared.instance).await?;
            tracing::warn!(instance = %self.shared.instance, fires = interrupted, grace_secs = grace.as_secs(), "fires still running at shutdown recorded as interrupted");
        }
        tracing::info!(instance = %self.shared.instance, "scheduler stopped");
        Ok(())
    }

    /// Looks for claims other instances abandoned, at once and then half a
    /// lease apart, and resolves them (see [`resolve_abandoned`]).
    fn spawn_reaper(&self) -> JoinHandle<()> {
        let shared = Arc::clone(&self.shared);
        let registry = Arc::clone(&self.registry);
        let every = (self.settings.lease / 2).max(Duration::from_millis(200));
        tokio::spawn(async move {
            while !shared.stopping.load(Ordering::SeqCst) {
                let jobs: HashMap<String, Arc<Job>> = registry
                    .lock()
                    .await
                    .jobs
                    .iter()
                    .map(|(name, r)| (name.clone(), Arc::clone(&r.registration.job)))
                    .collect();
                let find = |name: &str| jobs.get(name).cloned();
                let in_flight = Arc::clone(&shared.in_flight).read_owned().await;
                if !shared.stopping.load(Ordering::SeqCst)
                    && let Err(e) = resolve_abandoned(
                        &shared.db,
                        &find,
                        &shared.instance,
                        shared.lease,
                        Utc::now(),
                    )
                    .await
                {
                    tracing::warn!(error = %e, "could not resolve abandoned claims");
                }
                drop(in_flight);
                tokio::time::sleep(every).await;
            }
        })
    }

    /// Hands a job to tokio-cron-scheduler.
    async fn register(&self, registration: &Arc<Registration>) -> Result<JobId, SchedulerError> {
        registration.begin_at(Utc::now());
        let shared = Arc::clone(&self.shared);
        let woken = Arc::clone(registration);
        let schedule = &registration.job.schedule;
        let engine_job =
            EngineJob::new_async_tz(schedule.as_str(), schedule.offset(), move |_id, _engine| {
                Box::pin(Arc::clone(&shared).tick(Arc::clone(&woken)))
            })?;
        Ok(self.engine.add(engine_job).await?)
    }

    /// Takes a job away from tokio-cron-scheduler.
    async fn unregister(&self, registered: &Registered) -> Result<(), SchedulerError> {
        registered
            .registration
            .active
            .store(false, Ordering::SeqCst);
        if let Some(id) = registered.engine_id {
            self.engine.remove(&id).await?;
        }
        Ok(())
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        // Without this the engine's ticker would outlive us and keep firing.
        self.shared.stopping.store(true, Ordering::SeqCst);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let mut engine = self.engine.clone();
            runtime.spawn(async move {
                let _ = engine.shutdown().await;
            });
        }
    }
}

impl Registered {
    fn new(job: Job) -> Self {
        Self {
            registration: Arc::new(Registration::new(job)),
            engine_id: None,
        }
    }
}

//! The scheduled jobs `serve` runs: draws of active plans with a cron, overdue
//! tasks, the nightly score recomputation (with overdue publications) and the
//! daily audit-chain checkpoint.
//!
//! Every instance that runs jobs registers the same ones; the scheduler's
//! `job_run` claim makes each fire run once across instances, and its lease
//! hands the fire of an instance that died to another. Each instance re-reads
//! the plans every `jobs.plan_sync_secs` (and at once after a plan changes
//! through it), so plan edits and pauses made through any instance reach all.

use std::{
    collections::HashMap,
    sync::{Arc, OnceLock},
    time::Duration,
};

use chrono::Utc;
use entities::DrawTrigger;
use scheduler::{CatchUp, Fire, Job, Schedule, Scheduler, Settings};
use tokio::{
    sync::{Mutex, Notify},
    task::JoinHandle,
};

use crate::{
    domain::workdays::CHINA,
    service::{
        Actor, audit, draws,
        job_runs::{self, AUDIT_CHECKPOINT, NIGHTLY_SCORES, PLAN_DRAW_PREFIX, TASKS_OVERDUE},
        scoring, task_flow,
    },
    state::AppState,
};

/// Whether this instance runs the scheduled jobs, and the scheduler if it does.
pub struct JobsStatus {
    instance: String,
    scheduler: OnceLock<Arc<Scheduler>>,
    plans_changed: Notify,
}

impl std::fmt::Debug for JobsStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobsStatus")
            .field("instance", &self.instance)
            .field("running", &self.running())
            .finish_non_exhaustive()
    }
}

impl Default for JobsStatus {
    fn default() -> Self {
        Self {
            instance: instance_name(),
            scheduler: OnceLock::new(),
            plans_changed: Notify::new(),
        }
    }
}

impl JobsStatus {
    /// This process's name among the instances sharing the database, as
    /// recorded on the job runs it makes.
    #[must_use]
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Whether this instance runs the scheduled jobs.
    #[must_use]
    pub fn running(&self) -> bool {
        self.scheduler.get().is_some()
    }

    /// The scheduler, when this instance runs jobs.
    #[must_use]
    pub fn scheduler(&self) -> Option<&Arc<Scheduler>> {
        self.scheduler.get()
    }

    /// Follows plan changes made through this instance now rather than at the
    /// next sync.
    pub fn plans_changed(&self) {
        self.plans_changed.notify_one();
    }
}

/// The running scheduler and the plan-following task.
pub struct Jobs {
    scheduler: Arc<Scheduler>,
    sync: JoinHandle<()>,
}

impl Jobs {
    /// Stops following plans and waits for running fires to finish, up to
    /// `jobs.shutdown_grace_secs`; those still running are recorded as interrupted.
    ///
    /// # Errors
    /// When the scheduler fails to stop cleanly.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        self.sync.abort();
        self.scheduler.shutdown().await?;
        Ok(())
    }
}

fn china(cron: &str) -> anyhow::Result<Schedule> {
    Ok(Schedule::parse_at_offset(cron, CHINA)?)
}

/// Host, process id and a random tag: unique even where a restarted container
/// keeps its host name and process id.
fn instance_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "spotcheck".to_owned());
    let tag = getrandom::u32().unwrap_or_default() & 0xffff;
    format!("{host}:{}:{tag:04x}", std::process::id())
}

/// Registers every job and starts the scheduler.
///
/// # Errors
/// When a job cannot be registered or the scheduler cannot start.
pub async fn start(state: AppState) -> anyhow::Result<Jobs> {
    let policy = &state.policy.jobs;
    let settings = Settings {
        lease: Duration::from_secs(policy.lease_secs),
        shutdown_grace: Duration::from_secs(policy.shutdown_grace_secs),
    };
    let scheduler = Arc::new(
        Scheduler::with_settings(state.db.clone(), state.jobs.instance(), settings).await?,
    );
    for spec in job_runs::fixed_jobs(policy) {
        scheduler
            .add(Job::with_schedule(
                spec.name,
                china(&spec.cron)?,
                spec.catch_up,
                fixed_body(state.clone(), spec.name),
            ))
            .await?;
    }
    let plans = Mutex::new(HashMap::new());
    if let Err(e) = sync_plans(&scheduler, &state, &plans).await {
        tracing::error!(error = %e, "could not register plan draws");
    }
    scheduler.start().await?;
    if state.jobs.scheduler.set(Arc::clone(&scheduler)).is_err() {
        anyhow::bail!("the scheduled jobs are already running in this process");
    }
    let sync = {
        let scheduler = Arc::clone(&scheduler);
        let every = Duration::from_secs(state.policy.jobs.plan_sync_secs);
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = tokio::time::sleep(every) => {}
                    () = state.jobs.plans_changed.notified() => {}
                }
                if let Err(e) = sync_plans(&scheduler, &state, &plans).await {
                    tracing::warn!(error = %e, "could not follow plan changes");
                }
            }
        })
    };
    tracing::info!(instance = %scheduler.instance(), "scheduled jobs running");
    Ok(Jobs { scheduler, sync })
}

/// The body of one of the jobs every instance registers.
fn fixed_body(
    state: AppState,
    name: &'static str,
) -> impl Fn(Fire) -> scheduler::JobFuture + Send + Sync + 'static {
    move |fire: Fire| {
        let s = state.clone();
        Box::pin(async move {
            match name {
                TASKS_OVERDUE => task_flow::mark_overdue(&s.db, fire.fire_time)
                    .await
                    .map(|n| format!("{n} tasks newly overdue"))
                    .map_err(|e| e.to_string()),
                NIGHTLY_SCORES => {
                    let done = scoring::nightly(&s.db, &s.policy, fire.fire_time)
                        .await
                        .map_err(|e| e.to_string())?;
                    let periods: Vec<String> = done.iter().map(|d| d.period.to_string()).collect();
                    Ok(format!(
                        "recomputed {}; overdue publications checked",
                        periods.join(", ")
                    ))
                }
                AUDIT_CHECKPOINT => audit::checkpoint(&s.db).await,
                other => Err(format!("no body for job {other}")),
            }
        })
    }
}

/// Makes the registered draw jobs match the active plans with a cron.
async fn sync_plans(
    scheduler: &Scheduler,
    state: &AppState,
    registered: &Mutex<HashMap<i64, String>>,
) -> anyhow::Result<()> {
    let wanted: HashMap<i64, String> = job_runs::scheduled_plans(&state.db)
        .await?
        .into_iter()
        .collect();
    let mut registered = registered.lock().await;
    let gone: Vec<i64> = registered
        .keys()
        .filter(|id| !wanted.contains_key(id))
        .copied()
        .collect();
    for id in gone {
        scheduler.remove(&format!("{PLAN_DRAW_PREFIX}{id}")).await?;
        registered.remove(&id);
        tracing::info!(plan.id = id, "plan draws unscheduled");
    }
    for (id, cron) in wanted {
        if registered.get(&id) == Some(&cron) {
            continue;
        }
        let schedule = match china(&cron) {
            Ok(schedule) => schedule,
            Err(e) => {
                tracing::warn!(plan.id = id, error = %e, "plan cron not scheduled");
                continue;
            }
        };
        let job = draw_job(state.clone(), id, cron.clone(), schedule);
        if registered.contains_key(&id) {
            scheduler.replace(job).await?;
        } else {
            scheduler.add(job).await?;
        }
        tracing::info!(plan.id = id, plan.cron = %cron, "plan draws scheduled");
        registered.insert(id, cron);
    }
    Ok(())
}

fn draw_job(state: AppState, plan_id: i64, cron: String, schedule: Schedule) -> Job {
    Job::with_schedule(
        format!("{PLAN_DRAW_PREFIX}{plan_id}"),
        schedule,
        CatchUp::Once,
        move |fire: Fire| {
            let state = state.clone();
            let cron = cron.clone();
            async move { run_plan_draw(&state, plan_id, &cron, &fire).await }
        },
    )
}

/// The body of a plan's draw job: draws only if the plan is still active with
/// the same cron (another instance may not have caught up with an edit yet),
/// and only once per fire when the fire was taken over from an instance that
/// stopped after it had drawn.
///
/// # Errors
/// The draw's error, as text for the job log.
pub async fn run_plan_draw(
    state: &AppState,
    plan_id: i64,
    cron: &str,
    fire: &Fire,
) -> Result<String, String> {
    let scheduled = job_runs::plan_still_scheduled(&state.db, plan_id, cron)
        .await
        .map_err(|e| e.to_string())?;
    if !scheduled {
        return Ok(format!(
            "skipped: plan {plan_id} is no longer active with cron '{cron}'"
        ));
    }
    // Only this fire can have made a scheduled draw since its time: a fire is
    // taken over only while it is its job's latest.
    if let Some(previous) = &fire.taken_over_from
        && let Some(done) = job_runs::cron_draw_since(&state.db, plan_id, fire.fire_time)
            .await
            .map_err(|e| e.to_string())?
    {
        return Ok(format!(
            "draw {done} was already made for this fire before instance {previous} stopped"
        ));
    }
    let view = draws::run(
        &state.db,
        &Actor::system(),
        plan_id,
        draws::DrawRequest::default(),
        DrawTrigger::Cron,
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(format!(
        "draw {} at {}: {} tasks, {} unassigned",
        view.draw.id,
        Utc::now().to_rfc3339(),
        view.tasks.len(),
        view.unassigned.len()
    ))
}

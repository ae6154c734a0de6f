//! The scheduled jobs `serve` runs: draws of active plans with a cron, overdue
//! tasks, the nightly score recomputation (with overdue publications) and the
//! daily audit-chain checkpoint.
//!
//! Every instance registers the same jobs; the scheduler's `job_run` claim makes
//! each fire run once across instances. Each instance re-reads the plans every
//! half minute, so plan edits and pauses made through any instance take effect
//! on all of them.

use std::{collections::HashMap, sync::Arc, time::Duration};

use chrono::Utc;
use entities::{DrawTrigger, PlanStatus, check_plan};
use scheduler::{CatchUp, Fire, Job, Schedule, Scheduler};
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use tokio::{sync::Mutex, task::JoinHandle};

use crate::{
    domain::workdays::CHINA,
    service::{Actor, audit, draws, scores, task_flow},
    state::AppState,
};

/// The name of the audit checkpoint job; `audit verify` reads its runs.
pub const AUDIT_CHECKPOINT: &str = "audit.checkpoint";
const PLAN_PREFIX: &str = "plan.draw.";
const PLAN_SYNC_EVERY: Duration = Duration::from_secs(30);

/// The running scheduler and the plan-following task.
pub struct Jobs {
    scheduler: Arc<Scheduler>,
    sync: JoinHandle<()>,
}

impl Jobs {
    /// Stops following plans and waits for running fires to finish.
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

/// The name of this process among the instances sharing the database.
fn instance_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "spotcheck".to_owned());
    format!("{host}:{}", std::process::id())
}

/// Registers every job and starts the scheduler.
///
/// # Errors
/// When a job cannot be registered or the scheduler cannot start.
pub async fn start(state: AppState) -> anyhow::Result<Jobs> {
    let scheduler = Arc::new(Scheduler::new(state.db.clone(), instance_name()).await?);
    let s = state.clone();
    scheduler
        .add(Job::with_schedule(
            "tasks.overdue",
            china("0 */5 * * * *")?,
            CatchUp::Skip,
            move |fire: Fire| {
                let s = s.clone();
                async move {
                    task_flow::mark_overdue(&s.db, fire.fire_time)
                        .await
                        .map(|n| format!("{n} tasks newly overdue"))
                        .map_err(|e| e.to_string())
                }
            },
        ))
        .await?;
    let s = state.clone();
    scheduler
        .add(Job::with_schedule(
            "scores.nightly",
            china("0 0 2 * * *")?,
            CatchUp::Once,
            move |fire: Fire| {
                let s = s.clone();
                async move {
                    let done = scores::nightly(&s.db, &s.policy, fire.fire_time)
                        .await
                        .map_err(|e| e.to_string())?;
                    let periods: Vec<String> = done.iter().map(|d| d.period.to_string()).collect();
                    Ok(format!(
                        "recomputed {}; overdue publications checked",
                        periods.join(", ")
                    ))
                }
            },
        ))
        .await?;
    let s = state.clone();
    scheduler
        .add(Job::with_schedule(
            AUDIT_CHECKPOINT,
            china("0 30 0 * * *")?,
            CatchUp::Once,
            move |_fire: Fire| {
                let s = s.clone();
                async move { audit::checkpoint(&s.db).await.map_err(|e| e.to_string()) }
            },
        ))
        .await?;
    let plans = Arc::new(Mutex::new(HashMap::new()));
    if let Err(e) = sync_plans(&scheduler, &state, &plans).await {
        tracing::error!(error = %e, "could not register plan draws");
    }
    scheduler.start().await?;
    let sync = {
        let scheduler = scheduler.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(PLAN_SYNC_EVERY);
            every.tick().await;
            loop {
                every.tick().await;
                if let Err(e) = sync_plans(&scheduler, &state, &plans).await {
                    tracing::warn!(error = %e, "could not follow plan changes");
                }
            }
        })
    };
    Ok(Jobs { scheduler, sync })
}

/// Makes the registered draw jobs match the active plans with a cron.
async fn sync_plans(
    scheduler: &Scheduler,
    state: &AppState,
    registered: &Mutex<HashMap<i64, String>>,
) -> anyhow::Result<()> {
    let wanted: HashMap<i64, String> = check_plan::Entity::find()
        .filter(check_plan::Column::Status.eq(PlanStatus::Active))
        .filter(check_plan::Column::Cron.is_not_null())
        .all(&state.db)
        .await?
        .into_iter()
        .filter_map(|p| Some((p.id, p.cron?)))
        .collect();
    let mut registered = registered.lock().await;
    let gone: Vec<i64> = registered
        .keys()
        .filter(|id| !wanted.contains_key(id))
        .copied()
        .collect();
    for id in gone {
        scheduler.remove(&format!("{PLAN_PREFIX}{id}")).await?;
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
        format!("{PLAN_PREFIX}{plan_id}"),
        schedule,
        CatchUp::Once,
        move |_fire: Fire| {
            let state = state.clone();
            let cron = cron.clone();
            async move { run_plan_draw(&state, plan_id, &cron).await }
        },
    )
}

/// The body of a plan's draw job: draws only if the plan is still active with
/// the same cron (another instance may not have caught up with an edit yet).
///
/// # Errors
/// The draw's error, as text for the job log.
pub async fn run_plan_draw(state: &AppState, plan_id: i64, cron: &str) -> Result<String, String> {
    let plan = check_plan::Entity::find_by_id(plan_id)
        .one(&state.db)
        .await
        .map_err(|e| e.to_string())?;
    match plan {
        Some(p) if p.status == PlanStatus::Active && p.cron.as_deref() == Some(cron) => {}
        _ => {
            return Ok(format!(
                "skipped: plan {plan_id} is no longer active with cron '{cron}'"
            ));
        }
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

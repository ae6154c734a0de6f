//! Running, storing and verifying double-random draws (双随机).
//!
//! A draw reads its population ([`population`]), lets the pure algorithm in
//! [`crate::domain::draw`] sample and staff it, and writes the draw, its tasks
//! and its audit entry in one transaction ([`store`] owns every query).

mod model;
mod population;
mod store;

use std::{sync::Arc, time::Instant};

use chrono::{DateTime, Duration, Utc};
use entities::{DrawTrigger, PlanStatus, Role, TaskStatus, check_plan, draw};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction};
use tokio::task::JoinHandle;

pub use crate::domain::draw::verify::Verification;
pub use model::{DrawRequest, DrawTimings, DrawView, DrawnTaskView};

use self::model::{NewDraw, NewTask, PopulationSnapshot, StatusCount, TaskCommon};
use super::{
    Actor,
    audit::{self, Entry},
    plans::{self, PlanSpec, spec_of},
};
use crate::{
    db,
    domain::draw::{
        self as algorithm, Outcome, Params, Population,
        request::{SeedChoice, SeedRequest},
        snapshot,
        verify::{StoredDraw, StoredTask},
    },
    error::{AppError, AppResult},
    msg,
};

const RUNNERS: &[Role] = &[Role::Admin, Role::Supervisor];
const READERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Leader];

/// The draw's parameters from a plan's settings.
#[must_use]
pub fn params_of(spec: &PlanSpec) -> Params {
    Params {
        ratios: spec.ratios.clone(),
        min_per_stratum: u32::try_from(spec.min_per_stratum).unwrap_or(0),
        key_all: spec.key_all,
        uniform_share: spec.uniform_share,
        weights: algorithm::CreditWeights::default(),
        inspectors_per_task: u32::try_from(spec.inspectors_per_task).unwrap_or(1),
        require_qualification: spec.require_qualification,
        department_ids: spec.department_ids.clone(),
    }
}

/// The parameters stored with a draw: the algorithm's, with the whole plan as
/// it was (filters, due days) under `plan`, which the algorithm ignores.
fn stored_params(params: &Params, spec: &PlanSpec) -> serde_json::Value {
    let mut value = serde_json::to_value(params).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.insert(
            "plan".to_owned(),
            serde_json::to_value(spec).unwrap_or_default(),
        );
    }
    value
}

fn elapsed_ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// Whether a plan in this state may be drawn by this trigger: a schedule draws
/// active plans only, a person also drafts. Either way the plan needs an
/// indicator set, or its tasks could record no finding.
fn ensure_drawable(plan_id: i64, spec: &PlanSpec, trigger: DrawTrigger) -> AppResult<()> {
    let allowed = match trigger {
        DrawTrigger::Cron => spec.status == PlanStatus::Active,
        DrawTrigger::Manual => matches!(spec.status, PlanStatus::Active | PlanStatus::Draft),
    };
    if !allowed {
        return Err(AppError::Conflict(
            format!("plan {plan_id} is {} and cannot be drawn", spec.status).into(),
        ));
    }
    if spec.indicator_set_id.is_none() {
        return Err(AppError::Conflict(msg!(
            "计划 {plan_id} 未指定指标集，不能抽取；请先为计划设置指标集（indicator_set_id）",
            "plan {plan_id} has no indicator set and cannot be drawn; set its indicator_set_id first"
        )));
    }
    Ok(())
}

/// The seed, and the public text it came from if any.
fn seed_of(choice: SeedChoice) -> AppResult<(u64, Option<String>)> {
    Ok(match choice {
        SeedChoice::Random => (
            getrandom::u64().map_err(|e| {
                AppError::Internal(anyhow::anyhow!("Failed to read system randomness: {e}"))
            })?,
            None,
        ),
        SeedChoice::Given(seed) => (seed, None),
        SeedChoice::PublicText(text) => (algorithm::seed_from_text(&text), Some(text)),
    })
}

/// The plan's current draw that a new draw supersedes, if any, after checking
/// that a new draw may be made at all.
async fn draw_to_supersede<C: ConnectionTrait>(
    db: &C,
    plan_id: i64,
    reason: Option<&str>,
    trigger: DrawTrigger,
) -> AppResult<Option<draw::Model>> {
    if trigger == DrawTrigger::Cron {
        return Ok(None);
    }
    let Some(current) = store::current_draw(db, plan_id).await? else {
        return Ok(None);
    };
    let statuses = store::task_statuses(db, current.id).await?;
    redraw(plan_id, current, &statuses, reason)
}

/// The redraw rule: a finished round (every task reviewed or published) stays,
/// and a new draw stands beside it; a round with open tasks is superseded only
/// with a reason, and only while none of its tasks has started.
fn redraw(
    plan_id: i64,
    current: draw::Model,
    statuses: &[StatusCount],
    reason: Option<&str>,
) -> AppResult<Option<draw::Model>> {
    let open = statuses
        .iter()
        .any(|s| !matches!(s.status, TaskStatus::Reviewed | TaskStatus::Published));
    // A finished round is not superseded: its checks happened and still count
    // for cooldown and "different people every time".
    if !open {
        return Ok(None);
    }
    if reason.is_none() {
        return Err(AppError::Conflict(format!(
            "plan {plan_id} already has draw {} with open tasks; to draw again give a reason, and draw {} will be superseded",
            current.id, current.id
        ).into()));
    }
    // Any task past `assigned` (reviewed ones too) means checks were made.
    let started = statuses
        .iter()
        .filter(|s| s.status != TaskStatus::Assigned)
        .map(|s| (s.first_task, s.status))
        .min();
    if let Some((task, status)) = started {
        return Err(AppError::Conflict(
            format!(
                "draw {} cannot be superseded: task {task} is already {status}",
                current.id
            )
            .into(),
        ));
    }
    Ok(Some(current))
}

/// Everything a draw decides before it writes.
struct Drawn<'a> {
    plan: &'a check_plan::Model,
    spec: &'a PlanSpec,
    request: &'a SeedRequest,
    seed: u64,
    seed_text: Option<String>,
    params: Params,
    trigger: DrawTrigger,
    superseded: Option<draw::Model>,
    population: Arc<Population>,
    outcome: Outcome,
    now: DateTime<Utc>,
}

/// Runs a draw for a plan and stores it with its tasks and audit entry, all or nothing.
///
/// # Errors
/// 403/404 for callers without the plan; 409 for a paused or archived plan,
/// or a second draw without a reason; 422 for a bad seed request.
#[tracing::instrument(skip_all, fields(plan.id = plan_id, trigger = %trigger))]
pub async fn run(
    db: &DatabaseConnection,
    actor: &Actor,
    plan_id: i64,
    request: DrawRequest,
    trigger: DrawTrigger,
) -> AppResult<DrawView> {
    actor.require(RUNNERS, "run draws")?;
    let plan = plans::get(db, actor, plan_id).await?;
    let spec = spec_of(&plan);
    ensure_drawable(plan_id, &spec, trigger)?;
    let request = SeedRequest::parse(request.seed, request.seed_text.as_deref(), request.reason)
        .map_err(|e| AppError::invalid(e.field(), e.to_string()))?;
    let (seed, seed_text) = seed_of(request.seed.clone())?;
    let txn = db::begin_write(db).await?;
    store::tune(&txn).await?;
    let superseded = draw_to_supersede(&txn, plan_id, request.reason_given(), trigger).await?;
    let now = Utc::now();
    let mut timings = DrawTimings::default();
    let started = Instant::now();
    let superseding = superseded.as_ref().map(|d| d.id);
    let population = population::read(&txn, db, &plan, &spec, superseding, now).await?;
    timings.load_ms = elapsed_ms(started);
    let params = params_of(&spec);
    let (outcome, steps) = algorithm::run_timed(&population, &params, seed)
        .map_err(|e| AppError::invalid("plan", e.to_string()))?;
    timings.sample_ms = steps.sample.as_secs_f64() * 1000.0;
    timings.assign_ms = steps.assign.as_secs_f64() * 1000.0;
    let drawn = Drawn {
        plan: &plan,
        spec: &spec,
        request: &request,
        seed,
        seed_text,
        params,
        trigger,
        superseded,
        population: Arc::new(population),
        outcome,
        now,
    };
    let view = write(txn, actor, drawn, timings).await?;
    tracing::info!(
        draw.id = view.draw.id,
        population = view.draw.population_size,
        tasks = view.tasks.len(),
        load_ms = view.timings.load_ms,
        sample_ms = view.timings.sample_ms,
        assign_ms = view.timings.assign_ms,
        snapshot_ms = view.timings.snapshot_ms,
        write_ms = view.timings.write_ms,
        "draw written"
    );
    Ok(view)
}

/// Writes the draw, its tasks, the superseding and the audit entry, and commits.
///
/// The snapshot is encoded, hashed and compressed on the blocking pool. Where
/// the database writes beside this process (PostgreSQL), the tasks are written
/// meanwhile and the draw row gets the snapshot before the commit; otherwise
/// it is waited for and stored with the draw row.
async fn write(
    txn: DatabaseTransaction,
    actor: &Actor,
    drawn: Drawn<'_>,
    mut timings: DrawTimings,
) -> AppResult<DrawView> {
    let making = make_snapshot(Arc::clone(&drawn.population));
    let (pending, ready) = if store::writes_beside_us(&txn) {
        (Some(making), PopulationSnapshot::default())
    } else {
        let ready = finished(making).await?;
        timings.snapshot_ms = ready.made_in_ms;
        (None, ready)
    };
    let started = Instant::now();
    let new = NewDraw {
        plan_id: drawn.plan.id,
        seed: drawn.seed,
        seed_text: drawn.seed_text.clone(),
        params: stored_params(&drawn.params, drawn.spec),
        population_size: i32::try_from(drawn.population.targets.len()).unwrap_or(i32::MAX),
        unassigned: serde_json::to_value(&drawn.outcome.unassigned).unwrap_or_default(),
        trigger: drawn.trigger,
        actor_user_id: actor.user_id,
        created_at: drawn.now,
    };
    let mut stored = store::insert_draw(&txn, new, ready).await?;
    let tasks = write_tasks(&txn, &stored, &drawn).await?;
    if let Some(pending) = pending {
        let snapshot = finished(pending).await?;
        timings.snapshot_ms = snapshot.made_in_ms;
        store::fill_snapshot(&txn, stored.id, &snapshot).await?;
        stored.population_sha256 = snapshot.sha256;
        stored.population_snapshot = snapshot.compressed;
    }
    let mut tasks_superseded = 0;
    if let Some(old) = &drawn.superseded {
        tasks_superseded = store::supersede(
            &txn,
            old.id,
            stored.id,
            drawn.request.reason.clone(),
            drawn.now,
        )
        .await?;
    }
    let entry = audit_entry(&stored, &drawn, tasks.len(), tasks_superseded);
    audit::append(&txn, actor, entry).await?;
    txn.commit().await?;
    timings.write_ms = elapsed_ms(started);
    Ok(DrawView {
        draw: stored,
        tasks,
        unassigned: drawn.outcome.unassigned,
        timings,
    })
}

fn audit_entry(
    stored: &draw::Model,
    drawn: &Drawn<'_>,
    tasks: usize,
    tasks_superseded: u64,
) -> Entry {
    Entry::ok("draw.run", "draw", stored.id).with_detail(serde_json::json!({
        "plan_id": drawn.plan.id,
        "seed": drawn.seed.to_string(),
        "seed_text": stored.seed_text,
        "trigger": drawn.trigger,
        "algorithm": stored.algorithm,
        "population_size": stored.population_size,
        "population_sha256": stored.population_sha256,
        "tasks": tasks,
        "unassigned": drawn.outcome.unassigned.len(),
        "supersedes": drawn.superseded.as_ref().map(|d| d.id),
        "tasks_superseded": tasks_superseded,
        "reason": drawn.request.reason,
    }))
}

/// Starts making the population snapshot on the blocking pool.
fn make_snapshot(population: Arc<Population>) -> JoinHandle<AppResult<PopulationSnapshot>> {
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let failed = |e: snapshot::SnapshotError| AppError::Internal(anyhow::anyhow!(e));
        let bytes = snapshot::encode(&population).map_err(failed)?;
        let sha256 = snapshot::sha256_hex(&bytes);
        let compressed = snapshot::compress(&bytes).map_err(failed)?;
        Ok(PopulationSnapshot {
            sha256,
            compressed,
            made_in_ms: elapsed_ms(started),
        })
    })
}

async fn finished(
    making: JoinHandle<AppResult<PopulationSnapshot>>,
) -> AppResult<PopulationSnapshot> {
    making
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the population snapshot failed: {e}")))?
}

/// Writes the drawn tasks in draw order with their teams.
async fn write_tasks<C: ConnectionTrait>(
    db: &C,
    stored: &draw::Model,
    drawn: &Drawn<'_>,
) -> AppResult<Vec<DrawnTaskView>> {
    let rows: Vec<NewTask<'_>> = drawn
        .outcome
        .tasks
        .iter()
        .map(|t| NewTask {
            target_id: t.target_id,
            region_code: drawn
                .population
                .target(t.target_id)
                .map_or("", |target| target.region_code.as_str()),
            inspector_ids: &t.inspector_ids,
        })
        .collect();
    let common = TaskCommon {
        draw_id: stored.id,
        target_kind: drawn.spec.target_kind,
        due_at: drawn.now + Duration::days(i64::from(drawn.plan.due_days)),
        now: drawn.now,
    };
    let ids = store::write_tasks(db, common, &rows).await?;
    Ok(drawn
        .outcome
        .tasks
        .iter()
        .zip(ids)
        .map(|(t, task_id)| DrawnTaskView {
            task_id,
            target_id: t.target_id,
            inspector_ids: t.inspector_ids.clone(),
        })
        .collect())
}

/// A draw the caller may see: its plan must be in their scope.
///
/// # Errors
/// 403 for roles without access to draws, 404 when out of scope.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: i64) -> AppResult<DrawView> {
    actor.require(READERS, "read draws")?;
    let not_found = || AppError::NotFound(format!("draw {id}").into());
    let stored = store::find(db, id).await?.ok_or_else(not_found)?;
    plans::get(db, actor, stored.plan_id)
        .await
        .map_err(|e| e.hidden_as(not_found))?;
    let tasks = store::stored_tasks(db, stored.id).await?;
    let unassigned = serde_json::from_value(stored.unassigned.clone()).unwrap_or_default();
    Ok(DrawView {
        draw: stored,
        tasks,
        unassigned,
        timings: DrawTimings::default(),
    })
}

/// Lists a plan's draws, newest first, without their tasks.
///
/// # Errors
/// As for [`get`].
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    plan_id: i64,
) -> AppResult<Vec<draw::Model>> {
    actor.require(READERS, "read draws")?;
    plans::get(db, actor, plan_id).await?;
    store::plan_draws(db, plan_id).await
}

/// Re-runs a stored draw from its seed, parameters and snapshot and compares
/// the result with the tasks stored now.
///
/// # Errors
/// As for [`get`].
pub async fn verify<C: ConnectionTrait>(db: &C, actor: &Actor, id: i64) -> AppResult<Verification> {
    let view = get(db, actor, id).await?;
    let tasks: Vec<StoredTask<'_>> = view
        .tasks
        .iter()
        .map(|t| StoredTask {
            target_id: t.target_id,
            inspector_ids: &t.inspector_ids,
        })
        .collect();
    let stored = &view.draw;
    Ok(algorithm::verify::verify(&StoredDraw {
        algorithm: &stored.algorithm,
        seed: u64::from_ne_bytes(stored.seed.to_ne_bytes()),
        params: &stored.params,
        population_size: stored.population_size,
        population_sha256: &stored.population_sha256,
        population_snapshot: &stored.population_snapshot,
        tasks: &tasks,
        unassigned: &view.unassigned,
    }))
}

//! Running, storing and verifying double-random draws (双随机).
//!
//! A draw reads its population ([`population`]), lets the pure algorithm in
//! [`crate::domain::draw`] sample and staff it, and writes the draw, its tasks
//! and its audit entry in one transaction ([`store`] owns every query). A plan
//! may announce its next draw first ([`announcements`]), which then draws from
//! the population frozen by the announcement; any draw can be exported as an
//! evidence bundle that others re-run without the server ([`evidence`]).

mod announcements;
mod evidence;
mod model;
mod population;
mod redraw;
mod replace;
mod store;

use std::{sync::Arc, time::Instant};

use chrono::{DateTime, Duration, Utc};
use entities::{DrawTrigger, PlanStatus, Role, SeedSource, check_plan, draw};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction};
use tokio::task::JoinHandle;

pub use crate::domain::draw::verify::Verification;
pub use announcements::{
    AnnouncementRequest, announce, announcement, plan_announcements, public_announcements, withdraw,
};
pub use evidence::{EVIDENCE_FORMAT, Evidence, SeedProvenance, evidence, seed_provenance};
pub use model::{
    AnnouncementRow, AnnouncementStatus, AnnouncementView, CancellationView, DrawBrief,
    DrawRequest, DrawTimings, DrawView, DrawnTaskView,
};
pub use replace::{ReplacementTask, replace_cancelled, target_of};
pub use store::{NewCancellation, insert_cancellation, lock_draw};

use self::{
    model::{ChosenSeed, DrawInputs, NewDraw, NewTask, PopulationSnapshot, TaskCommon},
    redraw::{draw_to_supersede, supersedable},
};
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
        seed_from_text, snapshot,
        verify::{StoredCancellation, StoredDraw, StoredTask},
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

/// A draw's inputs read now: the population as it is and the plan's parameters.
fn inputs_now(population: Population, spec: &PlanSpec) -> DrawInputs {
    let params = params_of(spec);
    DrawInputs {
        stored_params: stored_params(&params, spec),
        params,
        population: Arc::new(population),
        frozen: None,
        announcement_id: None,
    }
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

/// The seed a request asks for, and how it was chosen.
fn choose_seed(request: &SeedRequest) -> AppResult<ChosenSeed> {
    Ok(match &request.seed {
        SeedChoice::Random => ChosenSeed {
            value: getrandom::u64().map_err(|e| {
                AppError::Internal(anyhow::anyhow!("Failed to read system randomness: {e}"))
            })?,
            source: SeedSource::Random,
            text: None,
            reason: None,
        },
        SeedChoice::Given(seed) => ChosenSeed {
            value: *seed,
            source: SeedSource::Given,
            text: None,
            reason: request.reason_given().map(str::to_owned),
        },
        SeedChoice::PublicText(text) => ChosenSeed {
            value: seed_from_text(text),
            source: SeedSource::PublicText,
            text: Some(text.clone()),
            reason: None,
        },
    })
}

/// Everything a draw decides before it writes.
struct Drawn<'a> {
    plan: &'a check_plan::Model,
    spec: &'a PlanSpec,
    request: &'a SeedRequest,
    seed: ChosenSeed,
    inputs: DrawInputs,
    trigger: DrawTrigger,
    superseded: Option<draw::Model>,
    outcome: Outcome,
    now: DateTime<Utc>,
}

/// Runs a draw for a plan and stores it with its tasks and audit entry, all or nothing.
///
/// A plan that has announced its next draw is drawn from the announcement's
/// frozen population and parameters, with a seed from public text.
///
/// # Errors
/// 403/404 for callers without the plan; 409 for a paused or archived plan,
/// a second draw without a reason, or a scheduled draw of an announced plan;
/// 422 for a bad seed request, or one that an announcement does not allow.
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
    let txn = db::begin_write(db).await?;
    store::tune(&txn).await?;
    let announced = store::pending_announcement(&txn, plan_id).await?;
    if let Some(announcement) = &announced {
        announcements::require_announced_seed(announcement, &request, trigger)?;
    }
    let seed = choose_seed(&request)?;
    let superseded = draw_to_supersede(&txn, plan_id, request.reason_given(), trigger).await?;
    let now = Utc::now();
    let mut timings = DrawTimings::default();
    let started = Instant::now();
    let inputs = match announced {
        Some(announcement) => announcements::frozen_inputs(announcement).await?,
        None => {
            let superseding = superseded.as_ref().map(|d| d.id);
            let population = population::read(&txn, db, &plan, &spec, superseding, now).await?;
            inputs_now(population, &spec)
        }
    };
    timings.load_ms = elapsed_ms(started);
    let (outcome, steps) = algorithm::run_timed(&inputs.population, &inputs.params, seed.value)
        .map_err(|e| AppError::invalid("plan", e.to_string()))?;
    timings.sample_ms = steps.sample.as_secs_f64() * 1000.0;
    timings.assign_ms = steps.assign.as_secs_f64() * 1000.0;
    let drawn = Drawn {
        plan: &plan,
        spec: &spec,
        request: &request,
        seed,
        inputs,
        trigger,
        superseded,
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
    mut drawn: Drawn<'_>,
    mut timings: DrawTimings,
) -> AppResult<DrawView> {
    let (pending, ready) = if let Some(frozen) = drawn.inputs.frozen.take() {
        (None, frozen)
    } else if store::writes_beside_us(&txn) {
        let making = make_snapshot(Arc::clone(&drawn.inputs.population));
        (Some(making), PopulationSnapshot::default())
    } else {
        let making = make_snapshot(Arc::clone(&drawn.inputs.population));
        let ready = finished(making).await?;
        timings.snapshot_ms = ready.made_in_ms;
        (None, ready)
    };
    let started = Instant::now();
    let new = NewDraw {
        plan_id: drawn.plan.id,
        seed: drawn.seed.clone(),
        announcement_id: drawn.inputs.announcement_id,
        params: std::mem::take(&mut drawn.inputs.stored_params),
        population_size: i32::try_from(drawn.inputs.population.targets.len()).unwrap_or(i32::MAX),
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
        cancellations: Vec::new(),
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
        "seed": drawn.seed.value.to_string(),
        "seed_source": stored.seed_source,
        "seed_text": stored.seed_text,
        "announcement_id": stored.announcement_id,
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
                .inputs
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
    let cancellations = replace::views(store::draw_cancellations(db, stored.id).await?, &tasks);
    Ok(DrawView {
        draw: stored,
        tasks,
        unassigned,
        cancellations,
        timings: DrawTimings::default(),
    })
}

/// The draw of each of these tasks, by task: for the public results, which
/// show each check's seed and how it was chosen.
///
/// # Errors
/// When the database fails.
pub async fn briefs_of_tasks<C: ConnectionTrait>(
    db: &C,
    task_ids: Vec<i64>,
) -> AppResult<std::collections::HashMap<i64, DrawBrief>> {
    store::briefs_of_tasks(db, task_ids).await
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

fn stored_task(t: &DrawnTaskView) -> StoredTask<'_> {
    StoredTask {
        target_id: t.target_id,
        inspector_ids: &t.inspector_ids,
    }
}

/// Re-runs a stored draw from its seed, parameters and snapshot and compares
/// the result with the tasks stored now.
///
/// # Errors
/// As for [`get`].
pub async fn verify<C: ConnectionTrait>(db: &C, actor: &Actor, id: i64) -> AppResult<Verification> {
    let view = get(db, actor, id).await?;
    let tasks: Vec<StoredTask<'_>> = view.drawn_tasks().map(stored_task).collect();
    let cancellations: Vec<StoredCancellation<'_>> = view
        .cancellations
        .iter()
        .map(|c| StoredCancellation {
            target_id: c.target_id,
            replace: c.replace,
            replacement: c
                .replaced_by
                .and_then(|id| view.tasks.iter().find(|t| t.task_id == id))
                .map(stored_task),
        })
        .collect();
    let stored = &view.draw;
    let announced = match stored.announcement_id {
        Some(id) => store::announcement_sha256(db, id).await?,
        None => None,
    };
    Ok(algorithm::verify::verify(&StoredDraw {
        algorithm: &stored.algorithm,
        seed: u64::from_ne_bytes(stored.seed.to_ne_bytes()),
        seed_text: stored.seed_text.as_deref(),
        announced_sha256: announced.as_deref(),
        params: &stored.params,
        population_size: stored.population_size,
        population_sha256: &stored.population_sha256,
        population_snapshot: &stored.population_snapshot,
        tasks: &tasks,
        unassigned: &view.unassigned,
        cancellations: &cancellations,
    }))
}

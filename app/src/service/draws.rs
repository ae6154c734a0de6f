//! Running, storing and verifying double-random draws (双随机).
//!
//! The database side of the draw: the population is read here (scope, filters,
//! cooldown, the previous check's inspectors, conflicts), the pure algorithm in
//! [`crate::domain::draw`] samples and staffs, and the draw, its tasks and its
//! audit entry are written in one transaction.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::Instant,
};

use chrono::{DateTime, Duration, Utc};
use entities::{
    CreditClass, DrawTrigger, PlanStatus, RegionLevel, Role, SubjectKind, TaskStatus, check_plan,
    check_task, conflict, department, draw, inspector, task_inspector,
};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait as _,
};
use serde::{Deserialize, Serialize};

use super::{
    Actor,
    audit::{self, Entry},
    directories::inspectors::industries_of,
    draw_rows::{self, NewTask, TaskCommon},
    plans::{self, PlanSpec, spec_of},
};
use crate::{
    db,
    domain::{
        RegionCode,
        draw::{self as algorithm, Outcome, Params, Population, Target, snapshot},
        region_code::prefix_of,
    },
    error::{AppError, AppResult},
};

mod population;

const RUNNERS: &[Role] = &[Role::Admin, Role::Supervisor];
const READERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Leader];
/// Longest seed text or redraw reason, in characters: announcements and
/// reasons are sentences, and both are printed on the draw list's cover.
const MAX_TEXT_CHARS: usize = 1_000;
/// Largest snapshot verify will decompress.
const MAX_SNAPSHOT_BYTES: usize = 1 << 30;
/// Ids per `IN` list (SQLite binds at most 32,766 values).
const BATCH: usize = 1_000;

/// What the caller asks of a draw.
#[derive(Debug, Clone, Default)]
pub struct DrawRequest {
    /// A fixed seed.
    pub seed: Option<u64>,
    /// Public text announced before the draw; the seed is derived from it.
    pub seed_text: Option<String>,
    /// Why the plan is drawn again; the plan's current draw is superseded.
    pub reason: Option<String>,
}

/// A stored draw with its tasks, as shown to callers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DrawView {
    /// The stored draw.
    pub draw: draw::Model,
    /// Its tasks in draw order.
    pub tasks: Vec<DrawnTaskView>,
    /// Drawn targets nobody could be assigned to.
    pub unassigned: Vec<algorithm::Unassigned>,
    /// How long the draw's phases took; zero for a draw read back. Not serialised.
    #[serde(skip)]
    pub timings: DrawTimings,
}

/// Wall-clock time of each phase of [`run`], in milliseconds (for benchmarks and logs).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DrawTimings {
    /// Reading the population (targets, inspectors, previous teams, conflicts).
    pub load_ms: f64,
    /// The pure algorithm's sampling of the targets.
    pub sample_ms: f64,
    /// The pure algorithm's staffing of the drawn targets.
    pub assign_ms: f64,
    /// Encoding, hashing and compressing the population snapshot on the
    /// blocking pool: on PostgreSQL while the tasks are written (so it overlaps
    /// `write_ms`), on SQLite before.
    pub snapshot_ms: f64,
    /// Writing the draw, its tasks, teams and audit entry, and committing
    /// (waiting for the snapshot if it is not ready).
    pub write_ms: f64,
}

fn elapsed_ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// One task of a draw.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DrawnTaskView {
    /// The task's id.
    pub task_id: i64,
    /// The enterprise or department checked.
    pub target_id: i64,
    /// The team, lead first.
    pub inspector_ids: Vec<i64>,
}

/// The result of re-running a draw.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// Whether the stored draw is exactly what the algorithm gives.
    pub verified: bool,
    /// Every difference found.
    pub mismatches: Vec<String>,
}

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

/// The region prefixes a plan draws from: its own, or its owner's whole scope.
async fn plan_prefixes<C: ConnectionTrait>(
    db: &C,
    plan: &check_plan::Model,
    spec: &PlanSpec,
) -> AppResult<Vec<String>> {
    if !spec.region_prefixes.is_empty() {
        return Ok(spec.region_prefixes.clone());
    }
    let owner_region = match plan.owner_department_id {
        Some(id) => department::Entity::find_by_id(id)
            .one(db)
            .await?
            .and_then(|d| d.region_code),
        None => None,
    };
    Ok(owner_region
        .map(|r| vec![prefix_of(&r).to_owned()])
        .unwrap_or_default())
}

fn prefix_condition(column: impl ColumnTrait + Copy, prefixes: &[String]) -> Condition {
    if prefixes.is_empty() {
        return Condition::all();
    }
    prefixes.iter().fold(Condition::any(), |cond, p| {
        cond.add(column.starts_with(p.as_str()))
    })
}

/// Ids of the current (not superseded) draws, optionally since a time and leaving one out.
fn current_draws(
    since: Option<DateTime<Utc>>,
    except: Option<i64>,
) -> sea_orm::sea_query::SelectStatement {
    let mut query = draw::Entity::find()
        .select_only()
        .column(draw::Column::Id)
        .filter(draw::Column::SupersededBy.is_null());
    if let Some(since) = since {
        query = query.filter(draw::Column::CreatedAt.gte(since));
    }
    if let Some(except) = except {
        query = query.filter(draw::Column::Id.ne(except));
    }
    query.into_query()
}

/// Reads the draw's population as of now.
async fn population<C: ConnectionTrait>(
    db: &C,
    pool: &DatabaseConnection,
    plan: &check_plan::Model,
    spec: &PlanSpec,
    superseding: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<Population> {
    let prefixes = plan_prefixes(db, plan, spec).await?;
    let target_column = match spec.target_kind {
        SubjectKind::Enterprise => check_task::Column::EnterpriseId,
        SubjectKind::Department => check_task::Column::DepartmentId,
    };
    // Cooldown: targets with a task in a current draw of the last `cooldown_days` days.
    let cooled: HashSet<i64> = if spec.cooldown_days > 0 {
        let since = now - Duration::days(i64::from(spec.cooldown_days));
        check_task::Entity::find()
            .select_only()
            .column(target_column)
            .filter(check_task::Column::DrawId.in_subquery(current_draws(Some(since), superseding)))
            .into_tuple::<Option<i64>>()
            .all(db)
            .await?
            .into_iter()
            .flatten()
            .collect()
    } else {
        HashSet::new()
    };
    // On PostgreSQL the enterprises stream on a pooled connection while the
    // transaction reads the rest.
    let targets = async {
        match spec.target_kind {
            SubjectKind::Enterprise => {
                population::enterprise_targets(db, pool, spec, &prefixes, cooled).await
            }
            SubjectKind::Department => department_targets(db, &prefixes, &cooled).await,
        }
    };
    let (mut targets, previous, inspectors, mut conflicts) = tokio::try_join!(
        targets,
        previous_teams(db, target_column, superseding),
        active_inspectors(db),
        conflict_pairs(db, spec.target_kind),
    )?;
    for target in &mut targets {
        if let Some(ids) = previous.get(&target.id) {
            target.previous_inspectors.clone_from(ids);
        }
    }
    // Both lists are sorted by id: conflicts keep their pairs by binary search.
    let mut population = Population {
        targets,
        inspectors,
        conflicts: Vec::new(),
    };
    conflicts.retain(|c| {
        population.target(c.target_id).is_some()
            && population
                .inspectors
                .binary_search_by_key(&c.inspector_id, |i| i.id)
                .is_ok()
    });
    conflicts.sort_by_key(|c| (c.inspector_id, c.target_id));
    conflicts.dedup();
    population.conflicts = conflicts;
    Ok(population)
}

/// "Different people every time": the inspectors of each target's latest check
/// in a current draw, sorted, by target.
async fn previous_teams<C: ConnectionTrait>(
    db: &C,
    target_column: check_task::Column,
    superseding: Option<i64>,
) -> AppResult<HashMap<i64, Vec<i64>>> {
    let latest: Vec<(Option<i64>, Option<i64>)> = check_task::Entity::find()
        .select_only()
        .column(target_column)
        .column_as(check_task::Column::Id.max(), "latest")
        .filter(check_task::Column::DrawId.in_subquery(current_draws(None, superseding)))
        .filter(target_column.is_not_null())
        .group_by(target_column)
        .into_tuple()
        .all(db)
        .await?;
    let latest_task: HashMap<i64, i64> = latest
        .into_iter()
        .filter_map(|(t, id)| Some((t?, id?)))
        .collect();
    let task_ids: Vec<i64> = latest_task.values().copied().collect();
    let mut by_task: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in task_ids.chunks(BATCH) {
        let links: Vec<(i64, i64)> = task_inspector::Entity::find()
            .select_only()
            .column(task_inspector::Column::TaskId)
            .column(task_inspector::Column::InspectorId)
            .filter(task_inspector::Column::TaskId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        for (task, inspector) in links {
            by_task.entry(task).or_default().push(inspector);
        }
    }
    Ok(latest_task
        .into_iter()
        .filter_map(|(target, task)| {
            let mut ids = by_task.remove(&task)?;
            ids.sort_unstable();
            Some((target, ids))
        })
        .collect())
}

/// The active inspectors, by id, their qualifications sorted.
async fn active_inspectors<C: ConnectionTrait>(db: &C) -> AppResult<Vec<algorithm::Inspector>> {
    Ok(inspector::Entity::find()
        .filter(inspector::Column::Active.eq(true))
        .order_by_asc(inspector::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|i| algorithm::Inspector {
            industries: {
                let mut list = industries_of(&i);
                list.sort_by_key(|x| x.as_str());
                list
            },
            id: i.id,
            department_id: i.department_id,
            region_code: i.region_code,
        })
        .collect())
}

/// Every declared conflict of interest with a target of this kind.
async fn conflict_pairs<C: ConnectionTrait>(
    db: &C,
    kind: SubjectKind,
) -> AppResult<Vec<algorithm::Conflict>> {
    let column = match kind {
        SubjectKind::Enterprise => conflict::Column::EnterpriseId,
        SubjectKind::Department => conflict::Column::DepartmentId,
    };
    Ok(conflict::Entity::find()
        .select_only()
        .column(conflict::Column::InspectorId)
        .column(column)
        .filter(column.is_not_null())
        .into_tuple::<(i64, Option<i64>)>()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(inspector_id, target)| {
            Some(algorithm::Conflict {
                inspector_id,
                target_id: target?,
            })
        })
        .collect())
}

async fn department_targets<C: ConnectionTrait>(
    db: &C,
    prefixes: &[String],
    cooled: &HashSet<i64>,
) -> AppResult<Vec<Target>> {
    let rows = department::Entity::find()
        .filter(department::Column::RegionCode.is_not_null())
        .filter(prefix_condition(department::Column::RegionCode, prefixes))
        .order_by_asc(department::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|d| !cooled.contains(&d.id))
        .filter_map(|d| {
            let region = d.region_code?;
            let level = RegionCode::parse(&region).ok()?.level();
            Some(Target {
                id: d.id,
                stratum: match level {
                    RegionLevel::Province => "province",
                    RegionLevel::City => "city",
                    RegionLevel::County => "county",
                }
                .to_owned(),
                region_code: region,
                credit_class: CreditClass::B,
                key: false,
                industry: None,
                own_department_id: Some(d.id),
                previous_inspectors: Vec::new(),
            })
        })
        .collect())
}

/// A fresh random seed from the operating system.
fn random_seed() -> AppResult<u64> {
    getrandom::u64()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("Failed to read system randomness: {e}")))
}

/// The plan's current draw that a new draw would supersede, after checking
/// whether a new draw may be made at all.
async fn check_redraw<C: ConnectionTrait>(
    db: &C,
    plan_id: i64,
    request: &DrawRequest,
    trigger: DrawTrigger,
) -> AppResult<Option<draw::Model>> {
    if trigger == DrawTrigger::Cron {
        return Ok(None);
    }
    let current = draw::Entity::find()
        .filter(draw::Column::PlanId.eq(plan_id))
        .filter(draw::Column::SupersededBy.is_null())
        .order_by_desc(draw::Column::Id)
        .one(db)
        .await?;
    let Some(current) = current else {
        return Ok(None);
    };
    // Each status the draw's tasks are in, with its first task.
    let statuses: Vec<(TaskStatus, Option<i64>)> = check_task::Entity::find()
        .select_only()
        .column(check_task::Column::Status)
        .column_as(check_task::Column::Id.min(), "first")
        .filter(check_task::Column::DrawId.eq(current.id))
        .group_by(check_task::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let open = statuses
        .iter()
        .any(|(status, _)| !matches!(status, TaskStatus::Reviewed | TaskStatus::Published));
    match request
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        // A finished round is not superseded: its checks happened and still
        // count for cooldown and "different people every time".
        _ if !open => Ok(None),
        None => Err(AppError::Conflict(format!(
            "plan {plan_id} already has draw {} with open tasks; to draw again give a reason, and draw {} will be superseded",
            current.id, current.id
        ))),
        Some(_) => {
            // Any task past `assigned` (reviewed ones too) means checks were made.
            let started = statuses
                .iter()
                .filter(|(status, _)| *status != TaskStatus::Assigned)
                .filter_map(|&(status, first)| Some((first?, status)))
                .min();
            if let Some((task, status)) = started {
                return Err(AppError::Conflict(format!(
                    "draw {} cannot be superseded: task {task} is already {status}",
                    current.id
                )));
            }
            Ok(Some(current))
        }
    }
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
    let allowed = match trigger {
        DrawTrigger::Cron => spec.status == PlanStatus::Active,
        DrawTrigger::Manual => matches!(spec.status, PlanStatus::Active | PlanStatus::Draft),
    };
    if !allowed {
        return Err(AppError::Conflict(format!(
            "plan {plan_id} is {} and cannot be drawn",
            spec.status
        )));
    }
    let (seed, seed_text) = match (request.seed, request.seed_text.as_deref().map(str::trim)) {
        (Some(_), Some(_)) => {
            return Err(AppError::invalid(
                "seed",
                "give either seed or seed_text, not both",
            ));
        }
        (None, Some("")) => return Err(AppError::invalid("seed_text", "must not be empty")),
        (None, Some(text)) if text.chars().count() > MAX_TEXT_CHARS => {
            return Err(AppError::invalid(
                "seed_text",
                format!("must have at most {MAX_TEXT_CHARS} characters"),
            ));
        }
        (None, Some(text)) => (algorithm::seed_from_text(text), Some(text.to_owned())),
        (Some(seed), None) => (seed, None),
        (None, None) => (random_seed()?, None),
    };
    if request
        .reason
        .as_deref()
        .is_some_and(|r| r.trim().chars().count() > MAX_TEXT_CHARS)
    {
        return Err(AppError::invalid(
            "reason",
            format!("must have at most {MAX_TEXT_CHARS} characters"),
        ));
    }
    let params = params_of(&spec);
    let txn = db::begin_write(db).await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        db::tune_bulk(&txn).await?;
    }
    let superseded = check_redraw(&txn, plan_id, &request, trigger).await?;
    let now = Utc::now();
    let mut timings = DrawTimings::default();
    let started = Instant::now();
    let population = population(
        &txn,
        db,
        &plan,
        &spec,
        superseded.as_ref().map(|d| d.id),
        now,
    )
    .await?;
    timings.load_ms = elapsed_ms(started);
    let (outcome, steps) = algorithm::run_timed(&population, &params, seed)
        .map_err(|e| AppError::invalid("plan", e.to_string()))?;
    timings.sample_ms = steps.sample.as_secs_f64() * 1000.0;
    timings.assign_ms = steps.assign.as_secs_f64() * 1000.0;
    // The snapshot is encoded, hashed and compressed on the blocking pool. On
    // PostgreSQL the server writes the tasks meanwhile and the draw row gets the
    // snapshot before the commit; SQLite writes on this process's own cores, so
    // there it is waited for and stored with the draw row.
    let population = Arc::new(population);
    let snapshot = tokio::task::spawn_blocking({
        let population = Arc::clone(&population);
        move || -> AppResult<Snapshot> {
            let started = Instant::now();
            let failed = |e: snapshot::SnapshotError| AppError::Internal(anyhow::anyhow!(e));
            let bytes = snapshot::encode(&population).map_err(failed)?;
            let sha = snapshot::sha256_hex(&bytes);
            let compressed = snapshot::compress(&bytes).map_err(failed)?;
            Ok((sha, compressed, elapsed_ms(started)))
        }
    });
    let (pending, ready) = if txn.get_database_backend() == DbBackend::Postgres {
        (Some(snapshot), None)
    } else {
        (None, Some(finished(snapshot).await?))
    };
    let started = Instant::now();
    // Empty until the pending snapshot fills them in, in this transaction.
    let (sha, compressed, snapshot_ms) = ready.unwrap_or_default();
    timings.snapshot_ms = snapshot_ms;
    let mut stored = draw::ActiveModel {
        plan_id: Set(plan_id),
        seed: Set(i64::from_ne_bytes(seed.to_ne_bytes())),
        seed_text: Set(seed_text),
        algorithm: Set(algorithm::ALGORITHM.to_owned()),
        params: Set(stored_params(&params, &spec)),
        population_size: Set(i32::try_from(population.targets.len()).unwrap_or(i32::MAX)),
        population_sha256: Set(sha),
        population_snapshot: Set(compressed),
        unassigned: Set(serde_json::to_value(&outcome.unassigned).unwrap_or_default()),
        trigger: Set(trigger),
        actor_user_id: Set(actor.user_id),
        created_at: Set(now),
        superseded_by: Set(None),
        supersede_reason: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let tasks = write_tasks(&txn, &stored, &plan, &spec, &population, &outcome, now).await?;
    if let Some(pending) = pending {
        let (sha, compressed, snapshot_ms) = finished(pending).await?;
        timings.snapshot_ms = snapshot_ms;
        let filled = draw::Entity::update_many()
            .col_expr(
                draw::Column::PopulationSha256,
                sea_orm::sea_query::Expr::value(sha.clone()),
            )
            .col_expr(
                draw::Column::PopulationSnapshot,
                sea_orm::sea_query::Expr::value(compressed.clone()),
            )
            .filter(draw::Column::Id.eq(stored.id))
            .exec(&txn)
            .await?;
        if filled.rows_affected != 1 {
            return Err(AppError::Internal(anyhow::anyhow!(
                "draw {} was not there to receive its snapshot",
                stored.id
            )));
        }
        stored.population_sha256 = sha;
        stored.population_snapshot = compressed;
    }
    if let Some(old) = &superseded {
        draw::Entity::update_many()
            .col_expr(
                draw::Column::SupersededBy,
                sea_orm::sea_query::Expr::value(stored.id),
            )
            .col_expr(
                draw::Column::SupersedeReason,
                sea_orm::sea_query::Expr::value(request.reason.clone()),
            )
            .filter(draw::Column::Id.eq(old.id))
            .exec(&txn)
            .await?;
    }
    audit::append(
        &txn,
        actor,
        Entry::ok("draw.run", "draw", stored.id).with_detail(serde_json::json!({
            "plan_id": plan_id,
            "seed": seed.to_string(),
            "seed_text": stored.seed_text,
            "trigger": trigger,
            "algorithm": stored.algorithm,
            "population_size": stored.population_size,
            "population_sha256": stored.population_sha256,
            "tasks": tasks.len(),
            "unassigned": outcome.unassigned.len(),
            "supersedes": superseded.as_ref().map(|d| d.id),
            "reason": request.reason,
        })),
    )
    .await?;
    txn.commit().await?;
    timings.write_ms = elapsed_ms(started);
    tracing::info!(
        draw.id = stored.id,
        population = population.targets.len(),
        tasks = tasks.len(),
        load_ms = timings.load_ms,
        sample_ms = timings.sample_ms,
        assign_ms = timings.assign_ms,
        snapshot_ms = timings.snapshot_ms,
        write_ms = timings.write_ms,
        "draw written"
    );
    Ok(DrawView {
        draw: stored,
        tasks,
        unassigned: outcome.unassigned,
        timings,
    })
}

/// A population snapshot: its SHA-256, the compressed bytes, and how long
/// making it took (ms).
type Snapshot = (String, Vec<u8>, f64);

async fn finished(making: tokio::task::JoinHandle<AppResult<Snapshot>>) -> AppResult<Snapshot> {
    making
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the population snapshot failed: {e}")))?
}

async fn write_tasks<C: ConnectionTrait>(
    db: &C,
    stored: &draw::Model,
    plan: &check_plan::Model,
    spec: &PlanSpec,
    population: &Population,
    outcome: &Outcome,
    now: DateTime<Utc>,
) -> AppResult<Vec<DrawnTaskView>> {
    let rows: Vec<NewTask<'_>> = outcome
        .tasks
        .iter()
        .map(|t| NewTask {
            target_id: t.target_id,
            region_code: population
                .target(t.target_id)
                .map_or("", |target| target.region_code.as_str()),
            inspector_ids: &t.inspector_ids,
        })
        .collect();
    let common = TaskCommon {
        draw_id: stored.id,
        target_kind: spec.target_kind,
        due_at: now + Duration::days(i64::from(plan.due_days)),
        now,
    };
    let ids = draw_rows::write(db, common, &rows).await?;
    Ok(outcome
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

/// A draw's tasks as stored now, in draw order (task id order).
async fn stored_tasks<C: ConnectionTrait>(
    db: &C,
    stored: &draw::Model,
) -> AppResult<Vec<DrawnTaskView>> {
    let tasks: Vec<(i64, Option<i64>, Option<i64>)> = check_task::Entity::find()
        .select_only()
        .columns([
            check_task::Column::Id,
            check_task::Column::EnterpriseId,
            check_task::Column::DepartmentId,
        ])
        .filter(check_task::Column::DrawId.eq(stored.id))
        .order_by_asc(check_task::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let draw_tasks = check_task::Entity::find()
        .select_only()
        .column(check_task::Column::Id)
        .filter(check_task::Column::DrawId.eq(stored.id))
        .into_query();
    let links: Vec<(i64, i16, i64)> = task_inspector::Entity::find()
        .select_only()
        .columns([
            task_inspector::Column::TaskId,
            task_inspector::Column::Position,
            task_inspector::Column::InspectorId,
        ])
        .filter(task_inspector::Column::TaskId.in_subquery(draw_tasks))
        .into_tuple()
        .all(db)
        .await?;
    let mut team: HashMap<i64, Vec<(i16, i64)>> = HashMap::with_capacity(tasks.len());
    for (task_id, position, inspector_id) in links {
        team.entry(task_id)
            .or_default()
            .push((position, inspector_id));
    }
    Ok(tasks
        .into_iter()
        .map(|(id, enterprise_id, department_id)| {
            let mut members = team.remove(&id).unwrap_or_default();
            members.sort_unstable();
            DrawnTaskView {
                task_id: id,
                target_id: enterprise_id.or(department_id).unwrap_or_default(),
                inspector_ids: members.into_iter().map(|(_, id)| id).collect(),
            }
        })
        .collect())
}

/// A draw the caller may see: its plan must be in their scope.
///
/// # Errors
/// 403 for roles without access to draws, 404 when out of scope.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: i64) -> AppResult<DrawView> {
    actor.require(READERS, "read draws")?;
    let not_found = || AppError::NotFound(format!("draw {id}"));
    let stored = draw::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    plans::get(db, actor, stored.plan_id)
        .await
        .map_err(|e| e.hidden_as(not_found))?;
    let tasks = stored_tasks(db, &stored).await?;
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
    Ok(draw::Entity::find()
        .filter(draw::Column::PlanId.eq(plan_id))
        .order_by_desc(draw::Column::Id)
        .all(db)
        .await?)
}

/// Re-runs a stored draw from its seed, parameters and snapshot and compares
/// the result with the tasks stored now.
///
/// # Errors
/// As for [`get`].
pub async fn verify<C: ConnectionTrait>(db: &C, actor: &Actor, id: i64) -> AppResult<Verification> {
    let view = get(db, actor, id).await?;
    Ok(compare(&view))
}

fn compare(view: &DrawView) -> Verification {
    let stored = &view.draw;
    let mut mismatches = Vec::new();
    if stored.algorithm != algorithm::ALGORITHM {
        mismatches.push(format!(
            "draw was made by algorithm {}, this server runs {}",
            stored.algorithm,
            algorithm::ALGORITHM
        ));
        return Verification {
            verified: false,
            mismatches,
        };
    }
    let population = match snapshot::decompress(&stored.population_snapshot, MAX_SNAPSHOT_BYTES) {
        Ok(bytes) => {
            let sha = snapshot::sha256_hex(&bytes);
            if sha != stored.population_sha256 {
                mismatches.push(format!(
                    "population snapshot hashes to {sha}, the draw records {}",
                    stored.population_sha256
                ));
            }
            match snapshot::decode(&bytes) {
                Ok(p) => p,
                Err(e) => {
                    mismatches.push(format!("population snapshot unreadable: {e}"));
                    return Verification {
                        verified: false,
                        mismatches,
                    };
                }
            }
        }
        Err(e) => {
            mismatches.push(format!("population snapshot unreadable: {e}"));
            return Verification {
                verified: false,
                mismatches,
            };
        }
    };
    if usize::try_from(stored.population_size).ok() != Some(population.targets.len()) {
        mismatches.push(format!(
            "population size {} recorded, snapshot has {}",
            stored.population_size,
            population.targets.len()
        ));
    }
    let params: Params = match serde_json::from_value(stored.params.clone()) {
        Ok(p) => p,
        Err(e) => {
            mismatches.push(format!("parameters unreadable: {e}"));
            return Verification {
                verified: false,
                mismatches,
            };
        }
    };
    let seed = u64::from_ne_bytes(stored.seed.to_ne_bytes());
    let outcome = match algorithm::run(&population, &params, seed) {
        Ok(o) => o,
        Err(e) => {
            mismatches.push(format!("the draw cannot be re-run: {e}"));
            return Verification {
                verified: false,
                mismatches,
            };
        }
    };
    let expected: Vec<(i64, &[i64])> = outcome
        .tasks
        .iter()
        .map(|t| (t.target_id, t.inspector_ids.as_slice()))
        .collect();
    let actual: Vec<(i64, &[i64])> = view
        .tasks
        .iter()
        .map(|t| (t.target_id, t.inspector_ids.as_slice()))
        .collect();
    if expected.len() != actual.len() {
        mismatches.push(format!(
            "{} tasks expected, {} stored",
            expected.len(),
            actual.len()
        ));
    }
    for (i, (e, a)) in expected.iter().zip(actual.iter()).enumerate() {
        if e.0 != a.0 {
            mismatches.push(format!(
                "task #{}: target {} expected, {} stored",
                i + 1,
                e.0,
                a.0
            ));
        } else if e.1 != a.1 {
            mismatches.push(format!(
                "task #{} (target {}): inspectors {:?} expected, {:?} stored",
                i + 1,
                e.0,
                e.1,
                a.1
            ));
        }
    }
    if outcome.unassigned != view.unassigned {
        mismatches.push("the unassigned targets differ from the re-run".to_owned());
    }
    Verification {
        verified: mismatches.is_empty(),
        mismatches,
    }
}

//! The double-random draw (双随机): which targets are checked, and by whom.
//!
//! Pure functions over plain data. The service layer gathers the [`Population`]
//! (targets already filtered by the plan's scope and cooldown, active inspectors,
//! conflicts), calls [`run`] with the plan's [`Params`] and a seed, and stores the
//! [`Outcome`] together with the [`snapshot`] of the population, so that anyone can
//! re-run the draw later and get the same result.
//!
//! The algorithm is published, step by step, in `docs/draw-algorithm.md`; any change
//! to what [`run`] computes must change [`ALGORITHM`] and that page.

mod assign;
mod hash;
mod params;
pub mod replace;
pub mod request;
mod sample;
pub mod seed;
pub mod snapshot;
mod stratum;
pub mod verify;

#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

use entities::{CreditClass, Industry};
use serde::{Deserialize, Serialize};

pub use params::{CreditWeights, Params};
pub use seed::seed_from_text;
pub use stratum::Stratum;

/// The algorithm version stored with each draw.
pub const ALGORITHM: &str = "spotcheck-draw/1";

/// An enterprise or department that may be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Primary key of the enterprise or department.
    pub id: i64,
    /// Six-digit region code of the target.
    pub region_code: String,
    /// The name of a [`Stratum`]: `major`, `high`, `moderate` or `low` (enterprises
    /// by risk level); `province`, `city` or `county` (departments by region level).
    pub stratum: String,
    /// Credit risk class, which sets the target's weight.
    pub credit_class: CreditClass,
    /// Under key supervision (重点监管).
    pub key: bool,
    /// The target's industry; inspectors must be qualified for it when the plan asks.
    pub industry: Option<Industry>,
    /// For a department target, its own id: its own inspectors never check it.
    pub own_department_id: Option<i64>,
    /// Inspectors of this target's previous check: not drawn for it again.
    pub previous_inspectors: Vec<i64>,
}

/// An active inspector who may be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspector {
    /// Primary key of the inspector.
    pub id: i64,
    /// The inspector's department.
    pub department_id: i64,
    /// The inspector's region; its code prefix is the inspector's scope
    /// (empty: the whole country).
    pub region_code: String,
    /// Industries the inspector is qualified for.
    pub industries: Vec<Industry>,
}

/// An inspector who must never be drawn for a target (回避).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Conflict {
    /// The inspector.
    pub inspector_id: i64,
    /// The enterprise or department.
    pub target_id: i64,
}

/// Everything a draw chooses from.
///
/// The service builds it: `targets` are those in the plan's scope that have no task
/// in a non-superseded draw of the last `cooldown_days` days, `inspectors` are the
/// active ones. Both are sorted by id with no id twice ([`run`] refuses anything
/// else). The order of `conflicts` and of the lists inside targets and inspectors
/// does not matter: they are sets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Population {
    /// Candidate targets, sorted by id.
    pub targets: Vec<Target>,
    /// Active inspectors, sorted by id.
    pub inspectors: Vec<Inspector>,
    /// Inspector–target pairs that must never be drawn together.
    pub conflicts: Vec<Conflict>,
}

impl Population {
    /// The target with this id, found by binary search: the targets are
    /// sorted by id (the draw refuses them otherwise).
    #[must_use]
    pub fn target(&self, id: i64) -> Option<&Target> {
        self.targets
            .binary_search_by_key(&id, |t| t.id)
            .ok()
            .map(|i| &self.targets[i])
    }
}

/// How a target came into the sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    /// Taken whole as a key-supervision target (`key_all`).
    Key,
    /// From the uniform share: drawn ignoring weights.
    Uniform,
    /// Drawn with its credit weight.
    Weighted,
}

/// A drawn target and its team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawnTask {
    /// The enterprise or department.
    pub target_id: i64,
    /// How it was drawn.
    pub selection: Selection,
    /// The team; the first is the lead.
    pub inspector_ids: Vec<i64>,
}

/// Why a drawn target got no team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum UnassignedReason {
    /// A joint plan's department has no eligible inspector left for the target.
    #[error("no eligible inspector from department {department_id}")]
    NoInspectorFromDepartment {
        /// The participating department.
        department_id: i64,
    },
    /// Fewer eligible inspectors than a team needs.
    #[error("a team needs {needed} inspectors, only {found} are eligible")]
    TooFewInspectors {
        /// `inspectors_per_task`.
        needed: u32,
        /// How many could be found.
        found: u32,
    },
}

/// A drawn target that could not be staffed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unassigned {
    /// The enterprise or department.
    pub target_id: i64,
    /// How it was drawn.
    pub selection: Selection,
    /// Why nobody could be assigned.
    pub reason: UnassignedReason,
}

/// The result of a draw: every drawn target is in exactly one of the two lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// Staffed targets, in draw order.
    pub tasks: Vec<DrawnTask>,
    /// Targets that could not be staffed, in draw order.
    pub unassigned: Vec<Unassigned>,
}

/// Why a draw cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    /// Targets out of id order, or an id twice.
    #[error("targets must be sorted by id with no id twice (at target {0})")]
    TargetsNotSorted(i64),
    /// Inspectors out of id order, or an id twice.
    #[error("inspectors must be sorted by id with no id twice (at inspector {0})")]
    InspectorsNotSorted(i64),
    /// A parameter outside its range.
    #[error("invalid draw parameter `{field}`: {reason}")]
    InvalidParam {
        /// The parameter.
        field: String,
        /// What it must be.
        reason: &'static str,
    },
    /// A target whose stratum is not one of the seven names.
    #[error("target {0} has a stratum that is not one of {names}", names = Stratum::NAMES)]
    UnknownStratum(i64),
    /// A stratum so large that its weights overflow 64 bits.
    #[error("the weights of stratum '{0}' add up to more than 2^64 - 1")]
    WeightOverflow(Stratum),
}

/// Runs the draw: samples targets per stratum, then staffs each drawn target.
///
/// The same population, parameters and seed always give the same outcome, on any
/// machine, and `docs/draw-algorithm.md` says exactly how.
///
/// # Errors
/// When the population is not sorted by id or a parameter is out of range.
pub fn run(population: &Population, params: &Params, seed: u64) -> Result<Outcome, DrawError> {
    run_with(population, params, seed, None)
}

/// How long the two steps of a draw took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepTimes {
    /// Sampling the targets.
    pub sample: Duration,
    /// Staffing the drawn targets.
    pub assign: Duration,
}

/// [`run`], also telling how long the sample and the assignment took.
///
/// # Errors
/// As [`run`].
pub fn run_timed(
    population: &Population,
    params: &Params,
    seed: u64,
) -> Result<(Outcome, StepTimes), DrawError> {
    run_steps(population, params, seed, None)
}

/// [`run`], recording every random number taken when `trace` is given.
pub(crate) fn run_with(
    population: &Population,
    params: &Params,
    seed: u64,
    trace: Option<&mut Vec<seed::TraceEntry>>,
) -> Result<Outcome, DrawError> {
    run_steps(population, params, seed, trace).map(|(outcome, _)| outcome)
}

fn run_steps(
    population: &Population,
    params: &Params,
    seed: u64,
    trace: Option<&mut Vec<seed::TraceEntry>>,
) -> Result<(Outcome, StepTimes), DrawError> {
    check_sorted(&population.inspectors, |i| i.id).map_err(DrawError::InspectorsNotSorted)?;
    let rules = params.rules()?;
    let mut rng = seed::DrawRng::new(seed, trace);
    let started = Instant::now();
    let drawn = sample::draw_targets(&population.targets, &rules, &mut rng)?;
    let sample = started.elapsed();
    let outcome = assign::staff(population, params, &drawn, &mut rng);
    let assign = started.elapsed().saturating_sub(sample);
    Ok((outcome, StepTimes { sample, assign }))
}

/// `Err(id)` for the first item whose id is not above the one before.
fn check_sorted<T>(items: &[T], id: impl Fn(&T) -> i64) -> Result<(), i64> {
    match items.windows(2).find(|w| id(&w[0]) >= id(&w[1])) {
        Some(pair) => Err(id(&pair[1])),
        None => Ok(()),
    }
}

//! The draws capability's own types: what callers ask and get back, and what
//! the rule hands its store.

use chrono::{DateTime, Utc};
use entities::{DrawTrigger, Industry, RiskLevel, SubjectKind, draw};
use serde::{Deserialize, Serialize};

use crate::domain::draw::Unassigned;

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
    pub unassigned: Vec<Unassigned>,
    /// How long the draw's phases took; zero for a draw read back. Not serialised.
    #[serde(skip)]
    pub timings: DrawTimings,
}

/// Wall-clock time of each phase of a draw, in milliseconds (for benchmarks and logs).
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

/// The population snapshot as stored with a draw.
#[derive(Debug, Clone, Default)]
pub struct PopulationSnapshot {
    /// SHA-256 of the encoded snapshot, in hex.
    pub sha256: String,
    /// The encoded snapshot, compressed.
    pub compressed: Vec<u8>,
    /// How long encoding, hashing and compressing took, in milliseconds.
    pub made_in_ms: f64,
}

/// The enterprises a plan draws from.
#[derive(Debug, Clone)]
pub struct EnterpriseFilter {
    /// Region code prefixes; empty is everywhere.
    pub prefixes: Vec<String>,
    /// Industries; empty is all.
    pub industries: Vec<Industry>,
    /// Risk levels; empty is all.
    pub risk_levels: Vec<RiskLevel>,
    /// Only key-supervision enterprises.
    pub key_only: bool,
}

/// A department as a draw target: its id and region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentSeat {
    /// The department.
    pub id: i64,
    /// Its region code.
    pub region_code: String,
}

/// Tasks of a draw in one status, and the first of them (for messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusCount {
    /// The status.
    pub status: entities::TaskStatus,
    /// The lowest task id in it.
    pub first_task: i64,
}

/// A draw row to insert; its snapshot may follow in the same transaction.
#[derive(Debug, Clone)]
pub struct NewDraw {
    /// The plan drawn.
    pub plan_id: i64,
    /// The seed.
    pub seed: u64,
    /// The public text the seed came from.
    pub seed_text: Option<String>,
    /// The parameters as used, with the plan as it was.
    pub params: serde_json::Value,
    /// Targets in the population.
    pub population_size: i32,
    /// Drawn targets nobody could be assigned to, as JSON.
    pub unassigned: serde_json::Value,
    /// Scheduled or by hand.
    pub trigger: DrawTrigger,
    /// Who drew, unless the system did.
    pub actor_user_id: Option<i64>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A task to write: its target and team, lead first.
#[derive(Debug, Clone, Copy)]
pub struct NewTask<'a> {
    /// The enterprise or department checked.
    pub target_id: i64,
    /// The target's region.
    pub region_code: &'a str,
    /// The team, lead first.
    pub inspector_ids: &'a [i64],
}

/// What every task of a draw shares.
#[derive(Debug, Clone, Copy)]
pub struct TaskCommon {
    /// The draw the tasks belong to.
    pub draw_id: i64,
    /// Enterprises or departments.
    pub target_kind: SubjectKind,
    /// When the checks are due.
    pub due_at: DateTime<Utc>,
    /// When the draw was made.
    pub now: DateTime<Utc>,
}

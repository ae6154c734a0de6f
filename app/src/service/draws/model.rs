//! The draws capability's own types: what callers ask and get back, and what
//! the rule hands its store.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use entities::{CancelReason, DrawTrigger, Industry, RiskLevel, SeedSource, SubjectKind, draw};
use sea_orm::FromQueryResult;
use serde::{Deserialize, Serialize};

use crate::domain::draw::{Params, Population, Unassigned};

/// What the caller asks of a draw.
#[derive(Debug, Clone, Default)]
pub struct DrawRequest {
    /// A fixed seed.
    pub seed: Option<u64>,
    /// Public text announced before the draw; the seed is derived from it.
    pub seed_text: Option<String>,
    /// Why the plan is drawn again (the plan's current draw is superseded), or
    /// why with a given seed.
    pub reason: Option<String>,
}

/// A draw's seed and how it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChosenSeed {
    /// The seed.
    pub value: u64,
    /// Random, given or from public text.
    pub source: SeedSource,
    /// The public text, exactly as hashed.
    pub text: Option<String>,
    /// Why an operator gave it.
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
    /// Its cancelled tasks in the order cancelled, each with its replacement.
    #[serde(default)]
    pub cancellations: Vec<CancellationView>,
    /// How long the draw's phases took; zero for a draw read back. Not serialised.
    #[serde(skip)]
    pub timings: DrawTimings,
}

impl DrawView {
    /// The tasks the draw itself made, in draw order: all but replacements.
    pub fn drawn_tasks(&self) -> impl Iterator<Item = &DrawnTaskView> {
        self.tasks.iter().filter(|t| {
            !self
                .cancellations
                .iter()
                .any(|c| c.replaced_by == Some(t.task_id))
        })
    }
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

/// A cancelled task of a draw (补抽), as read back with the draw.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CancellationView {
    /// The cancelled task.
    pub task_id: i64,
    /// Its target.
    pub target_id: i64,
    /// Why it was cancelled.
    pub reason: CancelReason,
    /// What the supervisor wrote.
    pub note: Option<String>,
    /// Whether a replacement was asked for.
    pub replace: bool,
    /// The replacement task.
    pub replaced_by: Option<i64>,
    /// Who cancelled it.
    pub cancelled_by: Option<i64>,
    /// When.
    pub cancelled_at: DateTime<Utc>,
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
    /// The seed and how it was chosen.
    pub seed: ChosenSeed,
    /// The announcement whose population and parameters the draw used.
    pub announcement_id: Option<i64>,
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

/// What a draw draws from and with: read now, or frozen by an announcement.
#[derive(Debug, Clone)]
pub struct DrawInputs {
    /// The population.
    pub population: Arc<Population>,
    /// The parameters the algorithm reads.
    pub params: Params,
    /// The parameters as stored with the draw, the plan's settings under `plan`.
    pub stored_params: serde_json::Value,
    /// The snapshot already made and published (an announcement's), if any.
    pub frozen: Option<PopulationSnapshot>,
    /// The announcement the inputs come from.
    pub announcement_id: Option<i64>,
}

/// Where an announcement stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnnouncementStatus {
    /// Waiting for its draw: the plan's next draw uses it.
    Pending,
    /// Its draw was made.
    Drawn,
    /// Withdrawn before any draw, with a reason.
    Withdrawn,
}

/// An announcement as stored, without its snapshot.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct AnnouncementRow {
    /// The announcement.
    pub id: i64,
    /// The plan whose next draw it announces.
    pub plan_id: i64,
    /// What public text will seed the draw, and when it is known.
    pub seed_rule: String,
    /// Targets in the frozen population.
    pub population_size: i32,
    /// SHA-256 of the frozen population snapshot.
    pub population_sha256: String,
    /// Who announced, unless the system did.
    pub actor_user_id: Option<i64>,
    /// When.
    pub announced_at: DateTime<Utc>,
    /// When it was withdrawn.
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Why.
    pub withdraw_reason: Option<String>,
}

/// The public facts of a draw: enough to check it against its announcement.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct DrawBrief {
    /// The draw.
    pub id: i64,
    /// Its plan.
    pub plan_id: i64,
    /// The seed, by its bit pattern.
    pub seed: i64,
    /// How it was chosen.
    pub seed_source: SeedSource,
    /// The public text it came from.
    pub seed_text: Option<String>,
    /// SHA-256 of the population drawn from.
    pub population_sha256: String,
    /// The announcement it used.
    pub announcement_id: Option<i64>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// The draw that replaced it.
    pub superseded_by: Option<i64>,
}

/// An announcement with its plan's name, where it stands and its draw.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnouncementView {
    /// The announcement.
    pub announcement: AnnouncementRow,
    /// The plan's name.
    pub plan_name: String,
    /// Pending, drawn or withdrawn.
    pub status: AnnouncementStatus,
    /// The draw that used it.
    pub draw: Option<DrawBrief>,
}

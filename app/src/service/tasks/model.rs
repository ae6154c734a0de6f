//! The types the parts of the tasks capability share.

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    HazardGrade, HazardStatus, Industry, InspectorRole, RiskLevel, SubjectKind, TaskStatus,
    check_task, hazard_item, publication, task_cancellation, task_return,
};

use crate::{
    domain::china_time::ChinaTime,
    service::{Actor, draws::DrawBrief},
};

/// Whom a task checks.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetView {
    /// `enterprise` or `department`.
    pub kind: SubjectKind,
    /// The enterprise's or department's id.
    pub id: i64,
    pub name: String,
    /// An enterprise's credit code, or a department's code.
    pub code: Option<String>,
    /// An enterprise's credit code.
    pub credit_code: Option<String>,
    /// Where it is; empty for a national department, so plain text.
    pub region_code: String,
    /// The name of that region.
    pub region_name: Option<String>,
    /// An enterprise's industry.
    pub industry: Option<Industry>,
    /// An enterprise's risk level.
    pub risk_level: Option<RiskLevel>,
}

/// The plan a task was drawn for.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRef {
    /// The plan's number.
    pub id: i64,
    pub name: String,
}

/// An indicator the task scores, and the finding that counts for it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskIndicator {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub max_points: f64,
    pub legal_basis: String,
    /// The finding that counts for the indicator, if one does.
    pub finding_id: Option<i64>,
}

/// An inspector on a task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskInspectorView {
    pub inspector_id: i64,
    pub badge_no: String,
    pub name: String,
    /// `lead` or `member`.
    pub role: InspectorRole,
}

/// A task with what is needed to show it and work on it.
#[derive(Debug, Clone)]
pub struct TaskView {
    /// The stored task.
    pub task: check_task::Model,
    /// The plan it was drawn for.
    pub plan: Option<PlanRef>,
    /// Whom it checks.
    pub target: TargetView,
    /// Its inspectors, lead first.
    pub inspectors: Vec<TaskInspectorView>,
    /// The indicators of its plan's set that apply to the target, by code.
    pub indicators: Vec<TaskIndicator>,
    /// Each time it was sent back, oldest first.
    pub returns: Vec<task_return::Model>,
    /// For a reviewed task: the last day to publish, the 20th working day
    /// after the review date in China time.
    pub publish_by: Option<NaiveDate>,
    /// For a cancelled task: who cancelled it, when, why, and its replacement.
    pub cancellation: Option<task_cancellation::Model>,
    /// For a replacement (补抽): the cancelled task it replaces.
    pub replaces: Option<i64>,
}

/// Filters for listing tasks; they combine.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// Only tasks in one of these states (any state when empty).
    pub statuses: Vec<TaskStatus>,
    /// Tasks of one plan's draws.
    pub plan_id: Option<i64>,
    /// Tasks of one draw.
    pub draw_id: Option<i64>,
    /// Tasks whose target lies in this region's subtree.
    pub region_code: Option<String>,
    /// Only tasks the caller is an inspector on.
    pub mine: bool,
    /// Target name, credit code or department code contains this text.
    pub q: Option<String>,
    /// Only tasks due before this moment.
    pub due_before: Option<ChinaTime>,
    /// Only tasks flagged overdue (or only those not flagged).
    pub overdue: Option<bool>,
    /// Superseded tasks too, when no status is asked for.
    pub include_superseded: bool,
}

/// The tasks a caller may see.
#[derive(Debug, Clone, Copy)]
pub enum TaskScope<'a> {
    /// The tasks an inspector is on (`-1`: a caller who is no inspector).
    Team {
        /// The inspector.
        inspector_id: i64,
    },
    /// The tasks checking one department (`-1`: none).
    Department {
        /// The department checked.
        department_id: i64,
    },
    /// The tasks in the caller's jurisdiction.
    Jurisdiction(&'a Actor),
}

/// A finding to record.
#[derive(Debug, Clone)]
pub struct FindingInput {
    /// The indicator checked.
    pub indicator_id: i64,
    /// Points earned, 0 to the indicator's maximum.
    pub points: f64,
    /// Whether the target complies with the indicator.
    pub compliant: bool,
    /// What was found.
    pub description: String,
    /// The grade of a hidden hazard found, if any.
    pub hazard_grade: Option<HazardGrade>,
    /// The rectification deadline of that hazard.
    pub rectify_by: Option<NaiveDate>,
}

/// The time a step records besides the task's new status.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Milestone {
    /// The first start.
    Started,
    /// The findings were submitted.
    Submitted,
    /// The findings were accepted with this score.
    Reviewed {
        /// The task's score out of 100, if any indicator was scored.
        score: Option<f64>,
    },
    /// The result was published.
    Published,
}

/// A hidden hazard a finding puts on the enterprise's hazard list.
#[derive(Debug, Clone)]
pub struct FoundHazard {
    /// The enterprise checked.
    pub enterprise_id: i64,
    pub grade: HazardGrade,
    /// The day it was found, in China time.
    pub found_on: NaiveDate,
    pub rectify_by: NaiveDate,
}

/// The public record of a published task.
#[derive(Debug, Clone)]
pub struct NewPublication {
    /// The task published.
    pub task_id: i64,
    /// Where the target is.
    pub region_code: String,
    /// The target's name.
    pub target_name: String,
    /// An enterprise's credit code.
    pub credit_code: Option<String>,
    /// The day of the check, in China time.
    pub check_date: NaiveDate,
    /// The inspectors' badge numbers, lead first.
    pub inspector_badges: Vec<String>,
    /// `hazards_found`, `compliant`, `non_compliant` or `checked`.
    pub result: &'static str,
    pub score: Option<f64>,
    /// The hazards found: description, grade and deadline of each.
    pub hazards: Vec<serde_json::Value>,
    /// When it was published.
    pub published_at: DateTime<Utc>,
}

/// A published result and the hazards its check found, each with the status
/// it is shown with today.
#[derive(Debug, Clone)]
pub struct PublishedResult {
    /// The public record.
    pub publication: publication::Model,
    /// The draw that chose the check: its seed and how the seed was chosen.
    pub draw: Option<DrawBrief>,
    /// The hazards, in the order found; withdrawn ones left out.
    pub hazards: Vec<(hazard_item::Model, HazardStatus)>,
}

/// A reviewed task not published in time, raised against its plan's owner.
#[derive(Debug, Clone)]
pub struct OverduePublication {
    pub task_id: i64,
    /// The department owning the task's plan.
    pub department_id: i64,
    /// The task's region.
    pub region_code: String,
    /// The month of the deadline, `YYYY-MM`.
    pub period: String,
    /// When it is raised.
    pub raised_at: DateTime<Utc>,
}

//! The types the parts of the hazards capability share.

use chrono::NaiveDate;
use entities::{HazardGrade, HazardStatus, enterprise, hazard_item, hazard_step};

/// Filters for listing hazards; every one given must hold.
#[derive(Debug, Clone, Default)]
pub struct HazardFilter {
    /// Hazards of one enterprise.
    pub enterprise_id: Option<i64>,
    /// Hazards of enterprises in this region and below.
    pub region_code: Option<String>,
    /// Hazards shown with any of these statuses; none given lists every
    /// status but `withdrawn`.
    pub statuses: Vec<HazardStatus>,
    /// Hazards of this grade.
    pub grade: Option<HazardGrade>,
    /// Only overdue hazards (`true`) or only those that are not (`false`).
    pub overdue: Option<bool>,
    /// Deadline on or after this day.
    pub due_from: Option<NaiveDate>,
    /// Deadline on or before this day.
    pub due_to: Option<NaiveDate>,
}

/// A hazard with its enterprise and the status it is shown with today.
#[derive(Debug, Clone)]
pub struct HazardView {
    /// The stored hazard.
    pub hazard: hazard_item::Model,
    /// `overdue` for an open hazard past its deadline, else the stored status.
    pub status: HazardStatus,
    /// The enterprise whose list it is on.
    pub enterprise: enterprise::Model,
}

/// A step of a hazard's rectification and who took it.
#[derive(Debug, Clone)]
pub struct StepView {
    /// The stored step.
    pub step: hazard_step::Model,
    /// The username of the user who took it, if any.
    pub username: Option<String>,
}

/// A hazard with the history of its rectification, oldest first.
#[derive(Debug, Clone)]
pub struct HazardDetail {
    /// The hazard.
    pub view: HazardView,
    /// Its rectification steps.
    pub history: Vec<StepView>,
}

/// What a step records: the note, and for a rectification the day rectified.
#[derive(Debug, Clone, Default)]
pub struct StepInput {
    /// What was done, or why it is sent back; required to rectify and to
    /// send back, optional to verify.
    pub note: Option<String>,
    /// The day rectified (rectify only); today when not given.
    pub rectified_on: Option<NaiveDate>,
}

/// A hazard's new state after a step.
#[derive(Debug, Clone)]
pub struct StepRecord {
    /// The hazard stepped on.
    pub hazard_id: i64,
    /// The step.
    pub step: entities::HazardStep,
    /// The stored status it reaches.
    pub status: HazardStatus,
    /// The checked note, if any.
    pub note: Option<String>,
    /// The hazard's rectification day after the step.
    pub rectified_on: Option<NaiveDate>,
    /// Who took it.
    pub user_id: Option<i64>,
}

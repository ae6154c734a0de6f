//! What self-assessments are filed with and read as.

use entities::{AssessmentStatus, SubjectKind, self_assessment, self_assessment_item};

use crate::domain::{Period, RegionCode};

/// The points given one indicator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ItemInput {
    /// An indicator of the assessment's set.
    pub indicator_id: i64,
    /// 0 to the indicator's maximum.
    pub points: f64,
}

/// A new self-assessment.
#[derive(Debug, Clone)]
pub struct AssessmentInput {
    /// `2026`, `2026Q4` or `2026-11`.
    pub period: String,
    /// The indicator set assessed against (its current version).
    pub indicator_set_id: i64,
    /// The department assessed; defaults to the caller's.
    pub department_id: Option<i64>,
    /// An enterprise in the caller's jurisdiction, assessed instead of a department.
    pub enterprise_id: Option<i64>,
    /// Points per indicator.
    pub items: Vec<ItemInput>,
}

/// A self-assessment with its items.
#[derive(Debug, Clone)]
pub struct AssessmentView {
    /// The stored assessment.
    pub assessment: self_assessment::Model,
    /// Its items, by indicator.
    pub items: Vec<self_assessment_item::Model>,
    /// The data-security percentage its items give, if it has any such items.
    pub data_security: Option<f64>,
}

/// Filters for listing self-assessments.
#[derive(Debug, Clone, Default)]
pub struct AssessmentFilter {
    /// Exactly this period.
    pub period: Option<Period>,
    /// Lifecycle state.
    pub status: Option<AssessmentStatus>,
    /// Departments or enterprises.
    pub subject_kind: Option<SubjectKind>,
}

/// Whom an assessment is about.
#[derive(Debug, Clone)]
pub struct AssessedSubject {
    pub kind: SubjectKind,
    /// Set when a department is assessed.
    pub department_id: Option<i64>,
    /// Set when an enterprise is assessed.
    pub enterprise_id: Option<i64>,
    /// `None` for a national department.
    pub region_code: Option<RegionCode>,
}

/// A new assessment, checked: whom, for which period, against which set.
#[derive(Debug, Clone)]
pub struct NewAssessment {
    pub subject: AssessedSubject,
    pub period: Period,
    pub indicator_set_id: i64,
}

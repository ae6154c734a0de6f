//! What indicator sets are created with and read as.

use entities::{IndicatorCategory, IndicatorSetStatus, SubjectKind, indicator, indicator_set};

/// One indicator to add.
#[derive(Debug, Clone)]
pub struct IndicatorInput {
    /// Code within the set, such as `DS-01`.
    pub code: String,
    /// What is checked.
    pub name: String,
    /// The laws and standards that require it.
    pub legal_basis: String,
    /// What it measures.
    pub category: IndicatorCategory,
    /// Points available.
    pub max_points: f64,
    /// Weight in the weighted percentage.
    pub weight: f64,
    /// Enterprises or departments.
    pub applies_to: SubjectKind,
}

/// A new set, or a new version of an existing code.
#[derive(Debug, Clone)]
pub struct IndicatorSetInput {
    /// The set's code; a code already used makes a new version of it.
    pub code: String,
    /// Name, such as 数据安全检查指标（2026版）.
    pub name: String,
    /// Its indicators.
    pub indicators: Vec<IndicatorInput>,
}

/// A set with its indicators.
#[derive(Debug, Clone)]
pub struct SetView {
    /// The stored set.
    pub set: indicator_set::Model,
    /// Its indicators, by code.
    pub indicators: Vec<indicator::Model>,
    /// Whether a plan, self-assessment or finding uses it (then it cannot change).
    pub in_use: bool,
}

/// Filters for listing sets.
#[derive(Debug, Clone, Default)]
pub struct SetFilter {
    /// All versions of one code.
    pub code: Option<String>,
    /// Lifecycle state.
    pub status: Option<IndicatorSetStatus>,
}

//! A plan's settings as the rest of the app reads them.

use std::collections::BTreeMap;

use entities::{Industry, PlanStatus, RiskLevel, SubjectKind, check_plan};
use serde::{Deserialize, Serialize};

/// Strata of enterprise plans: risk levels.
pub const ENTERPRISE_STRATA: &[&str] = &["major", "high", "moderate", "low"];
/// Strata of department plans: region levels.
pub const DEPARTMENT_STRATA: &[&str] = &["province", "city", "county"];

/// Every setting of a plan, as stored and as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanSpec {
    /// Name, such as 2026年第四季度危险化学品企业双随机抽查.
    pub name: String,
    /// Enterprises or departments.
    pub target_kind: SubjectKind,
    /// Region codes or code prefixes (2, 4 or 6 digits); empty is the owner's whole scope.
    pub region_prefixes: Vec<String>,
    /// Industries drawn from; empty is all (enterprise plans).
    pub industries: Vec<Industry>,
    /// Risk levels drawn from; empty is all (enterprise plans).
    pub risk_levels: Vec<RiskLevel>,
    /// Only key-supervision targets.
    pub key_only: bool,
    /// Sampling ratio per stratum, 0 to 1.
    pub ratios: BTreeMap<String, f64>,
    /// At least this many per stratum (capped at the stratum's size).
    pub min_per_stratum: i32,
    /// Key-supervision targets are all drawn.
    pub key_all: bool,
    /// Share of each stratum's sample drawn uniformly, ignoring weights.
    pub uniform_share: f64,
    /// Participating departments of a joint check (联合抽查).
    pub department_ids: Vec<i64>,
    /// Inspectors per task.
    pub inspectors_per_task: i32,
    /// Only inspectors qualified for the target's industry.
    pub require_qualification: bool,
    /// Targets checked within this many days are skipped.
    pub cooldown_days: i32,
    /// Six-field cron expression (seconds first), in China Standard Time; none for manual draws only.
    pub cron: Option<String>,
    /// Tasks are due this many days after the draw.
    pub due_days: i32,
    /// The indicator set findings are recorded against.
    pub indicator_set_id: Option<i64>,
    /// Lifecycle.
    pub status: PlanStatus,
}

impl Default for PlanSpec {
    fn default() -> Self {
        Self {
            name: String::new(),
            target_kind: SubjectKind::Enterprise,
            region_prefixes: Vec::new(),
            industries: Vec::new(),
            risk_levels: Vec::new(),
            key_only: false,
            ratios: BTreeMap::new(),
            min_per_stratum: 0,
            key_all: false,
            uniform_share: 0.2,
            department_ids: Vec::new(),
            inspectors_per_task: 2,
            require_qualification: true,
            cooldown_days: 0,
            cron: None,
            due_days: 30,
            indicator_set_id: None,
            status: PlanStatus::Draft,
        }
    }
}

/// Reads the settings of a stored plan.
#[must_use]
pub fn spec_of(plan: &check_plan::Model) -> PlanSpec {
    fn list<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Vec<T> {
        serde_json::from_value(value.clone()).unwrap_or_default()
    }
    PlanSpec {
        name: plan.name.clone(),
        target_kind: plan.target_kind,
        region_prefixes: list(&plan.region_prefixes),
        industries: list(&plan.industries),
        risk_levels: list(&plan.risk_levels),
        key_only: plan.key_only,
        ratios: serde_json::from_value(plan.ratios.clone()).unwrap_or_default(),
        min_per_stratum: plan.min_per_stratum,
        key_all: plan.key_all,
        uniform_share: plan.uniform_share,
        department_ids: list(&plan.department_ids),
        inspectors_per_task: plan.inspectors_per_task,
        require_qualification: plan.require_qualification,
        cooldown_days: plan.cooldown_days,
        cron: plan.cron.clone(),
        due_days: plan.due_days,
        indicator_set_id: plan.indicator_set_id,
        status: plan.status,
    }
}

/// Filters for listing plans.
#[derive(Debug, Clone, Default)]
pub struct PlanFilter {
    /// Lifecycle state.
    pub status: Option<PlanStatus>,
    /// Enterprises or departments.
    pub target_kind: Option<SubjectKind>,
}

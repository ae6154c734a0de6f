//! The incidents and reports departments file, and what callers read of them.

use chrono::{DateTime, Utc};
use entities::{IncidentKind, ReportStage, Severity, incident, incident_report};

use crate::domain::{Period, reporting::Verdict};

/// A new incident.
#[derive(Debug, Clone)]
pub struct IncidentInput {
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Accident or natural disaster.
    pub kind: IncidentKind,
    /// Where it happened.
    pub region_code: String,
    /// Deaths (including missing presumed dead).
    pub deaths: i32,
    /// Serious injuries.
    pub serious_injuries: i32,
    /// Direct economic loss in yuan.
    pub economic_loss_yuan: i64,
    /// The severity the department states.
    pub stated_severity: Option<Severity>,
    /// What happened.
    pub summary: String,
    /// The reporting department; defaults to the caller's.
    pub department_id: Option<i64>,
}

/// A report in an incident's chain.
#[derive(Debug, Clone)]
pub struct ReportInput {
    /// 初报, 续报 or 终报.
    pub stage: ReportStage,
    /// When it was filed; now if absent.
    pub reported_at: Option<DateTime<Utc>>,
    /// Whether it went directly to the ministry (直报).
    pub direct: bool,
    /// Deaths, if this report gives or changes them.
    pub deaths: Option<i32>,
    /// Serious injuries, if given or changed.
    pub serious_injuries: Option<i32>,
    /// Direct economic loss in yuan, if given or changed.
    pub economic_loss_yuan: Option<i64>,
    /// What is known now.
    pub summary: Option<String>,
}

/// An incident with its reports and the verdict on them as of now.
#[derive(Debug, Clone)]
pub struct IncidentView {
    /// The stored incident.
    pub incident: incident::Model,
    /// Its reports, in order.
    pub reports: Vec<incident_report::Model>,
    /// Deadlines, points and flags.
    pub verdict: Verdict,
}

/// Filters for listing incidents.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    /// Incidents that occurred in this period (China time).
    pub period: Option<Period>,
    /// Derived severity.
    pub severity: Option<Severity>,
    /// The reporting department.
    pub department_id: Option<i64>,
    /// Region code or prefix.
    pub region_code: Option<String>,
}

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
    /// The initial report (初报), filed with the incident in one step.
    pub initial_report: Option<InitialReportInput>,
}

/// The initial report filed together with its incident: the incident's
/// figures and stated severity, filed now.
#[derive(Debug, Clone, Default)]
pub struct InitialReportInput {
    /// Whether it went directly to the ministry (直报).
    pub direct: bool,
    /// What is known now; the incident's summary if absent.
    pub summary: Option<String>,
}

/// A report in an incident's chain.
#[derive(Debug, Clone)]
pub struct ReportInput {
    /// 初报, 续报 or 终报.
    pub stage: ReportStage,
    /// When it was filed: never given on the ordinary path (the server's
    /// time of receipt is), required on a backfill (补录).
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
    /// The severity the report states, if it states one.
    pub stated_severity: Option<Severity>,
}

/// A report first filed on paper or by phone, entered afterwards (补录).
#[derive(Debug, Clone)]
pub struct BackfillInput {
    /// The report, with the time it claims to have been filed.
    pub report: ReportInput,
    /// Why it is entered afterwards.
    pub reason: String,
    /// Where the original can be found: document number, file, call record.
    pub evidence: String,
}

/// An incident with its reports and the verdict on them as of now.
#[derive(Debug, Clone)]
pub struct IncidentView {
    /// The stored incident.
    pub incident: incident::Model,
    /// Its reports, in order.
    pub reports: Vec<ReportView>,
    /// Deadlines, points and flags.
    pub verdict: Verdict,
}

impl IncidentView {
    /// The severity the department stated last: in its latest report that
    /// states one, else when it reported the incident.
    #[must_use]
    pub fn stated_severity(&self) -> Option<Severity> {
        self.reports
            .iter()
            .rev()
            .find_map(|r| r.report.stated_severity)
            .or(self.incident.stated_severity)
    }
}

/// A stored report and how the rules take it.
#[derive(Debug, Clone)]
pub struct ReportView {
    /// The stored report.
    pub report: incident_report::Model,
    /// When the timeliness rules count it as filed.
    pub counted_at: DateTime<Utc>,
    /// Whether it states a severity below what its figures call for.
    pub understated: bool,
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

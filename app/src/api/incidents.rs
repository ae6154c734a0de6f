//! `/incidents`: disaster and accident reporting (灾害事故信息报送).

use entities::{AccountabilityReason, IncidentKind, ReportStage, Severity};
use poem::web::Data;
use poem_openapi::{
    Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
    types::ParseResult,
};

use super::{ApiTags, BearerAuth, Created, ListPage, china_time, page, period_filter};
use crate::{
    domain::{
        china_time::ChinaTime,
        reporting::{Deadline, Duty, DutyStatus},
    },
    service::incidents::{
        self, BackfillInput, IncidentFilter, IncidentInput, IncidentView, InitialReportInput,
        ReportInput, ReportView,
    },
    state::AppState,
};

/// One report in an incident's chain.
#[derive(Object)]
pub struct IncidentReport {
    /// Id.
    pub id: i64,
    /// `initial` (初报), `follow_up` (续报) or `final` (终报).
    pub stage: ReportStage,
    /// When it was filed: when the server received it, or for a backfill (补录)
    /// the time it claims.
    pub reported_at: ChinaTime,
    /// When the timeliness rules count it as filed: `reported_at`, except for a
    /// backfill entered more than `backfill_grace_hours` after it, counted
    /// when it was entered.
    pub counted_at: ChinaTime,
    /// Went directly to the ministry (直报).
    pub direct: bool,
    /// Deaths, if given.
    pub deaths: Option<i32>,
    /// Serious injuries, if given.
    pub serious_injuries: Option<i32>,
    /// Direct economic loss in yuan, if given.
    pub economic_loss_yuan: Option<i64>,
    /// Summary, if given.
    pub summary: Option<String>,
    /// The severity this report states, if it states one.
    pub stated_severity: Option<Severity>,
    /// The severity the figures known when it was filed call for.
    pub derived_severity: Severity,
    /// It states a severity below `derived_severity` (等级报低).
    pub understated: bool,
    /// Entered afterwards (补录) for a report first filed on paper or by phone.
    pub backfilled: bool,
    /// Why it was entered afterwards (backfills only).
    pub backfill_reason: Option<String>,
    /// Where its original is (backfills only).
    pub backfill_evidence: Option<String>,
    /// When it was entered into the system.
    pub created_at: ChinaTime,
}

impl From<ReportView> for IncidentReport {
    fn from(v: ReportView) -> Self {
        let m = v.report;
        Self {
            id: m.id,
            stage: m.stage,
            reported_at: m.reported_at.into(),
            counted_at: v.counted_at.into(),
            direct: m.direct,
            deaths: m.deaths,
            serious_injuries: m.serious_injuries,
            economic_loss_yuan: m.economic_loss_yuan,
            summary: m.summary,
            stated_severity: m.stated_severity,
            derived_severity: m.derived_severity,
            understated: v.understated,
            backfilled: m.backfilled,
            backfill_reason: m.backfill_reason,
            backfill_evidence: m.backfill_evidence,
            created_at: m.created_at.into(),
        }
    }
}

/// A reporting duty.
#[derive(Enum, Clone, Copy)]
#[oai(rename_all = "snake_case")]
#[expect(
    clippy::enum_variant_names,
    reason = "the wire names are initial_report, direct_report and final_report"
)]
pub enum ReportingDuty {
    /// The initial report (初报).
    InitialReport,
    /// The initial report sent directly to the ministry (直报).
    DirectReport,
    /// The final report (终报).
    FinalReport,
}

/// Where a duty stands.
#[derive(Enum, Clone, Copy)]
#[oai(rename_all = "snake_case")]
pub enum DutyState {
    /// Done by its deadline.
    OnTime,
    /// Done after its deadline.
    Late,
    /// Still due; the deadline is ahead.
    Pending,
    /// Still due; the deadline has passed.
    Overdue,
    /// The initial report did not go direct; it can no longer be done.
    Missed,
    /// Not required of this incident.
    NotRequired,
}

/// One of an incident's deadlines and where it stands.
#[derive(Object)]
pub struct ReportDeadline {
    /// `initial_report`, `direct_report` or `final_report`.
    pub duty: ReportingDuty,
    /// When it is due, China time.
    pub due_at: ChinaTime,
    /// `on_time`, `late`, `pending`, `overdue`, `missed` or `not_required`.
    pub status: DutyState,
    /// Whether it is still to be done (`pending` or `overdue`).
    pub still_due: bool,
    /// The report that did it.
    pub report_id: Option<i64>,
}

impl From<Deadline> for ReportDeadline {
    fn from(d: Deadline) -> Self {
        Self {
            duty: match d.duty {
                Duty::Initial => ReportingDuty::InitialReport,
                Duty::Direct => ReportingDuty::DirectReport,
                Duty::Final => ReportingDuty::FinalReport,
            },
            due_at: d.due_at.into(),
            still_due: d.status.still_due(),
            status: match d.status {
                DutyStatus::OnTime => DutyState::OnTime,
                DutyStatus::Late => DutyState::Late,
                DutyStatus::Pending => DutyState::Pending,
                DutyStatus::Overdue => DutyState::Overdue,
                DutyStatus::Missed => DutyState::Missed,
                DutyStatus::NotRequired => DutyState::NotRequired,
            },
            report_id: d.report_id,
        }
    }
}

/// An incident with its reports and their timeliness as of now.
#[derive(Object)]
pub struct Incident {
    /// Id.
    pub id: i64,
    /// The reporting department.
    pub department_id: i64,
    /// Where it happened.
    pub region_code: String,
    /// When it happened.
    pub occurred_at: ChinaTime,
    /// `accident` or `natural_disaster`.
    pub kind: IncidentKind,
    /// Deaths, as last reported.
    pub deaths: i32,
    /// Serious injuries, as last reported.
    pub serious_injuries: i32,
    /// Direct economic loss in yuan, as last reported.
    pub economic_loss_yuan: i64,
    /// The severity the department last stated: in its latest report stating
    /// one, else when it reported the incident.
    pub stated_severity: Option<Severity>,
    /// The severity the figures call for; deadlines follow it.
    pub derived_severity: Severity,
    /// What happened.
    pub summary: String,
    /// The initial report's deadline.
    pub initial_due_at: ChinaTime,
    /// The final report's deadline.
    pub final_due_at: ChinaTime,
    /// Whether the initial report must go directly to the ministry (直报).
    pub direct_required: bool,
    /// Each deadline, China time, and what is still due.
    pub deadlines: Vec<ReportDeadline>,
    /// Reporting points out of 100 as of now.
    pub points: f64,
    /// Accountability reasons the reports raise as of now.
    pub flags: Vec<AccountabilityReason>,
    /// Its reports, in order.
    pub reports: Vec<IncidentReport>,
    /// Created.
    pub created_at: ChinaTime,
}

impl From<IncidentView> for Incident {
    fn from(v: IncidentView) -> Self {
        let stated_severity = v.stated_severity();
        let i = v.incident;
        Self {
            id: i.id,
            department_id: i.department_id,
            region_code: i.region_code,
            occurred_at: i.occurred_at.into(),
            kind: i.kind,
            deaths: i.deaths,
            serious_injuries: i.serious_injuries,
            economic_loss_yuan: i.economic_loss_yuan,
            stated_severity,
            derived_severity: i.derived_severity,
            summary: i.summary,
            initial_due_at: v.verdict.initial_due.into(),
            final_due_at: v.verdict.final_due.into(),
            direct_required: v.verdict.direct_required,
            deadlines: v
                .verdict
                .deadlines
                .into_iter()
                .map(ReportDeadline::from)
                .collect(),
            points: v.verdict.points,
            flags: v.verdict.flags.into_iter().map(|f| f.reason).collect(),
            reports: v.reports.into_iter().map(IncidentReport::from).collect(),
            created_at: i.created_at.into(),
        }
    }
}

/// The initial report filed with a new incident: its figures are the
/// incident's, and it states the incident's `stated_severity`.
#[derive(Object)]
pub struct InitialReportBody {
    /// Went directly to the ministry (直报).
    #[oai(default)]
    pub direct: bool,
    /// What is known now; the incident's summary if absent.
    pub summary: Option<String>,
}

/// `occurred_at` of a body, named in its error.
fn occurred_at(value: Option<serde_json::Value>) -> ParseResult<ChinaTime> {
    china_time::field("occurred_at", value)
}

/// `reported_at` of a body, named in its error.
fn reported_at(value: Option<serde_json::Value>) -> ParseResult<ChinaTime> {
    china_time::field("reported_at", value)
}

/// An optional `reported_at` of a body, named in its error.
fn optional_reported_at(value: Option<serde_json::Value>) -> ParseResult<Option<ChinaTime>> {
    china_time::optional_field("reported_at", value)
}

/// A new incident.
#[derive(Object)]
pub struct IncidentBody {
    /// When it happened.
    #[oai(deserialize_with = "occurred_at")]
    pub occurred_at: ChinaTime,
    /// `accident` or `natural_disaster`.
    pub kind: IncidentKind,
    /// Where it happened, in the reporting department's jurisdiction.
    pub region_code: String,
    /// Deaths.
    pub deaths: i32,
    /// Serious injuries.
    pub serious_injuries: i32,
    /// Direct economic loss in yuan.
    pub economic_loss_yuan: i64,
    /// The severity you state; a statement below what these figures call for
    /// is flagged (`severity_understated`).
    pub stated_severity: Option<Severity>,
    /// What happened.
    pub summary: String,
    /// The reporting department (admins only; departments report for themselves).
    pub department_id: Option<i64>,
    /// The initial report (初报), filed now with the incident.
    pub initial_report: Option<InitialReportBody>,
}

/// A report on an incident, filed now.
#[derive(Object)]
pub struct ReportBody {
    /// `initial`, then any `follow_up`, then `final`.
    pub stage: ReportStage,
    /// Not accepted (422): the filing time is when the server receives the
    /// report. A report first filed on paper or by phone is entered through
    /// `POST /api/v1/incidents/{id}/reports/backfill`.
    #[oai(deserialize_with = "optional_reported_at")]
    pub reported_at: Option<ChinaTime>,
    /// Went directly to the ministry (直报).
    #[oai(default)]
    pub direct: bool,
    /// Deaths, if given or changed.
    pub deaths: Option<i32>,
    /// Serious injuries, if given or changed.
    pub serious_injuries: Option<i32>,
    /// Direct economic loss in yuan, if given or changed.
    pub economic_loss_yuan: Option<i64>,
    /// Summary; an initial report is complete with all four.
    pub summary: Option<String>,
    /// The severity you state; a statement below what the figures known now
    /// call for is flagged (`severity_understated`).
    pub stated_severity: Option<Severity>,
}

impl From<ReportBody> for ReportInput {
    fn from(b: ReportBody) -> Self {
        Self {
            stage: b.stage,
            reported_at: b.reported_at.map(ChinaTime::utc),
            direct: b.direct,
            deaths: b.deaths,
            serious_injuries: b.serious_injuries,
            economic_loss_yuan: b.economic_loss_yuan,
            summary: b.summary,
            stated_severity: b.stated_severity,
        }
    }
}

/// A report first filed on paper or by phone, entered afterwards (补录).
#[derive(Object)]
pub struct BackfillBody {
    /// `initial`, then any `follow_up`, then `final`.
    pub stage: ReportStage,
    /// When it was first filed: not in the future, not before the incident
    /// nor before the previous report.
    #[oai(deserialize_with = "reported_at")]
    pub reported_at: ChinaTime,
    /// Went directly to the ministry (直报).
    #[oai(default)]
    pub direct: bool,
    /// Deaths, if given or changed.
    pub deaths: Option<i32>,
    /// Serious injuries, if given or changed.
    pub serious_injuries: Option<i32>,
    /// Direct economic loss in yuan, if given or changed.
    pub economic_loss_yuan: Option<i64>,
    /// Summary; an initial report is complete with all four.
    pub summary: Option<String>,
    /// The severity the report states, if it states one.
    pub stated_severity: Option<Severity>,
    /// Why it is entered afterwards.
    pub reason: String,
    /// Where the original can be found: document number, file, call record.
    pub evidence: String,
}

/// Incidents.
pub struct IncidentsApi;

#[OpenApi(tag = "ApiTags::Incidents")]
impl IncidentsApi {
    /// Report an incident
    ///
    /// By department users for their department; severity is derived from the
    /// figures. With `initial_report`, its initial report is filed in the same step.
    #[oai(path = "/incidents", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<IncidentBody>,
    ) -> poem::Result<Created<Incident>> {
        let b = body.0;
        let input = IncidentInput {
            occurred_at: b.occurred_at.utc(),
            kind: b.kind,
            region_code: b.region_code,
            deaths: b.deaths,
            serious_injuries: b.serious_injuries,
            economic_loss_yuan: b.economic_loss_yuan,
            stated_severity: b.stated_severity,
            summary: b.summary,
            department_id: b.department_id,
            initial_report: b.initial_report.map(|r| InitialReportInput {
                direct: r.direct,
                summary: r.summary,
            }),
        };
        let deadlines = state.policy.reporting.deadlines();
        let view = incidents::create(&state.db, &auth.0.actor, input, &deadlines).await?;
        Ok(Created::Created(Json(view.into())))
    }

    /// List incidents
    ///
    /// Departments see their own; supervisors and leaders their jurisdiction.
    #[oai(path = "/incidents", method = "get")]
    #[expect(clippy::too_many_arguments, reason = "one parameter per query field")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        period: Query<Option<String>>,
        severity: Query<Option<Severity>>,
        department_id: Query<Option<i64>>,
        region_code: Query<Option<String>>,
        #[oai(name = "page")] number: Query<Option<u64>>,
        page_size: Query<Option<u64>>,
    ) -> poem::Result<Json<ListPage<Incident>>> {
        let filter = IncidentFilter {
            period: period_filter(period.0)?,
            severity: severity.0,
            department_id: department_id.0,
            region_code: region_code.0,
        };
        let deadlines = state.policy.reporting.deadlines();
        let paged = incidents::list(
            &state.db,
            &auth.0.actor,
            &filter,
            page(number.0, page_size.0)?,
            &deadlines,
        )
        .await?;
        Ok(ListPage::from_paged(paged, Incident::from))
    }

    /// Get an incident
    #[oai(path = "/incidents/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Incident>> {
        let deadlines = state.policy.reporting.deadlines();
        let view = incidents::get(&state.db, &auth.0.actor, id.0, &deadlines).await?;
        Ok(Json(view.into()))
    }

    /// File a report on an incident
    ///
    /// `initial` → `follow_up`* → `final`, by the reporting department, filed as
    /// the server receives it (`reported_at` is refused: see the backfill);
    /// figures given replace the incident's and its severity is derived again.
    #[oai(path = "/incidents/:id/reports", method = "post")]
    async fn add_report(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<ReportBody>,
    ) -> poem::Result<Created<Incident>> {
        let deadlines = state.policy.reporting.deadlines();
        let view = incidents::add_report(&state.db, &auth.0.actor, id.0, body.0.into(), &deadlines)
            .await?;
        Ok(Created::Created(Json(view.into())))
    }

    /// Enter a report filed on paper or by phone (补录)
    ///
    /// Admins and national supervisors, with the time it was first filed, why
    /// it is entered afterwards and where the original is. Marked `backfilled`
    /// wherever it appears; it counts at its claimed time only when entered
    /// within `backfill_grace_hours` (24) of it, else when entered. Audited.
    #[oai(path = "/incidents/:id/reports/backfill", method = "post")]
    async fn backfill(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<BackfillBody>,
    ) -> poem::Result<Created<Incident>> {
        let b = body.0;
        let input = BackfillInput {
            report: ReportInput {
                stage: b.stage,
                reported_at: Some(b.reported_at.utc()),
                direct: b.direct,
                deaths: b.deaths,
                serious_injuries: b.serious_injuries,
                economic_loss_yuan: b.economic_loss_yuan,
                summary: b.summary,
                stated_severity: b.stated_severity,
            },
            reason: b.reason,
            evidence: b.evidence,
        };
        let deadlines = state.policy.reporting.deadlines();
        let view = incidents::backfill(&state.db, &auth.0.actor, id.0, input, &deadlines).await?;
        Ok(Created::Created(Json(view.into())))
    }
}

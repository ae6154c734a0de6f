//! `/incidents`: disaster and accident reporting (灾害事故信息报送).

use chrono::{DateTime, Utc};
use entities::{AccountabilityReason, IncidentKind, ReportStage, Severity, incident_report};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{ApiTags, BearerAuth, Created, ListPage, page, period_filter};
use crate::{
    service::incidents::{self, IncidentFilter, IncidentInput, IncidentView, ReportInput},
    state::AppState,
};

/// One report in an incident's chain.
#[derive(Object)]
pub struct IncidentReport {
    /// Id.
    pub id: i64,
    /// `initial` (初报), `follow_up` (续报) or `final` (终报).
    pub stage: ReportStage,
    /// When it was filed.
    pub reported_at: DateTime<Utc>,
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
    /// Recorded.
    pub created_at: DateTime<Utc>,
}

impl From<incident_report::Model> for IncidentReport {
    fn from(m: incident_report::Model) -> Self {
        Self {
            id: m.id,
            stage: m.stage,
            reported_at: m.reported_at,
            direct: m.direct,
            deaths: m.deaths,
            serious_injuries: m.serious_injuries,
            economic_loss_yuan: m.economic_loss_yuan,
            summary: m.summary,
            created_at: m.created_at,
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
    pub occurred_at: DateTime<Utc>,
    /// `accident` or `natural_disaster`.
    pub kind: IncidentKind,
    /// Deaths, as last reported.
    pub deaths: i32,
    /// Serious injuries, as last reported.
    pub serious_injuries: i32,
    /// Direct economic loss in yuan, as last reported.
    pub economic_loss_yuan: i64,
    /// The severity the department stated.
    pub stated_severity: Option<Severity>,
    /// The severity the figures call for; deadlines follow it.
    pub derived_severity: Severity,
    /// What happened.
    pub summary: String,
    /// The initial report's deadline.
    pub initial_due_at: DateTime<Utc>,
    /// The final report's deadline.
    pub final_due_at: DateTime<Utc>,
    /// Whether the initial report must go directly to the ministry (直报).
    pub direct_required: bool,
    /// Reporting points out of 100 as of now.
    pub points: f64,
    /// Accountability reasons the reports raise as of now.
    pub flags: Vec<AccountabilityReason>,
    /// Its reports, in order.
    pub reports: Vec<IncidentReport>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl From<IncidentView> for Incident {
    fn from(v: IncidentView) -> Self {
        let i = v.incident;
        Self {
            id: i.id,
            department_id: i.department_id,
            region_code: i.region_code,
            occurred_at: i.occurred_at,
            kind: i.kind,
            deaths: i.deaths,
            serious_injuries: i.serious_injuries,
            economic_loss_yuan: i.economic_loss_yuan,
            stated_severity: i.stated_severity,
            derived_severity: i.derived_severity,
            summary: i.summary,
            initial_due_at: v.verdict.initial_due,
            final_due_at: v.verdict.final_due,
            direct_required: v.verdict.direct_required,
            points: v.verdict.points,
            flags: v.verdict.flags.into_iter().map(|(r, _)| r).collect(),
            reports: v.reports.into_iter().map(IncidentReport::from).collect(),
            created_at: i.created_at,
        }
    }
}

/// A new incident.
#[derive(Object)]
pub struct IncidentBody {
    /// When it happened (RFC 3339).
    pub occurred_at: DateTime<Utc>,
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
    /// The severity you state; a statement below the derived one is flagged.
    pub stated_severity: Option<Severity>,
    /// What happened.
    pub summary: String,
    /// The reporting department (admins only; departments report for themselves).
    pub department_id: Option<i64>,
}

/// A report on an incident.
#[derive(Object)]
pub struct ReportBody {
    /// `initial`, then any `follow_up`, then `final`.
    pub stage: ReportStage,
    /// When it was filed; now if absent.
    pub reported_at: Option<DateTime<Utc>>,
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
}

/// Incidents.
pub struct IncidentsApi;

#[OpenApi(tag = "ApiTags::Incidents")]
impl IncidentsApi {
    /// Report an incident
    ///
    /// By department users for their department; severity is derived from the figures.
    #[oai(path = "/incidents", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<IncidentBody>,
    ) -> poem::Result<Created<Incident>> {
        let b = body.0;
        let input = IncidentInput {
            occurred_at: b.occurred_at,
            kind: b.kind,
            region_code: b.region_code,
            deaths: b.deaths,
            serious_injuries: b.serious_injuries,
            economic_loss_yuan: b.economic_loss_yuan,
            stated_severity: b.stated_severity,
            summary: b.summary,
            department_id: b.department_id,
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
    /// `initial` → `follow_up`* → `final`, by the reporting department; figures
    /// given replace the incident's and its severity is derived again.
    #[oai(path = "/incidents/:id/reports", method = "post")]
    async fn add_report(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<ReportBody>,
    ) -> poem::Result<Created<Incident>> {
        let b = body.0;
        let input = ReportInput {
            stage: b.stage,
            reported_at: b.reported_at,
            direct: b.direct,
            deaths: b.deaths,
            serious_injuries: b.serious_injuries,
            economic_loss_yuan: b.economic_loss_yuan,
            summary: b.summary,
        };
        let deadlines = state.policy.reporting.deadlines();
        let view = incidents::add_report(&state.db, &auth.0.actor, id.0, input, &deadlines).await?;
        Ok(Created::Created(Json(view.into())))
    }
}

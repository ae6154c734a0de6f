//! Every statement about incidents and their reports.

use chrono::{DateTime, Duration, Utc};
use entities::{IncidentKind, ReportStage, Severity, incident, incident_report};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    FromQueryResult, IntoActiveModel as _, PaginatorTrait as _, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait as _, Select,
};

use super::model::IncidentFilter;
use crate::{
    domain::{
        Period, RegionCode,
        region_code::prefix_of,
        reporting::{IncidentFacts, ReportFacts, is_complete},
    },
    error::AppResult,
    service::{Actor, Page, Paged},
};

/// What the reporting rules need of an incident.
#[derive(Debug, Clone, FromQueryResult)]
pub struct IncidentRow {
    pub id: i64,
    /// The reporting department.
    pub department_id: i64,
    pub region_code: String,
    pub occurred_at: DateTime<Utc>,
    pub stated_severity: Option<Severity>,
    pub derived_severity: Severity,
    pub derived_severity_at_creation: Severity,
}

impl IncidentRow {
    /// The incident as the reporting rules take it.
    #[must_use]
    pub fn facts(&self) -> IncidentFacts {
        IncidentFacts {
            occurred_at: self.occurred_at,
            derived: self.derived_severity,
            stated: self.stated_severity,
            derived_at_creation: self.derived_severity_at_creation,
        }
    }
}

impl From<&incident::Model> for IncidentRow {
    fn from(m: &incident::Model) -> Self {
        Self {
            id: m.id,
            department_id: m.department_id,
            region_code: m.region_code.clone(),
            occurred_at: m.occurred_at,
            stated_severity: m.stated_severity,
            derived_severity: m.derived_severity,
            derived_severity_at_creation: m.derived_severity_at_creation,
        }
    }
}

/// What the reporting rules need of a report.
#[derive(Debug, Clone, FromQueryResult)]
pub struct ReportRow {
    pub id: i64,
    pub incident_id: i64,
    pub stage: ReportStage,
    pub reported_at: DateTime<Utc>,
    /// When it was entered.
    pub created_at: DateTime<Utc>,
    /// 补录.
    pub backfilled: bool,
    /// 直报.
    pub direct: bool,
    pub deaths: Option<i32>,
    pub serious_injuries: Option<i32>,
    pub economic_loss_yuan: Option<i64>,
    pub summary: Option<String>,
    pub stated_severity: Option<Severity>,
    pub derived_severity: Severity,
}

impl ReportRow {
    /// The report as the reporting rules take it.
    #[must_use]
    pub fn facts(&self) -> ReportFacts {
        ReportFacts {
            id: self.id,
            stage: self.stage,
            reported_at: self.reported_at,
            entered_at: self.created_at,
            backfilled: self.backfilled,
            direct: self.direct,
            complete: is_complete(
                self.deaths,
                self.serious_injuries,
                self.economic_loss_yuan,
                self.summary.as_deref(),
            ),
            stated: self.stated_severity,
            derived: self.derived_severity,
        }
    }
}

impl From<&incident_report::Model> for ReportRow {
    fn from(m: &incident_report::Model) -> Self {
        Self {
            id: m.id,
            incident_id: m.incident_id,
            stage: m.stage,
            reported_at: m.reported_at,
            created_at: m.created_at,
            backfilled: m.backfilled,
            direct: m.direct,
            deaths: m.deaths,
            serious_injuries: m.serious_injuries,
            economic_loss_yuan: m.economic_loss_yuan,
            summary: m.summary.clone(),
            stated_severity: m.stated_severity,
            derived_severity: m.derived_severity,
        }
    }
}

/// Incidents that occurred in the period, or whose final deadline may fall in
/// it, with their reports.
///
/// # Errors
/// When the database fails.
pub async fn of_period<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    final_days: i64,
) -> AppResult<(Vec<IncidentRow>, Vec<ReportRow>)> {
    let from: DateTime<Utc> = period.start() - Duration::days(final_days.saturating_add(1));
    let window = incident::Entity::find()
        .filter(incident::Column::OccurredAt.gte(from))
        .filter(incident::Column::OccurredAt.lt(period.end()));
    let ids = window
        .clone()
        .select_only()
        .column(incident::Column::Id)
        .into_query();
    let incidents = window
        .select_only()
        .columns([
            incident::Column::Id,
            incident::Column::DepartmentId,
            incident::Column::RegionCode,
            incident::Column::OccurredAt,
            incident::Column::StatedSeverity,
            incident::Column::DerivedSeverity,
            incident::Column::DerivedSeverityAtCreation,
        ])
        .order_by_asc(incident::Column::Id)
        .into_model::<IncidentRow>()
        .all(db)
        .await?;
    let reports = incident_report::Entity::find()
        .select_only()
        .columns([
            incident_report::Column::Id,
            incident_report::Column::IncidentId,
            incident_report::Column::Stage,
            incident_report::Column::ReportedAt,
            incident_report::Column::CreatedAt,
            incident_report::Column::Backfilled,
            incident_report::Column::Direct,
            incident_report::Column::Deaths,
            incident_report::Column::SeriousInjuries,
            incident_report::Column::EconomicLossYuan,
            incident_report::Column::Summary,
            incident_report::Column::StatedSeverity,
            incident_report::Column::DerivedSeverity,
        ])
        .filter(incident_report::Column::IncidentId.in_subquery(ids))
        .order_by_asc(incident_report::Column::Id)
        .into_model::<ReportRow>()
        .all(db)
        .await?;
    Ok((incidents, reports))
}

/// An incident to store, checked.
#[derive(Debug, Clone)]
pub struct NewIncident {
    pub department_id: i64,
    pub region_code: RegionCode,
    pub occurred_at: DateTime<Utc>,
    pub kind: IncidentKind,
    pub deaths: i32,
    pub serious_injuries: i32,
    pub economic_loss_yuan: i64,
    pub stated_severity: Option<Severity>,
    pub derived_severity: Severity,
    pub summary: String,
    /// The user reporting it.
    pub created_by: Option<i64>,
}

/// Stores an incident.
///
/// # Errors
/// When the database fails.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    new: NewIncident,
    now: DateTime<Utc>,
) -> AppResult<incident::Model> {
    Ok(incident::ActiveModel {
        department_id: Set(new.department_id),
        region_code: Set(new.region_code.to_string()),
        occurred_at: Set(new.occurred_at),
        kind: Set(new.kind),
        deaths: Set(new.deaths),
        serious_injuries: Set(new.serious_injuries),
        economic_loss_yuan: Set(new.economic_loss_yuan),
        stated_severity: Set(new.stated_severity),
        derived_severity: Set(new.derived_severity),
        derived_severity_at_creation: Set(new.derived_severity),
        summary: Set(new.summary),
        created_by: Set(new.created_by),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Whose incidents a caller sees.
pub enum Visible<'a> {
    /// Those one department reported.
    ReportedBy(i64),
    /// Those in the caller's region.
    InScope(&'a Actor),
}

fn visible(which: &Visible<'_>) -> Select<incident::Entity> {
    let query = incident::Entity::find();
    match which {
        Visible::ReportedBy(id) => query.filter(incident::Column::DepartmentId.eq(*id)),
        Visible::InScope(actor) => {
            query.filter(actor.scope_condition(incident::Column::RegionCode))
        }
    }
}

/// One incident among those visible.
///
/// # Errors
/// When the database fails.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    which: &Visible<'_>,
    id: i64,
) -> AppResult<Option<incident::Model>> {
    Ok(visible(which)
        .filter(incident::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// A page of the visible incidents the filter lets through, latest first.
///
/// # Errors
/// When the database fails.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    which: &Visible<'_>,
    filter: &IncidentFilter,
    page: Page,
) -> AppResult<Paged<incident::Model>> {
    let mut query = visible(which);
    if let Some(period) = filter.period {
        query = query
            .filter(incident::Column::OccurredAt.gte(period.start()))
            .filter(incident::Column::OccurredAt.lt(period.end()));
    }
    if let Some(severity) = filter.severity {
        query = query.filter(incident::Column::DerivedSeverity.eq(severity));
    }
    if let Some(department) = filter.department_id {
        query = query.filter(incident::Column::DepartmentId.eq(department));
    }
    if let Some(region) = filter.region_code.as_deref().map(str::trim) {
        query = query.filter(incident::Column::RegionCode.starts_with(prefix_of(region)));
    }
    let total = query.clone().count(db).await?;
    let incidents = query
        .order_by_desc(incident::Column::OccurredAt)
        .order_by_desc(incident::Column::Id)
        .offset(page.offset())
        .limit(page.size)
        .all(db)
        .await?;
    Ok(Paged::new(incidents, total, page))
}

/// The reports of these incidents, in the order they were filed.
///
/// # Errors
/// When the database fails.
pub async fn reports_of<C: ConnectionTrait>(
    db: &C,
    ids: Vec<i64>,
) -> AppResult<Vec<incident_report::Model>> {
    Ok(incident_report::Entity::find()
        .filter(incident_report::Column::IncidentId.is_in(ids))
        .order_by_asc(incident_report::Column::ReportedAt)
        .order_by_asc(incident_report::Column::Id)
        .all(db)
        .await?)
}

/// The stages of the reports already filed on an incident.
///
/// # Errors
/// When the database fails.
pub async fn filed_stages<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Vec<ReportStage>> {
    Ok(incident_report::Entity::find()
        .filter(incident_report::Column::IncidentId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.stage)
        .collect())
}

/// A report to store, checked.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub incident_id: i64,
    pub stage: ReportStage,
    pub reported_at: DateTime<Utc>,
    pub direct: bool,
    pub deaths: Option<i32>,
    pub serious_injuries: Option<i32>,
    pub economic_loss_yuan: Option<i64>,
    pub summary: Option<String>,
    pub stated_severity: Option<Severity>,
    /// What the figures known once it is filed call for.
    pub derived_severity: Severity,
    /// Why and on what evidence it is entered afterwards (补录), if it is.
    pub backfill: Option<Backfill>,
    /// The user filing it.
    pub created_by: Option<i64>,
}

/// Why a report is entered afterwards, and where its original is.
#[derive(Debug, Clone)]
pub struct Backfill {
    pub reason: String,
    pub evidence: String,
}

/// Stores a report.
///
/// # Errors
/// When the database fails.
pub async fn insert_report<C: ConnectionTrait>(
    db: &C,
    new: NewReport,
    now: DateTime<Utc>,
) -> AppResult<incident_report::Model> {
    Ok(incident_report::ActiveModel {
        incident_id: Set(new.incident_id),
        stage: Set(new.stage),
        reported_at: Set(new.reported_at),
        direct: Set(new.direct),
        deaths: Set(new.deaths),
        serious_injuries: Set(new.serious_injuries),
        economic_loss_yuan: Set(new.economic_loss_yuan),
        summary: Set(new.summary),
        stated_severity: Set(new.stated_severity),
        derived_severity: Set(new.derived_severity),
        backfilled: Set(new.backfill.is_some()),
        backfill_reason: Set(new.backfill.as_ref().map(|b| b.reason.clone())),
        backfill_evidence: Set(new.backfill.map(|b| b.evidence)),
        created_by: Set(new.created_by),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// An incident's current figures and the severity they give.
#[derive(Debug, Clone, Copy)]
pub struct Figures {
    pub deaths: i32,
    pub serious_injuries: i32,
    pub economic_loss_yuan: i64,
    pub derived_severity: Severity,
}

/// Stores an incident's new figures.
///
/// # Errors
/// When the database fails.
pub async fn update_figures<C: ConnectionTrait>(
    db: &C,
    incident: incident::Model,
    figures: Figures,
    now: DateTime<Utc>,
) -> AppResult<incident::Model> {
    let mut model = incident.into_active_model();
    model.deaths = Set(figures.deaths);
    model.serious_injuries = Set(figures.serious_injuries);
    model.economic_loss_yuan = Set(figures.economic_loss_yuan);
    model.derived_severity = Set(figures.derived_severity);
    model.updated_at = Set(now);
    Ok(model.update(db).await?)
}

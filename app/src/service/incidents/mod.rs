//! Disaster and accident reporting (灾害事故信息报送): incidents and their chain
//! of reports, `initial` (初报) → `follow_up` (续报)* → `final` (终报).
//!
//! Severity is derived from the current figures whatever the department states;
//! deadlines and the direct-report duty follow the derived severity.

pub mod model;
mod store;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entities::{Role, department, incident, incident_report};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use self::store::{Figures, NewIncident, NewReport, Visible};
pub use self::{
    model::{IncidentFilter, IncidentInput, IncidentView, ReportInput},
    store::{IncidentRow, ReportRow, of_period},
};
use super::{
    Actor, Page, Paged,
    audit::{self, Entry},
    directories::{departments, regions},
    validate::Problems,
};
use crate::{
    db,
    domain::{
        RegionCode,
        region_code::prefix_of,
        reporting::{Deadlines, IncidentFacts, ReportFacts, is_complete, judge, out_of_order},
        severity,
    },
    error::{AppError, AppResult},
};

/// Roles that report incidents.
const REPORTERS: &[Role] = &[Role::Department, Role::Admin];
/// Roles that read them.
const READERS: &[Role] = &[
    Role::Department,
    Role::Admin,
    Role::Supervisor,
    Role::Leader,
];
/// Clock skew tolerated on times said to be in the past.
const SKEW_MINUTES: i64 = 5;

/// Each incident's reports as the reporting rules take them.
#[must_use]
pub fn facts_by_incident(reports: &[ReportRow]) -> HashMap<i64, Vec<ReportFacts>> {
    let mut by_incident: HashMap<i64, Vec<ReportFacts>> = HashMap::new();
    for report in reports {
        by_incident
            .entry(report.incident_id)
            .or_default()
            .push(ReportFacts {
                stage: report.stage,
                reported_at: report.reported_at,
                direct: report.direct,
                complete: report.is_complete(),
            });
    }
    by_incident
}

/// The rules' view of a stored incident and its reports.
fn facts(
    incident: &incident::Model,
    reports: &[incident_report::Model],
) -> (IncidentFacts, Vec<ReportFacts>) {
    let facts = IncidentFacts {
        occurred_at: incident.occurred_at,
        derived: incident.derived_severity,
        stated: incident.stated_severity,
    };
    let reports = reports
        .iter()
        .map(|r| ReportFacts {
            stage: r.stage,
            reported_at: r.reported_at,
            direct: r.direct,
            complete: is_complete(
                r.deaths,
                r.serious_injuries,
                r.economic_loss_yuan,
                r.summary.as_deref(),
            ),
        })
        .collect();
    (facts, reports)
}

fn check_figures(
    problems: &mut Problems,
    deaths: Option<i32>,
    injuries: Option<i32>,
    loss: Option<i64>,
) {
    problems.check(
        deaths.is_none_or(|n| n >= 0),
        "deaths",
        "must not be negative",
    );
    problems.check(
        injuries.is_none_or(|n| n >= 0),
        "serious_injuries",
        "must not be negative",
    );
    problems.check(
        loss.is_none_or(|n| n >= 0),
        "economic_loss_yuan",
        "must not be negative",
    );
}

/// Reports an incident for the caller's department (an admin names the department).
///
/// # Errors
/// 403 for roles that do not report or a region outside the caller's
/// jurisdiction; 422 listing every problem.
#[tracing::instrument(skip_all, fields(actor.id = ?actor.user_id))]
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    input: IncidentInput,
    deadlines: &Deadlines,
) -> AppResult<IncidentView> {
    actor.require(REPORTERS, "report incidents")?;
    if actor.role == Role::Department
        && input
            .department_id
            .is_some_and(|d| Some(d) != actor.department_id)
    {
        return Err(AppError::Forbidden(
            "department users report for their own department"
                .to_owned()
                .into(),
        ));
    }
    let now = Utc::now();
    let new = check_incident(db, actor, input, now).await?;
    let txn = db::begin_write(db).await?;
    let model = store::insert(&txn, new, now).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("incident.create", "incident", model.id).with_detail(serde_json::json!({
            "department_id": model.department_id, "region_code": model.region_code,
            "occurred_at": model.occurred_at, "derived_severity": model.derived_severity,
            "stated_severity": model.stated_severity,
        })),
    )
    .await?;
    txn.commit().await?;
    get(db, actor, model.id, deadlines).await
}

/// Checks a new incident, listing every problem, and derives its severity.
async fn check_incident<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    input: IncidentInput,
    now: DateTime<Utc>,
) -> AppResult<NewIncident> {
    let mut problems = Problems::new();
    let summary = problems.text("summary", &input.summary, 4000);
    let region_code = input.region_code.trim().to_owned();
    regions::require_exists(db, &mut problems, "region_code", &region_code).await?;
    check_figures(
        &mut problems,
        Some(input.deaths),
        Some(input.serious_injuries),
        Some(input.economic_loss_yuan),
    );
    problems.check(
        input.occurred_at <= now + Duration::minutes(SKEW_MINUTES),
        "occurred_at",
        "must not be in the future",
    );
    let department = reporting_department(db, actor, input.department_id, &mut problems).await?;
    if let Some(d) = &department {
        problems.check(
            d.region_code
                .as_deref()
                .is_none_or(|r| region_code.starts_with(prefix_of(r))),
            "region_code",
            "the incident's region is outside the reporting department's jurisdiction",
        );
    }
    problems.finish()?;
    actor.require_region(&region_code)?;
    let department = department.ok_or_else(|| AppError::invalid("department_id", "missing"))?;
    let region_code = RegionCode::parse(&region_code)
        .map_err(|e| AppError::invalid("region_code", e.to_string()))?;
    Ok(NewIncident {
        department_id: department.id,
        region_code,
        occurred_at: input.occurred_at,
        kind: input.kind,
        deaths: input.deaths,
        serious_injuries: input.serious_injuries,
        economic_loss_yuan: input.economic_loss_yuan,
        stated_severity: input.stated_severity,
        derived_severity: severity::derive(
            input.deaths.into(),
            input.serious_injuries.into(),
            input.economic_loss_yuan,
        ),
        summary,
        created_by: actor.user_id,
    })
}

/// The department an incident is reported for: the one named, else the caller's.
async fn reporting_department<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    named: Option<i64>,
    problems: &mut Problems,
) -> AppResult<Option<department::Model>> {
    let Some(id) = named.or(actor.department_id) else {
        problems.add("department_id", "name the reporting department");
        return Ok(None);
    };
    match departments::get(db, actor, id).await {
        Ok(d) => Ok(Some(d)),
        Err(AppError::NotFound(_)) => {
            problems.add("department_id", format!("department {id} does not exist"));
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The incidents the caller may see: a department its own, others their region.
fn visible(actor: &Actor) -> AppResult<Visible<'_>> {
    actor.require(READERS, "read incidents")?;
    Ok(match actor.role {
        Role::Department => Visible::ReportedBy(actor.department_id.unwrap_or(-1)),
        _ => Visible::InScope(actor),
    })
}

async fn views<C: ConnectionTrait>(
    db: &C,
    incidents: Vec<incident::Model>,
    deadlines: &Deadlines,
) -> AppResult<Vec<IncidentView>> {
    let ids: Vec<i64> = incidents.iter().map(|i| i.id).collect();
    let mut by_incident: HashMap<i64, Vec<incident_report::Model>> = HashMap::new();
    for report in store::reports_of(db, ids).await? {
        by_incident
            .entry(report.incident_id)
            .or_default()
            .push(report);
    }
    let now = Utc::now();
    Ok(incidents
        .into_iter()
        .map(|incident| {
            let reports = by_incident.remove(&incident.id).unwrap_or_default();
            let (facts, report_facts) = facts(&incident, &reports);
            IncidentView {
                verdict: judge(&facts, &report_facts, deadlines, now),
                incident,
                reports,
            }
        })
        .collect())
}

/// One incident the caller may see.
///
/// # Errors
/// 403 for inspectors; 404 when it does not exist or is not the caller's to see.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
    deadlines: &Deadlines,
) -> AppResult<IncidentView> {
    let incident = store::find(db, &visible(actor)?, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("incident {id}").into()))?;
    views(db, vec![incident], deadlines)
        .await?
        .pop()
        .ok_or_else(|| AppError::NotFound(format!("incident {id}").into()))
}

/// Lists the incidents the caller may see, latest first.
///
/// # Errors
/// 403 for inspectors.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &IncidentFilter,
    page: Page,
    deadlines: &Deadlines,
) -> AppResult<Paged<IncidentView>> {
    let incidents = store::list(db, &visible(actor)?, filter, page).await?;
    Ok(Paged::new(
        views(db, incidents.items, deadlines).await?,
        incidents.total,
        page,
    ))
}

/// Files a report on an incident of the caller's department; figures it gives
/// replace the incident's and the severity is derived again.
///
/// # Errors
/// 404 when the incident is not the caller's to see; 403 when the caller may see
/// it but not report on it; 409 out of order; 422 listing every problem.
#[tracing::instrument(skip_all, fields(incident.id = id))]
pub async fn add_report(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    input: ReportInput,
    deadlines: &Deadlines,
) -> AppResult<IncidentView> {
    let view = get(db, actor, id, deadlines).await?;
    let own =
        actor.role == Role::Department && actor.department_id == Some(view.incident.department_id);
    if !own && actor.role != Role::Admin {
        return Err(AppError::Forbidden(
            "only the reporting department reports on an incident"
                .to_owned()
                .into(),
        ));
    }
    let now = Utc::now();
    let report = check_report(&view, actor, input, now)?;
    let figures = new_figures(&view.incident, &report);
    let txn = db::begin_write(db).await?;
    let filed = store::filed_stages(&txn, id).await?;
    if let Some(problem) = out_of_order(report.stage, &filed) {
        return Err(AppError::Conflict(problem.to_owned().into()));
    }
    let report = store::insert_report(&txn, report, now).await?;
    let before = view.incident.derived_severity;
    let mut after = before;
    if let Some(figures) = figures {
        store::update_figures(&txn, view.incident, figures, now).await?;
        after = figures.derived_severity;
    }
    audit::append(
        &txn,
        actor,
        Entry::ok("incident.report", "incident", id).with_detail(serde_json::json!({
            "report_id": report.id, "stage": report.stage, "reported_at": report.reported_at,
            "direct": report.direct, "severity_before": before, "severity_after": after,
        })),
    )
    .await?;
    txn.commit().await?;
    get(db, actor, id, deadlines).await
}

/// Checks a report on an incident, listing every problem.
fn check_report(
    view: &IncidentView,
    actor: &Actor,
    input: ReportInput,
    now: DateTime<Utc>,
) -> AppResult<NewReport> {
    let reported_at = input.reported_at.unwrap_or(now);
    let mut problems = Problems::new();
    check_figures(
        &mut problems,
        input.deaths,
        input.serious_injuries,
        input.economic_loss_yuan,
    );
    let summary = input
        .summary
        .as_deref()
        .map(|s| problems.text("summary", s, 4000));
    problems.check(
        reported_at >= view.incident.occurred_at,
        "reported_at",
        "must not be before the incident occurred",
    );
    problems.check(
        reported_at <= now + Duration::minutes(SKEW_MINUTES),
        "reported_at",
        "must not be in the future",
    );
    problems.check(
        view.reports
            .last()
            .is_none_or(|r| reported_at >= r.reported_at),
        "reported_at",
        "must not be before the previous report",
    );
    problems.finish()?;
    Ok(NewReport {
        incident_id: view.incident.id,
        stage: input.stage,
        reported_at,
        direct: input.direct,
        deaths: input.deaths,
        serious_injuries: input.serious_injuries,
        economic_loss_yuan: input.economic_loss_yuan,
        summary,
        created_by: actor.user_id,
    })
}

/// The incident's figures once the report's replace them, with the severity
/// they give; `None` when the report gives none.
fn new_figures(current: &incident::Model, report: &NewReport) -> Option<Figures> {
    let changed = report.deaths.is_some()
        || report.serious_injuries.is_some()
        || report.economic_loss_yuan.is_some();
    if !changed {
        return None;
    }
    let deaths = report.deaths.unwrap_or(current.deaths);
    let serious_injuries = report.serious_injuries.unwrap_or(current.serious_injuries);
    let economic_loss_yuan = report
        .economic_loss_yuan
        .unwrap_or(current.economic_loss_yuan);
    Some(Figures {
        deaths,
        serious_injuries,
        economic_loss_yuan,
        derived_severity: severity::derive(
            deaths.into(),
            serious_injuries.into(),
            economic_loss_yuan,
        ),
    })
}

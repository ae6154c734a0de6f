//! Disaster and accident reporting (灾害事故信息报送): incidents and their chain
//! of reports, `initial` (初报) → `follow_up` (续报)* → `final` (终报).
//!
//! Severity is derived from the current figures whatever the department states;
//! deadlines and the direct-report duty follow the derived severity. A report's
//! filing time is the server's time of receipt; a report first filed on paper
//! or by phone is entered afterwards (补录, [`backfill`]) by an admin or a
//! national supervisor, with a reason and a reference to the original, and the
//! timeliness rules decide how it counts ([`crate::domain::reporting`]).

pub mod model;
mod reports;
mod store;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entities::{Role, department, incident, incident_report};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use self::store::{NewIncident, Visible};
pub use self::{
    model::{
        BackfillInput, IncidentFilter, IncidentInput, IncidentView, InitialReportInput,
        ReportInput, ReportView,
    },
    reports::{add_report, backfill},
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
        reporting::{Deadlines, ReportFacts, judge},
        severity,
    },
    error::{AppError, AppResult},
    msg,
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
            .push(report.facts());
    }
    by_incident
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
        msg!("不能为负数", "must not be negative"),
    );
    problems.check(
        injuries.is_none_or(|n| n >= 0),
        "serious_injuries",
        msg!("不能为负数", "must not be negative"),
    );
    problems.check(
        loss.is_none_or(|n| n >= 0),
        "economic_loss_yuan",
        msg!("不能为负数", "must not be negative"),
    );
}

/// Reports an incident for the caller's department (an admin names the
/// department), with its initial report when the input includes one: the
/// incident, the report and their audit entries in one transaction.
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
        return Err(AppError::Forbidden(msg!(
            "部门用户只能为本部门报送事故",
            "department users report for their own department"
        )));
    }
    let now = Utc::now();
    let initial = input.initial_report.clone();
    let mut new = check_incident(db, actor, input, now).await?;
    // Filed with the incident, the initial report makes its statement of severity.
    let stated = initial.as_ref().and_then(|_| new.stated_severity.take());
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
    if let Some(report) = initial {
        reports::file_initial(&txn, actor, &model, report, stated, now).await?;
    }
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
    if let Some(text) = input
        .initial_report
        .as_ref()
        .and_then(|r| r.summary.as_deref())
    {
        problems.text("initial_report.summary", text, 4000);
    }
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
        msg!("不能晚于当前时间", "must not be in the future"),
    );
    let department = reporting_department(db, actor, input.department_id, &mut problems).await?;
    if let Some(d) = &department {
        problems.check(
            d.region_code
                .as_deref()
                .is_none_or(|r| region_code.starts_with(prefix_of(r))),
            "region_code",
            msg!(
                "事故地点不在报送部门的辖区内",
                "the incident's region is outside the reporting department's jurisdiction"
            ),
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
            let facts: Vec<ReportFacts> =
                reports.iter().map(|r| ReportRow::from(r).facts()).collect();
            let verdict = judge(
                &IncidentRow::from(&incident).facts(),
                &facts,
                deadlines,
                now,
            );
            let reports = reports
                .into_iter()
                .zip(&facts)
                .map(|(report, facts)| ReportView {
                    counted_at: facts.counted_at(deadlines),
                    understated: severity::understated(facts.stated, facts.derived),
                    report,
                })
                .collect();
            IncidentView {
                verdict,
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

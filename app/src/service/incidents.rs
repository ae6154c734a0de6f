//! Disaster and accident reporting (灾害事故信息报送): incidents and their chain
//! of reports, `initial` (初报) → `follow_up` (续报)* → `final` (终报).
//!
//! Severity is derived from the current figures whatever the department states;
//! deadlines and the direct-report duty follow the derived severity.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entities::{IncidentKind, ReportStage, Role, Severity, incident, incident_report};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel as _, PaginatorTrait as _, QueryFilter, QueryOrder, QuerySelect,
    Select,
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
        Period,
        region_code::prefix_of,
        reporting::{Deadlines, IncidentFacts, ReportFacts, Verdict, judge},
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

/// Whether a report gives everything an initial report must.
#[must_use]
pub fn complete(report: &incident_report::Model) -> bool {
    report.deaths.is_some()
        && report.serious_injuries.is_some()
        && report.economic_loss_yuan.is_some()
        && report
            .summary
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty())
}

/// The rules' view of an incident and its reports.
#[must_use]
pub fn facts(
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
            complete: complete(r),
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
            "department users report for their own department".to_owned(),
        ));
    }
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
    let now = Utc::now();
    problems.check(
        input.occurred_at <= now + Duration::minutes(SKEW_MINUTES),
        "occurred_at",
        "must not be in the future",
    );
    let department = match input.department_id.or(actor.department_id) {
        None => {
            problems.add("department_id", "name the reporting department");
            None
        }
        Some(id) => match departments::get(db, actor, id).await {
            Ok(d) => Some(d),
            Err(AppError::NotFound(_)) => {
                problems.add("department_id", format!("department {id} does not exist"));
                None
            }
            Err(e) => return Err(e),
        },
    };
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
    let derived = severity::derive(
        input.deaths.into(),
        input.serious_injuries.into(),
        input.economic_loss_yuan,
    );
    let txn = db::begin_write(db).await?;
    let model = incident::ActiveModel {
        department_id: Set(department.id),
        region_code: Set(region_code),
        occurred_at: Set(input.occurred_at),
        kind: Set(input.kind),
        deaths: Set(input.deaths),
        serious_injuries: Set(input.serious_injuries),
        economic_loss_yuan: Set(input.economic_loss_yuan),
        stated_severity: Set(input.stated_severity),
        derived_severity: Set(derived),
        summary: Set(summary),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
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

/// The incidents the caller may see: a department its own, others their region.
fn visible(actor: &Actor) -> AppResult<Select<incident::Entity>> {
    actor.require(READERS, "read incidents")?;
    let query = incident::Entity::find();
    Ok(match actor.role {
        Role::Department => {
            query.filter(incident::Column::DepartmentId.eq(actor.department_id.unwrap_or(-1)))
        }
        _ => query.filter(actor.scope_condition(incident::Column::RegionCode)),
    })
}

async fn views<C: ConnectionTrait>(
    db: &C,
    incidents: Vec<incident::Model>,
    deadlines: &Deadlines,
) -> AppResult<Vec<IncidentView>> {
    let ids: Vec<i64> = incidents.iter().map(|i| i.id).collect();
    let mut by_incident: HashMap<i64, Vec<incident_report::Model>> = HashMap::new();
    for report in incident_report::Entity::find()
        .filter(incident_report::Column::IncidentId.is_in(ids))
        .order_by_asc(incident_report::Column::ReportedAt)
        .order_by_asc(incident_report::Column::Id)
        .all(db)
        .await?
    {
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
    let incident = visible(actor)?
        .filter(incident::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("incident {id}")))?;
    views(db, vec![incident], deadlines)
        .await?
        .pop()
        .ok_or_else(|| AppError::NotFound(format!("incident {id}")))
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
    let mut query = visible(actor)?;
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
    Ok(Paged::new(
        views(db, incidents, deadlines).await?,
        total,
        page,
    ))
}

/// Whether a report of `stage` may follow the reports already filed.
fn check_order(stage: ReportStage, filed: &[incident_report::Model]) -> AppResult<()> {
    let has = |s| filed.iter().any(|r| r.stage == s);
    let problem = if has(ReportStage::Final) {
        Some("the final report has been filed; nothing may follow it")
    } else {
        match stage {
            ReportStage::Initial if has(ReportStage::Initial) => {
                Some("the initial report has been filed; send a follow_up or the final report")
            }
            ReportStage::FollowUp | ReportStage::Final if !has(ReportStage::Initial) => {
                Some("the initial report comes first")
            }
            _ => None,
        }
    };
    match problem {
        Some(message) => Err(AppError::Conflict(message.to_owned())),
        None => Ok(()),
    }
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
            "only the reporting department reports on an incident".to_owned(),
        ));
    }
    let now = Utc::now();
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
    let txn = db::begin_write(db).await?;
    let filed = incident_report::Entity::find()
        .filter(incident_report::Column::IncidentId.eq(id))
        .all(&txn)
        .await?;
    check_order(input.stage, &filed)?;
    let report = incident_report::ActiveModel {
        incident_id: Set(id),
        stage: Set(input.stage),
        reported_at: Set(reported_at),
        direct: Set(input.direct),
        deaths: Set(input.deaths),
        serious_injuries: Set(input.serious_injuries),
        economic_loss_yuan: Set(input.economic_loss_yuan),
        summary: Set(summary),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let before = view.incident.derived_severity;
    let changed = input.deaths.is_some()
        || input.serious_injuries.is_some()
        || input.economic_loss_yuan.is_some();
    let mut after = before;
    if changed {
        let current = &view.incident;
        let deaths = input.deaths.unwrap_or(current.deaths);
        let injuries = input.serious_injuries.unwrap_or(current.serious_injuries);
        let loss = input
            .economic_loss_yuan
            .unwrap_or(current.economic_loss_yuan);
        after = severity::derive(deaths.into(), injuries.into(), loss);
        let mut model = view.incident.clone().into_active_model();
        model.deaths = Set(deaths);
        model.serious_injuries = Set(injuries);
        model.economic_loss_yuan = Set(loss);
        model.derived_severity = Set(after);
        model.updated_at = Set(now);
        model.update(&txn).await?;
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

//! Filing reports on an incident: the ordinary path, where the filing time is
//! the server's time of receipt, and the backfill (补录) of a report first
//! filed on paper or by phone, which admins and national supervisors enter
//! with the time it claims, a reason and a reference to the original.

use chrono::{DateTime, Utc};
use entities::{ReportStage, Role, incident};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::{
    check_figures, get,
    model::{BackfillInput, IncidentView, InitialReportInput, ReportInput},
    store::{self, Backfill, Figures, NewReport},
};
use crate::{
    db,
    domain::{reporting::Deadlines, severity},
    error::{AppError, AppResult},
    msg,
    service::{
        Actor,
        audit::{self, Entry},
        validate::Problems,
    },
};

/// Files a report on an incident of the caller's department, as received now;
/// figures it gives replace the incident's and the severity is derived again.
///
/// # Errors
/// 404 when the incident is not the caller's to see; 403 when the caller may see
/// it but not report on it; 409 out of order; 422 listing every problem (a
/// `reported_at` among them: the server records the filing time).
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
        return Err(AppError::Forbidden(msg!(
            "只有报送部门可以续报该事故",
            "only the reporting department reports on an incident"
        )));
    }
    let now = Utc::now();
    let report = check_report(&view, actor, input, None, now)?;
    file(db, actor, view, report, now, deadlines).await
}

/// Enters a report first filed on paper or by phone (补录), with the time it
/// claims, why it is entered afterwards and where the original is. It is
/// marked backfilled wherever it appears, and the timeliness rules count it at
/// its claimed time only if it is entered within the grace after that time.
///
/// # Errors
/// 403 unless the caller is an admin or a national supervisor; 404 when the
/// incident is not the caller's to see; 409 out of order; 422 listing every
/// problem (a claimed time in the future or before the occurrence among them).
#[tracing::instrument(skip_all, fields(incident.id = id))]
pub async fn backfill(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    input: BackfillInput,
    deadlines: &Deadlines,
) -> AppResult<IncidentView> {
    let national_supervisor = actor.role == Role::Supervisor && actor.scope_prefix().is_none();
    if actor.role != Role::Admin && !national_supervisor {
        return Err(AppError::Forbidden(msg!(
            "只有管理员和国家级监管人员可以补录报告",
            "only admins and national supervisors enter reports afterwards"
        )));
    }
    let view = get(db, actor, id, deadlines).await?;
    let now = Utc::now();
    let reasons = (input.reason, input.evidence);
    let report = check_report(&view, actor, input.report, Some(reasons), now)?;
    file(db, actor, view, report, now, deadlines).await
}

/// Stores a checked report with the incident's new figures, in order, audited.
async fn file(
    db: &DatabaseConnection,
    actor: &Actor,
    view: IncidentView,
    report: NewReport,
    now: DateTime<Utc>,
    deadlines: &Deadlines,
) -> AppResult<IncidentView> {
    let id = view.incident.id;
    let figures = new_figures(&view.incident, &report);
    let txn = db::begin_write(db).await?;
    let filed = store::filed_stages(&txn, id).await?;
    if let Some(problem) = out_of_order(report.stage, &filed) {
        return Err(AppError::Conflict(problem));
    }
    let backfill = report.backfill.clone();
    let report = store::insert_report(&txn, report, now).await?;
    let before = view.incident.derived_severity;
    let mut after = before;
    if let Some(figures) = figures {
        store::update_figures(&txn, view.incident, figures, now).await?;
        after = figures.derived_severity;
    }
    let mut detail = serde_json::json!({
        "report_id": report.id, "stage": report.stage, "reported_at": report.reported_at,
        "direct": report.direct, "stated_severity": report.stated_severity,
        "severity_before": before, "severity_after": after,
    });
    let action = match backfill {
        Some(b) => {
            detail["backfill_reason"] = b.reason.into();
            detail["backfill_evidence"] = b.evidence.into();
            detail["entered_at"] = serde_json::json!(now);
            "incident.report.backfill"
        }
        None => "incident.report",
    };
    audit::append(
        &txn,
        actor,
        Entry::ok(action, "incident", id).with_detail(detail),
    )
    .await?;
    txn.commit().await?;
    get(db, actor, id, deadlines).await
}

/// Files the initial report that comes with a new incident, in its
/// transaction: the incident's figures, stating what the incident stated.
///
/// # Errors
/// When the database fails.
pub(super) async fn file_initial<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    incident: &incident::Model,
    input: InitialReportInput,
    stated_severity: Option<entities::Severity>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let summary = input
        .summary
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| incident.summary.clone());
    let report = NewReport {
        incident_id: incident.id,
        stage: ReportStage::Initial,
        reported_at: now,
        direct: input.direct,
        deaths: Some(incident.deaths),
        serious_injuries: Some(incident.serious_injuries),
        economic_loss_yuan: Some(incident.economic_loss_yuan),
        summary: Some(summary),
        stated_severity,
        derived_severity: incident.derived_severity,
        backfill: None,
        created_by: actor.user_id,
    };
    let report = store::insert_report(db, report, now).await?;
    audit::append(
        db,
        actor,
        Entry::ok("incident.report", "incident", incident.id).with_detail(serde_json::json!({
            "report_id": report.id, "stage": report.stage, "reported_at": report.reported_at,
            "direct": report.direct, "stated_severity": report.stated_severity,
            "severity_before": incident.derived_severity,
            "severity_after": incident.derived_severity,
        })),
    )
    .await?;
    Ok(())
}

/// Why a report of `stage` may not follow the stages already filed, in words.
fn out_of_order(stage: ReportStage, filed: &[ReportStage]) -> Option<crate::i18n::Msg> {
    use crate::domain::reporting::{OutOfOrder, out_of_order as rule};
    rule(stage, filed).map(|why| match why {
        OutOfOrder::AfterFinal => msg!(
            "终报已报送，不能再报送",
            "the final report has been filed; nothing may follow it"
        ),
        OutOfOrder::SecondInitial => msg!(
            "初报已报送，请续报或终报",
            "the initial report has been filed; send a follow_up or the final report"
        ),
        OutOfOrder::BeforeInitial => msg!("须先报送初报", "the initial report comes first"),
    })
}

/// Checks a report on an incident, listing every problem: on the ordinary
/// path (`backfill` none) it is filed now and may not say when; a backfill
/// must say when, why and on what evidence.
fn check_report(
    view: &IncidentView,
    actor: &Actor,
    input: ReportInput,
    backfill: Option<(String, String)>,
    now: DateTime<Utc>,
) -> AppResult<NewReport> {
    let mut problems = Problems::new();
    let id = view.incident.id;
    let (reported_at, backfill) = match backfill {
        None => {
            problems.check(
                input.reported_at.is_none(),
                "reported_at",
                msg!(
                    "报送时间以服务器收到报告的时间为准，不能填写；补录纸质或电话报送的报告请用 \
                     POST /api/v1/incidents/{id}/reports/backfill（管理员和国家级监管人员）",
                    "the filing time is when the server receives the report and cannot be \
                     given; to enter a report first filed on paper or by phone use \
                     POST /api/v1/incidents/{id}/reports/backfill (admins and national supervisors)"
                ),
            );
            (now, None)
        }
        Some((reason, evidence)) => {
            let backfill = Backfill {
                reason: problems.text("reason", &reason, 1000),
                evidence: problems.text("evidence", &evidence, 500),
            };
            let claimed = input.reported_at.unwrap_or(now);
            problems.check(
                input.reported_at.is_some(),
                "reported_at",
                msg!(
                    "补录须写明报告最初报送的时间",
                    "a backfill needs the time the report was first filed"
                ),
            );
            problems.check(
                claimed <= now,
                "reported_at",
                msg!("不能晚于当前时间", "must not be in the future"),
            );
            (claimed, Some(backfill))
        }
    };
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
        msg!(
            "不能早于事故发生时间",
            "must not be before the incident occurred"
        ),
    );
    problems.check(
        view.reports
            .last()
            .is_none_or(|r| reported_at >= r.report.reported_at),
        "reported_at",
        msg!(
            "不能早于上一次报告的时间",
            "must not be before the previous report"
        ),
    );
    problems.finish()?;
    let mut report = NewReport {
        incident_id: id,
        stage: input.stage,
        reported_at,
        direct: input.direct,
        deaths: input.deaths,
        serious_injuries: input.serious_injuries,
        economic_loss_yuan: input.economic_loss_yuan,
        summary,
        stated_severity: input.stated_severity,
        derived_severity: view.incident.derived_severity,
        backfill,
        created_by: actor.user_id,
    };
    if let Some(figures) = new_figures(&view.incident, &report) {
        report.derived_severity = figures.derived_severity;
    }
    Ok(report)
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

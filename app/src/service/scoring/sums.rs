//! Each subject's sums for a period: every department, and each department or
//! enterprise with checks or self-assessments in the period; the jurisdiction's
//! checks added to each department; and each incident's reporting points added
//! to its department, with the reporting duties it missed as items to raise.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::{AccountableKind, EvidenceKind, SubjectKind};
use sea_orm::DatabaseConnection;

use super::{
    model::{ScoringRules, SelfAssessed, SubjectKey, SubjectSums},
    store::{
        read, read_apart,
        sums::{self as store, AssessedSums, CheckSums, DepartmentRegion, RegionSums},
    },
};
use crate::{
    domain::{
        Period, RegionCode,
        region_code::prefix_of,
        reporting::judge,
        scoring::{Tally, WeightedSum},
    },
    error::AppResult,
    service::{
        accountability::NewItem,
        incidents::{self, IncidentRow, ReportRow},
    },
};

/// What [`gather`] found.
pub(super) struct Gathered {
    /// Each subject's sums.
    pub sums: HashMap<SubjectKey, SubjectSums>,
    /// The reporting duties missed in the period.
    pub reporting_items: Vec<NewItem>,
}

/// Every department's entry, and each subject's sums for the period, with the
/// reporting items raised by incidents whose deadlines fell in the period. The
/// statements run at once, each on its own pooled connection.
///
/// # Errors
/// When the database fails.
pub(super) async fn gather(
    db: &DatabaseConnection,
    period: &Period,
    rules: &ScoringRules,
    now: DateTime<Utc>,
) -> AppResult<Gathered> {
    let (period, final_days) = (*period, rules.deadlines.final_days);
    let (departments, checks, assessed, regions, (incidents, reports)) = tokio::try_join!(
        read(db, async |t| store::departments(t).await),
        read_apart(db, move |db| async move {
            read(&db, async |t| store::check_sums(t, &period).await).await
        }),
        read_apart(db, move |db| async move {
            read(&db, async |t| store::self_assessed(t, &period).await).await
        }),
        read_apart(db, move |db| async move {
            read(&db, async |t| {
                store::enterprise_checks_by_region(t, &period).await
            })
            .await
        }),
        read_apart(db, move |db| async move {
            read(&db, async |t| {
                incidents::of_period(t, &period, final_days).await
            })
            .await
        }),
    )?;
    let mut sums: HashMap<SubjectKey, SubjectSums> = HashMap::new();
    for department in &departments {
        sums.entry(SubjectKey::department(department.id))
            .or_default()
            .region_code = region(department.region_code.as_deref());
    }
    add_checks(&checks, &mut sums);
    add_self_assessments(&assessed, &mut sums);
    add_jurisdictions(&regions, &departments, &mut sums);
    let reporting_items = add_reporting(incidents, &reports, &period, rules, now, &mut sums);
    Ok(Gathered {
        sums,
        reporting_items,
    })
}

fn region(code: Option<&str>) -> Option<RegionCode> {
    code.and_then(|c| RegionCode::parse(c).ok())
}

/// The entry of the subject a row names; an enterprise takes its region from the rows.
fn entry<'a>(
    sums: &'a mut HashMap<SubjectKey, SubjectSums>,
    subject: Option<SubjectKey>,
    region_code: Option<&str>,
) -> Option<&'a mut SubjectSums> {
    let subject = subject?;
    let entry = sums.entry(subject).or_default();
    if subject.kind == SubjectKind::Enterprise && entry.region_code.is_none() {
        entry.region_code = region(region_code);
    }
    Some(entry)
}

/// Adds each subject's checks: data security from those reviewed, inspection
/// from those published.
fn add_checks(checks: &[CheckSums], sums: &mut HashMap<SubjectKey, SubjectSums>) {
    for row in checks {
        if let Some(entry) = entry(sums, row.subject(), row.region_code.as_deref()) {
            if let Some(weight) = row.checked_weight {
                let checked = entry.checked.get_or_insert_with(WeightedSum::default);
                checked.add(row.checked_total.unwrap_or(0.0), weight);
            }
            entry.inspection.add(
                row.inspection_total.unwrap_or(0.0),
                row.inspection_count.unwrap_or(0.0),
            );
        }
    }
}

/// Adds each subject's submitted self-assessments.
fn add_self_assessments(assessed: &[AssessedSums], sums: &mut HashMap<SubjectKey, SubjectSums>) {
    for row in assessed {
        if let Some(entry) = entry(sums, row.subject(), row.region_code.as_deref()) {
            let assessed = entry.assessed.get_or_insert_with(SelfAssessed::default);
            assessed
                .sum
                .add(row.total.unwrap_or(0.0), row.weight.unwrap_or(0.0));
            assessed.latest_id = std::cmp::max(assessed.latest_id, row.assessment_id.unwrap_or(0));
        }
    }
}

/// Adds to every department the enterprise checks of its jurisdiction, summed
/// per region-code prefix ("" is the whole country, for a national department).
fn add_jurisdictions(
    regions: &[RegionSums],
    departments: &[DepartmentRegion],
    sums: &mut HashMap<SubjectKey, SubjectSums>,
) {
    let mut by_prefix: HashMap<&str, Tally> = HashMap::new();
    for row in regions {
        let (total, count) = (row.total.unwrap_or(0.0), row.count.unwrap_or(0.0));
        let region = row.region_code.as_str();
        for len in [0, 2, 4, region.len()] {
            if let Some(prefix) = region.get(..len) {
                by_prefix.entry(prefix).or_default().add(total, count);
            }
        }
    }
    for department in departments {
        let prefix = department.region_code.as_deref().map_or("", prefix_of);
        if let (Some(extra), Some(entry)) = (
            by_prefix.get(prefix),
            sums.get_mut(&SubjectKey::department(department.id)),
        ) {
            entry.inspection.add(extra.total, extra.count);
        }
    }
}

/// Adds each incident's points to its department and raises its flags.
fn add_reporting(
    incidents: Vec<IncidentRow>,
    reports: &[ReportRow],
    period: &Period,
    rules: &ScoringRules,
    now: DateTime<Utc>,
    sums: &mut HashMap<SubjectKey, SubjectSums>,
) -> Vec<NewItem> {
    let mut by_incident = incidents::facts_by_incident(reports);
    let mut items = Vec::new();
    for incident in incidents {
        let reports = by_incident.remove(&incident.id).unwrap_or_default();
        let verdict = judge(&incident.facts(), &reports, &rules.deadlines, now);
        if period.contains(incident.occurred_at) {
            let entry = sums
                .entry(SubjectKey::department(incident.department_id))
                .or_default();
            entry.reporting.add(verdict.points, 1.0);
        }
        for flag in verdict.flags {
            if period.contains(flag.at) {
                let (evidence_kind, evidence_id) = match flag.report_id {
                    Some(report) => (EvidenceKind::IncidentReport, report),
                    None => (EvidenceKind::Incident, incident.id),
                };
                items.push(NewItem {
                    period: Period::month_of(flag.at).to_string(),
                    subject_kind: AccountableKind::Department,
                    subject_id: incident.department_id,
                    region_code: region(Some(&incident.region_code)),
                    reason: flag.reason,
                    evidence_kind,
                    evidence_id,
                });
            }
        }
    }
    items
}

//! What a recomputation gathers: each subject's sums for the period, and the
//! duties missed (late, missing or not-direct reports, understated severity,
//! overdue tasks, major hazards past their deadline) as accountability items.
//!
//! A missed duty is counted in the month (China time) it fell due, and a
//! recomputation of a period raises the duties that fell due inside it, so
//! recomputing the year, a quarter and a month never raises one twice.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::{
    AccountabilityReason, AccountableKind, DepartmentKind, EvidenceKind, HazardGrade, SubjectKind,
    TaskStatus, accountability_item, check_task, department, enterprise, hazard_item,
    task_inspector,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect,
    sea_query::{Expr, ExprTrait as _, IntoIden, Query, SelectStatement},
};

use super::{
    accountability::NewItem,
    score_parts::{self, ReportRow, Subject},
    scores::{Acc, Key, Rules},
    scores::{read, read_apart},
};
use crate::{
    domain::{
        Period, RegionCode,
        region_code::prefix_of,
        reporting::{IncidentFacts, ReportFacts, judge},
        workdays::china_date,
    },
    error::AppResult,
};

fn add(pair: &mut (f64, f64), total: f64, count: f64) {
    pair.0 += total;
    pair.1 += count;
}

/// The entry of the subject a row names; an enterprise takes its region from the rows.
fn entry<'a>(
    sums: &'a mut HashMap<Key, Acc>,
    row: &impl Subject,
    region_code: &Option<String>,
) -> Option<&'a mut Acc> {
    let key = row.subject()?;
    let acc = sums.entry(key).or_default();
    if key.0 == SubjectKind::Enterprise && acc.region_code.is_none() {
        acc.region_code.clone_from(region_code);
    }
    Some(acc)
}

/// Every department's entry, and each subject's sums for the period, with the
/// reporting items raised by incidents whose deadlines fell in the period. The
/// statements run at once, each on its own pooled connection.
///
/// # Errors
/// When the database fails.
pub(crate) async fn gather(
    db: &DatabaseConnection,
    period: &Period,
    rules: &Rules,
    now: DateTime<Utc>,
) -> AppResult<(HashMap<Key, Acc>, Vec<NewItem>)> {
    let (period, final_days) = (*period, rules.deadlines.final_days);
    let (departments, checks, assessed, regions, (incidents, reports)) = tokio::try_join!(
        read(db, async |t| {
            Ok(department::Entity::find()
                .select_only()
                .columns([department::Column::Id, department::Column::RegionCode])
                .into_tuple::<(i64, Option<String>)>()
                .all(t)
                .await?)
        }),
        read_apart(db, move |db| async move {
            read(&db, async |t| score_parts::check_sums(t, &period).await).await
        }),
        read_apart(db, move |db| async move {
            read(&db, async |t| score_parts::self_assessed(t, &period).await).await
        }),
        read_apart(db, move |db| async move {
            read(&db, async |t| {
                score_parts::enterprise_checks_by_region(t, &period).await
            })
            .await
        }),
        read_apart(db, move |db| async move {
            read(&db, async |t| {
                score_parts::incidents(t, &period, final_days).await
            })
            .await
        }),
    )?;
    let mut sums: HashMap<Key, Acc> = HashMap::new();
    for (id, region_code) in &departments {
        sums.entry((SubjectKind::Department, *id))
            .or_default()
            .region_code = region_code.clone();
    }
    for row in &checks {
        if let Some(acc) = entry(&mut sums, row, &row.region_code) {
            if let Some(weight) = row.checked_weight {
                let pair = acc.checked.get_or_insert((0.0, 0.0));
                add(pair, row.checked_total.unwrap_or(0.0), weight);
            }
            add(
                &mut acc.inspection,
                row.inspection_total.unwrap_or(0.0),
                row.inspection_count.unwrap_or(0.0),
            );
        }
    }
    for row in &assessed {
        if let Some(acc) = entry(&mut sums, row, &row.region_code) {
            let (total, weight, id) = acc.assessed.get_or_insert((0.0, 0.0, 0));
            *total += row.total.unwrap_or(0.0);
            *weight += row.weight.unwrap_or(0.0);
            *id = std::cmp::max(*id, row.assessment_id.unwrap_or(0));
        }
    }
    jurisdictions(&regions, &departments, &mut sums);
    let items = reporting(incidents, &reports, &period, rules, now, &mut sums);
    Ok((sums, items))
}

/// Adds to every department the enterprise checks of its jurisdiction, summed
/// per region-code prefix ("" is the whole country, for a national department).
fn jurisdictions(
    regions: &[score_parts::RegionSums],
    departments: &[(i64, Option<String>)],
    sums: &mut HashMap<Key, Acc>,
) {
    let mut by_prefix: HashMap<&str, (f64, f64)> = HashMap::new();
    for row in regions {
        let (total, count) = (row.total.unwrap_or(0.0), row.count.unwrap_or(0.0));
        let region = row.region_code.as_str();
        for len in [0, 2, 4, region.len()] {
            if let Some(prefix) = region.get(..len) {
                add(by_prefix.entry(prefix).or_default(), total, count);
            }
        }
    }
    for (id, region_code) in departments {
        let prefix = region_code.as_deref().map_or("", prefix_of);
        if let (Some(extra), Some(acc)) = (
            by_prefix.get(prefix),
            sums.get_mut(&(SubjectKind::Department, *id)),
        ) {
            add(&mut acc.inspection, extra.0, extra.1);
        }
    }
}

/// Each incident's reports as the reporting rules take them.
pub(crate) fn facts_by_incident(reports: &[ReportRow]) -> HashMap<i64, Vec<ReportFacts>> {
    let mut by_incident: HashMap<i64, Vec<ReportFacts>> = HashMap::new();
    for report in reports {
        by_incident
            .entry(report.incident_id)
            .or_default()
            .push(ReportFacts {
                stage: report.stage,
                reported_at: report.reported_at,
                direct: report.direct,
                complete: complete(report),
            });
    }
    by_incident
}

/// Whether a report gives everything an initial report must.
fn complete(report: &ReportRow) -> bool {
    report.deaths.is_some()
        && report.serious_injuries.is_some()
        && report.economic_loss_yuan.is_some()
        && report
            .summary
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty())
}

/// Adds each incident's points to its department and raises its flags.
fn reporting(
    incidents: Vec<score_parts::IncidentRow>,
    reports: &[ReportRow],
    period: &Period,
    rules: &Rules,
    now: DateTime<Utc>,
    sums: &mut HashMap<Key, Acc>,
) -> Vec<NewItem> {
    let mut by_incident = facts_by_incident(reports);
    let mut items = Vec::new();
    for incident in incidents {
        let reports = by_incident.remove(&incident.id).unwrap_or_default();
        let facts = IncidentFacts {
            occurred_at: incident.occurred_at,
            derived: incident.derived_severity,
            stated: incident.stated_severity,
        };
        let verdict = judge(&facts, &reports, &rules.deadlines, now);
        if period.contains(incident.occurred_at) {
            let acc = sums
                .entry((SubjectKind::Department, incident.department_id))
                .or_default();
            add(&mut acc.reporting, verdict.points, 1.0);
        }
        for (reason, due) in verdict.flags {
            if period.contains(due) {
                items.push(NewItem {
                    period: Period::month_of(due).to_string(),
                    subject_kind: AccountableKind::Department,
                    subject_id: incident.department_id,
                    region_code: Some(incident.region_code.clone()),
                    reason,
                    evidence_kind: EvidenceKind::Incident,
                    evidence_id: incident.id,
                });
            }
        }
    }
    items
}

/// `task_overdue` for each inspector of a task that fell due in the period
/// (and before now) without being submitted in time.
///
/// # Errors
/// When the database fails.
pub async fn overdue_tasks<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    now: DateTime<Utc>,
) -> AppResult<Vec<NewItem>> {
    let until = std::cmp::min(period.end(), now);
    let late = Condition::any()
        .add(check_task::Column::Overdue.eq(true))
        .add(check_task::Column::Status.is_in([
            TaskStatus::Assigned,
            TaskStatus::InProgress,
            TaskStatus::Returned,
        ]))
        .add(
            Expr::col((check_task::Entity, check_task::Column::SubmittedAt))
                .gt(Expr::col((check_task::Entity, check_task::Column::DueAt))),
        );
    let raised = raised(
        AccountabilityReason::TaskOverdue,
        EvidenceKind::Task,
        (check_task::Entity, check_task::Column::Id),
    )
    .and_where(
        Expr::col((
            accountability_item::Entity,
            accountability_item::Column::SubjectId,
        ))
        .equals((task_inspector::Entity, task_inspector::Column::InspectorId)),
    )
    .to_owned();
    let mut query = check_task::Entity::find()
        .select_only()
        .columns([
            check_task::Column::Id,
            check_task::Column::RegionCode,
            check_task::Column::DueAt,
        ])
        .column(task_inspector::Column::InspectorId)
        .filter(check_task::Column::DueAt.gte(period.start()))
        .filter(check_task::Column::DueAt.lt(until))
        .filter(late)
        .filter(Expr::not_exists(raised));
    // No relation is declared between the entities; join on the column.
    QuerySelect::query(&mut query).inner_join(
        task_inspector::Entity,
        Expr::col((task_inspector::Entity, task_inspector::Column::TaskId))
            .equals((check_task::Entity, check_task::Column::Id)),
    );
    let rows: Vec<(i64, String, DateTime<Utc>, i64)> = query.into_tuple().all(db).await?;
    Ok(rows
        .into_iter()
        .map(|(task, region, due, inspector)| NewItem {
            period: Period::month_of(due).to_string(),
            subject_kind: AccountableKind::Inspector,
            subject_id: inspector,
            region_code: Some(region),
            reason: AccountabilityReason::TaskOverdue,
            evidence_kind: EvidenceKind::Task,
            evidence_id: task,
        })
        .collect())
}

/// `hazard_overdue` for each major hazard whose deadline fell in the period and
/// has passed without rectification (or was rectified late): against the
/// enterprise and its supervising department.
///
/// # Errors
/// When the database fails.
pub async fn overdue_hazards<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    now: DateTime<Utc>,
) -> AppResult<Vec<NewItem>> {
    let today = china_date(now);
    let until = std::cmp::min(period.end_day(), today);
    let not_rectified = Condition::any()
        .add(hazard_item::Column::RectifiedOn.is_null())
        .add(
            Expr::col((hazard_item::Entity, hazard_item::Column::RectifiedOn)).gt(Expr::col((
                hazard_item::Entity,
                hazard_item::Column::RectifyBy,
            ))),
        );
    // A hazard's items (the enterprise's and its supervisor's) are raised together.
    let raised = raised(
        AccountabilityReason::HazardOverdue,
        EvidenceKind::Hazard,
        (hazard_item::Entity, hazard_item::Column::Id),
    );
    // The enterprise's region is looked up for the hazards that remain, not
    // joined first: joined, PostgreSQL hashes every enterprise to find the
    // regions of hazards the `NOT EXISTS` then leaves out (nearly all of them
    // once their items are raised).
    let region = Query::select()
        .column((enterprise::Entity, enterprise::Column::RegionCode))
        .from(enterprise::Entity)
        .and_where(
            Expr::col((enterprise::Entity, enterprise::Column::Id))
                .equals((hazard_item::Entity, hazard_item::Column::EnterpriseId)),
        )
        .to_owned();
    let query = hazard_item::Entity::find()
        .select_only()
        .columns([
            hazard_item::Column::Id,
            hazard_item::Column::EnterpriseId,
            hazard_item::Column::RectifyBy,
        ])
        .expr_as(Expr::SubQuery(None, Box::new(region.into())), "region_code")
        .filter(hazard_item::Column::Grade.eq(HazardGrade::Major))
        .filter(hazard_item::Column::RectifyBy.gte(period.first_day()))
        .filter(hazard_item::Column::RectifyBy.lt(until))
        .filter(not_rectified)
        .filter(Expr::not_exists(raised));
    let rows: Vec<(i64, i64, chrono::NaiveDate, String)> = query.into_tuple().all(db).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let supervisors = supervising_departments(db).await?;
    let mut items = Vec::new();
    for (hazard, enterprise_id, due, region) in rows {
        let item = |kind, id| NewItem {
            period: Period::month_of_date(due).to_string(),
            subject_kind: kind,
            subject_id: id,
            region_code: Some(region.clone()),
            reason: AccountabilityReason::HazardOverdue,
            evidence_kind: EvidenceKind::Hazard,
            evidence_id: hazard,
        };
        items.push(item(AccountableKind::Enterprise, enterprise_id));
        if let Some(department) = supervisor_of(&supervisors, &region) {
            items.push(item(AccountableKind::Department, department));
        }
    }
    Ok(items)
}

/// Items already raised for `reason` on the evidence in `evidence_column`
/// (served by the index on the items' evidence).
pub(crate) fn raised(
    reason: AccountabilityReason,
    kind: EvidenceKind,
    evidence_column: (impl IntoIden, impl IntoIden),
) -> SelectStatement {
    let item = |c: accountability_item::Column| Expr::col((accountability_item::Entity, c));
    Query::select()
        .expr(Expr::val(1))
        .from(accountability_item::Entity)
        .and_where(item(accountability_item::Column::EvidenceKind).eq(kind.as_str()))
        .and_where(item(accountability_item::Column::EvidenceId).equals(evidence_column))
        .and_where(item(accountability_item::Column::Reason).eq(reason.as_str()))
        .to_owned()
}

/// Emergency-management departments by region ("" for the national one),
/// the lowest id where a region has several.
async fn supervising_departments<C: ConnectionTrait>(db: &C) -> AppResult<HashMap<String, i64>> {
    let rows: Vec<(i64, Option<String>)> = department::Entity::find()
        .select_only()
        .columns([department::Column::Id, department::Column::RegionCode])
        .filter(department::Column::Kind.eq(DepartmentKind::EmergencyManagement))
        .into_tuple()
        .all(db)
        .await?;
    let mut by_region: HashMap<String, i64> = HashMap::new();
    for (id, region) in rows {
        let slot = by_region.entry(region.unwrap_or_default()).or_insert(id);
        *slot = std::cmp::min(*slot, id);
    }
    Ok(by_region)
}

/// The emergency-management department of a region, else of its city, its
/// province, and finally the national one.
fn supervisor_of(by_region: &HashMap<String, i64>, region: &str) -> Option<i64> {
    let mut code = RegionCode::parse(region).ok();
    while let Some(current) = code {
        if let Some(id) = by_region.get(current.as_str()) {
            return Some(*id);
        }
        code = current
            .implied_parent()
            .and_then(|p| RegionCode::parse(&p).ok());
    }
    by_region.get("").copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_supervisor_is_found_by_walking_up_the_regions() {
        let by_region = HashMap::from([
            ("130000".to_owned(), 1),
            ("130100".to_owned(), 2),
            (String::new(), 9),
        ]);
        assert_eq!(supervisor_of(&by_region, "130102"), Some(2), "its city's");
        assert_eq!(supervisor_of(&by_region, "130100"), Some(2), "its own");
        assert_eq!(
            supervisor_of(&by_region, "130203"),
            Some(1),
            "its province's"
        );
        assert_eq!(supervisor_of(&by_region, "110101"), Some(9), "the ministry");
        assert_eq!(supervisor_of(&HashMap::new(), "110101"), None);
    }
}

//! Duties missed, as accountability items to raise: tasks overdue (against
//! each of their inspectors), major hazards past their rectification deadline
//! (against the enterprise and the department supervising its region), and
//! failing grades. The reporting duties an incident missed are judged with its
//! reporting points, in [`crate::service::scoring`].
//!
//! A missed duty is counted in the month (China time) it fell due, and a
//! recomputation of a period raises the duties that fell due inside it, so
//! recomputing the year, a quarter and a month never raises one twice.

use chrono::{DateTime, Utc};
use entities::{AccountabilityReason, AccountableKind, EvidenceKind};

use super::{
    model::{NewItem, accountable_kind},
    store::missed_duties as store,
};
use crate::{
    domain::{Period, RegionCode, accountability::supervisor_of, workdays::china_date},
    error::AppResult,
};

fn region(code: &str) -> Option<RegionCode> {
    RegionCode::parse(code).ok()
}

/// `task_overdue` for each inspector of a task that fell due in the period
/// (and before now) without being submitted in time.
///
/// # Errors
/// When the database fails.
pub async fn overdue_tasks<C: sea_orm::ConnectionTrait>(
    db: &C,
    period: &Period,
    now: DateTime<Utc>,
) -> AppResult<Vec<NewItem>> {
    let until = std::cmp::min(period.end(), now);
    let tasks = store::overdue_tasks(db, period, until).await?;
    Ok(tasks
        .into_iter()
        .map(|task| NewItem {
            period: Period::month_of(task.due_at).to_string(),
            subject_kind: AccountableKind::Inspector,
            subject_id: task.inspector_id,
            region_code: region(&task.region_code),
            reason: AccountabilityReason::TaskOverdue,
            evidence_kind: EvidenceKind::Task,
            evidence_id: task.task_id,
        })
        .collect())
}

/// `hazard_overdue` for each major hazard whose deadline fell in the period and
/// has passed without rectification (or was rectified late): against the
/// enterprise and its supervising department.
///
/// # Errors
/// When the database fails.
pub async fn overdue_hazards<C: sea_orm::ConnectionTrait>(
    db: &C,
    period: &Period,
    now: DateTime<Utc>,
) -> AppResult<Vec<NewItem>> {
    let until = std::cmp::min(period.end_day(), china_date(now));
    let hazards = store::overdue_hazards(db, period, until).await?;
    if hazards.is_empty() {
        return Ok(Vec::new());
    }
    let supervisors = store::supervising_departments(db).await?;
    let mut items = Vec::new();
    for hazard in hazards {
        let region_code = region(&hazard.region_code);
        let supervisor = supervisor_of(&supervisors, region_code.as_ref());
        let item = |kind, id| NewItem {
            period: Period::month_of_date(hazard.rectify_by).to_string(),
            subject_kind: kind,
            subject_id: id,
            region_code: region_code.clone(),
            reason: AccountabilityReason::HazardOverdue,
            evidence_kind: EvidenceKind::Hazard,
            evidence_id: hazard.hazard_id,
        };
        items.push(item(AccountableKind::Enterprise, hazard.enterprise_id));
        if let Some(department) = supervisor {
            items.push(item(AccountableKind::Department, department));
        }
    }
    Ok(items)
}

/// `grade_fail` items for the failing rows a recomputation wrote (stamped
/// `computed_at`) that have none yet; a row left unchanged had its item raised
/// when it was written.
///
/// # Errors
/// When the database fails.
pub async fn failed_grades<C: sea_orm::ConnectionTrait>(
    db: &C,
    period: &Period,
    computed_at: DateTime<Utc>,
) -> AppResult<Vec<NewItem>> {
    let rows = store::failed_grades(db, period, computed_at).await?;
    Ok(rows
        .into_iter()
        .map(|row| NewItem {
            period: period.to_string(),
            subject_kind: accountable_kind(row.subject_kind),
            subject_id: row.subject_id,
            region_code: row.region_code.as_deref().and_then(region),
            reason: AccountabilityReason::GradeFail,
            evidence_kind: EvidenceKind::Score,
            evidence_id: row.score_id,
        })
        .collect())
}

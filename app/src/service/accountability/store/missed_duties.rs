//! The sweeps behind [`crate::service::accountability::missed_duties`]: each
//! finds the duties missed in a period that have no item yet, leaving out what
//! is already raised in the database rather than reading it.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    AccountabilityReason, DepartmentKind, EvidenceKind, Grade, HazardGrade, SubjectKind,
    TaskStatus, accountability_item, check_task, department, enterprise, hazard_item, score,
    task_inspector,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait as _, IntoIden, Query, SelectStatement},
};

use crate::{
    domain::{Period, task_state::VOID},
    error::AppResult,
};

/// An inspector of a task that fell due without being submitted in time.
#[derive(Debug, Clone)]
pub struct OverdueTask {
    pub task_id: i64,
    pub region_code: String,
    pub due_at: DateTime<Utc>,
    pub inspector_id: i64,
}

/// A major hazard not rectified by its deadline.
#[derive(Debug, Clone)]
pub struct OverdueHazard {
    pub hazard_id: i64,
    pub enterprise_id: i64,
    pub rectify_by: NaiveDate,
    /// The enterprise's region.
    pub region_code: String,
}

/// A failing score row.
#[derive(Debug, Clone)]
pub struct FailedGrade {
    pub score_id: i64,
    pub subject_kind: SubjectKind,
    pub subject_id: i64,
    pub region_code: Option<String>,
}

/// Items already raised for `reason` on the evidence in `evidence_column`
/// (served by the index on the items' evidence).
fn raised(
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

/// Each inspector of a task that fell due in the period and before `until`,
/// late (flagged overdue, still open, or submitted after its deadline) and
/// with no `task_overdue` item for that inspector yet.
///
/// # Errors
/// When the database fails.
pub async fn overdue_tasks<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    until: DateTime<Utc>,
) -> AppResult<Vec<OverdueTask>> {
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
        // A superseded task was nobody's to finish, even if it fell due first.
        .filter(check_task::Column::Status.is_not_in(VOID))
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
        .map(|(task_id, region_code, due_at, inspector_id)| OverdueTask {
            task_id,
            region_code,
            due_at,
            inspector_id,
        })
        .collect())
}

/// Each major hazard whose deadline fell in the period and before `until`,
/// not rectified (or rectified late, or sent back), with no `hazard_overdue`
/// item yet; a hazard withdrawn with its finding is no duty.
///
/// # Errors
/// When the database fails.
pub async fn overdue_hazards<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    until: NaiveDate,
) -> AppResult<Vec<OverdueHazard>> {
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
        .filter(hazard_item::Column::WithdrawnAt.is_null())
        .filter(hazard_item::Column::RectifyBy.gte(period.first_day()))
        .filter(hazard_item::Column::RectifyBy.lt(until))
        .filter(not_rectified)
        .filter(Expr::not_exists(raised));
    let rows: Vec<(i64, i64, NaiveDate, String)> = query.into_tuple().all(db).await?;
    Ok(rows
        .into_iter()
        .map(
            |(hazard_id, enterprise_id, rectify_by, region_code)| OverdueHazard {
                hazard_id,
                enterprise_id,
                rectify_by,
                region_code,
            },
        )
        .collect())
}

/// Emergency-management departments by region ("" for the national one),
/// the lowest id where a region has several.
///
/// # Errors
/// When the database fails.
pub async fn supervising_departments<C: ConnectionTrait>(
    db: &C,
) -> AppResult<HashMap<String, i64>> {
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

/// The failing score rows of the period written at `computed_at` that have no
/// `grade_fail` item yet.
///
/// # Errors
/// When the database fails.
pub async fn failed_grades<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    computed_at: DateTime<Utc>,
) -> AppResult<Vec<FailedGrade>> {
    let rows: Vec<(i64, SubjectKind, i64, Option<String>)> = score::Entity::find()
        .select_only()
        .columns([
            score::Column::Id,
            score::Column::SubjectKind,
            score::Column::SubjectId,
            score::Column::RegionCode,
        ])
        .filter(score::Column::Period.eq(period.to_string()))
        .filter(score::Column::Grade.eq(Grade::Fail))
        .filter(score::Column::ComputedAt.eq(computed_at))
        .filter(Expr::not_exists(raised(
            AccountabilityReason::GradeFail,
            EvidenceKind::Score,
            (score::Entity, score::Column::Id),
        )))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(score_id, subject_kind, subject_id, region_code)| FailedGrade {
                score_id,
                subject_kind,
                subject_id,
                region_code,
            },
        )
        .collect())
}

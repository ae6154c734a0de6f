//! The set-based queries behind a score recomputation: one aggregate per part
//! over the whole period, grouped by subject in the database, so the number of
//! queries does not grow with the number of departments or enterprises.

use chrono::{DateTime, Duration, Utc};
use entities::{
    AssessmentStatus, IndicatorCategory, SubjectKind, TaskStatus, check_task, finding, incident,
    incident_report, indicator, self_assessment, self_assessment_item,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait as _,
    sea_query::{Alias, Expr, ExprTrait as _, Func, Query, SelectStatement},
};

use crate::{domain::Period, error::AppResult};

/// Sums for one subject from one aggregate.
#[derive(Debug, Clone, FromQueryResult)]
pub struct SubjectSums {
    /// `enterprise` or `department`.
    pub subject_kind: String,
    /// Set when the subject is an enterprise.
    pub enterprise_id: Option<i64>,
    /// Set when the subject is a department.
    pub department_id: Option<i64>,
    /// The subject's region as the rows record it.
    pub region_code: Option<String>,
    /// Σ weight·points/max (data security), or Σ score (inspection).
    pub total: Option<f64>,
    /// Σ weight (data security), or the number of scores (inspection).
    pub weight: Option<f64>,
    /// The latest self-assessment pooled (self-assessment sums only).
    pub evidence_id: Option<i64>,
}

impl SubjectSums {
    /// The subject, if the row names one.
    #[must_use]
    pub fn subject(&self) -> Option<(SubjectKind, i64)> {
        match SubjectKind::from_name(&self.subject_kind)? {
            SubjectKind::Enterprise => Some((SubjectKind::Enterprise, self.enterprise_id?)),
            SubjectKind::Department => Some((SubjectKind::Department, self.department_id?)),
        }
    }
}

fn col<T, C>(table: T, column: C) -> Expr
where
    T: sea_orm::sea_query::IntoIden,
    C: sea_orm::sea_query::IntoIden,
{
    Expr::col((table, column))
}

/// weight · clamp(points, 0, max) / max: one indicator's weighted share.
fn weighted_share<T: sea_orm::sea_query::IntoIden + Clone>(points: Expr, ind: T) -> Expr {
    let max = || col(ind.clone(), indicator::Column::MaxPoints);
    let clamped: Expr = Expr::case(points.clone().gt(max()), max())
        .case(points.clone().lt(0.0), Expr::val(0.0))
        .finally(points)
        .into();
    col(ind.clone(), indicator::Column::Weight)
        .mul(clamped)
        .div(max())
}

/// Only scorable data-security indicators.
fn data_security_indicators(query: &mut SelectStatement) {
    query
        .and_where(
            col(indicator::Entity, indicator::Column::Category)
                .eq(IndicatorCategory::DataSecurity.as_str()),
        )
        .and_where(col(indicator::Entity, indicator::Column::MaxPoints).gt(0.0))
        .and_where(col(indicator::Entity, indicator::Column::Weight).gt(0.0));
}

async fn run<C: ConnectionTrait>(db: &C, query: &SelectStatement) -> AppResult<Vec<SubjectSums>> {
    let statement = db.get_database_backend().build(query);
    Ok(SubjectSums::find_by_statement(statement).all(db).await?)
}

/// The ids of the indicators that count for data security.
///
/// # Errors
/// When the database fails.
pub async fn data_security_indicators_ids<C: ConnectionTrait>(db: &C) -> AppResult<Vec<i64>> {
    Ok(indicator::Entity::find()
        .select_only()
        .column(indicator::Column::Id)
        .filter(indicator::Column::Category.eq(IndicatorCategory::DataSecurity))
        .filter(indicator::Column::MaxPoints.gt(0.0))
        .filter(indicator::Column::Weight.gt(0.0))
        .into_tuple()
        .all(db)
        .await?)
}

/// Data security from checks: the latest finding per task and indicator (the
/// earlier ones are flagged `superseded` when recorded), on tasks reviewed (or
/// since published) in the period, pooled per subject. One pass over the findings.
///
/// # Errors
/// When the database fails.
pub async fn checked_data_security<C: ConnectionTrait>(
    db: &C,
    period: &Period,
) -> AppResult<Vec<SubjectSums>> {
    let indicators = data_security_indicators_ids(db).await?;
    if indicators.is_empty() {
        return Ok(Vec::new());
    }
    let task = |c: check_task::Column| col(check_task::Entity, c);
    let f = |c: finding::Column| col(finding::Entity, c);
    let query = Query::select()
        .expr_as(
            task(check_task::Column::TargetKind),
            Alias::new("subject_kind"),
        )
        .column((check_task::Entity, check_task::Column::EnterpriseId))
        .column((check_task::Entity, check_task::Column::DepartmentId))
        .expr_as(
            Func::max(task(check_task::Column::RegionCode)),
            Alias::new("region_code"),
        )
        .expr_as(
            Func::sum(weighted_share(
                f(finding::Column::Points),
                indicator::Entity,
            )),
            Alias::new("total"),
        )
        .expr_as(
            Func::sum(col(indicator::Entity, indicator::Column::Weight)),
            Alias::new("weight"),
        )
        .expr_as(
            Expr::cust("CAST(NULL AS BIGINT)"),
            Alias::new("evidence_id"),
        )
        .from(finding::Entity)
        .inner_join(
            indicator::Entity,
            col(indicator::Entity, indicator::Column::Id)
                .equals((finding::Entity, finding::Column::IndicatorId)),
        )
        .inner_join(
            check_task::Entity,
            task(check_task::Column::Id).equals((finding::Entity, finding::Column::TaskId)),
        )
        .and_where(f(finding::Column::IndicatorId).is_in(indicators))
        .and_where(f(finding::Column::Superseded).eq(false))
        .and_where(task(check_task::Column::Status).is_in([
            TaskStatus::Reviewed.as_str(),
            TaskStatus::Published.as_str(),
        ]))
        .and_where(task(check_task::Column::ReviewedAt).gte(period.start()))
        .and_where(task(check_task::Column::ReviewedAt).lt(period.end()))
        .group_by_columns([
            (check_task::Entity, check_task::Column::TargetKind),
            (check_task::Entity, check_task::Column::EnterpriseId),
            (check_task::Entity, check_task::Column::DepartmentId),
        ])
        .to_owned();
    run(db, &query).await
}

/// Data security from submitted self-assessments of the period or of any
/// quarter or month inside it, pooled per subject.
///
/// # Errors
/// When the database fails.
pub async fn self_assessed_data_security<C: ConnectionTrait>(
    db: &C,
    period: &Period,
) -> AppResult<Vec<SubjectSums>> {
    let periods: Vec<String> = period
        .with_parts()
        .iter()
        .map(ToString::to_string)
        .collect();
    let sa = |c: self_assessment::Column| col(self_assessment::Entity, c);
    let mut query = Query::select();
    query
        .column((
            self_assessment::Entity,
            self_assessment::Column::SubjectKind,
        ))
        .column((
            self_assessment::Entity,
            self_assessment::Column::EnterpriseId,
        ))
        .column((
            self_assessment::Entity,
            self_assessment::Column::DepartmentId,
        ))
        .expr_as(
            Func::max(sa(self_assessment::Column::RegionCode)),
            Alias::new("region_code"),
        )
        .expr_as(
            Func::sum(weighted_share(
                col(
                    self_assessment_item::Entity,
                    self_assessment_item::Column::Points,
                ),
                indicator::Entity,
            )),
            Alias::new("total"),
        )
        .expr_as(
            Func::sum(col(indicator::Entity, indicator::Column::Weight)),
            Alias::new("weight"),
        )
        .expr_as(
            Func::max(sa(self_assessment::Column::Id)),
            Alias::new("evidence_id"),
        )
        .from(self_assessment_item::Entity)
        .inner_join(
            self_assessment::Entity,
            sa(self_assessment::Column::Id).equals((
                self_assessment_item::Entity,
                self_assessment_item::Column::AssessmentId,
            )),
        )
        .inner_join(
            indicator::Entity,
            col(indicator::Entity, indicator::Column::Id).equals((
                self_assessment_item::Entity,
                self_assessment_item::Column::IndicatorId,
            )),
        )
        .and_where(sa(self_assessment::Column::Status).eq(AssessmentStatus::Submitted.as_str()))
        .and_where(sa(self_assessment::Column::Period).is_in(periods))
        .group_by_columns([
            (
                self_assessment::Entity,
                self_assessment::Column::SubjectKind,
            ),
            (
                self_assessment::Entity,
                self_assessment::Column::EnterpriseId,
            ),
            (
                self_assessment::Entity,
                self_assessment::Column::DepartmentId,
            ),
        ]);
    data_security_indicators(&mut query);
    run(db, &query).await
}

/// Inspection: Σ score and the number of scored tasks published in the period,
/// per target and region (departments add up their jurisdiction's regions).
///
/// # Errors
/// When the database fails.
pub async fn published_checks<C: ConnectionTrait>(
    db: &C,
    period: &Period,
) -> AppResult<Vec<SubjectSums>> {
    let task = |c: check_task::Column| col(check_task::Entity, c);
    let mut query = Query::select();
    query
        .expr_as(
            task(check_task::Column::TargetKind),
            Alias::new("subject_kind"),
        )
        .column((check_task::Entity, check_task::Column::EnterpriseId))
        .column((check_task::Entity, check_task::Column::DepartmentId))
        .column((check_task::Entity, check_task::Column::RegionCode))
        .expr_as(
            Func::sum(task(check_task::Column::Score)),
            Alias::new("total"),
        )
        .expr_as(
            Func::cast_as(
                Func::count(task(check_task::Column::Score)),
                Alias::new("DOUBLE PRECISION"),
            ),
            Alias::new("weight"),
        )
        .expr_as(
            Expr::cust("CAST(NULL AS BIGINT)"),
            Alias::new("evidence_id"),
        )
        .from(check_task::Entity)
        .and_where(task(check_task::Column::Status).eq(TaskStatus::Published.as_str()))
        .and_where(task(check_task::Column::Score).is_not_null())
        .and_where(task(check_task::Column::PublishedAt).gte(period.start()))
        .and_where(task(check_task::Column::PublishedAt).lt(period.end()))
        .group_by_columns([
            (check_task::Entity, check_task::Column::TargetKind),
            (check_task::Entity, check_task::Column::EnterpriseId),
            (check_task::Entity, check_task::Column::DepartmentId),
            (check_task::Entity, check_task::Column::RegionCode),
        ]);
    run(db, &query).await
}

/// Incidents that occurred in the period, or whose final deadline may fall in
/// it, with their reports.
///
/// # Errors
/// When the database fails.
pub async fn incidents<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    final_days: i64,
) -> AppResult<(Vec<incident::Model>, Vec<incident_report::Model>)> {
    let from: DateTime<Utc> = period.start() - Duration::days(final_days.saturating_add(1));
    let window = incident::Entity::find()
        .filter(incident::Column::OccurredAt.gte(from))
        .filter(incident::Column::OccurredAt.lt(period.end()));
    let ids = window
        .clone()
        .select_only()
        .column(incident::Column::Id)
        .into_query();
    let incidents = window.order_by_asc(incident::Column::Id).all(db).await?;
    let reports = incident_report::Entity::find()
        .filter(incident_report::Column::IncidentId.in_subquery(ids))
        .order_by_asc(incident_report::Column::Id)
        .all(db)
        .await?;
    Ok((incidents, reports))
}

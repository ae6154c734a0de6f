//! The set-based reads behind a score recomputation: a handful of aggregates
//! over the whole period, grouped in the database, so the number of statements
//! does not grow with the number of departments or enterprises; and the
//! data-security sums a check's review settles, which they read.

use entities::{
    AssessmentStatus, IndicatorCategory, SubjectKind, TaskStatus, check_task, department, finding,
    indicator, self_assessment, self_assessment_item,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
    QuerySelect,
    sea_query::{Alias, Expr, ExprTrait as _, Func, IntoCondition, Query, SelectStatement},
};

use crate::{domain::Period, error::AppResult, service::scoring::model::SubjectKey};

/// One subject's sums from its checks in the period.
#[derive(Debug, Clone, FromQueryResult)]
pub struct CheckSums {
    /// `enterprise` or `department`.
    pub subject_kind: String,
    /// Set when the subject is an enterprise.
    pub enterprise_id: Option<i64>,
    /// Set when the subject is a department.
    pub department_id: Option<i64>,
    /// The subject's region as its checks record it.
    pub region_code: Option<String>,
    /// Σ weight·points/max over the latest data-security findings of reviewed checks.
    pub checked_total: Option<f64>,
    /// Σ weight over the same findings.
    pub checked_weight: Option<f64>,
    /// Σ score of published checks.
    pub inspection_total: Option<f64>,
    /// How many published checks have a score.
    pub inspection_count: Option<f64>,
}

/// One subject's data-security sums from its submitted self-assessments.
#[derive(Debug, Clone, FromQueryResult)]
pub struct AssessedSums {
    /// `enterprise` or `department`.
    pub subject_kind: String,
    /// Set when the subject is an enterprise.
    pub enterprise_id: Option<i64>,
    /// Set when the subject is a department.
    pub department_id: Option<i64>,
    /// The subject's region.
    pub region_code: Option<String>,
    /// Σ weight·points/max.
    pub total: Option<f64>,
    /// Σ weight.
    pub weight: Option<f64>,
    /// The latest of the assessments pooled.
    pub assessment_id: Option<i64>,
}

/// Published enterprise checks of one region, for the departments above it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct RegionSums {
    /// The region.
    pub region_code: String,
    /// Σ score.
    pub total: Option<f64>,
    /// How many checks have a score.
    pub count: Option<f64>,
}

impl CheckSums {
    /// The subject the row is about, if it names one.
    #[must_use]
    pub fn subject(&self) -> Option<SubjectKey> {
        SubjectKey::of_target(&self.subject_kind, self.enterprise_id, self.department_id)
    }
}

impl AssessedSums {
    /// The subject the row is about, if it names one.
    #[must_use]
    pub fn subject(&self) -> Option<SubjectKey> {
        SubjectKey::of_target(&self.subject_kind, self.enterprise_id, self.department_id)
    }
}

/// A department and its region (`None`: national).
#[derive(Debug, Clone)]
pub struct DepartmentRegion {
    pub id: i64,
    pub region_code: Option<String>,
}

/// Every department with its region.
///
/// # Errors
/// When the database fails.
pub async fn departments<C: ConnectionTrait>(db: &C) -> AppResult<Vec<DepartmentRegion>> {
    let rows: Vec<(i64, Option<String>)> = department::Entity::find()
        .select_only()
        .columns([department::Column::Id, department::Column::RegionCode])
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, region_code)| DepartmentRegion { id, region_code })
        .collect())
}

fn col<T, C>(table: T, column: C) -> Expr
where
    T: sea_orm::sea_query::IntoIden,
    C: sea_orm::sea_query::IntoIden,
{
    Expr::col((table, column))
}

fn task(column: check_task::Column) -> Expr {
    col(check_task::Entity, column)
}

/// weight · clamp(points, 0, max) / max: one indicator's weighted share.
fn weighted_share(points: Expr) -> Expr {
    let max = || col(indicator::Entity, indicator::Column::MaxPoints);
    let clamped: Expr = Expr::case(points.clone().gt(max()), max())
        .case(points.clone().lt(0.0), Expr::val(0.0))
        .finally(points)
        .into();
    col(indicator::Entity, indicator::Column::Weight)
        .mul(clamped)
        .div(max())
}

/// Keeps to the indicators that count for data security: of that category,
/// with a positive maximum and weight.
fn data_security_indicators(query: &mut SelectStatement) -> &mut SelectStatement {
    let i = |c: indicator::Column| col(indicator::Entity, c);
    query
        .and_where(i(indicator::Column::Category).eq(IndicatorCategory::DataSecurity.as_str()))
        .and_where(i(indicator::Column::MaxPoints).gt(0.0))
        .and_where(i(indicator::Column::Weight).gt(0.0))
}

/// The findings of the check being updated that count for data security: its
/// latest findings (not withdrawn) on the indicators that count.
fn counted_findings(value: Expr) -> SelectStatement {
    let f = |c: finding::Column| col(finding::Entity, c);
    let mut query = Query::select();
    query
        .expr(Func::sum(value))
        .from(finding::Entity)
        .inner_join(
            indicator::Entity,
            col(indicator::Entity, indicator::Column::Id)
                .equals((finding::Entity, finding::Column::IndicatorId)),
        )
        .and_where(f(finding::Column::TaskId).equals((check_task::Entity, check_task::Column::Id)))
        .and_where(f(finding::Column::Superseded).eq(false))
        .and_where(f(finding::Column::WithdrawnAt).is_null());
    data_security_indicators(&mut query).to_owned()
}

/// Settles the data-security sums of the reviewed or published checks `which`
/// selects from their latest findings (earlier ones are flagged `superseded`
/// when recorded again). Run when a check is reviewed: its findings are final
/// from then on, and the indicator set they score against is frozen once in use.
///
/// # Errors
/// When the database fails.
pub async fn settle_data_security<C: ConnectionTrait>(
    db: &C,
    which: impl IntoCondition,
) -> AppResult<u64> {
    let share = weighted_share(col(finding::Entity, finding::Column::Points));
    let weight = col(indicator::Entity, indicator::Column::Weight);
    Ok(check_task::Entity::update_many()
        .col_expr(
            check_task::Column::DataSecuritySum,
            counted_findings(share).into(),
        )
        .col_expr(
            check_task::Column::DataSecurityWeight,
            counted_findings(weight).into(),
        )
        .filter(which)
        .filter(check_task::Column::Status.is_in([TaskStatus::Reviewed, TaskStatus::Published]))
        .exec(db)
        .await?
        .rows_affected)
}

/// Whether a task's time column falls in the period.
fn within(column: check_task::Column, period: &Period) -> Condition {
    Condition::all()
        .add(task(column).gte(period.start()))
        .add(task(column).lt(period.end()))
}

/// Checks published in the period with a score.
fn published_in(period: &Period) -> Condition {
    within(check_task::Column::PublishedAt, period)
        .add(task(check_task::Column::Status).eq(TaskStatus::Published.as_str()))
        .add(task(check_task::Column::Score).is_not_null())
}

/// `value` where `condition` holds, else NULL (which the aggregates skip).
fn only(condition: Condition, value: Expr) -> Expr {
    Expr::case(condition, value).into()
}

fn count(expr: Expr) -> Expr {
    Func::cast_as(Func::count(expr), Alias::new("DOUBLE PRECISION")).into()
}

/// Per subject, from its checks of the period in one pass over them (never over
/// their findings): the data-security sums settled on the checks reviewed in
/// the period, and Σ score and count of the checks published in it with a
/// score. Only subjects with either get a row (a check reviewed with nothing on
/// data security and not published counts for nothing); the region is that of
/// the published checks, else of the reviewed ones.
fn check_sums_query(period: &Period) -> SelectStatement {
    let reviewed = || {
        within(check_task::Column::ReviewedAt, period)
            .add(task(check_task::Column::DataSecurityWeight).is_not_null())
    };
    let region = |which: Condition| -> Expr {
        Func::max(only(which, task(check_task::Column::RegionCode))).into()
    };
    Query::select()
        .expr_as(
            task(check_task::Column::TargetKind),
            Alias::new("subject_kind"),
        )
        .expr_as(
            task(check_task::Column::EnterpriseId),
            Alias::new("enterprise_id"),
        )
        .expr_as(
            task(check_task::Column::DepartmentId),
            Alias::new("department_id"),
        )
        .expr_as(
            Func::coalesce([region(published_in(period)), region(reviewed())]),
            Alias::new("region_code"),
        )
        .expr_as(
            Func::sum(only(reviewed(), task(check_task::Column::DataSecuritySum))),
            Alias::new("checked_total"),
        )
        .expr_as(
            Func::sum(only(
                reviewed(),
                task(check_task::Column::DataSecurityWeight),
            )),
            Alias::new("checked_weight"),
        )
        .expr_as(
            Func::sum(only(published_in(period), task(check_task::Column::Score))),
            Alias::new("inspection_total"),
        )
        .expr_as(
            count(only(published_in(period), task(check_task::Column::Score))),
            Alias::new("inspection_count"),
        )
        .from(check_task::Entity)
        .and_where(task(check_task::Column::Status).is_in([
            TaskStatus::Reviewed.as_str(),
            TaskStatus::Published.as_str(),
        ]))
        .cond_where(Condition::any().add(reviewed()).add(published_in(period)))
        .group_by_columns([
            (check_task::Entity, check_task::Column::TargetKind),
            (check_task::Entity, check_task::Column::EnterpriseId),
            (check_task::Entity, check_task::Column::DepartmentId),
        ])
        .to_owned()
}

/// Each subject's sums from its checks of the period: checked data security and
/// inspection.
///
/// # Errors
/// When the database fails.
pub async fn check_sums<C: ConnectionTrait>(db: &C, period: &Period) -> AppResult<Vec<CheckSums>> {
    let statement = db.get_database_backend().build(&check_sums_query(period));
    Ok(CheckSums::find_by_statement(statement).all(db).await?)
}

/// Published enterprise checks per region, for the departments whose
/// jurisdiction holds them.
///
/// # Errors
/// When the database fails.
pub async fn enterprise_checks_by_region<C: ConnectionTrait>(
    db: &C,
    period: &Period,
) -> AppResult<Vec<RegionSums>> {
    let mut query = Query::select();
    query
        .column(check_task::Column::RegionCode)
        .expr_as(
            Func::sum(task(check_task::Column::Score)),
            Alias::new("total"),
        )
        .expr_as(count(task(check_task::Column::Score)), Alias::new("count"))
        .from(check_task::Entity)
        .and_where(task(check_task::Column::TargetKind).eq(SubjectKind::Enterprise.as_str()))
        .cond_where(published_in(period))
        .group_by_col(check_task::Column::RegionCode);
    let statement = db.get_database_backend().build(&query);
    Ok(RegionSums::find_by_statement(statement).all(db).await?)
}

/// Data security from submitted self-assessments of the period or of any
/// quarter or month inside it, pooled per subject.
///
/// # Errors
/// When the database fails.
pub async fn self_assessed<C: ConnectionTrait>(
    db: &C,
    period: &Period,
) -> AppResult<Vec<AssessedSums>> {
    let statement = db
        .get_database_backend()
        .build(&self_assessed_query(period));
    Ok(AssessedSums::find_by_statement(statement).all(db).await?)
}

/// Per subject, Σ weighted share and Σ weight of the data-security items of
/// its submitted self-assessments of the period or any part of it, and the
/// latest of them.
fn self_assessed_query(period: &Period) -> SelectStatement {
    let periods: Vec<String> = period
        .with_parts()
        .iter()
        .map(ToString::to_string)
        .collect();
    let sa = |c: self_assessment::Column| col(self_assessment::Entity, c);
    let item = |c: self_assessment_item::Column| col(self_assessment_item::Entity, c);
    let subject = [
        self_assessment::Column::SubjectKind,
        self_assessment::Column::EnterpriseId,
        self_assessment::Column::DepartmentId,
    ]
    .map(|c| (self_assessment::Entity, c));
    let mut query = Query::select();
    query
        .columns(subject)
        .expr_as(
            Func::max(sa(self_assessment::Column::RegionCode)),
            Alias::new("region_code"),
        )
        .expr_as(
            Func::sum(weighted_share(item(self_assessment_item::Column::Points))),
            Alias::new("total"),
        )
        .expr_as(
            Func::sum(col(indicator::Entity, indicator::Column::Weight)),
            Alias::new("weight"),
        )
        .expr_as(
            Func::max(sa(self_assessment::Column::Id)),
            Alias::new("assessment_id"),
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
        .and_where(sa(self_assessment::Column::Period).is_in(periods));
    data_security_indicators(&mut query)
        .group_by_columns(subject)
        .to_owned()
}

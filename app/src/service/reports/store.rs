//! Every query of the reports. Long lists are read a page at a time, each
//! page after the last row of the one before, so rows added meanwhile neither
//! repeat nor shift; ids are looked up in chunks.

use std::collections::HashMap;

use entities::{
    AccountableKind, AssessmentStatus, Grade, IndicatorCategory, SubjectKind, TaskStatus,
    accountability_item, check_task, department, draw, enterprise, finding, indicator, inspector,
    publication, region, score, self_assessment, self_assessment_item, task_inspector,
};
use futures_util::Stream;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    FromQueryResult, JoinType, QueryFilter, QueryOrder, QuerySelect, StreamTrait,
    sea_query::{Expr, ExprTrait as _, Order},
};

use crate::{domain::Period, error::AppResult, service::Actor};

/// Rows read per query when a report is streamed.
pub const PAGE: u64 = 5_000;

/// The name of a region, if it exists.
pub async fn region_name<C: ConnectionTrait>(db: &C, code: &str) -> AppResult<Option<String>> {
    Ok(region::Entity::find_by_id(code.to_owned())
        .one(db)
        .await?
        .map(|r| r.name))
}

/// Rows of `E` by id, `chunk` ids a query.
async fn by_id<E, C>(db: &C, ids: &[i64], id: E::Column, chunk: usize) -> AppResult<Vec<E::Model>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(chunk) {
        found.extend(E::find().filter(id.is_in(chunk.to_vec())).all(db).await?);
    }
    Ok(found)
}

// The draw list.

/// The draw with this id.
pub async fn draw<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<draw::Model>> {
    Ok(draw::Entity::find_by_id(id).one(db).await?)
}

/// The draw that this one replaced, if any.
pub async fn draw_replaced_by<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> AppResult<Option<draw::Model>> {
    Ok(draw::Entity::find()
        .filter(draw::Column::SupersededBy.eq(id))
        .one(db)
        .await?)
}

/// The next page of a draw's tasks, by id, after task `after`.
pub async fn draw_tasks_after<C: ConnectionTrait>(
    db: &C,
    draw_id: i64,
    after: i64,
) -> AppResult<Vec<check_task::Model>> {
    Ok(check_task::Entity::find()
        .filter(check_task::Column::DrawId.eq(draw_id))
        .filter(check_task::Column::Id.gt(after))
        .order_by_asc(check_task::Column::Id)
        .limit(PAGE)
        .all(db)
        .await?)
}

/// The team members of these tasks, by task and place in the team.
pub async fn team_members<C: ConnectionTrait>(
    db: &C,
    task_ids: Vec<i64>,
) -> AppResult<Vec<task_inspector::Model>> {
    Ok(task_inspector::Entity::find()
        .filter(task_inspector::Column::TaskId.is_in(task_ids))
        .order_by_asc(task_inspector::Column::TaskId)
        .order_by_asc(task_inspector::Column::Position)
        .all(db)
        .await?)
}

/// The enterprises with these ids, [`PAGE`] ids a query.
pub async fn enterprises<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> AppResult<Vec<enterprise::Model>> {
    by_id::<enterprise::Entity, _>(db, ids, enterprise::Column::Id, PAGE as usize).await
}

/// The departments with these ids, [`PAGE`] ids a query.
pub async fn departments<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> AppResult<Vec<department::Model>> {
    by_id::<department::Entity, _>(db, ids, department::Column::Id, PAGE as usize).await
}

/// The inspectors with these ids, [`PAGE`] ids a query.
pub async fn inspectors<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> AppResult<Vec<inspector::Model>> {
    by_id::<inspector::Entity, _>(db, ids, inspector::Column::Id, PAGE as usize).await
}

// The publication list.

/// The next page of results published in the actor's region, of checks in
/// `period` if one is given, by id, after publication `after`.
pub async fn publications_after<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    period: Option<&Period>,
    after: i64,
) -> AppResult<Vec<publication::Model>> {
    let mut query =
        publication::Entity::find().filter(actor.scope_condition(publication::Column::RegionCode));
    if let Some(period) = period {
        query = query
            .filter(publication::Column::CheckDate.gte(period.first_day()))
            .filter(publication::Column::CheckDate.lt(period.end_day()));
    }
    Ok(query
        .filter(publication::Column::Id.gt(after))
        .order_by_asc(publication::Column::Id)
        .limit(PAGE)
        .all(db)
        .await?)
}

// The scorecard.

/// A stored score with its subject's name.
#[derive(Debug, FromQueryResult)]
pub struct NamedScore {
    pub subject_id: i64,
    pub region_code: Option<String>,
    pub data_security: Option<f64>,
    pub reporting_compliance: Option<f64>,
    pub inspection: Option<f64>,
    pub overall: Option<f64>,
    pub grade: Option<Grade>,
    pub rank: Option<i32>,
    pub name: String,
}

/// A score's region level as a sort key: national, province (`330000`), city
/// (`330100`), county.
const LEVEL_ORDER: &str = "CASE WHEN score.region_code IS NULL THEN 0 \
     WHEN score.region_code LIKE '__0000' THEN 1 \
     WHEN score.region_code LIKE '____00' THEN 2 ELSE 3 END";

/// The period's scores of one kind in scope, with names, by region level and
/// best rank first.
fn scores_of(
    actor: &Actor,
    period: &Period,
    kind: SubjectKind,
) -> sea_orm::Selector<sea_orm::SelectModel<NamedScore>> {
    let (join, name) = match kind {
        SubjectKind::Department => (
            score::Entity::belongs_to(department::Entity)
                .from(score::Column::SubjectId)
                .to(department::Column::Id)
                .into(),
            Expr::col((department::Entity, department::Column::Name)),
        ),
        SubjectKind::Enterprise => (
            score::Entity::belongs_to(enterprise::Entity)
                .from(score::Column::SubjectId)
                .to(enterprise::Column::Id)
                .into(),
            Expr::col((enterprise::Entity, enterprise::Column::Name)),
        ),
    };
    score::Entity::find()
        .select_only()
        .columns([
            score::Column::SubjectId,
            score::Column::RegionCode,
            score::Column::DataSecurity,
            score::Column::ReportingCompliance,
            score::Column::Inspection,
            score::Column::Overall,
            score::Column::Grade,
            score::Column::Rank,
        ])
        .expr_as(name, "name")
        .join(JoinType::InnerJoin, join)
        .filter(score::Column::Period.eq(period.to_string()))
        .filter(score::Column::SubjectKind.eq(kind))
        .filter(actor.scope_condition(score::Column::RegionCode))
        // Ranks are within a region level: the levels from the top down.
        .order_by(Expr::cust(LEVEL_ORDER), Order::Asc)
        .order_by(Expr::col(score::Column::Rank).is_null(), Order::Asc)
        .order_by_asc(score::Column::Rank)
        .order_by_asc(score::Column::RegionCode)
        .order_by_asc(score::Column::SubjectId)
        .into_model::<NamedScore>()
}

/// The period's department scores in scope, ranked.
pub async fn department_scores<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    period: &Period,
) -> AppResult<Vec<NamedScore>> {
    Ok(scores_of(actor, period, SubjectKind::Department)
        .all(db)
        .await?)
}

/// The period's enterprise scores in scope, ranked, as a stream: there may
/// be a great many.
pub async fn enterprise_scores<'a, C>(
    db: &'a C,
    actor: &Actor,
    period: &Period,
) -> AppResult<impl Stream<Item = Result<NamedScore, DbErr>> + Send + 'a>
where
    C: ConnectionTrait + StreamTrait + Send,
{
    Ok(scores_of(actor, period, SubjectKind::Enterprise)
        .stream(db)
        .await?)
}

/// The indicators that count for data security, as the score takes them, by id.
pub async fn data_security_indicators(
    db: &DatabaseConnection,
) -> AppResult<HashMap<i64, indicator::Model>> {
    Ok(indicator::Entity::find()
        .filter(indicator::Column::Category.eq(IndicatorCategory::DataSecurity))
        .filter(indicator::Column::MaxPoints.gt(0.0))
        .filter(indicator::Column::Weight.gt(0.0))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect())
}

/// A department's points on one indicator, from one assessment or finding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndicatorPoints {
    pub department_id: i64,
    pub indicator_id: i64,
    pub points: f64,
}

fn indicator_points(rows: Vec<(Option<i64>, i64, f64)>) -> Vec<IndicatorPoints> {
    rows.into_iter()
        .filter_map(|(department_id, indicator_id, points)| {
            Some(IndicatorPoints {
                department_id: department_id?,
                indicator_id,
                points,
            })
        })
        .collect()
}

/// The points of these departments' submitted self-assessments of `periods`.
pub async fn self_assessed_points(
    db: &DatabaseConnection,
    department_ids: Vec<i64>,
    periods: Vec<String>,
) -> AppResult<Vec<IndicatorPoints>> {
    let rows: Vec<(Option<i64>, i64, f64)> = self_assessment_item::Entity::find()
        .select_only()
        .column_as(
            Expr::col((
                self_assessment::Entity,
                self_assessment::Column::DepartmentId,
            )),
            "department_id",
        )
        .columns([
            self_assessment_item::Column::IndicatorId,
            self_assessment_item::Column::Points,
        ])
        .join(
            JoinType::InnerJoin,
            self_assessment_item::Entity::belongs_to(self_assessment::Entity)
                .from(self_assessment_item::Column::AssessmentId)
                .to(self_assessment::Column::Id)
                .into(),
        )
        .filter(self_assessment::Column::SubjectKind.eq(SubjectKind::Department))
        .filter(self_assessment::Column::DepartmentId.is_in(department_ids))
        .filter(self_assessment::Column::Status.eq(AssessmentStatus::Submitted))
        .filter(self_assessment::Column::Period.is_in(periods))
        .into_tuple()
        .all(db)
        .await?;
    Ok(indicator_points(rows))
}

/// The points of the current findings of these departments' checks reviewed in `period`.
pub async fn checked_points(
    db: &DatabaseConnection,
    department_ids: Vec<i64>,
    period: &Period,
) -> AppResult<Vec<IndicatorPoints>> {
    let rows: Vec<(Option<i64>, i64, f64)> = finding::Entity::find()
        .select_only()
        .column_as(
            Expr::col((check_task::Entity, check_task::Column::DepartmentId)),
            "department_id",
        )
        .columns([finding::Column::IndicatorId, finding::Column::Points])
        .join(
            JoinType::InnerJoin,
            finding::Entity::belongs_to(check_task::Entity)
                .from(finding::Column::TaskId)
                .to(check_task::Column::Id)
                .into(),
        )
        .filter(check_task::Column::DepartmentId.is_in(department_ids))
        .filter(check_task::Column::Status.is_in([TaskStatus::Reviewed, TaskStatus::Published]))
        .filter(check_task::Column::ReviewedAt.gte(period.start()))
        .filter(check_task::Column::ReviewedAt.lt(period.end()))
        .filter(finding::Column::Superseded.eq(false))
        .filter(finding::Column::WithdrawnAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    Ok(indicator_points(rows))
}

// The accountability report.

/// Where a page of accountability items ends: items go unit by unit (kind,
/// then id) and in the order raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemCursor {
    pub kind: AccountableKind,
    pub subject_id: i64,
    pub id: i64,
}

impl ItemCursor {
    /// Where `item` stands.
    #[must_use]
    pub fn of(item: &accountability_item::Model) -> Self {
        Self {
            kind: item.subject_kind,
            subject_id: item.subject_id,
            id: item.id,
        }
    }

    fn after(self) -> Condition {
        use accountability_item::Column as C;
        Condition::any()
            .add(C::SubjectKind.gt(self.kind))
            .add(
                Condition::all()
                    .add(C::SubjectKind.eq(self.kind))
                    .add(C::SubjectId.gt(self.subject_id)),
            )
            .add(
                Condition::all()
                    .add(C::SubjectKind.eq(self.kind))
                    .add(C::SubjectId.eq(self.subject_id))
                    .add(C::Id.gt(self.id)),
            )
    }
}

/// The next page of the accountability items of `periods` in the actor's
/// region, unit by unit, after `after`.
pub async fn accountability_items_after<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    periods: &[String],
    after: Option<ItemCursor>,
) -> AppResult<Vec<accountability_item::Model>> {
    let mut query = accountability_item::Entity::find()
        .filter(actor.scope_condition(accountability_item::Column::RegionCode))
        .filter(accountability_item::Column::Period.is_in(periods.iter().cloned()));
    if let Some(cursor) = after {
        query = query.filter(cursor.after());
    }
    Ok(query
        .order_by_asc(accountability_item::Column::SubjectKind)
        .order_by_asc(accountability_item::Column::SubjectId)
        .order_by_asc(accountability_item::Column::Id)
        .limit(PAGE)
        .all(db)
        .await?)
}

// The timeliness report.

/// The departments in the actor's region: national ones first, then by region and code.
pub async fn departments_in_scope<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
) -> AppResult<Vec<department::Model>> {
    Ok(department::Entity::find()
        .filter(actor.scope_condition(department::Column::RegionCode))
        // National departments (no region) first on both engines.
        .order_by(
            Expr::col(department::Column::RegionCode).is_not_null(),
            Order::Asc,
        )
        .order_by_asc(department::Column::RegionCode)
        .order_by_asc(department::Column::Code)
        .all(db)
        .await?)
}

//! 考核评分表: the period's stored scores in scope, ranked; the data-security
//! indicators behind each department's score; the mean overall score by region.

use std::collections::{BTreeMap, HashMap};

use entities::{
    AssessmentStatus, Grade, IndicatorCategory, RegionLevel, SubjectKind, TaskStatus, check_task,
    department, enterprise, finding, indicator, region, score, self_assessment,
    self_assessment_item,
};
use futures_util::TryStreamExt as _;
use reports::export::{
    Meta, Sink, Written,
    scorecard::{self as card, Basis, IndicatorRow, RegionScore, ScoreRow, Scorecard},
};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, FromQueryResult, JoinType, QueryFilter,
    QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait as _, Order},
};

use super::{Actor, PAGE, blocking, labels};
use crate::{
    domain::{Period, RegionCode, region_code::level_of},
    error::AppResult,
};

/// A score row with its subject's name.
#[derive(Debug, FromQueryResult)]
struct Named {
    subject_id: i64,
    region_code: Option<String>,
    data_security: Option<f64>,
    reporting_compliance: Option<f64>,
    inspection: Option<f64>,
    overall: Option<f64>,
    grade: Option<Grade>,
    rank: Option<i32>,
    name: String,
}

fn grade_of(grade: Grade) -> card::Grade {
    match grade {
        Grade::Excellent => card::Grade::Excellent,
        Grade::Good => card::Grade::Good,
        Grade::Pass => card::Grade::Pass,
        Grade::Fail => card::Grade::Fail,
    }
}

fn row_of(kind: SubjectKind, s: Named) -> ScoreRow {
    ScoreRow {
        rank: s.rank,
        kind: labels::subject_kind(kind).to_owned(),
        level: labels::level(level_of(s.region_code.as_deref())).to_owned(),
        name: s.name,
        region_code: s.region_code,
        data_security: s.data_security,
        reporting_compliance: s.reporting_compliance,
        inspection: s.inspection,
        overall: s.overall,
        grade: s.grade.map(grade_of),
    }
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
) -> sea_orm::Selector<sea_orm::SelectModel<Named>> {
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
        .into_model::<Named>()
}

/// The region one level below the caller's scope that a code rolls up to.
fn group_of(scope_level: Option<RegionLevel>, code: &str) -> Option<String> {
    let code = RegionCode::parse(code).ok()?;
    let digits = code.as_str();
    let keep = match scope_level {
        None => 2,
        Some(RegionLevel::Province) => 4,
        Some(RegionLevel::City | RegionLevel::County) => 6,
    };
    let prefix = digits.get(..keep)?;
    Some(format!("{prefix:0<6}"))
}

/// Σ overall and count per region group.
#[derive(Default)]
struct Means(BTreeMap<String, (f64, i64)>);

impl Means {
    fn add(&mut self, scope_level: Option<RegionLevel>, row: &ScoreRow) {
        let (Some(overall), Some(code)) = (row.overall, row.region_code.as_deref()) else {
            return;
        };
        if let Some(group) = group_of(scope_level, code) {
            let slot = self.0.entry(group).or_default();
            slot.0 += overall;
            slot.1 += 1;
        }
    }

    async fn rows(self, db: &DatabaseConnection) -> AppResult<Vec<RegionScore>> {
        let codes: Vec<String> = self.0.keys().cloned().collect();
        let names: HashMap<String, String> = region::Entity::find()
            .filter(region::Column::Code.is_in(codes))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.code, r.name))
            .collect();
        Ok(self
            .0
            .into_iter()
            .map(|(code, (total, count))| RegionScore {
                name: names.get(&code).cloned().unwrap_or_else(|| code.clone()),
                mean_overall: crate::domain::scoring::round2(total / Ord::max(count, 1) as f64),
                subjects: count,
                code,
            })
            .collect())
    }
}

/// Mean points per (department, indicator) from one source.
type Points = HashMap<(i64, i64), f64>;

fn mean_points(pairs: impl IntoIterator<Item = ((i64, i64), f64)>) -> Points {
    let mut sums: HashMap<(i64, i64), (f64, f64)> = HashMap::new();
    for (key, points) in pairs {
        let slot = sums.entry(key).or_default();
        slot.0 += points;
        slot.1 += 1.0;
    }
    sums.into_iter().map(|(k, (t, n))| (k, t / n)).collect()
}

/// The data-security indicators behind the departments' scores: points from
/// submitted self-assessments of the period (or its quarters and months) and
/// from the latest findings of checks reviewed in the period.
async fn indicator_rows(
    db: &DatabaseConnection,
    period: &Period,
    departments: &[(i64, String)],
) -> AppResult<Vec<IndicatorRow>> {
    // The indicators that count for data security, as the score takes them.
    let indicators: HashMap<i64, indicator::Model> = indicator::Entity::find()
        .filter(indicator::Column::Category.eq(IndicatorCategory::DataSecurity))
        .filter(indicator::Column::MaxPoints.gt(0.0))
        .filter(indicator::Column::Weight.gt(0.0))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let periods: Vec<String> = period
        .with_parts()
        .iter()
        .map(ToString::to_string)
        .collect();
    let mut assessed = Vec::new();
    let mut checked = Vec::new();
    for chunk in departments.chunks(1_000) {
        let ids: Vec<i64> = chunk.iter().map(|(id, _)| *id).collect();
        let items: Vec<(Option<i64>, i64, f64)> = self_assessment_item::Entity::find()
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
            .filter(self_assessment::Column::DepartmentId.is_in(ids.clone()))
            .filter(self_assessment::Column::Status.eq(AssessmentStatus::Submitted))
            .filter(self_assessment::Column::Period.is_in(periods.clone()))
            .into_tuple()
            .all(db)
            .await?;
        assessed.extend(
            items
                .into_iter()
                .filter_map(|(d, i, p)| d.map(|d| ((d, i), p))),
        );
        let found: Vec<(Option<i64>, i64, f64)> = finding::Entity::find()
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
            .filter(check_task::Column::DepartmentId.is_in(ids))
            .filter(check_task::Column::Status.is_in([TaskStatus::Reviewed, TaskStatus::Published]))
            .filter(check_task::Column::ReviewedAt.gte(period.start()))
            .filter(check_task::Column::ReviewedAt.lt(period.end()))
            .filter(finding::Column::Superseded.eq(false))
            .into_tuple()
            .all(db)
            .await?;
        checked.extend(
            found
                .into_iter()
                .filter_map(|(d, i, p)| d.map(|d| ((d, i), p))),
        );
    }
    // Points count between 0 and the indicator's maximum, as in the score.
    let clamp = |((d, i), p): ((i64, i64), f64)| {
        let max = indicators.get(&i).map_or(0.0, |x| x.max_points);
        ((d, i), p.clamp(0.0, max))
    };
    let assessed = mean_points(assessed.into_iter().map(clamp));
    let checked = mean_points(checked.into_iter().map(clamp));
    // A department with a reviewed check is scored on the check alone.
    let was_checked: std::collections::HashSet<i64> = checked
        .keys()
        .filter(|(_, i)| indicators.contains_key(i))
        .map(|(d, _)| *d)
        .collect();
    let mut keys: Vec<(i64, i64)> = assessed
        .keys()
        .chain(checked.keys())
        .copied()
        .filter(|(_, i)| indicators.contains_key(i))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let names: HashMap<i64, &str> = departments
        .iter()
        .map(|(id, n)| (*id, n.as_str()))
        .collect();
    let order: HashMap<i64, usize> = departments
        .iter()
        .enumerate()
        .map(|(at, (id, _))| (*id, at))
        .collect();
    keys.sort_by_key(|(d, i)| {
        (
            order.get(d).copied(),
            indicators.get(i).map(|x| x.code.clone()),
        )
    });
    Ok(keys
        .into_iter()
        .filter_map(|(d, i)| {
            let ind = indicators.get(&i)?;
            let checked_points = checked.get(&(d, i)).copied();
            let basis = match (checked_points, was_checked.contains(&d)) {
                (Some(_), _) => Basis::Checked,
                (None, false) => Basis::SelfAssessed,
                (None, true) => Basis::NotCounted,
            };
            Some(IndicatorRow {
                subject_name: names.get(&d).copied().unwrap_or_default().to_owned(),
                kind: labels::subject_kind(SubjectKind::Department).to_owned(),
                code: ind.code.clone(),
                name: ind.name.clone(),
                legal_basis: ind.legal_basis.clone(),
                max_points: ind.max_points,
                weight: ind.weight,
                self_points: assessed.get(&(d, i)).copied(),
                checked_points,
                basis,
            })
        })
        .collect())
}

/// Writes the scorecard of a period in the caller's scope.
pub(super) async fn write(
    db: &DatabaseConnection,
    actor: &Actor,
    meta: Meta,
    period: &Period,
    sink: Sink,
) -> AppResult<(Written, u64)> {
    let scope_level = level_of(actor.region_code.as_deref());
    let mut means = Means::default();
    let mut sheet = blocking(move || Scorecard::new(&meta)).await?;

    let departments = scores_of(actor, period, SubjectKind::Department)
        .all(db)
        .await?;
    let ids: Vec<(i64, String)> = departments
        .iter()
        .map(|s| (s.subject_id, s.name.clone()))
        .collect();
    let rows: Vec<ScoreRow> = departments
        .into_iter()
        .map(|s| row_of(SubjectKind::Department, s))
        .collect();
    for row in &rows {
        means.add(scope_level, row);
    }
    let indicators = indicator_rows(db, period, &ids).await?;
    sheet = blocking(move || {
        for row in &rows {
            sheet.push_department(row)?;
        }
        for row in &indicators {
            sheet.push_indicator(row)?;
        }
        Ok(sheet)
    })
    .await?;

    let mut stream = scores_of(actor, period, SubjectKind::Enterprise)
        .stream(db)
        .await?;
    let mut batch = Vec::with_capacity(PAGE as usize);
    loop {
        let next = stream.try_next().await?;
        let done = next.is_none();
        if let Some(named) = next {
            let row = row_of(SubjectKind::Enterprise, named);
            means.add(scope_level, &row);
            batch.push(row);
        }
        if batch.len() == PAGE as usize || (done && !batch.is_empty()) {
            let rows = std::mem::take(&mut batch);
            sheet = blocking(move || {
                for row in &rows {
                    sheet.push_enterprise(row)?;
                }
                Ok(sheet)
            })
            .await?;
        }
        if done {
            break;
        }
    }
    drop(stream);
    let regions = means.rows(db).await?;
    let rows = u64::from(sheet.rows());
    let written = blocking(move || sheet.finish_to(&regions, sink)).await?;
    Ok((written, rows))
}

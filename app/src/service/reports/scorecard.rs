//! 考核评分表: the period's stored scores in scope, ranked; the data-security
//! indicators behind each department's score; the mean overall score by region.

use std::collections::{BTreeMap, HashMap, HashSet};

use entities::{Grade, RegionLevel, SubjectKind, indicator};
use futures_util::TryStreamExt as _;
use reports::export::{
    Meta, Sink, Written,
    scorecard::{self as card, Basis, IndicatorRow, RegionScore, ScoreRow, Scorecard},
};
use sea_orm::DatabaseConnection;

use super::{
    labels,
    store::{self, IndicatorPoints, NamedScore, PAGE},
    writer::blocking,
};
use crate::{
    domain::{Period, RegionCode, region_code::level_of},
    error::AppResult,
    service::{Actor, directories::regions},
};

fn grade_of(grade: Grade) -> card::Grade {
    match grade {
        Grade::Excellent => card::Grade::Excellent,
        Grade::Good => card::Grade::Good,
        Grade::Pass => card::Grade::Pass,
        Grade::Fail => card::Grade::Fail,
    }
}

fn row_of(kind: SubjectKind, s: NamedScore) -> ScoreRow {
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
        let names = regions::names(db, codes).await?;
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

/// A department and one of its indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct DepartmentIndicator {
    department_id: i64,
    indicator_id: i64,
}

/// Mean points per department and indicator from one source, each between 0
/// and the indicator's maximum, as in the score.
fn mean_points(
    points: Vec<IndicatorPoints>,
    indicators: &HashMap<i64, indicator::Model>,
) -> HashMap<DepartmentIndicator, f64> {
    let mut sums: HashMap<DepartmentIndicator, (f64, f64)> = HashMap::new();
    for p in points {
        let max = indicators
            .get(&p.indicator_id)
            .map_or(0.0, |x| x.max_points);
        let key = DepartmentIndicator {
            department_id: p.department_id,
            indicator_id: p.indicator_id,
        };
        let slot = sums.entry(key).or_default();
        slot.0 += p.points.clamp(0.0, max);
        slot.1 += 1.0;
    }
    sums.into_iter().map(|(k, (t, n))| (k, t / n)).collect()
}

/// The departments' points: from submitted self-assessments of the period
/// (or its quarters and months), and from the current findings of checks
/// reviewed in the period.
struct Sources {
    assessed: HashMap<DepartmentIndicator, f64>,
    checked: HashMap<DepartmentIndicator, f64>,
}

impl Sources {
    async fn load(
        db: &DatabaseConnection,
        period: &Period,
        departments: &[(i64, String)],
        indicators: &HashMap<i64, indicator::Model>,
    ) -> AppResult<Self> {
        let periods: Vec<String> = period
            .with_parts()
            .iter()
            .map(ToString::to_string)
            .collect();
        let mut assessed = Vec::new();
        let mut checked = Vec::new();
        for chunk in departments.chunks(1_000) {
            let ids: Vec<i64> = chunk.iter().map(|(id, _)| *id).collect();
            assessed.extend(store::self_assessed_points(db, ids.clone(), periods.clone()).await?);
            checked.extend(store::checked_points(db, ids, period).await?);
        }
        Ok(Self {
            assessed: mean_points(assessed, indicators),
            checked: mean_points(checked, indicators),
        })
    }
}

/// The data-security indicators behind the departments' scores, department
/// by department in the order given, each by indicator code.
async fn indicator_rows(
    db: &DatabaseConnection,
    period: &Period,
    departments: &[(i64, String)],
) -> AppResult<Vec<IndicatorRow>> {
    let indicators = store::data_security_indicators(db).await?;
    let Sources { assessed, checked } = Sources::load(db, period, departments, &indicators).await?;
    // A department with a reviewed check is scored on the check alone.
    let was_checked: HashSet<i64> = checked
        .keys()
        .filter(|k| indicators.contains_key(&k.indicator_id))
        .map(|k| k.department_id)
        .collect();
    let mut keys: Vec<DepartmentIndicator> = assessed
        .keys()
        .chain(checked.keys())
        .copied()
        .filter(|k| indicators.contains_key(&k.indicator_id))
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
    keys.sort_by_key(|k| {
        (
            order.get(&k.department_id).copied(),
            indicators.get(&k.indicator_id).map(|x| x.code.clone()),
        )
    });
    Ok(keys
        .into_iter()
        .filter_map(|key| {
            let ind = indicators.get(&key.indicator_id)?;
            let checked_points = checked.get(&key).copied();
            let basis = match (checked_points, was_checked.contains(&key.department_id)) {
                (Some(_), _) => Basis::Checked,
                (None, false) => Basis::SelfAssessed,
                (None, true) => Basis::NotCounted,
            };
            let name = names.get(&key.department_id).copied().unwrap_or_default();
            Some(IndicatorRow {
                subject_name: name.to_owned(),
                kind: labels::subject_kind(SubjectKind::Department).to_owned(),
                code: ind.code.clone(),
                name: ind.name.clone(),
                legal_basis: ind.legal_basis.clone(),
                max_points: ind.max_points,
                weight: ind.weight,
                self_points: assessed.get(&key).copied(),
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

    let departments = store::department_scores(db, actor, period).await?;
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

    let mut stream = store::enterprise_scores(db, actor, period).await?;
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

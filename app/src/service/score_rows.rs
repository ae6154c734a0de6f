//! From a subject's sums to its score row: parts, overall, grade and rank, and
//! writing the rows that changed.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::{
    AccountabilityReason, AccountableKind, EvidenceKind, Grade, RegionLevel, SubjectKind, score,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect, Statement,
    sea_query::Expr,
};

use serde::Serialize;

use super::{accountability::NewItem, json_rows, scores::Rules};
use crate::{
    domain::{
        Period, RegionCode,
        scoring::{Parts, competition_ranks, grade, overall, round2},
    },
    error::AppResult,
};

/// Ids per delete statement (SQLite binds at most 32,766 values).
const BATCH: usize = 2_000;

/// One subject's sums while the parts are gathered.
#[derive(Debug, Clone, Default)]
pub struct Acc {
    /// The subject's region; `None` for a national department.
    pub region_code: Option<String>,
    /// Σ weighted share and Σ weight from reviewed checks.
    pub checked: Option<(f64, f64)>,
    /// The same from submitted self-assessments, with the latest one's id.
    pub assessed: Option<(f64, f64, i64)>,
    /// Σ check score and count.
    pub inspection: (f64, f64),
    /// Σ incident points and count.
    pub reporting: (f64, f64),
}

/// A subject: kind and id.
pub type Key = (SubjectKind, i64);

/// A score row ready to write.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Who.
    pub key: Key,
    /// Where.
    pub region_code: Option<String>,
    /// The parts, rounded.
    pub parts: Parts,
    /// The overall score, rounded.
    pub overall: Option<f64>,
    /// Its grade.
    pub grade: Option<Grade>,
    /// Rank within the same kind and region level.
    pub rank: Option<i32>,
}

/// The level a region code is at; `None` is national.
#[must_use]
pub fn level_of(region_code: Option<&str>) -> Option<RegionLevel> {
    region_code
        .and_then(|c| RegionCode::parse(c).ok())
        .map(|c| c.level())
}

fn percent(sums: Option<(f64, f64)>) -> Option<f64> {
    sums.filter(|(_, w)| *w > 0.0)
        .map(|(total, w)| round2(100.0 * total / w))
}

fn mean(sums: (f64, f64)) -> Option<f64> {
    (sums.1 > 0.0).then(|| round2(sums.0 / sums.1))
}

/// Turns the sums into rows, ranks them, and lists the inflated self-assessments.
#[must_use]
pub fn build_rows(
    sums: HashMap<Key, Acc>,
    rules: &Rules,
    period: &Period,
) -> (Vec<Row>, Vec<NewItem>) {
    let mut rows = Vec::with_capacity(sums.len());
    let mut inflated = Vec::new();
    for (key, acc) in sums {
        let checked = percent(acc.checked);
        let assessed = percent(acc.assessed.map(|(t, w, _)| (t, w)));
        if let (Some(check), Some(own), Some((_, _, evidence))) = (checked, assessed, acc.assessed)
            && own > check + rules.inflation_threshold
        {
            inflated.push(NewItem {
                period: period.to_string(),
                subject_kind: accountable(key.0),
                subject_id: key.1,
                region_code: acc.region_code.clone(),
                reason: AccountabilityReason::SelfAssessmentInflated,
                evidence_kind: EvidenceKind::SelfAssessment,
                evidence_id: evidence,
            });
        }
        let parts = Parts {
            data_security: checked.or(assessed),
            reporting: mean(acc.reporting),
            inspection: mean(acc.inspection),
        };
        let overall = overall(&parts, &rules.weights).map(round2);
        rows.push(Row {
            key,
            region_code: acc.region_code,
            parts,
            overall,
            grade: overall.map(grade),
            rank: None,
        });
    }
    rows.sort_by_key(|r| r.key);
    rank(&mut rows);
    (rows, inflated)
}

/// Ranks rows with an overall score within the same kind and region level.
fn rank(rows: &mut [Row]) {
    let mut groups: HashMap<(SubjectKind, Option<RegionLevel>), Vec<usize>> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        if row.overall.is_some() {
            let level = level_of(row.region_code.as_deref());
            groups.entry((row.key.0, level)).or_default().push(i);
        }
    }
    for members in groups.values() {
        let values: Vec<f64> = members
            .iter()
            .map(|&i| rows[i].overall.unwrap_or_default())
            .collect();
        for (&i, r) in members.iter().zip(competition_ranks(&values)) {
            rows[i].rank = Some(r);
        }
    }
}

/// The accountable kind of a score subject.
#[must_use]
pub fn accountable(kind: SubjectKind) -> AccountableKind {
    match kind {
        SubjectKind::Department => AccountableKind::Department,
        SubjectKind::Enterprise => AccountableKind::Enterprise,
    }
}

/// The stored values of a row, to compare with a computed one.
#[derive(Debug, Clone, PartialEq, sea_orm::FromQueryResult)]
pub(crate) struct Stored {
    subject_kind: SubjectKind,
    subject_id: i64,
    id: i64,
    region_code: Option<String>,
    data_security: Option<f64>,
    reporting_compliance: Option<f64>,
    inspection: Option<f64>,
    overall: Option<f64>,
    grade: Option<Grade>,
    rank: Option<i32>,
}

/// Whether a stored row already holds a computed row's values.
fn unchanged(stored: &Stored, row: &Row) -> bool {
    stored.region_code == row.region_code
        && stored.data_security == row.parts.data_security
        && stored.reporting_compliance == row.parts.reporting
        && stored.inspection == row.parts.inspection
        && stored.overall == row.overall
        && stored.grade == row.grade
        && stored.rank == row.rank
}

/// The rows stored for a period, by subject, to compare with a recomputation.
///
/// # Errors
/// When the database fails.
pub(crate) async fn stored<C: ConnectionTrait>(
    db: &C,
    period: &Period,
) -> AppResult<HashMap<Key, Stored>> {
    Ok(score::Entity::find()
        .select_only()
        .columns([
            score::Column::SubjectKind,
            score::Column::SubjectId,
            score::Column::Id,
            score::Column::RegionCode,
            score::Column::DataSecurity,
            score::Column::ReportingCompliance,
            score::Column::Inspection,
            score::Column::Overall,
            score::Column::Grade,
            score::Column::Rank,
        ])
        .filter(score::Column::Period.eq(period.to_string()))
        .into_model::<Stored>()
        .all(db)
        .await?
        .into_iter()
        .map(|stored| ((stored.subject_kind, stored.subject_id), stored))
        .collect())
}

/// A changed row as the upsert unpacks it.
#[derive(Serialize)]
struct ScoreRow<'a> {
    kind: &'static str,
    subject: i64,
    region: Option<&'a str>,
    data_security: Option<f64>,
    reporting: Option<f64>,
    inspection: Option<f64>,
    overall: Option<f64>,
    grade: Option<&'static str>,
    rank: Option<i32>,
}

/// The columns an upsert sets on a row that is already stored.
macro_rules! upsert_set {
    () => {
        "ON CONFLICT (period, subject_kind, subject_id) DO UPDATE SET \
     region_code = excluded.region_code, data_security = excluded.data_security, \
     reporting_compliance = excluded.reporting_compliance, inspection = excluded.inspection, \
     overall = excluded.overall, grade = excluded.grade, rank = excluded.rank, \
     computed_at = excluded.computed_at"
    };
}

const UPSERT_POSTGRES: &str = concat!(
    "INSERT INTO score (period, subject_kind, subject_id, region_code, data_security, \
     reporting_compliance, inspection, overall, grade, rank, computed_at) \
     SELECT $2, r.kind, r.subject, r.region, r.data_security, r.reporting, r.inspection, \
     r.overall, r.grade, r.rank, $3 \
     FROM json_to_recordset($1::json) AS r(kind text, subject bigint, region text, \
     data_security double precision, reporting double precision, inspection double precision, \
     overall double precision, grade text, rank integer) ",
    upsert_set!()
);

/// `WHERE TRUE` keeps SQLite from reading `ON CONFLICT` as part of the join.
const UPSERT_SQLITE: &str = concat!(
    "INSERT INTO score (period, subject_kind, subject_id, region_code, data_security, \
     reporting_compliance, inspection, overall, grade, rank, computed_at) \
     SELECT $2, value->>'kind', value->>'subject', value->>'region', value->>'data_security', \
     value->>'reporting', value->>'inspection', value->>'overall', value->>'grade', \
     value->>'rank', $3 FROM json_each($1) WHERE TRUE ",
    upsert_set!()
);

/// Writes the rows whose values changed (stamped `now`) in one statement and
/// removes the rows of subjects no longer scored; returns how many rows were
/// written.
pub(crate) async fn write<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    rows: &[Row],
    mut stored: HashMap<Key, Stored>,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let period_text = period.to_string();
    let changed: Vec<&Row> = rows
        .iter()
        .filter(|row| match stored.remove(&row.key) {
            Some(old) => !unchanged(&old, row),
            None => true,
        })
        .collect();
    if !changed.is_empty() {
        let rows: Vec<ScoreRow<'_>> = changed
            .iter()
            .map(|r| ScoreRow {
                kind: r.key.0.as_str(),
                subject: r.key.1,
                region: r.region_code.as_deref(),
                data_security: r.parts.data_security,
                reporting: r.parts.reporting,
                inspection: r.parts.inspection,
                overall: r.overall,
                grade: r.grade.map(Grade::as_str),
                rank: r.rank,
            })
            .collect();
        let backend = db.get_database_backend();
        let sql = match backend {
            DbBackend::Postgres => UPSERT_POSTGRES,
            _ => UPSERT_SQLITE,
        };
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [json_rows(&rows)?, period_text.into(), now.into()],
        ))
        .await?;
    }
    // What is left was not computed this time: its subject is gone.
    let gone: Vec<i64> = stored.into_values().map(|s| s.id).collect();
    for chunk in gone.chunks(BATCH) {
        score::Entity::delete_many()
            .filter(score::Column::Id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(changed.len() as u64)
}

/// `grade_fail` items for the failing rows written by this run (stamped `now`)
/// that have none yet; a row left unchanged had its item raised when it was
/// written.
pub(crate) async fn failing<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    now: DateTime<Utc>,
) -> AppResult<Vec<NewItem>> {
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
        .filter(score::Column::ComputedAt.eq(now))
        .filter(Expr::not_exists(super::duties::raised(
            AccountabilityReason::GradeFail,
            EvidenceKind::Score,
            (score::Entity, score::Column::Id),
        )))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, subject, region)| NewItem {
            period: period.to_string(),
            subject_kind: accountable(kind),
            subject_id: subject,
            region_code: region,
            reason: AccountabilityReason::GradeFail,
            evidence_kind: EvidenceKind::Score,
            evidence_id: id,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{reporting::Deadlines, scoring::Weights};

    #[test]
    fn rows_rank_within_kind_and_level_with_shared_ranks() {
        let acc = |region: &str, inspection: f64| Acc {
            region_code: Some(region.to_owned()),
            inspection: (inspection, 1.0),
            ..Acc::default()
        };
        let sums = HashMap::from([
            ((SubjectKind::Department, 1), acc("110000", 80.0)),
            ((SubjectKind::Department, 2), acc("130000", 90.0)),
            ((SubjectKind::Department, 3), acc("310000", 80.0)),
            ((SubjectKind::Department, 4), acc("130100", 10.0)),
            ((SubjectKind::Enterprise, 1), acc("130102", 95.0)),
            ((SubjectKind::Department, 5), Acc::default()),
        ]);
        let rules = Rules {
            weights: Weights::default(),
            inflation_threshold: 10.0,
            deadlines: Deadlines::default(),
        };
        let (rows, _) = build_rows(sums, &rules, &Period::Year(2026));
        let ranks: Vec<(Key, Option<i32>)> = rows.iter().map(|r| (r.key, r.rank)).collect();
        assert_eq!(
            ranks,
            vec![
                ((SubjectKind::Enterprise, 1), Some(1)),
                ((SubjectKind::Department, 1), Some(2)),
                ((SubjectKind::Department, 2), Some(1)),
                ((SubjectKind::Department, 3), Some(2)),
                ((SubjectKind::Department, 4), Some(1)),
                ((SubjectKind::Department, 5), None),
            ]
        );
        assert_eq!(rows[4].grade, Some(Grade::Fail));
    }
}

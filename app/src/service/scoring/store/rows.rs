//! The score rows of a period: those stored, to compare with, and writing the
//! rows that changed.

use std::{collections::HashMap, sync::LazyLock};

use chrono::{DateTime, Utc};
use entities::{Grade, SubjectKind, score};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect, Statement,
};
use serde::Serialize;

use crate::{
    domain::{Period, RegionCode},
    error::AppResult,
    service::{
        json_rows,
        scoring::model::{ScoreRow, SubjectKey},
    },
};

/// Ids per delete statement (SQLite binds at most 32,766 values).
const BATCH: usize = 2_000;

/// The stored values of a row, to compare with a computed one.
#[derive(Debug, Clone, PartialEq, sea_orm::FromQueryResult)]
pub struct StoredScore {
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

impl StoredScore {
    /// Whether this row already holds a computed row's values.
    fn holds(&self, row: &ScoreRow) -> bool {
        self.region_code.as_deref() == row.region_code.as_ref().map(RegionCode::as_str)
            && self.data_security == row.parts.data_security
            && self.reporting_compliance == row.parts.reporting
            && self.inspection == row.parts.inspection
            && self.overall == row.overall
            && self.grade == row.grade
            && self.rank == row.rank
    }
}

/// The rows stored for a period, by subject, to compare with a recomputation.
///
/// # Errors
/// When the database fails.
pub async fn stored<C: ConnectionTrait>(
    db: &C,
    period: &Period,
) -> AppResult<HashMap<SubjectKey, StoredScore>> {
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
        .into_model::<StoredScore>()
        .all(db)
        .await?
        .into_iter()
        .map(|stored| {
            let subject = SubjectKey {
                kind: stored.subject_kind,
                id: stored.subject_id,
            };
            (subject, stored)
        })
        .collect())
}

/// A changed row as the upsert unpacks it.
#[derive(Serialize)]
struct JsonRow<'a> {
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

impl<'a> JsonRow<'a> {
    fn of(row: &'a ScoreRow) -> Self {
        Self {
            kind: row.subject.kind.as_str(),
            subject: row.subject.id,
            region: row.region_code.as_ref().map(RegionCode::as_str),
            data_security: row.parts.data_security,
            reporting: row.parts.reporting,
            inspection: row.parts.inspection,
            overall: row.overall,
            grade: row.grade.map(Grade::as_str),
            rank: row.rank,
        }
    }
}

/// The columns the upsert fills from each JSON row: the column, the row's
/// field, and the field's PostgreSQL type.
const COLUMNS: [(&str, &str, &str); 9] = [
    ("subject_kind", "kind", "text"),
    ("subject_id", "subject", "bigint"),
    ("region_code", "region", "text"),
    ("data_security", "data_security", "double precision"),
    ("reporting_compliance", "reporting", "double precision"),
    ("inspection", "inspection", "double precision"),
    ("overall", "overall", "double precision"),
    ("grade", "grade", "text"),
    ("rank", "rank", "integer"),
];

/// The upsert for one engine: the rows come as one JSON array of objects
/// (`json_to_recordset` on PostgreSQL, `json_each` on SQLite, where `WHERE
/// TRUE` keeps it from reading `ON CONFLICT` as part of the join); a row
/// already stored takes every value but its key.
fn upsert_sql(backend: DbBackend) -> String {
    let columns: Vec<&str> = COLUMNS.iter().map(|(column, ..)| *column).collect();
    let (values, rows): (Vec<String>, String) = if backend == DbBackend::Postgres {
        let types: Vec<String> = COLUMNS
            .iter()
            .map(|(_, field, kind)| format!("{field} {kind}"))
            .collect();
        (
            COLUMNS
                .iter()
                .map(|(_, field, _)| format!("r.{field}"))
                .collect(),
            format!("json_to_recordset($1::json) AS r({})", types.join(", ")),
        )
    } else {
        (
            COLUMNS
                .iter()
                .map(|(_, field, _)| format!("value->>'{field}'"))
                .collect(),
            "json_each($1) WHERE TRUE".to_owned(),
        )
    };
    let updates: Vec<String> = COLUMNS
        .iter()
        .map(|(column, ..)| *column)
        .filter(|column| !matches!(*column, "subject_kind" | "subject_id"))
        .chain(["computed_at"])
        .map(|column| format!("{column} = excluded.{column}"))
        .collect();
    format!(
        "INSERT INTO score (period, {}, computed_at) SELECT $2, {}, $3 FROM {rows} \
         ON CONFLICT (period, subject_kind, subject_id) DO UPDATE SET {}",
        columns.join(", "),
        values.join(", "),
        updates.join(", ")
    )
}

static UPSERT_POSTGRES: LazyLock<String> = LazyLock::new(|| upsert_sql(DbBackend::Postgres));
static UPSERT_SQLITE: LazyLock<String> = LazyLock::new(|| upsert_sql(DbBackend::Sqlite));

/// Writes the rows whose values changed (stamped `now`) in one statement and
/// removes the rows of subjects no longer scored; returns how many rows were
/// written.
///
/// # Errors
/// When the database fails.
pub async fn write<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    rows: &[ScoreRow],
    mut stored: HashMap<SubjectKey, StoredScore>,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let changed: Vec<JsonRow<'_>> = rows
        .iter()
        .filter(|row| match stored.remove(&row.subject) {
            Some(old) => !old.holds(row),
            None => true,
        })
        .map(JsonRow::of)
        .collect();
    if !changed.is_empty() {
        let backend = db.get_database_backend();
        let sql: &str = match backend {
            DbBackend::Postgres => &UPSERT_POSTGRES,
            _ => &UPSERT_SQLITE,
        };
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [json_rows(&changed)?, period.to_string().into(), now.into()],
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_engines_upsert_the_same_columns() {
        let (kept, set) = (
            "INSERT INTO score (period, subject_kind, subject_id, region_code, data_security, \
             reporting_compliance, inspection, overall, grade, rank, computed_at) SELECT $2, ",
            " ON CONFLICT (period, subject_kind, subject_id) DO UPDATE SET \
             region_code = excluded.region_code, data_security = excluded.data_security, \
             reporting_compliance = excluded.reporting_compliance, \
             inspection = excluded.inspection, overall = excluded.overall, \
             grade = excluded.grade, rank = excluded.rank, computed_at = excluded.computed_at",
        );
        assert_eq!(
            upsert_sql(DbBackend::Postgres),
            format!(
                "{kept}r.kind, r.subject, r.region, r.data_security, r.reporting, \
                 r.inspection, r.overall, r.grade, r.rank, $3 \
                 FROM json_to_recordset($1::json) AS r(kind text, subject bigint, region text, \
                 data_security double precision, reporting double precision, \
                 inspection double precision, overall double precision, grade text, \
                 rank integer){set}"
            )
        );
        assert_eq!(
            upsert_sql(DbBackend::Sqlite),
            format!(
                "{kept}value->>'kind', value->>'subject', value->>'region', \
                 value->>'data_security', value->>'reporting', value->>'inspection', \
                 value->>'overall', value->>'grade', value->>'rank', $3 \
                 FROM json_each($1) WHERE TRUE{set}"
            )
        );
    }
}

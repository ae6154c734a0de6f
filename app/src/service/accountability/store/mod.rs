//! Every statement about accountability items: the keys already raised, the
//! insert of new ones, the lists callers read and the status they move; in
//! [`history`], the steps items took and what their units and evidence are;
//! and, in [`missed_duties`], the sweeps that find duties missed.

pub mod history;
pub mod missed_duties;

use std::{
    collections::{BTreeMap, HashSet},
    sync::LazyLock,
};

use chrono::{DateTime, Utc};
use entities::{
    AccountabilityReason, AccountabilityStatus, AccountableKind, EvidenceKind, accountability_item,
};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait,
    IntoActiveModel as _, QueryFilter, QueryOrder, QuerySelect, Select, Statement,
};
use serde::Serialize;

use super::model::{ItemFilter, ItemKey, NewItem};
use crate::{
    domain::RegionCode,
    error::AppResult,
    service::{Actor, Page, Paged, json_rows},
};

/// The keys of the items already stored for these periods and reasons.
///
/// # Errors
/// When the database fails.
pub async fn stored_keys<C: ConnectionTrait>(
    db: &C,
    periods: &[String],
    reasons: &[AccountabilityReason],
) -> AppResult<HashSet<ItemKey>> {
    let rows: Vec<(
        String,
        AccountableKind,
        i64,
        AccountabilityReason,
        EvidenceKind,
        i64,
    )> = accountability_item::Entity::find()
        .select_only()
        .columns([
            accountability_item::Column::Period,
            accountability_item::Column::SubjectKind,
            accountability_item::Column::SubjectId,
            accountability_item::Column::Reason,
            accountability_item::Column::EvidenceKind,
            accountability_item::Column::EvidenceId,
        ])
        .filter(accountability_item::Column::Period.is_in(periods.to_vec()))
        .filter(accountability_item::Column::Reason.is_in(reasons.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(period, subject_kind, subject_id, reason, evidence_kind, evidence_id)| ItemKey {
                period,
                subject_kind,
                subject_id,
                reason,
                evidence_kind,
                evidence_id,
            },
        )
        .collect())
}

/// An item as the insert unpacks it: period, subject kind and id, region,
/// evidence kind and id (the reason is the statement's).
#[derive(Serialize)]
struct ItemRow<'a>(
    &'a str,
    &'static str,
    i64,
    Option<&'a str>,
    &'static str,
    i64,
);

/// Where an inserted column's value comes from.
enum Source {
    /// The element of the JSON row at this index, with its PostgreSQL type
    /// where it is not text.
    Row(usize, Option<&'static str>),
    /// A bound parameter or a literal.
    Sql(&'static str),
}

/// The columns the insert fills, and from what.
const COLUMNS: [(&str, Source); 10] = [
    ("period", Source::Row(0, None)),
    ("subject_kind", Source::Row(1, None)),
    ("subject_id", Source::Row(2, Some("bigint"))),
    ("region_code", Source::Row(3, None)),
    ("reason", Source::Sql("$2")),
    ("evidence_kind", Source::Row(4, None)),
    ("evidence_id", Source::Row(5, Some("bigint"))),
    ("status", Source::Sql("$3")),
    ("created_at", Source::Sql("$4")),
    ("updated_at", Source::Sql("$4")),
];

/// The insert for one engine: the rows come as one JSON array of arrays
/// (`json_array_elements` on PostgreSQL, `json_each` on SQLite, where `WHERE
/// TRUE` keeps it from reading `ON CONFLICT` as part of the join).
fn insert_sql(backend: DbBackend) -> String {
    let postgres = backend == DbBackend::Postgres;
    let (element, rows) = if postgres {
        ("r.v", "json_array_elements($1::json) AS r(v)")
    } else {
        ("value", "json_each($1) WHERE TRUE")
    };
    let columns: Vec<&str> = COLUMNS.iter().map(|(column, _)| *column).collect();
    let values: Vec<String> = COLUMNS
        .iter()
        .map(|(_, source)| match source {
            Source::Row(at, Some(cast)) if postgres => format!("({element}->>{at})::{cast}"),
            Source::Row(at, _) => format!("{element}->>{at}"),
            Source::Sql(sql) => (*sql).to_owned(),
        })
        .collect();
    format!(
        "INSERT INTO accountability_item ({}) SELECT {} FROM {rows} \
         ON CONFLICT (period, subject_kind, subject_id, reason, evidence_kind, evidence_id) \
         DO NOTHING",
        columns.join(", "),
        values.join(", ")
    )
}

static INSERT_POSTGRES: LazyLock<String> = LazyLock::new(|| insert_sql(DbBackend::Postgres));
static INSERT_SQLITE: LazyLock<String> = LazyLock::new(|| insert_sql(DbBackend::Sqlite));

/// Inserts the items with one statement per reason, skipping those a
/// concurrent writer has stored meanwhile; returns how many went in for each
/// reason (the rows each statement inserted).
///
/// # Errors
/// When the database fails.
pub async fn insert_new<C: ConnectionTrait>(
    db: &C,
    items: &[NewItem],
    now: DateTime<Utc>,
) -> AppResult<BTreeMap<String, u64>> {
    let mut by_reason: BTreeMap<&'static str, Vec<ItemRow<'_>>> = BTreeMap::new();
    for i in items {
        by_reason
            .entry(i.reason.as_str())
            .or_default()
            .push(ItemRow(
                &i.period,
                i.subject_kind.as_str(),
                i.subject_id,
                i.region_code.as_ref().map(RegionCode::as_str),
                i.evidence_kind.as_str(),
                i.evidence_id,
            ));
    }
    let backend = db.get_database_backend();
    let sql: &str = match backend {
        DbBackend::Postgres => &INSERT_POSTGRES,
        _ => &INSERT_SQLITE,
    };
    let mut counts = BTreeMap::new();
    for (reason, rows) in by_reason {
        let added = db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [
                    json_rows(&rows)?,
                    reason.into(),
                    AccountabilityStatus::Open.as_str().into(),
                    now.into(),
                ],
            ))
            .await?;
        counts.insert(reason.to_owned(), added.rows_affected());
    }
    Ok(counts)
}

/// Whose items a caller sees.
pub enum Visible<'a> {
    /// Those held against one department.
    Department(i64),
    /// Those held against one inspector.
    Inspector(i64),
    /// Those in the caller's region.
    InScope(&'a Actor),
}

fn visible(which: &Visible<'_>) -> Select<accountability_item::Entity> {
    let query = accountability_item::Entity::find();
    match which {
        Visible::Department(id) => query
            .filter(accountability_item::Column::SubjectKind.eq(AccountableKind::Department))
            .filter(accountability_item::Column::SubjectId.eq(*id)),
        Visible::Inspector(id) => query
            .filter(accountability_item::Column::SubjectKind.eq(AccountableKind::Inspector))
            .filter(accountability_item::Column::SubjectId.eq(*id)),
        Visible::InScope(actor) => {
            query.filter(actor.scope_condition(accountability_item::Column::RegionCode))
        }
    }
}

/// One item among those visible.
///
/// # Errors
/// When the database fails.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    which: &Visible<'_>,
    id: i64,
) -> AppResult<Option<accountability_item::Model>> {
    Ok(visible(which)
        .filter(accountability_item::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// A page of the visible items the filter lets through, newest first.
///
/// # Errors
/// When the database fails.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    which: &Visible<'_>,
    filter: &ItemFilter,
    page: Page,
) -> AppResult<Paged<accountability_item::Model>> {
    let mut query = visible(which);
    if let Some(period) = filter.period {
        let periods: Vec<String> = period
            .with_parts()
            .iter()
            .map(ToString::to_string)
            .collect();
        query = query.filter(accountability_item::Column::Period.is_in(periods));
    }
    if let Some(status) = filter.status {
        query = query.filter(accountability_item::Column::Status.eq(status));
    }
    if let Some(reason) = filter.reason {
        query = query.filter(accountability_item::Column::Reason.eq(reason));
    }
    if let Some(kind) = filter.subject_kind {
        query = query.filter(accountability_item::Column::SubjectKind.eq(kind));
    }
    page.fetch(db, query.order_by_desc(accountability_item::Column::Id))
        .await
}

/// Stores an item's new status.
///
/// # Errors
/// When the database fails.
pub async fn set_status<C: ConnectionTrait>(
    db: &C,
    item: accountability_item::Model,
    status: AccountabilityStatus,
    now: DateTime<Utc>,
) -> AppResult<accountability_item::Model> {
    let mut model = item.into_active_model();
    model.status = Set(status);
    model.updated_at = Set(now);
    Ok(model.update(db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_engines_insert_the_same_columns() {
        let (columns, conflict) = (
            "INSERT INTO accountability_item (period, subject_kind, subject_id, region_code, \
             reason, evidence_kind, evidence_id, status, created_at, updated_at) SELECT ",
            " ON CONFLICT (period, subject_kind, subject_id, reason, evidence_kind, evidence_id) \
             DO NOTHING",
        );
        assert_eq!(
            insert_sql(DbBackend::Postgres),
            format!(
                "{columns}r.v->>0, r.v->>1, (r.v->>2)::bigint, r.v->>3, $2, r.v->>4, \
                 (r.v->>5)::bigint, $3, $4, $4 \
                 FROM json_array_elements($1::json) AS r(v){conflict}"
            )
        );
        assert_eq!(
            insert_sql(DbBackend::Sqlite),
            format!(
                "{columns}value->>0, value->>1, value->>2, value->>3, $2, value->>4, value->>5, \
                 $3, $4, $4 FROM json_each($1) WHERE TRUE{conflict}"
            )
        );
    }
}

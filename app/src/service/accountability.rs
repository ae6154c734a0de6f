//! Accountability items (问责): who is held to account, for what, on what evidence.
//!
//! Items are raised by the score recomputation (and `publication_overdue` by
//! [`super::tasks::raise_publication_overdue`]); the unique key on period,
//! subject, reason and evidence makes raising idempotent. Supervisors in scope
//! move an item `open → acknowledged → closed`; leaders only read.

use std::collections::{BTreeMap, HashSet};

use chrono::Utc;
use entities::{
    AccountabilityReason, AccountabilityStatus, AccountableKind, EvidenceKind, Role,
    accountability_item,
};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DbBackend, EntityTrait, IntoActiveModel as _, QueryFilter, QueryOrder, QuerySelect, Select,
    Statement,
};

use serde::Serialize;

use super::{
    Actor, Page, Paged,
    audit::{self, Entry},
    json_rows, tasks,
    validate::Problems,
};
use crate::{
    db,
    domain::Period,
    error::{AppError, AppResult},
};

/// Roles that move items along.
const HANDLERS: &[Role] = &[Role::Admin, Role::Supervisor];

/// An item to raise.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NewItem {
    /// The period it is counted in: the month a duty fell due, or a score's period.
    pub period: String,
    /// Who is held to account.
    pub subject_kind: AccountableKind,
    /// Their id.
    pub subject_id: i64,
    /// Where, for scope.
    pub region_code: Option<String>,
    /// Why.
    pub reason: AccountabilityReason,
    /// What the evidence is.
    pub evidence_kind: EvidenceKind,
    /// Its id.
    pub evidence_id: i64,
}

/// The unique key of an item.
pub type ItemKey = (
    String,
    AccountableKind,
    i64,
    AccountabilityReason,
    EvidenceKind,
    i64,
);

fn key_of(item: &NewItem) -> ItemKey {
    (
        item.period.clone(),
        item.subject_kind,
        item.subject_id,
        item.reason,
        item.evidence_kind,
        item.evidence_id,
    )
}

/// The keys of the items already stored for these periods and reasons.
///
/// # Errors
/// When the database fails.
pub async fn stored_keys<C: ConnectionTrait>(
    db: &C,
    periods: &[String],
    reasons: &[AccountabilityReason],
) -> AppResult<HashSet<ItemKey>> {
    Ok(accountability_item::Entity::find()
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
        .await?
        .into_iter()
        .collect())
}

/// Inserts the items that are not among `stored` (the keys already stored for
/// the items' periods, from [`stored_keys`]); returns, for every reason among
/// `items`, how many were new. A recomputation that finds nothing new writes
/// nothing; the insert still skips conflicts, for a concurrent writer.
///
/// # Errors
/// When the database fails.
pub async fn raise<C: ConnectionTrait>(
    db: &C,
    items: Vec<NewItem>,
    stored: &HashSet<ItemKey>,
    now: chrono::DateTime<Utc>,
) -> AppResult<BTreeMap<String, u64>> {
    let mut raised: BTreeMap<String, u64> = BTreeMap::new();
    let mut seen = HashSet::new();
    let mut fresh = Vec::new();
    for item in items {
        raised.entry(item.reason.to_string()).or_insert(0);
        let key = key_of(&item);
        if !stored.contains(&key) && seen.insert(key) {
            fresh.push(item);
        }
    }
    for (reason, count) in insert_new(db, &fresh, now).await? {
        *raised.entry(reason).or_insert(0) += count;
    }
    Ok(raised)
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

const INSERT_POSTGRES: &str = "INSERT INTO accountability_item (period, subject_kind, \
     subject_id, region_code, reason, evidence_kind, evidence_id, status, note, created_at, \
     updated_at) \
     SELECT r.v->>0, r.v->>1, (r.v->>2)::bigint, r.v->>3, $2, r.v->>4, (r.v->>5)::bigint, \
     $3, NULL, $4, $4 FROM json_array_elements($1::json) AS r(v) \
     ON CONFLICT (period, subject_kind, subject_id, reason, evidence_kind, evidence_id) \
     DO NOTHING";

/// `WHERE TRUE` keeps SQLite from reading `ON CONFLICT` as part of the join.
const INSERT_SQLITE: &str = "INSERT INTO accountability_item (period, subject_kind, \
     subject_id, region_code, reason, evidence_kind, evidence_id, status, note, created_at, \
     updated_at) \
     SELECT value->>0, value->>1, value->>2, value->>3, $2, value->>4, value->>5, \
     $3, NULL, $4, $4 FROM json_each($1) WHERE TRUE \
     ON CONFLICT (period, subject_kind, subject_id, reason, evidence_kind, evidence_id) \
     DO NOTHING";

/// Inserts the items with one statement per reason, skipping those a
/// concurrent writer has stored meanwhile; returns how many went in for each
/// reason (the rows each statement inserted).
async fn insert_new<C: ConnectionTrait>(
    db: &C,
    items: &[NewItem],
    now: chrono::DateTime<Utc>,
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
                i.region_code.as_deref(),
                i.evidence_kind.as_str(),
                i.evidence_id,
            ));
    }
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => INSERT_POSTGRES,
        _ => INSERT_SQLITE,
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

/// Filters for listing items.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    /// Items counted in this period or any quarter or month inside it.
    pub period: Option<Period>,
    /// Lifecycle state.
    pub status: Option<AccountabilityStatus>,
    /// Why.
    pub reason: Option<AccountabilityReason>,
    /// Departments, inspectors or enterprises.
    pub subject_kind: Option<AccountableKind>,
}

/// The items the caller may see: supervisors, leaders and admins their region;
/// a department its own; an inspector their own.
async fn visible<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
) -> AppResult<Select<accountability_item::Entity>> {
    let query = accountability_item::Entity::find();
    Ok(match actor.role {
        Role::Department => query
            .filter(accountability_item::Column::SubjectKind.eq(AccountableKind::Department))
            .filter(accountability_item::Column::SubjectId.eq(actor.department_id.unwrap_or(-1))),
        Role::Inspector => {
            let me = tasks::inspector_of(db, actor).await?.map_or(-1, |i| i.id);
            query
                .filter(accountability_item::Column::SubjectKind.eq(AccountableKind::Inspector))
                .filter(accountability_item::Column::SubjectId.eq(me))
        }
        _ => query.filter(actor.scope_condition(accountability_item::Column::RegionCode)),
    })
}

/// One item the caller may see.
///
/// # Errors
/// 404 when it does not exist or is not the caller's to see.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
) -> AppResult<accountability_item::Model> {
    visible(db, actor)
        .await?
        .filter(accountability_item::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("accountability item {id}")))
}

/// Lists the items the caller may see, newest first.
///
/// # Errors
/// When the database fails.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &ItemFilter,
    page: Page,
) -> AppResult<Paged<accountability_item::Model>> {
    let mut query = visible(db, actor).await?;
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

/// Moves an item one step, `open → acknowledged → closed`; closing needs a note.
/// Notes accumulate, each line naming the step it came with.
///
/// # Errors
/// 403 for roles other than supervisor and admin; 404 when out of scope; 409
/// for any other transition; 422 for closing without a note.
#[tracing::instrument(skip_all, fields(item.id = id))]
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    status: AccountabilityStatus,
    note: Option<String>,
) -> AppResult<accountability_item::Model> {
    actor.require(HANDLERS, "handle accountability items")?;
    get(db, actor, id).await?;
    let mut problems = Problems::new();
    let note = note
        .as_deref()
        .filter(|n| !n.trim().is_empty())
        .map(|n| problems.text("note", n, 4000));
    problems.check(
        status != AccountabilityStatus::Closed || note.is_some(),
        "note",
        "closing an item needs a note saying how it was dealt with",
    );
    problems.finish()?;
    let txn = db::begin_write(db).await?;
    let item = get(&txn, actor, id).await?;
    let allowed = matches!(
        (item.status, status),
        (
            AccountabilityStatus::Open,
            AccountabilityStatus::Acknowledged
        ) | (
            AccountabilityStatus::Acknowledged,
            AccountabilityStatus::Closed
        )
    );
    if !allowed {
        return Err(AppError::Conflict(format!(
            "an item that is {} cannot become {status}; the steps are open → acknowledged → closed",
            item.status
        )));
    }
    let from = item.status;
    let mut notes = item.note.clone().unwrap_or_default();
    if let Some(text) = &note {
        if !notes.is_empty() {
            notes.push('\n');
        }
        notes.push_str(&format!("[{status}] {text}"));
    }
    let mut model = item.into_active_model();
    model.status = Set(status);
    model.note = Set(Some(notes).filter(|n| !n.is_empty()));
    model.updated_at = Set(Utc::now());
    let item = model.update(&txn).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("accountability.update", "accountability_item", id)
            .with_detail(serde_json::json!({"from": from, "to": status, "note": note})),
    )
    .await?;
    txn.commit().await?;
    Ok(item)
}

//! Every query of the audit log, and the lock that serialises appends.

use entities::{audit_log, job_run};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};

use super::model::AuditFilter;
use crate::{
    error::AppResult,
    service::{Page, Paged, store_util::text_starts_with},
};

/// The advisory-lock key that serialises appends on PostgreSQL.
const APPEND_LOCK: i64 = 0x5350_4f54_4155_4449; // "SPOTAUDI"

/// Holds other appends off until the transaction ends: SQLite has one writer
/// at a time already; PostgreSQL takes a transaction-scoped advisory lock.
pub async fn lock_appends<C: ConnectionTrait>(db: &C) -> AppResult<()> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [APPEND_LOCK.into()],
        ))
        .await?;
    }
    Ok(())
}

/// The head of the chain: its last row, if any. The database's own error, for
/// the checkpoint job's log.
pub async fn last_row<C: ConnectionTrait>(db: &C) -> Result<Option<audit_log::Model>, DbErr> {
    audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Id)
        .limit(1)
        .one(db)
        .await
}

/// Writes a row, hash and id included.
pub async fn insert_row<C: ConnectionTrait>(db: &C, row: audit_log::Model) -> AppResult<()> {
    let active = audit_log::ActiveModel {
        id: Set(row.id),
        at: Set(row.at),
        actor_user_id: Set(row.actor_user_id),
        actor: Set(row.actor),
        role: Set(row.role),
        action: Set(row.action),
        object_kind: Set(row.object_kind),
        object_id: Set(row.object_id),
        result: Set(row.result),
        source_addr: Set(row.source_addr),
        detail: Set(row.detail),
        prev_hash: Set(row.prev_hash),
        hash: Set(row.hash),
        key_id: Set(row.key_id),
    };
    audit_log::Entity::insert(active)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Up to `limit` rows from id `from` on, in id order.
pub async fn rows_from<C: ConnectionTrait>(
    db: &C,
    from: i64,
    limit: u64,
) -> AppResult<Vec<audit_log::Model>> {
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::Id.gte(from))
        .order_by_asc(audit_log::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// The hash of row `id`, if the row exists.
pub async fn hash_of_row<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<String>> {
    Ok(audit_log::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|r| r.hash))
}

/// The latest successful run of the job, if any.
pub async fn latest_ok_run<C: ConnectionTrait>(
    db: &C,
    job_name: &str,
) -> AppResult<Option<job_run::Model>> {
    Ok(job_run::Entity::find()
        .filter(job_run::Column::JobName.eq(job_name))
        .filter(job_run::Column::Outcome.eq("ok"))
        .order_by_desc(job_run::Column::FireTime)
        .one(db)
        .await?)
}

/// A page of the entries that pass the filter, newest first.
pub async fn entries<C: ConnectionTrait>(
    db: &C,
    filter: &AuditFilter,
    page: Page,
) -> AppResult<Paged<audit_log::Model>> {
    let mut query = audit_log::Entity::find();
    if let Some(action) = &filter.action {
        query = query.filter(text_starts_with(audit_log::Column::Action, action));
    }
    if let Some(actor) = &filter.actor {
        query = query.filter(audit_log::Column::Actor.eq(actor.as_str()));
    }
    if let Some(kind) = &filter.object_kind {
        query = query.filter(audit_log::Column::ObjectKind.eq(kind.as_str()));
    }
    if let Some(since) = filter.since {
        query = query.filter(audit_log::Column::At.gte(since));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_log::Column::At.lt(until));
    }
    page.fetch(db, query.order_by_desc(audit_log::Column::Id))
        .await
}

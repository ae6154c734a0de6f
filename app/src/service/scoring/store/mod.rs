//! Every statement of the scoring capability, and how they run: the
//! recomputation's lock and PostgreSQL settings ([`begin_recompute`]), its
//! reads in transactions and tasks of their own ([`read`], [`read_apart`]),
//! the aggregates it reads ([`sums`]), the rows it writes ([`rows`]), the
//! record of when each period was computed ([`computation`]), and the list
//! leadership reads ([`list`]).

pub mod computation;
pub(super) mod list;
pub(super) mod rows;
pub mod sums;

pub use sums::settle_data_security;

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, Statement,
    TransactionTrait as _,
};

use crate::{db, error::AppResult, service::in_own_task};

/// The advisory-lock key that serialises recomputations on PostgreSQL.
const RECOMPUTE_LOCK: i64 = 0x5350_4f54_5343_4f52; // "SPOTSCOR"

/// Rows written at once beyond which PostgreSQL's statistics are refreshed.
const ANALYZE_AFTER: u64 = 10_000;

/// Begins the write transaction of a recomputation: on PostgreSQL it waits for
/// any other recomputation to finish and takes the settings large aggregates
/// want; on SQLite the write transaction excludes every other writer already.
///
/// # Errors
/// When the database fails.
pub(super) async fn begin_recompute(db: &DatabaseConnection) -> AppResult<DatabaseTransaction> {
    let txn = db::begin_write(db).await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [RECOMPUTE_LOCK.into()],
        ))
        .await?;
        db::tune_bulk(&txn).await?;
    }
    Ok(txn)
}

/// Runs `query` in a read-only transaction of its own on a pooled connection,
/// with the settings large aggregates want on PostgreSQL.
///
/// # Errors
/// When the database fails.
pub(super) async fn read<T>(
    db: &DatabaseConnection,
    query: impl AsyncFnOnce(&DatabaseTransaction) -> AppResult<T>,
) -> AppResult<T> {
    let txn = db.begin().await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        db::tune_bulk(&txn).await?;
    }
    let out = query(&txn).await?;
    txn.commit().await?;
    Ok(out)
}

/// A recomputation read in a task of its own ([`in_own_task`]), on a handle
/// of its own to the pool.
///
/// # Errors
/// When the read fails or its task panics.
pub(super) async fn read_apart<T, Fut>(
    db: &DatabaseConnection,
    read: impl FnOnce(DatabaseConnection) -> Fut,
) -> AppResult<T>
where
    T: Send + 'static,
    Fut: Future<Output = AppResult<T>> + Send + 'static,
{
    in_own_task("a recomputation read", read(db.clone())).await
}

/// Refreshes PostgreSQL's statistics on the tables a recomputation has just
/// filled: planned on an empty table's statistics, the next recomputation's
/// anti-joins would compare every row with every row. (SQLite plans by its
/// indexes and needs nothing.)
///
/// # Errors
/// When the database fails.
pub(super) async fn refresh_statistics<C: ConnectionTrait>(
    db: &C,
    scores: u64,
    items: u64,
) -> AppResult<()> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    if scores > ANALYZE_AFTER {
        db.execute_unprepared("ANALYZE score").await?;
    }
    if items > ANALYZE_AFTER {
        db.execute_unprepared("ANALYZE accountability_item").await?;
    }
    Ok(())
}

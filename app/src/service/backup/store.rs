//! Every statement of backups and restores: SQLite's `VACUUM INTO`, which
//! writes a consistent copy of the database while others keep writing, and
//! the checks of what was copied.

use std::path::Path;

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

/// Writes a consistent copy of the open SQLite database to `target`, which
/// must not exist or be empty. Readers and writers go on meanwhile (WAL); the
/// copy is the database as of the start of the statement.
pub async fn vacuum_into<C: ConnectionTrait>(db: &C, target: &Path) -> Result<(), DbErr> {
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "VACUUM INTO ?",
        [target.to_string_lossy().into_owned().into()],
    ))
    .await?;
    Ok(())
}

/// SQLite's own check of a database file: `ok`, or what is wrong.
pub async fn quick_check<C: ConnectionTrait>(db: &C) -> Result<String, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA quick_check",
        ))
        .await?;
    Ok(row
        .and_then(|r| r.try_get_by_index::<String>(0).ok())
        .unwrap_or_default())
}

/// How many tables the database holds.
pub async fn table_count<C: ConnectionTrait>(db: &C) -> Result<i64, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
        ))
        .await?;
    Ok(row
        .and_then(|r| r.try_get_by_index::<i64>(0).ok())
        .unwrap_or_default())
}

/// The number of audit rows and the last one's id, if the table exists.
pub async fn audit_extent<C: ConnectionTrait>(db: &C) -> Result<(i64, i64), DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT count(*), coalesce(max(id), 0) FROM audit_log",
        ))
        .await?;
    Ok(row
        .map(|r| {
            (
                r.try_get_by_index::<i64>(0).unwrap_or_default(),
                r.try_get_by_index::<i64>(1).unwrap_or_default(),
            )
        })
        .unwrap_or_default())
}

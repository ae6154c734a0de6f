//! Connecting to the database and running the migrations.

use std::time::Duration;

use anyhow::Context as _;
use migration::{Migrator, MigratorTrait as _};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

/// Opens a pool on `url` and runs the pending migrations.
///
/// SQLite gets WAL, `synchronous=FULL`, foreign keys and a busy timeout on every
/// connection; a plain file path is taken as an SQLite file.
///
/// # Errors
/// When the database cannot be reached or a migration fails.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    let db = open(url).await?;
    Migrator::up(&db, None)
        .await
        .context("Failed to run database migrations")?;
    Ok(db)
}

/// Opens a pool on `url` without migrating.
///
/// # Errors
/// When the URL is malformed or the database cannot be reached.
pub async fn open(url: &str) -> anyhow::Result<DatabaseConnection> {
    let url = normalize_url(url);
    let wait = wait_limit()?;
    let mut options = ConnectOptions::new(url.clone());
    options
        .max_connections(if url.starts_with("sqlite:") { 8 } else { 16 })
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(wait)
        .sqlx_logging(false);
    if url.starts_with("sqlite:") {
        options.map_sqlx_sqlite_opts(move |o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(wait)
        });
    }
    let db = Database::connect(options)
        .await
        .with_context(|| format!("Failed to connect to the database at {}", redact(&url)))?;
    Ok(db)
}

/// How long a request waits for a pooled connection, and on SQLite for the
/// write lock, before it is answered 503 with `Retry-After`:
/// `SPOTCHECK_DATABASE_WAIT_SECS`, 30 by default.
fn wait_limit() -> anyhow::Result<Duration> {
    const DEFAULT_SECS: u64 = 30;
    match std::env::var("SPOTCHECK_DATABASE_WAIT_SECS") {
        Err(_) => Ok(Duration::from_secs(DEFAULT_SECS)),
        Ok(text) => text
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|&secs| secs > 0)
            .map(Duration::from_secs)
            .with_context(|| {
                format!("SPOTCHECK_DATABASE_WAIT_SECS must be a whole number of seconds above 0, not {text:?}")
            }),
    }
}

/// Accepts a bare file path as an SQLite database.
fn normalize_url(url: &str) -> String {
    if url.contains("://") || url.starts_with("sqlite:") {
        url.to_owned()
    } else {
        format!("sqlite://{url}?mode=rwc")
    }
}

/// The file of an SQLite URL (or bare path); `None` for PostgreSQL and for
/// in-memory databases.
#[must_use]
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let url = normalize_url(url);
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| path.into())
}

/// The URL with any password hidden, for messages and logs.
#[must_use]
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Begins a transaction that will write.
///
/// On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), so two writers
/// queue on the busy timeout instead of failing when a read upgrades to a write.
///
/// # Errors
/// When the database refuses the transaction.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    if db.get_database_backend() == DbBackend::Sqlite {
        db.begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await
    } else {
        db.begin().await
    }
}

/// Settings for a PostgreSQL transaction that moves many rows at once: compiling
/// its large statements (JIT) costs more than it saves, and a draw's rows or a
/// national year's aggregate groups need more than the default 4 MB of working
/// memory to stay off disk. Both settings end with the transaction.
///
/// # Errors
/// When the database refuses them.
pub async fn tune_bulk<C: ConnectionTrait>(txn: &C) -> Result<(), DbErr> {
    txn.execute_unprepared("SET LOCAL jit = off").await?;
    txn.execute_unprepared("SET LOCAL work_mem = '64MB'")
        .await?;
    Ok(())
}

/// Whether the database answers a trivial query.
pub async fn ping<C: ConnectionTrait>(db: &C) -> bool {
    db.execute_unprepared("SELECT 1").await.is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_in_urls() {
        assert_eq!(
            redact("postgres://app:secret@db:5432/spotcheck"),
            "postgres://app:***@db:5432/spotcheck"
        );
        assert_eq!(redact("postgres://app@db/x"), "postgres://app@db/x");
        assert_eq!(
            redact("sqlite://spotcheck.db?mode=rwc"),
            "sqlite://spotcheck.db?mode=rwc"
        );
    }

    #[test]
    fn an_sqlite_url_names_its_file() {
        let path = |url| sqlite_path(url).map(|p| p.display().to_string());
        assert_eq!(
            path("sqlite://data/x.db?mode=rwc").as_deref(),
            Some("data/x.db")
        );
        assert_eq!(path("sqlite:///tmp/x.db").as_deref(), Some("/tmp/x.db"));
        assert_eq!(path("data/x.db").as_deref(), Some("data/x.db"));
        assert_eq!(path("sqlite::memory:"), None);
        assert_eq!(path("postgres://u@h/db"), None);
    }

    #[test]
    fn a_bare_path_is_an_sqlite_file() {
        assert_eq!(normalize_url("data/x.db"), "sqlite://data/x.db?mode=rwc");
        assert_eq!(normalize_url("sqlite::memory:"), "sqlite::memory:");
    }
}

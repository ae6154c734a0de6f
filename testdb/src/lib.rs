//! Test databases for every crate's tests.
//!
//! SQLite always: a fresh file in a temporary directory. PostgreSQL when
//! `SPOTCHECK_TEST_POSTGRES_URL` names a database on a server: the migrations
//! run once per test process into a template database, and each test gets a
//! `CREATE DATABASE … TEMPLATE` clone of it, which is much faster than
//! migrating again. Every database is removed when its [`TestDb`] drops.
//!
//! Write a test once for both engines with [`both_engines`]:
//!
//! ```ignore
//! #[testdb::both_engines]
//! async fn a_job_runs_once(backend: Backend) {
//!     let test_db = TestDb::migrated(backend).await;
//!     let db = test_db.connect().await;
//!     // …
//! }
//! ```
//!
//! which makes the tests `a_job_runs_once_on_sqlite` and
//! `a_job_runs_once_on_postgres`.

#![expect(
    clippy::expect_used,
    reason = "test harness: a failure to set up is a test failure"
)]

mod postgres;

use std::{path::Path, sync::Once, time::Duration};

use migration::{Migrator, MigratorTrait as _};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use tokio::sync::OnceCell;

pub use testdb_macros::both_engines;

/// The variable that names the PostgreSQL server to test on.
pub const POSTGRES_URL_VAR: &str = "SPOTCHECK_TEST_POSTGRES_URL";

/// A database engine the tests run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A fresh SQLite file.
    Sqlite,
    /// A fresh database on the server of `SPOTCHECK_TEST_POSTGRES_URL`.
    Postgres,
}

/// The PostgreSQL URL to test on, when one is set.
#[must_use]
pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|url| !url.is_empty())
}

/// The engines to run on: SQLite always, PostgreSQL when configured.
///
/// Prefer [`both_engines`], which makes one test case per engine.
#[must_use]
pub fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite];
    if postgres_url().is_some() {
        all.push(Backend::Postgres);
    }
    all
}

/// Whether a PostgreSQL test should pass without running: when
/// `SPOTCHECK_TEST_POSTGRES_URL` is not set. Says so once per process, past
/// the test harness's output capture, so that a run without PostgreSQL does
/// not pass for one with it.
#[must_use]
pub fn skip_postgres() -> bool {
    static SAID: Once = Once::new();
    let skipped = postgres_url().is_none();
    if skipped {
        SAID.call_once(|| {
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr(),
                "note: {POSTGRES_URL_VAR} is not set; the *_on_postgres tests pass without running"
            );
        });
    }
    skipped
}

/// What a skipped test case returns.
#[doc(hidden)]
pub trait Skipped {
    /// Success.
    fn skipped() -> Self;
}

impl Skipped for () {
    fn skipped() -> Self {}
}

impl<E> Skipped for Result<(), E> {
    fn skipped() -> Self {
        Ok(())
    }
}

/// A database for one test, removed when dropped.
pub struct TestDb {
    /// Where to connect to it.
    pub url: String,
    /// Which engine.
    pub backend: Backend,
    /// Removes the SQLite file when dropped.
    _sqlite_dir: Option<tempfile::TempDir>,
    /// Drops the PostgreSQL database when dropped.
    _postgres: Option<postgres::Database>,
}

impl TestDb {
    /// A database with every migration applied.
    pub async fn migrated(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let test_db = Self::sqlite();
                std::fs::write(test_db.sqlite_path(), sqlite_template().await)
                    .expect("write the SQLite test database");
                test_db
            }
            Backend::Postgres => Self::postgres(postgres::Database::cloned().await),
        }
    }

    /// A database with no tables, for tests that migrate step by step.
    pub async fn empty(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => Self::sqlite(),
            Backend::Postgres => Self::postgres(postgres::Database::empty().await),
        }
    }

    fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = sqlite_url(&dir.path().join(SQLITE_FILE));
        Self {
            url,
            backend: Backend::Sqlite,
            _sqlite_dir: Some(dir),
            _postgres: None,
        }
    }

    fn sqlite_path(&self) -> std::path::PathBuf {
        self._sqlite_dir
            .as_ref()
            .expect("an SQLite test database")
            .path()
            .join(SQLITE_FILE)
    }

    fn postgres(database: postgres::Database) -> Self {
        Self {
            url: database.url.clone(),
            backend: Backend::Postgres,
            _sqlite_dir: None,
            _postgres: Some(database),
        }
    }

    /// A pool of its own, opened as one `spotcheck serve` process opens it
    /// (`app/src/db.rs`): WAL, foreign keys and a busy timeout on SQLite, so
    /// that pools of several "instances" can share one file.
    pub async fn connect(&self) -> DatabaseConnection {
        let sqlite = self.backend == Backend::Sqlite;
        let mut options = ConnectOptions::new(self.url.clone());
        options
            .max_connections(if sqlite { 8 } else { 16 })
            .min_connections(1)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(30))
            .sqlx_logging(false);
        if sqlite {
            options.map_sqlx_sqlite_opts(|o| {
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(30))
            });
        }
        Database::connect(options)
            .await
            .expect("connect to the test database")
    }
}

/// The name of an SQLite test database in its directory.
const SQLITE_FILE: &str = "test.db";

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// The bytes of a migrated SQLite database, made once per process: copying
/// them is much faster than migrating again.
async fn sqlite_template() -> &'static [u8] {
    static TEMPLATE: OnceCell<Vec<u8>> = OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join(SQLITE_FILE);
            let mut options = ConnectOptions::new(sqlite_url(&path));
            // The whole database in its one file once the pool closes.
            options.map_sqlx_sqlite_opts(|o| {
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Delete)
            });
            let db = Database::connect(options)
                .await
                .expect("connect to the SQLite template");
            Migrator::up(&db, None)
                .await
                .expect("migrate the SQLite template");
            db.close().await.expect("close the SQLite template");
            std::fs::read(&path).expect("read the SQLite template")
        })
        .await
}

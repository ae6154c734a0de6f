//! Test databases on SQLite and (when `SPOTCHECK_TEST_POSTGRES_URL` is set)
//! PostgreSQL, migrated with the real migrations, and a recording job body.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU32, Ordering},
    },
    time::Duration,
};

use chrono::{DateTime, Utc};
use migration::{Migrator, MigratorTrait as _};
use scheduler::{CatchUp, Fire, Job};
use sea_orm::{ConnectOptions, ConnectionTrait as _, Database, DatabaseConnection};

/// A database engine the tests run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A fresh SQLite file.
    Sqlite,
    /// A fresh database on the server of `SPOTCHECK_TEST_POSTGRES_URL`.
    Postgres,
}

/// SQLite always; PostgreSQL when configured.
pub fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite];
    if std::env::var("SPOTCHECK_TEST_POSTGRES_URL").is_ok_and(|url| !url.is_empty()) {
        all.push(Backend::Postgres);
    }
    all
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh, migrated database, removed on drop.
pub struct TestDb {
    pub backend: Backend,
    url: String,
    _dir: Option<tempfile::TempDir>,
    pg_drop: Option<(String, String)>,
}

impl TestDb {
    /// Creates and migrates a database.
    pub async fn create(backend: Backend) -> Self {
        let test_db = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
                Self {
                    backend,
                    url,
                    _dir: Some(dir),
                    pg_drop: None,
                }
            }
            Backend::Postgres => {
                let server = std::env::var("SPOTCHECK_TEST_POSTGRES_URL").expect("postgres url");
                let name = format!(
                    "spotcheck_sched_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::Relaxed),
                    Utc::now().timestamp_micros() % 1_000_000_000
                );
                let admin = Database::connect(&server)
                    .await
                    .expect("connect to postgres");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                Self {
                    backend,
                    url: replace_db_name(&server, &name),
                    _dir: None,
                    pg_drop: Some((server, name)),
                }
            }
        };
        let db = test_db.connect().await;
        Migrator::up(&db, None).await.expect("migrate");
        db.close().await.ok();
        test_db
    }

    /// A pool of its own, as one `serve` process would open it (the options of
    /// `app/src/db.rs`: WAL and a busy timeout on SQLite).
    pub async fn connect(&self) -> DatabaseConnection {
        let mut options = ConnectOptions::new(self.url.clone());
        options
            .max_connections(if self.backend == Backend::Sqlite {
                8
            } else {
                16
            })
            .min_connections(1)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(30))
            .sqlx_logging(false);
        if self.backend == Backend::Sqlite {
            options.map_sqlx_sqlite_opts(|o| {
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(30))
            });
        }
        Database::connect(options).await.expect("connect")
    }
}

/// The URL with its database name replaced.
fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((server, name)) = self.pg_drop.take() else {
            return;
        };
        // Drop may run inside a runtime we must not block: use a thread of its own.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                if let Ok(admin) = Database::connect(&server).await {
                    let _ = admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                    admin.close().await.ok();
                }
            });
            Ok::<(), std::io::Error>(())
        })
        .join();
    }
}

/// Every call of a recording job body: which instance ran which fire.
#[derive(Clone, Default)]
pub struct Calls(Arc<Mutex<Vec<Fire>>>);

impl Calls {
    /// A job whose body records the fire and answers `Ok("recorded")`.
    pub fn job(&self, name: &str, cron: &str, catch_up: CatchUp) -> Job {
        let calls = self.clone();
        Job::new(name, cron, catch_up, move |fire| {
            let calls = calls.clone();
            async move {
                calls.0.lock().expect("calls").push(fire);
                Ok("recorded".to_owned())
            }
        })
        .expect("valid cron")
    }

    /// The calls so far.
    pub fn all(&self) -> Vec<Fire> {
        self.0.lock().expect("calls").clone()
    }
}

/// `cron`'s latest fire time now, and the one `back` fires before it.
pub fn fires_back(cron: &str, back: usize) -> (DateTime<Utc>, DateTime<Utc>) {
    let schedule = scheduler::Schedule::parse(cron).expect("valid cron");
    let latest = schedule
        .latest_at_or_before(Utc::now())
        .expect("a past fire");
    let mut earlier = latest;
    for _ in 0..back {
        earlier = schedule
            .latest_at_or_before(earlier - chrono::Duration::seconds(1))
            .expect("an earlier fire");
    }
    (latest, earlier)
}

//! A scratch PostgreSQL database per test, next to the one
//! `SPOTCHECK_TEST_POSTGRES_URL` names.

use std::error::Error;
use std::time::{SystemTime, UNIX_EPOCH};

use sea_orm_migration::sea_orm::{ConnectionTrait, Database, DatabaseConnection};

pub type TestResult = Result<(), Box<dyn Error>>;

/// A database created for one test and dropped by [`Scratch::finish`].
pub struct Scratch {
    server: DatabaseConnection,
    name: String,
    /// Where to connect to it.
    pub url: String,
}

impl Scratch {
    /// A fresh database named after `prefix`; `None` (and a note) when
    /// `SPOTCHECK_TEST_POSTGRES_URL` is not set.
    pub async fn create(prefix: &str) -> Result<Option<Self>, Box<dyn Error>> {
        let Ok(server_url) = std::env::var("SPOTCHECK_TEST_POSTGRES_URL") else {
            eprintln!("SPOTCHECK_TEST_POSTGRES_URL is not set; skipping the PostgreSQL run");
            return Ok(None);
        };
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH)?.subsec_nanos();
        let name = format!("{prefix}_{}_{nanos}", std::process::id());
        let server = Database::connect(server_url.as_str()).await?;
        server
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await?;
        Ok(Some(Self {
            server,
            url: with_database(&server_url, &name),
            name,
        }))
    }

    /// Drops the database whatever happened, then reports the first failure.
    pub async fn finish(self, outcome: TestResult) -> TestResult {
        let dropped = self
            .server
            .execute_unprepared(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .await;
        self.server.close().await?;
        outcome?;
        dropped?;
        Ok(())
    }
}

/// Runs `test` on a scratch PostgreSQL database named after `prefix`, and
/// drops it afterwards; does nothing (but say so) when
/// `SPOTCHECK_TEST_POSTGRES_URL` is not set.
pub async fn on_postgres(
    prefix: &str,
    test: impl AsyncFnOnce(&DatabaseConnection) -> TestResult,
) -> TestResult {
    let Some(scratch) = Scratch::create(prefix).await? else {
        return Ok(());
    };
    let outcome = async {
        let db = Database::connect(scratch.url.as_str()).await?;
        let outcome = test(&db).await;
        db.close().await?;
        outcome
    }
    .await;
    scratch.finish(outcome).await
}

/// `url` with its database name replaced by `name`, keeping any query string.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    format!("{server}/{name}{query}")
}

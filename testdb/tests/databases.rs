//! The harness itself: migrated and empty databases on both engines, each
//! test's its own, and PostgreSQL databases gone once dropped.

use std::error::Error;

use sea_orm::{ConnectionTrait as _, DatabaseConnection, DbBackend, DbErr, Statement};
use testdb::{Backend, TestDb, both_engines};

type TestResult = Result<(), Box<dyn Error>>;

/// The `n` that a `SELECT COUNT(*) AS n …` answers.
async fn count(db: &DatabaseConnection, sql: &str) -> Result<i64, DbErr> {
    count_of(db, Statement::from_string(db.get_database_backend(), sql)).await
}

async fn count_of(db: &DatabaseConnection, statement: Statement) -> Result<i64, DbErr> {
    let row = db
        .query_one_raw(statement)
        .await?
        .ok_or_else(|| DbErr::Custom("no row".to_owned()))?;
    row.try_get("", "n")
}

/// How many tables the database has.
async fn tables(test_db: &TestDb) -> Result<i64, DbErr> {
    let sql = match test_db.backend {
        Backend::Sqlite => "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'",
        Backend::Postgres => {
            "SELECT COUNT(*) AS n FROM pg_tables WHERE schemaname = current_schema()"
        }
    };
    let db = test_db.connect().await;
    let n = count(&db, sql).await;
    db.close().await?;
    n
}

#[both_engines]
async fn a_migrated_database_has_the_schema_and_an_empty_one_nothing(
    backend: Backend,
) -> TestResult {
    let migrated = TestDb::migrated(backend).await;
    let empty = TestDb::empty(backend).await;

    assert_ne!(migrated.url, empty.url, "{backend:?}: two databases");
    assert!(tables(&migrated).await? > 20, "{backend:?}: every table");
    assert_eq!(tables(&empty).await?, 0, "{backend:?}: no table");
    Ok(())
}

#[both_engines]
async fn a_write_to_one_test_database_is_not_seen_in_another(backend: Backend) -> TestResult {
    let (first, second) = (
        TestDb::migrated(backend).await,
        TestDb::migrated(backend).await,
    );

    first
        .connect()
        .await
        .execute_unprepared(
            "INSERT INTO holiday (date, kind, name) VALUES ('2099-10-01', 'holiday', '国庆节')",
        )
        .await?;

    let other = second.connect().await;
    let seen = count(
        &other,
        "SELECT COUNT(*) AS n FROM holiday WHERE date = '2099-10-01'",
    )
    .await?;
    assert_eq!(seen, 0, "{backend:?}");
    Ok(())
}

#[tokio::test]
async fn a_dropped_postgres_database_is_gone_from_the_server() -> TestResult {
    let Some(server_url) = testdb::postgres_url() else {
        return Ok(());
    };
    let test_db = TestDb::migrated(Backend::Postgres).await;
    let name = test_db
        .url
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    drop(test_db);

    let server = sea_orm::Database::connect(server_url.as_str()).await?;
    let left = count_of(
        &server,
        Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT COUNT(*) AS n FROM pg_database WHERE datname = $1",
            [name.clone().into()],
        ),
    )
    .await?;
    assert_eq!(left, 0, "{name} is dropped");
    Ok(())
}

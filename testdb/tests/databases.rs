//! The harness itself: migrated and empty databases on both engines, each
//! test's its own, and PostgreSQL databases gone once dropped.

use sea_orm::{ConnectionTrait as _, DbBackend, Statement};
use testdb::{Backend, TestDb, both_engines};

/// How many tables the database has.
async fn tables(test_db: &TestDb) -> i64 {
    let db = test_db.connect().await;
    let sql = match test_db.backend {
        Backend::Sqlite => "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'",
        Backend::Postgres => {
            "SELECT COUNT(*) AS n FROM pg_tables WHERE schemaname = current_schema()"
        }
    };
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .unwrap();
    let n = row.try_get::<i64>("", "n").unwrap();
    db.close().await.unwrap();
    n
}

#[both_engines]
async fn a_migrated_database_has_the_schema_and_an_empty_one_nothing(backend: Backend) {
    let migrated = TestDb::migrated(backend).await;
    let empty = TestDb::empty(backend).await;

    assert_ne!(migrated.url, empty.url, "{backend:?}: two databases");
    assert!(tables(&migrated).await > 20, "{backend:?}: every table");
    assert_eq!(tables(&empty).await, 0, "{backend:?}: no table");
}

#[both_engines]
async fn a_write_to_one_test_database_is_not_seen_in_another(backend: Backend) {
    let (first, second) = (
        TestDb::migrated(backend).await,
        TestDb::migrated(backend).await,
    );
    let db = first.connect().await;
    db.execute_unprepared(
        "INSERT INTO holiday (date, kind, name) VALUES ('2026-10-01', 'holiday', '国庆节')",
    )
    .await
    .unwrap();

    let other = second.connect().await;
    let row = other
        .query_one_raw(Statement::from_string(
            other.get_database_backend(),
            "SELECT COUNT(*) AS n FROM holiday",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<i64>("", "n").unwrap(), 0, "{backend:?}");
}

#[tokio::test]
async fn a_dropped_postgres_database_is_gone_from_the_server() -> Result<(), String> {
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

    let server = sea_orm::Database::connect(server_url.as_str())
        .await
        .map_err(|e| e.to_string())?;
    let left = server
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT COUNT(*) AS n FROM pg_database WHERE datname = $1",
            [name.clone().into()],
        ))
        .await
        .map_err(|e| e.to_string())?
        .ok_or("a count")?
        .try_get::<i64>("", "n")
        .map_err(|e| e.to_string())?;
    assert_eq!(left, 0, "{name} is dropped");
    Ok(())
}

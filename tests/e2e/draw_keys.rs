//! The keys of a draw's tasks and teams are the database's own foreign keys on
//! both engines: a task or team member cannot refer to a row that does not
//! exist, a row they refer to cannot be deleted or re-keyed, and a task names
//! exactly one target, an enterprise or a department.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbErr, ExecResult, IsolationLevel, RuntimeErr, Statement,
    TransactionTrait as _, sqlx::error::ErrorKind,
};
use serde_json::json;
use spotcheck_tests::{Backend, both_engines, skip_postgres};

use super::fixtures::{drawn_targets, half_of_six_drawn, task_ids, teams};

async fn sql<C: ConnectionTrait>(
    db: &C,
    text: &str,
    values: Vec<sea_orm::Value>,
) -> Result<ExecResult, DbErr> {
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        text,
        values,
    ))
    .await
}

/// What the database refused a statement for, as the driver classifies it.
fn refusal(result: &Result<ExecResult, DbErr>) -> Option<ErrorKind> {
    match result {
        Err(DbErr::Exec(RuntimeErr::SqlxError(e))) => e.as_database_error().map(|e| e.kind()),
        _ => None,
    }
}

fn is_key_violation(result: &Result<ExecResult, DbErr>) -> bool {
    refusal(result) == Some(ErrorKind::ForeignKeyViolation)
}

async fn count(db: &DatabaseConnection, table: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .expect("count")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("n")
}

const INSERT_TASK: &str = "INSERT INTO check_task (draw_id, target_kind, enterprise_id, \
     region_code, due_at, status, overdue, created_at, updated_at) \
     VALUES ($1, 'enterprise', $2, $3, $4, 'assigned', FALSE, $4, $4)";

const INSERT_MEMBER: &str = "INSERT INTO task_inspector (task_id, inspector_id, role, position) \
     VALUES ($1, $2, 'member', 9)";

#[both_engines]
async fn tasks_and_teams_refer_only_to_rows_that_exist(backend: Backend) {
    let (w, _, draw, _) = half_of_six_drawn(backend).await;
    let db = &w.app.db;
    let draw_id = draw["id"].as_i64().expect("draw id");
    let task = task_ids(&draw)[0];
    let (target, team) = teams(&draw)[0].clone();
    let now = chrono::Utc::now();
    let (tasks, members) = (
        count(db, "check_task").await,
        count(db, "task_inspector").await,
    );
    let missing = 999_999_i64;

    let cases: Vec<(&str, &str, Vec<sea_orm::Value>)> = vec![
        (
            "a task of a missing draw",
            INSERT_TASK,
            vec![missing.into(), target.into(), "130000".into(), now.into()],
        ),
        (
            "a task of a missing enterprise",
            INSERT_TASK,
            vec![draw_id.into(), missing.into(), "130000".into(), now.into()],
        ),
        (
            "a task in a missing region",
            INSERT_TASK,
            vec![draw_id.into(), target.into(), "139999".into(), now.into()],
        ),
        (
            "a team member who is not an inspector",
            INSERT_MEMBER,
            vec![task.into(), missing.into()],
        ),
        (
            "a team member of a missing task",
            INSERT_MEMBER,
            vec![missing.into(), team[0].into()],
        ),
        (
            "a task moved to a missing enterprise",
            "UPDATE check_task SET enterprise_id = $1 WHERE id = $2",
            vec![missing.into(), task.into()],
        ),
        (
            "a team member moved to a missing inspector",
            "UPDATE task_inspector SET inspector_id = $1 WHERE task_id = $2 AND inspector_id = $3",
            vec![missing.into(), task.into(), team[0].into()],
        ),
    ];
    for (what, text, values) in &cases {
        let result = sql(db, text, values.clone()).await;
        assert!(is_key_violation(&result), "{backend:?}: {what}: {result:?}");
    }
    // A native key holds at every isolation level.
    if backend == Backend::Postgres {
        for (what, text, values) in cases.iter().filter(|c| c.1.starts_with("INSERT")) {
            let txn = db
                .begin_with_config(Some(IsolationLevel::RepeatableRead), None)
                .await
                .expect("begin");
            let result = sql(&txn, text, values.clone()).await;
            txn.rollback().await.expect("rollback");
            assert!(
                is_key_violation(&result),
                "REPEATABLE READ: {what}: {result:?}"
            );
        }
    }
    assert_eq!(count(db, "check_task").await, tasks, "{backend:?}");
    assert_eq!(count(db, "task_inspector").await, members, "{backend:?}");

    let kept = sql(
        db,
        INSERT_TASK,
        vec![draw_id.into(), target.into(), "130000".into(), now.into()],
    )
    .await;
    assert!(
        kept.is_ok(),
        "{backend:?}: a task of rows that exist: {kept:?}"
    );
}

#[both_engines]
async fn rows_that_tasks_and_teams_refer_to_stay(backend: Backend) {
    let (w, _, draw, _) = half_of_six_drawn(backend).await;
    let db = &w.app.db;
    let draw_id = draw["id"].as_i64().expect("draw id");
    let task = task_ids(&draw)[0];
    let (target, team) = teams(&draw)[0].clone();

    for (what, text, values) in [
        (
            "deleting a drawn enterprise",
            "DELETE FROM enterprise WHERE id = $1",
            vec![target.into()],
        ),
        (
            "deleting an inspector on a team",
            "DELETE FROM inspector WHERE id = $1",
            vec![team[0].into()],
        ),
        (
            "deleting a draw",
            "DELETE FROM draw WHERE id = $1",
            vec![draw_id.into()],
        ),
        (
            "deleting a task with a team",
            "DELETE FROM check_task WHERE id = $1",
            vec![task.into()],
        ),
        (
            "re-keying a drawn enterprise",
            "UPDATE enterprise SET id = $1 WHERE id = $2",
            vec![999_999_i64.into(), target.into()],
        ),
        (
            "re-keying an inspector on a team",
            "UPDATE inspector SET id = $1 WHERE id = $2",
            vec![999_999_i64.into(), team[0].into()],
        ),
    ] {
        let result = sql(db, text, values).await;
        assert!(is_key_violation(&result), "{backend:?}: {what}: {result:?}");
    }

    // A region only a task refers to cannot be deleted, by SQL or the API.
    let (status, _) = w
        .app
        .post(
            "/api/v1/regions",
            &w.admin,
            json!({"code": "139900", "name": "测试区", "parent_code": "130000"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{backend:?}");
    let moved = sql(
        db,
        "UPDATE check_task SET region_code = '139900' WHERE id = $1",
        vec![task.into()],
    )
    .await;
    assert!(moved.is_ok(), "{backend:?}: {moved:?}");
    let deleted = sql(db, "DELETE FROM region WHERE code = '139900'", vec![]).await;
    assert!(is_key_violation(&deleted), "{backend:?}: {deleted:?}");
    let (status, body) = w
        .app
        .call(
            Method::DELETE,
            "/api/v1/regions/139900",
            Some(&w.admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{backend:?}: {body}");
    assert_eq!(body["code"], "conflict", "{backend:?}: {body}");
}

#[both_engines]
async fn a_task_names_exactly_one_target(backend: Backend) {
    let (w, _, draw, _) = half_of_six_drawn(backend).await;
    let db = &w.app.db;
    let draw_id = draw["id"].as_i64().expect("draw id");
    let task = task_ids(&draw)[0];
    let (target, _) = teams(&draw)[0].clone();
    let now = chrono::Utc::now();
    let insert = "INSERT INTO check_task (draw_id, target_kind, enterprise_id, department_id, \
         region_code, due_at, status, overdue, created_at, updated_at) \
         VALUES ($1, 'enterprise', $2, $3, '130000', $4, 'assigned', FALSE, $4, $4)";
    let none: Option<i64> = None;

    for (what, text, values) in [
        (
            "a task of an enterprise and a department",
            insert,
            vec![draw_id.into(), target.into(), w.hebei.into(), now.into()],
        ),
        (
            "a task of no target",
            insert,
            vec![draw_id.into(), none.into(), none.into(), now.into()],
        ),
        (
            "a department added to an enterprise's task",
            "UPDATE check_task SET department_id = $1 WHERE id = $2",
            vec![w.hebei.into(), task.into()],
        ),
        (
            "a task's enterprise taken away",
            "UPDATE check_task SET enterprise_id = NULL WHERE id = $1",
            vec![task.into()],
        ),
    ] {
        let result = sql(db, text, values).await;
        assert_eq!(
            refusal(&result),
            Some(ErrorKind::CheckViolation),
            "{backend:?}: {what}: {result:?}"
        );
    }
    let department_task = sql(
        db,
        "INSERT INTO check_task (draw_id, target_kind, department_id, region_code, due_at, \
         status, overdue, created_at, updated_at) \
         VALUES ($1, 'department', $2, '130000', $3, 'assigned', FALSE, $3, $3)",
        vec![draw_id.into(), w.hebei.into(), now.into()],
    )
    .await;
    assert!(
        department_task.is_ok(),
        "{backend:?}: a department's task: {department_task:?}"
    );
}

#[tokio::test]
async fn a_delete_racing_a_task_insert_loses_whichever_starts_first_on_postgres() {
    // SQLite runs one writer at a time; the race exists only on PostgreSQL.
    if skip_postgres() {
        return;
    }
    let (w, _, draw, enterprises) = half_of_six_drawn(Backend::Postgres).await;
    let db = &w.app.db;
    let draw_id = draw["id"].as_i64().expect("draw id");
    let drawn = drawn_targets(&draw);
    let spare: Vec<i64> = enterprises
        .into_iter()
        .filter(|e| !drawn.contains(e))
        .collect();
    let [first, second, ..] = spare[..] else {
        panic!("three enterprises are not drawn: {spare:?}");
    };
    let now = chrono::Utc::now();

    // The delete first: the insert waits for it, then finds the enterprise gone.
    let deleter = db.begin().await.expect("begin");
    let gone = sql(
        &deleter,
        "DELETE FROM enterprise WHERE id = $1",
        vec![first.into()],
    )
    .await;
    assert!(gone.is_ok(), "an enterprise nothing refers to: {gone:?}");
    let insert = tokio::spawn({
        let db = db.clone();
        async move {
            sql(
                &db,
                INSERT_TASK,
                vec![draw_id.into(), first.into(), "130000".into(), now.into()],
            )
            .await
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!insert.is_finished(), "the insert waits for the delete");
    deleter.commit().await.expect("commit");
    let inserted = insert.await.expect("join");
    assert!(is_key_violation(&inserted), "{inserted:?}");

    // The insert first: the delete waits for it, then finds the enterprise used.
    let inserter = db.begin().await.expect("begin");
    let added = sql(
        &inserter,
        INSERT_TASK,
        vec![draw_id.into(), second.into(), "130000".into(), now.into()],
    )
    .await;
    assert!(added.is_ok(), "{added:?}");
    let delete = tokio::spawn({
        let db = db.clone();
        async move {
            sql(
                &db,
                "DELETE FROM enterprise WHERE id = $1",
                vec![second.into()],
            )
            .await
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!delete.is_finished(), "the delete waits for the insert");
    inserter.commit().await.expect("commit");
    let deleted = delete.await.expect("join");
    assert!(is_key_violation(&deleted), "{deleted:?}");
}

#[tokio::test]
async fn deletes_are_checked_at_every_isolation_level_on_postgres() {
    // PostgreSQL only: SQLite has a single isolation level.
    if skip_postgres() {
        return;
    }
    let (w, _, draw, enterprises) = half_of_six_drawn(Backend::Postgres).await;
    let db = &w.app.db;
    let drawn = drawn_targets(&draw);
    let spare = enterprises
        .iter()
        .copied()
        .find(|e| !drawn.contains(e))
        .expect("an enterprise not drawn");

    for (what, enterprise, refused) in [
        ("an enterprise nothing refers to", spare, false),
        ("a drawn enterprise", drawn[0], true),
    ] {
        let txn = db
            .begin_with_config(Some(IsolationLevel::RepeatableRead), None)
            .await
            .expect("begin");
        let result = sql(
            &txn,
            "DELETE FROM enterprise WHERE id = $1",
            vec![enterprise.into()],
        )
        .await;
        txn.rollback().await.expect("rollback");
        assert_eq!(
            is_key_violation(&result),
            refused,
            "REPEATABLE READ: {what}: {result:?}"
        );
        if !refused {
            assert!(result.is_ok(), "REPEATABLE READ: {what}: {result:?}");
        }
    }

    // A table the tasks refer to is not truncated under them.
    let truncated = sql(db, "TRUNCATE draw", vec![]).await;
    assert!(
        format!("{truncated:?}").contains("referenced in a foreign key constraint"),
        "{truncated:?}"
    );
    assert!(count(db, "draw").await > 0);
}

//! `spotcheck backup FILE` while the server takes writes, `spotcheck restore
//! FILE` into an empty database, and what both say on PostgreSQL.

use std::sync::{
    Arc,
    atomic::{AtomicBool, AtomicU32, Ordering},
};

use reqwest::StatusCode;
use sea_orm::{
    ColumnTrait as _, Database, EntityTrait as _, PaginatorTrait as _, QueryFilter as _,
};
use serde_json::json;
use spotcheck_tests::{Backend, TestApp, skip_postgres};

use crate::{
    cli,
    e2e::fixtures::{credit_code, half_of_six_drawn},
};

/// Runs the CLI against `url` with arguments; its output.
async fn run_at(app: &TestApp, url: &str, args: &[&str]) -> std::process::Output {
    let mut command = cli(app);
    command.env("SPOTCHECK_DATABASE_URL", url).args(args);
    tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("cli ran")
        .expect("cli output")
}

/// Creates enterprises one after another until told to stop; how many it made.
fn keep_writing(app: &TestApp, token: &str, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<u32> {
    let client = app.client.clone();
    let url = format!("{}/api/v1/enterprises", app.base);
    let token = token.to_owned();
    let made = Arc::new(AtomicU32::new(0));
    tokio::spawn(async move {
        let mut n = 5_000;
        while !stop.load(Ordering::Relaxed) {
            n += 1;
            let response = client
                .post(&url)
                .bearer_auth(&token)
                .json(&json!({
                    "credit_code": credit_code(n), "name": format!("备份期间企业{n}"),
                    "industry": "hazardous_chemicals", "region_code": "130102",
                    "risk_level": "low", "credit_class": "B",
                }))
                .send()
                .await
                .expect("sent");
            assert_eq!(response.status(), StatusCode::CREATED, "write {n}");
            made.fetch_add(1, Ordering::Relaxed);
        }
        made.load(Ordering::Relaxed)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_during_writes_restores_to_a_consistent_database_whose_chain_and_draw_verify()
 {
    let (w, _plan, draw, _) = half_of_six_drawn(Backend::Sqlite).await;
    let draw_id = draw["id"].as_i64().expect("draw id").to_string();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = keep_writing(&w.app, &w.admin, Arc::clone(&stop));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("spotcheck-backup.db");
    let file_arg = file.to_string_lossy().into_owned();
    let backup = run_at(&w.app, &w.app.test_db.url, &["backup", &file_arg]).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let written = writer.await.expect("writer");

    assert!(backup.status.success(), "backup: {backup:?}");
    assert!(written > 0, "the server took writes meanwhile");
    let again = run_at(&w.app, &w.app.test_db.url, &["backup", &file_arg]).await;
    assert!(
        !again.status.success(),
        "a backup never overwrites: {again:?}"
    );

    let target = dir.path().join("restored.db");
    let target_url = format!("sqlite://{}?mode=rwc", target.display());
    let restore = run_at(&w.app, &target_url, &["restore", &file_arg]).await;
    let stdout = String::from_utf8_lossy(&restore.stdout);
    assert!(restore.status.success(), "restore: {restore:?}");
    assert!(stdout.contains("audit chain intact"), "{stdout}");

    // The copy is one instant: every enterprise in it has its audit row, and
    // none of the later ones is there.
    let restored = Database::connect(target_url.as_str())
        .await
        .expect("restored db");
    let enterprises = entities::enterprise::Entity::find()
        .count(&restored)
        .await
        .expect("count");
    let created = entities::audit_log::Entity::find()
        .filter(entities::audit_log::Column::Action.eq("enterprise.create"))
        .count(&restored)
        .await
        .expect("count");
    let live = entities::enterprise::Entity::find()
        .count(&w.app.db)
        .await
        .expect("count");
    assert_eq!(enterprises, created, "each enterprise with its audit row");
    assert!(
        enterprises >= 6 && enterprises < live,
        "{enterprises} of {live}"
    );
    restored.close().await.ok();

    let verified = run_at(&w.app, &target_url, &["draw", "verify", &draw_id]).await;
    assert!(
        verified.status.success(),
        "draw verify on the restore: {verified:?}"
    );
    let into_used = run_at(&w.app, &target_url, &["restore", &file_arg]).await;
    assert!(
        !into_used.status.success(),
        "only into an empty database: {into_used:?}"
    );
    let stderr = String::from_utf8_lossy(&into_used.stderr);
    assert!(stderr.contains("already holds a database"), "{stderr}");
    let (status, audit) = w
        .app
        .get("/api/v1/audit?action=backup.&page_size=5", &w.admin)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(audit["total"], 1, "the backup is audited: {audit}");
}

#[tokio::test]
async fn backup_and_restore_point_to_pg_dump_and_pg_restore_on_postgres() {
    if skip_postgres() {
        return;
    }
    let backend = Backend::Postgres;
    let app = TestApp::spawn(backend).await;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("x.db");
    let file_arg = file.to_string_lossy().into_owned();

    let backup = run_at(&app, &app.test_db.url, &["backup", &file_arg]).await;
    let restore = run_at(&app, &app.test_db.url, &["restore", &file_arg]).await;

    assert!(!backup.status.success(), "{backup:?}");
    let stderr = String::from_utf8_lossy(&backup.stderr);
    assert!(
        stderr.starts_with("error:") && stderr.contains("pg_dump"),
        "{stderr}"
    );
    assert!(!file.exists(), "nothing written");
    assert!(!restore.status.success(), "{restore:?}");
    let stderr = String::from_utf8_lossy(&restore.stderr);
    assert!(stderr.contains("pg_restore"), "{stderr}");
}

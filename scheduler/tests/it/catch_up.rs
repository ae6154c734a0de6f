//! Fires missed while every instance was down follow the job's policy.

use chrono::Utc;
use scheduler::{CatchUp, RunStatus, Scheduler, catch_up, claim, latest_missed, list_runs};
use sea_orm::DatabaseConnection;
use testdb::{Backend, TestDb, both_engines};

use super::common::{Calls, fires_back};

/// A monthly draw: it does not fire by itself while a test runs.
const MONTHLY: &str = "0 0 1 1 * *";

/// Two instances, each with its own pool, running `calls`' job under `MONTHLY`.
async fn start_two(test_db: &TestDb, calls: &Calls, policy: CatchUp) -> [Scheduler; 2] {
    let mut started = Vec::new();
    for instance in ["a", "b"] {
        let scheduler = Scheduler::new(test_db.connect().await, instance)
            .await
            .unwrap();
        scheduler
            .add(calls.job("draw", MONTHLY, policy))
            .await
            .unwrap();
        scheduler.start().await.unwrap();
        started.push(scheduler);
    }
    started.try_into().ok().unwrap()
}

async fn stop(schedulers: &[Scheduler]) {
    for scheduler in schedulers {
        scheduler.shutdown().await.unwrap();
    }
}

/// Simulates downtime: the job last ran `back` fires ago.
async fn last_ran_fires_ago(db: &DatabaseConnection, back: usize) {
    let (_, old) = fires_back(MONTHLY, back);
    assert!(claim(db, "draw", old, "gone").await.unwrap());
}

#[both_engines(flavor = "multi_thread", worker_threads = 2)]
async fn once_runs_a_single_catch_up_fire_for_the_latest_missed_fire(backend: Backend) {
    let test_db = TestDb::migrated(backend).await;
    let db = test_db.connect().await;
    last_ran_fires_ago(&db, 3).await;
    let calls = Calls::default();

    let schedulers = start_two(&test_db, &calls, CatchUp::Once).await;
    stop(&schedulers).await;

    let (latest, _) = fires_back(MONTHLY, 0);
    let ran = calls.all();
    assert_eq!(ran.len(), 1, "{backend:?}: one catch-up fire: {ran:?}");
    assert_eq!(ran[0].fire_time, latest, "{backend:?}: the latest missed");
    assert!(ran[0].catch_up, "{backend:?}: marked as catch-up");
    let rows = list_runs(&db, Some("draw"), 10, 0).await.unwrap();
    assert_eq!(rows.len(), 2, "{backend:?}: the old run and the catch-up");
    assert_eq!(rows[0].fire_time, latest, "{backend:?}");
    assert_eq!(rows[0].outcome, "ok", "{backend:?}");
    assert_eq!(rows[0].instance, ran[0].instance, "{backend:?}");
}

#[both_engines(flavor = "multi_thread", worker_threads = 2)]
async fn skip_runs_nothing_for_missed_fires(backend: Backend) {
    let test_db = TestDb::migrated(backend).await;
    let db = test_db.connect().await;
    last_ran_fires_ago(&db, 3).await;
    let calls = Calls::default();

    let schedulers = start_two(&test_db, &calls, CatchUp::Skip).await;
    stop(&schedulers).await;

    assert_eq!(calls.all(), [], "{backend:?}");
    assert_eq!(
        list_runs(&db, Some("draw"), 10, 0).await.unwrap().len(),
        1,
        "{backend:?}"
    );
}

#[both_engines]
async fn a_job_never_run_before_has_no_missed_fires(backend: Backend) {
    let test_db = TestDb::migrated(backend).await;
    let db = test_db.connect().await;
    let calls = Calls::default();
    let job = calls.job("draw", MONTHLY, CatchUp::Once);

    let missed = latest_missed(&db, &job, Utc::now()).await.unwrap();
    let ran = catch_up(&db, &job, "a", Utc::now()).await.unwrap();

    assert_eq!(missed, None, "{backend:?}");
    assert_eq!(ran, None, "{backend:?}");
    assert_eq!(calls.all(), [], "{backend:?}");
}

#[both_engines]
async fn nothing_is_missed_when_the_latest_fire_has_run(backend: Backend) {
    let test_db = TestDb::migrated(backend).await;
    let db = test_db.connect().await;
    last_ran_fires_ago(&db, 0).await;
    let calls = Calls::default();
    let job = calls.job("draw", MONTHLY, CatchUp::Once);

    let ran = catch_up(&db, &job, "a", Utc::now()).await.unwrap();

    assert_eq!(ran, None, "{backend:?}");
    assert_eq!(calls.all(), [], "{backend:?}");
}

#[both_engines]
async fn the_plain_catch_up_function_runs_the_latest_missed_fire_once(backend: Backend) {
    let test_db = TestDb::migrated(backend).await;
    let db = test_db.connect().await;
    last_ran_fires_ago(&db, 2).await;
    let calls = Calls::default();
    let job = calls.job("draw", MONTHLY, CatchUp::Once);

    let first = catch_up(&db, &job, "a", Utc::now()).await.unwrap();
    let second = catch_up(&db, &job, "b", Utc::now()).await.unwrap();

    let first = first.expect("the first instance catches up");
    assert_eq!(first.status, RunStatus::Ok, "{backend:?}");
    assert_eq!(second, None, "{backend:?}: nothing left to catch up");
    assert_eq!(calls.all().len(), 1, "{backend:?}");
}

#[both_engines(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumed_job_is_not_caught_up_at_the_next_start(backend: Backend) {
    let test_db = TestDb::migrated(backend).await;
    let db = test_db.connect().await;
    last_ran_fires_ago(&db, 3).await;
    let calls = Calls::default();
    // The plan was paused for three months; its job is resumed on a running instance.
    let running = Scheduler::new(test_db.connect().await, "a").await.unwrap();
    running.start().await.unwrap();
    running
        .replace(calls.job("draw", MONTHLY, CatchUp::Once))
        .await
        .unwrap();
    running.shutdown().await.unwrap();

    // Then the service restarts.
    let restarted = start_two(&test_db, &calls, CatchUp::Once).await;
    stop(&restarted).await;

    let (latest, _) = fires_back(MONTHLY, 0);
    assert_eq!(
        calls.all(),
        [],
        "{backend:?}: the paused months are not caught up"
    );
    let rows = list_runs(&db, Some("draw"), 10, 0).await.unwrap();
    assert_eq!(rows[0].fire_time, latest, "{backend:?}");
    assert_eq!(
        rows[0].outcome, "skipped",
        "{backend:?}: the resume is on record"
    );
}

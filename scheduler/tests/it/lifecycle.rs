//! Starting, removing, replacing and shutting down.

use std::time::Duration;

use scheduler::{CatchUp, Job, Scheduler, SchedulerError, count_runs, list_runs};
use testdb::{Backend, TestDb, both_engines};

use super::common::Calls;

#[both_engines(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_job_stops_firing_and_a_replaced_one_follows_its_new_schedule(backend: Backend) {
    let test_db = TestDb::migrated(backend).await;
    let db = test_db.connect().await;
    let (ticks, replaced) = (Calls::default(), Calls::default());
    let scheduler = Scheduler::new(db.clone(), "a").await.unwrap();
    scheduler
        .add(ticks.job("tick", "* * * * * *", CatchUp::Skip))
        .await
        .unwrap();
    scheduler
        .add(ticks.job("tock", "* * * * * *", CatchUp::Skip))
        .await
        .unwrap();
    scheduler.start().await.unwrap();
    tokio::time::sleep(Duration::from_millis(2_200)).await;

    let removed = scheduler.remove("tick").await.unwrap();
    let removed_again = scheduler.remove("tick").await.unwrap();
    scheduler
        .replace(replaced.job("tock", "0 0 1 1 * *", CatchUp::Skip))
        .await
        .unwrap();
    let runs_then = count_runs(&db, None).await.unwrap();
    tokio::time::sleep(Duration::from_millis(2_000)).await;
    scheduler.shutdown().await.unwrap();

    assert!(removed, "{backend:?}");
    assert!(!removed_again, "{backend:?}");
    assert!(
        runs_then >= 2,
        "{backend:?}: both fired before: {runs_then}"
    );
    assert_eq!(
        count_runs(&db, None).await.unwrap(),
        runs_then,
        "{backend:?}: neither fires per second any more"
    );
    assert_eq!(replaced.all(), [], "{backend:?}");
    assert_eq!(scheduler.job_names().await, ["tock"], "{backend:?}");
}

#[both_engines(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_waits_for_the_fire_in_progress_to_be_recorded(backend: Backend) {
    let test_db = TestDb::migrated(backend).await;
    let db = test_db.connect().await;
    let scheduler = Scheduler::new(db.clone(), "a").await.unwrap();
    let slow = Job::new("slow", "* * * * * *", CatchUp::Skip, |_fire| async {
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        Ok("slow but done".to_owned())
    })
    .unwrap();
    scheduler.add(slow).await.unwrap();
    scheduler.start().await.unwrap();
    // Until the first fire has been claimed.
    while count_runs(&db, Some("slow")).await.unwrap() == 0 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    scheduler.shutdown().await.unwrap();

    let rows = list_runs(&db, Some("slow"), 100, 0).await.unwrap();
    assert!(
        rows.iter().all(|row| row.outcome == "ok"),
        "{backend:?}: no run left `running`: {rows:?}"
    );
}

#[both_engines]
async fn a_scheduler_starts_once_and_takes_no_jobs_after_shutdown(backend: Backend) {
    let test_db = TestDb::migrated(backend).await;
    let scheduler = Scheduler::new(test_db.connect().await, "a").await.unwrap();
    let calls = Calls::default();
    scheduler.start().await.unwrap();

    let twice = scheduler.start().await;
    scheduler.shutdown().await.unwrap();
    let late = scheduler
        .add(calls.job("draw", "0 0 2 * * *", CatchUp::Once))
        .await;

    assert!(
        matches!(twice, Err(SchedulerError::AlreadyStarted)),
        "{backend:?}"
    );
    assert!(matches!(late, Err(SchedulerError::ShutDown)), "{backend:?}");
}

//! Leases: a running fire keeps its claim, a stopped instance's claim is
//! resolved by another, and a shutdown records what it could not wait for.

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use scheduler::{
    CatchUp, Fire, Job, RunStatus, Scheduler, Settings, list_runs, resolve_abandoned, run_fire,
};
use testdb::{Backend, TestDb, both_engines};

use super::common::{Calls, fires_back};

/// A monthly job: its next fire is far away while a test runs.
const MONTHLY: &str = "0 0 1 1 * *";

fn slow_job(name: &str, cron: &str, millis: u64) -> Job {
    Job::new(name, cron, CatchUp::Once, move |_fire| async move {
        tokio::time::sleep(Duration::from_millis(millis)).await;
        Ok("slow but done".to_owned())
    })
    .unwrap()
}

#[both_engines(flavor = "multi_thread", worker_threads = 2)]
async fn a_fire_that_outlives_its_lease_keeps_its_claim_by_renewing_it(backend: Backend) {
    let test_db = TestDb::migrated(backend).await;
    let (a, b) = (test_db.connect().await, test_db.connect().await);
    let job = slow_job("draw", MONTHLY, 2_500);
    let (latest, _) = fires_back(MONTHLY, 0);
    let lease = Duration::from_millis(900);
    let running = tokio::spawn({
        let job = job.clone();
        async move {
            run_fire(&a, &job, Fire::new("draw", latest, "a").with_lease(lease))
                .await
                .unwrap()
        }
    });

    let mut taken = Vec::new();
    for _ in 0..8 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let find = |_: &str| Some(Arc::new(job.clone()));
        taken.extend(
            resolve_abandoned(&b, &find, "b", lease, Utc::now())
                .await
                .unwrap(),
        );
    }
    let outcome = running.await.unwrap().expect("claimed");

    assert!(
        taken.is_empty(),
        "{backend:?}: nothing was abandoned: {taken:?}"
    );
    assert_eq!(outcome.status, RunStatus::Ok, "{backend:?}");
    let rows = list_runs(&b, Some("draw"), 10, 0).await.unwrap();
    assert_eq!(rows.len(), 1, "{backend:?}");
    assert_eq!(rows[0].instance, "a", "{backend:?}");
    assert_eq!(rows[0].outcome, "ok", "{backend:?}");
    assert_eq!(
        rows[0].lease_until, None,
        "{backend:?}: a finished run holds no lease"
    );
}

#[both_engines(flavor = "multi_thread", worker_threads = 2)]
async fn a_shutdown_that_cannot_wait_records_the_fire_interrupted_and_another_instance_runs_it(
    backend: Backend,
) {
    let test_db = TestDb::migrated(backend).await;
    let db = test_db.connect().await;
    let settings = Settings {
        lease: Duration::from_secs(5),
        shutdown_grace: Duration::from_millis(300),
    };
    let a = Scheduler::with_settings(db.clone(), "a", settings)
        .await
        .unwrap();
    a.add(slow_job("slow", "* * * * * *", 60_000))
        .await
        .unwrap();
    a.start().await.unwrap();
    while list_runs(&db, Some("slow"), 1, 0).await.unwrap().is_empty() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    a.shutdown().await.unwrap();
    let interrupted = list_runs(&db, Some("slow"), 10, 0).await.unwrap();
    // Another instance of a job whose next fire is far away: the interrupted
    // fire is still its latest, so it is run again there.
    let calls = Calls::default();
    let rerun = calls.job("slow", MONTHLY, CatchUp::Once);
    let find = |_: &str| Some(Arc::new(rerun.clone()));
    let ran = resolve_abandoned(&db, &find, "b", settings.lease, Utc::now())
        .await
        .unwrap();

    assert_eq!(interrupted.len(), 1, "{backend:?}: {interrupted:?}");
    assert_eq!(interrupted[0].outcome, "interrupted", "{backend:?}");
    assert!(
        interrupted[0].lease_until.is_some(),
        "{backend:?}: open to another instance"
    );
    assert_eq!(ran.len(), 1, "{backend:?}");
    let fires = calls.all();
    assert_eq!(fires.len(), 1, "{backend:?}");
    assert_eq!(
        fires[0].taken_over_from.as_deref(),
        Some("a"),
        "{backend:?}"
    );
    assert_eq!(fires[0].fire_time, interrupted[0].fire_time, "{backend:?}");
    let rows = list_runs(&db, Some("slow"), 10, 0).await.unwrap();
    assert_eq!(rows[0].outcome, "ok", "{backend:?}: {rows:?}");
    assert_eq!(rows[0].instance, "b", "{backend:?}");
    assert_eq!(rows[0].taken_over_from.as_deref(), Some("a"), "{backend:?}");
}

#[both_engines]
async fn an_expired_claim_is_closed_when_a_later_fire_time_has_come_and_resolved_once(
    backend: Backend,
) {
    let test_db = TestDb::migrated(backend).await;
    let (a, b) = (test_db.connect().await, test_db.connect().await);
    let (_, older) = fires_back(MONTHLY, 2);
    assert!(scheduler::claim(&a, "draw", older, "dead").await.unwrap());
    let calls = Calls::default();
    let job = calls.job("draw", MONTHLY, CatchUp::Once);
    let find = |_: &str| Some(Arc::new(job.clone()));
    // A lease of zero: the claim counts as expired at once.
    let lease = Duration::ZERO;
    let later = Utc::now() + chrono::Duration::seconds(61);

    let (first, second) = tokio::join!(
        resolve_abandoned(&a, &find, "a", lease, later),
        resolve_abandoned(&b, &find, "b", lease, later)
    );

    assert!(
        first.unwrap().is_empty() && second.unwrap().is_empty(),
        "{backend:?}"
    );
    assert_eq!(calls.all(), [], "{backend:?}: not run again");
    let rows = list_runs(&a, Some("draw"), 10, 0).await.unwrap();
    assert_eq!(rows.len(), 1, "{backend:?}");
    assert_eq!(rows[0].outcome, "interrupted", "{backend:?}");
    assert_eq!(rows[0].lease_until, None, "{backend:?}: final");
    let message = rows[0].message.as_deref().unwrap_or_default();
    assert!(
        message.contains("dead") && message.contains("later fire time"),
        "{backend:?}: {message}"
    );
}

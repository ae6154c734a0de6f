//! Claiming a fire, running it once, and recording how it ended.

use std::sync::{
    Arc,
    atomic::{AtomicU32, Ordering},
};

use chrono::{Duration, SubsecRound as _, Utc};
use scheduler::{CatchUp, Fire, Job, RunStatus, claim, count_runs, list_runs, run_fire};
use testdb::{Backend, TestDb, both_engines};

use super::common::Calls;

#[both_engines]
async fn the_second_claimer_of_a_fire_loses_even_a_fraction_of_a_second_apart(backend: Backend) {
    let test_db = TestDb::migrated(backend).await;
    let (a, b) = (test_db.connect().await, test_db.connect().await);
    let second = Utc::now().trunc_subsecs(0);

    let first = claim(&a, "draw", second + Duration::milliseconds(300), "a")
        .await
        .unwrap();
    let again = claim(&b, "draw", second + Duration::milliseconds(800), "b")
        .await
        .unwrap();
    let other_job = claim(&b, "audit", second, "b").await.unwrap();

    assert!(first, "{backend:?}: the first claimer wins");
    assert!(
        !again,
        "{backend:?}: the second claimer of the same second loses"
    );
    assert!(other_job, "{backend:?}: another job's fire is another key");
    let rows = list_runs(&a, Some("draw"), 10, 0).await.unwrap();
    assert_eq!(rows.len(), 1, "{backend:?}");
    assert_eq!(
        rows[0].fire_time, second,
        "{backend:?}: stored in whole seconds"
    );
    assert_eq!(rows[0].instance, "a", "{backend:?}");
    assert_eq!(rows[0].outcome, "running", "{backend:?}");
    assert_eq!(rows[0].finished_at, None, "{backend:?}");
}

#[both_engines]
async fn a_successful_body_is_recorded_ok_with_its_message(backend: Backend) {
    let test_db = TestDb::migrated(backend).await;
    let db = test_db.connect().await;
    let calls = Calls::default();
    let job = calls.job("report", "0 0 2 * * *", CatchUp::Skip);
    let fire_time = Utc::now().trunc_subsecs(0);

    let outcome = run_fire(&db, &job, Fire::new("report", fire_time, "a"))
        .await
        .unwrap()
        .expect("this instance won the fire");

    assert_eq!(outcome.status, RunStatus::Ok, "{backend:?}");
    assert_eq!(outcome.message, "recorded", "{backend:?}");
    assert_eq!(calls.all().len(), 1, "{backend:?}");
    let row = &list_runs(&db, Some("report"), 10, 0).await.unwrap()[0];
    assert_eq!(row.id, outcome.run_id, "{backend:?}");
    assert_eq!(row.outcome, "ok", "{backend:?}");
    assert_eq!(row.message.as_deref(), Some("recorded"), "{backend:?}");
    let finished_at = row.finished_at.expect("finished");
    assert!(
        finished_at >= row.started_at,
        "{backend:?}: duration is recorded"
    );
}

#[both_engines]
async fn a_failing_body_is_recorded_failed_with_its_message(backend: Backend) {
    let test_db = TestDb::migrated(backend).await;
    let db = test_db.connect().await;
    let job = Job::new("import", "0 0 2 * * *", CatchUp::Skip, |_fire| async {
        Err("Failed to read the holiday calendar".to_owned())
    })
    .unwrap();

    let outcome = run_fire(&db, &job, Fire::new("import", Utc::now(), "a"))
        .await
        .unwrap()
        .expect("this instance won the fire");

    assert_eq!(outcome.status, RunStatus::Failed, "{backend:?}");
    let row = &list_runs(&db, Some("import"), 10, 0).await.unwrap()[0];
    assert_eq!(row.outcome, "failed", "{backend:?}");
    assert_eq!(
        row.message.as_deref(),
        Some("Failed to read the holiday calendar"),
        "{backend:?}"
    );
    assert!(row.finished_at.is_some(), "{backend:?}");
}

#[both_engines]
async fn a_panicking_body_is_recorded_failed_and_the_caller_carries_on(backend: Backend) {
    let test_db = TestDb::migrated(backend).await;
    let db = test_db.connect().await;
    let job = Job::new("score", "0 0 2 * * *", CatchUp::Skip, |_fire| async {
        panic!("index out of bounds");
    })
    .unwrap();

    let outcome = run_fire(&db, &job, Fire::new("score", Utc::now(), "a"))
        .await
        .unwrap()
        .expect("this instance won the fire");

    assert_eq!(outcome.status, RunStatus::Failed, "{backend:?}");
    assert_eq!(
        outcome.message, "panicked: index out of bounds",
        "{backend:?}"
    );
    let row = &list_runs(&db, Some("score"), 10, 0).await.unwrap()[0];
    assert_eq!(row.outcome, "failed", "{backend:?}");
    assert_eq!(
        row.message.as_deref(),
        Some("panicked: index out of bounds"),
        "{backend:?}"
    );
}

#[both_engines]
async fn a_fire_already_claimed_is_not_run_again(backend: Backend) {
    let test_db = TestDb::migrated(backend).await;
    let (a, b) = (test_db.connect().await, test_db.connect().await);
    let runs = Arc::new(AtomicU32::new(0));
    let counted = Arc::clone(&runs);
    let job = Job::new("draw", "0 0 2 * * *", CatchUp::Skip, move |_fire| {
        let counted = Arc::clone(&counted);
        async move {
            counted.fetch_add(1, Ordering::SeqCst);
            Ok("drawn".to_owned())
        }
    })
    .unwrap();
    let fire_time = Utc::now();

    let (first, second) = tokio::join!(
        run_fire(&a, &job, Fire::new("draw", fire_time, "a")),
        run_fire(&b, &job, Fire::new("draw", fire_time, "b")),
    );
    let third = run_fire(&a, &job, Fire::new("draw", fire_time, "a")).await;

    let won = [first.unwrap(), second.unwrap(), third.unwrap()]
        .iter()
        .filter(|outcome| outcome.is_some())
        .count();
    assert_eq!(won, 1, "{backend:?}: one of three attempts runs the fire");
    assert_eq!(runs.load(Ordering::SeqCst), 1, "{backend:?}");
    assert_eq!(
        count_runs(&a, Some("draw")).await.unwrap(),
        1,
        "{backend:?}"
    );
}

#[both_engines]
async fn runs_are_listed_newest_fire_first_and_filtered_by_job(backend: Backend) {
    let test_db = TestDb::migrated(backend).await;
    let db = test_db.connect().await;
    let start = Utc::now().trunc_subsecs(0) - Duration::hours(1);
    for minutes in 0..5 {
        claim(&db, "draw", start + Duration::minutes(minutes), "a")
            .await
            .unwrap();
    }
    claim(&db, "audit", start, "a").await.unwrap();

    let page = list_runs(&db, Some("draw"), 2, 1).await.unwrap();
    let everything = list_runs(&db, None, 100, 0).await.unwrap();

    let times: Vec<_> = page.iter().map(|row| row.fire_time).collect();
    assert_eq!(
        times,
        [start + Duration::minutes(3), start + Duration::minutes(2)],
        "{backend:?}: the second page of two, newest first"
    );
    assert_eq!(everything.len(), 6, "{backend:?}");
    assert_eq!(
        count_runs(&db, Some("draw")).await.unwrap(),
        5,
        "{backend:?}"
    );
    assert_eq!(count_runs(&db, None).await.unwrap(), 6, "{backend:?}");
}

//! Two instances on one database, a per-second job: every fire runs once.

use std::{
    collections::{BTreeMap, BTreeSet},
    time::Duration,
};

use chrono::Timelike as _;
use scheduler::{CatchUp, Scheduler, list_runs};
use testdb::{Backend, TestDb, both_engines};

use super::common::Calls;

#[both_engines(flavor = "multi_thread", worker_threads = 4)]
async fn every_fire_of_a_per_second_job_runs_exactly_once_across_two_instances(backend: Backend) {
    // Arrange: two "processes", each with a pool of its own.
    let test_db = TestDb::migrated(backend).await;
    let db = test_db.connect().await;
    let calls = Calls::default();
    let a = Scheduler::new(db.clone(), "a").await.unwrap();
    let b = Scheduler::new(test_db.connect().await, "b").await.unwrap();
    for instance in [&a, &b] {
        instance
            .add(calls.job("tick", "* * * * * *", CatchUp::Once))
            .await
            .unwrap();
    }

    // Act
    a.start().await.unwrap();
    b.start().await.unwrap();
    tokio::time::sleep(Duration::from_millis(4_500)).await;
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();

    // Assert: no fire time twice, and one `ok` row per call, by its caller.
    let ran = calls.all();
    let mut per_fire: BTreeMap<_, Vec<&str>> = BTreeMap::new();
    for fire in &ran {
        per_fire
            .entry(fire.fire_time)
            .or_default()
            .push(&fire.instance);
    }
    assert!(
        per_fire.values().all(|instances| instances.len() == 1),
        "{backend:?}: a fire ran more than once: {per_fire:?}"
    );
    assert!(
        per_fire.len() >= 3,
        "{backend:?}: a per-second job fires in 4.5 s: {per_fire:?}"
    );
    assert!(
        per_fire.keys().all(|t| t.nanosecond() == 0),
        "{backend:?}: fire times are whole seconds: {per_fire:?}"
    );
    let times: Vec<_> = per_fire.keys().collect();
    assert!(
        times
            .windows(2)
            .all(|w| *w[1] - *w[0] == chrono::Duration::seconds(1)),
        "{backend:?}: no second is left out: {per_fire:?}"
    );
    let rows = list_runs(&db, Some("tick"), 1_000, 0).await.unwrap();
    assert_eq!(rows.len(), ran.len(), "{backend:?}: one row per fire run");
    let recorded: BTreeSet<_> = rows
        .iter()
        .map(|row| (row.fire_time, row.instance.as_str(), row.outcome.as_str()))
        .collect();
    let expected: BTreeSet<_> = ran
        .iter()
        .map(|fire| (fire.fire_time, fire.instance.as_str(), "ok"))
        .collect();
    assert_eq!(recorded, expected, "{backend:?}");

    // And nothing fires after shutdown.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(
        calls.all().len(),
        ran.len(),
        "{backend:?}: fired after shutdown"
    );
    eprintln!(
        "{backend:?}: fires {:?}",
        per_fire
            .iter()
            .map(|(t, by)| format!("{}:{}", t.format("%H:%M:%S"), by[0]))
            .collect::<Vec<_>>()
    );
}

//! Cron expressions: what is accepted, and what is refused with a clear error.

use scheduler::{CatchUp, Job, Schedule, Scheduler, SchedulerError};
use testdb::{Backend, TestDb, both_engines};

use super::common::Calls;

#[test]
fn an_invalid_cron_expression_is_a_clear_error() {
    let cases = [
        ("not a cron", "malformed"),
        ("", "empty"),
        ("0 2 * * *", "five fields: the seconds field is required"),
        ("61 * * * * *", "second out of range"),
        ("0 0 0 30 2 *", "February 30th never comes"),
        ("0 0 0 1 1 * 2020", "only in the past"),
    ];
    for (expr, why) in cases {
        let error = Schedule::parse(expr).expect_err(why);

        assert!(
            matches!(&error, SchedulerError::InvalidCron { expr: given, .. } if given == expr),
            "{why}: {error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains(&format!("{expr:?}")),
            "{why}: names the expression: {message}"
        );
        assert!(
            message.contains("expected six fields, seconds first"),
            "{why}: says what is expected: {message}"
        );
    }
}

#[test]
fn six_and_seven_field_expressions_are_accepted() {
    for expr in [
        "* * * * * *",
        "0 0 2 * * *",
        "0 30 9 1 * *",
        "0 0 9 * * MON-FRI",
        "0 0 0 1 1 * 2999",
    ] {
        assert!(Schedule::parse(expr).is_ok(), "{expr}");
    }
}

#[test]
fn a_job_with_an_invalid_cron_is_refused() {
    let result = Job::new("draw", "every day", CatchUp::Once, |_fire| async {
        Ok(String::new())
    });

    assert!(matches!(result, Err(SchedulerError::InvalidCron { .. })));
}

#[both_engines]
async fn a_second_job_of_the_same_name_is_refused(backend: Backend) {
    let test_db = TestDb::migrated(backend).await;
    let scheduler = Scheduler::new(test_db.connect().await, "a").await.unwrap();
    let calls = Calls::default();
    scheduler
        .add(calls.job("draw", "0 0 2 * * *", CatchUp::Once))
        .await
        .unwrap();

    let again = scheduler
        .add(calls.job("draw", "0 0 3 * * *", CatchUp::Once))
        .await;

    assert!(
        matches!(&again, Err(SchedulerError::DuplicateJob(name)) if name == "draw"),
        "{backend:?}: {again:?}"
    );
    assert_eq!(scheduler.job_names().await, ["draw"], "{backend:?}");
}

//! Scheduled jobs at the library level: a plan's draw run through the
//! scheduler's claim (once per fire), the job-run list and who may read it,
//! skipped draws of paused plans, and the audit checkpoint that catches a
//! truncated tail. `serve_jobs` runs the same jobs in the `serve` process.

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use entities::{Role, job_run};
use reqwest::StatusCode;
use scheduler::{CatchUp, Fire, Job, RunStatus, run_fire};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ConnectionTrait as _};
use serde_json::{Value, json};
use spotcheck::{jobs::run_plan_draw, service::audit, state::AppState};
use spotcheck_tests::{Backend, Page, audit_rows, both_engines};

use super::fixtures::{Ent, World, cron_draw_ids, plan_body};
use crate::cli;

const CRON: &str = "0 0 9 1 * *";

/// The scheduler's job for a plan's draws, as `serve` registers it.
fn draw_job(state: &AppState, plan_id: i64) -> Job {
    let state = state.clone();
    Job::new(
        format!("plan.draw.{plan_id}"),
        CRON,
        CatchUp::Once,
        move |fire: Fire| {
            let state = state.clone();
            async move { run_plan_draw(&state, plan_id, CRON, &fire).await }
        },
    )
    .expect("a valid cron")
}

/// 09:00 China time on the first of a month in 2026.
fn fire_time(month: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, 1, 1, 0, 0)
        .single()
        .expect("a time")
}

/// An RFC 3339 time in a JSON answer.
fn time(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().expect("a time"))
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

/// An active plan with a cron over four enterprises and two inspectors.
async fn scheduled_plan(w: &World, status: &str) -> i64 {
    w.enterprises(4, Ent::default()).await;
    w.inspector("HB-001", "130000", &["hazardous_chemicals"])
        .await;
    w.inspector("HB-002", "130000", &["hazardous_chemicals"])
        .await;
    w.plan(plan_body(
        "每月抽查",
        json!({"ratios": {"high": 0.5}, "cron": CRON, "status": status}),
    ))
    .await
}

#[both_engines]
async fn a_scheduled_draw_runs_once_per_fire_and_is_recorded(backend: Backend) {
    let w = World::new(backend).await;
    let plan = scheduled_plan(&w, "active").await;
    let job = draw_job(&w.app.state, plan);
    let fire = Fire::new(&job.name, fire_time(12), "instance-a");

    let first = run_fire(&w.app.db, &job, fire.clone())
        .await
        .expect("claimed and run");
    let second = run_fire(
        &w.app.db,
        &job,
        Fire {
            instance: "instance-b".to_owned(),
            ..fire
        },
    )
    .await
    .expect("claim checked");

    let outcome = first.expect("the first claim wins");
    assert_eq!(outcome.status, RunStatus::Ok, "{backend:?}: {outcome:?}");
    assert!(second.is_none(), "{backend:?}: the same fire runs once");
    let draws = w.draws_of(plan).await;
    assert_eq!(draws.len(), 1, "{backend:?}: exactly one draw: {draws:?}");
    assert_eq!(draws[0].trigger, "cron", "{backend:?}");
    assert_eq!(draws[0].seed_source, "random", "{backend:?}");
    let draw_id = draws[0].id;
    assert!(
        outcome.message.starts_with(&format!("draw {draw_id} at ")),
        "{backend:?}: {}",
        outcome.message
    );
    let runs: Page = w.app.get_ok("/api/v1/jobs", &w.supervisor).await;
    assert_eq!(runs.total, 1, "{backend:?}: {runs:?}");
    let run = &runs.items[0];
    assert_eq!(run["job_name"], format!("plan.draw.{plan}"), "{backend:?}");
    assert_eq!(run["outcome"], "ok", "{backend:?}: {run}");
    assert_eq!(run["instance"], "instance-a", "{backend:?}: {run}");
    assert_eq!(time(&run["fire_time"]), fire_time(12), "{backend:?}: {run}");
    assert!(run["finished_at"].is_string(), "{backend:?}: {run}");
    assert!(
        run["message"]
            .as_str()
            .is_some_and(|m| m.contains(&format!("draw {draw_id}"))),
        "{backend:?}: {run}"
    );
    let audit = audit_rows(&w.app.db, "draw.run").await;
    assert_eq!(audit.len(), 1, "{backend:?}");
    assert_eq!(audit[0].actor, "system", "{backend:?}");
}

#[both_engines]
async fn a_paused_plans_draw_job_skips_and_draws_nothing(backend: Backend) {
    let w = World::new(backend).await;
    let paused = scheduled_plan(&w, "paused").await;

    let fire = Fire::new(&format!("plan.draw.{paused}"), fire_time(12), "instance-a");
    let skipped = run_plan_draw(&w.app.state, paused, CRON, &fire).await;
    let stale_cron = run_plan_draw(&w.app.state, paused + 1, CRON, &fire).await;

    let message = skipped.expect("a skip is not a failure");
    assert!(message.starts_with("skipped: "), "{backend:?}: {message}");
    assert!(
        stale_cron.is_ok_and(|m| m.starts_with("skipped: ")),
        "{backend:?}: an unknown plan is skipped too"
    );
    let (_, draws) = w
        .app
        .get(&format!("/api/v1/plans/{paused}/draws"), &w.supervisor)
        .await;
    assert_eq!(draws, json!([]), "{backend:?}");
    assert!(
        audit_rows(&w.app.db, "draw.run").await.is_empty(),
        "{backend:?}"
    );
}

#[both_engines]
async fn job_runs_are_listed_newest_first_in_pages_for_admins_and_supervisors_only(
    backend: Backend,
) {
    let w = World::new(backend).await;
    let plan = scheduled_plan(&w, "active").await;
    let job = draw_job(&w.app.state, plan);
    let noop = Job::new(
        "test.noop",
        "0 0 * * * *",
        CatchUp::Skip,
        |_fire: Fire| async { Ok("nothing to do".to_owned()) },
    )
    .expect("a valid cron");
    for (job, month) in [(&noop, 9), (&job, 10), (&noop, 11)] {
        let fire = Fire::new(&job.name, fire_time(month), "instance-a");
        run_fire(&w.app.db, job, fire)
            .await
            .expect("run")
            .expect("claimed");
    }
    let department = w
        .app
        .token_for("hb-department", Role::Department, Some(w.hebei))
        .await;
    let leader = w.app.token_for("leader", Role::Leader, None).await;
    let (_, inspector) = w.inspector_user("HB-100", "130000", &[]).await;

    let first: Page = w.app.get_ok("/api/v1/jobs?page_size=2", &w.admin).await;
    let second: Page = w
        .app
        .get_ok("/api/v1/jobs?page_size=2&page=2", &w.supervisor)
        .await;
    let draws_only: Page = w
        .app
        .get_ok(&format!("/api/v1/jobs?job_name=plan.draw.{plan}"), &w.admin)
        .await;

    assert_eq!(first.total, 3, "{backend:?}: {first:?}");
    assert_eq!(first.page_size, 2, "{backend:?}: {first:?}");
    let fires: Vec<DateTime<Utc>> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|r| time(&r["fire_time"]))
        .collect();
    assert_eq!(
        fires,
        [fire_time(11), fire_time(10), fire_time(9)],
        "{backend:?}: newest fire first, across pages"
    );
    assert_eq!(second.page, 2, "{backend:?}: {second:?}");
    assert_eq!(draws_only.total, 1, "{backend:?}: {draws_only:?}");
    for (who, token) in [
        ("department user", &department),
        ("leader", &leader),
        ("inspector", &inspector),
    ] {
        let (status, body) = w.app.get("/api/v1/jobs", token).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?} {who}: {body}");
    }
}

#[both_engines]
async fn a_truncated_audit_tail_is_caught_against_the_checkpoint(backend: Backend) {
    let w = World::new(backend).await;
    w.enterprises(3, Ent::default()).await;
    let head = audit::checkpoint(&w.app.db).await.expect("checkpoint");
    let (seq, hash) = head
        .strip_prefix("seq=")
        .and_then(|rest| rest.split_once(" hash="))
        .expect("seq=N hash=H");
    let seq: i64 = seq.parse().expect("a sequence number");
    assert!(seq > 2, "{backend:?}: {head}");
    assert!(
        hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "{backend:?}: {head}"
    );
    let now = Utc::now();
    job_run::ActiveModel {
        job_name: Set("audit.checkpoint".to_owned()),
        fire_time: Set(now - Duration::minutes(1)),
        instance: Set("test".to_owned()),
        started_at: Set(now),
        finished_at: Set(Some(now)),
        outcome: Set("ok".to_owned()),
        message: Set(Some(head.clone())),
        ..Default::default()
    }
    .insert(&w.app.db)
    .await
    .expect("checkpoint run recorded");
    let (_, intact) = w.app.get("/api/v1/audit/verify", &w.admin).await;
    assert_eq!(intact["ok"], true, "{backend:?}: {intact}");

    w.app
        .db
        .execute_unprepared(&format!("DELETE FROM audit_log WHERE id >= {}", seq - 1))
        .await
        .expect("tail removed");
    let (status, truncated) = w.app.get("/api/v1/audit/verify", &w.admin).await;
    let output = tokio::task::spawn_blocking({
        let mut command = cli(&w.app);
        command.args(["audit", "verify"]);
        move || command.output()
    })
    .await
    .expect("cli ran")
    .expect("cli output");

    assert_eq!(status, StatusCode::OK, "{backend:?}: {truncated}");
    assert_eq!(truncated["ok"], false, "{backend:?}: {truncated}");
    assert_eq!(truncated["checked"], seq - 2, "{backend:?}: {truncated}");
    assert_eq!(
        truncated["first_bad_id"],
        seq - 1,
        "{backend:?}: {truncated}"
    );
    assert!(!output.status.success(), "{backend:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("error:"), "{backend:?}: {stderr}");
    assert!(stderr.contains("checkpoint"), "{backend:?}: {stderr}");
}

/// The scheduler started in the test's own process over the server's database;
/// `serve_jobs` covers the same through the `serve` process.
#[both_engines]
async fn jobs_started_in_process_draw_an_active_plan_once_per_fire(backend: Backend) {
    let w = World::new(backend).await;
    w.enterprises(4, Ent::default()).await;
    w.inspector("HB-001", "130000", &["hazardous_chemicals"])
        .await;
    w.inspector("HB-002", "130000", &["hazardous_chemicals"])
        .await;
    let plan = w
        .plan(plan_body(
            "每秒抽查",
            json!({"ratios": {"high": 0.5}, "cron": "* * * * * *", "status": "active"}),
        ))
        .await;

    let jobs = spotcheck::jobs::start(w.app.state.clone())
        .await
        .expect("scheduler started");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        if !w.draws_of(plan).await.is_empty() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{backend:?}: no scheduled draw within 30 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    jobs.shutdown().await.expect("scheduler stopped");

    let drawn = cron_draw_ids(&w.draws_of(plan).await);
    let runs: Page = w
        .app
        .get_ok(
            &format!("/api/v1/jobs?job_name=plan.draw.{plan}&page_size=500"),
            &w.admin,
        )
        .await;
    let runs = runs.items;
    let mut fires: Vec<&str> = runs
        .iter()
        .filter_map(|r| r["fire_time"].as_str())
        .collect();
    fires.sort_unstable();
    fires.dedup();
    assert_eq!(
        fires.len(),
        runs.len(),
        "{backend:?}: a fire ran twice: {runs:?}"
    );
    let mut recorded: Vec<i64> = runs
        .iter()
        .map(|r| {
            assert_eq!(r["outcome"], "ok", "{backend:?}: {r}");
            let message = r["message"].as_str().expect("message");
            message
                .strip_prefix("draw ")
                .and_then(|m| m.split_once(' '))
                .and_then(|(id, _)| id.parse().ok())
                .expect("draw N at …")
        })
        .collect();
    recorded.sort_unstable();
    assert_eq!(
        recorded, drawn,
        "{backend:?}: each scheduled draw is one recorded fire"
    );
    let audit = audit_rows(&w.app.db, "draw.run").await;
    assert_eq!(audit.len(), drawn.len(), "{backend:?}");
}

//! The scheduled jobs as users get them: run by the `spotcheck serve` process
//! itself, one or two instances, through restarts and crashes.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use entities::{check_task, job_run};
use reqwest::{Method, StatusCode};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait as _,
    EntityTrait as _, QueryFilter as _, QueryOrder as _, TransactionTrait as _,
};
use serde::Deserialize;
use serde_json::{Value, json};
use spotcheck::config::Policy;
use spotcheck_tests::{
    Backend, DrawView, Page, ServeOptions, ServerProcess, TestApp, both_engines, skip_postgres,
};

use super::fixtures::{Ent, OneTask, World, cron_draw_ids, plan_body};

use crate::cli;

/// `serve` with jobs, following plan changes each second, claims held for `lease_secs`.
fn with_jobs(lease_secs: u64) -> ServeOptions {
    let mut policy = Policy::default();
    policy.jobs.plan_sync_secs = 1;
    policy.jobs.lease_secs = lease_secs;
    policy.jobs.shutdown_grace_secs = 10;
    ServeOptions {
        policy,
        jobs: true,
        ..ServeOptions::default()
    }
}

/// Polls `check` every 200 ms until it answers `Some`, for at most `limit`.
async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// An active plan over four enterprises and two inspectors of 河北, with `cron`.
async fn cron_plan(w: &World, cron: &str) -> i64 {
    w.enterprises(4, Ent::default()).await;
    w.inspector("HB-001", "130000", &["hazardous_chemicals"])
        .await;
    w.inspector("HB-002", "130000", &["hazardous_chemicals"])
        .await;
    w.plan(plan_body(
        "定时抽查",
        json!({"ratios": {"high": 0.5}, "cron": cron, "status": "active"}),
    ))
    .await
}

/// The plan's draws, by id.
async fn draw_ids(w: &World, plan: i64) -> Vec<i64> {
    draw_ids_at(w, &w.app.base, plan).await
}

/// The plan's draws, by id, as the server at `base` lists them.
async fn draw_ids_at(w: &World, base: &str, plan: i64) -> Vec<i64> {
    let response = w
        .app
        .client
        .get(format!("{base}/api/v1/plans/{plan}/draws"))
        .bearer_auth(&w.supervisor)
        .send()
        .await
        .expect("draws listed");
    assert_eq!(response.status(), StatusCode::OK);
    let draws: Vec<DrawView> = response.json().await.expect("draws");
    cron_draw_ids(&draws)
}

/// Every recorded fire of a job, oldest first.
async fn runs_of(app: &TestApp, job: &str) -> Vec<job_run::Model> {
    job_run::Entity::find()
        .filter(job_run::Column::JobName.eq(job))
        .order_by_asc(job_run::Column::FireTime)
        .all(&app.db)
        .await
        .expect("job runs")
}

/// The draw ids that the ok runs of a plan's job say they made.
fn drawn_by(runs: &[job_run::Model]) -> Vec<i64> {
    let mut ids: Vec<i64> = runs
        .iter()
        .filter(|r| r.outcome == "ok")
        .filter_map(|r| r.message.as_deref()?.strip_prefix("draw "))
        .filter_map(|m| m.split_once(' ')?.0.parse().ok())
        .collect();
    ids.sort_unstable();
    ids
}

/// `/readyz` of a server.
async fn readiness(app: &TestApp, base: &str) -> Value {
    let response = app
        .client
        .get(format!("{base}/readyz"))
        .send()
        .await
        .expect("readyz answered");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("JSON")
}

/// A job `serve` has registered.
#[derive(Debug, Deserialize)]
struct RegisteredJob {
    name: String,
    cron: String,
    catch_up: String,
    next_fire_at: Option<String>,
}

/// `GET /api/v1/jobs/registered`.
async fn registered(w: &World) -> Vec<RegisteredJob> {
    #[derive(Deserialize)]
    struct Listed {
        items: Vec<RegisteredJob>,
    }
    let listed: Listed = w.app.get_ok("/api/v1/jobs/registered", &w.admin).await;
    listed.items
}

/// The jobs' names, in order.
fn job_names(jobs: &[RegisteredJob]) -> Vec<String> {
    jobs.iter().map(|j| j.name.clone()).collect()
}

#[both_engines]
async fn serve_draws_an_active_plan_on_its_cron_until_it_is_paused_and_stops_cleanly(
    backend: Backend,
) {
    let mut w = World::serving(backend, with_jobs(5)).await;
    let plan = cron_plan(&w, "*/2 * * * * *").await;
    let job = format!("plan.draw.{plan}");

    let listed = eventually(
        "the plan's job registered",
        Duration::from_secs(10),
        || async {
            let jobs = registered(&w).await;
            job_names(&jobs).contains(&job).then_some(jobs)
        },
    )
    .await;
    eventually("two scheduled draws", Duration::from_secs(30), || async {
        (draw_ids(&w, plan).await.len() >= 2).then_some(())
    })
    .await;
    let (status, _) = w
        .app
        .call(
            Method::PATCH,
            &format!("/api/v1/plans/{plan}"),
            Some(&w.supervisor),
            Some(json!({"status": "paused"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}");
    // A fire that began before the pause may still finish.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let at_pause = draw_ids(&w, plan).await;
    tokio::time::sleep(Duration::from_millis(4_500)).await;
    let later = draw_ids(&w, plan).await;
    let names_after = job_names(&registered(&w).await);
    let ready = readiness(&w.app, &w.app.base).await;
    let (_, metrics) = w.app.call(Method::GET, "/metrics", None, None).await;
    w.app.server.signal("TERM");
    let exit = w.app.server.wait(Duration::from_secs(30)).await;

    assert_eq!(
        job_names(&listed),
        [
            "audit.checkpoint".to_owned(),
            job.clone(),
            "scores.nightly".to_owned(),
            "tasks.overdue".to_owned()
        ],
        "{backend:?}: {listed:?}"
    );
    let entry = listed
        .iter()
        .find(|j| j.name == job)
        .expect("the plan's job");
    assert_eq!(entry.cron, "*/2 * * * * *", "{backend:?}: {entry:?}");
    assert_eq!(entry.catch_up, "once", "{backend:?}: {entry:?}");
    let next = entry.next_fire_at.as_deref().expect("next fire");
    assert!(next.ends_with("+08:00"), "{backend:?}: China time: {next}");
    assert!(!next.contains('.'), "{backend:?}: whole seconds: {next}");
    assert_eq!(later, at_pause, "{backend:?}: no draw after the pause");
    assert!(!names_after.contains(&job), "{backend:?}: {names_after:?}");
    assert_eq!(ready["jobs"], "running", "{backend:?}: {ready}");
    let metrics = metrics.as_str().unwrap_or_default();
    assert!(metrics.contains("spotcheck_jobs_running 1"), "{backend:?}");
    assert!(
        exit.is_some_and(|s| s.success()),
        "{backend:?}: clean exit: {exit:?}"
    );
    let runs = runs_of(&w.app, &job).await;
    assert!(
        runs.iter().all(|r| r.outcome == "ok"),
        "{backend:?}: every fire finished and none is left claimed: {runs:?}"
    );
    assert_eq!(drawn_by(&runs), later, "{backend:?}: one draw per fire");
    let fires: Vec<DateTime<Utc>> = runs.iter().map(|r| r.fire_time).collect();
    assert!(
        fires
            .windows(2)
            .all(|pair| (pair[1] - pair[0]).num_seconds() % 2 == 0),
        "{backend:?}: fires on the cron's even seconds: {fires:?}"
    );
}

#[both_engines]
async fn an_api_only_instance_runs_no_jobs_but_lists_what_will_run_and_when(backend: Backend) {
    let w = World::new(backend).await;
    let plan = cron_plan(&w, "* * * * * *").await;
    let by_env = ServerProcess::start(
        &w.app.test_db.url,
        &ServeOptions {
            jobs: true,
            env: vec![("SPOTCHECK_JOBS".to_owned(), "false".to_owned())],
            ..ServeOptions::default()
        },
    )
    .await;

    tokio::time::sleep(Duration::from_secs(3)).await;
    let listed = registered(&w).await;
    let names = job_names(&listed);
    let ready = readiness(&w.app, &w.app.base).await;
    let ready_by_env = readiness(&w.app, &format!("http://{}", by_env.addr)).await;
    let (_, metrics) = w.app.call(Method::GET, "/metrics", None, None).await;
    let runs: Page = w.app.get_ok("/api/v1/jobs", &w.admin).await;
    let (forbidden, _) = w
        .app
        .get(
            "/api/v1/jobs/registered",
            &w.app
                .token_for("leader", entities::Role::Leader, None)
                .await,
        )
        .await;

    assert!(
        draw_ids(&w, plan).await.is_empty(),
        "{backend:?}: nothing drawn"
    );
    assert_eq!(runs.total, 0, "{backend:?}: nothing ran: {runs:?}");
    assert!(
        names.contains(&format!("plan.draw.{plan}")),
        "{backend:?}: {listed:?}"
    );
    assert!(
        names.contains(&"tasks.overdue".to_owned()),
        "{backend:?}: {listed:?}"
    );
    assert!(
        listed.iter().all(|j| j.next_fire_at.is_some()),
        "{backend:?}: {listed:?}"
    );
    assert_eq!(ready["jobs"], "disabled", "{backend:?}: {ready}");
    assert_eq!(
        ready_by_env["jobs"], "disabled",
        "{backend:?}: SPOTCHECK_JOBS=false: {ready_by_env}"
    );
    assert!(
        metrics
            .as_str()
            .unwrap_or_default()
            .contains("spotcheck_jobs_running 0"),
        "{backend:?}"
    );
    assert_eq!(
        forbidden,
        StatusCode::FORBIDDEN,
        "{backend:?}: leaders do not read jobs"
    );
}

#[both_engines]
async fn serve_runs_the_overdue_sweep_the_nightly_scores_and_the_audit_checkpoint(
    backend: Backend,
) {
    let mut options = with_jobs(5);
    options.policy.jobs.overdue_cron = "* * * * * *".to_owned();
    options.policy.jobs.scores_cron = "*/2 * * * * *".to_owned();
    options.policy.jobs.checkpoint_cron = "*/2 * * * * *".to_owned();
    let t = OneTask::serving(backend, options).await;
    let w = &t.w;
    let task_path = format!("/api/v1/tasks/{}", t.task);

    // Time passes: the task falls due.
    shift_task(&w.app, t.task, |task| {
        task.due_at = Set(Utc::now() - chrono::Duration::days(3));
    })
    .await;
    eventually(
        "the task flagged overdue",
        Duration::from_secs(20),
        || async {
            let (_, task) = w.app.get(&task_path, &w.supervisor).await;
            (task["overdue"] == true).then_some(())
        },
    )
    .await;
    // Carried out and reviewed, then left unpublished for 60 days.
    w.carry_out(t.task, t.lead(), &[t.finding(0, 7.0)]).await;
    w.step_ok(t.task, "review", &w.supervisor).await;
    shift_task(&w.app, t.task, |task| {
        task.reviewed_at = Set(Some(Utc::now() - chrono::Duration::days(60)));
    })
    .await;
    let items = eventually(
        "publication_overdue raised",
        Duration::from_secs(20),
        || async {
            let items: Page = w
                .app
                .get_ok("/api/v1/accountability?page_size=500", &w.admin)
                .await;
            let raised = items.column("reason").contains(&"publication_overdue");
            raised.then_some(items)
        },
    )
    .await;
    let checkpoint = eventually("a checkpoint recorded", Duration::from_secs(20), || async {
        runs_of(&w.app, "audit.checkpoint")
            .await
            .into_iter()
            .find(|r| r.outcome == "ok")
    })
    .await;
    let nightly = eventually("a nightly run", Duration::from_secs(20), || async {
        runs_of(&w.app, "scores.nightly")
            .await
            .into_iter()
            .find(|r| r.outcome == "ok")
    })
    .await;
    let verify = cli(&w.app)
        .args(["audit", "verify"])
        .output()
        .expect("cli ran");
    let on_demand = cli(&w.app)
        .args(["audit", "checkpoint"])
        .output()
        .expect("cli ran");

    let task_items: Vec<&Value> = items
        .items
        .iter()
        .filter(|i| i["reason"] == "task_overdue")
        .collect();
    assert!(
        !task_items.is_empty(),
        "{backend:?}: the overdue task is held to account: {items:?}"
    );
    assert!(
        checkpoint
            .message
            .as_deref()
            .is_some_and(|m| m.starts_with("seq=")),
        "{backend:?}: {checkpoint:?}"
    );
    assert!(
        nightly
            .message
            .as_deref()
            .is_some_and(|m| m.starts_with("recomputed ")),
        "{backend:?}: {nightly:?}"
    );
    assert!(
        verify.status.success(),
        "{backend:?}: {}",
        String::from_utf8_lossy(&verify.stderr)
    );
    let printed = String::from_utf8_lossy(&on_demand.stdout);
    assert!(
        on_demand.status.success(),
        "{backend:?}: {}",
        String::from_utf8_lossy(&on_demand.stderr)
    );
    assert!(
        printed.starts_with("audit chain head recorded: seq="),
        "{backend:?}: {printed}"
    );
}

/// Changes a task's row as time passing would.
async fn shift_task(app: &TestApp, task: i64, change: impl FnOnce(&mut check_task::ActiveModel)) {
    let row = check_task::Entity::find_by_id(task)
        .one(&app.db)
        .await
        .expect("read task")
        .expect("the task");
    let mut row: check_task::ActiveModel = row.into();
    change(&mut row);
    row.update(&app.db).await.expect("task changed");
}

/// A scheduled fire time of `cron` (China time) at or before now, `back` fires ago.
fn fire_back(cron: &str, back: usize) -> DateTime<Utc> {
    let schedule = scheduler::Schedule::parse_at_offset(
        cron,
        chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"),
    )
    .expect("a cron");
    let mut at = schedule
        .latest_at_or_before(Utc::now())
        .expect("a past fire");
    for _ in 0..back {
        at = schedule
            .latest_at_or_before(at - chrono::Duration::seconds(1))
            .expect("an earlier fire");
    }
    at
}

#[both_engines]
async fn claims_left_by_an_instance_that_died_are_run_again_or_closed_by_the_next(
    backend: Backend,
) {
    let w = World::serving(backend, with_jobs(2)).await;
    let monthly = "0 0 9 1 * *";
    let plan = cron_plan(&w, monthly).await;
    let job = format!("plan.draw.{plan}");
    eventually(
        "the plan's job registered",
        Duration::from_secs(10),
        || async {
            job_names(&registered(&w).await)
                .contains(&job)
                .then_some(())
        },
    )
    .await;
    // What a process killed in the middle of two fires leaves behind.
    let dead = "gone-host:1:dead";
    let now = Utc::now();
    for back in [1, 0] {
        job_run::ActiveModel {
            job_name: Set(job.clone()),
            fire_time: Set(fire_back(monthly, back)),
            instance: Set(dead.to_owned()),
            started_at: Set(now - chrono::Duration::minutes(3)),
            outcome: Set("running".to_owned()),
            lease_until: Set(Some(now - chrono::Duration::minutes(2))),
            ..Default::default()
        }
        .insert(&w.app.db)
        .await
        .expect("stale claim");
    }

    let runs = eventually("both claims resolved", Duration::from_secs(20), || async {
        let runs = runs_of(&w.app, &job).await;
        runs.iter().all(|r| r.outcome != "running").then_some(runs)
    })
    .await;
    let ready = readiness(&w.app, &w.app.base).await;
    let (_, listed) = w
        .app
        .get(&format!("/api/v1/jobs?job_name={job}"), &w.admin)
        .await;

    let instance = ready["instance"].as_str().expect("instance");
    assert_eq!(runs.len(), 2, "{backend:?}: {runs:?}");
    let (older, latest) = (&runs[0], &runs[1]);
    assert_eq!(older.outcome, "interrupted", "{backend:?}: {older:?}");
    assert_eq!(older.instance, dead, "{backend:?}: {older:?}");
    let why = older.message.as_deref().unwrap_or_default();
    assert!(
        why.contains(dead) && why.contains(instance),
        "{backend:?}: {why}"
    );
    assert_eq!(latest.outcome, "ok", "{backend:?}: {latest:?}");
    assert_eq!(latest.instance, instance, "{backend:?}: run again here");
    assert_eq!(latest.taken_over_from.as_deref(), Some(dead), "{backend:?}");
    let drawn = draw_ids(&w, plan).await;
    assert_eq!(drawn.len(), 1, "{backend:?}: the latest fire drew once");
    assert_eq!(drawn_by(&runs), drawn, "{backend:?}");
    let shown = listed["items"]
        .as_array()
        .and_then(|items| items.iter().find(|r| r["taken_over_from"] == dead))
        .expect("the API shows the takeover");
    assert_eq!(shown["instance"], instance, "{backend:?}: {shown}");
}

#[tokio::test]
async fn two_instances_on_one_postgresql_run_each_fire_once_and_survive_a_kill() {
    if skip_postgres() {
        return;
    }
    let mut a = World::serving(Backend::Postgres, with_jobs(2)).await;
    let mut b = ServerProcess::start(&a.app.test_db.url, &with_jobs(2)).await;
    let b_base = format!("http://{}", b.addr);
    let plan = cron_plan(&a, "* * * * * *").await;
    let job = format!("plan.draw.{plan}");
    let a_name = readiness(&a.app, &a.app.base).await["instance"]
        .as_str()
        .expect("name")
        .to_owned();
    let b_name = readiness(&a.app, &b_base).await["instance"]
        .as_str()
        .expect("name")
        .to_owned();
    // Which instance wins a fire's claim is a race; the test only needs both
    // to be scheduling and one of them caught in the middle of a fire.
    for base in [&a.app.base, &b_base] {
        assert_eq!(readiness(&a.app, base).await["jobs"], "running");
    }
    eventually("a first fire", Duration::from_secs(40), || async {
        let runs = runs_of(&a.app, &job).await;
        runs.iter().any(|r| r.outcome == "ok").then_some(())
    })
    .await;

    // Draws wait on this lock; a fire is caught in the middle.
    let blocker = a.app.db.begin().await.expect("transaction");
    blocker
        .execute_unprepared("LOCK TABLE draw IN EXCLUSIVE MODE")
        .await
        .expect("lock");
    let caught = eventually("a fire in progress", Duration::from_secs(20), || async {
        runs_of(&a.app, &job)
            .await
            .into_iter()
            .find(|r| r.outcome == "running")
    })
    .await;
    let (dead_name, live_name, live_base) = if caught.instance == a_name {
        a.app.server.signal("KILL");
        assert!(
            a.app.server.wait(Duration::from_secs(10)).await.is_some(),
            "A is gone"
        );
        (a_name.clone(), b_name.clone(), b_base.clone())
    } else {
        assert_eq!(caught.instance, b_name, "{caught:?}");
        b.signal("KILL");
        assert!(b.wait(Duration::from_secs(10)).await.is_some(), "B is gone");
        (b_name.clone(), a_name.clone(), a.app.base.clone())
    };
    let killed_at = Utc::now();
    blocker.commit().await.expect("lock released");
    eventually(
        "the dead instance's claims resolved",
        Duration::from_secs(30),
        || async {
            let runs = runs_of(&a.app, &job).await;
            runs.iter()
                .all(|r| !(r.instance == dead_name && r.outcome == "running"))
                .then_some(())
        },
    )
    .await;
    let resolved_at = Utc::now();
    eventually(
        "the survivor goes on drawing",
        Duration::from_secs(20),
        || async {
            let runs = runs_of(&a.app, &job).await;
            runs.iter()
                .any(|r| r.fire_time > resolved_at && r.outcome == "ok")
                .then_some(())
        },
    )
    .await;
    let (status, _) = a
        .app
        .client
        .patch(format!("{live_base}/api/v1/plans/{plan}"))
        .bearer_auth(&a.supervisor)
        .json(&json!({"status": "paused"}))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .expect("paused through the survivor");
    assert_eq!(status, StatusCode::OK);
    tokio::time::sleep(Duration::from_secs(3)).await;

    let runs = runs_of(&a.app, &job).await;
    let drawn = draw_ids_at(&a, &live_base, plan).await;
    assert_eq!(
        drawn_by(&runs),
        drawn,
        "each draw is one fire's, and each fire drew at most once"
    );
    let caught_now = runs
        .iter()
        .find(|r| r.id == caught.id)
        .expect("the caught fire");
    assert_eq!(caught_now.outcome, "interrupted", "{caught_now:?}");
    let why = caught_now.message.as_deref().unwrap_or_default();
    assert!(
        why.contains(&dead_name) && why.contains(&live_name),
        "{why}"
    );
    assert!(
        runs.iter().all(|r| r.outcome != "running"),
        "nothing left claimed: {runs:?}"
    );
    assert!(
        runs.iter()
            .filter(|r| r.fire_time > killed_at + chrono::Duration::seconds(1))
            .all(|r| r.instance == live_name),
        "the survivor ran every fire after the other died"
    );
}

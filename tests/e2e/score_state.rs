//! Scores that say where they stand: the score list and the reports built on a
//! recomputation say when their period was last computed and by whom, or that
//! it never was — so a provincial supervisor or a leader reading an empty list
//! knows why; and `serve` keeps the current year, quarter and month computed.

use std::time::{Duration, Instant};

use chrono::{Datelike as _, Utc};
use entities::Role;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use spotcheck::config::Policy;
use spotcheck_tests::{Backend, ServeOptions, TestApp, both_engines};

use super::{reports::report, reports::sheet_title, score_fixture::arrange};
use crate::cli;

/// The score list of a period as `token` reads it.
async fn scores(app: &TestApp, token: &str, period: &str) -> Value {
    let (status, body) = app
        .get(
            &format!("/api/v1/scores?period={period}&page_size=500"),
            token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{period}: {body}");
    body
}

#[both_engines]
async fn the_score_list_and_reports_say_when_a_period_was_computed_and_by_whom(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = arrange(&app).await;
    let national = app.token_for("nat-sup", Role::Supervisor, None).await;
    let hb_sup = app.token_for("hb-sup", Role::Supervisor, Some(f.hb)).await;
    let leader = app.token_for("leader", Role::Leader, None).await;

    // Never computed: an empty list that says so, to each reader.
    for (who, token) in [("leader", &leader), ("provincial supervisor", &hb_sup)] {
        let list = scores(&app, token, "2025").await;
        assert_eq!(
            list["items"].as_array().map(Vec::len),
            Some(0),
            "{backend:?}: {who}"
        );
        let state = &list["computation"];
        assert_eq!(state["period"], "2025", "{backend:?}: {who}: {list}");
        assert_eq!(state["computed"], false, "{backend:?}: {who}");
        assert!(state["computed_at"].is_null(), "{backend:?}: {who}");
        assert!(
            state["message"]
                .as_str()
                .is_some_and(|m| m.contains("尚未计算")),
            "{backend:?}: {who}: {state}"
        );
    }
    let bytes = report(&app, &leader, "/api/v1/reports/assessment?period=2025").await;
    let (title, _) = sheet_title(&bytes, "部门考核");
    assert!(title.contains("得分尚未计算"), "{backend:?}: {title}");

    // Computed by a national supervisor through the API.
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/scores/2025/recompute",
            Some(&national),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
    for (who, token) in [("leader", &leader), ("provincial supervisor", &hb_sup)] {
        let list = scores(&app, token, "2025").await;
        assert!(
            list["total"].as_u64().is_some_and(|n| n > 0),
            "{backend:?}: {who}"
        );
        let state = &list["computation"];
        assert_eq!(state["computed"], true, "{backend:?}: {who}: {state}");
        assert_eq!(state["computed_by"], "nat-sup", "{backend:?}: {who}");
        assert_eq!(state["trigger"], "request", "{backend:?}: {who}");
        let at = state["computed_at"].as_str().expect("computed_at");
        assert!(
            at.ends_with("+08:00") && !at.contains('.'),
            "{backend:?}: {at}"
        );
    }
    let bytes = report(&app, &leader, "/api/v1/reports/assessment?period=2025").await;
    let (title, _) = sheet_title(&bytes, "部门考核");
    assert!(
        title.contains("得分计算于") && title.contains("计算人 nat-sup（手动）"),
        "{backend:?}: {title}"
    );
    let bytes = report(&app, &leader, "/api/v1/reports/accountability?period=2025").await;
    let (title, _) = sheet_title(&bytes, "问责事项");
    assert!(title.contains("计算人 nat-sup"), "{backend:?}: {title}");

    // Computed from the command line: by the system.
    let output = cli(&app).args(["score", "2025Q4"]).output().expect("cli");
    assert!(output.status.success(), "{backend:?}");
    let state = &scores(&app, &leader, "2025Q4").await["computation"];
    assert_eq!(state["computed_by"], "system", "{backend:?}: {state}");
    assert_eq!(state["trigger"], "command", "{backend:?}");
    // Without a period there is no one period to speak of.
    let (_, all) = app.get("/api/v1/scores", &leader).await;
    assert!(all["computation"].is_null(), "{backend:?}: {all}");
}

/// The current year, quarter and month in China time.
fn current_periods() -> [String; 3] {
    let today = (Utc::now() + chrono::Duration::hours(8)).date_naive();
    let quarter = today.month().div_ceil(3);
    [
        today.year().to_string(),
        format!("{}Q{quarter}", today.year()),
        today.format("%Y-%m").to_string(),
    ]
}

#[both_engines]
async fn serve_keeps_the_current_year_quarter_and_month_computed(backend: Backend) {
    let mut policy = Policy::default();
    policy.jobs.scores_cron = "* * * * * *".to_owned();
    policy.jobs.lease_secs = 5;
    policy.jobs.shutdown_grace_secs = 10;
    let options = ServeOptions {
        policy,
        jobs: true,
        ..ServeOptions::default()
    };
    let app = TestApp::serve(backend, options).await;
    let admin = app.admin().await;
    app.seed_two_provinces(&admin).await;
    let leader = app.token_for("leader", Role::Leader, None).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut states = Vec::new();
        for period in current_periods() {
            states.push(scores(&app, &leader, &period).await);
        }
        let done = states.iter().all(|s| {
            s["computation"]["computed"] == true
                && s["computation"]["trigger"] == "schedule"
                && s["computation"]["computed_by"] == "system"
                && s["total"].as_u64().is_some_and(|n| n >= 2)
        });
        if done {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{backend:?}: the nightly job did not compute the current periods: {states:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

//! The demo data set through the real CLI: realistic, deterministic, and loaded once.

use reqwest::StatusCode;
use serde_json::Value;
use spotcheck_tests::{
    Backend, ServeOptions, ServerProcess, TestApp, TestDb, binary, both_engines,
};

use crate::cli;

/// Runs `spotcheck demo --enterprises N` and returns what it printed.
pub fn run_demo(app: &TestApp, enterprises: &str) -> String {
    let output = cli(app)
        .args(["demo", "--enterprises", enterprises])
        .output()
        .expect("run demo");
    assert!(
        output.status.success(),
        "demo failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The password printed for a demo user, from the first load's output.
pub fn password_of(output: &str, username: &str) -> String {
    output
        .lines()
        .map(str::split_whitespace)
        .find_map(|mut words| {
            (words.next() == Some(username))
                .then(|| words.nth(1))
                .flatten()
        })
        .unwrap_or_else(|| panic!("no password printed for {username}: {output}"))
        .to_owned()
}

#[both_engines]
async fn the_demo_loads_once_and_its_users_log_in_with_the_printed_passwords(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let first = run_demo(&app, "300");
    assert!(
        first.contains("added 96 regions, 99 departments, 300 enterprises, 300 inspectors"),
        "{backend:?}: {first}"
    );
    assert!(
        first.contains("passwords are shown only this once"),
        "{backend:?}: {first}"
    );

    let second = run_demo(&app, "300");
    assert!(
        second.contains(
            "added 0 regions, 0 departments, 0 enterprises, 0 inspectors, 0 conflicts, 0 indicators"
        ),
        "{backend:?}: a second load adds nothing: {second}"
    );
    assert!(
        !second.contains("passwords"),
        "{backend:?}: credentials are printed once: {second}"
    );

    let admin = app.login("admin", &password_of(&first, "admin")).await;
    let (status, body) = app.get("/api/v1/enterprises?page_size=1", &admin).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
    assert_eq!(body["total"], 300, "{backend:?}: {body}");
    let (_, verified) = app.get("/api/v1/audit/verify", &admin).await;
    assert_eq!(verified["ok"], true, "{backend:?}: {verified}");

    // Every role logs in, and the supervisor's scope is a province (河北, 13).
    for role in ["supervisor", "inspector", "department", "leader"] {
        let token = app.login(role, &password_of(&first, role)).await;
        let (status, me) = app.get("/api/v1/me", &token).await;
        assert_eq!(status, StatusCode::OK, "{backend:?} {role}: {me}");
        assert_eq!(me["role"], role, "{backend:?}");
    }
    let supervisor = app
        .login("supervisor", &password_of(&first, "supervisor"))
        .await;
    let (_, me) = app.get("/api/v1/me", &supervisor).await;
    assert_eq!(me["region_code"], "130000", "{backend:?}: {me}");
}

#[both_engines]
async fn migrate_then_serve_with_the_demo_runs_the_jobs_and_lets_the_demo_users_in(
    backend: Backend,
) {
    let test_db = TestDb::empty(backend).await;
    let migrate = std::process::Command::new(binary())
        .arg("migrate")
        .env("SPOTCHECK_DATABASE_URL", &test_db.url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("spotcheck migrate ran");
    assert!(
        migrate.status.success(),
        "{backend:?}: {}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    assert!(
        String::from_utf8_lossy(&migrate.stdout).contains("database is up to date"),
        "{backend:?}"
    );

    let server = ServerProcess::start(
        &test_db.url,
        &ServeOptions {
            jobs: true,
            args: vec!["--demo".to_owned()],
            ..ServeOptions::default()
        },
    )
    .await;
    let base = format!("http://{}", server.addr);
    let client = reqwest::Client::new();
    let token = server
        .login("admin", &password_of(server.startup(), "admin"))
        .await;
    let get = |path: &'static str| {
        let request = client.get(format!("{base}{path}")).bearer_auth(&token);
        async move {
            let response = request.send().await.expect("answered");
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            response.json::<Value>().await.expect("JSON")
        }
    };
    let enterprises = get("/api/v1/enterprises?page_size=1").await;
    assert!(
        enterprises["total"].as_u64().is_some_and(|n| n > 0),
        "{backend:?}: {enterprises}"
    );
    let ready = get("/readyz").await;
    assert_eq!(ready["jobs"], "running", "{backend:?}: {ready}");
    let registered = get("/api/v1/jobs/registered").await;
    let names: Vec<&str> = registered["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|j| j["name"].as_str())
        .collect();
    for job in ["tasks.overdue", "scores.nightly", "audit.checkpoint"] {
        assert!(names.contains(&job), "{backend:?}: {job} in {names:?}");
    }
}

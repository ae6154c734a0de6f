//! Logins, sessions, lockout, user management and the login flood, through
//! the real HTTP API and CLI.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entities::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use spotcheck::config::Policy;
use spotcheck_tests::{
    Backend, PASSWORD, Page, TestApp, TwoProvinces, both_engines, run_with_stdin,
};

use crate::cli;

/// A password that passes the default policy and differs from [`PASSWORD`].
const OTHER_PASSWORD: &str = "Battery-Staple-77";

/// Tries to log in; returns the status and body.
async fn try_login(app: &TestApp, username: &str, password: &str) -> (StatusCode, Value) {
    app.try_login(username, password).await
}

/// The audit entries matching a query (such as `action=auth.`), newest first.
async fn audit(app: &TestApp, admin: &str, query: &str) -> Vec<Value> {
    let page: Page = app
        .get_ok(&format!("/api/v1/audit?page_size=500&{query}"), admin)
        .await;
    page.items
}

/// The default policy with some numbers changed (short lockouts, sessions, pools).
fn short_policy(change: impl FnOnce(&mut Policy)) -> Policy {
    let mut policy = Policy::default();
    change(&mut policy);
    policy
}

/// Whether a token still opens `GET /api/v1/me`.
async fn me_status(app: &TestApp, token: &str) -> StatusCode {
    app.get("/api/v1/me", token).await.0
}

#[both_engines]
async fn login_returns_a_token_and_me_describes_the_caller(backend: Backend) {
    let TwoProvinces { app, hebei, .. } = TwoProvinces::spawn(backend).await;
    let id = app
        .create_user("hebei.sup", Role::Supervisor, Some(hebei))
        .await;

    let before = Utc::now();
    let (status, body) = try_login(&app, "hebei.sup", PASSWORD).await;

    assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
    let token = body["token"].as_str().expect("token");
    assert_eq!(token.len(), 64, "{backend:?}: 256 bits in hex");
    assert_eq!(body["role"], "supervisor", "{backend:?}");
    let expires: DateTime<Utc> = body["expires_at"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("expires_at is RFC 3339");
    let ahead = expires - before;
    assert!(
        (ahead - chrono::Duration::hours(12)).num_seconds().abs() < 60,
        "{backend:?}: expires about 12 h ahead, got {ahead}"
    );
    let (status, me) = app.get("/api/v1/me", token).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {me}");
    assert_eq!(me["id"], id, "{backend:?}");
    assert_eq!(me["username"], "hebei.sup", "{backend:?}");
    assert_eq!(me["role"], "supervisor", "{backend:?}");
    assert_eq!(me["department_id"], hebei, "{backend:?}");
    assert_eq!(me["region_code"], "130000", "{backend:?}");
}

#[both_engines]
async fn wrong_password_and_unknown_user_answer_the_same_401_and_are_audited(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    app.create_user("alice", Role::Leader, None).await;

    let (wrong_status, wrong) = try_login(&app, "alice", "Not-The-Password-1").await;
    let (unknown_status, unknown) = try_login(&app, "nobody", PASSWORD).await;
    let (system_status, _) = try_login(&app, "system", PASSWORD).await;

    assert_eq!(wrong_status, StatusCode::UNAUTHORIZED, "{backend:?}");
    assert_eq!(unknown_status, StatusCode::UNAUTHORIZED, "{backend:?}");
    assert_eq!(wrong["code"], "unauthorized", "{backend:?}: {wrong}");
    assert_eq!(
        wrong, unknown,
        "{backend:?}: no user enumeration by status or message"
    );
    let failed: Vec<Value> = audit(&app, &admin, "action=auth.login")
        .await
        .into_iter()
        .filter(|e| e["result"] == "failed")
        .collect();
    let actors: Vec<&str> = failed.iter().filter_map(|e| e["actor"].as_str()).collect();
    assert_eq!(
        actors,
        ["system", "nobody", "alice"],
        "{backend:?}: newest first"
    );
    assert_eq!(system_status, StatusCode::UNAUTHORIZED, "{backend:?}");
    assert_eq!(failed[2]["role"], "leader", "{backend:?}: alice's account");
    for anonymous in &failed[..2] {
        assert!(
            anonymous["role"].is_null(),
            "{backend:?}: an unknown caller has no role, even as 'system': {anonymous}"
        );
    }
}

#[both_engines]
async fn a_huge_unknown_username_is_audited_cut_short(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let huge = "x".repeat(100_000);

    let (status, _) = try_login(&app, &huge, PASSWORD).await;

    assert_eq!(status, StatusCode::UNAUTHORIZED, "{backend:?}");
    let failed = audit(&app, &admin, "action=auth.login").await;
    let row = &failed[0];
    assert_eq!(row["result"], "failed", "{backend:?}");
    for field in ["actor", "object_id"] {
        let len = row[field].as_str().map_or(0, str::len);
        assert!(
            (1..=64).contains(&len),
            "{backend:?}: {field} holds {len} characters"
        );
    }
}

#[both_engines]
async fn five_wrong_passwords_lock_the_account_until_the_lock_expires(backend: Backend) {
    let policy = short_policy(|p| p.security.lockout_secs = 2);
    let app = TestApp::spawn_with(backend, policy).await;
    let admin = app.admin().await;
    app.create_user("bob", Role::Leader, None).await;

    for attempt in 1..=5 {
        let (status, _) = try_login(&app, "bob", "Wrong-Password-9").await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{backend:?}: attempt {attempt}"
        );
    }
    let response = app
        .request(Method::POST, "/api/v1/auth/login")
        .json(&json!({"username": "bob", "password": PASSWORD}))
        .send()
        .await
        .expect("login sent");

    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "{backend:?}: locked even with the right password"
    );
    let retry_after: Option<u64> = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    assert!(
        retry_after.is_some_and(|secs| (1..=2).contains(&secs)),
        "{backend:?}: Retry-After is the rest of the 2 s lock: {retry_after:?}"
    );
    let locks = audit(&app, &admin, "action=auth.lockout").await;
    assert_eq!(locks.len(), 1, "{backend:?}: the lock is audited once");
    assert_eq!(locks[0]["actor"], "bob", "{backend:?}");
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let (status, body) = try_login(&app, "bob", PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{backend:?}: unlocked after lockout_secs: {body}"
    );
}

#[both_engines(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_wrong_passwords_all_count_towards_the_lockout(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    app.create_user("mallory", Role::Leader, None).await;
    let url = format!("{}/api/v1/auth/login", app.base);

    let guesses: Vec<_> = (0..8)
        .map(|n| {
            let request = app
                .client
                .post(&url)
                .json(&json!({"username": "mallory", "password": format!("Guess-Number-{n}")}));
            tokio::spawn(async move { request.send().await.expect("login sent").status() })
        })
        .collect();
    let mut statuses = Vec::new();
    for guess in guesses {
        statuses.push(guess.await.expect("guess task"));
    }
    let (status, body) = try_login(&app, "mallory", PASSWORD).await;

    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let locked = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        (refused, locked),
        (5, 3),
        "{backend:?}: five failures count, then the lock holds: {statuses:?}"
    );
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "{backend:?}: eight parallel guesses lock the account: {body}"
    );
    let locks = audit(&app, &admin, "action=auth.lockout").await;
    assert_eq!(locks.len(), 1, "{backend:?}: one lock");
}

#[both_engines]
async fn a_successful_login_resets_the_failure_count(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("carol", Role::Leader, None).await;

    for round in ["before", "after"] {
        for attempt in 1..=4 {
            let (status, _) = try_login(&app, "carol", "Wrong-Password-9").await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{backend:?}: {round} attempt {attempt}"
            );
        }
        let (status, body) = try_login(&app, "carol", PASSWORD).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{backend:?}: 4 failures {round} the success do not lock: {body}"
        );
    }
}

#[both_engines]
async fn an_idle_session_expires_and_a_used_one_stays_alive(backend: Backend) {
    let policy = short_policy(|p| p.security.session_idle_secs = 2);
    let app = TestApp::spawn_with(backend, policy).await;
    app.create_user("dave", Role::Leader, None).await;
    let idle = app.login("dave", PASSWORD).await;
    let busy = app.login("dave", PASSWORD).await;

    for second in 1..=3 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(
            me_status(&app, &busy).await,
            StatusCode::OK,
            "{backend:?}: a token used every second is alive at {second} s"
        );
    }

    assert_eq!(
        me_status(&app, &idle).await,
        StatusCode::UNAUTHORIZED,
        "{backend:?}: a token unused for 3 s with 2 s idle time is dead"
    );
}

#[both_engines]
async fn a_session_dies_at_its_absolute_expiry_however_busy(backend: Backend) {
    let policy = short_policy(|p| p.security.session_absolute_secs = 2);
    let app = TestApp::spawn_with(backend, policy).await;
    app.create_user("erin", Role::Leader, None).await;
    let token = app.login("erin", PASSWORD).await;

    for step in 1..=2 {
        assert_eq!(
            me_status(&app, &token).await,
            StatusCode::OK,
            "{backend:?}: alive at step {step}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_millis(1_500)).await;

    assert_eq!(
        me_status(&app, &token).await,
        StatusCode::UNAUTHORIZED,
        "{backend:?}: dead 2.5 s after login"
    );
}

#[both_engines]
async fn logout_ends_the_session_and_is_audited(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let token = app.token_for("frank", Role::Leader, None).await;

    let (status, body) = app
        .call(Method::POST, "/api/v1/auth/logout", Some(&token), None)
        .await;

    assert_eq!(status, StatusCode::NO_CONTENT, "{backend:?}: {body}");
    assert_eq!(
        me_status(&app, &token).await,
        StatusCode::UNAUTHORIZED,
        "{backend:?}"
    );
    let logouts = audit(&app, &admin, "action=auth.logout").await;
    assert_eq!(logouts.len(), 1, "{backend:?}");
    assert_eq!(logouts[0]["actor"], "frank", "{backend:?}");
    assert_eq!(
        me_status(&app, &admin).await,
        StatusCode::OK,
        "{backend:?}: other sessions live on"
    );
}

/// `PATCH /api/v1/users/{id}` as `admin`.
async fn patch_user(app: &TestApp, admin: &str, id: i64, body: Value) -> (StatusCode, Value) {
    app.call(
        Method::PATCH,
        &format!("/api/v1/users/{id}"),
        Some(admin),
        Some(body),
    )
    .await
}

#[both_engines]
async fn disabling_a_user_ends_their_sessions_and_blocks_login_until_re_enabled(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let id = app.create_user("gina", Role::Leader, None).await;
    let token = app.login("gina", PASSWORD).await;

    let (status, body) = patch_user(&app, &admin, id, json!({"active": false})).await;

    assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
    assert_eq!(body["active"], false, "{backend:?}");
    assert_eq!(
        me_status(&app, &token).await,
        StatusCode::UNAUTHORIZED,
        "{backend:?}: revoked at once"
    );
    let (status, _) = try_login(&app, "gina", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{backend:?}: disabled");
    let (status, body) = patch_user(&app, &admin, id, json!({"active": true})).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
    let (status, body) = try_login(&app, "gina", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: re-enabled: {body}");
}

#[both_engines]
async fn changing_a_password_ends_the_users_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let id = app.create_user("hank", Role::Leader, None).await;
    let token = app.login("hank", PASSWORD).await;

    let (status, body) = patch_user(&app, &admin, id, json!({"password": OTHER_PASSWORD})).await;

    assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
    assert_eq!(
        me_status(&app, &token).await,
        StatusCode::UNAUTHORIZED,
        "{backend:?}: revoked at once"
    );
    let (status, _) = try_login(&app, "hank", PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "{backend:?}: old password"
    );
    let (status, body) = try_login(&app, "hank", OTHER_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: new password: {body}");
}

#[both_engines]
async fn an_administrator_cannot_demote_disable_or_reset_themselves(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let (_, me) = app.get("/api/v1/me", &admin).await;
    let own = me["id"].as_i64().expect("own id");

    for (change, field) in [
        (json!({"role": "leader"}), "role"),
        (json!({"active": false}), "active"),
        (json!({"password": OTHER_PASSWORD}), "password"),
    ] {
        let (status, body) = patch_user(&app, &admin, own, change.clone()).await;

        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend:?} {change}: {body}"
        );
        assert_eq!(body["errors"][0]["field"], field, "{backend:?}: {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| m.contains("自己")),
            "{backend:?}: in Chinese: {body}"
        );
        assert_eq!(
            me_status(&app, &admin).await,
            StatusCode::OK,
            "{backend:?}: still logged in"
        );
    }
    let (_, after) = app.get("/api/v1/me", &admin).await;
    assert_eq!(after["role"], "admin", "{backend:?}: nothing changed");
}

#[both_engines]
async fn weak_passwords_reserved_names_and_duplicates_are_rejected(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let cases = [
        ("ivan", "Short1!", "password", "too short"),
        ("ivan", "alllowercaseletters", "password", "one class"),
        ("system", PASSWORD, "username", "reserved name"),
    ];
    for (username, password, field, why) in cases {
        let user = json!({"username": username, "password": password, "role": "leader"});
        let problem = app
            .post_refused(
                "/api/v1/users",
                &admin,
                user,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        assert_eq!(problem.code, "validation_failed", "{backend:?} {why}");
        assert!(
            problem.fields().contains(&field),
            "{backend:?} {why}: errors name {field}: {problem:?}"
        );
    }

    let user = json!({"username": "ivan", "password": PASSWORD, "role": "leader"});
    let (status, body) = app.post("/api/v1/users", &admin, user.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{backend:?}: {body}");
    let (status, body) = app.post("/api/v1/users", &admin, user).await;
    assert_eq!(status, StatusCode::CONFLICT, "{backend:?}: {body}");
    assert_eq!(body["code"], "conflict", "{backend:?}");
}

#[both_engines]
async fn only_admins_manage_users(backend: Backend) {
    let TwoProvinces { app, hebei, .. } = TwoProvinces::spawn(backend).await;
    for (username, role) in [
        ("sup", Role::Supervisor),
        ("lead", Role::Leader),
        ("dept", Role::Department),
        ("insp", Role::Inspector),
    ] {
        let token = app.token_for(username, role, Some(hebei)).await;

        let (create, body) = app
            .post(
                "/api/v1/users",
                &token,
                json!({"username": format!("{username}2"), "password": PASSWORD, "role": "leader", "department_id": hebei}),
            )
            .await;
        let (list, _) = app.get("/api/v1/users", &token).await;

        assert_eq!(create, StatusCode::FORBIDDEN, "{backend:?} {role}: {body}");
        assert_eq!(body["code"], "forbidden", "{backend:?} {role}");
        assert_eq!(list, StatusCode::FORBIDDEN, "{backend:?} {role}");
    }
}

#[both_engines]
async fn provincial_admin_cannot_see_users_of_another_province(backend: Backend) {
    let TwoProvinces {
        app,
        hebei,
        beijing,
        ..
    } = TwoProvinces::spawn(backend).await;
    let local = app
        .create_user("hebei.lead", Role::Leader, Some(hebei))
        .await;
    let other = app
        .create_user("beijing.lead", Role::Leader, Some(beijing))
        .await;
    let provincial = app.token_for("hebei.admin", Role::Admin, Some(hebei)).await;

    let (status, body) = app
        .get(&format!("/api/v1/users/{other}"), &provincial)
        .await;
    let (local_status, _) = app
        .get(&format!("/api/v1/users/{local}"), &provincial)
        .await;
    let list: Page = app.get_ok("/api/v1/users", &provincial).await;

    assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?}: {body}");
    assert_eq!(local_status, StatusCode::OK, "{backend:?}: own province");
    let names = list.column("username");
    assert!(names.contains(&"hebei.lead"), "{backend:?}: {names:?}");
    assert!(!names.contains(&"beijing.lead"), "{backend:?}: {names:?}");
    assert!(
        !names.contains(&"root"),
        "{backend:?}: national users are not in a province: {names:?}"
    );
    assert_eq!(list.total, names.len(), "{backend:?}");
}

/// Runs `spotcheck user add …` with the password on standard input.
async fn cli_user_add(app: &TestApp, args: &[&str], stdin: &str) -> std::process::Output {
    let mut command = cli(app);
    command.args(["user", "add"]).args(args);
    let stdin = stdin.to_owned();
    tokio::task::spawn_blocking(move || run_with_stdin(command, &stdin))
        .await
        .expect("cli ran")
}

#[both_engines]
async fn cli_adds_a_user_who_can_log_in_and_rejects_weak_passwords_and_unknown_roles(
    backend: Backend,
) {
    let TwoProvinces {
        app, admin, hebei, ..
    } = TwoProvinces::spawn(backend).await;
    let hebei = hebei.to_string();

    let added = cli_user_add(
        &app,
        &[
            "--username",
            "cli.sup",
            "--role",
            "supervisor",
            "--department-id",
            &hebei,
        ],
        &format!("{OTHER_PASSWORD}\n"),
    )
    .await;
    let weak = cli_user_add(
        &app,
        &["--username", "cli.weak", "--role", "supervisor"],
        "weakpassword\n",
    )
    .await;
    let wizard = cli_user_add(
        &app,
        &["--username", "cli.wiz", "--role", "wizard"],
        &format!("{OTHER_PASSWORD}\n"),
    )
    .await;

    assert!(
        added.status.success(),
        "{backend:?}: {}",
        String::from_utf8_lossy(&added.stderr)
    );
    let (status, body) = try_login(&app, "cli.sup", OTHER_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
    assert_eq!(body["role"], "supervisor", "{backend:?}");

    assert!(!weak.status.success(), "{backend:?}: weak password");
    let stderr = String::from_utf8_lossy(&weak.stderr);
    assert_eq!(stderr.lines().count(), 1, "{backend:?}: one line: {stderr}");
    assert!(stderr.starts_with("error:"), "{backend:?}: {stderr}");

    assert!(!wizard.status.success(), "{backend:?}: unknown role");

    let list: Page = app.get_ok("/api/v1/users?page_size=500", &admin).await;
    let names = list.column("username");
    assert!(names.contains(&"cli.sup"), "{backend:?}: {names:?}");
    assert!(!names.contains(&"cli.weak"), "{backend:?}: {names:?}");
    assert!(!names.contains(&"cli.wiz"), "{backend:?}: {names:?}");
}

#[both_engines(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_flood_is_shed_with_503_while_health_answers(backend: Backend) {
    let policy = short_policy(|p| {
        p.security.hash_concurrency = 1;
        p.security.hash_queue = 0;
    });
    let app = TestApp::spawn_with(backend, policy).await;
    app.create_user("flood", Role::Leader, None).await;
    let url = format!("{}/api/v1/auth/login", app.base);

    // Several waves, so that a machine fast enough to finish one hash
    // before the next request arrives still shows the shedding.
    let mut statuses = Vec::new();
    let mut busy_body = Value::Null;
    for _wave in 0..3 {
        let logins: Vec<_> = (0..20)
            .map(|_| {
                let request = app
                    .client
                    .post(&url)
                    .json(&json!({"username": "flood", "password": PASSWORD}));
                tokio::spawn(async move {
                    let response = request.send().await.expect("login sent");
                    let status = response.status();
                    let retry_after = response.headers().get("retry-after").cloned();
                    let mut body: Value = response.json().await.unwrap_or(Value::Null);
                    if let Some(value) = retry_after {
                        body["retry_after_header"] = json!(value.to_str().unwrap_or_default());
                    }
                    (status, body)
                })
            })
            .collect();
        let (health, _) = app.call(Method::GET, "/healthz", None, None).await;
        assert_eq!(health, StatusCode::OK, "{backend:?}: health during a flood");
        for login in logins {
            let (status, body) = login.await.expect("login task");
            if status == StatusCode::SERVICE_UNAVAILABLE {
                busy_body = body;
            }
            statuses.push(status);
        }
        if !busy_body.is_null() {
            break;
        }
    }

    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::SERVICE_UNAVAILABLE),
        "{backend:?}: {statuses:?}"
    );
    assert!(
        statuses.contains(&StatusCode::OK),
        "{backend:?}: someone got the hash slot: {statuses:?}"
    );
    assert!(
        statuses.contains(&StatusCode::SERVICE_UNAVAILABLE),
        "{backend:?}: the flood is shed: {statuses:?}"
    );
    assert_eq!(busy_body["code"], "busy", "{backend:?}: {busy_body}");
    assert_eq!(
        busy_body["retry_after_header"], "2",
        "{backend:?}: a shed login says when to come back: {busy_body}"
    );
}

#[both_engines]
async fn the_audit_log_holds_no_token_material(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let token = app.token_for("jack", Role::Leader, None).await;
    let (status, _) = app
        .call(Method::POST, "/api/v1/auth/logout", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{backend:?}");

    let entries = audit(&app, &admin, "").await;

    assert!(entries.len() >= 4, "{backend:?}: {entries:?}");
    let digest = spotcheck::service::accounts::token_digest(&token);
    let admin_digest = spotcheck::service::accounts::token_digest(&admin);
    for entry in &entries {
        let text = entry.to_string();
        for secret in [token.as_str(), &digest, &admin, &admin_digest, PASSWORD] {
            assert!(
                !text.contains(secret),
                "{backend:?}: entry {} holds token material",
                entry["id"]
            );
        }
    }
}

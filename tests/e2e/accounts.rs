//! Accounts people manage themselves: changing their own password, seeing and
//! ending their own sessions, a temporary password after an administrator's
//! reset, and `spotcheck demo --show-users`.

use entities::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use spotcheck_tests::{Backend, PASSWORD, TestApp, audit_rows, both_engines};

use crate::{cli, e2e::fixtures::problem_fields};

const NEW_PASSWORD: &str = "Battery-Staple-77";

/// `POST /api/v1/me/password`.
async fn change_password(
    app: &TestApp,
    token: &str,
    current: &str,
    new: &str,
) -> (StatusCode, Value) {
    app.post(
        "/api/v1/me/password",
        token,
        json!({"current_password": current, "new_password": new}),
    )
    .await
}

async fn me_status(app: &TestApp, token: &str) -> StatusCode {
    app.get("/api/v1/me", token).await.0
}

#[both_engines]
async fn a_user_changes_their_own_password_and_their_other_sessions_end(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("dora", Role::Leader, None).await;
    let here = app.login("dora", PASSWORD).await;
    let elsewhere = app.login("dora", PASSWORD).await;

    let (status, body) = change_password(&app, &here, PASSWORD, NEW_PASSWORD).await;

    assert_eq!(status, StatusCode::NO_CONTENT, "{backend:?}: {body}");
    assert_eq!(
        me_status(&app, &here).await,
        StatusCode::OK,
        "{backend:?}: this session lives on"
    );
    assert_eq!(
        me_status(&app, &elsewhere).await,
        StatusCode::UNAUTHORIZED,
        "{backend:?}: the other session ended"
    );
    assert_eq!(
        app.try_login("dora", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED,
        "{backend:?}: old password"
    );
    let (status, body) = app.try_login("dora", NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: new password: {body}");
    let audited = audit_rows(&app.db, "user.password_change").await;
    assert_eq!(audited.len(), 1, "{backend:?}: audited once");
    assert_eq!(audited[0].actor, "dora", "{backend:?}");
    assert!(
        !audited[0].detail.contains(NEW_PASSWORD),
        "{backend:?}: no password in the log"
    );
}

#[both_engines]
async fn a_wrong_current_password_a_weak_or_unchanged_new_one_are_refused_and_change_nothing(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let token = app.token_for("emil", Role::Leader, None).await;
    let cases = [
        (
            "Not-The-Password-1",
            NEW_PASSWORD,
            "current_password",
            "wrong current password",
        ),
        (
            PASSWORD,
            "weakpassword",
            "new_password",
            "a weak new password",
        ),
        (PASSWORD, PASSWORD, "new_password", "the same password"),
    ];

    for (current, new, field, why) in cases {
        let (status, body) = change_password(&app, &token, current, new).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend:?} {why}: {body}"
        );
        assert_eq!(problem_fields(&body), [field], "{backend:?} {why}: {body}");
    }

    assert_eq!(
        me_status(&app, &token).await,
        StatusCode::OK,
        "{backend:?}: still logged in"
    );
    let (status, body) = app.try_login("emil", PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{backend:?}: the password stayed: {body}"
    );
    let failures: Vec<_> = audit_rows(&app.db, "auth.login")
        .await
        .into_iter()
        .filter(|r| r.result == "failed")
        .collect();
    assert_eq!(
        failures.len(),
        1,
        "{backend:?}: the wrong current password counts as a failed login"
    );
}

#[both_engines]
async fn guessing_the_current_password_with_a_stolen_session_is_locked_out(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.token_for("fred", Role::Leader, None).await;

    let mut statuses = Vec::new();
    for n in 0..6 {
        let (status, _) =
            change_password(&app, &token, &format!("Guess-Number-{n}"), NEW_PASSWORD).await;
        statuses.push(status);
    }
    let response = app
        .authed(Method::POST, "/api/v1/me/password", &token)
        .json(&json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}))
        .send()
        .await
        .expect("sent");

    let expected = [
        vec![StatusCode::UNPROCESSABLE_ENTITY; 5],
        vec![StatusCode::TOO_MANY_REQUESTS],
    ]
    .concat();
    assert_eq!(statuses, expected, "{backend:?}");
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "{backend:?}: locked, right password or not"
    );
    assert!(
        response.headers().contains_key("retry-after"),
        "{backend:?}"
    );
}

#[both_engines]
async fn users_see_and_end_their_own_sessions_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("gail", Role::Leader, None).await;
    let first = app.login("gail", PASSWORD).await;
    let second = app.login("gail", PASSWORD).await;
    let stranger = app.token_for("hugo", Role::Leader, None).await;

    let (status, list) = app.get("/api/v1/me/sessions", &second).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {list}");
    let items = list["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2, "{backend:?}: {list}");
    assert_eq!(
        items[0]["current"], true,
        "{backend:?}: newest first, the caller's: {list}"
    );
    assert_eq!(items[1]["current"], false, "{backend:?}");
    assert_eq!(items[0]["source_addr"], "127.0.0.1", "{backend:?}");
    assert!(
        items[0]["created_at"]
            .as_str()
            .is_some_and(|t| t.ends_with("+08:00")),
        "{backend:?}: China time: {list}"
    );
    let first_id = items[1]["id"].as_i64().expect("id");

    let (status, body) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/me/sessions/{first_id}"),
            Some(&stranger),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "{backend:?}: someone else's session: {body}"
    );
    assert_eq!(
        me_status(&app, &first).await,
        StatusCode::OK,
        "{backend:?}: untouched"
    );

    let (status, body) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/me/sessions/{first_id}"),
            Some(&second),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{backend:?}: {body}");
    assert_eq!(
        me_status(&app, &first).await,
        StatusCode::UNAUTHORIZED,
        "{backend:?}: ended"
    );
    assert_eq!(
        me_status(&app, &second).await,
        StatusCode::OK,
        "{backend:?}"
    );
    assert_eq!(
        audit_rows(&app.db, "auth.session_end").await.len(),
        1,
        "{backend:?}"
    );
}

#[both_engines]
async fn an_administrators_reset_is_a_temporary_password_to_change_before_anything_else(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let id = app.create_user("ivy", Role::Leader, None).await;

    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{id}"),
            Some(&admin),
            Some(json!({"password": "Temporary-Pass-1"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
    assert_eq!(body["must_change_password"], true, "{backend:?}: {body}");

    let (status, login) = app.try_login("ivy", "Temporary-Pass-1").await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {login}");
    assert_eq!(
        login["password_change_required"], true,
        "{backend:?}: {login}"
    );
    let token = login["token"].as_str().expect("token").to_owned();
    let (status, body) = app.get("/api/v1/enterprises", &token).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}: {body}");
    assert_eq!(
        body["code"], "password_change_required",
        "{backend:?}: {body}"
    );
    let (status, me) = app.get("/api/v1/me", &token).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {me}");
    assert_eq!(me["password_change_required"], true, "{backend:?}");

    let (status, body) = change_password(&app, &token, "Temporary-Pass-1", NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{backend:?}: {body}");
    let (status, body) = app.get("/api/v1/enterprises", &token).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{backend:?}: free once changed: {body}"
    );
    let (_, login) = app.try_login("ivy", NEW_PASSWORD).await;
    assert_eq!(
        login["password_change_required"], false,
        "{backend:?}: {login}"
    );
    let (_, user) = app.get(&format!("/api/v1/users/{id}"), &admin).await;
    assert_eq!(user["must_change_password"], false, "{backend:?}: {user}");
}

#[both_engines]
async fn an_administrator_changes_their_own_password_with_the_current_one_not_by_reset(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let (_, me) = app.get("/api/v1/me", &admin).await;
    let id = me["id"].as_i64().expect("id");

    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{id}"),
            Some(&admin),
            Some(json!({"password": NEW_PASSWORD})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {body}"
    );
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("/api/v1/me/password")),
        "{backend:?}: points to the own-password path: {body}"
    );

    let (status, body) = change_password(&app, &admin, PASSWORD, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{backend:?}: {body}");
    let (status, user) = app.get(&format!("/api/v1/users/{id}"), &admin).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {user}");
    assert_eq!(user["must_change_password"], false, "{backend:?}: {user}");
}

/// Runs the CLI with arguments; its output.
async fn run(app: &TestApp, args: &[&str]) -> std::process::Output {
    let mut command = cli(app);
    command.args(args);
    tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("cli ran")
        .expect("cli output")
}

/// `username role password` lines of a demo's output.
fn printed_users(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .filter_map(|line| {
            let parts: Vec<&str> = line.split_whitespace().collect();
            match parts.as_slice() {
                [name, role, password]
                    if Role::from_name(role).is_some() && line.starts_with("  ") =>
                {
                    Some(((*name).to_owned(), (*password).to_owned()))
                }
                _ => None,
            }
        })
        .collect()
}

#[both_engines]
async fn demo_show_users_prints_new_passwords_for_the_demo_users(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let first = run(&app, &["demo", "--enterprises", "20"]).await;
    assert!(first.status.success(), "{backend:?}: {first:?}");
    let original = printed_users(&String::from_utf8_lossy(&first.stdout));
    assert_eq!(original.len(), 5, "{backend:?}: one per role");

    let again = run(&app, &["demo", "--enterprises", "20", "--show-users"]).await;

    assert!(again.status.success(), "{backend:?}: {again:?}");
    let stdout = String::from_utf8_lossy(&again.stdout);
    let shown = printed_users(&stdout);
    assert_eq!(
        shown.len(),
        5,
        "{backend:?}: every demo user again: {stdout}"
    );
    for ((name, old), (shown_name, new)) in original.iter().zip(&shown) {
        assert_eq!(name, shown_name, "{backend:?}");
        assert_ne!(old, new, "{backend:?}: {name} has a new password");
        assert_eq!(
            app.try_login(name, old).await.0,
            StatusCode::UNAUTHORIZED,
            "{backend:?}: {name}'s old password"
        );
        let (status, body) = app.try_login(name, new).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: {name}: {body}");
    }
    let resets = audit_rows(&app.db, "user.password_reset").await;
    assert_eq!(resets.len(), 5, "{backend:?}: each reset audited");
    assert!(resets.iter().all(|r| r.actor == "system"), "{backend:?}");
}

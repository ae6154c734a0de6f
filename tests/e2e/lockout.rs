//! A lockout that cannot be turned against users: failures counted per
//! account and client address, the whole account locked only at a higher
//! threshold (and audited), unknown names counted and answered like real ones,
//! `Retry-After` on every 429 and 503, and passwords compared in NFKC.
//!
//! Clients come from several loopback addresses (127.0.0.2, 127.0.0.3…), which
//! the server sees as different client addresses.

use std::net::{IpAddr, Ipv4Addr};

use entities::Role;
use reqwest::{Client, StatusCode};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set};
use serde_json::{Value, json};
use spotcheck::config::Policy;
use spotcheck_tests::{Backend, PASSWORD, TestApp, both_engines};

/// An answer to a login: status, `Retry-After` seconds if any, body.
struct Answer {
    status: StatusCode,
    retry_after: Option<u64>,
    body: Value,
}

/// Logs in from `127.0.0.{host}`.
async fn login_from(app: &TestApp, host: u8, username: &str, password: &str) -> Answer {
    let client = Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, host)))
        .build()
        .expect("client");
    let response = client
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("login sent");
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let body = response.json().await.unwrap_or(Value::Null);
    Answer {
        status,
        retry_after,
        body,
    }
}

/// The audit entries whose action starts with `action`, newest first.
async fn audit(app: &TestApp, admin: &str, action: &str) -> Vec<Value> {
    let (status, body) = app
        .get(
            &format!("/api/v1/audit?page_size=500&action={action}"),
            admin,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "audit: {body}");
    body["items"].as_array().cloned().unwrap_or_default()
}

fn policy(per_address: u32, account: u32) -> Policy {
    let mut policy = Policy::default();
    policy.security.lockout_threshold = per_address;
    policy.security.account_lockout_threshold = account;
    policy
}

#[both_engines]
async fn failures_from_one_address_do_not_lock_the_owner_out_from_another(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("owner", Role::Leader, None).await;

    for attempt in 1..=5 {
        let answer = login_from(&app, 2, "owner", "Wrong-Password-9").await;
        assert_eq!(
            answer.status,
            StatusCode::UNAUTHORIZED,
            "{backend:?}: attempt {attempt}"
        );
    }
    let attacker = login_from(&app, 2, "owner", PASSWORD).await;
    let owner = login_from(&app, 1, "owner", PASSWORD).await;

    assert_eq!(
        attacker.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{backend:?}: the guessing address is locked, even with the right password: {}",
        attacker.body
    );
    let wait = attacker.retry_after.expect("Retry-After on a 429");
    assert!(
        (1..=900).contains(&wait),
        "{backend:?}: Retry-After {wait} within the 15-minute lock"
    );
    assert_eq!(attacker.body["code"], "too_many_requests", "{backend:?}");
    assert_eq!(
        owner.status,
        StatusCode::OK,
        "{backend:?}: the owner logs in from another address: {}",
        owner.body
    );
}

#[both_engines]
async fn unknown_usernames_are_counted_locked_and_answered_like_real_ones(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("alice", Role::Leader, None).await;

    let mut seen = Vec::new();
    for name in ["alice", "no-such-user"] {
        let mut statuses = Vec::new();
        let mut last = None;
        for _ in 0..6 {
            let answer = login_from(&app, 3, name, "Wrong-Password-9").await;
            statuses.push(answer.status);
            last = Some(answer);
        }
        let last = last.expect("six answers");
        seen.push((
            statuses,
            last.body["code"].clone(),
            last.retry_after.is_some(),
        ));
    }

    let expected = [
        vec![StatusCode::UNAUTHORIZED; 5],
        vec![StatusCode::TOO_MANY_REQUESTS],
    ]
    .concat();
    assert_eq!(seen[0].0, expected, "{backend:?}: a real name");
    assert_eq!(
        seen[0], seen[1],
        "{backend:?}: an unknown name is answered the same, 429 and Retry-After included"
    );
}

#[both_engines]
async fn guesses_from_many_addresses_lock_the_account_at_the_higher_threshold_audited(
    backend: Backend,
) {
    let app = TestApp::spawn_with(backend, policy(3, 6)).await;
    let admin = app.admin().await;
    app.create_user("target", Role::Leader, None).await;

    // Two guesses from each of three addresses: no address reaches 3.
    let mut statuses = Vec::new();
    for host in [2, 3, 4] {
        for _ in 0..2 {
            statuses.push(
                login_from(&app, host, "target", "Wrong-Password-9")
                    .await
                    .status,
            );
        }
    }
    let owner = login_from(&app, 1, "target", PASSWORD).await;

    assert_eq!(
        statuses,
        vec![StatusCode::UNAUTHORIZED; 6],
        "{backend:?}: every guess is a plain 401"
    );
    assert_eq!(
        owner.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{backend:?}: six failures lock the account everywhere: {}",
        owner.body
    );
    assert!(owner.retry_after.is_some(), "{backend:?}: Retry-After");
    let locks = audit(&app, &admin, "auth.lockout.account").await;
    assert_eq!(locks.len(), 1, "{backend:?}: one account lock: {locks:?}");
    assert_eq!(locks[0]["actor"], "target", "{backend:?}");
    let (status, users) = app.get("/api/v1/users?page_size=500", &admin).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}");
    let target = users["items"]
        .as_array()
        .and_then(|items| items.iter().find(|u| u["username"] == "target"))
        .cloned()
        .unwrap_or_default();
    assert!(
        target["locked_until"]
            .as_str()
            .is_some_and(|t| t.ends_with("+08:00")),
        "{backend:?}: the administrators see the lock: {target}"
    );
    let address_locks: Vec<Value> = audit(&app, &admin, "auth.lockout")
        .await
        .into_iter()
        .filter(|e| e["action"] == "auth.lockout")
        .collect();
    assert!(
        address_locks.is_empty(),
        "{backend:?}: no address reached its own threshold: {address_locks:?}"
    );
}

#[both_engines]
async fn an_administrators_new_password_unlocks_a_locked_account(backend: Backend) {
    let app = TestApp::spawn_with(backend, policy(2, 2)).await;
    let admin = app.admin().await;
    let id = app.create_user("locked", Role::Leader, None).await;
    for _ in 0..2 {
        login_from(&app, 2, "locked", "Wrong-Password-9").await;
    }
    assert_eq!(
        login_from(&app, 1, "locked", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{backend:?}: locked"
    );

    let (status, body) = app
        .call(
            reqwest::Method::PATCH,
            &format!("/api/v1/users/{id}"),
            Some(&admin),
            Some(json!({"password": "Battery-Staple-77"})),
        )
        .await;

    assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
    assert!(body["locked_until"].is_null(), "{backend:?}: {body}");
    let answer = login_from(&app, 1, "locked", "Battery-Staple-77").await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "{backend:?}: {}",
        answer.body
    );
}

#[both_engines]
async fn passwords_are_compared_in_nfkc_and_hashes_made_before_still_log_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    // Full-width letters and digits, as some Chinese input methods type them.
    let typed = "Ｃｏｒｒｅｃｔ-Horse-４２";
    let (status, body) = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "fullwidth", "password": typed, "role": "leader"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{backend:?}: {body}");

    let ascii = login_from(&app, 1, "fullwidth", "Correct-Horse-42").await;
    let as_typed = login_from(&app, 1, "fullwidth", typed).await;
    assert_eq!(
        ascii.status,
        StatusCode::OK,
        "{backend:?}: the half-width spelling is the same password: {}",
        ascii.body
    );
    assert_eq!(as_typed.status, StatusCode::OK, "{backend:?}");

    // A hash made from the password as typed, as before normalization.
    let now = chrono::Utc::now();
    entities::user::ActiveModel {
        username: Set("legacy".to_owned()),
        password_hash: Set(spotcheck::service::accounts::hash_now(typed).expect("hash")),
        role: Set(Role::Leader),
        department_id: Set(None),
        active: Set(true),
        must_change_password: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("legacy user");
    let legacy = login_from(&app, 1, "legacy", typed).await;
    let after = login_from(&app, 1, "legacy", "Correct-Horse-42").await;
    assert_eq!(
        legacy.status,
        StatusCode::OK,
        "{backend:?}: an old hash still logs in: {}",
        legacy.body
    );
    assert_eq!(
        after.status,
        StatusCode::OK,
        "{backend:?}: and was hashed again in NFKC: {}",
        after.body
    );
}

//! The audit chain against someone who can write the database: rows signed
//! with a key kept outside it, checkpoints of its head written outside it (a
//! file, the log, a URL), key rotation, and `audit verify` naming what it
//! could not check.

use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use sea_orm::{
    ColumnTrait as _, ConnectionTrait as _, DatabaseConnection, EntityTrait as _, QueryFilter as _,
    QueryOrder as _, sea_query::Expr,
};
use serde_json::{Value, json};
use spotcheck::config::Policy;
use spotcheck_tests::{Backend, ServeOptions, ServerProcess, TestApp, both_engines};

use crate::cli;

/// A key file and a checkpoint file in a directory of their own, and the
/// configuration naming them.
struct Outside {
    dir: tempfile::TempDir,
    key_file: PathBuf,
    checkpoint_file: PathBuf,
}

impl Outside {
    /// A directory with a fresh key made by `spotcheck audit new-key`.
    async fn with_key() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let key_file = dir.path().join("audit.key");
        let checkpoint_file = dir.path().join("checkpoints.jsonl");
        let outside = Self {
            dir,
            key_file,
            checkpoint_file,
        };
        let mut command = std::process::Command::new(spotcheck_tests::binary());
        command
            .args(["audit", "new-key", "--key-file"])
            .arg(&outside.key_file);
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .expect("cli ran")
            .expect("cli output");
        assert!(output.status.success(), "new-key: {output:?}");
        outside
    }

    /// The policy naming the key file (if `keyed`) and the checkpoint file.
    fn policy(&self, keyed: bool) -> Policy {
        let mut policy = Policy::default();
        if keyed {
            policy.audit.key_file = Some(self.key_file.clone());
        }
        policy.audit.checkpoint_file = Some(self.checkpoint_file.clone());
        policy
    }

    /// A config file holding `policy`, for the CLI.
    fn config(&self, name: &str, policy: &Policy) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, policy.to_toml().expect("toml")).expect("config written");
        path
    }
}

/// Runs `spotcheck [--config FILE] ARGS…` against the app's database.
async fn run(app: &TestApp, config: Option<&Path>, args: &[&str]) -> std::process::Output {
    let mut command = cli(app);
    command.env("RUST_LOG", "info");
    if let Some(config) = config {
        command.arg("--config").arg(config);
    }
    command.args(args);
    tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("cli ran")
        .expect("cli output")
}

async fn verify(app: &TestApp, admin: &str) -> Value {
    let (status, body) = app.get("/api/v1/audit/verify", admin).await;
    assert_eq!(status, StatusCode::OK, "verify: {body}");
    body
}

/// What someone who can write the database but holds no key does to hide an
/// edit: changes row `from`, then re-hashes it and every later row with plain
/// SHA-256, re-linking the chain; `unsign` also clears the rows' key ids.
async fn edit_and_rehash(db: &DatabaseConnection, from: i64, unsign: bool) {
    use entities::audit_log::{Column, Entity};
    let rows = Entity::find()
        .filter(Column::Id.gte(from - 1))
        .order_by_asc(Column::Id)
        .all(db)
        .await
        .expect("rows");
    let mut prev = rows[0].hash.clone();
    for mut row in rows.into_iter().skip(1) {
        if row.id == from {
            row.detail = r#"{"forged":true}"#.to_owned();
        }
        if unsign {
            row.key_id = None;
        }
        row.prev_hash = prev;
        row.hash = spotcheck::service::audit::row_hash(&row, None);
        Entity::update_many()
            .col_expr(Column::Detail, Expr::value(row.detail.clone()))
            .col_expr(Column::KeyId, Expr::value(row.key_id.clone()))
            .col_expr(Column::PrevHash, Expr::value(row.prev_hash.clone()))
            .col_expr(Column::Hash, Expr::value(row.hash.clone()))
            .filter(Column::Id.eq(row.id))
            .exec(db)
            .await
            .expect("rewritten");
        prev = row.hash;
    }
}

/// The row the tampering starts at: the log then has rows on both sides.
const K: i64 = 4;

#[both_engines]
async fn rows_re_hashed_without_the_key_are_caught_and_without_a_key_are_not(backend: Backend) {
    for (keyed, unsign) in [(false, false), (true, false), (true, true)] {
        let outside = Outside::with_key().await;
        let policy = outside.policy(keyed);
        let app = TestApp::spawn_with(backend, policy.clone()).await;
        let admin = app.admin().await;
        app.seed_two_provinces(&admin).await;
        let case = format!("{backend:?} keyed {keyed} unsign {unsign}");
        assert_eq!(
            verify(&app, &admin).await["ok"],
            true,
            "{case}: intact first"
        );

        edit_and_rehash(&app.db, K, unsign).await;
        let body = verify(&app, &admin).await;
        let config = outside.config("spotcheck.toml", &policy);
        let output = run(&app, Some(&config), &["audit", "verify"]).await;

        if !keyed {
            // The threat the key answers: a plain chain re-hashed passes.
            assert_eq!(body["ok"], true, "{case}: {body}");
            assert!(output.status.success(), "{case}: {output:?}");
            continue;
        }
        assert_eq!(body["ok"], false, "{case}: {body}");
        assert_eq!(body["first_bad_id"], K, "{case}: {body}");
        assert_eq!(output.status.code(), Some(2), "{case}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(&format!("row {K}:")), "{case}: {stderr}");
    }
}

#[both_engines]
async fn removing_the_tail_and_the_database_checkpoints_is_caught_by_the_checkpoint_file(
    backend: Backend,
) {
    let outside = Outside::with_key().await;
    let policy = outside.policy(false);
    let app = TestApp::spawn_with(backend, policy.clone()).await;
    let admin = app.admin().await;
    app.seed_two_provinces(&admin).await;
    let config = outside.config("spotcheck.toml", &policy);

    let output = run(&app, Some(&config), &["audit", "checkpoint"]).await;
    assert!(output.status.success(), "{backend:?}: {output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("audit chain head"),
        "{backend:?}: the head is in the log: {stderr}"
    );
    let lines = std::fs::read_to_string(&outside.checkpoint_file).expect("checkpoint file");
    let recorded: Value =
        serde_json::from_str(lines.lines().next().expect("a line")).expect("json");
    let head = recorded["seq"].as_i64().expect("seq");
    assert_eq!(recorded["kind"], "checkpoint", "{backend:?}: {recorded}");
    assert!(head >= 10, "{backend:?}: {recorded}");

    // The informed attacker removes the last rows and every checkpoint in
    // the database too.
    app.db
        .execute_unprepared(&format!("DELETE FROM audit_log WHERE id > {}", head - 3))
        .await
        .expect("tail removed");
    app.db
        .execute_unprepared("DELETE FROM job_run WHERE job_name = 'audit.checkpoint'")
        .await
        .expect("checkpoints removed");
    let body = verify(&app, &admin).await;

    assert_eq!(body["ok"], false, "{backend:?}: {body}");
    assert_eq!(body["first_bad_id"], head - 2, "{backend:?}: {body}");
    assert_eq!(body["outside_checkpoints"], 1, "{backend:?}: {body}");
    let output = run(&app, Some(&config), &["audit", "verify"]).await;
    assert_eq!(output.status.code(), Some(2), "{backend:?}: {output:?}");
}

#[both_engines]
async fn verify_names_what_it_cannot_check(backend: Backend) {
    let plain = TestApp::spawn(backend).await;
    let admin = plain.admin().await;
    let response = plain
        .authed(reqwest::Method::GET, "/api/v1/audit/verify", &admin)
        .header("Accept-Language", "en")
        .send()
        .await
        .expect("sent");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["ok"], true, "{backend:?}: {body}");
    let notes = body["not_checked"].to_string();
    assert!(
        notes.contains("audit.key_file") && notes.contains("audit.checkpoint_file"),
        "{backend:?}: no key and no checkpoint file are named: {body}"
    );

    let outside = Outside::with_key().await;
    let keyed = TestApp::spawn_with(backend, outside.policy(true)).await;
    let admin = keyed.admin().await;
    keyed.seed_two_provinces(&admin).await;
    let (status, body) = keyed.get("/api/v1/audit/verify", &admin).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}");
    assert_eq!(
        body["keyed_from"], 2,
        "{backend:?}: the first row came before the key: {body}"
    );

    let without_key = run(&keyed, None, &["audit", "verify"]).await;
    assert!(without_key.status.success(), "{backend:?}: {without_key:?}");
    let stdout = String::from_utf8_lossy(&without_key.stdout);
    assert!(
        stdout.contains("not checked") && stdout.contains("'k1'"),
        "{backend:?}: rows signed with a key it does not hold are named: {stdout}"
    );
    std::fs::remove_file(&outside.key_file).expect("key removed");
    let config = outside.config("spotcheck.toml", &outside.policy(true));
    let key_gone = run(&keyed, Some(&config), &["audit", "verify"]).await;
    let stdout = String::from_utf8_lossy(&key_gone.stdout);
    assert!(
        stdout.contains("cannot be read"),
        "{backend:?}: a missing key file is named: {stdout}"
    );
}

/// POST JSON with a token to another server on the same database.
async fn post_to(
    server: &ServerProcess,
    path: &str,
    token: &str,
    body: Value,
) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(format!("http://{}{path}", server.addr))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("sent");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn login_to(server: &ServerProcess, username: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("http://{}/api/v1/auth/login", server.addr))
        .json(&json!({"username": username, "password": spotcheck_tests::PASSWORD}))
        .send()
        .await
        .expect("sent");
    let body: Value = response.json().await.expect("json");
    body["token"].as_str().expect("token").to_owned()
}

/// Starts another `serve` on the app's database with `policy`.
async fn restart(app: &TestApp, policy: &Policy) -> ServerProcess {
    let options = ServeOptions {
        policy: policy.clone(),
        ..ServeOptions::default()
    };
    ServerProcess::start(&app.test_db.url, &options).await
}

#[both_engines]
async fn a_chain_kept_before_any_key_and_under_rotated_keys_verifies_throughout(backend: Backend) {
    // Rows written before any key is configured.
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    app.seed_two_provinces(&admin).await;
    let (_, before) = app.get("/api/v1/audit?page_size=1", &admin).await;
    let plain_rows = before["total"].as_i64().expect("total");

    // Then signed with k1, and after a rotation with k2.
    let outside = Outside::with_key().await;
    let policy = outside.policy(true);
    let mut phases = Vec::new();
    for (n, region) in [(1, "130200"), (2, "130300")] {
        if n == 2 {
            let config = outside.config("rotate.toml", &policy);
            let output = run(&app, Some(&config), &["audit", "new-key"]).await;
            assert!(output.status.success(), "{backend:?}: {output:?}");
        }
        let server = restart(&app, &policy).await;
        let token = login_to(&server, "root").await;
        let (status, body) = post_to(
            &server,
            "/api/v1/regions",
            &token,
            json!({"code": region, "name": region, "parent_code": "130000"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{backend:?}: {body}");
        phases.push(server);
    }
    drop(phases);

    let config = outside.config("spotcheck.toml", &policy);
    let output = run(&app, Some(&config), &["audit", "verify"]).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{backend:?}: {output:?}");
    assert!(
        stdout.contains(&format!(
            "signed with audit keys from row {} on",
            plain_rows + 1
        )),
        "{backend:?}: {stdout}"
    );
    let key_ids: Vec<Option<String>> = entities::audit_log::Entity::find()
        .order_by_asc(entities::audit_log::Column::Id)
        .all(&app.db)
        .await
        .expect("rows")
        .into_iter()
        .map(|r| r.key_id)
        .collect();
    let mut distinct: Vec<Option<String>> = key_ids.clone();
    distinct.dedup();
    assert_eq!(
        distinct,
        [None, Some("k1".to_owned()), Some("k2".to_owned())],
        "{backend:?}: plain rows, then k1's, then k2's"
    );
}

/// Accepts one HTTP request on a port of its own and returns its body.
async fn one_post() -> (String, tokio::task::JoinHandle<String>) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listener");
    let url = format!(
        "http://{}/checkpoints",
        listener.local_addr().expect("addr")
    );
    let handle = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("accepted");
        let mut received = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            let n = stream.read(&mut buffer).await.expect("read");
            received.extend_from_slice(&buffer[..n]);
            let text = String::from_utf8_lossy(&received).into_owned();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                if body.len() >= length {
                    let _ = stream
                        .write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
                        .await;
                    return body.to_owned();
                }
            }
            if n == 0 {
                return String::new();
            }
        }
    });
    (url, handle)
}

#[both_engines]
async fn a_checkpoint_is_posted_to_the_checkpoint_url(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    app.seed_two_provinces(&admin).await;
    let (url, received) = one_post().await;
    let dir = tempfile::tempdir().expect("dir");
    let mut policy = Policy::default();
    policy.audit.checkpoint_url = Some(url);
    let config = dir.path().join("spotcheck.toml");
    std::fs::write(&config, policy.to_toml().expect("toml")).expect("config");

    let output = run(&app, Some(&config), &["audit", "checkpoint"]).await;

    assert!(output.status.success(), "{backend:?}: {output:?}");
    let body: Value = serde_json::from_str(&received.await.expect("listener")).expect("json");
    let (_, head) = app.get("/api/v1/audit?page_size=1", &admin).await;
    assert_eq!(body["kind"], "checkpoint", "{backend:?}: {body}");
    assert_eq!(body["seq"], head["total"], "{backend:?}: {body}");
    assert_eq!(
        body["hash"], head["items"][0]["hash"],
        "{backend:?}: {body}"
    );
}

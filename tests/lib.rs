//! Test harness: the real server on a random port, against a fresh database
//! with the real migrations, on SQLite and (when `SPOTCHECK_TEST_POSTGRES_URL`
//! is set) on PostgreSQL.

#![expect(
    clippy::expect_used,
    reason = "test harness: a failure is a test failure"
)]

use std::{
    net::SocketAddr,
    process::{Command, Output, Stdio},
    sync::atomic::{AtomicU32, Ordering},
};

use entities::Role;
use reqwest::{Client, Method, RequestBuilder, StatusCode};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use spotcheck::{
    config::Policy,
    server,
    service::{self, Actor, users::NewUser},
    state::AppState,
};
use tokio::sync::oneshot;

/// A database engine the tests run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A fresh SQLite file.
    Sqlite,
    /// A fresh database on the PostgreSQL server of `SPOTCHECK_TEST_POSTGRES_URL`.
    Postgres,
}

/// The engines to run on: SQLite always, PostgreSQL when configured.
#[must_use]
pub fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite];
    if std::env::var("SPOTCHECK_TEST_POSTGRES_URL").is_ok_and(|url| !url.is_empty()) {
        all.push(Backend::Postgres);
    }
    all
}

/// The password every test user gets.
pub const PASSWORD: &str = "Correct-Horse-42";

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh, empty database that is removed when dropped.
pub struct TestDb {
    /// Its URL.
    pub url: String,
    /// Which engine.
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    pg_drop: Option<(String, String)>,
}

impl TestDb {
    /// Creates an empty database.
    pub async fn create(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("spotcheck.db");
                Self {
                    url: format!("sqlite://{}?mode=rwc", path.display()),
                    backend,
                    _dir: Some(dir),
                    pg_drop: None,
                }
            }
            Backend::Postgres => {
                let server = std::env::var("SPOTCHECK_TEST_POSTGRES_URL").expect("postgres url");
                let name = format!(
                    "spotcheck_t_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::Relaxed),
                    chrono::Utc::now().timestamp_micros() % 1_000_000_000
                );
                let admin = Database::connect(&server)
                    .await
                    .expect("connect to postgres");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                Self {
                    url: replace_db_name(&server, &name),
                    backend,
                    _dir: None,
                    pg_drop: Some((server, name)),
                }
            }
        }
    }
}

/// The URL with its database name replaced.
fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((server, name)) = self.pg_drop.take() {
            // Drop runs outside any runtime we may block; use a thread of its own.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                runtime.block_on(async {
                    if let Ok(admin) = Database::connect(&server).await {
                        let _ = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await;
                        admin.close().await.ok();
                    }
                });
                Ok::<(), std::io::Error>(())
            })
            .join();
        }
    }
}

/// A running server with its own database.
pub struct TestApp {
    /// Where it listens.
    pub addr: SocketAddr,
    /// `http://addr`.
    pub base: String,
    /// An HTTP client.
    pub client: Client,
    /// A direct connection to its database, for arranging and inspecting.
    pub db: DatabaseConnection,
    /// The server's state (same pool as the server).
    pub state: AppState,
    /// The database, removed on drop.
    pub test_db: TestDb,
    shutdown: Option<oneshot::Sender<()>>,
}

impl TestApp {
    /// Starts the server with the default policy.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, Policy::default()).await
    }

    /// Starts the server with a policy.
    pub async fn spawn_with(backend: Backend, policy: Policy) -> Self {
        let test_db = TestDb::create(backend).await;
        let db = spotcheck::db::connect(&test_db.url)
            .await
            .expect("migrate test database");
        let state = AppState::new(db.clone(), policy).expect("state");
        let bound = server::bind("127.0.0.1:0").await.expect("bind");
        let addr = bound.addr;
        let (tx, rx) = oneshot::channel::<()>();
        let serve_state = state.clone();
        tokio::spawn(async move {
            let _ = server::serve(bound, serve_state, async {
                let _ = rx.await;
            })
            .await;
        });
        Self {
            addr,
            base: format!("http://{addr}"),
            client: Client::new(),
            db,
            state,
            test_db,
            shutdown: Some(tx),
        }
    }

    /// Which engine this app runs on.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.test_db.backend
    }

    /// A request to a path under the server.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
    }

    /// A request with a bearer token.
    pub fn authed(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.request(method, path).bearer_auth(token)
    }

    /// Sends a JSON request and returns the status and JSON body (`Null` if none).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.request(method, path);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let text = response.text().await.expect("body read");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    /// GET with a token.
    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    /// POST JSON with a token.
    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// Creates a user directly (as the system) with [`PASSWORD`].
    pub async fn create_user(&self, username: &str, role: Role, department_id: Option<i64>) -> i64 {
        let input = NewUser {
            username: username.to_owned(),
            password: PASSWORD.to_owned(),
            role,
            department_id,
        };
        service::users::create(
            &self.state.db,
            &self.state.hasher,
            &self.state.policy.security,
            &Actor::system(),
            input,
        )
        .await
        .expect("create user")
        .id
    }

    /// Logs in and returns the token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login of {username} failed: {body}");
        body["token"].as_str().expect("token").to_owned()
    }

    /// Creates a user with a role and department and logs in as them.
    pub async fn token_for(
        &self,
        username: &str,
        role: Role,
        department_id: Option<i64>,
    ) -> String {
        self.create_user(username, role, department_id).await;
        self.login(username, PASSWORD).await
    }

    /// A national administrator's token.
    pub async fn admin(&self) -> String {
        self.token_for("root", Role::Admin, None).await
    }

    /// Two provinces with a city and county each, and an emergency-management
    /// department at each province; returns the departments' ids (河北, 北京).
    pub async fn seed_two_provinces(&self, admin: &str) -> (i64, i64) {
        for (code, name, parent) in [
            ("110000", "北京市", None),
            ("110100", "市辖区", Some("110000")),
            ("110101", "东城区", Some("110100")),
            ("130000", "河北省", None),
            ("130100", "石家庄市", Some("130000")),
            ("130102", "长安区", Some("130100")),
        ] {
            let (status, body) = self
                .post(
                    "/api/v1/regions",
                    admin,
                    json!({"code": code, "name": name, "parent_code": parent}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "region {code}: {body}");
        }
        let mut ids = Vec::new();
        for (code, name, region) in [
            ("EM-130000", "河北省应急管理厅", "130000"),
            ("EM-110000", "北京市应急管理局", "110000"),
        ] {
            let (status, body) = self
                .post(
                    "/api/v1/departments",
                    admin,
                    json!({"code": code, "name": name, "kind": "emergency_management", "region_code": region}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "department {code}: {body}");
            ids.push(body["id"].as_i64().expect("id"));
        }
        (ids[0], ids[1])
    }

    /// The `spotcheck` command line at `program`, against this app's database.
    #[must_use]
    pub fn cli_at(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .env("SPOTCHECK_DATABASE_URL", &self.test_db.url)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null());
        command
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Runs a command, feeding `stdin`, and returns its output.
pub fn run_with_stdin(mut command: Command, stdin: &str) -> Output {
    use std::io::Write as _;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn cli");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("cli output")
}

/// The audit rows with an action, oldest first.
pub async fn audit_rows(db: &DatabaseConnection, action: &str) -> Vec<entities::audit_log::Model> {
    use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _};
    entities::audit_log::Entity::find()
        .filter(entities::audit_log::Column::Action.eq(action))
        .order_by_asc(entities::audit_log::Column::Id)
        .all(db)
        .await
        .expect("audit rows")
}

#[cfg(test)]
mod tests {
    use super::replace_db_name;

    #[test]
    fn database_names_are_replaced_in_urls() {
        assert_eq!(
            replace_db_name("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            replace_db_name("postgres://postgres@h/db?sslmode=disable", "y"),
            "postgres://postgres@h/y?sslmode=disable"
        );
        assert_eq!(
            replace_db_name("postgres://postgres@h", "z"),
            "postgres://postgres@h/z"
        );
    }
}

//! Test harness: the real `spotcheck serve` process on a random port, against a
//! fresh database with the real migrations, on SQLite and (when
//! `SPOTCHECK_TEST_POSTGRES_URL` is set) on PostgreSQL.

#![expect(
    clippy::expect_used,
    reason = "test harness: a failure is a test failure"
)]

mod server;

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
    service::{self, Actor, accounts::users::NewUser},
    state::AppState,
};

pub use server::{ServeOptions, ServerProcess, binary};

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

/// A running `spotcheck serve` process with its own database.
pub struct TestApp {
    /// Where it listens.
    pub addr: SocketAddr,
    /// `http://addr`.
    pub base: String,
    /// An HTTP client.
    pub client: Client,
    /// A direct connection to its database, for arranging and inspecting.
    pub db: DatabaseConnection,
    /// State over that connection with the server's policy, for arranging
    /// through the service layer (users, say) as the server would.
    pub state: AppState,
    /// The database, removed on drop.
    pub test_db: TestDb,
    /// The server process, killed on drop.
    pub server: ServerProcess,
}

impl TestApp {
    /// Starts the server with the default policy and no scheduled jobs.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, Policy::default()).await
    }

    /// Starts the server with a policy and no scheduled jobs.
    pub async fn spawn_with(backend: Backend, policy: Policy) -> Self {
        Self::serve(
            backend,
            ServeOptions {
                policy,
                ..ServeOptions::default()
            },
        )
        .await
    }

    /// Starts `spotcheck serve` on a fresh, migrated database.
    pub async fn serve(backend: Backend, options: ServeOptions) -> Self {
        let test_db = TestDb::create(backend).await;
        let db = spotcheck::db::connect(&test_db.url)
            .await
            .expect("migrate test database");
        let state = AppState::new(db.clone(), options.policy.clone()).expect("state");
        let server = ServerProcess::start(&test_db.url, &options).await;
        let addr = server.addr;
        Self {
            addr,
            base: format!("http://{addr}"),
            client: Client::new(),
            db,
            state,
            test_db,
            server,
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

    /// Sends a JSON request with a token, preferring `lang` (`Accept-Language`).
    pub async fn call_as(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Value,
        lang: &str,
    ) -> (StatusCode, Value) {
        let response = self
            .authed(method, path, token)
            .header("accept-language", lang)
            .json(&body)
            .send()
            .await
            .expect("request sent");
        let status = response.status();
        let value = response.json().await.unwrap_or(Value::Null);
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
        service::accounts::users::create(
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

    /// Tries to log in; the status and body.
    pub async fn try_login(&self, username: &str, password: &str) -> (StatusCode, Value) {
        self.call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": username, "password": password})),
        )
        .await
    }

    /// Logs in and returns the token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let (status, body) = self.try_login(username, password).await;
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

/// Runs a command, feeding `stdin`, and returns its output.
pub fn run_with_stdin(mut command: Command, stdin: &str) -> Output {
    use std::io::Write as _;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn cli");
    // A command that refuses its arguments exits before reading its input.
    if let Err(err) = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
    {
        assert_eq!(
            err.kind(),
            std::io::ErrorKind::BrokenPipe,
            "write stdin: {err}"
        );
    }
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

/// A value to write into a test workbook cell.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    /// Text.
    T(String),
    /// A number.
    N(f64),
    /// TRUE or FALSE.
    B(bool),
    /// A date cell (formatted as a date).
    D(chrono::NaiveDate),
    /// Nothing.
    E,
}

impl From<&str> for V {
    fn from(text: &str) -> Self {
        if text.is_empty() {
            Self::E
        } else {
            Self::T(text.to_owned())
        }
    }
}

/// A row of text cells.
#[must_use]
pub fn row(cells: &[&str]) -> Vec<V> {
    cells.iter().map(|c| V::from(*c)).collect()
}

/// An `.xlsx` with one sheet holding `rows` from A1 (a row may be empty).
#[must_use]
pub fn xlsx(sheet: &str, rows: &[Vec<V>]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let worksheet = workbook.add_worksheet();
    worksheet.set_name(sheet).expect("sheet name");
    for (r, cells) in rows.iter().enumerate() {
        let r = u32::try_from(r).expect("row");
        for (c, value) in cells.iter().enumerate() {
            let c = u16::try_from(c).expect("col");
            match value {
                V::T(text) => {
                    worksheet.write_string(r, c, text).expect("write");
                }
                V::N(x) => {
                    worksheet.write_number(r, c, *x).expect("write");
                }
                V::B(b) => {
                    worksheet.write_boolean(r, c, *b).expect("write");
                }
                V::D(d) => {
                    use chrono::Datelike as _;
                    let value = rust_xlsxwriter::ExcelDateTime::from_ymd(
                        u16::try_from(d.year()).expect("year"),
                        u8::try_from(d.month()).expect("month"),
                        u8::try_from(d.day()).expect("day"),
                    )
                    .expect("date");
                    worksheet
                        .write_datetime_with_format(r, c, &value, &date)
                        .expect("write");
                }
                V::E => {}
            }
        }
    }
    workbook.save_to_buffer().expect("xlsx")
}

/// A minimal BIFF8 `.xls` with one sheet of text and number cells.
#[must_use]
pub fn xls(sheet: &str, rows: &[Vec<V>]) -> Vec<u8> {
    fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
        out.extend_from_slice(&typ.to_le_bytes());
        out.extend_from_slice(&u16::try_from(data.len()).expect("len").to_le_bytes());
        out.extend_from_slice(data);
    }
    fn utf16(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }
    let bof = |dt: u16| {
        let mut data = vec![0x00, 0x06];
        data.extend_from_slice(&dt.to_le_bytes());
        data.extend_from_slice(&[0; 12]);
        data
    };
    let mut globals = Vec::new();
    record(&mut globals, 0x0809, &bof(0x0005));
    let bound_at = globals.len();
    let name = utf16(sheet);
    let mut bound = vec![0, 0, 0, 0, 0, 0];
    bound.push(u8::try_from(sheet.encode_utf16().count()).expect("name"));
    bound.push(1);
    bound.extend_from_slice(&name);
    record(&mut globals, 0x0085, &bound);
    record(&mut globals, 0x000A, &[]);
    let sheet_at = u32::try_from(globals.len()).expect("offset");
    globals[bound_at + 4..bound_at + 8].copy_from_slice(&sheet_at.to_le_bytes());
    record(&mut globals, 0x0809, &bof(0x0010));
    for (r, cells) in rows.iter().enumerate() {
        let r = u16::try_from(r).expect("row");
        for (c, value) in cells.iter().enumerate() {
            let c = u16::try_from(c).expect("col");
            let mut data = Vec::new();
            data.extend_from_slice(&r.to_le_bytes());
            data.extend_from_slice(&c.to_le_bytes());
            data.extend_from_slice(&[0, 0]);
            match value {
                V::T(text) => {
                    let chars = u16::try_from(text.encode_utf16().count()).expect("text");
                    data.extend_from_slice(&chars.to_le_bytes());
                    data.push(1);
                    data.extend_from_slice(&utf16(text));
                    record(&mut globals, 0x0204, &data);
                }
                V::N(x) => {
                    data.extend_from_slice(&x.to_le_bytes());
                    record(&mut globals, 0x0203, &data);
                }
                _ => {}
            }
        }
    }
    record(&mut globals, 0x000A, &[]);
    compound(&[("/Workbook", &globals)])
}

/// An OLE compound file with the given streams.
#[must_use]
pub fn compound(streams: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write as _;
    let mut file =
        cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).expect("compound file");
    for (name, data) in streams {
        let mut stream = file.create_stream(name).expect("stream");
        stream.write_all(data).expect("write stream");
    }
    file.flush().expect("flush");
    file.into_inner().into_inner()
}

/// The rows of a workbook's first sheet as text, for checking what came back.
#[must_use]
pub fn read_rows(bytes: &[u8]) -> Vec<(u32, Vec<String>)> {
    let mut rows = Vec::new();
    let mut sink = |row: reports::read::Row| {
        let cells = row
            .cells
            .iter()
            .map(|c| c.text().ok().flatten().unwrap_or_default())
            .collect();
        rows.push((row.number, cells));
        std::ops::ControlFlow::Continue(())
    };
    reports::read::read_first_sheet(
        std::io::Cursor::new(bytes),
        &reports::read::ReadLimits::default(),
        &mut sink,
    )
    .expect("readable workbook");
    rows
}

impl TestApp {
    /// Uploads a workbook to `POST /api/v1/imports/{kind}?{query}`.
    pub async fn upload(
        &self,
        token: &str,
        kind: &str,
        query: &str,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> (StatusCode, Value) {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned());
        let form = reqwest::multipart::Form::new().part("file", part);
        let path = if query.is_empty() {
            format!("/api/v1/imports/{kind}")
        } else {
            format!("/api/v1/imports/{kind}?{query}")
        };
        let response = self
            .authed(Method::POST, &path, token)
            .multipart(form)
            .send()
            .await
            .expect("upload sent");
        let status = response.status();
        let text = response.text().await.expect("body");
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }
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

//! Test harness: the real `spotcheck serve` process on a random port, against a
//! fresh database with the real migrations ([`testdb`]), on SQLite and (when
//! `SPOTCHECK_TEST_POSTGRES_URL` is set) on PostgreSQL.
//!
//! A test is written once and runs as one case per engine:
//!
//! ```ignore
//! #[both_engines]
//! async fn a_department_user_sees_only_its_province(backend: Backend) {
//!     let TwoProvinces { app, admin, hebei, .. } = TwoProvinces::spawn(backend).await;
//!     let user = app.token_for("hb-dept", Role::Department, Some(hebei)).await;
//!     let list: Page = app.get_ok("/api/v1/enterprises", &user).await;
//!     assert_eq!(list.total, 0, "{backend:?}");
//! }
//! ```
//!
//! Answers are read as the types in [`views`] (or small structs of the test's
//! own) with [`TestApp::get_ok`], [`TestApp::create`] and
//! [`TestApp::post_refused`]; `call`, `get` and `post` give the status and raw
//! JSON where a test looks at something unusual.

#![expect(
    clippy::expect_used,
    reason = "test harness: a failure is a test failure"
)]

mod server;
pub mod views;

use std::{
    net::SocketAddr,
    process::{Command, Output, Stdio},
};

use entities::Role;
use reqwest::{Client, Method, RequestBuilder, StatusCode};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, de::DeserializeOwned};
use serde_json::{Value, json};
use spotcheck::{
    config::Policy,
    service::{self, Actor, accounts::users::NewUser},
    state::AppState,
};

pub use server::{ServeOptions, ServerProcess, binary};
pub use testdb::{Backend, TestDb, backends, both_engines, skip_postgres};
pub use views::{Created, DrawView, DrawnTask, FieldProblem, IndicatorSet, Page, Problem, read};

/// POSTs and expects 201; the answer. The older spelling of [`TestApp::create`].
pub async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    app.create(path, token, body).await
}

/// Creates an indicator set; its id and its indicators' ids in code order. The
/// older spelling of [`TestApp::indicator_set`].
pub async fn indicator_set_ids(
    app: &TestApp,
    token: &str,
    code: &str,
    indicators: Value,
) -> (i64, Vec<i64>) {
    let set = app.indicator_set(token, code, indicators).await;
    (set.id, set.indicators)
}

/// A valid credit code registered in 长安区 (130102), distinct for each `n`.
#[must_use]
pub fn credit_code(n: u32) -> String {
    spotcheck::domain::CreditCode::complete(&format!("91130102MA{n:07}"))
        .expect("17 characters from the alphabet")
        .as_str()
        .to_owned()
}

/// The answer to a login.
#[derive(Deserialize)]
struct Login {
    token: String,
}

/// The password every test user gets.
pub const PASSWORD: &str = "Correct-Horse-42";

/// A running app with two provinces and their departments
/// ([`TestApp::seed_two_provinces`]) and a national administrator.
pub struct TwoProvinces {
    /// The app.
    pub app: TestApp,
    /// The national administrator's token.
    pub admin: String,
    /// 河北省应急管理厅.
    pub hebei: i64,
    /// 北京市应急管理局.
    pub beijing: i64,
}

impl TwoProvinces {
    /// Starts the app with the default policy and arranges the provinces.
    pub async fn spawn(backend: Backend) -> Self {
        let app = TestApp::spawn(backend).await;
        let admin = app.admin().await;
        let (hebei, beijing) = app.seed_two_provinces(&admin).await;
        Self {
            app,
            admin,
            hebei,
            beijing,
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
    /// The server process, killed on drop (before its database goes).
    pub server: ServerProcess,
    /// The database, removed on drop.
    pub test_db: TestDb,
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
        let test_db = TestDb::migrated(backend).await;
        let db = spotcheck::db::open(&test_db.url)
            .await
            .expect("connect to the test database");
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

    /// GET that must answer 200, read as `T` ([`Page`], a view, or `Value`).
    pub async fn get_ok<T: DeserializeOwned>(&self, path: &str, token: &str) -> T {
        let (status, body) = self.get(path, token).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{:?} GET {path}: {body}",
            self.backend()
        );
        read(&body)
    }

    /// POST that must answer 201, read as `T` ([`Created`], a view, or `Value`).
    pub async fn create<T: DeserializeOwned>(&self, path: &str, token: &str, body: Value) -> T {
        let (status, created) = self.post(path, token, body).await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "{:?} POST {path}: {created}",
            self.backend()
        );
        read(&created)
    }

    /// POST that must answer 201; the new object's id.
    pub async fn create_id(&self, path: &str, token: &str, body: Value) -> i64 {
        self.create::<Created>(path, token, body).await.id
    }

    /// POST that must be refused with `status`, read as the error answer.
    pub async fn post_refused(
        &self,
        path: &str,
        token: &str,
        body: Value,
        status: StatusCode,
    ) -> Problem {
        let (answered, problem) = self.post(path, token, body).await;
        assert_eq!(
            answered,
            status,
            "{:?} POST {path}: {problem}",
            self.backend()
        );
        read(&problem)
    }

    /// Creates an indicator set of `indicators` (bodies as the API takes them).
    pub async fn indicator_set(&self, token: &str, code: &str, indicators: Value) -> IndicatorSet {
        let body =
            json!({"code": code, "name": format!("{code} 抽查事项清单"), "indicators": indicators});
        self.create("/api/v1/indicator-sets", token, body).await
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
        read::<Login>(&body).token
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
            let region = json!({"code": code, "name": name, "parent_code": parent});
            self.create::<Value>("/api/v1/regions", admin, region).await;
        }
        let mut ids = Vec::new();
        for (code, name, region) in [
            ("EM-130000", "河北省应急管理厅", "130000"),
            ("EM-110000", "北京市应急管理局", "110000"),
        ] {
            let body = json!({"code": code, "name": name, "kind": "emergency_management", "region_code": region});
            let department: Created = self.create("/api/v1/departments", admin, body).await;
            ids.push(department.id);
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

/// Every row of a table, for inspecting what a request left behind.
pub async fn all_rows<E: sea_orm::EntityTrait>(db: &DatabaseConnection) -> Vec<E::Model> {
    E::find().all(db).await.expect("rows read")
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

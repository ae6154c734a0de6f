//! Input that no field needs is refused the same way on both engines, naming
//! where it was, and changes nothing.

use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait as _;
use serde_json::json;
use spotcheck_tests::{
    Backend, ServeOptions, ServerProcess, TestApp, TestDb, TwoProvinces, both_engines,
};

use super::demo::password_of;

#[both_engines]
async fn control_characters_are_refused_naming_the_field_on_both_engines(backend: Backend) {
    let TwoProvinces { app, admin, .. } = TwoProvinces::spawn(backend).await;
    let (_, before) = app.get("/api/v1/regions?page_size=500", &admin).await;

    let (login, login_body) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "ro\u{0}ot", "password": "x"})),
        )
        .await;
    let (search, search_body) = app.get("/api/v1/enterprises?q=%00", &admin).await;
    let (create, create_body) = app
        .post(
            "/api/v1/regions",
            &admin,
            json!({"code": "130200", "name": "唐山\u{1b}[31m市", "parent_code": "130000"}),
        )
        .await;
    let (nested, nested_body) = app
        .post(
            "/api/v1/indicator-sets",
            &admin,
            json!({"code": "X", "name": "清单", "indicators": [{"code": "X-1", "name": "a\u{7f}", "legal_basis": "法", "category": "other", "max_points": 1.0, "weight": 1.0, "applies_to": "enterprise"}]}),
        )
        .await;
    let (text, text_body) = app
        .post(
            "/api/v1/regions",
            &admin,
            json!({"code": "130200", "name": "唐山市", "parent_code": "130000"}),
        )
        .await;
    let (_, after) = app.get("/api/v1/regions?page_size=500", &admin).await;

    assert_eq!(
        login,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {login_body}"
    );
    assert_eq!(
        login_body["errors"][0]["field"], "username",
        "{backend:?}: {login_body}"
    );
    assert_eq!(
        search,
        StatusCode::BAD_REQUEST,
        "{backend:?}: {search_body}"
    );
    assert!(
        search_body["message"]
            .as_str()
            .is_some_and(|m| m.contains("q") && m.contains("U+0000")),
        "{backend:?}: {search_body}"
    );
    assert_eq!(
        create,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {create_body}"
    );
    assert_eq!(create_body["errors"][0]["field"], "name", "{backend:?}");
    assert_eq!(
        nested,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {nested_body}"
    );
    assert_eq!(
        nested_body["errors"][0]["field"], "indicators[0].name",
        "{backend:?}"
    );
    assert_eq!(
        text,
        StatusCode::CREATED,
        "{backend:?}: the clean request still works: {text_body}"
    );
    assert_eq!(
        after["total"].as_i64(),
        before["total"].as_i64().map(|n| n + 1),
        "{backend:?}: only the clean region was stored"
    );
}

/// A raw connection to the app.
async fn raw(app: &TestApp) -> tokio::net::TcpStream {
    tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connected")
}

/// Everything the server sends until it closes the connection, waiting at most
/// `limit`; `None` when it is still open then.
async fn read_until_closed(
    stream: &mut tokio::net::TcpStream,
    limit: std::time::Duration,
) -> Option<String> {
    use tokio::io::AsyncReadExt as _;
    let mut out = Vec::new();
    let read = tokio::time::timeout(limit, stream.read_to_end(&mut out)).await;
    read.ok()
        .map(|_| String::from_utf8_lossy(&out).into_owned())
}

#[tokio::test]
async fn slow_and_oversized_requests_are_cut_off_with_the_json_error_shape() {
    use tokio::io::AsyncWriteExt as _;
    let mut policy = spotcheck::config::Policy::default();
    policy.limits.header_read_secs = 2;
    policy.limits.body_read_secs = 2;
    let app = TestApp::spawn_with(spotcheck_tests::Backend::Sqlite, policy).await;
    let wait = std::time::Duration::from_secs(8);
    // A kept-alive connection may idle longer than a head may take.
    let (first, _) = app.call(Method::GET, "/healthz", None, None).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let (reused, _) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "nobody", "password": "Wrong-Password-1"})),
        )
        .await;

    let mut half_head = raw(&app).await;
    half_head
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n")
        .await
        .expect("sent");
    let mut half_body = raw(&app).await;
    half_body
        .write_all(b"POST /api/v1/auth/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"username\"")
        .await
        .expect("sent");
    let mut big_head = raw(&app).await;
    let filler = "a".repeat(1024 * 1024);
    big_head
        .write_all(
            format!("GET /healthz HTTP/1.1\r\nhost: x\r\nx-filler: {filler}\r\n\r\n").as_bytes(),
        )
        .await
        .expect("sent");
    let mut garbage = raw(&app).await;
    garbage
        .write_all(b"NOT HTTP AT ALL\r\n\r\n")
        .await
        .expect("sent");

    let half_head = read_until_closed(&mut half_head, wait).await;
    let half_body = read_until_closed(&mut half_body, wait).await;
    let big_head = read_until_closed(&mut big_head, wait).await;
    let garbage = read_until_closed(&mut garbage, wait).await;
    let (health, _) = app.call(Method::GET, "/healthz", None, None).await;

    assert!(half_head.is_some(), "a half-sent head is not held open");
    let half_body = half_body.expect("a half-sent body is not held open");
    assert!(half_body.starts_with("HTTP/1.1 408"), "{half_body}");
    assert!(
        half_body.contains(r#""code":"request_timeout""#),
        "{half_body}"
    );
    let big_head = big_head.expect("answered");
    assert!(big_head.starts_with("HTTP/1.1 431"), "{big_head}");
    assert!(
        big_head.contains(r#""code":"headers_too_large""#),
        "{big_head}"
    );
    let garbage = garbage.expect("answered");
    assert!(garbage.starts_with("HTTP/1.1 400"), "{garbage}");
    assert!(garbage.contains(r#""code":"bad_request""#), "{garbage}");
    assert_eq!(health, StatusCode::OK, "the server carries on");
    assert_eq!(first, StatusCode::OK);
    assert_eq!(
        reused,
        StatusCode::UNAUTHORIZED,
        "the idle kept-alive connection still served"
    );
}

#[both_engines]
async fn messages_are_chinese_unless_english_is_preferred_and_codes_stay_the_same(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let ask = |lang: Option<&'static str>, token: Option<String>| {
        let mut request = app.client.get(format!("{}/api/v1/plans/987654", app.base));
        if let Some(lang) = lang {
            request = request.header("Accept-Language", lang);
        }
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move {
            let response = request.send().await.expect("answered");
            let status = response.status();
            let body: serde_json::Value = response.json().await.expect("JSON");
            (status, body)
        }
    };
    let cases = [
        (
            None,
            Some(admin.clone()),
            StatusCode::NOT_FOUND,
            "not_found",
            "不存在",
        ),
        (
            Some("zh-CN,zh;q=0.9"),
            Some(admin.clone()),
            StatusCode::NOT_FOUND,
            "not_found",
            "不存在",
        ),
        (
            Some("en-US,en;q=0.9"),
            Some(admin.clone()),
            StatusCode::NOT_FOUND,
            "not_found",
            "not found",
        ),
        (
            None,
            None,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "需要登录",
        ),
        (
            Some("en"),
            None,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "authentication required",
        ),
    ];
    for (lang, token, status, code, words) in cases {
        let (got, body) = ask(lang, token).await;
        assert_eq!(got, status, "{backend:?} {lang:?}: {body}");
        assert_eq!(body["code"], code, "{backend:?} {lang:?}: {body}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(message.contains(words), "{backend:?} {lang:?}: {body}");
    }
}

#[tokio::test]
async fn a_write_that_cannot_get_the_sqlite_lock_in_time_is_answered_503_and_changes_nothing_on_sqlite()
 {
    // PostgreSQL writers do not wait on one database-wide lock.
    let test_db = TestDb::migrated(Backend::Sqlite).await;
    let server = ServerProcess::start(
        &test_db.url,
        &ServeOptions {
            env: vec![("SPOTCHECK_DATABASE_WAIT_SECS".to_owned(), "1".to_owned())],
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
    let region = json!({"code": "990000", "name": "测试省", "parent_code": null});
    let create = || {
        client
            .post(format!("{base}/api/v1/regions"))
            .bearer_auth(&token)
            .json(&region)
            .send()
    };

    // Another writer (a long import, say) holds the write lock.
    let mut options = sea_orm::ConnectOptions::new(test_db.url.clone());
    options.max_connections(1).sqlx_logging(false);
    let holder = sea_orm::Database::connect(options).await.expect("connect");
    holder
        .execute_unprepared("BEGIN IMMEDIATE")
        .await
        .expect("write lock taken");
    let refused = create().await.expect("answered");
    let status = refused.status();
    let retry_after = refused.headers().get("retry-after").cloned();
    let body: serde_json::Value = refused.json().await.expect("JSON body");
    holder
        .execute_unprepared("ROLLBACK")
        .await
        .expect("lock released");

    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["code"], "busy", "{body}");
    assert!(retry_after.is_some(), "Retry-After on 503: {body}");
    let again = create().await.expect("answered");
    assert_eq!(
        again.status(),
        StatusCode::CREATED,
        "sent again, it is made once"
    );
}

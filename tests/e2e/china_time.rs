//! China time: every time the API answers is RFC 3339 at `+08:00` in whole
//! seconds; a time given without an offset is China time, one with an offset
//! the same instant; a bad time is refused naming its field with an example.

use chrono::{TimeZone as _, Utc};
use entities::{Role, incident};
use reqwest::{Method, StatusCode};
use sea_orm::EntityTrait as _;
use serde_json::{Value, json};
use spotcheck_tests::{Backend, Page, TestApp, all_rows, both_engines};

use super::fixtures::half_of_six_drawn;

/// Every time in an answer: fields named `at`, `…_at` or `fire_time`
/// holding text, with where they were found.
fn times_in(value: &Value, place: &str, found: &mut Vec<(String, String)>) {
    match value {
        Value::Object(fields) => {
            for (name, field) in fields {
                let here = format!("{place}.{name}");
                let is_time = name == "at" || name.ends_with("_at") || name == "fire_time";
                match field {
                    Value::String(text) if is_time => found.push((here, text.clone())),
                    _ => times_in(field, &here, found),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                times_in(item, &format!("{place}[{i}]"), found);
            }
        }
        _ => {}
    }
}

/// Asserts that an answer has times and that each is China time in whole seconds.
#[track_caller]
fn assert_all_china_time(answer: &Value, what: &str) {
    let mut found = Vec::new();
    times_in(answer, what, &mut found);
    assert!(!found.is_empty(), "{what}: no times in {answer}");
    for (place, text) in found {
        assert!(text.ends_with("+08:00"), "{place}: China time: {text}");
        assert!(!text.contains('.'), "{place}: whole seconds: {text}");
        assert!(
            chrono::DateTime::parse_from_rfc3339(&text).is_ok(),
            "{place}: RFC 3339: {text}"
        );
    }
}

/// An incident in 长安区 that occurred at `occurred_at`, as given.
fn incident_at(occurred_at: Value) -> Value {
    json!({"occurred_at": occurred_at, "kind": "accident", "region_code": "130102",
           "deaths": 0, "serious_injuries": 0, "economic_loss_yuan": 0, "summary": "事故"})
}

#[both_engines]
async fn answers_give_every_time_in_china_time_with_whole_seconds(backend: Backend) {
    let (w, plan, draw, _) = half_of_six_drawn(backend).await;
    assert_all_china_time(&draw, "draw");
    let (status, login) = w
        .app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "root", "password": spotcheck_tests::PASSWORD})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {login}");
    assert_all_china_time(&login, "login");
    let department = w
        .app
        .token_for("hb-dept", Role::Department, Some(w.hebei))
        .await;
    let made = w
        .app
        .create::<Value>(
            "/api/v1/incidents",
            &department,
            incident_at(json!("2026-06-01 08:30")),
        )
        .await;
    assert_all_china_time(&made, "incident");
    for path in [
        format!("/api/v1/plans/{plan}"),
        format!("/api/v1/plans/{plan}/draws"),
        "/api/v1/tasks".to_owned(),
        "/api/v1/enterprises".to_owned(),
        "/api/v1/inspectors".to_owned(),
        "/api/v1/departments".to_owned(),
        "/api/v1/regions".to_owned(),
        "/api/v1/users".to_owned(),
        "/api/v1/indicator-sets".to_owned(),
        "/api/v1/audit?page_size=500".to_owned(),
        "/api/v1/me/sessions".to_owned(),
        "/api/v1/jobs/registered".to_owned(),
    ] {
        let answer: Value = w.app.get_ok(&path, &w.admin).await;
        assert_all_china_time(&answer, &format!("{backend:?} GET {path}"));
    }
}

#[both_engines]
async fn a_time_without_an_offset_is_china_time_and_one_with_an_offset_the_same_instant(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let (hebei, _) = app.seed_two_provinces(&admin).await;
    let department = app
        .token_for("hb-dept", Role::Department, Some(hebei))
        .await;
    let stored = Utc
        .with_ymd_and_hms(2026, 6, 1, 0, 30, 0)
        .single()
        .expect("a time");
    for given in [
        "2026-06-01 08:30",
        "2026-06-01T08:30",
        "2026-06-01 08:30:00",
        "2026-06-01T00:30:00Z",
        "2026-06-01T08:30:00+08:00",
        "2026-05-31T20:30:00-04:00",
    ] {
        let made: Value = app
            .create("/api/v1/incidents", &department, incident_at(json!(given)))
            .await;
        assert_eq!(
            made["occurred_at"], "2026-06-01T08:30:00+08:00",
            "{backend:?}: {given}"
        );
        let id = made["id"].as_i64().expect("id");
        let row = incident::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .expect("read")
            .expect("stored");
        assert_eq!(
            row.occurred_at, stored,
            "{backend:?}: {given} stored in UTC"
        );
    }

    // A query window in China time: the audit rows of the incidents just made.
    let now = Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("+8"));
    let an_hour_ago = (now - chrono::Duration::hours(1))
        .format("%Y-%m-%d%%20%H:%M")
        .to_string();
    let in_an_hour = (now + chrono::Duration::hours(1))
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string();
    let recent: Page = app
        .get_ok(
            &format!("/api/v1/audit?action=incident.create&since={an_hour_ago}&until={in_an_hour}"),
            &admin,
        )
        .await;
    assert_eq!(recent.total, 6, "{backend:?}: {:?}", recent.items);
    let later: Page = app
        .get_ok(
            &format!("/api/v1/audit?action=incident.create&since={in_an_hour}"),
            &admin,
        )
        .await;
    assert_eq!(later.total, 0, "{backend:?}: {:?}", later.items);
    // `+` written unescaped arrives as a space and is still read as the offset.
    let plus: Page = app
        .get_ok(
            &format!(
                "/api/v1/audit?action=incident.create&since={}",
                (now - chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M:%S+08:00")
            ),
            &admin,
        )
        .await;
    assert_eq!(plus.total, 6, "{backend:?}: {:?}", plus.items);
}

#[both_engines]
async fn a_bad_time_is_refused_naming_its_field_with_an_accepted_example(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let (hebei, _) = app.seed_two_provinces(&admin).await;
    let department = app
        .token_for("hb-dept", Role::Department, Some(hebei))
        .await;
    let example = "2026-12-07 09:30";

    // In a JSON body: malformed, impossible, not text, or missing.
    for (given, what) in [
        (
            json!("2026-06-01 8h30"),
            "时间格式无效（“2026-06-01 8h30”）",
        ),
        (
            json!("2026-02-30 10:00"),
            "时间格式无效（“2026-02-30 10:00”）",
        ),
        (json!("2026-06-01T"), "时间格式无效（“2026-06-01T”）"),
        (json!(20_260_601), "时间应写成字符串"),
        (Value::Null, "缺少时间"),
    ] {
        let (status, body) = app
            .post("/api/v1/incidents", &department, incident_at(given.clone()))
            .await;
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY,
            "{backend:?}: {given}: {status} {body}"
        );
        let message = body["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("occurred_at") && message.contains(what) && message.contains(example),
            "{backend:?}: {given}: names the field, says what is wrong, shows an example: {body}"
        );
    }
    let (status, body) = app
        .call_as(
            Method::POST,
            "/api/v1/incidents",
            &department,
            incident_at(json!("tomorrow")),
            "en",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{backend:?}: {body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("occurred_at: 'tomorrow' is not a time")
            && message.contains("2026-12-07T09:30:00+08:00"),
        "{backend:?}: in English on request: {body}"
    );
    assert!(
        all_rows::<incident::Entity>(&app.db).await.is_empty(),
        "{backend:?}: nothing made"
    );

    // A backfilled report's filing time.
    let made: Value = app
        .create(
            "/api/v1/incidents",
            &department,
            incident_at(json!("2026-06-01 08:30")),
        )
        .await;
    let id = made["id"].as_i64().expect("id");
    let (status, body) = app
        .post(
            &format!("/api/v1/incidents/{id}/reports/backfill"),
            &admin,
            json!({"stage": "initial", "reported_at": "6月1日 9点", "deaths": 0,
                   "serious_injuries": 0, "economic_loss_yuan": 0, "summary": "电话初报",
                   "reason": "电话报送", "evidence": "记录 1 号"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{backend:?}: {body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("reported_at") && message.contains(example),
        "{backend:?}: {body}"
    );

    // In a query: the parameter is named.
    for (path, field) in [
        ("/api/v1/audit?since=yesterday", "since"),
        ("/api/v1/audit?until=2026-13-01%2009:00", "until"),
        ("/api/v1/tasks?due_before=soon", "due_before"),
    ] {
        let (status, body) = app.get(path, &admin).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{backend:?}: {path}: {body}"
        );
        assert_eq!(body["code"], "bad_request", "{backend:?}: {path}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(field)
                && message.contains("时间格式无效")
                && message.contains(example),
            "{backend:?}: {path}: {body}"
        );
    }
}

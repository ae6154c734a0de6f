//! The holiday calendar (节假日安排): the State Council's published calendars
//! ship with the product, working-day deadlines count by them without an
//! import, and administrators add or correct days.

use chrono::NaiveDate;
use entities::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use spotcheck::{
    domain::workdays::CHINA,
    service::tasks::{calendar, publish_by},
};
use spotcheck_tests::{Backend, TestApp, audit_rows, both_engines};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("a date")
}

/// Every day from `first` to `last`.
fn span(first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
    first.iter_days().take_while(|day| *day <= last).collect()
}

/// A year's calendar as the API answers it: `(date, kind)` in date order.
async fn year(app: &TestApp, token: &str, year: i32) -> Vec<(NaiveDate, String)> {
    let (status, list) = app
        .get(&format!("/api/v1/holidays?year={year}"), token)
        .await;
    assert_eq!(status, StatusCode::OK, "{year}: {list}");
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|h| {
            (
                h["date"]
                    .as_str()
                    .and_then(|t| t.parse().ok())
                    .expect("a date"),
                h["kind"].as_str().expect("a kind").to_owned(),
            )
        })
        .collect()
}

/// The days of a year's calendar of one kind.
fn of_kind(days: &[(NaiveDate, String)], kind: &str) -> Vec<NaiveDate> {
    days.iter()
        .filter(|(_, k)| k == kind)
        .map(|(date, _)| *date)
        .collect()
}

#[both_engines]
async fn the_published_2025_and_2026_calendars_ship_with_the_product(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let reader = app.token_for("reader", Role::Supervisor, None).await;

    // 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04).
    let days = year(&app, &reader, 2026).await;
    let off_2026: Vec<NaiveDate> = [
        span(d(2026, 1, 1), d(2026, 1, 3)),
        span(d(2026, 2, 15), d(2026, 2, 23)),
        span(d(2026, 4, 4), d(2026, 4, 6)),
        span(d(2026, 5, 1), d(2026, 5, 5)),
        span(d(2026, 6, 19), d(2026, 6, 21)),
        span(d(2026, 9, 25), d(2026, 9, 27)),
        span(d(2026, 10, 1), d(2026, 10, 7)),
    ]
    .concat();
    assert_eq!(
        of_kind(&days, "holiday"),
        off_2026,
        "{backend:?}: 2026 days off"
    );
    assert_eq!(
        of_kind(&days, "workday"),
        [
            d(2026, 1, 4),
            d(2026, 2, 14),
            d(2026, 2, 28),
            d(2026, 5, 9),
            d(2026, 9, 20),
            d(2026, 10, 10),
        ],
        "{backend:?}: 2026 weekend days worked (调休)"
    );

    // 国办发明电〔2024〕12号.
    let days = year(&app, &reader, 2025).await;
    let off_2025: Vec<NaiveDate> = [
        vec![d(2025, 1, 1)],
        span(d(2025, 1, 28), d(2025, 2, 4)),
        span(d(2025, 4, 4), d(2025, 4, 6)),
        span(d(2025, 5, 1), d(2025, 5, 5)),
        span(d(2025, 5, 31), d(2025, 6, 2)),
        span(d(2025, 10, 1), d(2025, 10, 8)),
    ]
    .concat();
    assert_eq!(
        of_kind(&days, "holiday"),
        off_2025,
        "{backend:?}: 2025 days off"
    );
    assert_eq!(
        of_kind(&days, "workday"),
        [
            d(2025, 1, 26),
            d(2025, 2, 8),
            d(2025, 4, 27),
            d(2025, 9, 28),
            d(2025, 10, 11),
        ],
        "{backend:?}: 2025 weekend days worked (调休)"
    );
    assert!(year(&app, &reader, 2024).await.is_empty(), "{backend:?}");
    let (status, named) = app.get("/api/v1/holidays?year=2026", &reader).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}");
    assert_eq!(
        named["items"][0],
        json!({"date": "2026-01-01", "name": "元旦", "kind": "holiday"}),
        "{backend:?}: {named}"
    );

    // Reviewed on Wednesday 30 September 2026: the National Day week is off
    // and Saturday 10 October is worked, so the 20th working day is
    // Tuesday 3 November, not Wednesday 28 October.
    let reviewed = d(2026, 9, 30)
        .and_hms_opt(10, 0, 0)
        .and_then(|t| t.and_local_timezone(CHINA).single())
        .expect("a time")
        .to_utc();
    let shipped = calendar(&app.db).await.expect("the calendar");
    assert_eq!(
        publish_by(&shipped, reviewed, 20),
        d(2026, 11, 3),
        "{backend:?}: publish_by counts the shipped calendar"
    );
}

#[both_engines]
async fn administrators_add_correct_and_remove_days(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let supervisor = app.token_for("sup", Role::Supervisor, None).await;
    let put = |token: &str, date: &str, body: Value| {
        let path = format!("/api/v1/holidays/{date}");
        let token = token.to_owned();
        let app = &app;
        async move { app.call(Method::PUT, &path, Some(&token), Some(body)).await }
    };

    let (status, body) = put(
        &supervisor,
        "2030-10-01",
        json!({"name": "国庆节", "kind": "holiday"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}: {body}");
    let (status, added) = put(
        &admin,
        "2030-10-01",
        json!({"name": "国庆", "kind": "holiday"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{backend:?}: {added}");
    assert_eq!(
        added,
        json!({"date": "2030-10-01", "name": "国庆", "kind": "holiday"}),
        "{backend:?}"
    );
    let (status, replaced) = put(
        &admin,
        "2030-10-01",
        json!({"name": "国庆节", "kind": "holiday"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {replaced}");
    assert_eq!(replaced["name"], "国庆节", "{backend:?}");
    let (status, saturday) = put(
        &admin,
        "2030-10-12",
        json!({"name": "国庆节调休上班", "kind": "workday"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{backend:?}: {saturday}");
    let (status, weekday) = put(
        &admin,
        "2030-10-09",
        json!({"name": "调休", "kind": "workday"}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {weekday}"
    );
    assert_eq!(
        weekday["errors"][0]["field"], "kind",
        "{backend:?}: {weekday}"
    );
    let (status, unnamed) = put(
        &admin,
        "2030-10-02",
        json!({"name": " ", "kind": "holiday"}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {unnamed}"
    );
    let (status, bad) = put(
        &admin,
        "2030-02-30",
        json!({"name": "x", "kind": "holiday"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{backend:?}: {bad}");
    assert_eq!(
        year(&app, &supervisor, 2030).await,
        [
            (d(2030, 10, 1), "holiday".to_owned()),
            (d(2030, 10, 12), "workday".to_owned()),
        ],
        "{backend:?}"
    );

    let delete = |token: &str, date: &str| {
        let path = format!("/api/v1/holidays/{date}");
        let token = token.to_owned();
        let app = &app;
        async move { app.call(Method::DELETE, &path, Some(&token), None).await }
    };
    let (status, _) = delete(&supervisor, "2030-10-12").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}");
    let (status, _) = delete(&admin, "2030-10-12").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{backend:?}");
    let (status, gone) = delete(&admin, "2030-10-12").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?}: {gone}");
    // A shipped day can be corrected like any other.
    let (status, _) = delete(&admin, "2026-10-10").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{backend:?}");
    assert!(
        !of_kind(&year(&app, &admin, 2026).await, "workday").contains(&d(2026, 10, 10)),
        "{backend:?}"
    );
    let (status, bad) = app.get("/api/v1/holidays?year=0", &admin).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{backend:?}: {bad}");

    assert_eq!(
        audit_rows(&app.db, "holiday.put").await.len(),
        3,
        "{backend:?}"
    );
    let deletes = audit_rows(&app.db, "holiday.delete").await;
    assert_eq!(deletes.len(), 2, "{backend:?}");
    assert_eq!(deletes[0].actor, "root", "{backend:?}");
}

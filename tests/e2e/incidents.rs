//! Disaster and accident reporting: derived severity on every threshold, the
//! order of reports, deadlines to the second, and who sees what.

use entities::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use spotcheck_tests::{Backend, TwoProvinces, audit_rows, both_engines};

use super::score_fixture::{at, initial};

/// What a case does, who does it, whether it posts, where, with what, and the status expected.
type Case<'a> = (
    &'a str,
    &'a String,
    bool,
    &'a str,
    Option<Value>,
    StatusCode,
);

fn instant(value: &Value) -> chrono::DateTime<chrono::Utc> {
    at(value.as_str().expect("a time"))
}

fn incident(occurred: &str, deaths: i64, injuries: i64, loss: i64) -> Value {
    json!({"occurred_at": occurred, "kind": "accident", "region_code": "130102", "deaths": deaths,
           "serious_injuries": injuries, "economic_loss_yuan": loss, "summary": "事故"})
}

#[both_engines]
async fn severity_is_derived_from_the_figures_on_each_threshold(backend: Backend) {
    let TwoProvinces { app, hebei, .. } = TwoProvinces::spawn(backend).await;
    let user = app
        .token_for("hb-dept", Role::Department, Some(hebei))
        .await;
    // 以上 includes the number, 以下 excludes it.
    #[rustfmt::skip]
    let cases = [
        ((2, 9, 9_999_999), "ordinary"),
        ((3, 0, 0), "relatively_serious"),
        ((0, 10, 0), "relatively_serious"),
        ((0, 0, 10_000_000), "relatively_serious"),
        ((9, 49, 49_999_999), "relatively_serious"),
        ((10, 0, 0), "serious"),
        ((0, 50, 0), "serious"),
        ((0, 0, 50_000_000), "serious"),
        ((29, 99, 99_999_999), "serious"),
        ((30, 0, 0), "especially_serious"),
        ((0, 100, 0), "especially_serious"),
        ((0, 0, 100_000_000), "especially_serious"),
    ];
    for ((deaths, injuries, loss), expected) in cases {
        let body = incident("2025-06-01T00:00:00Z", deaths, injuries, loss);
        let made = app.create::<Value>("/api/v1/incidents", &user, body).await;
        assert_eq!(
            made["derived_severity"], expected,
            "{backend:?}: {deaths}/{injuries}/{loss}"
        );
        let direct = matches!(expected, "serious" | "especially_serious");
        assert_eq!(made["direct_required"], direct, "{backend:?}: {expected}");
    }
}

#[both_engines]
async fn reports_follow_their_order_and_deadlines_to_the_second(backend: Backend) {
    let TwoProvinces { app, hebei, .. } = TwoProvinces::spawn(backend).await;
    let user = app
        .token_for("hb-dept", Role::Department, Some(hebei))
        .await;
    // Relatively serious (3 deaths): initial due 120 min after 08:00, at 10:00.
    let made = app
        .create::<Value>(
            "/api/v1/incidents",
            &user,
            incident("2025-03-10T08:00:00Z", 3, 0, 0),
        )
        .await;
    let id = made["id"].as_i64().expect("id");
    assert_eq!(
        instant(&made["initial_due_at"]),
        at("2025-03-10T10:00:00Z"),
        "{backend:?}"
    );
    assert_eq!(
        instant(&made["final_due_at"]),
        at("2025-04-09T08:00:00Z"),
        "{backend:?}"
    );
    let reports = format!("/api/v1/incidents/{id}/reports");
    use StatusCode as S;
    #[rustfmt::skip]
    let steps = [
        ("a follow-up cannot come first", json!({"stage": "follow_up", "reported_at": "2025-03-10T09:00:00Z"}), S::CONFLICT),
        ("a final report cannot come first", json!({"stage": "final", "reported_at": "2025-03-10T09:00:00Z"}), S::CONFLICT),
        ("not before the incident", initial("2025-03-10T07:59:59Z", false, 3), S::UNPROCESSABLE_ENTITY),
        ("not in the future", initial("2099-01-01T00:00:00Z", false, 3), S::UNPROCESSABLE_ENTITY),
        ("on the deadline is on time", initial("2025-03-10T10:00:00Z", false, 3), S::CREATED),
        ("one initial report only", initial("2025-03-10T10:00:00Z", false, 3), S::CONFLICT),
        ("not before the previous report", json!({"stage": "follow_up", "reported_at": "2025-03-10T09:59:59Z"}), S::UNPROCESSABLE_ENTITY),
        // A follow-up with 10 deaths makes it serious: its initial deadline becomes 09:00.
        ("a follow-up changes the figures", json!({"stage": "follow_up", "reported_at": "2025-03-11T00:00:00Z", "deaths": 10}), S::CREATED),
        ("one second after 30 days is late", json!({"stage": "final", "reported_at": "2025-04-09T08:00:01Z", "summary": "终报"}), S::CREATED),
        ("nothing follows the final report", json!({"stage": "follow_up", "reported_at": "2025-04-10T00:00:00Z"}), S::CONFLICT),
    ];
    for (what, body, expected) in steps {
        let (status, body) = app.post(&reports, &user, body).await;
        assert_eq!(status, expected, "{backend:?}: {what}: {body}");
    }
    let (_, now) = app.get(&format!("/api/v1/incidents/{id}"), &user).await;
    assert_eq!(now["derived_severity"], "serious", "{backend:?}: {now}");
    assert_eq!(now["deaths"], 10, "{backend:?}");
    assert_eq!(
        now["reports"].as_array().map(Vec::len),
        Some(3),
        "{backend:?}"
    );
    // Serious: the 10:00 initial report is an hour late and was not direct; the
    // final report is a second late. Only "complete" earns its 20 points.
    assert_eq!(
        instant(&now["initial_due_at"]),
        at("2025-03-10T09:00:00Z"),
        "{backend:?}"
    );
    assert_eq!(now["points"], 20.0, "{backend:?}: {now}");
    assert_eq!(
        now["flags"],
        json!([
            "report_late",
            "direct_report_missing",
            "final_report_missing"
        ]),
        "{backend:?}"
    );
    assert_eq!(
        audit_rows(&app.db, "incident.report").await.len(),
        3,
        "{backend:?}"
    );
}

#[both_engines]
async fn departments_see_their_own_incidents_and_supervisors_their_jurisdiction(backend: Backend) {
    let TwoProvinces {
        app,
        hebei,
        beijing,
        ..
    } = TwoProvinces::spawn(backend).await;
    let hb = app
        .token_for("hb-dept", Role::Department, Some(hebei))
        .await;
    let bj = app
        .token_for("bj-dept", Role::Department, Some(beijing))
        .await;
    let hb_sup = app.token_for("hb-sup", Role::Supervisor, Some(hebei)).await;
    let bj_sup = app
        .token_for("bj-sup", Role::Supervisor, Some(beijing))
        .await;
    let leader = app.token_for("leader", Role::Leader, None).await;
    let inspector = app.token_for("insp", Role::Inspector, Some(hebei)).await;
    let made = app
        .create::<Value>(
            "/api/v1/incidents",
            &hb,
            incident("2025-05-01T00:00:00Z", 0, 0, 0),
        )
        .await;
    let id = made["id"].as_i64().expect("id");
    let path = format!("/api/v1/incidents/{id}");
    let reports = format!("{path}/reports");
    use StatusCode as S;
    let report = initial("2025-05-01T01:00:00Z", false, 0);
    #[rustfmt::skip]
    let cases: [Case<'_>; 10] = [
        ("another department does not see it", &bj, false, &path, None, S::NOT_FOUND),
        ("nor report on it", &bj, true, &reports, Some(report.clone()), S::NOT_FOUND),
        ("nor report one in another province", &bj, true, "/api/v1/incidents", Some(incident("2025-05-01T00:00:00Z", 0, 0, 0)), S::UNPROCESSABLE_ENTITY),
        ("another province's supervisor does not see it", &bj_sup, false, &path, None, S::NOT_FOUND),
        ("its province's supervisor does", &hb_sup, false, &path, None, S::OK),
        ("but does not report on it", &hb_sup, true, &reports, Some(report.clone()), S::FORBIDDEN),
        ("a supervisor does not report incidents", &hb_sup, true, "/api/v1/incidents", Some(incident("2025-05-01T00:00:00Z", 0, 0, 0)), S::FORBIDDEN),
        ("a leader reads it", &leader, false, &path, None, S::OK),
        ("an inspector does not", &inspector, false, &path, None, S::FORBIDDEN),
        ("the reporting department reports on it", &hb, true, &reports, Some(report.clone()), S::CREATED),
    ];
    for (what, token, post, path, body, expected) in cases {
        let (status, body) = if post {
            app.post(path, token, body.unwrap_or(Value::Null)).await
        } else {
            app.get(path, token).await
        };
        assert_eq!(status, expected, "{backend:?}: {what}: {body}");
    }
    let (_, list) = app.get("/api/v1/incidents?period=2025Q2", &bj).await;
    assert_eq!(list["total"], 0, "{backend:?}");
    let (_, list) = app.get("/api/v1/incidents?period=2025Q2", &hb).await;
    assert_eq!(list["total"], 1, "{backend:?}");
    let (_, list) = app.get("/api/v1/incidents?period=2025Q3", &leader).await;
    assert_eq!(list["total"], 0, "{backend:?}");
    let (_, list) = app.get("/api/v1/incidents", &bj_sup).await;
    assert_eq!(list["total"], 0, "{backend:?}");
}

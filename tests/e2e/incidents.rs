//! Disaster and accident reporting: derived severity on every threshold, the
//! filing time the server's own, the order of reports, an incident and its
//! initial report in one step with its deadlines in China time, and who sees what.

use chrono::{DateTime, Duration, Utc};
use entities::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use spotcheck_tests::{Backend, TestApp, audit_rows, both_engines, created};

use super::score_fixture::at;

/// What a case does, who does it, whether it posts, where, with what, and the status expected.
type Case<'a> = (
    &'a str,
    &'a String,
    bool,
    &'a str,
    Option<Value>,
    StatusCode,
);

/// A time the API answered.
pub fn instant(value: &Value) -> DateTime<Utc> {
    at(value.as_str().expect("a time"))
}

/// An incident in 长安区 with these figures.
pub fn incident(occurred: &str, deaths: i64, injuries: i64, loss: i64) -> Value {
    json!({"occurred_at": occurred, "kind": "accident", "region_code": "130102", "deaths": deaths,
           "serious_injuries": injuries, "economic_loss_yuan": loss, "summary": "事故"})
}

/// An incident that occurred `ago` before now, with `deaths`.
pub fn incident_ago(ago: Duration, deaths: i64) -> Value {
    incident(&(Utc::now() - ago).to_rfc3339(), deaths, 0, 0)
}

/// A complete initial report, filed now.
pub fn initial(direct: bool, deaths: i64) -> Value {
    json!({"stage": "initial", "direct": direct, "deaths": deaths, "serious_injuries": 0,
           "economic_loss_yuan": 0, "summary": "初报"})
}

/// A 河北 department user, with its app and the national admin.
pub async fn hebei(app: &TestApp) -> (String, String, i64) {
    let admin = app.admin().await;
    let (hebei, _) = app.seed_two_provinces(&admin).await;
    let user = app
        .token_for("hb-dept", Role::Department, Some(hebei))
        .await;
    (admin, user, hebei)
}

/// The deadline of a duty in an incident's answer.
pub fn deadline<'a>(incident: &'a Value, duty: &str) -> &'a Value {
    incident["deadlines"]
        .as_array()
        .expect("deadlines")
        .iter()
        .find(|d| d["duty"] == duty)
        .unwrap_or_else(|| panic!("no {duty} deadline in {incident}"))
}

/// A time answered in China time, whole seconds.
#[track_caller]
pub fn assert_china_time(value: &Value, what: &str) {
    let text = value.as_str().unwrap_or_else(|| panic!("{what}: {value}"));
    assert!(text.ends_with("+08:00"), "{what}: China time: {text}");
    assert!(!text.contains('.'), "{what}: whole seconds: {text}");
}

#[both_engines]
async fn severity_is_derived_from_the_figures_on_each_threshold(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, user, _) = hebei(&app).await;
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
        let made = created(&app, &user, "/api/v1/incidents", body).await;
        assert_eq!(
            made["derived_severity"], expected,
            "{backend:?}: {deaths}/{injuries}/{loss}"
        );
        let direct = matches!(expected, "serious" | "especially_serious");
        assert_eq!(made["direct_required"], direct, "{backend:?}: {expected}");
    }
}

#[both_engines]
async fn a_report_is_filed_at_the_servers_time_and_a_claimed_time_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, user, _) = hebei(&app).await;
    // Ordinary, three days ago: its initial report was due 24 hours after.
    let made = created(
        &app,
        &user,
        "/api/v1/incidents",
        incident_ago(Duration::days(3), 0),
    )
    .await;
    let id = made["id"].as_i64().expect("id");
    let reports = format!("/api/v1/incidents/{id}/reports");

    // Backdating it to an hour after the occurrence is refused, and says where to go.
    let occurred = instant(&made["occurred_at"]);
    let mut backdated = initial(false, 0);
    backdated["reported_at"] = json!((occurred + Duration::hours(1)).to_rfc3339());
    let (status, body) = app.post(&reports, &user, backdated.clone()).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {body}"
    );
    assert_eq!(
        body["errors"][0]["field"], "reported_at",
        "{backend:?}: {body}"
    );
    let message = body["message"].as_str().expect("message");
    assert!(
        message.contains("补录") && message.contains("/reports/backfill"),
        "{backend:?}: Chinese by default, pointing to the backfill: {message}"
    );
    let (_, english) = app
        .call_as(Method::POST, &reports, &user, backdated, "en")
        .await;
    assert!(
        english["message"]
            .as_str()
            .is_some_and(|m| m.contains("backfill")),
        "{backend:?}: {english}"
    );
    let (_, unchanged) = app.get(&format!("/api/v1/incidents/{id}"), &user).await;
    assert_eq!(
        unchanged["reports"],
        json!([]),
        "{backend:?}: nothing stored"
    );

    // Filed as received: now, and late.
    let before = Utc::now() - Duration::seconds(1);
    let (status, filed) = app.post(&reports, &user, initial(false, 0)).await;
    let after = Utc::now() + Duration::seconds(1);
    assert_eq!(status, StatusCode::CREATED, "{backend:?}: {filed}");
    let report = &filed["reports"][0];
    let received = instant(&report["reported_at"]);
    assert!(
        before <= received && received <= after,
        "{backend:?}: the server's time: {report}"
    );
    assert_china_time(&report["reported_at"], "reported_at");
    assert_eq!(report["backfilled"], false, "{backend:?}");
    assert_eq!(report["counted_at"], report["reported_at"], "{backend:?}");
    assert_eq!(
        deadline(&filed, "initial_report")["status"],
        "late",
        "{backend:?}"
    );
    // 0 (late) + 20 (no direct duty) + 20 (complete) + 20 (final not yet due) = 60
    assert_eq!(filed["points"], 60.0, "{backend:?}: {filed}");
    assert_eq!(filed["flags"], json!(["report_late"]), "{backend:?}");
    let audited = audit_rows(&app.db, "incident.report").await;
    assert_eq!(
        audited.len(),
        1,
        "{backend:?}: the refused report is not audited"
    );
}

#[both_engines]
async fn reports_follow_their_order_and_later_figures_change_the_deadlines(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, user, _) = hebei(&app).await;
    // Relatively serious (3 deaths), half an hour ago: initial due 120 min after it.
    let made = created(
        &app,
        &user,
        "/api/v1/incidents",
        incident_ago(Duration::minutes(30), 3),
    )
    .await;
    let id = made["id"].as_i64().expect("id");
    let occurred = instant(&made["occurred_at"]);
    assert_eq!(
        instant(&made["initial_due_at"]),
        occurred + Duration::minutes(120),
        "{backend:?}"
    );
    assert_eq!(
        instant(&made["final_due_at"]),
        occurred + Duration::days(30),
        "{backend:?}"
    );
    let reports = format!("/api/v1/incidents/{id}/reports");
    use StatusCode as S;
    #[rustfmt::skip]
        let steps = [
            ("a follow-up cannot come first", json!({"stage": "follow_up"}), S::CONFLICT),
            ("a final report cannot come first", json!({"stage": "final"}), S::CONFLICT),
            ("figures must not be negative", json!({"stage": "initial", "deaths": -1}), S::UNPROCESSABLE_ENTITY),
            ("the initial report", initial(false, 3), S::CREATED),
            ("one initial report only", initial(false, 3), S::CONFLICT),
            // A follow-up with 10 deaths makes it serious: the initial deadline becomes 60 min.
            ("a follow-up changes the figures", json!({"stage": "follow_up", "deaths": 10}), S::CREATED),
            ("the final report", json!({"stage": "final", "summary": "终报"}), S::CREATED),
            ("nothing follows the final report", json!({"stage": "follow_up"}), S::CONFLICT),
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
    assert_eq!(
        instant(&now["initial_due_at"]),
        occurred + Duration::minutes(60),
        "{backend:?}"
    );
    // Serious: on time, but not direct; complete; final on time: 40 + 0 + 20 + 20.
    assert_eq!(now["points"], 80.0, "{backend:?}: {now}");
    assert_eq!(
        now["flags"],
        json!(["direct_report_missing"]),
        "{backend:?}"
    );
    assert_eq!(
        deadline(&now, "direct_report")["status"],
        "missed",
        "{backend:?}"
    );
    assert_eq!(
        deadline(&now, "final_report")["status"],
        "on_time",
        "{backend:?}"
    );
    assert_eq!(
        audit_rows(&app.db, "incident.report").await.len(),
        3,
        "{backend:?}"
    );
}

#[both_engines]
async fn an_incident_and_its_initial_report_in_one_step_with_its_deadlines_in_china_time(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let (_, user, _) = hebei(&app).await;
    // 3 deaths half an hour ago, given as China time without an offset.
    let occurred = (Utc::now() - Duration::minutes(30))
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("offset"))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let mut body = incident(&occurred, 3, 0, 0);
    body["stated_severity"] = json!("relatively_serious");
    body["initial_report"] = json!({"direct": false});
    let made = created(&app, &user, "/api/v1/incidents", body).await;
    let reports = made["reports"].as_array().expect("reports");
    assert_eq!(reports.len(), 1, "{backend:?}: {made}");
    let report = &reports[0];
    assert_eq!(report["stage"], "initial", "{backend:?}");
    assert_eq!(report["deaths"], 3, "{backend:?}: the incident's figures");
    assert_eq!(
        report["summary"], "事故",
        "{backend:?}: the incident's summary"
    );
    assert_eq!(
        report["stated_severity"], "relatively_serious",
        "{backend:?}"
    );
    assert_eq!(made["stated_severity"], "relatively_serious", "{backend:?}");
    let occurred_at = instant(&made["occurred_at"]);
    assert_eq!(
        occurred_at
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("+8"))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        occurred,
        "{backend:?}: read as China time"
    );
    // Initial on time (its report), no direct duty, final still due.
    let initial = deadline(&made, "initial_report");
    assert_eq!(initial["status"], "on_time", "{backend:?}: {made}");
    assert_eq!(initial["still_due"], false, "{backend:?}");
    assert_eq!(initial["report_id"], report["id"], "{backend:?}");
    assert_eq!(
        instant(&initial["due_at"]),
        occurred_at + Duration::minutes(120),
        "{backend:?}"
    );
    assert_eq!(
        deadline(&made, "direct_report")["status"],
        "not_required",
        "{backend:?}"
    );
    let last = deadline(&made, "final_report");
    assert_eq!(last["status"], "pending", "{backend:?}");
    assert_eq!(last["still_due"], true, "{backend:?}");
    for field in [
        "occurred_at",
        "initial_due_at",
        "final_due_at",
        "created_at",
    ] {
        assert_china_time(&made[field], field);
    }
    for d in made["deadlines"].as_array().expect("deadlines") {
        assert_china_time(&d["due_at"], "due_at");
    }
    assert_eq!(made["points"], 100.0, "{backend:?}: {made}");
    assert_eq!(
        audit_rows(&app.db, "incident.create").await.len(),
        1,
        "{backend:?}"
    );
    assert_eq!(
        audit_rows(&app.db, "incident.report").await.len(),
        1,
        "{backend:?}"
    );

    // Serious, filed with a report that did not go direct: the direct duty is missed.
    let mut serious = incident_ago(Duration::minutes(10), 10);
    serious["initial_report"] = json!({"summary": "10 人死亡"});
    let made = created(&app, &user, "/api/v1/incidents", serious).await;
    assert_eq!(made["reports"][0]["summary"], "10 人死亡", "{backend:?}");
    assert_eq!(
        deadline(&made, "direct_report")["status"],
        "missed",
        "{backend:?}"
    );
    assert_eq!(
        deadline(&made, "direct_report")["still_due"],
        false,
        "{backend:?}"
    );

    // Without one, everything is still due, and a bad report summary changes nothing.
    let mut bad = incident_ago(Duration::minutes(10), 10);
    bad["initial_report"] = json!({"summary": "x".repeat(4001)});
    let (status, body) = app.post("/api/v1/incidents", &user, bad).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {body}"
    );
    assert_eq!(
        body["errors"][0]["field"], "initial_report.summary",
        "{backend:?}"
    );
    let made = created(
        &app,
        &user,
        "/api/v1/incidents",
        incident_ago(Duration::minutes(10), 10),
    )
    .await;
    for duty in ["initial_report", "direct_report", "final_report"] {
        let d = deadline(&made, duty);
        assert_eq!(d["status"], "pending", "{backend:?}: {duty}");
        assert_eq!(d["still_due"], true, "{backend:?}: {duty}");
    }
    let (_, list) = app.get("/api/v1/incidents", &user).await;
    assert_eq!(
        list["total"], 3,
        "{backend:?}: the refused one was not stored"
    );
}

#[both_engines]
async fn departments_see_their_own_incidents_and_supervisors_their_jurisdiction(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let (hebei, beijing) = app.seed_two_provinces(&admin).await;
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
    let made = created(
        &app,
        &hb,
        "/api/v1/incidents",
        incident("2025-05-01T00:00:00Z", 0, 0, 0),
    )
    .await;
    let id = made["id"].as_i64().expect("id");
    let path = format!("/api/v1/incidents/{id}");
    let reports = format!("{path}/reports");
    use StatusCode as S;
    let report = initial(false, 0);
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

//! Reports first filed on paper or by phone, entered afterwards (补录): only
//! admins and national supervisors enter them, with a reason and a reference to
//! the original; they are marked wherever they appear (the incident, the
//! timeliness report, the evidence of accountability items), audited, and
//! never silently on time: entered more than 24 hours after the time they
//! claim, they count when they were entered.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use entities::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use spotcheck_tests::{Backend, TestApp, audit_rows, both_engines, created};

use super::{
    incidents::{deadline, hebei, incident_ago, instant},
    reports::{number, report, sheet, text},
};

/// A complete initial report first filed at `claimed`, entered now.
fn backfill(claimed: chrono::DateTime<Utc>) -> Value {
    json!({"stage": "initial", "reported_at": claimed.to_rfc3339(), "direct": false,
           "deaths": 0, "serious_injuries": 0, "economic_loss_yuan": 0, "summary": "电话初报",
           "reason": "系统故障期间电话报送", "evidence": "值班记录 2026-112 号"})
}

/// The China month of a time the API answered, as a period.
fn month_of(value: &Value) -> String {
    value.as_str().expect("a time")[..7].to_owned()
}

#[both_engines]
async fn only_admins_and_national_supervisors_backfill_with_a_reason_and_evidence(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let (admin, user, hebei) = hebei(&app).await;
    let hb_sup = app.token_for("hb-sup", Role::Supervisor, Some(hebei)).await;
    let national = app.token_for("nat-sup", Role::Supervisor, None).await;
    let leader = app.token_for("leader", Role::Leader, None).await;
    let made = created(
        &app,
        &user,
        "/api/v1/incidents",
        incident_ago(Duration::hours(5), 0),
    )
    .await;
    let id = made["id"].as_i64().expect("id");
    let path = format!("/api/v1/incidents/{id}/reports/backfill");
    let occurred = instant(&made["occurred_at"]);
    let claimed = occurred + Duration::hours(1);
    let without = |field: &str| {
        let mut body = backfill(claimed);
        body[field] = json!("  ");
        body
    };
    use StatusCode as S;
    #[rustfmt::skip]
        let cases = [
            ("the reporting department may not", &user, backfill(claimed), S::FORBIDDEN),
            ("a provincial supervisor may not", &hb_sup, backfill(claimed), S::FORBIDDEN),
            ("a leader may not", &leader, backfill(claimed), S::FORBIDDEN),
            ("a reason is required", &national, without("reason"), S::UNPROCESSABLE_ENTITY),
            ("evidence is required", &national, without("evidence"), S::UNPROCESSABLE_ENTITY),
            ("not before the occurrence", &national, backfill(occurred - Duration::seconds(1)), S::UNPROCESSABLE_ENTITY),
            ("not in the future", &national, backfill(Utc::now() + Duration::minutes(2)), S::UNPROCESSABLE_ENTITY),
            ("a national supervisor may", &national, backfill(claimed), S::CREATED),
            ("an admin may, in order only", &admin, backfill(claimed), S::CONFLICT),
        ];
    for (what, token, body, expected) in cases {
        let (status, body) = app.post(&path, token, body).await;
        assert_eq!(status, expected, "{backend:?}: {what}: {body}");
    }
    let (status, _) = app
        .post(
            "/api/v1/incidents/999999/reports/backfill",
            &admin,
            backfill(claimed),
        )
        .await;
    assert_eq!(status, S::NOT_FOUND, "{backend:?}");
    let audited = audit_rows(&app.db, "incident.report.backfill").await;
    assert_eq!(audited.len(), 1, "{backend:?}: one backfill stored");
    let detail: Value = serde_json::from_str(&audited[0].detail).expect("json");
    assert_eq!(
        detail["backfill_reason"], "系统故障期间电话报送",
        "{backend:?}"
    );
    assert_eq!(
        detail["backfill_evidence"], "值班记录 2026-112 号",
        "{backend:?}"
    );
    assert_eq!(audited[0].actor, "nat-sup", "{backend:?}");
    assert!(
        audit_rows(&app.db, "incident.report").await.is_empty(),
        "{backend:?}"
    );
}

#[both_engines]
async fn a_backfill_is_marked_everywhere_and_counts_when_entered_unless_entered_promptly(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let (admin, user, _) = hebei(&app).await;
    let national = app.token_for("nat-sup", Role::Supervisor, None).await;
    // Phoned in an hour after an accident 50 hours ago, entered now: more than
    // 24 hours after the time it claims, so it counts now, long after its deadline.
    let stale = created(
        &app,
        &user,
        "/api/v1/incidents",
        incident_ago(Duration::hours(50), 0),
    )
    .await;
    // Phoned in an hour after an accident 5 hours ago, entered now: it counts then.
    let prompt = created(
        &app,
        &user,
        "/api/v1/incidents",
        incident_ago(Duration::hours(5), 0),
    )
    .await;
    let mut entered = Vec::new();
    for made in [&stale, &prompt] {
        let id = made["id"].as_i64().expect("id");
        let claimed = instant(&made["occurred_at"]) + Duration::hours(1);
        let path = format!("/api/v1/incidents/{id}/reports/backfill");
        let (status, view) = app.post(&path, &national, backfill(claimed)).await;
        assert_eq!(status, StatusCode::CREATED, "{backend:?}: {view}");
        let report = &view["reports"][0];
        assert_eq!(report["backfilled"], true, "{backend:?}: {report}");
        assert_eq!(
            report["backfill_reason"], "系统故障期间电话报送",
            "{backend:?}"
        );
        assert_eq!(
            report["backfill_evidence"], "值班记录 2026-112 号",
            "{backend:?}"
        );
        assert_eq!(instant(&report["reported_at"]), claimed, "{backend:?}");
        entered.push(view);
    }
    let [stale, prompt] = [&entered[0], &entered[1]];
    let late = &stale["reports"][0];
    assert_eq!(
        late["counted_at"], late["created_at"],
        "{backend:?}: counted when entered: {late}"
    );
    assert_eq!(
        deadline(stale, "initial_report")["status"],
        "late",
        "{backend:?}"
    );
    assert_eq!(stale["flags"], json!(["report_late"]), "{backend:?}");
    assert_eq!(stale["points"], 60.0, "{backend:?}");
    let on_time = &prompt["reports"][0];
    assert_eq!(on_time["counted_at"], on_time["reported_at"], "{backend:?}");
    assert_eq!(
        deadline(prompt, "initial_report")["status"],
        "on_time",
        "{backend:?}"
    );
    assert_eq!(prompt["points"], 100.0, "{backend:?}");
    // The department sees the marks on its own incident.
    let (_, seen) = app
        .get(&format!("/api/v1/incidents/{}", prompt["id"]), &user)
        .await;
    assert_eq!(seen["reports"][0]["backfilled"], true, "{backend:?}");

    // The timeliness report counts them apart, in the months they occurred.
    let months: BTreeSet<String> = [stale, prompt]
        .iter()
        .map(|i| month_of(&i["occurred_at"]))
        .collect();
    let (mut backfilled, mut counted_on_time, mut on_time_total) = (0.0, 0.0, 0.0);
    for month in &months {
        let bytes = report(
            &app,
            &admin,
            &format!("/api/v1/reports/timeliness?period={month}"),
        )
        .await;
        let (header, rows) = sheet(&bytes, "报送及时性");
        let at = |name: &str| header.iter().position(|h| h == name).expect("column");
        let hb = rows
            .iter()
            .find(|r| text(&r[0]) == "河北省应急管理厅")
            .expect("河北");
        backfilled += number(&hb[at("补录初报起数")]).unwrap_or_default();
        counted_on_time += number(&hb[at("补录计为按时")]).unwrap_or_default();
        on_time_total += number(&hb[at("按时初报")]).unwrap_or_default();
    }
    assert_eq!(backfilled, 2.0, "{backend:?}: both backfills shown");
    assert_eq!(
        counted_on_time, 1.0,
        "{backend:?}: only the prompt one on time"
    );
    assert_eq!(on_time_total, 1.0, "{backend:?}");

    // The late one's accountability item says its evidence rests on a backfill.
    let due_month = month_of(&deadline(stale, "initial_report")["due_at"]);
    let (status, body) = app
        .post(
            &format!("/api/v1/scores/{due_month}/recompute"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
    let (_, items) = app
        .get("/api/v1/accountability?reason=report_late", &admin)
        .await;
    let item = &items["items"][0];
    assert_eq!(item["evidence"]["kind"], "incident", "{backend:?}: {items}");
    assert_eq!(item["evidence"]["id"], stale["id"], "{backend:?}");
    assert_eq!(item["evidence"]["backfilled"], true, "{backend:?}");
    let bytes = report(
        &app,
        &admin,
        &format!("/api/v1/reports/accountability?period={due_month}"),
    )
    .await;
    let (header, rows) = sheet(&bytes, "问责事项");
    let evidence = header.iter().position(|h| h == "证据").expect("证据");
    assert!(
        rows.iter()
            .any(|r| text(&r[evidence]) == format!("事故 #{}（含补录报告）", stale["id"])),
        "{backend:?}: the report marks it too"
    );
}

//! Fair severity: each statement of severity is held to the figures known
//! when it was made. Later figures that raise the severity flag nothing; a
//! report that states less than its own figures call for is flagged, the
//! accountability item names that report, and the report calls it 等级报低.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use spotcheck_tests::{Backend, TestApp, both_engines, created};

use super::{
    incidents::{deadline, hebei, incident_ago},
    reports::{report, sheet, text},
};

fn understated(incident: &Value) -> bool {
    incident["flags"]
        .as_array()
        .expect("flags")
        .contains(&json!("severity_understated"))
}

#[both_engines]
async fn later_figures_do_not_make_an_honest_statement_understated(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, user, _) = hebei(&app).await;
    // One death, stated ordinary, filed with its initial report: honest.
    let mut body = incident_ago(Duration::minutes(40), 1);
    body["stated_severity"] = json!("ordinary");
    body["initial_report"] = json!({"direct": false});
    let made = created(&app, &user, "/api/v1/incidents", body).await;
    assert!(!understated(&made), "{backend:?}: {made}");
    let path = format!("/api/v1/incidents/{}/reports", made["id"]);
    // A follow-up raises the deaths to 3: relatively serious now, still nothing understated.
    let (status, raised) = app
        .post(&path, &user, json!({"stage": "follow_up", "deaths": 3}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{backend:?}: {raised}");
    assert_eq!(
        raised["derived_severity"], "relatively_serious",
        "{backend:?}"
    );
    assert!(!understated(&raised), "{backend:?}: {raised}");
    assert_eq!(
        raised["reports"][1]["derived_severity"], "relatively_serious",
        "{backend:?}"
    );
    assert_eq!(
        raised["reports"][0]["derived_severity"], "ordinary",
        "{backend:?}"
    );
    // The department restates it: still nothing understated, and the statement shows.
    let (status, restated) = app
        .post(
            &path,
            &user,
            json!({"stage": "follow_up", "stated_severity": "relatively_serious"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{backend:?}: {restated}");
    assert!(!understated(&restated), "{backend:?}: {restated}");
    assert_eq!(
        restated["stated_severity"], "relatively_serious",
        "{backend:?}"
    );
}

#[both_engines]
async fn a_report_stating_less_than_its_figures_is_named_and_called_understated(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (admin, user, hebei) = hebei(&app).await;
    let made = created(
        &app,
        &user,
        "/api/v1/incidents",
        incident_ago(Duration::minutes(40), 1),
    )
    .await;
    let id = made["id"].as_i64().expect("id");
    let path = format!("/api/v1/incidents/{id}/reports");
    let (status, first) = app
        .post(
            &path,
            &user,
            json!({"stage": "initial", "direct": false, "stated_severity": "ordinary"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{backend:?}: {first}");
    assert!(!understated(&first), "{backend:?}: one death is ordinary");
    // Three deaths known, still stated ordinary: understated, by this report.
    let (status, view) = app
        .post(
            &path,
            &user,
            json!({"stage": "follow_up", "deaths": 3, "stated_severity": "ordinary"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{backend:?}: {view}");
    assert!(understated(&view), "{backend:?}: {view}");
    let culprit = &view["reports"][1];
    assert_eq!(culprit["understated"], true, "{backend:?}: {culprit}");
    assert_eq!(view["reports"][0]["understated"], false, "{backend:?}");

    // Recomputed, the item names the report and leads to its incident.
    let month = deadline(&view, "initial_report")["due_at"]
        .as_str()
        .expect("due")[..7]
        .to_owned();
    let (status, body) = app
        .post(
            &format!("/api/v1/scores/{month}/recompute"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
    assert_eq!(
        body["raised"]["severity_understated"], 1,
        "{backend:?}: {body}"
    );
    let (_, items) = app
        .get("/api/v1/accountability?reason=severity_understated", &user)
        .await;
    assert_eq!(items["total"], 1, "{backend:?}: {items}");
    let item = &items["items"][0];
    assert_eq!(item["subject_id"], hebei, "{backend:?}");
    assert_eq!(
        item["evidence"],
        json!({"kind": "incident_report", "id": culprit["id"],
                   "href": format!("/api/v1/incidents/{id}"), "backfilled": false}),
        "{backend:?}"
    );
    // Recomputing raises nothing more.
    let (_, again) = app
        .post(
            &format!("/api/v1/scores/{month}/recompute"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(
        again["raised"]["severity_understated"], 0,
        "{backend:?}: {again}"
    );

    // The accountability report words it as what it is.
    let bytes = report(
        &app,
        &admin,
        &format!("/api/v1/reports/accountability?period={month}"),
    )
    .await;
    let (header, rows) = sheet(&bytes, "问责事项");
    let reason = header
        .iter()
        .position(|h| h == "问责事由")
        .expect("问责事由");
    let evidence = header.iter().position(|h| h == "证据").expect("证据");
    let row = rows
        .iter()
        .find(|r| text(&r[reason]).starts_with("等级报低"))
        .unwrap_or_else(|| panic!("{backend:?}: no 等级报低 row"));
    assert!(
        !text(&row[reason]).contains("瞒报"),
        "{backend:?}: not concealment"
    );
    assert_eq!(
        text(&row[evidence]),
        format!("事故 #{id} 报告 #{}", culprit["id"]),
        "{backend:?}"
    );
}

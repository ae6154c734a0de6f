//! Indicator sets: versions, and no change once in use.

use entities::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use spotcheck_tests::{Backend, TwoProvinces, audit_rows, both_engines};

use super::score_fixture::indicator;

#[both_engines]
async fn a_set_in_use_cannot_change_and_is_superseded_by_a_new_version(backend: Backend) {
    let TwoProvinces {
        app, admin, hebei, ..
    } = TwoProvinces::spawn(backend).await;
    let dept = app
        .token_for("hb-dept", Role::Department, Some(hebei))
        .await;
    let v1 = app
        .indicator_set(
            &admin,
            "DS",
            json!([indicator("DS-1", "data_security", 10.0, 1.0, "department")]),
        )
        .await
        .id;
    let add = format!("/api/v1/indicator-sets/{v1}/indicators");
    app.create::<Value>(
        &add,
        &admin,
        indicator("DS-2", "data_security", 5.0, 1.0, "department"),
    )
    .await;
    let (status, body) = app
        .post(
            &add,
            &admin,
            indicator("DS-2", "other", 5.0, 1.0, "department"),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: duplicate code: {body}"
    );

    let (_, set) = app
        .get(&format!("/api/v1/indicator-sets/{v1}"), &dept)
        .await;
    assert_eq!(
        (set["version"].as_i64(), set["in_use"].as_bool()),
        (Some(1), Some(false)),
        "{backend:?}: {set}"
    );
    let ids: Vec<i64> = set["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect();
    let items: Vec<_> = ids
        .iter()
        .map(|i| json!({"indicator_id": i, "points": 1}))
        .collect();
    app.create::<Value>(
        "/api/v1/self-assessments",
        &dept,
        json!({"period": "2026", "indicator_set_id": v1, "items": items}),
    )
    .await;

    let (status, body) = app
        .post(
            &add,
            &admin,
            indicator("DS-3", "data_security", 5.0, 1.0, "department"),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{backend:?}: in use: {body}");

    let v2 = app
        .indicator_set(
            &admin,
            "DS",
            json!([indicator("DS-1", "data_security", 10.0, 2.0, "department")]),
        )
        .await
        .id;
    let (_, old) = app
        .get(&format!("/api/v1/indicator-sets/{v1}"), &admin)
        .await;
    assert_eq!(old["status"], "superseded", "{backend:?}");
    assert_eq!(old["superseded_by"], v2, "{backend:?}");
    assert_eq!(
        old["indicators"].as_array().map(Vec::len),
        Some(2),
        "{backend:?}: unchanged"
    );
    let (_, new) = app
        .get(&format!("/api/v1/indicator-sets/{v2}/indicators"), &admin)
        .await;
    assert_eq!(new[0]["weight"], 2.0, "{backend:?}: {new}");
    let (_, list) = app.get("/api/v1/indicator-sets?code=DS", &dept).await;
    assert_eq!(list["total"], 2, "{backend:?}");
    assert_eq!(list["items"][0]["version"], 2, "{backend:?}: newest first");

    let (status, body) = app
        .post(
            "/api/v1/self-assessments",
            &dept,
            json!({"period": "2026Q1", "indicator_set_id": v1, "items": []}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: superseded: {body}"
    );
    let (status, body) = app
        .post(
            &format!("/api/v1/indicator-sets/{v1}/indicators"),
            &admin,
            indicator("DS-9", "other", 1.0, 1.0, "department"),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "{backend:?}: superseded: {body}"
    );
    assert_eq!(
        audit_rows(&app.db, "indicator_set.create").await.len(),
        2,
        "{backend:?}"
    );
}

#[both_engines]
async fn every_problem_with_a_set_is_listed_and_only_supervisors_write(backend: Backend) {
    let TwoProvinces { app, hebei, .. } = TwoProvinces::spawn(backend).await;
    let leader = app.token_for("leader", Role::Leader, None).await;
    let dept = app
        .token_for("hb-dept", Role::Department, Some(hebei))
        .await;
    let supervisor = app.token_for("hb-sup", Role::Supervisor, Some(hebei)).await;
    let body = json!({"code": " ", "name": "x", "indicators": [
        {"code": "A", "name": "a", "legal_basis": "", "category": "other", "max_points": 0, "weight": -1, "applies_to": "enterprise"},
        {"code": "A", "name": "b", "legal_basis": "《安全生产法》", "category": "other", "max_points": 1, "weight": 1, "applies_to": "enterprise"}
    ]});
    let problem = app
        .post_refused(
            "/api/v1/indicator-sets",
            &supervisor,
            body.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    let mut fields = problem.fields();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "code",
            "indicators[0].legal_basis",
            "indicators[0].max_points",
            "indicators[0].weight",
            "indicators[1].code"
        ],
        "{backend:?}"
    );
    for (who, token) in [("leader", &leader), ("department", &dept)] {
        let (status, _) = app
            .post("/api/v1/indicator-sets", token, body.clone())
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}: {who}");
    }
}

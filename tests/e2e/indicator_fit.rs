//! Indicator sets that fit what is checked: a plan's set must hold indicators
//! for its targets (on create and on change), a plan without a set is not
//! drawn, findings go only on the drawn set's indicators for the target, and a
//! self-assessment needs a set for its subject and some points to submit.

use entities::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use spotcheck_tests::{Backend, both_engines, created, indicator_set_ids as indicator_set};

use super::{
    fixtures::{Ent, OneTask, World, plan_body, problem_fields},
    score_fixture::indicator,
};

fn message_of(body: &Value, field: &str) -> String {
    body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["field"] == field)
        .and_then(|e| e["message"].as_str())
        .unwrap_or_default()
        .to_owned()
}

#[both_engines]
async fn a_plan_needs_an_indicator_set_with_indicators_for_its_targets_on_create_and_change(
    backend: Backend,
) {
    let w = World::new(backend).await;
    let departments_only = w
        .indicator_set_for("DEPT", "department", &[(10.0, 1.0)])
        .await;
    let enterprises = w.indicator_set("ENT", &[(10.0, 1.0)]).await;

    let (status, refused) = w
        .app
        .post(
            "/api/v1/plans",
            &w.supervisor,
            plan_body("企业抽查", json!({"indicator_set_id": departments_only.id})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {refused}"
    );
    assert_eq!(
        problem_fields(&refused),
        ["indicator_set_id"],
        "{backend:?}"
    );
    let says = message_of(&refused, "indicator_set_id");
    assert!(
        says.contains(&departments_only.id.to_string()) && says.contains("企业"),
        "{backend:?}: the message names the set and the targets: {says}"
    );
    let (_, plans) = w.app.get("/api/v1/plans", &w.supervisor).await;
    assert_eq!(plans["total"], 0, "{backend:?}: nothing created");

    let plan = w
        .plan(plan_body(
            "企业抽查",
            json!({"indicator_set_id": enterprises.id}),
        ))
        .await;
    let path = format!("/api/v1/plans/{plan}");
    let (status, changed) = w
        .app
        .call(
            Method::PATCH,
            &path,
            Some(&w.supervisor),
            Some(json!({"indicator_set_id": departments_only.id})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {changed}"
    );
    assert_eq!(
        problem_fields(&changed),
        ["indicator_set_id"],
        "{backend:?}"
    );
    // Turning it into a department plan keeps the enterprise set: refused too.
    let (status, turned) = w
        .app
        .call(
            Method::PATCH,
            &path,
            Some(&w.supervisor),
            Some(json!({"target_kind": "department", "ratios": {}})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {turned}"
    );
    assert!(
        problem_fields(&turned).contains(&"indicator_set_id".to_owned()),
        "{backend:?}: {turned}"
    );
    let (_, unchanged) = w.app.get(&path, &w.supervisor).await;
    assert_eq!(
        (
            unchanged["indicator_set_id"].as_i64(),
            unchanged["target_kind"].as_str()
        ),
        (Some(enterprises.id), Some("enterprise")),
        "{backend:?}: {unchanged}"
    );
}

#[both_engines]
async fn a_plan_without_an_indicator_set_is_not_drawn(backend: Backend) {
    let w = World::new(backend).await;
    w.enterprises(2, Ent::default()).await;
    w.inspector("HB-001", "130000", &["hazardous_chemicals"])
        .await;
    let plan = w
        .plan(plan_body(
            "无指标集",
            json!({"ratios": {"high": 1.0}, "inspectors_per_task": 1, "indicator_set_id": null}),
        ))
        .await;

    let (status, refused) = w.try_draw(plan, json!({"seed": 1})).await;

    assert_eq!(status, StatusCode::CONFLICT, "{backend:?}: {refused}");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("指标集") && m.contains("indicator_set_id")),
        "{backend:?}: {refused}"
    );
    let (_, draws) = w
        .app
        .get(&format!("/api/v1/plans/{plan}/draws"), &w.supervisor)
        .await;
    assert_eq!(
        draws.as_array().map(Vec::len),
        Some(0),
        "{backend:?}: {draws}"
    );
    let (_, tasks) = w.app.get("/api/v1/tasks", &w.supervisor).await;
    assert_eq!(tasks["total"], 0, "{backend:?}: {tasks}");
}

#[both_engines]
async fn findings_go_only_on_the_drawn_sets_indicators_for_the_target(backend: Backend) {
    let t = OneTask::new(backend).await;
    let w = &t.w;
    let (mixed, ids) = indicator_set(
        &w.app,
        &w.admin,
        "MIX",
        json!([
            indicator("MIX-E", "other", 10.0, 1.0, "enterprise"),
            indicator("MIX-D", "other", 10.0, 1.0, "department")
        ]),
    )
    .await;
    w.step_ok(t.task, "start", t.lead()).await;
    // The plan moves to another set after the draw: its tasks keep the set they were drawn with.
    let (_, task) = w
        .app
        .get(&format!("/api/v1/tasks/{}", t.task), &w.supervisor)
        .await;
    let plan = task["plan"]["id"]
        .as_i64()
        .expect("the task names its plan");
    let (status, moved) = w
        .app
        .call(
            Method::PATCH,
            &format!("/api/v1/plans/{plan}"),
            Some(&w.supervisor),
            Some(json!({"indicator_set_id": mixed})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {moved}");

    let path = format!("/api/v1/tasks/{}/findings", t.task);
    for (indicator_id, why) in [
        (ids[0], "an indicator of the plan's new set"),
        (ids[1], "an indicator for departments"),
        (999_999, "no such indicator"),
    ] {
        let mut body = t.finding(0, 5.0);
        body["indicator_id"] = json!(indicator_id);
        let (status, refused) = w.app.post(&path, t.lead(), body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend:?} {why}: {refused}"
        );
        assert!(
            problem_fields(&refused).contains(&"indicator_id".to_owned()),
            "{backend:?} {why}: {refused}"
        );
    }
    let (status, accepted) = w.app.post(&path, t.lead(), t.finding(0, 5.0)).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{backend:?}: the drawn set's indicator: {accepted}"
    );
    let (_, task) = w
        .app
        .get(&format!("/api/v1/tasks/{}", t.task), t.lead())
        .await;
    let listed: Vec<i64> = task["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(listed, t.set.indicators, "{backend:?}: {task}");
}

#[both_engines]
async fn a_self_assessment_needs_a_set_for_its_subject_and_is_not_submitted_empty(
    backend: Backend,
) {
    let w = World::new(backend).await;
    let dept = w
        .app
        .token_for("hb-dept", Role::Department, Some(w.hebei))
        .await;
    let (for_enterprises, _) = indicator_set(
        &w.app,
        &w.admin,
        "ONLY-E",
        json!([indicator("E1", "data_security", 10.0, 1.0, "enterprise")]),
    )
    .await;
    let (for_departments, _) = indicator_set(
        &w.app,
        &w.admin,
        "DEPT-DS",
        json!([indicator("D1", "data_security", 10.0, 1.0, "department")]),
    )
    .await;

    let (status, refused) = w
        .app
        .post(
            "/api/v1/self-assessments",
            &dept,
            json!({"period": "2026Q4", "indicator_set_id": for_enterprises, "items": []}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {refused}"
    );
    assert_eq!(
        problem_fields(&refused),
        ["indicator_set_id"],
        "{backend:?}"
    );

    let draft = created(
        &w.app,
        &dept,
        "/api/v1/self-assessments",
        json!({"period": "2026Q4", "indicator_set_id": for_departments, "items": []}),
    )
    .await;
    let id = draft["id"].as_i64().expect("id");
    let (status, empty) = w
        .app
        .post(
            &format!("/api/v1/self-assessments/{id}/submit"),
            &dept,
            json!({}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {empty}"
    );
    assert_eq!(problem_fields(&empty), ["items"], "{backend:?}: {empty}");
    let (_, still) = w
        .app
        .get(&format!("/api/v1/self-assessments/{id}"), &dept)
        .await;
    assert_eq!(still["status"], "draft", "{backend:?}: {still}");
}

//! Check plans over HTTP: defaults, validation listing every problem, role
//! rights and region scope, partial changes and archived plans.

use entities::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;
use spotcheck_tests::{Backend, both_engines};

use super::fixtures::{World, item_ids, plan_body, problem_fields};

#[both_engines]
async fn a_plan_is_created_with_defaults_and_owned_by_the_supervisors_department(backend: Backend) {
    let w = World::new(backend).await;

    let (status, plan) = w
        .app
        .post(
            "/api/v1/plans",
            &w.supervisor,
            json!({"name": "2026年第四季度危险化学品企业双随机抽查"}),
        )
        .await;

    assert_eq!(status, StatusCode::CREATED, "{backend:?}: {plan}");
    assert!(plan["id"].as_i64().is_some(), "{backend:?}: {plan}");
    assert_eq!(plan["uniform_share"], 0.2, "{backend:?}: {plan}");
    assert_eq!(plan["inspectors_per_task"], 2, "{backend:?}: {plan}");
    assert_eq!(plan["status"], "draft", "{backend:?}: {plan}");
    assert_eq!(plan["target_kind"], "enterprise", "{backend:?}: {plan}");
    assert_eq!(plan["require_qualification"], true, "{backend:?}: {plan}");
    assert_eq!(plan["cooldown_days"], 0, "{backend:?}: {plan}");
    assert_eq!(plan["due_days"], 30, "{backend:?}: {plan}");
    assert_eq!(plan["key_all"], false, "{backend:?}: {plan}");
    assert_eq!(plan["owner_department_id"], w.hebei, "{backend:?}: {plan}");
    assert!(plan["cron"].is_null(), "{backend:?}: {plan}");
}

#[both_engines]
async fn an_invalid_plan_is_refused_with_every_problem_listed(backend: Backend) {
    let w = World::new(backend).await;

    let invalid = json!({
        "name": "错误的计划",
        "ratios": {"major": 1.5, "huge": 0.1},
        "uniform_share": -0.1,
        "inspectors_per_task": 0,
        "cron": "0 9 * *",
        "region_prefixes": ["1399"],
        "department_ids": [999_999],
        "indicator_set_id": 999_999,
    });

    let problem = w
        .app
        .post_refused(
            "/api/v1/plans",
            &w.supervisor,
            invalid,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;

    assert_eq!(
        problem.code, "validation_failed",
        "{backend:?}: {problem:?}"
    );
    for (field, says) in [
        ("ratios", "'major' must be between 0 and 1"),
        ("ratios", "'huge' is not a stratum"),
        ("uniform_share", "between 0 and 1"),
        ("inspectors_per_task", "between 1 and 20"),
        ("cron", ""),
        ("region_prefixes", "1399"),
        ("department_ids", "999999"),
        ("indicator_set_id", "999999"),
    ] {
        assert!(
            problem.names(field, says),
            "{backend:?}: no problem with {field} saying '{says}' in {problem:?}"
        );
    }
    let (_, plans) = w.app.get("/api/v1/plans", &w.admin).await;
    assert_eq!(plans["total"], 0, "{backend:?}: nothing created: {plans}");
}

#[both_engines]
async fn departments_inspectors_and_leaders_cannot_create_plans(backend: Backend) {
    let w = World::new(backend).await;
    let department = w
        .app
        .token_for("hb-department", Role::Department, Some(w.hebei))
        .await;
    let (_, inspector) = w.inspector_user("HB-100", "130000", &[]).await;
    let leader = w.app.token_for("leader", Role::Leader, None).await;
    let body = json!({"name": "越权的计划"});

    for (who, token) in [
        ("department user", &department),
        ("inspector", &inspector),
        ("leader", &leader),
    ] {
        let (status, answer) = w.app.post("/api/v1/plans", token, body.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?} {who}: {answer}");
        assert_eq!(answer["code"], "forbidden", "{backend:?} {who}: {answer}");
    }
    for (who, token) in [("department user", &department), ("inspector", &inspector)] {
        let (status, answer) = w.app.get("/api/v1/plans", token).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{backend:?} {who} lists: {answer}"
        );
    }
    let (_, plans) = w.app.get("/api/v1/plans", &w.admin).await;
    assert_eq!(plans["total"], 0, "{backend:?}: {plans}");
}

#[both_engines]
async fn a_supervisor_of_another_province_cannot_see_or_change_the_plan(backend: Backend) {
    let w = World::new(backend).await;
    let plan = w.plan(json!({"name": "河北的计划"})).await;
    let beijing = w
        .app
        .token_for("bj-supervisor", Role::Supervisor, Some(w.beijing))
        .await;
    let path = format!("/api/v1/plans/{plan}");

    let (get_status, got) = w.app.get(&path, &beijing).await;
    let (patch_status, patched) = w
        .app
        .call(
            Method::PATCH,
            &path,
            Some(&beijing),
            Some(json!({"name": "北京改的"})),
        )
        .await;
    let (_, listed) = w.app.get("/api/v1/plans", &beijing).await;

    assert_eq!(get_status, StatusCode::NOT_FOUND, "{backend:?}: {got}");
    assert_eq!(
        patch_status,
        StatusCode::NOT_FOUND,
        "{backend:?}: {patched}"
    );
    assert!(item_ids(&listed).is_empty(), "{backend:?}: listed {listed}");
    let (_, plan_now) = w.app.get(&path, &w.supervisor).await;
    assert_eq!(plan_now["name"], "河北的计划", "{backend:?}: {plan_now}");
}

#[both_engines]
async fn patch_changes_only_the_given_fields_and_an_archived_plan_no_longer_changes(
    backend: Backend,
) {
    let w = World::new(backend).await;
    let plan = w
        .plan(plan_body(
            "季度抽查",
            json!({"ratios": {"high": 0.3}, "cooldown_days": 90, "cron": "0 0 9 1 * *", "key_all": true}),
        ))
        .await;
    let path = format!("/api/v1/plans/{plan}");
    let (_, before) = w.app.get(&path, &w.supervisor).await;

    let (status, after) = w
        .app
        .call(
            Method::PATCH,
            &path,
            Some(&w.supervisor),
            Some(json!({"inspectors_per_task": 3, "status": "active"})),
        )
        .await;

    assert_eq!(status, StatusCode::OK, "{backend:?}: {after}");
    for (field, value) in before.as_object().expect("plan") {
        match field.as_str() {
            "inspectors_per_task" => assert_eq!(after[field], 3, "{backend:?}"),
            "status" => assert_eq!(after[field], "active", "{backend:?}"),
            "updated_at" => {}
            _ => assert_eq!(&after[field], value, "{backend:?}: {field} changed"),
        }
    }

    let (status, invalid) = w
        .app
        .call(
            Method::PATCH,
            &path,
            Some(&w.supervisor),
            Some(json!({"uniform_share": 2.0})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {invalid}"
    );
    assert_eq!(problem_fields(&invalid), ["uniform_share"], "{backend:?}");

    let (status, archived) = w
        .app
        .call(
            Method::PATCH,
            &path,
            Some(&w.supervisor),
            Some(json!({"status": "archived"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {archived}");
    let (status, refused) = w
        .app
        .call(
            Method::PATCH,
            &path,
            Some(&w.supervisor),
            Some(json!({"name": "改个名字"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{backend:?}: {refused}");
    assert_eq!(refused["code"], "conflict", "{backend:?}: {refused}");
    let (_, plan_now) = w.app.get(&path, &w.supervisor).await;
    assert_eq!(plan_now["name"], "季度抽查", "{backend:?}: {plan_now}");
    assert_eq!(plan_now["status"], "archived", "{backend:?}: {plan_now}");
}

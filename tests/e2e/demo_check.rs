//! The demo carries one enterprise check from the draw to the public results
//! with nothing but API calls: the supervisor draws the demo's enterprise
//! plan, an inspector of the drawn team works it (the administrator gives
//! them a login if they have none), the supervisor returns it once, reviews
//! and publishes, and anyone reads the result. The hazard the check found is
//! then rectified by the enterprise's department and verified (销号) by the
//! inspector, and the public results show it so.

use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use spotcheck::domain::workdays::china_date;
use spotcheck_tests::{Backend, TestApp, both_engines};

use super::demo::{password_of, run_demo};

const ENTERPRISE_PLAN: &str = "2026年河北省企业安全生产“双随机、一公开”抽查";
const DEPARTMENT_PLAN: &str = "2026年河北省应急管理部门数据安全检查";

async fn ok(app: &TestApp, method: Method, path: &str, token: &str, body: Option<Value>) -> Value {
    let (status, answer) = app.call(method.clone(), path, Some(token), body).await;
    assert!(
        status.is_success(),
        "{:?} {method} {path}: {status} {answer}",
        app.backend()
    );
    answer
}

/// The demo plan named `name`, as the supervisor lists it.
async fn plan_named(app: &TestApp, supervisor: &str, name: &str) -> Value {
    let plans = ok(
        app,
        Method::GET,
        "/api/v1/plans?page_size=100",
        supervisor,
        None,
    )
    .await;
    plans["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no demo plan {name}: {plans}"))
        .clone()
}

/// A login for the lead inspector of a task: the demo's `inspector` user if
/// the lead is the inspector it is linked to, else a new user of the lead's
/// department that the administrator creates and links.
async fn lead_login(app: &TestApp, admin: &str, demo_output: &str, lead: i64) -> String {
    let path = format!("/api/v1/inspectors/{lead}");
    let mut record = ok(app, Method::GET, &path, admin, None).await;
    if !record["user_id"].is_null() {
        return app
            .login("inspector", &password_of(demo_output, "inspector"))
            .await;
    }
    let password = "Demo-Check-2026!";
    let user = ok(
        app,
        Method::POST,
        "/api/v1/users",
        admin,
        Some(
            json!({"username": "lead-inspector", "password": password, "role": "inspector",
                    "department_id": record["department_id"]}),
        ),
    )
    .await;
    record["user_id"] = user["id"].clone();
    ok(app, Method::PUT, &path, admin, Some(record)).await;
    app.login("lead-inspector", password).await
}

/// A login for the emergency-management department of the enterprise's
/// region: the demo's `department` user when that is its department, else a
/// new department user that the administrator creates there.
async fn department_login(app: &TestApp, admin: &str, demo_output: &str, region: &str) -> String {
    let departments = ok(
        app,
        Method::GET,
        &format!(
            "/api/v1/departments?region_prefix={region}&kind=emergency_management&page_size=100"
        ),
        admin,
        None,
    )
    .await;
    let department = departments["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|d| d["region_code"] == region)
        .unwrap_or_else(|| panic!("no department of {region}: {departments}"))
        .clone();
    if department["code"] == "EM-130102" {
        return app
            .login("department", &password_of(demo_output, "department"))
            .await;
    }
    let password = "Demo-Rectify-2026!";
    ok(
        app,
        Method::POST,
        "/api/v1/users",
        admin,
        Some(
            json!({"username": "enterprise-department", "password": password,
                    "role": "department", "department_id": department["id"]}),
        ),
    )
    .await;
    app.login("enterprise-department", password).await
}

/// The published result of the check of `target_name`, as anyone reads it.
async fn published(app: &TestApp, target_name: &Value) -> Value {
    let public: Value = app
        .request(Method::GET, "/public/v1/results?region_code=130000")
        .send()
        .await
        .expect("public results")
        .json()
        .await
        .expect("json");
    public["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["target_name"] == *target_name)
        .unwrap_or_else(|| panic!("{:?}: not published: {public}", app.backend()))
        .clone()
}

#[both_engines]
async fn the_demo_carries_an_enterprise_check_from_the_draw_to_the_public_results(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let output = run_demo(&app, "300");
    let admin = app.login("admin", &password_of(&output, "admin")).await;
    let supervisor = app
        .login("supervisor", &password_of(&output, "supervisor"))
        .await;

    // The demo's enterprise plan is checked against the enterprise set.
    let plan = plan_named(&app, &supervisor, ENTERPRISE_PLAN).await;
    let set_path = format!("/api/v1/indicator-sets/{}", plan["indicator_set_id"]);
    let set = ok(&app, Method::GET, &set_path, &supervisor, None).await;
    let indicators = set["indicators"].as_array().expect("indicators");
    assert!(
        indicators.iter().all(|i| i["applies_to"] == "enterprise"),
        "{backend:?}: {set}"
    );
    let cited = |law: &str, article: &str| {
        indicators.iter().any(|i| {
            i["legal_basis"]
                .as_str()
                .is_some_and(|b| b.contains(law) && b.contains(article))
        })
    };
    assert!(
        cited("《中华人民共和国安全生产法》", "第二十一条"),
        "{backend:?}: {set}"
    );
    assert!(
        cited("《中华人民共和国数据安全法》", "第二十七条"),
        "{backend:?}: {set}"
    );

    let draw = ok(
        &app,
        Method::POST,
        &format!("/api/v1/plans/{}/draws", plan["id"]),
        &supervisor,
        Some(json!({"seed_text": "2026年12月7日 福利彩票双色球第2026140期开奖号码"})),
    )
    .await;
    let drawn = draw["tasks"].as_array().expect("tasks");
    assert!(!drawn.is_empty(), "{backend:?}: {draw}");
    let task_id = drawn[0]["task_id"].as_i64().expect("task id");
    let lead = drawn[0]["inspector_ids"][0].as_i64().expect("lead");
    let inspector = lead_login(&app, &admin, &output, lead).await;

    // The inspector finds the task in their list, with all they need in it.
    let mine = ok(
        &app,
        Method::GET,
        "/api/v1/tasks?mine=true",
        &inspector,
        None,
    )
    .await;
    assert!(
        mine["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|t| t["id"] == task_id),
        "{backend:?}: {mine}"
    );
    let task_path = format!("/api/v1/tasks/{task_id}");
    let task = ok(&app, Method::GET, &task_path, &inspector, None).await;
    assert_eq!(task["plan"]["name"], ENTERPRISE_PLAN, "{backend:?}");
    assert!(
        task["target"]["region_name"].is_string(),
        "{backend:?}: {task}"
    );
    assert_eq!(task["inspectors"][0]["role"], "lead", "{backend:?}");
    let to_score = task["indicators"].as_array().expect("indicators").clone();
    assert_eq!(to_score.len(), indicators.len(), "{backend:?}: {task}");

    ok(
        &app,
        Method::POST,
        &format!("{task_path}/start"),
        &inspector,
        None,
    )
    .await;
    let deadline = (Utc::now() + Duration::days(30)).date_naive().to_string();
    let mut hazard_finding = 0;
    for indicator in &to_score {
        let hazard = indicator["code"] == "ES-06";
        let body = if hazard {
            json!({"indicator_id": indicator["id"], "points": 5.0, "compliant": false,
                       "description": "未如实记录隐患排查治理情况，液氨储罐区可燃气体报警器失效",
                       "hazard_grade": "general", "rectify_by": deadline})
        } else {
            json!({"indicator_id": indicator["id"], "points": indicator["max_points"],
                       "compliant": true, "description": "符合要求"})
        };
        let finding = ok(
            &app,
            Method::POST,
            &format!("{task_path}/findings"),
            &inspector,
            Some(body),
        )
        .await;
        if hazard {
            hazard_finding = finding["id"].as_i64().expect("id");
        }
    }
    assert_ne!(hazard_finding, 0, "{backend:?}: the set has ES-06");
    ok(
        &app,
        Method::POST,
        &format!("{task_path}/submit"),
        &inspector,
        None,
    )
    .await;

    // Sent back once with a reason the inspector reads, then corrected.
    ok(
        &app,
        Method::POST,
        &format!("{task_path}/return"),
        &supervisor,
        Some(json!({"reason": "隐患整改期限过长，请按一般隐患重新核定"})),
    )
    .await;
    let returned = ok(&app, Method::GET, &task_path, &inspector, None).await;
    assert_eq!(
        returned["returns"][0]["reason"], "隐患整改期限过长，请按一般隐患重新核定",
        "{backend:?}: {returned}"
    );
    ok(
        &app,
        Method::POST,
        &format!("{task_path}/start"),
        &inspector,
        None,
    )
    .await;
    let sooner = (Utc::now() + Duration::days(15)).date_naive().to_string();
    let es06 = to_score
        .iter()
        .find(|i| i["code"] == "ES-06")
        .expect("ES-06");
    ok(
        &app,
        Method::PUT,
        &format!("{task_path}/findings/{hazard_finding}"),
        &inspector,
        Some(
            json!({"indicator_id": es06["id"], "points": 6.0, "compliant": false,
                       "description": "未如实记录隐患排查治理情况，液氨储罐区可燃气体报警器失效",
                       "hazard_grade": "general", "rectify_by": sooner}),
        ),
    )
    .await;
    ok(
        &app,
        Method::POST,
        &format!("{task_path}/submit"),
        &inspector,
        None,
    )
    .await;
    let reviewed = ok(
        &app,
        Method::POST,
        &format!("{task_path}/review"),
        &supervisor,
        None,
    )
    .await;
    assert!(
        reviewed["score"]
            .as_f64()
            .is_some_and(|s| s > 90.0 && s < 100.0),
        "{backend:?}: {reviewed}"
    );
    ok(
        &app,
        Method::POST,
        &format!("{task_path}/publish"),
        &supervisor,
        None,
    )
    .await;

    // Anyone reads the result, with the hazard and its new deadline.
    let result = published(&app, &task["target"]["name"]).await;
    assert_eq!(result["result"], "hazards_found", "{backend:?}: {result}");
    assert_eq!(
        result["hazards"][0]["rectify_by"],
        sooner.as_str(),
        "{backend:?}: {result}"
    );
    assert_eq!(result["hazards"][0]["status"], "open", "{backend:?}");

    // The hazard, from the finding to 销号: the supervisor finds it on the
    // enterprise's list, its department reports it rectified, the
    // inspector who found it verifies it.
    let enterprise = &task["target"];
    let hazards = ok(
        &app,
        Method::GET,
        &format!(
            "/api/v1/hazards?enterprise_id={}&status=open",
            enterprise["id"]
        ),
        &supervisor,
        None,
    )
    .await;
    assert_eq!(hazards["total"], 1, "{backend:?}: {hazards}");
    let hazard = &hazards["items"][0];
    assert_eq!(
        hazard["code"],
        format!("T{task_id}-F{hazard_finding}"),
        "{backend:?}: {hazard}"
    );
    assert_eq!(hazard["rectify_by"], sooner.as_str(), "{backend:?}");
    let hazard_path = format!("/api/v1/hazards/{}", hazard["id"]);
    let region = enterprise["region_code"].as_str().expect("a region");
    let department = department_login(&app, &admin, &output, region).await;
    let rectified_on = china_date(Utc::now()).to_string();
    let rectified = ok(
        &app,
        Method::POST,
        &format!("{hazard_path}/rectify"),
        &department,
        Some(
            json!({"note": "已更换可燃气体报警器并接入控制室，隐患排查治理台账已补记",
                        "rectified_on": rectified_on}),
        ),
    )
    .await;
    assert_eq!(rectified["status"], "rectified", "{backend:?}: {rectified}");
    let result = published(&app, &task["target"]["name"]).await;
    assert_eq!(result["hazards"][0]["status"], "rectified", "{backend:?}");
    assert_eq!(
        result["hazards"][0]["rectified_on"],
        rectified_on.as_str(),
        "{backend:?}: {result}"
    );
    let verified = ok(
        &app,
        Method::POST,
        &format!("{hazard_path}/verify"),
        &inspector,
        Some(json!({"note": "现场复查，整改到位，同意销号"})),
    )
    .await;
    assert_eq!(verified["status"], "verified", "{backend:?}: {verified}");
    let steps: Vec<&str> = verified["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|s| s["step"].as_str())
        .collect();
    assert_eq!(steps, ["rectify", "verify"], "{backend:?}: {verified}");
    let result = published(&app, &task["target"]["name"]).await;
    let shown = &result["hazards"][0];
    assert_eq!(shown["status"], "verified", "{backend:?}: {result}");
    assert_eq!(
        shown["rectified_on"],
        rectified_on.as_str(),
        "{backend:?}: {result}"
    );
    assert_eq!(
        shown["verified_on"],
        rectified_on.as_str(),
        "{backend:?}: verified today: {result}"
    );

    // The department plan is drawn against the department set.
    let departments = plan_named(&app, &supervisor, DEPARTMENT_PLAN).await;
    let draw = ok(
        &app,
        Method::POST,
        &format!("/api/v1/plans/{}/draws", departments["id"]),
        &supervisor,
        Some(json!({})),
    )
    .await;
    let first = draw["tasks"][0]["task_id"]
        .as_i64()
        .expect("a department task");
    let task = ok(
        &app,
        Method::GET,
        &format!("/api/v1/tasks/{first}"),
        &supervisor,
        None,
    )
    .await;
    assert_eq!(task["target"]["kind"], "department", "{backend:?}");
    assert!(
        task["indicators"].as_array().is_some_and(|i| i.len() == 8),
        "{backend:?}: {task}"
    );
    let (_, verified) = app.get("/api/v1/audit/verify", &admin).await;
    assert_eq!(verified["ok"], true, "{backend:?}: {verified}");
}

//! Task lists people work from: filters that combine, the soonest due first,
//! everything an inspector needs embedded in the task, returns with their
//! reasons, and a clear answer for an inspector login linked to no inspector.

use entities::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use spotcheck_tests::{Backend, PASSWORD, both_engines};

use super::fixtures::{Ent, OneTask, World, item_ids, plan_body, problem_fields, task_ids};

const CHEMICALS: &[&str] = &["hazardous_chemicals"];

async fn list(w: &World, query: &str) -> Value {
    let path = format!("/api/v1/tasks?page_size=100&{query}");
    let (status, body) = w.app.get(&path, &w.supervisor).await;
    assert_eq!(status, StatusCode::OK, "{:?} {path}: {body}", w.backend());
    body
}

#[both_engines]
async fn supervisors_filter_tasks_by_plan_draw_states_region_text_and_due_date_soonest_first(
    backend: Backend,
) {
    let w = World::new(backend).await;
    let changan = w.enterprises(2, Ent::default()).await;
    let lubei = w
        .enterprises(
            2,
            Ent {
                region: "130203",
                ..Ent::default()
            },
        )
        .await;
    let crew = w.crew(2, "130000", CHEMICALS).await;
    let every = |name: &str, due_days: i32| {
        plan_body(
            name,
            json!({"ratios": {"high": 1.0}, "inspectors_per_task": 1, "due_days": due_days}),
        )
    };
    let later = w.plan(every("三十天", 30)).await;
    let sooner = w.plan(every("十天", 10)).await;
    let later_draw = w
        .draw(later, json!({"seed": 3, "reason": "固定种子，便于复现"}))
        .await;
    let sooner_draw = w
        .draw(sooner, json!({"seed": 3, "reason": "固定种子，便于复现"}))
        .await;
    let (later_tasks, sooner_tasks) = (task_ids(&later_draw), task_ids(&sooner_draw));

    let all = list(&w, "").await;
    let expected: Vec<i64> = sooner_tasks.iter().chain(&later_tasks).copied().collect();
    assert_eq!(
        item_ids(&all),
        expected,
        "{backend:?}: soonest due first, though drawn last"
    );
    let of_plan = list(&w, &format!("plan_id={later}")).await;
    assert_eq!(item_ids(&of_plan), later_tasks, "{backend:?}: {of_plan}");
    let region = list(&w, "region_code=130200").await;
    let in_lubei: Vec<i64> = region["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| t["target"]["id"].as_i64().expect("target id"))
        .collect();
    assert_eq!(in_lubei.len(), 4, "{backend:?}: {region}");
    assert!(in_lubei.iter().all(|id| lubei.contains(id)), "{backend:?}");
    let (_, firm) = w
        .app
        .get(&format!("/api/v1/enterprises/{}", changan[1]), &w.admin)
        .await;
    let name = firm["name"].as_str().expect("name");
    let code = firm["credit_code"].as_str().expect("code");
    for q in [name, &code[8..]] {
        let found = list(&w, &format!("q={}", urlencode(q))).await;
        assert_eq!(found["total"], 2, "{backend:?} q={q}: {found}");
        assert!(
            found["items"]
                .as_array()
                .expect("items")
                .iter()
                .all(|t| t["target"]["id"] == changan[1]),
            "{backend:?} q={q}: {found}"
        );
    }
    let in_ten_days = chrono::Utc::now() + chrono::Duration::days(20);
    let due = list(
        &w,
        &format!("due_before={}", urlencode(&in_ten_days.to_rfc3339())),
    )
    .await;
    assert_eq!(item_ids(&due), sooner_tasks, "{backend:?}: {due}");
    let lead = w
        .app
        .get(&format!("/api/v1/tasks/{}", later_tasks[0]), &w.supervisor)
        .await
        .1["inspectors"][0]["inspector_id"]
        .as_i64()
        .expect("lead");
    w.step_ok(later_tasks[0], "start", crew.token(lead)).await;
    let states = list(&w, "status=in_progress&status=assigned").await;
    assert_eq!(states["total"], 8, "{backend:?}: {states}");
    let started = list(
        &w,
        &format!("status=in_progress&plan_id={later}&region_code=130000"),
    )
    .await;
    assert_eq!(
        item_ids(&started),
        [later_tasks[0]],
        "{backend:?}: {started}"
    );

    let (status, bad) = w
        .app
        .get("/api/v1/tasks?region_code=13x", &w.supervisor)
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {bad}"
    );
    assert_eq!(problem_fields(&bad), ["region_code"], "{backend:?}");
}

/// Percent-encodes a query value.
fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[both_engines]
async fn an_inspector_reads_the_plan_indicators_target_team_and_returns_in_the_task(
    backend: Backend,
) {
    let t = OneTask::new(backend).await;
    let w = &t.w;
    let path = format!("/api/v1/tasks/{}", t.task);

    let (status, task) = w.app.get(&path, t.member()).await;

    assert_eq!(status, StatusCode::OK, "{backend:?}: {task}");
    assert_eq!(
        task["plan"]["name"], "危险化学品企业抽查",
        "{backend:?}: {task}"
    );
    assert!(task["plan"]["id"].is_i64(), "{backend:?}: {task}");
    let indicators = task["indicators"].as_array().expect("indicators");
    assert_eq!(indicators.len(), 3, "{backend:?}: {task}");
    assert_eq!(indicators[1]["code"], "HC-02", "{backend:?}");
    assert_eq!(indicators[1]["max_points"], 20.0, "{backend:?}");
    assert_eq!(
        indicators[1]["legal_basis"], "《中华人民共和国安全生产法》",
        "{backend:?}"
    );
    assert!(indicators[1]["finding_id"].is_null(), "{backend:?}");
    let target = &task["target"];
    assert_eq!(target["id"], t.enterprise, "{backend:?}: {target}");
    assert!(target["name"].as_str().is_some_and(|n| !n.is_empty()));
    assert_eq!(
        target["code"], target["credit_code"],
        "{backend:?}: {target}"
    );
    assert_eq!(target["region_name"], "长安区", "{backend:?}: {target}");
    assert_eq!(target["industry"], "hazardous_chemicals", "{backend:?}");
    assert_eq!(target["risk_level"], "high", "{backend:?}");
    let team: Vec<(i64, &str)> = task["inspectors"]
        .as_array()
        .expect("inspectors")
        .iter()
        .map(|i| {
            (
                i["inspector_id"].as_i64().expect("id"),
                i["role"].as_str().expect("role"),
            )
        })
        .collect();
    assert_eq!(
        team,
        [(t.team[0], "lead"), (t.team[1], "member")],
        "{backend:?}"
    );
    assert!(
        task["inspectors"][0]["badge_no"]
            .as_str()
            .is_some_and(|b| b.starts_with("HB-"))
            && task["inspectors"][0]["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("检查员")),
        "{backend:?}: {task}"
    );
    assert!(task["returns"].as_array().is_some_and(Vec::is_empty));

    w.step_ok(t.task, "start", t.lead()).await;
    let finding = w.finding(t.task, t.lead(), t.finding(1, 12.0)).await;
    w.step_ok(t.task, "submit", t.lead()).await;
    let return_path = format!("/api/v1/tasks/{}/return", t.task);
    for body in [json!({}), json!({"reason": "  "})] {
        let (status, refused) = w.app.post(&return_path, &w.supervisor, body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend:?}: a return says why: {refused}"
        );
    }
    let (_, still) = w.app.get(&path, &w.supervisor).await;
    assert_eq!(still["status"], "submitted", "{backend:?}: nothing changed");
    w.return_task(t.task, "缺少重大危险源监控记录照片").await;

    let (_, returned) = w.app.get(&path, t.lead()).await;
    assert_eq!(returned["status"], "returned", "{backend:?}");
    assert_eq!(
        returned["indicators"][1]["finding_id"], finding["id"],
        "{backend:?}: the finding that counts: {returned}"
    );
    let returns = returned["returns"].as_array().expect("returns");
    assert_eq!(returns.len(), 1, "{backend:?}: {returned}");
    assert_eq!(
        returns[0]["reason"], "缺少重大危险源监控记录照片",
        "{backend:?}"
    );
    assert!(
        returns[0]["returned_at"]
            .as_str()
            .is_some_and(|at| at.ends_with("+08:00")),
        "{backend:?}: {returned}"
    );
}

#[both_engines]
async fn an_inspector_login_linked_to_no_inspector_is_told_so_and_links_stay_within_a_department(
    backend: Backend,
) {
    let w = World::new(backend).await;
    let user = w
        .app
        .create_user("hb-unlinked", Role::Inspector, Some(w.hebei))
        .await;
    let token = w.app.login("hb-unlinked", PASSWORD).await;

    for path in ["/api/v1/tasks", "/api/v1/tasks?mine=true"] {
        let (status, body) = w.app.get(path, &token).await;
        assert_eq!(status, StatusCode::CONFLICT, "{backend:?} {path}: {body}");
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains("hb-unlinked") && m.contains("user_id")),
            "{backend:?}: names the login and how to link it: {body}"
        );
    }
    let (status, none) = w.app.get("/api/v1/tasks?mine=true", &w.supervisor).await;
    assert_eq!(
        (status, none["total"].as_i64()),
        (StatusCode::OK, Some(0)),
        "{backend:?}: a supervisor is no inspector and has none: {none}"
    );

    let beijing_user = w
        .app
        .create_user("bj-inspector", Role::Inspector, Some(w.beijing))
        .await;
    let inspector = w.inspector("HB-101", "130000", CHEMICALS).await;
    let body = |user_id: i64| {
        json!({"badge_no": "HB-101", "name": "检查员HB-101", "department_id": w.hebei,
                   "region_code": "130000", "industries": CHEMICALS, "user_id": user_id})
    };
    let path = format!("/api/v1/inspectors/{inspector}");
    let (status, refused) = w
        .app
        .call(Method::PUT, &path, Some(&w.admin), Some(body(beijing_user)))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {refused}"
    );
    assert_eq!(problem_fields(&refused), ["user_id"], "{backend:?}");
    let (status, linked) = w
        .app
        .call(Method::PUT, &path, Some(&w.admin), Some(body(user)))
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {linked}");
    let (status, listed) = w.app.get("/api/v1/tasks", &token).await;
    assert_eq!(
        (status, listed["total"].as_i64()),
        (StatusCode::OK, Some(0)),
        "{backend:?}: linked, the list answers: {listed}"
    );
}

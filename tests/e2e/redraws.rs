//! Redraws: a reason is needed, the earlier draw is kept and marked, work
//! already done blocks it, and a superseded draw's tasks are nobody's work.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use spotcheck::service::tasks;
use spotcheck_tests::{Backend, both_engines};

use super::fixtures::{Ent, World, item_ids, plan_body, task_ids, teams};

const CHEMICALS: &[&str] = &["hazardous_chemicals"];

async fn get(w: &World, path: &str) -> Value {
    let (status, body) = w.app.get(path, &w.supervisor).await;
    assert_eq!(status, StatusCode::OK, "{:?} {path}: {body}", w.backend());
    body
}

#[both_engines]
async fn a_redraw_needs_a_reason_keeps_the_earlier_draw_and_stops_once_work_started(
    backend: Backend,
) {
    let w = World::new(backend).await;
    w.enterprises(4, Ent::default()).await;
    let mut users = Vec::new();
    for badge in ["HB-001", "HB-002", "HB-003"] {
        users.push(w.inspector_user(badge, "130000", CHEMICALS).await);
    }
    let plan = w
        .plan(plan_body("重抽", json!({"ratios": {"high": 0.5}})))
        .await;
    let first = w
        .draw(plan, json!({"seed": 77, "reason": "固定种子，便于复现"}))
        .await;
    let first_id = first["id"].as_i64().expect("id");

    let (status, refused) = w.try_draw(plan, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{backend:?}: {refused}");
    assert_eq!(refused["code"], "conflict", "{backend:?}: {refused}");

    let reason = "抽取时企业名录未更新";
    let second = w.draw(plan, json!({"seed": 77, "reason": reason})).await;
    let second_id = second["id"].as_i64().expect("id");

    let old = get(&w, &format!("/api/v1/draws/{first_id}")).await;
    assert_eq!(old["superseded_by"], second_id, "{backend:?}: {old}");
    assert_eq!(old["supersede_reason"], reason, "{backend:?}: {old}");
    assert_eq!(old["tasks"], first["tasks"], "{backend:?}: nothing deleted");
    let new = get(&w, &format!("/api/v1/draws/{second_id}")).await;
    assert!(new["superseded_by"].is_null(), "{backend:?}: {new}");
    assert_eq!(
        teams(&second),
        teams(&first),
        "{backend:?}: same seed, same data (no cooldown), same draw"
    );
    let listed = get(&w, &format!("/api/v1/plans/{plan}/draws")).await;
    let ids: Vec<i64> = listed
        .as_array()
        .expect("draws")
        .iter()
        .map(|d| d["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(ids, [second_id, first_id], "{backend:?}: newest first");
    let tasks = get(
        &w,
        &format!("/api/v1/tasks?draw_id={first_id}&include_superseded=true"),
    )
    .await;
    assert_eq!(tasks["total"], 2, "{backend:?}: the old tasks remain");

    let (task, team) = (task_ids(&second)[0], teams(&second)[0].1.clone());
    let lead = &users.iter().find(|(id, _)| *id == team[0]).expect("lead").1;
    w.step_ok(task, "start", lead).await;
    let (status, refused) = w
        .try_draw(plan, json!({"seed": 1, "reason": "再抽一次"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{backend:?}: {refused}");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains(&task.to_string())),
        "{backend:?}: names the started task: {refused}"
    );
    let listed = get(&w, &format!("/api/v1/plans/{plan}/draws")).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{backend:?}");
}

#[both_engines]
async fn a_draw_with_a_reviewed_task_is_not_superseded_and_a_finished_round_is_kept(
    backend: Backend,
) {
    let w = World::new(backend).await;
    w.enterprises(2, Ent::default()).await;
    let crew = w.crew(2, "130000", CHEMICALS).await;
    let set = w.indicator_set("HC", &[(10.0, 1.0)]).await;
    let plan = w
        .plan(plan_body(
            "一人一组",
            json!({"ratios": {"high": 1.0}, "inspectors_per_task": 1, "indicator_set_id": set.id}),
        ))
        .await;
    let first = w
        .draw(plan, json!({"seed": 5, "reason": "固定种子，便于复现"}))
        .await;
    let first_id = first["id"].as_i64().expect("id");
    let finding = json!({"indicator_id": set.indicators[0], "points": 8.0, "compliant": true, "description": "符合"});
    let (tasks, first_teams) = (task_ids(&first), teams(&first));
    w.carry_out(
        tasks[0],
        crew.token(first_teams[0].1[0]),
        std::slice::from_ref(&finding),
    )
    .await;
    w.step_ok(tasks[0], "review", &w.supervisor).await;

    let (status, refused) = w
        .try_draw(plan, json!({"seed": 6, "reason": "第二户企业停产"}))
        .await;

    assert_eq!(status, StatusCode::CONFLICT, "{backend:?}: {refused}");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains(&tasks[0].to_string())
                && m.contains("reviewed")
                && m.contains("/cancel")),
        "{backend:?}: names the reviewed task and points to cancel-and-replace: {refused}"
    );

    w.carry_out(tasks[1], crew.token(first_teams[1].1[0]), &[finding])
        .await;
    w.step_ok(tasks[1], "review", &w.supervisor).await;
    let next = w.draw(plan, json!({"seed": 6, "reason": "下一轮"})).await;

    let old = get(&w, &format!("/api/v1/draws/{first_id}")).await;
    assert!(
        old["superseded_by"].is_null(),
        "{backend:?}: a finished round stays current: {old}"
    );
    for (target, team) in teams(&next) {
        let before = &first_teams
            .iter()
            .find(|(t, _)| *t == target)
            .expect("drawn before")
            .1;
        assert_ne!(&team, before, "{backend:?}: different people every time");
    }
}

/// The XML of every part of a workbook, where its cells' text is.
async fn workbook_text(w: &World, path: &str) -> String {
    use std::io::Read as _;
    let response = w
        .app
        .authed(reqwest::Method::GET, path, &w.supervisor)
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let bytes = response.bytes().await.expect("body").to_vec();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("xlsx");
    let mut text = String::new();
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).expect("part");
        if part.name().expect("part name").ends_with(".xml") {
            part.read_to_string(&mut text).expect("utf-8");
        }
    }
    text
}

#[both_engines]
async fn a_redraw_ends_the_open_tasks_as_superseded_and_task_lists_leave_them_out_unless_asked(
    backend: Backend,
) {
    let w = World::new(backend).await;
    w.enterprises(2, Ent::default()).await;
    let crew = w.crew(3, "130000", CHEMICALS).await;
    let plan = w
        .plan(plan_body("作废", json!({"ratios": {"high": 1.0}})))
        .await;
    let first = w
        .draw(plan, json!({"seed": 1, "reason": "固定种子，便于复现"}))
        .await;
    let second = w
        .draw(plan, json!({"seed": 2, "reason": "检查组成员调整"}))
        .await;
    let (old, new) = (task_ids(&first), task_ids(&second));
    let old_lead = crew.token(teams(&first)[0].1[0]);

    let task = get(&w, &format!("/api/v1/tasks/{}", old[0])).await;
    assert_eq!(task["status"], "superseded", "{backend:?}: {task}");
    let live = get(&w, "/api/v1/tasks").await;
    assert_eq!(item_ids(&live), new, "{backend:?}: {live}");
    let ended = get(&w, "/api/v1/tasks?status=superseded").await;
    assert_eq!(item_ids(&ended), old, "{backend:?}: {ended}");
    let both = get(&w, "/api/v1/tasks?status=assigned&status=superseded").await;
    assert_eq!(both["total"], 4, "{backend:?}: {both}");
    let all = get(&w, "/api/v1/tasks?include_superseded=true").await;
    assert_eq!(all["total"], 4, "{backend:?}: {all}");
    let (_, own) = w.app.get("/api/v1/tasks", old_lead).await;
    assert!(
        !item_ids(&own).contains(&old[0]),
        "{backend:?}: an inspector's list leaves it out too: {own}"
    );
    let (_, own_all) = w
        .app
        .get("/api/v1/tasks?include_superseded=true", old_lead)
        .await;
    assert!(
        item_ids(&own_all).contains(&old[0]),
        "{backend:?}: {own_all}"
    );

    let first_id = first["id"].as_i64().expect("id");
    let listed = workbook_text(&w, &format!("/api/v1/reports/draw?draw_id={first_id}")).await;
    assert!(
        listed.contains("已作废（重新抽取）"),
        "{backend:?}: the draw list shows the state"
    );
    let audited = spotcheck_tests::audit_rows(&w.app.db, "draw.run").await;
    let last = audited.last().expect("the redraw is audited");
    let detail: Value = serde_json::from_str(&last.detail).unwrap_or_default();
    assert_eq!(detail["tasks_superseded"], 2, "{backend:?}: {detail}");
}

#[both_engines]
async fn the_tasks_of_a_superseded_draw_can_no_longer_be_worked_on_or_fall_overdue(
    backend: Backend,
) {
    let w = World::new(backend).await;
    w.enterprises(2, Ent::default()).await;
    let crew = w.crew(3, "130000", CHEMICALS).await;
    let plan = w
        .plan(plan_body("重抽后", json!({"ratios": {"high": 1.0}})))
        .await;
    let first = w
        .draw(plan, json!({"seed": 1, "reason": "固定种子，便于复现"}))
        .await;
    let second = w
        .draw(plan, json!({"seed": 2, "reason": "检查组成员调整"}))
        .await;
    let old_task = task_ids(&first)[0];
    let old_lead = teams(&first)[0].1[0];

    let (status, refused) = w.step(old_task, "start", crew.token(old_lead)).await;
    let flagged = tasks::mark_overdue(&w.app.db, Utc::now() + Duration::days(40))
        .await
        .expect("mark overdue");

    assert_eq!(status, StatusCode::CONFLICT, "{backend:?}: {refused}");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("superseded")),
        "{backend:?}: {refused}"
    );
    assert_eq!(flagged, 2, "{backend:?}: only the current draw's tasks");
    let (_, overdue) = w.app.get("/api/v1/tasks?overdue=true", &w.supervisor).await;
    assert_eq!(
        item_ids(&overdue),
        task_ids(&second),
        "{backend:?}: {overdue}"
    );
}

//! The two other kinds of plan, drawn over HTTP: joint plans (联合抽查, one visit,
//! many checks), whose teams hold an inspector of each participating department,
//! and plans that check departments, where nobody checks their own department.

use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::{Value, json};
use spotcheck_tests::{Backend, both_engines};

use super::fixtures::{Ent, World, drawn_targets, plan_body, teams};

const CHEMICALS: &[&str] = &["hazardous_chemicals"];

/// Registers a department of 河北 and returns its id.
async fn department(w: &World, code: &str, name: &str, kind: &str, region: &str) -> i64 {
    w.create(
        "/api/v1/departments",
        json!({"code": code, "name": name, "kind": kind, "region_code": region}),
    )
    .await
}

/// Registers `count` inspectors of a department at a region; returns their ids,
/// each also recorded in `of` with its department.
async fn staff(
    w: &World,
    of: &mut HashMap<i64, i64>,
    department_id: i64,
    badge_prefix: &str,
    region: &str,
    count: usize,
) -> Vec<i64> {
    let mut ids = Vec::with_capacity(count);
    for n in 1..=count {
        let id = w
            .inspector_of(
                &format!("{badge_prefix}-{n:03}"),
                department_id,
                region,
                CHEMICALS,
                None,
            )
            .await;
        of.insert(id, department_id);
        ids.push(id);
    }
    ids
}

/// Whether the stored draw re-runs to exactly what was stored.
async fn verified(w: &World, draw: &Value) -> Value {
    let id = draw["id"].as_i64().expect("id");
    let (status, body) = w
        .app
        .get(&format!("/api/v1/draws/{id}/verify"), &w.supervisor)
        .await;
    assert_eq!(status, StatusCode::OK, "{:?}: {body}", w.backend());
    body
}

#[both_engines]
async fn a_joint_plan_puts_an_inspector_of_each_participating_department_on_every_task(
    backend: Backend,
) {
    let w = World::new(backend).await;
    let targets = w.enterprises(6, Ent::default()).await;
    let fire = department(
        &w,
        "FR-130000",
        "河北省消防救援总队",
        "fire_rescue",
        "130000",
    )
    .await;
    let market = department(&w, "SC-130000", "河北省市场监督管理局", "other", "130000").await;
    let mut of = HashMap::new();
    // Emergency management has the most inspectors: left to least load alone,
    // many teams would be all emergency management.
    staff(&w, &mut of, w.hebei, "HB", "130000", 5).await;
    staff(&w, &mut of, fire, "FR", "130000", 2).await;
    staff(&w, &mut of, market, "SC", "130000", 2).await;
    let two_departments = w
        .plan(plan_body(
            "危化品联合抽查",
            json!({
                "ratios": {"high": 1.0},
                "department_ids": [fire, w.hebei],
                "inspectors_per_task": 3,
            }),
        ))
        .await;
    let three_departments = w
        .plan(plan_body(
            "三部门联合抽查",
            json!({
                "ratios": {"high": 1.0},
                "department_ids": [w.hebei, fire, market],
                "inspectors_per_task": 3,
            }),
        ))
        .await;

    for seed in 1..=4_u64 {
        let body = json!({"seed": seed, "reason": format!("第{seed}轮")});
        for (plan, participating) in [
            (two_departments, vec![w.hebei, fire]),
            (three_departments, vec![w.hebei, fire, market]),
        ] {
            let draw = w.draw(plan, body.clone()).await;

            assert_eq!(draw["unassigned"], json!([]), "{backend:?}: {draw}");
            assert_eq!(drawn_targets(&draw), targets, "{backend:?}: {draw}");
            for (target, team) in teams(&draw) {
                let mut distinct = team.clone();
                distinct.sort_unstable();
                distinct.dedup();
                assert_eq!(distinct.len(), 3, "{backend:?}: three people: {draw}");
                let departments: Vec<i64> = team.iter().map(|i| of[i]).collect();
                for d in &participating {
                    assert!(
                        departments.contains(d),
                        "{backend:?} seed {seed}: target {target} has no inspector of department {d}: {draw}"
                    );
                }
                if participating.len() == 3 {
                    let mut each = departments.clone();
                    each.sort_unstable();
                    let mut expected = participating.clone();
                    expected.sort_unstable();
                    assert_eq!(
                        each, expected,
                        "{backend:?} seed {seed}: one of each of three departments: {draw}"
                    );
                }
            }
            let check = verified(&w, &draw).await;
            assert_eq!(check["verified"], true, "{backend:?}: {check}");
        }
    }
}

#[both_engines]
async fn a_joint_plan_lists_a_target_as_unassigned_when_a_department_has_nobody_eligible(
    backend: Backend,
) {
    let w = World::new(backend).await;
    let targets = w.enterprises(2, Ent::default()).await;
    let fire = department(
        &w,
        "FR-130000",
        "河北省消防救援总队",
        "fire_rescue",
        "130000",
    )
    .await;
    let mut of = HashMap::new();
    staff(&w, &mut of, w.hebei, "HB", "130000", 3).await;
    // The fire service's only inspector has a conflict with the first target.
    let firefighter = staff(&w, &mut of, fire, "FR", "130000", 1).await[0];
    w.conflict(firefighter, targets[0]).await;
    let plan = w
        .plan(plan_body(
            "联合抽查",
            json!({"ratios": {"high": 1.0}, "department_ids": [w.hebei, fire]}),
        ))
        .await;

    let draw = w
        .draw(plan, json!({"seed": 3, "reason": "固定种子，便于复现"}))
        .await;

    assert_eq!(drawn_targets(&draw), [targets[1]], "{backend:?}: {draw}");
    let (_, team) = &teams(&draw)[0];
    assert!(team.contains(&firefighter), "{backend:?}: {draw}");
    assert_eq!(
        draw["unassigned"].as_array().map(Vec::len),
        Some(1),
        "{backend:?}: {draw}"
    );
    let unassigned = &draw["unassigned"][0];
    assert_eq!(unassigned["target_id"], targets[0], "{backend:?}: {draw}");
    assert_eq!(
        unassigned["reason"],
        format!("no eligible inspector from department {fire}"),
        "{backend:?}: {draw}"
    );
}

#[both_engines]
async fn a_department_plan_draws_departments_and_never_their_own_inspectors(backend: Backend) {
    let w = World::new(backend).await;
    let fire = department(
        &w,
        "FR-130000",
        "河北省消防救援总队",
        "fire_rescue",
        "130000",
    )
    .await;
    let shijiazhuang = department(
        &w,
        "EM-130100",
        "石家庄市应急管理局",
        "emergency_management",
        "130100",
    )
    .await;
    let changan = department(
        &w,
        "EM-130102",
        "长安区应急管理局",
        "emergency_management",
        "130102",
    )
    .await;
    let tangshan = department(
        &w,
        "EM-130200",
        "唐山市应急管理局",
        "emergency_management",
        "130200",
    )
    .await;
    let lubei = department(
        &w,
        "EM-130203",
        "路北区应急管理局",
        "emergency_management",
        "130203",
    )
    .await;
    let mut of = HashMap::new();
    staff(&w, &mut of, w.hebei, "HB", "130000", 2).await;
    staff(&w, &mut of, fire, "FR", "130000", 2).await;
    staff(&w, &mut of, shijiazhuang, "SJZ", "130100", 2).await;
    staff(&w, &mut of, changan, "CA", "130102", 1).await;
    staff(&w, &mut of, tangshan, "TS", "130200", 2).await;
    staff(&w, &mut of, w.beijing, "BJ", "110000", 2).await;
    // An enterprise in scope: a department plan must not draw it.
    w.enterprise(Ent::default()).await;
    let plan = w
        .plan(plan_body(
            "部门执法检查",
            json!({
                "target_kind": "department",
                "ratios": {"province": 1.0, "city": 1.0, "county": 1.0},
            }),
        ))
        .await;
    let mut hebei_departments = vec![w.hebei, fire, shijiazhuang, changan, tangshan, lubei];
    hebei_departments.sort_unstable();

    for seed in 1..=4_u64 {
        let draw = w
            .draw(plan, json!({"seed": seed, "reason": format!("第{seed}轮")}))
            .await;

        assert_eq!(draw["population_size"], 6, "{backend:?}: {draw}");
        assert_eq!(draw["unassigned"], json!([]), "{backend:?}: {draw}");
        assert_eq!(
            drawn_targets(&draw),
            hebei_departments,
            "{backend:?} seed {seed}: every department of 河北 and nothing else: {draw}"
        );
        for (target, team) in teams(&draw) {
            assert_eq!(team.len(), 2, "{backend:?}: {draw}");
            for inspector in &team {
                assert_ne!(
                    of[inspector], target,
                    "{backend:?} seed {seed}: department {target} checked by its own inspector {inspector}: {draw}"
                );
                assert_ne!(of[inspector], w.beijing, "{backend:?}: {draw}");
            }
        }
        let check = verified(&w, &draw).await;
        assert_eq!(check["verified"], true, "{backend:?}: {check}");
    }
    let draw = w.draw(plan, json!({"seed": 9, "reason": "复核任务"})).await;
    let (target, _) = &teams(&draw)[0];
    let task_id = draw["tasks"][0]["task_id"].as_i64().expect("task_id");
    let (status, task) = w
        .app
        .get(&format!("/api/v1/tasks/{task_id}"), &w.supervisor)
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {task}");
    assert_eq!(task["target"]["kind"], "department", "{backend:?}: {task}");
    assert_eq!(task["target"]["id"], *target, "{backend:?}: {task}");
}

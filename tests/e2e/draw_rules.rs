//! Who may be drawn for what, observed through the API: conflicts of interest,
//! region scope, qualifications, unstaffable targets, cooldown and "different
//! people every time".

use serde_json::json;
use spotcheck_tests::{Backend, both_engines};

use super::fixtures::{Ent, World, drawn_targets, plan_body, task_ids, teams};

const CHEMICALS: &[&str] = &["hazardous_chemicals"];

#[both_engines]
async fn an_inspector_is_never_drawn_for_a_target_they_have_a_conflict_with(backend: Backend) {
    let w = World::new(backend).await;
    let targets = w.enterprises(4, Ent::default()).await;
    let a = w.inspector("HB-001", "130000", CHEMICALS).await;
    let b = w.inspector("HB-002", "130000", CHEMICALS).await;
    let c = w.inspector("HB-003", "130000", CHEMICALS).await;
    w.conflict(a, targets[0]).await;
    w.conflict(b, targets[1]).await;
    let plan = w
        .plan(plan_body("回避", json!({"ratios": {"high": 1.0}})))
        .await;

    for seed in 1..=5_u64 {
        let draw = w
            .draw(plan, json!({"seed": seed, "reason": format!("第{seed}轮")}))
            .await;

        // Three inspectors, teams of two: a conflict leaves exactly the other two.
        for (target, mut team) in teams(&draw) {
            team.sort_unstable();
            if target == targets[0] {
                assert_eq!(team, [b, c], "{backend:?} seed {seed}: {draw}");
            } else if target == targets[1] {
                assert_eq!(team, [a, c], "{backend:?} seed {seed}: {draw}");
            }
        }
        assert_eq!(teams(&draw).len(), 4, "{backend:?}: all staffed: {draw}");
    }
}

#[both_engines]
async fn an_inspector_is_never_drawn_outside_their_region(backend: Backend) {
    let w = World::new(backend).await;
    let shijiazhuang = w.enterprises(3, Ent::default()).await;
    let tangshan = w
        .enterprise(Ent {
            region: "130203",
            ..Ent::default()
        })
        .await;
    let province = w.inspector("HB-001", "130000", CHEMICALS).await;
    let city = w.inspector("HB-002", "130100", CHEMICALS).await;
    let county = w.inspector("HB-003", "130102", CHEMICALS).await;
    let other_city = w.inspector("HB-004", "130200", CHEMICALS).await;
    let beijing = w
        .inspector_of("BJ-001", w.beijing, "110000", CHEMICALS, None)
        .await;
    let plan = w
        .plan(plan_body("属地", json!({"ratios": {"high": 1.0}})))
        .await;

    for seed in 1..=5_u64 {
        let draw = w
            .draw(plan, json!({"seed": seed, "reason": format!("第{seed}轮")}))
            .await;

        for (target, team) in teams(&draw) {
            assert!(!team.contains(&beijing), "{backend:?}: 北京 drawn: {draw}");
            if shijiazhuang.contains(&target) {
                assert!(
                    !team.contains(&other_city),
                    "{backend:?}: 唐山 inspector drawn for 石家庄: {draw}"
                );
                assert!(
                    team.iter().all(|i| [province, city, county].contains(i)),
                    "{backend:?}: {draw}"
                );
            } else {
                assert_eq!(target, tangshan, "{backend:?}");
                let mut team = team.clone();
                team.sort_unstable();
                assert_eq!(
                    team,
                    [province, other_city],
                    "{backend:?}: only the province's and 唐山's inspectors cover 路北区"
                );
            }
        }
        assert_eq!(teams(&draw).len(), 4, "{backend:?}: all staffed: {draw}");
    }
}

#[both_engines]
async fn a_plan_requiring_qualification_never_draws_an_unqualified_inspector(backend: Backend) {
    let w = World::new(backend).await;
    let coal_mines = w
        .enterprises(
            3,
            Ent {
                industry: "coal_mine",
                ..Ent::default()
            },
        )
        .await;
    let chemical_plants = w.enterprises(3, Ent::default()).await;
    let coal = [
        w.inspector("HB-001", "130000", &["coal_mine"]).await,
        w.inspector("HB-002", "130000", &["coal_mine", "fireworks"])
            .await,
    ];
    let chemicals = [
        w.inspector("HB-003", "130000", CHEMICALS).await,
        w.inspector("HB-004", "130000", &["hazardous_chemicals", "transport"])
            .await,
    ];
    let plan = w
        .plan(plan_body("按资格", json!({"ratios": {"high": 1.0}})))
        .await;

    let draw = w
        .draw(plan, json!({"seed": 11, "reason": "固定种子，便于复现"}))
        .await;

    assert_eq!(teams(&draw).len(), 6, "{backend:?}: all staffed: {draw}");
    for (target, mut team) in teams(&draw) {
        team.sort_unstable();
        if coal_mines.contains(&target) {
            assert_eq!(team, coal, "{backend:?}: coal mine {target}: {draw}");
        } else {
            assert!(chemical_plants.contains(&target), "{backend:?}");
            assert_eq!(
                team, chemicals,
                "{backend:?}: chemical plant {target}: {draw}"
            );
        }
    }
}

#[both_engines]
async fn targets_that_cannot_be_staffed_are_listed_as_unassigned_not_dropped(backend: Backend) {
    let w = World::new(backend).await;
    let mut targets = w.enterprises(2, Ent::default()).await;
    w.inspector("HB-001", "130000", CHEMICALS).await;
    w.inspector("HB-002", "130000", CHEMICALS).await;
    w.inspector("HB-003", "130000", &["coal_mine"]).await;
    let plan = w
        .plan(plan_body(
            "三人一组",
            json!({"ratios": {"high": 1.0}, "inspectors_per_task": 3}),
        ))
        .await;

    let draw = w
        .draw(plan, json!({"seed": 1, "reason": "固定种子，便于复现"}))
        .await;

    assert_eq!(draw["tasks"], json!([]), "{backend:?}: {draw}");
    let unassigned = draw["unassigned"].as_array().expect("unassigned");
    let mut listed: Vec<i64> = unassigned
        .iter()
        .map(|u| u["target_id"].as_i64().expect("target_id"))
        .collect();
    listed.sort_unstable();
    targets.sort_unstable();
    assert_eq!(listed, targets, "{backend:?}: {draw}");
    for u in unassigned {
        assert_eq!(
            u["reason"], "a team needs 3 inspectors, only 2 are eligible",
            "{backend:?}: {draw}"
        );
    }
    let id = draw["id"].as_i64().expect("id");
    let (_, stored) = w
        .app
        .get(&format!("/api/v1/draws/{id}"), &w.supervisor)
        .await;
    assert_eq!(stored["unassigned"], draw["unassigned"], "{backend:?}");
}

#[both_engines]
async fn targets_drawn_within_the_cooldown_are_left_out_of_the_next_population(backend: Backend) {
    let w = World::new(backend).await;
    let all = w.enterprises(6, Ent::default()).await;
    w.inspector("HB-001", "130000", CHEMICALS).await;
    w.inspector("HB-002", "130000", CHEMICALS).await;
    let first_round = w
        .plan(plan_body("第一轮", json!({"ratios": {"high": 0.5}})))
        .await;
    let cooled = w
        .plan(plan_body(
            "第二轮",
            json!({"ratios": {"high": 1.0}, "cooldown_days": 30}),
        ))
        .await;
    let no_cooldown = w
        .plan(plan_body("不冷却", json!({"ratios": {"high": 1.0}})))
        .await;

    let first = w
        .draw(
            first_round,
            json!({"seed": 8, "reason": "固定种子，便于复现"}),
        )
        .await;
    let second = w
        .draw(cooled, json!({"seed": 8, "reason": "固定种子，便于复现"}))
        .await;
    let third = w
        .draw(
            no_cooldown,
            json!({"seed": 8, "reason": "固定种子，便于复现"}),
        )
        .await;

    let checked = drawn_targets(&first);
    assert_eq!(checked.len(), 3, "{backend:?}: {first}");
    let mut rest: Vec<i64> = all
        .iter()
        .copied()
        .filter(|id| !checked.contains(id))
        .collect();
    rest.sort_unstable();
    assert_eq!(second["population_size"], 3, "{backend:?}: {second}");
    assert_eq!(drawn_targets(&second), rest, "{backend:?}: {second}");
    assert_eq!(
        third["population_size"], 6,
        "{backend:?}: without cooldown everyone: {third}"
    );
}

#[both_engines]
async fn the_next_draw_never_picks_the_previous_checks_inspector(backend: Backend) {
    let w = World::new(backend).await;
    let target = w.enterprise(Ent::default()).await;
    let set = w.indicator_set("HC", &[(10.0, 1.0)]).await;
    let mut users = Vec::new();
    for badge in ["HB-001", "HB-002", "HB-003"] {
        users.push(w.inspector_user(badge, "130000", CHEMICALS).await);
    }
    let plan = w
        .plan(plan_body(
            "每次不同的人",
            json!({"ratios": {"high": 1.0}, "inspectors_per_task": 1, "indicator_set_id": set.id}),
        ))
        .await;
    let first = w
        .draw(plan, json!({"seed": 1, "reason": "固定种子，便于复现"}))
        .await;
    let (_, first_team) = teams(&first).remove(0);
    let previous = first_team[0];
    let token = &users
        .iter()
        .find(|(id, _)| *id == previous)
        .expect("user")
        .1;
    let task = task_ids(&first)[0];
    w.step_ok(task, "start", token).await;
    w.finding(
        task,
        token,
        json!({"indicator_id": set.indicators[0], "points": 9.0, "compliant": true, "description": "台账齐全"}),
    )
    .await;
    w.step_ok(task, "submit", token).await;
    w.step_ok(task, "review", &w.supervisor).await;

    let mut seen = Vec::new();
    for seed in 1..=8_u64 {
        let body = json!({"seed": seed, "reason": format!("第{seed}次重抽")});
        let draw = w.draw(plan, body).await;

        let (drawn, team) = teams(&draw).remove(0);
        assert_eq!(drawn, target, "{backend:?}");
        assert_ne!(
            team[0], previous,
            "{backend:?} seed {seed}: the previous check's inspector drawn again"
        );
        seen.push(team[0]);
    }
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(
        seen.len(),
        2,
        "{backend:?}: both others get drawn: {seen:?}"
    );
}

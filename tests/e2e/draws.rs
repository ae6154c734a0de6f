//! Drawing a plan over HTTP: the answer's shape, the population the plan's
//! filters make, strata and key targets, seeds, reproducibility, and the audit
//! row of a draw.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use spotcheck_tests::{Backend, audit_rows, both_engines};

use super::fixtures::{
    Ent, World, drawn_targets, half_of_six_drawn, plan_body, problem_fields, task_ids, teams,
};

const CHEMICALS: &[&str] = &["hazardous_chemicals"];

#[both_engines]
async fn a_draw_answers_its_seed_algorithm_population_and_tasks_lead_first(backend: Backend) {
    let (w, plan, draw, enterprises) = half_of_six_drawn(backend).await;

    assert!(draw["id"].as_i64().is_some(), "{backend:?}: {draw}");
    assert_eq!(draw["plan_id"], plan, "{backend:?}");
    assert_eq!(draw["seed"], 42, "{backend:?}");
    assert_eq!(draw["algorithm"], "spotcheck-draw/1", "{backend:?}");
    assert_eq!(draw["trigger"], "manual", "{backend:?}");
    assert_eq!(draw["population_size"], 6, "{backend:?}");
    let sha = draw["population_sha256"].as_str().expect("sha");
    assert!(
        sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
        "{backend:?}: {sha}"
    );
    assert_eq!(draw["unassigned"], json!([]), "{backend:?}");
    let drawn = teams(&draw);
    assert_eq!(drawn.len(), 3, "{backend:?}: ceil(0.5 × 6) targets: {draw}");
    for (target, team) in &drawn {
        assert!(enterprises.contains(target), "{backend:?}: {target}");
        assert_eq!(team.len(), 2, "{backend:?}: a team of two: {draw}");
        assert_ne!(team[0], team[1], "{backend:?}: two different people");
    }
    for (task_id, (target, team)) in task_ids(&draw).into_iter().zip(&drawn) {
        let (status, task) = w
            .app
            .get(&format!("/api/v1/tasks/{task_id}"), &w.supervisor)
            .await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: {task}");
        assert_eq!(task["status"], "assigned", "{backend:?}: {task}");
        assert_eq!(task["target"]["id"], *target, "{backend:?}: {task}");
        let on_task: Vec<(i64, &str)> = task["inspectors"]
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
            on_task,
            [(team[0], "lead"), (team[1], "member")],
            "{backend:?}: the first of the draw's team leads"
        );
    }
    let id = draw["id"].as_i64().expect("id");
    let (status, stored) = w
        .app
        .get(&format!("/api/v1/draws/{id}"), &w.supervisor)
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {stored}");
    assert_eq!(stored["tasks"], draw["tasks"], "{backend:?}");
    assert_eq!(stored["population_sha256"], sha, "{backend:?}");
}

#[both_engines]
async fn the_population_honours_industries_risk_levels_regions_and_key_only(backend: Backend) {
    let w = World::new(backend).await;
    let wanted = Ent {
        industry: "coal_mine",
        risk: "major",
        key: true,
        ..Ent::default()
    };
    let mut inside = w.enterprises(2, wanted).await;
    inside.push(
        w.enterprise(Ent {
            region: "130100",
            risk: "high",
            ..wanted
        })
        .await,
    );
    let outside = [
        (
            "another industry",
            Ent {
                industry: "fireworks",
                ..wanted
            },
        ),
        (
            "another risk level",
            Ent {
                risk: "moderate",
                ..wanted
            },
        ),
        (
            "another city",
            Ent {
                region: "130203",
                ..wanted
            },
        ),
        (
            "not under key supervision",
            Ent {
                key: false,
                ..wanted
            },
        ),
    ];
    let mut excluded = Vec::new();
    for (why, e) in outside {
        excluded.push((why, w.enterprise(e).await));
    }
    let beijing = w
        .enterprise(Ent {
            region: "110101",
            ..wanted
        })
        .await;
    for badge in ["HB-001", "HB-002"] {
        w.inspector(badge, "130000", &["coal_mine", "fireworks"])
            .await;
    }
    let every_stratum = json!({"major": 1.0, "high": 1.0, "moderate": 1.0, "low": 1.0});
    let filtered = w
        .plan(plan_body(
            "煤矿重点企业",
            json!({
                "industries": ["coal_mine"],
                "risk_levels": ["major", "high"],
                "region_prefixes": ["1301"],
                "key_only": true,
                "ratios": every_stratum,
            }),
        ))
        .await;
    let unfiltered = w
        .plan(plan_body("全省", json!({"ratios": every_stratum})))
        .await;

    let draw = w
        .draw(filtered, json!({"seed": 7, "reason": "固定种子，便于复现"}))
        .await;
    let all = w
        .draw(
            unfiltered,
            json!({"seed": 7, "reason": "固定种子，便于复现"}),
        )
        .await;

    inside.sort_unstable();
    assert_eq!(draw["population_size"], 3, "{backend:?}: {draw}");
    assert_eq!(drawn_targets(&draw), inside, "{backend:?}: {draw}");
    for (why, id) in &excluded {
        assert!(
            !drawn_targets(&draw).contains(id),
            "{backend:?}: target of {why} drawn"
        );
    }
    assert_eq!(
        all["population_size"], 7,
        "{backend:?}: without filters the whole province, never 北京: {all}"
    );
    assert!(!drawn_targets(&all).contains(&beijing), "{backend:?}");
}

#[both_engines]
async fn ratio_one_draws_a_whole_stratum_and_an_unlisted_stratum_none(backend: Backend) {
    let w = World::new(backend).await;
    let mut high = w.enterprises(4, Ent::default()).await;
    w.enterprises(
        3,
        Ent {
            risk: "moderate",
            ..Ent::default()
        },
    )
    .await;
    w.inspector("HB-001", "130000", CHEMICALS).await;
    w.inspector("HB-002", "130000", CHEMICALS).await;
    let plan = w
        .plan(plan_body(
            "较大风险全覆盖",
            json!({"ratios": {"high": 1.0}}),
        ))
        .await;

    let draw = w
        .draw(plan, json!({"seed": 3, "reason": "固定种子，便于复现"}))
        .await;

    high.sort_unstable();
    assert_eq!(draw["population_size"], 7, "{backend:?}: {draw}");
    assert_eq!(drawn_targets(&draw), high, "{backend:?}: {draw}");
}

#[both_engines]
async fn key_all_draws_every_key_supervision_target(backend: Backend) {
    let w = World::new(backend).await;
    let moderate = Ent {
        risk: "moderate",
        ..Ent::default()
    };
    let keys = w
        .enterprises(
            3,
            Ent {
                key: true,
                ..moderate
            },
        )
        .await;
    w.enterprises(7, moderate).await;
    for badge in ["HB-001", "HB-002", "HB-003"] {
        w.inspector(badge, "130000", CHEMICALS).await;
    }
    let plan = w
        .plan(plan_body(
            "重点监管全覆盖",
            json!({"ratios": {"moderate": 0.1}, "key_all": true}),
        ))
        .await;

    for seed in [1, 2, 3] {
        let draw = w
            .draw(plan, json!({"seed": seed, "reason": format!("第{seed}次")}))
            .await;

        let drawn = drawn_targets(&draw);
        for key in &keys {
            assert!(drawn.contains(key), "{backend:?} seed {seed}: {draw}");
        }
        assert_eq!(
            drawn.len(),
            4,
            "{backend:?} seed {seed}: the 3 key targets and ceil(0.1 × 7) of the rest"
        );
    }
}

#[both_engines]
async fn seed_text_gives_the_seed_of_the_first_eight_bytes_of_its_sha256(backend: Backend) {
    let w = World::new(backend).await;
    w.enterprises(3, Ent::default()).await;
    w.inspector("HB-001", "130000", CHEMICALS).await;
    w.inspector("HB-002", "130000", CHEMICALS).await;
    let plan = w
        .plan(plan_body("公开种子", json!({"ratios": {"high": 0.5}})))
        .await;
    let text = "2026年12月1日 中国福利彩票 3D 第2026321期 开奖号码 4 7 1";
    let digest = Sha256::digest(text.as_bytes());
    let expected = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));

    let draw = w.draw(plan, json!({"seed_text": text})).await;

    assert_eq!(draw["seed"].as_u64(), Some(expected), "{backend:?}: {draw}");
    assert_eq!(draw["seed_text"], text, "{backend:?}: {draw}");
}

#[both_engines]
async fn a_draw_without_a_body_takes_a_seed_from_the_operating_system(backend: Backend) {
    let w = World::new(backend).await;
    w.enterprises(2, Ent::default()).await;
    w.inspector("HB-001", "130000", CHEMICALS).await;
    let plan = w
        .plan(plan_body(
            "随机种子",
            json!({"ratios": {"high": 1.0}, "inspectors_per_task": 1}),
        ))
        .await;

    let (status, draw) = w
        .app
        .call(
            Method::POST,
            &format!("/api/v1/plans/{plan}/draws"),
            Some(&w.supervisor),
            None,
        )
        .await;

    assert_eq!(status, StatusCode::CREATED, "{backend:?}: {draw}");
    assert!(draw["seed"].as_u64().is_some(), "{backend:?}: {draw}");
    assert!(draw["seed_text"].is_null(), "{backend:?}: {draw}");
    assert_eq!(teams(&draw).len(), 2, "{backend:?}: {draw}");
}

#[both_engines]
async fn seed_and_seed_text_together_are_refused_and_nothing_is_drawn(backend: Backend) {
    let w = World::new(backend).await;
    w.enterprises(2, Ent::default()).await;
    w.inspector("HB-001", "130000", CHEMICALS).await;
    let plan = w
        .plan(plan_body(
            "两个种子",
            json!({"ratios": {"high": 1.0}, "inspectors_per_task": 1}),
        ))
        .await;

    let (status, body) = w
        .try_draw(plan, json!({"seed": 1, "seed_text": "双色球 2026139"}))
        .await;

    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {body}"
    );
    assert_eq!(problem_fields(&body), ["seed"], "{backend:?}: {body}");
    let (_, draws) = w
        .app
        .get(&format!("/api/v1/plans/{plan}/draws"), &w.supervisor)
        .await;
    assert_eq!(draws, json!([]), "{backend:?}");
}

/// Twenty enterprises of mixed risk and credit and five inspectors, in a fixed order.
async fn mixed_world(backend: Backend) -> (World, i64) {
    let w = World::new(backend).await;
    let risks = ["major", "high", "moderate", "low"];
    let classes = ["A", "B", "C", "D"];
    for i in 0..20 {
        w.enterprise(Ent {
            risk: risks[i % 4],
            credit: classes[(i / 4) % 4],
            key: i % 7 == 0,
            ..Ent::default()
        })
        .await;
    }
    for i in 1..=5 {
        w.inspector(&format!("HB-{i:03}"), "130000", CHEMICALS)
            .await;
    }
    let plan = w
        .plan(plan_body(
            "可复现",
            json!({"ratios": {"major": 0.4, "high": 0.4, "moderate": 0.4, "low": 0.4}}),
        ))
        .await;
    (w, plan)
}

#[both_engines]
async fn the_same_seed_over_the_same_data_draws_the_same_targets_and_inspectors(backend: Backend) {
    let (first, first_plan) = mixed_world(backend).await;
    let (second, second_plan) = mixed_world(backend).await;

    let a = first
        .draw(
            first_plan,
            json!({"seed": 2019, "reason": "固定种子，便于复现"}),
        )
        .await;
    let b = second
        .draw(
            second_plan,
            json!({"seed": 2019, "reason": "固定种子，便于复现"}),
        )
        .await;
    let other = second
        .draw(second_plan, json!({"seed": 2020, "reason": "换一个种子"}))
        .await;

    assert_eq!(teams(&a).len(), 8, "{backend:?}: 4 strata × ceil(0.4 × 5)");
    assert_eq!(teams(&a), teams(&b), "{backend:?}: same seed, same draw");
    assert_eq!(
        a["population_sha256"], b["population_sha256"],
        "{backend:?}"
    );
    assert_ne!(
        teams(&a),
        teams(&other),
        "{backend:?}: another seed differs"
    );
    assert_eq!(
        a["population_sha256"], other["population_sha256"],
        "{backend:?}: over the same population"
    );
}

#[both_engines]
async fn a_draw_writes_one_audit_row_and_a_refused_draw_writes_nothing(backend: Backend) {
    let w = World::new(backend).await;
    w.enterprises(4, Ent::default()).await;
    w.inspector("HB-001", "130000", CHEMICALS).await;
    w.inspector("HB-002", "130000", CHEMICALS).await;
    let plan = w
        .plan(plan_body("审计", json!({"ratios": {"high": 0.5}})))
        .await;
    let other = w
        .plan(plan_body(
            "暂停的计划",
            json!({"ratios": {"high": 1.0}, "status": "paused"}),
        ))
        .await;

    let draw = w
        .draw(plan, json!({"seed": 5, "reason": "固定种子，便于复现"}))
        .await;
    let (status, refused) = w
        .try_draw(other, json!({"seed": 5, "reason": "固定种子，便于复现"}))
        .await;

    let rows = audit_rows(&w.app.db, "draw.run").await;
    assert_eq!(rows.len(), 1, "{backend:?}: {rows:?}");
    assert_eq!(
        rows[0].object_id.as_deref(),
        Some(draw["id"].to_string().as_str()),
        "{backend:?}"
    );
    assert_eq!(rows[0].object_kind, "draw", "{backend:?}");
    assert_eq!(rows[0].actor, "hb-supervisor", "{backend:?}");
    let detail: Value = serde_json::from_str(&rows[0].detail).expect("detail is JSON");
    assert_eq!(detail["seed"], "5", "{backend:?}: {detail}");
    assert_eq!(detail["tasks"], 2, "{backend:?}: {detail}");

    assert_eq!(status, StatusCode::CONFLICT, "{backend:?}: {refused}");
    let (_, draws) = w
        .app
        .get(&format!("/api/v1/plans/{other}/draws"), &w.supervisor)
        .await;
    assert_eq!(draws, json!([]), "{backend:?}: no draw of the paused plan");
    let (_, tasks) = w.app.get("/api/v1/tasks", &w.supervisor).await;
    assert_eq!(
        tasks["total"], 2,
        "{backend:?}: only the first draw's tasks"
    );
}

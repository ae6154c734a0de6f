//! Verifying a draw over HTTP and the CLI, tampering detected, and
//! `spotcheck draw run`.

use sea_orm::ConnectionTrait as _;
use serde_json::{Value, json};
use spotcheck_tests::{Backend, both_engines};

use super::fixtures::{Ent, World, get_ok, plan_body, run_cli, task_ids, teams};

const CHEMICALS: &[&str] = &["hazardous_chemicals"];

#[both_engines]
async fn verify_confirms_an_intact_draw_and_names_the_task_of_a_tampered_one(backend: Backend) {
    let w = World::new(backend).await;
    w.enterprises(5, Ent::default()).await;
    let inspectors = [
        w.inspector("HB-001", "130000", CHEMICALS).await,
        w.inspector("HB-002", "130000", CHEMICALS).await,
        w.inspector("HB-003", "130000", CHEMICALS).await,
    ];
    let plan = w
        .plan(plan_body("核验", json!({"ratios": {"high": 0.6}})))
        .await;
    let draw = w
        .draw(plan, json!({"seed": 123, "reason": "固定种子，便于复现"}))
        .await;
    let id = draw["id"].as_i64().expect("id");
    let verify_path = format!("/api/v1/draws/{id}/verify");

    let intact = get_ok(&w, &w.supervisor, &verify_path).await;
    let cli_intact = run_cli(&w.app, &["draw", "verify", &id.to_string()]).await;

    assert_eq!(
        intact,
        json!({"verified": true, "mismatches": []}),
        "{backend:?}"
    );
    assert!(
        cli_intact.status.success(),
        "{backend:?}: {}",
        String::from_utf8_lossy(&cli_intact.stderr)
    );
    assert!(
        String::from_utf8_lossy(&cli_intact.stdout).contains("verified"),
        "{backend:?}"
    );

    // Swap the lead of the second task for the inspector not on its team.
    let (target, team) = teams(&draw)[1].clone();
    let outsider = inspectors
        .iter()
        .find(|i| !team.contains(i))
        .expect("a third inspector");
    let task = task_ids(&draw)[1];
    w.app
        .db
        .execute_unprepared(&format!(
            "UPDATE task_inspector SET inspector_id = {outsider} \
             WHERE task_id = {task} AND inspector_id = {}",
            team[0]
        ))
        .await
        .expect("tampered");

    let tampered = get_ok(&w, &w.supervisor, &verify_path).await;
    let cli_tampered = run_cli(&w.app, &["draw", "verify", &id.to_string()]).await;

    assert_eq!(tampered["verified"], false, "{backend:?}: {tampered}");
    let mismatches: Vec<&str> = tampered["mismatches"]
        .as_array()
        .expect("mismatches")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(mismatches.len(), 1, "{backend:?}: {tampered}");
    assert!(
        mismatches[0].contains("task #2") && mismatches[0].contains(&format!("target {target}")),
        "{backend:?}: names the second task and its target: {tampered}"
    );
    assert!(!cli_tampered.status.success(), "{backend:?}");
    let stderr = String::from_utf8_lossy(&cli_tampered.stderr);
    assert!(stderr.starts_with("error:"), "{backend:?}: {stderr}");
    assert!(
        stderr.contains(&format!("target {target}")),
        "{backend:?}: {stderr}"
    );
}

#[both_engines]
async fn the_cli_draws_a_plan_and_refuses_an_unknown_plan_in_one_line(backend: Backend) {
    let w = World::new(backend).await;
    w.enterprises(4, Ent::default()).await;
    w.inspector("HB-001", "130000", CHEMICALS).await;
    w.inspector("HB-002", "130000", CHEMICALS).await;
    let plan = w
        .plan(plan_body("命令行", json!({"ratios": {"high": 0.5}})))
        .await;

    let drawn = run_cli(
        &w.app,
        &[
            "draw",
            "run",
            &plan.to_string(),
            "--seed",
            "42",
            "--reason",
            "复现核验",
        ],
    )
    .await;
    let missing = run_cli(
        &w.app,
        &[
            "draw",
            "run",
            "999999",
            "--seed",
            "42",
            "--reason",
            "复现核验",
        ],
    )
    .await;

    let stdout = String::from_utf8_lossy(&drawn.stdout);
    assert!(
        drawn.status.success(),
        "{backend:?}: {}",
        String::from_utf8_lossy(&drawn.stderr)
    );
    let draws = get_ok(&w, &w.supervisor, &format!("/api/v1/plans/{plan}/draws")).await;
    let id = draws[0]["id"].as_i64().expect("a draw was stored");
    assert_eq!(draws[0]["seed"], 42, "{backend:?}: {draws}");
    assert!(
        stdout.starts_with(&format!(
            "draw {id} of plan {plan}: seed 42 (given: 复现核验),"
        )),
        "{backend:?}: {stdout}"
    );
    assert!(
        stdout.contains("2 tasks, 0 unassigned"),
        "{backend:?}: {stdout}"
    );
    let stored = get_ok(&w, &w.supervisor, &format!("/api/v1/draws/{id}")).await;
    for task in task_ids(&stored) {
        assert!(
            stdout.contains(&format!("task {task:>7}")),
            "{backend:?}: task {task} printed: {stdout}"
        );
    }
    let audit = spotcheck_tests::audit_rows(&w.app.db, "draw.run").await;
    assert_eq!(audit.len(), 1, "{backend:?}: the CLI's draw is audited");
    assert_eq!(audit[0].actor, "system", "{backend:?}");

    assert!(!missing.status.success(), "{backend:?}");
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.starts_with("error:"), "{backend:?}: {stderr}");
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "{backend:?}: {stderr}"
    );
    assert!(stderr.contains("999999"), "{backend:?}: {stderr}");
}

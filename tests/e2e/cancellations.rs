//! Cancelling one task of a draw and drawing its replacement (补抽): by the
//! supervisor in scope, with a reason, from the same stratum, reproduced by
//! `verify` and the reference verifier, and only while the task is open.

use reqwest::StatusCode;
use sea_orm::ConnectionTrait as _;
use serde_json::{Value, json};
use spotcheck_tests::{Backend, both_engines};

use super::draw_evidence::{assert_bundle_matches, evidence_bytes, verdict_on};
use super::fixtures::{Ent, World, get_ok, plan_body, problem_fields, run_cli, task_ids};

const CHEMICALS: &[&str] = &["hazardous_chemicals"];

/// Six high-risk and four low-risk enterprises, four inspectors who can log in,
/// and a draw of half of each stratum: the draw as answered, and the crew.
async fn drawn(w: &World) -> (Value, Vec<(i64, String)>) {
    w.enterprises(6, Ent::default()).await;
    let low = Ent {
        risk: "low",
        ..Ent::default()
    };
    w.enterprises(4, low).await;
    let mut crew = Vec::new();
    for badge in ["HB-001", "HB-002", "HB-003", "HB-004"] {
        crew.push(w.inspector_user(badge, "130000", CHEMICALS).await);
    }
    let plan = w
        .plan(plan_body(
            "补抽",
            json!({"ratios": {"high": 0.5, "low": 0.5}}),
        ))
        .await;
    let draw = w
        .draw(plan, json!({"seed": 42, "reason": "固定种子，便于复现"}))
        .await;
    (draw, crew)
}

async fn cancel(w: &World, token: &str, task: i64, body: Value) -> (StatusCode, Value) {
    w.app
        .post(&format!("/api/v1/tasks/{task}/cancel"), token, body)
        .await
}

async fn cancel_ok(w: &World, task: i64, body: Value) -> Value {
    let (status, answer) = cancel(w, &w.supervisor, task, body).await;
    assert_eq!(status, StatusCode::OK, "{:?}: {answer}", w.backend());
    answer
}

async fn task(w: &World, id: i64) -> Value {
    get_ok(w, &w.supervisor, &format!("/api/v1/tasks/{id}")).await
}

fn ids(list: &Value) -> Vec<i64> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| t["id"].as_i64().expect("id"))
        .collect()
}

#[both_engines]
async fn a_supervisor_cancels_with_each_reason_and_replacements_come_from_the_same_stratum(
    backend: Backend,
) {
    let w = World::new(backend).await;
    let (draw, _) = drawn(&w).await;
    let draw_id = draw["id"].as_i64().expect("id");
    let tasks = task_ids(&draw);
    let drawn_targets: Vec<i64> = draw["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| t["target_id"].as_i64().expect("target"))
        .collect();
    assert_eq!(tasks.len(), 5, "{backend:?}: 3 high and 2 low: {draw}");

    let cases = [
        (tasks[0], json!({"reason": "closed", "replace": true}), true),
        (tasks[1], json!({"reason": "not_found"}), false),
        (
            tasks[3],
            json!({"reason": "conflict_found", "note": "组长系企业法人近亲属", "replace": true}),
            true,
        ),
        (
            tasks[4],
            json!({"reason": "other", "note": "企业已整体搬迁出辖区", "replace": true}),
            true,
        ),
    ];
    let mut replacements = Vec::new();
    for (id, body, replaced) in cases {
        let before = task(&w, id).await;
        let answer = cancel_ok(&w, id, body.clone()).await;

        assert_eq!(answer["task"]["status"], "cancelled", "{backend:?}: {body}");
        let record = &answer["task"]["cancellation"];
        assert_eq!(record["reason"], body["reason"], "{backend:?}: {answer}");
        assert_eq!(
            record["note"],
            body.get("note").cloned().unwrap_or(Value::Null),
            "{backend:?}: {answer}"
        );
        assert!(
            record["cancelled_by"].is_i64()
                && record["cancelled_at"]
                    .as_str()
                    .is_some_and(|t| t.ends_with("+08:00")),
            "{backend:?}: who and when: {answer}"
        );
        assert_eq!(
            record["replaced_by"], answer["replacement"]["id"],
            "{backend:?}: {answer}"
        );
        assert_eq!(
            task(&w, id).await["status"],
            "cancelled",
            "{backend:?}: {body}"
        );
        let replacement = &answer["replacement"];
        assert_eq!(!replacement.is_null(), replaced, "{backend:?}: {answer}");
        if replaced {
            let target = replacement["target"]["id"].as_i64().expect("target");
            assert_eq!(replacement["status"], "assigned", "{backend:?}");
            assert_eq!(replacement["replaces"], id, "{backend:?}: {answer}");
            assert_eq!(replacement["draw_id"], draw_id, "{backend:?}");
            assert_eq!(
                replacement["target"]["risk_level"], before["target"]["risk_level"],
                "{backend:?}: the same stratum: {answer}"
            );
            assert!(
                !drawn_targets.contains(&target) && !replacements.contains(&target),
                "{backend:?}: a target not drawn before: {answer}"
            );
            assert_eq!(
                replacement["inspectors"].as_array().map(Vec::len),
                Some(2),
                "{backend:?}: staffed by the plan's rules: {answer}"
            );
            replacements.push(target);
        }
    }

    let verify_path = format!("/api/v1/draws/{draw_id}/verify");
    let verified = get_ok(&w, &w.supervisor, &verify_path).await;
    assert_eq!(
        verified,
        json!({"verified": true, "mismatches": []}),
        "{backend:?}"
    );
    let cli = run_cli(&w.app, &["draw", "verify", &draw_id.to_string()]).await;
    assert!(
        cli.status.success(),
        "{backend:?}: {}",
        String::from_utf8_lossy(&cli.stderr)
    );

    let live = get_ok(
        &w,
        &w.supervisor,
        &format!("/api/v1/tasks?draw_id={draw_id}"),
    )
    .await;
    assert_eq!(
        live["total"], 4,
        "{backend:?}: 5 drawn, 4 cancelled, 3 replaced: {live}"
    );
    let cancelled = get_ok(
        &w,
        &w.supervisor,
        &format!("/api/v1/tasks?draw_id={draw_id}&status=cancelled"),
    )
    .await;
    let mut cancelled_ids = ids(&cancelled);
    cancelled_ids.sort_unstable();
    assert_eq!(
        cancelled_ids,
        [tasks[0], tasks[1], tasks[3], tasks[4]],
        "{backend:?}: nothing deleted"
    );
    let shown = get_ok(&w, &w.supervisor, &format!("/api/v1/draws/{draw_id}")).await;
    assert_eq!(
        shown["tasks"].as_array().map(Vec::len),
        Some(8),
        "{backend:?}: the draw keeps its tasks and gains the replacements: {shown}"
    );
    let reasons: Vec<&str> = shown["cancellations"]
        .as_array()
        .expect("cancellations")
        .iter()
        .filter_map(|c| c["reason"].as_str())
        .collect();
    assert_eq!(
        reasons,
        ["closed", "not_found", "conflict_found", "other"],
        "{backend:?}: in the order cancelled: {shown}"
    );

    let audit = get_ok(&w, &w.admin, "/api/v1/audit?page_size=500").await;
    let cancels = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == "task.cancel")
        .count();
    assert_eq!(cancels, 4, "{backend:?}: every cancellation audited");
}

#[both_engines]
async fn verify_and_the_reference_verifier_reproduce_replacements_and_name_a_tampered_one(
    backend: Backend,
) {
    let w = World::new(backend).await;
    let (draw, crew) = drawn(&w).await;
    let draw_id = draw["id"].as_i64().expect("id");
    let tasks = task_ids(&draw);
    cancel_ok(&w, tasks[1], json!({"reason": "closed", "replace": true})).await;
    cancel_ok(&w, tasks[0], json!({"reason": "not_found"})).await;
    let answer = cancel_ok(&w, tasks[2], json!({"reason": "closed", "replace": true})).await;
    // Two at once: they are made one after the other, and both replayed.
    let (a, b) = tokio::join!(
        cancel(
            &w,
            &w.supervisor,
            tasks[3],
            json!({"reason": "closed", "replace": true})
        ),
        cancel(
            &w,
            &w.supervisor,
            tasks[4],
            json!({"reason": "closed", "replace": true})
        ),
    );
    assert_eq!(
        (a.0, b.0),
        (StatusCode::OK, StatusCode::OK),
        "{backend:?}: {a:?} {b:?}"
    );
    assert_ne!(
        a.1["replacement"]["target"]["id"], b.1["replacement"]["target"]["id"],
        "{backend:?}: two replacements, two targets"
    );
    let dir = tempfile::tempdir().expect("temp dir");

    let bundle = assert_bundle_matches(&w, dir.path(), draw_id, "a draw with replacements").await;

    let cancellations = bundle["result"]["cancellations"]
        .as_array()
        .expect("cancellations");
    assert_eq!(cancellations.len(), 5, "{backend:?}: {bundle}");
    assert_eq!(
        bundle["result"]["tasks"].as_array().map(Vec::len),
        Some(5),
        "{backend:?}: the draw's own tasks, cancelled ones included"
    );
    assert!(cancellations[1]["replacement"].is_null(), "{backend:?}");

    // Hand the last replacement's lead to an inspector not on its team.
    let replacement = answer["replacement"]["id"].as_i64().expect("id");
    let team: Vec<i64> = answer["replacement"]["inspectors"]
        .as_array()
        .expect("inspectors")
        .iter()
        .map(|i| i["inspector_id"].as_i64().expect("id"))
        .collect();
    let outsider = crew
        .iter()
        .map(|(id, _)| *id)
        .find(|id| !team.contains(id))
        .expect("an inspector off the team");
    w.app
        .db
        .execute_unprepared(&format!(
            "UPDATE task_inspector SET inspector_id = {outsider} \
             WHERE task_id = {replacement} AND inspector_id = {}",
            team[0]
        ))
        .await
        .expect("tampered");

    let tampered = get_ok(
        &w,
        &w.supervisor,
        &format!("/api/v1/draws/{draw_id}/verify"),
    )
    .await;
    assert_eq!(tampered["verified"], false, "{backend:?}: {tampered}");
    let mismatches = tampered["mismatches"].to_string();
    assert!(
        mismatches.contains("cancellation #3"),
        "{backend:?}: names the cancellation whose replacement changed: {tampered}"
    );
    let (_, bytes) = evidence_bytes(&w.app, &w.supervisor, draw_id).await;
    let bundle: Value = serde_json::from_slice(&bytes).expect("json");
    let verdict = verdict_on(dir.path(), "tampered.json", &bundle).await;
    assert_eq!(verdict.code, 1, "{backend:?}: {}", verdict.line);
    assert!(
        verdict.line.contains("cancellation #3"),
        "{backend:?}: {}",
        verdict.line
    );
}

#[both_engines]
async fn only_a_supervisor_in_scope_cancels_an_open_task_with_a_known_reason(backend: Backend) {
    let w = World::new(backend).await;
    let (draw, crew) = drawn(&w).await;
    let tasks = task_ids(&draw);
    let token_of = |id: i64| {
        crew.iter()
            .find(|(i, _)| *i == id)
            .map(|(_, t)| t.clone())
            .expect("crew member")
    };
    let lead_of = |k: usize| token_of(draw["tasks"][k]["inspector_ids"][0].as_i64().expect("lead"));
    let beijing = w
        .app
        .token_for("bj-supervisor", entities::Role::Supervisor, Some(w.beijing))
        .await;
    let closed = json!({"reason": "closed", "replace": true});

    let (status, body) = cancel(&w, &lead_of(0), tasks[0], closed.clone()).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "{backend:?}: its inspector: {body}"
    );
    let (status, body) = cancel(&w, &beijing, tasks[0], closed.clone()).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "{backend:?}: out of scope: {body}"
    );
    let (status, body) = cancel(&w, &w.supervisor, tasks[0], json!({"reason": "other"})).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {body}"
    );
    assert_eq!(problem_fields(&body), ["note"], "{backend:?}: {body}");
    let (status, body) = cancel(&w, &w.supervisor, tasks[0], json!({"reason": "moved"})).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {body}"
    );
    assert_eq!(problem_fields(&body), ["reason"], "{backend:?}: {body}");
    assert_eq!(
        task(&w, tasks[0]).await["status"],
        "assigned",
        "{backend:?}: nothing changed"
    );

    // A task at work may still be cancelled; a submitted one may not.
    w.step_ok(tasks[0], "start", &lead_of(0)).await;
    cancel_ok(&w, tasks[0], json!({"reason": "not_found"})).await;
    let (status, body) = cancel(&w, &w.supervisor, tasks[0], closed.clone()).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "{backend:?}: cancelled already: {body}"
    );
    let set = task(&w, tasks[1]).await["indicators"][0]["id"].clone();
    let finding =
        json!({"indicator_id": set, "points": 8.0, "compliant": true, "description": "符合"});
    w.carry_out(tasks[1], &lead_of(1), &[finding]).await;
    let (status, body) = cancel(&w, &w.supervisor, tasks[1], closed.clone()).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "{backend:?}: submitted: {body}"
    );
    assert_eq!(
        task(&w, tasks[1]).await["status"],
        "submitted",
        "{backend:?}"
    );

    // A redraw of the whole draw is refused now, and says what to do instead.
    let plan = task(&w, tasks[2]).await["plan"]["id"]
        .as_i64()
        .expect("plan");
    let (status, refused) = w
        .try_draw(plan, json!({"seed": 7, "reason": "名录有误"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{backend:?}: {refused}");
    let message = refused["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("取消并补抽") && message.contains("/cancel"),
        "{backend:?}: points to cancel-and-replace: {refused}"
    );

    // The command line cancels and replaces as the system.
    let cli = run_cli(
        &w.app,
        &[
            "task",
            "cancel",
            &tasks[2].to_string(),
            "--reason",
            "closed",
            "--replace",
        ],
    )
    .await;
    assert!(
        cli.status.success(),
        "{backend:?}: {}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let out = String::from_utf8_lossy(&cli.stdout);
    assert!(out.contains("replacement task"), "{backend:?}: {out}");
    assert_eq!(
        task(&w, tasks[2]).await["status"],
        "cancelled",
        "{backend:?}"
    );
    let cli = run_cli(
        &w.app,
        &["task", "cancel", &tasks[3].to_string(), "--reason", "other"],
    )
    .await;
    assert!(!cli.status.success(), "{backend:?}: other needs a note");
    let draw_id = draw["id"].as_i64().expect("id");
    let verified = get_ok(
        &w,
        &w.supervisor,
        &format!("/api/v1/draws/{draw_id}/verify"),
    )
    .await;
    assert_eq!(verified["verified"], true, "{backend:?}: {verified}");
}

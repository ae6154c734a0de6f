//! Commit before reveal (事先公告): a plan announces its next draw, which
//! freezes the population and parameters and publishes their hash with the
//! seed rule; the draw then uses exactly that population, seeded from public
//! text; verify, the evidence bundle and the reference verifier check it; the
//! public results list announcements and their draws. Over HTTP and the CLI.

use entities::Role;
use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait as _;
use serde_json::{Value, json};
use spotcheck_tests::{Backend, both_engines};

use super::{
    draw_evidence::{assert_bundle_matches, evidence_bytes, verdict_on},
    fixtures::{Ent, World, drawn_targets, get_ok, plan_body, problem_fields, run_cli},
};

const CHEMICALS: &[&str] = &["hazardous_chemicals"];
const RULE: &str =
    "2026年12月20日中国福利彩票双色球第2026146期开奖号码，按中国福利彩票发行管理中心公告原文";
const LOTTERY: &str = "2026146期 双色球 03 09 14 22 27 31 + 05";

/// Six enterprises, three inspectors and a plan drawing half of them.
async fn plan_to_announce(w: &World) -> (i64, Vec<i64>) {
    let enterprises = w.enterprises(6, Ent::default()).await;
    for badge in ["HB-001", "HB-002", "HB-003"] {
        w.inspector(badge, "130000", CHEMICALS).await;
    }
    let plan = w
        .plan(plan_body("事先公告", json!({"ratios": {"high": 0.5}})))
        .await;
    (plan, enterprises)
}

async fn announce(w: &World, plan: i64, rule: &str) -> (StatusCode, Value) {
    w.app
        .post(
            &format!("/api/v1/plans/{plan}/announcements"),
            &w.supervisor,
            json!({"seed_rule": rule}),
        )
        .await
}

async fn public_announcements(w: &World) -> Value {
    let (status, body) = w
        .app
        .call(Method::GET, "/public/v1/announcements", None, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{:?}: {body}", w.backend());
    body
}

#[both_engines]
async fn an_announced_draw_uses_the_population_frozen_before_its_seed_was_known(backend: Backend) {
    let w = World::new(backend).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (plan, _) = plan_to_announce(&w).await;

    let (status, announced) = announce(&w, plan, RULE).await;
    assert_eq!(status, StatusCode::CREATED, "{backend:?}: {announced}");
    let id = announced["id"].as_i64().expect("id");
    assert_eq!(announced["status"], "pending", "{backend:?}");
    assert_eq!(announced["population_size"], 6, "{backend:?}");
    assert_eq!(announced["seed_rule"], RULE, "{backend:?}");
    assert_eq!(announced["draw"], Value::Null, "{backend:?}");
    let frozen = announced["population_sha256"].clone();
    assert_eq!(frozen.as_str().map(str::len), Some(64), "{backend:?}");
    let public = public_announcements(&w).await;
    assert_eq!(
        public["items"][0]["id"], id,
        "{backend:?}: published: {public}"
    );
    assert_eq!(
        public["items"][0]["population_sha256"], frozen,
        "{backend:?}"
    );
    assert_eq!(public["items"][0]["plan_name"], "事先公告", "{backend:?}");

    // Between the announcement and the draw the population and the plan change.
    let late = w.enterprise(Ent::default()).await;
    let (status, _) = w
        .app
        .call(
            Method::PATCH,
            &format!("/api/v1/plans/{plan}"),
            Some(&w.supervisor),
            Some(json!({"ratios": {"high": 1.0}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}");
    let (status, again) = announce(&w, plan, "另一期").await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "{backend:?}: one at a time: {again}"
    );

    for (body, field) in [
        (json!({}), "seed_text"),
        (json!({"seed": 5, "reason": "想换一个"}), "seed"),
    ] {
        let (status, refused) = w.try_draw(plan, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend:?} {body}: {refused}"
        );
        assert_eq!(problem_fields(&refused), [field], "{backend:?} {body}");
    }
    let draw = w.draw(plan, json!({"seed_text": LOTTERY})).await;
    let draw_id = draw["id"].as_i64().expect("id");

    assert_eq!(draw["announcement_id"], id, "{backend:?}: {draw}");
    assert_eq!(draw["seed_source"], "public_text", "{backend:?}");
    assert_eq!(
        draw["population_sha256"], frozen,
        "{backend:?}: the frozen population"
    );
    assert_eq!(draw["population_size"], 6, "{backend:?}");
    assert_eq!(
        drawn_targets(&draw).len(),
        3,
        "{backend:?}: the announced ratio 0.5, not the later 1.0"
    );
    assert!(!drawn_targets(&draw).contains(&late), "{backend:?}");
    let verified = get_ok(
        &w,
        &w.supervisor,
        &format!("/api/v1/draws/{draw_id}/verify"),
    )
    .await;
    assert_eq!(
        verified,
        json!({"verified": true, "mismatches": []}),
        "{backend:?}"
    );
    let listed = get_ok(&w, &w.supervisor, &format!("/api/v1/announcements/{id}")).await;
    assert_eq!(listed["status"], "drawn", "{backend:?}: {listed}");
    assert_eq!(listed["draw"]["id"], draw_id, "{backend:?}");
    assert_eq!(listed["draw"]["seed_text"], LOTTERY, "{backend:?}");
    let public = public_announcements(&w).await;
    assert_eq!(
        public["items"][0]["draw"]["seed"], draw["seed"],
        "{backend:?}"
    );

    // The evidence names the announcement, and the reference verifier agrees.
    let bundle = assert_bundle_matches(&w, dir.path(), draw_id, "an announced draw").await;
    let provenance = &bundle["seed_provenance"];
    assert_eq!(provenance["source"], "public_text", "{backend:?}");
    assert_eq!(provenance["announcement"]["id"], id, "{backend:?}");
    assert_eq!(provenance["announcement"]["seed_rule"], RULE, "{backend:?}");
    assert_eq!(
        provenance["announcement"]["population_sha256"], frozen,
        "{backend:?}"
    );
    assert_eq!(
        provenance["announcement"]["announced_at"], announced["announced_at"],
        "{backend:?}"
    );
    let mut recommitted = bundle.clone();
    recommitted["seed_provenance"]["announcement"]["population_sha256"] = json!("ab".repeat(32));
    let verdict = verdict_on(dir.path(), "recommitted.json", &recommitted).await;
    assert_eq!(verdict.code, 1, "{backend:?}: {verdict:?}");
    assert!(
        verdict.line.starts_with("population:"),
        "{backend:?}: {verdict:?}"
    );

    // Edit what was announced, and verify names it.
    w.app
        .db
        .execute_unprepared(&format!(
            "UPDATE draw_announcement SET population_sha256 = '{}' WHERE id = {id}",
            "0".repeat(64)
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
    assert!(
        tampered["mismatches"][0]
            .as_str()
            .is_some_and(|m| m.starts_with("the announcement committed to population 000")),
        "{backend:?}: {tampered}"
    );
}

#[both_engines]
async fn an_announcement_can_be_withdrawn_before_its_draw_and_stays_listed(backend: Backend) {
    let w = World::new(backend).await;
    let (plan, _) = plan_to_announce(&w).await;
    let (_, announced) = announce(&w, plan, RULE).await;
    let id = announced["id"].as_i64().expect("id");
    let withdraw = |reason: Value| {
        let w = &w;
        async move {
            w.app
                .post(
                    &format!("/api/v1/announcements/{id}/withdraw"),
                    &w.supervisor,
                    json!({"reason": reason}),
                )
                .await
        }
    };

    let (status, refused) = withdraw(json!("  ")).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {refused}"
    );
    assert_eq!(problem_fields(&refused), ["reason"], "{backend:?}");
    let (status, withdrawn) = withdraw(json!("开奖推迟")).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {withdrawn}");
    assert_eq!(withdrawn["status"], "withdrawn", "{backend:?}");
    assert_eq!(withdrawn["withdraw_reason"], "开奖推迟", "{backend:?}");
    let (status, _) = withdraw(json!("再撤一次")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{backend:?}");

    // The plan draws as before, and may announce again.
    let random = w.draw(plan, json!({})).await;
    assert_eq!(random["announcement_id"], Value::Null, "{backend:?}");
    let (status, next) = announce(&w, plan, "下一期").await;
    assert_eq!(status, StatusCode::CREATED, "{backend:?}: {next}");
    let next_id = next["id"].as_i64().expect("id");
    let drawn = w
        .draw(plan, json!({"seed_text": LOTTERY, "reason": "按公告抽取"}))
        .await;
    assert_eq!(drawn["announcement_id"], next_id, "{backend:?}");
    let (status, _) = w
        .app
        .post(
            &format!("/api/v1/announcements/{next_id}/withdraw"),
            &w.supervisor,
            json!({"reason": "太迟了"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{backend:?}: drawn already");

    let listed = get_ok(
        &w,
        &w.supervisor,
        &format!("/api/v1/plans/{plan}/announcements"),
    )
    .await;
    let states: Vec<(i64, &str)> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| {
            (
                a["id"].as_i64().unwrap_or(0),
                a["status"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        states,
        [(next_id, "drawn"), (id, "withdrawn")],
        "{backend:?}"
    );
    let public = public_announcements(&w).await;
    assert_eq!(public["total"], 2, "{backend:?}");
    assert_eq!(
        public["items"][1]["withdraw_reason"], "开奖推迟",
        "{backend:?}"
    );
    let audit = spotcheck_tests::audit_rows(&w.app.db, "draw.withdraw_announcement").await;
    assert_eq!(audit.len(), 1, "{backend:?}");
}

#[both_engines]
async fn only_runners_of_draws_in_scope_announce_and_leaders_read(backend: Backend) {
    let w = World::new(backend).await;
    let (plan, _) = plan_to_announce(&w).await;
    let leader = w
        .app
        .token_for("hb-leader", Role::Leader, Some(w.hebei))
        .await;
    let beijing = w
        .app
        .token_for("bj-supervisor", Role::Supervisor, Some(w.beijing))
        .await;
    let path = format!("/api/v1/plans/{plan}/announcements");

    let (status, _) = w.app.post(&path, &leader, json!({"seed_rule": RULE})).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "{backend:?}: leaders only read"
    );
    let (status, _) = w
        .app
        .post(&path, &beijing, json!({"seed_rule": RULE}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?}: out of scope");
    let (status, refused) = announce(&w, plan, " ").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}");
    assert_eq!(problem_fields(&refused), ["seed_rule"], "{backend:?}");
    let (status, announced) = announce(&w, plan, RULE).await;
    assert_eq!(status, StatusCode::CREATED, "{backend:?}: {announced}");
    let id = announced["id"].as_i64().expect("id");

    let read = get_ok(&w, &leader, &path).await;
    assert_eq!(read["total"], 1, "{backend:?}");
    let (status, _) = w
        .app
        .get(&format!("/api/v1/announcements/{id}"), &beijing)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?}");
    let (status, _) = w
        .app
        .post(
            &format!("/api/v1/announcements/{id}/withdraw"),
            &leader,
            json!({"reason": "不需要"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}");
    let audit = spotcheck_tests::audit_rows(&w.app.db, "draw.announce").await;
    assert_eq!(audit.len(), 1, "{backend:?}: refusals change nothing");
}

#[both_engines]
async fn the_cli_announces_draws_from_the_announcement_and_withdraws(backend: Backend) {
    let w = World::new(backend).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (plan, _) = plan_to_announce(&w).await;
    let plan_arg = plan.to_string();

    let announced = run_cli(
        &w.app,
        &["draw", "announce", &plan_arg, "--seed-rule", RULE],
    )
    .await;
    let stdout = String::from_utf8_lossy(&announced.stdout).into_owned();
    assert!(
        announced.status.success(),
        "{backend:?}: {}",
        String::from_utf8_lossy(&announced.stderr)
    );
    let listed = get_ok(
        &w,
        &w.supervisor,
        &format!("/api/v1/plans/{plan}/announcements"),
    )
    .await;
    let first = &listed["items"][0];
    let sha = first["population_sha256"].as_str().expect("sha").to_owned();
    assert!(
        stdout.starts_with(&format!(
            "announcement {} of plan {plan}: population 6 (sha256 {sha})",
            first["id"]
        )),
        "{backend:?}: {stdout}"
    );
    let random = run_cli(&w.app, &["draw", "run", &plan_arg]).await;
    assert!(
        !random.status.success(),
        "{backend:?}: an announced draw takes public text"
    );
    assert!(
        String::from_utf8_lossy(&random.stderr).contains("seed_text"),
        "{backend:?}"
    );

    let drawn = run_cli(&w.app, &["draw", "run", &plan_arg, "--seed-text", LOTTERY]).await;
    let stdout = String::from_utf8_lossy(&drawn.stdout);
    assert!(
        drawn.status.success(),
        "{backend:?}: {}",
        String::from_utf8_lossy(&drawn.stderr)
    );
    assert!(
        stdout.contains(&format!(
            "(public_text \"{LOTTERY}\"), announced in announcement {}",
            first["id"]
        )) && stdout.contains(&format!("(sha256 {sha})")),
        "{backend:?}: {stdout}"
    );
    let draws = get_ok(&w, &w.supervisor, &format!("/api/v1/plans/{plan}/draws")).await;
    let draw_id = draws[0]["id"].as_i64().expect("id");
    assert_bundle_matches(&w, dir.path(), draw_id, "drawn by the command line").await;

    let again = run_cli(
        &w.app,
        &["draw", "announce", &plan_arg, "--seed-rule", "下一期"],
    )
    .await;
    assert!(again.status.success(), "{backend:?}");
    let listed = get_ok(
        &w,
        &w.supervisor,
        &format!("/api/v1/plans/{plan}/announcements"),
    )
    .await;
    let next = listed["items"][0]["id"].as_i64().expect("id");
    let withdrawn = run_cli(
        &w.app,
        &[
            "draw",
            "withdraw",
            &next.to_string(),
            "--reason",
            "开奖推迟",
        ],
    )
    .await;
    assert!(withdrawn.status.success(), "{backend:?}");
    let read = get_ok(&w, &w.supervisor, &format!("/api/v1/announcements/{next}")).await;
    assert_eq!(read["status"], "withdrawn", "{backend:?}: {read}");
    let (status, _) = evidence_bytes(&w.app, &w.supervisor, draw_id).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}");
}

#[both_engines]
async fn a_scheduled_draw_of_an_announced_plan_is_refused_and_draws_nothing(backend: Backend) {
    const CRON: &str = "0 0 9 1 * *";
    let w = World::new(backend).await;
    w.enterprises(4, Ent::default()).await;
    w.inspector("HB-001", "130000", CHEMICALS).await;
    w.inspector("HB-002", "130000", CHEMICALS).await;
    let plan = w
        .plan(plan_body(
            "每月抽查",
            json!({"ratios": {"high": 0.5}, "cron": CRON, "status": "active"}),
        ))
        .await;
    let (status, _) = announce(&w, plan, RULE).await;
    assert_eq!(status, StatusCode::CREATED, "{backend:?}");
    let fire = scheduler::Fire::new(
        &format!("plan.draw.{plan}"),
        chrono::Utc::now(),
        "instance-a",
    );

    let outcome = spotcheck::jobs::run_plan_draw(&w.app.state, plan, CRON, &fire).await;

    let message = outcome.expect_err("an announced draw is not made on schedule");
    assert!(
        message.contains("announced its next draw"),
        "{backend:?}: {message}"
    );
    let draws = get_ok(&w, &w.supervisor, &format!("/api/v1/plans/{plan}/draws")).await;
    assert_eq!(draws, json!([]), "{backend:?}");
}

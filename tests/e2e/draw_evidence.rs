//! Evidence bundles: real draws made by the binary, of every plan shape and
//! seed source, exported over HTTP and the command line and checked by the
//! reference verifier `docs/verify_draw.py`, which must say `match`; and
//! tampered bundles, which it must refuse naming the difference. Who may
//! fetch a bundle, and what it leaves out.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use entities::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use spotcheck_tests::{Backend, TestApp, both_engines};

use super::fixtures::{Ent, World, plan_body, run_cli};

/// The repository's root, one above the tests crate.
fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the repository")
        .to_path_buf()
}

/// What the reference verifier said about a bundle file.
#[derive(Debug)]
pub struct Verdict {
    /// Its exit code: 0 match, 1 a difference, 2 a malformed bundle.
    pub code: i32,
    /// Its one line.
    pub line: String,
}

/// Runs `python3 docs/verify_draw.py FILE`.
pub async fn reference_verdict(file: &Path) -> Verdict {
    let mut command = Command::new("python3");
    command
        .arg(repository().join("docs/verify_draw.py"))
        .arg(file);
    let output: Output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("verifier ran")
        .expect("python3 runs");
    Verdict {
        code: output.status.code().unwrap_or(-1),
        line: String::from_utf8_lossy(&output.stdout).trim().to_owned(),
    }
}

/// A draw's evidence bundle over HTTP, as bytes.
pub async fn evidence_bytes(app: &TestApp, token: &str, draw_id: i64) -> (StatusCode, Vec<u8>) {
    let response = app
        .authed(
            Method::GET,
            &format!("/api/v1/draws/{draw_id}/evidence"),
            token,
        )
        .send()
        .await
        .expect("request sent");
    let status = response.status();
    (status, response.bytes().await.expect("body").to_vec())
}

/// Writes `bundle` to a file in `dir` and runs the reference verifier on it.
pub async fn verdict_on(dir: &Path, name: &str, bundle: &Value) -> Verdict {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(bundle).expect("json")).expect("written");
    reference_verdict(&path).await
}

/// Exports a draw's bundle over HTTP and with `spotcheck draw evidence`,
/// checks the two are the same bytes, and has the reference verifier check it.
pub async fn assert_bundle_matches(w: &World, dir: &Path, draw_id: i64, what: &str) -> Value {
    let backend = w.backend();
    let (status, bytes) = evidence_bytes(&w.app, &w.supervisor, draw_id).await;
    assert_eq!(status, StatusCode::OK, "{backend:?} {what}");
    let file = dir.join(format!("draw-{draw_id}.json"));
    let cli = run_cli(
        &w.app,
        &[
            "draw",
            "evidence",
            &draw_id.to_string(),
            "-o",
            &file.to_string_lossy(),
        ],
    )
    .await;
    assert!(
        cli.status.success(),
        "{backend:?} {what}: {}",
        String::from_utf8_lossy(&cli.stderr)
    );
    assert_eq!(
        std::fs::read(&file).expect("bundle written"),
        bytes,
        "{backend:?} {what}: the command line writes the bytes the API answers"
    );
    let verdict = reference_verdict(&file).await;
    assert_eq!(
        (verdict.code, verdict.line.as_str()),
        (0, "match"),
        "{backend:?} {what}"
    );
    serde_json::from_slice(&bytes).expect("the bundle is JSON")
}

const CHEMICALS: &[&str] = &["hazardous_chemicals"];

/// Enterprises of every risk level, credit class and key flag, some in an
/// industry nobody is qualified for; five inspectors; a conflict.
async fn mixed_enterprises(w: &World) -> Vec<i64> {
    let mut ids = Vec::new();
    let risks = ["major", "high", "moderate", "low"];
    let credits = ["A", "B", "C", "D"];
    for n in 0..16 {
        let industry = if n % 7 == 6 {
            "fishery"
        } else {
            "hazardous_chemicals"
        };
        let region = if n % 2 == 0 { "130102" } else { "130203" };
        ids.push(
            w.enterprise(Ent {
                region,
                industry,
                risk: risks[n % 4],
                credit: credits[(n / 4) % 4],
                key: n % 5 == 0,
            })
            .await,
        );
    }
    let first = w.inspector("HB-001", "130000", CHEMICALS).await;
    w.inspector("HB-002", "130000", &["coal_mine", "hazardous_chemicals"])
        .await;
    w.inspector("HB-003", "130100", CHEMICALS).await;
    w.inspector("HB-004", "130200", CHEMICALS).await;
    w.inspector("HB-005", "130203", &["fireworks", "hazardous_chemicals"])
        .await;
    w.conflict(first, ids[1]).await;
    ids
}

/// A department of 河北 and its id.
async fn department(w: &World, code: &str, kind: &str, region: &str) -> i64 {
    w.create(
        "/api/v1/departments",
        json!({"code": code, "name": format!("部门{code}"), "kind": kind, "region_code": region}),
    )
    .await
}

#[both_engines]
async fn the_reference_verifier_reproduces_real_draws_of_every_plan_shape_and_seed_source(
    backend: Backend,
) {
    let w = World::new(backend).await;
    let dir = tempfile::tempdir().expect("temp dir");
    mixed_enterprises(&w).await;

    // An earlier round, so that the next draws have previous checks to avoid.
    let earlier = w
        .plan(plan_body(
            "上一轮",
            json!({"ratios": {"major": 1.0, "high": 1.0}}),
        ))
        .await;
    let first = w.draw(earlier, json!({})).await;
    // Key units whole, ratios that are not exact in binary, a minimum, a
    // uniform share, qualifications, a conflict and previous checks.
    let enterprises = w
        .plan(plan_body(
            "重点全查",
            json!({"ratios": {"major": 0.07, "high": 0.34, "moderate": 0.5, "low": 0.25},
                       "min_per_stratum": 1, "key_all": true, "uniform_share": 0.3,
                       "inspectors_per_task": 2}),
        ))
        .await;
    let from_text = w
        .draw(
            enterprises,
            json!({"seed_text": "2026年12月1日 双色球 03 07 19 22 28 31 + 11"}),
        )
        .await;
    let given = w
        .draw(
            enterprises,
            json!({"seed": 18_446_744_073_709_551_557_u64, "reason": "公证员现场指定"}),
        )
        .await;
    // No qualification asked, weights without key multiplier's effect.
    let unqualified = w
        .plan(plan_body(
            "不限资质",
            json!({"ratios": {"high": 1.0, "low": 0.5}, "require_qualification": false,
                       "uniform_share": 0.0, "inspectors_per_task": 3}),
        ))
        .await;
    let random = w.draw(unqualified, json!({})).await;

    // A joint check of departments (联合抽查).
    let fire = department(&w, "FR-130000", "fire_rescue", "130000").await;
    for (code, region) in [
        ("EM-130100", "130100"),
        ("EM-130102", "130102"),
        ("EM-130200", "130200"),
        ("EM-130203", "130203"),
    ] {
        let seat = department(&w, code, "emergency_management", region).await;
        w.inspector_of(&format!("{code}-1"), seat, region, CHEMICALS, None)
            .await;
    }
    for n in 1..=2 {
        w.inspector_of(&format!("FR-{n:03}"), fire, "130000", CHEMICALS, None)
            .await;
    }
    let joint = w
        .plan(plan_body(
            "联合抽查",
            json!({"target_kind": "department", "ratios": {"city": 1.0, "county": 0.5},
                       "department_ids": [fire, w.hebei], "require_qualification": false}),
        ))
        .await;
    let departments = w
        .draw(joint, json!({"seed_text": "联合抽查 2026 第四季度"}))
        .await;

    for (draw, what) in [
        (&first, "a random draw"),
        (&from_text, "an enterprise plan seeded from text"),
        (&given, "a redraw with a given seed above 2^63"),
        (&random, "a plan without qualifications"),
        (&departments, "a joint check of departments"),
    ] {
        let id = draw["id"].as_i64().expect("id");
        let bundle = assert_bundle_matches(&w, dir.path(), id, what).await;
        assert_eq!(
            bundle["format"], "spotcheck-draw-evidence/1",
            "{backend:?} {what}"
        );
        assert_eq!(
            bundle["seed"],
            draw["seed"].to_string(),
            "{backend:?} {what}"
        );
        assert_eq!(
            bundle["seed_provenance"]["source"], draw["seed_source"],
            "{backend:?} {what}"
        );
        assert_eq!(
            bundle["population"]["sha256"], draw["population_sha256"],
            "{backend:?} {what}"
        );
    }
    let given_id = given["id"].as_i64().expect("id");
    let (_, bytes) = evidence_bytes(&w.app, &w.supervisor, given_id).await;
    let bundle: Value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(
        bundle["seed_provenance"],
        json!({"source": "given", "seed_text": null, "announcement": null,
                   "given_by": "hb-supervisor", "reason": "公证员现场指定"}),
        "{backend:?}"
    );
    let superseded = from_text["id"].as_i64().expect("id");
    let (_, bytes) = evidence_bytes(&w.app, &w.supervisor, superseded).await;
    let bundle: Value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(bundle["draw"]["superseded_by"], given_id, "{backend:?}");
    assert_eq!(
        bundle["draw"]["supersede_reason"], "公证员现场指定",
        "{backend:?}"
    );
    assert_eq!(
        bundle["params"]["ratios"]["major"], 0.07,
        "{backend:?}: floats as stored"
    );
    assert_eq!(bundle["params"]["plan"]["name"], "重点全查", "{backend:?}");
}

#[both_engines]
async fn the_reference_verifier_names_what_was_tampered_with(backend: Backend) {
    let w = World::new(backend).await;
    let dir = tempfile::tempdir().expect("temp dir");
    mixed_enterprises(&w).await;
    let plan = w
        .plan(plan_body(
            "篡改检测",
            json!({"ratios": {"major": 1.0, "high": 1.0, "moderate": 1.0, "low": 1.0}}),
        ))
        .await;
    let draw = w
        .draw(plan, json!({"seed_text": "2026-12-05 体彩 大乐透"}))
        .await;
    let id = draw["id"].as_i64().expect("id");
    let bundle = assert_bundle_matches(&w, dir.path(), id, "intact").await;
    assert!(
        !bundle["result"]["unassigned"]
            .as_array()
            .expect("unassigned")
            .is_empty(),
        "{backend:?}: the fishery enterprises find nobody qualified"
    );

    let mut cases: Vec<(&str, Value, i32, &str)> = Vec::new();
    let mut swapped = bundle.clone();
    let team = swapped["result"]["tasks"][0]["inspector_ids"]
        .as_array_mut()
        .expect("team");
    team.reverse();
    cases.push(("a team's lead swapped", swapped, 1, "task #1:"));
    let mut dropped = bundle.clone();
    dropped["result"]["tasks"]
        .as_array_mut()
        .expect("tasks")
        .remove(1);
    cases.push(("a task dropped", dropped, 1, "task #2:"));
    let mut hidden = bundle.clone();
    hidden["result"]["unassigned"]
        .as_array_mut()
        .expect("unassigned")
        .clear();
    cases.push(("an unassigned target hidden", hidden, 1, "unassigned #1:"));
    let mut other_text = bundle.clone();
    other_text["seed_provenance"]["seed_text"] = json!("2026-12-05 体彩 大乐透 ");
    cases.push(("another seed text", other_text, 1, "seed:"));
    let mut other_seed = bundle.clone();
    other_seed["seed_provenance"] = json!({"source": "random"});
    other_seed["seed"] = json!("42");
    cases.push(("another seed", other_seed, 1, "task #"));
    let mut other_hash = bundle.clone();
    other_hash["population"]["sha256"] = json!("0".repeat(64));
    cases.push(("another population hash", other_hash, 1, "population:"));
    let mut other_size = bundle.clone();
    other_size["population"]["size"] = json!(draw["population_size"].as_i64().unwrap_or(0) + 1);
    cases.push(("another population size", other_size, 1, "population:"));
    let mut announced = bundle.clone();
    announced["seed_provenance"]["announcement"] = json!({"id": 1, "seed_rule": "体彩",
            "announced_at": "2026-12-01T09:00:00+08:00", "population_sha256": "ab".repeat(32)});
    cases.push(("another announced population", announced, 1, "population:"));
    let mut other_format = bundle.clone();
    other_format["format"] = json!("spotcheck-draw-evidence/0");
    cases.push(("an unknown format", other_format, 2, "malformed bundle:"));

    for (n, (what, tampered, code, says)) in cases.into_iter().enumerate() {
        let verdict = verdict_on(dir.path(), &format!("tampered-{n}.json"), &tampered).await;
        assert_eq!(verdict.code, code, "{backend:?} {what}: {verdict:?}");
        assert!(
            verdict.line.starts_with(says),
            "{backend:?} {what}: {verdict:?}"
        );
    }
}

#[both_engines]
async fn evidence_goes_to_supervisors_in_scope_leaders_and_admins_and_names_nobody(
    backend: Backend,
) {
    let w = World::new(backend).await;
    mixed_enterprises(&w).await;
    let plan = w
        .plan(plan_body("取证", json!({"ratios": {"high": 1.0}})))
        .await;
    let draw = w.draw(plan, json!({})).await;
    let id = draw["id"].as_i64().expect("id");
    let leader = w
        .app
        .token_for("hb-leader", Role::Leader, Some(w.hebei))
        .await;
    let department = w
        .app
        .token_for("hb-department", Role::Department, Some(w.hebei))
        .await;
    let (_, inspector) = w.inspector_user("HB-901", "130000", CHEMICALS).await;
    let beijing = w
        .app
        .token_for("bj-supervisor", Role::Supervisor, Some(w.beijing))
        .await;

    for (who, token, expected) in [
        ("the supervisor", w.supervisor.as_str(), StatusCode::OK),
        ("a leader", leader.as_str(), StatusCode::OK),
        ("an admin", w.admin.as_str(), StatusCode::OK),
        (
            "a department user",
            department.as_str(),
            StatusCode::FORBIDDEN,
        ),
        ("an inspector", inspector.as_str(), StatusCode::FORBIDDEN),
        (
            "another province's supervisor",
            beijing.as_str(),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let (status, _) = evidence_bytes(&w.app, token, id).await;
        assert_eq!(status, expected, "{backend:?}: {who}");
    }
    let (status, _) = w
        .app
        .call(
            Method::GET,
            &format!("/api/v1/draws/{id}/evidence"),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{backend:?}: no login");
    let (status, _) = evidence_bytes(&w.app, &w.supervisor, 999_999).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?}");

    let (_, bytes) = evidence_bytes(&w.app, &w.supervisor, id).await;
    let text = String::from_utf8(bytes).expect("UTF-8");
    for personal in ["测试企业", "检查员", "HB-00", "91130102MA", "hb-supervisor"] {
        assert!(
            !text.contains(personal),
            "{backend:?}: the bundle holds {personal}"
        );
    }
    let audited = spotcheck_tests::audit_rows(&w.app.db, "draw.evidence").await;
    assert_eq!(audited.len(), 4, "{backend:?}: every export is audited");
}

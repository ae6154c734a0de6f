//! How a draw's seed is chosen and recorded: public text hashed exactly as
//! given (and refused when padded with white space), a given seed only with a
//! reason, and the provenance shown in the draw; department plans refuse
//! `key_only`. Over HTTP and the command line.

use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait as _, Statement};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use spotcheck_tests::{Backend, both_engines};

use super::fixtures::{Ent, World, get_ok, plan_body, problem_fields, run_cli};

const CHEMICALS: &[&str] = &["hazardous_chemicals"];

/// Three enterprises, two inspectors and a plan drawing them all.
async fn drawable(w: &World, name: &str) -> i64 {
    w.enterprises(3, Ent::default()).await;
    w.inspector("HB-001", "130000", CHEMICALS).await;
    w.inspector("HB-002", "130000", CHEMICALS).await;
    w.plan(plan_body(name, json!({"ratios": {"high": 1.0}})))
        .await
}

fn seed_of_text(text: &str) -> u64 {
    let digest = Sha256::digest(text.as_bytes());
    u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

#[both_engines]
async fn a_seed_text_padded_with_white_space_is_refused_and_one_with_spaces_inside_is_hashed_as_given(
    backend: Backend,
) {
    let w = World::new(backend).await;
    let plan = drawable(&w, "公开种子").await;
    let padded = [
        "",
        "   ",
        " 双色球 2026139",
        "双色球 2026139 ",
        "\t双色球 2026139",
        "双色球 2026139\n",
        "\r\n双色球 2026139",
        "\u{3000}双色球 2026139",
        "双色球 2026139\u{3000}",
        "\u{a0}双色球 2026139",
    ];

    for text in padded {
        let (status, body) = w.try_draw(plan, json!({"seed_text": text})).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend:?} {text:?}: {body}"
        );
        assert_eq!(problem_fields(&body), ["seed_text"], "{backend:?} {text:?}");
    }
    let cli_padded = run_cli(
        &w.app,
        &[
            "draw",
            "run",
            &plan.to_string(),
            "--seed-text",
            " 双色球 2026139",
        ],
    )
    .await;
    let draws = get_ok(&w, &w.supervisor, &format!("/api/v1/plans/{plan}/draws")).await;
    assert_eq!(draws, json!([]), "{backend:?}: nothing drawn");
    assert!(!cli_padded.status.success(), "{backend:?}");
    let stderr = String::from_utf8_lossy(&cli_padded.stderr);
    assert!(
        stderr.starts_with("error:") && stderr.contains("seed_text"),
        "{backend:?}: {stderr}"
    );

    let text = "2026-12-01  中国福利彩票\u{3000}双色球\n07 12 25 31 33 + 09";
    let draw = w.draw(plan, json!({"seed_text": text})).await;

    assert_eq!(
        draw["seed"].as_u64(),
        Some(seed_of_text(text)),
        "{backend:?}"
    );
    assert_eq!(draw["seed_text"], text, "{backend:?}: stored exactly");
    assert_eq!(draw["seed_source"], "public_text", "{backend:?}");
    assert_eq!(draw["seed_reason"], Value::Null, "{backend:?}");
    let id = draw["id"].as_i64().expect("id");
    let verified = get_ok(&w, &w.supervisor, &format!("/api/v1/draws/{id}/verify")).await;
    assert_eq!(verified["verified"], true, "{backend:?}: {verified}");

    // A seed text edited afterwards no longer gives the seed: verify says so.
    w.app
        .db
        .execute_raw(Statement::from_sql_and_values(
            w.app.db.get_database_backend(),
            "UPDATE draw SET seed_text = $1 WHERE id = $2",
            [format!("{text} ").into(), id.into()],
        ))
        .await
        .expect("tampered");
    let tampered = get_ok(&w, &w.supervisor, &format!("/api/v1/draws/{id}/verify")).await;
    let cli_tampered = run_cli(&w.app, &["draw", "verify", &id.to_string()]).await;
    assert_eq!(
        tampered["mismatches"][0],
        format!(
            "seed {} recorded, its seed text gives {}",
            seed_of_text(text),
            seed_of_text(&format!("{text} "))
        ),
        "{backend:?}: {tampered}"
    );
    assert!(!cli_tampered.status.success(), "{backend:?}");
    assert!(
        String::from_utf8_lossy(&cli_tampered.stderr).contains("its seed text gives"),
        "{backend:?}"
    );

    // Characters are counted, not bytes: 1,000 three-byte characters pass.
    let longest = "号".repeat(1_000);
    let redraw = w
        .draw(
            plan,
            json!({"seed_text": longest, "reason": "更换公开文本"}),
        )
        .await;
    assert_eq!(
        redraw["seed"].as_u64(),
        Some(seed_of_text(&longest)),
        "{backend:?}"
    );
}

#[both_engines]
async fn a_given_seed_needs_a_reason_and_the_draw_says_who_gave_it_and_why(backend: Backend) {
    let w = World::new(backend).await;
    let plan = drawable(&w, "指定种子").await;

    for body in [
        json!({"seed": 7}),
        json!({"seed": 7, "reason": " \u{3000} "}),
    ] {
        let (status, refused) = w.try_draw(plan, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend:?} {body}: {refused}"
        );
        assert_eq!(problem_fields(&refused), ["reason"], "{backend:?} {body}");
    }
    let cli_refused = run_cli(&w.app, &["draw", "run", &plan.to_string(), "--seed", "7"]).await;
    assert!(!cli_refused.status.success(), "{backend:?}");
    assert!(
        String::from_utf8_lossy(&cli_refused.stderr).contains("reason"),
        "{backend:?}"
    );

    let given = w
        .draw(
            plan,
            json!({"seed": 7, "reason": "公证处现场监督，按公证员抽签结果指定"}),
        )
        .await;
    let id = given["id"].as_i64().expect("id");

    assert_eq!(given["seed"], 7, "{backend:?}");
    assert_eq!(given["seed_source"], "given", "{backend:?}");
    assert_eq!(
        given["seed_reason"], "公证处现场监督，按公证员抽签结果指定",
        "{backend:?}"
    );
    let stored = get_ok(&w, &w.supervisor, &format!("/api/v1/draws/{id}")).await;
    assert_eq!(stored["seed_source"], "given", "{backend:?}: {stored}");
    assert_eq!(stored["seed_reason"], given["seed_reason"], "{backend:?}");
    let listed = get_ok(&w, &w.supervisor, &format!("/api/v1/plans/{plan}/draws")).await;
    assert_eq!(listed[0]["seed_source"], "given", "{backend:?}: {listed}");

    // The command line draws as the system; its given seed is recorded alike.
    let cli_given = run_cli(
        &w.app,
        &[
            "draw",
            "run",
            &plan.to_string(),
            "--seed",
            "8",
            "--reason",
            "复核上一轮",
        ],
    )
    .await;
    let stdout = String::from_utf8_lossy(&cli_given.stdout);
    assert!(
        cli_given.status.success(),
        "{backend:?}: {}",
        String::from_utf8_lossy(&cli_given.stderr)
    );
    assert!(
        stdout.contains("seed 8 (given: 复核上一轮)"),
        "{backend:?}: {stdout}"
    );
    let audit = spotcheck_tests::audit_rows(&w.app.db, "draw.run").await;
    let last: Value =
        serde_json::from_str(&audit.last().expect("audited").detail).unwrap_or_default();
    assert_eq!(last["seed_source"], "given", "{backend:?}: {last}");
}

#[both_engines]
async fn a_draw_without_seed_or_text_records_a_random_seed(backend: Backend) {
    let w = World::new(backend).await;
    let plan = drawable(&w, "随机种子").await;

    let draw = w.draw(plan, json!({})).await;

    assert_eq!(draw["seed_source"], "random", "{backend:?}: {draw}");
    assert_eq!(draw["seed_reason"], Value::Null, "{backend:?}");
    assert_eq!(draw["seed_text"], Value::Null, "{backend:?}");
    assert_eq!(draw["announcement_id"], Value::Null, "{backend:?}");
}

#[both_engines]
async fn a_department_plan_cannot_filter_by_key_supervision(backend: Backend) {
    let w = World::new(backend).await;

    let (status, refused) = w
        .app
        .post(
            "/api/v1/plans",
            &w.supervisor,
            json!({"name": "部门抽查", "target_kind": "department", "key_only": true}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {refused}"
    );
    assert_eq!(problem_fields(&refused), ["key_only"], "{backend:?}");

    let plan = w
        .plan(plan_body("部门抽查", json!({"target_kind": "department"})))
        .await;
    let (status, refused) = w
        .app
        .call(
            Method::PATCH,
            &format!("/api/v1/plans/{plan}"),
            Some(&w.supervisor),
            Some(json!({"key_only": true})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {refused}"
    );
    assert_eq!(problem_fields(&refused), ["key_only"], "{backend:?}");
    let unchanged = get_ok(&w, &w.supervisor, &format!("/api/v1/plans/{plan}")).await;
    assert_eq!(unchanged["key_only"], false, "{backend:?}");
}

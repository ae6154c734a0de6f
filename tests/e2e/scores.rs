//! Scores of the fixed data set in `score_fixture.rs`, worked out by hand:
//! years, quarters and months, boundaries at China midnight, ranks with ties,
//! idempotent recomputation, and the accountability items it raises.
//!
//! Weights 0.35 (data security) / 0.35 (reporting) / 0.30 (inspection),
//! renormalised over the parts present; every part and the overall score are
//! rounded to two decimals, and the overall is computed from the rounded parts.

use std::collections::HashMap;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use spotcheck_tests::{Backend, IndicatorSet, TestApp, audit_rows, both_engines};

use super::{
    fixtures::{Ent, World, china_date, plan_body, task_ids, teams},
    score_fixture::{Fixture, arrange, indicator, score_rows},
};
use crate::cli;

/// The rows of a period, by (kind, id).
async fn scores(app: &TestApp, token: &str, period: &str) -> HashMap<(String, i64), Value> {
    score_rows(app, token, period)
        .await
        .into_iter()
        .map(|row| {
            let key = (
                row["subject_kind"].as_str().expect("kind").to_owned(),
                row["subject_id"].as_i64().expect("id"),
            );
            (key, row)
        })
        .collect()
}

async fn recompute(app: &TestApp, token: &str, period: &str) -> Value {
    let path = format!("/api/v1/scores/{period}/recompute");
    let (status, body) = app.call(Method::POST, &path, Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "recompute {period}: {body}");
    body
}

/// Asserts one row's parts, overall, grade and rank.
#[track_caller]
fn expect(rows: &HashMap<(String, i64), Value>, what: &str, key: (&str, i64), expected: Value) {
    let row = rows
        .get(&(key.0.to_owned(), key.1))
        .unwrap_or_else(|| panic!("{what}: no row for {key:?} in {rows:?}"));
    for field in [
        "data_security",
        "reporting_compliance",
        "inspection",
        "overall",
        "grade",
        "rank",
    ] {
        assert_eq!(
            row[field], expected[field],
            "{what}: {field} of {key:?}: {row}"
        );
    }
}

fn without_times(rows: &HashMap<(String, i64), Value>) -> Vec<(String, i64, Value)> {
    let mut out: Vec<_> = rows
        .iter()
        .map(|(k, v)| {
            let mut v = v.clone();
            v["computed_at"] = Value::Null;
            (k.0.clone(), k.1, v)
        })
        .collect();
    out.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    out
}

#[both_engines]
async fn the_fixed_data_set_scores_as_computed_by_hand(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = arrange(&app).await;
    let raised = recompute(&app, &f.admin, "2025").await;
    let year = scores(&app, &f.admin, "2025").await;
    assert_year_2025(&year, &f, &format!("{backend:?} 2025"));
    // Every item raised for 2025, by reason (final_report_missing of I2 falls
    // due on 9 January 2026 and belongs to 2026-01).
    assert_eq!(
        raised["raised"],
        json!({"direct_report_missing": 1, "grade_fail": 2, "hazard_overdue": 4,
               "report_late": 1, "self_assessment_inflated": 1,
               "severity_understated": 1, "task_overdue": 2}),
        "{backend:?}"
    );
    assert_eq!(
        (
            raised["departments"].as_u64(),
            raised["enterprises"].as_u64()
        ),
        (Some(3), Some(4)),
        "{backend:?}"
    );

    // Recomputing changes nothing and raises nothing.
    let again = recompute(&app, &f.admin, "2025").await;
    assert!(
        again["raised"]
            .as_object()
            .expect("raised")
            .values()
            .all(|n| n == 0),
        "{backend:?}: {again}"
    );
    assert_eq!(
        again["changed"], 0,
        "{backend:?}: nothing to write: {again}"
    );
    let year_again = scores(&app, &f.admin, "2025").await;
    assert_eq!(
        without_times(&year),
        without_times(&year_again),
        "{backend:?}"
    );
    assert_eq!(
        audit_rows(&app.db, "score.recompute").await.len(),
        2,
        "{backend:?}"
    );

    assert_quarter_and_month(&app, &f, &format!("{backend:?}")).await;
    assert_new_year(&app, &f, &format!("{backend:?}")).await;
}

fn assert_year_2025(rows: &HashMap<(String, i64), Value>, f: &Fixture, what: &str) {
    assert_eq!(rows.len(), 7, "{what}: 3 departments and 4 enterprises");
    // HB data security: its reviewed check outranks its self-assessment (100).
    //   The later of two DS-1 findings counts (6 of 10), DS-2 10 of 20, GOV-1 is not data security:
    //   100 × (2·6/10 + 1·10/20) ÷ (2 + 1) = 100 × 1.7 / 3 = 56.666… → 56.67
    // HB reporting: I1 on time on both deadlines, complete, no direct duty: 40+20+20+20 = 100;
    //   I2 serious, initial 1 s late (0), not direct (0), complete (20), no final and overdue (0) = 20;
    //   mean (100 + 20) / 2 = 60
    // HB inspection: own check 70, E1 80, E2 90 in its jurisdiction: (70 + 80 + 90) / 3 = 80
    // HB overall: 0.35·56.67 + 0.35·60 + 0.30·80 = 19.8345 + 21 + 24 = 64.8345 → 64.83, pass
    expect(
        rows,
        what,
        ("department", f.hb),
        json!({"data_security": 56.67,
        "reporting_compliance": 60.0, "inspection": 80.0, "overall": 64.83, "grade": "pass", "rank": 2}),
    );
    // BJ: no check, so its self-assessment: 100 × (2·8/10 + 1·10/20) ÷ 3 = 100 × 2.1 / 3 = 70
    //   no incidents: reporting null; inspection E3 50 and E4 90 (published 23:59:59 on
    //   31 December China time; E3's check at 23:59:59 on 31 December 2024 is not in 2025): 70
    //   overall (0.35·70 + 0.30·70) / 0.65 = 45.5 / 0.65 = 70, pass, first of the provinces.
    expect(
        rows,
        what,
        ("department", f.bj),
        json!({"data_security": 70.0,
        "reporting_compliance": null, "inspection": 70.0, "overall": 70.0, "grade": "pass", "rank": 1}),
    );
    // HBC (city): nothing but E1 80 and E2 90 in 1301: inspection 85 = overall, good, alone at city level.
    //   I3 happened at 00:30 on 1 January 2026 China time: not in 2025.
    expect(
        rows,
        what,
        ("department", f.hbc),
        json!({"data_security": null,
        "reporting_compliance": null, "inspection": 85.0, "overall": 85.0, "grade": "good", "rank": 1}),
    );
    // E1: checked data security 100 × 4/10 = 40, inspection 80:
    //   (0.35·40 + 0.30·80) / 0.65 = 38 / 0.65 = 58.4615… → 58.46, fail
    // E2 and E4 tie at 90 and share rank 1; E1 is 3rd, E3 (50, fail) 4th.
    let [e1, e2, e3, e4] = f.e;
    expect(
        rows,
        what,
        ("enterprise", e1),
        json!({"data_security": 40.0,
        "reporting_compliance": null, "inspection": 80.0, "overall": 58.46, "grade": "fail", "rank": 3}),
    );
    expect(
        rows,
        what,
        ("enterprise", e2),
        json!({"data_security": null,
        "reporting_compliance": null, "inspection": 90.0, "overall": 90.0, "grade": "excellent", "rank": 1}),
    );
    expect(
        rows,
        what,
        ("enterprise", e3),
        json!({"data_security": null,
        "reporting_compliance": null, "inspection": 50.0, "overall": 50.0, "grade": "fail", "rank": 4}),
    );
    expect(
        rows,
        what,
        ("enterprise", e4),
        json!({"data_security": null,
        "reporting_compliance": null, "inspection": 90.0, "overall": 90.0, "grade": "excellent", "rank": 1}),
    );
    let hb = &rows[&("department".to_owned(), f.hb)];
    assert_eq!(hb["name"], "河北省应急管理厅", "{what}");
    assert_eq!(hb["level"], "province", "{what}");
}

async fn assert_quarter_and_month(app: &TestApp, f: &Fixture, what: &str) {
    // 2025Q4: the self-assessments are for the year, so BJ has no data security;
    // HB keeps its check. Only the quarter's grade_fail items are new.
    let raised = recompute(app, &f.admin, "2025Q4").await;
    assert_eq!(raised["raised"]["grade_fail"], 2, "{what}: {raised}");
    for reason in ["task_overdue", "report_late", "hazard_overdue"] {
        let again = raised["raised"][reason].as_u64().unwrap_or(0);
        assert_eq!(again, 0, "{what}: {reason} not twice: {raised}");
    }
    let quarter = scores(app, &f.admin, "2025Q4").await;
    expect(
        &quarter,
        what,
        ("department", f.hb),
        json!({"data_security": 56.67,
        "reporting_compliance": 60.0, "inspection": 80.0, "overall": 64.83, "grade": "pass", "rank": 2}),
    );
    // BJ: inspection only, 70.
    expect(
        &quarter,
        what,
        ("department", f.bj),
        json!({"data_security": null,
        "reporting_compliance": null, "inspection": 70.0, "overall": 70.0, "grade": "pass", "rank": 1}),
    );

    // 2025-11, through the command line.
    let output = cli(app).args(["score", "2025-11"]).output().expect("cli");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{what}: {stdout} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("scores for 2025-11: 3 departments, 1 enterprises"),
        "{what}: {stdout}"
    );
    let month = scores(app, &f.admin, "2025-11").await;
    // HB in November: check 56.67; I1 only: 100; own check 70 and E1 80: 75;
    //   0.35·56.67 + 0.35·100 + 0.30·75 = 19.8345 + 35 + 22.5 = 77.3345 → 77.33, good
    expect(
        &month,
        what,
        ("department", f.hb),
        json!({"data_security": 56.67,
        "reporting_compliance": 100.0, "inspection": 75.0, "overall": 77.33, "grade": "good", "rank": 1}),
    );
    // BJ had nothing in November: a row of nulls, unranked.
    expect(
        &month,
        what,
        ("department", f.bj),
        json!({"data_security": null,
        "reporting_compliance": null, "inspection": null, "overall": null, "grade": null, "rank": null}),
    );
    assert!(
        !month.contains_key(&("enterprise".to_owned(), f.e[1])),
        "{what}: E2 had nothing in November"
    );

    let bad = cli(app).args(["score", "2025Q5"]).output().expect("cli");
    assert!(!bad.status.success(), "{what}");
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(
        stderr.trim().lines().count(),
        1,
        "{what}: one line: {stderr}"
    );
    assert!(stderr.contains("2025Q5"), "{what}: {stderr}");
}

async fn assert_new_year(app: &TestApp, f: &Fixture, what: &str) {
    // I2's final report fell due on 9 January 2026: raised with January.
    let raised = recompute(app, &f.admin, "2026-01").await;
    assert_eq!(
        raised["raised"],
        json!({"final_report_missing": 1}),
        "{what}: {raised}"
    );
    let january = scores(app, &f.admin, "2026-01").await;
    // HBC: I3 (00:30 on 1 January China time), reported on time, complete, final on time: 100.
    expect(
        &january,
        what,
        ("department", f.hbc),
        json!({"data_security": null,
        "reporting_compliance": 100.0, "inspection": null, "overall": 100.0, "grade": "excellent", "rank": 1}),
    );
    // E4's check published at 00:00:00 on 1 January China time: 60, in BJ's jurisdiction too.
    expect(
        &january,
        what,
        ("enterprise", f.e[3]),
        json!({"data_security": null,
        "reporting_compliance": null, "inspection": 60.0, "overall": 60.0, "grade": "pass", "rank": 1}),
    );
    expect(
        &january,
        what,
        ("department", f.bj),
        json!({"data_security": null,
        "reporting_compliance": null, "inspection": 60.0, "overall": 60.0, "grade": "pass", "rank": 1}),
    );

    let (_, items) = app
        .get("/api/v1/accountability?page_size=500", &f.admin)
        .await;
    let items = items["items"].as_array().expect("items").clone();
    let find =
        |reason: &str| -> Vec<&Value> { items.iter().filter(|i| i["reason"] == reason).collect() };
    let late = find("report_late");
    assert_eq!(late.len(), 1, "{what}");
    assert_eq!(late[0]["subject_kind"], "department", "{what}");
    assert_eq!(late[0]["subject_id"], f.hb, "{what}");
    assert_eq!(late[0]["period"], "2025-12", "{what}");
    assert_eq!(late[0]["status"], "open", "{what}");
    assert_eq!(
        late[0]["evidence"],
        json!({"kind": "incident", "id": f.incidents[1], "href": format!("/api/v1/incidents/{}", f.incidents[1]), "backfilled": false}),
        "{what}"
    );
    // I2 was stated relatively serious when it was reported with 10 deaths:
    // that statement, made with the incident, is the evidence.
    let understated = find("severity_understated");
    assert_eq!(understated.len(), 1, "{what}");
    assert_eq!(
        (
            &understated[0]["evidence"]["kind"],
            &understated[0]["evidence"]["id"]
        ),
        (&json!("incident"), &json!(f.incidents[1])),
        "{what}"
    );
    let inflated = find("self_assessment_inflated");
    assert_eq!(
        inflated[0]["evidence"]["id"], f.assessments.0,
        "{what}: HB's own assessment"
    );
    let (task, inspectors) = f.overdue_task;
    let mut overdue: Vec<i64> = find("task_overdue")
        .iter()
        .inspect(|i| assert_eq!(i["evidence"]["id"], task, "{what}"))
        .map(|i| i["subject_id"].as_i64().expect("id"))
        .collect();
    overdue.sort_unstable();
    assert_eq!(
        overdue,
        inspectors.to_vec(),
        "{what}: both inspectors of the task"
    );
    let mut hazards: Vec<(String, i64, i64)> = find("hazard_overdue")
        .iter()
        .map(|i| {
            (
                i["subject_kind"].as_str().expect("kind").to_owned(),
                i["subject_id"].as_i64().expect("id"),
                i["evidence"]["id"].as_i64().expect("id"),
            )
        })
        .collect();
    hazards.sort();
    let (h1, h4) = f.hazards;
    // H1 (E1 in 130102, open): E1 and 石家庄 (the city above, no department at 130102).
    // H4 (E3 in 110101, rectified late): E3 and 北京 (no department at 110101 or 110100).
    let mut expected = vec![
        ("department".to_owned(), f.hbc, h1),
        ("department".to_owned(), f.bj, h4),
        ("enterprise".to_owned(), f.e[0], h1),
        ("enterprise".to_owned(), f.e[2], h4),
    ];
    expected.sort();
    assert_eq!(hazards, expected, "{what}");
    // A year's list also holds the items of the months and quarters inside it.
    let (_, of_2025) = app
        .get("/api/v1/accountability?period=2025&page_size=500", &f.admin)
        .await;
    // 12 for the year, grade_fail of E1 and E3 for the fourth quarter, of E1 for November.
    assert_eq!(of_2025["total"], 15, "{what}");
    let (_, of_2026) = app
        .get("/api/v1/accountability?period=2026", &f.admin)
        .await;
    assert_eq!(of_2026["total"], 1, "{what}: I2's final report");
}

/// Checks carried out through the API: a review settles the data-security sums
/// from the latest findings, including those recorded after a return, and a
/// recomputation scores the enterprise from them; a check with nothing on data
/// security and not yet published gives its enterprise nothing to score.
#[both_engines]
async fn a_reviewed_check_scores_data_security_from_its_latest_findings(backend: Backend) {
    let w = World::new(backend).await;
    let firms = w.enterprises(2, Ent::default()).await;
    let crew = w.crew(2, "130000", &["hazardous_chemicals"]).await;
    let IndicatorSet {
        id: set,
        indicators: ids,
    } = w
        .app
        .indicator_set(
            &w.admin,
            "DSX",
            json!([
                indicator("DS-A", "data_security", 10.0, 1.0, "enterprise"),
                indicator("DS-B", "data_security", 20.0, 3.0, "enterprise"),
                indicator("HZ-A", "hazard_management", 5.0, 1.0, "enterprise"),
            ]),
        )
        .await;
    let finding = |i: usize, points: f64| {
        json!({"indicator_id": ids[i], "points": points, "compliant": true,
               "description": "检查记录"})
    };
    let plan = w
        .plan(plan_body(
            "数据安全抽查",
            json!({"ratios": {"high": 1.0}, "indicator_set_id": set}),
        ))
        .await;
    let draw = w
        .draw(plan, json!({"seed": 1, "reason": "固定种子，便于复现"}))
        .await;
    let checks: Vec<(i64, i64, &str)> = teams(&draw)
        .into_iter()
        .zip(task_ids(&draw))
        .map(|((target, team), task)| (target, task, crew.token(team[0])))
        .collect();
    let mut drawn: Vec<i64> = checks.iter().map(|c| c.0).collect();
    drawn.sort_unstable();
    assert_eq!(drawn, firms, "{backend:?}: {draw}");
    let [(enterprise, task, lead), (other, other_task, other_lead)] = checks[..] else {
        panic!("{backend:?}: two checks: {draw}");
    };

    // DS-A is recorded twice; then the supervisor returns the check and
    // DS-B is recorded again.
    w.carry_out(
        task,
        lead,
        &[
            finding(0, 2.0),
            finding(0, 8.0),
            finding(1, 10.0),
            finding(2, 1.0),
        ],
    )
    .await;
    w.return_task(task, "隐患照片不清晰").await;
    w.carry_out(task, lead, &[finding(1, 15.0)]).await;
    let reviewed = w.step_ok(task, "review", &w.supervisor).await;
    // Score over every indicator: 100 × (1·8/10 + 3·15/20 + 1·1/5) ÷ (1 + 3 + 1)
    // = 100 × (0.8 + 2.25 + 0.2) ÷ 5 = 65.
    assert_eq!(reviewed["score"], 65.0, "{backend:?}: {reviewed}");
    // The other check finds nothing on data security.
    w.carry_out(other_task, other_lead, &[finding(2, 4.0)])
        .await;
    w.step_ok(other_task, "review", &w.supervisor).await;
    let month = |task: &Value, field: &str| china_date(&task[field]).format("%Y-%m").to_string();
    let review_month = month(&reviewed, "reviewed_at");

    // Data security over DS-A and DS-B only:
    // 100 × (1·8/10 + 3·15/20) ÷ (1 + 3) = 100 × 3.05 ÷ 4 = 76.25.
    // Not yet published: no inspection part, so overall is data security alone.
    recompute(&w.app, &w.admin, &review_month).await;
    let rows = scores(&w.app, &w.admin, &review_month).await;
    expect(
        &rows,
        &format!("{backend:?} {review_month} reviewed"),
        ("enterprise", enterprise),
        json!({"data_security": 76.25, "reporting_compliance": null,
               "inspection": null, "overall": 76.25, "grade": "good", "rank": 1}),
    );
    assert!(
        !rows.contains_key(&("enterprise".to_owned(), other)),
        "{backend:?}: nothing to score for the other enterprise: {rows:?}"
    );

    // Published: inspection 65. In the month of the review as well, overall is
    // (0.35·76.25 + 0.30·65) ÷ 0.65 = (26.6875 + 19.5) ÷ 0.65 = 71.0577 → 71.06;
    // in a later month (published just after midnight), inspection alone.
    let published = w.step_ok(task, "publish", &w.supervisor).await;
    let publish_month = month(&published, "published_at");
    let expected = if publish_month == review_month {
        json!({"data_security": 76.25, "reporting_compliance": null,
               "inspection": 65.0, "overall": 71.06, "grade": "pass", "rank": 1})
    } else {
        json!({"data_security": null, "reporting_compliance": null,
               "inspection": 65.0, "overall": 65.0, "grade": "pass", "rank": 1})
    };
    recompute(&w.app, &w.admin, &publish_month).await;
    let rows = scores(&w.app, &w.admin, &publish_month).await;
    expect(
        &rows,
        &format!("{backend:?} {publish_month} published"),
        ("enterprise", enterprise),
        expected,
    );
}

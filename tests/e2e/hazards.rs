//! Hidden hazards as a list people work from, and their rectification (整改):
//! found by an inspector, reported rectified by the enterprise's department,
//! verified (销号) or sent back by a supervisor or the check's inspectors;
//! overdue hazards, the public record of rectification, the risk lists, and
//! who may see and do what.

use chrono::{Duration, NaiveDate, Utc};
use entities::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use spotcheck::domain::workdays::china_date;
use spotcheck_tests::{Backend, V, audit_rows, both_engines, row, xlsx};

use super::fixtures::{Ent, OneTask, World, credit_code, item_ids, problem_fields};

/// Today in China time, and `days` from it.
fn today() -> NaiveDate {
    china_date(Utc::now())
}

fn day(days: i64) -> NaiveDate {
    today() + Duration::days(days)
}

/// A major hazard found on the task's second indicator, due in 30 days:
/// the task is started and the finding recorded by the lead inspector.
/// Returns the hazard's id.
async fn hazard_found(t: &OneTask) -> i64 {
    let w = &t.w;
    w.step_ok(t.task, "start", t.lead()).await;
    let finding = w
        .finding(
            t.task,
            t.lead(),
            json!({
                "indicator_id": t.set.indicators[1],
                "points": 6.0,
                "compliant": false,
                "description": "液氨储罐区可燃气体报警器失效",
                "hazard_grade": "major",
                "rectify_by": day(30),
            }),
        )
        .await;
    let (status, list) = w
        .app
        .get(
            &format!("/api/v1/hazards?enterprise_id={}", t.enterprise),
            &w.supervisor,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 1, "{list}");
    let hazard = &list["items"][0];
    assert_eq!(
        hazard["code"],
        format!("T{}-F{}", t.task, finding["id"]),
        "{hazard}"
    );
    hazard["id"].as_i64().expect("hazard id")
}

/// A department user of 河北.
async fn hebei_department(w: &World) -> String {
    w.app
        .token_for("hb-department", Role::Department, Some(w.hebei))
        .await
}

/// Takes a rectification step and returns the status and answer.
async fn hazard_step(
    w: &World,
    id: i64,
    step: &str,
    token: &str,
    body: Value,
) -> (StatusCode, Value) {
    w.app
        .post(&format!("/api/v1/hazards/{id}/{step}"), token, body)
        .await
}

/// Takes a rectification step that must succeed and returns the hazard.
async fn hazard_step_ok(w: &World, id: i64, step: &str, token: &str, body: Value) -> Value {
    let (status, hazard) = hazard_step(w, id, step, token, body).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{:?} {step} hazard {id}: {hazard}",
        w.backend()
    );
    hazard
}

/// The published hazards of the public results, by description.
async fn public_hazards(w: &World) -> Vec<Value> {
    let (status, results) = w
        .app
        .call(Method::GET, "/public/v1/results", None, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{results}");
    results["items"]
        .as_array()
        .expect("items")
        .iter()
        .flat_map(|r| r["hazards"].as_array().cloned().unwrap_or_default())
        .collect()
}

fn is_china_time(value: &Value) -> bool {
    value.as_str().is_some_and(|t| t.ends_with("+08:00"))
}

#[both_engines]
async fn a_hazard_goes_from_an_inspectors_finding_to_verification_through_the_api(
    backend: Backend,
) {
    let t = OneTask::new(backend).await;
    let w = &t.w;
    let department = hebei_department(w).await;
    let id = hazard_found(&t).await;
    w.step_ok(t.task, "submit", t.lead()).await;
    w.step_ok(t.task, "review", &w.supervisor).await;
    w.step_ok(t.task, "publish", &w.supervisor).await;

    let (status, found) = w
        .app
        .get(&format!("/api/v1/hazards/{id}"), &department)
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {found}");
    assert_eq!(found["status"], "open", "{backend:?}: {found}");
    assert_eq!(found["grade"], "major", "{backend:?}: {found}");
    assert_eq!(found["task_id"], t.task, "{backend:?}: {found}");
    assert_eq!(
        found["enterprise"]["id"], t.enterprise,
        "{backend:?}: {found}"
    );
    assert_eq!(
        found["enterprise"]["credit_code"],
        credit_code(1),
        "{backend:?}"
    );
    assert_eq!(found["found_on"], today().to_string(), "{backend:?}");
    assert_eq!(found["rectify_by"], day(30).to_string(), "{backend:?}");
    assert!(is_china_time(&found["created_at"]), "{backend:?}: {found}");
    assert_eq!(found["history"], json!([]), "{backend:?}");
    let published = public_hazards(w).await;
    assert_eq!(published.len(), 1, "{backend:?}: {published:?}");
    assert_eq!(published[0]["status"], "open", "{backend:?}");
    assert_eq!(published[0]["rectified_on"], Value::Null, "{backend:?}");

    let rectified = hazard_step_ok(
        w,
        id,
        "rectify",
        &department,
        json!({"note": "更换报警器并完成联动测试", "rectified_on": today()}),
    )
    .await;
    assert_eq!(rectified["status"], "rectified", "{backend:?}: {rectified}");
    assert_eq!(
        rectified["rectified_on"],
        today().to_string(),
        "{backend:?}"
    );
    let history = &rectified["history"];
    assert_eq!(history[0]["step"], "rectify", "{backend:?}: {history}");
    assert_eq!(history[0]["by"], "hb-department", "{backend:?}: {history}");
    assert_eq!(
        history[0]["note"], "更换报警器并完成联动测试",
        "{backend:?}"
    );
    assert!(is_china_time(&history[0]["at"]), "{backend:?}: {history}");
    let published = public_hazards(w).await;
    assert_eq!(published[0]["status"], "rectified", "{backend:?}");
    assert_eq!(
        published[0]["rectified_on"],
        today().to_string(),
        "{backend:?}"
    );

    let verified = hazard_step_ok(
        w,
        id,
        "verify",
        &w.supervisor,
        json!({"note": "现场复查合格，同意销号"}),
    )
    .await;
    assert_eq!(verified["status"], "verified", "{backend:?}: {verified}");
    assert!(
        is_china_time(&verified["verified_at"]),
        "{backend:?}: {verified}"
    );
    assert_eq!(verified["history"][1]["step"], "verify", "{backend:?}");
    assert_eq!(verified["history"][1]["by"], "hb-supervisor", "{backend:?}");
    let published = public_hazards(w).await;
    assert_eq!(published[0]["status"], "verified", "{backend:?}");
    assert_eq!(
        published[0]["verified_on"],
        today().to_string(),
        "{backend:?}"
    );

    let (status, again) = hazard_step(w, id, "verify", &w.supervisor, json!({})).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "{backend:?}: a verified hazard is closed: {again}"
    );
    for (action, by) in [
        ("hazard.rectify", "hb-department"),
        ("hazard.verify", "hb-supervisor"),
    ] {
        let rows = audit_rows(&w.app.db, action).await;
        assert_eq!(rows.len(), 1, "{backend:?}: {action}");
        assert_eq!(rows[0].actor, by, "{backend:?}: {action}");
        assert_eq!(
            rows[0].object_id,
            Some(id.to_string()),
            "{backend:?}: {action}"
        );
    }
}

#[both_engines]
async fn a_rectification_sent_back_is_open_again_until_rectified_anew_and_verified(
    backend: Backend,
) {
    let t = OneTask::new(backend).await;
    let w = &t.w;
    let department = hebei_department(w).await;
    let id = hazard_found(&t).await;
    let rectify = |note: &str| json!({"note": note});

    for (what, body, field) in [
        ("no note", json!({"note": "  "}), "note"),
        (
            "rectified tomorrow",
            json!({"note": "已整改", "rectified_on": day(1)}),
            "rectified_on",
        ),
        (
            "rectified before it was found",
            json!({"note": "已整改", "rectified_on": day(-1)}),
            "rectified_on",
        ),
    ] {
        let (status, body) = hazard_step(w, id, "rectify", &department, body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend:?}: {what}: {body}"
        );
        assert_eq!(
            problem_fields(&body),
            [field],
            "{backend:?}: {what}: {body}"
        );
    }
    let (status, early) = hazard_step(w, id, "verify", t.lead(), json!({})).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "{backend:?}: nothing to verify yet: {early}"
    );
    assert_eq!(early["code"], "conflict", "{backend:?}");

    hazard_step_ok(w, id, "rectify", &department, rectify("已更换报警器")).await;
    let (status, twice) = hazard_step(w, id, "rectify", &department, rectify("再次报告")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{backend:?}: {twice}");
    let (status, no_reason) = hazard_step(w, id, "reopen", t.lead(), json!({"note": ""})).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {no_reason}"
    );

    let reopened = hazard_step_ok(
        w,
        id,
        "reopen",
        t.lead(),
        json!({"note": "报警器未接入控制室，整改不到位"}),
    )
    .await;
    assert_eq!(reopened["status"], "open", "{backend:?}: {reopened}");
    assert_eq!(
        reopened["rectified_on"],
        Value::Null,
        "{backend:?}: {reopened}"
    );
    assert_eq!(reopened["history"][1]["step"], "reopen", "{backend:?}");
    assert_eq!(
        reopened["history"][1]["note"], "报警器未接入控制室，整改不到位",
        "{backend:?}"
    );
    let (status, back) = hazard_step(w, id, "reopen", t.lead(), json!({"note": "再退回"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{backend:?}: {back}");

    hazard_step_ok(w, id, "rectify", &department, rectify("报警器已接入控制室")).await;
    let verified = hazard_step_ok(w, id, "verify", t.member(), json!(null)).await;
    assert_eq!(verified["status"], "verified", "{backend:?}: {verified}");
    let steps: Vec<&str> = verified["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|s| s["step"].as_str())
        .collect();
    assert_eq!(
        steps,
        ["rectify", "reopen", "rectify", "verify"],
        "{backend:?}: {verified}"
    );
    assert_eq!(
        audit_rows(&w.app.db, "hazard.reopen").await.len(),
        1,
        "{backend:?}"
    );
}

#[both_engines]
async fn a_hazard_withdrawn_with_its_finding_leaves_the_open_lists_and_takes_no_step(
    backend: Backend,
) {
    let t = OneTask::new(backend).await;
    let w = &t.w;
    let department = hebei_department(w).await;
    let id = hazard_found(&t).await;
    hazard_step_ok(
        w,
        id,
        "rectify",
        &department,
        json!({"note": "已停用报警回路"}),
    )
    .await;
    let (status, findings) = w
        .app
        .get(&format!("/api/v1/tasks/{}/findings", t.task), t.lead())
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {findings}");
    let finding = findings[0]["id"].as_i64().expect("the finding");
    let (status, body) = w
        .app
        .call(
            Method::DELETE,
            &format!("/api/v1/tasks/{}/findings/{finding}", t.task),
            Some(t.lead()),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{backend:?}: {body}");

    let (status, withdrawn) = w
        .app
        .get(&format!("/api/v1/hazards/{id}"), &w.supervisor)
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {withdrawn}");
    assert_eq!(withdrawn["status"], "withdrawn", "{backend:?}: {withdrawn}");
    let listed = |query: &'static str| {
        let path = format!("/api/v1/hazards?enterprise_id={}&{query}", t.enterprise);
        async move {
            let (status, list) = w.app.get(&path, &w.supervisor).await;
            assert_eq!(status, StatusCode::OK, "{backend:?} {path}: {list}");
            item_ids(&list)
        }
    };
    for query in [
        "",
        "status=open",
        "status=overdue",
        "status=rectified",
        "overdue=true",
        "overdue=false",
    ] {
        assert!(
            listed(query).await.is_empty(),
            "{backend:?}: {query}: a withdrawn hazard is off the list"
        );
    }
    assert_eq!(listed("status=withdrawn").await, [id], "{backend:?}");

    for (step, token) in [
        ("verify", w.supervisor.as_str()),
        ("reopen", t.lead()),
        ("rectify", department.as_str()),
    ] {
        let (status, refused) = hazard_step(w, id, step, token, json!({"note": "复查"})).await;
        assert_eq!(
            status,
            StatusCode::CONFLICT,
            "{backend:?}: {step}: {refused}"
        );
        assert!(
            refused["message"]
                .as_str()
                .is_some_and(|m| m.contains("撤回")),
            "{backend:?}: {step}: the refusal says why: {refused}"
        );
    }
    let english = w
        .app
        .authed(
            Method::POST,
            &format!("/api/v1/hazards/{id}/verify"),
            &w.supervisor,
        )
        .header("Accept-Language", "en")
        .json(&json!({}))
        .send()
        .await
        .expect("sent");
    assert_eq!(english.status(), StatusCode::CONFLICT, "{backend:?}");
    let english: Value = english.json().await.expect("a JSON error");
    assert_eq!(
        english["message"], "cannot verify a hazard withdrawn with its finding: it is off the list",
        "{backend:?}: {english}"
    );
    assert!(
        audit_rows(&w.app.db, "hazard.verify").await.is_empty(),
        "{backend:?}: refusals change nothing"
    );
}

/// A hazard list for one enterprise as a workbook: `(code, grade, found, due)`.
fn hazard_list(credit_code: &str, hazards: &[(&str, &str, NaiveDate, NaiveDate)]) -> Vec<u8> {
    let mut rows = vec![row(&[
        "credit_code",
        "code",
        "description",
        "grade",
        "found_on",
        "rectify_by",
    ])];
    for (code, grade, found, due) in hazards {
        rows.push(vec![
            V::from(credit_code),
            V::from(*code),
            V::from(format!("隐患{code}").as_str()),
            V::from(*grade),
            V::D(*found),
            V::D(*due),
        ]);
    }
    xlsx("hazards", &rows)
}

/// The ids of a hazard list, keyed by the hazards' codes.
fn codes(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|h| h["code"].as_str().map(str::to_owned))
        .collect()
}

#[both_engines]
async fn hazards_past_their_deadline_show_overdue_and_raise_accountability_until_rectified(
    backend: Backend,
) {
    let w = World::new(backend).await;
    let enterprise = w.enterprise(Ent::default()).await;
    let department = hebei_department(&w).await;
    let (status, imported) = w
        .app
        .upload(
            &w.supervisor,
            "hazards",
            "",
            "h.xlsx",
            hazard_list(
                &credit_code(1),
                &[
                    ("MAJOR-LATE", "major", day(-20), day(-2)),
                    ("GENERAL-LATE", "general", day(-20), day(-1)),
                    ("MAJOR-DUE", "major", day(-20), day(5)),
                ],
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {imported}");
    let list = |query: &str| {
        let path = format!("/api/v1/hazards?{query}");
        let w = &w;
        async move {
            let (status, list) = w.app.get(&path, &w.supervisor).await;
            assert_eq!(status, StatusCode::OK, "{backend:?} {path}: {list}");
            list
        }
    };

    let all = list("").await;
    assert_eq!(
        codes(&all),
        ["MAJOR-LATE", "GENERAL-LATE", "MAJOR-DUE"],
        "{backend:?}: nearest deadline first"
    );
    let statuses: Vec<&str> = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|h| h["status"].as_str())
        .collect();
    assert_eq!(statuses, ["overdue", "overdue", "open"], "{backend:?}");
    let window = format!("due_from={}&due_to={}", day(-1), day(5));
    let mine = format!("enterprise_id={enterprise}&region_code=130100");
    let cases: [(&str, &[&str]); 9] = [
        ("overdue=true", &["MAJOR-LATE", "GENERAL-LATE"]),
        ("overdue=false", &["MAJOR-DUE"]),
        ("status=overdue", &["MAJOR-LATE", "GENERAL-LATE"]),
        ("status=open", &["MAJOR-DUE"]),
        (
            "status=open&status=overdue",
            &["MAJOR-LATE", "GENERAL-LATE", "MAJOR-DUE"],
        ),
        ("grade=major&overdue=true", &["MAJOR-LATE"]),
        (&window, &["GENERAL-LATE", "MAJOR-DUE"]),
        (&mine, &["MAJOR-LATE", "GENERAL-LATE", "MAJOR-DUE"]),
        ("region_code=130200", &[]),
    ];
    for (query, expected) in cases {
        assert_eq!(codes(&list(query).await), expected, "{backend:?}: {query}");
    }
    let late_major = item_ids(&list("grade=major&overdue=true").await)[0];

    let period = format!("{}", day(-2).format("%Y-%m"));
    let recompute = format!("/api/v1/scores/{period}/recompute");
    // Scores are recomputed nationally, as the nightly job does.
    let (status, first) = w.app.post(&recompute, &w.admin, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {first}");
    let (_, items) = w
        .app
        .get(
            &format!("/api/v1/accountability?reason=hazard_overdue&period={period}"),
            &w.supervisor,
        )
        .await;
    let raised: Vec<(String, i64, String)> = items["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["subject_kind"].as_str().unwrap_or_default().to_owned(),
                i["evidence"]["id"].as_i64().unwrap_or_default(),
                i["evidence"]["href"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    let href = format!("/api/v1/hazards/{late_major}");
    assert!(
        raised.contains(&("enterprise".to_owned(), late_major, href.clone())),
        "{backend:?}: the enterprise answers for its overdue major hazard: {items}"
    );
    assert!(
        raised.iter().all(|(_, id, _)| *id == late_major),
        "{backend:?}: only the major hazard past its deadline: {items}"
    );

    let rectified = hazard_step_ok(
        &w,
        late_major,
        "rectify",
        &department,
        json!({"note": "已整改（逾期）"}),
    )
    .await;
    assert_eq!(
        rectified["status"], "rectified",
        "{backend:?}: rectified late"
    );
    assert_eq!(
        codes(&list("overdue=true").await),
        ["GENERAL-LATE"],
        "{backend:?}"
    );
    let reopened = hazard_step_ok(
        &w,
        late_major,
        "reopen",
        &w.supervisor,
        json!({"note": "整改不到位"}),
    )
    .await;
    assert_eq!(
        reopened["status"], "overdue",
        "{backend:?}: sent back past its deadline, it is overdue again"
    );
    let (_, again) = w.app.post(&recompute, &w.admin, json!({})).await;
    let (_, items_again) = w
        .app
        .get(
            &format!("/api/v1/accountability?reason=hazard_overdue&period={period}"),
            &w.supervisor,
        )
        .await;
    assert_eq!(
        items_again["total"], items["total"],
        "{backend:?}: still raised once: {again}"
    );
}

#[both_engines]
async fn hazards_are_hidden_outside_the_jurisdiction_and_each_step_belongs_to_its_roles(
    backend: Backend,
) {
    let t = OneTask::new(backend).await;
    let w = &t.w;
    let id = hazard_found(&t).await;
    let department = hebei_department(w).await;
    let leader = w
        .app
        .token_for("hb-leader", Role::Leader, Some(w.hebei))
        .await;
    let bj_supervisor = w
        .app
        .token_for("bj-supervisor", Role::Supervisor, Some(w.beijing))
        .await;
    let bj_department = w
        .app
        .token_for("bj-department", Role::Department, Some(w.beijing))
        .await;
    let note = json!({"note": "已整改"});

    for (who, token) in [
        ("北京 supervisor", &bj_supervisor),
        ("北京 department", &bj_department),
    ] {
        let (status, body) = w.app.get(&format!("/api/v1/hazards/{id}"), token).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?}: {who}: {body}");
        assert_eq!(body["code"], "not_found", "{backend:?}: {who}");
        for step in ["rectify", "verify", "reopen"] {
            let (status, body) = hazard_step(w, id, step, token, note.clone()).await;
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "{backend:?}: {who} {step}: {body}"
            );
        }
        let (_, list) = w.app.get("/api/v1/hazards", token).await;
        assert_eq!(list["total"], 0, "{backend:?}: {who}: {list}");
    }
    for (who, token, step) in [
        ("a supervisor", w.supervisor.as_str(), "rectify"),
        ("a leader", leader.as_str(), "rectify"),
        ("the task's inspector", t.lead(), "rectify"),
        ("the department", department.as_str(), "verify"),
        ("the department", department.as_str(), "reopen"),
        ("a leader", leader.as_str(), "verify"),
        ("an inspector not on the task", t.outsider(), "verify"),
    ] {
        let (status, body) = hazard_step(w, id, step, token, note.clone()).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{backend:?}: {who} {step}: {body}"
        );
        assert_eq!(body["code"], "forbidden", "{backend:?}: {who} {step}");
    }
    let (status, read) = w.app.get(&format!("/api/v1/hazards/{id}"), &leader).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: leaders read: {read}");
    assert_eq!(
        read["status"], "open",
        "{backend:?}: nothing changed: {read}"
    );
    let english = w
        .app
        .authed(
            Method::POST,
            &format!("/api/v1/hazards/{id}/rectify"),
            &w.supervisor,
        )
        .header("Accept-Language", "en")
        .json(&note)
        .send()
        .await
        .expect("sent");
    assert_eq!(english.status(), StatusCode::FORBIDDEN, "{backend:?}");
    let english: Value = english.json().await.expect("a JSON error");
    assert_eq!(
        english["message"], "role 'supervisor' may not rectify this hazard",
        "{backend:?}: {english}"
    );
    let (status, chinese) = hazard_step(w, id, "rectify", &w.supervisor, note.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}");
    assert_eq!(
        chinese["message"], "角色“supervisor”不能对此隐患报告整改",
        "{backend:?}: Chinese by default: {chinese}"
    );
    let (status, bad) = w
        .app
        .get("/api/v1/hazards?region_code=13", &w.supervisor)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{backend:?}: {bad}");
    let (status, bad) = w
        .app
        .get(
            &format!("/api/v1/hazards?due_from={}&due_to={}", day(5), day(1)),
            &w.supervisor,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{backend:?}: {bad}");
    let (status, _) = w.app.call(Method::GET, "/api/v1/hazards", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{backend:?}");
    assert!(
        audit_rows(&w.app.db, "hazard.rectify").await.is_empty(),
        "{backend:?}: refusals change nothing"
    );
}

/// A list as `(enterprise name, item code)` pairs.
type Listed = Vec<(String, String)>;

/// A risk list as a workbook: `(credit code, code, level)`.
fn risk_list(risks: &[(&str, &str, &str)]) -> Vec<u8> {
    let mut rows = vec![row(&["credit_code", "code", "name", "level", "measures"])];
    for (credit_code, code, level) in risks {
        rows.push(row(&[
            credit_code,
            code,
            &format!("风险{code}"),
            level,
            "双重预防机制管控",
        ]));
    }
    xlsx("risks", &rows)
}

#[both_engines]
async fn risks_are_listed_across_the_jurisdiction_and_filtered(backend: Backend) {
    let w = World::new(backend).await;
    let changan = w.enterprise(Ent::default()).await;
    w.enterprise(Ent {
        region: "130203",
        ..Ent::default()
    })
    .await;
    w.enterprise(Ent {
        region: "110101",
        ..Ent::default()
    })
    .await;
    let (status, imported) = w
        .app
        .upload(
            &w.admin,
            "risks",
            "",
            "r.xlsx",
            risk_list(&[
                (&credit_code(1), "FX-1", "major"),
                (&credit_code(1), "FX-2", "low"),
                (&credit_code(2), "FX-1", "major"),
                (&credit_code(3), "FX-1", "high"),
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {imported}");
    let bj_supervisor = w
        .app
        .token_for("bj-supervisor", Role::Supervisor, Some(w.beijing))
        .await;
    let names = |list: &Value| -> Listed {
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|r| {
                (
                    r["enterprise"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    r["code"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    };
    let pair = |n: &str, c: &str| (n.to_owned(), c.to_owned());

    let changan_only = format!("enterprise_id={changan}");
    let cases: [(&str, &str, Listed); 6] = [
        (
            &w.supervisor,
            "",
            vec![
                pair("测试企业001", "FX-1"),
                pair("测试企业001", "FX-2"),
                pair("测试企业002", "FX-1"),
            ],
        ),
        (
            &w.supervisor,
            "level=major",
            vec![pair("测试企业001", "FX-1"), pair("测试企业002", "FX-1")],
        ),
        (
            &w.supervisor,
            &changan_only,
            vec![pair("测试企业001", "FX-1"), pair("测试企业001", "FX-2")],
        ),
        (
            &w.supervisor,
            "region_code=130200",
            vec![pair("测试企业002", "FX-1")],
        ),
        (&w.supervisor, "region_code=110000", vec![]),
        (&bj_supervisor, "", vec![pair("测试企业003", "FX-1")]),
    ];
    for (token, query, expected) in cases {
        let (status, list) = w.app.get(&format!("/api/v1/risks?{query}"), token).await;
        assert_eq!(status, StatusCode::OK, "{backend:?} {query}: {list}");
        assert_eq!(names(&list), expected, "{backend:?}: {query}");
    }
    let (_, page) = w
        .app
        .get("/api/v1/risks?page_size=2&page=2", &w.supervisor)
        .await;
    assert_eq!(
        (page["total"].as_u64(), page["page"].as_u64()),
        (Some(3), Some(2)),
        "{backend:?}: {page}"
    );
    let risk = &page["items"][0];
    assert_eq!(risk["level"], "major", "{backend:?}: {risk}");
    assert_eq!(risk["measures"], "双重预防机制管控", "{backend:?}");
    assert!(is_china_time(&risk["updated_at"]), "{backend:?}: {risk}");
}

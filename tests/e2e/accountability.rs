//! Accountability items: their lifecycle, their units' names and history, the
//! answers of those held to account and the supervisors' decisions, and who
//! may see and move them; scores' scope and who may recompute them.

use entities::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use spotcheck_tests::{Backend, TestApp, audit_rows, both_engines};

use super::score_fixture::arrange;

async fn patch(app: &TestApp, token: &str, id: i64, body: Value) -> (StatusCode, Value) {
    app.call(
        Method::PATCH,
        &format!("/api/v1/accountability/{id}"),
        Some(token),
        Some(body),
    )
    .await
}

fn regions(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["region_code"].as_str().unwrap_or("national").to_owned())
        .collect()
}

#[both_engines]
async fn supervisors_in_scope_move_items_along_and_leaders_only_read(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = arrange(&app).await;
    let path = "/api/v1/scores/2025/recompute";
    let (status, body) = app.call(Method::POST, path, Some(&f.admin), None).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
    let hb_sup = app.token_for("hb-sup", Role::Supervisor, Some(f.hb)).await;
    let bj_sup = app.token_for("bj-sup", Role::Supervisor, Some(f.bj)).await;
    let leader = app.token_for("leader", Role::Leader, None).await;
    let (_, late) = app
        .get("/api/v1/accountability?reason=report_late", &leader)
        .await;
    assert_eq!(
        late["total"], 1,
        "{backend:?}: the leader reads every item: {late}"
    );
    let id = late["items"][0]["id"].as_i64().expect("id");

    use StatusCode as S;
    let note = |status: &str, note: Option<&str>| json!({"status": status, "note": note});
    #[rustfmt::skip]
    let steps = [
        ("a leader may not move an item", &leader, note("acknowledged", None), S::FORBIDDEN),
        ("another province's supervisor is told it does not exist", &bj_sup, note("acknowledged", None), S::NOT_FOUND),
        ("a department may not move its own item", &f.hb_user, note("acknowledged", None), S::FORBIDDEN),
        ("open cannot jump to closed", &hb_sup, note("closed", Some("已整改")), S::CONFLICT),
        ("open becomes acknowledged", &hb_sup, note("acknowledged", Some("已收到")), S::OK),
        ("closing needs a note", &hb_sup, note("closed", None), S::UNPROCESSABLE_ENTITY),
        ("acknowledged becomes closed", &hb_sup, note("closed", Some("已约谈并整改")), S::OK),
        ("closed stays closed", &hb_sup, note("acknowledged", None), S::CONFLICT),
    ];
    for (what, token, body, expected) in steps {
        let (status, body) = patch(&app, token, id, body).await;
        assert_eq!(status, expected, "{backend:?}: {what}: {body}");
    }
    let (status, item) = app
        .get(&format!("/api/v1/accountability/{id}"), &hb_sup)
        .await;
    assert_eq!(status, S::OK, "{backend:?}: {item}");
    assert_eq!(item["status"], "closed", "{backend:?}");
    let steps: Vec<(Value, Value, Value, Value, Value)> = item["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|e| {
            (
                e["actor"].clone(),
                e["action"].clone(),
                e["from_status"].clone(),
                e["to_status"].clone(),
                e["text"].clone(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            (
                json!("hb-sup"),
                json!("acknowledge"),
                json!("open"),
                json!("acknowledged"),
                json!("已收到")
            ),
            (
                json!("hb-sup"),
                json!("close"),
                json!("acknowledged"),
                json!("closed"),
                json!("已约谈并整改")
            ),
        ],
        "{backend:?}: {item}"
    );
    assert_eq!(
        audit_rows(&app.db, "accountability.update").await.len(),
        2,
        "{backend:?}"
    );
    let (status, _) = app
        .get(&format!("/api/v1/accountability/{id}"), &bj_sup)
        .await;
    assert_eq!(status, S::NOT_FOUND, "{backend:?}");

    // Recomputing neither reopens nor duplicates it.
    app.call(Method::POST, path, Some(&f.admin), None).await;
    let (_, late) = app
        .get("/api/v1/accountability?reason=report_late", &leader)
        .await;
    assert_eq!(late["total"], 1, "{backend:?}");
    assert_eq!(late["items"][0]["status"], "closed", "{backend:?}");

    // Each sees their own: 北京's supervisor its region, a department its own items.
    let (_, bj_items) = app
        .get("/api/v1/accountability?page_size=500", &bj_sup)
        .await;
    let bj_regions = regions(&bj_items);
    assert!(!bj_regions.is_empty(), "{backend:?}");
    assert!(
        bj_regions.iter().all(|r| r.starts_with("11")),
        "{backend:?}: {bj_regions:?}"
    );
    let (_, mine) = app
        .get("/api/v1/accountability?page_size=500", &f.hb_user)
        .await;
    let subjects: Vec<(Value, Value)> = mine["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| (i["subject_kind"].clone(), i["subject_id"].clone()))
        .collect();
    assert_eq!(
        subjects.len(),
        4,
        "{backend:?}: late, direct, understated, inflated: {mine}"
    );
    assert!(
        subjects
            .iter()
            .all(|s| *s == (json!("department"), json!(f.hb))),
        "{backend:?}"
    );
}

async fn answer(app: &TestApp, token: &str, id: i64, body: Value) -> (StatusCode, Value) {
    app.post(&format!("/api/v1/accountability/{id}/answers"), token, body)
        .await
}

/// The id of the department's own item raised for `reason`.
async fn own_item(app: &TestApp, token: &str, reason: &str) -> Value {
    let (_, items) = app
        .get(&format!("/api/v1/accountability?reason={reason}"), token)
        .await;
    assert_eq!(items["total"], 1, "{reason}: {items}");
    items["items"][0].clone()
}

#[both_engines]
async fn the_department_answers_its_item_and_the_supervisor_accepts_or_rejects_the_answer(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let f = arrange(&app).await;
    let path = "/api/v1/scores/2025/recompute";
    let (status, body) = app.call(Method::POST, path, Some(&f.admin), None).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
    let hb_sup = app.token_for("hb-sup", Role::Supervisor, Some(f.hb)).await;
    let leader = app.token_for("leader", Role::Leader, None).await;
    let late = own_item(&app, &f.hb_user, "report_late").await;
    assert_eq!(
        late["subject_name"], "河北省应急管理厅",
        "{backend:?}: {late}"
    );
    assert_eq!(late["region_code"], "130102", "{backend:?}");
    assert_eq!(late["region_name"], "长安区", "{backend:?}");
    assert_eq!(late["history"], json!([]), "{backend:?}");
    let id = late["id"].as_i64().expect("id");

    use StatusCode as S;
    let said = json!({"text": "初报延迟系通信中断，已附当日值班记录", "attachment": "冀应急函〔2025〕12号"});
    #[rustfmt::skip]
        let steps = [
            ("a leader may not answer", &leader, said.clone(), S::FORBIDDEN),
            ("a supervisor does not answer for the department", &hb_sup, said.clone(), S::FORBIDDEN),
            ("another department is told it does not exist", &f.bj_user, said.clone(), S::NOT_FOUND),
            ("an answer needs text", &f.hb_user, json!({"text": " "}), S::UNPROCESSABLE_ENTITY),
            ("the department answers its own item", &f.hb_user, said.clone(), S::CREATED),
            ("one answer awaits a decision", &f.hb_user, said.clone(), S::CONFLICT),
        ];
    for (what, token, body, expected) in steps {
        let (status, body) = answer(&app, token, id, body).await;
        assert_eq!(status, expected, "{backend:?}: {what}: {body}");
    }
    let note = |status: &str, note: Option<&str>| json!({"status": status, "note": note});
    #[rustfmt::skip]
        let decisions = [
            ("the department does not decide", &f.hb_user, note("closed", Some("自行关闭")), S::FORBIDDEN),
            ("an answered item is not acknowledged", &hb_sup, note("acknowledged", None), S::CONFLICT),
            ("accepting needs a note", &hb_sup, note("closed", None), S::UNPROCESSABLE_ENTITY),
            ("the supervisor accepts the answer", &hb_sup, note("closed", Some("情况属实，予以采纳")), S::OK),
        ];
    for (what, token, body, expected) in decisions {
        let (status, body) = patch(&app, token, id, body).await;
        assert_eq!(status, expected, "{backend:?}: {what}: {body}");
    }
    let (status, body) = answer(&app, &f.hb_user, id, said.clone()).await;
    assert_eq!(
        status,
        S::CONFLICT,
        "{backend:?}: a closed item is done: {body}"
    );
    let (_, item) = app
        .get(&format!("/api/v1/accountability/{id}"), &f.hb_user)
        .await;
    assert_eq!(item["status"], "closed", "{backend:?}");
    let history = item["history"].as_array().expect("history");
    assert_eq!(history.len(), 2, "{backend:?}: {item}");
    let (answered, accepted) = (&history[0], &history[1]);
    assert_eq!(answered["actor"], "hb-dept", "{backend:?}");
    assert_eq!(answered["role"], "department", "{backend:?}");
    assert_eq!(answered["action"], "answer", "{backend:?}");
    assert_eq!(
        (&answered["from_status"], &answered["to_status"]),
        (&json!("open"), &json!("answered")),
        "{backend:?}"
    );
    assert_eq!(answered["text"], said["text"], "{backend:?}");
    assert_eq!(
        answered["attachment"], "冀应急函〔2025〕12号",
        "{backend:?}"
    );
    assert!(
        answered["at"]
            .as_str()
            .is_some_and(|t| t.ends_with("+08:00")),
        "{backend:?}"
    );
    assert_eq!(accepted["actor"], "hb-sup", "{backend:?}");
    assert_eq!(accepted["role"], "supervisor", "{backend:?}");
    assert_eq!(accepted["action"], "accept", "{backend:?}");
    assert_eq!(accepted["to_status"], "closed", "{backend:?}");
    assert_eq!(accepted["text"], "情况属实，予以采纳", "{backend:?}");

    // A rejected answer sends the item back to open, and it may be answered again.
    let direct = own_item(&app, &f.hb_user, "direct_report_missing").await;
    let id = direct["id"].as_i64().expect("id");
    let (status, body) = answer(&app, &f.hb_user, id, json!({"text": "已口头直报"})).await;
    assert_eq!(status, S::CREATED, "{backend:?}: {body}");
    assert_eq!(body["status"], "answered", "{backend:?}");
    let (status, body) = patch(
        &app,
        &hb_sup,
        id,
        note("open", Some("无直报记录，不予采纳")),
    )
    .await;
    assert_eq!(status, S::OK, "{backend:?}: {body}");
    assert_eq!(body["status"], "open", "{backend:?}");
    assert_eq!(
        body["history"][1]["action"], "reject",
        "{backend:?}: {body}"
    );
    let (status, body) = answer(&app, &f.hb_user, id, json!({"text": "补充直报系统截图"})).await;
    assert_eq!(status, S::CREATED, "{backend:?}: {body}");
    assert_eq!(
        body["history"].as_array().map(Vec::len),
        Some(3),
        "{backend:?}"
    );
    assert_eq!(
        audit_rows(&app.db, "accountability.answer").await.len(),
        3,
        "{backend:?}"
    );
    // The accountability report reads the whole history.
    let bytes =
        super::reports::report(&app, &f.admin, "/api/v1/reports/accountability?period=2025").await;
    let (header, rows) = super::reports::sheet(&bytes, "问责事项");
    let at = header
        .iter()
        .position(|h| h == "处理经过")
        .expect("处理经过");
    let histories: Vec<String> = rows.iter().map(|r| super::reports::text(&r[at])).collect();
    assert!(
        histories
            .iter()
            .any(|h| h.contains("hb-dept 申辩：初报延迟系通信中断")
                && h.contains("（附件：冀应急函〔2025〕12号）")
                && h.contains("hb-sup 采纳申辩并关闭：情况属实")),
        "{backend:?}: {histories:?}"
    );
}

#[both_engines]
async fn scores_are_read_in_scope_and_recomputed_only_nationally(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = arrange(&app).await;
    let national = app.token_for("nat-sup", Role::Supervisor, None).await;
    let hb_sup = app.token_for("hb-sup", Role::Supervisor, Some(f.hb)).await;
    let leader = app.token_for("leader", Role::Leader, None).await;
    let inspector = app.token_for("insp", Role::Inspector, Some(f.hb)).await;
    use StatusCode as S;
    #[rustfmt::skip]
    let cases = [
        ("a leader may not recompute", &leader, Method::POST, "/api/v1/scores/2025/recompute", S::FORBIDDEN),
        ("a provincial supervisor may not recompute", &hb_sup, Method::POST, "/api/v1/scores/2025/recompute", S::FORBIDDEN),
        ("a department may not recompute", &f.bj_user, Method::POST, "/api/v1/scores/2025/recompute", S::FORBIDDEN),
        ("a malformed period is bad input", &national, Method::POST, "/api/v1/scores/2025-13/recompute", S::BAD_REQUEST),
        ("a national supervisor recomputes", &national, Method::POST, "/api/v1/scores/2025/recompute", S::OK),
        ("an inspector may not read scores", &inspector, Method::GET, "/api/v1/scores?period=2025", S::FORBIDDEN),
        ("a malformed filter is bad input", &leader, Method::GET, "/api/v1/scores?period=2025Q5", S::BAD_REQUEST),
    ];
    for (what, token, method, path, expected) in cases {
        let (status, body) = app.call(method, path, Some(token), None).await;
        assert_eq!(status, expected, "{backend:?}: {what}: {body}");
    }
    let (_, all) = app.get("/api/v1/scores?period=2025", &leader).await;
    assert_eq!(all["total"], 7, "{backend:?}");
    let (_, hebei) = app.get("/api/v1/scores?period=2025", &hb_sup).await;
    let hebei_regions = regions(&hebei);
    assert_eq!(
        hebei_regions.len(),
        4,
        "{backend:?}: HB, HBC, E1, E2: {hebei}"
    );
    assert!(
        hebei_regions.iter().all(|r| r.starts_with("13")),
        "{backend:?}"
    );
    let (_, mine) = app.get("/api/v1/scores?period=2025", &f.bj_user).await;
    let mut seen: Vec<(String, i64)> = mine["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| {
            (
                r["subject_kind"].as_str().expect("kind").to_owned(),
                r["subject_id"].as_i64().expect("id"),
            )
        })
        .collect();
    seen.sort();
    let mut expected = vec![
        ("department".to_owned(), f.bj),
        ("enterprise".to_owned(), f.e[2]),
        ("enterprise".to_owned(), f.e[3]),
    ];
    expected.sort();
    assert_eq!(
        seen, expected,
        "{backend:?}: its own row and its enterprises"
    );
    let (_, filtered) = app
        .get(
            "/api/v1/scores?period=2025&subject_kind=enterprise&region_code=110101",
            &leader,
        )
        .await;
    assert_eq!(filtered["total"], 2, "{backend:?}: {filtered}");
    let (_, fails) = app
        .get("/api/v1/scores?period=2025&grade=fail", &leader)
        .await;
    assert_eq!(fails["total"], 2, "{backend:?}: {fails}");
}

//! Accountability items: their lifecycle, and who may see and move them;
//! scores' scope and who may recompute them.

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
    assert_eq!(
        item["note"], "[acknowledged] 已收到\n[closed] 已约谈并整改",
        "{backend:?}"
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

//! The audit chain: one row per change in the change's transaction, the
//! admin-only list, verification, tampering detected over HTTP and the CLI,
//! and serialised appends.

use entities::Role;
use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait as _;
use serde::Deserialize;
use serde_json::{Value, json};
use spotcheck_tests::{Backend, PASSWORD, Page, TestApp, TwoProvinces, both_engines, credit_code};

use crate::cli;

/// An enterprise body in 石家庄.
fn enterprise(n: u32, name: &str) -> Value {
    json!({
        "credit_code": credit_code(n),
        "name": name,
        "industry": "hazardous_chemicals",
        "region_code": "130100",
        "risk_level": "high",
        "credit_class": "B",
    })
}

/// The number of audit rows and the newest one.
async fn audit_head(app: &TestApp, admin: &str) -> (usize, Value) {
    let mut page: Page = app.get_ok("/api/v1/audit?page_size=1", admin).await;
    (page.total, page.items.swap_remove(0))
}

/// `GET /api/v1/audit/verify`.
async fn verify(app: &TestApp, admin: &str) -> Value {
    app.get_ok("/api/v1/audit/verify", admin).await
}

/// `spotcheck audit verify` against the app's database.
async fn cli_verify(app: &TestApp) -> std::process::Output {
    let mut command = cli(app);
    command.args(["audit", "verify"]);
    tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("cli ran")
        .expect("cli output")
}

/// An audit entry as listed.
#[derive(Debug, Deserialize)]
struct Entry {
    id: i64,
    action: String,
}

/// The ids of `total` audit rows, newest first: `total`, …, 1.
fn numbered_down(total: usize) -> Vec<i64> {
    (1..=i64::try_from(total).expect("fits")).rev().collect()
}

/// One change and the row it must append.
struct Change {
    method: Method,
    path: String,
    body: Value,
    action: &'static str,
    /// The object id; `None` takes the created object's `id`.
    object_id: Option<&'static str>,
}

impl Change {
    fn post(path: &str, body: Value, action: &'static str) -> Self {
        Self {
            method: Method::POST,
            path: path.to_owned(),
            body,
            action,
            object_id: None,
        }
    }
}

/// Makes a change and checks that exactly one row was appended for it by
/// `actor` with `role`; returns the answer's body.
async fn change_appends_one_row(
    app: &TestApp,
    admin: &str,
    (token, actor, role): (&str, &str, &str),
    change: Change,
) -> Value {
    let (before, _) = audit_head(app, admin).await;
    let (status, body) = app
        .call(change.method, &change.path, Some(token), Some(change.body))
        .await;
    assert!(status.is_success(), "{}: {status} {body}", change.action);
    let (after, row) = audit_head(app, admin).await;
    assert_eq!(after, before + 1, "{}: one row", change.action);
    let object_id = change
        .object_id
        .map_or_else(|| body["id"].to_string(), str::to_owned);
    assert_eq!(row["action"], change.action, "{row}");
    assert_eq!(row["actor"], actor, "{}: {row}", change.action);
    assert_eq!(row["role"], role, "{}: {row}", change.action);
    assert_eq!(row["object_id"], object_id, "{}: {row}", change.action);
    assert_eq!(row["result"], "ok", "{}: {row}", change.action);
    body
}

#[both_engines]
async fn each_change_appends_one_audit_row_and_a_rejected_change_none(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let root = (admin.as_str(), "root", "admin");
    let step = |path: &str, body: Value, action| Change::post(path, body, action);

    for (code, parent) in [("130000", None), ("130100", Some("130000"))] {
        let mut change = step(
            "/api/v1/regions",
            json!({"code": code, "name": code, "parent_code": parent}),
            "region.create",
        );
        change.object_id = Some(code);
        change_appends_one_row(&app, &admin, root, change).await;
    }
    let department = change_appends_one_row(
        &app,
        &admin,
        root,
        step(
            "/api/v1/departments",
            json!({"code": "EM-130000", "name": "河北省应急管理厅", "kind": "emergency_management", "region_code": "130000"}),
            "department.create",
        ),
    )
    .await["id"]
        .clone();
    let company = change_appends_one_row(
        &app,
        &admin,
        root,
        step(
            "/api/v1/enterprises",
            enterprise(1, "石家庄化工有限公司"),
            "enterprise.create",
        ),
    )
    .await["id"]
        .clone();
    let inspector = change_appends_one_row(
        &app,
        &admin,
        root,
        step(
            "/api/v1/inspectors",
            json!({"badge_no": "HB-0001", "name": "张三", "department_id": department, "region_code": "130000"}),
            "inspector.create",
        ),
    )
    .await["id"]
        .clone();
    let conflict =
        json!({"inspector_id": inspector, "enterprise_id": company, "reason": "former employer"});
    change_appends_one_row(
        &app,
        &admin,
        root,
        step("/api/v1/conflicts", conflict.clone(), "conflict.create"),
    )
    .await;
    let user = json!({"username": "sup", "password": PASSWORD, "role": "supervisor"});
    change_appends_one_row(
        &app,
        &admin,
        root,
        step("/api/v1/users", user.clone(), "user.create"),
    )
    .await;
    let supervisor = app.login("sup", PASSWORD).await;
    let update = Change {
        method: Method::PUT,
        path: format!("/api/v1/enterprises/{company}"),
        body: enterprise(1, "石家庄化工股份有限公司"),
        action: "enterprise.update",
        object_id: None,
    };
    change_appends_one_row(&app, &admin, (&supervisor, "sup", "supervisor"), update).await;

    let (before, _) = audit_head(&app, &admin).await;
    let mut bad_code = enterprise(2, "假公司");
    bad_code["credit_code"] = json!("91130100MA0000002X");
    let rejected = [
        (
            "/api/v1/regions",
            json!({"code": "130000", "name": "again"}),
            StatusCode::CONFLICT,
        ),
        (
            "/api/v1/regions",
            json!({"code": "13", "name": "short"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/api/v1/departments",
            json!({"code": "EM-130000", "name": "again", "kind": "emergency_management", "region_code": "130000"}),
            StatusCode::CONFLICT,
        ),
        (
            "/api/v1/enterprises",
            enterprise(1, "again"),
            StatusCode::CONFLICT,
        ),
        (
            "/api/v1/enterprises",
            bad_code,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/api/v1/inspectors",
            json!({"badge_no": "HB-0001", "name": "again", "department_id": department, "region_code": "130000"}),
            StatusCode::CONFLICT,
        ),
        ("/api/v1/conflicts", conflict, StatusCode::CONFLICT),
        (
            "/api/v1/conflicts",
            json!({"inspector_id": inspector, "enterprise_id": company, "department_id": department, "reason": "both"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("/api/v1/users", user, StatusCode::CONFLICT),
        (
            "/api/v1/users",
            json!({"username": "weak", "password": "weakpassword", "role": "leader"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (path, body, expected) in rejected {
        let (status, answer) = app.post(path, &admin, body).await;
        assert_eq!(status, expected, "{backend:?} {path}: {answer}");
    }
    let (status, answer) = app
        .call(
            Method::PUT,
            &format!("/api/v1/enterprises/{company}"),
            Some(&supervisor),
            Some(json!({"credit_code": "bad", "name": "x", "industry": "other", "region_code": "130100", "risk_level": "low", "credit_class": "A"})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {answer}"
    );

    let (after, _) = audit_head(&app, &admin).await;
    assert_eq!(after, before, "{backend:?}: rejected changes leave no row");
    assert_eq!(verify(&app, &admin).await["ok"], true, "{backend:?}");
}

#[both_engines]
async fn the_audit_list_is_admin_only_paginated_newest_first_and_filterable(backend: Backend) {
    let TwoProvinces {
        app, admin, hebei, ..
    } = TwoProvinces::spawn(backend).await;
    // Every other role, and an administrator of one province: the log spans
    // the whole country, so only national administrators read it.
    for (username, role) in [
        ("sup", Role::Supervisor),
        ("lead", Role::Leader),
        ("dept", Role::Department),
        ("insp", Role::Inspector),
        ("hebei-admin", Role::Admin),
    ] {
        let token = app.token_for(username, role, Some(hebei)).await;
        for path in ["/api/v1/audit", "/api/v1/audit/verify"] {
            let (status, body) = app.get(path, &token).await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{backend:?} {role} {path}: {body}"
            );
        }
    }

    let all: Page<Entry> = app.get_ok("/api/v1/audit?page_size=500", &admin).await;
    let ids: Vec<i64> = all.items.iter().map(|e| e.id).collect();
    assert_eq!(
        ids,
        numbered_down(all.total),
        "{backend:?}: newest first, no gaps"
    );

    let page2: Page<Entry> = app.get_ok("/api/v1/audit?page=2&page_size=3", &admin).await;
    assert_eq!(
        (page2.page, page2.page_size, page2.total),
        (2, 3, all.total),
        "{backend:?}"
    );
    let page_ids: Vec<i64> = page2.items.iter().map(|e| e.id).collect();
    assert_eq!(page_ids, ids[3..6], "{backend:?}: the second page of three");

    let (status, body) = app.get("/api/v1/audit?page_size=501", &admin).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{backend:?}: {body}");

    let auth: Page = app
        .get_ok("/api/v1/audit?action=auth.&page_size=500", &admin)
        .await;
    let actions = auth.column("action");

    assert_eq!(
        actions.len(),
        6,
        "{backend:?}: root and five logins: {actions:?}"
    );
    assert!(
        actions.iter().all(|a| a.starts_with("auth.")),
        "{backend:?}: {actions:?}"
    );
    assert_eq!(auth.total, 6, "{backend:?}");
}

#[both_engines]
async fn verify_reports_an_intact_log(backend: Backend) {
    let TwoProvinces { app, admin, .. } = TwoProvinces::spawn(backend).await;
    let (total, _) = audit_head(&app, &admin).await;

    let body = verify(&app, &admin).await;
    let output = cli_verify(&app).await;

    assert_eq!(body["ok"], true, "{backend:?}: {body}");
    assert_eq!(body["checked"], total, "{backend:?}: {body}");
    assert!(body["first_bad_id"].is_null(), "{backend:?}: {body}");
    assert!(output.status.success(), "{backend:?}: {output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("intact"), "{backend:?}: {stdout}");
}

/// The row tampered with; the log has 10 rows (root, its login, six regions,
/// two departments), so every tampering has rows on both sides.
const K: i64 = 4;

/// Ways to change the log behind the application's back.
#[derive(Debug, Clone, Copy)]
enum Tampering {
    /// Edit row K's detail.
    Edit,
    /// Delete row K.
    Delete,
    /// Swap the contents (all but the id) of rows K and K + 1.
    Swap,
}

impl Tampering {
    /// The raw SQL that does it.
    fn statements(self) -> Vec<String> {
        match self {
            Self::Edit => vec![format!(
                "UPDATE audit_log SET detail = '{{\"forged\":true}}' WHERE id = {K}"
            )],
            Self::Delete => vec![format!("DELETE FROM audit_log WHERE id = {K}")],
            // Swapping every column but the id is swapping the ids.
            Self::Swap => vec![
                format!("UPDATE audit_log SET id = -1 WHERE id = {K}"),
                format!("UPDATE audit_log SET id = {K} WHERE id = {}", K + 1),
                format!("UPDATE audit_log SET id = {} WHERE id = -1", K + 1),
            ],
        }
    }

    /// The row `verify` must name.
    fn first_bad_id(self) -> i64 {
        match self {
            Self::Edit | Self::Swap => K,
            Self::Delete => K + 1,
        }
    }
}

#[both_engines]
async fn verify_names_the_first_edited_deleted_or_reordered_row(backend: Backend) {
    for tampering in [Tampering::Edit, Tampering::Delete, Tampering::Swap] {
        let TwoProvinces { app, admin, .. } = TwoProvinces::spawn(backend).await;
        let (total, _) = audit_head(&app, &admin).await;
        assert!(total > 6, "{backend:?}: {total} rows");

        for sql in tampering.statements() {
            app.db
                .execute_unprepared(&sql)
                .await
                .unwrap_or_else(|e| panic!("{backend:?} {sql}: {e}"));
        }
        let body = verify(&app, &admin).await;
        let output = cli_verify(&app).await;

        let bad = tampering.first_bad_id();
        let case = format!("{backend:?} {tampering:?}");
        assert_eq!(body["ok"], false, "{case}: {body}");
        assert_eq!(body["first_bad_id"], bad, "{case}: {body}");
        assert_eq!(body["checked"], K - 1, "{case}: rows before the tampering");
        assert!(!output.status.success(), "{case}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.starts_with("error:") && stderr.contains(&format!("row {bad}:")),
            "{case}: stderr names row {bad}: {stderr}"
        );
    }
}

#[both_engines(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_changes_append_one_unbroken_chain(backend: Backend) {
    let TwoProvinces { app, admin, .. } = TwoProvinces::spawn(backend).await;
    let url = format!("{}/api/v1/enterprises", app.base);

    let creations: Vec<_> = (1..=20)
        .map(|n| {
            let request = app
                .client
                .post(&url)
                .bearer_auth(&admin)
                .json(&enterprise(n, &format!("并发企业{n}")));
            tokio::spawn(async move {
                let response = request.send().await.expect("sent");
                (response.status(), response.text().await.unwrap_or_default())
            })
        })
        .collect();
    for creation in creations {
        let (status, body) = creation.await.expect("task");
        assert_eq!(status, StatusCode::CREATED, "{backend:?}: {body}");
    }

    let all: Page<Entry> = app.get_ok("/api/v1/audit?page_size=500", &admin).await;
    let total = all.total;
    let ids: Vec<i64> = all.items.iter().map(|e| e.id).collect();
    assert_eq!(ids, numbered_down(total), "{backend:?}: ids 1..N, no gaps");
    let created = all
        .items
        .iter()
        .filter(|e| e.action == "enterprise.create")
        .count();
    assert_eq!(created, 20, "{backend:?}");
    let body = verify(&app, &admin).await;
    assert_eq!(body["ok"], true, "{backend:?}: {body}");
    assert_eq!(body["checked"], total, "{backend:?}: {body}");
}

//! Role rights and region scope (分级属地) over the directories.

use entities::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use spotcheck_tests::{Backend, Created, Page, TestApp, TwoProvinces, both_engines, credit_code};

use super::directories::{enterprise, inspector};

/// One request and the status it must get.
struct Case {
    what: &'static str,
    token: String,
    method: Method,
    path: String,
    body: Option<Value>,
    expected: StatusCode,
}

fn case(
    what: &'static str,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
    expected: StatusCode,
) -> Case {
    Case {
        what,
        token: token.to_owned(),
        method,
        path: path.to_owned(),
        body,
        expected,
    }
}

fn department(code: &str, region: &str) -> Value {
    json!({"code": code, "name": code, "kind": "fire_rescue", "region_code": region})
}

fn region(code: &str, parent: &str) -> Value {
    json!({"code": code, "name": "新区", "parent_code": parent})
}

fn user(name: &str, department_id: i64) -> Value {
    json!({"username": name, "password": "Another-Pass-77", "role": "department", "department_id": department_id})
}

#[both_engines]
async fn each_role_has_its_own_rights_over_the_directories(backend: Backend) {
    const GET: Method = Method::GET;
    const POST: Method = Method::POST;
    const PUT: Method = Method::PUT;
    const DELETE: Method = Method::DELETE;
    use StatusCode as S;
    let TwoProvinces {
        app,
        admin,
        hebei,
        beijing,
    } = TwoProvinces::spawn(backend).await;
    let hb_enterprise = app
        .create_id(
            "/api/v1/enterprises",
            &admin,
            enterprise(&credit_code(1), "Hebei Co", "130102"),
        )
        .await;
    let hb_inspector = app
        .create_id(
            "/api/v1/inspectors",
            &admin,
            inspector("HB-001", hebei, "130102", &[]),
        )
        .await;
    let conflict = app.create_id("/api/v1/conflicts", &admin, json!({"inspector_id": hb_inspector, "department_id": hebei, "reason": "own department"}))
    .await;
    let supervisor = app
        .token_for("hb-supervisor", Role::Supervisor, Some(hebei))
        .await;
    let dept = app
        .token_for("bj-department", Role::Department, Some(beijing))
        .await;
    let leader = app.token_for("leader", Role::Leader, None).await;
    let inspector_user = app
        .token_for("hb-inspector", Role::Inspector, Some(hebei))
        .await;
    let an_enterprise = |i| Some(enterprise(&credit_code(i), "New Co", "130102"));
    let e_path = format!("/api/v1/enterprises/{hb_enterprise}");
    let c_path = format!("/api/v1/conflicts/{conflict}");

    #[rustfmt::skip]
    let cases = [
        case("admin creates a region", &admin, POST, "/api/v1/regions", Some(region("130200", "130000")), S::CREATED),
        case("admin creates a department", &admin, POST, "/api/v1/departments", Some(department("FR-130000", "130000")), S::CREATED),
        case("supervisor creates an enterprise", &supervisor, POST, "/api/v1/enterprises", an_enterprise(2), S::CREATED),
        case("supervisor creates an inspector", &supervisor, POST, "/api/v1/inspectors", Some(inspector("HB-002", hebei, "130100", &["coal_mine"])), S::CREATED),
        case("supervisor records a conflict", &supervisor, POST, "/api/v1/conflicts", Some(json!({"inspector_id": hb_inspector, "enterprise_id": hb_enterprise, "reason": "relative"})), S::CREATED),
        case("supervisor may not create a region", &supervisor, POST, "/api/v1/regions", Some(region("130300", "130000")), S::FORBIDDEN),
        case("supervisor may not create a department", &supervisor, POST, "/api/v1/departments", Some(department("FR-130100", "130100")), S::FORBIDDEN),
        case("supervisor may not create a user", &supervisor, POST, "/api/v1/users", Some(user("new-user", hebei)), S::FORBIDDEN),
        case("department user creates an enterprise in its province", &dept, POST, "/api/v1/enterprises", Some(enterprise(&credit_code(3), "Beijing Co", "110101")), S::CREATED),
        case("department user may not create one in another province", &dept, POST, "/api/v1/enterprises", an_enterprise(4), S::FORBIDDEN),
        case("department user may not create an inspector", &dept, POST, "/api/v1/inspectors", Some(inspector("BJ-001", beijing, "110101", &[])), S::FORBIDDEN),
        case("leader lists enterprises", &leader, GET, "/api/v1/enterprises", None, S::OK),
        case("leader reads an enterprise", &leader, GET, &e_path, None, S::OK),
        case("leader lists inspectors", &leader, GET, "/api/v1/inspectors", None, S::OK),
        case("leader may not create an enterprise", &leader, POST, "/api/v1/enterprises", an_enterprise(5), S::FORBIDDEN),
        case("leader may not change an enterprise", &leader, PUT, &e_path, an_enterprise(1), S::FORBIDDEN),
        case("leader may not create a region", &leader, POST, "/api/v1/regions", Some(region("130400", "130000")), S::FORBIDDEN),
        case("leader may not rename a region", &leader, PUT, "/api/v1/regions/130102", Some(json!({"code": "130102", "name": "改名", "parent_code": "130100"})), S::FORBIDDEN),
        case("leader may not delete a region", &leader, DELETE, "/api/v1/regions/110101", None, S::FORBIDDEN),
        case("leader may not create a department", &leader, POST, "/api/v1/departments", Some(department("FR-110000", "110000")), S::FORBIDDEN),
        case("leader may not create an inspector", &leader, POST, "/api/v1/inspectors", Some(inspector("HB-009", hebei, "130102", &[])), S::FORBIDDEN),
        case("leader may not record a conflict", &leader, POST, "/api/v1/conflicts", Some(json!({"inspector_id": hb_inspector, "enterprise_id": hb_enterprise, "reason": "x"})), S::FORBIDDEN),
        case("leader may not remove a conflict", &leader, DELETE, &c_path, None, S::FORBIDDEN),
        case("leader may not create a user", &leader, POST, "/api/v1/users", Some(user("leader-made", hebei)), S::FORBIDDEN),
        case("inspector may not list inspectors", &inspector_user, GET, "/api/v1/inspectors", None, S::FORBIDDEN),
        case("inspector may not list conflicts", &inspector_user, GET, "/api/v1/conflicts", None, S::FORBIDDEN),
    ];
    for c in cases {
        let (status, body) = app.call(c.method, &c.path, Some(&c.token), c.body).await;
        assert_eq!(status, c.expected, "{backend:?}: {}: {body}", c.what);
        if c.expected == S::FORBIDDEN {
            assert_eq!(body["code"], "forbidden", "{backend:?}: {}: {body}", c.what);
        }
    }

    let regions: Page = app.get_ok("/api/v1/regions?prefix=13", &admin).await;
    assert_eq!(
        regions.total, 4,
        "{backend:?}: only admin's region was added"
    );
    let conflicts: Page = app.get_ok("/api/v1/conflicts", &admin).await;
    assert_eq!(
        conflicts.total, 2,
        "{backend:?}: the leader removed nothing"
    );
}

/// 河北 and 北京 with one enterprise in 河北 and two in 北京.
struct WithEnterprises {
    app: TestApp,
    admin: String,
    hebei: i64,
    beijing: i64,
    hb_enterprise: i64,
    bj_enterprises: Vec<i64>,
}

async fn two_provinces_with_enterprises(backend: Backend) -> WithEnterprises {
    let TwoProvinces {
        app,
        admin,
        hebei,
        beijing,
    } = TwoProvinces::spawn(backend).await;
    let hb_enterprise = app
        .create_id(
            "/api/v1/enterprises",
            &admin,
            enterprise(&credit_code(1), "Hebei Co", "130102"),
        )
        .await;
    let mut bj_enterprises = Vec::new();
    for (i, region) in [(2, "110101"), (3, "110100")] {
        let body = enterprise(&credit_code(i), &format!("Beijing Co {i}"), region);
        bj_enterprises.push(app.create_id("/api/v1/enterprises", &admin, body).await);
    }
    WithEnterprises {
        app,
        admin,
        hebei,
        beijing,
        hb_enterprise,
        bj_enterprises,
    }
}

#[both_engines]
async fn department_user_cannot_see_or_create_other_provinces_enterprises(backend: Backend) {
    let t = two_provinces_with_enterprises(backend).await;
    let bj = t
        .app
        .token_for("bj-department", Role::Department, Some(t.beijing))
        .await;

    let (status, body) = t
        .app
        .get(&format!("/api/v1/enterprises/{}", t.hb_enterprise), &bj)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?}: {body}");
    assert_eq!(body["code"], "not_found", "{backend:?}: {body}");

    let list: Page<Created> = t.app.get_ok("/api/v1/enterprises", &bj).await;
    assert_eq!(list.total, 2, "{backend:?}: only 北京's count: {list:?}");
    assert_eq!(list.ids(), t.bj_enterprises, "{backend:?}");
    let list: Page<Created> = t
        .app
        .get_ok("/api/v1/enterprises?region_prefix=13", &bj)
        .await;
    assert_eq!(
        list.total, 0,
        "{backend:?}: a filter cannot widen the scope"
    );

    let (status, body) = t
        .app
        .post(
            "/api/v1/enterprises",
            &bj,
            enterprise(&credit_code(9), "Sneaky Co", "130102"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}: {body}");
    let all: Page = t.app.get_ok("/api/v1/enterprises", &t.admin).await;
    assert_eq!(all.total, 3, "{backend:?}: nothing was created");
}

#[both_engines]
async fn provincial_supervisor_sees_its_province_and_national_admin_sees_all(backend: Backend) {
    let t = two_provinces_with_enterprises(backend).await;
    let hb = t
        .app
        .token_for("hb-supervisor", Role::Supervisor, Some(t.hebei))
        .await;

    let list: Page<Created> = t.app.get_ok("/api/v1/enterprises", &hb).await;
    assert_eq!(list.ids(), [t.hb_enterprise], "{backend:?}: {list:?}");
    assert_eq!(list.total, 1, "{backend:?}");
    for id in &t.bj_enterprises {
        let (status, _) = t.app.get(&format!("/api/v1/enterprises/{id}"), &hb).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?}: 北京 {id}");
    }

    let list: Page<Created> = t.app.get_ok("/api/v1/enterprises", &t.admin).await;
    let mut expected = vec![t.hb_enterprise];
    expected.extend(&t.bj_enterprises);
    assert_eq!(list.ids(), expected, "{backend:?}: {list:?}");
    assert_eq!(list.total, 3, "{backend:?}");
}

#[both_engines]
async fn updating_another_provinces_enterprise_answers_404_and_changes_nothing(backend: Backend) {
    let t = two_provinces_with_enterprises(backend).await;
    let bj = t
        .app
        .token_for("bj-department", Role::Department, Some(t.beijing))
        .await;
    let path = format!("/api/v1/enterprises/{}", t.hb_enterprise);
    let (_, before) = t.app.get(&path, &t.admin).await;

    for (region, why) in [
        ("130102", "left where it is"),
        ("110101", "moved into the caller's province"),
    ] {
        let body = enterprise(&credit_code(1), "Taken Over", region);
        let (status, answer) = t.app.call(Method::PUT, &path, Some(&bj), Some(body)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?} {why}: {answer}");
    }

    let (_, after) = t.app.get(&path, &t.admin).await;
    assert_eq!(after, before, "{backend:?}: the enterprise is unchanged");
}

#[both_engines]
async fn provincial_supervisor_lists_only_conflicts_of_its_inspectors(backend: Backend) {
    let t = two_provinces_with_enterprises(backend).await;
    let (app, admin) = (&t.app, t.admin.as_str());
    let hb_inspector = app
        .create_id(
            "/api/v1/inspectors",
            admin,
            inspector("HB-001", t.hebei, "130102", &[]),
        )
        .await;
    let bj_inspector = app
        .create_id(
            "/api/v1/inspectors",
            admin,
            inspector("BJ-001", t.beijing, "110101", &[]),
        )
        .await;
    let mut conflicts = Vec::new();
    for (inspector_id, enterprise_id) in [
        (hb_inspector, t.hb_enterprise),
        (bj_inspector, t.bj_enterprises[0]),
    ] {
        let body = json!({"inspector_id": inspector_id, "enterprise_id": enterprise_id, "reason": "relative"});
        conflicts.push(app.create_id("/api/v1/conflicts", admin, body).await);
    }
    let hb = app
        .token_for("hb-supervisor", Role::Supervisor, Some(t.hebei))
        .await;

    let list: Page<Created> = app.get_ok("/api/v1/conflicts", &hb).await;
    assert_eq!(list.ids(), [conflicts[0]], "{backend:?}: {list:?}");
    assert_eq!(list.total, 1, "{backend:?}");
    let list: Page<Created> = app.get_ok("/api/v1/conflicts", admin).await;
    assert_eq!(
        list.ids(),
        conflicts,
        "{backend:?}: national admin sees both"
    );
}

//! The directories API: regions, departments, enterprises, inspectors and
//! conflicts, their validation, filters, pagination and the body-size limit.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use spotcheck::config::{Limits, Policy};
use spotcheck_tests::{
    Backend, Page, Problem, TestApp, TwoProvinces, both_engines, credit_code, read,
};

use super::fixtures::item_ids;

/// An enterprise body with everything but the code, name and region defaulted.
pub fn enterprise(code: &str, name: &str, region: &str) -> Value {
    json!({
        "credit_code": code,
        "name": name,
        "industry": "hazardous_chemicals",
        "region_code": region,
        "risk_level": "high",
        "credit_class": "B",
    })
}

/// An inspector body.
pub fn inspector(badge: &str, department_id: i64, region: &str, industries: &[&str]) -> Value {
    json!({
        "badge_no": badge,
        "name": format!("Inspector {badge}"),
        "department_id": department_id,
        "region_code": region,
        "industries": industries,
    })
}

fn region(code: &str, name: &str, parent: Option<&str>) -> Value {
    json!({"code": code, "name": name, "parent_code": parent})
}

#[both_engines]
async fn regions_get_their_level_from_the_code_and_must_fit_the_tree(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    for (code, parent, level) in [
        ("130000", None, "province"),
        ("130100", Some("130000"), "city"),
        ("130102", Some("130100"), "county"),
        ("110000", None, "province"),
        ("110100", Some("110000"), "city"),
    ] {
        let (status, body) = app
            .post("/api/v1/regions", &admin, region(code, "地区", parent))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{backend:?} {code}: {body}");
        assert_eq!(body["level"], level, "{backend:?} {code}: {body}");
    }

    let rejected = [
        (region("13010", "短", None), "code", "five digits"),
        (region("13a100", "字母", Some("130000")), "code", "a letter"),
        (
            region("120100", "天津市辖区", Some("120000")),
            "parent_code",
            "a parent that does not exist",
        ),
        (
            region("130104", "桥西区", Some("110100")),
            "parent_code",
            "a county outside its parent's prefix",
        ),
    ];
    for (body, field, why) in rejected {
        let (status, answer) = app.post("/api/v1/regions", &admin, body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend:?} {why}: {answer}"
        );
        assert_eq!(answer["code"], "validation_failed", "{backend:?} {why}");
        assert!(
            read::<Problem>(&answer).fields().contains(&field),
            "{backend:?} {why} should name {field}: {answer}"
        );
    }

    let (status, body) = app
        .post("/api/v1/regions", &admin, region("130000", "又一个", None))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{backend:?}: {body}");
    assert_eq!(body["code"], "conflict", "{backend:?}: {body}");
}

#[both_engines]
async fn regions_are_listed_by_parent_and_by_prefix(backend: Backend) {
    let TwoProvinces { app, admin, .. } = TwoProvinces::spawn(backend).await;
    for (query, expected) in [
        ("parent_code=130000", vec!["130100"]),
        ("parent_code=130100", vec!["130102"]),
        ("prefix=13", vec!["130000", "130100", "130102"]),
        ("prefix=1101", vec!["110100", "110101"]),
        (
            "",
            vec!["110000", "110100", "110101", "130000", "130100", "130102"],
        ),
    ] {
        let page: Page = app
            .get_ok(&format!("/api/v1/regions?{query}"), &admin)
            .await;
        assert_eq!(page.column("code"), expected, "{backend:?} {query}");
        assert_eq!(page.total, expected.len(), "{backend:?} {query}");
    }
}

#[both_engines]
async fn regions_are_renamed_and_only_unused_ones_deleted(backend: Backend) {
    let TwoProvinces { app, admin, .. } = TwoProvinces::spawn(backend).await;
    app.create_id(
        "/api/v1/enterprises",
        &admin,
        enterprise(&credit_code(1), "Alpha Chemicals", "130102"),
    )
    .await;

    let (status, body) = app
        .call(
            Method::PUT,
            "/api/v1/regions/130102",
            Some(&admin),
            Some(region("130102", "长安区（新）", Some("130100"))),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
    let (_, body) = app.get("/api/v1/regions/130102", &admin).await;
    assert_eq!(body["name"], "长安区（新）", "{backend:?}: {body}");

    for (code, user) in [
        ("130000", "a province with cities and a department"),
        ("130100", "a city with a county"),
        ("130102", "a county with an enterprise"),
    ] {
        let (status, body) = app
            .call(
                Method::DELETE,
                &format!("/api/v1/regions/{code}"),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{backend:?} {user}: {body}");
        assert_eq!(body["code"], "conflict", "{backend:?} {user}");
    }

    let (status, body) = app
        .call(Method::DELETE, "/api/v1/regions/110101", Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{backend:?}: {body}");
    let (status, body) = app.get("/api/v1/regions/110101", &admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?}: {body}");
}

#[both_engines]
async fn departments_need_a_known_region_and_a_unique_code_and_are_filtered(backend: Backend) {
    let TwoProvinces { app, admin, .. } = TwoProvinces::spawn(backend).await;
    let department = |code: &str, kind: &str, region: &str| json!({"code": code, "name": format!("{code} 部门"), "kind": kind, "region_code": region});

    let (status, body) = app
        .post(
            "/api/v1/departments",
            &admin,
            department("EM-120000", "emergency_management", "120000"),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {body}"
    );
    assert!(
        read::<Problem>(&body).fields().contains(&"region_code"),
        "{backend:?}: {body}"
    );

    let (status, body) = app
        .post(
            "/api/v1/departments",
            &admin,
            department("EM-130000", "emergency_management", "130100"),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{backend:?}: {body}");

    app.create_id(
        "/api/v1/departments",
        &admin,
        department("FR-130100", "fire_rescue", "130100"),
    )
    .await;
    for (query, expected) in [
        ("kind=fire_rescue", vec!["FR-130100"]),
        ("kind=emergency_management", vec!["EM-130000", "EM-110000"]),
        ("region_prefix=13", vec!["EM-130000", "FR-130100"]),
        ("region_prefix=11", vec!["EM-110000"]),
        (
            "region_prefix=13&kind=emergency_management",
            vec!["EM-130000"],
        ),
    ] {
        let page: Page = app
            .get_ok(&format!("/api/v1/departments?{query}"), &admin)
            .await;
        assert_eq!(page.column("code"), expected, "{backend:?} {query}");
    }
}

#[both_engines]
async fn enterprises_are_registered_only_with_valid_credit_codes(backend: Backend) {
    let TwoProvinces { app, admin, .. } = TwoProvinces::spawn(backend).await;
    for code in [credit_code(1), "91350100M000100Y43".to_owned()] {
        let (status, body) = app
            .post(
                "/api/v1/enterprises",
                &admin,
                enterprise(&code, "Valid Co", "130102"),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{backend:?} {code}: {body}");
        assert_eq!(body["credit_code"], code.as_str(), "{backend:?}");
        assert_eq!(body["status"], "active", "{backend:?}: default status");
    }

    let (status, body) = app
        .post(
            "/api/v1/enterprises",
            &admin,
            enterprise("91350100M000100Y44", "Wrong Check", "130102"),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {body}"
    );
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("credit_code") && message.contains("'3'"),
        "{backend:?}: the message names the expected check character: {body}"
    );

    let cases = [
        (
            enterprise("91350100M000100Y", "Short", "130102"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "17 characters",
        ),
        (
            enterprise(&credit_code(1), "Duplicate", "130102"),
            StatusCode::CONFLICT,
            "a credit code already registered",
        ),
        (
            enterprise(&credit_code(2), "Nowhere", "120101"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "an unknown region",
        ),
    ];
    for (body, expected, why) in cases {
        let (status, answer) = app.post("/api/v1/enterprises", &admin, body).await;
        assert_eq!(status, expected, "{backend:?} {why}: {answer}");
    }

    let mut banking = enterprise(&credit_code(3), "Bank", "130102");
    banking["industry"] = json!("banking");
    let (status, body) = app.post("/api/v1/enterprises", &admin, banking).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{backend:?}: {body}");
    assert_eq!(body["code"], "bad_request", "{backend:?}: {body}");

    let (_, list) = app.get("/api/v1/enterprises", &admin).await;
    assert_eq!(list["total"], 2, "{backend:?}: only the valid ones exist");
}

#[both_engines]
async fn lower_case_credit_codes_are_stored_in_upper_case(backend: Backend) {
    let TwoProvinces { app, admin, .. } = TwoProvinces::spawn(backend).await;
    let code = credit_code(7);
    let (status, body) = app
        .post(
            "/api/v1/enterprises",
            &admin,
            enterprise(&code.to_lowercase(), "Lower Co", "130102"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{backend:?}: {body}");
    assert_eq!(body["credit_code"], code.as_str(), "{backend:?}");
    let (status, body) = app
        .post(
            "/api/v1/enterprises",
            &admin,
            enterprise(&code, "Upper Co", "130102"),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "{backend:?}: the same code in another case is a duplicate: {body}"
    );
}

#[both_engines]
async fn enterprises_are_filtered_and_sorted_by_allowed_keys(backend: Backend) {
    let TwoProvinces { app, admin, .. } = TwoProvinces::spawn(backend).await;
    // Created out of name order so that sorting by name is visible.
    for (i, name, region, industry, risk, class, key) in [
        (
            1,
            "Charlie Fireworks",
            "110101",
            "fireworks",
            "low",
            "D",
            false,
        ),
        (
            2,
            "Alpha Chemicals",
            "130102",
            "hazardous_chemicals",
            "major",
            "A",
            true,
        ),
        (3, "Bravo Coal", "130102", "coal_mine", "high", "B", false),
    ] {
        let mut body = enterprise(&credit_code(i), name, region);
        body["industry"] = json!(industry);
        body["risk_level"] = json!(risk);
        body["credit_class"] = json!(class);
        body["key_supervision"] = json!(key);
        app.create_id("/api/v1/enterprises", &admin, body).await;
    }
    for (query, expected) in [
        (
            "",
            vec!["Charlie Fireworks", "Alpha Chemicals", "Bravo Coal"],
        ),
        ("region_prefix=1301", vec!["Alpha Chemicals", "Bravo Coal"]),
        ("region_prefix=11", vec!["Charlie Fireworks"]),
        ("industry=coal_mine", vec!["Bravo Coal"]),
        ("risk_level=low", vec!["Charlie Fireworks"]),
        ("credit_class=A", vec!["Alpha Chemicals"]),
        ("key_supervision=true", vec!["Alpha Chemicals"]),
        (
            "key_supervision=false",
            vec!["Charlie Fireworks", "Bravo Coal"],
        ),
        ("q=Bravo", vec!["Bravo Coal"]),
        ("q=Chem&region_prefix=13", vec!["Alpha Chemicals"]),
        ("industry=fishery", vec![]),
        (
            "sort=name",
            vec!["Alpha Chemicals", "Bravo Coal", "Charlie Fireworks"],
        ),
        (
            "sort=-name",
            vec!["Charlie Fireworks", "Bravo Coal", "Alpha Chemicals"],
        ),
    ] {
        let page: Page = app
            .get_ok(&format!("/api/v1/enterprises?{query}"), &admin)
            .await;
        assert_eq!(page.column("name"), expected, "{backend:?} {query}");
        assert_eq!(page.total, expected.len(), "{backend:?} {query}");
    }
    for query in ["sort=password_hash", "sort=-name;drop"] {
        let (status, body) = app
            .get(&format!("/api/v1/enterprises?{query}"), &admin)
            .await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{backend:?} {query}: {body}"
        );
        assert_eq!(body["code"], "bad_request", "{backend:?} {query}");
    }
}

#[both_engines]
async fn enterprise_lists_are_paginated_up_to_500_a_page(backend: Backend) {
    let TwoProvinces { app, admin, .. } = TwoProvinces::spawn(backend).await;
    for i in 1..=3 {
        let body = enterprise(&credit_code(i), &format!("Company {i}"), "130102");
        app.create_id("/api/v1/enterprises", &admin, body).await;
    }
    let page: Page = app
        .get_ok("/api/v1/enterprises?page=2&page_size=2", &admin)
        .await;
    assert_eq!(page.column("name"), ["Company 3"], "{backend:?}");
    assert_eq!(
        (page.total, page.page, page.page_size),
        (3, 2, 2),
        "{backend:?}: {page:?}"
    );
    for query in ["page=0", "page_size=501", "page_size=0"] {
        let (status, body) = app
            .get(&format!("/api/v1/enterprises?{query}"), &admin)
            .await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{backend:?} {query}: {body}"
        );
        assert_eq!(body["code"], "bad_request", "{backend:?} {query}");
    }
    for page in ["4", "9223372036854775807", "18446744073709551615"] {
        let (status, body) = app
            .get(
                &format!("/api/v1/enterprises?page={page}&page_size=500"),
                &admin,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{backend:?} page {page}: {body}");
        assert_eq!(
            item_ids(&body),
            Vec::<i64>::new(),
            "{backend:?} page {page}: past the end"
        );
    }
    let (status, body) = app.get("/api/v1/enterprises?page_size=500", &admin).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
    assert_eq!(body["page_size"], 500, "{backend:?}: {body}");
    assert_eq!(body["page"], 1, "{backend:?}: pages count from 1");
}

#[both_engines]
async fn inspectors_are_registered_with_qualifications_and_found_by_industry(backend: Backend) {
    let TwoProvinces {
        app, admin, hebei, ..
    } = TwoProvinces::spawn(backend).await;
    let (status, body) = app
        .post(
            "/api/v1/inspectors",
            &admin,
            inspector("HB-001", hebei, "130102", &["coal_mine", "fireworks"]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{backend:?}: {body}");
    assert_eq!(
        body["industries"],
        json!(["coal_mine", "fireworks"]),
        "{backend:?}"
    );
    assert_eq!(body["active"], true, "{backend:?}: active by default");
    app.create_id(
        "/api/v1/inspectors",
        &admin,
        inspector("HB-002", hebei, "130100", &["non_coal_mine"]),
    )
    .await;

    let (status, body) = app
        .post(
            "/api/v1/inspectors",
            &admin,
            inspector("HB-001", hebei, "130100", &[]),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "{backend:?}: badge taken: {body}"
    );
    let (status, body) = app
        .post(
            "/api/v1/inspectors",
            &admin,
            inspector("HB-003", 999_999, "130100", &[]),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {body}"
    );
    assert!(
        read::<Problem>(&body).fields().contains(&"department_id"),
        "{backend:?}: {body}"
    );

    for (query, expected) in [
        ("industry=coal_mine", vec!["HB-001"]),
        ("industry=non_coal_mine", vec!["HB-002"]),
        ("industry=fishery", vec![]),
        ("", vec!["HB-001", "HB-002"]),
    ] {
        let page: Page = app
            .get_ok(&format!("/api/v1/inspectors?{query}"), &admin)
            .await;
        assert_eq!(page.column("badge_no"), expected, "{backend:?} {query}");
    }
}

#[both_engines]
async fn conflicts_name_exactly_one_target_and_can_be_removed(backend: Backend) {
    let TwoProvinces {
        app, admin, hebei, ..
    } = TwoProvinces::spawn(backend).await;
    let inspector_id = app
        .create_id(
            "/api/v1/inspectors",
            &admin,
            inspector("HB-001", hebei, "130102", &[]),
        )
        .await;
    let enterprise_id = app
        .create_id(
            "/api/v1/enterprises",
            &admin,
            enterprise(&credit_code(1), "Alpha Chemicals", "130102"),
        )
        .await;
    let conflict = |enterprise: Option<i64>, department: Option<i64>| {
        json!({
            "inspector_id": inspector_id,
            "enterprise_id": enterprise,
            "department_id": department,
            "reason": "former employer",
        })
    };

    for (body, why) in [
        (conflict(Some(enterprise_id), Some(hebei)), "both targets"),
        (conflict(None, None), "no target"),
    ] {
        let (status, answer) = app.post("/api/v1/conflicts", &admin, body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend:?} {why}: {answer}"
        );
    }

    let with_enterprise = app
        .create_id(
            "/api/v1/conflicts",
            &admin,
            conflict(Some(enterprise_id), None),
        )
        .await;
    app.create_id("/api/v1/conflicts", &admin, conflict(None, Some(hebei)))
        .await;
    let (status, body) = app
        .post(
            "/api/v1/conflicts",
            &admin,
            conflict(Some(enterprise_id), None),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{backend:?}: {body}");

    let (status, body) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/conflicts/{with_enterprise}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{backend:?}: {body}");
    let (_, list) = app.get("/api/v1/conflicts", &admin).await;
    assert_eq!(list["total"], 1, "{backend:?}: {list}");
    assert!(
        !item_ids(&list).contains(&with_enterprise),
        "{backend:?}: {list}"
    );
}

/// Sends a POST with a chunked body (no Content-Length) over a raw connection
/// and returns the whole response as text.
fn post_chunked(addr: std::net::SocketAddr, path: &str, token: &str, body: &[u8]) -> String {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .expect("timeout");
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for chunk in body.chunks(256) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    stream.write_all(&request).expect("request written");
    let mut response = Vec::new();
    // The server may close the connection as soon as it has answered; what it
    // sent before is all we need.
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

#[both_engines]
async fn oversized_bodies_are_refused_with_or_without_content_length(backend: Backend) {
    let policy = Policy {
        limits: Limits {
            body_bytes: 1024,
            ..Limits::default()
        },
        ..Policy::default()
    };
    let app = TestApp::spawn_with(backend, policy).await;
    let admin = app.admin().await;
    app.seed_two_provinces(&admin).await;
    // Valid JSON padded with whitespace: it would be accepted if it were read.
    let padded = |i: u32| {
        let mut text = enterprise(&credit_code(i), "Padded Co", "130102").to_string();
        text.push_str(&" ".repeat(2048));
        text
    };

    let response = app
        .authed(Method::POST, "/api/v1/enterprises", &admin)
        .header("content-type", "application/json")
        .body(reqwest::Body::from(padded(1)))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        response.status(),
        StatusCode::PAYLOAD_TOO_LARGE,
        "{backend:?}: with Content-Length"
    );
    let body: Value = response.json().await.expect("json error body");
    assert_eq!(body["code"], "payload_too_large", "{backend:?}: {body}");

    let (addr, token, text) = (app.addr, admin.clone(), padded(2));
    let raw = tokio::task::spawn_blocking(move || {
        post_chunked(addr, "/api/v1/enterprises", &token, text.as_bytes())
    })
    .await
    .expect("chunked request");
    assert!(
        raw.starts_with("HTTP/1.1 413"),
        "{backend:?}: chunked without Content-Length: {raw}"
    );
    assert!(raw.contains("payload_too_large"), "{backend:?}: {raw}");

    let (_, list) = app.get("/api/v1/enterprises", &admin).await;
    assert_eq!(list["total"], 0, "{backend:?}: nothing was created");
    let (status, body) = app
        .post(
            "/api/v1/enterprises",
            &admin,
            enterprise(&credit_code(3), "Small Co", "130102"),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{backend:?}: a body within the limit is accepted: {body}"
    );
}

//! Input that no field needs is refused the same way on both engines, naming
//! where it was, and changes nothing.

use reqwest::{Method, StatusCode};
use serde_json::json;
use spotcheck_tests::{TestApp, backends};

#[tokio::test]
async fn control_characters_are_refused_naming_the_field_on_both_engines() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = app.admin().await;
        app.seed_two_provinces(&admin).await;
        let (_, before) = app.get("/api/v1/regions?page_size=500", &admin).await;

        let (login, login_body) = app
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": "ro\u{0}ot", "password": "x"})),
            )
            .await;
        let (search, search_body) = app.get("/api/v1/enterprises?q=%00", &admin).await;
        let (create, create_body) = app
            .post(
                "/api/v1/regions",
                &admin,
                json!({"code": "130200", "name": "唐山\u{1b}[31m市", "parent_code": "130000"}),
            )
            .await;
        let (nested, nested_body) = app
            .post(
                "/api/v1/indicator-sets",
                &admin,
                json!({"code": "X", "name": "清单", "indicators": [{"code": "X-1", "name": "a\u{7f}", "legal_basis": "法", "category": "other", "max_points": 1.0, "weight": 1.0, "applies_to": "enterprise"}]}),
            )
            .await;
        let (text, text_body) = app
            .post(
                "/api/v1/regions",
                &admin,
                json!({"code": "130200", "name": "唐山市", "parent_code": "130000"}),
            )
            .await;
        let (_, after) = app.get("/api/v1/regions?page_size=500", &admin).await;

        assert_eq!(
            login,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend:?}: {login_body}"
        );
        assert_eq!(
            login_body["errors"][0]["field"], "username",
            "{backend:?}: {login_body}"
        );
        assert_eq!(
            search,
            StatusCode::BAD_REQUEST,
            "{backend:?}: {search_body}"
        );
        assert!(
            search_body["message"]
                .as_str()
                .is_some_and(|m| m.contains("q") && m.contains("U+0000")),
            "{backend:?}: {search_body}"
        );
        assert_eq!(
            create,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend:?}: {create_body}"
        );
        assert_eq!(create_body["errors"][0]["field"], "name", "{backend:?}");
        assert_eq!(
            nested,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend:?}: {nested_body}"
        );
        assert_eq!(
            nested_body["errors"][0]["field"], "indicators[0].name",
            "{backend:?}"
        );
        assert_eq!(
            text,
            StatusCode::CREATED,
            "{backend:?}: the clean request still works: {text_body}"
        );
        assert_eq!(
            after["total"].as_i64(),
            before["total"].as_i64().map(|n| n + 1),
            "{backend:?}: only the clean region was stored"
        );
    }
}

//! Liveness, readiness, metrics and the error shape.

use reqwest::{Method, StatusCode};
use spotcheck_tests::{TestApp, backends};

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (status, _) = app.call(Method::GET, "/healthz", None, None).await;
        assert_eq!(status, StatusCode::OK, "{backend:?} healthz");
        let (status, _) = app.call(Method::GET, "/readyz", None, None).await;
        assert_eq!(status, StatusCode::OK, "{backend:?} readyz");
        let (status, body) = app.call(Method::GET, "/metrics", None, None).await;
        assert_eq!(status, StatusCode::OK, "{backend:?} metrics");
        let text = body.as_str().unwrap_or_default();
        assert!(
            text.contains("spotcheck_http_requests_total"),
            "{backend:?}: {text}"
        );
        assert!(
            text.contains("route=\"/readyz\""),
            "{backend:?}: requests are counted by route"
        );
        assert!(
            text.contains("spotcheck_db_pool_connections"),
            "{backend:?}: pool gauge"
        );
    }
}

#[tokio::test]
async fn unknown_routes_and_missing_tokens_answer_the_json_error_shape() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (status, body) = app
            .call(Method::GET, "/api/v1/nothing-here", None, None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?}");
        assert_eq!(body["code"], "not_found", "{backend:?}: {body}");
        let (status, body) = app
            .call(Method::GET, "/api/v1/enterprises", None, None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{backend:?}");
        assert_eq!(body["code"], "unauthorized", "{backend:?}: {body}");
        assert!(body["message"].is_string(), "{backend:?}: {body}");
    }
}

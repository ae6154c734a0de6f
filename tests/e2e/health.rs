//! Liveness, readiness, metrics and the error shape.

use reqwest::{Method, StatusCode};
use spotcheck_tests::{Backend, TestApp, both_engines};

#[both_engines]
async fn health_readiness_and_metrics_answer(backend: Backend) {
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

#[both_engines]
async fn unknown_routes_and_missing_tokens_answer_the_json_error_shape(backend: Backend) {
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

/// The request series in a `/metrics` text.
fn request_series(metrics: &str) -> Vec<String> {
    metrics
        .lines()
        .filter(|l| l.starts_with("spotcheck_http_requests_total{"))
        .map(|l| {
            l.rsplit_once(' ')
                .map_or(l, |(series, _)| series)
                .to_owned()
        })
        .collect()
}

#[both_engines]
async fn made_up_paths_ids_and_methods_add_no_metric_series(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let metrics = || async { app.call(Method::GET, "/metrics", None, None).await.1 };
    // One of each kind first, so that every series the flood can touch exists.
    let kinds = |n: u32| {
        [
            (Method::GET, format!("/nothing/{n}")),
            (Method::GET, format!("/api/v1/no-such-thing-{n}")),
            (Method::GET, format!("/api/v1/enterprises/{n}")),
            (Method::GET, format!("/api/v1/enterprises/x{n}")),
            (Method::GET, format!("/public/v1/{n}")),
            (Method::GET, format!("/docs/{n}")),
            (
                Method::from_bytes(format!("BREW{n}").as_bytes()).expect("a method"),
                "/healthz".to_owned(),
            ),
        ]
    };
    for (method, path) in kinds(0) {
        app.call(method, &path, None, None).await;
    }
    metrics().await;
    let before = request_series(metrics().await.as_str().unwrap_or_default());

    for n in 1..=60 {
        for (method, path) in kinds(n) {
            app.call(method, &path, None, None).await;
        }
    }
    let text = metrics().await;
    let text = text.as_str().unwrap_or_default();
    let after = request_series(text);

    assert_eq!(
        after, before,
        "{backend:?}: the same series, only counted up"
    );
    assert!(
        text.contains(r#"route="unmatched""#),
        "{backend:?}: unmatched paths share one label"
    );
    assert!(
        text.contains(r#"route="/api/v1/enterprises/:param0""#),
        "{backend:?}: matched routes are labelled by their template"
    );
    assert!(!text.contains("no-such-thing"), "{backend:?}");
    assert!(
        !text.contains("BREW"),
        "{backend:?}: made-up methods are OTHER"
    );
}

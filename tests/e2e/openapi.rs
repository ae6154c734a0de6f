//! The OpenAPI document and Swagger UI; the document is snapshotted so that an
//! accidental API change shows up in review.

use std::path::PathBuf;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use spotcheck_tests::{Backend, TestApp, both_engines};

fn snapshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("snapshots/openapi.json")
}

/// The document pretty-printed with every object's keys sorted, so the text
/// does not depend on serde_json's map order.
fn canonical(mut document: Value) -> String {
    document.sort_all_objects();
    let mut text = serde_json::to_string_pretty(&document).expect("serialisable");
    text.push('\n');
    text
}

async fn fetch_document(app: &TestApp) -> Value {
    let (status, document) = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{:?}: {document}", app.backend());
    document
}

#[both_engines]
async fn openapi_document_matches_the_snapshot(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_matches_snapshot(&canonical(fetch_document(&app).await));
}

/// Compares with the snapshot, or writes it when `UPDATE_SNAPSHOTS=1`.
fn assert_matches_snapshot(actual: &str) {
    let path = snapshot_path();
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("snapshot directory"))
            .expect("create snapshot directory");
        std::fs::write(&path, actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if actual != expected {
        let first_difference = actual
            .lines()
            .zip(expected.lines())
            .enumerate()
            .find(|(_, (a, e))| a != e)
            .map_or_else(
                || "one document is a prefix of the other".to_owned(),
                |(n, (a, e))| format!("line {}: snapshot `{e}`, now `{a}`", n + 1),
            );
        panic!(
            "the OpenAPI document differs from {} ({first_difference}).\n\
             If the API change is intended, update the snapshot with\n    \
             UPDATE_SNAPSHOTS=1 cargo test -p spotcheck-tests openapi_document_matches_the_snapshot\n\
             and commit the new file.",
            path.display()
        );
    }
}

#[both_engines]
async fn openapi_document_lists_the_fixed_paths_and_swagger_ui_answers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let document = fetch_document(&app).await;
    for path in [
        "/auth/login",
        "/enterprises",
        "/enterprises/{id}",
        "/audit/verify",
    ] {
        assert!(
            document["paths"].get(path).is_some(),
            "{backend:?}: the document lists {path}"
        );
    }
    assert_eq!(
        document["servers"][0]["url"], "/api/v1",
        "{backend:?}: paths are relative to /api/v1"
    );

    let response = app
        .request(Method::GET, "/docs")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK, "{backend:?}: /docs");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("text/html"),
        "{backend:?}: /docs is HTML, not {content_type}"
    );
    let html = response.text().await.expect("body");
    assert!(html.contains("swagger"), "{backend:?}: /docs is Swagger UI");
}

//! The OpenAPI documents as served: poem-openapi's, completed with what its
//! derive macros cannot say, so that a client generated from the document (or
//! a checker such as schemathesis) accepts every answer the server gives.
//!
//! Two things are added in one place rather than on each of ~100 operations:
//! - the error answers: every error leaves through [`crate::error`] as
//!   `{"code","message"}`, so each operation declares the statuses that layer
//!   can give it, with that schema;
//! - `nullable` on optional fields: an `Option` that is `None` is sent as
//!   `null`, which OpenAPI 3.0 allows only where `nullable: true` says so.

use poem::{Endpoint, Route, endpoint::make_sync, web::Html};
use serde_json::{Map, Value, json};

/// The name of the error body's schema in `components.schemas`.
const ERROR_SCHEMA: &str = "Error";

/// The media type of every error answer (see `error::error_response`).
const ERROR_MEDIA_TYPE: &str = "application/json; charset=utf-8";

/// The document with error answers declared and optional fields nullable.
/// A document that is not JSON is returned unchanged.
#[must_use]
pub fn complete(spec: &str) -> String {
    let Ok(mut doc) = serde_json::from_str::<Value>(spec) else {
        return spec.to_owned();
    };
    add_error_schema(&mut doc);
    declare_errors(&mut doc);
    mark_optional_nullable(&mut doc);
    serde_json::to_string_pretty(&doc).unwrap_or_else(|_| spec.to_owned())
}

/// The completed document at its path.
pub fn spec_endpoint(spec: String) -> impl Endpoint {
    make_sync(move |_| {
        poem::Response::builder()
            .content_type("application/json; charset=utf-8")
            .body(spec.clone())
    })
}

/// Swagger UI showing the completed document rather than poem-openapi's own.
pub fn swagger_ui(html_with_raw: &str, raw: &str, completed: &str) -> impl Endpoint + use<> {
    let html = html_with_raw.replace(raw, completed);
    Route::new().at("/", make_sync(move |_| Html(html.clone())))
}

fn add_error_schema(doc: &mut Value) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    let schemas = root
        .entry("components")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .map(|c| c.entry("schemas").or_insert_with(|| json!({})));
    if let Some(Value::Object(schemas)) = schemas {
        schemas.insert(
            ERROR_SCHEMA.to_owned(),
            json!({
                "title": ERROR_SCHEMA,
                "description": "错误（An error）: a stable code and a message in the request's language.",
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "description": "Stable, English, for programs."},
                    "message": {"type": "string", "description": "For people; Chinese unless `Accept-Language: en`."},
                    "errors": {
                        "type": "array",
                        "description": "Each problem found, on 422.",
                        "items": {
                            "type": "object",
                            "required": ["field", "message"],
                            "properties": {
                                "field": {"type": "string"},
                                "message": {"type": "string"}
                            }
                        }
                    }
                },
                "additionalProperties": true
            }),
        );
    }
}

/// The statuses the error layer can give an operation, from what it takes.
fn error_statuses(path: &str, operation: &Map<String, Value>) -> Vec<(&'static str, &'static str)> {
    let mut statuses = vec![
        ("400", "请求格式有误（Malformed request）"),
        ("409", "状态或重复冲突（Conflict with the current state）"),
        ("422", "输入不符合规则（Input breaks a rule）"),
        ("429", "请求过于频繁（Too many attempts）"),
        ("500", "服务器内部错误（Internal error）"),
        ("503", "服务繁忙，请稍后再试（Busy, retry later）"),
    ];
    let secured = operation
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    // Logging in answers 401 for wrong credentials without asking for a token.
    if secured || path.starts_with("/auth/") {
        statuses.push(("401", "未登录或登录已失效（Not authenticated）"));
        statuses.push(("403", "无权执行此操作（Not allowed）"));
    }
    if path.contains('{') {
        statuses.push(("404", "对象不存在或不在管辖范围内（Not found）"));
    }
    if operation.contains_key("requestBody") {
        statuses.push(("408", "请求体读取超时（Request body too slow）"));
        statuses.push(("413", "请求体过大（Request body too large）"));
        statuses.push(("415", "不支持的内容类型（Unsupported media type）"));
    }
    statuses
}

fn declare_errors(doc: &mut Value) {
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Value::Object(item) = item else { continue };
        for operation in item.values_mut() {
            let Value::Object(operation) = operation else {
                continue;
            };
            let statuses = error_statuses(path, operation);
            let Value::Object(responses) =
                operation.entry("responses").or_insert_with(|| json!({}))
            else {
                continue;
            };
            for (status, description) in statuses {
                responses.entry(status).or_insert_with(|| {
                    json!({
                        "description": description,
                        "content": {
                            ERROR_MEDIA_TYPE: {
                                "schema": {"$ref": format!("#/components/schemas/{ERROR_SCHEMA}")}
                            }
                        }
                    })
                });
            }
        }
    }
}

fn mark_optional_nullable(doc: &mut Value) {
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else {
        return;
    };
    for schema in schemas.values_mut() {
        let Value::Object(schema) = schema else {
            continue;
        };
        let required: Vec<String> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let Some(Value::Object(properties)) = schema.get_mut("properties") else {
            continue;
        };
        for (name, property) in properties.iter_mut() {
            if required.contains(name) {
                continue;
            }
            if let Value::Object(p) = property {
                // A bare `$ref` takes no siblings in OpenAPI 3.0: wrap it.
                if let Some(reference) = p.get("$ref").cloned()
                    && p.len() == 1
                {
                    *property = json!({"allOf": [{"$ref": reference}], "nullable": true});
                } else {
                    p.insert("nullable".to_owned(), Value::Bool(true));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_declare_the_errors_they_can_answer_and_optional_fields_are_nullable() {
        let spec = json!({
            "openapi": "3.0.0",
            "paths": {
                "/plans/{id}": {
                    "patch": {"security": [{"Bearer": []}], "requestBody": {}, "responses": {"200": {}}},
                },
                "/vocabularies": {"get": {"responses": {"200": {}}}}
            },
            "components": {"schemas": {"Plan": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "integer"},
                    "note": {"type": "string"},
                    "status": {"$ref": "#/components/schemas/PlanStatus"}
                }
            }}}
        })
        .to_string();
        let doc: Value = serde_json::from_str(&complete(&spec)).expect("JSON");

        let patch = &doc["paths"]["/plans/{id}"]["patch"]["responses"];
        for status in ["200", "400", "401", "403", "404", "413", "422", "500"] {
            assert!(patch.get(status).is_some(), "PATCH declares {status}");
        }
        let open = &doc["paths"]["/vocabularies"]["get"]["responses"];
        for status in ["401", "403", "404", "413"] {
            assert!(
                open.get(status).is_none(),
                "GET without login or id: no {status}"
            );
        }
        assert_eq!(
            patch["422"]["content"][ERROR_MEDIA_TYPE]["schema"]["$ref"],
            "#/components/schemas/Error"
        );
        let props = &doc["components"]["schemas"]["Plan"]["properties"];
        assert_eq!(props["id"].get("nullable"), None, "required stays non-null");
        assert_eq!(props["note"]["nullable"], true);
        assert_eq!(props["status"]["nullable"], true);
        assert_eq!(
            props["status"]["allOf"][0]["$ref"],
            "#/components/schemas/PlanStatus"
        );
        assert_eq!(
            doc["components"]["schemas"]["Error"]["required"],
            json!(["code", "message"])
        );
    }
}

//! The HTTP server: routes, middleware and the listener.

mod conn;
mod openapi;

use std::time::Instant;

use poem::{
    Body, Endpoint, EndpointExt as _, IntoResponse, PathPattern, Request, Response, Route,
    error::ResponseError as _, get, handler, http::StatusCode, web::Data,
};

use crate::{
    api::{self, RequestUser},
    db,
    error::{self, AppError},
    i18n::{Lang, REQUEST_LANG},
    input_guard,
    metrics::{JobsGauge, method_label, route_label},
    state::AppState,
};

/// The whole application as one endpoint.
pub fn app(state: AppState) -> impl Endpoint<Output = Response> {
    let api = api::service();
    let raw_spec = api.spec();
    let spec = openapi::complete(&raw_spec);
    let docs = openapi::swagger_ui(&api.swagger_ui_html(), &raw_spec, &spec);
    let public = api::public::service();
    let public_spec = openapi::complete(&public.spec());
    let body_limit = state.policy.limits.body_bytes;
    let body_time = std::time::Duration::from_secs(state.policy.limits.body_read_secs);
    Route::new()
        .nest("/api/v1", api)
        .at("/api/v1/openapi.json", openapi::spec_endpoint(spec))
        .nest("/docs", docs)
        .nest("/public/v1", public)
        .at(
            "/public/v1/openapi.json",
            openapi::spec_endpoint(public_spec),
        )
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
        .at("/metrics", get(metrics))
        .catch_all_error(render_keeping_route)
        .around(move |ep, req| limit_body(ep, req, body_limit, body_time))
        .around(observe)
        .data(state)
}

/// Reads the body up to the limit, whether or not a Content-Length was sent,
/// and answers 413 beyond it and 408 when it takes longer than `within`;
/// refuses control characters in the query and a JSON body.
async fn limit_body<E: Endpoint>(
    ep: std::sync::Arc<E>,
    mut req: Request,
    limit: usize,
    within: std::time::Duration,
) -> poem::Result<Response> {
    let too_large = || {
        error::json_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("request body exceeds {limit} bytes"),
            None,
        )
    };
    if let Some(length) = req
        .headers()
        .get(poem::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && length > limit as u64
    {
        return Ok(too_large());
    }
    let query_problems = input_guard::query_problems(req.uri().query().unwrap_or_default());
    if let Some(first) = query_problems.first() {
        return Ok(error::json_error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("query parameter {}: {}", first.field, first.message),
            None,
        ));
    }
    let read = tokio::time::timeout(within, req.take_body().into_bytes_limit(limit)).await;
    let Ok(read) = read else {
        return Ok(error::json_error(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            format!(
                "the request body did not arrive within {} s",
                within.as_secs()
            ),
            None,
        ));
    };
    match read {
        Ok(bytes) => {
            let problems = input_guard::json_problems(&bytes);
            if !problems.is_empty() {
                return Ok(AppError::Validation(problems).as_response());
            }
            // No body and no Content-Type is an absent JSON body: operations whose
            // body is optional (drawing a plan, returning a task) take their
            // defaults instead of answering 415.
            let content_type = poem::http::header::CONTENT_TYPE;
            if bytes.is_empty() && !req.headers().contains_key(&content_type) {
                req.headers_mut().insert(
                    content_type,
                    poem::http::HeaderValue::from_static("application/json"),
                );
            }
            req.set_body(Body::from_bytes(bytes));
        }
        Err(poem::error::ReadBodyError::PayloadTooLarge) => return Ok(too_large()),
        Err(e) => {
            return Ok(error::json_error(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!("could not read the request body: {e}"),
                None,
            ));
        }
    }
    Ok(ep.call(req).await?.into_response())
}

/// An error's JSON answer, still carrying the route it matched for the metrics.
async fn render_keeping_route(err: poem::Error) -> Response {
    let pattern = err.data::<PathPattern>().cloned();
    let mut response = error::render(err).await;
    if let Some(pattern) = pattern {
        response.set_data(pattern);
    }
    response
}

/// One log line and one metric observation per request.
async fn observe<E: Endpoint>(ep: std::sync::Arc<E>, mut req: Request) -> poem::Result<Response> {
    let started = Instant::now();
    let method = method_label(req.method());
    let user = RequestUser::default();
    req.extensions_mut().insert(user.clone());
    let state = req.data::<AppState>().cloned();
    let lang = Lang::from_accept_language(
        req.headers()
            .get(poem::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let response = REQUEST_LANG
        .scope(lang, async move {
            match ep.call(req).await {
                Ok(resp) => resp.into_response(),
                Err(err) => error::render(err).await,
            }
        })
        .await;
    let status = response.status().as_u16();
    let latency = started.elapsed();
    let pattern = response.data::<PathPattern>().map(|p| p.0.clone());
    let route = route_label(pattern.as_deref());
    if let Some(state) = state {
        state
            .metrics
            .observe(method, route, status, latency.as_secs_f64());
    }
    tracing::info!(
        http.method = %method,
        http.route = %route,
        http.status = status,
        latency_ms = latency.as_secs_f64() * 1000.0,
        user.id = user.get(),
        "request"
    );
    Ok(response)
}

#[handler]
fn healthz() -> &'static str {
    "ok"
}

/// Ready when the database answers; says whether this instance runs the jobs.
#[handler]
async fn readyz(state: Data<&AppState>) -> Response {
    if db::ping(&state.db).await {
        poem::web::Json(serde_json::json!({
            "status": "ready",
            "instance": state.jobs.instance(),
            "jobs": if state.jobs.running() { "running" } else { "disabled" },
        }))
        .into_response()
    } else {
        error::with_retry_after(
            error::json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                "database unreachable".to_owned(),
                None,
            ),
            error::BUSY_RETRY_AFTER_SECS,
        )
    }
}

#[handler]
async fn metrics(state: Data<&AppState>) -> Response {
    let jobs = match state.jobs.scheduler() {
        Some(scheduler) => JobsGauge {
            running: true,
            registered: scheduler.job_names().await.len(),
        },
        None => JobsGauge::default(),
    };
    Response::builder()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(&state.db, jobs))
}

/// A bound listener, so callers (and tests) know the port before serving.
pub struct Bound {
    listener: tokio::net::TcpListener,
    /// The address actually bound (port 0 becomes a real port).
    pub addr: std::net::SocketAddr,
}

/// Binds the address.
///
/// # Errors
/// When the address is malformed or taken.
pub async fn bind(addr: &str) -> anyhow::Result<Bound> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("Failed to listen on {addr}: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| anyhow::anyhow!("Failed to read the bound address of {addr}: {e}"))?;
    Ok(Bound { listener, addr })
}

/// Serves until `shutdown` resolves, then lets requests in flight finish for
/// up to ten seconds.
///
/// # Errors
/// When the server fails.
pub async fn serve(
    bound: Bound,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    let limits = conn::ConnLimits {
        header_read: std::time::Duration::from_secs(state.policy.limits.header_read_secs),
        idle: std::time::Duration::from_secs(state.policy.limits.idle_secs),
        header_bytes: state.policy.limits.header_bytes,
        drain: std::time::Duration::from_secs(10),
    };
    conn::run(bound.listener, app(state), limits, shutdown).await?;
    Ok(())
}

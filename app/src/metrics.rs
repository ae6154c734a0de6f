//! Prometheus metrics: requests and latency by route and status, and the pool.

use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};
use sea_orm::DatabaseConnection;

/// Labels of a finished request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// HTTP method.
    pub method: String,
    /// Route with ids replaced by `{id}`.
    pub route: String,
    /// Status code.
    pub status: u16,
}

/// Labels of a latency observation.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    /// HTTP method.
    pub method: String,
    /// Route with ids replaced by `{id}`.
    pub route: String,
}

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    pool_size: Gauge,
    pool_idle: Gauge,
    jobs_running: Gauge,
    jobs_registered: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric.
    #[must_use]
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new([
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ])
        });
        let pool_size = Gauge::default();
        let pool_idle = Gauge::default();
        let jobs_running = Gauge::default();
        let jobs_registered = Gauge::default();
        registry.register(
            "spotcheck_http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "spotcheck_http_request_duration_seconds",
            "HTTP request latency by route",
            latency.clone(),
        );
        registry.register(
            "spotcheck_db_pool_connections",
            "Open database connections",
            pool_size.clone(),
        );
        registry.register(
            "spotcheck_db_pool_idle",
            "Idle database connections",
            pool_idle.clone(),
        );
        registry.register(
            "spotcheck_jobs_running",
            "1 when this instance runs the scheduled jobs, 0 when started with --no-jobs",
            jobs_running.clone(),
        );
        registry.register(
            "spotcheck_jobs_registered",
            "Scheduled jobs registered on this instance",
            jobs_registered.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            pool_size,
            pool_idle,
            jobs_running,
            jobs_registered,
        }
    }

    /// Records a finished request.
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                method: method.to_owned(),
                route: route.to_owned(),
            })
            .observe(seconds);
    }

    /// The metrics in Prometheus text format, with the pool and the jobs read now.
    #[must_use]
    pub fn render(&self, db: &DatabaseConnection, jobs: JobsGauge) -> String {
        let (size, idle) = pool_stats(db);
        self.pool_size.set(size);
        self.pool_idle.set(idle);
        self.jobs_running.set(i64::from(jobs.running));
        self.jobs_registered
            .set(i64::try_from(jobs.registered).unwrap_or(i64::MAX));
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

/// This instance's scheduled jobs, as the metrics show them.
#[derive(Debug, Clone, Copy, Default)]
pub struct JobsGauge {
    /// Whether this instance runs the scheduled jobs.
    pub running: bool,
    /// How many jobs its scheduler has registered.
    pub registered: usize,
}

fn pool_stats(db: &DatabaseConnection) -> (i64, i64) {
    match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (
                i64::from(pool.size()),
                i64::try_from(pool.num_idle()).unwrap_or(0),
            )
        }
        _ => {
            let pool = db.get_sqlite_connection_pool();
            (
                i64::from(pool.size()),
                i64::try_from(pool.num_idle()).unwrap_or(0),
            )
        }
    }
}

/// The label for requests that matched no route: one value, whatever was asked.
pub const UNMATCHED: &str = "unmatched";

/// The nests whose own pattern a request carries when nothing inside matched.
const NESTS: [&str; 3] = ["/api/v1", "/docs", "/public/v1"];

/// The route label of a request: the template of the route it matched (such as
/// `/api/v1/tasks/:id`), or [`UNMATCHED`]. Only templates become label values, so
/// the number of series is fixed however many paths clients make up.
#[must_use]
pub fn route_label(pattern: Option<&str>) -> &str {
    match pattern {
        Some(pattern) if !NESTS.contains(&pattern) => pattern,
        _ => UNMATCHED,
    }
}

/// The method label: the methods the API uses, and `OTHER` for any other.
#[must_use]
pub fn method_label(method: &poem::http::Method) -> &'static str {
    use poem::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_route_templates_become_labels() {
        assert_eq!(route_label(Some("/api/v1/tasks/:id")), "/api/v1/tasks/:id");
        assert_eq!(route_label(Some("/healthz")), "/healthz");
        assert_eq!(
            route_label(Some("/api/v1")),
            UNMATCHED,
            "a nest without a route"
        );
        assert_eq!(route_label(None), UNMATCHED);
    }

    #[test]
    fn unknown_methods_share_one_label() {
        let made_up = poem::http::Method::from_bytes(b"BREW").unwrap_or_default();
        assert_eq!(method_label(&made_up), "OTHER");
        assert_eq!(method_label(&poem::http::Method::PATCH), "PATCH");
    }
}

//! What every request handler shares.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{config::Policy, jobs::JobsStatus, metrics::Metrics, service::accounts::Hasher};

/// The shared state of a running server; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// Policy numbers.
    pub policy: Arc<Policy>,
    /// The bounded password-hashing pool.
    pub hasher: Arc<Hasher>,
    /// Request counters and latencies.
    pub metrics: Arc<Metrics>,
    /// Whether this instance runs the scheduled jobs.
    pub jobs: Arc<JobsStatus>,
}

impl AppState {
    /// Builds the state over an open pool.
    ///
    /// # Errors
    /// When the hashing pool cannot start.
    pub fn new(db: DatabaseConnection, policy: Policy) -> anyhow::Result<Self> {
        let hasher = Hasher::new(policy.security.hash_concurrency, policy.security.hash_queue)?;
        Ok(Self {
            db,
            policy: Arc::new(policy),
            hasher: Arc::new(hasher),
            metrics: Arc::new(Metrics::new()),
            jobs: Arc::new(JobsStatus::default()),
        })
    }
}

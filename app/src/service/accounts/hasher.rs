//! Password hashing: argon2id with OWASP's parameters on a bounded blocking
//! pool. At most `hash_concurrency` hashes run and `hash_queue` wait; further
//! logins are shed with 503 so a flood cannot starve other requests.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use argon2::{Argon2, PasswordHash, PasswordHasher as _, PasswordVerifier as _};
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

/// Runs argon2id hashes on a bounded pool.
#[derive(Debug)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    in_flight: AtomicUsize,
    capacity: usize,
    /// A real hash of a random password, verified against for unknown users.
    dummy: String,
}

struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Hasher {
    /// A pool running `concurrency` hashes with `queue` more waiting.
    ///
    /// # Errors
    /// When the system cannot provide randomness for the dummy hash.
    pub fn new(concurrency: usize, queue: usize) -> anyhow::Result<Self> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret)
            .map_err(|e| anyhow::anyhow!("Failed to read system randomness: {e}"))?;
        let dummy = hash_now(&hex::encode(secret))?;
        Ok(Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            in_flight: AtomicUsize::new(0),
            capacity: concurrency.max(1) + queue,
            dummy,
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        if self.in_flight.fetch_add(1, Ordering::AcqRel) >= self.capacity {
            self.in_flight.fetch_sub(1, Ordering::AcqRel);
            return Err(AppError::Busy(
                "too many logins at once; try again in a moment"
                    .to_owned()
                    .into(),
            ));
        }
        let _slot = InFlight(&self.in_flight);
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| AppError::Internal(e.into()))
    }

    /// Hashes a password into a PHC string.
    ///
    /// # Errors
    /// 503 when the pool is full; 500 when hashing fails.
    pub async fn hash(&self, password: String) -> AppResult<String> {
        self.run(move || hash_now(&password))
            .await?
            .map_err(AppError::Internal)
    }

    /// Verifies a password against a PHC string, or against the dummy hash
    /// when there is none, so that both cost the same.
    ///
    /// # Errors
    /// 503 when the pool is full.
    pub async fn verify(&self, password: String, phc: Option<String>) -> AppResult<bool> {
        let known = phc.is_some();
        let phc = phc.unwrap_or_else(|| self.dummy.clone());
        let matches = self.run(move || verify_now(&password, &phc)).await?;
        Ok(known && matches)
    }
}

/// Hashes on the current thread; for the pool and for the CLI.
///
/// # Errors
/// When argon2 fails (it does not, for passwords within the policy's length).
pub fn hash_now(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash: PasswordHash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("Failed to hash password: {e}"))
}

fn verify_now(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

//! Password hashing: argon2id with OWASP's parameters on a fixed set of
//! threads, each with its working memory allocated once.
//!
//! `hash_concurrency` threads compute hashes and `hash_queue` more requests
//! may wait for one; a request beyond that is shed at once with 503 and
//! `Retry-After`, so a login flood neither queues without bound nor starves
//! other requests. Each hash needs 19 MiB. Allocated afresh for every hash,
//! those blocks stay with the allocator's per-thread arenas after they are
//! freed, and a flood grew the process by hundreds of megabytes; so each
//! thread of the pool owns one block of 19 MiB for its whole life and hashes
//! in it, and the pool's memory is `hash_concurrency` × 19 MiB whatever the
//! load (figures: docs/benchmarks.md, "A login flood").

use std::sync::{
    Arc, Mutex,
    mpsc::{self, Receiver, SyncSender, TrySendError},
};

use argon2::{
    Algorithm, Argon2, Block, Params, PasswordHash, PasswordHasher as _, Version,
    password_hash::phc::{Output, ParamsString, Salt},
};
use tokio::sync::oneshot;

use crate::{
    error::{AppError, AppResult},
    msg,
};

/// One piece of work for a hashing thread, given the thread's memory.
type Job = Box<dyn FnOnce(&mut [Block]) + Send>;

/// Runs argon2id hashes on a bounded pool of its own threads.
#[derive(Debug)]
pub struct Hasher {
    jobs: SyncSender<Job>,
    /// A real hash of a random password, verified against for unknown users.
    dummy: String,
}

impl Hasher {
    /// A pool of `concurrency` threads with `queue` more requests waiting.
    ///
    /// # Errors
    /// When the system cannot provide randomness for the dummy hash or
    /// cannot start a thread.
    pub fn new(concurrency: usize, queue: usize) -> anyhow::Result<Self> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret)
            .map_err(|e| anyhow::anyhow!("Failed to read system randomness: {e}"))?;
        let dummy = hash_now(&hex::encode(secret))?;
        // A queue of 0 hands work over only to a thread that is waiting for it.
        let (jobs, receiver) = mpsc::sync_channel::<Job>(queue);
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..concurrency.max(1) {
            let receiver = Arc::clone(&receiver);
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || work(&receiver))
                .map_err(|e| anyhow::anyhow!("Failed to start a hashing thread: {e}"))?;
        }
        Ok(Self { jobs, dummy })
    }

    /// Runs `work` on a hashing thread, or answers 503 when all are busy and
    /// the queue is full.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut [Block]) -> T + Send + 'static,
    ) -> AppResult<T> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |memory| {
            // The caller may have gone away; the result is then dropped.
            let _ = reply.send(work(memory));
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                return Err(AppError::Busy(msg!(
                    "同时登录的请求过多，请稍后再试",
                    "too many logins at once; try again in a moment"
                )));
            }
            Err(TrySendError::Disconnected(_)) => {
                return Err(AppError::Internal(anyhow::anyhow!(
                    "the hashing threads have stopped"
                )));
            }
        }
        answer
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("a hashing thread failed")))
    }

    /// Hashes a password into a PHC string.
    ///
    /// # Errors
    /// 503 when the pool is full; 500 when hashing fails.
    pub async fn hash(&self, password: String) -> AppResult<String> {
        self.run(move |memory| hash_in(memory, &password))
            .await?
            .map_err(AppError::Internal)
    }

    /// Verifies a password against a PHC string, or against the dummy hash
    /// when there is none, so that both cost the same. Each candidate (the
    /// normalized password, and the password as typed for hashes made before
    /// passwords were normalized) is tried in turn until one matches; the
    /// answer is the index of the one that matched.
    ///
    /// # Errors
    /// 503 when the pool is full.
    pub async fn verify(
        &self,
        candidates: Vec<String>,
        phc: Option<String>,
    ) -> AppResult<Option<usize>> {
        let known = phc.is_some();
        let phc = phc.unwrap_or_else(|| self.dummy.clone());
        let matched = self
            .run(move |memory| candidates.iter().position(|c| verify_in(memory, c, &phc)))
            .await?;
        Ok(matched.filter(|_| known))
    }
}

/// A hashing thread: takes work until the pool is dropped, hashing in the
/// one block of memory it allocates.
fn work(receiver: &Mutex<Receiver<Job>>) {
    let mut memory = vec![Block::default(); Params::default().block_count()];
    loop {
        // The lock is held only while waiting, so one idle thread waits at a time.
        let next = match receiver.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        match next {
            Ok(job) => job(&mut memory),
            Err(_) => return,
        }
    }
}

/// Hashes on the current thread in memory of its own; for one-off hashes
/// (the CLI, the demo, the pool's dummy).
///
/// # Errors
/// When argon2 fails (it does not, for passwords within the policy's length).
pub fn hash_now(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash: PasswordHash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("Failed to hash password: {e}"))
}

/// Hashes into a PHC string with argon2id's default (OWASP) parameters and a
/// random salt, working in `memory`.
fn hash_in(memory: &mut [Block], password: &str) -> anyhow::Result<String> {
    let params = Params::default();
    let mut salt = [0u8; argon2::RECOMMENDED_SALT_LEN];
    getrandom::fill(&mut salt)
        .map_err(|e| anyhow::anyhow!("Failed to read system randomness: {e}"))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let failed = |e: &dyn std::fmt::Display| anyhow::anyhow!("Failed to hash password: {e}");
    Argon2::default()
        .hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, memory)
        .map_err(|e| failed(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| failed(&e))?,
        salt: Some(Salt::new(&salt).map_err(|e| failed(&e))?),
        hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches a PHC string, working in `memory` (or in memory
/// of its own for a hash made with more than it holds).
fn verify_in(memory: &mut [Block], password: &str, phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let (Ok(algorithm), Ok(params), Some(salt), Some(expected)) = (
        Algorithm::try_from(hash.algorithm.as_str()),
        Params::try_from(&hash),
        hash.salt,
        hash.hash,
    ) else {
        return false;
    };
    let version = match hash.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(version)) => version,
        Some(Err(_)) => return false,
    };
    let argon2 = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    let computed = if argon2.params().block_count() <= memory.len() {
        argon2.hash_password_into_with_memory(password.as_bytes(), salt.as_ref(), &mut out, memory)
    } else {
        argon2.hash_password_into(password.as_bytes(), salt.as_ref(), &mut out)
    };
    // `Output` compares in constant time.
    computed.is_ok() && Output::new(&out).is_ok_and(|out| out == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_made_in_reused_memory_verify_either_way() {
        let mut memory = vec![Block::default(); Params::default().block_count()];
        let pooled = hash_in(&mut memory, "Correct-Horse-42").unwrap_or_default();
        let one_off = hash_now("Correct-Horse-42").unwrap_or_default();
        assert!(
            pooled.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{pooled}"
        );
        for phc in [&pooled, &one_off] {
            assert!(verify_in(&mut memory, "Correct-Horse-42", phc), "{phc}");
            assert!(!verify_in(&mut memory, "Correct-Horse-43", phc), "{phc}");
        }
        assert!(!verify_in(&mut memory, "x", "not a hash"));
    }

    #[test]
    fn a_hash_with_other_parameters_still_verifies() {
        let small = Params::new(1024, 1, 1, None).unwrap_or_default();
        let phc = Argon2::new(Algorithm::Argon2id, Version::V0x13, small)
            .hash_password(b"Other-Params-1")
            .map(|h| h.to_string())
            .unwrap_or_default();
        let mut memory = vec![Block::default(); 8];
        assert!(
            verify_in(&mut memory, "Other-Params-1", &phc),
            "more memory than given"
        );
        let mut memory = vec![Block::default(); Params::default().block_count()];
        assert!(
            verify_in(&mut memory, "Other-Params-1", &phc),
            "less memory than given"
        );
    }
}

//! Logins, sessions and password hashing.
//!
//! Hashing is argon2id with OWASP's parameters on a bounded blocking pool: at
//! most `hash_concurrency` hashes run and `hash_queue` wait; further logins are
//! shed with 503 so a flood cannot starve other requests. Unknown usernames
//! cost the same hash as known ones.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use argon2::{Argon2, PasswordHash, PasswordHasher as _, PasswordVerifier as _};
use chrono::{DateTime, Duration, Utc};
use entities::{Role, department, session, user};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel as _, QueryFilter, QuerySelect as _,
};
use sha2::{Digest as _, Sha256};
use tokio::sync::Semaphore;

use super::{
    Actor,
    audit::{self, Entry},
};
use crate::{
    config::SecurityPolicy,
    db,
    error::{AppError, AppResult},
};

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
                "too many logins at once; try again in a moment".to_owned(),
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

/// SHA-256 of a token, hex: the only form in which tokens are stored.
#[must_use]
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new 256-bit random token, hex.
///
/// # Errors
/// When the system cannot provide randomness.
pub fn new_token() -> AppResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        AppError::Internal(anyhow::anyhow!("Failed to read system randomness: {e}"))
    })?;
    Ok(hex::encode(bytes))
}

/// A successful login.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    /// The bearer token; shown once, never stored.
    pub token: String,
    /// When the session ends at the latest.
    pub expires_at: DateTime<Utc>,
    /// The user's role.
    pub role: Role,
}

const BAD_CREDENTIALS: &str = "wrong username or password";

/// Checks a username and password and opens a session.
///
/// Every attempt is audited. The `lockout_threshold`-th failure in a row locks
/// the account for `lockout_secs`, and the lock is audited too.
///
/// # Errors
/// 401 for wrong credentials or a disabled account, 429 while locked, 503 when
/// the hash pool is full.
#[tracing::instrument(skip_all, fields(user.name = %username))]
pub async fn login(
    db: &DatabaseConnection,
    hasher: &Hasher,
    policy: &SecurityPolicy,
    username: &str,
    password: &str,
    source_addr: Option<String>,
) -> AppResult<LoginOutcome> {
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await?;
    let matches = hasher
        .verify(
            password.to_owned(),
            found.as_ref().map(|u| u.password_hash.clone()),
        )
        .await?;
    let now = Utc::now();
    let anonymous = Actor {
        user_id: None,
        username: username.chars().take(64).collect(),
        role: Role::Leader,
        department_id: None,
        region_code: None,
        source_addr: source_addr.clone(),
    };
    let txn = db::begin_write(db).await?;
    let Some(found) = found else {
        audit::append(
            &txn,
            &anonymous,
            // The name as typed, cut short: an unknown caller must not bloat the log.
            Entry::ok("auth.login", "user", &anonymous.username)
                .with_result("failed")
                .with_detail(serde_json::json!({"reason": "unknown user"})),
        )
        .await?;
        txn.commit().await?;
        return Err(AppError::Unauthorized(BAD_CREDENTIALS.to_owned()));
    };
    // Re-read inside the write transaction, locking the row (PostgreSQL; SQLite's
    // write transaction is exclusive already): concurrent failures must all count.
    let current = user::Entity::find_by_id(found.id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::Unauthorized(BAD_CREDENTIALS.to_owned()))?;
    let actor = Actor {
        user_id: Some(current.id),
        role: current.role,
        department_id: current.department_id,
        ..anonymous
    };
    if let Some(until) = current.locked_until.filter(|until| *until > now) {
        audit::append(
            &txn,
            &actor,
            Entry::ok("auth.login", "user", current.id)
                .with_result("denied")
                .with_detail(serde_json::json!({"reason": "locked", "locked_until": until})),
        )
        .await?;
        txn.commit().await?;
        return Err(AppError::TooManyRequests(format!(
            "account locked after repeated failed logins until {}",
            until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )));
    }
    if !matches {
        let failures = if current.locked_until.is_some() {
            1 // the earlier lock has expired: count afresh
        } else {
            current.failed_logins + 1
        };
        let threshold = i32::try_from(policy.lockout_threshold).unwrap_or(i32::MAX);
        let mut model = current.clone().into_active_model();
        let locks = failures >= threshold;
        if locks {
            let until =
                now + Duration::seconds(i64::try_from(policy.lockout_secs).unwrap_or(i64::MAX / 2));
            model.failed_logins = Set(0);
            model.locked_until = Set(Some(until));
        } else {
            model.failed_logins = Set(failures);
            model.locked_until = Set(None);
        }
        model.update(&txn).await?;
        audit::append(
            &txn,
            &actor,
            Entry::ok("auth.login", "user", current.id)
                .with_result("failed")
                .with_detail(serde_json::json!({"reason": "wrong password", "failures": failures})),
        )
        .await?;
        if locks {
            audit::append(
                &txn,
                &actor,
                Entry::ok("auth.lockout", "user", current.id).with_detail(serde_json::json!({
                    "failures": failures,
                    "lock_secs": policy.lockout_secs,
                })),
            )
            .await?;
        }
        txn.commit().await?;
        return Err(AppError::Unauthorized(BAD_CREDENTIALS.to_owned()));
    }
    if !current.active {
        audit::append(
            &txn,
            &actor,
            Entry::ok("auth.login", "user", current.id)
                .with_result("denied")
                .with_detail(serde_json::json!({"reason": "disabled"})),
        )
        .await?;
        txn.commit().await?;
        return Err(AppError::Unauthorized(BAD_CREDENTIALS.to_owned()));
    }
    let token = new_token()?;
    let expires_at = now
        + Duration::seconds(i64::try_from(policy.session_absolute_secs).unwrap_or(i64::MAX / 2));
    session::ActiveModel {
        user_id: Set(current.id),
        token_sha256: Set(token_digest(&token)),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(expires_at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if current.failed_logins != 0 || current.locked_until.is_some() {
        let mut model = current.clone().into_active_model();
        model.failed_logins = Set(0);
        model.locked_until = Set(None);
        model.update(&txn).await?;
    }
    audit::append(&txn, &actor, Entry::ok("auth.login", "user", current.id)).await?;
    txn.commit().await?;
    Ok(LoginOutcome {
        token,
        expires_at,
        role: current.role,
    })
}

/// Finds the live session of a bearer token and the actor behind it; ends
/// sessions that have been idle too long or outlived their absolute expiry.
///
/// # Errors
/// 401 when the token is unknown, expired, or its user disabled.
pub async fn authenticate(
    db: &DatabaseConnection,
    policy: &SecurityPolicy,
    token: &str,
    source_addr: Option<String>,
) -> AppResult<Actor> {
    let expired = || AppError::Unauthorized("session expired or unknown: log in again".to_owned());
    let digest = token_digest(token);
    let Some(found) = session::Entity::find()
        .filter(session::Column::TokenSha256.eq(digest))
        .one(db)
        .await?
    else {
        return Err(expired());
    };
    let now = Utc::now();
    let idle = Duration::seconds(i64::try_from(policy.session_idle_secs).unwrap_or(i64::MAX / 2));
    if now >= found.expires_at || now - found.last_seen_at >= idle {
        session::Entity::delete_by_id(found.id).exec(db).await?;
        return Err(expired());
    }
    let Some(owner) = user::Entity::find_by_id(found.user_id).one(db).await? else {
        return Err(expired());
    };
    if !owner.active {
        return Err(expired());
    }
    // Touch the session at most every tenth of the idle time, to spare writes.
    let touch_every = (idle / 10).min(Duration::seconds(60));
    if now - found.last_seen_at >= touch_every {
        session::Entity::update_many()
            .col_expr(
                session::Column::LastSeenAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(session::Column::Id.eq(found.id))
            .exec(db)
            .await?;
    }
    let region_code = match owner.department_id {
        Some(id) => department::Entity::find_by_id(id)
            .one(db)
            .await?
            .and_then(|d| d.region_code),
        None => None,
    };
    Ok(Actor {
        user_id: Some(owner.id),
        username: owner.username,
        role: owner.role,
        department_id: owner.department_id,
        region_code,
        source_addr,
    })
}

/// Ends the session of a token, audited.
///
/// # Errors
/// When the database fails.
pub async fn logout(db: &DatabaseConnection, actor: &Actor, token: &str) -> AppResult<()> {
    let txn = db::begin_write(db).await?;
    session::Entity::delete_many()
        .filter(session::Column::TokenSha256.eq(token_digest(token)))
        .exec(&txn)
        .await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("auth.logout", "user", actor.user_id.unwrap_or_default()),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Ends every session of a user (on disabling or a password change).
///
/// # Errors
/// When the database fails.
pub async fn revoke_sessions<C: ConnectionTrait>(db: &C, user_id: i64) -> AppResult<u64> {
    let result = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

//! Accounts: logins, sessions, users and password hashing.
//!
//! The rule of a login is here: find the user, verify the password (unknown
//! usernames cost the same hash as known ones), refuse a locked or disabled
//! account, count a failure against [`crate::domain::lockout`], open a
//! session, audit every attempt. [`sessions`] finds and ends sessions,
//! [`users`] manages the accounts, [`hasher`] runs the hashes on a bounded
//! pool, and [`store`] holds every query.

mod hasher;
pub mod sessions;
mod store;
pub mod users;

use chrono::{DateTime, Duration, Utc};
use entities::{Role, user};
use sea_orm::{DatabaseConnection, DatabaseTransaction};

pub use self::{
    hasher::{Hasher, hash_now},
    sessions::{authenticate, logout, revoke_sessions, token_digest},
};
use crate::{
    config::SecurityPolicy,
    db,
    domain::lockout::LoginFailures,
    error::{AppError, AppResult},
    service::{
        Actor,
        audit::{self, Entry},
    },
};

/// A successful login.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    /// The bearer token; shown once, never stored.
    pub token: String,
    /// When the session ends at the latest.
    pub expires_at: DateTime<Utc>,
    pub role: Role,
}

fn bad_credentials() -> AppError {
    AppError::Unauthorized("wrong username or password".to_owned().into())
}

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
    let found = store::user_by_name(db, username).await?;
    let known_hash = found.as_ref().map(|u| u.password_hash.clone());
    let matches = hasher.verify(password.to_owned(), known_hash).await?;
    let now = Utc::now();
    let anonymous = Actor {
        user_id: None,
        username: username.chars().take(64).collect(),
        role: Role::Leader,
        department_id: None,
        region_code: None,
        source_addr,
    };
    let txn = db::begin_write(db).await?;
    let Some(found) = found else {
        // The name as typed, cut short: an unknown caller must not bloat the log.
        let entry = Entry::ok("auth.login", "user", &anonymous.username)
            .with_result("failed")
            .with_detail(serde_json::json!({"reason": "unknown user"}));
        return refuse(txn, &anonymous, [entry], bad_credentials()).await;
    };
    // Re-read inside the write transaction, locking the row: concurrent
    // failures must all count.
    let current = store::lock_user(&txn, found.id)
        .await?
        .ok_or_else(bad_credentials)?;
    let actor = Actor {
        user_id: Some(current.id),
        role: current.role,
        department_id: current.department_id,
        ..anonymous
    };
    let failures = LoginFailures {
        in_a_row: current.failed_logins,
        locked_until: current.locked_until,
    };
    if let Some(until) = failures.lock_in_force(now) {
        return refuse_locked(txn, &actor, current.id, until).await;
    }
    if !matches {
        return count_failure(txn, &actor, &current, failures, policy, now).await;
    }
    if !current.active {
        let entry = Entry::ok("auth.login", "user", current.id)
            .with_result("denied")
            .with_detail(serde_json::json!({"reason": "disabled"}));
        return refuse(txn, &actor, [entry], bad_credentials()).await;
    }
    let outcome = open_session(&txn, &current, failures, policy, now).await?;
    audit::append(&txn, &actor, Entry::ok("auth.login", "user", current.id)).await?;
    txn.commit().await?;
    Ok(outcome)
}

/// Audits a refused attempt, commits, and answers `error`.
async fn refuse(
    txn: DatabaseTransaction,
    actor: &Actor,
    entries: impl IntoIterator<Item = Entry>,
    error: AppError,
) -> AppResult<LoginOutcome> {
    for entry in entries {
        audit::append(&txn, actor, entry).await?;
    }
    txn.commit().await?;
    Err(error)
}

async fn refuse_locked(
    txn: DatabaseTransaction,
    actor: &Actor,
    user_id: i64,
    until: DateTime<Utc>,
) -> AppResult<LoginOutcome> {
    let entry = Entry::ok("auth.login", "user", user_id)
        .with_result("denied")
        .with_detail(serde_json::json!({"reason": "locked", "locked_until": until}));
    let error = AppError::TooManyRequests(
        format!(
            "account locked after repeated failed logins until {}",
            until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )
        .into(),
    );
    refuse(txn, actor, [entry], error).await
}

/// Counts a wrong password, locking the account at the threshold.
async fn count_failure(
    txn: DatabaseTransaction,
    actor: &Actor,
    current: &user::Model,
    failures: LoginFailures,
    policy: &SecurityPolicy,
    now: DateTime<Utc>,
) -> AppResult<LoginOutcome> {
    let failure = failures.after_failure(policy, now);
    store::save_login_failures(&txn, current, failure.stored).await?;
    let mut entries = vec![
        Entry::ok("auth.login", "user", current.id)
            .with_result("failed")
            .with_detail(serde_json::json!({
                "reason": "wrong password", "failures": failure.in_a_row,
            })),
    ];
    if failure.locks {
        entries.push(Entry::ok("auth.lockout", "user", current.id).with_detail(
            serde_json::json!({
                "failures": failure.in_a_row,
                "lock_secs": policy.lockout_secs,
            }),
        ));
    }
    refuse(txn, actor, entries, bad_credentials()).await
}

/// Opens a session for the user and clears any failed logins.
async fn open_session(
    txn: &DatabaseTransaction,
    current: &user::Model,
    failures: LoginFailures,
    policy: &SecurityPolicy,
    now: DateTime<Utc>,
) -> AppResult<LoginOutcome> {
    let token = sessions::new_token()?;
    let expires_at = now
        + Duration::seconds(i64::try_from(policy.session_absolute_secs).unwrap_or(i64::MAX / 2));
    store::insert_session(txn, current.id, token_digest(&token), now, expires_at).await?;
    if failures.need_clearing() {
        let cleared = LoginFailures {
            in_a_row: 0,
            locked_until: None,
        };
        store::save_login_failures(txn, current, cleared).await?;
    }
    Ok(LoginOutcome {
        token,
        expires_at,
        role: current.role,
    })
}

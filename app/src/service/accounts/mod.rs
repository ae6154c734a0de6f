//! Accounts: logins, sessions, users and password hashing.
//!
//! The rule of a login is here: find the user, verify the password (unknown
//! usernames cost the same hash as known ones), refuse while a lock of
//! [`crate::domain::lockout`] is in force, count a failure under the name from
//! this address and the name from everywhere (the same for names that belong
//! to nobody), open a session, audit every attempt. [`sessions`] finds and
//! ends sessions, [`own`] is what users do with their own account, [`users`]
//! manages the accounts, [`hasher`] runs the hashes on a bounded pool, and
//! [`store`] holds every query.

mod hasher;
pub mod own;
pub mod sessions;
mod store;
pub mod users;

use chrono::{DateTime, Duration, Utc};
use entities::{Role, user};
use sea_orm::{DatabaseConnection, DatabaseTransaction};

use self::store::failures::{self, Keys};
pub use self::{
    hasher::{Hasher, hash_now},
    sessions::{Authenticated, authenticate, logout, revoke_sessions, token_digest},
};
use crate::{
    config::SecurityPolicy,
    db,
    domain::{
        china_time::ChinaTime,
        lockout::{Failure, Lock, LockScope, LoginFailures},
        password,
    },
    error::{AppError, AppResult},
    msg,
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
    /// The password is temporary: nothing but changing it is allowed.
    pub password_change_required: bool,
}

fn bad_credentials() -> AppError {
    AppError::Unauthorized(msg!("用户名或密码错误", "wrong username or password"))
}

/// The passwords to try against a stored hash: the normalized one, and the
/// one as typed when it differs (hashes made before passwords were normalized).
fn candidates(typed: &str) -> Vec<String> {
    let normalized = password::normalize(typed);
    if normalized == typed {
        vec![typed.to_owned()]
    } else {
        vec![normalized.into_owned(), typed.to_owned()]
    }
}

/// The counts a login from `source_addr` with `username` is judged by: the
/// name as typed (cut as the audit log cuts it) from that address.
fn keys(username: &str, source_addr: Option<&str>) -> Keys {
    Keys {
        username: username.chars().take(64).collect(),
        source: source_addr.unwrap_or("unknown").chars().take(64).collect(),
    }
}

/// Checks a username and password and opens a session.
///
/// Every attempt is audited, and so is every lock. Unknown usernames are
/// hashed, counted, locked and answered exactly like known ones.
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
    let tried = candidates(password);
    let known_hash = found.as_ref().map(|u| u.password_hash.clone());
    let matched = hasher.verify(tried.clone(), known_hash).await?;
    // A hash made from the password as typed is made again from its normal form.
    let rehash = match (matched, tried.first()) {
        (Some(1), Some(normalized)) => Some(hasher.hash(normalized.clone()).await?),
        _ => None,
    };
    let now = Utc::now();
    let keys = keys(username, source_addr.as_deref());
    let anonymous = Actor {
        user_id: None,
        username: keys.username.clone(),
        role: Role::Leader,
        department_id: None,
        region_code: None,
        source_addr,
    };
    let txn = db::begin_write(db).await?;
    // Read inside the write transaction, the counts locked when a failure is
    // to be counted: concurrent failures must all count.
    let counts = failures::read(&txn, &keys, matched.is_none(), now).await?;
    let current = match &found {
        Some(found) => store::lock_user(&txn, found.id).await?,
        None => None,
    };
    let actor = match &current {
        Some(current) => Actor {
            user_id: Some(current.id),
            role: current.role,
            department_id: current.department_id,
            ..anonymous
        },
        None => anonymous,
    };
    let object_id = current
        .as_ref()
        .map_or_else(|| keys.username.clone(), |u| u.id.to_string());
    if let Some(lock) = counts.lock_in_force(now) {
        return refuse_locked(txn, &actor, &object_id, lock, now).await;
    }
    let (Some(current), Some(_)) = (current, matched) else {
        let attempt = Attempt {
            actor: &actor,
            object_id: &object_id,
            keys: &keys,
            reason: if found.is_some() {
                "wrong password"
            } else {
                "unknown user"
            },
        };
        return count_failure(txn, attempt, counts, policy, now).await;
    };
    if !current.active {
        let entry = Entry::ok("auth.login", "user", current.id)
            .with_result("denied")
            .with_detail(serde_json::json!({"reason": "disabled"}));
        return refuse(txn, &actor, [entry], bad_credentials()).await;
    }
    if let Some(hash) = rehash {
        let password = store::NewPassword {
            hash,
            temporary: current.must_change_password,
        };
        store::set_password(&txn, &current, password, now).await?;
    }
    let outcome = open_session(&txn, &current, &actor, policy, now).await?;
    failures::clear_address(&txn, &keys).await?;
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

fn scope_name(scope: LockScope) -> &'static str {
    match scope {
        LockScope::Address => "address",
        LockScope::Account => "account",
    }
}

/// The 429 of a lock in force, the same for every name.
pub(crate) fn locked_error(lock: Lock, now: DateTime<Utc>) -> AppError {
    let until = ChinaTime(lock.until);
    let message = match lock.scope {
        LockScope::Address => msg!(
            "从当前地址登录该账号失败次数过多，请于 {until} 之后再试",
            "too many failed logins to this account from your address; try again after {until}"
        ),
        LockScope::Account => msg!(
            "该账号登录失败次数过多，已被锁定至 {until}，如非本人操作请联系管理员",
            "too many failed logins to this account; it is locked until {until} (tell an administrator if this was not you)"
        ),
    };
    AppError::TooManyRequests {
        message,
        retry_after_secs: lock.retry_after_secs(now),
    }
}

async fn refuse_locked(
    txn: DatabaseTransaction,
    actor: &Actor,
    object_id: &str,
    lock: Lock,
    now: DateTime<Utc>,
) -> AppResult<LoginOutcome> {
    let entry = Entry::ok("auth.login", "user", object_id)
        .with_result("denied")
        .with_detail(serde_json::json!({
            "reason": "locked", "scope": scope_name(lock.scope), "locked_until": lock.until,
        }));
    refuse(txn, actor, [entry], locked_error(lock, now)).await
}

/// A failed attempt: who, at what, and why.
pub(crate) struct Attempt<'a> {
    pub actor: &'a Actor,
    /// The user's id, or the name typed when it belongs to nobody.
    pub object_id: &'a str,
    pub keys: &'a Keys,
    /// For the audit log.
    pub reason: &'static str,
}

/// Counts a failure in both counts and the audit entries it calls for: the
/// attempt itself and any lock it sets.
pub(crate) async fn record_failure(
    txn: &DatabaseTransaction,
    attempt: &Attempt<'_>,
    counts: LoginFailures,
    policy: &SecurityPolicy,
    now: DateTime<Utc>,
) -> AppResult<Failure> {
    let failure = counts.after_failure(policy, now);
    let stored = LoginFailures {
        from_address: failure.from_address.stored,
        account: failure.account.stored,
    };
    failures::save(txn, attempt.keys, stored).await?;
    let window =
        Duration::seconds(i64::try_from(policy.failure_window_secs).unwrap_or(i64::MAX / 2_000));
    failures::sweep(txn, now - window, now).await?;
    let lock_secs = policy.lockout_secs;
    let mut entries = vec![
        Entry::ok("auth.login", "user", attempt.object_id)
            .with_result("failed")
            .with_detail(serde_json::json!({
                "reason": attempt.reason,
                "failures": failure.from_address.count,
                "account_failures": failure.account.count,
            })),
    ];
    if failure.from_address.locks {
        entries.push(
            Entry::ok("auth.lockout", "user", attempt.object_id).with_detail(serde_json::json!({
                "scope": "address", "failures": failure.from_address.count, "lock_secs": lock_secs,
            })),
        );
    }
    if failure.account.locks {
        // The whole account is locked, from every address: the administrators
        // find these under `auth.lockout.account`.
        entries.push(
            Entry::ok("auth.lockout.account", "user", attempt.object_id).with_detail(
                serde_json::json!({
                    "scope": "account", "failures": failure.account.count, "lock_secs": lock_secs,
                }),
            ),
        );
    }
    for entry in entries {
        audit::append(txn, attempt.actor, entry).await?;
    }
    Ok(failure)
}

/// Counts a failed login and answers 401.
async fn count_failure(
    txn: DatabaseTransaction,
    attempt: Attempt<'_>,
    counts: LoginFailures,
    policy: &SecurityPolicy,
    now: DateTime<Utc>,
) -> AppResult<LoginOutcome> {
    record_failure(&txn, &attempt, counts, policy, now).await?;
    txn.commit().await?;
    Err(bad_credentials())
}

/// Opens a session for the user.
async fn open_session(
    txn: &DatabaseTransaction,
    current: &user::Model,
    actor: &Actor,
    policy: &SecurityPolicy,
    now: DateTime<Utc>,
) -> AppResult<LoginOutcome> {
    let token = sessions::new_token()?;
    let expires_at = now
        + Duration::seconds(i64::try_from(policy.session_absolute_secs).unwrap_or(i64::MAX / 2));
    store::sessions::insert_session(
        txn,
        current.id,
        token_digest(&token),
        actor.source_addr.clone(),
        (now, expires_at),
    )
    .await?;
    Ok(LoginOutcome {
        token,
        expires_at,
        role: current.role,
        password_change_required: current.must_change_password,
    })
}

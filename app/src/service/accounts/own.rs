//! What every user does with their own account: change their password, see
//! their sessions and end them.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use super::{
    Attempt, candidates,
    hasher::Hasher,
    keys, locked_error, record_failure,
    store::{self, NewPassword, failures},
};
use crate::{
    config::SecurityPolicy,
    db,
    domain::password,
    error::{AppError, AppResult},
    msg,
    service::{
        Actor,
        audit::{self, Entry},
        validate::Problems,
    },
};

/// A password change asked for by its owner.
#[derive(Debug, Clone)]
pub struct PasswordChange {
    /// The password now in use (or the temporary one).
    pub current_password: String,
    /// The new password, checked against the policy.
    pub new_password: String,
}

/// The caller's own user, which a session always has.
fn own_id(actor: &Actor) -> AppResult<i64> {
    actor.user_id.ok_or_else(|| {
        AppError::Forbidden(msg!(
            "只有已登录的用户才有自己的账号",
            "only a logged-in user has an account of their own"
        ))
    })
}

/// Changes the caller's password, ending their other sessions.
///
/// A wrong current password counts as a failed login from the caller's
/// address, so a stolen session cannot be used to guess the password.
///
/// # Errors
/// 422 when the current password is wrong or the new one breaks the policy
/// or is the same; 429 while logins are locked; 503 when the hash pool is full.
#[tracing::instrument(skip_all, fields(user.id = actor.user_id))]
pub async fn change_password(
    db: &DatabaseConnection,
    hasher: &Hasher,
    policy: &SecurityPolicy,
    actor: &Actor,
    session_id: i64,
    change: PasswordChange,
) -> AppResult<()> {
    let id = own_id(actor)?;
    let existing = store::user(db, id)
        .await?
        .ok_or_else(|| AppError::NotFound(msg!("用户 {id}", "user {id}")))?;
    let mut problems = Problems::new();
    if let Err(message) = password::check(&change.new_password, policy) {
        problems.add("new_password", message);
    }
    let new_password = password::normalize(&change.new_password).into_owned();
    let tried = candidates(&change.current_password);
    problems.check(
        !tried.contains(&new_password),
        "new_password",
        msg!(
            "新密码不能与当前密码相同",
            "the new password must differ from the current one"
        ),
    );
    let matched = hasher
        .verify(tried, Some(existing.password_hash.clone()))
        .await?;
    let now = Utc::now();
    let keys = keys(&existing.username, actor.source_addr.as_deref());
    if matched.is_none() {
        let txn = db::begin_write(db).await?;
        let counts = failures::read(&txn, &keys, true, now).await?;
        if let Some(lock) = counts.lock_in_force(now) {
            txn.commit().await?;
            return Err(locked_error(lock, now));
        }
        let attempt = Attempt {
            actor,
            object_id: &id.to_string(),
            keys: &keys,
            reason: "wrong current password",
        };
        record_failure(&txn, &attempt, counts, policy, now).await?;
        txn.commit().await?;
        problems.add(
            "current_password",
            msg!("当前密码不正确", "the current password is wrong"),
        );
        return problems.finish();
    }
    problems.finish()?;
    if let Some(lock) = failures::read(db, &keys, false, now)
        .await?
        .lock_in_force(now)
    {
        return Err(locked_error(lock, now));
    }
    let hash = hasher.hash(new_password).await?;
    let txn = db::begin_write(db).await?;
    let temporary = false;
    store::set_password(&txn, &existing, NewPassword { hash, temporary }, now).await?;
    let revoked = store::sessions::delete_other_sessions(&txn, id, session_id).await?;
    failures::clear_name(&txn, &keys.username).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("user.password_change", "user", id).with_detail(serde_json::json!({
            "was_temporary": existing.must_change_password,
            "sessions_revoked": revoked,
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// One of the caller's sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnSession {
    /// The session's id, for ending it.
    pub id: i64,
    /// When it was opened (the login).
    pub created_at: DateTime<Utc>,
    /// When it was last used, to within a tenth of the idle time.
    pub last_seen_at: DateTime<Utc>,
    /// When it ends at the latest.
    pub expires_at: DateTime<Utc>,
    /// The address it was opened from.
    pub source_addr: Option<String>,
    /// Whether it is the session asking.
    pub current: bool,
}

/// The caller's live sessions, newest first.
///
/// # Errors
/// When the database fails.
pub async fn sessions(
    db: &DatabaseConnection,
    actor: &Actor,
    session_id: i64,
    policy: &SecurityPolicy,
) -> AppResult<Vec<OwnSession>> {
    let id = own_id(actor)?;
    let now = Utc::now();
    let idle = chrono::Duration::seconds(
        i64::try_from(policy.session_idle_secs).unwrap_or(i64::MAX / 2_000),
    );
    let rows = store::sessions::user_sessions(db, id).await?;
    Ok(rows
        .into_iter()
        .filter(|s| s.expires_at > now && now - s.last_seen_at < idle)
        .map(|s| OwnSession {
            id: s.id,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            expires_at: s.expires_at,
            source_addr: s.source_addr,
            current: s.id == session_id,
        })
        .collect())
}

/// Ends one of the caller's sessions (the current one too, like logging out).
///
/// # Errors
/// 404 when the caller has no session with that id.
pub async fn end_session(db: &DatabaseConnection, actor: &Actor, session_id: i64) -> AppResult<()> {
    let id = own_id(actor)?;
    let txn = db::begin_write(db).await?;
    if !store::sessions::delete_user_session(&txn, id, session_id).await? {
        return Err(AppError::NotFound(msg!(
            "会话 {session_id}",
            "session {session_id}"
        )));
    }
    audit::append(
        &txn,
        actor,
        Entry::ok("auth.session_end", "session", session_id)
            .with_detail(serde_json::json!({"user_id": id})),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

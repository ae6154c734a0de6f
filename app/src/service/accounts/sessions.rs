//! Sessions: bearer tokens, stored only as their SHA-256, that end when idle
//! too long, at their absolute expiry, or when their user is disabled.

use chrono::{Duration, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use sha2::{Digest as _, Sha256};

use super::store;
use crate::{
    config::SecurityPolicy,
    db,
    error::{AppError, AppResult},
    msg,
    service::{
        Actor,
        audit::{self, Entry},
    },
};

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

/// A caller found by their bearer token.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// Who is asking.
    pub actor: Actor,
    /// The session the token opens.
    pub session_id: i64,
    /// The user's password is temporary: until it is changed, nothing else
    /// is allowed.
    pub password_change_required: bool,
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
) -> AppResult<Authenticated> {
    let expired = || {
        AppError::Unauthorized(msg!(
            "会话已过期或不存在，请重新登录",
            "session expired or unknown: log in again"
        ))
    };
    let Some(found) = store::sessions::session_by_digest(db, token_digest(token)).await? else {
        return Err(expired());
    };
    let now = Utc::now();
    let idle = Duration::seconds(i64::try_from(policy.session_idle_secs).unwrap_or(i64::MAX / 2));
    if now >= found.expires_at || now - found.last_seen_at >= idle {
        store::sessions::delete_session(db, found.id).await?;
        return Err(expired());
    }
    let Some(owner) = store::user(db, found.user_id).await? else {
        return Err(expired());
    };
    if !owner.active {
        return Err(expired());
    }
    // Touch the session at most every tenth of the idle time, to spare writes.
    let touch_every = (idle / 10).min(Duration::seconds(60));
    if now - found.last_seen_at >= touch_every {
        store::sessions::touch_session(db, found.id, now).await?;
    }
    let region_code = match owner.department_id {
        Some(id) => store::department(db, id).await?.and_then(|d| d.region_code),
        None => None,
    };
    Ok(Authenticated {
        actor: Actor {
            user_id: Some(owner.id),
            username: owner.username,
            role: owner.role,
            department_id: owner.department_id,
            region_code,
            source_addr,
        },
        session_id: found.id,
        password_change_required: owner.must_change_password,
    })
}

/// Ends the session of a token, audited.
///
/// # Errors
/// When the database fails.
pub async fn logout(db: &DatabaseConnection, actor: &Actor, token: &str) -> AppResult<()> {
    let txn = db::begin_write(db).await?;
    store::sessions::delete_session_by_digest(&txn, token_digest(token)).await?;
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
    store::sessions::delete_user_sessions(db, user_id).await
}

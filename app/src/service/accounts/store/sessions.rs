//! Sessions: opened at login, found by their token's digest, listed and
//! ended by their owner.

use chrono::{DateTime, Utc};
use entities::session;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder, sea_query::Expr,
};

use crate::error::AppResult;

/// Opens a session for a token stored by its digest.
pub async fn insert_session<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    token_sha256: String,
    source_addr: Option<String>,
    (at, expires_at): (DateTime<Utc>, DateTime<Utc>),
) -> AppResult<()> {
    session::ActiveModel {
        user_id: Set(user_id),
        token_sha256: Set(token_sha256),
        created_at: Set(at),
        last_seen_at: Set(at),
        expires_at: Set(expires_at),
        source_addr: Set(source_addr),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The session of a token digest, if any.
pub async fn session_by_digest<C: ConnectionTrait>(
    db: &C,
    token_sha256: String,
) -> AppResult<Option<session::Model>> {
    Ok(session::Entity::find()
        .filter(session::Column::TokenSha256.eq(token_sha256))
        .one(db)
        .await?)
}

/// Records that the session was used at `at`.
pub async fn touch_session<C: ConnectionTrait>(
    db: &C,
    id: i64,
    at: DateTime<Utc>,
) -> AppResult<()> {
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(at))
        .filter(session::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends one session.
pub async fn delete_session<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<()> {
    session::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Ends the session of a token digest.
pub async fn delete_session_by_digest<C: ConnectionTrait>(
    db: &C,
    token_sha256: String,
) -> AppResult<()> {
    session::Entity::delete_many()
        .filter(session::Column::TokenSha256.eq(token_sha256))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of a user; returns how many there were.
pub async fn delete_user_sessions<C: ConnectionTrait>(db: &C, user_id: i64) -> AppResult<u64> {
    let result = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// A user's sessions, newest first.
pub async fn user_sessions<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
) -> AppResult<Vec<session::Model>> {
    Ok(session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .order_by_desc(session::Column::CreatedAt)
        .order_by_desc(session::Column::Id)
        .all(db)
        .await?)
}

/// Ends one session of a user; whether there was one.
pub async fn delete_user_session<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    id: i64,
) -> AppResult<bool> {
    let result = session::Entity::delete_many()
        .filter(session::Column::Id.eq(id))
        .filter(session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Ends every session of a user but one; returns how many there were.
pub async fn delete_other_sessions<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    keep: i64,
) -> AppResult<u64> {
    let result = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::Id.ne(keep))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

//! Every query of the accounts capability: users, their failed logins and
//! their sessions.

use chrono::{DateTime, Utc};
use entities::{Role, department, session, user};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel as _, QueryFilter, QueryOrder, QuerySelect, QueryTrait as _, sea_query::Expr,
};

use crate::{
    domain::lockout::LoginFailures,
    error::AppResult,
    service::{Actor, Page, Paged},
};

/// The user, if it exists.
pub async fn user<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id).one(db).await?)
}

/// The user with this login name, if any.
pub async fn user_by_name<C: ConnectionTrait>(
    db: &C,
    username: &str,
) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await?)
}

/// The user, its row locked until the transaction ends on PostgreSQL
/// (SQLite's write transaction is exclusive already).
pub async fn lock_user<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id)
        .lock_exclusive()
        .one(db)
        .await?)
}

/// Stores the user's failed logins and lock.
pub async fn save_login_failures<C: ConnectionTrait>(
    db: &C,
    found: &user::Model,
    failures: LoginFailures,
) -> AppResult<()> {
    let mut model = found.clone().into_active_model();
    model.failed_logins = Set(failures.in_a_row);
    model.locked_until = Set(failures.locked_until);
    model.update(db).await?;
    Ok(())
}

/// A user to store, the password already hashed.
#[derive(Debug, Clone)]
pub struct UserRow {
    /// Login name, checked.
    pub username: String,
    /// PHC string of the password.
    pub password_hash: String,
    pub role: Role,
    pub department_id: Option<i64>,
    /// When the user is created.
    pub at: DateTime<Utc>,
}

/// Creates an active user with no failed logins.
pub async fn insert_user<C: ConnectionTrait>(db: &C, row: UserRow) -> AppResult<user::Model> {
    Ok(user::ActiveModel {
        username: Set(row.username),
        password_hash: Set(row.password_hash),
        role: Set(row.role),
        department_id: Set(row.department_id),
        active: Set(true),
        failed_logins: Set(0),
        locked_until: Set(None),
        created_at: Set(row.at),
        updated_at: Set(row.at),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// What changes on a user; role and department are always written.
#[derive(Debug, Clone)]
pub struct UserUpdate {
    pub role: Role,
    pub department_id: Option<i64>,
    /// Enabled or disabled, when that changes.
    pub active: Option<bool>,
    /// A new password's PHC string; it clears failed logins and any lock.
    pub password_hash: Option<String>,
    /// When it changes.
    pub at: DateTime<Utc>,
}

/// Writes a change to a user; returns the user as stored.
pub async fn update_user<C: ConnectionTrait>(
    db: &C,
    existing: &user::Model,
    change: UserUpdate,
) -> AppResult<user::Model> {
    let mut model = existing.clone().into_active_model();
    model.role = Set(change.role);
    model.department_id = Set(change.department_id);
    if let Some(active) = change.active {
        model.active = Set(active);
    }
    if let Some(hash) = change.password_hash {
        model.password_hash = Set(hash);
        model.failed_logins = Set(0);
        model.locked_until = Set(None);
    }
    model.updated_at = Set(change.at);
    Ok(model.update(db).await?)
}

/// A page of users by id, of one role if given, and within the actor's
/// jurisdiction (by the user's department) if given.
pub async fn users<C: ConnectionTrait>(
    db: &C,
    within: Option<&Actor>,
    role: Option<Role>,
    page: Page,
) -> AppResult<Paged<user::Model>> {
    let mut query = user::Entity::find();
    if let Some(actor) = within {
        let departments_in_scope = department::Entity::find()
            .select_only()
            .column(department::Column::Id)
            .filter(actor.scope_condition(department::Column::RegionCode))
            .into_query();
        query = query.filter(user::Column::DepartmentId.in_subquery(departments_in_scope));
    }
    if let Some(role) = role {
        query = query.filter(user::Column::Role.eq(role));
    }
    page.fetch(db, query.order_by_asc(user::Column::Id)).await
}

/// The department, if it exists.
pub async fn department<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> AppResult<Option<department::Model>> {
    Ok(department::Entity::find_by_id(id).one(db).await?)
}

/// Opens a session for a token stored by its digest.
pub async fn insert_session<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    token_sha256: String,
    at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> AppResult<()> {
    session::ActiveModel {
        user_id: Set(user_id),
        token_sha256: Set(token_sha256),
        created_at: Set(at),
        last_seen_at: Set(at),
        expires_at: Set(expires_at),
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

//! User accounts (admin only).

use chrono::Utc;
use entities::{Role, user};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::{
    hasher::Hasher,
    sessions,
    store::{self, NewPassword, UserRow, UserUpdate, failures},
};
use crate::{
    config::SecurityPolicy,
    db,
    domain::password,
    error::{AppError, AppResult},
    msg,
    service::{
        Actor, Page, Paged,
        audit::{self, Entry},
        directories::departments,
        validate::Problems,
    },
};

/// Names that stand for the system in the audit log.
const RESERVED: &[&str] = &["system", "anonymous"];

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name: 3 to 64 of letters, digits, `.`, `_`, `-`.
    pub username: String,
    /// Plain password, checked against the policy and then only hashed.
    pub password: String,
    pub role: Role,
    /// Department; required for department and inspector users.
    pub department_id: Option<i64>,
}

/// Changes to a user; absent fields stay.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    /// New role.
    pub role: Option<Role>,
    /// New department (`Some(None)` makes the user national).
    pub department_id: Option<Option<i64>>,
    /// Enable or disable; disabling ends every session at once.
    pub active: Option<bool>,
    /// New password; ends every session and unlocks the account. Set by an
    /// administrator for someone else, it is temporary: its user must change
    /// it at the next login.
    pub password: Option<String>,
}

fn check_username(problems: &mut Problems, username: &str) {
    let ok_chars = username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    problems.check(
        (3..=64).contains(&username.len()) && ok_chars,
        "username",
        msg!(
            "用户名须为 3 到 64 个字母、数字、'.'、'_' 或 '-'",
            "use 3 to 64 letters, digits, '.', '_' or '-'"
        ),
    );
    problems.check(
        !RESERVED.contains(&username.to_ascii_lowercase().as_str()),
        "username",
        msg!("'{username}' 是保留名称", "'{username}' is reserved"),
    );
}

async fn check_department<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    problems: &mut Problems,
    role: Role,
    department_id: Option<i64>,
) -> AppResult<()> {
    match department_id {
        Some(id) => {
            if !crate::error::visible(departments::get(db, actor, id).await)? {
                problems.add(
                    "department_id",
                    msg!("部门 {id} 不存在", "department {id} does not exist"),
                );
            }
        }
        None => {
            problems.check(
                !matches!(role, Role::Department | Role::Inspector),
                "department_id",
                msg!(
                    "{role} 用户必须属于一个部门",
                    "a {role} user needs a department"
                ),
            );
            problems.check(
                actor.scope_prefix().is_none(),
                "department_id",
                msg!(
                    "只有全国管理员可以创建全国范围的用户",
                    "only a national administrator can create national users"
                ),
            );
        }
    }
    Ok(())
}

async fn require_free_username<C: ConnectionTrait>(db: &C, username: &str) -> AppResult<()> {
    match store::user_by_name(db, username).await? {
        Some(_) => Err(AppError::Conflict(msg!(
            "用户名 {username} 已被占用",
            "username {username} is taken"
        ))),
        None => Ok(()),
    }
}

/// Creates a user; `actor` is the admin, or [`Actor::system`] for the CLI.
///
/// # Errors
/// 403 for non-admins, 422 for a bad name, weak password or unknown
/// department, 409 when the username is taken.
#[tracing::instrument(skip_all, fields(user.name = %input.username))]
pub async fn create(
    db: &DatabaseConnection,
    hasher: &Hasher,
    policy: &SecurityPolicy,
    actor: &Actor,
    input: NewUser,
) -> AppResult<user::Model> {
    actor.require(&[Role::Admin], "manage users")?;
    let mut problems = Problems::new();
    let username = input.username.trim().to_owned();
    check_username(&mut problems, &username);
    if let Err(message) = password::check(&input.password, policy) {
        problems.add("password", message);
    }
    check_department(db, actor, &mut problems, input.role, input.department_id).await?;
    problems.finish()?;
    require_free_username(db, &username).await?;
    let password_hash = hasher
        .hash(password::normalize(&input.password).into_owned())
        .await?;
    let txn = db::begin_write(db).await?;
    // Asked again under the write lock: someone may have taken it while hashing.
    require_free_username(&txn, &username).await?;
    let row = UserRow {
        username,
        password_hash,
        role: input.role,
        department_id: input.department_id,
        at: Utc::now(),
    };
    let model = store::insert_user(&txn, row).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("user.create", "user", model.id).with_detail(serde_json::json!({
            "username": model.username, "role": model.role, "department_id": model.department_id,
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Whether a user lies in the admin's scope (by the user's department).
async fn in_scope<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    found: &user::Model,
) -> AppResult<bool> {
    Ok(match found.department_id {
        None => actor.scope_prefix().is_none(),
        Some(id) => store::department(db, id)
            .await?
            .is_some_and(|d| actor.covers_opt(d.region_code.as_deref())),
    })
}

/// One user in the admin's scope.
///
/// # Errors
/// 403 for non-admins, 404 when out of scope.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: i64) -> AppResult<user::Model> {
    actor.require(&[Role::Admin], "manage users")?;
    let not_found = || AppError::NotFound(msg!("用户 {id}", "user {id}"));
    let found = store::user(db, id).await?.ok_or_else(not_found)?;
    if in_scope(db, actor, &found).await? {
        Ok(found)
    } else {
        Err(not_found())
    }
}

/// Lists users in the admin's scope.
///
/// # Errors
/// 403 for non-admins.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    role: Option<Role>,
    page: Page,
) -> AppResult<Paged<user::Model>> {
    actor.require(&[Role::Admin], "manage users")?;
    let within = actor.scope_prefix().is_some().then_some(actor);
    store::users(db, within, role, page).await
}

/// Checks changes to a user against the policy and the admin's scope.
async fn check_changes<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    policy: &SecurityPolicy,
    existing: &user::Model,
    changes: &UserChanges,
) -> AppResult<()> {
    let mut problems = Problems::new();
    if changes.role.is_some() || changes.department_id.is_some() {
        let role = changes.role.unwrap_or(existing.role);
        let department_id = changes.department_id.unwrap_or(existing.department_id);
        check_department(db, actor, &mut problems, role, department_id).await?;
    }
    if let Some(password) = &changes.password
        && let Err(message) = password::check(password, policy)
    {
        problems.add("password", message);
    }
    // An administrator who demotes or disables themselves, or resets their own
    // password here, ends their own session and may leave no one to undo it.
    let own = actor.user_id == Some(existing.id);
    problems.check(
        !(own && changes.active == Some(false)),
        "active",
        msg!("不能停用自己的账号", "you cannot disable your own account"),
    );
    problems.check(
        !(own && changes.role.is_some_and(|role| role != existing.role)),
        "role",
        msg!("不能修改自己的角色", "you cannot change your own role"),
    );
    problems.check(
        !(own && changes.password.is_some()),
        "password",
        msg!(
            "不能在此重置自己的密码，请用 POST /api/v1/me/password 修改（需提供当前密码）",
            "you cannot reset your own password here; change it with your current password at POST /api/v1/me/password"
        ),
    );
    problems.finish()
}

/// Changes a user; disabling, a new password or a new role ends the user's
/// sessions at once. A password an administrator sets for someone else is
/// temporary.
///
/// # Errors
/// 403, 404, 422 as for create.
pub async fn update(
    db: &DatabaseConnection,
    hasher: &Hasher,
    policy: &SecurityPolicy,
    actor: &Actor,
    id: i64,
    changes: UserChanges,
) -> AppResult<user::Model> {
    let existing = get(db, actor, id).await?;
    check_changes(db, actor, policy, &existing, &changes).await?;
    let password = match changes.password {
        Some(password) => Some(NewPassword {
            hash: hasher
                .hash(password::normalize(&password).into_owned())
                .await?,
            temporary: actor.user_id != Some(id),
        }),
        None => None,
    };
    let password_changed = password.is_some();
    let change = UserUpdate {
        role: changes.role.unwrap_or(existing.role),
        department_id: changes.department_id.unwrap_or(existing.department_id),
        active: changes.active,
        password,
        at: Utc::now(),
    };
    let txn = db::begin_write(db).await?;
    let model = store::update_user(&txn, &existing, change).await?;
    let revoked = if !model.active || password_changed || model.role != existing.role {
        sessions::revoke_sessions(&txn, id).await?
    } else {
        0
    };
    if password_changed {
        failures::clear_name(&txn, &model.username).await?;
    }
    audit::append(
        &txn,
        actor,
        Entry::ok("user.update", "user", id).with_detail(serde_json::json!({
            "role": model.role,
            "department_id": model.department_id,
            "active": model.active,
            "password_changed": password_changed,
            "password_temporary": model.must_change_password,
            "sessions_revoked": revoked,
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Gives a user a new password on the system's behalf (the demo's users, when
/// `spotcheck demo --show-users` prints them again): unlocks the account, ends
/// its sessions and audits why.
///
/// # Errors
/// When hashing or the database fails.
pub async fn reset_password(
    db: &DatabaseConnection,
    hasher: &Hasher,
    existing: &user::Model,
    password: &str,
    reason: &str,
) -> AppResult<()> {
    let hash = hasher
        .hash(password::normalize(password).into_owned())
        .await?;
    let txn = db::begin_write(db).await?;
    let new = NewPassword {
        hash,
        temporary: false,
    };
    store::set_password(&txn, existing, new, Utc::now()).await?;
    let revoked = sessions::revoke_sessions(&txn, existing.id).await?;
    failures::clear_name(&txn, &existing.username).await?;
    audit::append(
        &txn,
        &Actor::system(),
        Entry::ok("user.password_reset", "user", existing.id).with_detail(serde_json::json!({
            "reason": reason, "sessions_revoked": revoked,
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The end of the account-wide lock of each user that has one now.
///
/// # Errors
/// When the database fails.
pub async fn account_locks<C: ConnectionTrait>(
    db: &C,
    users: &[user::Model],
) -> AppResult<Vec<(i64, chrono::DateTime<Utc>)>> {
    let names: Vec<String> = users.iter().map(|u| u.username.clone()).collect();
    let locks = failures::account_locks(db, &names, Utc::now()).await?;
    Ok(users
        .iter()
        .filter_map(|u| {
            locks
                .iter()
                .find(|(name, _)| *name == u.username)
                .map(|(_, until)| (u.id, *until))
        })
        .collect())
}

/// A user by login name, as the system sees it (for the CLI).
///
/// # Errors
/// When the database fails.
pub async fn by_name<C: ConnectionTrait>(db: &C, username: &str) -> AppResult<Option<user::Model>> {
    store::user_by_name(db, username).await
}

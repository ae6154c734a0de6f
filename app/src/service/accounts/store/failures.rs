//! Failed logins per login name and client address, and per name from
//! everywhere.

use chrono::{DateTime, Utc};
use entities::login_failure;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect, sea_query::OnConflict,
};

use crate::{
    domain::lockout::{Failures, LoginFailures},
    error::AppResult,
};

/// The `source` of the count of a name from every address.
pub const EVERYWHERE: &str = "*";

/// The two counts a login is judged by, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    /// The login name as typed, cut to 64 characters.
    pub username: String,
    /// The client address.
    pub source: String,
}

fn failures(row: Option<&login_failure::Model>) -> Failures {
    row.map(|r| Failures {
        count: r.failures,
        last_failed_at: Some(r.last_failed_at),
        locked_until: r.locked_until,
    })
    .unwrap_or_default()
}

/// The stored counts; with `for_update`, the rows are created if missing and
/// locked until the transaction ends, so that concurrent failures all count
/// (SQLite's write transaction is exclusive already).
pub async fn read<C: ConnectionTrait>(
    db: &C,
    keys: &Keys,
    for_update: bool,
    now: DateTime<Utc>,
) -> AppResult<LoginFailures> {
    if for_update {
        let fresh = |source: &str| login_failure::ActiveModel {
            username: Set(keys.username.clone()),
            source: Set(source.to_owned()),
            failures: Set(0),
            last_failed_at: Set(now),
            locked_until: Set(None),
            ..Default::default()
        };
        login_failure::Entity::insert_many([fresh(&keys.source), fresh(EVERYWHERE)])
            .on_conflict(
                OnConflict::columns([
                    login_failure::Column::Username,
                    login_failure::Column::Source,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    let mut query = login_failure::Entity::find()
        .filter(login_failure::Column::Username.eq(keys.username.as_str()))
        .filter(
            Condition::any()
                .add(login_failure::Column::Source.eq(keys.source.as_str()))
                .add(login_failure::Column::Source.eq(EVERYWHERE)),
        );
    if for_update {
        query = query.lock_exclusive();
    }
    let rows = query.all(db).await?;
    let of = |source: &str| rows.iter().find(|r| r.source == source);
    Ok(LoginFailures {
        from_address: failures(of(&keys.source)),
        account: failures(of(EVERYWHERE)),
    })
}

/// Stores both counts after a failure.
pub async fn save<C: ConnectionTrait>(db: &C, keys: &Keys, counts: LoginFailures) -> AppResult<()> {
    for (source, stored) in [
        (keys.source.as_str(), counts.from_address),
        (EVERYWHERE, counts.account),
    ] {
        login_failure::Entity::update_many()
            .col_expr(
                login_failure::Column::Failures,
                sea_orm::sea_query::Expr::value(stored.count),
            )
            .col_expr(
                login_failure::Column::LastFailedAt,
                sea_orm::sea_query::Expr::value(stored.last_failed_at),
            )
            .col_expr(
                login_failure::Column::LockedUntil,
                sea_orm::sea_query::Expr::value(stored.locked_until),
            )
            .filter(login_failure::Column::Username.eq(keys.username.as_str()))
            .filter(login_failure::Column::Source.eq(source))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Forgets the count of a name from one address (after a successful login).
pub async fn clear_address<C: ConnectionTrait>(db: &C, keys: &Keys) -> AppResult<()> {
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Username.eq(keys.username.as_str()))
        .filter(login_failure::Column::Source.eq(keys.source.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets every count of a name (a new password unlocks the account).
pub async fn clear_name<C: ConnectionTrait>(db: &C, username: &str) -> AppResult<()> {
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Username.eq(username))
        .exec(db)
        .await?;
    Ok(())
}

/// The end of the account-wide lock of each name that has one after `now`.
pub async fn account_locks<C: ConnectionTrait>(
    db: &C,
    usernames: &[String],
    now: DateTime<Utc>,
) -> AppResult<Vec<(String, DateTime<Utc>)>> {
    let rows = login_failure::Entity::find()
        .filter(login_failure::Column::Username.is_in(usernames.iter().map(String::as_str)))
        .filter(login_failure::Column::Source.eq(EVERYWHERE))
        .filter(login_failure::Column::LockedUntil.gt(now))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((r.username, r.locked_until?)))
        .collect())
}

/// Deletes counts that no longer matter: no lock in force and no failure
/// since `stale_before`. Names that belong to nobody would pile up otherwise.
pub async fn sweep<C: ConnectionTrait>(
    db: &C,
    stale_before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::LastFailedAt.lt(stale_before))
        .filter(
            Condition::any()
                .add(login_failure::Column::LockedUntil.is_null())
                .add(login_failure::Column::LockedUntil.lte(now)),
        )
        .exec(db)
        .await?;
    Ok(())
}

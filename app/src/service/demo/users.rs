//! Printing the demo users again: their passwords are stored only as hashes,
//! so they cannot be shown twice; `spotcheck demo --show-users` gives each demo
//! account a new random password instead, audited, and prints that.

use sea_orm::DatabaseConnection;

use super::DemoUser;
use crate::{
    demo,
    service::accounts::{Hasher, users},
};

/// Gives every demo user that still exists with its demo role a new random
/// password, ending its sessions, and returns the users with their passwords.
/// An account of the same name that an administrator gave another role is
/// left alone.
///
/// # Errors
/// When randomness, hashing or the database fails.
pub async fn show_users(db: &DatabaseConnection, hasher: &Hasher) -> anyhow::Result<Vec<DemoUser>> {
    let mut shown = Vec::new();
    for spec in demo::users::USERS {
        let Some(existing) = users::by_name(db, spec.username)
            .await
            .map_err(|e| anyhow::anyhow!(e))?
        else {
            continue;
        };
        if existing.role != spec.role {
            continue;
        }
        let password = demo::users::new_password()?;
        users::reset_password(db, hasher, &existing, &password, "demo --show-users")
            .await
            .map_err(|e| anyhow::anyhow!(e))?;
        shown.push(DemoUser {
            username: existing.username,
            role: existing.role,
            password,
        });
    }
    Ok(shown)
}

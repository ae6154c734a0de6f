//! On PostgreSQL, the six foreign keys of `check_task` and `task_inspector`
//! come back in place of the triggers and guards that checked them a statement
//! at a time: the database keeps its own integrity with the catalog's own
//! constraints, the same on both engines, at every isolation level.
//!
//! This undoes `m20261130_000001_check_draw_keys_per_statement` and
//! `m20261207_000002_key_checks_read_keys_once`, whose `down` and `up` it runs:
//! adding each key back checks the rows already there in one pass, and a row
//! that refers to nothing stops the migration with nothing changed. SQLite kept
//! its keys throughout; there this migration does nothing.

use sea_orm_migration::prelude::*;

use crate::{
    m20261130_000001_check_draw_keys_per_statement as per_statement,
    m20261207_000002_key_checks_read_keys_once as read_once,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// Drops the triggers, guards and functions and adds the keys back.
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        per_statement::Migration.down(manager).await
    }

    /// The triggers and guards as the two migrations left them.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        per_statement::Migration.up(manager).await?;
        read_once::Migration.up(manager).await
    }
}

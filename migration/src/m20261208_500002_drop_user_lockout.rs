//! Drops `user.failed_logins` and `user.locked_until`: failed logins are
//! counted in `login_failure` now, per client address and per name, for
//! unknown names as for real ones. A lock in force when the upgrade runs
//! (15 minutes at most) is not carried over.

use sea_orm_migration::{prelude::*, schema::*};

/// Drops the two columns; `down` brings them back empty.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        for column in [User::FailedLogins, User::LockedUntil] {
            manager
                .alter_table(
                    Table::alter()
                        .table(User::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(User::Table)
                    .add_column(integer(User::FailedLogins).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(User::Table)
                    .add_column(timestamp_with_time_zone_null(User::LockedUntil))
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum User {
    Table,
    FailedLogins,
    LockedUntil,
}

//! Creates `login_failure`: failed logins counted per login name and client
//! address, and per login name from everywhere (`source` = `*`).
//!
//! Names that belong to no user are counted here too, so that a lock says
//! nothing about which names exist; hence no foreign key to `user`.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the table, its natural key and the index that old rows are swept by.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LoginFailure::Table)
                    .col(big_pk_auto(LoginFailure::Id))
                    .col(string_len(LoginFailure::Username, 64))
                    .col(string_len(LoginFailure::Source, 64))
                    .col(integer(LoginFailure::Failures))
                    .col(timestamp_with_time_zone(LoginFailure::LastFailedAt))
                    .col(timestamp_with_time_zone_null(LoginFailure::LockedUntil))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_login_failure_username_source")
                    .table(LoginFailure::Table)
                    .col(LoginFailure::Username)
                    .col(LoginFailure::Source)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_login_failure_last_failed_at")
                    .table(LoginFailure::Table)
                    .col(LoginFailure::LastFailedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LoginFailure::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum LoginFailure {
    Table,
    Id,
    Username,
    Source,
    Failures,
    LastFailedAt,
    LockedUntil,
}

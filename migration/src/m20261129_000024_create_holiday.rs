//! Creates `holiday`: weekdays off and weekend days worked (调休), for working-day arithmetic.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `holiday` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Holiday::Table)
                    .col(date(Holiday::Date).primary_key())
                    .col(string(Holiday::Name))
                    .col(string_len(Holiday::Kind, 32))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Holiday::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Holiday {
    Table,
    Date,
    Name,
    Kind,
}

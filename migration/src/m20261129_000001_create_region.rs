//! Creates `region`: the GB/T 2260 administrative divisions that scope everything else.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `region` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Region::Table)
                    // Six digits: `110000` province, `110100` city, `110101` county.
                    .col(string_len(Region::Code, 6).primary_key())
                    .col(string(Region::Name))
                    .col(string_len(Region::Level, 32))
                    .col(string_len_null(Region::ParentCode, 6))
                    .col(timestamp_with_time_zone(Region::CreatedAt))
                    .col(timestamp_with_time_zone(Region::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_region_parent_code")
                            .from(Region::Table, Region::ParentCode)
                            .to(Region::Table, Region::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_region_parent_code")
                    .table(Region::Table)
                    .col(Region::ParentCode)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Region::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Region {
    Table,
    Code,
    Name,
    Level,
    ParentCode,
    CreatedAt,
    UpdatedAt,
}

//! Creates `indicator_set`: versioned indicator systems (抽查事项清单).

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `indicator_set` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IndicatorSet::Table)
                    .col(big_pk_auto(IndicatorSet::Id))
                    .col(string(IndicatorSet::Code))
                    .col(integer(IndicatorSet::Version))
                    .col(string(IndicatorSet::Name))
                    .col(string_len(IndicatorSet::Status, 32))
                    .col(big_integer_null(IndicatorSet::SupersededBy))
                    .col(timestamp_with_time_zone(IndicatorSet::CreatedAt))
                    .col(timestamp_with_time_zone(IndicatorSet::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_indicator_set_superseded_by")
                            .from(IndicatorSet::Table, IndicatorSet::SupersededBy)
                            .to(IndicatorSet::Table, IndicatorSet::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_indicator_set_code_version")
                    .table(IndicatorSet::Table)
                    .col(IndicatorSet::Code)
                    .col(IndicatorSet::Version)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IndicatorSet::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum IndicatorSet {
    Table,
    Id,
    Code,
    Version,
    Name,
    Status,
    SupersededBy,
    CreatedAt,
    UpdatedAt,
}

//! Creates `indicator`: the items of an indicator set.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `indicator` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Indicator::Table)
                    .col(big_pk_auto(Indicator::Id))
                    .col(big_integer(Indicator::SetId))
                    .col(string(Indicator::Code))
                    .col(string(Indicator::Name))
                    .col(text(Indicator::LegalBasis))
                    .col(string_len(Indicator::Category, 32))
                    .col(double(Indicator::MaxPoints))
                    .col(double(Indicator::Weight))
                    .col(string_len(Indicator::AppliesTo, 32))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_indicator_set_id")
                            .from(Indicator::Table, Indicator::SetId)
                            .to(IndicatorSet::Table, IndicatorSet::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // Also serves listing a set's indicators (its leading column).
        manager
            .create_index(
                Index::create()
                    .name("uq_indicator_set_id_code")
                    .table(Indicator::Table)
                    .col(Indicator::SetId)
                    .col(Indicator::Code)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Indicator::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Indicator {
    Table,
    Id,
    SetId,
    Code,
    Name,
    LegalBasis,
    Category,
    MaxPoints,
    Weight,
    AppliesTo,
}

#[derive(DeriveIden)]
enum IndicatorSet {
    Table,
    Id,
}

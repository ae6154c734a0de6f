//! Creates `risk_item`: the lines of enterprises' risk lists (风险清单).

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `risk_item` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RiskItem::Table)
                    .col(big_pk_auto(RiskItem::Id))
                    .col(big_integer(RiskItem::EnterpriseId))
                    .col(string(RiskItem::Code))
                    .col(string(RiskItem::Name))
                    .col(string_len(RiskItem::Level, 32))
                    .col(text(RiskItem::Measures))
                    .col(date_null(RiskItem::IdentifiedOn))
                    .col(timestamp_with_time_zone(RiskItem::CreatedAt))
                    .col(timestamp_with_time_zone(RiskItem::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_risk_item_enterprise_id")
                            .from(RiskItem::Table, RiskItem::EnterpriseId)
                            .to(Enterprise::Table, Enterprise::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // Also serves lookups by enterprise (its leading column).
        manager
            .create_index(
                Index::create()
                    .name("uq_risk_item_enterprise_id_code")
                    .table(RiskItem::Table)
                    .col(RiskItem::EnterpriseId)
                    .col(RiskItem::Code)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RiskItem::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum RiskItem {
    Table,
    Id,
    EnterpriseId,
    Code,
    Name,
    Level,
    Measures,
    IdentifiedOn,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Enterprise {
    Table,
    Id,
}

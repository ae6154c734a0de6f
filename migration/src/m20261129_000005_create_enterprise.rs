//! Creates `enterprise`: the enterprises under supervision.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `enterprise` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Enterprise::Table)
                    .col(big_pk_auto(Enterprise::Id))
                    .col(string_uniq(Enterprise::CreditCode))
                    .col(string(Enterprise::Name))
                    .col(string_len(Enterprise::Industry, 32))
                    .col(string_len(Enterprise::RegionCode, 6))
                    .col(string_len(Enterprise::RiskLevel, 32))
                    .col(string_len(Enterprise::CreditClass, 32))
                    .col(boolean(Enterprise::KeySupervision))
                    .col(string_len(Enterprise::Status, 32))
                    .col(timestamp_with_time_zone(Enterprise::CreatedAt))
                    .col(timestamp_with_time_zone(Enterprise::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_enterprise_region_code")
                            .from(Enterprise::Table, Enterprise::RegionCode)
                            .to(Region::Table, Region::Code),
                    )
                    .to_owned(),
            )
            .await?;
        // The draw stratifies the population by region, industry and risk level.
        for (name, column) in [
            ("idx_enterprise_region_code", Enterprise::RegionCode),
            ("idx_enterprise_industry", Enterprise::Industry),
            ("idx_enterprise_risk_level", Enterprise::RiskLevel),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Enterprise::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Enterprise::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Enterprise {
    Table,
    Id,
    CreditCode,
    Name,
    Industry,
    RegionCode,
    RiskLevel,
    CreditClass,
    KeySupervision,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Region {
    Table,
    Code,
}

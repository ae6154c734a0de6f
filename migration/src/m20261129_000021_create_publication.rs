//! Creates `publication`: the public results of checks (一公开), public fields only.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `publication` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Publication::Table)
                    .col(big_pk_auto(Publication::Id))
                    // A task is published once.
                    .col(big_integer_uniq(Publication::TaskId))
                    .col(string_len(Publication::RegionCode, 6))
                    .col(string(Publication::TargetName))
                    .col(string_null(Publication::CreditCode))
                    .col(date(Publication::CheckDate))
                    .col(json_binary(Publication::InspectorBadges))
                    .col(text(Publication::Result))
                    .col(double_null(Publication::Score))
                    .col(json_binary(Publication::Hazards))
                    .col(timestamp_with_time_zone(Publication::PublishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_publication_task_id")
                            .from(Publication::Table, Publication::TaskId)
                            .to(CheckTask::Table, CheckTask::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // The public listing filters by region.
        manager
            .create_index(
                Index::create()
                    .name("idx_publication_region_code")
                    .table(Publication::Table)
                    .col(Publication::RegionCode)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Publication::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Publication {
    Table,
    Id,
    TaskId,
    RegionCode,
    TargetName,
    CreditCode,
    CheckDate,
    InspectorBadges,
    Result,
    Score,
    Hazards,
    PublishedAt,
}

#[derive(DeriveIden)]
enum CheckTask {
    Table,
    Id,
}

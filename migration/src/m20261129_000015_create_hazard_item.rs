//! Creates `hazard_item`: the lines of enterprises' hidden-hazard lists (隐患排查治理清单).

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `hazard_item` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(HazardItem::Table)
                    .col(big_pk_auto(HazardItem::Id))
                    .col(big_integer(HazardItem::EnterpriseId))
                    .col(string(HazardItem::Code))
                    .col(text(HazardItem::Description))
                    .col(string_len(HazardItem::Grade, 32))
                    .col(date(HazardItem::FoundOn))
                    .col(date(HazardItem::RectifyBy))
                    .col(date_null(HazardItem::RectifiedOn))
                    .col(big_integer_null(HazardItem::TaskId))
                    .col(timestamp_with_time_zone(HazardItem::CreatedAt))
                    .col(timestamp_with_time_zone(HazardItem::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_hazard_item_enterprise_id")
                            .from(HazardItem::Table, HazardItem::EnterpriseId)
                            .to(Enterprise::Table, Enterprise::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_hazard_item_task_id")
                            .from(HazardItem::Table, HazardItem::TaskId)
                            .to(CheckTask::Table, CheckTask::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // Also serves lookups by enterprise (its leading column).
        manager
            .create_index(
                Index::create()
                    .name("uq_hazard_item_enterprise_id_code")
                    .table(HazardItem::Table)
                    .col(HazardItem::EnterpriseId)
                    .col(HazardItem::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Overdue-rectification sweeps scan by deadline.
        manager
            .create_index(
                Index::create()
                    .name("idx_hazard_item_rectify_by")
                    .table(HazardItem::Table)
                    .col(HazardItem::RectifyBy)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(HazardItem::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum HazardItem {
    Table,
    Id,
    EnterpriseId,
    Code,
    Description,
    Grade,
    FoundOn,
    RectifyBy,
    RectifiedOn,
    TaskId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Enterprise {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CheckTask {
    Table,
    Id,
}

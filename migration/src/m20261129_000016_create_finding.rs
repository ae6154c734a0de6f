//! Creates `finding`: what inspectors record on a task, one indicator at a time.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `finding` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Finding::Table)
                    .col(big_pk_auto(Finding::Id))
                    .col(big_integer(Finding::TaskId))
                    .col(big_integer(Finding::IndicatorId))
                    .col(double(Finding::Points))
                    .col(boolean(Finding::Compliant))
                    .col(text(Finding::Description))
                    .col(string_len_null(Finding::HazardGrade, 32))
                    .col(date_null(Finding::RectifyBy))
                    .col(big_integer_null(Finding::CreatedBy))
                    .col(timestamp_with_time_zone(Finding::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_finding_task_id")
                            .from(Finding::Table, Finding::TaskId)
                            .to(CheckTask::Table, CheckTask::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_finding_indicator_id")
                            .from(Finding::Table, Finding::IndicatorId)
                            .to(Indicator::Table, Indicator::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_finding_created_by")
                            .from(Finding::Table, Finding::CreatedBy)
                            .to(User::Table, User::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_finding_task_id")
                    .table(Finding::Table)
                    .col(Finding::TaskId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Finding::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Finding {
    Table,
    Id,
    TaskId,
    IndicatorId,
    Points,
    Compliant,
    Description,
    HazardGrade,
    RectifyBy,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CheckTask {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Indicator {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum User {
    Table,
    Id,
}

//! Creates `check_task`: one check of one drawn target.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `check_task` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CheckTask::Table)
                    .col(big_pk_auto(CheckTask::Id))
                    .col(big_integer(CheckTask::DrawId))
                    .col(string_len(CheckTask::TargetKind, 32))
                    .col(big_integer_null(CheckTask::EnterpriseId))
                    .col(big_integer_null(CheckTask::DepartmentId))
                    .col(string_len(CheckTask::RegionCode, 6))
                    .col(timestamp_with_time_zone(CheckTask::DueAt))
                    .col(string_len(CheckTask::Status, 32))
                    .col(double_null(CheckTask::Score))
                    .col(boolean(CheckTask::Overdue))
                    .col(timestamp_with_time_zone_null(CheckTask::StartedAt))
                    .col(timestamp_with_time_zone_null(CheckTask::SubmittedAt))
                    .col(timestamp_with_time_zone_null(CheckTask::ReviewedAt))
                    .col(timestamp_with_time_zone_null(CheckTask::PublishedAt))
                    .col(timestamp_with_time_zone(CheckTask::CreatedAt))
                    .col(timestamp_with_time_zone(CheckTask::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_check_task_draw_id")
                            .from(CheckTask::Table, CheckTask::DrawId)
                            .to(Draw::Table, Draw::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_check_task_enterprise_id")
                            .from(CheckTask::Table, CheckTask::EnterpriseId)
                            .to(Enterprise::Table, Enterprise::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_check_task_department_id")
                            .from(CheckTask::Table, CheckTask::DepartmentId)
                            .to(Department::Table, Department::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_check_task_region_code")
                            .from(CheckTask::Table, CheckTask::RegionCode)
                            .to(Region::Table, Region::Code),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_check_task_draw_id", CheckTask::DrawId),
            ("idx_check_task_region_code", CheckTask::RegionCode),
            ("idx_check_task_status", CheckTask::Status),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(CheckTask::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CheckTask::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CheckTask {
    Table,
    Id,
    DrawId,
    TargetKind,
    EnterpriseId,
    DepartmentId,
    RegionCode,
    DueAt,
    Status,
    Score,
    Overdue,
    StartedAt,
    SubmittedAt,
    ReviewedAt,
    PublishedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Draw {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Enterprise {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Department {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Region {
    Table,
    Code,
}

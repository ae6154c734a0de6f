//! Creates `task_return`: each time a reviewer sends a task back, and why, so
//! that the inspectors can read what to put right.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `task_return` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TaskReturn::Table)
                    .col(big_pk_auto(TaskReturn::Id))
                    .col(big_integer(TaskReturn::TaskId))
                    .col(text(TaskReturn::Reason))
                    .col(big_integer_null(TaskReturn::ReturnedBy))
                    .col(timestamp_with_time_zone(TaskReturn::ReturnedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_task_return_task_id")
                            .from(TaskReturn::Table, TaskReturn::TaskId)
                            .to(CheckTask::Table, CheckTask::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_task_return_returned_by")
                            .from(TaskReturn::Table, TaskReturn::ReturnedBy)
                            .to(User::Table, User::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_task_return_task_id")
                    .table(TaskReturn::Table)
                    .col(TaskReturn::TaskId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TaskReturn::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum TaskReturn {
    Table,
    Id,
    TaskId,
    Reason,
    ReturnedBy,
    ReturnedAt,
}

#[derive(DeriveIden)]
enum CheckTask {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum User {
    Table,
    Id,
}

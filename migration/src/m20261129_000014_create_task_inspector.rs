//! Creates `task_inspector`: the inspectors assigned to each task.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `task_inspector` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TaskInspector::Table)
                    .col(big_pk_auto(TaskInspector::Id))
                    .col(big_integer(TaskInspector::TaskId))
                    .col(big_integer(TaskInspector::InspectorId))
                    .col(string_len(TaskInspector::Role, 32))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_task_inspector_task_id")
                            .from(TaskInspector::Table, TaskInspector::TaskId)
                            .to(CheckTask::Table, CheckTask::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_task_inspector_inspector_id")
                            .from(TaskInspector::Table, TaskInspector::InspectorId)
                            .to(Inspector::Table, Inspector::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // Also serves lookups by task (its leading column).
        manager
            .create_index(
                Index::create()
                    .name("uq_task_inspector_task_id_inspector_id")
                    .table(TaskInspector::Table)
                    .col(TaskInspector::TaskId)
                    .col(TaskInspector::InspectorId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_task_inspector_inspector_id")
                    .table(TaskInspector::Table)
                    .col(TaskInspector::InspectorId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TaskInspector::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum TaskInspector {
    Table,
    Id,
    TaskId,
    InspectorId,
    Role,
}

#[derive(DeriveIden)]
enum CheckTask {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Inspector {
    Table,
    Id,
}

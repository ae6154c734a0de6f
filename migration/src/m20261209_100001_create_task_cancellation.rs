//! Creates `task_cancellation`: a supervisor taking one target out of its draw
//! (注销/停产, 查无下落, 发现回避情形 or another stated reason), who did it and
//! when, and the task drawn to replace it (补抽). The cancelled task stays, with
//! status `cancelled`; nothing is deleted.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `task_cancellation` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TaskCancellation::Table)
                    .col(big_pk_auto(TaskCancellation::Id))
                    .col(big_integer(TaskCancellation::TaskId).unique_key())
                    .col(big_integer(TaskCancellation::DrawId))
                    .col(string_len(TaskCancellation::Reason, 32))
                    .col(text_null(TaskCancellation::Note))
                    .col(boolean(TaskCancellation::Replace))
                    .col(big_integer_null(TaskCancellation::ReplacedBy).unique_key())
                    .col(big_integer_null(TaskCancellation::CancelledBy))
                    .col(timestamp_with_time_zone(TaskCancellation::CancelledAt))
                    .check(Check::named(
                        "ck_task_cancellation_reason",
                        Expr::cust(
                            "reason IN ('closed', 'not_found', 'conflict_found', 'other') \
                             AND (reason <> 'other' OR note IS NOT NULL)",
                        ),
                    ))
                    // Only an asked-for replacement is drawn.
                    .check(Check::named(
                        "ck_task_cancellation_replaced_by",
                        Expr::cust("replace OR replaced_by IS NULL"),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_task_cancellation_task_id")
                            .from(TaskCancellation::Table, TaskCancellation::TaskId)
                            .to(CheckTask::Table, CheckTask::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_task_cancellation_draw_id")
                            .from(TaskCancellation::Table, TaskCancellation::DrawId)
                            .to(Draw::Table, Draw::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_task_cancellation_replaced_by")
                            .from(TaskCancellation::Table, TaskCancellation::ReplacedBy)
                            .to(CheckTask::Table, CheckTask::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_task_cancellation_cancelled_by")
                            .from(TaskCancellation::Table, TaskCancellation::CancelledBy)
                            .to(User::Table, User::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // A draw's cancellations are replayed in order.
        manager
            .create_index(
                Index::create()
                    .name("idx_task_cancellation_draw_id")
                    .table(TaskCancellation::Table)
                    .col(TaskCancellation::DrawId)
                    .col(TaskCancellation::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TaskCancellation::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum TaskCancellation {
    Table,
    Id,
    TaskId,
    DrawId,
    Reason,
    Note,
    Replace,
    ReplacedBy,
    CancelledBy,
    CancelledAt,
}

#[derive(DeriveIden)]
enum CheckTask {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Draw {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum User {
    Table,
    Id,
}

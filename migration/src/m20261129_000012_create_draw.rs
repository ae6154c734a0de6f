//! Creates `draw`: each run of the double-random draw (双随机), with what it needs to be replayed.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `draw` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Draw::Table)
                    .col(big_pk_auto(Draw::Id))
                    .col(big_integer(Draw::PlanId))
                    // The u64 seed by its bit pattern.
                    .col(big_integer(Draw::Seed))
                    .col(string_null(Draw::SeedText))
                    .col(string(Draw::Algorithm))
                    .col(json_binary(Draw::Params))
                    .col(integer(Draw::PopulationSize))
                    .col(string(Draw::PopulationSha256))
                    .col(blob(Draw::PopulationSnapshot))
                    .col(json_binary(Draw::Unassigned))
                    .col(string_len(Draw::Trigger, 32))
                    .col(big_integer_null(Draw::ActorUserId))
                    .col(timestamp_with_time_zone(Draw::CreatedAt))
                    .col(big_integer_null(Draw::SupersededBy))
                    .col(text_null(Draw::SupersedeReason))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_draw_plan_id")
                            .from(Draw::Table, Draw::PlanId)
                            .to(CheckPlan::Table, CheckPlan::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_draw_superseded_by")
                            .from(Draw::Table, Draw::SupersededBy)
                            .to(Draw::Table, Draw::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_draw_actor_user_id")
                            .from(Draw::Table, Draw::ActorUserId)
                            .to(User::Table, User::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_draw_plan_id")
                    .table(Draw::Table)
                    .col(Draw::PlanId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Draw::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Draw {
    Table,
    Id,
    PlanId,
    Seed,
    SeedText,
    Algorithm,
    Params,
    PopulationSize,
    PopulationSha256,
    PopulationSnapshot,
    Unassigned,
    Trigger,
    ActorUserId,
    CreatedAt,
    SupersededBy,
    SupersedeReason,
}

#[derive(DeriveIden)]
enum CheckPlan {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum User {
    Table,
    Id,
}

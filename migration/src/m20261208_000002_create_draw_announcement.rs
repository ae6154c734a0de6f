//! Creates `draw_announcement`: a plan's next draw announced beforehand
//! (commit before reveal). The population snapshot and parameters are frozen
//! and their hash published, with the rule for the public text that will seed
//! the draw, before anyone can know that text.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `draw_announcement` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DrawAnnouncement::Table)
                    .col(big_pk_auto(DrawAnnouncement::Id))
                    .col(big_integer(DrawAnnouncement::PlanId))
                    .col(text(DrawAnnouncement::SeedRule))
                    .col(json_binary(DrawAnnouncement::Params))
                    .col(integer(DrawAnnouncement::PopulationSize))
                    .col(string(DrawAnnouncement::PopulationSha256))
                    .col(blob(DrawAnnouncement::PopulationSnapshot))
                    .col(big_integer_null(DrawAnnouncement::ActorUserId))
                    .col(timestamp_with_time_zone(DrawAnnouncement::AnnouncedAt))
                    .col(timestamp_with_time_zone_null(DrawAnnouncement::WithdrawnAt))
                    .col(text_null(DrawAnnouncement::WithdrawReason))
                    // A withdrawal always says why.
                    .check(Check::named(
                        "ck_draw_announcement_withdrawal",
                        Expr::cust("(withdrawn_at IS NULL) = (withdraw_reason IS NULL)"),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_draw_announcement_plan_id")
                            .from(DrawAnnouncement::Table, DrawAnnouncement::PlanId)
                            .to(CheckPlan::Table, CheckPlan::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_draw_announcement_actor_user_id")
                            .from(DrawAnnouncement::Table, DrawAnnouncement::ActorUserId)
                            .to(User::Table, User::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_draw_announcement_plan_id")
                    .table(DrawAnnouncement::Table)
                    .col(DrawAnnouncement::PlanId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DrawAnnouncement::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum DrawAnnouncement {
    Table,
    Id,
    PlanId,
    SeedRule,
    Params,
    PopulationSize,
    PopulationSha256,
    PopulationSnapshot,
    ActorUserId,
    AnnouncedAt,
    WithdrawnAt,
    WithdrawReason,
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

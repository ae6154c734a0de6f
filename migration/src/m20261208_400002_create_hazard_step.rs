//! Creates `hazard_step`: the history of a hazard's rectification (整改记录),
//! each report, verification (销号) and sending back with its note and author.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `hazard_step` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(HazardStep::Table)
                    .col(big_pk_auto(HazardStep::Id))
                    .col(big_integer(HazardStep::HazardId))
                    .col(string_len(HazardStep::Step, 32))
                    .col(text_null(HazardStep::Note))
                    .col(date_null(HazardStep::RectifiedOn))
                    .col(big_integer_null(HazardStep::UserId))
                    .col(timestamp_with_time_zone(HazardStep::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_hazard_step_hazard_id")
                            .from(HazardStep::Table, HazardStep::HazardId)
                            .to(HazardItem::Table, HazardItem::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_hazard_step_user_id")
                            .from(HazardStep::Table, HazardStep::UserId)
                            .to(User::Table, User::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // A hazard's history is read in order.
        manager
            .create_index(
                Index::create()
                    .name("idx_hazard_step_hazard_id")
                    .table(HazardStep::Table)
                    .col(HazardStep::HazardId)
                    .col(HazardStep::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(HazardStep::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum HazardStep {
    Table,
    Id,
    HazardId,
    Step,
    Note,
    RectifiedOn,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum HazardItem {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum User {
    Table,
    Id,
}

//! Adds `hazard_item.status` and `hazard_item.verified_at`: a hazard is
//! rectified (整改) and then verified (销号), or sent back.
//!
//! Hazards already listed with a rectification date become `rectified`, waiting
//! for verification; the rest are `open`.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds and fills the two columns, with an index for the open hazards by deadline.
#[derive(DeriveMigrationName)]
pub struct Migration;

const BACKFILL: &str = "UPDATE hazard_item SET status = 'rectified' WHERE rectified_on IS NOT NULL";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(HazardItem::Table)
                    .add_column(string_len(HazardItem::Status, 32).default("open"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(HazardItem::Table)
                    .add_column(timestamp_with_time_zone_null(HazardItem::VerifiedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(BACKFILL)
            .await?;
        // Lists of open and overdue hazards, and the overdue sweep, read by
        // status and deadline.
        manager
            .create_index(
                Index::create()
                    .name("idx_hazard_item_status_rectify_by")
                    .table(HazardItem::Table)
                    .col(HazardItem::Status)
                    .col(HazardItem::RectifyBy)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_hazard_item_status_rectify_by")
                    .table(HazardItem::Table)
                    .to_owned(),
            )
            .await?;
        for column in [HazardItem::VerifiedAt, HazardItem::Status] {
            manager
                .alter_table(
                    Table::alter()
                        .table(HazardItem::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum HazardItem {
    Table,
    Status,
    RectifyBy,
    VerifiedAt,
}

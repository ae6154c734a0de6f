//! Adds `hazard_item.withdrawn_at`: a hazard raised by a finding leaves the
//! list when its finding is withdrawn, and stays in the table, marked.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds the column.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(HazardItem::Table)
                    .add_column(timestamp_with_time_zone_null(HazardItem::WithdrawnAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(HazardItem::Table)
                    .drop_column(HazardItem::WithdrawnAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum HazardItem {
    Table,
    WithdrawnAt,
}

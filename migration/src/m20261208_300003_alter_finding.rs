//! Adds `finding.updated_at` and `finding.withdrawn_at`: the inspectors may
//! correct or withdraw a finding while the task is in progress. A withdrawn
//! finding stays, marked, so the record of what was found is never lost.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds the two columns.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        for column in [Finding::UpdatedAt, Finding::WithdrawnAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Finding::Table)
                        .add_column(timestamp_with_time_zone_null(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Finding::WithdrawnAt, Finding::UpdatedAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Finding::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Finding {
    Table,
    UpdatedAt,
    WithdrawnAt,
}

//! Adds `incident_report.backfilled`, `backfill_reason` and `backfill_evidence`.
//!
//! A report's `reported_at` is the server's time of receipt. A report first
//! filed on paper or by phone is entered afterwards (补录) by an admin or a
//! national supervisor, with the time it claims, why it is entered late and
//! where the original can be found. Reports already stored were filed through
//! the ordinary path: none is backfilled.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds the three columns.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        for column in [
            boolean(IncidentReport::Backfilled)
                .default(false)
                .to_owned(),
            text_null(IncidentReport::BackfillReason),
            text_null(IncidentReport::BackfillEvidence),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(IncidentReport::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            IncidentReport::BackfillEvidence,
            IncidentReport::BackfillReason,
            IncidentReport::Backfilled,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(IncidentReport::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum IncidentReport {
    Table,
    Backfilled,
    BackfillReason,
    BackfillEvidence,
}

//! Adds `finding.superseded`: a finding recorded again for the same task and
//! indicator replaces the earlier one, and only the latest counts.
//!
//! Keeping the flag on write lets a score recomputation read the findings in
//! one pass instead of grouping them by task and indicator to find the latest.
//! Existing findings are flagged from their history.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds and fills `finding.superseded`.
#[derive(DeriveMigrationName)]
pub struct Migration;

const BACKFILL: &str = "UPDATE finding SET superseded = TRUE WHERE EXISTS \
     (SELECT 1 FROM finding AS later WHERE later.task_id = finding.task_id \
      AND later.indicator_id = finding.indicator_id AND later.id > finding.id)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Finding::Table)
                    .add_column(boolean(Finding::Superseded).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(BACKFILL)
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Finding::Table)
                    .drop_column(Finding::Superseded)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Finding {
    Table,
    Superseded,
}

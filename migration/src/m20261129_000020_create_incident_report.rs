//! Creates `incident_report`: an incident's chain of reports, 初报 → 续报* → 终报.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `incident_report` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IncidentReport::Table)
                    .col(big_pk_auto(IncidentReport::Id))
                    .col(big_integer(IncidentReport::IncidentId))
                    .col(string_len(IncidentReport::Stage, 32))
                    .col(timestamp_with_time_zone(IncidentReport::ReportedAt))
                    .col(boolean(IncidentReport::Direct))
                    // The figures are null where this report did not change them.
                    .col(integer_null(IncidentReport::Deaths))
                    .col(integer_null(IncidentReport::SeriousInjuries))
                    .col(big_integer_null(IncidentReport::EconomicLossYuan))
                    .col(text_null(IncidentReport::Summary))
                    .col(big_integer_null(IncidentReport::CreatedBy))
                    .col(timestamp_with_time_zone(IncidentReport::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_incident_report_incident_id")
                            .from(IncidentReport::Table, IncidentReport::IncidentId)
                            .to(Incident::Table, Incident::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_incident_report_created_by")
                            .from(IncidentReport::Table, IncidentReport::CreatedBy)
                            .to(User::Table, User::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_incident_report_incident_id")
                    .table(IncidentReport::Table)
                    .col(IncidentReport::IncidentId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IncidentReport::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum IncidentReport {
    Table,
    Id,
    IncidentId,
    Stage,
    ReportedAt,
    Direct,
    Deaths,
    SeriousInjuries,
    EconomicLossYuan,
    Summary,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Incident {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum User {
    Table,
    Id,
}

//! Records what each statement of severity was made against:
//! `incident_report.stated_severity` (a report may state one),
//! `incident_report.derived_severity` (what the figures known when the report
//! was filed called for) and `incident.derived_severity_at_creation` (what the
//! figures given when the incident was reported called for).
//!
//! `severity_understated` then compares each statement with the figures known
//! when it was made, not with figures that came later. The figures known when
//! existing incidents and reports were filed were not kept: they get the
//! incident's current derived severity, which is what the earlier rule
//! compared with, so their verdicts stay as they were. (Existing reports
//! stated no severity, so only the incidents' own statements are affected.)

use sea_orm_migration::{prelude::*, schema::*};

/// Adds and fills the three columns.
#[derive(DeriveMigrationName)]
pub struct Migration;

const FILL_REPORTS: &str = "UPDATE incident_report SET derived_severity = \
     (SELECT i.derived_severity FROM incident AS i WHERE i.id = incident_report.incident_id)";
const FILL_INCIDENTS: &str = "UPDATE incident SET derived_severity_at_creation = derived_severity";

/// A severity column that existing rows fill in right after; the default only
/// lets SQLite add a column that is not null.
fn severity(column: impl IntoIden) -> ColumnDef {
    string_len(column, 32).default("ordinary").to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        for (table, column) in [
            (
                IncidentReport::Table.into_iden(),
                string_len_null(IncidentReport::StatedSeverity, 32),
            ),
            (
                IncidentReport::Table.into_iden(),
                severity(IncidentReport::DerivedSeverity),
            ),
            (
                Incident::Table.into_iden(),
                severity(Incident::DerivedSeverityAtCreation),
            ),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(column.to_owned())
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        db.execute_unprepared(FILL_REPORTS).await?;
        db.execute_unprepared(FILL_INCIDENTS).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [
            (
                Incident::Table.into_iden(),
                Incident::DerivedSeverityAtCreation.into_iden(),
            ),
            (
                IncidentReport::Table.into_iden(),
                IncidentReport::DerivedSeverity.into_iden(),
            ),
            (
                IncidentReport::Table.into_iden(),
                IncidentReport::StatedSeverity.into_iden(),
            ),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum IncidentReport {
    Table,
    StatedSeverity,
    DerivedSeverity,
}

#[derive(DeriveIden)]
enum Incident {
    Table,
    DerivedSeverityAtCreation,
}

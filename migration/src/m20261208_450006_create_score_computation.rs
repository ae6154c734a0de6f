//! Creates `score_computation`: when each period's scores were last computed,
//! by whom and how (a request, the command line or the nightly job), so that
//! readers can tell a period never computed from one with nothing in it.
//!
//! Existing databases get each period's latest recomputation from the audit
//! log (`score.recompute`, one entry per recomputation): a user's was a
//! request; the system's ran the nightly job when a `scores.nightly` fire was
//! running at the time, else the command line.

use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{ConnectionTrait, JsonValue, Statement},
};

/// Creates and fills the table.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each recomputation in the audit log, oldest first, with how it was started.
const AUDITED: &str = "SELECT a.id, a.object_id, a.actor_user_id, a.detail, \
     CASE WHEN a.actor_user_id IS NOT NULL THEN 'request' \
     WHEN EXISTS (SELECT 1 FROM job_run AS j WHERE j.job_name = 'scores.nightly' \
     AND j.started_at <= a.at AND (j.finished_at IS NULL OR j.finished_at >= a.at)) \
     THEN 'schedule' ELSE 'command' END AS how \
     FROM audit_log AS a WHERE a.action = 'score.recompute' AND a.result = 'ok' ORDER BY a.id";

/// A period's latest recomputation, from its audit entry.
const INSERT: &str = "INSERT INTO score_computation \
     (period, computed_at, computed_by_id, computed_by, \"trigger\", departments, enterprises, changed) \
     SELECT a.object_id, a.at, (SELECT u.id FROM \"user\" AS u WHERE u.id = a.actor_user_id), \
     a.actor, $2, $3, $4, $5 FROM audit_log AS a WHERE a.id = $1";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ScoreComputation::Table)
                    .col(string_len(ScoreComputation::Period, 16).primary_key())
                    .col(timestamp_with_time_zone(ScoreComputation::ComputedAt))
                    .col(big_integer_null(ScoreComputation::ComputedById))
                    .col(string(ScoreComputation::ComputedBy))
                    .col(string_len(ScoreComputation::Trigger, 32))
                    .col(big_integer(ScoreComputation::Departments))
                    .col(big_integer(ScoreComputation::Enterprises))
                    .col(big_integer(ScoreComputation::Changed))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_score_computation_computed_by_id")
                            .from(ScoreComputation::Table, ScoreComputation::ComputedById)
                            .to(User::Table, User::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(backend, AUDITED))
            .await?;
        // The latest recomputation of each period: later entries replace earlier.
        let mut latest = std::collections::BTreeMap::new();
        for row in rows {
            let id: i64 = row.try_get("", "id")?;
            let period: Option<String> = row.try_get("", "object_id")?;
            let how: String = row.try_get("", "how")?;
            let detail: String = row.try_get("", "detail")?;
            if let Some(period) = period {
                latest.insert(period, (id, how, detail));
            }
        }
        for (id, how, detail) in latest.into_values() {
            let detail = detail.parse::<JsonValue>().unwrap_or_default();
            let count = |name: &str| detail[name].as_i64().unwrap_or(0);
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                INSERT,
                [
                    id.into(),
                    how.into(),
                    count("departments").into(),
                    count("enterprises").into(),
                    count("changed").into(),
                ],
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ScoreComputation::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ScoreComputation {
    Table,
    Period,
    ComputedAt,
    ComputedById,
    ComputedBy,
    Trigger,
    Departments,
    Enterprises,
    Changed,
}

#[derive(DeriveIden)]
enum User {
    Table,
    Id,
}

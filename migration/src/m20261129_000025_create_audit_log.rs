//! Creates `audit_log`: the append-only, hash-chained audit trail.
//!
//! No foreign keys: an entry must outlive whatever it mentions. The id is an
//! auto-increment key (`AUTOINCREMENT` on SQLite, an identity on PostgreSQL) so that
//! ids never go back or get reused, which the hash chain's order relies on.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `audit_log` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(big_pk_auto(AuditLog::Id))
                    .col(timestamp_with_time_zone(AuditLog::At))
                    .col(big_integer_null(AuditLog::ActorUserId))
                    .col(string(AuditLog::Actor))
                    .col(string_null(AuditLog::Role))
                    .col(string(AuditLog::Action))
                    .col(string(AuditLog::ObjectKind))
                    .col(string_null(AuditLog::ObjectId))
                    .col(string(AuditLog::Result))
                    .col(string_null(AuditLog::SourceAddr))
                    .col(text(AuditLog::Detail))
                    .col(string(AuditLog::PrevHash))
                    .col(string(AuditLog::Hash))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_audit_log_at", AuditLog::At),
            ("idx_audit_log_action", AuditLog::Action),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(AuditLog::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    ActorUserId,
    Actor,
    Role,
    Action,
    ObjectKind,
    ObjectId,
    Result,
    SourceAddr,
    Detail,
    PrevHash,
    Hash,
}

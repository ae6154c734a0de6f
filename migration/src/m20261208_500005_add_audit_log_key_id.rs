//! Adds `audit_log.key_id`: the audit key a row's hash was made with (an
//! HMAC under a secret kept outside the database). Existing rows keep their
//! plain SHA-256 hashes and have none, so existing chains still verify.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds the nullable column.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AuditLog::Table)
                    .add_column(string_null(AuditLog::KeyId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AuditLog::Table)
                    .drop_column(AuditLog::KeyId)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    KeyId,
}

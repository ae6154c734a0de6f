//! Indexes accountability items by their evidence, so a recomputation can skip
//! the duties it has already raised items for (`NOT EXISTS` by evidence) and
//! the publication sweep finds a task's item directly.

use sea_orm_migration::prelude::*;

/// Adds `idx_accountability_item_evidence`.
#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "idx_accountability_item_evidence";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(AccountabilityItem::Table)
                    .col(AccountabilityItem::EvidenceKind)
                    .col(AccountabilityItem::EvidenceId)
                    .col(AccountabilityItem::Reason)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(AccountabilityItem::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum AccountabilityItem {
    Table,
    EvidenceKind,
    EvidenceId,
    Reason,
}

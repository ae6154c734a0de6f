//! Creates `accountability_item`: who is held to account (问责), for what, on what evidence.
//!
//! Subject and evidence are polymorphic (`subject_kind`, `evidence_kind`), so there
//! are no foreign keys; the unique key makes raising an item idempotent.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `accountability_item` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AccountabilityItem::Table)
                    .col(big_pk_auto(AccountabilityItem::Id))
                    .col(string(AccountabilityItem::Period))
                    .col(string_len(AccountabilityItem::SubjectKind, 32))
                    .col(big_integer(AccountabilityItem::SubjectId))
                    .col(string_len_null(AccountabilityItem::RegionCode, 6))
                    .col(string_len(AccountabilityItem::Reason, 32))
                    .col(string_len(AccountabilityItem::EvidenceKind, 32))
                    .col(big_integer(AccountabilityItem::EvidenceId))
                    .col(string_len(AccountabilityItem::Status, 32))
                    .col(text_null(AccountabilityItem::Note))
                    .col(timestamp_with_time_zone(AccountabilityItem::CreatedAt))
                    .col(timestamp_with_time_zone(AccountabilityItem::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // Led by `period`, so it also serves the per-period listing.
        manager
            .create_index(
                Index::create()
                    .name("uq_accountability_item_subject_evidence")
                    .table(AccountabilityItem::Table)
                    .col(AccountabilityItem::Period)
                    .col(AccountabilityItem::SubjectKind)
                    .col(AccountabilityItem::SubjectId)
                    .col(AccountabilityItem::Reason)
                    .col(AccountabilityItem::EvidenceKind)
                    .col(AccountabilityItem::EvidenceId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AccountabilityItem::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AccountabilityItem {
    Table,
    Id,
    Period,
    SubjectKind,
    SubjectId,
    RegionCode,
    Reason,
    EvidenceKind,
    EvidenceId,
    Status,
    Note,
    CreatedAt,
    UpdatedAt,
}

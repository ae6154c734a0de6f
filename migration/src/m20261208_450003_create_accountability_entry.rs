//! Creates `accountability_entry`: an accountability item's history, one row
//! per step — who (user, username and role as they were then), when, from
//! which status to which, and the note, explanation or decision with any
//! attachment reference.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `accountability_entry` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AccountabilityEntry::Table)
                    .col(big_pk_auto(AccountabilityEntry::Id))
                    .col(big_integer(AccountabilityEntry::ItemId))
                    .col(timestamp_with_time_zone(AccountabilityEntry::At))
                    .col(big_integer_null(AccountabilityEntry::ActorId))
                    .col(string(AccountabilityEntry::Actor))
                    .col(string_len_null(AccountabilityEntry::Role, 32))
                    .col(string_len(AccountabilityEntry::FromStatus, 32))
                    .col(string_len(AccountabilityEntry::ToStatus, 32))
                    .col(text_null(AccountabilityEntry::Text))
                    .col(text_null(AccountabilityEntry::Attachment))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_accountability_entry_item_id")
                            .from(AccountabilityEntry::Table, AccountabilityEntry::ItemId)
                            .to(AccountabilityItem::Table, AccountabilityItem::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_accountability_entry_actor_id")
                            .from(AccountabilityEntry::Table, AccountabilityEntry::ActorId)
                            .to(User::Table, User::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_accountability_entry_item_id")
                    .table(AccountabilityEntry::Table)
                    .col(AccountabilityEntry::ItemId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AccountabilityEntry::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AccountabilityEntry {
    Table,
    Id,
    ItemId,
    At,
    ActorId,
    Actor,
    Role,
    FromStatus,
    ToStatus,
    Text,
    Attachment,
}

#[derive(DeriveIden)]
enum AccountabilityItem {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum User {
    Table,
    Id,
}

//! Drops `accountability_item.note`: an item's notes are its history in
//! `accountability_entry`, one row per step, moved there by the migration before.

use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{ConnectionTrait, Statement},
};

/// Drops the column; `down` writes it back from the history.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AccountabilityItem::Table)
                    .drop_column(AccountabilityItem::Note)
                    .to_owned(),
            )
            .await
    }

    /// The column back, each item's note one `[status] text` line per step with text.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AccountabilityItem::Table)
                    .add_column(text_null(AccountabilityItem::Note))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT item_id, to_status, text FROM accountability_entry \
                 WHERE text IS NOT NULL ORDER BY item_id, id",
            ))
            .await?;
        let mut notes: Vec<(i64, String)> = Vec::new();
        for row in rows {
            let item: i64 = row.try_get("", "item_id")?;
            let status: String = row.try_get("", "to_status")?;
            let text: String = row.try_get("", "text")?;
            let line = format!("[{status}] {text}");
            match notes.last_mut() {
                Some((last, note)) if *last == item => {
                    note.push('\n');
                    note.push_str(&line);
                }
                _ => notes.push((item, line)),
            }
        }
        for (item, note) in notes {
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                "UPDATE accountability_item SET note = $1 WHERE id = $2",
                [note.into(), item.into()],
            ))
            .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum AccountabilityItem {
    Table,
    Note,
}

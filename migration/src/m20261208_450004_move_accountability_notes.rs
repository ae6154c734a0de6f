//! Fills `accountability_entry` with the history items already have.
//!
//! Every step an item took through `PATCH /accountability/{id}` was audited in
//! its transaction (`accountability.update`, detail `{from, to, note}`), so the
//! audit log gives each step with its user, role and time. An item with a note
//! but no audited step gets one entry per `[status] text` line of its note, at
//! the item's last change, by an unknown user; text before any such line (the
//! system's note on a late publication, written when the item was raised)
//! becomes one entry by the system, from `open` to `open`.

use std::collections::HashSet;

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, DbBackend, JsonValue, Statement},
};

/// Fills the history from the audit log and the notes.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// One audited step as an entry, if its item still exists; the user only if
/// they still exist.
const FROM_AUDIT: &str = "INSERT INTO accountability_entry \
     (item_id, at, actor_id, actor, role, from_status, to_status, text) \
     SELECT $1, a.at, (SELECT u.id FROM \"user\" AS u WHERE u.id = a.actor_user_id), \
     a.actor, a.role, $2, $3, $4 FROM audit_log AS a \
     WHERE a.id = $5 AND EXISTS (SELECT 1 FROM accountability_item AS i WHERE i.id = $1)";

/// One step recovered from a note, at the item's last change.
const FROM_NOTE: &str = "INSERT INTO accountability_entry \
     (item_id, at, actor_id, actor, role, from_status, to_status, text) \
     SELECT i.id, i.updated_at, NULL, $5, NULL, $2, $3, $4 \
     FROM accountability_item AS i WHERE i.id = $1";

/// The only steps there were: `open → acknowledged → closed`.
fn step_to(tag: &str) -> Option<(&'static str, &'static str)> {
    match tag {
        "acknowledged" => Some(("open", "acknowledged")),
        "closed" => Some(("acknowledged", "closed")),
        _ => None,
    }
}

/// The steps a note records, one per `[status] text` line (lines that follow
/// without a tag continue the text). Text before the first such line is the
/// system's note from when the item was raised: a step from `open` to `open`.
fn steps_of(note: &str) -> Vec<(String, String, String)> {
    let mut steps: Vec<(String, String, String)> = Vec::new();
    for line in note.lines() {
        match (tag_of(line), steps.last_mut()) {
            (Some(((from, to), text)), _) => {
                steps.push((from.to_owned(), to.to_owned(), text.to_owned()));
            }
            (None, Some(last)) => {
                last.2.push('\n');
                last.2.push_str(line);
            }
            (None, None) => steps.push(("open".to_owned(), "open".to_owned(), line.to_owned())),
        }
    }
    steps
}

/// The step and text of a `[status] text` line.
fn tag_of(line: &str) -> Option<((&'static str, &'static str), &str)> {
    line.strip_prefix('[')
        .and_then(|rest| rest.split_once("] "))
        .and_then(|(tag, text)| step_to(tag).map(|step| (step, text)))
}

async fn insert(
    db: &(impl ConnectionTrait + ?Sized),
    sql: &str,
    item: i64,
    (from, to, text): (String, String, Option<String>),
    last: Value,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let values: Vec<Value> = vec![item.into(), from.into(), to.into(), text.into(), last];
    db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let audited = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT id, object_id, detail FROM audit_log \
                 WHERE action = 'accountability.update' AND result = 'ok' ORDER BY id",
            ))
            .await?;
        let mut covered = HashSet::new();
        for row in audited {
            let audit_id: i64 = row.try_get("", "id")?;
            let object: Option<String> = row.try_get("", "object_id")?;
            let detail: String = row.try_get("", "detail")?;
            let (Some(item), Ok(detail)) = (
                object.and_then(|o| o.parse::<i64>().ok()),
                detail.parse::<JsonValue>(),
            ) else {
                continue;
            };
            let field = |name: &str| detail[name].as_str().map(str::to_owned);
            let (Some(from), Some(to)) = (field("from"), field("to")) else {
                continue;
            };
            let step = (from, to, field("note"));
            insert(db, FROM_AUDIT, item, step, audit_id.into()).await?;
            covered.insert(item);
        }
        let noted = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT id, note FROM accountability_item WHERE note IS NOT NULL ORDER BY id",
            ))
            .await?;
        for row in noted {
            let item: i64 = row.try_get("", "id")?;
            let note: String = row.try_get("", "note")?;
            if covered.contains(&item) {
                continue;
            }
            for (from, to, text) in steps_of(&note) {
                // A handler wrote the tagged lines; only the system wrote untagged notes.
                let actor = if from == to { "system" } else { "unknown" };
                insert(db, FROM_NOTE, item, (from, to, Some(text)), actor.into()).await?;
            }
        }
        if backend == DbBackend::Postgres {
            db.execute_unprepared("ANALYZE accountability_entry")
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM accountability_entry")
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_gives_one_step_per_tagged_line() {
        let steps = steps_of("[acknowledged] 已收到\n[closed] 已约谈\n并整改");
        let expected = [
            ("open", "acknowledged", "已收到"),
            ("acknowledged", "closed", "已约谈\n并整改"),
        ];
        let steps: Vec<(&str, &str, &str)> = steps
            .iter()
            .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
            .collect();
        assert_eq!(steps, expected);
        let loose = steps_of("reviewed on 2026-10-01\nsecond line");
        assert_eq!(
            loose,
            vec![(
                "open".to_owned(),
                "open".to_owned(),
                "reviewed on 2026-10-01\nsecond line".to_owned()
            )]
        );
    }
}

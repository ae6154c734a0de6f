//! A check task names exactly one target: an enterprise or a department
//! (`ck_check_task_one_target`, on both engines).
//!
//! PostgreSQL adds the constraint in place, checking the rows already there.
//! SQLite cannot add a constraint to a table, so there the table is rebuilt in
//! the migration's transaction: its rows are copied aside, the table is dropped
//! and created again from its own definition with the constraint added, the rows
//! go back, and its indexes and id counter are restored. The tables that refer
//! to tasks have their keys checked at commit (`defer_foreign_keys`), once every
//! task is back. A row that names no target or two stops the migration with
//! nothing changed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The constraint as SQLite's table definition carries it.
const CONSTRAINT: &str = ", CONSTRAINT \"ck_check_task_one_target\" \
     CHECK ((enterprise_id IS NULL) <> (department_id IS NULL))";

const ADD_POSTGRES: &str = "ALTER TABLE check_task ADD CONSTRAINT ck_check_task_one_target \
     CHECK ((enterprise_id IS NULL) <> (department_id IS NULL))";

const DROP_POSTGRES: &str = "ALTER TABLE check_task DROP CONSTRAINT ck_check_task_one_target";

/// `definition` (a `CREATE TABLE` statement) with the constraint added last.
fn with_constraint(definition: &str) -> Result<String, DbErr> {
    let end = definition
        .rfind(')')
        .ok_or_else(|| DbErr::Migration(format!("check_task is defined as {definition}")))?;
    Ok(format!(
        "{}{CONSTRAINT}{}",
        &definition[..end],
        &definition[end..]
    ))
}

fn without_constraint(definition: &str) -> Result<String, DbErr> {
    if definition.contains(CONSTRAINT) {
        Ok(definition.replacen(CONSTRAINT, "", 1))
    } else {
        Err(DbErr::Migration(format!(
            "check_task has no ck_check_task_one_target: {definition}"
        )))
    }
}

/// Rebuilds SQLite's `check_task` as `change` redefines it, keeping its rows,
/// indexes and the highest id it ever handed out (`AUTOINCREMENT` keeps that in
/// `sqlite_sequence`, and dropping the table forgets it).
async fn rebuild_sqlite(
    db: &SchemaManagerConnection<'_>,
    change: fn(&str) -> Result<String, DbErr>,
) -> Result<(), DbErr> {
    let text = |sql: &str| Statement::from_string(DbBackend::Sqlite, sql.to_owned());
    let definition: String = db
        .query_one_raw(text(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'check_task'",
        ))
        .await?
        .ok_or_else(|| DbErr::Migration("check_task is missing".to_owned()))?
        .try_get("", "sql")?;
    let indexes = db
        .query_all_raw(text(
            "SELECT sql FROM sqlite_master \
             WHERE type = 'index' AND tbl_name = 'check_task' AND sql IS NOT NULL",
        ))
        .await?
        .iter()
        .map(|row| row.try_get::<String>("", "sql"))
        .collect::<Result<Vec<_>, _>>()?;
    let high_water: Option<i64> = db
        .query_one_raw(text(
            "SELECT seq FROM sqlite_sequence WHERE name = 'check_task'",
        ))
        .await?
        .map(|row| row.try_get("", "seq"))
        .transpose()?;
    let rebuilt = change(&definition)?;
    for statement in [
        "PRAGMA defer_foreign_keys = ON",
        // Dropping and refilling the table looks up each task's hazards.
        "CREATE INDEX tmp_hazard_item_task_id ON hazard_item (task_id)",
        "CREATE TEMP TABLE check_task_rows AS SELECT * FROM check_task",
        "DROP TABLE check_task",
        rebuilt.as_str(),
        "INSERT INTO check_task SELECT * FROM temp.check_task_rows ORDER BY id",
        "DROP TABLE temp.check_task_rows",
        "DROP INDEX tmp_hazard_item_task_id",
        "DELETE FROM sqlite_sequence WHERE name = 'check_task'",
    ]
    .into_iter()
    .chain(indexes.iter().map(String::as_str))
    {
        db.execute_unprepared(statement).await?;
    }
    if let Some(seq) = high_water {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "INSERT INTO sqlite_sequence (name, seq) VALUES ('check_task', $1)",
            [seq.into()],
        ))
        .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// On SQLite too: the rebuild happens whole, on one connection, or not at all.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(ADD_POSTGRES).await.map(|_| ())
        } else {
            rebuild_sqlite(db, with_constraint).await
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(DROP_POSTGRES).await.map(|_| ())
        } else {
            rebuild_sqlite(db, without_constraint).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_constraint_goes_last_and_comes_out_again() {
        let table = "CREATE TABLE \"check_task\" ( \"id\" integer, \"enterprise_id\" integer NULL, \
                     FOREIGN KEY (\"enterprise_id\") REFERENCES \"enterprise\" (\"id\") )";
        let with = with_constraint(table).unwrap_or_default();
        assert!(with.ends_with(&format!("(\"id\") {CONSTRAINT})")), "{with}");
        assert_eq!(without_constraint(&with).ok().as_deref(), Some(table));
    }
}

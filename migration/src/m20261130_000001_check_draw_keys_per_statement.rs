//! On PostgreSQL, checks the keys of a draw's tasks and teams once per
//! statement instead of once per row.
//!
//! A draw writes tens of thousands of `check_task` rows and twice as many
//! `task_inspector` rows in two statements. PostgreSQL's foreign keys check each
//! row on its own: a trigger and a query per row and key (six keys, about
//! 150,000 rows), each locking the row it finds (`FOR KEY SHARE`), which dirties
//! tens of thousands of enterprise and inspector pages. That cost more than
//! writing the rows. This migration replaces those six foreign keys with
//! triggers that keep the same guarantee a statement at a time:
//!
//! - after an insert, every distinct key the new rows refer to is looked up in
//!   one query per key, and the insert fails naming a missing one;
//! - a referenced row cannot be deleted, nor its key changed, nor its table
//!   truncated, while rows refer to it (`NO ACTION`, as before). Before looking,
//!   the guard locks the referring table in `SHARE` mode: it waits for
//!   transactions writing to that table to finish and holds off new writers
//!   until it commits, so a READ COMMITTED insert (each of its statements sees
//!   what is committed when it starts) either sees the row gone or is seen by
//!   the guard. That is why the insert need not lock the rows it refers to; at
//!   REPEATABLE READ or above, where a transaction keeps its first snapshot, it
//!   locks them `FOR KEY SHARE` as a foreign key would. The guard's own check
//!   needs a fresh snapshot, so such deletes and re-keyings are refused at
//!   REPEATABLE READ and above (`serialization_failure`); the app runs at
//!   READ COMMITTED and deletes only unused regions, after counting their tasks;
//! - an update of a referring column is checked row by row (the app never makes
//!   one).
//!
//! Violations raise `foreign_key_violation` (SQLSTATE 23503), like the foreign
//! keys they replace. None of these tables' rows is ever deleted by the app
//! except unused regions. SQLite keeps its foreign keys: they cost little there.

use sea_orm_migration::prelude::*;

/// Replaces the foreign keys of `check_task` and `task_inspector` on PostgreSQL.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// A replaced foreign key: referring table and column, referenced table and column.
struct Key {
    name: &'static str,
    from: &'static str,
    column: &'static str,
    to: &'static str,
    key: &'static str,
}

const KEYS: [Key; 6] = [
    Key {
        name: "fk_check_task_draw_id",
        from: "check_task",
        column: "draw_id",
        to: "draw",
        key: "id",
    },
    Key {
        name: "fk_check_task_enterprise_id",
        from: "check_task",
        column: "enterprise_id",
        to: "enterprise",
        key: "id",
    },
    Key {
        name: "fk_check_task_department_id",
        from: "check_task",
        column: "department_id",
        to: "department",
        key: "id",
    },
    Key {
        name: "fk_check_task_region_code",
        from: "check_task",
        column: "region_code",
        to: "region",
        key: "code",
    },
    Key {
        name: "fk_task_inspector_task_id",
        from: "task_inspector",
        column: "task_id",
        to: "check_task",
        key: "id",
    },
    Key {
        name: "fk_task_inspector_inspector_id",
        from: "task_inspector",
        column: "inspector_id",
        to: "inspector",
        key: "id",
    },
];

/// The functions the triggers call. Table and column names come from the
/// trigger definitions below, never from data.
const FUNCTIONS: &str = r#"
-- Fails naming a key in `keys` that no row of `target` has. At REPEATABLE
-- READ or above it also locks the rows found (FOR KEY SHARE), as a foreign key
-- does; at READ COMMITTED the guards on `target` make that unnecessary.
CREATE FUNCTION spotcheck_require_keys(target regclass, key text, keys anyarray, referrer text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    present bigint;
    missing text;
BEGIN
    IF keys IS NULL OR cardinality(keys) = 0 THEN
        RETURN;
    END IF;
    IF current_setting('transaction_isolation') = 'read committed' THEN
        EXECUTE format('SELECT count(*) FROM %s t WHERE t.%I = ANY ($1)', target, key)
            INTO present USING keys;
    ELSE
        EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM %s t WHERE t.%I = ANY ($1) '
                       'FOR KEY SHARE OF t) AS locked', target, key)
            INTO present USING keys;
    END IF;
    IF present < cardinality(keys) THEN
        EXECUTE format('SELECT k::text FROM unnest($1) AS k '
                       'WHERE NOT EXISTS (SELECT 1 FROM %s t WHERE t.%I = k) LIMIT 1', target, key)
            INTO missing USING keys;
        RAISE foreign_key_violation USING
            MESSAGE = format('insert or update on table "%s" violates its key on "%s": %s %s is not present',
                             referrer, target, key, missing);
    END IF;
END $$;

-- After an insert into check_task: its draws, enterprises, departments and regions.
CREATE FUNCTION spotcheck_check_task_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM spotcheck_require_keys('draw', 'id',
        (SELECT array_agg(DISTINCT draw_id) FROM added), 'check_task');
    PERFORM spotcheck_require_keys('enterprise', 'id',
        (SELECT array_agg(DISTINCT enterprise_id) FROM added WHERE enterprise_id IS NOT NULL), 'check_task');
    PERFORM spotcheck_require_keys('department', 'id',
        (SELECT array_agg(DISTINCT department_id) FROM added WHERE department_id IS NOT NULL), 'check_task');
    PERFORM spotcheck_require_keys('region', 'code',
        (SELECT array_agg(DISTINCT region_code) FROM added), 'check_task');
    RETURN NULL;
END $$;

-- After an insert into task_inspector: its tasks and inspectors.
CREATE FUNCTION spotcheck_task_inspector_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM spotcheck_require_keys('check_task', 'id',
        (SELECT array_agg(DISTINCT task_id) FROM added), 'task_inspector');
    PERFORM spotcheck_require_keys('inspector', 'id',
        (SELECT array_agg(DISTINCT inspector_id) FROM added), 'task_inspector');
    RETURN NULL;
END $$;

-- After a row of check_task changes a key column.
CREATE FUNCTION spotcheck_check_task_row_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM spotcheck_require_keys('draw', 'id', ARRAY[NEW.draw_id], 'check_task');
    IF NEW.enterprise_id IS NOT NULL THEN
        PERFORM spotcheck_require_keys('enterprise', 'id', ARRAY[NEW.enterprise_id], 'check_task');
    END IF;
    IF NEW.department_id IS NOT NULL THEN
        PERFORM spotcheck_require_keys('department', 'id', ARRAY[NEW.department_id], 'check_task');
    END IF;
    PERFORM spotcheck_require_keys('region', 'code', ARRAY[NEW.region_code], 'check_task');
    RETURN NULL;
END $$;

-- After a row of task_inspector changes a key column.
CREATE FUNCTION spotcheck_task_inspector_row_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM spotcheck_require_keys('check_task', 'id', ARRAY[NEW.task_id], 'task_inspector');
    PERFORM spotcheck_require_keys('inspector', 'id', ARRAY[NEW.inspector_id], 'task_inspector');
    RETURN NULL;
END $$;

-- Before a referenced row goes or changes its key: the check that follows
-- must see every referring row committed until then, which only a READ
-- COMMITTED statement does (REPEATABLE READ keeps its first snapshot), so other
-- isolation levels are refused. The lock waits for the referring table's
-- writers to finish and keeps new ones out until this transaction ends. The
-- functions are VOLATILE (the default): each query in them takes a new snapshot.
CREATE FUNCTION spotcheck_lock_referrer(referrer text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE serialization_failure USING
            MESSAGE = format('rows that "%s" refers to are deleted or re-keyed only at READ COMMITTED',
                             referrer);
    END IF;
    EXECUTE format('LOCK TABLE %I IN SHARE MODE', referrer);
END $$;

-- After a delete from a referenced table (arguments: referring table, its
-- column, the referenced key column): fails while a row still refers to a key
-- that is gone.
CREATE FUNCTION spotcheck_keep_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    still text;
BEGIN
    PERFORM spotcheck_lock_referrer(TG_ARGV[0]);
    EXECUTE format('SELECT r.%2$I::text FROM %1$I r WHERE r.%2$I IN (SELECT g.%3$I FROM gone g) '
                   'AND NOT EXISTS (SELECT 1 FROM %4$I t WHERE t.%3$I = r.%2$I) LIMIT 1',
                   TG_ARGV[0], TG_ARGV[1], TG_ARGV[2], TG_TABLE_NAME)
        INTO still;
    IF still IS NOT NULL THEN
        RAISE foreign_key_violation USING
            MESSAGE = format('update or delete on table "%s" violates the key of "%s": %s %s is still referenced',
                             TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[2], still);
    END IF;
    RETURN NULL;
END $$;

-- After a referenced row's key changes (same arguments).
CREATE FUNCTION spotcheck_keep_referenced_key() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    referred boolean;
BEGIN
    PERFORM spotcheck_lock_referrer(TG_ARGV[0]);
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %1$I r WHERE r.%2$I = ($1).%4$I '
                   'AND NOT EXISTS (SELECT 1 FROM %3$I t WHERE t.%4$I = ($1).%4$I))',
                   TG_ARGV[0], TG_ARGV[1], TG_TABLE_NAME, TG_ARGV[2])
        INTO referred USING OLD;
    IF referred THEN
        RAISE foreign_key_violation USING
            MESSAGE = format('update or delete on table "%s" violates the key of "%s": %s %s is still referenced',
                             TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[2], to_jsonb(OLD) ->> TG_ARGV[2]);
    END IF;
    RETURN NULL;
END $$;

-- Before a referenced table is truncated: only once the referring one is empty.
CREATE FUNCTION spotcheck_keep_referenced_all() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    referred boolean;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', TG_ARGV[0]) INTO referred;
    IF referred THEN
        RAISE foreign_key_violation USING
            MESSAGE = format('cannot truncate "%s": "%s" refers to it; empty "%s" first',
                             TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[0]);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER spotcheck_check_task_keys AFTER INSERT ON check_task
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION spotcheck_check_task_keys();
CREATE TRIGGER spotcheck_check_task_row_keys
    AFTER UPDATE OF draw_id, enterprise_id, department_id, region_code ON check_task
    FOR EACH ROW WHEN (OLD.draw_id IS DISTINCT FROM NEW.draw_id
        OR OLD.enterprise_id IS DISTINCT FROM NEW.enterprise_id
        OR OLD.department_id IS DISTINCT FROM NEW.department_id
        OR OLD.region_code IS DISTINCT FROM NEW.region_code)
    EXECUTE FUNCTION spotcheck_check_task_row_keys();
CREATE TRIGGER spotcheck_task_inspector_keys AFTER INSERT ON task_inspector
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION spotcheck_task_inspector_keys();
CREATE TRIGGER spotcheck_task_inspector_row_keys
    AFTER UPDATE OF task_id, inspector_id ON task_inspector
    FOR EACH ROW WHEN (OLD.task_id IS DISTINCT FROM NEW.task_id
        OR OLD.inspector_id IS DISTINCT FROM NEW.inspector_id)
    EXECUTE FUNCTION spotcheck_task_inspector_row_keys();
"#;

/// The triggers on a referenced table that keep one key's rows referable.
fn guards(key: &Key) -> String {
    format!(
        "CREATE TRIGGER guard_{name}_delete AFTER DELETE ON {to} \
             REFERENCING OLD TABLE AS gone FOR EACH STATEMENT \
             EXECUTE FUNCTION spotcheck_keep_referenced('{from}', '{column}', '{key}'); \
         CREATE TRIGGER guard_{name}_update AFTER UPDATE OF {key} ON {to} \
             FOR EACH ROW WHEN (OLD.{key} IS DISTINCT FROM NEW.{key}) \
             EXECUTE FUNCTION spotcheck_keep_referenced_key('{from}', '{column}', '{key}'); \
         CREATE TRIGGER guard_{name}_truncate BEFORE TRUNCATE ON {to} \
             FOR EACH STATEMENT EXECUTE FUNCTION spotcheck_keep_referenced_all('{from}');",
        name = key.name,
        to = key.to,
        from = key.from,
        column = key.column,
        key = key.key,
    )
}

const DROP_FUNCTIONS: &str = "\
    DROP TRIGGER spotcheck_check_task_keys ON check_task; \
    DROP TRIGGER spotcheck_check_task_row_keys ON check_task; \
    DROP TRIGGER spotcheck_task_inspector_keys ON task_inspector; \
    DROP TRIGGER spotcheck_task_inspector_row_keys ON task_inspector; \
    DROP FUNCTION spotcheck_check_task_keys(); \
    DROP FUNCTION spotcheck_task_inspector_keys(); \
    DROP FUNCTION spotcheck_check_task_row_keys(); \
    DROP FUNCTION spotcheck_task_inspector_row_keys(); \
    DROP FUNCTION spotcheck_keep_referenced(); \
    DROP FUNCTION spotcheck_keep_referenced_key(); \
    DROP FUNCTION spotcheck_keep_referenced_all(); \
    DROP FUNCTION spotcheck_lock_referrer(text); \
    DROP FUNCTION spotcheck_require_keys(regclass, text, anyarray, text);";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        for key in &KEYS {
            db.execute_unprepared(&format!(
                "ALTER TABLE {} DROP CONSTRAINT {}",
                key.from, key.name
            ))
            .await?;
        }
        db.execute_unprepared(FUNCTIONS).await?;
        for key in &KEYS {
            db.execute_unprepared(&guards(key)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        for key in &KEYS {
            db.execute_unprepared(&format!(
                "DROP TRIGGER guard_{name}_delete ON {to}; DROP TRIGGER guard_{name}_update ON {to}; \
                 DROP TRIGGER guard_{name}_truncate ON {to}; \
                 ALTER TABLE {from} ADD CONSTRAINT {name} FOREIGN KEY ({column}) \
                 REFERENCES {to} ({key})",
                name = key.name,
                to = key.to,
                from = key.from,
                column = key.column,
                key = key.key,
            ))
            .await?;
        }
        db.execute_unprepared(DROP_FUNCTIONS).await?;
        Ok(())
    }
}

//! On PostgreSQL, the per-statement key checks of a draw's tasks and teams
//! (`m20261130_000001_check_draw_keys_per_statement`) hand their keys to the
//! lookup as a value computed at run time rather than as a constant.
//!
//! Given tens of thousands of keys as a constant array, the planner estimates
//! the selectivity of every element before the lookup starts: two thirds of a
//! check's time for a draw's 50,000 enterprises. Wrapped in a subquery
//! (`CAST((SELECT $1) AS …)`) the array is an initplan the planner does not
//! look into; the lookup itself, one index probe per key, is unchanged, and so
//! is what the check guarantees.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The function as this migration leaves it. `target` and `key` come from the
/// trigger functions, never from data; the array's own type names the cast.
const UP: &str = r#"
CREATE OR REPLACE FUNCTION spotcheck_require_keys(target regclass, key text, keys anyarray, referrer text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    present bigint;
    missing text;
BEGIN
    IF keys IS NULL OR cardinality(keys) = 0 THEN
        RETURN;
    END IF;
    IF current_setting('transaction_isolation') = 'read committed' THEN
        EXECUTE format('SELECT count(*) FROM %s t WHERE t.%I = ANY (CAST((SELECT $1) AS %s))',
                       target, key, pg_typeof(keys))
            INTO present USING keys;
    ELSE
        EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM %s t '
                       'WHERE t.%I = ANY (CAST((SELECT $1) AS %s)) FOR KEY SHARE OF t) AS locked',
                       target, key, pg_typeof(keys))
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
"#;

/// The function as `m20261130_000001_check_draw_keys_per_statement` made it.
const DOWN: &str = r#"
CREATE OR REPLACE FUNCTION spotcheck_require_keys(target regclass, key text, keys anyarray, referrer text)
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
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        manager.get_connection().execute_unprepared(UP).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        manager.get_connection().execute_unprepared(DOWN).await?;
        Ok(())
    }
}

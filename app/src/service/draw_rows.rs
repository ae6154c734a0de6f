//! Writing a draw's tasks and teams: one statement per table, however many tasks.
//!
//! Ids are taken before the rows are written and handed out in draw order, so
//! that task id order is draw order and link id order is team order (what
//! reading a draw back and verify rely on) without reading any row back. The
//! rows travel as a few bound values that the database unpacks itself (arrays
//! through `unnest` on PostgreSQL, one JSON value through `json_each` on
//! SQLite): one statement per table instead of hundreds of multi-row inserts
//! that each bind thousands of values.

use chrono::{DateTime, Utc};
use entities::{InspectorRole, SubjectKind, TaskStatus};
use sea_orm::{
    ConnectionTrait, DbBackend, Statement,
    sea_query::{ArrayType, Value},
};
use serde::Serialize;

use super::json_rows;
use crate::error::{AppError, AppResult};

/// The tables whose ids a draw takes in advance.
#[derive(Debug, Clone, Copy)]
enum Table {
    CheckTask,
    TaskInspector,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Self::CheckTask => "check_task",
            Self::TaskInspector => "task_inspector",
        }
    }

    /// The largest id the table has ever handed out; SQLite's `AUTOINCREMENT`
    /// keeps it in `sqlite_sequence`, which may be above the largest id present.
    fn sqlite_high_water(self) -> &'static str {
        match self {
            Self::CheckTask => {
                "SELECT MAX(m) AS m FROM (SELECT MAX(id) AS m FROM check_task \
                 UNION ALL SELECT seq AS m FROM sqlite_sequence WHERE name = 'check_task')"
            }
            Self::TaskInspector => {
                "SELECT MAX(m) AS m FROM (SELECT MAX(id) AS m FROM task_inspector \
                 UNION ALL SELECT seq AS m FROM sqlite_sequence WHERE name = 'task_inspector')"
            }
        }
    }
}

/// `count` fresh ids of `table`, ascending.
///
/// On PostgreSQL they come from the table's sequence, so concurrent writers
/// never collide; on SQLite the draw holds the write lock (`BEGIN IMMEDIATE`),
/// so the ids above the high-water mark are ours.
async fn take_ids<C: ConnectionTrait>(db: &C, table: Table, count: usize) -> AppResult<Vec<i64>> {
    if count == 0 {
        return Ok(Vec::new());
    }
    let wanted = i64::try_from(count)
        .map_err(|_| AppError::Internal(anyhow::anyhow!("{count} ids asked for")))?;
    match db.get_database_backend() {
        DbBackend::Postgres => {
            // The values come back as runs of consecutive ids (one run unless
            // another writer took values meanwhile), not one row per id; the
            // sequence is looked up once (`OFFSET 0` keeps the subquery from
            // being folded into a lookup per id).
            let rows = db
                .query_all_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT MIN(id) AS lo, MAX(id) AS hi FROM \
                     (SELECT id, id - row_number() OVER (ORDER BY id) AS run FROM \
                      (SELECT nextval(q.s) AS id \
                       FROM (SELECT pg_get_serial_sequence($1, 'id')::regclass AS s \
                             OFFSET 0) AS q, \
                       generate_series(1, $2)) AS taken) AS numbered \
                     GROUP BY run ORDER BY lo",
                    [table.name().into(), wanted.into()],
                ))
                .await?;
            let mut ids = Vec::with_capacity(count);
            for row in rows {
                let (lo, hi): (i64, i64) = (row.try_get("", "lo")?, row.try_get("", "hi")?);
                ids.extend(lo..=hi);
            }
            if ids.len() != count {
                return Err(AppError::Internal(anyhow::anyhow!(
                    "asked {} for {count} ids, got {}",
                    table.name(),
                    ids.len()
                )));
            }
            Ok(ids)
        }
        backend => {
            let high = db
                .query_one_raw(Statement::from_string(
                    backend,
                    table.sqlite_high_water().to_owned(),
                ))
                .await?
                .map(|row| row.try_get::<Option<i64>>("", "m"))
                .transpose()?
                .flatten()
                .unwrap_or(0);
            Ok((1..=wanted).map(|i| high + i).collect())
        }
    }
}

/// A task to write: its target and team, lead first.
#[derive(Debug, Clone, Copy)]
pub struct NewTask<'a> {
    /// The enterprise or department checked.
    pub target_id: i64,
    /// The target's region.
    pub region_code: &'a str,
    /// The team, lead first.
    pub inspector_ids: &'a [i64],
}

/// What every task of a draw shares.
#[derive(Debug, Clone, Copy)]
pub struct TaskCommon {
    /// The draw the tasks belong to.
    pub draw_id: i64,
    /// Enterprises or departments.
    pub target_kind: SubjectKind,
    /// When the checks are due.
    pub due_at: DateTime<Utc>,
    /// When the draw was made.
    pub now: DateTime<Utc>,
}

/// A PostgreSQL `bigint[]` parameter.
fn big_ints(values: impl Iterator<Item = i64>) -> Value {
    Value::Array(
        ArrayType::BigInt,
        Some(Box::new(values.map(|v| Value::BigInt(Some(v))).collect())),
    )
}

/// A PostgreSQL `text[]` parameter.
fn strings<'a>(values: impl Iterator<Item = &'a str>) -> Value {
    Value::Array(
        ArrayType::String,
        Some(Box::new(
            values.map(|v| Value::String(Some(v.to_owned()))).collect(),
        )),
    )
}

/// A task row: id, enterprise, department, region (SQLite takes the rows as JSON).
#[derive(Serialize)]
struct TaskRow<'a>(i64, Option<i64>, Option<i64>, &'a str);

/// A team member as the statement unpacks it: id, task, inspector, role.
#[derive(Serialize)]
struct LinkRow(i64, i64, i64, &'static str);

/// PostgreSQL takes the rows as bound arrays (ids, targets, regions), sent and
/// read in binary.
const INSERT_TASKS_POSTGRES: &str = "INSERT INTO check_task (id, draw_id, target_kind, \
     enterprise_id, department_id, region_code, due_at, status, score, overdue, started_at, \
     submitted_at, reviewed_at, published_at, created_at, updated_at) \
     SELECT u.id, $4, $5, CASE WHEN $5 = 'enterprise' THEN u.target END, \
     CASE WHEN $5 = 'department' THEN u.target END, u.region, $6, $7, \
     NULL, FALSE, NULL, NULL, NULL, NULL, $8, $8 \
     FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS u(id, target, region)";

const INSERT_TASKS_SQLITE: &str = "INSERT INTO check_task (id, draw_id, target_kind, \
     enterprise_id, department_id, region_code, due_at, status, score, overdue, started_at, \
     submitted_at, reviewed_at, published_at, created_at, updated_at) \
     SELECT value ->> 0, $2, $3, value ->> 1, value ->> 2, value ->> 3, $4, $5, \
     NULL, FALSE, NULL, NULL, NULL, NULL, $6, $6 \
     FROM json_each($1)";

const INSERT_LINKS_POSTGRES: &str = "INSERT INTO task_inspector (id, task_id, inspector_id, role) \
     SELECT u.id, u.task, u.inspector, u.role \
     FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[]) AS u(id, task, inspector, role)";

const INSERT_LINKS_SQLITE: &str = "INSERT INTO task_inspector (id, task_id, inspector_id, role) \
     SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each($1)";

/// Writes the tasks in draw order with their teams; returns each task's id.
///
/// # Errors
/// When the database refuses a statement.
pub async fn write<C: ConnectionTrait>(
    db: &C,
    common: TaskCommon,
    tasks: &[NewTask<'_>],
) -> AppResult<Vec<i64>> {
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let task_ids = take_ids(db, Table::CheckTask, tasks.len()).await?;
    let members: usize = tasks.iter().map(|t| t.inspector_ids.len()).sum();
    let link_ids = take_ids(db, Table::TaskInspector, members).await?;
    let enterprise = common.target_kind == SubjectKind::Enterprise;
    let task_rows: Vec<TaskRow<'_>> = tasks
        .iter()
        .zip(&task_ids)
        .map(|(t, &id)| {
            TaskRow(
                id,
                enterprise.then_some(t.target_id),
                (!enterprise).then_some(t.target_id),
                t.region_code,
            )
        })
        .collect();
    let mut link_rows = Vec::with_capacity(members);
    let mut next_link = link_ids.iter().copied();
    for (t, &task_id) in tasks.iter().zip(&task_ids) {
        for (i, (&inspector_id, id)) in t.inspector_ids.iter().zip(&mut next_link).enumerate() {
            let role = if i == 0 {
                InspectorRole::Lead
            } else {
                InspectorRole::Member
            };
            link_rows.push(LinkRow(id, task_id, inspector_id, role.as_str()));
        }
    }
    if backend == DbBackend::Postgres {
        let tasks_values = vec![
            big_ints(task_rows.iter().map(|r| r.0)),
            big_ints(tasks.iter().map(|t| t.target_id)),
            strings(task_rows.iter().map(|r| r.3)),
            common.draw_id.into(),
            common.target_kind.as_str().into(),
            common.due_at.into(),
            TaskStatus::Assigned.as_str().into(),
            common.now.into(),
        ];
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            INSERT_TASKS_POSTGRES,
            tasks_values,
        ))
        .await?;
        if !link_rows.is_empty() {
            let link_values = vec![
                big_ints(link_rows.iter().map(|r| r.0)),
                big_ints(link_rows.iter().map(|r| r.1)),
                big_ints(link_rows.iter().map(|r| r.2)),
                strings(link_rows.iter().map(|r| r.3)),
            ];
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                INSERT_LINKS_POSTGRES,
                link_values,
            ))
            .await?;
        }
        return Ok(task_ids);
    }
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        INSERT_TASKS_SQLITE,
        [
            json_rows(&task_rows)?,
            common.draw_id.into(),
            common.target_kind.as_str().into(),
            common.due_at.into(),
            TaskStatus::Assigned.as_str().into(),
            common.now.into(),
        ],
    ))
    .await?;
    if !link_rows.is_empty() {
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            INSERT_LINKS_SQLITE,
            [json_rows(&link_rows)?],
        ))
        .await?;
    }
    Ok(task_ids)
}

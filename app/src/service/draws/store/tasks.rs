//! Writing a draw's tasks and teams: one statement per table, however many tasks.
//!
//! Task ids are taken before the rows are written and handed out in draw order,
//! so that task id order is draw order, and each team member carries its place
//! in the team (`position`, 0 the lead): what reading a draw back and verify
//! rely on, without reading any row back. The rows travel as a few bound values
//! that the database unpacks itself (arrays through `unnest` on PostgreSQL, one
//! JSON value through `json_each` on SQLite): one statement per table instead of
//! hundreds of multi-row inserts that each bind thousands of values.

use entities::{InspectorRole, SubjectKind, TaskStatus};
use sea_orm::{
    ConnectionTrait, DbBackend, Statement,
    sea_query::{ArrayType, Value},
};
use serde::Serialize;

use crate::{
    error::{AppError, AppResult},
    service::{
        draws::model::{NewTask, TaskCommon},
        json_rows,
    },
};

/// The largest task id SQLite has ever handed out: `AUTOINCREMENT` keeps it in
/// `sqlite_sequence`, which may be above the largest id present.
const SQLITE_TASK_HIGH_WATER: &str = "SELECT MAX(m) AS m FROM (SELECT MAX(id) AS m FROM check_task \
     UNION ALL SELECT seq AS m FROM sqlite_sequence WHERE name = 'check_task')";

/// `count` fresh ids from `check_task`'s sequence, ascending. They come back as
/// runs of consecutive ids (one run unless another writer took values
/// meanwhile), not one row per id; the sequence is looked up once (`OFFSET 0`
/// keeps the subquery from being folded into a lookup per id).
const POSTGRES_TASK_IDS: &str = "SELECT MIN(id) AS lo, MAX(id) AS hi FROM \
     (SELECT id, id - row_number() OVER (ORDER BY id) AS run FROM \
      (SELECT nextval(q.s) AS id \
       FROM (SELECT pg_get_serial_sequence($1, 'id')::regclass AS s OFFSET 0) AS q, \
       generate_series(1, $2)) AS taken) AS numbered \
     GROUP BY run ORDER BY lo";

/// `count` fresh task ids, ascending.
///
/// On PostgreSQL they come from the table's sequence, so concurrent writers
/// never collide; on SQLite the draw holds the write lock (`BEGIN IMMEDIATE`),
/// so the ids above the high-water mark are ours.
async fn take_task_ids<C: ConnectionTrait>(db: &C, count: usize) -> AppResult<Vec<i64>> {
    if count == 0 {
        return Ok(Vec::new());
    }
    let wanted = i64::try_from(count)
        .map_err(|_| AppError::Internal(anyhow::anyhow!("{count} ids asked for")))?;
    let backend = db.get_database_backend();
    if backend != DbBackend::Postgres {
        let high = db
            .query_one_raw(Statement::from_string(backend, SQLITE_TASK_HIGH_WATER))
            .await?
            .map(|row| row.try_get::<Option<i64>>("", "m"))
            .transpose()?
            .flatten()
            .unwrap_or(0);
        return Ok((1..=wanted).map(|i| high + i).collect());
    }
    let runs = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            POSTGRES_TASK_IDS,
            ["check_task".into(), wanted.into()],
        ))
        .await?;
    let mut ids = Vec::with_capacity(count);
    for run in runs {
        let (lo, hi): (i64, i64) = (run.try_get("", "lo")?, run.try_get("", "hi")?);
        ids.extend(lo..=hi);
    }
    if ids.len() != count {
        return Err(AppError::Internal(anyhow::anyhow!(
            "asked check_task for {count} ids, got {}",
            ids.len()
        )));
    }
    Ok(ids)
}

/// A PostgreSQL `bigint[]` parameter.
fn big_ints(values: impl Iterator<Item = i64>) -> Value {
    Value::Array(
        ArrayType::BigInt,
        Some(Box::new(values.map(|v| Value::BigInt(Some(v))).collect())),
    )
}

/// A PostgreSQL `smallint[]` parameter.
fn small_ints(values: impl Iterator<Item = i16>) -> Value {
    Value::Array(
        ArrayType::SmallInt,
        Some(Box::new(values.map(|v| Value::SmallInt(Some(v))).collect())),
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

/// A team member as the statement unpacks it: task, inspector, role, position.
#[derive(Serialize)]
struct MemberRow(i64, i64, &'static str, i16);

/// The columns a draw's task rows fill, in the order both engines' statements
/// give them: a new task is assigned, unscored, not overdue, not yet started.
macro_rules! insert_tasks {
    ($source:literal) => {
        concat!(
            "INSERT INTO check_task (id, draw_id, target_kind, enterprise_id, department_id, \
             region_code, due_at, status, score, overdue, started_at, submitted_at, reviewed_at, \
             published_at, created_at, updated_at) ",
            $source
        )
    };
}

/// PostgreSQL takes the rows as bound arrays (ids, targets, regions), sent and
/// read in binary.
const INSERT_TASKS_POSTGRES: &str = insert_tasks!(
    "SELECT u.id, $4, $5, CASE WHEN $5 = 'enterprise' THEN u.target END, \
     CASE WHEN $5 = 'department' THEN u.target END, u.region, $6, $7, \
     NULL, FALSE, NULL, NULL, NULL, NULL, $8, $8 \
     FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS u(id, target, region)"
);

const INSERT_TASKS_SQLITE: &str = insert_tasks!(
    "SELECT value ->> 0, $2, $3, value ->> 1, value ->> 2, value ->> 3, $4, $5, \
     NULL, FALSE, NULL, NULL, NULL, NULL, $6, $6 \
     FROM json_each($1)"
);

macro_rules! insert_members {
    ($source:literal) => {
        concat!(
            "INSERT INTO task_inspector (task_id, inspector_id, role, position) ",
            $source
        )
    };
}

/// The role follows from the position (0 is the lead) rather than travelling as text.
const INSERT_MEMBERS_POSTGRES: &str = insert_members!(
    "SELECT u.task, u.inspector, CASE WHEN u.position = 0 THEN $4 ELSE $5 END, u.position \
     FROM unnest($1::bigint[], $2::bigint[], $3::smallint[]) AS u(task, inspector, position)"
);

const INSERT_MEMBERS_SQLITE: &str =
    insert_members!("SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each($1)");

/// Writes the tasks in draw order with their teams; returns each task's id.
///
/// # Errors
/// When the database refuses a statement.
pub async fn write_tasks<C: ConnectionTrait>(
    db: &C,
    common: TaskCommon,
    tasks: &[NewTask<'_>],
) -> AppResult<Vec<i64>> {
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    let task_ids = take_task_ids(db, tasks.len()).await?;
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
    let members = member_rows(tasks, &task_ids);
    if db.get_database_backend() == DbBackend::Postgres {
        write_postgres(db, common, &task_rows, tasks, members).await?;
    } else {
        write_sqlite(db, common, &task_rows, &members).await?;
    }
    Ok(task_ids)
}

/// Every team member of `tasks`, whose ids are `task_ids`, lead first.
fn member_rows(tasks: &[NewTask<'_>], task_ids: &[i64]) -> Vec<MemberRow> {
    let mut rows = Vec::with_capacity(tasks.iter().map(|t| t.inspector_ids.len()).sum());
    for (t, &task_id) in tasks.iter().zip(task_ids) {
        for (position, &inspector_id) in (0_i16..).zip(t.inspector_ids) {
            let role = if position == 0 {
                InspectorRole::Lead
            } else {
                InspectorRole::Member
            };
            rows.push(MemberRow(task_id, inspector_id, role.as_str(), position));
        }
    }
    rows
}

async fn write_postgres<C: ConnectionTrait>(
    db: &C,
    common: TaskCommon,
    task_rows: &[TaskRow<'_>],
    tasks: &[NewTask<'_>],
    members: Vec<MemberRow>,
) -> AppResult<()> {
    let task_values = vec![
        big_ints(task_rows.iter().map(|r| r.0)),
        big_ints(tasks.iter().map(|t| t.target_id)),
        strings(task_rows.iter().map(|r| r.3)),
        common.draw_id.into(),
        common.target_kind.as_str().into(),
        common.due_at.into(),
        TaskStatus::Assigned.as_str().into(),
        common.now.into(),
    ];
    // The team's arrays are built on the blocking pool while the server
    // writes the tasks.
    let any_members = !members.is_empty();
    let building = tokio::task::spawn_blocking(move || {
        vec![
            big_ints(members.iter().map(|r| r.0)),
            big_ints(members.iter().map(|r| r.1)),
            small_ints(members.iter().map(|r| r.3)),
            InspectorRole::Lead.as_str().into(),
            InspectorRole::Member.as_str().into(),
        ]
    });
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        INSERT_TASKS_POSTGRES,
        task_values,
    ))
    .await?;
    let member_values = building.await.map_err(|e| {
        AppError::Internal(anyhow::anyhow!("building the draw's teams failed: {e}"))
    })?;
    if any_members {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            INSERT_MEMBERS_POSTGRES,
            member_values,
        ))
        .await?;
    }
    Ok(())
}

async fn write_sqlite<C: ConnectionTrait>(
    db: &C,
    common: TaskCommon,
    task_rows: &[TaskRow<'_>],
    members: &[MemberRow],
) -> AppResult<()> {
    let backend = db.get_database_backend();
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
    if !members.is_empty() {
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            INSERT_MEMBERS_SQLITE,
            [json_rows(&members)?],
        ))
        .await?;
    }
    Ok(())
}

//! Migrations that reshape existing data keep its meaning:
//!
//! - keying team members by task and inspector keeps every existing team in the
//!   order it was drawn: lead first, then the members in the order of their old ids;
//! - reviewed and published checks get the data-security sums of their findings;
//! - the native keys of tasks and teams (and a task's one target) come back over
//!   the rows already there: every row, index and id counter stays, and a row
//!   that breaks them stops the upgrade without changing anything.
//!
//! Runs on an empty SQLite file, and on an empty PostgreSQL database when
//! `SPOTCHECK_TEST_POSTGRES_URL` is set.

use std::error::Error;

use entities::{
    CreditClass, DepartmentKind, DrawTrigger, EnterpriseStatus, HazardStatus, IndicatorCategory,
    IndicatorSetStatus, Industry, InspectorRole, PlanStatus, RegionLevel, RiskLevel, SeedSource,
    SubjectKind, TaskStatus,
};
use migration::{Migrator, MigratorTrait};
use sea_orm_migration::sea_orm::entity::prelude::*;
use sea_orm_migration::sea_orm::{
    ActiveValue::NotSet, ConnectionTrait, DatabaseConnection, DbBackend, IntoActiveModel,
    QueryOrder, QuerySelect, Statement, Value,
};
use testdb::{Backend, TestDb, both_engines};

/// Inserts a model with a generated id; evaluates to the id.
macro_rules! insert_new {
    ($db:expr, $model:expr) => {{
        let mut active = $model.into_active_model();
        active.id = NotSet;
        active.insert($db).await?.id
    }};
}

type TestResult = Result<(), Box<dyn Error>>;

fn json(text: &str) -> Result<Json, Box<dyn Error>> {
    Ok(text.parse()?)
}

#[both_engines]
async fn existing_teams_keep_their_order(backend: Backend) -> TestResult {
    let test_db = TestDb::empty(backend).await;
    teams_keep_their_order(&test_db.connect().await).await
}

#[both_engines]
async fn existing_tasks_keep_their_rows_under_native_keys(backend: Backend) -> TestResult {
    let test_db = TestDb::empty(backend).await;
    tasks_keep_their_rows_under_native_keys(&test_db.connect().await).await
}

#[both_engines]
async fn reviewed_checks_get_their_data_security_sums(backend: Backend) -> TestResult {
    let test_db = TestDb::empty(backend).await;
    data_security_sums_are_filled_in(&test_db.connect().await).await
}

#[both_engines]
async fn existing_draws_get_the_seed_source_their_record_shows_in_the_upgrade(
    backend: Backend,
) -> TestResult {
    let test_db = TestDb::empty(backend).await;
    existing_draws_get_the_seed_source_their_record_shows(&test_db.connect().await).await
}

/// Draws of before: one seeded from text, one scheduled, one by hand. Their
/// sources become `public_text`, `random` and `unrecorded`, and the new
/// constraints hold from then on.
async fn existing_draws_get_the_seed_source_their_record_shows(
    db: &DatabaseConnection,
) -> TestResult {
    let backend = db.get_database_backend();
    Migrator::up(
        db,
        Some(position_of("m20261208_000001_add_draw_seed_source")?),
    )
    .await?;
    let (task, _) = one_task(db).await?;
    let task_row = entities::check_task::Entity::find_by_id(task)
        .one(db)
        .await?
        .ok_or("the task")?;
    let by_hand = task_row.draw_id;
    let plan: i64 = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            "SELECT plan_id FROM draw WHERE id = $1",
            [by_hand.into()],
        ))
        .await?
        .ok_or("the draw")?
        .try_get("", "plan_id")?;
    let now = DateTimeUtc::from_timestamp(1_796_000_000, 0).ok_or("a valid time")?;
    let from_text = old_draw(
        db,
        plan,
        Some("2026-12-01 双色球"),
        DrawTrigger::Manual,
        now,
    )
    .await?;
    let scheduled = old_draw(db, plan, None, DrawTrigger::Cron, now).await?;

    Migrator::up(db, None).await?;

    for (draw, source) in [
        (from_text, SeedSource::PublicText),
        (scheduled, SeedSource::Random),
        (by_hand, SeedSource::Unrecorded),
    ] {
        let stored = entities::draw::Entity::find_by_id(draw)
            .one(db)
            .await?
            .ok_or("the draw")?;
        assert_eq!(stored.seed_source, source, "{backend:?}: draw {draw}");
        assert_eq!(stored.seed_reason, None, "{backend:?}: draw {draw}");
        assert_eq!(stored.announcement_id, None, "{backend:?}: draw {draw}");
    }
    for (what, sql) in [
        (
            "a given seed without a reason",
            "UPDATE draw SET seed_source = 'given' WHERE id = $1",
        ),
        (
            "a seed text on a random seed",
            "UPDATE draw SET seed_source = 'random' WHERE id = $1",
        ),
        (
            "an unknown source",
            "UPDATE draw SET seed_source = 'chosen' WHERE id = $1",
        ),
        (
            "an announcement that does not exist",
            "UPDATE draw SET announcement_id = 999 WHERE id = $1",
        ),
    ] {
        let refused = db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [from_text.into()],
            ))
            .await;
        assert!(refused.is_err(), "{backend:?}: {what} is refused");
    }
    Ok(())
}

#[both_engines]
async fn listed_hazards_and_entered_holidays_keep_their_meaning(backend: Backend) -> TestResult {
    let test_db = TestDb::empty(backend).await;
    hazards_and_holidays_keep_their_meaning(&test_db.connect().await).await
}

/// How many migrations come before the one named.
fn position_of(name: &str) -> Result<u32, Box<dyn Error>> {
    let position = Migrator::migrations()
        .iter()
        .position(|m| m.name() == name)
        .ok_or("the migration is listed")?;
    Ok(u32::try_from(position)?)
}

/// A copy of a check in another state; its id.
async fn check_like(db: &DatabaseConnection, task: i64, status: &str) -> Result<i64, DbErr> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "INSERT INTO check_task (draw_id, target_kind, enterprise_id, region_code, due_at, \
             status, overdue, reviewed_at, created_at, updated_at) \
             SELECT draw_id, target_kind, enterprise_id, region_code, due_at, $2, overdue, \
             due_at, created_at, updated_at FROM check_task WHERE id = $1 RETURNING id",
            [task.into(), status.into()],
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotInserted)?;
    row.try_get("", "id")
}

/// Migrates to just before the change, writes checks in several states with
/// findings on data-security and other indicators, and migrates the rest of the way.
async fn data_security_sums_are_filled_in(db: &DatabaseConnection) -> TestResult {
    let backend = db.get_database_backend();
    Migrator::up(
        db,
        Some(position_of("m20261207_000003_check_task_data_security")?),
    )
    .await?;
    let (published, _) = one_task(db).await?;
    let reviewed = check_like(db, published, "reviewed").await?;
    let in_progress = check_like(db, published, "in_progress").await?;
    let other_only = check_like(db, published, "published").await?;
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        "UPDATE check_task SET status = 'published', reviewed_at = due_at WHERE id = $1",
        [published.into()],
    ))
    .await?;
    let now = DateTimeUtc::from_timestamp(1_796_000_000, 0).ok_or("a valid time")?;
    let set = insert_new!(
        db,
        entities::indicator_set::Model {
            id: 0,
            code: "DS".to_owned(),
            version: 1,
            name: "数据安全抽查事项".to_owned(),
            status: IndicatorSetStatus::Active,
            superseded_by: None,
            created_at: now,
            updated_at: now,
        }
    );
    let mut indicators = Vec::new();
    for (code, category, max_points, weight) in [
        ("DS-A", IndicatorCategory::DataSecurity, 10.0, 1.0),
        ("DS-B", IndicatorCategory::DataSecurity, 20.0, 3.0),
        ("DS-0", IndicatorCategory::DataSecurity, 10.0, 0.0),
        ("HZ-A", IndicatorCategory::HazardManagement, 5.0, 1.0),
    ] {
        indicators.push(insert_new!(
            db,
            entities::indicator::Model {
                id: 0,
                set_id: set,
                code: code.to_owned(),
                name: code.to_owned(),
                legal_basis: "《中华人民共和国数据安全法》".to_owned(),
                category,
                max_points,
                weight,
                applies_to: SubjectKind::Enterprise,
            }
        ));
    }
    let [ds_a, ds_b, ds_zero, hazard] = indicators[..] else {
        return Err("four indicators".into());
    };
    for (task, indicator, points, superseded) in [
        (published, ds_a, 2.0, true),
        (published, ds_a, 8.0, false),
        (published, ds_b, 25.0, false), // above its maximum: counts as 20
        (published, ds_zero, 5.0, false),
        (published, hazard, 1.0, false),
        (reviewed, ds_b, -4.0, false), // below zero: counts as 0
        (reviewed, ds_a, 5.0, false),
        (in_progress, ds_a, 9.0, false),
        (other_only, hazard, 4.0, false),
    ] {
        // Columns added after this migration are left out: they do not exist yet.
        let mut finding = entities::finding::Model {
            id: 0,
            task_id: task,
            indicator_id: indicator,
            points,
            compliant: true,
            description: "检查记录".to_owned(),
            hazard_grade: None,
            rectify_by: None,
            created_by: None,
            created_at: now,
            superseded,
            updated_at: None,
            withdrawn_at: None,
        }
        .into_active_model();
        finding.id = NotSet;
        finding.updated_at = NotSet;
        finding.withdrawn_at = NotSet;
        entities::finding::Entity::insert(finding)
            .exec_without_returning(db)
            .await?;
    }
    Migrator::up(db, None).await?;
    let sums: Vec<(i64, Option<f64>, Option<f64>)> = entities::check_task::Entity::find()
        .select_only()
        .columns([
            entities::check_task::Column::Id,
            entities::check_task::Column::DataSecuritySum,
            entities::check_task::Column::DataSecurityWeight,
        ])
        .order_by_asc(entities::check_task::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let close = |got: Option<f64>, expected: f64| got.is_some_and(|g| (g - expected).abs() < 1e-9);
    let of = |task: i64| sums.iter().find(|(id, _, _)| *id == task).copied();
    // 1·8/10 + 3·20/20 = 3.8 over weight 1 + 3 = 4 (DS-0 weighs nothing, HZ-A is
    // not data security, the first DS-A finding was recorded again).
    let (_, sum, weight) = of(published).ok_or("the published check")?;
    assert!(
        close(sum, 3.8) && close(weight, 4.0),
        "{backend:?}: {sums:?}"
    );
    // 3·0/20 + 1·5/10 = 0.5 over 4.
    let (_, sum, weight) = of(reviewed).ok_or("the reviewed check")?;
    assert!(
        close(sum, 0.5) && close(weight, 4.0),
        "{backend:?}: {sums:?}"
    );
    // Not reviewed, or nothing on data security: nothing to settle.
    for task in [in_progress, other_only] {
        assert_eq!(of(task), Some((task, None, None)), "{backend:?}");
    }
    Ok(())
}

/// The columns `hazard_item` had when the native keys came back; later
/// migrations add more, which the tables compared before them do not have.
const HAZARD_COLUMNS: [entities::hazard_item::Column; 11] = {
    use entities::hazard_item::Column as C;
    [
        C::Id,
        C::EnterpriseId,
        C::Code,
        C::Description,
        C::Grade,
        C::FoundOn,
        C::RectifyBy,
        C::RectifiedOn,
        C::TaskId,
        C::CreatedAt,
        C::UpdatedAt,
    ]
};

/// What the native keys must not change: every task, team member, hazard and
/// publication, the indexes of `check_task` and the next task id.
#[derive(Debug, PartialEq)]
struct TaskTables {
    tasks: Vec<entities::check_task::Model>,
    members: Vec<entities::task_inspector::Model>,
    hazards: Vec<Json>,
    publications: Vec<entities::publication::Model>,
    indexes: Vec<String>,
    next_task_id: i64,
}

async fn task_tables(db: &DatabaseConnection) -> Result<TaskTables, Box<dyn Error>> {
    let backend = db.get_database_backend();
    let indexes = match backend {
        DbBackend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'check_task' \
             ORDER BY name"
        }
        _ => {
            "SELECT indexname::text AS name FROM pg_indexes WHERE tablename = 'check_task' ORDER BY 1"
        }
    };
    let indexes = db
        .query_all_raw(Statement::from_string(backend, indexes))
        .await?
        .iter()
        .map(|row| row.try_get::<String>("", "name"))
        .collect::<Result<_, DbErr>>()?;
    // The id the next task would get, read without taking it.
    let next = match backend {
        DbBackend::Sqlite => {
            "SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM sqlite_sequence WHERE name = 'check_task'"
        }
        _ => {
            "SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END AS next \
             FROM check_task_id_seq"
        }
    };
    let next_task_id = db
        .query_one_raw(Statement::from_string(backend, next))
        .await?
        .ok_or("a row")?
        .try_get("", "next")?;
    Ok(TaskTables {
        tasks: entities::check_task::Entity::find()
            .order_by_asc(entities::check_task::Column::Id)
            .all(db)
            .await?,
        members: entities::task_inspector::Entity::find()
            .order_by_asc(entities::task_inspector::Column::TaskId)
            .order_by_asc(entities::task_inspector::Column::Position)
            .all(db)
            .await?,
        hazards: entities::hazard_item::Entity::find()
            .select_only()
            .columns(HAZARD_COLUMNS)
            .order_by_asc(entities::hazard_item::Column::Id)
            .into_json()
            .all(db)
            .await?,
        publications: entities::publication::Entity::find().all(db).await?,
        indexes,
        next_task_id,
    })
}

async fn execute(db: &DatabaseConnection, sql: &str, values: Vec<Value>) -> Result<(), DbErr> {
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .await
    .map(|_| ())
}

/// The foreign keys of `check_task` and `task_inspector` as the catalog lists
/// them, each with whether the rows already there were checked (always on SQLite).
async fn task_keys(db: &DatabaseConnection) -> Result<Vec<(String, bool)>, Box<dyn Error>> {
    let backend = db.get_database_backend();
    if backend == DbBackend::Sqlite {
        let mut keys = Vec::new();
        for table in ["check_task", "task_inspector"] {
            for row in db
                .query_all_raw(Statement::from_string(
                    backend,
                    format!("SELECT \"from\" AS column FROM pragma_foreign_key_list('{table}')"),
                ))
                .await?
            {
                keys.push((
                    format!("fk_{table}_{}", row.try_get::<String>("", "column")?),
                    true,
                ));
            }
        }
        keys.sort();
        return Ok(keys);
    }
    Ok(db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT conname::text AS name, convalidated AS checked FROM pg_constraint \
             WHERE contype = 'f' AND conrelid IN ('check_task'::regclass, 'task_inspector'::regclass) \
             ORDER BY 1",
        ))
        .await?
        .iter()
        .map(|row| Ok((row.try_get("", "name")?, row.try_get("", "checked")?)))
        .collect::<Result<_, DbErr>>()?)
}

/// The key triggers and their functions left on PostgreSQL (none on SQLite).
async fn key_triggers(db: &DatabaseConnection) -> Result<i64, Box<dyn Error>> {
    if db.get_database_backend() == DbBackend::Sqlite {
        return Ok(0);
    }
    Ok(db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT (SELECT COUNT(*) FROM pg_trigger WHERE tgname LIKE 'spotcheck\\_%' \
                     OR tgname LIKE 'guard\\_fk\\_%') \
                  + (SELECT COUNT(*) FROM pg_proc WHERE proname LIKE 'spotcheck\\_%') AS n",
        ))
        .await?
        .ok_or("a row")?
        .try_get("", "n")?)
}

/// A task of both an enterprise and a department, like `task` otherwise.
async fn two_target_task(db: &DatabaseConnection, task: i64) -> Result<(), DbErr> {
    execute(
        db,
        "INSERT INTO check_task (draw_id, target_kind, enterprise_id, department_id, \
         region_code, due_at, status, overdue, created_at, updated_at) \
         SELECT draw_id, target_kind, enterprise_id, (SELECT MIN(id) FROM department), \
         region_code, due_at, status, overdue, created_at, updated_at FROM check_task WHERE id = $1",
        vec![task.into()],
    )
    .await
}

/// Migrates to just before the keys come back, writes tasks with teams, a
/// hazard and a publication (and takes one task id that is then given back),
/// migrates the rest of the way, and finds every row as it was, under the keys.
/// Down again the database accepts a task of two targets, which then stops the
/// upgrade until it is gone.
async fn tasks_keep_their_rows_under_native_keys(db: &DatabaseConnection) -> TestResult {
    let backend = db.get_database_backend();
    let before = position_of("m20261207_200001_restore_draw_foreign_keys")?;
    let from_it = u32::try_from(Migrator::migrations().len())? - before;
    Migrator::up(db, Some(before)).await?;
    let (task, inspectors) = one_task(db).await?;
    let second = check_like(db, task, "published").await?;
    for (position, inspector) in inspectors.iter().enumerate() {
        execute(
            db,
            "INSERT INTO task_inspector (task_id, inspector_id, role, position) \
             VALUES ($1, $2, $3, $4)",
            vec![
                task.into(),
                (*inspector).into(),
                if position == 0 { "lead" } else { "member" }.into(),
                i16::try_from(position)?.into(),
            ],
        )
        .await?;
    }
    let now = DateTimeUtc::from_timestamp(1_796_000_000, 0).ok_or("a valid time")?;
    execute(
        db,
        "INSERT INTO hazard_item (enterprise_id, code, description, grade, found_on, rectify_by, \
         task_id, created_at, updated_at) \
         SELECT enterprise_id, 'YH-001', '储罐区可燃气体报警器失效', 'general', '2026-11-30', \
         '2026-12-30', id, $2, $2 FROM check_task WHERE id = $1",
        vec![task.into(), now.into()],
    )
    .await?;
    execute(
        db,
        "INSERT INTO publication (task_id, region_code, target_name, check_date, \
         inspector_badges, result, hazards, published_at) \
         VALUES ($1, '110000', '北京某某化工有限公司', '2026-11-30', '[]', '合格', '[]', $2)",
        vec![second.into(), now.into()],
    )
    .await?;
    let given_back = check_like(db, task, "assigned").await?;
    execute(
        db,
        "DELETE FROM check_task WHERE id = $1",
        vec![given_back.into()],
    )
    .await?;
    let written = task_tables(db).await?;

    Migrator::up(db, None).await?;
    assert_eq!(task_tables(db).await?, written, "{backend:?}");
    let keys = [
        "fk_check_task_department_id",
        "fk_check_task_draw_id",
        "fk_check_task_enterprise_id",
        "fk_check_task_region_code",
        "fk_task_inspector_inspector_id",
        "fk_task_inspector_task_id",
    ]
    .map(|name| (name.to_owned(), true));
    assert_eq!(task_keys(db).await?, keys.to_vec(), "{backend:?}");
    assert_eq!(key_triggers(db).await?, 0, "{backend:?}: triggers left");
    assert!(
        two_target_task(db, task).await.is_err(),
        "{backend:?}: a task of two targets"
    );
    // PostgreSQL's sequence does not give back the id the refused row took.
    let written = task_tables(db).await?;

    // Down: PostgreSQL checks its keys with triggers again, and a task may
    // name two targets, which the way back up refuses.
    Migrator::down(db, Some(from_it)).await?;
    assert_eq!(task_tables(db).await?, written, "{backend:?}: down");
    if backend == DbBackend::Postgres {
        assert!(task_keys(db).await?.is_empty(), "keys left after down");
        assert!(key_triggers(db).await? > 0, "triggers back after down");
    }
    two_target_task(db, task).await?;
    let with_it = task_tables(db).await?;
    assert!(
        Migrator::up(db, None).await.is_err(),
        "{backend:?}: up over a task of two targets"
    );
    assert_eq!(
        task_tables(db).await?,
        with_it,
        "{backend:?}: nothing changed"
    );
    execute(
        db,
        "DELETE FROM check_task WHERE department_id IS NOT NULL",
        vec![],
    )
    .await?;
    Migrator::up(db, None).await?;
    // The task of two targets took an id.
    let expected = TaskTables {
        next_task_id: with_it.next_task_id,
        ..written
    };
    assert_eq!(task_tables(db).await?, expected, "{backend:?}: up again");
    Ok(())
}

/// Migrates to just before the change, writes a team whose lead has the
/// highest old id, migrates the rest of the way and reads the team back.
async fn teams_keep_their_order(db: &DatabaseConnection) -> TestResult {
    let before = position_of("m20261207_000001_task_inspector_natural_key")?;
    let from_it = u32::try_from(Migrator::migrations().len())? - before;
    Migrator::up(db, Some(before)).await?;
    let (task, inspectors) = one_task(db).await?;
    let backend = db.get_database_backend();
    // Old ids 10 and 20 for the members, 30 for the lead, a second task's
    // member in between: the order is lead first, then by old id, per task.
    for (id, inspector, role) in [
        (20, inspectors[2], "member"),
        (30, inspectors[0], "lead"),
        (10, inspectors[1], "member"),
    ] {
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO task_inspector (id, task_id, inspector_id, role) VALUES ($1, $2, $3, $4)",
            [id.into(), task.into(), inspector.into(), role.into()],
        ))
        .await?;
    }

    Migrator::up(db, None).await?;
    let team: Vec<(i64, InspectorRole, i16)> = entities::task_inspector::Entity::find()
        .filter(entities::task_inspector::Column::TaskId.eq(task))
        .order_by_asc(entities::task_inspector::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.inspector_id, m.role, m.position))
        .collect();
    assert_eq!(
        team,
        vec![
            (inspectors[0], InspectorRole::Lead, 0),
            (inspectors[1], InspectorRole::Member, 1),
            (inspectors[2], InspectorRole::Member, 2),
        ],
        "{backend:?}"
    );

    // The pair is the key now: the same inspector twice on one task is refused.
    let twice = db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO task_inspector (task_id, inspector_id, role, position) \
             VALUES ($1, $2, 'member', 3)",
            [task.into(), inspectors[1].into()],
        ))
        .await;
    assert!(
        twice.is_err(),
        "{backend:?}: a second row for the same pair"
    );

    // And back down: the surrogate ids return in team order.
    Migrator::down(db, Some(from_it)).await?;
    let ids: Vec<(i64, i64)> = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT id, inspector_id FROM task_inspector ORDER BY id",
        ))
        .await?
        .iter()
        .map(|row| Ok((row.try_get("", "id")?, row.try_get("", "inspector_id")?)))
        .collect::<Result<_, DbErr>>()?;
    assert_eq!(
        ids.iter()
            .map(|(_, inspector)| *inspector)
            .collect::<Vec<_>>(),
        inspectors.to_vec(),
        "{backend:?}"
    );
    Ok(())
}

/// A draw as written before seed provenance was recorded; its id.
async fn old_draw(
    db: &DatabaseConnection,
    plan: i64,
    seed_text: Option<&str>,
    trigger: DrawTrigger,
    now: DateTimeUtc,
) -> Result<i64, Box<dyn Error>> {
    let mut draw = entities::draw::Model {
        id: 0,
        plan_id: plan,
        seed: 42,
        seed_text: seed_text.map(str::to_owned),
        seed_source: SeedSource::Unrecorded,
        seed_reason: None,
        announcement_id: None,
        algorithm: "stratified-v1".to_owned(),
        params: json(r#"{}"#)?,
        population_size: 1,
        population_sha256: "cd".repeat(32),
        population_snapshot: Vec::new(),
        unassigned: json(r#"[]"#)?,
        trigger,
        actor_user_id: None,
        created_at: now,
        superseded_by: None,
        supersede_reason: None,
    }
    .into_active_model();
    // Written before the migrations that add these columns.
    draw.id = NotSet;
    draw.seed_source = NotSet;
    draw.seed_reason = NotSet;
    draw.announcement_id = NotSet;
    Ok(entities::draw::Entity::insert(draw)
        .exec(db)
        .await?
        .last_insert_id)
}

/// One region, department, enterprise, plan, draw and task, and three
/// inspectors: the task's id and the inspectors' ids.
async fn one_task(db: &DatabaseConnection) -> Result<(i64, [i64; 3]), Box<dyn Error>> {
    let now = DateTimeUtc::from_timestamp(1_796_000_000, 0).ok_or("a valid time")?;
    entities::region::Model {
        code: "110000".to_owned(),
        name: "北京市".to_owned(),
        level: RegionLevel::Province,
        parent_code: None,
        created_at: now,
        updated_at: now,
    }
    .into_active_model()
    .insert(db)
    .await?;
    let department = insert_new!(
        db,
        entities::department::Model {
            id: 0,
            code: "BJ-YJJ".to_owned(),
            name: "北京市应急管理局".to_owned(),
            kind: DepartmentKind::EmergencyManagement,
            region_code: Some("110000".to_owned()),
            parent_id: None,
            created_at: now,
            updated_at: now,
        }
    );
    let enterprise = insert_new!(
        db,
        entities::enterprise::Model {
            id: 0,
            credit_code: "91110000100000000X".to_owned(),
            name: "北京某某化工有限公司".to_owned(),
            industry: Industry::HazardousChemicals,
            region_code: "110000".to_owned(),
            risk_level: RiskLevel::High,
            credit_class: CreditClass::B,
            key_supervision: false,
            status: EnterpriseStatus::Active,
            created_at: now,
            updated_at: now,
        }
    );
    let mut inspectors = [0; 3];
    for (n, id) in inspectors.iter_mut().enumerate() {
        *id = insert_new!(
            db,
            entities::inspector::Model {
                id: 0,
                badge_no: format!("BJ-00{n}"),
                name: format!("检查员{n}"),
                department_id: department,
                region_code: "110000".to_owned(),
                industries: json(r#"["hazardous_chemicals"]"#)?,
                active: true,
                user_id: None,
                created_at: now,
                updated_at: now,
            }
        );
    }
    let plan = insert_new!(
        db,
        entities::check_plan::Model {
            id: 0,
            name: "2026 危化品双随机".to_owned(),
            target_kind: SubjectKind::Enterprise,
            region_prefixes: json(r#"["11"]"#)?,
            industries: json(r#"[]"#)?,
            risk_levels: json(r#"[]"#)?,
            key_only: false,
            ratios: json(r#"{"high": 1.0}"#)?,
            min_per_stratum: 0,
            key_all: false,
            uniform_share: 0.0,
            department_ids: json(r#"[]"#)?,
            inspectors_per_task: 3,
            require_qualification: false,
            cooldown_days: 0,
            cron: None,
            due_days: 30,
            indicator_set_id: None,
            status: PlanStatus::Active,
            owner_department_id: Some(department),
            created_by: None,
            created_at: now,
            updated_at: now,
        }
    );
    let draw = old_draw(db, plan, None, DrawTrigger::Manual, now).await?;
    let mut task = entities::check_task::Model {
        id: 0,
        draw_id: draw,
        target_kind: SubjectKind::Enterprise,
        enterprise_id: Some(enterprise),
        department_id: None,
        region_code: "110000".to_owned(),
        due_at: now,
        status: TaskStatus::Assigned,
        score: None,
        overdue: false,
        started_at: None,
        submitted_at: None,
        reviewed_at: None,
        published_at: None,
        data_security_sum: None,
        data_security_weight: None,
        created_at: now,
        updated_at: now,
    }
    .into_active_model();
    // Written before the migrations that add these columns.
    task.id = NotSet;
    task.data_security_sum = NotSet;
    task.data_security_weight = NotSet;
    let task = entities::check_task::Entity::insert(task)
        .exec(db)
        .await?
        .last_insert_id;
    Ok((task, inspectors))
}

#[both_engines]
async fn existing_notes_reports_and_recomputations_carry_over(backend: Backend) -> TestResult {
    let test_db = TestDb::empty(backend).await;
    notes_reports_and_recomputations_carry_over(&test_db.connect().await).await
}

/// Runs one statement with `now` as `$1`.
async fn exec(db: &DatabaseConnection, sql: &str, now: DateTimeUtc) -> Result<(), DbErr> {
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        [now.into()],
    ))
    .await?;
    Ok(())
}

/// A history entry as compared: item, actor id, actor, from, to, text.
type Step<'a> = (i64, Option<i64>, &'a str, &'a str, &'a str, Option<&'a str>);

/// Migrates to just before the reporting and accountability changes, writes
/// what earlier versions wrote — an incident and its report, items with notes
/// (moved through the API and so audited, written by hand, written by the
/// system), recomputations by a user, the command line and the nightly job —
/// and migrates the rest of the way.
async fn notes_reports_and_recomputations_carry_over(db: &DatabaseConnection) -> TestResult {
    Migrator::up(
        db,
        Some(position_of(
            "m20261208_450001_add_incident_report_backfill",
        )?),
    )
    .await?;
    let now = DateTimeUtc::from_timestamp(1_796_000_000, 0).ok_or("a valid time")?;
    for sql in [
        "INSERT INTO region (code, name, level, parent_code, created_at, updated_at) \
         VALUES ('130000', '河北省', 'province', NULL, $1, $1)",
        "INSERT INTO department (id, code, name, kind, region_code, parent_id, created_at, updated_at) \
         VALUES (1, 'HB', '河北省应急管理厅', 'emergency_management', '130000', NULL, $1, $1)",
        "INSERT INTO \"user\" (id, username, password_hash, role, department_id, active, \
         failed_logins, locked_until, created_at, updated_at) \
         VALUES (7, 'hb-sup', 'x', 'supervisor', 1, TRUE, 0, NULL, $1, $1)",
        "INSERT INTO incident (id, department_id, region_code, occurred_at, kind, deaths, \
         serious_injuries, economic_loss_yuan, stated_severity, derived_severity, summary, \
         created_by, created_at, updated_at) VALUES (1, 1, '130000', $1, 'accident', 3, 0, 0, \
         'ordinary', 'relatively_serious', '事故', NULL, $1, $1)",
        "INSERT INTO incident_report (id, incident_id, stage, reported_at, direct, deaths, \
         serious_injuries, economic_loss_yuan, summary, created_by, created_at) \
         VALUES (1, 1, 'initial', $1, FALSE, 3, 0, 0, '初报', NULL, $1)",
        "INSERT INTO accountability_item (id, period, subject_kind, subject_id, region_code, \
         reason, evidence_kind, evidence_id, status, note, created_at, updated_at) VALUES \
         (1, '2026-11', 'department', 1, '130000', 'report_late', 'incident', 1, 'closed', \
          '[acknowledged] 已收到\n[closed] 已约谈', $1, $1), \
         (2, '2026-11', 'department', 1, '130000', 'direct_report_missing', 'incident', 1, \
          'acknowledged', '[acknowledged] 手工记录', $1, $1), \
         (3, '2026-11', 'department', 1, '130000', 'publication_overdue', 'task', 9, 'open', \
          'reviewed on 2026-10-01, due for publication by 2026-10-29', $1, $1), \
         (4, '2026-11', 'department', 1, '130000', 'grade_fail', 'score', 9, 'open', NULL, $1, $1)",
        "INSERT INTO audit_log (id, at, actor_user_id, actor, role, action, object_kind, \
         object_id, result, source_addr, detail, prev_hash, hash) VALUES \
         (1, $1, 7, 'hb-sup', 'supervisor', 'accountability.update', 'accountability_item', '1', \
          'ok', NULL, '{\"from\":\"open\",\"to\":\"acknowledged\",\"note\":\"已收到\"}', '', 'a'), \
         (2, $1, 7, 'hb-sup', 'supervisor', 'accountability.update', 'accountability_item', '1', \
          'ok', NULL, '{\"from\":\"acknowledged\",\"to\":\"closed\",\"note\":\"已约谈\"}', 'a', 'b'), \
         (3, $1, 7, 'hb-sup', 'supervisor', 'score.recompute', 'score', '2026', 'ok', NULL, \
          '{\"departments\":3,\"enterprises\":4,\"changed\":7}', 'b', 'c'), \
         (4, $1, NULL, 'system', 'admin', 'score.recompute', 'score', '2026', 'ok', NULL, \
          '{\"departments\":3,\"enterprises\":4,\"changed\":0}', 'c', 'd')",
        "INSERT INTO job_run (id, job_name, fire_time, instance, started_at, finished_at, outcome, \
         message, lease_until, taken_over_from) \
         VALUES (1, 'scores.nightly', $1, 'i', $1, $1, 'ok', NULL, NULL, NULL)",
    ] {
        exec(db, sql, now).await?;
    }
    // The nightly run covers the recomputations at `now`; one an hour later was
    // the command line's.
    let later = DateTimeUtc::from_timestamp(1_796_003_600, 0).ok_or("a valid time")?;
    exec(
        db,
        "INSERT INTO audit_log (id, at, actor_user_id, actor, role, action, object_kind, \
         object_id, result, source_addr, detail, prev_hash, hash) VALUES \
         (5, $1, NULL, 'system', 'admin', 'score.recompute', 'score', '2026-11', 'ok', NULL, \
          '{\"departments\":3,\"enterprises\":4,\"changed\":1}', 'd', 'e')",
        later,
    )
    .await?;
    Migrator::up(db, None).await?;

    let incident = entities::incident::Entity::find_by_id(1_i64)
        .one(db)
        .await?
        .ok_or("the incident")?;
    assert_eq!(
        incident.derived_severity_at_creation,
        entities::Severity::RelativelySerious,
        "judged as before"
    );
    let report = entities::incident_report::Entity::find_by_id(1_i64)
        .one(db)
        .await?
        .ok_or("the report")?;
    assert!(!report.backfilled && report.stated_severity.is_none());
    assert_eq!(
        report.derived_severity,
        entities::Severity::RelativelySerious
    );

    let entries = entities::accountability_entry::Entity::find()
        .order_by_asc(entities::accountability_entry::Column::Id)
        .all(db)
        .await?;
    let steps: Vec<Step<'_>> = entries
        .iter()
        .map(|e| {
            (
                e.item_id,
                e.actor_id,
                e.actor.as_str(),
                e.from_status.as_str(),
                e.to_status.as_str(),
                e.text.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            (1, Some(7), "hb-sup", "open", "acknowledged", Some("已收到")),
            (
                1,
                Some(7),
                "hb-sup",
                "acknowledged",
                "closed",
                Some("已约谈")
            ),
            (2, None, "unknown", "open", "acknowledged", Some("手工记录")),
            (
                3,
                None,
                "system",
                "open",
                "open",
                Some("reviewed on 2026-10-01, due for publication by 2026-10-29")
            ),
        ],
        "audited steps with their user, notes line by line, nothing for an item without"
    );
    assert_eq!(entries[0].role.as_deref(), Some("supervisor"));

    let computed = entities::score_computation::Entity::find()
        .order_by_asc(entities::score_computation::Column::Period)
        .all(db)
        .await?;
    let latest: Vec<(&str, &str, entities::ComputeTrigger, i64)> = computed
        .iter()
        .map(|c| {
            (
                c.period.as_str(),
                c.computed_by.as_str(),
                c.trigger,
                c.changed,
            )
        })
        .collect();
    assert_eq!(
        latest,
        vec![
            ("2026", "system", entities::ComputeTrigger::Schedule, 0),
            ("2026-11", "system", entities::ComputeTrigger::Command, 1),
        ],
        "each period's latest recomputation, and how it ran"
    );

    // Down writes the notes back from the history.
    Migrator::down(
        db,
        Some(
            u32::try_from(Migrator::migrations().len())?
                - position_of("m20261208_450005_drop_accountability_item_note")?,
        ),
    )
    .await?;
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT note FROM accountability_item WHERE id = 1",
        ))
        .await?
        .ok_or("item 1")?;
    let note: String = row.try_get("", "note")?;
    assert_eq!(note, "[acknowledged] 已收到\n[closed] 已约谈");
    Ok(())
}

/// The holiday rows as `(date, name, kind)`, in date order.
async fn holidays(db: &DatabaseConnection) -> Result<Vec<(String, String, String)>, DbErr> {
    db.query_all_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT CAST(date AS TEXT) AS date, name, kind FROM holiday ORDER BY date",
    ))
    .await?
    .iter()
    .map(|row| {
        Ok((
            row.try_get("", "date")?,
            row.try_get("", "name")?,
            row.try_get("", "kind")?,
        ))
    })
    .collect()
}

/// Hazards listed with a rectification day become `rectified`, the others
/// `open`; the shipped calendars fill in around days entered before, which
/// stay as they were, also when the calendars are taken out again.
async fn hazards_and_holidays_keep_their_meaning(db: &DatabaseConnection) -> TestResult {
    let backend = db.get_database_backend();
    let before = position_of("m20261208_400001_add_hazard_item_status")?;
    Migrator::up(db, Some(before)).await?;
    let (task, _) = one_task(db).await?;
    // SQLite keeps dates as text; PostgreSQL is told the text is a date.
    let date = |n: u8| match backend {
        DbBackend::Postgres => format!("CAST(${n} AS DATE)"),
        _ => format!("${n}"),
    };
    for (code, rectified_on) in [("YH-001", None), ("YH-002", Some("2026-12-10"))] {
        let insert = format!(
            "INSERT INTO hazard_item (enterprise_id, code, description, grade, found_on, \
             rectify_by, rectified_on, task_id, created_at, updated_at) \
             SELECT enterprise_id, $2, '隐患', 'general', '2026-11-30', '2026-12-30', \
             {}, id, due_at, due_at FROM check_task WHERE id = $1",
            date(3)
        );
        execute(
            db,
            &insert,
            vec![task.into(), code.into(), rectified_on.into()],
        )
        .await?;
    }
    for (day, name, kind) in [
        ("2026-10-01", "国庆节（本地录入）", "holiday"),
        ("2026-09-27", "本地调休", "workday"),
    ] {
        let insert = format!(
            "INSERT INTO holiday (date, name, kind) VALUES ({}, $2, $3)",
            date(1)
        );
        execute(db, &insert, vec![day.into(), name.into(), kind.into()]).await?;
    }

    Migrator::up(db, None).await?;
    let statuses: Vec<(String, HazardStatus)> = entities::hazard_item::Entity::find()
        .select_only()
        .columns([
            entities::hazard_item::Column::Code,
            entities::hazard_item::Column::Status,
        ])
        .order_by_asc(entities::hazard_item::Column::Code)
        .into_tuple()
        .all(db)
        .await?;
    assert_eq!(
        statuses,
        [
            ("YH-001".to_owned(), HazardStatus::Open),
            ("YH-002".to_owned(), HazardStatus::Rectified),
        ],
        "{backend:?}"
    );
    let days = holidays(db).await?;
    let day = |date: &str| days.iter().find(|(d, _, _)| d == date).cloned();
    let row = |d: &str, n: &str, k: &str| Some((d.to_owned(), n.to_owned(), k.to_owned()));
    assert_eq!(
        day("2026-10-01"),
        row("2026-10-01", "国庆节（本地录入）", "holiday"),
        "{backend:?}"
    );
    assert_eq!(
        day("2026-09-27"),
        row("2026-09-27", "本地调休", "workday"),
        "{backend:?}"
    );
    assert_eq!(
        day("2026-10-02"),
        row("2026-10-02", "国庆节", "holiday"),
        "{backend:?}"
    );
    assert_eq!(
        day("2026-09-20"),
        row("2026-09-20", "国庆节调休上班", "workday"),
        "{backend:?}"
    );
    assert_eq!(
        days.len(),
        33 + 39,
        "{backend:?}: both years, with the two days entered in place of shipped ones"
    );

    let after = u32::try_from(Migrator::migrations().len())? - before;
    Migrator::down(db, Some(after)).await?;
    assert_eq!(
        holidays(db).await?,
        [
            (
                "2026-09-27".to_owned(),
                "本地调休".to_owned(),
                "workday".to_owned()
            ),
            (
                "2026-10-01".to_owned(),
                "国庆节（本地录入）".to_owned(),
                "holiday".to_owned()
            ),
        ],
        "{backend:?}: only the shipped days go"
    );
    Ok(())
}

//! The migrations build a schema that fits the entities, and take it down again.
//!
//! Runs on an empty SQLite file, and on an empty PostgreSQL database when
//! `SPOTCHECK_TEST_POSTGRES_URL` is set.

use std::collections::BTreeSet;
use std::error::Error;

use entities::{
    CreditClass, DepartmentKind, DrawTrigger, EnterpriseStatus, HazardGrade, HazardStatus,
    HazardStep, HolidayKind, Industry, PlanStatus, RegionLevel, RiskLevel, Role, SeedSource,
    SubjectKind,
};
use migration::{Migrator, MigratorTrait};
use sea_orm_migration::sea_orm::entity::prelude::*;
use sea_orm_migration::sea_orm::{
    ActiveValue::{NotSet, Set},
    ConnectionTrait, DatabaseConnection, DbBackend, IntoActiveModel, Statement,
};
use testdb::{Backend, TestDb, both_engines};

type TestResult = Result<(), Box<dyn Error>>;

/// Every table the migrations create, one per entity.
const TABLES: &[&str] = &[
    "accountability_entry",
    "accountability_item",
    "audit_log",
    "check_plan",
    "check_task",
    "conflict",
    "department",
    "draw",
    "draw_announcement",
    "enterprise",
    "finding",
    "hazard_item",
    "hazard_step",
    "holiday",
    "incident",
    "incident_report",
    "indicator",
    "indicator_set",
    "inspector",
    "job_run",
    "login_failure",
    "publication",
    "region",
    "risk_item",
    "score",
    "score_computation",
    "self_assessment",
    "self_assessment_item",
    "session",
    "task_inspector",
    "user",
];

#[both_engines]
async fn migrations_fit_the_entities(backend: Backend) -> TestResult {
    let test_db = TestDb::empty(backend).await;
    exercise(&test_db.connect().await).await
}

/// Up, check, down, check, and up again: both directions work and leave nothing behind.
async fn exercise(db: &DatabaseConnection) -> TestResult {
    Migrator::up(db, None).await?;
    assert_all_tables(db).await?;
    assert_eq!(
        Migrator::get_pending_migrations(db).await?.len(),
        0,
        "nothing is pending after up"
    );
    every_entity_reads(db).await?;
    rows_round_trip(db).await?;
    constraints_hold(db).await?;

    Migrator::down(db, None).await?;
    let left: Vec<String> = table_names(db)
        .await?
        .into_iter()
        .filter(|table| TABLES.contains(&table.as_str()))
        .collect();
    assert!(left.is_empty(), "tables left after down: {left:?}");

    Migrator::up(db, None).await?;
    assert_all_tables(db).await?;
    every_entity_reads(db).await?;
    Ok(())
}

async fn assert_all_tables(db: &DatabaseConnection) -> TestResult {
    let present = table_names(db).await?;
    let missing: Vec<&str> = TABLES
        .iter()
        .copied()
        .filter(|table| !present.contains(*table))
        .collect();
    assert!(missing.is_empty(), "tables missing after up: {missing:?}");
    Ok(())
}

async fn table_names(db: &DatabaseConnection) -> Result<BTreeSet<String>, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table'",
        _ => "SELECT tablename::text AS name FROM pg_tables WHERE schemaname = current_schema()",
    };
    db.query_all_raw(Statement::from_string(backend, sql))
        .await?
        .iter()
        .map(|row| row.try_get::<String>("", "name"))
        .collect()
}

/// Selecting every column of every entity proves each column exists with a type it decodes.
async fn every_entity_reads(db: &DatabaseConnection) -> Result<(), DbErr> {
    macro_rules! find_all {
        ($($module:ident),+ $(,)?) => {
            $( entities::$module::Entity::find().all(db).await?; )+
        };
    }
    find_all!(
        accountability_entry,
        accountability_item,
        audit_log,
        check_plan,
        check_task,
        conflict,
        department,
        draw,
        draw_announcement,
        enterprise,
        finding,
        hazard_item,
        hazard_step,
        holiday,
        incident,
        incident_report,
        indicator,
        indicator_set,
        inspector,
        job_run,
        login_failure,
        publication,
        region,
        risk_item,
        score,
        score_computation,
        self_assessment,
        self_assessment_item,
        session,
        task_inspector,
        user,
    );
    Ok(())
}

/// Inserts `$model` through its active model and asserts that it reads back equal.
///
/// With `auto_id` the row is inserted without an id and compared with the id it got.
macro_rules! round_trip {
    ($db:expr, $module:ident, $model:expr, auto_id) => {{
        let model: entities::$module::Model = $model;
        let mut active = model.clone().into_active_model();
        active.id = NotSet;
        let inserted = active.insert($db).await?;
        let expected = entities::$module::Model {
            id: inserted.id,
            ..model
        };
        assert_eq!(
            inserted, expected,
            concat!(stringify!($module), " as inserted")
        );
        let read = entities::$module::Entity::find_by_id(inserted.id)
            .one($db)
            .await?;
        assert_eq!(
            read,
            Some(expected),
            concat!(stringify!($module), " as read back")
        );
        inserted
    }};
    ($db:expr, $module:ident, $model:expr, key = $key:ident) => {{
        let model: entities::$module::Model = $model;
        let inserted = model.clone().into_active_model().insert($db).await?;
        assert_eq!(
            inserted, model,
            concat!(stringify!($module), " as inserted")
        );
        let read = entities::$module::Entity::find_by_id(model.$key.clone())
            .one($db)
            .await?;
        assert_eq!(
            read,
            Some(model),
            concat!(stringify!($module), " as read back")
        );
        inserted
    }};
}

fn at(rfc3339: &str) -> Result<DateTimeUtc, Box<dyn Error>> {
    Ok(rfc3339.parse()?)
}

fn json(text: &str) -> Result<Json, Box<dyn Error>> {
    Ok(text.parse()?)
}

async fn rows_round_trip(db: &DatabaseConnection) -> TestResult {
    let now = at("2026-11-29T08:30:15.123456Z")?;
    let user = organisation_rows(db, now).await?;
    log_rows(db, now, &user).await?;
    draw_rows(db, now, &user).await?;
    hazard_rows(db, now, &user).await?;
    holiday_row(db).await
}

/// Regions, a department, an enterprise and a user of that department.
async fn organisation_rows(
    db: &DatabaseConnection,
    now: DateTimeUtc,
) -> Result<entities::user::Model, Box<dyn Error>> {
    let province = round_trip!(
        db,
        region,
        entities::region::Model {
            code: "110000".to_owned(),
            name: "北京市".to_owned(),
            level: RegionLevel::Province,
            parent_code: None,
            created_at: now,
            updated_at: now,
        },
        key = code
    );
    round_trip!(
        db,
        region,
        entities::region::Model {
            code: "110100".to_owned(),
            name: "市辖区".to_owned(),
            level: RegionLevel::City,
            parent_code: Some(province.code.clone()),
            created_at: now,
            updated_at: now,
        },
        key = code
    );
    let department = round_trip!(
        db,
        department,
        entities::department::Model {
            id: 0,
            code: "BJ-YJJ".to_owned(),
            name: "北京市应急管理局".to_owned(),
            kind: DepartmentKind::EmergencyManagement,
            region_code: Some(province.code.clone()),
            parent_id: None,
            created_at: now,
            updated_at: now,
        },
        auto_id
    );
    round_trip!(
        db,
        enterprise,
        entities::enterprise::Model {
            id: 0,
            credit_code: "91110000100000000X".to_owned(),
            name: "北京某某化工有限公司".to_owned(),
            industry: Industry::HazardousChemicals,
            region_code: "110100".to_owned(),
            risk_level: RiskLevel::High,
            credit_class: CreditClass::B,
            key_supervision: true,
            status: EnterpriseStatus::Active,
            created_at: now,
            updated_at: now,
        },
        auto_id
    );
    let user = round_trip!(
        db,
        user,
        entities::user::Model {
            id: 0,
            username: "zhang.wei".to_owned(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo".to_owned(),
            role: Role::Supervisor,
            department_id: Some(department.id),
            active: true,
            must_change_password: true,
            created_at: now,
            updated_at: now,
        },
        auto_id
    );
    Ok(user)
}

async fn log_rows(
    db: &DatabaseConnection,
    now: DateTimeUtc,
    user: &entities::user::Model,
) -> TestResult {
    round_trip!(
        db,
        audit_log,
        entities::audit_log::Model {
            id: 0,
            at: now,
            actor_user_id: Some(user.id),
            actor: user.username.clone(),
            role: Some("supervisor".to_owned()),
            action: "draw.create".to_owned(),
            object_kind: "draw".to_owned(),
            object_id: Some("1".to_owned()),
            result: "ok".to_owned(),
            source_addr: Some("127.0.0.1".to_owned()),
            detail: r#"{"plan_id":1}"#.to_owned(),
            prev_hash: "0".repeat(64),
            hash: "ab".repeat(32),
            key_id: Some("k1".to_owned()),
        },
        auto_id
    );
    round_trip!(
        db,
        job_run,
        entities::job_run::Model {
            id: 0,
            job_name: "scores.recompute".to_owned(),
            fire_time: at("2026-12-01T00:00:00Z")?,
            instance: "host-a:4242".to_owned(),
            started_at: at("2026-12-01T00:00:00.250Z")?,
            finished_at: None,
            outcome: "running".to_owned(),
            message: None,
            lease_until: Some(at("2026-12-01T00:01:00.250Z")?),
            taken_over_from: Some("host-c:7:00ff".to_owned()),
        },
        auto_id
    );
    Ok(())
}

/// A plan and a draw of it: JSON columns, a blob and a seed above `i64::MAX`.
async fn draw_rows(
    db: &DatabaseConnection,
    now: DateTimeUtc,
    user: &entities::user::Model,
) -> TestResult {
    let department_id = user.department_id.ok_or("the user has a department")?;
    let plan = round_trip!(
        db,
        check_plan,
        entities::check_plan::Model {
            id: 0,
            name: "2026 危化品双随机".to_owned(),
            target_kind: SubjectKind::Enterprise,
            region_prefixes: json(r#"["11"]"#)?,
            industries: json(r#"["hazardous_chemicals"]"#)?,
            risk_levels: json("[]")?,
            key_only: false,
            ratios: json(r#"{"key": 1.0, "other": 0.05}"#)?,
            min_per_stratum: 1,
            key_all: true,
            uniform_share: 0.25,
            department_ids: json(&format!("[{department_id}]"))?,
            inspectors_per_task: 2,
            require_qualification: true,
            cooldown_days: 365,
            cron: Some("0 0 2 1 * *".to_owned()),
            due_days: 30,
            indicator_set_id: None,
            status: PlanStatus::Active,
            owner_department_id: Some(department_id),
            created_by: Some(user.id),
            created_at: now,
            updated_at: now,
        },
        auto_id
    );
    let announcement = round_trip!(
        db,
        draw_announcement,
        entities::draw_announcement::Model {
            id: 0,
            plan_id: plan.id,
            seed_rule: "2026年12月1日双色球开奖号码".to_owned(),
            params: json(r#"{"ratios": {"high": 0.07}, "plan": {"name": "计划"}}"#)?,
            population_size: 1,
            population_sha256: "cd".repeat(32),
            population_snapshot: vec![0x78, 0x9c, 0x03, 0x00],
            actor_user_id: Some(user.id),
            announced_at: now,
            withdrawn_at: None,
            withdraw_reason: None,
        },
        auto_id
    );
    round_trip!(
        db,
        draw,
        entities::draw::Model {
            id: 0,
            plan_id: plan.id,
            // A u64 seed above i64::MAX, by its bit pattern.
            seed: i64::MIN + 12_345,
            seed_text: Some("2026-12-01 公证抽签".to_owned()),
            seed_source: SeedSource::PublicText,
            seed_reason: None,
            announcement_id: Some(announcement.id),
            algorithm: "stratified-v1".to_owned(),
            params: json(
                r#"{"ratios": {"key": 1.0}, "min_per_stratum": 1, "nested": [1, "a", null]}"#
            )?,
            population_size: 1,
            population_sha256: "cd".repeat(32),
            population_snapshot: vec![0x1f, 0x8b, 0x08, 0x00, 0x00, 0xff, 0x7f, 0x80],
            unassigned: json(r#"[{"target": 7, "why": "no qualified inspector"}]"#)?,
            trigger: DrawTrigger::Manual,
            actor_user_id: Some(user.id),
            created_at: now,
            superseded_by: None,
            supersede_reason: None,
        },
        auto_id
    );
    Ok(())
}

/// A hazard on the enterprise's list, rectified and verified, with its history.
async fn hazard_rows(
    db: &DatabaseConnection,
    now: DateTimeUtc,
    user: &entities::user::Model,
) -> TestResult {
    let enterprise = entities::enterprise::Entity::find()
        .one(db)
        .await?
        .ok_or("an enterprise")?;
    let hazard = round_trip!(
        db,
        hazard_item,
        entities::hazard_item::Model {
            id: 0,
            enterprise_id: enterprise.id,
            code: "YH-2026-001".to_owned(),
            description: "液氯储罐区可燃气体报警器失效".to_owned(),
            grade: HazardGrade::Major,
            found_on: Date::from_ymd_opt(2026, 11, 2).ok_or("bad date")?,
            rectify_by: Date::from_ymd_opt(2026, 11, 30).ok_or("bad date")?,
            rectified_on: Some(Date::from_ymd_opt(2026, 11, 20).ok_or("bad date")?),
            status: HazardStatus::Verified,
            verified_at: Some(now),
            task_id: None,
            created_at: now,
            updated_at: now,
            withdrawn_at: None,
        },
        auto_id
    );
    round_trip!(
        db,
        hazard_step,
        entities::hazard_step::Model {
            id: 0,
            hazard_id: hazard.id,
            step: HazardStep::Rectify,
            note: Some("更换报警器并联动测试".to_owned()),
            rectified_on: hazard.rectified_on,
            user_id: Some(user.id),
            created_at: now,
        },
        auto_id
    );
    Ok(())
}

/// A day entered by hand, and the national calendar the migrations ship.
async fn holiday_row(db: &DatabaseConnection) -> TestResult {
    let national_day =
        entities::holiday::Entity::find_by_id(Date::from_ymd_opt(2026, 10, 1).ok_or("bad date")?)
            .one(db)
            .await?;
    assert_eq!(
        national_day.map(|d| (d.name, d.kind)),
        Some(("国庆节".to_owned(), HolidayKind::Holiday)),
        "the 2026 calendar is shipped"
    );
    round_trip!(
        db,
        holiday,
        entities::holiday::Model {
            date: Date::from_ymd_opt(2030, 10, 1).ok_or("bad date")?,
            name: "国庆节".to_owned(),
            kind: HolidayKind::Holiday,
        },
        key = date
    );
    Ok(())
}

/// The keys the application relies on.
async fn constraints_hold(db: &DatabaseConnection) -> TestResult {
    a_job_fire_is_claimed_once(db).await?;
    audit_ids_never_go_back(db).await?;
    sessions_go_with_their_user(db).await
}

async fn a_job_fire_is_claimed_once(db: &DatabaseConnection) -> TestResult {
    // `rows_round_trip` has claimed this fire already, from host-a.
    let claim = entities::job_run::ActiveModel {
        job_name: Set("scores.recompute".to_owned()),
        fire_time: Set(at("2026-12-01T00:00:00Z")?),
        instance: Set("host-b:4242".to_owned()),
        started_at: Set(at("2026-12-01T00:00:00.300Z")?),
        outcome: Set("running".to_owned()),
        ..Default::default()
    };
    assert!(
        claim.insert(db).await.is_err(),
        "a second claim of the same job fire is refused"
    );
    Ok(())
}

async fn audit_ids_never_go_back(db: &DatabaseConnection) -> TestResult {
    use entities::audit_log;

    let entry = |hash: &str| -> Result<audit_log::ActiveModel, Box<dyn Error>> {
        Ok(audit_log::ActiveModel {
            at: Set(at("2026-11-29T09:00:00Z")?),
            actor: Set("system".to_owned()),
            action: Set("test".to_owned()),
            object_kind: Set("none".to_owned()),
            result: Set("ok".to_owned()),
            detail: Set(String::new()),
            prev_hash: Set("0".repeat(64)),
            hash: Set(hash.to_owned()),
            ..Default::default()
        })
    };
    let newest = entry("x")?.insert(db).await?;
    audit_log::Entity::delete_by_id(newest.id).exec(db).await?;
    let next = entry("y")?.insert(db).await?;
    assert!(
        next.id > newest.id,
        "audit ids keep increasing after the newest entry is removed ({} after {})",
        next.id,
        newest.id
    );
    Ok(())
}

async fn sessions_go_with_their_user(db: &DatabaseConnection) -> TestResult {
    use entities::{session, user};

    let now = at("2026-11-29T09:00:00Z")?;
    let leaving = user::ActiveModel {
        username: Set("leaving".to_owned()),
        password_hash: Set("x".to_owned()),
        role: Set(Role::Leader),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    session::ActiveModel {
        user_id: Set(leaving.id),
        token_sha256: Set("ef".repeat(32)),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    user::Entity::delete_by_id(leaving.id).exec(db).await?;
    let left = session::Entity::find()
        .filter(session::Column::UserId.eq(leaving.id))
        .count(db)
        .await?;
    assert_eq!(left, 0, "a user's sessions are deleted with the user");
    Ok(())
}

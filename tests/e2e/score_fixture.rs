//! A small fixed data set whose scores are worked out by hand in `scores.rs`.
//!
//! 河北 (HB, province 130000) and 北京 (BJ, province 110000) emergency-management
//! departments, and 石家庄 (HBC, city 130100) under 河北; enterprises E1, E2 in
//! 长安区 (130102) and E3, E4 in 东城区 (110101). Departments, enterprises,
//! indicator sets, self-assessments and incidents go through the API; the
//! inspectors, plan, draw, check tasks, findings and hazards (which come from the
//! draw, not built here) are written straight to the database, and so are the
//! incidents' reports: they were filed in 2025, and the API stamps a report with
//! the time it receives it.

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    DrawTrigger, HazardGrade, InspectorRole, PlanStatus, ReportStage, Role, SubjectKind,
    TaskStatus, check_plan, check_task, draw, finding, hazard_item, incident, incident_report,
    inspector, task_inspector,
};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, DatabaseConnection, EntityTrait as _};
use serde_json::{Value, json};
use spotcheck_tests::{IndicatorSet, Page, TestApp, credit_code};

/// An instant from RFC 3339 text.
pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("rfc 3339")
        .with_timezone(&Utc)
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

/// Ids and tokens of the arranged data.
pub struct Fixture {
    /// National administrator.
    pub admin: String,
    /// 河北 province department.
    pub hb: i64,
    /// 北京 province department.
    pub bj: i64,
    /// 石家庄 city department.
    pub hbc: i64,
    /// Enterprises E1 to E4.
    pub e: [i64; 4],
    /// HB's and BJ's submitted self-assessments for 2025.
    pub assessments: (i64, i64),
    /// Incidents I1, I2 (HB) and I3 (HBC).
    pub incidents: [i64; 3],
    /// The overdue task T6 and its two inspectors.
    pub overdue_task: (i64, [i64; 2]),
    /// Hazards H1 (E1, open), H4 (E3, rectified late).
    pub hazards: (i64, i64),
    /// Tokens: a 河北 department user and a 北京 one.
    pub hb_user: String,
    /// 北京 department user.
    pub bj_user: String,
}

/// The score rows of a period, as `GET /api/v1/scores` lists them to `token`.
pub async fn score_rows(app: &TestApp, token: &str, period: &str) -> Vec<Value> {
    let path = format!("/api/v1/scores?period={period}&page_size=500");
    app.get_ok::<Page>(&path, token).await.items
}

/// An indicator body.
pub fn indicator(code: &str, category: &str, max: f64, weight: f64, applies_to: &str) -> Value {
    json!({"code": code, "name": code, "legal_basis": "《中华人民共和国数据安全法》第二十七条",
           "category": category, "max_points": max, "weight": weight, "applies_to": applies_to})
}

async fn submitted_assessment(
    app: &TestApp,
    token: &str,
    set: i64,
    points: [(i64, f64); 3],
) -> i64 {
    let items: Vec<Value> = points
        .iter()
        .map(|(i, p)| json!({"indicator_id": i, "points": p}))
        .collect();
    let body = json!({"period": "2025", "indicator_set_id": set, "items": items});
    let assessment = app.create_id("/api/v1/self-assessments", token, body).await;
    let path = format!("/api/v1/self-assessments/{assessment}/submit");
    let (status, body) = app.post(&path, token, json!({})).await;
    assert_eq!(status, StatusCode::OK, "submit: {body}");
    assessment
}

/// A report as filed in the past through the ordinary path.
#[derive(Debug, Clone)]
pub struct Filed {
    /// Initial, follow-up or final.
    pub stage: ReportStage,
    /// When the server received it.
    pub at: &'static str,
    /// 直报.
    pub direct: bool,
    /// Deaths, with 2 serious injuries and 500,000 yuan: a complete report
    /// (with its summary); `None` gives no figures.
    pub deaths: Option<i32>,
    /// What it says.
    pub summary: &'static str,
}

/// A complete initial report (all four figures and a summary), received at `at`.
pub fn initial(at: &'static str, direct: bool, deaths: i32) -> Filed {
    Filed {
        stage: ReportStage::Initial,
        at,
        direct,
        deaths: Some(deaths),
        summary: "初报",
    }
}

/// A final report with no figures, received at `at`.
pub fn last(at: &'static str) -> Filed {
    Filed {
        stage: ReportStage::Final,
        at,
        direct: false,
        deaths: None,
        summary: "终报",
    }
}

/// Reports an incident through the API and stores its reports as the server
/// stored them when it received them at their times (their figures are the
/// incident's, so they change nothing); returns its id.
pub async fn incident(app: &TestApp, token: &str, body: Value, reports: &[Filed]) -> i64 {
    let id = app.create_id("/api/v1/incidents", token, body).await;
    let stored = incident::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .expect("read incident")
        .expect("the incident");
    for report in reports {
        let received = at(report.at);
        incident_report::ActiveModel {
            incident_id: Set(id),
            stage: Set(report.stage),
            reported_at: Set(received),
            direct: Set(report.direct),
            deaths: Set(report.deaths),
            serious_injuries: Set(report.deaths.map(|_| 2)),
            economic_loss_yuan: Set(report.deaths.map(|_| 500_000)),
            summary: Set(Some(report.summary.to_owned())),
            stated_severity: Set(None),
            derived_severity: Set(stored.derived_severity),
            backfilled: Set(false),
            backfill_reason: Set(None),
            backfill_evidence: Set(None),
            created_by: Set(stored.created_by),
            created_at: Set(received),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .expect("report");
    }
    id
}

/// One check task, as the draw and the task lifecycle would leave it.
pub struct Task {
    /// Enterprise or department.
    pub target: (SubjectKind, i64),
    /// Where.
    pub region: &'static str,
    /// State.
    pub status: TaskStatus,
    /// Due.
    pub due_at: &'static str,
    /// Reviewed.
    pub reviewed_at: Option<&'static str>,
    /// Published.
    pub published_at: Option<&'static str>,
    /// Score set on review.
    pub score: Option<f64>,
}

/// Writes a plan and a draw for tasks to hang from; returns the draw's id.
pub async fn draw(db: &DatabaseConnection, owner: i64) -> i64 {
    let now = Utc::now();
    let plan = check_plan::ActiveModel {
        name: Set("测试计划".to_owned()),
        target_kind: Set(SubjectKind::Enterprise),
        region_prefixes: Set(json!([])),
        industries: Set(json!([])),
        risk_levels: Set(json!([])),
        key_only: Set(false),
        ratios: Set(json!({})),
        min_per_stratum: Set(0),
        key_all: Set(false),
        uniform_share: Set(0.2),
        department_ids: Set(json!([])),
        inspectors_per_task: Set(2),
        require_qualification: Set(false),
        cooldown_days: Set(0),
        cron: Set(None),
        due_days: Set(30),
        indicator_set_id: Set(None),
        status: Set(PlanStatus::Active),
        owner_department_id: Set(Some(owner)),
        created_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("plan");
    draw::ActiveModel {
        plan_id: Set(plan.id),
        seed: Set(1),
        seed_text: Set(None),
        algorithm: Set("test".to_owned()),
        params: Set(json!({})),
        population_size: Set(0),
        population_sha256: Set(String::new()),
        population_snapshot: Set(Vec::new()),
        unassigned: Set(json!([])),
        trigger: Set(DrawTrigger::Manual),
        actor_user_id: Set(None),
        created_at: Set(now),
        superseded_by: Set(None),
        supersede_reason: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("draw")
    .id
}

/// Writes a task; returns its id.
pub async fn task(db: &DatabaseConnection, draw_id: i64, t: Task) -> i64 {
    let (kind, target) = t.target;
    check_task::ActiveModel {
        draw_id: Set(draw_id),
        target_kind: Set(kind),
        enterprise_id: Set((kind == SubjectKind::Enterprise).then_some(target)),
        department_id: Set((kind == SubjectKind::Department).then_some(target)),
        region_code: Set(t.region.to_owned()),
        due_at: Set(at(t.due_at)),
        status: Set(t.status),
        score: Set(t.score),
        overdue: Set(false),
        started_at: Set(None),
        submitted_at: Set(t.reviewed_at.map(at)),
        reviewed_at: Set(t.reviewed_at.map(at)),
        published_at: Set(t.published_at.map(at)),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("task")
    .id
}

/// Writes a finding, superseding an earlier one on the same indicator as
/// recording it through the task would, and settles the task's data-security
/// sums as reviewing it with these findings would.
pub async fn finding(db: &DatabaseConnection, task_id: i64, indicator_id: i64, points: f64) {
    use sea_orm::{ColumnTrait as _, QueryFilter as _};
    finding::Entity::update_many()
        .col_expr(
            finding::Column::Superseded,
            sea_orm::sea_query::Expr::value(true),
        )
        .filter(finding::Column::TaskId.eq(task_id))
        .filter(finding::Column::IndicatorId.eq(indicator_id))
        .exec(db)
        .await
        .expect("supersede");
    finding::ActiveModel {
        task_id: Set(task_id),
        indicator_id: Set(indicator_id),
        points: Set(points),
        compliant: Set(true),
        description: Set("检查记录".to_owned()),
        hazard_grade: Set(None),
        rectify_by: Set(None),
        created_by: Set(None),
        created_at: Set(Utc::now()),
        superseded: Set(false),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("finding");
    spotcheck::service::scoring::store::settle_data_security(
        db,
        check_task::Column::Id.eq(task_id),
    )
    .await
    .expect("settle the task's data-security sums");
}

async fn inspector(db: &DatabaseConnection, badge: &str, department: i64, region: &str) -> i64 {
    inspector::ActiveModel {
        badge_no: Set(badge.to_owned()),
        name: Set(badge.to_owned()),
        department_id: Set(department),
        region_code: Set(region.to_owned()),
        industries: Set(json!([])),
        active: Set(true),
        user_id: Set(None),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("inspector")
    .id
}

async fn hazard(
    db: &DatabaseConnection,
    enterprise: i64,
    grade: HazardGrade,
    rectify_by: &str,
    rectified_on: Option<&str>,
) -> i64 {
    hazard_item::ActiveModel {
        enterprise_id: Set(enterprise),
        code: Set(format!("H-{rectify_by}-{grade}")),
        description: Set("隐患".to_owned()),
        grade: Set(grade),
        found_on: Set(day("2025-10-01")),
        rectify_by: Set(day(rectify_by)),
        rectified_on: Set(rectified_on.map(day)),
        task_id: Set(None),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("hazard")
    .id
}

async fn enterprise(app: &TestApp, admin: &str, n: u32, region: &str) -> i64 {
    let body = json!({"credit_code": credit_code(n), "name": format!("E{n}"), "industry": "hazardous_chemicals",
        "region_code": region, "risk_level": "high", "credit_class": "B"});
    app.create_id("/api/v1/enterprises", admin, body).await
}

/// Arranges the whole data set.
pub async fn arrange(app: &TestApp) -> Fixture {
    let admin = app.admin().await;
    let (hb, bj) = app.seed_two_provinces(&admin).await;
    let hbc = json!({"code": "EM-130100", "name": "石家庄市应急管理局", "kind": "emergency_management",
        "region_code": "130100", "parent_id": hb});
    let hbc = app.create_id("/api/v1/departments", &admin, hbc).await;
    let e = [
        enterprise(app, &admin, 1, "130102").await,
        enterprise(app, &admin, 2, "130102").await,
        enterprise(app, &admin, 3, "110101").await,
        enterprise(app, &admin, 4, "110101").await,
    ];
    let IndicatorSet {
        id: dept_set,
        indicators: dept,
    } = app
        .indicator_set(
            &admin,
            "DEPT",
            json!([
                indicator("DS-1", "data_security", 10.0, 2.0, "department"),
                indicator("DS-2", "data_security", 20.0, 1.0, "department"),
                indicator("GOV-1", "other", 10.0, 1.0, "department")
            ]),
        )
        .await;
    let ent = app
        .indicator_set(
            &admin,
            "ENT",
            json!([
                indicator("EDS-1", "data_security", 10.0, 1.0, "enterprise"),
                indicator("EOT-1", "other", 10.0, 1.0, "enterprise")
            ]),
        )
        .await
        .indicators;
    let hb_user = app.token_for("hb-dept", Role::Department, Some(hb)).await;
    let bj_user = app.token_for("bj-dept", Role::Department, Some(bj)).await;
    let hbc_user = app.token_for("hbc-dept", Role::Department, Some(hbc)).await;
    let [ds1, ds2, gov1] = [dept[0], dept[1], dept[2]];
    let assessments = (
        submitted_assessment(
            app,
            &hb_user,
            dept_set,
            [(ds1, 10.0), (ds2, 20.0), (gov1, 10.0)],
        )
        .await,
        submitted_assessment(
            app,
            &bj_user,
            dept_set,
            [(ds1, 8.0), (ds2, 10.0), (gov1, 5.0)],
        )
        .await,
    );
    let incidents = arrange_incidents(app, &hb_user, &hbc_user).await;
    let db = &app.db;
    let d = draw(db, hb).await;
    use SubjectKind::{Department as D, Enterprise as E};
    use TaskStatus::{InProgress, Published};
    let published = |target, region, reviewed, published, score| Task {
        target,
        region,
        status: Published,
        due_at: "2025-12-31T00:00:00Z",
        reviewed_at: Some(reviewed),
        published_at: Some(published),
        score: Some(score),
    };
    let t1 = task(
        db,
        d,
        published(
            (D, hb),
            "130000",
            "2025-11-08T02:00:00Z",
            "2025-11-10T02:00:00Z",
            70.0,
        ),
    )
    .await;
    finding(db, t1, ds1, 1.0).await; // superseded by the next finding on DS-1
    finding(db, t1, ds1, 6.0).await;
    finding(db, t1, ds2, 10.0).await;
    finding(db, t1, gov1, 10.0).await;
    let t2 = task(
        db,
        d,
        published(
            (E, e[0]),
            "130102",
            "2025-11-18T02:00:00Z",
            "2025-11-20T02:00:00Z",
            80.0,
        ),
    )
    .await;
    finding(db, t2, ent[0], 4.0).await;
    finding(db, t2, ent[1], 10.0).await;
    task(
        db,
        d,
        published(
            (E, e[1]),
            "130102",
            "2025-12-04T02:00:00Z",
            "2025-12-05T02:00:00Z",
            90.0,
        ),
    )
    .await;
    task(
        db,
        d,
        published(
            (E, e[2]),
            "110101",
            "2025-10-14T02:00:00Z",
            "2025-10-15T02:00:00Z",
            50.0,
        ),
    )
    .await;
    // The last second of 2025 in China, the last second of 2024, and the first of 2026.
    task(
        db,
        d,
        published(
            (E, e[3]),
            "110101",
            "2025-12-30T02:00:00Z",
            "2025-12-31T15:59:59Z",
            90.0,
        ),
    )
    .await;
    task(
        db,
        d,
        published(
            (E, e[2]),
            "110101",
            "2024-12-30T02:00:00Z",
            "2024-12-31T15:59:59Z",
            0.0,
        ),
    )
    .await;
    task(
        db,
        d,
        published(
            (E, e[3]),
            "110101",
            "2025-12-30T02:00:00Z",
            "2025-12-31T16:00:00Z",
            60.0,
        ),
    )
    .await;
    let t6 = task(
        db,
        d,
        Task {
            target: (E, e[1]),
            region: "130102",
            status: InProgress,
            due_at: "2025-11-25T10:00:00Z",
            reviewed_at: None,
            published_at: None,
            score: None,
        },
    )
    .await;
    let inspectors = [
        inspector(db, "HB-001", hb, "130000").await,
        inspector(db, "HB-002", hb, "130000").await,
    ];
    for (position, inspector_id) in (0_i16..).zip(&inspectors) {
        task_inspector::ActiveModel {
            task_id: Set(t6),
            inspector_id: Set(*inspector_id),
            role: Set(if position == 0 {
                InspectorRole::Lead
            } else {
                InspectorRole::Member
            }),
            position: Set(position),
        }
        .insert(db)
        .await
        .expect("task inspector");
    }
    let h1 = hazard(db, e[0], HazardGrade::Major, "2025-11-30", None).await;
    hazard(
        db,
        e[2],
        HazardGrade::Major,
        "2025-12-01",
        Some("2025-11-28"),
    )
    .await;
    hazard(db, e[3], HazardGrade::General, "2025-12-01", None).await;
    let h4 = hazard(
        db,
        e[2],
        HazardGrade::Major,
        "2025-12-15",
        Some("2025-12-20"),
    )
    .await;
    Fixture {
        admin,
        hb,
        bj,
        hbc,
        e,
        assessments,
        incidents,
        overdue_task: (t6, inspectors),
        hazards: (h1, h4),
        hb_user,
        bj_user,
    }
}

async fn arrange_incidents(app: &TestApp, hb_user: &str, hbc_user: &str) -> [i64; 3] {
    let body = |occurred: &str, deaths: i32, stated: &str| {
        json!({"occurred_at": occurred, "kind": "accident", "region_code": "130102", "deaths": deaths,
               "serious_injuries": 2, "economic_loss_yuan": 500_000, "stated_severity": stated,
               "summary": "事故"})
    };
    // I1, ordinary: the initial report exactly 24 h and the final exactly 30 days after.
    let i1 = incident(
        app,
        hb_user,
        body("2025-11-03T01:00:00Z", 0, "ordinary"),
        &[
            initial("2025-11-04T01:00:00Z", false, 0),
            last("2025-12-03T01:00:00Z"),
        ],
    )
    .await;
    // I2, serious (exactly 10 deaths) but stated relatively serious: the initial
    // report one second after its 60 minutes, not direct, and no final report.
    let i2 = incident(
        app,
        hb_user,
        body("2025-12-10T02:00:00Z", 10, "relatively_serious"),
        &[initial("2025-12-10T03:00:01Z", false, 10)],
    )
    .await;
    // I3, just after midnight on 1 January 2026 in China (16:30 UTC on 31 December).
    let i3 = incident(
        app,
        hbc_user,
        body("2025-12-31T16:30:00Z", 0, "ordinary"),
        &[
            initial("2025-12-31T17:00:00Z", false, 0),
            last("2026-01-15T00:00:00Z"),
        ],
    )
    .await;
    [i1, i2, i3]
}

//! Scale benchmark of the score recomputation (not a timed test).
//!
//! Builds 3,000 regions (30 provinces, 270 cities, 2,700 counties) with one
//! emergency-management department each, 1,000,000 enterprises,
//! 100,000 published checks with 20 findings each (2,000,000 findings, plus a
//! re-recorded finding on every hundredth check), 3,000 self-assessments,
//! 20,000 incidents and 50,000 hazards; then times `recompute` of the year on
//! SQLite and, when `SPOTCHECK_BENCH_POSTGRES_URL` names a server, on a fresh
//! PostgreSQL database next to bare `GROUP BY`s of the same findings.
//!
//! ```sh
//! SPOTCHECK_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!   cargo bench -p spotcheck --bench recompute
//! cargo bench -p spotcheck --bench recompute -- --enterprises 100000 --checks 10000   # smaller
//! ```
//!
//! `--keep` keeps both databases (`spotcheck_bench_kept`, and `bench.db` under
//! the temporary directory's `spotcheck-bench-kept`) and reuses them next time;
//! `--postgres-only` skips SQLite.

#![expect(
    clippy::unwrap_used,
    reason = "benchmark binary: a failure is a failed run"
)]

mod support;

use std::time::{Duration, Instant};

use chrono::{DateTime, Duration as Days, NaiveDate, TimeZone as _, Utc};
use sea_orm::{
    Condition, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
    TransactionTrait,
};
use serde_json::json;
use spotcheck::{
    domain::Period,
    service::{
        Actor,
        scoring::{ScoringRules, recompute_period, store::settle_data_security},
    },
};
use support::{execute, insert, region_codes, regions_and_departments, v};

/// The size of the data set.
#[derive(Debug, Clone, Copy)]
struct Scale {
    enterprises: i64,
    checks: i64,
    findings_per_check: i64,
    /// Keep the databases (fixed names) and reuse them when already loaded.
    keep: bool,
    /// Skip SQLite.
    postgres_only: bool,
}

const PROVINCES: i64 = 30;
const CITIES: i64 = 9;
const COUNTIES: i64 = 10;
const INDICATORS: i64 = 20;
const INCIDENTS: i64 = 20_000;
const HAZARDS: i64 = 50_000;

fn scale() -> Scale {
    let mut scale = Scale {
        enterprises: 1_000_000,
        checks: 100_000,
        findings_per_check: 20,
        keep: false,
        postgres_only: false,
    };
    let args: Vec<String> = std::env::args().collect();
    scale.keep = args.iter().any(|a| a == "--keep");
    scale.postgres_only = args.iter().any(|a| a == "--postgres-only");
    for pair in args.windows(2) {
        let value = pair[1].parse().ok();
        match (pair[0].as_str(), value) {
            ("--enterprises", Some(n)) => scale.enterprises = n,
            ("--checks", Some(n)) => scale.checks = n,
            ("--findings-per-check", Some(n)) => scale.findings_per_check = n,
            _ => {}
        }
    }
    scale
}

fn at(day: i64, seconds: i64) -> DateTime<Utc> {
    // China midnight of 1 January 2026 plus a day offset and seconds.
    Utc.with_ymd_and_hms(2025, 12, 31, 16, 0, 0).unwrap() + Days::days(day) + Days::seconds(seconds)
}

/// Loads the data set; returns the number of findings.
async fn load(db: &DatabaseConnection, scale: Scale) -> u64 {
    let txn = db.begin().await.unwrap();
    let now = Utc::now();
    let regions = region_codes(11..11 + PROVINCES, CITIES, COUNTIES);
    let counties: Vec<String> = regions
        .iter()
        .filter(|r| r.1 == "county")
        .map(|r| r.0.clone())
        .collect();
    regions_and_departments(&txn, &regions, now).await;
    let departments = regions.len() as i64;
    eprintln!("  enterprises…");
    insert(
        &txn,
        "enterprise",
        &[
            "id",
            "credit_code",
            "name",
            "industry",
            "region_code",
            "risk_level",
            "credit_class",
            "key_supervision",
            "status",
            "created_at",
            "updated_at",
        ],
        (1..=scale.enterprises).map(|id| {
            vec![
                v(id),
                v(format!("B{id:017}")),
                v(format!("企业{id}")),
                v("hazardous_chemicals"),
                v(counties[(id as usize) % counties.len()].clone()),
                v("high"),
                v("B"),
                v(id % 10 == 0),
                v("active"),
                v(now),
                v(now),
            ]
        }),
    )
    .await;
    insert(
        &txn,
        "indicator_set",
        &[
            "id",
            "code",
            "version",
            "name",
            "status",
            "created_at",
            "updated_at",
        ],
        [(1, "ENT"), (2, "DEPT")].into_iter().map(|(id, code)| {
            vec![
                v(id as i64),
                v(code),
                v(1),
                v(code),
                v("active"),
                v(now),
                v(now),
            ]
        }),
    )
    .await;
    // Enterprise set: indicators 1..=20, the first 4 data security; department set 21..=40, the first 8.
    insert(
        &txn,
        "indicator",
        &[
            "id",
            "set_id",
            "code",
            "name",
            "legal_basis",
            "category",
            "max_points",
            "weight",
            "applies_to",
        ],
        (1..=2 * INDICATORS).map(|id| {
            let (set, n, kind, ds) = if id <= INDICATORS {
                (1, id, "enterprise", 4)
            } else {
                (2, id - INDICATORS, "department", 8)
            };
            vec![
                v(id),
                v(set),
                v(format!("I-{n:02}")),
                v(format!("指标{n}")),
                v("《安全生产法》"),
                v(if n <= ds { "data_security" } else { "other" }),
                v(5.0 + (n % 3) as f64 * 5.0),
                v(1.0 + (n % 2) as f64),
                v(kind),
            ]
        }),
    )
    .await;
    insert(
        &txn,
        "inspector",
        &[
            "id",
            "badge_no",
            "name",
            "department_id",
            "region_code",
            "industries",
            "active",
            "created_at",
            "updated_at",
        ],
        (1..=2 * departments).map(|id| {
            vec![
                v(id),
                v(format!("BADGE-{id}")),
                v(format!("检查员{id}")),
                v((id - 1) / 2 + 1),
                v(regions[((id - 1) / 2) as usize].0.clone()),
                v(json!([])),
                v(true),
                v(now),
                v(now),
            ]
        }),
    )
    .await;
    insert(
        &txn,
        "check_plan",
        &[
            "id",
            "name",
            "target_kind",
            "region_prefixes",
            "industries",
            "risk_levels",
            "key_only",
            "ratios",
            "min_per_stratum",
            "key_all",
            "uniform_share",
            "department_ids",
            "inspectors_per_task",
            "require_qualification",
            "cooldown_days",
            "due_days",
            "status",
            "owner_department_id",
            "created_at",
            "updated_at",
        ],
        std::iter::once(vec![
            v(1),
            v("bench"),
            v("enterprise"),
            v(json!([])),
            v(json!([])),
            v(json!([])),
            v(false),
            v(json!({})),
            v(0),
            v(false),
            v(0.2),
            v(json!([])),
            v(2),
            v(false),
            v(0),
            v(30),
            v("active"),
            v(1),
            v(now),
            v(now),
        ]),
    )
    .await;
    insert(
        &txn,
        "draw",
        &[
            "id",
            "plan_id",
            "seed",
            "algorithm",
            "params",
            "population_size",
            "population_sha256",
            "population_snapshot",
            "unassigned",
            "trigger",
            "created_at",
        ],
        std::iter::once(vec![
            v(1),
            v(1),
            v(1),
            v("bench"),
            v(json!({})),
            v(0),
            v(""),
            v(Vec::<u8>::new()),
            v(json!([])),
            v("manual"),
            v(now),
        ]),
    )
    .await;
    eprintln!("  checks…");
    // The first `departments` checks are of departments, the rest of every n-th enterprise;
    // one in a hundred is still in progress past its due date.
    let stride = (scale.enterprises / (scale.checks - departments).max(1)).max(1);
    insert(
        &txn,
        "check_task",
        &[
            "id",
            "draw_id",
            "target_kind",
            "enterprise_id",
            "department_id",
            "region_code",
            "due_at",
            "status",
            "score",
            "overdue",
            "submitted_at",
            "reviewed_at",
            "published_at",
            "created_at",
            "updated_at",
        ],
        (1..=scale.checks).map(|id| {
            let (kind, enterprise, department, region) = if id <= departments {
                (
                    "department",
                    None,
                    Some(id),
                    regions[(id - 1) as usize].0.clone(),
                )
            } else {
                let e = ((id - departments - 1) * stride) % scale.enterprises + 1;
                (
                    "enterprise",
                    Some(e),
                    None,
                    counties[(e as usize) % counties.len()].clone(),
                )
            };
            let day = id % 360;
            let late = id % 100 == 7;
            let reviewed = at(day, 3600);
            vec![
                v(id),
                v(1),
                v(kind),
                v(enterprise),
                v(department),
                v(region),
                v(at(day, 0)),
                v(if late { "in_progress" } else { "published" }),
                v(if late {
                    None
                } else {
                    Some(40.0 + (id * 37 % 61) as f64)
                }),
                v(false),
                v(if late { None } else { Some(reviewed) }),
                v(if late { None } else { Some(reviewed) }),
                v(if late {
                    None
                } else {
                    Some(reviewed + Days::days(1))
                }),
                v(now),
                v(now),
            ]
        }),
    )
    .await;
    insert(
        &txn,
        "task_inspector",
        &["task_id", "inspector_id", "role", "position"],
        (1..=scale.checks)
            .filter(|id| id % 100 == 7)
            .flat_map(|id| {
                let inspector = (id % departments) * 2 + 1;
                [
                    vec![v(id), v(inspector), v("lead"), v(0)],
                    vec![v(id), v(inspector + 1), v("member"), v(1)],
                ]
            }),
    )
    .await;
    eprintln!("  findings…");
    let per = scale.findings_per_check;
    let findings = insert(
        &txn,
        "finding",
        &[
            "task_id",
            "indicator_id",
            "points",
            "compliant",
            "description",
            "created_at",
            "superseded",
        ],
        (1..=scale.checks)
            .filter(|id| id % 100 != 7)
            .flat_map(move |task| {
                let base = if task <= departments { INDICATORS } else { 0 };
                let extra = i64::from(task % 100 == 0);
                (0..per + extra).map(move |n| {
                    let indicator = base + (n % INDICATORS) + 1;
                    vec![
                        v(task),
                        v(indicator),
                        v(((task + n) * 7 % 6) as f64),
                        v(true),
                        v("记录"),
                        v(now),
                        // Recorded again later in the same check.
                        v(n + INDICATORS < per + extra),
                    ]
                })
            }),
    )
    .await;
    // The checks were reviewed with these findings: their data-security sums
    // are settled as a review settles them, here all at once.
    let (time, settled) = timed(settle_data_security(&txn, Condition::all())).await;
    let settled = settled.unwrap();
    eprintln!(
        "  settled the data-security sums of {settled} checks in {:.0} ms ({:.1} µs a check)",
        time.as_secs_f64() * 1000.0,
        time.as_secs_f64() * 1e6 / settled.max(1) as f64
    );
    eprintln!("  self-assessments, incidents, hazards…");
    insert(
        &txn,
        "self_assessment",
        &[
            "id",
            "subject_kind",
            "department_id",
            "region_code",
            "period",
            "indicator_set_id",
            "status",
            "submitted_at",
            "created_at",
            "updated_at",
        ],
        (1..=departments).map(|id| {
            vec![
                v(id),
                v("department"),
                v(id),
                v(regions[(id - 1) as usize].0.clone()),
                v("2026"),
                v(2),
                v("submitted"),
                v(now),
                v(now),
                v(now),
            ]
        }),
    )
    .await;
    insert(
        &txn,
        "self_assessment_item",
        &["assessment_id", "indicator_id", "points"],
        (1..=departments).flat_map(|a| {
            (1..=INDICATORS).map(move |n| vec![v(a), v(INDICATORS + n), v(((a + n) % 6) as f64)])
        }),
    )
    .await;
    insert(
        &txn,
        "incident",
        &[
            "id",
            "department_id",
            "region_code",
            "occurred_at",
            "kind",
            "deaths",
            "serious_injuries",
            "economic_loss_yuan",
            "stated_severity",
            "derived_severity",
            "derived_severity_at_creation",
            "summary",
            "created_at",
            "updated_at",
        ],
        (1..=INCIDENTS).map(|id| {
            let department = id % departments + 1;
            let deaths = (id % 13) as i32;
            let derived = spotcheck::domain::severity::derive(deaths.into(), 0, 0);
            vec![
                v(id),
                v(department),
                v(regions[(department - 1) as usize].0.clone()),
                v(at(id % 365, 0)),
                v("accident"),
                v(deaths),
                v(0),
                v(0_i64),
                v("ordinary"),
                v(derived.as_str()),
                v(derived.as_str()),
                v("事故"),
                v(now),
                v(now),
            ]
        }),
    )
    .await;
    insert(
        &txn,
        "incident_report",
        &[
            "incident_id",
            "stage",
            "reported_at",
            "direct",
            "deaths",
            "serious_injuries",
            "economic_loss_yuan",
            "summary",
            "created_at",
        ],
        (1..=INCIDENTS).flat_map(|id| {
            let mut reports = vec![vec![
                v(id),
                v("initial"),
                v(at(id % 365, 60 * (id % 180))),
                v(id % 2 == 0),
                v(Some(0)),
                v(Some(0)),
                v(Some(0_i64)),
                v(Some("初报")),
                v(now),
            ]];
            if id % 5 != 0 {
                reports.push(vec![
                    v(id),
                    v("final"),
                    v(at(id % 365 + 20, 0)),
                    v(false),
                    v(None::<i32>),
                    v(None::<i32>),
                    v(None::<i64>),
                    v(Some("终报")),
                    v(now),
                ]);
            }
            reports
        }),
    )
    .await;
    let day = |n: i64| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Days::days(n);
    insert(
        &txn,
        "hazard_item",
        &[
            "enterprise_id",
            "code",
            "description",
            "grade",
            "found_on",
            "rectify_by",
            "rectified_on",
            "status",
            "created_at",
            "updated_at",
        ],
        (1..=HAZARDS).map(|id| {
            let e = id * 17 % scale.enterprises + 1;
            vec![
                v(e),
                v(format!("H{id}")),
                v("隐患"),
                v(if id % 5 < 2 { "major" } else { "general" }),
                v(day(id % 300)),
                v(day(id % 300 + 30)),
                v(if id % 5 == 0 {
                    None
                } else {
                    Some(day(id % 300 + 10))
                }),
                v(if id % 5 == 0 { "open" } else { "rectified" }),
                v(now),
                v(now),
            ]
        }),
    )
    .await;
    txn.commit().await.unwrap();
    findings
}

async fn timed<F: std::future::Future>(f: F) -> (Duration, F::Output) {
    let started = Instant::now();
    let out = f.await;
    (started.elapsed(), out)
}

/// The aggregations a recomputation is compared with, computed in the server.
const BARE: [(&str, &str); 2] = [
    (
        "GROUP BY task over all findings",
        "SELECT COUNT(*), SUM(s) FROM (SELECT task_id, SUM(points) AS s, COUNT(*) AS n FROM finding GROUP BY task_id) AS g",
    ),
    (
        "GROUP BY subject, findings joined to their checks",
        "SELECT COUNT(*), SUM(s) FROM (SELECT t.target_kind, t.enterprise_id, t.department_id, SUM(f.points) AS s, COUNT(*) AS n \
         FROM finding f JOIN check_task t ON t.id = f.task_id GROUP BY t.target_kind, t.enterprise_id, t.department_id) AS g",
    ),
];

async fn run(name: &str, url: &str, scale: Scale) {
    let db = spotcheck::db::connect(url).await.unwrap();
    let count = Statement::from_string(
        db.get_database_backend(),
        "SELECT COUNT(*) AS n FROM finding",
    );
    let loaded = db
        .query_one_raw(count)
        .await
        .unwrap()
        .and_then(|row| row.try_get::<i64>("", "n").ok())
        .unwrap_or(0);
    if loaded > 0 {
        println!("{name}: reusing {loaded} findings at {url}");
    } else {
        eprintln!("{name}: loading…");
        let (load_time, findings) = timed(load(&db, scale)).await;
        let analyze = if db.get_database_backend() == DbBackend::Postgres {
            "VACUUM ANALYZE"
        } else {
            "ANALYZE"
        };
        execute(&db, analyze).await;
        println!(
            "{name}: loaded {findings} findings, {} enterprises in {:.1} s",
            scale.enterprises,
            load_time.as_secs_f64()
        );
    }
    let rules = ScoringRules::of(&spotcheck::config::Policy::default());
    let period = Period::Year(2026);
    let now = Utc.with_ymd_and_hms(2027, 1, 15, 0, 0, 0).unwrap();
    for round in 1..=3 {
        for (what, sql) in BARE {
            let (time, ()) = timed(execute(&db, sql)).await;
            println!(
                "{name}: round {round}: bare {what}: {:.0} ms",
                time.as_secs_f64() * 1000.0
            );
            if db.get_database_backend() == DbBackend::Postgres {
                // The same query with the settings the recomputation uses.
                let (time, ()) = timed(async {
                    let txn = db.begin().await.unwrap();
                    txn.execute_unprepared("SET LOCAL jit = off").await.unwrap();
                    txn.execute_unprepared("SET LOCAL work_mem = '64MB'")
                        .await
                        .unwrap();
                    txn.execute_unprepared(sql).await.unwrap();
                    txn.commit().await.unwrap();
                })
                .await;
                println!(
                    "{name}: round {round}: bare {what}, jit off, work_mem 64MB: {:.0} ms",
                    time.as_secs_f64() * 1000.0
                );
            }
        }
        let (time, summary) = timed(recompute_period(
            &db,
            &Actor::system(),
            &period,
            &rules,
            now,
            entities::ComputeTrigger::Command,
        ))
        .await;
        let summary = summary.unwrap();
        let raised: u64 = summary.raised.values().sum();
        println!(
            "{name}: round {round}: recompute 2026: {:.0} ms ({} departments, {} enterprises, {} rows written, {raised} items raised)",
            time.as_secs_f64() * 1000.0,
            summary.departments,
            summary.enterprises,
            summary.changed
        );
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // RUST_LOG=info shows each recomputation's steps.
    if std::env::var_os("RUST_LOG").is_some() {
        spotcheck::telemetry::init();
    }
    let scale = scale();
    println!("scale: {scale:?}");
    let suffix = if scale.keep {
        "kept".to_owned()
    } else {
        std::process::id().to_string()
    };
    let dir = std::env::temp_dir().join(format!("spotcheck-bench-{suffix}"));
    if !scale.postgres_only {
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("bench.db");
        run(
            "sqlite",
            &format!("sqlite://{}?mode=rwc", file.display()),
            scale,
        )
        .await;
        if !scale.keep {
            std::fs::remove_dir_all(&dir).ok();
        }
    }
    if let Ok(server) = std::env::var("SPOTCHECK_BENCH_POSTGRES_URL") {
        let name = format!("spotcheck_bench_{suffix}");
        let admin = Database::connect(&server).await.unwrap();
        let created = admin
            .execute_raw(Statement::from_string(
                DbBackend::Postgres,
                format!("CREATE DATABASE {name}"),
            ))
            .await;
        // With --keep, a database that exists is the one to reuse.
        assert!(created.is_ok() || scale.keep, "{created:?}");
        let url = match server.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => format!("{server}/{name}"),
        };
        run("postgres", &url, scale).await;
        if !scale.keep {
            execute(&admin, &format!("DROP DATABASE {name} WITH (FORCE)")).await;
        }
    } else {
        println!("postgres: skipped (set SPOTCHECK_BENCH_POSTGRES_URL to a server URL)");
    }
}

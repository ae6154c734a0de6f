//! Scale benchmark of the whole draw against a database (not a timed test).
//!
//! Builds one province (11 cities, 9 counties each) with one emergency-management
//! department per region, 1,000,000 enterprises (risk levels about 5/15/40/40 %,
//! credit classes, 5% under key supervision, eight industries) and 20,000 active
//! inspectors with two qualifications each, and an active plan sampling 5% of each
//! stratum with teams of two qualified inspectors. Then runs one full draw
//! (`service::draws::run`, seed 42) on SQLite and, when
//! `SPOTCHECK_BENCH_POSTGRES_URL` names a server, on a fresh PostgreSQL database,
//! reporting the load, sample, assign, snapshot and write phases separately; on
//! PostgreSQL next to the naive weighted sample
//! `ORDER BY ln(random()) / weight DESC LIMIT k` over the same table, with `k` the
//! number of targets the draw sampled.
//!
//! ```sh
//! SPOTCHECK_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!   cargo bench -p spotcheck --bench draw_db
//! cargo bench -p spotcheck --bench draw_db -- --enterprises 100000   # smaller
//! ```
//!
//! `--keep` keeps both databases (`spotcheck_draw_bench_kept`, and `bench.db` under
//! the temporary directory's `spotcheck-draw-bench-kept`) and reuses them next
//! time, each new draw superseding the last; `--postgres-only` skips SQLite.

#![expect(
    clippy::unwrap_used,
    reason = "benchmark binary: a failure is a failed run"
)]

mod support;

use std::time::{Duration, Instant};

use chrono::Utc;
use entities::{CreditClass, DrawTrigger, Industry};
use sea_orm::{
    ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement, TransactionTrait,
};
use serde_json::json;
use sha2::{Digest as _, Sha256};
use spotcheck::service::{
    Actor,
    draws::{self, DrawRequest, DrawTimings},
};
use support::{execute, insert, region_codes, regions_and_departments, v};

const PROVINCE: i64 = 33;
const CITIES: i64 = 11;
const COUNTIES: i64 = 9;
const INSPECTORS: i64 = 20_000;
const RATIO: f64 = 0.05;
/// `CreditWeights::default()` as SQL: A 0.5, B 1, C 1.5, D 2, key supervision × 2.
const WEIGHT: &str = "(CASE credit_class WHEN 'A' THEN 0.5 WHEN 'B' THEN 1.0 \
                      WHEN 'C' THEN 1.5 ELSE 2.0 END \
                      * CASE WHEN key_supervision THEN 2.0 ELSE 1.0 END)";

/// What the command line asks for.
#[derive(Debug, Clone, Copy)]
struct Options {
    enterprises: i64,
    /// Keep the databases (fixed names) and reuse them when already loaded.
    keep: bool,
    postgres_only: bool,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().collect();
    Options {
        enterprises: args
            .windows(2)
            .find(|pair| pair[0] == "--enterprises")
            .and_then(|pair| pair[1].parse().ok())
            .unwrap_or(1_000_000),
        keep: args.iter().any(|a| a == "--keep"),
        postgres_only: args.iter().any(|a| a == "--postgres-only"),
    }
}

/// A cheap deterministic hash of an id, so that the data set is the same every run.
fn mix(id: i64, salt: u64) -> u64 {
    let mut x = (id as u64) ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Loads the data set and the plan (id 1).
async fn load(db: &DatabaseConnection, enterprises: i64) {
    let txn = db.begin().await.unwrap();
    let now = Utc::now();
    let regions = region_codes([PROVINCE], CITIES, COUNTIES);
    let counties: Vec<String> = regions
        .iter()
        .filter(|r| r.1 == "county")
        .map(|r| r.0.clone())
        .collect();
    regions_and_departments(&txn, &regions, now).await;
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
        (1..=enterprises).map(|id| {
            let risk = match mix(id, 1) % 100 {
                0..5 => "major",
                5..20 => "high",
                20..60 => "moderate",
                _ => "low",
            };
            let credit = match mix(id, 2) % 10 {
                0..2 => CreditClass::A,
                2..7 => CreditClass::B,
                7..9 => CreditClass::C,
                _ => CreditClass::D,
            };
            let industry = Industry::ALL[(mix(id, 3) % Industry::ALL.len() as u64) as usize];
            vec![
                v(id),
                v(format!("91{PROVINCE}{id:013}X")),
                v(format!("企业{id}")),
                v(industry.as_str()),
                v(counties[(mix(id, 4) % counties.len() as u64) as usize].clone()),
                v(risk),
                v(credit.as_str()),
                v(mix(id, 5).is_multiple_of(20)),
                v(if id % 50 == 0 { "closed" } else { "active" }),
                v(now),
                v(now),
            ]
        }),
    )
    .await;
    eprintln!("  inspectors…");
    // 10% provincial, 30% at the cities, 60% at the counties; two qualifications each.
    let cities: Vec<usize> = (0..regions.len())
        .filter(|&i| regions[i].1 == "city")
        .collect();
    let county_rows: Vec<usize> = (0..regions.len())
        .filter(|&i| regions[i].1 == "county")
        .collect();
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
        (1..=INSPECTORS).map(|id| {
            let row = match id % 10 {
                0 => 0,
                1..=3 => cities[(mix(id, 6) % cities.len() as u64) as usize],
                _ => county_rows[(mix(id, 7) % county_rows.len() as u64) as usize],
            };
            let n = Industry::ALL.len() as u64;
            let first = mix(id, 8) % n;
            let second = (first + 1 + mix(id, 9) % (n - 1)) % n;
            vec![
                v(id),
                v(format!("BADGE-{id}")),
                v(format!("检查员{id}")),
                v(row as i64 + 1),
                v(regions[row].0.clone()),
                v(json!([
                    Industry::ALL[first as usize].as_str(),
                    Industry::ALL[second as usize].as_str()
                ])),
                v(true),
                v(now),
                v(now),
            ]
        }),
    )
    .await;
    // A plan is drawn only with an indicator set for its targets.
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
        std::iter::once(vec![
            v(1),
            v("BENCH"),
            v(1),
            v("bench"),
            v("active"),
            v(now),
            v(now),
        ]),
    )
    .await;
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
        std::iter::once(vec![
            v(1),
            v(1),
            v("B-01"),
            v("检查事项"),
            v("《中华人民共和国安全生产法》"),
            v("other"),
            v(10.0),
            v(1.0),
            v("enterprise"),
        ]),
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
            "indicator_set_id",
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
            v(json!({"major": RATIO, "high": RATIO, "moderate": RATIO, "low": RATIO})),
            v(1),
            v(false),
            v(0.2),
            v(json!([])),
            v(2),
            v(true),
            v(0),
            v(30),
            v(1),
            v("active"),
            v(1),
            v(now),
            v(now),
        ]),
    )
    .await;
    txn.commit().await.unwrap();
}

/// One line of the table.
struct Row {
    backend: &'static str,
    timings: DrawTimings,
    total: Duration,
    sampled: usize,
    tasks: usize,
    naive: Option<Duration>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn run(backend: &'static str, url: &str, enterprises: i64) -> Row {
    let db = spotcheck::db::connect(url).await.unwrap();
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    let loaded = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM check_plan WHERE id = 1",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
        > 0;
    if loaded {
        println!("{backend}: reusing the kept data set");
    } else {
        eprintln!("{backend}: loading…");
        let started = Instant::now();
        load(&db, enterprises).await;
        execute(
            &db,
            if postgres {
                "VACUUM ANALYZE"
            } else {
                "ANALYZE"
            },
        )
        .await;
        println!(
            "{backend}: loaded {enterprises} enterprises, {INSPECTORS} inspectors in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let started = Instant::now();
    let view = draws::run(
        &db,
        &Actor::system(),
        1,
        DrawRequest {
            seed: Some(42),
            // A kept data set already has a draw with open tasks: supersede it.
            reason: loaded.then(|| "benchmark rerun".to_owned()),
            ..Default::default()
        },
        DrawTrigger::Manual,
    )
    .await
    .unwrap();
    let total = started.elapsed();
    let sampled = view.tasks.len() + view.unassigned.len();
    println!(
        "{backend}: draw {}: population {}, {sampled} sampled, {} staffed, {} unassigned, {:.0} ms",
        view.draw.id,
        view.draw.population_size,
        view.tasks.len(),
        view.unassigned.len(),
        ms(total)
    );
    // The same data and seed must give the same draw on every engine and in
    // every version: the population hash and a digest of the teams are printed
    // for comparison, and the stored draw must verify.
    let teams: Vec<(i64, &[i64])> = view
        .tasks
        .iter()
        .map(|t| (t.target_id, t.inspector_ids.as_slice()))
        .collect();
    let digest = hex::encode(Sha256::digest(serde_json::to_vec(&teams).unwrap()));
    let check = draws::verify(&db, &Actor::system(), view.draw.id)
        .await
        .unwrap();
    println!(
        "{backend}: population sha256 {}, teams sha256 {digest}, verified {} {:?}",
        view.draw.population_sha256, check.verified, check.mismatches
    );
    assert!(check.verified, "{backend}: the stored draw does not verify");
    let naive = if postgres {
        let sql = format!(
            "SELECT id FROM enterprise WHERE status = 'active' \
             ORDER BY ln(random()) / {WEIGHT} DESC LIMIT {sampled}"
        );
        let mut runs = Vec::new();
        for round in 1..=3 {
            let started = Instant::now();
            let rows = db
                .query_all_raw(Statement::from_string(DbBackend::Postgres, sql.clone()))
                .await
                .unwrap();
            let time = started.elapsed();
            println!(
                "{backend}: naive query, round {round}: {} rows in {:.0} ms",
                rows.len(),
                ms(time)
            );
            runs.push(time);
        }
        runs.sort_unstable();
        Some(runs[1])
    } else {
        None
    };
    Row {
        backend,
        timings: view.timings,
        total,
        sampled,
        tasks: view.tasks.len(),
        naive,
    }
}

fn print(rows: &[Row]) {
    println!();
    println!(
        "| backend  | load ms | sample ms | assign ms | snapshot ms | write ms | total ms | naive query ms | total/naive | sampled | staffed |"
    );
    println!(
        "|----------|--------:|----------:|----------:|------------:|---------:|---------:|---------------:|------------:|--------:|--------:|"
    );
    for r in rows {
        let t = r.timings;
        let (naive, ratio) = match r.naive {
            Some(n) => (
                format!("{:.0}", ms(n)),
                format!("{:.2}×", ms(r.total) / ms(n)),
            ),
            None => ("—".to_owned(), "—".to_owned()),
        };
        println!(
            "| {:<8} | {:>7.0} | {:>9.0} | {:>9.0} | {:>11.0} | {:>8.0} | {:>8.0} | {:>14} | {:>11} | {:>7} | {:>7} |",
            r.backend,
            t.load_ms,
            t.sample_ms,
            t.assign_ms,
            t.snapshot_ms,
            t.write_ms,
            ms(r.total),
            naive,
            ratio,
            r.sampled,
            r.tasks
        );
    }
    println!("(naive query: median of three runs; total: the whole `draws::run` call)");
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // RUST_LOG=info shows the draw's own log line with its phases.
    if std::env::var_os("RUST_LOG").is_some() {
        spotcheck::telemetry::init();
    }
    let options = options();
    let suffix = if options.keep {
        "kept".to_owned()
    } else {
        std::process::id().to_string()
    };
    let mut rows = Vec::new();
    if !options.postgres_only {
        let dir = std::env::temp_dir().join(format!("spotcheck-draw-bench-{suffix}"));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("bench.db");
        rows.push(
            run(
                "sqlite",
                &format!("sqlite://{}?mode=rwc", file.display()),
                options.enterprises,
            )
            .await,
        );
        if !options.keep {
            std::fs::remove_dir_all(&dir).ok();
        }
    }
    if let Ok(server) = std::env::var("SPOTCHECK_BENCH_POSTGRES_URL") {
        let name = format!("spotcheck_draw_bench_{suffix}");
        let admin = Database::connect(&server).await.unwrap();
        let created = admin
            .execute_raw(Statement::from_string(
                DbBackend::Postgres,
                format!("CREATE DATABASE {name}"),
            ))
            .await;
        // With --keep, a database that exists is the one to reuse.
        assert!(created.is_ok() || options.keep, "{created:?}");
        let url = match server.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => format!("{server}/{name}"),
        };
        rows.push(run("postgres", &url, options.enterprises).await);
        if !options.keep {
            execute(&admin, &format!("DROP DATABASE {name} WITH (FORCE)")).await;
        }
    } else {
        println!("postgres: skipped (set SPOTCHECK_BENCH_POSTGRES_URL to a server URL)");
    }
    print(&rows);
}

//! Import benchmark: rows per second and peak memory of reading an enterprise
//! workbook, and of importing it into SQLite and PostgreSQL, next to Python
//! openpyxl (`read_only`) reading the same file and to bare calamine streaming
//! piped into PostgreSQL `COPY`.
//!
//! ```sh
//! cargo bench -p spotcheck --bench import -- --rows 100000,1000000 \
//!     --postgres postgres://postgres@127.0.0.1:5432/postgres
//! ```
//!
//! Every measurement runs in a child process of its own, which reports its
//! peak resident memory (`VmHWM`); `--repeat N` keeps the fastest of N runs of
//! each (the machine may be shared). The file is generated first with
//! rust_xlsxwriter in constant-memory mode. Without `--postgres` (or
//! `SPOTCHECK_TEST_POSTGRES_URL`) the PostgreSQL rows are left out; without
//! `python3` and openpyxl, the openpyxl row.

use std::{
    io::{BufWriter, Write as _},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::Instant,
};

use anyhow::{Context as _, bail};
use calamine::{DataRef, Reader as _, Xlsx};
use serde_json::Value;
use spotcheck::{
    config::Limits,
    domain::CreditCode,
    service::{
        Actor,
        directories::regions::{self, RegionInput},
        imports::{self, ImportKind, ImportOptions},
    },
};

const REGIONS: [(&str, &str, Option<&str>); 6] = [
    ("110000", "北京市", None),
    ("110100", "市辖区", Some("110000")),
    ("110101", "东城区", Some("110100")),
    ("130000", "河北省", None),
    ("130100", "石家庄市", Some("130000")),
    ("130102", "长安区", Some("130100")),
];
const INDUSTRIES: [&str; 8] = [
    "coal_mine",
    "non_coal_mine",
    "hazardous_chemicals",
    "fireworks",
    "transport",
    "metal_smelting",
    "fishery",
    "other",
];
const LEVELS: [&str; 4] = ["major", "high", "moderate", "low"];
const CLASSES: [&str; 4] = ["A", "B", "C", "D"];

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("--child") {
        return child(&args[1..]);
    }
    let mut sizes = vec![100_000u32];
    let mut postgres = std::env::var("SPOTCHECK_TEST_POSTGRES_URL").ok();
    let mut python = true;
    let mut repeat = 1usize;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--rows" => {
                let list = iter.next().context("--rows needs a list")?;
                sizes = list
                    .split(',')
                    .map(|n| n.trim().replace('_', "").parse())
                    .collect::<Result<_, _>>()
                    .context("--rows takes numbers such as 100000,1000000")?;
            }
            "--postgres" => postgres = iter.next().cloned(),
            "--no-python" => python = false,
            "--repeat" => {
                repeat = iter
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| *n > 0)
                    .context("--repeat takes a positive number")?;
            }
            other => bail!("unknown argument {other}"),
        }
    }
    let dir = std::env::temp_dir().join(format!("spotcheck-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = run(&dir, &sizes, postgres.as_deref(), python, repeat);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// The fastest of `repeat` runs: on a shared machine the others measure the neighbours.
fn best(repeat: usize, mut once: impl FnMut() -> anyhow::Result<Value>) -> anyhow::Result<Value> {
    let mut best: Option<Value> = None;
    for _ in 0..repeat {
        let result = once()?;
        let secs = |v: &Value| v["secs"].as_f64().unwrap_or(f64::INFINITY);
        if best.as_ref().is_none_or(|b| secs(&result) < secs(b)) {
            best = Some(result);
        }
    }
    best.context("no run")
}

fn run(
    dir: &Path,
    sizes: &[u32],
    postgres: Option<&str>,
    python: bool,
    repeat: usize,
) -> anyhow::Result<()> {
    println!(
        "{:<10} {:<40} {:>10} {:>12} {:>12}",
        "rows", "measurement", "seconds", "rows/s", "peak MB"
    );
    for &rows in sizes {
        let file = dir.join(format!("enterprises-{rows}.xlsx"));
        let started = Instant::now();
        generate(&file, rows)?;
        let bytes = std::fs::metadata(&file)?.len();
        println!(
            "{rows:<10} {:<40} {:>10.2} {:>12} {:>12.1}",
            format!("(generate file: {:.1} MB)", mb(bytes)),
            started.elapsed().as_secs_f64(),
            "",
            0.0
        );
        let path = file.to_string_lossy().into_owned();
        let mut runs: Vec<(&str, Vec<String>)> = vec![
            (
                "parse (reports::read, streaming)",
                vec!["parse".into(), path.clone()],
            ),
            (
                "parse + write, SQLite",
                vec![
                    "import-sqlite".into(),
                    path.clone(),
                    dir.to_string_lossy().into_owned(),
                ],
            ),
        ];
        if let Some(url) = postgres {
            runs.push((
                "parse + write, PostgreSQL",
                vec!["import-postgres".into(), path.clone(), url.to_owned()],
            ));
            runs.push((
                "bare calamine + PostgreSQL COPY",
                vec!["copy-postgres".into(), path.clone(), url.to_owned()],
            ));
        }
        for (name, args) in runs {
            let result = best(repeat, || measure_child(&args))?;
            print_line(rows, name, &result);
        }
        if python {
            match best(repeat, || measure_openpyxl(&file)) {
                Ok(result) => print_line(rows, "parse, Python openpyxl read_only", &result),
                Err(e) => println!("{rows:<10} openpyxl skipped: {e:#}"),
            }
        }
        std::fs::remove_file(&file)?;
    }
    Ok(())
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn print_line(rows: u32, name: &str, result: &Value) {
    let secs = result["secs"].as_f64().unwrap_or(f64::NAN);
    let read = result["rows"].as_f64().unwrap_or(0.0);
    let peak = result["peak_kb"].as_f64().unwrap_or(0.0) / 1024.0;
    println!(
        "{rows:<10} {name:<40} {secs:>10.2} {:>12.0} {peak:>12.1}",
        read / secs
    );
}

fn measure_child(args: &[String]) -> anyhow::Result<Value> {
    let output = Command::new(std::env::current_exe()?)
        .arg("--child")
        .args(args)
        .env("RUST_LOG", "warn")
        .stderr(Stdio::inherit())
        .output()
        .context("Failed to run a measurement")?;
    if !output.status.success() {
        bail!("measurement {args:?} failed");
    }
    let text = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(text.lines().last().unwrap_or_default())
        .with_context(|| format!("measurement {args:?} said {text}"))
}

fn measure_openpyxl(file: &Path) -> anyhow::Result<Value> {
    const SCRIPT: &str = r#"
import json, resource, sys, time
from openpyxl import load_workbook
started = time.perf_counter()
wb = load_workbook(sys.argv[1], read_only=True)
rows = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
print(json.dumps({"rows": rows, "secs": time.perf_counter() - started,
                  "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"#;
    let output = Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(file)
        .output()
        .context("python3 is not available")?;
    if !output.status.success() {
        bail!("{}", String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}

/// An enterprise file as departments keep them, English headers, valid codes.
fn generate(path: &Path, rows: u32) -> anyhow::Result<()> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    let headers = [
        "credit_code",
        "name",
        "industry",
        "region_code",
        "risk_level",
        "credit_class",
        "key_supervision",
        "status",
    ];
    for (col, header) in (0u16..).zip(headers) {
        sheet.write_string(0, col, header)?;
    }
    for i in 0..rows {
        let index = i as usize;
        let region = if i % 2 == 0 { "110101" } else { "130102" };
        let code =
            CreditCode::complete(&format!("91{region}MA{i:07}")).context("generated code")?;
        let row = i + 1;
        sheet.write_string(row, 0, code.as_str())?;
        sheet.write_string(row, 1, format!("示范企业{i}有限公司"))?;
        sheet.write_string(row, 2, INDUSTRIES[index % INDUSTRIES.len()])?;
        sheet.write_string(row, 3, region)?;
        sheet.write_string(row, 4, LEVELS[index % LEVELS.len()])?;
        sheet.write_string(row, 5, CLASSES[index / 7 % CLASSES.len()])?;
        sheet.write_string(row, 6, if i % 10 == 0 { "yes" } else { "no" })?;
        sheet.write_string(row, 7, "active")?;
    }
    workbook.save(path)?;
    Ok(())
}

/// Peak resident memory of this process, in kB.
fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn report(rows: u64, secs: f64) {
    println!(
        "{}",
        serde_json::json!({"rows": rows, "secs": secs, "peak_kb": peak_kb()})
    );
}

fn child(args: &[String]) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match args {
        [mode, file] if mode == "parse" => parse(Path::new(file)),
        [mode, file, dir] if mode == "import-sqlite" => {
            let url = format!(
                "sqlite://{}?mode=rwc",
                PathBuf::from(dir).join("bench.db").display()
            );
            let _ = std::fs::remove_file(PathBuf::from(dir).join("bench.db"));
            runtime.block_on(import(Path::new(file), &url))
        }
        [mode, file, url] if mode == "import-postgres" => runtime
            .block_on(with_database(url, |db_url| async move {
                import(Path::new(file), &db_url).await
            })),
        [mode, file, url] if mode == "copy-postgres" => runtime
            .block_on(with_database(url, |db_url| async move {
                copy(Path::new(file), &db_url).await
            })),
        _ => bail!("unknown child arguments {args:?}"),
    }
}

fn parse(file: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut rows = 0u64;
    let mut sink = |_row: reports::read::Row| {
        rows += 1;
        std::ops::ControlFlow::Continue(())
    };
    let source = std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(file)?);
    reports::read::read_first_sheet(source, &Limits::default().read_limits(), &mut sink)?;
    report(rows, started.elapsed().as_secs_f64());
    Ok(())
}

async fn seed(url: &str) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let db = spotcheck::db::connect(url).await?;
    for (code, name, parent) in REGIONS {
        let input = RegionInput {
            code: code.to_owned(),
            name: name.to_owned(),
            parent_code: parent.map(str::to_owned),
        };
        regions::create(&db, &Actor::system(), input)
            .await
            .map_err(|e| anyhow::anyhow!("seeding regions: {e}"))?;
    }
    Ok(db)
}

async fn import(file: &Path, url: &str) -> anyhow::Result<()> {
    let db = seed(url).await?;
    let started = Instant::now();
    let source = std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(file)?);
    let result = imports::import(
        &db,
        &Actor::system(),
        &Limits::default(),
        ImportKind::Enterprises,
        source,
        &ImportOptions::default(),
        &|_| {},
    )
    .await
    .map_err(|e| anyhow::anyhow!("import failed: {e}"))?;
    report(result.inserted, started.elapsed().as_secs_f64());
    db.close().await?;
    Ok(())
}

/// Bare calamine streaming, each row as a CSV line into `psql`'s `COPY`.
async fn copy(file: &Path, url: &str) -> anyhow::Result<()> {
    let db = seed(url).await?;
    db.close().await?;
    let started = Instant::now();
    let mut psql = Command::new("psql")
        .arg(url)
        .args([
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            "COPY enterprise (credit_code, name, industry, region_code, risk_level, credit_class, \
             key_supervision, status, created_at, updated_at) FROM STDIN WITH (FORMAT csv)",
        ])
        .stdin(Stdio::piped())
        .spawn()
        .context("psql is needed for the COPY baseline")?;
    let stdin = psql.stdin.take().context("psql stdin")?;
    let mut out = BufWriter::with_capacity(1 << 20, stdin);
    let mut workbook: Xlsx<_> = calamine::open_workbook(file)?;
    let sheet = workbook
        .sheet_names()
        .first()
        .cloned()
        .context("no sheet")?;
    let mut cells = workbook.worksheet_cells_reader(&sheet)?;
    let mut line: Vec<String> = vec![String::new(); 8];
    let (mut current, mut rows) = (0u32, 0u64);
    let now = "2026-11-29 00:00:00+00";
    while let Some(cell) = cells.next_cell()? {
        let (row, col) = cell.get_position();
        if row != current {
            if current > 0 {
                writeln!(out, "{},{now},{now}", line.join(","))?;
                rows += 1;
            }
            current = row;
        }
        let text = match cell.get_value() {
            DataRef::String(s) => Some(s.as_str()),
            DataRef::SharedString(s) => Some(*s),
            _ => None,
        };
        if let (Some(slot), Some(s)) = (line.get_mut(col as usize), text) {
            *slot = format!("\"{}\"", s.replace('"', "\"\""));
        }
    }
    if current > 0 {
        writeln!(out, "{},{now},{now}", line.join(","))?;
        rows += 1;
    }
    drop(out.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?);
    anyhow::ensure!(psql.wait()?.success(), "COPY failed");
    report(rows, started.elapsed().as_secs_f64());
    Ok(())
}

async fn with_database<F, Fut>(server: &str, body: F) -> anyhow::Result<()>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    use sea_orm::ConnectionTrait as _;
    let name = format!("spotcheck_bench_{}", std::process::id());
    let admin = sea_orm::Database::connect(server).await?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await?;
    let url = match server.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => bail!("the PostgreSQL URL needs a database name"),
    };
    let result = body(url).await;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await
        .ok();
    admin.close().await.ok();
    result
}

//! Benchmark of a large publication list (公示), not a timed test.
//!
//! Writes the same `--rows` results (default 1,000,000) three ways, each in its
//! own process so that its peak resident memory (`VmHWM`, or `ru_maxrss` for
//! Python) is its own: the report writer of this crate; a bare rust_xlsxwriter
//! write of the same cells and formats (constant memory, compression level 3);
//! and Python XlsxWriter in `constant_memory` mode (needs `pip install xlsxwriter`;
//! skipped with a note when missing, or with `--no-python`). Each run writes an
//! `.xlsx` file; the fastest of `--repeat` runs is shown.
//!
//! ```sh
//! cargo bench -p reports --bench publication -- --rows 1000000 --repeat 3
//! ```

#![expect(
    clippy::unwrap_used,
    reason = "benchmark binary: a failure is a failed run"
)]

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::Instant,
};

use chrono::{Duration, NaiveDate, NaiveDateTime};
use reports::export::{
    Meta, Sink,
    publication::{PublicationList, PublicationRow},
};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};
use serde_json::{Value, json};

const REGIONS: [&str; 4] = ["330102", "330106", "330205", "330302"];
const RESULTS: [&str; 3] = ["合格", "发现隐患", "不合格"];

/// The `i`-th result, the same in every writer (and in the Python script).
fn row(i: u64) -> PublicationRow {
    let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days((i % 300) as i64);
    let hazards = i64::from(i.is_multiple_of(5));
    PublicationRow {
        target_name: format!("示范企业{i:07}有限公司"),
        credit_code: Some(format!("91330100MA{i:08}")),
        region_code: REGIONS[(i % 4) as usize].to_owned(),
        check_date: day,
        badges: format!("ZJ{:05}、ZJ{:05}", i % 20_000, (i + 1) % 20_000),
        result: RESULTS[(i % 3) as usize].to_owned(),
        score: Some((i % 100) as f64),
        hazards,
        deadlines: if hazards > 0 {
            (day + Duration::days(30)).to_string()
        } else {
            String::new()
        },
        published_at: day.and_hms_opt(9, 30, 0).unwrap() + Duration::days(20),
    }
}

fn meta() -> Meta {
    Meta {
        period: Some("2026年".to_owned()),
        scope: "浙江省".to_owned(),
        exporter: "bench".to_owned(),
        exported_at: NaiveDateTime::default(),
        basis: None,
    }
}

fn write_report(rows: u64, path: &Path) -> Result<(), XlsxError> {
    let mut list = PublicationList::new(&meta())?;
    for i in 0..rows {
        list.push(&row(i))?;
    }
    list.finish_to(Sink::File(std::fs::File::create(path)?))?;
    Ok(())
}

const HEADERS: [&str; 11] = [
    "序号",
    "检查对象",
    "统一社会信用代码",
    "行政区划代码",
    "检查日期",
    "检查人员执法证号",
    "检查结果",
    "得分",
    "发现隐患数",
    "隐患整改期限",
    "公示时间",
];

/// The same cells and formats written straight with rust_xlsxwriter.
fn write_bare(rows: u64, path: &Path) -> Result<(), XlsxError> {
    let mut workbook = Workbook::new();
    workbook.set_zip_compression_level(3);
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    let title = Format::new().set_bold().set_align(FormatAlign::Center);
    let header = Format::new().set_bold();
    let integer = Format::new().set_num_format("0");
    let decimal = Format::new().set_num_format("0.00");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    sheet.set_name("公示名单")?;
    sheet.merge_range(0, 0, 0, 10, "双随机抽查结果公示（2026年 · 浙江省）", &title)?;
    for (col, text) in (0u16..).zip(HEADERS) {
        sheet.write_string_with_format(1, col, text, &header)?;
    }
    for i in 0..rows {
        let r = row(i);
        let n = u32::try_from(i).unwrap() + 2;
        sheet.write_number_with_format(n, 0, (i + 1) as f64, &integer)?;
        sheet.write_string(n, 1, &r.target_name)?;
        sheet.write_string(n, 2, r.credit_code.as_deref().unwrap_or_default())?;
        sheet.write_string(n, 3, &r.region_code)?;
        sheet.write_datetime_with_format(n, 4, r.check_date, &date)?;
        sheet.write_string(n, 5, &r.badges)?;
        sheet.write_string(n, 6, &r.result)?;
        sheet.write_number_with_format(n, 7, r.score.unwrap_or_default(), &decimal)?;
        sheet.write_number_with_format(n, 8, r.hazards as f64, &integer)?;
        sheet.write_string(n, 9, &r.deadlines)?;
        sheet.write_datetime_with_format(n, 10, r.published_at, &datetime)?;
    }
    sheet.set_freeze_panes(2, 0)?;
    sheet.autofilter(1, 0, u32::try_from(rows).unwrap() + 1, 10)?;
    workbook.save(path)?;
    Ok(())
}

const PYTHON: &str = r#"
import datetime, json, resource, sys, time
import xlsxwriter
rows, path = int(sys.argv[1]), sys.argv[2]
started = time.perf_counter()
wb = xlsxwriter.Workbook(path, {"constant_memory": True})
ws = wb.add_worksheet("公示名单")
title = wb.add_format({"bold": True, "align": "center"})
header = wb.add_format({"bold": True})
integer = wb.add_format({"num_format": "0"})
decimal = wb.add_format({"num_format": "0.00"})
date = wb.add_format({"num_format": "yyyy-mm-dd"})
stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
regions = ["330102", "330106", "330205", "330302"]
results = ["合格", "发现隐患", "不合格"]
ws.merge_range(0, 0, 0, 10, "双随机抽查结果公示（2026年 · 浙江省）", title)
for col, text in enumerate(["序号", "检查对象", "统一社会信用代码", "行政区划代码", "检查日期",
        "检查人员执法证号", "检查结果", "得分", "发现隐患数", "隐患整改期限", "公示时间"]):
    ws.write_string(1, col, text, header)
first = datetime.date(2026, 1, 1)
for i in range(rows):
    day = first + datetime.timedelta(days=i % 300)
    hazards = 1 if i % 5 == 0 else 0
    n = i + 2
    ws.write_number(n, 0, i + 1, integer)
    ws.write_string(n, 1, "示范企业%07d有限公司" % i)
    ws.write_string(n, 2, "91330100MA%08d" % i)
    ws.write_string(n, 3, regions[i % 4])
    ws.write_datetime(n, 4, day, date)
    ws.write_string(n, 5, "ZJ%05d、ZJ%05d" % (i % 20000, (i + 1) % 20000))
    ws.write_string(n, 6, results[i % 3])
    ws.write_number(n, 7, float(i % 100), decimal)
    ws.write_number(n, 8, hazards, integer)
    ws.write_string(n, 9, str(day + datetime.timedelta(days=30)) if hazards else "")
    ws.write_datetime(n, 10, datetime.datetime(day.year, day.month, day.day, 9, 30)
                      + datetime.timedelta(days=20), stamp)
ws.freeze_panes(2, 0)
ws.autofilter(1, 0, rows + 1, 10)
wb.close()
print(json.dumps({"secs": time.perf_counter() - started,
                  "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"#;

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

fn child(mode: &str, rows: u64, path: &Path) {
    let started = Instant::now();
    match mode {
        "report" => write_report(rows, path).unwrap(),
        _ => write_bare(rows, path).unwrap(),
    }
    let secs = started.elapsed().as_secs_f64();
    println!("{}", json!({"secs": secs, "peak_kb": peak_kb()}));
}

fn measure(mode: &str, rows: u64, path: &Path) -> Option<Value> {
    let output = if mode == "python" {
        Command::new("python3")
            .args(["-c", PYTHON, &rows.to_string()])
            .arg(path)
            .stderr(Stdio::piped())
            .output()
            .ok()?
    } else {
        Command::new(std::env::current_exe().ok()?)
            .args(["--child", mode, &rows.to_string()])
            .arg(path)
            .output()
            .ok()?
    };
    if !output.status.success() {
        let why = String::from_utf8_lossy(&output.stderr);
        println!(
            "{mode}: skipped ({})",
            why.lines().last().unwrap_or("failed")
        );
        return None;
    }
    let mut value: Value =
        serde_json::from_str(String::from_utf8_lossy(&output.stdout).lines().last()?).ok()?;
    value["bytes"] = json!(std::fs::metadata(path).map(|m| m.len()).unwrap_or(0));
    Some(value)
}

fn arg(args: &[String], name: &str) -> Option<u64> {
    args.windows(2)
        .find(|pair| pair[0] == name)
        .and_then(|pair| pair[1].parse().ok())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        child(&args[1], args[2].parse().unwrap(), Path::new(&args[3]));
        return;
    }
    let rows = arg(&args, "--rows").unwrap_or(1_000_000);
    let repeat = arg(&args, "--repeat").unwrap_or(1).max(1);
    let dir = std::env::temp_dir().join(format!("spotcheck-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    println!("{rows} rows, best of {repeat}");
    println!(
        "{:<34} {:>9} {:>12} {:>10} {:>9}",
        "writer", "seconds", "rows/s", "peak MB", "file MB"
    );
    let mut best: Vec<(&str, Value)> = Vec::new();
    let python = !args.iter().any(|a| a == "--no-python");
    for (mode, label) in [
        ("report", "reports::export (this crate)"),
        ("bare", "bare rust_xlsxwriter"),
        ("python", "Python XlsxWriter constant_memory"),
    ] {
        if mode == "python" && !python {
            continue;
        }
        let path: PathBuf = dir.join(format!("{mode}.xlsx"));
        let runs: Vec<Value> = (0..repeat)
            .filter_map(|_| measure(mode, rows, &path))
            .collect();
        let Some(fastest) = runs
            .into_iter()
            .min_by(|a, b| a["secs"].as_f64().partial_cmp(&b["secs"].as_f64()).unwrap())
        else {
            continue;
        };
        let secs = fastest["secs"].as_f64().unwrap_or(f64::NAN);
        println!(
            "{label:<34} {secs:>9.2} {:>12.0} {:>10.1} {:>9.1}",
            rows as f64 / secs,
            fastest["peak_kb"].as_f64().unwrap_or(0.0) / 1024.0,
            fastest["bytes"].as_f64().unwrap_or(0.0) / 1_048_576.0,
        );
        best.push((mode, fastest));
    }
    let secs = |mode: &str| {
        best.iter()
            .find(|(m, _)| *m == mode)
            .and_then(|(_, v)| v["secs"].as_f64())
    };
    if let (Some(report), Some(bare)) = (secs("report"), secs("bare")) {
        println!("report / bare rust_xlsxwriter: {:.2}x", report / bare);
    }
    if let (Some(report), Some(python)) = (secs("report"), secs("python")) {
        println!("Python XlsxWriter / report: {:.1}x faster", python / report);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

//! Excel reports through HTTP and the command line: each opened with calamine
//! and checked against what the API says, in the caller's scope, audited.

use std::{collections::HashMap, io::Cursor, io::Read as _};

use calamine::{Data, Reader as _, Xlsx, open_workbook_from_rs};
use entities::{
    AccountabilityReason, AccountabilityStatus, AccountableKind, EvidenceKind, Role,
    accountability_item, finding, indicator,
};
use reqwest::{Method, StatusCode};
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, EntityTrait as _, QueryFilter as _, sea_query::Expr,
};
use serde_json::{Value, json};
use spotcheck_tests::{Backend, Page, TestApp, TwoProvinces, audit_rows, both_engines, read};

use super::{
    fixtures::{Ent, World, credit_code, drawn_targets, plan_body, task_ids, teams},
    score_fixture::{arrange, incident, score_rows},
};
use crate::cli;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Downloads a report: status, headers and body bytes.
pub async fn download(
    app: &TestApp,
    token: &str,
    path: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let response = app
        .authed(Method::GET, path, token)
        .send()
        .await
        .expect("request sent");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("body").to_vec();
    (status, headers, bytes)
}

/// A report that must download: its bytes.
pub async fn report(app: &TestApp, token: &str, path: &str) -> Vec<u8> {
    let (status, headers, bytes) = download(app, token, path).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "GET {path}: {}",
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(headers["content-type"], XLSX, "{path}");
    bytes
}

/// Subject, indicator code, self-assessed and checked points, and which counted.
type IndicatorLine = (String, String, Option<f64>, Option<f64>, String);

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn sheet_names(bytes: &[u8]) -> Vec<String> {
    let workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("xlsx");
    workbook.sheet_names()
}

/// A sheet's data rows (below the title and header rows), and its header.
pub fn sheet(bytes: &[u8], name: &str) -> (Vec<String>, Vec<Vec<Data>>) {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("xlsx");
    let range = workbook.worksheet_range(name).expect("sheet");
    let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    assert!(rows.len() >= 2, "{name}: a title and a header row");
    let header = rows[1].iter().map(text).collect();
    (header, rows[2..].to_vec())
}

/// A cell as text.
pub fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// A cell as a number, if it is one.
pub fn number(cell: &Data) -> Option<f64> {
    match cell {
        Data::Float(n) => Some(*n),
        Data::Int(n) => Some(*n as f64),
        _ => None,
    }
}

/// A column's cells by header.
fn column<'a>(header: &[String], rows: &'a [Vec<Data>], name: &str) -> Vec<&'a Data> {
    let at = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("column {name} in {header:?}"));
    rows.iter().map(|r| &r[at]).collect()
}

/// A column's cells as text.
fn texts(header: &[String], rows: &[Vec<Data>], name: &str) -> Vec<String> {
    column(header, rows, name).into_iter().map(text).collect()
}

fn part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let mut out = String::new();
    archive
        .by_name(name)
        .expect("part")
        .read_to_string(&mut out)
        .expect("utf-8");
    out
}

/// Runs `spotcheck report ARGS -o FILE` and returns the workbook it wrote.
fn cli_report(app: &TestApp, args: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("report.xlsx");
    let output = cli(app)
        .arg("report")
        .args(args)
        .arg("-o")
        .arg(&path)
        .output()
        .expect("cli runs");
    assert!(
        output.status.success(),
        "report {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read(&path).expect("written")
}

/// A draw list's cover sheet, item by item.
fn cover_items(bytes: &[u8]) -> HashMap<String, String> {
    sheet(bytes, "封面")
        .1
        .iter()
        .map(|r| (text(&r[0]), text(&r[1])))
        .collect()
}

/// The cover of a draw's list, as `token` downloads it.
async fn draw_cover(app: &TestApp, token: &str, draw_id: i64) -> HashMap<String, String> {
    let path = format!("/api/v1/reports/draw?draw_id={draw_id}");
    cover_items(&report(app, token, &path).await)
}

/// The overall scores of a period by subject name, from the API.
async fn overall_by_name(app: &TestApp, token: &str, period: &str) -> HashMap<String, Value> {
    score_rows(app, token, period)
        .await
        .iter()
        .map(|s| {
            (
                s["name"].as_str().expect("name").to_owned(),
                s["overall"].clone(),
            )
        })
        .collect()
}

#[both_engines]
async fn assessment_scorecard_ranks_scores_shows_indicators_and_keeps_to_scope(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = arrange(&app).await;
    let (status, body) = app
        .post("/api/v1/scores/2025/recompute", &f.admin, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");

    let (status, headers, bytes) =
        download(&app, &f.admin, "/api/v1/reports/assessment?period=2025").await;
    assert_eq!(status, StatusCode::OK, "{backend:?}");
    assert_eq!(
        headers["content-disposition"], "attachment; filename=\"assessment-2025.xlsx\"",
        "{backend:?}"
    );
    assert_eq!(
        sheet_names(&bytes),
        ["部门考核", "企业得分", "指标明细", "地区得分"],
        "{backend:?}"
    );

    // Provinces first (北京 70 ranks above 河北 64.83), then the city.
    let (header, departments) = sheet(&bytes, "部门考核");
    let names: Vec<String> = texts(&header, &departments, "名称");
    assert_eq!(
        names,
        ["北京市应急管理局", "河北省应急管理厅", "石家庄市应急管理局"],
        "{backend:?}"
    );
    let overall: Vec<Option<f64>> = column(&header, &departments, "综合得分")
        .into_iter()
        .map(number)
        .collect();
    assert_eq!(
        overall,
        [Some(70.0), Some(64.83), Some(85.0)],
        "{backend:?}"
    );
    let grades: Vec<String> = texts(&header, &departments, "等级");
    assert_eq!(grades, ["合格", "合格", "良好"], "{backend:?}");
    let ranks: Vec<Option<f64>> = column(&header, &departments, "排名")
        .into_iter()
        .map(number)
        .collect();
    assert_eq!(
        ranks,
        [Some(1.0), Some(2.0), Some(1.0)],
        "{backend:?}: ranks within a level"
    );
    let reporting = column(&header, &departments, "报送合规");
    assert_eq!(
        *reporting[0],
        Data::Empty,
        "{backend:?}: 北京 had no incidents"
    );

    // Every score in the workbook is the one the API gives.
    let api = overall_by_name(&app, &f.admin, "2025").await;
    let (header, firms) = sheet(&bytes, "企业得分");
    assert_eq!(firms.len(), 4, "{backend:?}");
    for rows in [&departments, &firms] {
        for (name, overall) in
            column(&header, rows, "名称")
                .into_iter()
                .zip(column(&header, rows, "综合得分"))
        {
            assert_eq!(
                number(overall),
                api[&text(name)].as_f64(),
                "{backend:?}: {}",
                text(name)
            );
        }
    }
    let firm_ranks: Vec<Option<f64>> = column(&header, &firms, "排名")
        .into_iter()
        .map(number)
        .collect();
    assert_eq!(
        firm_ranks,
        [Some(1.0), Some(1.0), Some(3.0), Some(4.0)],
        "{backend:?}: E2 and E4 tie"
    );

    // 河北: DS-1 self-assessed 10, checked 6 (the later finding); DS-2 20 and 10.
    // 北京: self-assessed only. GOV-1 is not a data-security indicator.
    let (header, indicators) = sheet(&bytes, "指标明细");
    let lines: Vec<IndicatorLine> = indicators
        .iter()
        .map(|r| {
            let cell = |name: &str| {
                let at = header.iter().position(|h| h == name).expect("column");
                r[at].clone()
            };
            (
                text(&cell("名称")),
                text(&cell("指标代码")),
                number(&cell("自评得分")),
                number(&cell("检查得分")),
                text(&cell("计分依据")),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (
                "北京市应急管理局".into(),
                "DS-1".into(),
                Some(8.0),
                None,
                "自评".into()
            ),
            (
                "北京市应急管理局".into(),
                "DS-2".into(),
                Some(10.0),
                None,
                "自评".into()
            ),
            (
                "河北省应急管理厅".into(),
                "DS-1".into(),
                Some(10.0),
                Some(6.0),
                "检查".into()
            ),
            (
                "河北省应急管理厅".into(),
                "DS-2".into(),
                Some(20.0),
                Some(10.0),
                "检查".into()
            ),
        ],
        "{backend:?}"
    );

    // By province: 北京 (70 + E3 50 + E4 90) / 3 = 70;
    // 河北 (64.83 + 85 + E1 58.46 + E2 90) / 4 = 298.29 / 4 = 74.5725 → 74.57.
    let (header, regions) = sheet(&bytes, "地区得分");
    let means: Vec<(String, Option<f64>, Option<f64>)> = regions
        .iter()
        .map(|r| (text(&r[0]), number(&r[2]), number(&r[3])))
        .collect();
    assert_eq!(header[3], "平均综合得分", "{backend:?}");
    assert_eq!(
        means,
        [
            ("北京市".into(), Some(3.0), Some(70.0)),
            ("河北省".into(), Some(4.0), Some(74.57)),
        ],
        "{backend:?}"
    );
    assert!(
        part(&bytes, "xl/charts/chart1.xml").contains("各地区平均综合得分"),
        "{backend:?}"
    );
    let sheet_xml = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet_xml.contains("导出人：root"),
        "{backend:?}: footer names the exporter"
    );

    // A 河北 supervisor sees 河北's departments and enterprises only, by city.
    let hb = app.token_for("hb-sup", Role::Supervisor, Some(f.hb)).await;
    let scoped = report(&app, &hb, "/api/v1/reports/assessment?period=2025").await;
    let (header, departments) = sheet(&scoped, "部门考核");
    let names: Vec<String> = texts(&header, &departments, "名称");
    assert_eq!(
        names,
        ["河北省应急管理厅", "石家庄市应急管理局"],
        "{backend:?}"
    );
    let (header, firms) = sheet(&scoped, "企业得分");
    let names: Vec<String> = texts(&header, &firms, "名称");
    assert_eq!(names, ["E2", "E1"], "{backend:?}");
    let (_, regions) = sheet(&scoped, "地区得分");
    let groups: Vec<String> = regions.iter().map(|r| text(&r[1])).collect();
    assert_eq!(
        groups,
        ["130000", "130100"],
        "{backend:?}: the province itself and 石家庄"
    );
    let (title, _) = sheet_title(&scoped, "部门考核");
    assert!(
        title.starts_with("考核评分表（2025年 · 河北省 · 得分计算于 ")
            && title.ends_with("（北京时间），计算人 root（手动））"),
        "{backend:?}: the scope, then when and by whom the period was computed: {title}"
    );

    // A check that no longer covers DS-2: 河北 is scored on its check alone,
    // so its self-assessed DS-2 points are shown but not counted.
    let ds2 = indicator::Entity::find()
        .filter(indicator::Column::Code.eq("DS-2"))
        .one(&app.db)
        .await
        .expect("query")
        .expect("DS-2");
    finding::Entity::update_many()
        .col_expr(finding::Column::Superseded, Expr::value(true))
        .filter(finding::Column::IndicatorId.eq(ds2.id))
        .exec(&app.db)
        .await
        .expect("supersede DS-2");
    let later = report(&app, &f.admin, "/api/v1/reports/assessment?period=2025").await;
    let (header, indicators) = sheet(&later, "指标明细");
    let hb_ds2 = indicators
        .iter()
        .find(|r| text(&r[0]) == "河北省应急管理厅" && text(&r[2]) == "DS-2")
        .expect("河北 DS-2");
    let at = |name: &str| header.iter().position(|h| h == name).expect("column");
    assert_eq!(number(&hb_ds2[at("自评得分")]), Some(20.0), "{backend:?}");
    assert_eq!(hb_ds2[at("检查得分")], Data::Empty, "{backend:?}");
    assert_eq!(
        text(&hb_ds2[at("计分依据")]),
        "未计分（以检查为准）",
        "{backend:?}"
    );

    // The command line writes the same national scorecard.
    let from_cli = cli_report(&app, &["assessment", "--period", "2025"]);
    for name in ["部门考核", "企业得分", "指标明细", "地区得分"] {
        assert_eq!(
            sheet(&from_cli, name),
            sheet(&later, name),
            "{backend:?}: {name}"
        );
    }

    let exports = audit_rows(&app.db, "report.export").await;
    assert_eq!(exports.len(), 4, "{backend:?}: each export audited");
}

/// The title row of a sheet, and how many rows it has.
pub fn sheet_title(bytes: &[u8], name: &str) -> (String, usize) {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("xlsx");
    let range = workbook.worksheet_range(name).expect("sheet");
    let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    (text(&rows[0][0]), rows.len())
}

#[both_engines]
async fn accountability_and_timeliness_reports_agree_with_the_records(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = arrange(&app).await;
    let (status, body) = app
        .post("/api/v1/scores/2025/recompute", &f.admin, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");

    let bytes = report(&app, &f.admin, "/api/v1/reports/accountability?period=2025").await;
    let (status, items) = app
        .get("/api/v1/accountability?period=2025&page_size=500", &f.admin)
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}");
    let total = items["total"].as_u64().expect("total") as usize;
    let (header, rows) = sheet(&bytes, "问责事项");
    assert_eq!(rows.len(), total, "{backend:?}: every item of the year");
    let (units_header, units) = sheet(&bytes, "按单位汇总");
    let counted: f64 = column(&units_header, &units, "问责事项")
        .into_iter()
        .filter_map(number)
        .sum();
    assert_eq!(counted as usize, total, "{backend:?}: the units add up");
    let units_seen: Vec<String> = texts(&header, &rows, "被问责单位");
    let mut grouped = units_seen.clone();
    grouped.dedup();
    assert_eq!(
        grouped.len(),
        units.len(),
        "{backend:?}: each unit's items together"
    );
    let reasons: Vec<String> = texts(&header, &rows, "问责事由");
    assert!(
        reasons.contains(&"初报迟报".to_owned()),
        "{backend:?}: {reasons:?}"
    );
    let late_incident = format!("事故 #{}", f.incidents[1]);
    assert!(
        column(&header, &rows, "证据")
            .into_iter()
            .any(|e| text(e) == late_incident),
        "{backend:?}: evidence names the incident"
    );

    // More items than one page: every one is listed once, units together.
    let now = chrono::Utc::now();
    let extra: Vec<accountability_item::ActiveModel> = (0..5_100)
        .map(|n| accountability_item::ActiveModel {
            period: Set("2025-06".to_owned()),
            subject_kind: Set(if n % 2 == 0 {
                AccountableKind::Department
            } else {
                AccountableKind::Enterprise
            }),
            subject_id: Set(if n % 2 == 0 { f.hb } else { f.e[0] }),
            region_code: Set(Some("130102".to_owned())),
            reason: Set(AccountabilityReason::TaskOverdue),
            evidence_kind: Set(EvidenceKind::Task),
            evidence_id: Set(1_000_000 + n),
            status: Set(AccountabilityStatus::Open),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    for chunk in extra.chunks(1_000) {
        accountability_item::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&app.db)
            .await
            .expect("items");
    }
    let bytes = report(&app, &f.admin, "/api/v1/reports/accountability?period=2025").await;
    let (_, rows) = sheet(&bytes, "问责事项");
    assert_eq!(rows.len(), total + 5_100, "{backend:?}: every item once");
    // An item is its unit, period, reason and evidence.
    let distinct: std::collections::HashSet<Vec<String>> = rows
        .iter()
        .map(|r| r[..6].iter().map(text).collect())
        .collect();
    assert_eq!(distinct.len(), rows.len(), "{backend:?}: no item twice");
    let mut units_seen: Vec<(String, String)> =
        rows.iter().map(|r| (text(&r[1]), text(&r[0]))).collect();
    units_seen.dedup();
    let (_, units) = sheet(&bytes, "按单位汇总");
    assert_eq!(
        units_seen.len(),
        units.len(),
        "{backend:?}: units together across pages"
    );

    // 北京's department user may not export; a 北京 supervisor sees only 北京's items.
    let (status, _, body) = download(
        &app,
        &f.bj_user,
        "/api/v1/reports/accountability?period=2025",
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}");
    let error: Value = serde_json::from_slice(&body).expect("json error");
    assert_eq!(error["code"], "forbidden", "{backend:?}: {error}");
    let from_cli = cli_report(&app, &["accountability", "--period", "2025"]);
    assert_eq!(
        sheet(&from_cli, "问责事项"),
        sheet(&bytes, "问责事项"),
        "{backend:?}: the command line writes the same items"
    );
    let bj = app.token_for("bj-sup", Role::Supervisor, Some(f.bj)).await;
    let scoped = report(&app, &bj, "/api/v1/reports/accountability?period=2025").await;
    let (header, rows) = sheet(&scoped, "问责事项");
    assert!(!rows.is_empty(), "{backend:?}");
    assert!(
        column(&header, &rows, "行政区划代码")
            .into_iter()
            .all(|c| text(c).starts_with("11")),
        "{backend:?}: 北京 only"
    );

    // 河北: I1 on time; I2 1 s late (a started minute counts), serious so
    // direct report required, not made; points (100 + 20) / 2 = 60.
    // 石家庄's I3 happened on 1 January 2026, China time.
    let bytes = report(&app, &f.admin, "/api/v1/reports/timeliness?period=2025").await;
    let (header, rows) = sheet(&bytes, "报送及时性");
    let by_department: HashMap<String, &Vec<Data>> =
        rows.iter().map(|r| (text(&r[0]), r)).collect();
    let hb = by_department["河北省应急管理厅"];
    let at = |name: &str| header.iter().position(|h| h == name).expect("column");
    assert_eq!(number(&hb[at("事故起数")]), Some(2.0), "{backend:?}");
    assert_eq!(number(&hb[at("按时初报")]), Some(1.0), "{backend:?}");
    assert_eq!(number(&hb[at("按时率")]), Some(0.5), "{backend:?}");
    assert_eq!(number(&hb[at("迟报起数")]), Some(1.0), "{backend:?}");
    assert_eq!(
        number(&hb[at("迟报合计（分钟）")]),
        Some(1.0),
        "{backend:?}"
    );
    assert_eq!(number(&hb[at("应直报起数")]), Some(1.0), "{backend:?}");
    assert_eq!(number(&hb[at("直报率")]), Some(0.0), "{backend:?}");
    assert_eq!(number(&hb[at("报送得分")]), Some(60.0), "{backend:?}");
    let hbc = by_department["石家庄市应急管理局"];
    assert_eq!(number(&hbc[at("事故起数")]), Some(0.0), "{backend:?}");
    assert_eq!(
        hbc[at("按时率")],
        Data::Empty,
        "{backend:?}: no incidents, no rate"
    );

    // An incident a minute old with no report yet is not late: pending, no rate.
    let occurred = chrono::Utc::now() - chrono::Duration::minutes(1);
    incident(
        &app,
        &f.hb_user,
        json!({"occurred_at": occurred.to_rfc3339(), "kind": "accident", "region_code": "130102",
               "deaths": 0, "serious_injuries": 0, "economic_loss_yuan": 1000,
               "stated_severity": "ordinary", "summary": "刚发生"}),
        &[],
    )
    .await;
    let month = (occurred + chrono::Duration::hours(8))
        .format("%Y-%m")
        .to_string();
    let bytes = report(
        &app,
        &f.admin,
        &format!("/api/v1/reports/timeliness?period={month}"),
    )
    .await;
    let (header, rows) = sheet(&bytes, "报送及时性");
    let at = |name: &str| header.iter().position(|h| h == name).expect("column");
    let hb = rows
        .iter()
        .find(|r| text(&r[0]) == "河北省应急管理厅")
        .expect("河北");
    assert_eq!(number(&hb[at("事故起数")]), Some(1.0), "{backend:?}");
    assert_eq!(number(&hb[at("初报未到期")]), Some(1.0), "{backend:?}");
    assert_eq!(number(&hb[at("未初报起数")]), Some(0.0), "{backend:?}");
    assert_eq!(
        hb[at("按时率")],
        Data::Empty,
        "{backend:?}: nothing due yet"
    );

    // The same report through the command line, in January 2026: I3 counts.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("timeliness.xlsx");
    let output = cli(&app)
        .args(["report", "timeliness", "--period", "2026-01", "-o"])
        .arg(&path)
        .output()
        .expect("cli runs");
    assert!(
        output.status.success(),
        "{backend:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let bytes = std::fs::read(&path).expect("written");
    // The audit entry describes the very file written.
    let last = audit_rows(&app.db, "report.export").await;
    let detail: Value = serde_json::from_str(&last.last().expect("audited").detail).expect("json");
    assert_eq!(
        detail["sha256"],
        hex_sha256(&bytes),
        "{backend:?}: {detail}"
    );
    assert_eq!(detail["bytes"], bytes.len(), "{backend:?}");
    let (header, rows) = sheet(&bytes, "报送及时性");
    let hbc = rows
        .iter()
        .find(|r| text(&r[0]) == "石家庄市应急管理局")
        .expect("石家庄");
    let at = |name: &str| header.iter().position(|h| h == name).expect("column");
    assert_eq!(number(&hbc[at("按时初报")]), Some(1.0), "{backend:?}");
    assert_eq!(number(&hbc[at("报送得分")]), Some(100.0), "{backend:?}");
    assert!(
        part(&bytes, "xl/worksheets/sheet1.xml").contains("导出人：system（命令行）"),
        "{backend:?}"
    );
}

#[both_engines]
async fn bad_report_requests_are_refused_clearly_and_change_nothing(backend: Backend) {
    let TwoProvinces {
        app,
        admin,
        hebei: hb,
        ..
    } = TwoProvinces::spawn(backend).await;
    let inspector = app.token_for("insp", Role::Inspector, Some(hb)).await;
    for (token, path, status, code) in [
        (
            &admin,
            "/api/v1/reports/assessment",
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            &admin,
            "/api/v1/reports/assessment?period=2025Q5",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            &admin,
            "/api/v1/reports/timeliness?period=2025&draw_id=1",
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            &admin,
            "/api/v1/reports/draw",
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            &admin,
            "/api/v1/reports/draw?draw_id=999",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            &admin,
            "/api/v1/reports/payroll?period=2025",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            &inspector,
            "/api/v1/reports/publication",
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
    ] {
        let (got, _, body) = download(&app, token, path).await;
        assert_eq!(got, status, "{backend:?} {path}");
        let error: Value = serde_json::from_slice(&body).expect("json error");
        assert_eq!(error["code"], code, "{backend:?} {path}: {error}");
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{backend:?}"
        );
    }
    let (got, _, _) = download(&app, "", "/api/v1/reports/publication").await;
    assert_eq!(got, StatusCode::UNAUTHORIZED, "{backend:?}");
    assert!(
        audit_rows(&app.db, "report.export").await.is_empty(),
        "{backend:?}"
    );

    let dir = tempfile::tempdir().expect("temp dir");
    for args in [
        vec!["report", "assessment", "-o"],
        vec!["report", "payroll", "--period", "2025", "-o"],
        vec!["report", "accountability", "--period", "2025-13", "-o"],
    ] {
        let path = dir.path().join("out.xlsx");
        let output = cli(&app).args(&args).arg(&path).output().expect("cli runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{backend:?} {args:?}");
        assert!(stderr.contains("error"), "{backend:?} {args:?}: {stderr}");
        assert!(!path.exists(), "{backend:?} {args:?}: no file left behind");
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("dir").count(),
            0,
            "{backend:?} {args:?}: no partial file left behind"
        );
    }
    assert!(
        audit_rows(&app.db, "report.export").await.is_empty(),
        "{backend:?}"
    );
}

#[both_engines]
async fn draw_list_and_publication_list_show_what_was_drawn_and_published(backend: Backend) {
    let w = World::new(backend).await;
    w.enterprise(Ent::default()).await;
    w.enterprise(Ent {
        region: "130203",
        ..Ent::default()
    })
    .await;
    let formula = w
        .create(
            "/api/v1/enterprises",
            json!({"credit_code": credit_code(900), "name": "=HYPERLINK(\"http://x\",\"点击\")",
                   "industry": "hazardous_chemicals", "region_code": "130102",
                   "risk_level": "high", "credit_class": "B"}),
        )
        .await;
    let crew = w.crew(2, "130000", &["hazardous_chemicals"]).await;
    let set = w.indicator_set("HC", &[(10.0, 1.0)]).await;
    let plan = w
        .plan(plan_body(
            "四季度危化品抽查",
            json!({"ratios": {"high": 1.0}, "indicator_set_id": set.id}),
        ))
        .await;
    let (status, body) = w
        .try_draw(plan, json!({"seed_text": "号".repeat(1_001)}))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {body}"
    );
    let draw = w
        .draw(plan, json!({"seed_text": "2026年11月29日 双色球开奖号码"}))
        .await;
    let draw_id = draw["id"].as_i64().expect("draw id");
    assert!(
        drawn_targets(&draw).contains(&formula),
        "{backend:?}: every high-risk firm"
    );

    // The draw list, through HTTP, as the 河北 supervisor.
    let bytes = report(
        &w.app,
        &w.supervisor,
        &format!("/api/v1/reports/draw?draw_id={draw_id}"),
    )
    .await;
    assert_eq!(
        sheet_names(&bytes),
        ["封面", "抽查名单", "未分配对象"],
        "{backend:?}"
    );
    let cover = cover_items(&bytes);
    assert_eq!(
        cover["随机种子"],
        draw["seed"].to_string().trim_matches('"'),
        "{backend:?}"
    );
    assert_eq!(
        cover["对象名录 SHA-256"], draw["population_sha256"],
        "{backend:?}"
    );
    assert_eq!(cover["算法版本"], draw["algorithm"], "{backend:?}");
    assert_eq!(cover["抽查计划"], "四季度危化品抽查", "{backend:?}");
    assert!(
        cover["种子来源"].starts_with("由抽取前公布的公开文本计算"),
        "{backend:?}: {}",
        cover["种子来源"]
    );
    assert_eq!(
        cover["种子来源文本"], "2026年11月29日 双色球开奖号码",
        "{backend:?}"
    );
    assert_eq!(cover["事先公告"], "", "{backend:?}: not announced");
    assert!(
        cover["核验方法"].contains(&format!("spotcheck draw verify {draw_id}")),
        "{backend:?}"
    );
    let (header, tasks) = sheet(&bytes, "抽查名单");
    let listed: Vec<i64> = column(&header, &tasks, "任务编号")
        .into_iter()
        .filter_map(number)
        .map(|n| n as i64)
        .collect();
    assert_eq!(
        listed,
        task_ids(&draw),
        "{backend:?}: every task, in draw order"
    );
    let badges = column(&header, &tasks, "执法证号");
    for ((_, team), badges) in teams(&draw).iter().zip(badges) {
        assert_eq!(
            text(badges).split('、').count(),
            team.len(),
            "{backend:?}: the whole team"
        );
    }
    let names: Vec<String> = texts(&header, &tasks, "检查对象");
    assert!(
        names.contains(&"=HYPERLINK(\"http://x\",\"点击\")".to_owned()),
        "{backend:?}: a formula-looking name is kept as text"
    );
    let formulas = {
        let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(&bytes[..])).expect("xlsx");
        workbook.worksheet_formula("抽查名单").expect("formulas")
    };
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "{backend:?}: no formulas"
    );
    let risk: Vec<String> = texts(&header, &tasks, "风险等级");
    assert!(risk.iter().all(|r| r == "较大"), "{backend:?}: {risk:?}");

    let from_cli = cli_report(&w.app, &["draw", "--draw", &draw_id.to_string()]);
    assert_eq!(
        sheet(&from_cli, "抽查名单"),
        (header.clone(), tasks.clone()),
        "{backend:?}: the command line writes the same list"
    );

    // A 北京 supervisor cannot see 河北's draw.
    let bj = w
        .app
        .token_for("bj-sup", Role::Supervisor, Some(w.beijing))
        .await;
    let (status, _, _) = download(
        &w.app,
        &bj,
        &format!("/api/v1/reports/draw?draw_id={draw_id}"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?}");

    // A redraw names the draw it replaces and why; the replaced list says so.
    let redraw = w
        .draw(plan, json!({"seed": 7, "reason": "抽取范围有误"}))
        .await;
    let redraw_id = redraw["id"].as_i64().expect("redraw id");
    let new_cover = draw_cover(&w.app, &w.supervisor, redraw_id).await;
    assert_eq!(
        new_cover["重新抽取"],
        format!("替代抽取编号 {draw_id}，原因：抽取范围有误"),
        "{backend:?}"
    );
    assert_eq!(new_cover["已被替代"], "", "{backend:?}");
    assert_eq!(
        new_cover["种子来源"], "人工指定（指定人：hb-supervisor；理由：抽取范围有误）",
        "{backend:?}: a given seed names who gave it and why"
    );
    let old_cover = draw_cover(&w.app, &w.supervisor, draw_id).await;
    assert!(
        old_cover["已被替代"].contains(&format!("抽取编号 {redraw_id}")),
        "{backend:?}"
    );
    let draw = redraw;

    // Carry out, review and publish every check but one; then the publication list.
    let mut published = Vec::new();
    for (n, (task, (target, team))) in task_ids(&draw).into_iter().zip(teams(&draw)).enumerate() {
        let finding = json!({"indicator_id": set.indicators[0], "points": 9.0,
                             "compliant": true, "description": "符合要求"});
        w.carry_out(task, crew.token(team[0]), &[finding]).await;
        w.step_ok(task, "review", &w.supervisor).await;
        if n > 0 {
            w.step_ok(task, "publish", &w.supervisor).await;
            published.push(target);
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("公示.xlsx");
    let output = cli(&w.app)
        .args(["report", "publication", "-o"])
        .arg(&path)
        .output()
        .expect("cli runs");
    assert!(
        output.status.success(),
        "{backend:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        String::from_utf8_lossy(&output.stdout).contains(&format!("({} rows)", published.len())),
        "{backend:?}"
    );
    let bytes = std::fs::read(&path).expect("written");
    let (header, rows) = sheet(&bytes, "公示名单");
    assert_eq!(
        rows.len(),
        published.len(),
        "{backend:?}: published results only"
    );
    let (_, public) = w
        .app
        .call(Method::GET, "/public/v1/results?page_size=100", None, None)
        .await;
    let mut public_names: Vec<String> = read::<Page>(&public)
        .column("target_name")
        .into_iter()
        .map(str::to_owned)
        .collect();
    let mut listed: Vec<String> = texts(&header, &rows, "检查对象");
    public_names.sort();
    listed.sort();
    assert_eq!(
        listed, public_names,
        "{backend:?}: the same results as the public list"
    );
    assert!(
        column(&header, &rows, "检查结果")
            .into_iter()
            .all(|r| text(r) == "合格"),
        "{backend:?}"
    );
    assert!(
        matches!(column(&header, &rows, "检查日期")[0], Data::DateTime(_)),
        "{backend:?}: dates are Excel dates"
    );
    // Checks of another year are not in that year's list, nor 河北's in 北京's.
    let bytes = report(
        &w.app,
        &w.supervisor,
        "/api/v1/reports/publication?period=2020",
    )
    .await;
    assert!(sheet(&bytes, "公示名单").1.is_empty(), "{backend:?}");
    let bytes = report(&w.app, &bj, "/api/v1/reports/publication").await;
    assert!(
        sheet(&bytes, "公示名单").1.is_empty(),
        "{backend:?}: 河北's results are not in 北京's list"
    );
    assert_eq!(
        audit_rows(&w.app.db, "report.export").await.len(),
        7,
        "{backend:?}: every export audited"
    );
}

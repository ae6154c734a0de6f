//! Importing workbooks end to end: every kind in Chinese and English headers,
//! through the CLI and HTTP, all or nothing, `--skip-invalid`, dry runs,
//! re-import idempotence, scope, templates and `.xls`.

use std::{path::Path, process::Output};

use chrono::NaiveDate;
use entities::Role;
use reqwest::StatusCode;
use sea_orm::{EntityTrait as _, PaginatorTrait as _};
use serde_json::Value;
use spotcheck::domain::CreditCode;
use spotcheck_tests::{
    Backend, TestApp, V, all_rows, audit_rows, both_engines, read_rows, row, xls, xlsx,
};

use crate::cli;

fn code(first17: &str) -> String {
    CreditCode::complete(first17)
        .expect("valid code")
        .to_string()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// Full-width form of an ASCII code.
fn full_width(text: &str) -> String {
    text.chars()
        .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c))
        .collect()
}

fn t(text: &str) -> V {
    V::from(text)
}

/// The same data set in Chinese (with real-world untidiness) and English.
struct Files {
    zh: Vec<(&'static str, Vec<u8>, u64)>,
    en: Vec<(&'static str, Vec<u8>)>,
}

fn files() -> Files {
    let (c1, c2, c3) = (
        code("91350100MA0000001"),
        code("91350100MA0000002"),
        code("91110101MA0000003"),
    );
    let regions_zh = xlsx(
        "行政区划",
        &[
            row(&["行政区划导入（2026年）"]),
            vec![],
            row(&["名称", "行政区划代码", "上级行政区划代码", "备注"]),
            vec![t("福建省"), V::N(350_000.0), V::E, t("省级")],
            row(&["  福州市 ", "350100", "350000"]),
            vec![],
            vec![t("鼓楼区"), t(&full_width("350102")), V::E],
            row(&["北京市", "110000", ""]),
            row(&["市辖区", "110100", "110000"]),
            row(&["东城区", "110101", "110100"]),
        ],
    );
    let regions_en = xlsx(
        "regions",
        &[
            row(&["code", "name", "parent_code"]),
            row(&["350000", "福建省", ""]),
            row(&["350100", "福州市", "350000"]),
            row(&["350102", "鼓楼区", "350100"]),
            row(&["110000", "北京市", ""]),
            row(&["110100", "市辖区", "110000"]),
            row(&["110101", "东城区", "110100"]),
        ],
    );
    let departments_zh = xlsx(
        "部门",
        &[
            row(&["部门编码", "部门名称", "类型", "行政区划", "上级部门编码"]),
            row(&[
                "EM-350102",
                "鼓楼区应急管理局",
                "应急管理部门",
                "350102",
                "EM-350000",
            ]),
            row(&["EM-350000", "福建省应急管理厅", "应急管理", "350000", ""]),
            row(&[
                "EM-110000",
                "北京市应急管理局",
                "应急管理部门",
                "110000",
                "",
            ]),
        ],
    );
    let departments_en = xlsx(
        "departments",
        &[
            row(&["parent_code", "code", "name", "kind", "region_code"]),
            row(&[
                "",
                "EM-350000",
                "福建省应急管理厅",
                "emergency_management",
                "350000",
            ]),
            row(&[
                "EM-350000",
                "EM-350102",
                "鼓楼区应急管理局",
                "emergency_management",
                "350102",
            ]),
            row(&[
                "",
                "EM-110000",
                "北京市应急管理局",
                "emergency_management",
                "110000",
            ]),
        ],
    );
    let enterprises_zh = xlsx(
        "企业",
        &[
            row(&[
                "企业名称",
                "统一社会信用代码",
                "行业",
                "行政区划",
                "风险等级",
                "信用分类",
                "重点监管",
                "状态",
            ]),
            vec![
                t("福州甲化工有限公司"),
                t(&full_width(&c1.to_lowercase())),
                t("危险化学品"),
                V::N(350_102.0),
                t("较大"),
                t("B类"),
                t("是"),
                t("正常"),
            ],
            row(&[
                "福州乙矿业有限公司",
                &c2,
                "非煤矿山",
                "350100",
                "重大",
                "A",
                "否",
                "",
            ]),
            vec![
                t("北京丙烟花有限公司"),
                t(&format!(" {c3} ")),
                t("烟花爆竹"),
                t("110101"),
                t("低"),
                t("D类"),
                V::B(false),
                t("停产"),
            ],
        ],
    );
    let enterprises_en = xlsx(
        "enterprises",
        &[
            row(&[
                "credit_code",
                "name",
                "industry",
                "region_code",
                "risk_level",
                "credit_class",
                "key_supervision",
                "status",
            ]),
            row(&[
                &c1,
                "福州甲化工有限公司",
                "hazardous_chemicals",
                "350102",
                "high",
                "B",
                "yes",
                "active",
            ]),
            row(&[
                &c2,
                "福州乙矿业有限公司",
                "non_coal_mine",
                "350100",
                "major",
                "A",
                "no",
                "active",
            ]),
            row(&[
                &c3,
                "北京丙烟花有限公司",
                "fireworks",
                "110101",
                "low",
                "D",
                "false",
                "suspended",
            ]),
        ],
    );
    let inspectors_zh = xlsx(
        "执法检查人员",
        &[
            row(&[
                "执法证号",
                "姓名",
                "所属部门编码",
                "行政区划",
                "检查领域",
                "是否在岗",
            ]),
            row(&[
                "35010200001",
                "林一",
                "EM-350102",
                "350102",
                "危险化学品、烟花爆竹",
                "是",
            ]),
            vec![
                V::N(11_000_000_001.0),
                t("王二"),
                t("EM-110000"),
                t("110101"),
                t("煤矿，烟花爆竹"),
                t("否"),
            ],
        ],
    );
    let inspectors_en = xlsx(
        "inspectors",
        &[
            row(&[
                "badge_no",
                "name",
                "department_code",
                "region_code",
                "industries",
                "active",
            ]),
            row(&[
                "35010200001",
                "林一",
                "EM-350102",
                "350102",
                "hazardous_chemicals, fireworks",
                "yes",
            ]),
            row(&[
                "11000000001",
                "王二",
                "EM-110000",
                "110101",
                "coal_mine,fireworks",
                "no",
            ]),
        ],
    );
    let conflicts_zh = xlsx(
        "回避关系",
        &[
            row(&["执法证号", "统一社会信用代码", "部门编码", "回避原因"]),
            row(&["35010200001", &c1, "", "近亲属在该企业任职"]),
            row(&["11000000001", "", "EM-110000", "本单位"]),
        ],
    );
    let conflicts_en = xlsx(
        "conflicts",
        &[
            row(&["badge_no", "credit_code", "department_code", "reason"]),
            row(&["35010200001", &c1, "", "近亲属在该企业任职"]),
            row(&["11000000001", "", "EM-110000", "本单位"]),
        ],
    );
    let risks_zh = xlsx(
        "风险清单",
        &[
            row(&[
                "统一社会信用代码",
                "风险编号",
                "风险名称",
                "风险等级",
                "管控措施",
                "辨识日期",
            ]),
            vec![
                t(&c1),
                t("FX-001"),
                t("液氯储罐泄漏"),
                t("重大"),
                t("双人巡检"),
                V::D(day(2026, 3, 15)),
            ],
            row(&[
                &c1,
                "FX-002",
                "反应釜超温",
                "较大",
                "温度联锁",
                "2026/04/01",
            ]),
            vec![
                t(&c2),
                t("FX-001"),
                t("尾矿库溃坝"),
                t("一般"),
                t("在线监测"),
                V::N(46_000.0),
            ],
        ],
    );
    let risks_en = xlsx(
        "risks",
        &[
            row(&[
                "credit_code",
                "code",
                "name",
                "level",
                "measures",
                "identified_on",
            ]),
            row(&[
                &c1,
                "FX-001",
                "液氯储罐泄漏",
                "major",
                "双人巡检",
                "2026-03-15",
            ]),
            row(&[
                &c1,
                "FX-002",
                "反应釜超温",
                "high",
                "温度联锁",
                "2026-04-01",
            ]),
            row(&[
                &c2,
                "FX-001",
                "尾矿库溃坝",
                "moderate",
                "在线监测",
                "2025-12-09",
            ]),
        ],
    );
    let hazards_zh = xlsx(
        "隐患排查治理清单",
        &[
            row(&[
                "统一社会信用代码",
                "隐患编号",
                "隐患描述",
                "隐患等级",
                "发现日期",
                "整改期限",
                "整改完成日期",
            ]),
            row(&[
                &c1,
                "YH-1",
                "报警器失效",
                "一般",
                "2026年11月2日",
                "2026-11-30",
                "",
            ]),
            vec![
                t(&c2),
                t("YH-1"),
                t("防护栏缺失"),
                t("重大"),
                V::D(day(2026, 10, 1)),
                V::D(day(2026, 10, 15)),
                t("2026.10.10"),
            ],
        ],
    );
    let hazards_en = xlsx(
        "hazards",
        &[
            row(&[
                "credit_code",
                "code",
                "description",
                "grade",
                "found_on",
                "rectify_by",
                "rectified_on",
            ]),
            row(&[
                &c1,
                "YH-1",
                "报警器失效",
                "general",
                "2026-11-02",
                "2026-11-30",
                "",
            ]),
            row(&[
                &c2,
                "YH-1",
                "防护栏缺失",
                "major",
                "2026-10-01",
                "2026-10-15",
                "2026-10-10",
            ]),
        ],
    );
    let holidays_zh = xlsx(
        "节假日",
        &[
            row(&["日期", "节日名称", "类型"]),
            row(&["2030-10-01", "国庆节", "放假"]),
            vec![V::D(day(2030, 10, 2)), t("国庆节"), t("放假")],
            row(&["2030/10/12", "国庆节调休", "调休上班"]),
        ],
    );
    let holidays_en = xlsx(
        "holidays",
        &[
            row(&["date", "name", "kind"]),
            row(&["2030-10-01", "国庆节", "holiday"]),
            row(&["2030-10-02", "国庆节", "holiday"]),
            row(&["2030-10-12", "国庆节调休", "workday"]),
        ],
    );
    Files {
        zh: vec![
            ("regions", regions_zh, 6),
            ("departments", departments_zh, 3),
            ("enterprises", enterprises_zh, 3),
            ("inspectors", inspectors_zh, 2),
            ("conflicts", conflicts_zh, 2),
            ("risks", risks_zh, 3),
            ("hazards", hazards_zh, 2),
            ("holidays", holidays_zh, 3),
        ],
        en: vec![
            ("regions", regions_en),
            ("departments", departments_en),
            ("enterprises", enterprises_en),
            ("inspectors", inspectors_en),
            ("conflicts", conflicts_en),
            ("risks", risks_en),
            ("hazards", hazards_en),
            ("holidays", holidays_en),
        ],
    }
}

fn run_cli(app: &TestApp, args: &[&str]) -> Output {
    cli(app).args(args).output().expect("run cli")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn cli_import(app: &TestApp, dir: &Path, kind: &str, bytes: &[u8], extra: &[&str]) -> Output {
    let path = dir.join(format!("{kind}.xlsx"));
    std::fs::write(&path, bytes).expect("write file");
    let path = path.to_string_lossy().into_owned();
    let mut args = vec!["import", kind, path.as_str()];
    args.extend_from_slice(extra);
    run_cli(app, &args)
}

#[both_engines]
async fn every_kind_imports_in_both_languages_through_cli_and_http_and_again_unchanged(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let dir = tempfile::tempdir().expect("dir");
    let files = files();
    for (kind, bytes, count) in &files.zh {
        let out = cli_import(&app, dir.path(), kind, bytes, &[]);
        let stdout = text(&out.stdout);
        assert!(
            out.status.success(),
            "{backend:?} {kind}: {stdout} {}",
            text(&out.stderr)
        );
        assert!(
            stdout.contains(&format!(
                "{count} rows, {count} inserted, 0 updated, 0 unchanged, 0 rejected"
            )),
            "{backend:?} {kind}: {stdout}"
        );
    }
    let warnings =
        text(&cli_import(&app, dir.path(), "regions", &files.zh[0].1, &["--dry-run"]).stderr);
    assert!(
        warnings.contains("备注"),
        "{backend:?}: unknown columns are warned about: {warnings}"
    );
    for ((kind, bytes), (_, _, count)) in files.en.iter().zip(&files.zh) {
        let (status, body) = app
            .upload(&admin, kind, "", &format!("{kind}.xlsx"), bytes.clone())
            .await;
        assert_eq!(status, StatusCode::OK, "{backend:?} {kind}: {body}");
        assert_eq!(
            body["unchanged"], *count,
            "{backend:?} {kind}: English headers, same data: {body}"
        );
        assert_eq!(
            body["inserted"].as_u64(),
            Some(0),
            "{backend:?} {kind}: {body}"
        );
        assert_eq!(
            body["updated"].as_u64(),
            Some(0),
            "{backend:?} {kind}: {body}"
        );
        assert_eq!(
            body["sha256"].as_str().map(str::len),
            Some(64),
            "{backend:?} {kind}"
        );
    }
    for (kind, bytes, count) in &files.zh {
        let out = cli_import(&app, dir.path(), kind, bytes, &[]);
        assert!(
            text(&out.stdout).contains(&format!("0 inserted, 0 updated, {count} unchanged")),
            "{backend:?} {kind} again: {}",
            text(&out.stdout)
        );
        let (status, body) = app
            .upload(&admin, kind, "", "again.xlsx", bytes.clone())
            .await;
        assert_eq!(
            (status, body["unchanged"].as_u64()),
            (StatusCode::OK, Some(*count)),
            "{backend:?} {kind}: {body}"
        );
        let audit = audit_rows(&app.db, &format!("import.{kind}")).await;
        assert_eq!(
            audit.len(),
            4,
            "{backend:?} {kind}: one audit entry per import"
        );
        let detail: Value = serde_json::from_str(&audit[0].detail).expect("detail");
        assert_eq!(detail["inserted"], *count, "{backend:?} {kind}: {detail}");
        assert_eq!(
            detail["sha256"].as_str().map(str::len),
            Some(64),
            "{backend:?} {kind}"
        );
    }
    let enterprises = all_rows::<entities::enterprise::Entity>(&app.db).await;
    assert_eq!(enterprises.len(), 3, "{backend:?}");
    let first = enterprises
        .iter()
        .find(|e| e.name == "福州甲化工有限公司")
        .expect("imported");
    assert_eq!(
        first.credit_code,
        code("91350100MA0000001"),
        "{backend:?}: full width and case normalised"
    );
    assert_eq!(
        first.region_code, "350102",
        "{backend:?}: a number stored as text"
    );
    assert!(first.key_supervision, "{backend:?}: 是");
    let hazards = all_rows::<entities::hazard_item::Entity>(&app.db).await;
    assert!(
        hazards
            .iter()
            .any(|h| h.rectified_on == Some(day(2026, 10, 10))),
        "{backend:?}"
    );
    assert!(
        hazards.iter().any(|h| h.found_on == day(2026, 11, 2)),
        "{backend:?}: 2026年11月2日"
    );
    let risks = all_rows::<entities::risk_item::Entity>(&app.db).await;
    assert!(
        risks
            .iter()
            .any(|r| r.identified_on == Some(day(2025, 12, 9))),
        "{backend:?}: serial 46000"
    );
    assert_eq!(
        entities::conflict::Entity::find().count(&app.db).await.ok(),
        Some(2),
        "{backend:?}"
    );
    let child = all_rows::<entities::department::Entity>(&app.db).await;
    let parent = child.iter().find(|d| d.code == "EM-350000").map(|d| d.id);
    assert_eq!(
        child
            .iter()
            .find(|d| d.code == "EM-350102")
            .and_then(|d| d.parent_id),
        parent,
        "{backend:?}: a parent later in the file"
    );
}

/// Regions and departments of two provinces, imported by the CLI.
fn seed(app: &TestApp, dir: &Path) {
    let files = files();
    for (kind, bytes, _) in files.zh.iter().take(2) {
        let out = cli_import(app, dir, kind, bytes, &[]);
        assert!(out.status.success(), "{kind}: {}", text(&out.stderr));
    }
}

fn bad_enterprises() -> Vec<u8> {
    let good = code("91350100MA0000001");
    let mut wrong = code("91350100MA0000002");
    let last = if wrong.ends_with('0') { '1' } else { '0' };
    wrong.pop();
    wrong.push(last);
    xlsx(
        "企业",
        &[
            row(&[
                "统一社会信用代码",
                "企业名称",
                "行业",
                "行政区划",
                "风险等级",
                "信用分类",
            ]),
            row(&[&good, "甲公司", "危险化学品", "350102", "较大", "B"]),
            row(&[&wrong, "乙公司", "煤矿", "350102", "一般", "A"]),
            row(&[
                &code("91350100MA0000003"),
                "丙公司",
                "煤矿",
                "350199",
                "一般",
                "A",
            ]),
            row(&[&good, "甲公司重复", "煤矿", "350102", "一般", "A"]),
            row(&[
                &code("91350100MA0000004"),
                "丁公司",
                "造船",
                "350102",
                "极高",
                "A",
            ]),
            row(&[
                &code("91350100MA0000005"),
                "",
                "煤矿",
                "350102",
                "一般",
                "A",
            ]),
        ],
    )
}

#[both_engines]
async fn one_invalid_row_rejects_the_file_and_every_error_is_listed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let dir = tempfile::tempdir().expect("dir");
    seed(&app, dir.path());
    let (status, body) = app
        .upload(&admin, "enterprises", "", "bad.xlsx", bad_enterprises())
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {body}"
    );
    assert_eq!(body["code"], "validation_failed", "{backend:?}: {body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("nothing was imported")),
        "{backend:?}: {body}"
    );
    let errors = body["errors"].as_array().expect("errors");
    let places: Vec<(u64, &str)> = errors
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap_or(0),
                e["column"].as_str().unwrap_or(""),
            )
        })
        .collect();
    for expected in [
        (3, "统一社会信用代码"),
        (4, "行政区划"),
        (5, "统一社会信用代码"),
        (6, "行业"),
        (6, "风险等级"),
        (7, "企业名称"),
    ] {
        assert!(
            places.contains(&expected),
            "{backend:?}: {expected:?} in {places:?}"
        );
    }
    assert!(
        errors.iter().all(|e| e["sheet"] == "企业"),
        "{backend:?}: {body}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e["message"].as_str().is_some_and(|m| m.contains("row 2"))),
        "{backend:?}: duplicates name the first row"
    );
    assert!(
        errors.iter().any(|e| e["message"]
            .as_str()
            .is_some_and(|m| m.contains("check character"))),
        "{backend:?}"
    );
    assert_eq!(
        entities::enterprise::Entity::find()
            .count(&app.db)
            .await
            .ok(),
        Some(0),
        "{backend:?}: all or nothing"
    );
    let out = cli_import(&app, dir.path(), "enterprises", &bad_enterprises(), &[]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{backend:?}");
    for row in ["row 3", "row 4", "row 5", "row 6", "row 7"] {
        assert!(stderr.contains(row), "{backend:?}: {row} in {stderr}");
    }
    assert!(
        stderr
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("error: ")),
        "{backend:?}: {stderr}"
    );
    assert!(
        audit_rows(&app.db, "import.enterprises").await.is_empty(),
        "{backend:?}"
    );

    let c1 = code("91350100MA0000001");
    let hazards = xlsx(
        "隐患",
        &[
            row(&[
                "统一社会信用代码",
                "隐患编号",
                "隐患描述",
                "隐患等级",
                "发现日期",
                "整改期限",
            ]),
            row(&[&c1, "YH-9", "描述", "一般", "2026-11-20", "2026-11-01"]),
            row(&[
                &code("91350100MA0000009"),
                "YH-8",
                "描述",
                "一般",
                "2026-02-30",
                "2026-11-01",
            ]),
        ],
    );
    let (status, body) = app.upload(&admin, "hazards", "", "h.xlsx", hazards).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {body}"
    );
    let text = body.to_string();
    assert!(
        text.contains("整改期限") && text.contains("before the date found"),
        "{backend:?}: {text}"
    );
    assert!(
        text.contains("发现日期") && text.contains("not a real date"),
        "{backend:?}: {text}"
    );
}

#[both_engines]
async fn control_characters_in_cells_are_row_errors_on_either_engine(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let dir = tempfile::tempdir().expect("dir");
    seed(&app, dir.path());
    let workbook = xlsx(
        "企业",
        &[
            row(&[
                "统一社会信用代码",
                "企业名称",
                "行业",
                "行政区划",
                "风险等级",
                "信用分类",
            ]),
            row(&[
                &code("91350100MA0000011"),
                "甲\u{0}公司",
                "煤矿",
                "350102",
                "一般",
                "A",
            ]),
            row(&[
                &code("91350100MA0000012"),
                "乙公司\u{1b}",
                "煤矿",
                "350102",
                "一般",
                "A",
            ]),
        ],
    );

    let (status, body) = app
        .upload(&admin, "enterprises", "", "control.xlsx", workbook)
        .await;

    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {body}"
    );
    let errors = body["errors"].as_array().expect("row errors");
    for (row_number, code_point) in [(2, "U+0000"), (3, "U+001B")] {
        assert!(
            errors.iter().any(|e| e["row"] == row_number
                && e["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(code_point))),
            "{backend:?}: row {row_number} names {code_point}: {body}"
        );
    }
    assert_eq!(
        entities::enterprise::Entity::find()
            .count(&app.db)
            .await
            .ok(),
        Some(0),
        "{backend:?}: nothing imported"
    );
}

#[both_engines]
async fn skip_invalid_imports_the_good_rows_and_returns_the_rejected_ones(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let dir = tempfile::tempdir().expect("dir");
    seed(&app, dir.path());
    let (status, body) = app
        .upload(
            &admin,
            "enterprises",
            "skip_invalid=true",
            "bad.xlsx",
            bad_enterprises(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
    assert_eq!(
        (body["inserted"].as_u64(), body["rejected"].as_u64()),
        (Some(1), Some(5)),
        "{backend:?}: {body}"
    );
    let workbook = body["error_workbook_base64"]
        .as_str()
        .expect("error workbook");
    let bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, workbook)
        .expect("base64");
    let rows = read_rows(&bytes);
    assert!(
        rows[0].1.last().is_some_and(|h| h.contains("Reason")),
        "{backend:?}: {rows:?}"
    );
    let sources: Vec<String> = rows[1..]
        .iter()
        .map(|(_, cells)| cells[0].clone())
        .collect();
    assert_eq!(sources, ["3", "4", "5", "6", "7"], "{backend:?}");
    assert!(
        rows[4].1.last().is_some_and(|r| r.contains("造船")),
        "{backend:?}: {rows:?}"
    );
    assert_eq!(
        entities::enterprise::Entity::find()
            .count(&app.db)
            .await
            .ok(),
        Some(1),
        "{backend:?}"
    );

    let out = cli_import(
        &app,
        dir.path(),
        "enterprises",
        &bad_enterprises(),
        &["--skip-invalid"],
    );
    assert!(out.status.success(), "{backend:?}: {}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("1 unchanged, 5 rejected"),
        "{backend:?}: {}",
        text(&out.stdout)
    );
    let beside = dir.path().join("enterprises.errors.xlsx");
    assert_eq!(
        read_rows(&std::fs::read(&beside).expect("error workbook beside the input")).len(),
        6,
        "{backend:?}"
    );
    let chosen = dir.path().join("chosen.xlsx");
    let chosen_arg = chosen.to_string_lossy().into_owned();
    let out = cli_import(
        &app,
        dir.path(),
        "enterprises",
        &bad_enterprises(),
        &["--skip-invalid", "--errors", &chosen_arg],
    );
    assert!(
        out.status.success() && chosen.exists(),
        "{backend:?}: {}",
        text(&out.stderr)
    );
}

#[both_engines]
async fn a_dry_run_reports_and_writes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let dir = tempfile::tempdir().expect("dir");
    let files = files();
    let (kind, bytes, count) = &files.zh[0];
    let out = cli_import(&app, dir.path(), kind, bytes, &["--dry-run"]);
    assert!(
        text(&out.stdout).contains(&format!(
            "dry run, nothing written: {kind}: {count} rows, {count} inserted"
        )),
        "{backend:?}: {}",
        text(&out.stdout)
    );
    let (status, body) = app
        .upload(&admin, kind, "dry_run=true", "r.xlsx", bytes.clone())
        .await;
    assert_eq!(
        (status, body["inserted"].as_u64(), body["dry_run"].as_bool()),
        (StatusCode::OK, Some(*count), Some(true)),
        "{backend:?}: {body}"
    );
    assert_eq!(
        entities::region::Entity::find().count(&app.db).await.ok(),
        Some(0),
        "{backend:?}"
    );
    assert!(
        audit_rows(&app.db, "import.regions").await.is_empty(),
        "{backend:?}"
    );
}

#[both_engines]
async fn roles_and_jurisdiction_bound_what_a_user_may_import(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let dir = tempfile::tempdir().expect("dir");
    seed(&app, dir.path());
    let departments = all_rows::<entities::department::Entity>(&app.db).await;
    let fujian = departments
        .iter()
        .find(|d| d.code == "EM-350000")
        .map(|d| d.id);
    let token = app.token_for("fj.dept", Role::Department, fujian).await;
    let files = files();
    let (status, body) = app
        .upload(&token, "regions", "", "r.xlsx", files.zh[0].1.clone())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}: {body}");
    let (status, body) = app
        .upload(&token, "enterprises", "", "e.xlsx", files.zh[2].1.clone())
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {body}"
    );
    let errors = body["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{backend:?}: only the Beijing row: {body}");
    assert_eq!(errors[0]["row"], 4, "{backend:?}");
    assert!(
        errors[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("outside your jurisdiction")),
        "{backend:?}"
    );
    let supervisor = app.token_for("sup", Role::Supervisor, None).await;
    let (status, _) = app
        .upload(&supervisor, "holidays", "", "h.xlsx", files.zh[7].1.clone())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}");
    let (status, body) = app
        .upload(&admin, "nonsense", "", "h.xlsx", files.zh[7].1.clone())
        .await;
    assert!(status.is_client_error(), "{backend:?}: {body}");
}

#[both_engines]
async fn templates_come_with_notes_and_import_once_filled_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let dir = tempfile::tempdir().expect("dir");
    for kind in [
        "regions",
        "departments",
        "enterprises",
        "inspectors",
        "conflicts",
        "risks",
        "hazards",
        "holidays",
    ] {
        let response = app
            .authed(
                reqwest::Method::GET,
                &format!("/api/v1/templates/{kind}"),
                &admin,
            )
            .send()
            .await
            .expect("template");
        assert_eq!(response.status(), StatusCode::OK, "{backend:?} {kind}");
        let bytes = response.bytes().await.expect("bytes").to_vec();
        let rows = read_rows(&bytes);
        assert_eq!(rows.len(), 2, "{backend:?} {kind}: header and example");
        assert!(
            rows[0].1.iter().all(|h| !h.is_ascii()),
            "{backend:?} {kind}: Chinese headers {:?}",
            rows[0].1
        );
    }
    let out = run_cli(
        &app,
        &[
            "template",
            "regions",
            "-o",
            &dir.path().join("t.xlsx").to_string_lossy(),
        ],
    );
    assert!(out.status.success(), "{backend:?}: {}", text(&out.stderr));
    let template = std::fs::read(dir.path().join("t.xlsx")).expect("template written");
    let headers = read_rows(&template).remove(0).1;
    let example_left = cli_import(&app, dir.path(), "regions", &template, &[]);
    assert!(
        text(&example_left.stderr).contains("example row"),
        "{backend:?}: {}",
        text(&example_left.stderr)
    );
    // The user types their rows under the template's own headers.
    let mut filled = vec![headers.iter().map(|h| V::T(h.clone())).collect::<Vec<_>>()];
    filled.push(row(&["350000", "福建省", ""]));
    filled.push(row(&["350100", "福州市", ""]));
    let (status, body) = app
        .upload(&admin, "regions", "", "t.xlsx", xlsx("行政区划", &filled))
        .await;
    assert_eq!(
        (status, body["inserted"].as_u64()),
        (StatusCode::OK, Some(2)),
        "{backend:?}: {body}"
    );
}

#[both_engines]
async fn legacy_xls_files_import_too(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let dir = tempfile::tempdir().expect("dir");
    let rows = [
        row(&["日期", "节日名称", "类型"]),
        vec![t("2030-01-01"), t("元旦"), t("放假")],
        vec![V::N(47_485.0), t("元旦"), t("holiday")],
    ];
    let bytes = xls("Sheet1", &rows);
    let path = dir.path().join("holidays.xls");
    std::fs::write(&path, &bytes).expect("write");
    let out = run_cli(&app, &["import", "holidays", &path.to_string_lossy()]);
    assert!(
        text(&out.stdout).contains("2 inserted"),
        "{backend:?}: {} {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let (status, body) = app.upload(&admin, "holidays", "", "h.xls", bytes).await;
    assert_eq!(
        (status, body["unchanged"].as_u64()),
        (StatusCode::OK, Some(2)),
        "{backend:?}: {body}"
    );
}

#[both_engines]
async fn the_2019_notice_words_and_short_forms_import_and_the_vocabularies_name_them(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let dir = tempfile::tempdir().expect("dir");
    seed(&app, dir.path());
    let words = [
        ("渔业生产", "fishery"),
        ("渔业", "fishery"),
        ("金属冶炼", "metal_smelting"),
        ("冶金", "metal_smelting"),
        ("危化品", "hazardous_chemicals"),
        ("烟花爆竹", "fireworks"),
    ];
    let mut rows = vec![row(&[
        "企业名称",
        "统一社会信用代码",
        "行业",
        "行政区划",
        "风险等级",
        "信用分类",
    ])];
    let codes: Vec<String> = (0..words.len())
        .map(|i| code(&format!("91350100MA000010{i}")))
        .collect();
    for ((word, _), credit) in words.iter().zip(&codes) {
        rows.push(row(&[
            &format!("福州{word}有限公司"),
            credit,
            word,
            "350102",
            "一般",
            "B类",
        ]));
    }
    let out = cli_import(&app, dir.path(), "enterprises", &xlsx("企业", &rows), &[]);
    assert!(
        out.status.success(),
        "{backend:?}: {} {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    for ((word, industry), credit) in words.iter().zip(&codes) {
        let (status, body) = app
            .get(&format!("/api/v1/enterprises?q={credit}"), &admin)
            .await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
        assert_eq!(
            body["items"][0]["industry"], *industry,
            "{backend:?} {word}: {body}"
        );
    }

    // The vocabularies need no login and name each code in both languages.
    let response = app
        .client
        .get(format!("{}/api/v1/vocabularies", app.base))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("JSON");
    let industry = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|v| v["name"] == "industry")
        .expect("industry vocabulary");
    let fishery = industry["terms"]
        .as_array()
        .expect("terms")
        .iter()
        .find(|t| t["code"] == "fishery")
        .expect("fishery");
    assert_eq!(fishery["zh"], "渔业生产", "{body}");
    assert_eq!(fishery["en"], "Fishery", "{body}");
    for name in [
        "task_status",
        "severity",
        "accountability_reason",
        "role",
        "report_stage",
    ] {
        assert!(
            body["items"]
                .as_array()
                .expect("items")
                .iter()
                .any(|v| v["name"] == name),
            "{name}"
        );
    }
}

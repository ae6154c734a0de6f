use std::io::{Cursor, Read as _};

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::NaiveDate;

use super::{
    Meta, Sink, Written,
    accountability::{AccountabilityRow, Status, accountability_report},
    draw_list::{DrawCover, DrawList, DrawTaskRow, UnassignedRow},
    publication::{PublicationList, PublicationRow},
    scorecard::{Basis, Grade, IndicatorRow, RegionScore, ScoreRow, Scorecard},
    timeliness::{TimelinessRow, timeliness_report},
};

fn memory(written: Written) -> Vec<u8> {
    match written {
        Written::Memory(bytes) => bytes,
        Written::File(_) => panic!("asked for memory"),
    }
}

fn meta() -> Meta {
    Meta {
        period: Some("2026年第4季度".to_owned()),
        scope: "浙江省".to_owned(),
        exporter: "zhang & co".to_owned(),
        exported_at: NaiveDate::from_ymd_opt(2026, 11, 29)
            .unwrap()
            .and_hms_opt(20, 15, 0)
            .unwrap(),
        basis: None,
    }
}

fn open(bytes: &[u8]) -> Xlsx<Cursor<&[u8]>> {
    open_workbook_from_rs(Cursor::new(bytes)).unwrap()
}

fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<Data>> {
    let range = open(bytes).worksheet_range(name).unwrap();
    range.rows().map(<[Data]>::to_vec).collect()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => format!("{other}"),
    }
}

fn part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    out
}

const RISKY: [&str; 6] = ["=1+1", "+86 571", "-5", "@SUM(A1)", "\tx", "\rx"];

fn publication_row(name: &str) -> PublicationRow {
    PublicationRow {
        target_name: name.to_owned(),
        credit_code: Some("91330100MA27XXXX1A".to_owned()),
        region_code: "330102".to_owned(),
        check_date: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
        badges: "ZJ001、ZJ002".to_owned(),
        result: "合格".to_owned(),
        score: Some(87.5),
        hazards: 1,
        deadlines: "2026-12-31".to_owned(),
        published_at: NaiveDate::from_ymd_opt(2026, 11, 20)
            .unwrap()
            .and_hms_opt(9, 30, 0)
            .unwrap(),
    }
}

#[test]
fn publication_list_has_title_headers_and_typed_values() {
    let mut list = PublicationList::new(&meta()).unwrap();
    list.push(&publication_row("杭州甲化工有限公司")).unwrap();
    list.push(&publication_row("杭州乙物流有限公司")).unwrap();
    assert_eq!(list.rows(), 2);
    let bytes = list.finish().unwrap();

    assert_eq!(open(&bytes).sheet_names(), ["公示名单"]);
    let rows = sheet(&bytes, "公示名单");
    assert_eq!(rows.len(), 4, "title, header and two results");
    assert_eq!(
        text(&rows[0][0]),
        "双随机抽查结果公示（2026年第4季度 · 浙江省）"
    );
    assert_eq!(text(&rows[1][1]), "检查对象");
    assert_eq!(text(&rows[1][2]), "统一社会信用代码");
    assert_eq!(rows[2][0], Data::Float(1.0));
    assert_eq!(rows[3][0], Data::Float(2.0));
    assert_eq!(text(&rows[3][1]), "杭州乙物流有限公司");
    assert_eq!(rows[2][7], Data::Float(87.5));
    assert!(
        matches!(rows[2][4], Data::DateTime(d) if d.as_f64() == 46_328.0),
        "check date is an Excel date: {:?}",
        rows[2][4]
    );

    let xml = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(xml.contains("<pane ySplit=\"2\""), "header frozen");
    assert!(
        xml.contains("<autoFilter ref=\"A2:K4\""),
        "autofilter over the rows"
    );
    assert!(xml.contains("orientation=\"landscape\""), "landscape");
    assert!(xml.contains("fitToHeight=\"0\""), "one page wide");
    assert!(
        xml.contains("导出人：zhang &amp;&amp; co"),
        "footer names the exporter, its & escaped"
    );
    assert!(
        xml.contains("导出时间：2026-11-29 20:15"),
        "footer gives the time"
    );
    let workbook = part(&bytes, "xl/workbook.xml");
    assert!(
        workbook.contains("_xlnm.Print_Titles"),
        "header rows repeat"
    );
}

#[test]
fn formula_looking_text_stays_text_with_the_quote_prefix() {
    let mut list = PublicationList::new(&meta()).unwrap();
    for risky in RISKY {
        list.push(&publication_row(risky)).unwrap();
    }
    let bytes = list.finish().unwrap();
    let rows = sheet(&bytes, "公示名单");
    for (row, risky) in rows[2..].iter().zip(RISKY) {
        assert_eq!(
            row[1],
            Data::String(risky.to_owned()),
            "{risky:?} is a string"
        );
    }
    let formulas = open(&bytes).worksheet_formula("公示名单").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formulas at all"
    );
    assert!(part(&bytes, "xl/styles.xml").contains("quotePrefix=\"1\""));
    // Each risky name has a style (the quote prefix); plain text has none.
    let xml = part(&bytes, "xl/worksheets/sheet1.xml");
    for row in 3..3 + RISKY.len() {
        assert!(
            xml.contains(&format!("<c r=\"B{row}\" s=")),
            "B{row} carries the quote-prefix style"
        );
    }
    assert!(
        xml.contains("<c r=\"G3\" t=\"inlineStr\">"),
        "plain text has no style"
    );
}

#[test]
fn text_excel_would_evaluate_is_recognised() {
    use super::sheet::looks_like_formula;
    for risky in RISKY {
        assert!(looks_like_formula(risky), "{risky:?}");
    }
    for plain in ["杭州", "91330100MA27XXXX1A", "a=b", " =1", "", "1-2"] {
        assert!(!looks_like_formula(plain), "{plain:?}");
    }
}

#[test]
fn text_longer_than_a_cell_holds_is_cut_not_refused() {
    let mut list = PublicationList::new(&meta()).unwrap();
    let long = "隐".repeat(40_000);
    list.push(&PublicationRow {
        result: long,
        ..publication_row("甲")
    })
    .unwrap();
    let bytes = list.finish().unwrap();
    let rows = sheet(&bytes, "公示名单");
    let cell = text(&rows[2][6]);
    assert_eq!(cell.chars().count(), 32_767);
    assert!(cell.ends_with('…'));
}

#[test]
fn draw_list_has_a_cover_that_lets_anyone_verify_it() {
    let cover = DrawCover {
        plan_name: "2026年第四季度危化品抽查".to_owned(),
        draw_id: 7,
        algorithm: "spotcheck-draw/1".to_owned(),
        seed: "18446744073709551615".to_owned(),
        seed_source: "事先公布的公开文本".to_owned(),
        seed_text: Some("=HYPERLINK(\"x\")".to_owned()),
        announcement: Some("公告编号 3".to_owned()),
        population_size: 1200,
        population_sha256: "ab".repeat(32),
        verify_hint: "spotcheck draw verify 7".to_owned(),
        ..DrawCover::default()
    };
    let unassigned = [UnassignedRow {
        target_name: "丙公司".to_owned(),
        target_code: "91330100MA27YYYY2B".to_owned(),
        region_code: "330102".to_owned(),
        reason: "no eligible inspector".to_owned(),
    }];
    let mut list = DrawList::new(&meta(), &cover, &unassigned).unwrap();
    list.push(&DrawTaskRow {
        task_id: 41,
        target_name: "甲公司".to_owned(),
        inspectors: "张三、李四".to_owned(),
        due: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
        ..DrawTaskRow::default()
    })
    .unwrap();
    let bytes = list.finish().unwrap();

    assert_eq!(
        open(&bytes).sheet_names(),
        ["封面", "抽查名单", "未分配对象"]
    );
    let cover_rows = sheet(&bytes, "封面");
    let value_of = |label: &str| {
        cover_rows
            .iter()
            .find(|r| text(&r[0]) == label)
            .map(|r| text(&r[1]))
            .unwrap_or_else(|| panic!("cover has {label}"))
    };
    assert_eq!(
        value_of("随机种子"),
        "18446744073709551615",
        "seed kept exactly as text"
    );
    assert_eq!(value_of("对象名录 SHA-256"), "ab".repeat(32));
    assert_eq!(value_of("种子来源文本"), "=HYPERLINK(\"x\")");
    assert_eq!(value_of("种子来源"), "事先公布的公开文本");
    assert_eq!(value_of("事先公告"), "公告编号 3");
    assert_eq!(value_of("核验方法"), "spotcheck draw verify 7");
    let tasks = sheet(&bytes, "抽查名单");
    assert_eq!(tasks.len(), 3);
    assert_eq!(tasks[2][1], Data::Float(41.0));
    assert_eq!(text(&tasks[2][9]), "张三、李四");
    let left = sheet(&bytes, "未分配对象");
    assert_eq!(text(&left[2][4]), "no eligible inspector");
}

#[test]
fn scorecard_colours_grades_and_charts_regions() {
    let scores = vec![
        ScoreRow {
            rank: Some(1),
            kind: "部门".to_owned(),
            name: "杭州市应急管理局".to_owned(),
            overall: Some(92.0),
            grade: Some(Grade::Excellent),
            ..ScoreRow::default()
        },
        ScoreRow {
            rank: Some(2),
            kind: "部门".to_owned(),
            name: "宁波市应急管理局".to_owned(),
            data_security: Some(50.0),
            overall: Some(50.0),
            grade: Some(Grade::Fail),
            ..ScoreRow::default()
        },
    ];
    let indicators = vec![IndicatorRow {
        subject_name: "宁波市应急管理局".to_owned(),
        code: "DS-01".to_owned(),
        max_points: 10.0,
        weight: 1.0,
        self_points: Some(9.0),
        checked_points: Some(5.0),
        basis: Basis::Checked,
        ..IndicatorRow::default()
    }];
    let regions = [
        RegionScore {
            name: "杭州市".to_owned(),
            code: "330100".to_owned(),
            subjects: 1,
            mean_overall: 92.0,
        },
        RegionScore {
            name: "宁波市".to_owned(),
            code: "330200".to_owned(),
            subjects: 1,
            mean_overall: 50.0,
        },
    ];
    let mut card = Scorecard::new(&meta()).unwrap();
    for row in &scores {
        card.push_department(row).unwrap();
    }
    card.push_enterprise(&ScoreRow {
        kind: "企业".to_owned(),
        name: "=cmd|' /C calc'!A0".to_owned(),
        ..ScoreRow::default()
    })
    .unwrap();
    for row in &indicators {
        card.push_indicator(row).unwrap();
    }
    assert_eq!(card.rows(), 3);
    let bytes = card.finish(&regions).unwrap();

    assert_eq!(
        open(&bytes).sheet_names(),
        ["部门考核", "企业得分", "指标明细", "地区得分"]
    );
    let firms = sheet(&bytes, "企业得分");
    assert_eq!(firms[2][2], Data::String("=cmd|' /C calc'!A0".to_owned()));
    let summary = sheet(&bytes, "部门考核");
    assert_eq!(text(&summary[2][9]), "优秀");
    assert_eq!(text(&summary[3][9]), "不合格");
    assert_eq!(summary[3][5], Data::Float(50.0));
    assert_eq!(summary[2][5], Data::Empty, "a missing part stays empty");
    let detail = sheet(&bytes, "指标明细");
    assert_eq!(
        text(&detail[2][9]),
        "检查",
        "a reviewed check outranks the self-assessment"
    );
    let styles = part(&bytes, "xl/styles.xml");
    assert!(
        styles.contains("FFC6EFCE") && styles.contains("FFFFC7CE"),
        "grade fills"
    );
    let chart = part(&bytes, "xl/charts/chart1.xml");
    assert!(chart.contains("各地区平均综合得分"), "chart title");
    assert!(
        chart.contains("地区得分") && chart.contains("$A$3:$A$4"),
        "chart categories: {chart}"
    );
    assert!(chart.contains("$D$3:$D$4"), "chart values");
}

#[test]
fn accountability_report_groups_items_by_unit() {
    let item = |id: i64, name: &str, status| AccountabilityRow {
        subject_id: id,
        subject_name: name.to_owned(),
        subject_kind: "部门".to_owned(),
        region_code: Some("330100".to_owned()),
        period: "2026-11".to_owned(),
        reason: "迟报".to_owned(),
        evidence: "事故 #3".to_owned(),
        status,
        history: Some("-已整改".to_owned()),
        ..AccountabilityRow::default()
    };
    let rows = vec![
        item(1, "甲局", Status::Open),
        item(1, "甲局", Status::Closed),
        item(1, "甲局", Status::Answered),
        item(2, "乙局", Status::Acknowledged),
        item(3, "乙局", Status::Open),
    ];
    let bytes = memory(accountability_report(&meta(), rows, Sink::Memory).unwrap());
    let items = sheet(&bytes, "问责事项");
    assert_eq!(items.len(), 7);
    assert_eq!(text(&items[2][6]), "待处理");
    assert_eq!(
        text(&items[2][7]),
        "-已整改",
        "a note starting with - stays text"
    );
    let units = sheet(&bytes, "按单位汇总");
    assert_eq!(units.len(), 5, "three units, namesakes apart");
    assert_eq!(text(&units[2][0]), "甲局");
    let counts: Vec<Data> = units[2][2..7].to_vec();
    assert_eq!(
        counts,
        [3.0, 1.0, 0.0, 1.0, 1.0].map(Data::Float),
        "total, open, acknowledged, answered, closed"
    );
}

#[test]
fn timeliness_report_gives_rates_as_shares() {
    let rows = vec![
        TimelinessRow {
            department: "杭州市应急管理局".to_owned(),
            incidents: 4,
            on_time: 3,
            late: 1,
            minutes_late: 25,
            max_minutes_late: 25,
            backfilled: 1,
            direct_required: 2,
            direct_done: 1,
            points: Some(85.0),
            ..TimelinessRow::default()
        },
        TimelinessRow {
            department: "宁波市应急管理局".to_owned(),
            ..TimelinessRow::default()
        },
    ];
    let bytes = memory(timeliness_report(&meta(), rows, Sink::Memory).unwrap());
    let table = sheet(&bytes, "报送及时性");
    assert_eq!(table[2][5], Data::Float(0.75));
    assert_eq!(text(&table[1][10]), "补录初报起数");
    assert_eq!(table[2][10], Data::Float(1.0), "backfilled initial reports");
    assert_eq!(table[2][14], Data::Float(0.5));
    assert_eq!(table[3][5], Data::Empty, "no incidents: no rate");
    assert!(part(&bytes, "xl/styles.xml").contains("0.0%"));
}

#[test]
fn a_table_with_no_rows_still_has_its_title_and_header() {
    let bytes = PublicationList::new(&meta()).unwrap().finish().unwrap();
    let rows = sheet(&bytes, "公示名单");
    assert_eq!(rows.len(), 2);
    assert_eq!(text(&rows[1][0]), "序号");
}

#[test]
fn a_report_written_to_a_file_is_the_same_workbook() {
    let mut in_memory = PublicationList::new(&meta()).unwrap();
    let mut on_disk = PublicationList::new(&meta()).unwrap();
    for n in 0..50 {
        in_memory
            .push(&publication_row(&format!("企业{n}")))
            .unwrap();
        on_disk.push(&publication_row(&format!("企业{n}"))).unwrap();
    }
    let bytes = in_memory.finish().unwrap();
    let file = tempfile_in_target();
    let Written::File(mut file) = on_disk.finish_to(Sink::File(file)).unwrap() else {
        panic!("asked for a file");
    };
    let mut written = Vec::new();
    std::io::Seek::rewind(&mut file).unwrap();
    file.read_to_end(&mut written).unwrap();
    assert_eq!(sheet(&written, "公示名单"), sheet(&bytes, "公示名单"));
}

fn tempfile_in_target() -> std::fs::File {
    let path = std::env::temp_dir().join(format!("reports-test-{}.xlsx", std::process::id()));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    file
}

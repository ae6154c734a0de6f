use std::io::{Cursor, Write as _};

use rust_xlsxwriter::Workbook;

use super::*;

fn read_all(bytes: &[u8], limits: &ReadLimits) -> Result<(ReadSummary, Vec<Row>), ReadError> {
    let mut rows = Vec::new();
    let mut sink = |row: Row| {
        rows.push(row);
        ControlFlow::Continue(())
    };
    let summary = read_first_sheet(Cursor::new(bytes), limits, &mut sink)?;
    Ok((summary, rows))
}

fn xlsx(build: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut workbook = Workbook::new();
    build(workbook.add_worksheet());
    workbook.save_to_buffer().unwrap()
}

#[test]
fn rows_stream_with_their_excel_numbers_and_values() {
    let bytes = xlsx(|ws| {
        ws.write_string(0, 0, "企业名录").unwrap();
        ws.write_string(2, 0, "统一社会信用代码").unwrap();
        ws.write_string(2, 2, "名称").unwrap();
        ws.write_string(3, 0, " 91350100M000100Y43 ").unwrap();
        ws.write_number(3, 1, 110_000).unwrap();
        ws.write_boolean(3, 2, true).unwrap();
        ws.write_string(5, 1, "   ").unwrap();
    });
    let (summary, rows) = read_all(&bytes, &ReadLimits::default()).unwrap();
    assert_eq!(summary.format, Format::Xlsx);
    assert_eq!(summary.sheet, "Sheet1");
    let numbers: Vec<u32> = rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [1, 3, 4], "blank rows are skipped");
    assert_eq!(rows[2].cells[1].text(), Ok(Some("110000".to_owned())));
    assert_eq!(rows[2].cells[2], Cell::Bool(true));
}

#[test]
fn a_cell_at_xfd1048576_is_refused_without_a_dense_grid() {
    let bytes = xlsx(|ws| {
        ws.write_string(0, 0, "code").unwrap();
        ws.write_string(1_048_575, 16_383, "far").unwrap();
    });
    let err = read_all(&bytes, &ReadLimits::default()).unwrap_err();
    assert!(err.is_too_large(), "{err}");
    assert!(err.to_string().contains("column 16384"), "{err}");
}

#[test]
fn a_far_row_within_the_caps_costs_nothing() {
    let bytes = xlsx(|ws| {
        ws.write_string(0, 0, "code").unwrap();
        ws.write_string(1_048_575, 0, "last").unwrap();
    });
    let (_, rows) = read_all(&bytes, &ReadLimits::default()).unwrap();
    assert_eq!(rows.last().map(|r| r.number), Some(1_048_576));
}

#[test]
fn row_column_and_cell_caps_hold() {
    let wide = xlsx(|ws| {
        for col in 0..10_001u16 {
            ws.write_number(0, col, f64::from(col)).unwrap();
        }
    });
    let err = read_all(&wide, &ReadLimits::default()).unwrap_err();
    assert!(err.is_too_large(), "{err}");
    let tall = xlsx(|ws| {
        for row in 0..50 {
            ws.write_number(row, 0, f64::from(row)).unwrap();
        }
    });
    let limits = ReadLimits {
        max_rows: 10,
        ..ReadLimits::default()
    };
    assert!(read_all(&tall, &limits).unwrap_err().is_too_large());
    let limits = ReadLimits {
        max_cells: 20,
        ..ReadLimits::default()
    };
    assert!(read_all(&tall, &limits).unwrap_err().is_too_large());
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn zip_bombs_and_crowded_archives_are_refused_before_unpacking() {
    let zeros = vec![b' '; 20 * 1024 * 1024];
    let bomb = zip_of(&[("xl/worksheets/sheet1.xml", &zeros)]);
    let err = read_all(&bomb, &ReadLimits::default()).unwrap_err();
    assert!(err.to_string().contains("expands"), "{err}");
    let names: Vec<String> = (0..1_500).map(|i| format!("x/{i}.xml")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"<a/>"[..])).collect();
    let crowded = zip_of(&entries);
    let err = read_all(&crowded, &ReadLimits::default()).unwrap_err();
    assert!(err.to_string().contains("entries"), "{err}");
    let forged = zip_of(&[(
        "xl/sharedStrings.xml",
        &b"<sst xmlns=\"x\" count=\"1\" uniqueCount=\"999999999999\"><si><t>a</t></si></sst>"[..],
    )]);
    let err = read_all(&forged, &ReadLimits::default()).unwrap_err();
    assert!(err.is_too_large(), "{err}");
}

#[test]
fn truncated_renamed_and_empty_files_get_one_clear_line() {
    let good = xlsx(|ws| {
        ws.write_string(0, 0, "code").unwrap();
    });
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated", good[..good.len() / 2].to_vec(), "damaged"),
        ("csv", b"code,name\n110000,Beijing\n".to_vec(), "CSV"),
        ("pdf", b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec(), "PDF"),
        ("empty", Vec::new(), "empty"),
        (
            "garbage",
            vec![0x00, 0xFF, 0x13, 0x37, 0x00, 0x01, 0x02, 0x03],
            "unknown",
        ),
    ];
    for (name, bytes, word) in cases {
        let err = read_all(&bytes, &ReadLimits::default()).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(word), "{name}: {text}");
        assert!(!text.contains('\n'), "{name}: one line: {text}");
    }
}

fn compound(streams: &[(&str, &[u8])]) -> Vec<u8> {
    let mut file = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    for (name, data) in streams {
        let mut stream = file.create_stream(name).unwrap();
        stream.write_all(data).unwrap();
    }
    file.flush().unwrap();
    file.into_inner().into_inner()
}

#[test]
fn encrypted_workbooks_are_named_as_such() {
    let encrypted = compound(&[
        ("/EncryptionInfo", &[4, 0, 4, 0, 0x40, 0, 0, 0][..]),
        ("/EncryptedPackage", &[0u8; 64][..]),
    ]);
    let err = read_all(&encrypted, &ReadLimits::default()).unwrap_err();
    assert!(matches!(err, ReadError::Encrypted), "{err}");
    let word = compound(&[("/WordDocument", &[0u8; 64][..])]);
    let err = read_all(&word, &ReadLimits::default()).unwrap_err();
    assert!(matches!(err, ReadError::NotAWorkbook(_)), "{err}");
}

/// A minimal BIFF8 workbook: one sheet named `S` with number cells.
pub(crate) fn biff8(
    cells: &[(u16, u16, f64)],
    dimensions: Option<(u32, u32, u16, u16)>,
) -> Vec<u8> {
    fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
        out.extend_from_slice(&typ.to_le_bytes());
        out.extend_from_slice(&u16::try_from(data.len()).unwrap().to_le_bytes());
        out.extend_from_slice(data);
    }
    let bof = |dt: u16| {
        let mut data = vec![0x00, 0x06];
        data.extend_from_slice(&dt.to_le_bytes());
        data.extend_from_slice(&[0; 12]);
        data
    };
    let mut globals = Vec::new();
    record(&mut globals, 0x0809, &bof(0x0005));
    let bound_at = globals.len();
    record(&mut globals, 0x0085, &[0, 0, 0, 0, 0, 0, 1, 0, b'S']);
    record(&mut globals, 0x000A, &[]);
    let sheet_at = u32::try_from(globals.len()).unwrap();
    globals[bound_at + 4..bound_at + 8].copy_from_slice(&sheet_at.to_le_bytes());
    let mut sheet = Vec::new();
    record(&mut sheet, 0x0809, &bof(0x0010));
    if let Some((r0, r1, c0, c1)) = dimensions {
        let mut data = Vec::new();
        data.extend_from_slice(&r0.to_le_bytes());
        data.extend_from_slice(&r1.to_le_bytes());
        data.extend_from_slice(&c0.to_le_bytes());
        data.extend_from_slice(&c1.to_le_bytes());
        data.extend_from_slice(&[0, 0]);
        record(&mut sheet, 0x0200, &data);
    }
    for (row, col, value) in cells {
        let mut data = Vec::new();
        data.extend_from_slice(&row.to_le_bytes());
        data.extend_from_slice(&col.to_le_bytes());
        data.extend_from_slice(&[0, 0]);
        data.extend_from_slice(&value.to_le_bytes());
        record(&mut sheet, 0x0203, &data);
    }
    record(&mut sheet, 0x000A, &[]);
    globals.extend_from_slice(&sheet);
    compound(&[("/Workbook", &globals)])
}

#[test]
fn xls_cells_are_read_after_the_prescan() {
    let bytes = biff8(&[(0, 0, 1.0), (2, 1, 110_000.0)], Some((0, 3, 0, 2)));
    let (summary, rows) = read_all(&bytes, &ReadLimits::default()).unwrap();
    assert_eq!(summary.format, Format::Xls);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].number, 3);
    assert_eq!(rows[1].cells[1].text(), Ok(Some("110000".to_owned())));
}

#[test]
fn xls_that_would_materialise_a_huge_grid_is_refused() {
    let far = biff8(&[(0, 0, 1.0), (65_535, 255, 2.0)], None);
    let err = read_all(&far, &ReadLimits::default()).unwrap_err();
    assert!(err.is_too_large(), "{err}");
    let declared = biff8(&[(0, 0, 1.0)], Some((0, 4_000_000, 0, 200)));
    let err = read_all(&declared, &ReadLimits::default()).unwrap_err();
    assert!(err.is_too_large(), "{err}");
    let inverted = biff8(&[(0, 0, 1.0)], Some((9, 3, 0, 2)));
    let err = read_all(&inverted, &ReadLimits::default()).unwrap_err();
    assert!(matches!(err, ReadError::Corrupt(_)), "{err}");
}

#[test]
fn templates_read_back_as_written() {
    let columns = vec![
        crate::template::TemplateColumn {
            header: "等级".into(),
            note: "Level".into(),
            example: "重大".into(),
            choices: vec!["重大".into(), "一般".into()],
            width: 10.0,
            required: true,
            date: false,
        },
        crate::template::TemplateColumn {
            header: "公式".into(),
            note: "Formula-looking text".into(),
            example: "=1+1".into(),
            ..Default::default()
        },
    ];
    let bytes = crate::template::template("风险", &columns).unwrap();
    let (summary, rows) = read_all(&bytes, &ReadLimits::default()).unwrap();
    assert_eq!(summary.sheet, "风险");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].cells[1], Cell::Text("=1+1".into()));
}

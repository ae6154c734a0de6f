//! The malformed-file corpus, generated here: every file answers 4xx over HTTP
//! and one clear line with a non-zero exit in the CLI, and the server lives on.

use std::io::{Cursor, Write as _};

use reqwest::{Method, StatusCode};
use spotcheck_tests::{Backend, TestApp, V, both_engines, compound, row, xlsx};

use crate::cli;

fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        writer.start_file(name.as_str(), options).expect("entry");
        writer.write_all(data).expect("data");
    }
    writer.finish().expect("zip").into_inner()
}

fn corpus() -> Vec<(&'static str, Vec<u8>)> {
    let good = xlsx(
        "企业",
        &[row(&["统一社会信用代码", "企业名称"]), row(&["x", "y"])],
    );
    let mut far = rust_xlsxwriter::Workbook::new();
    let sheet = far.add_worksheet();
    sheet.write_string(0, 0, "统一社会信用代码").expect("cell");
    sheet.write_string(1_048_575, 16_383, "far").expect("cell");
    let far = far.save_to_buffer().expect("far");
    let mut wide = rust_xlsxwriter::Workbook::new();
    let sheet = wide.add_worksheet();
    for col in 0..10_001u16 {
        sheet.write_number(0, col, f64::from(col)).expect("cell");
    }
    let wide = wide.save_to_buffer().expect("wide");
    let mut empty = rust_xlsxwriter::Workbook::new();
    empty.add_worksheet();
    let empty = empty.save_to_buffer().expect("empty");
    let bomb = zip_of(&[(
        "xl/worksheets/sheet1.xml".to_owned(),
        vec![b'<'; 64 * 1024 * 1024],
    )]);
    let crowded: Vec<(String, Vec<u8>)> = (0..5_000)
        .map(|i| (format!("xl/media/{i}.xml"), b"<a/>".to_vec()))
        .collect();
    vec![
        ("truncated zip", good[..good.len() / 2].to_vec()),
        ("zip bomb", bomb),
        ("thousands of entries", zip_of(&crowded)),
        ("a cell at XFD1048576", far),
        ("10,001 columns", wide),
        (
            "CSV renamed .xlsx",
            "统一社会信用代码,企业名称\n91350100M000100Y43,x\n"
                .as_bytes()
                .to_vec(),
        ),
        (
            "PDF renamed .xlsx",
            b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n".to_vec(),
        ),
        (
            "encrypted workbook",
            compound(&[
                ("/EncryptionInfo", &[4, 0, 4, 0][..]),
                ("/EncryptedPackage", &[0u8; 600][..]),
            ]),
        ),
        (
            "bare OLE header",
            [
                &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..],
                &[0u8; 504][..],
            ]
            .concat(),
        ),
        ("empty sheet", empty),
        ("empty file", Vec::new()),
        (
            "no header",
            xlsx(
                "S",
                &(0..12)
                    .map(|i| vec![V::N(f64::from(i))])
                    .collect::<Vec<_>>(),
            ),
        ),
    ]
}

#[both_engines]
async fn malformed_files_answer_4xx_and_one_clear_cli_line(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin().await;
    let dir = tempfile::tempdir().expect("dir");
    for (name, bytes) in corpus() {
        let (status, body) = app
            .upload(&admin, "enterprises", "", "upload.xlsx", bytes.clone())
            .await;
        assert!(
            status.is_client_error(),
            "{backend:?} {name}: {status} {body}"
        );
        assert!(
            body["code"].is_string() && body["message"].is_string(),
            "{backend:?} {name}: {body}"
        );
        let path = dir.path().join("upload.xlsx");
        std::fs::write(&path, &bytes).expect("write");
        let out = cli(&app)
            .args(["import", "enterprises", &path.to_string_lossy()])
            .output()
            .expect("cli");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{backend:?} {name}");
        assert!(!stderr.contains("panicked"), "{backend:?} {name}: {stderr}");
        let last = stderr.lines().last().unwrap_or_default();
        assert!(last.starts_with("error: "), "{backend:?} {name}: {stderr}");
        assert!(
            out.status.code().is_some(),
            "{backend:?} {name}: exited, not killed"
        );
    }
    let (status, _) = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: the server lives on");
}

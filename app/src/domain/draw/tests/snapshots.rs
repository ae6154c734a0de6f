//! Snapshot bytes, compression and their failure modes.

use entities::CreditClass;

use super::target;
use crate::domain::draw::{Population, snapshot};

#[test]
fn decode_names_the_first_line_out_of_the_canonical_form() {
    let header = format!("{}\n", snapshot::HEADER);
    let cases = [
        ("", 1),
        ("spotcheck-population/2\n", 1),
        (header.trim_end(), 1),
        (
            &format!("{header}target\t1\t110101\tlow\tA\t0\t-\t-\t-\r\n"),
            2,
        ),
        (
            &format!("{header}target\t01\t110101\tlow\tA\t0\t-\t-\t-\n"),
            2,
        ),
        (
            &format!("{header}target\t+1\t110101\tlow\tA\t0\t-\t-\t-\n"),
            2,
        ),
        (
            &format!("{header}target\t-0\t110101\tlow\tA\t0\t-\t-\t-\n"),
            2,
        ),
        (
            &format!("{header}target\t1\t110101\tlow\tE\t0\t-\t-\t-\n"),
            2,
        ),
        (&format!("{header}target\t1\t110101\t\tA\t0\t-\t-\t-\n"), 2),
        (
            &format!("{header}target\t1\t110101\tlow\tA\t0\t-\t-\t5,3\n"),
            2,
        ),
        (&format!("{header}target\t1\t110101\tlow\tA\t0\t-\t-\n"), 2),
        (
            &format!("{header}conflict\t1\t2\ntarget\t1\t110101\tlow\tA\t0\t-\t-\t-\n"),
            3,
        ),
        (
            &format!("{header}inspector\t2\t1\t11\t-\ninspector\t2\t1\t11\t-\n"),
            3,
        ),
        (
            &format!("{header}inspector\t2\t1\t11\tfishery,coal_mine\n"),
            2,
        ),
        (&format!("{header}\n"), 2),
    ];
    for (text, line) in cases {
        match snapshot::decode(text.as_bytes()) {
            Err(snapshot::SnapshotError::Malformed { line: l, .. }) => {
                assert_eq!(l, line, "{text:?}");
            }
            other => panic!("{text:?} gave {other:?}"),
        }
    }
}

#[test]
fn decompression_is_bounded_and_rejects_what_is_not_zlib() {
    let bomb = snapshot::compress(&vec![0u8; 8 << 20]).unwrap();
    assert!(bomb.len() < 1 << 20, "zeros compress well: {}", bomb.len());
    assert_eq!(
        snapshot::decompress(&bomb, 1 << 20),
        Err(snapshot::SnapshotError::TooLarge(1 << 20))
    );
    assert_eq!(
        snapshot::decompress(&bomb, 8 << 20).map(|b| b.len()),
        Ok(8 << 20)
    );
    assert!(matches!(
        snapshot::decompress(b"not zlib at all", 1 << 20),
        Err(snapshot::SnapshotError::Corrupt(_))
    ));
}

#[test]
fn encode_refuses_fields_that_would_break_the_format() {
    let mut t = target(1, "110101", "low", CreditClass::A);
    t.region_code = "110\t101".to_owned();
    let population = Population {
        targets: vec![t],
        ..Population::default()
    };
    assert!(matches!(
        snapshot::encode(&population),
        Err(snapshot::SnapshotError::Unwritable(_))
    ));
}

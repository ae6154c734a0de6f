//! Any bytes through the workbook reader: it must answer `Ok` or `Err`, never
//! panic, abort or allocate without bound. Under `cfg(fuzzing)` the reader does
//! not catch panics, so the fuzzer sees them.
//!
//! `cargo +nightly fuzz run read_workbook` (from the repository root).

#![no_main]

use std::{io::Cursor, ops::ControlFlow};

use libfuzzer_sys::fuzz_target;
use reports::read::{ReadLimits, Row, read_first_sheet};

fuzz_target!(|data: &[u8]| {
    // Smaller caps than production, so a run explores shapes rather than sizes.
    let limits = ReadLimits {
        max_uncompressed_bytes: 64 << 20,
        max_part_bytes: 16 << 20,
        max_rows: 100_000,
        max_columns: 256,
        max_cells: 200_000,
        max_xls_area: 200_000,
        ..ReadLimits::default()
    };
    let mut rows = 0u64;
    let mut sink = |row: Row| {
        rows += row.cells.len() as u64;
        ControlFlow::Continue(())
    };
    let _ = read_first_sheet(Cursor::new(data), &limits, &mut sink);
});

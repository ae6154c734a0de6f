//! Rows from workbooks: `.xlsx` cells read streaming, `.xls` after a pre-scan,
//! everything checked against [`ReadLimits`] before it can cost memory.
//!
//! The reader knows nothing of import kinds: it hands each non-empty row of the
//! first worksheet to a [`RowSink`] and stops when the sink says so.

mod cell;
mod xls;
mod xlsx;
mod zipcheck;

use std::{
    io::{Read, Seek, SeekFrom},
    ops::ControlFlow,
    panic::AssertUnwindSafe,
};

pub use cell::{
    Cell, normalize_code, normalize_text, normalize_width, parse_date_text, serial_to_date,
};

/// Caps on what a workbook may contain; anything beyond is refused before it
/// is unpacked or materialised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadLimits {
    /// Entries in the zip container of an `.xlsx`.
    pub max_entries: usize,
    /// Total uncompressed size of all entries, in bytes.
    pub max_uncompressed_bytes: u64,
    /// Uncompressed size of any part read whole (shared strings, styles,
    /// workbook; worksheets are streamed), in bytes.
    pub max_part_bytes: u64,
    /// Uncompressed ÷ compressed size of an entry larger than 1 MiB.
    pub max_ratio: u64,
    /// Highest row number.
    pub max_rows: u32,
    /// Highest column number (A = 1).
    pub max_columns: u32,
    /// Non-empty cells in the sheet.
    pub max_cells: u64,
    /// Cells in the bounding boxes of all sheets of a legacy `.xls`, which the
    /// `.xls` reader materialises whole.
    pub max_xls_area: u64,
}

impl Default for ReadLimits {
    fn default() -> Self {
        Self {
            max_entries: 1_000,
            max_uncompressed_bytes: 2 * 1024 * 1024 * 1024,
            max_part_bytes: 256 * 1024 * 1024,
            max_ratio: 100,
            max_rows: 1_048_576,
            max_columns: 256,
            max_cells: 20_000_000,
            max_xls_area: 2_000_000,
        }
    }
}

/// One non-empty row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The row number as Excel shows it (from 1).
    pub number: u32,
    /// The cells from column A; trailing empty cells are left off.
    pub cells: Vec<Cell>,
}

/// Where rows go.
pub trait RowSink {
    /// The sheet being read and the rows its dimension record claims (a hint only).
    fn start(&mut self, _sheet: &str, _rows_hint: Option<u32>) {}
    /// One non-empty row; `Break` stops reading.
    fn row(&mut self, row: Row) -> ControlFlow<()>;
}

impl<F: FnMut(Row) -> ControlFlow<()>> RowSink for F {
    fn row(&mut self, row: Row) -> ControlFlow<()> {
        self(row)
    }
}

/// What was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadSummary {
    /// The sheet's name.
    pub sheet: String,
    /// The format detected from the content.
    pub format: Format,
    /// Non-empty rows handed to the sink.
    pub rows: u64,
    /// Whether the sink stopped the reading early.
    pub stopped: bool,
}

/// The container formats understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Office Open XML (`.xlsx`, `.xlsm`).
    Xlsx,
    /// Excel 97-2003 (`.xls`).
    Xls,
}

/// Why a workbook cannot be read. Every message is one line a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The bytes are not a workbook at all.
    #[error("not an Excel workbook: {0}")]
    NotAWorkbook(String),
    /// An encrypted (password-protected) workbook.
    #[error("the workbook is password-protected; save it without a password and try again")]
    Encrypted,
    /// A workbook whose structure is broken.
    #[error("the workbook is damaged: {0}")]
    Corrupt(String),
    /// Beyond one of the [`ReadLimits`].
    #[error("the workbook is too large: {0}")]
    TooLarge(String),
    /// No worksheet to read.
    #[error("the workbook has no worksheet")]
    NoSheet,
    /// Reading the source failed.
    #[error("could not read the file: {0}")]
    Io(#[from] std::io::Error),
}

impl ReadError {
    /// Whether the error is about size (HTTP 413) rather than form (400).
    #[must_use]
    pub fn is_too_large(&self) -> bool {
        matches!(self, Self::TooLarge(_))
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Reads the first worksheet of a workbook and hands its non-empty rows to `sink`.
///
/// The format is told from the content, never the file name. A panic in a
/// parser below is turned into [`ReadError::Corrupt`].
///
/// # Errors
/// When the content is not a readable workbook or breaks a limit.
pub fn read_first_sheet<R: Read + Seek>(
    mut source: R,
    limits: &ReadLimits,
    sink: &mut dyn RowSink,
) -> Result<ReadSummary, ReadError> {
    let mut magic = [0u8; 8];
    let got = read_up_to(&mut source, &mut magic)?;
    source.seek(SeekFrom::Start(0))?;
    let magic = &magic[..got];
    let mut read = || {
        if magic.starts_with(ZIP_MAGIC) {
            xlsx::read(&mut source, limits, sink)
        } else if magic.starts_with(CFB_MAGIC) {
            xls::read(&mut source, limits, sink)
        } else {
            Err(ReadError::NotAWorkbook(describe(magic)))
        }
    };
    // The fuzzer must see panics; in service they become an error.
    if cfg!(fuzzing) {
        return read();
    }
    std::panic::catch_unwind(AssertUnwindSafe(read)).unwrap_or_else(|_| {
        Err(ReadError::Corrupt(
            "the reader stopped on malformed content".to_owned(),
        ))
    })
}

fn read_up_to(source: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match source.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// A word on what the bytes look like instead.
fn describe(magic: &[u8]) -> String {
    if magic.is_empty() {
        "the file is empty".to_owned()
    } else if magic.starts_with(b"%PDF") {
        "this is a PDF document".to_owned()
    } else if magic.starts_with(b"PK") {
        "this is a damaged or unusual zip archive".to_owned()
    } else if magic.starts_with(b"<") || magic.starts_with(b"\xEF\xBB\xBF<") {
        "this is HTML or XML text; save it as .xlsx".to_owned()
    } else if std::str::from_utf8(magic).is_ok() {
        "this looks like text (CSV?); save it as .xlsx".to_owned()
    } else {
        "unknown content; expected .xlsx or .xls".to_owned()
    }
}

/// Collects cells into rows as they stream past, enforcing the row, column and
/// cell caps.
struct RowBuilder<'a> {
    limits: &'a ReadLimits,
    sink: &'a mut dyn RowSink,
    current: Option<Row>,
    cells: u64,
    rows: u64,
    stopped: bool,
}

impl<'a> RowBuilder<'a> {
    fn new(limits: &'a ReadLimits, sink: &'a mut dyn RowSink) -> Self {
        Self {
            limits,
            sink,
            current: None,
            cells: 0,
            rows: 0,
            stopped: false,
        }
    }

    /// Checks a position (0-based) against the caps.
    fn check_position(limits: &ReadLimits, row: u32, col: u32) -> Result<(), ReadError> {
        if u64::from(row) >= u64::from(limits.max_rows) {
            return Err(ReadError::TooLarge(format!(
                "a cell in row {} is beyond the limit of {} rows",
                u64::from(row) + 1,
                limits.max_rows
            )));
        }
        if u64::from(col) >= u64::from(limits.max_columns) {
            return Err(ReadError::TooLarge(format!(
                "a cell in column {} is beyond the limit of {} columns",
                u64::from(col) + 1,
                limits.max_columns
            )));
        }
        Ok(())
    }

    /// Adds a cell at 0-based `(row, col)`; returns `Break` once the sink stopped.
    fn push(&mut self, row: u32, col: u32, cell: Cell) -> Result<ControlFlow<()>, ReadError> {
        Self::check_position(self.limits, row, col)?;
        if cell.is_empty() {
            return Ok(ControlFlow::Continue(()));
        }
        self.cells += 1;
        if self.cells > self.limits.max_cells {
            return Err(ReadError::TooLarge(format!(
                "more than {} cells",
                self.limits.max_cells
            )));
        }
        let number = row + 1;
        if self.current.as_ref().is_some_and(|r| r.number != number) && self.flush().is_break() {
            return Ok(ControlFlow::Break(()));
        }
        let current = self.current.get_or_insert_with(|| Row {
            number,
            cells: Vec::new(),
        });
        let col = col as usize;
        if current.cells.len() <= col {
            current.cells.resize(col + 1, Cell::Empty);
        }
        current.cells[col] = cell;
        Ok(ControlFlow::Continue(()))
    }

    fn flush(&mut self) -> ControlFlow<()> {
        if let Some(row) = self.current.take() {
            self.rows += 1;
            if self.sink.row(row).is_break() {
                self.stopped = true;
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }

    fn finish(mut self, sheet: String, format: Format) -> ReadSummary {
        if !self.stopped {
            let _ = self.flush();
        }
        ReadSummary {
            sheet,
            format,
            rows: self.rows,
            stopped: self.stopped,
        }
    }
}

#[cfg(test)]
mod tests;

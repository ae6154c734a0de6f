//! `.xls` (BIFF8 in an OLE compound file). calamine materialises every sheet
//! of an `.xls` as a dense range when it opens the file, and reserves memory
//! from counts in the file, so the record stream is scanned first: every cell
//! position, every sheet's bounding box and every declared dimension is checked
//! against the limits before calamine sees the bytes.

use std::io::{Read, Seek, SeekFrom};

use calamine::{Data, Reader as _, Xls, XlsError};

use super::{
    Cell, Format, ReadError, ReadLimits, ReadSummary, RowBuilder, RowSink,
    xlsx::{first_sheet, one_line},
};

pub(super) fn read<R: Read + Seek>(
    source: &mut R,
    limits: &ReadLimits,
    sink: &mut dyn RowSink,
) -> Result<ReadSummary, ReadError> {
    let stream = workbook_stream(source, limits)?;
    prescan(&stream, limits)?;
    drop(stream);
    source.seek(SeekFrom::Start(0))?;
    let mut workbook: Xls<&mut R> = Xls::new(&mut *source).map_err(error)?;
    let sheet = first_sheet(workbook.sheets_metadata()).ok_or(ReadError::NoSheet)?;
    let range = workbook.worksheet_range(&sheet).map_err(error)?;
    drop(workbook);
    sink.start(&sheet, range.end().map(|(row, _)| row.saturating_add(1)));
    let (row0, col0) = range.start().unwrap_or_default();
    let mut rows = RowBuilder::new(limits, sink);
    for (row, col, value) in range.used_cells() {
        let (Ok(row), Ok(col)) = (u32::try_from(row), u32::try_from(col)) else {
            continue;
        };
        let at = (row0.saturating_add(row), col0.saturating_add(col));
        if rows.push(at.0, at.1, convert(value))?.is_break() {
            break;
        }
    }
    Ok(rows.finish(sheet, Format::Xls))
}

/// The `Workbook` stream of the compound file; an encrypted `.xlsx` is a
/// compound file too, holding an `EncryptedPackage` instead.
fn workbook_stream<R: Read + Seek>(
    source: &mut R,
    limits: &ReadLimits,
) -> Result<Vec<u8>, ReadError> {
    let mut file = cfb::CompoundFile::open(&mut *source).map_err(|e| {
        ReadError::Corrupt(format!(
            "the OLE container is broken or truncated ({})",
            one_line(&e.to_string())
        ))
    })?;
    if file.exists("/EncryptedPackage") || file.exists("/EncryptionInfo") {
        return Err(ReadError::Encrypted);
    }
    let name = ["/Workbook", "/Book"]
        .into_iter()
        .find(|name| file.is_stream(name))
        .ok_or_else(|| {
            ReadError::NotAWorkbook("an Office file without a workbook (a Word document?)".into())
        })?;
    let mut stream = file.open_stream(name)?;
    if stream.len() > limits.max_uncompressed_bytes {
        return Err(ReadError::TooLarge(format!(
            "the workbook stream has {} bytes, more than the limit of {}",
            stream.len(),
            limits.max_uncompressed_bytes
        )));
    }
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes)?;
    Ok(bytes)
}

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const FILE_PASS: u16 = 0x002F;
const BOUND_SHEET: u16 = 0x0085;
const DIMENSIONS: u16 = 0x0200;
const FORMULA: u16 = 0x0006;
const MUL_RK: u16 = 0x00BD;
/// Records whose data starts with the cell's row and column.
const CELLS: [u16; 6] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD];

/// BIFF records: type, data.
fn records(stream: &[u8]) -> impl Iterator<Item = Result<(u16, &[u8]), ReadError>> {
    let mut rest = stream;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        if rest.len() < 4 {
            rest = &[];
            return Some(Err(truncated()));
        }
        let typ = u16_at(rest, 0);
        let len = usize::from(u16_at(rest, 2));
        if rest.len() < 4 + len {
            rest = &[];
            return Some(Err(truncated()));
        }
        let data = &rest[4..4 + len];
        rest = &rest[4 + len..];
        Some(Ok((typ, data)))
    })
}

fn truncated() -> ReadError {
    ReadError::Corrupt("a record of the .xls stream is cut short".to_owned())
}

fn u16_at(data: &[u8], at: usize) -> u16 {
    data.get(at..at + 2)
        .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(data: &[u8], at: usize) -> u32 {
    data.get(at..at + 4)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn prescan(stream: &[u8], limits: &ReadLimits) -> Result<(), ReadError> {
    let mut positions = Vec::new();
    for record in records(stream) {
        let (typ, data) = record?;
        match typ {
            FILE_PASS if u16_at(data, 0) != 0 => return Err(ReadError::Encrypted),
            BOUND_SHEET if data.len() < 8 => return Err(truncated()),
            BOUND_SHEET => positions.push(u32_at(data, 0) as usize),
            EOF => break,
            _ => {}
        }
    }
    if positions.len() > limits.max_entries {
        return Err(ReadError::TooLarge(format!(
            "{} sheets, more than the limit of {}",
            positions.len(),
            limits.max_entries
        )));
    }
    let mut area = 0u64;
    for position in positions {
        let sheet = stream.get(position..).ok_or_else(|| {
            ReadError::Corrupt("a sheet starts beyond the end of the file".to_owned())
        })?;
        area = area.saturating_add(scan_sheet(sheet, limits)?);
        if area > limits.max_xls_area {
            return Err(ReadError::TooLarge(format!(
                "the sheets of this .xls span more than {} cells; save it as .xlsx",
                limits.max_xls_area
            )));
        }
    }
    Ok(())
}

/// The smallest rectangle around some cells.
#[derive(Default)]
struct Bounds(Option<(u32, u32, u32, u32)>);

impl Bounds {
    fn add(&mut self, row: u32, col: u32) {
        self.0 = Some(match self.0 {
            None => (row, row, col, col),
            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(col), c1.max(col)),
        });
    }

    fn area(&self) -> u64 {
        self.0.map_or(0, |(r0, r1, c0, c1)| {
            (u64::from(r1 - r0) + 1) * (u64::from(c1 - c0) + 1)
        })
    }
}

/// The cells calamine would materialise for one sheet (values and formulas).
fn scan_sheet(sheet: &[u8], limits: &ReadLimits) -> Result<u64, ReadError> {
    let mut values = Bounds::default();
    let mut formulas = Bounds::default();
    let mut reserved = 0u64;
    let mut cells = 0u64;
    let mut seen_bof = false;
    let mut depth = 0usize;
    let mut place = |row: u16, col: u16, bounds: &mut Bounds| {
        let (row, col) = (u32::from(row), u32::from(col));
        RowBuilder::check_position(limits, row, col)?;
        cells += 1;
        if cells > limits.max_cells {
            return Err(ReadError::TooLarge(format!(
                "more than {} cells",
                limits.max_cells
            )));
        }
        bounds.add(row, col);
        Ok(())
    };
    for record in records(sheet) {
        let (typ, data) = record?;
        if depth > 0 {
            match typ {
                BOF => depth += 1,
                EOF => depth -= 1,
                _ => {}
            }
            continue;
        }
        match typ {
            BOF if seen_bof => depth += 1,
            BOF => seen_bof = true,
            EOF => break,
            DIMENSIONS => reserved = declared_area(data)?,
            FORMULA if data.len() < 20 => return Err(truncated()),
            FORMULA => {
                place(u16_at(data, 0), u16_at(data, 2), &mut values)?;
                place(u16_at(data, 0), u16_at(data, 2), &mut formulas)?;
            }
            MUL_RK => {
                if data.len() < 6 {
                    return Err(truncated());
                }
                let (row, first, last) = (
                    u16_at(data, 0),
                    u16_at(data, 2),
                    u16_at(data, data.len() - 2),
                );
                if last < first || data.len() != 6 + 6 * usize::from(last - first + 1) {
                    return Err(ReadError::Corrupt("a MulRk record is malformed".to_owned()));
                }
                for col in first..=last {
                    place(row, col, &mut values)?;
                }
            }
            t if CELLS.contains(&t) => {
                if data.len() < 6 {
                    return Err(truncated());
                }
                place(u16_at(data, 0), u16_at(data, 2), &mut values)?;
            }
            _ => {}
        }
    }
    if reserved > limits.max_xls_area {
        return Err(ReadError::TooLarge(format!(
            "a sheet declares {reserved} cells, more than the limit of {}",
            limits.max_xls_area
        )));
    }
    Ok(values.area() + formulas.area())
}

/// The cell count a Dimensions record makes calamine reserve.
fn declared_area(data: &[u8]) -> Result<u64, ReadError> {
    let (first_row, last_row, mut first_col, last_col) = match data.len() {
        10 => (
            u32::from(u16_at(data, 0)),
            u32::from(u16_at(data, 2)),
            u32::from(u16_at(data, 4)),
            u32::from(u16_at(data, 6)),
        ),
        14 | 16 => (
            u32_at(data, 0),
            u32_at(data, 4),
            u32::from(u16_at(data, 8)),
            u32::from(u16_at(data, 10)),
        ),
        _ => {
            return Err(ReadError::Corrupt(
                "a Dimensions record is malformed".to_owned(),
            ));
        }
    };
    if first_col > 0xFF || last_col < first_col {
        first_col = 0;
    }
    if last_row == 0 || last_col == 0 {
        return Ok(1);
    }
    // calamine computes (last - 1) - first + 1 without checking the order.
    if last_row - 1 < first_row || last_col - 1 < first_col {
        return Err(ReadError::Corrupt(
            "a Dimensions record is inverted".to_owned(),
        ));
    }
    Ok(u64::from(last_row - first_row) * u64::from(last_col - first_col))
}

fn convert(value: &Data) -> Cell {
    match value {
        Data::Int(n) => Cell::Int(*n),
        Data::Float(x) => Cell::Float(*x),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => dt
            .as_datetime()
            .map_or(Cell::Float(dt.as_f64()), |d| Cell::Date(d.date())),
        Data::DateTime(dt) => Cell::Float(dt.as_f64()),
        Data::Error(e) => Cell::Error(e.to_string()),
        Data::Empty => Cell::Empty,
    }
}

fn error(e: XlsError) -> ReadError {
    match e {
        XlsError::Password => ReadError::Encrypted,
        XlsError::Io(e) => ReadError::Io(e),
        other => ReadError::Corrupt(one_line(&other.to_string())),
    }
}

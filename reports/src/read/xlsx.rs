//! `.xlsx`: the container is checked first, then the sheet's cells are read
//! one at a time, never as a dense range.

use std::io::{Read, Seek, SeekFrom};

use calamine::{DataRef, Reader as _, Sheet, SheetType, SheetVisible, Xlsx, XlsxError};

use super::{Cell, Format, ReadError, ReadLimits, ReadSummary, RowBuilder, RowSink, zipcheck};

pub(super) fn read<R: Read + Seek>(
    source: &mut R,
    limits: &ReadLimits,
    sink: &mut dyn RowSink,
) -> Result<ReadSummary, ReadError> {
    zipcheck::check(source, limits)?;
    source.seek(SeekFrom::Start(0))?;
    let mut workbook: Xlsx<&mut R> = Xlsx::new(&mut *source).map_err(error)?;
    let sheet = first_sheet(workbook.sheets_metadata()).ok_or(ReadError::NoSheet)?;
    let mut cells = workbook.worksheet_cells_reader(&sheet).map_err(error)?;
    let dimensions = cells.dimensions();
    let hint = (dimensions.end.0 >= dimensions.start.0).then(|| dimensions.end.0.saturating_add(1));
    sink.start(&sheet, hint);
    let mut rows = RowBuilder::new(limits, sink);
    while let Some(cell) = cells.next_cell().map_err(error)? {
        let (row, col) = cell.get_position();
        if rows.push(row, col, convert(cell.get_value()))?.is_break() {
            break;
        }
    }
    Ok(rows.finish(sheet, Format::Xlsx))
}

/// The first visible worksheet, else the first worksheet.
pub(super) fn first_sheet(sheets: &[Sheet]) -> Option<String> {
    let worksheets = || sheets.iter().filter(|s| s.typ == SheetType::WorkSheet);
    worksheets()
        .find(|s| s.visible == SheetVisible::Visible)
        .or_else(|| worksheets().next())
        .map(|s| s.name.clone())
}

fn convert(value: &DataRef<'_>) -> Cell {
    match value {
        DataRef::Int(n) => Cell::Int(*n),
        DataRef::Float(x) => Cell::Float(*x),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            Cell::Text(s.clone())
        }
        DataRef::SharedString(s) => Cell::Text((*s).to_owned()),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) if dt.is_datetime() => dt
            .as_datetime()
            .map_or(Cell::Float(dt.as_f64()), |d| Cell::Date(d.date())),
        DataRef::DateTime(dt) => Cell::Float(dt.as_f64()),
        DataRef::Error(e) => Cell::Error(e.to_string()),
        DataRef::Empty => Cell::Empty,
    }
}

fn error(e: XlsxError) -> ReadError {
    match e {
        XlsxError::Password => ReadError::Encrypted,
        XlsxError::Io(e) => ReadError::Io(e),
        other => ReadError::Corrupt(one_line(&other.to_string())),
    }
}

/// Parser messages can span lines; the CLI and the API answer with one.
pub(super) fn one_line(text: &str) -> String {
    let mut line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 200 {
        line = line.chars().take(200).collect::<String>() + "…";
    }
    line
}

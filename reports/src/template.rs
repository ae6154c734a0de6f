//! Import templates and the error workbooks of rejected rows.

use rust_xlsxwriter::{
    Color, DataValidation, Format, FormatBorder, Note, Workbook, Worksheet, XlsxError,
};

/// One column of an import template.
#[derive(Debug, Clone, Default)]
pub struct TemplateColumn {
    /// The (Chinese) header.
    pub header: String,
    /// The English note shown on the header cell.
    pub note: String,
    /// The example row's value.
    pub example: String,
    /// Allowed values, offered as a drop-down; empty for free input.
    pub choices: Vec<String>,
    /// Column width in characters.
    pub width: f64,
    /// Whether a value is required (the header is shown in red).
    pub required: bool,
    /// Whether the column holds dates (formatted `yyyy-mm-dd`).
    pub date: bool,
}

/// Rows of a template that get the drop-down lists.
const LAST_ROW: u32 = 1_048_575;

/// A template workbook: headers with notes, one example row, drop-downs on
/// enumerated columns, widths and a frozen header row.
///
/// # Errors
/// When the workbook cannot be assembled.
pub fn template(sheet: &str, columns: &[TemplateColumn]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet();
    worksheet.set_name(sheet)?;
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0x00DD_EBF7))
        .set_border(FormatBorder::Thin);
    let required = header.clone().set_font_color(Color::RGB(0x00C0_0000));
    let text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (index, column) in columns.iter().enumerate() {
        let col = u16::try_from(index)
            .map_err(|_| XlsxError::ParameterError("too many columns".into()))?;
        let cell_format = if column.date { &date } else { &text };
        worksheet.set_column_width(col, column.width.max(8.0))?;
        worksheet.set_column_format(col, cell_format)?;
        let format = if column.required { &required } else { &header };
        worksheet.write_string_with_format(0, col, &column.header, format)?;
        let note = Note::new(&column.note)
            .set_author("spotcheck")
            .set_width(320);
        worksheet.insert_note(0, col, &note)?;
        write_text(worksheet, 1, col, &column.example, Some(cell_format))?;
        if !column.choices.is_empty() {
            let choices: Vec<&str> = column.choices.iter().map(String::as_str).collect();
            let validation = DataValidation::new()
                .allow_list_strings(&choices)?
                .set_error_title("spotcheck")?
                .set_error_message(format!("{}: {}", column.header, choices.join(" / ")))?;
            worksheet.add_data_validation(1, col, LAST_ROW, col, &validation)?;
        }
    }
    worksheet.set_freeze_panes(1, 0)?;
    workbook.save_to_buffer()
}

/// Writes user text as a string; text that Excel would take for a formula gets
/// the quote prefix.
///
/// # Errors
/// When the cell is out of range.
pub fn write_text(
    worksheet: &mut Worksheet,
    row: u32,
    col: u16,
    text: &str,
    format: Option<&Format>,
) -> Result<(), XlsxError> {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    match (risky, format) {
        (true, Some(format)) => {
            let format = format.clone().set_quote_prefix();
            worksheet.write_string_with_format(row, col, text, &format)?;
        }
        (true, None) => {
            worksheet.write_string_with_format(
                row,
                col,
                text,
                &Format::new().set_quote_prefix(),
            )?;
        }
        (false, Some(format)) => {
            worksheet.write_string_with_format(row, col, text, format)?;
        }
        (false, None) => {
            worksheet.write_string(row, col, text)?;
        }
    }
    Ok(())
}

/// The rejected rows of an import, with their reasons, written as they come
/// (constant memory).
pub struct ErrorWorkbook {
    workbook: Workbook,
    next_row: u32,
    columns: u16,
}

impl std::fmt::Debug for ErrorWorkbook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ErrorWorkbook")
            .field("rows", &self.next_row.saturating_sub(1))
            .finish_non_exhaustive()
    }
}

impl ErrorWorkbook {
    /// Starts a workbook with the source row number, the file's own headers
    /// and a reason column.
    ///
    /// # Errors
    /// When the workbook cannot be started.
    pub fn new(sheet: &str, headers: &[String]) -> Result<Self, XlsxError> {
        let mut workbook = Workbook::new();
        let worksheet = workbook.add_worksheet_with_constant_memory()?;
        worksheet.set_name(sheet)?;
        let bold = Format::new().set_bold();
        worksheet.write_string_with_format(0, 0, "行号 Row", &bold)?;
        let mut col = 1u16;
        for header in headers {
            write_text(worksheet, 0, col, header, Some(&bold))?;
            col = col.saturating_add(1);
        }
        worksheet.write_string_with_format(0, col, "错误原因 Reason", &bold)?;
        worksheet.set_column_width(col, 60)?;
        worksheet.set_freeze_panes(1, 0)?;
        Ok(Self {
            workbook,
            next_row: 1,
            columns: col,
        })
    }

    /// Adds one rejected row: its number in the source, its cells as text, why.
    ///
    /// # Errors
    /// Beyond the sheet's last row.
    pub fn add(
        &mut self,
        source_row: u32,
        cells: &[String],
        reason: &str,
    ) -> Result<(), XlsxError> {
        let row = self.next_row;
        let worksheet = self.workbook.worksheet_from_index(0)?;
        worksheet.write_number(row, 0, f64::from(source_row))?;
        for (index, text) in cells.iter().enumerate() {
            let col = u16::try_from(index + 1).unwrap_or(u16::MAX);
            if col >= self.columns {
                break;
            }
            if !text.is_empty() {
                write_text(worksheet, row, col, text, None)?;
            }
        }
        write_text(worksheet, row, self.columns, reason, None)?;
        self.next_row += 1;
        Ok(())
    }

    /// Rows added so far.
    #[must_use]
    pub fn rows(&self) -> u32 {
        self.next_row - 1
    }

    /// The finished workbook.
    ///
    /// # Errors
    /// When it cannot be assembled.
    pub fn finish(mut self) -> Result<Vec<u8>, XlsxError> {
        self.workbook.save_to_buffer()
    }
}

//! The one sheet layout every report uses, and the workbook around it.

use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{
    Chart, ChartType, Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::{COMPRESSION_LEVEL, Meta, Sink, Written};

/// How a column's values are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text, left-aligned.
    Text,
    /// Whole numbers.
    Integer,
    /// Numbers with two decimals (scores, points).
    Decimal,
    /// A share between 0 and 1, shown as a percentage.
    Percent,
    /// A calendar date.
    Date,
    /// A date and time, to the minute.
    DateTime,
}

/// One column of a table: its Chinese header, width in characters and kind.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The header.
    pub header: &'static str,
    /// Width in characters.
    pub width: f64,
    /// How values are shown.
    pub kind: Kind,
}

impl Column {
    /// A column.
    #[must_use]
    pub const fn new(header: &'static str, width: f64, kind: Kind) -> Self {
        Self {
            header,
            width,
            kind,
        }
    }
}

/// A judgement shown as the cell's colour (grades, statuses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Green.
    Good,
    /// Blue.
    Fair,
    /// Amber.
    Warn,
    /// Red.
    Bad,
}

/// One cell's value; numbers take their column's format.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    /// User or reference text, always written as a string.
    Text(&'a str),
    /// A whole number.
    Int(i64),
    /// A number (or a share, in a percent column).
    Num(f64),
    /// A date.
    Date(NaiveDate),
    /// A date and time.
    DateTime(NaiveDateTime),
    /// Text with a coloured fill.
    Toned(&'a str, Tone),
    /// Nothing.
    Empty,
}

impl<'a> Value<'a> {
    /// A number, or an empty cell for none.
    #[must_use]
    pub fn num(value: Option<f64>) -> Self {
        value.map_or(Value::Empty, Value::Num)
    }

    /// Text, or an empty cell for none.
    #[must_use]
    pub fn text(value: Option<&'a str>) -> Self {
        value.map_or(Value::Empty, Value::Text)
    }
}

/// A table added to a [`Report`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableId(usize);

#[derive(Debug)]
struct Table {
    sheet: usize,
    columns: &'static [Column],
    next_row: u32,
}

/// The formats a report uses, made once.
#[derive(Debug)]
struct Formats {
    title: Format,
    header: Format,
    quoted: Format,
    integer: Format,
    decimal: Format,
    percent: Format,
    date: Format,
    datetime: Format,
    tones: [Format; 4],
}

impl Formats {
    fn new() -> Self {
        let tone = |rgb: u32| {
            Format::new()
                .set_background_color(Color::RGB(rgb))
                .set_align(FormatAlign::Center)
        };
        Self {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0x00DD_EBF7))
                .set_border(FormatBorder::Thin),
            quoted: Format::new().set_quote_prefix(),
            integer: Format::new().set_num_format("0"),
            decimal: Format::new().set_num_format("0.00"),
            percent: Format::new().set_num_format("0.0%"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            tones: [
                tone(0x00C6_EFCE),
                tone(0x00DD_EBF7),
                tone(0x00FF_EB9C),
                tone(0x00FF_C7CE),
            ],
        }
    }

    fn number(&self, kind: Kind) -> &Format {
        match kind {
            Kind::Integer => &self.integer,
            Kind::Percent => &self.percent,
            Kind::Date => &self.date,
            Kind::DateTime => &self.datetime,
            Kind::Text | Kind::Decimal => &self.decimal,
        }
    }

    fn tone(&self, tone: Tone) -> &Format {
        match tone {
            Tone::Good => &self.tones[0],
            Tone::Fair => &self.tones[1],
            Tone::Warn => &self.tones[2],
            Tone::Bad => &self.tones[3],
        }
    }
}

/// Whether Excel would read text typed into a cell as a formula.
#[must_use]
pub(crate) fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A report workbook being written: tables of rows, then [`Report::finish`].
pub struct Report {
    workbook: Workbook,
    title: String,
    subtitle: String,
    footer: String,
    formats: Formats,
    tables: Vec<Table>,
}

impl std::fmt::Debug for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Report")
            .field("title", &self.title)
            .field("tables", &self.tables)
            .finish_non_exhaustive()
    }
}

/// Longest exporter name the footer shows (Excel caps a footer at 255 characters).
const EXPORTER_CHARS: usize = 60;

impl Report {
    /// Starts a report with its title (`考核评分表`) and what it says about itself.
    #[must_use]
    pub fn new(title: &str, meta: &Meta) -> Self {
        let mut workbook = Workbook::new();
        workbook.set_zip_compression_level(COMPRESSION_LEVEL);
        let mut subtitle = match &meta.period {
            Some(period) => format!("{period} · {}", meta.scope),
            None => meta.scope.clone(),
        };
        if let Some(basis) = &meta.basis {
            subtitle.push_str(" · ");
            subtitle.push_str(basis);
        }
        // `&` starts a control code in a footer; a literal one is doubled.
        let exporter: String = meta
            .exporter
            .chars()
            .take(EXPORTER_CHARS)
            .collect::<String>()
            .replace('&', "&&");
        let footer = format!(
            "&L导出人：{exporter}&C第 &P 页，共 &N 页&R导出时间：{} (北京时间)",
            meta.exported_at.format("%Y-%m-%d %H:%M")
        );
        Self {
            workbook,
            title: title.to_owned(),
            subtitle,
            footer,
            formats: Formats::new(),
            tables: Vec::new(),
        }
    }

    /// Adds a sheet holding one table: the title row, the header row, frozen,
    /// and print setup. Rows follow with [`Report::row`], in order.
    ///
    /// # Errors
    /// When the sheet cannot be added (a bad name, no temporary file).
    pub fn table(&mut self, name: &str, columns: &'static [Column]) -> Result<TableId, XlsxError> {
        let last_col = last_col(columns)?;
        let sheet = self.tables.len();
        let worksheet = self.workbook.add_worksheet_with_constant_memory()?;
        worksheet.set_name(name)?;
        for (col, column) in (0u16..).zip(columns) {
            worksheet.set_column_width(col, column.width)?;
        }
        worksheet.set_row_height(0, 26)?;
        let title = format!("{}（{}）", self.title, self.subtitle);
        if last_col == 0 {
            worksheet.write_string_with_format(0, 0, &title, &self.formats.title)?;
        } else {
            worksheet.merge_range(0, 0, 0, last_col, &title, &self.formats.title)?;
        }
        for (col, column) in (0u16..).zip(columns) {
            worksheet.write_string_with_format(1, col, column.header, &self.formats.header)?;
        }
        worksheet.set_freeze_panes(2, 0)?;
        worksheet
            .set_landscape()
            .set_paper_size(9)
            .set_print_fit_to_pages(1, 0)
            .set_footer(&self.footer);
        worksheet.set_repeat_rows(0, 1)?;
        self.tables.push(Table {
            sheet,
            columns,
            next_row: 2,
        });
        Ok(TableId(self.tables.len() - 1))
    }

    /// Appends a row to a table; missing trailing values are left empty.
    ///
    /// # Errors
    /// When the row is beyond Excel's limit of 1,048,576.
    pub fn row(&mut self, table: TableId, values: &[Value<'_>]) -> Result<(), XlsxError> {
        let state = self
            .tables
            .get_mut(table.0)
            .ok_or_else(|| XlsxError::ParameterError("no such table".into()))?;
        let row = state.next_row;
        let worksheet = self.workbook.worksheet_from_index(state.sheet)?;
        for ((col, value), column) in (0u16..).zip(values).zip(state.columns) {
            write_value(worksheet, &self.formats, row, col, *value, column.kind)?;
        }
        state.next_row = row.saturating_add(1);
        Ok(())
    }

    /// How many data rows a table holds.
    #[must_use]
    pub fn rows(&self, table: TableId) -> u32 {
        self.tables
            .get(table.0)
            .map_or(0, |t| t.next_row.saturating_sub(2))
    }

    /// Puts a column chart beside a table: categories from one column, values
    /// from another, over the table's data rows.
    ///
    /// # Errors
    /// When the table has no rows or the chart cannot be placed.
    pub fn column_chart(
        &mut self,
        table: TableId,
        title: &str,
        category_col: u16,
        value_col: u16,
    ) -> Result<(), XlsxError> {
        let state = self
            .tables
            .get(table.0)
            .ok_or_else(|| XlsxError::ParameterError("no such table".into()))?;
        if state.next_row <= 2 {
            return Ok(());
        }
        let (sheet, last_row) = (state.sheet, state.next_row - 1);
        let value_name = state
            .columns
            .get(usize::from(value_col))
            .map_or("", |c| c.header);
        let anchor = last_col(state.columns)?.saturating_add(2);
        let worksheet = self.workbook.worksheet_from_index(sheet)?;
        let name = worksheet.name();
        let mut chart = Chart::new(ChartType::Column);
        chart.title().set_name(title);
        chart
            .add_series()
            .set_name(value_name)
            .set_categories((name.as_str(), 2, category_col, last_row, category_col))
            .set_values((name.as_str(), 2, value_col, last_row, value_col));
        chart.y_axis().set_min(0).set_max(100);
        chart.legend().set_hidden();
        worksheet.insert_chart(1, anchor, &chart)?;
        Ok(())
    }

    /// Adds the autofilter over each table's rows and assembles the workbook
    /// in memory.
    ///
    /// # Errors
    /// When the workbook cannot be assembled.
    pub fn finish(self) -> Result<Vec<u8>, XlsxError> {
        match self.finish_to(Sink::Memory)? {
            Written::Memory(bytes) => Ok(bytes),
            Written::File(_) => Err(XlsxError::ParameterError("written to a file".into())),
        }
    }

    /// Adds the autofilter over each table's rows and assembles the workbook
    /// into `sink`.
    ///
    /// # Errors
    /// When the workbook cannot be assembled or written.
    pub fn finish_to(mut self, sink: Sink) -> Result<Written, XlsxError> {
        for table in &self.tables {
            let last_row = table.next_row.saturating_sub(1).max(1);
            let last_col = last_col(table.columns)?;
            self.workbook
                .worksheet_from_index(table.sheet)?
                .autofilter(1, 0, last_row, last_col)?;
        }
        match sink {
            Sink::Memory => Ok(Written::Memory(self.workbook.save_to_buffer()?)),
            Sink::File(mut file) => {
                self.workbook.save_to_writer(&mut file)?;
                Ok(Written::File(file))
            }
        }
    }
}

fn last_col(columns: &[Column]) -> Result<u16, XlsxError> {
    u16::try_from(columns.len().saturating_sub(1))
        .map_err(|_| XlsxError::ParameterError("too many columns".into()))
}

/// The most characters (UTF-16 units) an Excel cell holds.
const CELL_UNITS: usize = 32_767;

/// Text cut to what a cell holds, ending in `…` when cut.
fn fitted(text: &str) -> std::borrow::Cow<'_, str> {
    // A UTF-16 unit takes at least one byte of UTF-8.
    if text.len() <= CELL_UNITS || text.encode_utf16().count() <= CELL_UNITS {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut units = 0;
    let mut end = 0;
    for (at, c) in text.char_indices() {
        units += c.len_utf16();
        if units > CELL_UNITS - 1 {
            break;
        }
        end = at + c.len_utf8();
    }
    std::borrow::Cow::Owned(format!("{}…", &text[..end]))
}

fn write_value(
    worksheet: &mut Worksheet,
    formats: &Formats,
    row: u32,
    col: u16,
    value: Value<'_>,
    kind: Kind,
) -> Result<(), XlsxError> {
    let value = match value {
        Value::Text(text) => {
            let text = fitted(text);
            return write_text(worksheet, formats, row, col, &text, None);
        }
        Value::Toned(text, tone) => {
            let text = fitted(text);
            return write_text(
                worksheet,
                formats,
                row,
                col,
                &text,
                Some(formats.tone(tone)),
            );
        }
        other => other,
    };
    match value {
        Value::Int(number) => {
            // Excel numbers are doubles; counts and ids in reports are far below 2^53.
            worksheet.write_number_with_format(row, col, number as f64, &formats.integer)?;
        }
        Value::Num(number) => {
            worksheet.write_number_with_format(row, col, number, formats.number(kind))?;
        }
        Value::Date(date) => {
            worksheet.write_datetime_with_format(row, col, date, &formats.date)?;
        }
        Value::DateTime(at) => {
            worksheet.write_datetime_with_format(row, col, at, &formats.datetime)?;
        }
        Value::Text(_) | Value::Toned(..) | Value::Empty => {}
    }
    Ok(())
}

/// Writes text as a string; text Excel would read as a formula gets the quote prefix.
fn write_text(
    worksheet: &mut Worksheet,
    formats: &Formats,
    row: u32,
    col: u16,
    text: &str,
    tone: Option<&Format>,
) -> Result<(), XlsxError> {
    match (looks_like_formula(text), tone) {
        (true, None) => worksheet.write_string_with_format(row, col, text, &formats.quoted)?,
        (true, Some(format)) => worksheet.write_string_with_format(
            row,
            col,
            text,
            &format.clone().set_quote_prefix(),
        )?,
        (false, None) => worksheet.write_string(row, col, text)?,
        (false, Some(format)) => worksheet.write_string_with_format(row, col, text, format)?,
    };
    Ok(())
}

//! The columns of an import kind, finding them in a sheet's header row, and
//! reading one row's cells as typed values.

use chrono::NaiveDate;
use reports::read::{Cell, normalize_code, normalize_width};

use crate::domain::{CreditCode, RegionCode, vocab::term};

/// One column of an import kind.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// English header: the API field name.
    pub key: &'static str,
    /// Chinese header, as the template writes it.
    pub zh: &'static str,
    /// Other headers accepted for it.
    pub aliases: &'static [&'static str],
    /// Whether every row needs a value.
    pub required: bool,
    /// English note on the template's header.
    pub note: &'static str,
    /// The template's example value.
    pub example: &'static str,
    /// Values offered as a drop-down (Chinese labels).
    pub choices: &'static [&'static str],
    /// Template column width.
    pub width: f64,
    /// Whether the column holds dates.
    pub date: bool,
}

impl Column {
    /// A column with defaults for the optional parts.
    pub const fn new(key: &'static str, zh: &'static str, required: bool) -> Self {
        Self {
            key,
            zh,
            aliases: &[],
            required,
            note: "",
            example: "",
            choices: &[],
            width: 16.0,
            date: false,
        }
    }
}

/// A header as compared: no spaces or required-markers, ASCII lower-cased.
fn header_key(text: &str) -> String {
    let mut key = normalize_code(text);
    if key.contains("必填") {
        key = key.replace("（必填）", "").replace("(必填)", "");
    }
    key.trim_matches(['*', '＊']).to_ascii_lowercase()
}

/// Where each column of a kind is in the sheet.
#[derive(Debug, Clone)]
pub struct HeaderMap {
    /// For each column of the kind, its sheet index, if present.
    pub index: Vec<Option<usize>>,
    /// The header text of every sheet column, as the file has it.
    pub headers: Vec<String>,
}

/// What a candidate header row says.
pub enum HeaderMatch {
    /// Not a header row.
    No,
    /// The header row, with the names of unknown columns.
    Yes(HeaderMap, Vec<String>),
    /// A header row that lacks required columns or repeats one.
    Broken(Vec<(Option<String>, String)>),
}

/// Decides whether a row is the header row of `columns`: it is when it names
/// at least two known columns (or the only one there is).
pub fn match_header(columns: &[Column], cells: &[Cell]) -> HeaderMatch {
    let texts: Vec<String> = cells
        .iter()
        .map(|c| c.text().ok().flatten().unwrap_or_default())
        .collect();
    let mut index = vec![None; columns.len()];
    let mut unknown = Vec::new();
    let mut problems = Vec::new();
    let mut known = 0;
    for (at, text) in texts.iter().enumerate() {
        if text.is_empty() {
            continue;
        }
        let key = header_key(text);
        let found = columns.iter().position(|c| {
            header_key(c.key) == key
                || header_key(c.zh) == key
                || c.aliases.iter().any(|a| header_key(a) == key)
        });
        match found {
            Some(col) if index[col].is_some() => {
                problems.push((
                    Some(text.clone()),
                    format!("column {} appears twice", columns[col].key),
                ));
            }
            Some(col) => {
                index[col] = Some(at);
                known += 1;
            }
            None => unknown.push(text.clone()),
        }
    }
    if known < 2.min(columns.len()) {
        return HeaderMatch::No;
    }
    for (col, at) in columns.iter().zip(&index) {
        if col.required && at.is_none() {
            problems.push((
                None,
                format!("the required column {} ({}) is missing", col.zh, col.key),
            ));
        }
    }
    if !problems.is_empty() {
        return HeaderMatch::Broken(problems);
    }
    HeaderMatch::Yes(
        HeaderMap {
            index,
            headers: texts,
        },
        unknown,
    )
}

/// One data row being read; problems are collected per column.
pub struct Fields<'a> {
    columns: &'a [Column],
    map: &'a HeaderMap,
    cells: &'a [Cell],
    /// (column key, message)
    pub problems: Vec<(&'static str, String)>,
}

impl<'a> Fields<'a> {
    /// A row's cells under a header.
    pub fn new(columns: &'a [Column], map: &'a HeaderMap, cells: &'a [Cell]) -> Self {
        Self {
            columns,
            map,
            cells,
            problems: Vec::new(),
        }
    }

    /// Whether every known column is empty.
    pub fn is_blank(&self) -> bool {
        self.map
            .index
            .iter()
            .flatten()
            .all(|&at| self.cells.get(at).is_none_or(Cell::is_empty))
    }

    /// Whether the row is the template's example row, left in place.
    pub fn is_example(&self) -> bool {
        self.columns.iter().all(|c| {
            let text = self
                .cell(c.key)
                .and_then(|cell| cell.text().ok().flatten())
                .unwrap_or_default();
            text == c.example
        })
    }

    fn cell(&self, key: &str) -> Option<&'a Cell> {
        let col = self.columns.iter().position(|c| c.key == key)?;
        let at = self.map.index.get(col).copied().flatten()?;
        self.cells.get(at)
    }

    fn column(&self, key: &str) -> &'static str {
        self.columns
            .iter()
            .find(|c| c.key == key)
            .map_or("", |c| c.key)
    }

    /// Records a problem with a column.
    pub fn problem(&mut self, key: &str, message: impl Into<String>) {
        let key = self.column(key);
        self.problems.push((key, message.into()));
    }

    /// Trimmed text, `None` when empty.
    pub fn text(&mut self, key: &str) -> Option<String> {
        match self.cell(key).map(Cell::text) {
            None | Some(Ok(None)) => None,
            Some(Ok(Some(text))) => match crate::input_guard::first_refused(&text) {
                // The same rule as the API's: PostgreSQL cannot store U+0000,
                // and SQLite would keep invisible characters in names and codes.
                Some(c) => {
                    self.problem(key, crate::input_guard::refused_message(c));
                    None
                }
                None => Some(text),
            },
            Some(Err(e)) => {
                self.problem(key, e);
                None
            }
        }
    }

    /// Text that must be there, at most `max` characters.
    pub fn required_text(&mut self, key: &str, max: usize) -> String {
        match self.optional_text(key, max) {
            Some(text) => text,
            None => {
                if !self.problems.iter().any(|(k, _)| *k == self.column(key)) {
                    self.problem(key, "a value is required");
                }
                String::new()
            }
        }
    }

    /// Text of at most `max` characters, if any.
    pub fn optional_text(&mut self, key: &str, max: usize) -> Option<String> {
        let text = self.text(key)?;
        if text.chars().count() > max {
            self.problem(key, format!("must have at most {max} characters"));
        }
        Some(text)
    }

    /// A code: full-width characters made ASCII and spaces removed.
    pub fn code(&mut self, key: &str) -> Option<String> {
        self.text(key)
            .map(|t| normalize_width(&t))
            .filter(|t| !t.is_empty())
    }

    /// A code that must be there.
    pub fn required_code(&mut self, key: &str) -> String {
        let code = self.code(key);
        if code.is_none() && !self.problems.iter().any(|(k, _)| *k == self.column(key)) {
            self.problem(key, "a value is required");
        }
        code.unwrap_or_default()
    }

    /// A date, if any.
    pub fn date(&mut self, key: &str) -> Option<NaiveDate> {
        match self.cell(key).map(Cell::date) {
            None | Some(Ok(None)) => None,
            Some(Ok(Some(date))) => Some(date),
            Some(Err(e)) => {
                self.problem(key, e);
                None
            }
        }
    }

    /// A date that must be there.
    pub fn required_date(&mut self, key: &str) -> Option<NaiveDate> {
        let date = self.date(key);
        if date.is_none() && !self.problems.iter().any(|(k, _)| *k == self.column(key)) {
            self.problem(key, "a date is required");
        }
        date
    }

    /// One of a closed set of values, by English name, Chinese name or alias.
    pub fn choice<T: Copy>(&mut self, key: &str, table: &[Choice<T>], required: bool) -> Option<T> {
        let Some(text) = self.text(key) else {
            if required {
                self.problem(key, "a value is required");
            }
            return None;
        };
        let found = find_choice(table, &text);
        if found.is_none() {
            self.problem(key, format!("'{text}' is not one of {}", describe(table)));
        }
        found
    }

    /// A six-digit region code.
    pub fn region_code(&mut self, key: &str, required: bool) -> Option<RegionCode> {
        let code = if required {
            Some(self.required_code(key)).filter(|c| !c.is_empty())
        } else {
            self.code(key)
        }?;
        match RegionCode::parse(&code) {
            Ok(code) => Some(code),
            Err(e) => {
                self.problem(key, e.to_string());
                None
            }
        }
    }

    /// A unified social credit code that must be there, its check character verified.
    pub fn credit_code(&mut self, key: &str) -> Option<CreditCode> {
        let code = self.required_code(key);
        if code.is_empty() {
            return None;
        }
        match CreditCode::parse(&code) {
            Ok(code) => Some(code),
            Err(e) => {
                self.problem(key, e.to_string());
                None
            }
        }
    }

    /// 是/否, yes/no, true/false, y/n, 1/0.
    pub fn boolean(&mut self, key: &str) -> Option<bool> {
        if let Some(Cell::Bool(b)) = self.cell(key) {
            return Some(*b);
        }
        self.choice(key, BOOLEANS, false)
    }
}

/// A value of a closed set with the words that name it.
pub use crate::domain::vocab::Term as Choice;

pub fn find_choice<T: Copy>(table: &[Choice<T>], text: &str) -> Option<T> {
    // Table words are already in compared form: only the input is normalised.
    let key = header_key(text);
    let same = |word: &str| word.eq_ignore_ascii_case(&key);
    table
        .iter()
        .find(|c| same(c.code) || same(c.zh) || same(c.en) || c.aliases.iter().any(|a| same(a)))
        .map(|c| c.value)
}

fn describe<T>(table: &[Choice<T>]) -> String {
    table
        .iter()
        .map(|c| format!("{}/{}", c.zh, c.code))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Yes and no.
pub const BOOLEANS: &[Choice<bool>] = &[
    term(true, "yes", "是", "Yes", &["true", "y", "1", "对", "√"]),
    term(false, "no", "否", "No", &["false", "n", "0", "不", "×"]),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::imports::{ImportKind, vocab::RISK_LEVELS};

    fn cells(texts: &[&str]) -> Vec<Cell> {
        texts.iter().map(|t| Cell::Text((*t).to_owned())).collect()
    }

    #[test]
    fn headers_match_in_either_language_any_order_and_case() {
        let columns = ImportKind::Enterprises.columns();
        let row = cells(&[
            "备注",
            " Name ",
            "统一社会信用代码*",
            "INDUSTRY",
            "行政区划代码",
            "风险等级",
            "信用分类",
        ]);
        let HeaderMatch::Yes(map, unknown) = match_header(columns, &row) else {
            panic!("a header row");
        };
        assert_eq!(unknown, ["备注"]);
        assert_eq!(map.index[0], Some(2), "credit_code");
        assert_eq!(map.index[1], Some(1), "name");
    }

    #[test]
    fn a_title_row_is_not_a_header_and_a_missing_column_is_named() {
        let columns = ImportKind::Enterprises.columns();
        assert!(matches!(
            match_header(columns, &cells(&["企业名录（2026年）"])),
            HeaderMatch::No
        ));
        let HeaderMatch::Broken(problems) =
            match_header(columns, &cells(&["企业名称", "统一社会信用代码"]))
        else {
            panic!("broken header");
        };
        assert!(
            problems.iter().any(|(_, m)| m.contains("industry")),
            "{problems:?}"
        );
    }

    #[test]
    fn vocabulary_is_read_in_chinese_english_and_aliases() {
        for (text, level) in [
            ("重大", entities::RiskLevel::Major),
            ("MAJOR", entities::RiskLevel::Major),
            ("橙色", entities::RiskLevel::High),
            (" low ", entities::RiskLevel::Low),
        ] {
            assert_eq!(find_choice(RISK_LEVELS, text.trim()), Some(level), "{text}");
        }
        assert_eq!(find_choice(BOOLEANS, "是"), Some(true));
        assert_eq!(find_choice(BOOLEANS, "N"), Some(false));
        assert_eq!(find_choice(RISK_LEVELS, "极高"), None);
    }
}

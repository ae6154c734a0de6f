//! One cell's value, and the conversions real files need: numbers typed as
//! text and text typed as numbers, full-width characters, dates in any of the
//! forms people use.

use chrono::{Datelike as _, NaiveDate};

/// A cell's value as read.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell {
    /// Nothing.
    #[default]
    Empty,
    /// Text, as stored.
    Text(String),
    /// A whole number.
    Int(i64),
    /// Any other number.
    Float(f64),
    /// TRUE or FALSE.
    Bool(bool),
    /// A number formatted as a date.
    Date(NaiveDate),
    /// An error value such as `#N/A`.
    Error(String),
}

/// The largest integer a double holds exactly (2^53).
const EXACT: f64 = 9_007_199_254_740_992.0;

impl Cell {
    /// Whether the cell holds nothing (or only white space).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        match self {
            Self::Empty => true,
            Self::Text(text) => normalize_text(text).is_empty(),
            _ => false,
        }
    }

    /// The value as trimmed text: whole numbers without a decimal point, dates
    /// as `YYYY-MM-DD`; `None` for an empty cell.
    ///
    /// # Errors
    /// For an error value, and for a number too large to be written exactly
    /// (such as an 18-digit code typed as a number).
    pub fn text(&self) -> Result<Option<String>, String> {
        Ok(match self {
            Self::Empty => None,
            Self::Text(text) => Some(normalize_text(text)).filter(|t| !t.is_empty()),
            Self::Int(n) => Some(n.to_string()),
            Self::Float(x) => Some(float_text(*x)?),
            Self::Bool(b) => Some(if *b { "TRUE" } else { "FALSE" }.to_owned()),
            Self::Date(d) => Some(d.format("%Y-%m-%d").to_string()),
            Self::Error(e) => return Err(format!("the cell holds the error value {e}")),
        })
    }

    /// The value as a date: a date cell, an Excel serial number, or text such as
    /// `2026-11-29`, `2026/11/29`, `2026.11.29`, `20261129` or `2026年11月29日`.
    ///
    /// # Errors
    /// When the value is not a date.
    pub fn date(&self) -> Result<Option<NaiveDate>, String> {
        match self {
            Self::Empty => Ok(None),
            Self::Date(d) => Ok(Some(*d)),
            Self::Int(n) => serial_to_date(*n as f64).map(Some),
            Self::Float(x) => serial_to_date(*x).map(Some),
            Self::Text(text) => {
                let text = normalize_text(text);
                if text.is_empty() {
                    Ok(None)
                } else {
                    parse_date_text(&text).map(Some)
                }
            }
            Self::Bool(_) => Err("expected a date, found TRUE/FALSE".to_owned()),
            Self::Error(e) => Err(format!("the cell holds the error value {e}")),
        }
    }
}

fn float_text(x: f64) -> Result<String, String> {
    if !x.is_finite() {
        return Err("the number is not finite".to_owned());
    }
    if x.fract() == 0.0 {
        if x.abs() >= EXACT {
            return Err(format!(
                "the number {x:e} is too long to be exact; format the column as text"
            ));
        }
        // Exact by the check above.
        #[expect(clippy::cast_possible_truncation, reason = "|x| < 2^53 and whole")]
        let n = x as i64;
        return Ok(n.to_string());
    }
    Ok(x.to_string())
}

/// Trims white space, including the ideographic space (U+3000) and
/// non-breaking spaces.
#[must_use]
pub fn normalize_text(text: &str) -> String {
    text.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{FEFF}')
        .to_owned()
}

/// A code as it is compared and stored: full-width letters, digits and
/// punctuation become ASCII, spaces are removed, letters upper-cased.
#[must_use]
pub fn normalize_code(text: &str) -> String {
    normalize_width(text).to_uppercase()
}

/// Full-width letters, digits and punctuation made ASCII and spaces removed;
/// the case is kept.
#[must_use]
pub fn normalize_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}' && *c != '\u{FEFF}')
        .collect()
}

/// Converts an Excel serial date (1900 date system) to a date.
///
/// # Errors
/// Outside 1900-01-01 to 9999-12-31.
pub fn serial_to_date(serial: f64) -> Result<NaiveDate, String> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return Err(format!("{serial} is not a date"));
    }
    #[expect(clippy::cast_possible_truncation, reason = "range checked above")]
    let days = serial.floor() as i64;
    // Excel counts a 29 February 1900 that never was; serials after it are one day ahead.
    let (base, days) = if days < 60 {
        (NaiveDate::from_ymd_opt(1899, 12, 31), days)
    } else if days == 60 {
        return Err("29 February 1900 does not exist".to_owned());
    } else {
        (NaiveDate::from_ymd_opt(1899, 12, 30), days)
    };
    base.and_then(|b| b.checked_add_days(chrono::Days::new(days.unsigned_abs())))
        .ok_or_else(|| format!("{serial} is not a date"))
}

/// Parses a date written as text.
///
/// # Errors
/// When the text is not one of the accepted forms or not a real date.
pub fn parse_date_text(text: &str) -> Result<NaiveDate, String> {
    let text = normalize_text(text);
    // A time after the date (`2026-11-29 00:00:00`) is dropped.
    let first = text
        .split(['T', ' ', '\u{3000}'])
        .next()
        .unwrap_or_default();
    let first = normalize_code(first);
    let date_part = first.trim_end_matches('日');
    let unsupported =
        || format!("'{text}' is not a date; write it as 2026-11-29, 2026/11/29 or 2026年11月29日");
    let parts: Vec<&str> = date_part
        .split(['-', '/', '.', '年', '月'])
        .filter(|p| !p.is_empty())
        .collect();
    let numbers = date_numbers(&parts).ok_or_else(unsupported)?;
    let [year, month, day] = numbers;
    let year = i32::try_from(year).map_err(|_| unsupported())?;
    NaiveDate::from_ymd_opt(year, month, day)
        .filter(|d| d.year() >= 1900)
        .ok_or_else(|| format!("'{text}' is not a real date"))
}

/// Year, month and day from `20261129` or `2026`, `11`, `29`.
fn date_numbers(parts: &[&str]) -> Option<[u32; 3]> {
    match parts {
        [whole] if whole.len() == 8 && whole.bytes().all(|b| b.is_ascii_digit()) => Some([
            whole[..4].parse().ok()?,
            whole[4..6].parse().ok()?,
            whole[6..].parse().ok()?,
        ]),
        [y, m, d] if y.len() == 4 && (1..=2).contains(&m.len()) && (1..=2).contains(&d.len()) => {
            Some([y.parse().ok()?, m.parse().ok()?, d.parse().ok()?])
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn dates_come_in_every_usual_form() {
        for text in [
            "2026-11-29",
            "2026/11/29",
            "2026.11.29",
            "20261129",
            "2026年11月29日",
            "２０２６年１１月２９日",
            " 2026-11-29 00:00:00 ",
        ] {
            assert_eq!(
                Cell::Text(text.to_owned()).date(),
                Ok(day(2026, 11, 29)),
                "{text}"
            );
        }
        assert_eq!(
            Cell::Text("2026/1/5".to_owned()).date(),
            Ok(day(2026, 1, 5))
        );
        assert_eq!(Cell::Float(46_355.0).date(), Ok(day(2026, 11, 29)));
        assert_eq!(Cell::Int(46_355).date(), Ok(day(2026, 11, 29)));
        assert_eq!(Cell::Int(1).date(), Ok(day(1900, 1, 1)));
        assert_eq!(Cell::Int(61).date(), Ok(day(1900, 3, 1)));
    }

    #[test]
    fn impossible_dates_are_rejected() {
        for text in [
            "2026-02-30",
            "29/11/2026",
            "tomorrow",
            "2026-13-01",
            "11-29",
        ] {
            assert!(Cell::Text(text.to_owned()).date().is_err(), "{text}");
        }
        assert!(Cell::Float(-3.0).date().is_err());
        assert!(Cell::Bool(true).date().is_err());
    }

    #[test]
    fn numbers_become_text_only_when_exact() {
        assert_eq!(Cell::Float(110_000.0).text(), Ok(Some("110000".to_owned())));
        assert_eq!(Cell::Int(7).text(), Ok(Some("7".to_owned())));
        assert_eq!(Cell::Float(1.5).text(), Ok(Some("1.5".to_owned())));
        assert!(Cell::Float(9.1e17).text().is_err());
        assert_eq!(Cell::Text(" \u{3000}".to_owned()).text(), Ok(None));
    }

    #[test]
    fn codes_are_normalised() {
        assert_eq!(
            normalize_code(" ９１３５０１００ｍ０００１００Ｙ４３ "),
            "91350100M000100Y43"
        );
        assert_eq!(normalize_code("em-13 00"), "EM-1300");
    }
}

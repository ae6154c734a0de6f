//! Score periods: a year (`2026`), a quarter (`2026Q4`) or a month (`2026-11`),
//! reckoned in China Standard Time.

use std::fmt;

use chrono::{DateTime, Datelike as _, NaiveDate, Utc};

use super::workdays::{CHINA, china_date};

/// A well-formed period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    /// A calendar year.
    Year(i32),
    /// A quarter, 1 to 4.
    Quarter(i32, u32),
    /// A month, 1 to 12.
    Month(i32, u32),
}

/// Why a text is not a period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a period is a year (2026), a quarter (2026Q4) or a month (2026-11); got '{0}'")]
pub struct PeriodError(pub String);

fn year_of(text: &str) -> Option<i32> {
    (text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
        .filter(|y| (1900..=9999).contains(y))
}

fn number_in(text: &str, digits: usize, range: std::ops::RangeInclusive<u32>) -> Option<u32> {
    (text.len() == digits && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
        .filter(|n| range.contains(n))
}

impl Period {
    /// Parses `2026`, `2026Q4` (or `2026q4`) or `2026-11`.
    ///
    /// # Errors
    /// When the text is none of these, or names quarter 0, month 13 and the like.
    pub fn parse(text: &str) -> Result<Self, PeriodError> {
        let t = text.trim();
        let error = || PeriodError(text.to_owned());
        if let Some((year, quarter)) = t.split_once(['Q', 'q']) {
            let year = year_of(year).ok_or_else(error)?;
            let quarter = number_in(quarter, 1, 1..=4).ok_or_else(error)?;
            return Ok(Self::Quarter(year, quarter));
        }
        if let Some((year, month)) = t.split_once('-') {
            let year = year_of(year).ok_or_else(error)?;
            let month = number_in(month, 2, 1..=12).ok_or_else(error)?;
            return Ok(Self::Month(year, month));
        }
        year_of(t).map(Self::Year).ok_or_else(error)
    }

    /// The month (China time) an instant falls in.
    #[must_use]
    pub fn month_of(at: DateTime<Utc>) -> Self {
        Self::month_of_date(china_date(at))
    }

    /// The month a calendar date falls in.
    #[must_use]
    pub fn month_of_date(day: NaiveDate) -> Self {
        Self::Month(day.year(), day.month())
    }

    /// The year.
    #[must_use]
    pub fn year(&self) -> i32 {
        match *self {
            Self::Year(y) | Self::Quarter(y, _) | Self::Month(y, _) => y,
        }
    }

    /// The first and the last month (1 to 12) the period covers.
    fn months(&self) -> (u32, u32) {
        match *self {
            Self::Year(_) => (1, 12),
            Self::Quarter(_, q) => (3 * q - 2, 3 * q),
            Self::Month(_, m) => (m, m),
        }
    }

    /// The first day of the period.
    #[must_use]
    pub fn first_day(&self) -> NaiveDate {
        let (first, _) = self.months();
        NaiveDate::from_ymd_opt(self.year(), first, 1).unwrap_or_default()
    }

    /// The day after the period's last day.
    #[must_use]
    pub fn end_day(&self) -> NaiveDate {
        let (_, last) = self.months();
        let (year, month) = if last == 12 {
            (self.year() + 1, 1)
        } else {
            (self.year(), last + 1)
        };
        NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default()
    }

    /// The instant the period starts: midnight China time of its first day, in UTC.
    #[must_use]
    pub fn start(&self) -> DateTime<Utc> {
        china_midnight(self.first_day())
    }

    /// The instant the period ends (exclusive): midnight China time after its last day.
    #[must_use]
    pub fn end(&self) -> DateTime<Utc> {
        china_midnight(self.end_day())
    }

    /// Whether an instant lies in the period, in China time.
    #[must_use]
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start() <= at && at < self.end()
    }

    /// Whether a calendar date lies in the period.
    #[must_use]
    pub fn contains_date(&self, day: NaiveDate) -> bool {
        self.first_day() <= day && day < self.end_day()
    }

    /// Whether `other` lies wholly inside this period (a period lies inside itself).
    #[must_use]
    pub fn covers(&self, other: &Self) -> bool {
        self.first_day() <= other.first_day() && other.end_day() <= self.end_day()
    }

    /// This period and every quarter and month inside it, in that order.
    #[must_use]
    pub fn with_parts(&self) -> Vec<Self> {
        let mut parts = vec![*self];
        let year = self.year();
        if let Self::Year(_) = self {
            parts.extend((1..=4).map(|q| Self::Quarter(year, q)));
        }
        if !matches!(self, Self::Month(..)) {
            let (first, last) = self.months();
            parts.extend((first..=last).map(|m| Self::Month(year, m)));
        }
        parts
    }
}

/// Midnight at the start of a day in China, as a UTC instant.
#[must_use]
pub fn china_midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(CHINA).single())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Year(y) => write!(f, "{y}"),
            Self::Quarter(y, q) => write!(f, "{y}Q{q}"),
            Self::Month(y, m) => write!(f, "{y}-{m:02}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn the_three_forms_parse_to_china_time_bounds() {
        // Each period starts at 00:00 China time, which is 16:00 UTC the day before.
        let cases = [
            ("2026", "2025-12-31T16:00:00Z", "2026-12-31T16:00:00Z"),
            ("2026Q4", "2026-09-30T16:00:00Z", "2026-12-31T16:00:00Z"),
            ("2026q1", "2025-12-31T16:00:00Z", "2026-03-31T16:00:00Z"),
            ("2026-11", "2026-10-31T16:00:00Z", "2026-11-30T16:00:00Z"),
            ("2026-02", "2026-01-31T16:00:00Z", "2026-02-28T16:00:00Z"),
            ("2028-02", "2028-01-31T16:00:00Z", "2028-02-29T16:00:00Z"),
            ("2026-12", "2026-11-30T16:00:00Z", "2026-12-31T16:00:00Z"),
        ];
        for (text, start, end) in cases {
            let period = Period::parse(text).map_err(|e| e.to_string());
            assert_eq!(period.map(|p| p.start()), Ok(utc(start)), "{text} start");
            let period = Period::parse(text).map_err(|e| e.to_string());
            assert_eq!(period.map(|p| p.end()), Ok(utc(end)), "{text} end");
        }
    }

    #[test]
    fn periods_print_in_their_canonical_form() {
        for (text, shown) in [
            ("2026", "2026"),
            ("2026q4", "2026Q4"),
            (" 2026-03 ", "2026-03"),
        ] {
            assert_eq!(
                Period::parse(text).map(|p| p.to_string()),
                Ok(shown.to_owned()),
                "{text}"
            );
        }
    }

    #[test]
    fn malformed_periods_are_rejected() {
        for bad in [
            "",
            "26",
            "20266",
            "2026Q0",
            "2026Q5",
            "2026Q",
            "2026-1",
            "2026-00",
            "2026-13",
            "2026-111",
            "Q4",
            "2026/11",
            "二〇二六",
            "0999",
            "2026-1a",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn an_instant_near_midnight_belongs_to_its_china_date() {
        // 2025-12-31 16:30 UTC is 2026-01-01 00:30 in China.
        let at = utc("2025-12-31T16:30:00Z");
        assert_eq!(Period::month_of(at), Period::Month(2026, 1));
        assert!(Period::Year(2026).contains(at));
        assert!(!Period::Year(2025).contains(at));
        assert!(Period::Quarter(2026, 1).contains(at));
        // One second before China midnight stays in the old year.
        let before = utc("2025-12-31T15:59:59Z");
        assert!(Period::Month(2025, 12).contains(before));
        assert!(!Period::Year(2026).contains(before));
    }

    #[test]
    fn a_period_lists_its_quarters_and_months() {
        let year = Period::Year(2026).with_parts();
        assert_eq!(year.len(), 1 + 4 + 12);
        assert_eq!(
            Period::Quarter(2026, 4).with_parts(),
            vec![
                Period::Quarter(2026, 4),
                Period::Month(2026, 10),
                Period::Month(2026, 11),
                Period::Month(2026, 12)
            ]
        );
        assert_eq!(
            Period::Month(2026, 5).with_parts(),
            vec![Period::Month(2026, 5)]
        );
        assert!(Period::Year(2026).covers(&Period::Month(2026, 7)));
        assert!(!Period::Quarter(2026, 1).covers(&Period::Month(2026, 7)));
    }
}

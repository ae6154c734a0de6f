//! Instants as the API shows and takes them: China Standard Time.
//!
//! Answers carry the `+08:00` offset and whole seconds, because their readers
//! work in Beijing time. Requests may give any RFC 3339 offset, or none at all,
//! which then means China time: `2026-12-07T09:30:00+08:00`,
//! `2026-12-07T01:30:00Z`, `2026-12-07 09:30`, `2026-12-07T09:30:15`.

use std::fmt;

use chrono::{DateTime, NaiveDateTime, SubsecRound as _, Utc};

use super::workdays::CHINA;
use crate::{i18n::Msg, msg};

/// An instant, shown in China time with whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChinaTime(pub DateTime<Utc>);

/// An example that every parse error shows.
pub const EXAMPLE: &str = "2026-12-07T09:30:00+08:00 or 2026-12-07 09:30 (China time)";

/// [`EXAMPLE`] in Chinese.
pub const EXAMPLE_ZH: &str = "2026-12-07T09:30:00+08:00 或 2026-12-07 09:30（不带时区即北京时间）";

/// Why a time could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{given}' is not a time; expected e.g. {EXAMPLE}")]
pub struct TimeError {
    /// The text given.
    pub given: String,
}

impl TimeError {
    /// What is wrong, with an accepted example.
    #[must_use]
    pub fn describe(&self) -> Msg {
        let given = &self.given;
        msg!(
            "时间格式无效（“{given}”），应如 {EXAMPLE_ZH}",
            "'{given}' is not a time; expected e.g. {EXAMPLE}"
        )
    }

    /// What is wrong with the value of `field`, with an accepted example.
    #[must_use]
    pub fn message(&self, field: &str) -> Msg {
        let what = self.describe();
        Msg::new(
            format!("{field}：{}", what.zh()),
            format!("{field}: {}", what.en()),
        )
    }
}

impl ChinaTime {
    /// Reads RFC 3339 with any offset, or `YYYY-MM-DD HH:MM[:SS]` (a `T` in
    /// place of the space too) without one, as China time.
    ///
    /// # Errors
    /// [`TimeError`] naming the text, with an accepted example.
    pub fn parse(text: &str) -> Result<Self, TimeError> {
        let text = text.trim();
        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            return Ok(Self(at.to_utc()));
        }
        // An unescaped `+` in a query string arrives as a space:
        // `2026-12-07T09:30:00 08:00`.
        if let Some((time, offset)) = text.rsplit_once(' ')
            && time.contains('T')
            && let Ok(at) = DateTime::parse_from_rfc3339(&format!("{time}+{offset}"))
        {
            return Ok(Self(at.to_utc()));
        }
        let naive = [
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%dT%H:%M",
        ]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok());
        naive
            .and_then(|naive| naive.and_local_timezone(CHINA).single())
            .map(|at| Self(at.to_utc()))
            .ok_or_else(|| TimeError {
                given: text.chars().take(64).collect(),
            })
    }

    /// The instant in UTC.
    #[must_use]
    pub fn utc(self) -> DateTime<Utc> {
        self.0
    }

    /// RFC 3339 at `+08:00`, whole seconds.
    #[must_use]
    pub fn to_rfc3339(self) -> String {
        self.0.trunc_subsecs(0).with_timezone(&CHINA).to_rfc3339()
    }
}

impl From<DateTime<Utc>> for ChinaTime {
    fn from(at: DateTime<Utc>) -> Self {
        Self(at)
    }
}

impl From<ChinaTime> for DateTime<Utc> {
    fn from(at: ChinaTime) -> Self {
        at.0
    }
}

impl fmt::Display for ChinaTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> String {
        ChinaTime::parse(text).map_or_else(|e| e.to_string(), ChinaTime::to_rfc3339)
    }

    #[test]
    fn answers_are_china_time_in_whole_seconds() {
        let at = DateTime::parse_from_rfc3339("2026-12-07T13:48:16.987654321Z")
            .map(|t| ChinaTime(t.to_utc()))
            .map(ChinaTime::to_rfc3339);
        assert_eq!(at.as_deref(), Ok("2026-12-07T21:48:16+08:00"));
    }

    #[test]
    fn any_offset_or_none_is_accepted() {
        assert_eq!(parsed("2026-12-07T01:30:00Z"), "2026-12-07T09:30:00+08:00");
        assert_eq!(
            parsed("2026-12-07T09:30:00+08:00"),
            "2026-12-07T09:30:00+08:00"
        );
        assert_eq!(
            parsed("2026-12-06T20:30:00-05:00"),
            "2026-12-07T09:30:00+08:00"
        );
        assert_eq!(parsed("2026-12-07 09:30"), "2026-12-07T09:30:00+08:00");
        assert_eq!(parsed("2026-12-07T09:30:15"), "2026-12-07T09:30:15+08:00");
        assert_eq!(parsed(" 2026-12-07 09:30:15 "), "2026-12-07T09:30:15+08:00");
        assert_eq!(
            parsed("2026-12-07T09:30:00 08:00"),
            "2026-12-07T09:30:00+08:00",
            "a + lost in a query string"
        );
    }

    #[test]
    fn a_bad_time_says_what_it_got_and_what_would_do() {
        let message = parsed("2026-12-07T");
        assert!(
            message.contains("'2026-12-07T'") && message.contains(EXAMPLE),
            "{message}"
        );
        assert!(ChinaTime::parse("2026-02-30 10:00").is_err());
        assert!(ChinaTime::parse("2026-12-07 09:30 08:00").is_err());
    }

    #[test]
    fn a_bad_time_names_its_field_in_both_languages() {
        let Err(error) = ChinaTime::parse("明天") else {
            panic!("明天 is not a time");
        };
        let message = error.message("occurred_at");
        assert!(
            message
                .zh()
                .starts_with("occurred_at：时间格式无效（“明天”）")
                && message.zh().contains("2026-12-07 09:30"),
            "{}",
            message.zh()
        );
        assert!(
            message
                .en()
                .starts_with("occurred_at: '明天' is not a time")
                && message.en().contains(EXAMPLE),
            "{}",
            message.en()
        );
    }
}

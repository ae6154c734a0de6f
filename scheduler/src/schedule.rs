//! Cron expressions and the fire times they name.

use chrono::{DateTime, FixedOffset, Offset as _, SubsecRound as _, Utc};
use croner::{
    Cron,
    parser::{CronParser, Seconds},
};

use crate::SchedulerError;

/// A parsed cron expression and the UTC offset it is read in.
///
/// Six fields, **seconds first**: `sec min hour day-of-month month day-of-week`,
/// with an optional seventh for the year: `"0 0 2 * * *"` is 02:00:00 every day,
/// `"* * * * * *"` every second. This is exactly what tokio-cron-scheduler accepts
/// (croner with seconds required); a five-field Unix expression is rejected, not
/// guessed at. When both day-of-month and day-of-week are restricted a day must
/// match **both** (tokio-cron-scheduler turns on croner's `dom_and_dow`), unlike
/// Vixie cron where either suffices.
#[derive(Debug, Clone)]
pub struct Schedule {
    expr: String,
    cron: Cron,
    offset: FixedOffset,
}

impl Schedule {
    /// Parses a cron expression read in UTC.
    ///
    /// # Errors
    /// [`SchedulerError::InvalidCron`] when the expression is malformed or never
    /// fires again.
    pub fn parse(expr: &str) -> Result<Self, SchedulerError> {
        Self::parse_at_offset(expr, Utc.fix())
    }

    /// Parses a cron expression read at a fixed offset from UTC, such as China
    /// Standard Time (`FixedOffset::east_opt(8 * 3600)`).
    ///
    /// # Errors
    /// [`SchedulerError::InvalidCron`] when the expression is malformed or never
    /// fires again.
    pub fn parse_at_offset(expr: &str, offset: FixedOffset) -> Result<Self, SchedulerError> {
        let invalid = |reason: String| SchedulerError::InvalidCron {
            expr: expr.to_owned(),
            reason,
        };
        let cron = parser()
            .parse(expr)
            .map_err(|e| invalid(e.to_string().trim_end_matches('.').to_owned()))?;
        let schedule = Self {
            expr: expr.trim().to_owned(),
            cron,
            offset,
        };
        if schedule.next_after(Utc::now()).is_none() {
            return Err(invalid("it never fires again".to_owned()));
        }
        Ok(schedule)
    }

    /// The expression as given (trimmed).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.expr
    }

    /// The offset from UTC the expression is read at.
    #[must_use]
    pub fn offset(&self) -> FixedOffset {
        self.offset
    }

    /// The latest fire time at or before `t`, in whole seconds.
    #[must_use]
    pub fn latest_at_or_before(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = t.trunc_subsecs(0).with_timezone(&self.offset);
        self.cron
            .find_previous_occurrence(&local, true)
            .ok()
            .map(|found| found.with_timezone(&Utc))
    }

    /// The first fire time strictly after `t`, in whole seconds.
    #[must_use]
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = t.trunc_subsecs(0).with_timezone(&self.offset);
        self.cron
            .find_next_occurrence(&local, false)
            .ok()
            .map(|found| found.with_timezone(&Utc))
    }
}

impl std::fmt::Display for Schedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.expr)
    }
}

/// The parser tokio-cron-scheduler 0.15 builds for `Job::new_async_tz`.
fn parser() -> CronParser {
    CronParser::builder()
        .seconds(Seconds::Required)
        .dom_and_dow(true)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn the_latest_fire_includes_the_instant_itself_and_drops_fractions() {
        let minutely = Schedule::parse("0 * * * * *").unwrap();
        assert_eq!(
            minutely.latest_at_or_before(at("2026-11-29T10:15:00.700Z")),
            Some(at("2026-11-29T10:15:00Z"))
        );
        assert_eq!(
            minutely.latest_at_or_before(at("2026-11-29T10:15:59.999Z")),
            Some(at("2026-11-29T10:15:00Z"))
        );
        assert_eq!(
            minutely.next_after(at("2026-11-29T10:15:00Z")),
            Some(at("2026-11-29T10:16:00Z"))
        );
    }

    #[test]
    fn an_offset_schedule_fires_at_local_wall_time() {
        let cst = FixedOffset::east_opt(8 * 3600).unwrap();
        let nine_am = Schedule::parse_at_offset("0 0 9 * * *", cst).unwrap();
        assert_eq!(
            nine_am.latest_at_or_before(at("2026-11-29T02:00:00Z")),
            Some(at("2026-11-29T01:00:00Z"))
        );
    }

    #[test]
    fn day_of_month_and_day_of_week_must_both_match() {
        // 2026-06-01 is a Monday; 2026-12-01 a Tuesday.
        let first_monday = Schedule::parse("0 0 0 1 * MON").unwrap();
        assert_eq!(
            first_monday.next_after(at("2026-05-15T00:00:00Z")),
            Some(at("2026-06-01T00:00:00Z"))
        );
        assert_eq!(
            first_monday.next_after(at("2026-11-15T00:00:00Z")),
            Some(at("2027-02-01T00:00:00Z"))
        );
    }
}

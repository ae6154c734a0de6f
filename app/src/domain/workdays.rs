//! Working-day arithmetic: weekends, public holidays and adjusted workdays (调休).

use std::collections::HashSet;

use chrono::{DateTime, Datelike as _, FixedOffset, NaiveDate, Utc, Weekday};

/// China Standard Time, UTC+8 all year (checked at compile time).
pub const CHINA: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// The calendar date of an instant in China Standard Time.
#[must_use]
pub fn china_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&CHINA).date_naive()
}

/// Whether a day is a Saturday or a Sunday: the only days an adjusted workday
/// (调休) can fall on.
#[must_use]
pub fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Which days are worked, from the `holiday` table.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    /// Weekdays that are days off.
    holidays: HashSet<NaiveDate>,
    /// Weekend days that are worked (调休).
    workdays: HashSet<NaiveDate>,
}

impl Calendar {
    /// A calendar with the given days off and adjusted workdays.
    pub fn new(
        holidays: impl IntoIterator<Item = NaiveDate>,
        workdays: impl IntoIterator<Item = NaiveDate>,
    ) -> Self {
        Self {
            holidays: holidays.into_iter().collect(),
            workdays: workdays.into_iter().collect(),
        }
    }

    /// Whether a day is worked: an adjusted workday always is, a holiday never
    /// is, otherwise Monday to Friday.
    #[must_use]
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        if self.holidays.contains(&day) {
            return false;
        }
        !is_weekend(day)
    }

    /// The `n`th working day after `start` (`start` itself is not counted);
    /// `n = 0` is `start`.
    #[must_use]
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut day = start;
        let mut left = n;
        while left > 0 {
            match day.succ_opt() {
                Some(next) => day = next,
                None => return day,
            }
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn weekends_are_skipped() {
        let calendar = Calendar::default();
        // Friday 2026-11-27 + 1 working day is Monday 2026-11-30.
        assert_eq!(
            calendar.add_working_days(d(2026, 11, 27), 1),
            d(2026, 11, 30)
        );
        // 20 working days after Monday 2026-11-30 is Monday 2026-12-28.
        assert_eq!(
            calendar.add_working_days(d(2026, 11, 30), 20),
            d(2026, 12, 28)
        );
        assert_eq!(
            calendar.add_working_days(d(2026, 11, 30), 0),
            d(2026, 11, 30)
        );
    }

    #[test]
    fn holidays_and_adjusted_workdays_count_as_the_table_says() {
        // 2026 as published: 中秋节 25-27 September and 国庆节 1-7 October off;
        // Sunday 20 September and Saturday 10 October worked.
        let holidays = (25..=27)
            .map(|day| d(2026, 9, day))
            .chain((1..=7).map(|day| d(2026, 10, day)));
        let calendar = Calendar::new(holidays, [d(2026, 9, 20), d(2026, 10, 10)]);
        assert!(
            calendar.is_working_day(d(2026, 9, 20)),
            "adjusted Sunday is worked"
        );
        assert!(
            !calendar.is_working_day(d(2026, 10, 5)),
            "a Monday in the holiday is off"
        );
        // From Friday 18 September: the adjusted Sunday 20th, Monday 21st to
        // Thursday 24th, then 28-30 September, then Thursday 8 and Friday 9
        // October, then the adjusted Saturday 10th.
        assert_eq!(calendar.add_working_days(d(2026, 9, 18), 1), d(2026, 9, 20));
        assert_eq!(calendar.add_working_days(d(2026, 9, 18), 5), d(2026, 9, 24));
        assert_eq!(calendar.add_working_days(d(2026, 9, 18), 6), d(2026, 9, 28));
        assert_eq!(calendar.add_working_days(d(2026, 9, 18), 8), d(2026, 9, 30));
        assert_eq!(calendar.add_working_days(d(2026, 9, 18), 9), d(2026, 10, 8));
        assert_eq!(
            calendar.add_working_days(d(2026, 9, 18), 11),
            d(2026, 10, 10)
        );
    }

    #[test]
    fn only_saturdays_and_sundays_are_weekend_days() {
        assert!(is_weekend(d(2026, 10, 10)), "a Saturday");
        assert!(is_weekend(d(2026, 9, 20)), "a Sunday");
        assert!(!is_weekend(d(2026, 10, 9)), "a Friday");
    }
}

//! Loads the national holiday calendars published so far (2025 and 2026) into
//! `holiday`, so that publication deadlines and every other working-day
//! deadline count the right days without an import.
//!
//! A later year gets its own file under `holidays/` and its own migration
//! calling [`crate::holiday_calendar::insert`]; this one never changes.

use sea_orm_migration::prelude::*;

use crate::holiday_calendar;

const CALENDARS: [&str; 2] = [
    include_str!("holidays/2025.csv"),
    include_str!("holidays/2026.csv"),
];

/// Adds the 2025 and 2026 calendars, keeping dates already entered.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for calendar in CALENDARS {
            holiday_calendar::insert(manager, calendar).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for calendar in CALENDARS {
            holiday_calendar::remove(manager, calendar).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use sea_orm_migration::sea_orm::prelude::Date;

    use super::CALENDARS;
    use crate::holiday_calendar::parse;

    /// Saturday or Sunday, counted from Monday 2024-01-01.
    fn weekend(day: Date) -> bool {
        let monday = Date::from_ymd_opt(2024, 1, 1).unwrap_or_default();
        day.signed_duration_since(monday).num_days().rem_euclid(7) >= 5
    }

    #[test]
    fn each_calendar_reads_and_its_workdays_are_weekend_days() {
        for (calendar, (year, days, workdays)) in
            CALENDARS.iter().zip([(2025, 33, 5), (2026, 39, 6)])
        {
            let parsed = parse(calendar).expect("a well-formed calendar");
            assert_eq!(parsed.len(), days, "{year}: days listed");
            let worked: Vec<_> = parsed.iter().filter(|d| d.kind == "workday").collect();
            assert_eq!(worked.len(), workdays, "{year}: 调休 workdays");
            assert!(worked.iter().all(|d| weekend(d.date)), "{year}: {worked:?}");
            let prefix = format!("{year}-");
            assert!(
                parsed
                    .iter()
                    .all(|d| d.date.to_string().starts_with(&prefix)),
                "{year}: every day in its year"
            );
        }
    }
}

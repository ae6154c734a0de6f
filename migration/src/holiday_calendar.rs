//! The national holiday calendar (全国年节放假调休安排) as the State Council
//! publishes it each year (国务院办公厅关于部分节假日安排的通知): one CSV file
//! per year under `holidays/`, loaded by a migration so that working-day
//! deadlines are right without an import.
//!
//! Each line is `date,name,kind`: `holiday` for a day off (every day of a
//! break, weekends included), `workday` for a weekend day worked (调休).
//! Lines starting with `#` name the notice. A date already in the table is
//! left as it is: a calendar entered by hand or imported before is kept.

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, prelude::Date},
};

/// One day of a published calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day<'a> {
    /// The day.
    pub date: Date,
    /// The festival, e.g. `春节` or `春节调休上班`.
    pub name: &'a str,
    /// `holiday` or `workday`.
    pub kind: &'a str,
}

/// The days of a calendar file.
///
/// # Errors
/// A line that is not `date,name,kind` with a known kind.
pub fn parse(csv: &str) -> Result<Vec<Day<'_>>, DbErr> {
    csv.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let bad = || DbErr::Custom(format!("holiday calendar line '{line}'"));
            let mut fields = line.split(',').map(str::trim);
            let (Some(date), Some(name), Some(kind), None) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                return Err(bad());
            };
            let date = date.parse::<Date>().map_err(|_| bad())?;
            if name.is_empty() || !matches!(kind, "holiday" | "workday") {
                return Err(bad());
            }
            Ok(Day { date, name, kind })
        })
        .collect()
}

/// Adds the days of a calendar file, keeping any date already present.
///
/// # Errors
/// A malformed file, or the database failing.
pub async fn insert(manager: &SchemaManager<'_>, csv: &str) -> Result<(), DbErr> {
    let days = parse(csv)?;
    if days.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert();
    insert
        .into_table(Holiday::Table)
        .columns([Holiday::Date, Holiday::Name, Holiday::Kind])
        .on_conflict(OnConflict::column(Holiday::Date).do_nothing().to_owned());
    for day in days {
        insert
            .values([day.date.into(), day.name.into(), day.kind.into()])
            .map_err(|e| DbErr::Custom(e.to_string()))?;
    }
    manager.exec_stmt(insert).await
}

/// Removes the days of a calendar file that still say what it says.
///
/// # Errors
/// A malformed file, or the database failing.
pub async fn remove(manager: &SchemaManager<'_>, csv: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for day in parse(csv)? {
        let delete = Query::delete()
            .from_table(Holiday::Table)
            .and_where(Expr::col(Holiday::Date).eq(day.date))
            .and_where(Expr::col(Holiday::Name).eq(day.name))
            .and_where(Expr::col(Holiday::Kind).eq(day.kind))
            .to_owned();
        db.execute(&delete).await?;
    }
    Ok(())
}

#[derive(DeriveIden)]
enum Holiday {
    Table,
    Date,
    Name,
    Kind,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_and_comments_skipped() {
        let days = parse("# 通知\n2026-01-01,元旦,holiday\n\n2026-01-04,元旦调休上班,workday\n");
        assert_eq!(
            days.map(|d| d.len()).map_err(|e| e.to_string()),
            Ok(2),
            "two days"
        );
    }

    #[test]
    fn a_malformed_line_is_refused() {
        for bad in [
            "2026-13-01,元旦,holiday",
            "2026-01-01,元旦",
            "2026-01-01,元旦,holiday,extra",
            "2026-01-01,,holiday",
            "2026-01-01,元旦,vacation",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}

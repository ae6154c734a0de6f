//! The working-day calendar (节假日安排): weekdays off and weekend days
//! worked (调休), which every working-day deadline counts by.
//!
//! The national calendars the State Council has published ship with the
//! product, loaded by a migration; administrators add a day or correct one
//! here, and any signed-in user reads a year.

mod store;

use chrono::NaiveDate;
use entities::{HolidayKind, Role, holiday};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::{
    db,
    domain::workdays::is_weekend,
    error::{AppError, AppResult},
    msg,
    service::{
        Actor,
        audit::{self, Entry},
        validate::Problems,
    },
};

/// A day of the calendar to write.
#[derive(Debug, Clone)]
pub struct HolidayInput {
    /// The festival, e.g. `国庆节` or `国庆节调休上班`.
    pub name: String,
    /// `holiday` (a day off) or `workday` (a weekend day worked).
    pub kind: HolidayKind,
}

/// Whether a write added the day or replaced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The day was not in the calendar.
    Added,
    /// The day was there and now says what was given.
    Replaced,
}

/// The days of a year's calendar, in date order.
///
/// # Errors
/// 400 for a year outside 1 to 9999.
pub async fn year<C: ConnectionTrait>(db: &C, year: i32) -> AppResult<Vec<holiday::Model>> {
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1).filter(|_| year >= 1),
        NaiveDate::from_ymd_opt(year, 12, 31).filter(|_| year <= 9999),
    ) else {
        return Err(AppError::BadRequest(msg!(
            "年份须在 1 至 9999 之间，收到 {year}",
            "the year must be between 1 and 9999; got {year}"
        )));
    };
    store::between(db, first, last).await
}

fn require_admin(actor: &Actor) -> AppResult<()> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(msg!(
            "只有管理员可以修改节假日安排",
            "only administrators change the holiday calendar"
        )))
    }
}

/// Adds a day to the calendar or replaces it (administrators only).
///
/// # Errors
/// 403 for other roles; 422 for an empty name or a workday (调休) that is not
/// a Saturday or Sunday.
#[tracing::instrument(skip_all, fields(holiday.date = %date))]
pub async fn put(
    db: &DatabaseConnection,
    actor: &Actor,
    date: NaiveDate,
    input: HolidayInput,
) -> AppResult<(holiday::Model, Written)> {
    require_admin(actor)?;
    let mut problems = Problems::new();
    let name = problems.text("name", &input.name, 100);
    problems.check(
        input.kind != HolidayKind::Workday || is_weekend(date),
        "kind",
        msg!(
            "{date} 不是周六或周日，不能作为调休上班日",
            "{date} is not a Saturday or Sunday, so it cannot be a workday (调休)"
        ),
    );
    problems.finish()?;
    let txn = db::begin_write(db).await?;
    let before = store::day(&txn, date).await?;
    let day = holiday::Model {
        date,
        name,
        kind: input.kind,
    };
    store::put(&txn, &day).await?;
    let written = if before.is_some() {
        Written::Replaced
    } else {
        Written::Added
    };
    audit::append(
        &txn,
        actor,
        Entry::ok("holiday.put", "holiday", date)
            .with_detail(serde_json::json!({"before": before, "after": day})),
    )
    .await?;
    txn.commit().await?;
    Ok((day, written))
}

/// Takes a day out of the calendar (administrators only).
///
/// # Errors
/// 403 for other roles; 404 when the day is not in the calendar.
#[tracing::instrument(skip_all, fields(holiday.date = %date))]
pub async fn delete(db: &DatabaseConnection, actor: &Actor, date: NaiveDate) -> AppResult<()> {
    require_admin(actor)?;
    let txn = db::begin_write(db).await?;
    let Some(before) = store::day(&txn, date).await? else {
        return Err(AppError::NotFound(msg!(
            "{date} 的节假日安排",
            "holiday {date}"
        )));
    };
    store::delete(&txn, date).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("holiday.delete", "holiday", date)
            .with_detail(serde_json::json!({"before": before})),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

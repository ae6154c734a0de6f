//! `/holidays`: the calendar working-day deadlines count by (节假日安排).

use chrono::{Datelike as _, NaiveDate, Utc};
use entities::{HolidayKind, holiday};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{ApiTags, BearerAuth, ListPage, NoContent};
use crate::{
    domain::workdays::china_date,
    service::holidays::{self, HolidayInput, Written},
    state::AppState,
};

/// A day of the calendar: a day off, or a weekend day worked (调休).
#[derive(Object)]
pub struct Holiday {
    /// The day.
    pub date: NaiveDate,
    /// The festival, e.g. `国庆节` or `国庆节调休上班`.
    pub name: String,
    /// `holiday` (a day off) or `workday` (a Saturday or Sunday worked).
    pub kind: HolidayKind,
}

impl From<holiday::Model> for Holiday {
    fn from(m: holiday::Model) -> Self {
        Self {
            date: m.date,
            name: m.name,
            kind: m.kind,
        }
    }
}

/// What a day of the calendar is.
#[derive(Object)]
pub struct HolidayBody {
    /// The festival.
    pub name: String,
    /// `holiday` or `workday`; a workday must be a Saturday or Sunday.
    pub kind: HolidayKind,
}

/// The day as written.
#[derive(ApiResponse)]
pub enum HolidayWritten {
    /// The day was already in the calendar and now says this.
    #[oai(status = 200)]
    Replaced(Json<Holiday>),
    /// The day was added.
    #[oai(status = 201)]
    Added(Json<Holiday>),
}

/// The holiday calendar.
pub struct HolidaysApi;

#[OpenApi(tag = "ApiTags::Calendar")]
impl HolidaysApi {
    /// A year's holidays
    ///
    /// The days off and the weekend days worked (调休) of a year (this year,
    /// China time, when left out), in date order. The national calendars the
    /// State Council has published ship with spotcheck.
    #[oai(path = "/holidays", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        year: Query<Option<i32>>,
    ) -> poem::Result<Json<ListPage<Holiday>>> {
        let year = year.0.unwrap_or_else(|| china_date(Utc::now()).year());
        let days = holidays::year(&state.db, year).await?;
        Ok(Json(ListPage::whole(
            days.into_iter().map(Holiday::from).collect(),
        )))
    }

    /// Add or correct a day
    ///
    /// Administrators only. Answers 201 when the day was not in the calendar.
    #[oai(path = "/holidays/:date", method = "put")]
    async fn put(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        date: Path<NaiveDate>,
        body: Json<HolidayBody>,
    ) -> poem::Result<HolidayWritten> {
        let input = HolidayInput {
            name: body.0.name,
            kind: body.0.kind,
        };
        let (day, written) = holidays::put(&state.db, &auth.0.actor, date.0, input).await?;
        Ok(match written {
            Written::Added => HolidayWritten::Added(Json(day.into())),
            Written::Replaced => HolidayWritten::Replaced(Json(day.into())),
        })
    }

    /// Remove a day
    ///
    /// Administrators only; the day is then counted as any other weekday or weekend day.
    #[oai(path = "/holidays/:date", method = "delete")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        date: Path<NaiveDate>,
    ) -> poem::Result<NoContent> {
        holidays::delete(&state.db, &auth.0.actor, date.0).await?;
        Ok(NoContent::NoContent)
    }
}

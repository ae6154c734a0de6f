//! The holiday calendar's queries.

use chrono::NaiveDate;
use entities::holiday;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel as _, QueryFilter, QueryOrder,
    sea_query::OnConflict,
};

use crate::error::AppResult;

/// The days from `first` to `last`, in date order.
pub async fn between<C: ConnectionTrait>(
    db: &C,
    first: NaiveDate,
    last: NaiveDate,
) -> AppResult<Vec<holiday::Model>> {
    Ok(holiday::Entity::find()
        .filter(holiday::Column::Date.between(first, last))
        .order_by_asc(holiday::Column::Date)
        .all(db)
        .await?)
}

/// The day, if the calendar has it.
pub async fn day<C: ConnectionTrait>(db: &C, date: NaiveDate) -> AppResult<Option<holiday::Model>> {
    Ok(holiday::Entity::find_by_id(date).one(db).await?)
}

/// Writes the day, replacing what the calendar said of it.
pub async fn put<C: ConnectionTrait>(db: &C, day: &holiday::Model) -> AppResult<()> {
    holiday::Entity::insert(day.clone().into_active_model())
        .on_conflict(
            OnConflict::column(holiday::Column::Date)
                .update_columns([holiday::Column::Name, holiday::Column::Kind])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Removes the day.
pub async fn delete<C: ConnectionTrait>(db: &C, date: NaiveDate) -> AppResult<()> {
    holiday::Entity::delete_by_id(date).exec(db).await?;
    Ok(())
}

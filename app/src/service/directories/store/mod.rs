//! Every query of the directories, one module per directory. Functions take
//! the connection (or the transaction) first and return rows.

pub mod conflicts;
pub mod departments;
pub mod enterprises;
pub mod inspectors;
pub mod regions;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait as _, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter as _,
};

use crate::error::AppResult;

/// The model of an active model's table.
type ModelOf<A> = <<A as ActiveModelTrait>::Entity as EntityTrait>::Model;

/// A validated row and the table it is written to.
pub trait Row {
    type ActiveModel: ActiveModelTrait + ActiveModelBehavior + Send;

    /// Sets the row's fields and `updated_at` on `model`, and `created_at`
    /// when the model is new.
    fn set_on(&self, model: &mut Self::ActiveModel, now: DateTime<Utc>);
}

/// Whether a row other than the one with id `except` holds `value` in the
/// unique column `column`.
async fn taken<E, C>(
    db: &C,
    column: E::Column,
    value: &str,
    id: E::Column,
    except: Option<i64>,
) -> AppResult<bool>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let mut query = E::find().filter(column.eq(value));
    if let Some(except) = except {
        query = query.filter(id.ne(except));
    }
    Ok(query.one(db).await?.is_some())
}

/// Inserts a row.
pub async fn insert<R, C>(db: &C, row: &R, now: DateTime<Utc>) -> AppResult<ModelOf<R::ActiveModel>>
where
    R: Row,
    C: ConnectionTrait,
    ModelOf<R::ActiveModel>: IntoActiveModel<R::ActiveModel>,
{
    let mut model = <R::ActiveModel as ActiveModelTrait>::default();
    row.set_on(&mut model, now);
    Ok(model.insert(db).await?)
}

/// Replaces the fields of a stored row with those of `row`.
pub async fn update<R, C>(
    db: &C,
    existing: ModelOf<R::ActiveModel>,
    row: &R,
    now: DateTime<Utc>,
) -> AppResult<ModelOf<R::ActiveModel>>
where
    R: Row,
    C: ConnectionTrait,
    ModelOf<R::ActiveModel>: IntoActiveModel<R::ActiveModel>,
{
    let mut model = existing.into_active_model();
    row.set_on(&mut model, now);
    Ok(model.update(db).await?)
}

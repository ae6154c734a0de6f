//! The `enterprise` table.

use chrono::{DateTime, Utc};
use entities::enterprise;
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, Condition, ConnectionTrait, EntityTrait as _,
    PaginatorTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _, Select,
};

use super::{Row, taken};
pub use super::{insert, update};
use crate::{
    error::AppResult,
    service::{
        Actor, Page, Paged,
        directories::model::{EnterpriseFilter, EnterpriseOrder, EnterpriseRow, EnterpriseSortKey},
        store_util::{text_contains, text_starts_with},
    },
};

/// The enterprise with this id, in scope or not.
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<enterprise::Model>> {
    Ok(enterprise::Entity::find_by_id(id).one(db).await?)
}

/// Whether an enterprise other than `except` has this credit code.
pub async fn credit_code_taken<C: ConnectionTrait>(
    db: &C,
    credit_code: &str,
    except: Option<i64>,
) -> AppResult<bool> {
    use enterprise::Column as C;
    taken::<enterprise::Entity, _>(db, C::CreditCode, credit_code, C::Id, except).await
}

impl Row for EnterpriseRow {
    type ActiveModel = enterprise::ActiveModel;

    fn set_on(&self, model: &mut enterprise::ActiveModel, now: DateTime<Utc>) {
        model.credit_code = Set(self.credit_code.to_string());
        model.name = Set(self.name.clone());
        model.industry = Set(self.industry);
        model.region_code = Set(self.region_code.to_string());
        model.risk_level = Set(self.risk_level);
        model.credit_class = Set(self.credit_class);
        model.key_supervision = Set(self.key_supervision);
        model.status = Set(self.status);
        model.updated_at = Set(now);
        if model.created_at.is_not_set() {
            model.created_at = Set(now);
        }
    }
}

fn sort_column(key: EnterpriseSortKey) -> enterprise::Column {
    match key {
        EnterpriseSortKey::Id => enterprise::Column::Id,
        EnterpriseSortKey::Name => enterprise::Column::Name,
        EnterpriseSortKey::CreditCode => enterprise::Column::CreditCode,
        EnterpriseSortKey::RegionCode => enterprise::Column::RegionCode,
        EnterpriseSortKey::RiskLevel => enterprise::Column::RiskLevel,
        EnterpriseSortKey::UpdatedAt => enterprise::Column::UpdatedAt,
    }
}

fn filtered(actor: &Actor, filter: &EnterpriseFilter) -> Select<enterprise::Entity> {
    let mut query =
        enterprise::Entity::find().filter(actor.scope_condition(enterprise::Column::RegionCode));
    if let Some(prefix) = &filter.region_prefix {
        query = query.filter(text_starts_with(enterprise::Column::RegionCode, prefix));
    }
    if let Some(industry) = filter.industry {
        query = query.filter(enterprise::Column::Industry.eq(industry));
    }
    if let Some(level) = filter.risk_level {
        query = query.filter(enterprise::Column::RiskLevel.eq(level));
    }
    if let Some(class) = filter.credit_class {
        query = query.filter(enterprise::Column::CreditClass.eq(class));
    }
    if let Some(key) = filter.key_supervision {
        query = query.filter(enterprise::Column::KeySupervision.eq(key));
    }
    if let Some(status) = filter.status {
        query = query.filter(enterprise::Column::Status.eq(status));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(
            Condition::any()
                .add(text_contains(enterprise::Column::Name, q))
                .add(text_contains(enterprise::Column::CreditCode, q)),
        );
    }
    query
}

/// A page of the enterprises in the actor's scope, in `order`, then by id.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &EnterpriseFilter,
    order: EnterpriseOrder,
    page: Page,
) -> AppResult<Paged<enterprise::Model>> {
    let query = filtered(actor, filter);
    let total = query.clone().count(db).await?;
    let column = sort_column(order.key);
    let query = if order.descending {
        query.order_by_desc(column)
    } else {
        query.order_by_asc(column)
    };
    let items = query
        .order_by_asc(enterprise::Column::Id)
        .offset(page.offset())
        .limit(page.size)
        .all(db)
        .await?;
    Ok(Paged::new(items, total, page))
}

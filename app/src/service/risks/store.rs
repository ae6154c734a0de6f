//! The risks query: the risks a caller sees, filtered.

use entities::risk_item;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::RiskFilter;
use crate::{
    error::AppResult,
    service::{Actor, Page, Paged, store_util::enterprises_below},
};

/// A page of the risks of enterprises in the actor's jurisdiction that pass
/// the filter, by enterprise and the enterprise's own code; `region_prefix`
/// is the prefix of the filter's region code.
pub async fn visible_risks<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &RiskFilter,
    region_prefix: Option<&str>,
    page: Page,
) -> AppResult<Paged<risk_item::Model>> {
    let mut query = risk_item::Entity::find();
    for prefix in [actor.scope_prefix(), region_prefix].into_iter().flatten() {
        query =
            query.filter(risk_item::Column::EnterpriseId.in_subquery(enterprises_below(prefix)));
    }
    if let Some(id) = filter.enterprise_id {
        query = query.filter(risk_item::Column::EnterpriseId.eq(id));
    }
    if let Some(level) = filter.level {
        query = query.filter(risk_item::Column::Level.eq(level));
    }
    let query = query
        .order_by_asc(risk_item::Column::EnterpriseId)
        .order_by_asc(risk_item::Column::Code);
    page.fetch(db, query).await
}

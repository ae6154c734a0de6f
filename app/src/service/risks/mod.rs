//! Enterprises' risk lists (风险清单) as one list across the caller's
//! jurisdiction: every role reads the risks of enterprises in its region.

mod store;

use entities::{RiskLevel, enterprise, risk_item};
use sea_orm::ConnectionTrait;

use crate::{
    domain::RegionCode,
    error::AppResult,
    service::{Actor, Page, Paged, store_util::enterprises_by_id, validate::region_filter},
};

/// Filters for listing risks; every one given must hold.
#[derive(Debug, Clone, Default)]
pub struct RiskFilter {
    /// Risks of one enterprise.
    pub enterprise_id: Option<i64>,
    /// Risks of enterprises in this region and below.
    pub region_code: Option<String>,
    /// Risks of this level.
    pub level: Option<RiskLevel>,
}

/// A risk with the enterprise whose list it is on.
#[derive(Debug, Clone)]
pub struct RiskView {
    /// The stored risk.
    pub risk: risk_item::Model,
    /// Its enterprise.
    pub enterprise: enterprise::Model,
}

/// Lists the risks of enterprises in the caller's jurisdiction, by enterprise
/// and the enterprise's own code.
///
/// # Errors
/// 400 for a malformed `region_code`.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &RiskFilter,
    page: Page,
) -> AppResult<Paged<RiskView>> {
    let region = region_filter(filter.region_code.as_deref())?;
    let prefix = region.as_ref().map(RegionCode::prefix);
    let paged = store::visible_risks(db, actor, filter, prefix, page).await?;
    let ids = paged.items.iter().map(|r| r.enterprise_id).collect();
    let enterprises = enterprises_by_id(db, ids).await?;
    // A risk's enterprise always exists: the foreign key keeps it.
    let items = paged
        .items
        .into_iter()
        .filter_map(|risk| {
            let enterprise = enterprises.get(&risk.enterprise_id).cloned()?;
            Some(RiskView { risk, enterprise })
        })
        .collect();
    Ok(Paged::new(items, paged.total, paged.page))
}

//! `/risks`: enterprises' risk lists (风险清单).

use chrono::NaiveDate;
use entities::RiskLevel;
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Query, payload::Json};

use super::{ApiTags, BearerAuth, ListPage, hazards::ListedEnterprise, page};
use crate::{
    domain::china_time::ChinaTime,
    service::risks::{self, RiskFilter, RiskView},
    state::AppState,
};

/// A risk on an enterprise's list (安全风险).
#[derive(Object)]
pub struct Risk {
    /// Id.
    pub id: i64,
    /// Whose list it is on.
    pub enterprise: ListedEnterprise,
    /// The enterprise's own code for it.
    pub code: String,
    /// What the risk is.
    pub name: String,
    /// `major` (重大, red), `high` (较大, orange), `moderate` (一般, yellow) or `low` (低, blue).
    pub level: RiskLevel,
    /// The control measures (管控措施).
    pub measures: String,
    /// The day it was identified.
    pub identified_on: Option<NaiveDate>,
    /// Listed.
    pub created_at: ChinaTime,
    /// Last changed.
    pub updated_at: ChinaTime,
}

impl From<RiskView> for Risk {
    fn from(v: RiskView) -> Self {
        let r = v.risk;
        Self {
            id: r.id,
            enterprise: v.enterprise.into(),
            code: r.code,
            name: r.name,
            level: r.level,
            measures: r.measures,
            identified_on: r.identified_on,
            created_at: ChinaTime(r.created_at),
            updated_at: ChinaTime(r.updated_at),
        }
    }
}

/// Risk lists.
pub struct RisksApi;

#[OpenApi(tag = "ApiTags::Hazards")]
impl RisksApi {
    /// List risks
    ///
    /// The risks of enterprises in your jurisdiction, by enterprise and the
    /// enterprise's own code.
    #[oai(path = "/risks", method = "get")]
    #[expect(clippy::too_many_arguments, reason = "one parameter per query field")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        enterprise_id: Query<Option<i64>>,
        region_code: Query<Option<String>>,
        level: Query<Option<RiskLevel>>,
        #[oai(name = "page")] number: Query<Option<u64>>,
        page_size: Query<Option<u64>>,
    ) -> poem::Result<Json<ListPage<Risk>>> {
        let filter = RiskFilter {
            enterprise_id: enterprise_id.0,
            region_code: region_code.0,
            level: level.0,
        };
        let paged = risks::list(
            &state.db,
            &auth.0.actor,
            &filter,
            page(number.0, page_size.0)?,
        )
        .await?;
        Ok(ListPage::from_paged(paged, Risk::from))
    }
}

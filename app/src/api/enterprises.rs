//! `/enterprises`.

use entities::{CreditClass, EnterpriseStatus, Industry, RiskLevel, enterprise};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{ApiTags, BearerAuth, Created, ListPage, page};
use crate::{
    domain::china_time::ChinaTime,
    service::directories::enterprises::{self, EnterpriseFilter, EnterpriseInput},
    state::AppState,
};

/// An enterprise under supervision.
#[derive(Object)]
pub struct Enterprise {
    /// Id.
    pub id: i64,
    /// Unified social credit code (统一社会信用代码).
    pub credit_code: String,
    /// Registered name.
    pub name: String,
    /// Sector.
    pub industry: Industry,
    /// Region where it operates.
    pub region_code: String,
    /// Safety risk level (安全风险等级).
    pub risk_level: RiskLevel,
    /// Credit risk class (信用风险分类).
    pub credit_class: CreditClass,
    /// Key supervision (重点监管).
    pub key_supervision: bool,
    /// Operating status.
    pub status: EnterpriseStatus,
    /// Created.
    pub created_at: ChinaTime,
    /// Last changed.
    pub updated_at: ChinaTime,
}

impl From<enterprise::Model> for Enterprise {
    fn from(m: enterprise::Model) -> Self {
        Self {
            id: m.id,
            credit_code: m.credit_code,
            name: m.name,
            industry: m.industry,
            region_code: m.region_code,
            risk_level: m.risk_level,
            credit_class: m.credit_class,
            key_supervision: m.key_supervision,
            status: m.status,
            created_at: m.created_at.into(),
            updated_at: m.updated_at.into(),
        }
    }
}

/// An enterprise to create or replace.
#[derive(Object)]
pub struct EnterpriseBody {
    /// 18-character code; its check character is verified (GB 32100-2015).
    pub credit_code: String,
    /// Registered name.
    pub name: String,
    /// Sector.
    pub industry: Industry,
    /// Region where it operates; must exist and lie in your jurisdiction.
    pub region_code: String,
    /// Safety risk level.
    pub risk_level: RiskLevel,
    /// Credit risk class.
    pub credit_class: CreditClass,
    /// Key supervision; default false.
    #[oai(default)]
    pub key_supervision: bool,
    /// Operating status; default active.
    pub status: Option<EnterpriseStatus>,
}

impl From<EnterpriseBody> for EnterpriseInput {
    fn from(b: EnterpriseBody) -> Self {
        Self {
            credit_code: b.credit_code,
            name: b.name,
            industry: b.industry,
            region_code: b.region_code,
            risk_level: b.risk_level,
            credit_class: b.credit_class,
            key_supervision: b.key_supervision,
            status: b.status.unwrap_or(EnterpriseStatus::Active),
        }
    }
}

/// Enterprises.
pub struct EnterprisesApi;

#[OpenApi(tag = "ApiTags::Directories")]
impl EnterprisesApi {
    /// Register an enterprise
    #[oai(path = "/enterprises", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<EnterpriseBody>,
    ) -> poem::Result<Created<Enterprise>> {
        let model = enterprises::create(&state.db, &auth.0.actor, body.0.into()).await?;
        Ok(Created::Created(Json(model.into())))
    }

    /// List enterprises
    ///
    /// Only enterprises in your jurisdiction. `sort` is one of `id`, `name`,
    /// `credit_code`, `region_code`, `risk_level`, `updated_at`, with `-` for descending.
    #[oai(path = "/enterprises", method = "get")]
    #[expect(clippy::too_many_arguments, reason = "one parameter per query field")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        region_prefix: Query<Option<String>>,
        industry: Query<Option<Industry>>,
        risk_level: Query<Option<RiskLevel>>,
        credit_class: Query<Option<CreditClass>>,
        key_supervision: Query<Option<bool>>,
        status: Query<Option<EnterpriseStatus>>,
        q: Query<Option<String>>,
        sort: Query<Option<String>>,
        #[oai(name = "page")] number: Query<Option<u64>>,
        page_size: Query<Option<u64>>,
    ) -> poem::Result<Json<ListPage<Enterprise>>> {
        let filter = EnterpriseFilter {
            region_prefix: region_prefix.0,
            industry: industry.0,
            risk_level: risk_level.0,
            credit_class: credit_class.0,
            key_supervision: key_supervision.0,
            status: status.0,
            q: q.0,
            sort: sort.0,
        };
        let paged = enterprises::list(
            &state.db,
            &auth.0.actor,
            &filter,
            page(number.0, page_size.0)?,
        )
        .await?;
        Ok(ListPage::from_paged(paged, Enterprise::from))
    }

    /// Get an enterprise
    #[oai(path = "/enterprises/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Enterprise>> {
        Ok(Json(
            enterprises::get(&state.db, &auth.0.actor, id.0)
                .await?
                .into(),
        ))
    }

    /// Replace an enterprise
    #[oai(path = "/enterprises/:id", method = "put")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<EnterpriseBody>,
    ) -> poem::Result<Json<Enterprise>> {
        let model = enterprises::update(&state.db, &auth.0.actor, id.0, body.0.into()).await?;
        Ok(Json(model.into()))
    }
}

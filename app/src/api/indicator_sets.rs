//! `/indicator-sets`: versioned indicator systems (抽查事项清单).

use entities::{IndicatorCategory, IndicatorSetStatus, SubjectKind, indicator};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{ApiTags, BearerAuth, Created, ListPage, page};
use crate::{
    domain::china_time::ChinaTime,
    service::indicator_sets::{self, IndicatorInput, IndicatorSetInput, SetFilter, SetView},
    state::AppState,
};

/// One indicator of a set.
#[derive(Object)]
pub struct Indicator {
    /// Id.
    pub id: i64,
    /// The set it belongs to.
    pub set_id: i64,
    /// Code within the set.
    pub code: String,
    /// What is checked.
    pub name: String,
    /// The laws and standards that require it.
    pub legal_basis: String,
    /// `data_security`, `reporting`, `risk_management`, `hazard_management` or `other`.
    pub category: IndicatorCategory,
    /// Points available.
    pub max_points: f64,
    /// Weight in the weighted percentage.
    pub weight: f64,
    /// `enterprise` or `department`.
    pub applies_to: SubjectKind,
}

impl From<indicator::Model> for Indicator {
    fn from(m: indicator::Model) -> Self {
        Self {
            id: m.id,
            set_id: m.set_id,
            code: m.code,
            name: m.name,
            legal_basis: m.legal_basis,
            category: m.category,
            max_points: m.max_points,
            weight: m.weight,
            applies_to: m.applies_to,
        }
    }
}

/// A version of an indicator set.
#[derive(Object)]
pub struct IndicatorSet {
    /// Id.
    pub id: i64,
    /// Code shared by all versions.
    pub code: String,
    /// Version, from 1.
    pub version: i32,
    /// Name.
    pub name: String,
    /// `active` or `superseded`.
    pub status: IndicatorSetStatus,
    /// The version that replaced this one.
    pub superseded_by: Option<i64>,
    /// Used by a plan, self-assessment or finding, and so unchangeable.
    pub in_use: bool,
    /// Its indicators.
    pub indicators: Vec<Indicator>,
    /// Created.
    pub created_at: ChinaTime,
    /// Last changed.
    pub updated_at: ChinaTime,
}

impl From<SetView> for IndicatorSet {
    fn from(v: SetView) -> Self {
        Self {
            id: v.set.id,
            code: v.set.code,
            version: v.set.version,
            name: v.set.name,
            status: v.set.status,
            superseded_by: v.set.superseded_by,
            in_use: v.in_use,
            indicators: v.indicators.into_iter().map(Indicator::from).collect(),
            created_at: v.set.created_at.into(),
            updated_at: v.set.updated_at.into(),
        }
    }
}

/// An indicator to add.
#[derive(Object)]
pub struct IndicatorBody {
    /// Code within the set, unique in it.
    pub code: String,
    /// What is checked.
    pub name: String,
    /// The laws and standards that require it.
    pub legal_basis: String,
    /// What it measures.
    pub category: IndicatorCategory,
    /// Points available, positive.
    pub max_points: f64,
    /// Weight, positive.
    pub weight: f64,
    /// `enterprise` or `department`.
    pub applies_to: SubjectKind,
}

impl From<IndicatorBody> for IndicatorInput {
    fn from(b: IndicatorBody) -> Self {
        Self {
            code: b.code,
            name: b.name,
            legal_basis: b.legal_basis,
            category: b.category,
            max_points: b.max_points,
            weight: b.weight,
            applies_to: b.applies_to,
        }
    }
}

/// A new set, or the next version of a code.
#[derive(Object)]
pub struct IndicatorSetBody {
    /// Code; an existing code gets a new version and its earlier ones are superseded.
    pub code: String,
    /// Name.
    pub name: String,
    /// Its indicators.
    #[oai(default)]
    pub indicators: Vec<IndicatorBody>,
}

/// Indicator sets.
pub struct IndicatorSetsApi;

#[OpenApi(tag = "ApiTags::Assessment")]
impl IndicatorSetsApi {
    /// Create an indicator set or a new version
    ///
    /// By admins and supervisors. A code already used makes the next version,
    /// which supersedes the earlier ones; sets in use never change.
    #[oai(path = "/indicator-sets", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<IndicatorSetBody>,
    ) -> poem::Result<Created<IndicatorSet>> {
        let b = body.0;
        let input = IndicatorSetInput {
            code: b.code,
            name: b.name,
            indicators: b.indicators.into_iter().map(IndicatorInput::from).collect(),
        };
        let view = indicator_sets::create(&state.db, &auth.0.actor, input).await?;
        Ok(Created::Created(Json(view.into())))
    }

    /// List indicator sets
    #[oai(path = "/indicator-sets", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        code: Query<Option<String>>,
        status: Query<Option<IndicatorSetStatus>>,
        #[oai(name = "page")] number: Query<Option<u64>>,
        page_size: Query<Option<u64>>,
    ) -> poem::Result<Json<ListPage<IndicatorSet>>> {
        let filter = SetFilter {
            code: code.0,
            status: status.0,
        };
        let paged = indicator_sets::list(
            &state.db,
            &auth.0.actor,
            &filter,
            page(number.0, page_size.0)?,
        )
        .await?;
        Ok(ListPage::from_paged(paged, IndicatorSet::from))
    }

    /// Get an indicator set
    #[oai(path = "/indicator-sets/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<IndicatorSet>> {
        let view = indicator_sets::get(&state.db, &auth.0.actor, id.0).await?;
        Ok(Json(view.into()))
    }

    /// List a set's indicators
    #[oai(path = "/indicator-sets/:id/indicators", method = "get")]
    async fn indicators(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Vec<Indicator>>> {
        let view = indicator_sets::get(&state.db, &auth.0.actor, id.0).await?;
        Ok(Json(
            view.indicators.into_iter().map(Indicator::from).collect(),
        ))
    }

    /// Add an indicator to a set
    ///
    /// Only to a current set nothing uses yet (409 otherwise).
    #[oai(path = "/indicator-sets/:id/indicators", method = "post")]
    async fn add_indicator(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<IndicatorBody>,
    ) -> poem::Result<Created<Indicator>> {
        let model =
            indicator_sets::add_indicator(&state.db, &auth.0.actor, id.0, body.0.into()).await?;
        Ok(Created::Created(Json(model.into())))
    }
}

//! `/inspectors`.

use entities::{Industry, inspector};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{ApiTags, BearerAuth, Created, ListPage, page};
use crate::{
    domain::china_time::ChinaTime,
    service::directories::inspectors::{self, InspectorFilter, InspectorInput, industries_of},
    state::AppState,
};

/// A law-enforcement inspector.
#[derive(Object)]
pub struct Inspector {
    /// Id.
    pub id: i64,
    /// Badge number (执法证号).
    pub badge_no: String,
    /// Name.
    pub name: String,
    /// Department.
    pub department_id: i64,
    /// Region the inspector works in.
    pub region_code: String,
    /// Industries the inspector is qualified for.
    pub industries: Vec<Industry>,
    /// Whether the inspector can be drawn.
    pub active: bool,
    /// Linked login.
    pub user_id: Option<i64>,
    /// Created.
    pub created_at: ChinaTime,
    /// Last changed.
    pub updated_at: ChinaTime,
}

impl From<inspector::Model> for Inspector {
    fn from(m: inspector::Model) -> Self {
        Self {
            industries: industries_of(&m),
            id: m.id,
            badge_no: m.badge_no,
            name: m.name,
            department_id: m.department_id,
            region_code: m.region_code,
            active: m.active,
            user_id: m.user_id,
            created_at: m.created_at.into(),
            updated_at: m.updated_at.into(),
        }
    }
}

/// An inspector to create or replace.
#[derive(Object)]
pub struct InspectorBody {
    /// Badge number (执法证号), unique.
    pub badge_no: String,
    /// Name.
    pub name: String,
    /// Department.
    pub department_id: i64,
    /// Region the inspector works in.
    pub region_code: String,
    /// Industries the inspector is qualified for.
    #[oai(default)]
    pub industries: Vec<Industry>,
    /// Whether the inspector can be drawn; default true.
    pub active: Option<bool>,
    /// Linked login (a user with the inspector role).
    pub user_id: Option<i64>,
}

impl From<InspectorBody> for InspectorInput {
    fn from(b: InspectorBody) -> Self {
        Self {
            badge_no: b.badge_no,
            name: b.name,
            department_id: b.department_id,
            region_code: b.region_code,
            industries: b.industries,
            active: b.active.unwrap_or(true),
            user_id: b.user_id,
        }
    }
}

/// Inspectors.
pub struct InspectorsApi;

#[OpenApi(tag = "ApiTags::Directories")]
impl InspectorsApi {
    /// Register an inspector
    #[oai(path = "/inspectors", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<InspectorBody>,
    ) -> poem::Result<Created<Inspector>> {
        let model = inspectors::create(&state.db, &auth.0.actor, body.0.into()).await?;
        Ok(Created::Created(Json(model.into())))
    }

    /// List inspectors
    #[oai(path = "/inspectors", method = "get")]
    #[expect(clippy::too_many_arguments, reason = "one parameter per query field")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        region_prefix: Query<Option<String>>,
        department_id: Query<Option<i64>>,
        industry: Query<Option<Industry>>,
        active: Query<Option<bool>>,
        q: Query<Option<String>>,
        #[oai(name = "page")] number: Query<Option<u64>>,
        page_size: Query<Option<u64>>,
    ) -> poem::Result<Json<ListPage<Inspector>>> {
        let filter = InspectorFilter {
            region_prefix: region_prefix.0,
            department_id: department_id.0,
            industry: industry.0,
            active: active.0,
            q: q.0,
        };
        let paged = inspectors::list(
            &state.db,
            &auth.0.actor,
            &filter,
            page(number.0, page_size.0)?,
        )
        .await?;
        Ok(ListPage::from_paged(paged, Inspector::from))
    }

    /// Get an inspector
    #[oai(path = "/inspectors/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Inspector>> {
        Ok(Json(
            inspectors::get(&state.db, &auth.0.actor, id.0)
                .await?
                .into(),
        ))
    }

    /// Replace an inspector
    #[oai(path = "/inspectors/:id", method = "put")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<InspectorBody>,
    ) -> poem::Result<Json<Inspector>> {
        let model = inspectors::update(&state.db, &auth.0.actor, id.0, body.0.into()).await?;
        Ok(Json(model.into()))
    }
}

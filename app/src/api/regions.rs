//! `/regions`: GB/T 2260 administrative divisions.

use entities::{RegionLevel, region};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{ApiTags, BearerAuth, Created, ListPage, NoContent, page};
use crate::{
    domain::china_time::ChinaTime,
    service::directories::regions::{self, RegionFilter, RegionInput},
    state::AppState,
};

/// A region.
#[derive(Object)]
pub struct Region {
    /// Six-digit GB/T 2260 code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Province, city or county, from the code.
    pub level: RegionLevel,
    /// The parent region.
    pub parent_code: Option<String>,
    /// Created.
    pub created_at: ChinaTime,
    /// Last changed.
    pub updated_at: ChinaTime,
}

impl From<region::Model> for Region {
    fn from(m: region::Model) -> Self {
        Self {
            code: m.code,
            name: m.name,
            level: m.level,
            parent_code: m.parent_code,
            created_at: m.created_at.into(),
            updated_at: m.updated_at.into(),
        }
    }
}

/// A region to create or replace.
#[derive(Object)]
pub struct RegionBody {
    /// Six-digit code: `110000` province, `110100` city, `110101` county.
    pub code: String,
    /// Name, such as 河北省.
    pub name: String,
    /// The parent's code; none for a province.
    pub parent_code: Option<String>,
}

impl From<RegionBody> for RegionInput {
    fn from(b: RegionBody) -> Self {
        Self {
            code: b.code,
            name: b.name,
            parent_code: b.parent_code,
        }
    }
}

/// Regions.
pub struct RegionsApi;

#[OpenApi(tag = "ApiTags::Directories")]
impl RegionsApi {
    /// Create a region
    #[oai(path = "/regions", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<RegionBody>,
    ) -> poem::Result<Created<Region>> {
        let model = regions::create(&state.db, &auth.0.actor, body.0.into()).await?;
        Ok(Created::Created(Json(model.into())))
    }

    /// List regions
    #[oai(path = "/regions", method = "get")]
    #[expect(clippy::too_many_arguments, reason = "one parameter per query field")]
    async fn list(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        parent_code: Query<Option<String>>,
        prefix: Query<Option<String>>,
        level: Query<Option<RegionLevel>>,
        q: Query<Option<String>>,
        #[oai(name = "page")] number: Query<Option<u64>>,
        page_size: Query<Option<u64>>,
    ) -> poem::Result<Json<ListPage<Region>>> {
        let filter = RegionFilter {
            parent_code: parent_code.0,
            prefix: prefix.0,
            level: level.0,
            q: q.0,
        };
        let paged = regions::list(&state.db, &filter, page(number.0, page_size.0)?).await?;
        Ok(ListPage::from_paged(paged, Region::from))
    }

    /// Get a region
    #[oai(path = "/regions/:code", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        code: Path<String>,
    ) -> poem::Result<Json<Region>> {
        Ok(Json(regions::get(&state.db, &code.0).await?.into()))
    }

    /// Replace a region
    #[oai(path = "/regions/:code", method = "put")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        code: Path<String>,
        body: Json<RegionBody>,
    ) -> poem::Result<Json<Region>> {
        let model = regions::update(&state.db, &auth.0.actor, &code.0, body.0.into()).await?;
        Ok(Json(model.into()))
    }

    /// Delete a region
    ///
    /// Only a region nothing refers to can be deleted (409 otherwise).
    #[oai(path = "/regions/:code", method = "delete")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        code: Path<String>,
    ) -> poem::Result<NoContent> {
        regions::delete(&state.db, &auth.0.actor, &code.0).await?;
        Ok(NoContent::NoContent)
    }
}

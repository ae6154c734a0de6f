//! `/conflicts`: who must never be drawn for whom (回避).

use entities::conflict;
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{ApiTags, BearerAuth, Created, ListPage, NoContent, page};
use crate::{
    domain::china_time::ChinaTime,
    service::directories::conflicts::{self, ConflictInput},
    state::AppState,
};

/// A recorded conflict of interest.
#[derive(Object)]
pub struct Conflict {
    /// Id.
    pub id: i64,
    /// The inspector.
    pub inspector_id: i64,
    /// The enterprise, if the conflict is with one.
    pub enterprise_id: Option<i64>,
    /// The department, if the conflict is with one.
    pub department_id: Option<i64>,
    /// Why.
    pub reason: String,
    /// Recorded.
    pub created_at: ChinaTime,
}

impl From<conflict::Model> for Conflict {
    fn from(m: conflict::Model) -> Self {
        Self {
            id: m.id,
            inspector_id: m.inspector_id,
            enterprise_id: m.enterprise_id,
            department_id: m.department_id,
            reason: m.reason,
            created_at: m.created_at.into(),
        }
    }
}

/// A conflict to record: one inspector and exactly one enterprise or department.
#[derive(Object)]
pub struct ConflictBody {
    /// The inspector.
    pub inspector_id: i64,
    /// The enterprise, or
    pub enterprise_id: Option<i64>,
    /// the department.
    pub department_id: Option<i64>,
    /// Why (relative, former employer, …).
    pub reason: String,
}

/// Conflicts.
pub struct ConflictsApi;

#[OpenApi(tag = "ApiTags::Directories")]
impl ConflictsApi {
    /// Record a conflict
    #[oai(path = "/conflicts", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<ConflictBody>,
    ) -> poem::Result<Created<Conflict>> {
        let body = body.0;
        let input = ConflictInput {
            inspector_id: body.inspector_id,
            enterprise_id: body.enterprise_id,
            department_id: body.department_id,
            reason: body.reason,
        };
        let model = conflicts::create(&state.db, &auth.0.actor, input).await?;
        Ok(Created::Created(Json(model.into())))
    }

    /// List conflicts
    #[oai(path = "/conflicts", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        inspector_id: Query<Option<i64>>,
        #[oai(name = "page")] number: Query<Option<u64>>,
        page_size: Query<Option<u64>>,
    ) -> poem::Result<Json<ListPage<Conflict>>> {
        let paged = conflicts::list(
            &state.db,
            &auth.0.actor,
            inspector_id.0,
            page(number.0, page_size.0)?,
        )
        .await?;
        Ok(ListPage::from_paged(paged, Conflict::from))
    }

    /// Remove a conflict
    #[oai(path = "/conflicts/:id", method = "delete")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<NoContent> {
        conflicts::delete(&state.db, &auth.0.actor, id.0).await?;
        Ok(NoContent::NoContent)
    }
}

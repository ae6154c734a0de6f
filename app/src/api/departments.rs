//! `/departments`.

use entities::{DepartmentKind, department};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{ApiTags, BearerAuth, Created, ListPage, page};
use crate::{
    domain::china_time::ChinaTime,
    service::directories::departments::{self, DepartmentFilter, DepartmentInput},
    state::AppState,
};

/// A department.
#[derive(Object)]
pub struct Department {
    /// Id.
    pub id: i64,
    /// Unique code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind of body.
    pub kind: DepartmentKind,
    /// Region; none for a national department.
    pub region_code: Option<String>,
    /// Parent department.
    pub parent_id: Option<i64>,
    /// Created.
    pub created_at: ChinaTime,
    /// Last changed.
    pub updated_at: ChinaTime,
}

impl From<department::Model> for Department {
    fn from(m: department::Model) -> Self {
        Self {
            id: m.id,
            code: m.code,
            name: m.name,
            kind: m.kind,
            region_code: m.region_code,
            parent_id: m.parent_id,
            created_at: m.created_at.into(),
            updated_at: m.updated_at.into(),
        }
    }
}

/// A department to create or replace.
#[derive(Object)]
pub struct DepartmentBody {
    /// Unique code.
    pub code: String,
    /// Name, such as 河北省应急管理厅.
    pub name: String,
    /// Kind of body.
    pub kind: DepartmentKind,
    /// Region; none for a national department.
    pub region_code: Option<String>,
    /// Parent department.
    pub parent_id: Option<i64>,
}

impl From<DepartmentBody> for DepartmentInput {
    fn from(b: DepartmentBody) -> Self {
        Self {
            code: b.code,
            name: b.name,
            kind: b.kind,
            region_code: b.region_code,
            parent_id: b.parent_id,
        }
    }
}

/// Departments.
pub struct DepartmentsApi;

#[OpenApi(tag = "ApiTags::Directories")]
impl DepartmentsApi {
    /// Create a department
    #[oai(path = "/departments", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<DepartmentBody>,
    ) -> poem::Result<Created<Department>> {
        let model = departments::create(&state.db, &auth.0.actor, body.0.into()).await?;
        Ok(Created::Created(Json(model.into())))
    }

    /// List departments
    #[oai(path = "/departments", method = "get")]
    #[expect(clippy::too_many_arguments, reason = "one parameter per query field")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        region_prefix: Query<Option<String>>,
        kind: Query<Option<DepartmentKind>>,
        q: Query<Option<String>>,
        #[oai(name = "page")] number: Query<Option<u64>>,
        page_size: Query<Option<u64>>,
    ) -> poem::Result<Json<ListPage<Department>>> {
        let filter = DepartmentFilter {
            region_prefix: region_prefix.0,
            kind: kind.0,
            q: q.0,
        };
        let paged = departments::list(
            &state.db,
            &auth.0.actor,
            &filter,
            page(number.0, page_size.0)?,
        )
        .await?;
        Ok(ListPage::from_paged(paged, Department::from))
    }

    /// Get a department
    #[oai(path = "/departments/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Department>> {
        Ok(Json(
            departments::get(&state.db, &auth.0.actor, id.0)
                .await?
                .into(),
        ))
    }

    /// Replace a department
    #[oai(path = "/departments/:id", method = "put")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<DepartmentBody>,
    ) -> poem::Result<Json<Department>> {
        let model = departments::update(&state.db, &auth.0.actor, id.0, body.0.into()).await?;
        Ok(Json(model.into()))
    }
}

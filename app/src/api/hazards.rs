//! `/hazards`: enterprises' hidden hazards (隐患) and their rectification (整改).

use chrono::NaiveDate;
use entities::{HazardGrade, HazardStatus, HazardStep, enterprise};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{ApiTags, BearerAuth, ListPage, page};
use crate::{
    domain::china_time::ChinaTime,
    service::hazards::{self, HazardDetail, HazardFilter, HazardView, StepInput, StepView},
    state::AppState,
};

/// The enterprise whose list a risk or hazard is on.
#[derive(Object)]
pub struct ListedEnterprise {
    /// Its id.
    pub id: i64,
    /// Registered name.
    pub name: String,
    /// Unified social credit code (统一社会信用代码).
    pub credit_code: String,
    /// Region where it operates.
    pub region_code: String,
}

impl From<enterprise::Model> for ListedEnterprise {
    fn from(e: enterprise::Model) -> Self {
        Self {
            id: e.id,
            name: e.name,
            credit_code: e.credit_code,
            region_code: e.region_code,
        }
    }
}

/// A hidden hazard on an enterprise's list (隐患排查治理清单).
#[derive(Object)]
pub struct Hazard {
    /// Id.
    pub id: i64,
    /// Whose list it is on.
    pub enterprise: ListedEnterprise,
    /// The enterprise's own code for it; `T{task}-F{finding}` when a check found it.
    pub code: String,
    /// What the hazard is.
    pub description: String,
    /// `major` (重大) or `general` (一般).
    pub grade: HazardGrade,
    /// `open`, `overdue` (open past its deadline), `rectified` (awaiting
    /// verification), `verified` (销号) or `withdrawn`.
    pub status: HazardStatus,
    /// The day it was found.
    pub found_on: NaiveDate,
    /// Rectification deadline (整改期限).
    pub rectify_by: NaiveDate,
    /// The day it was rectified, as reported; cleared when sent back.
    pub rectified_on: Option<NaiveDate>,
    /// When its rectification was verified (销号).
    pub verified_at: Option<ChinaTime>,
    /// The check that found it, if one did.
    pub task_id: Option<i64>,
    /// Listed.
    pub created_at: ChinaTime,
    /// Last changed.
    pub updated_at: ChinaTime,
}

impl From<HazardView> for Hazard {
    fn from(v: HazardView) -> Self {
        let h = v.hazard;
        Self {
            id: h.id,
            enterprise: v.enterprise.into(),
            code: h.code,
            description: h.description,
            grade: h.grade,
            status: v.status,
            found_on: h.found_on,
            rectify_by: h.rectify_by,
            rectified_on: h.rectified_on,
            verified_at: h.verified_at.map(ChinaTime),
            task_id: h.task_id,
            created_at: ChinaTime(h.created_at),
            updated_at: ChinaTime(h.updated_at),
        }
    }
}

/// A step of a hazard's rectification (整改记录).
#[derive(Object)]
pub struct RectificationStep {
    /// `rectify` (reported rectified), `verify` (销号) or `reopen` (sent back).
    pub step: HazardStep,
    /// What was done, or why it was sent back.
    pub note: Option<String>,
    /// The day rectified, on a `rectify` step.
    pub rectified_on: Option<NaiveDate>,
    /// The username of who took the step.
    pub by: Option<String>,
    /// When.
    pub at: ChinaTime,
}

impl From<StepView> for RectificationStep {
    fn from(v: StepView) -> Self {
        Self {
            step: v.step.step,
            note: v.step.note,
            rectified_on: v.step.rectified_on,
            by: v.username,
            at: ChinaTime(v.step.created_at),
        }
    }
}

/// A hazard with the history of its rectification.
#[derive(Object)]
pub struct HazardRecord {
    /// The hazard.
    #[oai(flatten)]
    pub hazard: Hazard,
    /// Its rectification steps, oldest first.
    pub history: Vec<RectificationStep>,
}

impl From<HazardDetail> for HazardRecord {
    fn from(d: HazardDetail) -> Self {
        Self {
            hazard: d.view.into(),
            history: d.history.into_iter().map(Into::into).collect(),
        }
    }
}

/// A rectification to report.
#[derive(Object)]
pub struct RectifyBody {
    /// What was done (整改措施).
    pub note: String,
    /// The day it was rectified, not after today nor before the day found;
    /// today when left out.
    pub rectified_on: Option<NaiveDate>,
}

/// A verification (销号).
#[derive(Object, Default)]
pub struct VerifyBody {
    /// What the verification found.
    pub note: Option<String>,
}

/// Why a rectification is sent back.
#[derive(Object)]
pub struct ReopenBody {
    /// What is still wrong.
    pub note: String,
}

/// Hidden hazards.
pub struct HazardsApi;

impl HazardsApi {
    async fn step(
        state: &AppState,
        auth: &BearerAuth,
        id: i64,
        step: HazardStep,
        input: StepInput,
    ) -> poem::Result<Json<HazardRecord>> {
        let detail = hazards::step(&state.db, &auth.0.actor, id, step, input).await?;
        Ok(Json(detail.into()))
    }
}

#[OpenApi(tag = "ApiTags::Hazards")]
impl HazardsApi {
    /// List hazards
    ///
    /// Hazards of enterprises in your jurisdiction, and those found by checks
    /// you inspected; the nearest deadline first. `status` may be given
    /// several times; without it every status but `withdrawn` is listed.
    /// `due_from` and `due_to` bound the deadline, both days included.
    #[oai(path = "/hazards", method = "get")]
    #[expect(clippy::too_many_arguments, reason = "one parameter per query field")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        enterprise_id: Query<Option<i64>>,
        region_code: Query<Option<String>>,
        status: Query<Option<Vec<HazardStatus>>>,
        grade: Query<Option<HazardGrade>>,
        overdue: Query<Option<bool>>,
        due_from: Query<Option<NaiveDate>>,
        due_to: Query<Option<NaiveDate>>,
        #[oai(name = "page")] number: Query<Option<u64>>,
        page_size: Query<Option<u64>>,
    ) -> poem::Result<Json<ListPage<Hazard>>> {
        let filter = HazardFilter {
            enterprise_id: enterprise_id.0,
            region_code: region_code.0,
            statuses: status.0.unwrap_or_default(),
            grade: grade.0,
            overdue: overdue.0,
            due_from: due_from.0,
            due_to: due_to.0,
        };
        let paged = hazards::list(
            &state.db,
            &auth.0.actor,
            &filter,
            page(number.0, page_size.0)?,
        )
        .await?;
        Ok(ListPage::from_paged(paged, Hazard::from))
    }

    /// Get a hazard
    ///
    /// With the history of its rectification.
    #[oai(path = "/hazards/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<HazardRecord>> {
        Ok(Json(
            hazards::get(&state.db, &auth.0.actor, id.0).await?.into(),
        ))
    }

    /// Report a hazard rectified
    ///
    /// `open` or `overdue` → `rectified`, by the enterprise's department (a
    /// department user whose jurisdiction covers the enterprise).
    #[oai(path = "/hazards/:id/rectify", method = "post")]
    async fn rectify(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<RectifyBody>,
    ) -> poem::Result<Json<HazardRecord>> {
        let input = StepInput {
            note: Some(body.0.note),
            rectified_on: body.0.rectified_on,
        };
        Self::step(&state, &auth, id.0, HazardStep::Rectify, input).await
    }

    /// Verify a rectification (销号)
    ///
    /// `rectified` → `verified`, by a supervisor in scope or an inspector of
    /// the check that found the hazard.
    #[oai(path = "/hazards/:id/verify", method = "post")]
    async fn verify(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<Option<VerifyBody>>,
    ) -> poem::Result<Json<HazardRecord>> {
        let input = StepInput {
            note: body.0.and_then(|b| b.note),
            rectified_on: None,
        };
        Self::step(&state, &auth, id.0, HazardStep::Verify, input).await
    }

    /// Send a rectification back
    ///
    /// `rectified` → `open` (or `overdue` once past its deadline), by a
    /// supervisor in scope or an inspector of the check that found the hazard.
    #[oai(path = "/hazards/:id/reopen", method = "post")]
    async fn reopen(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<ReopenBody>,
    ) -> poem::Result<Json<HazardRecord>> {
        let input = StepInput {
            note: Some(body.0.note),
            rectified_on: None,
        };
        Self::step(&state, &auth, id.0, HazardStep::Reopen, input).await
    }
}

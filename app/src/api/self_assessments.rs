//! `/self-assessments`: departments' own assessments against an indicator set.

use entities::{AssessmentStatus, SubjectKind};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{ApiTags, BearerAuth, Created, ListPage, page, period_filter};
use crate::{
    domain::china_time::ChinaTime,
    service::self_assessments::{
        self, AssessmentFilter, AssessmentInput, AssessmentView, ItemInput,
    },
    state::AppState,
};

/// The points given one indicator.
#[derive(Object)]
pub struct AssessmentItem {
    /// An indicator of the assessment's set.
    pub indicator_id: i64,
    /// 0 to the indicator's maximum.
    pub points: f64,
}

impl From<AssessmentItem> for ItemInput {
    fn from(i: AssessmentItem) -> Self {
        Self {
            indicator_id: i.indicator_id,
            points: i.points,
        }
    }
}

/// A self-assessment.
#[derive(Object)]
pub struct SelfAssessment {
    /// Id.
    pub id: i64,
    /// `department` or `enterprise`.
    pub subject_kind: SubjectKind,
    /// The department's or enterprise's id.
    pub subject_id: i64,
    /// The subject's region; none for a national department.
    pub region_code: Option<String>,
    /// `2026`, `2026Q4` or `2026-11`.
    pub period: String,
    /// The indicator set assessed against.
    pub indicator_set_id: i64,
    /// `draft` or `submitted` (then read-only).
    pub status: AssessmentStatus,
    /// Points per indicator.
    pub items: Vec<AssessmentItem>,
    /// The data-security percentage the items give (100 × Σ wᵢ·pᵢ/maxᵢ ÷ Σ wᵢ).
    pub data_security: Option<f64>,
    /// Submitted.
    pub submitted_at: Option<ChinaTime>,
    /// Created.
    pub created_at: ChinaTime,
    /// Last changed.
    pub updated_at: ChinaTime,
}

impl From<AssessmentView> for SelfAssessment {
    fn from(v: AssessmentView) -> Self {
        let a = v.assessment;
        Self {
            id: a.id,
            subject_kind: a.subject_kind,
            subject_id: a.enterprise_id.or(a.department_id).unwrap_or_default(),
            region_code: a.region_code,
            period: a.period,
            indicator_set_id: a.indicator_set_id,
            status: a.status,
            items: v
                .items
                .into_iter()
                .map(|i| AssessmentItem {
                    indicator_id: i.indicator_id,
                    points: i.points,
                })
                .collect(),
            data_security: v.data_security,
            submitted_at: a.submitted_at.map(ChinaTime::from),
            created_at: a.created_at.into(),
            updated_at: a.updated_at.into(),
        }
    }
}

/// A new self-assessment.
#[derive(Object)]
pub struct SelfAssessmentBody {
    /// `2026`, `2026Q4` or `2026-11`.
    pub period: String,
    /// The current version of an indicator set.
    pub indicator_set_id: i64,
    /// The department assessed; defaults to your own.
    pub department_id: Option<i64>,
    /// An enterprise in your jurisdiction, assessed instead.
    pub enterprise_id: Option<i64>,
    /// Points per indicator; all of the set's indicators for the subject are needed to submit.
    #[oai(default)]
    pub items: Vec<AssessmentItem>,
}

/// A draft's new items.
#[derive(Object)]
pub struct ItemsBody {
    /// Points per indicator, replacing the draft's.
    pub items: Vec<AssessmentItem>,
}

/// Self-assessments.
pub struct SelfAssessmentsApi;

#[OpenApi(tag = "ApiTags::Assessment")]
impl SelfAssessmentsApi {
    /// File a self-assessment
    ///
    /// By department users, for their department or an enterprise in their
    /// jurisdiction; one per subject, period and set. Starts as a draft.
    #[oai(path = "/self-assessments", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<SelfAssessmentBody>,
    ) -> poem::Result<Created<SelfAssessment>> {
        let b = body.0;
        let input = AssessmentInput {
            period: b.period,
            indicator_set_id: b.indicator_set_id,
            department_id: b.department_id,
            enterprise_id: b.enterprise_id,
            items: b.items.into_iter().map(ItemInput::from).collect(),
        };
        let view = self_assessments::create(&state.db, &auth.0.actor, input).await?;
        Ok(Created::Created(Json(view.into())))
    }

    /// List self-assessments
    #[oai(path = "/self-assessments", method = "get")]
    #[expect(clippy::too_many_arguments, reason = "one parameter per query field")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        period: Query<Option<String>>,
        status: Query<Option<AssessmentStatus>>,
        subject_kind: Query<Option<SubjectKind>>,
        #[oai(name = "page")] number: Query<Option<u64>>,
        page_size: Query<Option<u64>>,
    ) -> poem::Result<Json<ListPage<SelfAssessment>>> {
        let filter = AssessmentFilter {
            period: period_filter(period.0)?,
            status: status.0,
            subject_kind: subject_kind.0,
        };
        let paged = self_assessments::list(
            &state.db,
            &auth.0.actor,
            &filter,
            page(number.0, page_size.0)?,
        )
        .await?;
        Ok(ListPage::from_paged(paged, SelfAssessment::from))
    }

    /// Get a self-assessment
    #[oai(path = "/self-assessments/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<SelfAssessment>> {
        let view = self_assessments::get(&state.db, &auth.0.actor, id.0).await?;
        Ok(Json(view.into()))
    }

    /// Replace a draft's items
    #[oai(path = "/self-assessments/:id", method = "put")]
    async fn replace_items(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<ItemsBody>,
    ) -> poem::Result<Json<SelfAssessment>> {
        let items = body.0.items.into_iter().map(ItemInput::from).collect();
        let view = self_assessments::replace_items(&state.db, &auth.0.actor, id.0, items).await?;
        Ok(Json(view.into()))
    }

    /// Submit a self-assessment
    ///
    /// `draft` → `submitted`; it is read-only from then on.
    #[oai(path = "/self-assessments/:id/submit", method = "post")]
    async fn submit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<SelfAssessment>> {
        let view = self_assessments::submit(&state.db, &auth.0.actor, id.0).await?;
        Ok(Json(view.into()))
    }
}

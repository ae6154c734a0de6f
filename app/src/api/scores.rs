//! `/scores` and `/accountability`: compliance scores, rankings and
//! accountability items (问责).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::{
    AccountabilityReason, AccountabilityStatus, AccountableKind, EvidenceKind, Grade, SubjectKind,
    accountability_item,
};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{ApiTags, BearerAuth, ListPage, page, period_filter};
use crate::{
    domain::region_code::level_of,
    service::{
        accountability::{self, ItemFilter},
        scoring::{self, ScoreFilter, ScoreView, Summary},
    },
    state::AppState,
};

/// One subject's scores for a period; parts without anything to score are null.
#[derive(Object)]
pub struct Score {
    /// The period.
    pub period: String,
    /// `department` or `enterprise`.
    pub subject_kind: SubjectKind,
    /// The department's or enterprise's id.
    pub subject_id: i64,
    /// Its name.
    pub name: String,
    /// Its region; none for a national department.
    pub region_code: Option<String>,
    /// `national`, `province`, `city` or `county`: ranks are within this level.
    pub level: String,
    /// 0-100 from the reviewed check, else the submitted self-assessment.
    pub data_security: Option<f64>,
    /// 0-100, mean of the period's incidents' reporting points (departments).
    pub reporting_compliance: Option<f64>,
    /// 0-100, mean score of published checks.
    pub inspection: Option<f64>,
    /// Weighted mean of the parts present.
    pub overall: Option<f64>,
    /// `excellent`, `good`, `pass` or `fail`.
    pub grade: Option<Grade>,
    /// Rank by overall within the same kind and region level; ties share a rank.
    pub rank: Option<i32>,
    /// When these values were computed (a recomputation that changes nothing keeps it).
    pub computed_at: DateTime<Utc>,
}

impl From<ScoreView> for Score {
    fn from(v: ScoreView) -> Self {
        let s = v.score;
        Self {
            level: level_of(s.region_code.as_deref())
                .map_or_else(|| "national".to_owned(), |l| l.to_string()),
            period: s.period,
            subject_kind: s.subject_kind,
            subject_id: s.subject_id,
            name: v.name,
            region_code: s.region_code,
            data_security: s.data_security,
            reporting_compliance: s.reporting_compliance,
            inspection: s.inspection,
            overall: s.overall,
            grade: s.grade,
            rank: s.rank,
            computed_at: s.computed_at,
        }
    }
}

/// What a recomputation did.
#[derive(Object)]
pub struct Recomputed {
    /// The period.
    pub period: String,
    /// Department rows computed.
    pub departments: u64,
    /// Enterprise rows computed.
    pub enterprises: u64,
    /// Rows whose values changed and were written.
    pub changed: u64,
    /// New accountability items by reason; recomputing again raises none.
    pub raised: HashMap<String, u64>,
    /// The time stamped on the rows written.
    pub computed_at: DateTime<Utc>,
}

impl From<Summary> for Recomputed {
    fn from(s: Summary) -> Self {
        Self {
            period: s.period,
            departments: s.departments,
            enterprises: s.enterprises,
            changed: s.changed,
            raised: s.raised.into_iter().collect(),
            computed_at: s.computed_at,
        }
    }
}

/// What an accountability item rests on.
#[derive(Object)]
pub struct Evidence {
    /// `task`, `incident`, `hazard`, `score` or `self_assessment`.
    pub kind: EvidenceKind,
    /// Its id.
    pub id: i64,
    /// Where to read it in this API, where it has a page.
    pub href: Option<String>,
}

/// An accountability item (问责).
#[derive(Object)]
pub struct AccountabilityItem {
    /// Id.
    pub id: i64,
    /// The month the duty fell due (`2026-11`), or the score's period.
    pub period: String,
    /// `department`, `inspector` or `enterprise`.
    pub subject_kind: AccountableKind,
    /// Their id.
    pub subject_id: i64,
    /// Where, for scope.
    pub region_code: Option<String>,
    /// Why it was raised.
    pub reason: AccountabilityReason,
    /// What it rests on.
    pub evidence: Evidence,
    /// `open`, `acknowledged` or `closed`.
    pub status: AccountabilityStatus,
    /// Notes added as it moved along.
    pub note: Option<String>,
    /// Raised.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn href(kind: EvidenceKind, id: i64) -> Option<String> {
    match kind {
        EvidenceKind::Task => Some(format!("/api/v1/tasks/{id}")),
        EvidenceKind::Incident => Some(format!("/api/v1/incidents/{id}")),
        EvidenceKind::SelfAssessment => Some(format!("/api/v1/self-assessments/{id}")),
        EvidenceKind::Hazard => Some(format!("/api/v1/hazards/{id}")),
        EvidenceKind::Score => None,
    }
}

impl From<accountability_item::Model> for AccountabilityItem {
    fn from(m: accountability_item::Model) -> Self {
        Self {
            id: m.id,
            period: m.period,
            subject_kind: m.subject_kind,
            subject_id: m.subject_id,
            region_code: m.region_code,
            reason: m.reason,
            evidence: Evidence {
                kind: m.evidence_kind,
                id: m.evidence_id,
                href: href(m.evidence_kind, m.evidence_id),
            },
            status: m.status,
            note: m.note,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// The next step of an item.
#[derive(Object)]
pub struct AccountabilityBody {
    /// `acknowledged` (from `open`) or `closed` (from `acknowledged`).
    pub status: AccountabilityStatus,
    /// A note; required to close.
    pub note: Option<String>,
}

/// Scores and accountability.
pub struct ScoresApi;

#[OpenApi(tag = "ApiTags::Scores")]
impl ScoresApi {
    /// Recompute a period's scores
    ///
    /// National admins and supervisors. One transaction; running it again on the
    /// same data changes nothing and raises no item twice. `period` is `2026`,
    /// `2026Q4` or `2026-11`.
    #[oai(path = "/scores/:period/recompute", method = "post")]
    async fn recompute(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        period: Path<String>,
    ) -> poem::Result<Json<Recomputed>> {
        let summary =
            scoring::recompute(&state.db, &auth.0.actor, &period.0, &state.policy).await?;
        Ok(Json(summary.into()))
    }

    /// List scores
    ///
    /// Best first. Supervisors and leaders see their jurisdiction; a department
    /// its own row and its jurisdiction's enterprises.
    #[oai(path = "/scores", method = "get")]
    #[expect(clippy::too_many_arguments, reason = "one parameter per query field")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        period: Query<Option<String>>,
        subject_kind: Query<Option<SubjectKind>>,
        region_code: Query<Option<String>>,
        grade: Query<Option<Grade>>,
        #[oai(name = "page")] number: Query<Option<u64>>,
        page_size: Query<Option<u64>>,
    ) -> poem::Result<Json<ListPage<Score>>> {
        let filter = ScoreFilter {
            period: period_filter(period.0)?,
            subject_kind: subject_kind.0,
            region_code: region_code.0,
            grade: grade.0,
        };
        let paged = scoring::list(
            &state.db,
            &auth.0.actor,
            &filter,
            page(number.0, page_size.0)?,
        )
        .await?;
        Ok(ListPage::from_paged(paged, Score::from))
    }

    /// List accountability items
    ///
    /// `period` also matches the quarters and months inside it.
    #[oai(path = "/accountability", method = "get")]
    #[expect(clippy::too_many_arguments, reason = "one parameter per query field")]
    async fn accountability(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        period: Query<Option<String>>,
        status: Query<Option<AccountabilityStatus>>,
        reason: Query<Option<AccountabilityReason>>,
        subject_kind: Query<Option<AccountableKind>>,
        #[oai(name = "page")] number: Query<Option<u64>>,
        page_size: Query<Option<u64>>,
    ) -> poem::Result<Json<ListPage<AccountabilityItem>>> {
        let filter = ItemFilter {
            period: period_filter(period.0)?,
            status: status.0,
            reason: reason.0,
            subject_kind: subject_kind.0,
        };
        let paged = accountability::list(
            &state.db,
            &auth.0.actor,
            &filter,
            page(number.0, page_size.0)?,
        )
        .await?;
        Ok(ListPage::from_paged(paged, AccountabilityItem::from))
    }

    /// Get an accountability item
    #[oai(path = "/accountability/:id", method = "get")]
    async fn accountability_item(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<AccountabilityItem>> {
        let item = accountability::get(&state.db, &auth.0.actor, id.0).await?;
        Ok(Json(item.into()))
    }

    /// Move an accountability item along
    ///
    /// `open` → `acknowledged` → `closed` (with a note), by supervisors in scope;
    /// leaders only read. Audited.
    #[oai(path = "/accountability/:id", method = "patch")]
    async fn update_accountability(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<AccountabilityBody>,
    ) -> poem::Result<Json<AccountabilityItem>> {
        let b = body.0;
        let item = accountability::update(&state.db, &auth.0.actor, id.0, b.status, b.note).await?;
        Ok(Json(item.into()))
    }
}

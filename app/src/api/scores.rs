//! `/scores` and `/accountability`: compliance scores, rankings and
//! accountability items (问责).

use std::collections::HashMap;

use entities::{
    AccountabilityReason, AccountabilityStatus, AccountableKind, ComputeTrigger, EvidenceKind,
    Grade, SubjectKind, accountability_entry,
};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{ApiTags, BearerAuth, Created, ListPage, page, period_filter};
use crate::{
    domain::{accountability::Step, china_time::ChinaTime, region_code::level_of},
    msg,
    service::{
        accountability::{self, EvidenceView, ItemFilter, ItemView},
        scoring::{self, Computation, ScoreFilter, ScoreView, Summary},
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
    pub computed_at: ChinaTime,
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
            computed_at: s.computed_at.into(),
        }
    }
}

/// When a period was last computed and by whom, or that it never was.
#[derive(Object)]
pub struct PeriodComputation {
    /// The period.
    pub period: String,
    /// Whether it was ever computed; an empty list of a period never computed
    /// says nothing about its subjects.
    pub computed: bool,
    /// When it was last computed.
    pub computed_at: Option<ChinaTime>,
    /// By whom: a username, or `system` for the nightly job and the command line.
    pub computed_by: Option<String>,
    /// `request` (the API), `command` (`spotcheck score`) or `schedule` (the nightly job).
    pub trigger: Option<ComputeTrigger>,
    /// The same in words, in the language of the request.
    pub message: String,
}

impl From<Computation> for PeriodComputation {
    fn from(c: Computation) -> Self {
        let period = c.period;
        let Some(last) = c.last else {
            return Self {
                message: msg!(
                    "{period} 的得分尚未计算：由国家级管理员或监管人员重新计算，或等待每晚的定时计算",
                    "the scores of {period} have never been computed: a national admin or \
                     supervisor recomputes them, or the nightly job will"
                )
                .localized()
                .to_owned(),
                period,
                computed: false,
                computed_at: None,
                computed_by: None,
                trigger: None,
            };
        };
        let at = ChinaTime::from(last.computed_at).to_rfc3339();
        let by = &last.computed_by;
        Self {
            message: msg!(
                "{period} 的得分于 {at} 由 {by} 计算",
                "the scores of {period} were computed at {at} by {by}"
            )
            .localized()
            .to_owned(),
            period,
            computed: true,
            computed_at: Some(last.computed_at.into()),
            computed_by: Some(last.computed_by),
            trigger: Some(last.trigger),
        }
    }
}

/// A page of scores, and where their period stands.
#[derive(Object)]
pub struct ScoresPage {
    /// The rows of this page.
    pub items: Vec<Score>,
    /// Rows in the whole list.
    pub total: u64,
    /// This page, counting from 1.
    pub page: u64,
    /// Rows per page.
    pub page_size: u64,
    /// With `period`: when it was last computed and by whom, or that it never was.
    pub computation: Option<PeriodComputation>,
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
    pub computed_at: ChinaTime,
}

impl From<Summary> for Recomputed {
    fn from(s: Summary) -> Self {
        Self {
            period: s.period,
            departments: s.departments,
            enterprises: s.enterprises,
            changed: s.changed,
            raised: s.raised.into_iter().collect(),
            computed_at: s.computed_at.into(),
        }
    }
}

/// What an accountability item rests on.
#[derive(Object)]
pub struct Evidence {
    /// `task`, `incident`, `incident_report`, `hazard`, `score` or `self_assessment`.
    pub kind: EvidenceKind,
    /// Its id.
    pub id: i64,
    /// Where to read it in this API, where it has a page (a report: its incident's).
    pub href: Option<String>,
    /// It rests on a report entered afterwards (补录): the report itself, or
    /// one of the incident's reports.
    pub backfilled: bool,
}

fn href(evidence: &EvidenceView) -> Option<String> {
    match evidence.kind {
        EvidenceKind::Task => Some(format!("/api/v1/tasks/{}", evidence.id)),
        EvidenceKind::Incident | EvidenceKind::IncidentReport => evidence
            .incident_id
            .map(|incident| format!("/api/v1/incidents/{incident}")),
        EvidenceKind::SelfAssessment => Some(format!("/api/v1/self-assessments/{}", evidence.id)),
        EvidenceKind::Hazard => Some(format!("/api/v1/hazards/{}", evidence.id)),
        EvidenceKind::Score => None,
    }
}

/// One step in an item's history.
#[derive(Object)]
pub struct HistoryEntry {
    /// When.
    pub at: ChinaTime,
    /// Who: their username (`unknown` for a step recovered from an old note).
    pub actor: String,
    /// Their role then.
    pub role: Option<String>,
    /// `acknowledge`, `close`, `answer`, `accept` or `reject`.
    pub action: Option<String>,
    /// The status before.
    pub from_status: AccountabilityStatus,
    /// The status after.
    pub to_status: AccountabilityStatus,
    /// The note, explanation (说明/申辩) or decision.
    pub text: Option<String>,
    /// A reference to a supporting document.
    pub attachment: Option<String>,
}

impl From<accountability_entry::Model> for HistoryEntry {
    fn from(e: accountability_entry::Model) -> Self {
        Self {
            at: e.at.into(),
            action: Step::between(e.from_status, e.to_status).map(|s| s.name().to_owned()),
            actor: e.actor,
            role: e.role,
            from_status: e.from_status,
            to_status: e.to_status,
            text: e.text,
            attachment: e.attachment,
        }
    }
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
    /// The unit's name (an inspector's with the badge number).
    pub subject_name: Option<String>,
    /// Where, for scope.
    pub region_code: Option<String>,
    /// The region's name.
    pub region_name: Option<String>,
    /// Why it was raised.
    pub reason: AccountabilityReason,
    /// What it rests on.
    pub evidence: Evidence,
    /// `open`, `acknowledged`, `answered` (an answer awaits a decision) or `closed`.
    pub status: AccountabilityStatus,
    /// Every step it took, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Raised.
    pub created_at: ChinaTime,
    /// Last changed.
    pub updated_at: ChinaTime,
}

impl From<ItemView> for AccountabilityItem {
    fn from(v: ItemView) -> Self {
        let m = v.item;
        Self {
            id: m.id,
            period: m.period,
            subject_kind: m.subject_kind,
            subject_id: m.subject_id,
            subject_name: v.subject_name,
            region_code: m.region_code,
            region_name: v.region_name,
            reason: m.reason,
            evidence: Evidence {
                kind: v.evidence.kind,
                id: v.evidence.id,
                href: href(&v.evidence),
                backfilled: v.evidence.backfilled,
            },
            status: m.status,
            history: v.history.into_iter().map(HistoryEntry::from).collect(),
            created_at: m.created_at.into(),
            updated_at: m.updated_at.into(),
        }
    }
}

/// The next step of an item, by a supervisor in scope.
#[derive(Object)]
pub struct AccountabilityBody {
    /// `acknowledged` (from `open`), `closed` (from `acknowledged`, or from
    /// `answered`: the answer is accepted) or `open` (from `answered`: the
    /// answer is rejected).
    pub status: AccountabilityStatus,
    /// A note; required for every step but acknowledging.
    pub note: Option<String>,
}

/// An explanation (说明/申辩) by the unit held to account.
#[derive(Object)]
pub struct AnswerBody {
    /// The explanation.
    pub text: String,
    /// A reference to a supporting document: a document number, a file name, a link.
    pub attachment: Option<String>,
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
    /// its own row and its jurisdiction's enterprises. With `period`, the answer
    /// says when that period was last computed and by whom, or that it never was.
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
    ) -> poem::Result<Json<ScoresPage>> {
        let filter = ScoreFilter {
            period: period_filter(period.0)?,
            subject_kind: subject_kind.0,
            region_code: region_code.0,
            grade: grade.0,
        };
        let list = scoring::list(
            &state.db,
            &auth.0.actor,
            &filter,
            page(number.0, page_size.0)?,
        )
        .await?;
        let scores = list.scores;
        Ok(Json(ScoresPage {
            total: scores.total,
            page: scores.page.number,
            page_size: scores.page.size,
            items: scores.items.into_iter().map(Score::from).collect(),
            computation: list.computation.map(PeriodComputation::from),
        }))
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
    /// By supervisors in scope: `open` → `acknowledged` → `closed` (with a
    /// note); an `answered` item's answer is accepted (`closed`) or rejected
    /// (`open`) with a note. Leaders only read. Audited.
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

    /// Answer an accountability item (说明/申辩)
    ///
    /// By the department (or inspector) held to account, while the item is
    /// `open` or `acknowledged`: it becomes `answered` until a supervisor
    /// accepts or rejects the answer. Audited.
    #[oai(path = "/accountability/:id/answers", method = "post")]
    async fn answer_accountability(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<AnswerBody>,
    ) -> poem::Result<Created<AccountabilityItem>> {
        let b = body.0;
        let item = accountability::answer(
            &state.db,
            &auth.0.actor,
            id.0,
            &b.text,
            b.attachment.as_deref(),
        )
        .await?;
        Ok(Created::Created(Json(item.into())))
    }
}

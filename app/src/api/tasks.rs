//! `/tasks`: check tasks, their findings and their lifecycle.

use chrono::NaiveDate;
use entities::{
    CancelReason, HazardGrade, Industry, InspectorRole, RiskLevel, SubjectKind, TaskStatus,
    finding, task_cancellation, task_return,
};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{ApiTags, BearerAuth, Created, ListPage, NoContent, page};
use crate::{
    domain::{china_time::ChinaTime, task_state::Step},
    service::tasks::{self, FindingInput, TaskFilter, TaskView},
    state::AppState,
};

/// Whom a task checks.
#[derive(Object)]
pub struct TaskTarget {
    /// `enterprise` or `department`.
    pub kind: SubjectKind,
    /// The enterprise's or department's id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// An enterprise's credit code, or a department's code.
    pub code: Option<String>,
    /// An enterprise's credit code.
    pub credit_code: Option<String>,
    /// Region.
    pub region_code: String,
    /// The region's name.
    pub region_name: Option<String>,
    /// An enterprise's industry.
    pub industry: Option<Industry>,
    /// An enterprise's risk level (安全风险等级).
    pub risk_level: Option<RiskLevel>,
}

/// An inspector on a task.
#[derive(Object)]
pub struct TaskInspector {
    /// Inspector id.
    pub inspector_id: i64,
    /// Badge number.
    pub badge_no: String,
    /// Name.
    pub name: String,
    /// `lead` or `member`.
    pub role: InspectorRole,
}

/// The plan a task was drawn for.
#[derive(Object)]
pub struct TaskPlan {
    /// The plan's number.
    pub id: i64,
    /// Its name.
    pub name: String,
}

/// An indicator the task scores.
#[derive(Object)]
pub struct TaskIndicator {
    /// Indicator id, for recording a finding.
    pub id: i64,
    /// Code within its set.
    pub code: String,
    /// What is checked.
    pub name: String,
    /// Points available.
    pub max_points: f64,
    /// The laws and standards that require it.
    pub legal_basis: String,
    /// The finding that counts for it, if one does.
    pub finding_id: Option<i64>,
}

/// A time the task was sent back, and why.
#[derive(Object)]
pub struct TaskReturn {
    /// When.
    pub returned_at: ChinaTime,
    /// What the inspectors are to put right.
    pub reason: String,
    /// The user who sent it back.
    pub returned_by: Option<i64>,
}

impl From<task_return::Model> for TaskReturn {
    fn from(m: task_return::Model) -> Self {
        Self {
            returned_at: m.returned_at.into(),
            reason: m.reason,
            returned_by: m.returned_by,
        }
    }
}

/// Why and by whom a task was cancelled, and the task drawn to replace it (补抽).
#[derive(Object)]
pub struct TaskCancellation {
    /// `closed` (注销/停产), `not_found` (查无下落), `conflict_found` (发现回避情形) or `other`.
    pub reason: CancelReason,
    /// What the supervisor wrote.
    pub note: Option<String>,
    /// The replacement task, if one was drawn.
    pub replaced_by: Option<i64>,
    /// The user who cancelled it (none: the command line).
    pub cancelled_by: Option<i64>,
    /// When.
    pub cancelled_at: ChinaTime,
}

impl From<task_cancellation::Model> for TaskCancellation {
    fn from(m: task_cancellation::Model) -> Self {
        Self {
            reason: m.reason,
            note: m.note,
            replaced_by: m.replaced_by,
            cancelled_by: m.cancelled_by,
            cancelled_at: m.cancelled_at.into(),
        }
    }
}

/// A check task, with what its inspectors need to carry it out.
#[derive(Object)]
pub struct Task {
    /// Id.
    pub id: i64,
    /// The draw that made it.
    pub draw_id: i64,
    /// The plan it was drawn for.
    pub plan: Option<TaskPlan>,
    /// Whom it checks.
    pub target: TaskTarget,
    /// Its inspectors, lead first.
    pub inspectors: Vec<TaskInspector>,
    /// The indicators to score: those of the plan's set that apply to the target.
    pub indicators: Vec<TaskIndicator>,
    /// Each time it was sent back, oldest first.
    pub returns: Vec<TaskReturn>,
    /// When it is due.
    pub due_at: ChinaTime,
    /// Lifecycle state; `superseded` when a redraw replaced its draw,
    /// `cancelled` when a supervisor took it out of its draw.
    pub status: TaskStatus,
    /// For a cancelled task: why, by whom, when, and its replacement.
    pub cancellation: Option<TaskCancellation>,
    /// For a replacement (补抽): the cancelled task it replaces.
    pub replaces: Option<i64>,
    /// Past due and not submitted.
    pub overdue: bool,
    /// Weighted indicator points out of 100, set on review.
    pub score: Option<f64>,
    /// Started.
    pub started_at: Option<ChinaTime>,
    /// Submitted.
    pub submitted_at: Option<ChinaTime>,
    /// Reviewed.
    pub reviewed_at: Option<ChinaTime>,
    /// The last day to publish: the 20th working day after review (China time).
    pub publish_by: Option<NaiveDate>,
    /// Published.
    pub published_at: Option<ChinaTime>,
}

impl From<TaskView> for Task {
    fn from(v: TaskView) -> Self {
        let t = v.task;
        Self {
            id: t.id,
            draw_id: t.draw_id,
            plan: v.plan.map(|p| TaskPlan {
                id: p.id,
                name: p.name,
            }),
            target: TaskTarget {
                kind: v.target.kind,
                id: v.target.id,
                name: v.target.name,
                code: v.target.code,
                credit_code: v.target.credit_code,
                region_code: v.target.region_code,
                region_name: v.target.region_name,
                industry: v.target.industry,
                risk_level: v.target.risk_level,
            },
            inspectors: v
                .inspectors
                .into_iter()
                .map(|i| TaskInspector {
                    inspector_id: i.inspector_id,
                    badge_no: i.badge_no,
                    name: i.name,
                    role: i.role,
                })
                .collect(),
            indicators: v
                .indicators
                .into_iter()
                .map(|i| TaskIndicator {
                    id: i.id,
                    code: i.code,
                    name: i.name,
                    max_points: i.max_points,
                    legal_basis: i.legal_basis,
                    finding_id: i.finding_id,
                })
                .collect(),
            returns: v.returns.into_iter().map(TaskReturn::from).collect(),
            due_at: t.due_at.into(),
            status: t.status,
            cancellation: v.cancellation.map(TaskCancellation::from),
            replaces: v.replaces,
            overdue: t.overdue,
            score: t.score,
            started_at: t.started_at.map(ChinaTime::from),
            submitted_at: t.submitted_at.map(ChinaTime::from),
            reviewed_at: t.reviewed_at.map(ChinaTime::from),
            publish_by: v.publish_by,
            published_at: t.published_at.map(ChinaTime::from),
        }
    }
}

/// A finding on a task.
#[derive(Object)]
pub struct Finding {
    /// Id.
    pub id: i64,
    /// The task.
    pub task_id: i64,
    /// The indicator checked.
    pub indicator_id: i64,
    /// Points earned.
    pub points: f64,
    /// Whether the target complies.
    pub compliant: bool,
    /// What was found.
    pub description: String,
    /// Grade of a hidden hazard found.
    pub hazard_grade: Option<HazardGrade>,
    /// Rectification deadline of that hazard.
    pub rectify_by: Option<NaiveDate>,
    /// Recorded.
    pub created_at: ChinaTime,
    /// Whether it is the finding that counts for its indicator: not replaced
    /// by a later one, not withdrawn.
    pub counts: bool,
    /// When it was last corrected.
    pub updated_at: Option<ChinaTime>,
    /// When it was withdrawn.
    pub withdrawn_at: Option<ChinaTime>,
}

impl From<finding::Model> for Finding {
    fn from(m: finding::Model) -> Self {
        Self {
            id: m.id,
            task_id: m.task_id,
            indicator_id: m.indicator_id,
            points: m.points,
            compliant: m.compliant,
            description: m.description,
            hazard_grade: m.hazard_grade,
            rectify_by: m.rectify_by,
            created_at: m.created_at.into(),
            counts: !m.superseded && m.withdrawn_at.is_none(),
            updated_at: m.updated_at.map(ChinaTime::from),
            withdrawn_at: m.withdrawn_at.map(ChinaTime::from),
        }
    }
}

/// A finding to record, or its correction.
#[derive(Object)]
pub struct FindingBody {
    /// The indicator checked (from the plan's indicator set, for the target's kind).
    pub indicator_id: i64,
    /// Points earned, 0 to the indicator's maximum.
    pub points: f64,
    /// Whether the target complies.
    pub compliant: bool,
    /// What was found.
    pub description: String,
    /// Grade of a hidden hazard found; enters the enterprise's hazard list.
    pub hazard_grade: Option<HazardGrade>,
    /// Rectification deadline of that hazard.
    pub rectify_by: Option<NaiveDate>,
}

impl From<FindingBody> for FindingInput {
    fn from(b: FindingBody) -> Self {
        Self {
            indicator_id: b.indicator_id,
            points: b.points,
            compliant: b.compliant,
            description: b.description,
            hazard_grade: b.hazard_grade,
            rectify_by: b.rectify_by,
        }
    }
}

/// Why a task is sent back.
#[derive(Object, Default)]
pub struct ReturnBody {
    /// The reason, required: the inspectors read it in the task's `returns`.
    pub reason: Option<String>,
}

/// Why a task is cancelled, and whether to draw a replacement (补抽).
#[derive(Object)]
pub struct CancelBody {
    /// `closed` (注销/停产), `not_found` (查无下落), `conflict_found`
    /// (发现回避情形) or `other` (a `note` is then required).
    pub reason: String,
    /// What happened, in words.
    pub note: Option<String>,
    /// Draw a replacement target from the same stratum of the same draw.
    #[oai(default)]
    pub replace: bool,
}

/// A cancelled task and the task drawn to replace it.
#[derive(Object)]
pub struct CancelResult {
    /// The cancelled task, now `cancelled`.
    pub task: Task,
    /// The replacement task, when one was asked for.
    pub replacement: Option<Task>,
}

/// Check tasks.
pub struct TasksApi;

impl TasksApi {
    async fn step(
        &self,
        state: &AppState,
        auth: BearerAuth,
        id: i64,
        step: Step,
        reason: Option<String>,
    ) -> poem::Result<Json<Task>> {
        let days = state.policy.scoring.publication_working_days;
        let view = tasks::step(&state.db, &auth.0.actor, id, step, reason, days).await?;
        Ok(Json(view.into()))
    }
}

#[OpenApi(tag = "ApiTags::Draws")]
impl TasksApi {
    /// List tasks
    ///
    /// Soonest due first. Inspectors see only their own tasks; `mine=true`
    /// narrows anyone to theirs. Superseded tasks are left out unless
    /// `status=superseded` or `include_superseded=true`. An inspector login not
    /// linked to an inspector record answers 409.
    #[oai(path = "/tasks", method = "get")]
    #[expect(clippy::too_many_arguments, reason = "one parameter per query field")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only tasks in these states (repeat the parameter for several).
        status: Query<Option<Vec<TaskStatus>>>,
        /// Only tasks of this plan's draws.
        plan_id: Query<Option<i64>>,
        /// Only tasks of this draw.
        draw_id: Query<Option<i64>>,
        /// Only tasks whose target lies in this region's subtree.
        region_code: Query<Option<String>>,
        /// Only the tasks the caller is an inspector on.
        mine: Query<Option<bool>>,
        /// Target name, credit code or department code contains this text.
        q: Query<Option<String>>,
        /// Only tasks due before this time.
        due_before: Query<Option<ChinaTime>>,
        /// Only tasks flagged overdue (`false`: only those not flagged).
        overdue: Query<Option<bool>>,
        /// Superseded tasks too.
        include_superseded: Query<Option<bool>>,
        #[oai(name = "page")] number: Query<Option<u64>>,
        page_size: Query<Option<u64>>,
    ) -> poem::Result<Json<ListPage<Task>>> {
        let filter = TaskFilter {
            statuses: status.0.unwrap_or_default(),
            plan_id: plan_id.0,
            draw_id: draw_id.0,
            region_code: region_code.0.map(|c| c.trim().to_owned()),
            mine: mine.0.unwrap_or(false),
            q: q.0.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty()),
            due_before: due_before.0,
            overdue: overdue.0,
            include_superseded: include_superseded.0.unwrap_or(false),
        };
        let days = state.policy.scoring.publication_working_days;
        let paged = tasks::list(
            &state.db,
            &auth.0.actor,
            &filter,
            page(number.0, page_size.0)?,
            days,
        )
        .await?;
        Ok(ListPage::from_paged(paged, Task::from))
    }

    /// Get a task
    ///
    /// With its plan, target, team, the indicators to score (and the finding
    /// that counts for each) and its returns.
    #[oai(path = "/tasks/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Task>> {
        let days = state.policy.scoring.publication_working_days;
        Ok(Json(
            tasks::get(&state.db, &auth.0.actor, id.0, days)
                .await?
                .into(),
        ))
    }

    /// Record a finding
    ///
    /// By the task's inspectors, while the task is in progress. It replaces
    /// the finding that counted for the same indicator.
    #[oai(path = "/tasks/:id/findings", method = "post")]
    async fn add_finding(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<FindingBody>,
    ) -> poem::Result<Created<Finding>> {
        let model = tasks::add_finding(&state.db, &auth.0.actor, id.0, body.0.into()).await?;
        Ok(Created::Created(Json(model.into())))
    }

    /// Correct a finding
    ///
    /// By the task's inspectors, while the task is in progress, on the finding
    /// that counts for its indicator; the indicator stays. Its hazard on the
    /// hazard list follows.
    #[oai(path = "/tasks/:id/findings/:finding_id", method = "put")]
    async fn correct_finding(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        finding_id: Path<i64>,
        body: Json<FindingBody>,
    ) -> poem::Result<Json<Finding>> {
        let model =
            tasks::correct_finding(&state.db, &auth.0.actor, id.0, finding_id.0, body.0.into())
                .await?;
        Ok(Json(model.into()))
    }

    /// Withdraw a finding
    ///
    /// By the task's inspectors, while the task is in progress. The finding
    /// stays on record, marked withdrawn, and counts for nothing; a hazard it
    /// found leaves the hazard list.
    #[oai(path = "/tasks/:id/findings/:finding_id", method = "delete")]
    async fn withdraw_finding(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        finding_id: Path<i64>,
    ) -> poem::Result<NoContent> {
        tasks::withdraw_finding(&state.db, &auth.0.actor, id.0, finding_id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// List a task's findings
    #[oai(path = "/tasks/:id/findings", method = "get")]
    async fn findings(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Vec<Finding>>> {
        let items = tasks::findings(&state.db, &auth.0.actor, id.0).await?;
        Ok(Json(items.into_iter().map(Finding::from).collect()))
    }

    /// Start a task
    ///
    /// `assigned` or `returned` → `in_progress`, by the task's inspectors.
    #[oai(path = "/tasks/:id/start", method = "post")]
    async fn start(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Task>> {
        self.step(&state, auth, id.0, Step::Start, None).await
    }

    /// Submit a task
    ///
    /// `in_progress` → `submitted`, by the task's inspectors, with at least one finding.
    #[oai(path = "/tasks/:id/submit", method = "post")]
    async fn submit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Task>> {
        self.step(&state, auth, id.0, Step::Submit, None).await
    }

    /// Review a task
    ///
    /// `submitted` → `reviewed`, by supervisors in scope; computes the score.
    #[oai(path = "/tasks/:id/review", method = "post")]
    async fn review(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Task>> {
        self.step(&state, auth, id.0, Step::Review, None).await
    }

    /// Return a task
    ///
    /// `submitted` → `returned`, by supervisors in scope, with a reason the
    /// inspectors read in the task's `returns`; they start it again.
    #[oai(path = "/tasks/:id/return", method = "post")]
    async fn return_task(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<Option<ReturnBody>>,
    ) -> poem::Result<Json<Task>> {
        let reason = body.0.and_then(|b| b.reason);
        self.step(&state, auth, id.0, Step::Return, reason).await
    }

    /// Publish a task's result
    ///
    /// `reviewed` → `published`, by supervisors in scope; the result appears in `/public/v1/results`.
    #[oai(path = "/tasks/:id/publish", method = "post")]
    async fn publish(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Task>> {
        self.step(&state, auth, id.0, Step::Publish, None).await
    }

    /// Cancel a task, optionally drawing a replacement (补抽)
    ///
    /// `assigned`, `in_progress` or `returned` → `cancelled`, by supervisors in
    /// scope, with a reason. With `replace: true` a replacement target is drawn
    /// from the same stratum of the same draw's population, by the published
    /// rule (`docs/draw-algorithm.md`, section 9), and staffed by the same
    /// rules; the draw's `verify` reproduces it.
    #[oai(path = "/tasks/:id/cancel", method = "post")]
    async fn cancel(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<CancelBody>,
    ) -> poem::Result<Json<CancelResult>> {
        let days = state.policy.scoring.publication_working_days;
        let request = tasks::CancelRequest {
            reason: body.0.reason,
            note: body.0.note,
            replace: body.0.replace,
        };
        let done = tasks::cancel(&state.db, &auth.0.actor, id.0, request, days).await?;
        Ok(Json(CancelResult {
            task: done.task.into(),
            replacement: done.replacement.map(Into::into),
        }))
    }
}

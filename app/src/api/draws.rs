//! `/plans/{id}/draws` and `/draws`: running and verifying draws.

use entities::{CancelReason, DrawTrigger, SeedSource, draw};
use poem::{IntoResponse, web::Data};
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::Path,
    payload::{Json, Payload},
    registry::{MetaSchema, MetaSchemaRef},
};

use super::{ApiTags, BearerAuth, Created};
use crate::{
    domain::china_time::ChinaTime,
    service::draws::{self, DrawRequest, DrawView},
    state::AppState,
};

/// What to draw with.
#[derive(Object, Default)]
pub struct DrawBody {
    /// A seed given by the operator (u64), which needs a `reason`; or
    pub seed: Option<u64>,
    /// public text announced before the draw (a lottery result): the seed is the first
    /// 8 bytes of the SHA-256 of the text exactly as given, which must not be empty nor
    /// start or end with white space (U+3000 included), at most 1,000 characters.
    /// Without either, the seed comes from the operating system. A plan that has
    /// announced its next draw takes only `seed_text`.
    pub seed_text: Option<String>,
    /// Why the seed is given, or why the plan is drawn again: required while the plan's
    /// current draw has open tasks, which is then superseded.
    pub reason: Option<String>,
}

/// A drawn task.
#[derive(Object)]
pub struct DrawnTask {
    /// The task.
    pub task_id: i64,
    /// The enterprise or department checked.
    pub target_id: i64,
    /// The team, lead first.
    pub inspector_ids: Vec<i64>,
}

/// A drawn target nobody could be assigned to.
#[derive(Object)]
pub struct UnassignedTarget {
    /// The enterprise or department.
    pub target_id: i64,
    /// Why.
    pub reason: String,
}

/// A draw with its tasks.
#[derive(Object)]
pub struct Draw {
    /// Id.
    pub id: i64,
    /// The plan drawn.
    pub plan_id: i64,
    /// The seed (u64).
    pub seed: u64,
    /// The public text the seed came from, exactly as hashed.
    pub seed_text: Option<String>,
    /// How the seed was chosen: `random` (the operating system), `given` (by an
    /// operator, with `seed_reason`), `public_text`, or `unrecorded` (drawn before
    /// provenance was recorded).
    pub seed_source: SeedSource,
    /// Why the operator gave the seed.
    pub seed_reason: Option<String>,
    /// The announcement whose frozen population and parameters the draw used.
    pub announcement_id: Option<i64>,
    /// Algorithm version; `docs/draw-algorithm.md` describes it exactly.
    pub algorithm: String,
    /// Targets in the population (after scope, filters and cooldown).
    pub population_size: i32,
    /// SHA-256 of the population snapshot.
    pub population_sha256: String,
    /// `cron` or `manual`.
    pub trigger: DrawTrigger,
    /// When.
    pub created_at: ChinaTime,
    /// The draw that replaced this one.
    pub superseded_by: Option<i64>,
    /// Why it was replaced.
    pub supersede_reason: Option<String>,
    /// Tasks in draw order, then the replacements (补抽) in the order drawn.
    pub tasks: Vec<DrawnTask>,
    /// Drawn targets that could not be staffed.
    pub unassigned: Vec<UnassignedTarget>,
    /// Tasks cancelled in the order cancelled, each with its replacement.
    pub cancellations: Vec<DrawCancellation>,
}

/// A cancelled task of a draw and the task drawn to replace it.
#[derive(Object)]
pub struct DrawCancellation {
    /// The cancelled task.
    pub task_id: i64,
    /// Its target.
    pub target_id: i64,
    /// `closed`, `not_found`, `conflict_found` or `other`.
    pub reason: CancelReason,
    /// What the supervisor wrote.
    pub note: Option<String>,
    /// The replacement task, if one was drawn.
    pub replaced_by: Option<i64>,
    /// When.
    pub cancelled_at: ChinaTime,
}

/// A draw without its tasks.
#[derive(Object)]
pub struct DrawSummary {
    /// Id.
    pub id: i64,
    /// The seed (u64).
    pub seed: u64,
    /// `random`, `given`, `public_text` or `unrecorded`.
    pub seed_source: SeedSource,
    /// Algorithm version.
    pub algorithm: String,
    /// Targets in the population.
    pub population_size: i32,
    /// SHA-256 of the population snapshot.
    pub population_sha256: String,
    /// `cron` or `manual`.
    pub trigger: DrawTrigger,
    /// When.
    pub created_at: ChinaTime,
    /// The draw that replaced this one.
    pub superseded_by: Option<i64>,
}

fn seed_of(stored: &draw::Model) -> u64 {
    u64::from_ne_bytes(stored.seed.to_ne_bytes())
}

impl From<draw::Model> for DrawSummary {
    fn from(d: draw::Model) -> Self {
        Self {
            id: d.id,
            seed: seed_of(&d),
            seed_source: d.seed_source,
            algorithm: d.algorithm,
            population_size: d.population_size,
            population_sha256: d.population_sha256,
            trigger: d.trigger,
            created_at: d.created_at.into(),
            superseded_by: d.superseded_by,
        }
    }
}

impl From<DrawView> for Draw {
    fn from(v: DrawView) -> Self {
        let d = v.draw;
        Self {
            id: d.id,
            plan_id: d.plan_id,
            seed: seed_of(&d),
            seed_text: d.seed_text,
            seed_source: d.seed_source,
            seed_reason: d.seed_reason,
            announcement_id: d.announcement_id,
            algorithm: d.algorithm,
            population_size: d.population_size,
            population_sha256: d.population_sha256,
            trigger: d.trigger,
            created_at: d.created_at.into(),
            superseded_by: d.superseded_by,
            supersede_reason: d.supersede_reason,
            tasks: v
                .tasks
                .into_iter()
                .map(|t| DrawnTask {
                    task_id: t.task_id,
                    target_id: t.target_id,
                    inspector_ids: t.inspector_ids,
                })
                .collect(),
            unassigned: v
                .unassigned
                .into_iter()
                .map(|u| UnassignedTarget {
                    target_id: u.target_id,
                    reason: u.reason.to_string(),
                })
                .collect(),
            cancellations: v
                .cancellations
                .into_iter()
                .map(|c| DrawCancellation {
                    task_id: c.task_id,
                    target_id: c.target_id,
                    reason: c.reason,
                    note: c.note,
                    replaced_by: c.replaced_by,
                    cancelled_at: c.cancelled_at.into(),
                })
                .collect(),
        }
    }
}

/// The result of re-running a draw.
#[derive(Object)]
pub struct DrawVerification {
    /// Whether the stored tasks are exactly what the algorithm gives.
    pub verified: bool,
    /// Every difference found.
    pub mismatches: Vec<String>,
}

/// A draw's evidence bundle.
#[derive(ApiResponse)]
pub enum EvidenceFile {
    /// `spotcheck-draw-evidence/1`, as `docs/draw-algorithm.md` section 8.1 defines it.
    #[oai(status = 200)]
    Ok(JsonFile, #[oai(header = "Content-Disposition")] String),
}

/// A JSON document sent as stored, byte for byte, and declared as a JSON
/// object: re-serialising it could change what a verifier hashes.
pub struct JsonFile(pub Vec<u8>);

impl Payload for JsonFile {
    const CONTENT_TYPE: &'static str = "application/json";

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema::new("object")))
    }
}

impl IntoResponse for JsonFile {
    fn into_response(self) -> poem::Response {
        poem::Response::builder()
            .content_type(Self::CONTENT_TYPE)
            .body(self.0)
    }
}

/// Draws.
pub struct DrawsApi;

#[OpenApi(tag = "ApiTags::Draws")]
impl DrawsApi {
    /// Draw a plan
    ///
    /// Samples targets and inspectors at random (双随机) and creates the tasks; the
    /// draw, its tasks and its audit entry are written together or not at all.
    #[oai(path = "/plans/:id/draws", method = "post")]
    async fn run(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<Option<DrawBody>>,
    ) -> poem::Result<Created<Draw>> {
        let body = body.0.unwrap_or_default();
        let request = DrawRequest {
            seed: body.seed,
            seed_text: body.seed_text,
            reason: body.reason,
        };
        let view = draws::run(&state.db, &auth.0.actor, id.0, request, DrawTrigger::Manual).await?;
        Ok(Created::Created(Json(view.into())))
    }

    /// List a plan's draws
    #[oai(path = "/plans/:id/draws", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Vec<DrawSummary>>> {
        let items = draws::list(&state.db, &auth.0.actor, id.0).await?;
        Ok(Json(items.into_iter().map(DrawSummary::from).collect()))
    }

    /// Get a draw
    #[oai(path = "/draws/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Draw>> {
        Ok(Json(
            draws::get(&state.db, &auth.0.actor, id.0).await?.into(),
        ))
    }

    /// Verify a draw
    ///
    /// Re-runs the draw from its stored seed, parameters and population snapshot and
    /// compares the result with the tasks stored now.
    #[oai(path = "/draws/:id/verify", method = "get")]
    async fn verify(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<DrawVerification>> {
        let v = draws::verify(&state.db, &auth.0.actor, id.0).await?;
        Ok(Json(DrawVerification {
            verified: v.verified,
            mismatches: v.mismatches,
        }))
    }

    /// A draw's evidence bundle
    ///
    /// Everything a third party needs to re-run the draw without the server: the
    /// algorithm version, the parameters as used, the seed and how it was chosen, the
    /// population snapshot and the stored result (`docs/draw-algorithm.md` section 8.1;
    /// `docs/verify_draw.py` checks it). Ids, regions, strata and rules only: no names,
    /// credit codes or badge numbers. Admins, leaders and supervisors in scope; audited.
    #[oai(path = "/draws/:id/evidence", method = "get")]
    async fn evidence(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<EvidenceFile> {
        let bundle = draws::evidence(&state.db, &auth.0.actor, id.0).await?;
        let disposition = format!(
            "attachment; filename=\"draw-{}-evidence.json\"",
            bundle.draw_id
        );
        Ok(EvidenceFile::Ok(JsonFile(bundle.bytes), disposition))
    }
}

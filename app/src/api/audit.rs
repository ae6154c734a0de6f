//! `/audit`: the audit log, for administrators.

use entities::audit_log;
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Query, payload::Json};

use super::{ApiTags, BearerAuth, ListPage, page};
use crate::{
    domain::china_time::ChinaTime,
    service::audit::{self, AuditFilter},
    state::AppState,
};

/// One audit entry.
#[derive(Object)]
pub struct AuditEntry {
    /// Sequence number: 1, 2, 3… with no gaps.
    pub id: i64,
    /// When.
    pub at: ChinaTime,
    /// The acting user's id.
    pub actor_user_id: Option<i64>,
    /// The acting username, or `system`.
    pub actor: String,
    /// The actor's role.
    pub role: Option<String>,
    /// What was done, such as `enterprise.create`.
    pub action: String,
    /// The kind of object.
    pub object_kind: String,
    /// The object's id or key.
    pub object_id: Option<String>,
    /// `ok`, `denied` or `failed`.
    pub result: String,
    /// The client's address.
    pub source_addr: Option<String>,
    /// Detail, as JSON text.
    pub detail: String,
    /// The previous entry's hash.
    pub prev_hash: String,
    /// SHA-256 of `prev_hash` and this entry, or its HMAC under the audit key `key_id`.
    pub hash: String,
    /// The audit key the hash was made with; none for a plain SHA-256.
    pub key_id: Option<String>,
}

impl From<audit_log::Model> for AuditEntry {
    fn from(m: audit_log::Model) -> Self {
        Self {
            id: m.id,
            at: m.at.into(),
            actor_user_id: m.actor_user_id,
            actor: m.actor,
            role: m.role,
            action: m.action,
            object_kind: m.object_kind,
            object_id: m.object_id,
            result: m.result,
            source_addr: m.source_addr,
            detail: m.detail,
            prev_hash: m.prev_hash,
            hash: m.hash,
            key_id: m.key_id,
        }
    }
}

/// The result of checking the chain.
#[derive(Object)]
pub struct AuditVerification {
    /// Whether every entry is intact and in place.
    pub ok: bool,
    /// Entries checked before the first bad one (or all).
    pub checked: u64,
    /// The first entry edited, out of place or following a deleted one.
    pub first_bad_id: Option<i64>,
    /// What is wrong with it.
    pub problem: Option<String>,
    /// The first entry signed with an audit key (an HMAC under a secret kept
    /// outside the database); none when no entry is.
    pub keyed_from: Option<i64>,
    /// Checkpoints from the checkpoint file outside the database that the chain
    /// was compared with.
    pub outside_checkpoints: u64,
    /// What this server could not check, and why (no audit key or checkpoint
    /// file configured, a key it does not hold); empty when it checked everything.
    pub not_checked: Vec<String>,
}

/// The audit log.
pub struct AuditApi;

#[OpenApi(tag = "ApiTags::Audit")]
impl AuditApi {
    /// List audit entries
    ///
    /// Newest first. `action` matches a prefix, such as `auth.`; `since` and
    /// `until` bound the time (China time when given without an offset).
    #[oai(path = "/audit", method = "get")]
    #[expect(clippy::too_many_arguments, reason = "one parameter per query field")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        action: Query<Option<String>>,
        actor: Query<Option<String>>,
        object_kind: Query<Option<String>>,
        since: Query<Option<ChinaTime>>,
        until: Query<Option<ChinaTime>>,
        #[oai(name = "page")] number: Query<Option<u64>>,
        page_size: Query<Option<u64>>,
    ) -> poem::Result<Json<ListPage<AuditEntry>>> {
        let filter = AuditFilter {
            action: action.0,
            actor: actor.0,
            object_kind: object_kind.0,
            since: since.0.map(ChinaTime::utc),
            until: until.0.map(ChinaTime::utc),
        };
        let paged = audit::list(
            &state.db,
            &auth.0.actor,
            &filter,
            page(number.0, page_size.0)?,
        )
        .await?;
        Ok(ListPage::from_paged(paged, AuditEntry::from))
    }

    /// Verify the audit chain
    ///
    /// Checks every entry's hash and link, the keyed hashes against the audit
    /// keys, and the chain's length and head against the checkpoints kept in
    /// the database and in the checkpoint file; `not_checked` names what could
    /// not be checked here.
    #[oai(path = "/audit/verify", method = "get")]
    async fn verify(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> poem::Result<Json<AuditVerification>> {
        let v = audit::verify_as(&state.db, &auth.0.actor).await?;
        Ok(Json(AuditVerification {
            ok: v.ok,
            checked: v.checked,
            first_bad_id: v.first_bad_id,
            problem: v.problem.map(|p| p.localized().to_owned()),
            keyed_from: v.keyed_from,
            outside_checkpoints: v.outside_checkpoints,
            not_checked: v
                .not_checked
                .iter()
                .map(|m| m.localized().to_owned())
                .collect(),
        }))
    }
}

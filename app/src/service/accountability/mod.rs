//! Accountability items (问责): who is held to account, for what, on what evidence.
//!
//! Items are raised by the score recomputation (and `publication_overdue` by
//! [`crate::service::tasks::raise_publication_overdue`]); the unique key on
//! period, subject, reason and evidence makes raising idempotent. Supervisors
//! in scope move an item `open → acknowledged → closed`; leaders only read.

pub mod missed_duties;
pub mod model;
mod store;

use std::collections::{BTreeMap, HashSet};

use chrono::Utc;
use entities::{AccountabilityStatus, Role, accountability_item};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use self::store::Visible;
pub use self::{
    model::{ItemFilter, ItemKey, NewItem},
    store::stored_keys,
};
use super::{
    Actor, Page, Paged,
    audit::{self, Entry},
    tasks,
    validate::Problems,
};
use crate::{
    db,
    domain::accountability::{add_note, may_move},
    error::{AppError, AppResult},
};

/// Roles that move items along.
const HANDLERS: &[Role] = &[Role::Admin, Role::Supervisor];

/// Inserts the items that are not among `stored` (the keys already stored for
/// the items' periods, from [`stored_keys`]); returns, for every reason among
/// `items`, how many were new. A recomputation that finds nothing new writes
/// nothing; the insert still skips conflicts, for a concurrent writer.
///
/// # Errors
/// When the database fails.
pub async fn raise<C: ConnectionTrait>(
    db: &C,
    items: Vec<NewItem>,
    stored: &HashSet<ItemKey>,
    now: chrono::DateTime<Utc>,
) -> AppResult<BTreeMap<String, u64>> {
    let mut raised: BTreeMap<String, u64> = BTreeMap::new();
    let mut seen = HashSet::new();
    let mut fresh = Vec::new();
    for item in items {
        raised.entry(item.reason.to_string()).or_insert(0);
        let key = item.key();
        if !stored.contains(&key) && seen.insert(key) {
            fresh.push(item);
        }
    }
    for (reason, count) in store::insert_new(db, &fresh, now).await? {
        *raised.entry(reason).or_insert(0) += count;
    }
    Ok(raised)
}

/// The items the caller may see: supervisors, leaders and admins their region;
/// a department its own; an inspector their own.
async fn visible<'a, C: ConnectionTrait>(db: &C, actor: &'a Actor) -> AppResult<Visible<'a>> {
    Ok(match actor.role {
        Role::Department => Visible::Department(actor.department_id.unwrap_or(-1)),
        Role::Inspector => {
            Visible::Inspector(tasks::inspector_of(db, actor).await?.map_or(-1, |i| i.id))
        }
        _ => Visible::InScope(actor),
    })
}

/// One item the caller may see.
///
/// # Errors
/// 404 when it does not exist or is not the caller's to see.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
) -> AppResult<accountability_item::Model> {
    store::find(db, &visible(db, actor).await?, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("accountability item {id}").into()))
}

/// Lists the items the caller may see, newest first.
///
/// # Errors
/// When the database fails.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &ItemFilter,
    page: Page,
) -> AppResult<Paged<accountability_item::Model>> {
    store::list(db, &visible(db, actor).await?, filter, page).await
}

/// Moves an item one step, `open → acknowledged → closed`; closing needs a note.
/// Notes accumulate, each line naming the step it came with.
///
/// # Errors
/// 403 for roles other than supervisor and admin; 404 when out of scope; 409
/// for any other transition; 422 for closing without a note.
#[tracing::instrument(skip_all, fields(item.id = id))]
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    status: AccountabilityStatus,
    note: Option<String>,
) -> AppResult<accountability_item::Model> {
    actor.require(HANDLERS, "handle accountability items")?;
    get(db, actor, id).await?;
    let mut problems = Problems::new();
    let note = note
        .as_deref()
        .filter(|n| !n.trim().is_empty())
        .map(|n| problems.text("note", n, 4000));
    problems.check(
        status != AccountabilityStatus::Closed || note.is_some(),
        "note",
        "closing an item needs a note saying how it was dealt with",
    );
    problems.finish()?;
    let txn = db::begin_write(db).await?;
    let item = get(&txn, actor, id).await?;
    if !may_move(item.status, status) {
        return Err(AppError::Conflict(format!(
            "an item that is {} cannot become {status}; the steps are open → acknowledged → closed",
            item.status
        ).into()));
    }
    let from = item.status;
    let notes = add_note(item.note.as_deref(), status, note.as_deref());
    let item = store::set_status(&txn, item, status, notes, Utc::now()).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("accountability.update", "accountability_item", id)
            .with_detail(serde_json::json!({"from": from, "to": status, "note": note})),
    )
    .await?;
    txn.commit().await?;
    Ok(item)
}

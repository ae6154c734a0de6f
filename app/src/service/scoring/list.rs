//! The score list leadership reads, in the caller's scope.

use entities::Role;
use sea_orm::ConnectionTrait;

use super::{
    model::{ScoreFilter, ScoreView, SubjectKey},
    store::list::{self as store, Visible},
};
use crate::{
    error::AppResult,
    service::{Actor, Page, Paged},
};

/// Roles that read scores.
const READERS: &[Role] = &[
    Role::Admin,
    Role::Supervisor,
    Role::Leader,
    Role::Department,
];

/// Lists scores the caller may see, best first: supervisors, leaders and admins
/// their region; a department its own row and its jurisdiction's enterprises.
///
/// # Errors
/// 403 for inspectors; when the database fails.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &ScoreFilter,
    page: Page,
) -> AppResult<Paged<ScoreView>> {
    actor.require(READERS, "read scores")?;
    let visible = match actor.role {
        Role::Department => Visible::Department {
            id: actor.department_id.unwrap_or(-1),
            jurisdiction: actor,
        },
        _ => Visible::InScope(actor),
    };
    let scores = store::list(db, &visible, filter, page).await?;
    let names = store::names(db, &scores.items).await?;
    Ok(scores.map(|score| {
        let subject = SubjectKey {
            kind: score.subject_kind,
            id: score.subject_id,
        };
        ScoreView {
            name: names.get(&subject).cloned().unwrap_or_default(),
            score,
        }
    }))
}

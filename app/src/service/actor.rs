//! Who is asking, and what their role and region let them do (分级属地).

use entities::Role;
use sea_orm::{ColumnTrait, Condition, sea_query::SimpleExpr};

use crate::{
    domain::region_code::prefix_of,
    error::{AppError, AppResult},
};

/// The authenticated caller, as the service layer sees it.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user's id; `None` for the system itself (jobs, CLI).
    pub user_id: Option<i64>,
    /// The username, or `system`.
    pub username: String,
    /// The user's role.
    pub role: Role,
    /// The user's department, if any.
    pub department_id: Option<i64>,
    /// The region code of the user's department; `None` is national scope.
    pub region_code: Option<String>,
    /// Where the request came from, for the audit log.
    pub source_addr: Option<String>,
}

/// What a role may do with a kind of object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    /// Read it.
    Read,
    /// Create, change or delete it.
    Write,
}

impl Actor {
    /// The system itself, national in scope, acting for the CLI and scheduled jobs.
    #[must_use]
    pub fn system() -> Self {
        Self {
            user_id: None,
            username: "system".to_owned(),
            role: Role::Admin,
            department_id: None,
            region_code: None,
            source_addr: None,
        }
    }

    /// The role to record in the audit log: none for a caller who has not
    /// proven who they are (a failed login), even one who typed `system`.
    #[must_use]
    pub fn audited_role(&self) -> Option<String> {
        let is_system =
            self.username == "system" && self.role == Role::Admin && self.source_addr.is_none();
        (self.user_id.is_some() || is_system).then(|| self.role.to_string())
    }

    /// The region-code prefix of this actor's scope; `None` is the whole country.
    #[must_use]
    pub fn scope_prefix(&self) -> Option<&str> {
        self.region_code.as_deref().map(prefix_of)
    }

    /// Whether a region lies in this actor's subtree.
    #[must_use]
    pub fn covers(&self, region_code: &str) -> bool {
        self.scope_prefix()
            .is_none_or(|prefix| region_code.starts_with(prefix))
    }

    /// Whether an object that may be national (no region) lies in scope: a
    /// national object is only in a national actor's scope.
    #[must_use]
    pub fn covers_opt(&self, region_code: Option<&str>) -> bool {
        match region_code {
            Some(code) => self.covers(code),
            None => self.scope_prefix().is_none(),
        }
    }

    /// A condition limiting `column` (a region code) to this actor's subtree.
    #[must_use]
    pub fn scope_condition(&self, column: impl ColumnTrait) -> Condition {
        match self.scope_prefix() {
            None => Condition::all(),
            Some(prefix) => Condition::all().add(starts_with(column, prefix)),
        }
    }

    /// Fails with 403 unless the role is one of `roles`.
    ///
    /// # Errors
    /// `Forbidden` naming the action.
    pub fn require(&self, roles: &[Role], action: &str) -> AppResult<()> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                format!("role '{}' may not {action}", self.role).into(),
            ))
        }
    }

    /// Fails with 403 unless the region is in scope; for objects being created,
    /// where the region code is the caller's own input.
    ///
    /// # Errors
    /// `Forbidden` naming the region.
    pub fn require_region(&self, region_code: &str) -> AppResult<()> {
        if self.covers(region_code) {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                format!("region {region_code} is outside your jurisdiction").into(),
            ))
        }
    }
}

/// `column LIKE 'prefix%'`, with the prefix bound as a value and matched literally.
#[must_use]
pub fn starts_with(column: impl ColumnTrait, prefix: &str) -> SimpleExpr {
    super::store_util::text_starts_with(column, prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(region: Option<&str>) -> Actor {
        Actor {
            region_code: region.map(str::to_owned),
            ..Actor::system()
        }
    }

    #[test]
    fn scope_is_the_region_subtree() {
        let province = actor(Some("130000"));
        assert!(province.covers("130000"));
        assert!(province.covers("130102"));
        assert!(!province.covers("110101"));
        let city = actor(Some("130100"));
        assert!(city.covers("130102"));
        assert!(!city.covers("130200"));
        assert!(!city.covers("130000"), "a city does not cover its province");
        let national = actor(None);
        assert!(national.covers("440300"));
    }

    #[test]
    fn national_objects_are_only_in_national_scope() {
        assert!(actor(None).covers_opt(None));
        assert!(!actor(Some("110000")).covers_opt(None));
    }
}

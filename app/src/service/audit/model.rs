//! The types the parts of the audit capability share.

use chrono::{DateTime, Utc};

/// Filters for listing audit entries.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Entries whose action starts with this, such as `auth.`.
    pub action: Option<String>,
    /// Entries by this username.
    pub actor: Option<String>,
    /// Entries about this kind of object.
    pub object_kind: Option<String>,
    /// Entries at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Entries before this time.
    pub until: Option<DateTime<Utc>>,
}

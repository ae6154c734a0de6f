//! The types accountability items are raised and listed with.

use entities::{
    AccountabilityReason, AccountabilityStatus, AccountableKind, EvidenceKind, SubjectKind,
    accountability_entry, accountability_item,
};

use crate::domain::{Period, RegionCode};

/// An item to raise.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NewItem {
    /// The period it is counted in: the month a duty fell due, or a score's period.
    pub period: String,
    /// Who is held to account.
    pub subject_kind: AccountableKind,
    /// The department's, inspector's or enterprise's id.
    pub subject_id: i64,
    /// Where, for scope.
    pub region_code: Option<RegionCode>,
    pub reason: AccountabilityReason,
    /// What the evidence is.
    pub evidence_kind: EvidenceKind,
    /// The evidence's id.
    pub evidence_id: i64,
}

impl NewItem {
    /// The item's unique key.
    #[must_use]
    pub fn key(&self) -> ItemKey {
        ItemKey {
            period: self.period.clone(),
            subject_kind: self.subject_kind,
            subject_id: self.subject_id,
            reason: self.reason,
            evidence_kind: self.evidence_kind,
            evidence_id: self.evidence_id,
        }
    }
}

/// The fields of a [`NewItem`] that make it unique: raising the same key
/// again adds nothing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ItemKey {
    pub period: String,
    pub subject_kind: AccountableKind,
    pub subject_id: i64,
    pub reason: AccountabilityReason,
    pub evidence_kind: EvidenceKind,
    pub evidence_id: i64,
}

/// Filters for listing items.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    /// Items counted in this period or any quarter or month inside it.
    pub period: Option<Period>,
    /// Lifecycle state.
    pub status: Option<AccountabilityStatus>,
    pub reason: Option<AccountabilityReason>,
    /// Departments, inspectors or enterprises.
    pub subject_kind: Option<AccountableKind>,
}

/// The accountable kind of a score subject.
#[must_use]
pub fn accountable_kind(kind: SubjectKind) -> AccountableKind {
    match kind {
        SubjectKind::Department => AccountableKind::Department,
        SubjectKind::Enterprise => AccountableKind::Enterprise,
    }
}

/// An item as callers read it: the names of its unit and region, its
/// history, and what its evidence is.
#[derive(Debug, Clone)]
pub struct ItemView {
    /// The stored item.
    pub item: accountability_item::Model,
    /// The unit's name (an inspector's with the badge number).
    pub subject_name: Option<String>,
    /// The region's name.
    pub region_name: Option<String>,
    /// Every step it took, oldest first.
    pub history: Vec<accountability_entry::Model>,
    /// What the evidence is.
    pub evidence: EvidenceView,
}

/// An item's evidence as callers read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvidenceView {
    /// What it is.
    pub kind: EvidenceKind,
    /// Its id.
    pub id: i64,
    /// The incident, for evidence that is an incident or one of its reports.
    pub incident_id: Option<i64>,
    /// Whether it rests on a report entered afterwards (补录): the report
    /// itself, or any report of the incident.
    pub backfilled: bool,
}

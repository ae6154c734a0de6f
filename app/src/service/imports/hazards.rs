//! stub
pub(super) const COLUMNS: &[super::columns::Column] = super::enterprises::COLUMNS;
pub(super) type Hazards = super::enterprises::Enterprises;

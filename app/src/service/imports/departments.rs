//! stub
pub(super) const COLUMNS: &[super::columns::Column] = super::enterprises::COLUMNS;
pub(super) type Departments = super::enterprises::Enterprises;

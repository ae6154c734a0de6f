//! spotcheck.

//! Demo data.

pub mod regions;

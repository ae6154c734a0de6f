//! The demo data set (`spotcheck demo`, `serve --demo`): real GB/T 2260 regions
//! of three provinces, emergency-management departments at every level,
//! enterprises, inspectors with their qualifications and conflicts, one user
//! per role, indicator sets for departments and for enterprises, and a check
//! plan for each.
//!
//! Everything here is pure: the generators turn a seed into plain rows, so one
//! seed always yields the same data set. [`crate::service::demo`] writes them.

pub mod departments;
pub mod enterprises;
pub mod indicators;
pub mod inspectors;
pub mod names;
pub mod placement;
pub mod plans;
pub mod regions;
pub mod users;

use rand::SeedableRng as _;
use rand_chacha::ChaCha20Rng;

/// The independent random streams of one seed, one per kind of row, so that
/// adding enterprises never changes the inspectors, and so on.
pub mod stream {
    /// Enterprises, generated one after another.
    pub const ENTERPRISES: u64 = 1;
    /// Inspectors.
    pub const INSPECTORS: u64 = 2;
    /// Conflict `j` uses stream `CONFLICTS + j`.
    pub const CONFLICTS: u64 = 1_000;
}

/// The ChaCha20 generator of `stream` for `seed`.
#[must_use]
pub fn rng(seed: u64, stream: u64) -> ChaCha20Rng {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

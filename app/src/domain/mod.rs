//! Pure domain rules over plain values: no database, no async.

pub mod accountability;
pub mod china_time;
pub mod credit_code;
pub mod draw;
pub mod hazard_state;
pub mod lockout;
pub mod password;
pub mod period;
pub mod region_code;
pub mod reporting;
pub mod scoring;
pub mod severity;
pub mod task_state;
pub mod vocab;
pub mod workdays;

pub use credit_code::CreditCode;
pub use period::Period;
pub use region_code::RegionCode;

//! The words files use for the closed vocabularies: the tables of
//! [`crate::domain::vocab`].

pub use crate::domain::vocab::{
    CREDIT_CLASSES, DEPARTMENT_KINDS, ENTERPRISE_STATUSES as STATUSES, HAZARD_GRADES,
    HOLIDAY_KINDS, INDUSTRIES, RISK_LEVELS, zh,
};

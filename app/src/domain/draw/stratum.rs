//! Strata: enterprises by risk level, departments by region level.

use entities::{RegionLevel, RiskLevel};
use serde::{Deserialize, Serialize};

/// A stratum: enterprises by risk level, departments by region level. Strata are
/// drawn in this order, riskiest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stratum {
    /// 重大风险 (red).
    Major,
    /// 较大风险 (orange).
    High,
    /// 一般风险 (yellow).
    Moderate,
    /// 低风险 (blue).
    Low,
    /// A provincial department.
    Province,
    /// A city department.
    City,
    /// A county department.
    County,
}

impl Stratum {
    /// Every stratum, in draw order.
    pub const ALL: [Self; 7] = [
        Self::Major,
        Self::High,
        Self::Moderate,
        Self::Low,
        Self::Province,
        Self::City,
        Self::County,
    ];

    /// The names, for messages.
    pub const NAMES: &'static str = "major, high, moderate, low, province, city, county";

    /// The name used in `ratios` and in snapshots.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Major => "major",
            Self::High => "high",
            Self::Moderate => "moderate",
            Self::Low => "low",
            Self::Province => "province",
            Self::City => "city",
            Self::County => "county",
        }
    }

    /// The stratum of a name; `None` for anything else.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl std::fmt::Display for Stratum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<RiskLevel> for Stratum {
    fn from(level: RiskLevel) -> Self {
        match level {
            RiskLevel::Major => Self::Major,
            RiskLevel::High => Self::High,
            RiskLevel::Moderate => Self::Moderate,
            RiskLevel::Low => Self::Low,
        }
    }
}

impl From<RegionLevel> for Stratum {
    fn from(level: RegionLevel) -> Self {
        match level {
            RegionLevel::Province => Self::Province,
            RegionLevel::City => Self::City,
            RegionLevel::County => Self::County,
        }
    }
}

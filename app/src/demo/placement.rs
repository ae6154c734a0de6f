//! Where the demo enterprises are and what they are like: industry shares,
//! risk and credit distributions, and which county-level regions host each
//! industry (coal only around 唐山, fishing only on the coast, and so on).

use entities::{CreditClass, Industry, RiskLevel};

/// Each industry's share of every 50 enterprises: hazardous chemicals 20 %,
/// non-coal mines 12 %, coal mines 4 %, fireworks 6 %, transport 18 %,
/// metal smelting 12 %, fishery 4 %, other 24 %.
pub const INDUSTRY_SLOTS: &[(Industry, usize)] = &[
    (Industry::HazardousChemicals, 10),
    (Industry::NonCoalMine, 6),
    (Industry::CoalMine, 2),
    (Industry::Fireworks, 3),
    (Industry::Transport, 9),
    (Industry::MetalSmelting, 6),
    (Industry::Fishery, 2),
    (Industry::Other, 12),
];

/// Risk levels in the order of the weights of [`risk_weights`].
pub const RISK_LEVELS: [RiskLevel; 4] = [
    RiskLevel::Major,
    RiskLevel::High,
    RiskLevel::Moderate,
    RiskLevel::Low,
];

/// Percentages of major / high / moderate / low risk within an industry; over
/// the industry mix this comes to roughly 5 / 16 / 40 / 39.
#[must_use]
pub fn risk_weights(industry: Industry) -> [u32; 4] {
    match industry {
        Industry::HazardousChemicals | Industry::CoalMine => [10, 25, 40, 25],
        Industry::NonCoalMine => [5, 17, 43, 35],
        Industry::Fireworks => [6, 20, 44, 30],
        Industry::Transport => [3, 12, 40, 45],
        Industry::MetalSmelting => [6, 18, 46, 30],
        Industry::Fishery => [2, 10, 38, 50],
        Industry::Other => [2, 8, 35, 55],
    }
}

/// Credit classes and their shares in percent.
pub const CREDIT_CLASSES: &[(CreditClass, u32)] = &[
    (CreditClass::A, 30),
    (CreditClass::B, 45),
    (CreditClass::C, 18),
    (CreditClass::D, 7),
];

/// Every county-level region that hosts enterprises (the counties, and 东莞, a
/// city without counties), weighted by how much industry it has.
#[rustfmt::skip]
pub const GENERAL: &[(&str, u32)] = &[
    // 北京: industry has largely moved out of the centre.
    ("110101", 1), ("110102", 1), ("110105", 4), ("110106", 3), ("110107", 1), ("110108", 3),
    ("110109", 1), ("110111", 4), ("110112", 3), ("110113", 4), ("110114", 3), ("110115", 4),
    ("110116", 2), ("110117", 2), ("110118", 2), ("110119", 1),
    // 石家庄
    ("130102", 3), ("130104", 2), ("130105", 3), ("130108", 2), ("130109", 8), ("130110", 6),
    ("130111", 5), ("130123", 5), ("130181", 6), ("130183", 5),
    // 唐山
    ("130202", 3), ("130203", 3), ("130204", 5), ("130205", 5), ("130207", 9), ("130208", 8),
    ("130209", 9), ("130281", 6), ("130283", 9),
    // 保定
    ("130602", 3), ("130606", 3), ("130607", 4), ("130608", 4), ("130609", 5), ("130681", 5),
    ("130683", 3), ("130684", 4),
    // 沧州
    ("130902", 3), ("130903", 3), ("130921", 6), ("130922", 5), ("130981", 6), ("130982", 7),
    ("130983", 8), ("130984", 5),
    // 广州
    ("440103", 3), ("440104", 1), ("440105", 2), ("440106", 2), ("440111", 6), ("440112", 7),
    ("440113", 6), ("440114", 6), ("440115", 7), ("440117", 4), ("440118", 6),
    // 深圳
    ("440303", 1), ("440304", 1), ("440305", 3), ("440306", 8), ("440307", 8), ("440308", 2),
    ("440309", 5), ("440310", 4), ("440311", 4),
    // 佛山
    ("440604", 4), ("440605", 9), ("440606", 9), ("440607", 6), ("440608", 5),
    // 江门
    ("440703", 4), ("440704", 4), ("440705", 6), ("440781", 5), ("440783", 4), ("440784", 5),
    ("440785", 3),
    // 东莞
    ("441900", 12),
];

/// Urban cores where fireworks may not be stored or sold.
#[rustfmt::skip]
const URBAN_CORES: &[&str] = &[
    "110101", "110102", "110105", "110106", "110107", "110108", "130102", "130104", "130105",
    "130108", "130202", "130203", "130602", "130606", "130902", "130903", "440103", "440104",
    "440105", "440106", "440303", "440304", "440305",
];

/// Extra weight for hazardous chemicals in chemical parks and refineries
/// (藁城, 渤海新区/黄骅, 曹妃甸, 任丘, 南沙, 黄埔, 燕山/房山 …).
#[rustfmt::skip]
const CHEMICAL_PARKS: &[(&str, u32)] = &[
    ("130109", 10), ("130983", 10), ("130209", 8), ("130982", 6), ("130921", 4), ("130922", 3),
    ("130207", 4), ("440115", 8), ("440112", 6), ("440705", 4), ("440608", 3), ("440607", 2),
    ("110111", 6),
];

/// Coal mines: the 开滦 mines around 唐山 (古冶, 开平, 丰润, 路南).
const COAL: &[(&str, u32)] = &[("130204", 5), ("130205", 4), ("130208", 2), ("130202", 1)];

/// Metal and non-metal mines and quarries.
#[rustfmt::skip]
const NON_COAL: &[(&str, u32)] = &[
    ("130283", 8), ("130281", 6), ("130110", 4), ("130607", 3), ("130204", 2), ("130208", 2),
    ("110111", 3), ("110109", 1), ("110118", 2), ("110116", 2), ("110117", 1), ("440117", 3),
    ("440118", 2), ("440781", 3), ("440783", 3), ("440785", 3), ("440784", 3), ("440608", 2),
    ("440607", 2), ("440114", 2),
];

/// Steel around 唐山, castings in 泊头, aluminium in 佛山 and so on.
#[rustfmt::skip]
const METAL: &[(&str, u32)] = &[
    ("130283", 10), ("130207", 10), ("130208", 6), ("130209", 8), ("130281", 5), ("130204", 3),
    ("130205", 2), ("130981", 6), ("130983", 3), ("130607", 2), ("130609", 2), ("130110", 2),
    ("130183", 2), ("130181", 3), ("440605", 8), ("440606", 6), ("440607", 3), ("440608", 2),
    ("440705", 4), ("440784", 3), ("440703", 2), ("440118", 2), ("440114", 3), ("440111", 2),
    ("441900", 6), ("440306", 3), ("440307", 2), ("110111", 1),
];

/// Fishing ports on the Bohai coast and the Pearl River estuary.
#[rustfmt::skip]
const FISHERY: &[(&str, u32)] = &[
    ("130209", 5), ("130207", 3), ("130983", 6), ("440115", 4), ("440781", 6), ("440785", 2),
    ("440705", 3), ("440308", 1), ("440306", 1), ("440113", 1),
];

/// The regions that host an industry, with their weights.
#[must_use]
pub fn region_weights(industry: Industry) -> Vec<(&'static str, u32)> {
    match industry {
        Industry::CoalMine => COAL.to_vec(),
        Industry::NonCoalMine => NON_COAL.to_vec(),
        Industry::MetalSmelting => METAL.to_vec(),
        Industry::Fishery => FISHERY.to_vec(),
        Industry::Fireworks => GENERAL
            .iter()
            .filter(|(code, _)| !URBAN_CORES.contains(code))
            .copied()
            .collect(),
        Industry::HazardousChemicals => GENERAL
            .iter()
            .map(|&(code, weight)| {
                let extra = CHEMICAL_PARKS
                    .iter()
                    .find(|(park, _)| *park == code)
                    .map_or(0, |(_, extra)| *extra);
                (code, weight + extra)
            })
            .collect(),
        Industry::Transport | Industry::Other => GENERAL.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::regions::REGIONS;
    use std::collections::HashSet;

    /// Regions without children: the counties and 东莞.
    fn leaves() -> HashSet<&'static str> {
        REGIONS
            .iter()
            .filter(|r| !REGIONS.iter().any(|c| c.parent == Some(r.code)))
            .map(|r| r.code)
            .collect()
    }

    #[test]
    fn general_weights_cover_every_leaf_region_once() {
        let listed: Vec<_> = GENERAL.iter().map(|(code, _)| *code).collect();
        let unique: HashSet<_> = listed.iter().copied().collect();
        assert_eq!(unique.len(), listed.len(), "a region is listed twice");
        assert_eq!(unique, leaves());
    }

    #[test]
    fn every_industry_is_placed_in_leaf_regions_only() {
        let leaves = leaves();
        for industry in Industry::ALL {
            let weights = region_weights(*industry);
            assert!(!weights.is_empty(), "{industry} has nowhere to go");
            for (code, weight) in weights {
                assert!(
                    leaves.contains(code),
                    "{industry}: {code} is not a leaf region"
                );
                assert!(weight > 0, "{industry}: {code} has weight 0");
            }
        }
    }

    #[test]
    fn coal_is_only_in_hebei() {
        assert!(
            region_weights(Industry::CoalMine)
                .iter()
                .all(|(code, _)| code.starts_with("13"))
        );
    }

    #[test]
    fn shares_fill_fifty_slots_and_name_every_industry() {
        assert_eq!(INDUSTRY_SLOTS.iter().map(|(_, n)| n).sum::<usize>(), 50);
        for industry in Industry::ALL {
            assert!(
                INDUSTRY_SLOTS.iter().any(|(i, n)| i == industry && *n > 0),
                "{industry}"
            );
        }
        for industry in Industry::ALL {
            assert_eq!(
                risk_weights(*industry).iter().sum::<u32>(),
                100,
                "{industry}"
            );
        }
        assert_eq!(CREDIT_CLASSES.iter().map(|(_, w)| w).sum::<u32>(), 100);
    }
}

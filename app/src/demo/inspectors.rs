//! The demo inspectors (执法检查人员) and their conflicts of interest (回避).

use std::collections::{HashMap, HashSet};

use anyhow::Context as _;
use entities::Industry;
use rand::{
    RngExt as _, distr::Distribution as _, distr::weighted::WeightedIndex, seq::IndexedRandom as _,
};
use rand_chacha::ChaCha20Rng;

use super::{
    departments, enterprises::DemoEnterprise, names, placement, regions::REGIONS, rng, stream,
};
use crate::domain::region_code::prefix_of;

/// How many inspectors the data set has.
pub const INSPECTOR_COUNT: usize = 300;
/// How many conflicts the data set has once it holds enough enterprises.
pub const CONFLICT_COUNT: usize = 30;
/// Conflict `j` concerns one of enterprises `10j .. 10j+9`, so the first 300
/// enterprises carry them all and a larger data set never adds or moves any.
const CONFLICT_WINDOW: usize = 10;
/// The region of the first inspector, who is linked to the `inspector` user.
pub const LINKED_INSPECTOR_REGION: &str = "130100";

/// One generated inspector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoInspector {
    /// 执法证号: the region code, `19` and a serial within the region.
    pub badge_no: String,
    /// Full name.
    pub name: String,
    /// The region of the inspector's department.
    pub region_code: &'static str,
    /// Code of the emergency-management department of that region.
    pub department_code: String,
    /// Qualified industries, one to three, sorted.
    pub industries: Vec<Industry>,
    /// About 95 % are active.
    pub active: bool,
}

/// One generated conflict: an inspector and an enterprise in their jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConflict {
    /// Badge number of the inspector.
    pub badge_no: String,
    /// Index of the enterprise in the generated list.
    pub enterprise_index: usize,
    /// 回避事由.
    pub reason: &'static str,
}

/// Regions with a department, weighted: mostly counties and cities, some provinces.
fn inspector_regions() -> (Vec<&'static str>, Vec<u32>) {
    REGIONS
        .iter()
        .filter(|r| departments::has_department(r.code))
        .map(|r| {
            let weight = match r.code {
                c if c.ends_with("0000") => 6,
                c if c.ends_with("00") => 8,
                _ => 2,
            };
            (r.code, weight)
        })
        .unzip()
}

/// Generates the inspectors for `seed`; the first works for 石家庄市应急管理局.
///
/// # Errors
/// Only if the built-in weights are malformed.
pub fn generate(seed: u64) -> anyhow::Result<Vec<DemoInspector>> {
    let mut rng = rng(seed, stream::INSPECTORS);
    let (codes, weights) = inspector_regions();
    let regions = WeightedIndex::new(weights).context("Failed to weigh inspector regions")?;
    let surnames = WeightedIndex::new(names::SURNAMES.iter().map(|(_, w)| *w))
        .context("Failed to weigh surnames")?;
    let mut serials: HashMap<&str, usize> = HashMap::new();
    let mut taken = HashSet::new();
    let mut out = Vec::with_capacity(INSPECTOR_COUNT);
    for index in 0..INSPECTOR_COUNT {
        let region_code = if index == 0 {
            LINKED_INSPECTOR_REGION
        } else {
            codes
                .get(regions.sample(&mut rng))
                .copied()
                .unwrap_or(LINKED_INSPECTOR_REGION)
        };
        let serial = serials.entry(region_code).or_default();
        *serial += 1;
        let name = unique_person_name(&mut rng, &surnames, &mut taken);
        let industries = qualifications(&mut rng, region_code)?;
        let active = index == 0 || rng.random_bool(0.95);
        out.push(DemoInspector {
            badge_no: format!("{region_code}19{serial:03}"),
            name,
            region_code,
            department_code: departments::em_code(region_code),
            industries,
            active,
        });
    }
    Ok(out)
}

/// A surname and a one- or two-character given name, not used before.
fn unique_person_name(
    rng: &mut ChaCha20Rng,
    surnames: &WeightedIndex<u32>,
    taken: &mut HashSet<String>,
) -> String {
    loop {
        let surname = names::SURNAMES
            .get(surnames.sample(rng))
            .map_or("王", |(s, _)| *s);
        let mut name = surname.to_owned();
        let length = if rng.random_bool(0.35) { 1 } else { 2 };
        for _ in 0..length {
            name.push_str(names::GIVEN_NAME_CHARS.choose(rng).copied().unwrap_or("明"));
        }
        if taken.insert(name.clone()) {
            return name;
        }
    }
}

/// One to three industries, in proportion to how common they are, among those
/// present in the inspector's province.
fn qualifications(rng: &mut ChaCha20Rng, region_code: &str) -> anyhow::Result<Vec<Industry>> {
    let province = region_code.get(..2).unwrap_or_default();
    let present: Vec<(Industry, usize)> = placement::INDUSTRY_SLOTS
        .iter()
        .copied()
        .filter(|(industry, _)| {
            placement::region_weights(*industry)
                .iter()
                .any(|(code, _)| code.starts_with(province))
        })
        .collect();
    let weights = WeightedIndex::new(present.iter().map(|(_, n)| *n))
        .context("Failed to weigh qualifications")?;
    let wanted = match rng.random_range(0..10) {
        0..4 => 1,
        4..8 => 2,
        _ => 3,
    };
    let mut chosen = Vec::with_capacity(wanted);
    while chosen.len() < wanted.min(present.len()) {
        if let Some((industry, _)) = present.get(weights.sample(rng))
            && !chosen.contains(industry)
        {
            chosen.push(*industry);
        }
    }
    chosen.sort_by_key(|i| i.as_str());
    Ok(chosen)
}

/// The conflicts among the given enterprises: conflict `j` is drawn from its
/// own random stream, so whether and how it exists depends only on the seed
/// and on enterprise `10j..10j+9` being generated.
#[must_use]
pub fn conflicts(
    seed: u64,
    enterprises: &[DemoEnterprise],
    inspectors: &[DemoInspector],
) -> Vec<DemoConflict> {
    let mut out = Vec::new();
    for j in 0..CONFLICT_COUNT {
        let mut rng = rng(seed, stream::CONFLICTS + j as u64);
        let enterprise_index = j * CONFLICT_WINDOW + rng.random_range(0..CONFLICT_WINDOW);
        let Some(enterprise) = enterprises.get(enterprise_index) else {
            continue;
        };
        let covering: Vec<&DemoInspector> = inspectors
            .iter()
            .filter(|i| enterprise.region_code.starts_with(prefix_of(i.region_code)))
            .collect();
        let candidates = if covering.is_empty() {
            let province = enterprise.region_code.get(..2).unwrap_or_default();
            inspectors
                .iter()
                .filter(|i| i.region_code.starts_with(province))
                .collect()
        } else {
            covering
        };
        let (Some(inspector), Some(reason)) = (
            candidates.choose(&mut rng),
            names::CONFLICT_REASONS.choose(&mut rng),
        ) else {
            continue;
        };
        out.push(DemoConflict {
            badge_no: inspector.badge_no.clone(),
            enterprise_index,
            reason,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::enterprises;

    fn inspectors() -> Vec<DemoInspector> {
        generate(2019).unwrap_or_default()
    }

    #[test]
    fn badges_and_names_are_unique_and_the_first_is_in_shijiazhuang() {
        let all = inspectors();
        assert_eq!(all.len(), INSPECTOR_COUNT);
        let badges: HashSet<_> = all.iter().map(|i| i.badge_no.as_str()).collect();
        assert_eq!(badges.len(), all.len());
        let names: HashSet<_> = all.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names.len(), all.len());
        assert_eq!(
            all.first().map(|i| i.badge_no.as_str()),
            Some("13010019001")
        );
        assert_eq!(
            all.first().map(|i| i.department_code.as_str()),
            Some("EM-130100")
        );
    }

    #[test]
    fn qualifications_are_one_to_three_and_mostly_active() {
        let all = inspectors();
        assert!(all.iter().all(|i| (1..=3).contains(&i.industries.len())));
        assert!(all.iter().all(
            |i| i.region_code.starts_with("13") || !i.industries.contains(&Industry::CoalMine)
        ));
        let active = all.iter().filter(|i| i.active).count();
        assert!((270..300).contains(&active), "{active} active");
    }

    #[test]
    fn every_province_has_an_active_inspector_for_each_of_its_industries() {
        let all = inspectors();
        for province in ["11", "13", "44"] {
            for industry in Industry::ALL {
                let present = placement::region_weights(*industry)
                    .iter()
                    .any(|(code, _)| code.starts_with(province));
                let qualified = all.iter().any(|i| {
                    i.active
                        && i.region_code.starts_with(province)
                        && i.industries.contains(industry)
                });
                assert!(!present || qualified, "{province}: nobody for {industry}");
            }
        }
    }

    #[test]
    fn conflicts_stay_in_the_jurisdiction_and_do_not_depend_on_the_count() {
        let all = inspectors();
        let many = enterprises::generate(2019, 5_000).unwrap_or_default();
        let found = conflicts(2019, &many, &all);
        assert_eq!(found.len(), CONFLICT_COUNT);
        for c in &found {
            let inspector = all.iter().find(|i| i.badge_no == c.badge_no);
            let enterprise = many.get(c.enterprise_index);
            assert!(
                inspector
                    .zip(enterprise)
                    .is_some_and(|(i, e)| e.region_code.get(..2) == i.region_code.get(..2))
            );
        }
        let few = conflicts(2019, many.get(..100).unwrap_or_default(), &all);
        assert_eq!(few.as_slice(), found.get(..10).unwrap_or_default());
    }
}

//! The demo enterprises: generated one after another from the seed, so that
//! enterprise `i` is the same whatever the number asked for.

use std::collections::{HashMap, HashSet};

use anyhow::Context as _;
use entities::{CreditClass, EnterpriseStatus, Industry, RiskLevel};
use rand::{
    RngExt as _, distr::Distribution as _, distr::weighted::WeightedIndex, seq::IndexedRandom as _,
    seq::SliceRandom as _,
};
use rand_chacha::ChaCha20Rng;

use super::{names, placement, regions::REGIONS, rng, stream};
use crate::domain::CreditCode;

/// The most enterprises a demo data set may have; organisation codes stay unique below it.
pub const MAX_ENTERPRISES: usize = 1_000_000;

/// The 31 characters of GB 32100-2015 codes.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of the GB 11714 organisation-code check digit.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// One generated enterprise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoEnterprise {
    /// Valid 18-character unified social credit code.
    pub credit_code: String,
    /// Registered name, such as `藁城区恒泰化工有限公司`.
    pub name: String,
    /// Sector.
    pub industry: Industry,
    /// County-level region code.
    pub region_code: &'static str,
    /// 安全风险等级.
    pub risk_level: RiskLevel,
    /// 信用风险分类.
    pub credit_class: CreditClass,
    /// 重点监管: every major-risk enterprise and about 30 % of the high-risk ones.
    pub key_supervision: bool,
    /// About 2 % are suspended.
    pub status: EnterpriseStatus,
}

/// Weighted pickers built once per data set.
struct Pickers {
    regions: HashMap<Industry, (Vec<&'static str>, WeightedIndex<u32>)>,
    risk: HashMap<Industry, WeightedIndex<u32>>,
    credit: WeightedIndex<u32>,
    forms: WeightedIndex<u32>,
    region_names: HashMap<&'static str, &'static str>,
}

impl Pickers {
    fn new() -> anyhow::Result<Self> {
        let mut regions = HashMap::new();
        let mut risk = HashMap::new();
        for &industry in Industry::ALL {
            let (codes, weights): (Vec<_>, Vec<_>) =
                placement::region_weights(industry).into_iter().unzip();
            let index = WeightedIndex::new(weights)
                .with_context(|| format!("Failed to weigh the regions of {industry}"))?;
            regions.insert(industry, (codes, index));
            let index = WeightedIndex::new(placement::risk_weights(industry))
                .with_context(|| format!("Failed to weigh the risk levels of {industry}"))?;
            risk.insert(industry, index);
        }
        let credit = WeightedIndex::new(placement::CREDIT_CLASSES.iter().map(|(_, w)| *w))
            .context("Failed to weigh the credit classes")?;
        let forms = WeightedIndex::new(names::COMPANY_FORMS.iter().map(|(_, w)| *w))
            .context("Failed to weigh the company forms")?;
        let region_names = REGIONS.iter().map(|r| (r.code, r.name)).collect();
        Ok(Self {
            regions,
            risk,
            credit,
            forms,
            region_names,
        })
    }
}

/// The industries of one cycle of 50 enterprises: one of each industry first,
/// so that any 8 consecutive from a cycle's start cover every industry, then
/// the rest of the shares, each part shuffled.
fn industry_cycle(rng: &mut ChaCha20Rng) -> Vec<Industry> {
    let mut head: Vec<Industry> = placement::INDUSTRY_SLOTS.iter().map(|(i, _)| *i).collect();
    let mut tail: Vec<Industry> = placement::INDUSTRY_SLOTS
        .iter()
        .flat_map(|&(industry, n)| std::iter::repeat_n(industry, n.saturating_sub(1)))
        .collect();
    head.shuffle(rng);
    tail.shuffle(rng);
    head.extend(tail);
    head
}

/// Generates the first `count` enterprises of the data set for `seed`.
///
/// # Errors
/// When `count` exceeds [`MAX_ENTERPRISES`].
pub fn generate(seed: u64, count: usize) -> anyhow::Result<Vec<DemoEnterprise>> {
    anyhow::ensure!(
        count <= MAX_ENTERPRISES,
        "the demo data set has at most {MAX_ENTERPRISES} enterprises"
    );
    let pickers = Pickers::new()?;
    let mut rng = rng(seed, stream::ENTERPRISES);
    let mut out = Vec::with_capacity(count);
    let mut taken_names = HashSet::with_capacity(count);
    let cycle_len: usize = placement::INDUSTRY_SLOTS.iter().map(|(_, n)| n).sum();
    let mut cycle = Vec::new();
    for index in 0..count {
        let position = index % cycle_len.max(1);
        if position == 0 {
            cycle = industry_cycle(&mut rng);
        }
        let industry = cycle.get(position).copied().unwrap_or(Industry::Other);
        out.push(enterprise(
            &pickers,
            &mut rng,
            &mut taken_names,
            index,
            industry,
        )?);
    }
    Ok(out)
}

fn enterprise(
    pickers: &Pickers,
    rng: &mut ChaCha20Rng,
    taken_names: &mut HashSet<String>,
    index: usize,
    industry: Industry,
) -> anyhow::Result<DemoEnterprise> {
    let region_code = pickers
        .regions
        .get(&industry)
        .and_then(|(codes, weights)| codes.get(weights.sample(rng)).copied())
        .context("Failed to place an enterprise")?;
    let region_name = pickers
        .region_names
        .get(region_code)
        .copied()
        .unwrap_or_default();
    let name = unique_name(
        pickers,
        rng,
        taken_names,
        region_code,
        region_name,
        industry,
    );
    let credit_code = credit_code(rng, index, region_code)?;
    let risk_level = pickers
        .risk
        .get(&industry)
        .and_then(|w| placement::RISK_LEVELS.get(w.sample(rng)).copied())
        .unwrap_or(RiskLevel::Low);
    let credit_class = placement::CREDIT_CLASSES
        .get(pickers.credit.sample(rng))
        .map_or(CreditClass::B, |(class, _)| *class);
    let key_supervision = match risk_level {
        RiskLevel::Major => true,
        RiskLevel::High => rng.random_bool(0.3),
        RiskLevel::Moderate | RiskLevel::Low => false,
    };
    let status = if rng.random_bool(0.02) {
        EnterpriseStatus::Suspended
    } else {
        EnterpriseStatus::Active
    };
    Ok(DemoEnterprise {
        credit_code,
        name,
        industry,
        region_code,
        risk_level,
        credit_class,
        key_supervision,
        status,
    })
}

/// `<区县名><字号><行业词><组织形式>`, not used before in this data set. After
/// a few collisions the trade name doubles to four characters, which makes
/// collisions vanishingly rare; a serial is the last resort.
fn unique_name(
    pickers: &Pickers,
    rng: &mut ChaCha20Rng,
    taken: &mut HashSet<String>,
    region_code: &str,
    region_name: &str,
    industry: Industry,
) -> String {
    let regional = names::regional_trade_names(region_code);
    let words = names::industry_words(industry);
    for attempt in 0..64 {
        let mut trade = pick_trade_name(rng, regional).to_owned();
        if attempt >= 8 {
            trade.push_str(pick_trade_name(rng, regional));
        }
        let word = words.choose(rng).copied().unwrap_or("实业");
        let form = names::COMPANY_FORMS
            .get(pickers.forms.sample(rng))
            .map_or("有限公司", |(form, _)| *form);
        let name = format!("{region_name}{trade}{word}{form}");
        if taken.insert(name.clone()) {
            return name;
        }
    }
    let mut serial = taken.len();
    loop {
        let name = format!("{region_name}第{serial}实业有限公司");
        if taken.insert(name.clone()) {
            return name;
        }
        serial += 1;
    }
}

fn pick_trade_name(rng: &mut ChaCha20Rng, regional: &'static [&'static str]) -> &'static str {
    let list = if !regional.is_empty() && rng.random_bool(0.15) {
        regional
    } else {
        names::TRADE_NAMES
    };
    list.choose(rng).copied().unwrap_or("恒泰")
}

/// `91` (a company registered with market regulation), the region, a
/// nine-character organisation code unique to `index`, and the check character.
fn credit_code(rng: &mut ChaCha20Rng, index: usize, region_code: &str) -> anyhow::Result<String> {
    let org = if rng.random_bool(0.75) {
        new_org_code(rng, index)
    } else {
        old_org_code(rng, index)
    };
    CreditCode::complete(&format!("91{region_code}{org}"))
        .map(|code| code.to_string())
        .with_context(|| format!("Failed to make a credit code for region {region_code}"))
}

/// A post-2015 code: `MA`, five characters that encode `index` through a
/// bijection of 0..31⁵ (so no two indices share them), two random characters.
fn new_org_code(rng: &mut ChaCha20Rng, index: usize) -> String {
    const SPACE: u64 = 31 * 31 * 31 * 31 * 31;
    let mut n = (index as u64 % SPACE * 7_368_787 + 1_234_567) % SPACE;
    let mut body = [b'0'; 5];
    for slot in body.iter_mut().rev() {
        *slot = ALPHABET[(n % 31) as usize];
        n /= 31;
    }
    let mut code = String::from("MA");
    code.extend(body.iter().map(|&b| char::from(b)));
    for _ in 0..2 {
        code.push(char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]));
    }
    code
}

/// A pre-2015 GB 11714 organisation code: eight digits, of which the last seven
/// encode `index` through a bijection of 0..10⁷, and their check character.
fn old_org_code(rng: &mut ChaCha20Rng, index: usize) -> String {
    const SPACE: u64 = 10_000_000;
    let n = (index as u64 % SPACE * 3_571_429 + 4_832_117) % SPACE;
    let body = format!("{}{n:07}", rng.random_range(1..=7u32));
    let sum: u32 = body
        .bytes()
        .zip(ORG_WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        c => char::from_digit(c, 10).unwrap_or('0'),
    };
    format!("{body}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_codes_parse_and_are_unique() {
        let all = generate(2019, 5_000).map_err(|e| e.to_string());
        let all = all.as_deref().unwrap_or_default();
        assert_eq!(all.len(), 5_000);
        let mut codes = HashSet::new();
        for e in all {
            let code = CreditCode::parse(&e.credit_code);
            assert!(code.is_ok(), "{} does not parse", e.credit_code);
            assert_eq!(
                code.map(|c| c.region().to_owned()).ok().as_deref(),
                Some(e.region_code)
            );
            assert!(
                codes.insert(e.credit_code.clone()),
                "{} repeats",
                e.credit_code
            );
        }
    }

    #[test]
    fn names_are_unique_and_start_with_the_county() {
        let all = generate(2019, 5_000).unwrap_or_default();
        let names: HashSet<_> = all.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names.len(), all.len());
        let first = all.first().map(|e| (e.name.clone(), e.region_code));
        assert!(first.is_some_and(|(name, code)| {
            REGIONS
                .iter()
                .any(|r| r.code == code && name.starts_with(r.name))
        }));
    }

    #[test]
    fn every_industry_appears_in_any_eight_and_the_mix_is_realistic() {
        let few = generate(7, 8).unwrap_or_default();
        for industry in Industry::ALL {
            assert!(
                few.iter().any(|e| e.industry == *industry),
                "{industry} missing"
            );
        }
        let all = generate(2019, 5_000).unwrap_or_default();
        let share = |f: &dyn Fn(&DemoEnterprise) -> bool| {
            all.iter().filter(|e| f(e)).count() as f64 / all.len() as f64
        };
        let major = share(&|e| e.risk_level == RiskLevel::Major);
        assert!((0.03..0.08).contains(&major), "major {major}");
        let low = share(&|e| e.risk_level == RiskLevel::Low);
        assert!((0.3..0.5).contains(&low), "low {low}");
        let d = share(&|e| e.credit_class == CreditClass::D);
        assert!((0.04..0.10).contains(&d), "D {d}");
        assert_eq!(
            share(&|e| e.risk_level == RiskLevel::Major && !e.key_supervision),
            0.0
        );
        assert!(
            all.iter()
                .filter(|e| e.industry == Industry::CoalMine)
                .all(|e| e.region_code.starts_with("1302"))
        );
    }

    #[test]
    fn enterprise_i_does_not_depend_on_the_count() {
        let short = generate(2019, 120).unwrap_or_default();
        let long = generate(2019, 500).unwrap_or_default();
        assert_eq!(short.as_slice(), long.get(..120).unwrap_or_default());
        assert_ne!(
            generate(2020, 120).unwrap_or_default(),
            short,
            "the seed matters"
        );
    }
}

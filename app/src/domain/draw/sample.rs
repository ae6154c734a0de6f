//! Steps 1–3: strata, sample sizes, key targets, the uniform share and the weighted rest.
//!
//! A target's weight depends only on its credit class and key flag, so each stratum's
//! pool is kept as eight lists, one per (class, key), each at first in id order. A
//! pick draws one number below the pool's total (its size for a uniform pick, the sum
//! of its weights for a weighted one), finds the list it falls in, and takes the entry
//! it points at, moving the list's last entry into the gap. Each weighted pick thus
//! takes a target with probability proportional to its weight among those left:
//! exactly the distribution of Efraimidis–Spirakis keys (`r^(1/w)`, largest first),
//! but with integers only, so a reimplementation in any language gets the same picks
//! bit for bit, with no logarithm or float rounding to disagree on, and each pick
//! costs O(1).

use entities::CreditClass;

use super::params::{PPM, Rules};
use super::seed::DrawRng;
use super::{DrawError, Selection, Stratum, Target};

/// A drawn target, by its index in the population.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Drawn {
    pub target: usize,
    pub selection: Selection,
}

/// Lists of a pool: (class A, not key), (A, key), (B, not key), … (D, key).
pub(crate) type Lists = [Vec<usize>; 8];

/// The list of a target: twice its class's rank (A = 0 … D = 3), plus 1 if key.
pub(crate) fn list_of(t: &Target) -> usize {
    let rank = match t.credit_class {
        CreditClass::A => 0,
        CreditClass::B => 1,
        CreditClass::C => 2,
        CreditClass::D => 3,
    };
    2 * rank + usize::from(t.key)
}

/// Draws the targets of every stratum, in draw order.
pub(crate) fn draw_targets(
    targets: &[Target],
    rules: &Rules,
    rng: &mut DrawRng<'_>,
) -> Result<Vec<Drawn>, DrawError> {
    let strata = gather(targets, rules)?;
    let units: [u64; 8] = std::array::from_fn(|l| rules.list_units(l));
    let mut drawn = Vec::new();
    for (stratum, (keys, mut lists)) in Stratum::ALL.into_iter().zip(strata) {
        drawn.extend(keys.into_iter().map(|target| Drawn {
            target,
            selection: Selection::Key,
        }));
        let size = lists.iter().map(Vec::len).sum();
        let n = sample_size(size, rules.ratio_ppm(stratum), rules.min_per_stratum);
        let uniform = uniform_count(n, rules.uniform_ppm);
        for k in 0..n {
            let (factors, selection) = if k < uniform {
                ([1; 8], Selection::Uniform)
            } else {
                (units, Selection::Weighted)
            };
            let target =
                take(&mut lists, &factors, rng).ok_or(DrawError::WeightOverflow(stratum))?;
            drawn.push(Drawn { target, selection });
        }
    }
    Ok(drawn)
}

/// Sorts the targets into strata in one pass, checking that their ids ascend: each
/// stratum's key targets taken whole (`key_all`), and the lists of its pool.
fn gather(targets: &[Target], rules: &Rules) -> Result<[(Vec<usize>, Lists); 7], DrawError> {
    let mut strata: [(Vec<usize>, Lists); 7] = Default::default();
    let mut previous = None;
    for (i, t) in targets.iter().enumerate() {
        if previous.is_some_and(|id| id >= t.id) {
            return Err(DrawError::TargetsNotSorted(t.id));
        }
        previous = Some(t.id);
        let stratum = Stratum::from_name(&t.stratum).ok_or(DrawError::UnknownStratum(t.id))?;
        let (keys, lists) = &mut strata[stratum as usize];
        if rules.key_all && t.key {
            keys.push(i);
        } else {
            lists[list_of(t)].push(i);
        }
    }
    Ok(strata)
}

/// Takes one target from the lists, each entry of list `l` counting `factors[l]`;
/// `None` when the lists are empty or their total overflows 64 bits.
pub(crate) fn take(lists: &mut Lists, factors: &[u64; 8], rng: &mut DrawRng<'_>) -> Option<usize> {
    let total = lists
        .iter()
        .zip(factors)
        .try_fold(0u64, |sum, (list, &f)| {
            sum.checked_add((list.len() as u64).checked_mul(f)?)
        })?;
    if total == 0 {
        return None;
    }
    let mut x = rng.uniform(total);
    for (list, &f) in lists.iter_mut().zip(factors) {
        let span = list.len() as u64 * f;
        if x < span {
            // x / f < list.len(), so the cast is exact.
            return Some(list.swap_remove((x / f) as usize));
        }
        x -= span;
    }
    None
}

/// `min(size, max(ceil(ratio × size), minimum))`, with the ratio in millionths.
pub(crate) fn sample_size(size: usize, ratio_ppm: u64, minimum: u64) -> usize {
    let size64 = size as u64;
    let by_ratio = (ratio_ppm * size64).div_ceil(PPM);
    // The result is at most `size`, so it fits.
    by_ratio.max(minimum).min(size64) as usize
}

/// `round(share × n)`, halves rounded up, with the share in millionths.
pub(crate) fn uniform_count(n: usize, share_ppm: u64) -> usize {
    // share ≤ 1, so the result is at most `n`.
    ((share_ppm * n as u64 + PPM / 2) / PPM) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_size_follows_ratio_minimum_and_size() {
        let cases = [
            // size, ratio, minimum, expected
            (100, 50_000, 1, 5, "5% of 100"),
            (101, 50_000, 1, 6, "5% of 101 rounds up"),
            (100, 70_000, 0, 7, "7% of 100 is 7, not 8 as f64 would say"),
            (10, 0, 3, 3, "no ratio: the minimum"),
            (2, 0, 3, 2, "the minimum is capped at the stratum size"),
            (0, 1_000_000, 3, 0, "an empty stratum"),
            (7, 1_000_000, 0, 7, "ratio 1 takes all"),
        ];
        for (size, ratio, minimum, expected, why) in cases {
            assert_eq!(sample_size(size, ratio, minimum), expected, "{why}");
        }
    }

    #[test]
    fn uniform_count_rounds_halves_up() {
        let cases = [
            (5, 200_000, 1),
            (7, 200_000, 1),
            (8, 200_000, 2),
            (5, 500_000, 3),
        ];
        for (n, share, expected) in cases {
            assert_eq!(uniform_count(n, share), expected, "{share} of {n}");
        }
        assert_eq!(uniform_count(9, PPM), 9);
        assert_eq!(uniform_count(9, 0), 0);
    }

    #[test]
    fn take_finds_the_list_a_number_falls_in_and_fills_the_gap_with_the_last() {
        let mut lists: Lists = Default::default();
        lists[0] = vec![10, 11, 12];
        lists[3] = vec![20, 21];
        // Uniform: 5 entries; weighted with 1 and 4: 3 + 8 = 11.
        let mut trace = Vec::new();
        let mut rng = DrawRng::new(3, Some(&mut trace));
        let weighted = [1, 1, 1, 4, 1, 1, 1, 1];
        let mut taken = Vec::new();
        while let Some(t) = take(&mut lists, &weighted, &mut rng) {
            taken.push(t);
        }
        taken.sort_unstable();
        assert_eq!(taken, [10, 11, 12, 20, 21], "each once");
        assert_eq!(trace[0].n, 11);
        let first = trace[0].value;
        let expected = if first < 3 {
            10 + first
        } else {
            20 + (first - 3) / 4
        };
        assert!(taken.contains(&(expected as usize)));
    }

    #[test]
    fn take_refuses_totals_that_overflow() {
        let mut lists: Lists = Default::default();
        lists[0] = vec![1, 2];
        let mut rng = DrawRng::new(0, None);
        assert_eq!(take(&mut lists, &[u64::MAX; 8], &mut rng), None);
        assert_eq!(lists[0].len(), 2, "nothing taken");
    }
}

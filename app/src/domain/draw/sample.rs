//! Steps 1–3: strata, sample sizes, key targets, the uniform share and the weighted rest.
//!
//! Weighted sampling without replacement is done draw by draw: each pick takes a
//! target with probability proportional to its weight among those not yet picked.
//! That is exactly the distribution of Efraimidis–Spirakis keys (`r^(1/w)`, largest
//! first), but it needs only integer arithmetic, so a reimplementation in any
//! language gets the same picks bit for bit, with no logarithm or float rounding
//! to disagree on.

use super::params::{PPM, Rules};
use super::seed::DrawRng;
use super::{DrawError, Selection, Target, stratum_rank};

/// A drawn target, by its index in the population.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Drawn {
    pub target: usize,
    pub selection: Selection,
}

/// Draws the targets of every stratum, in draw order.
pub(crate) fn draw_targets(
    targets: &[Target],
    rules: &Rules,
    rng: &mut DrawRng<'_>,
) -> Result<Vec<Drawn>, DrawError> {
    let mut drawn = Vec::new();
    for (name, members) in strata(targets) {
        let pool = if rules.key_all {
            let (keys, rest): (Vec<usize>, Vec<usize>) =
                members.into_iter().partition(|&i| targets[i].key);
            drawn.extend(keys.into_iter().map(|target| Drawn {
                target,
                selection: Selection::Key,
            }));
            rest
        } else {
            members
        };
        let n = sample_size(pool.len(), rules.ratio_ppm(name), rules.min_per_stratum);
        let uniform = uniform_count(n, rules.uniform_ppm);
        let weights: Vec<u64> = pool
            .iter()
            .map(|&i| rules.weight_units(targets[i].credit_class, targets[i].key))
            .collect();
        let mut by_weight =
            Fenwick::new(&weights).ok_or_else(|| DrawError::WeightOverflow(name.to_owned()))?;
        if uniform > 0 {
            let mut by_count = Fenwick::new(&vec![1; pool.len()])
                .ok_or_else(|| DrawError::WeightOverflow(name.to_owned()))?;
            for _ in 0..uniform {
                let j = rng.uniform(by_count.total());
                let at = by_count.find(j);
                by_count.subtract(at, 1);
                by_weight.subtract(at, weights[at]);
                drawn.push(Drawn {
                    target: pool[at],
                    selection: Selection::Uniform,
                });
            }
        }
        for _ in uniform..n {
            let x = rng.uniform(by_weight.total());
            let at = by_weight.find(x);
            by_weight.subtract(at, weights[at]);
            drawn.push(Drawn {
                target: pool[at],
                selection: Selection::Weighted,
            });
        }
    }
    Ok(drawn)
}

/// The strata in draw order (riskiest first, then other names in byte order), each
/// with its members' indices in id order.
fn strata(targets: &[Target]) -> Vec<(&str, Vec<usize>)> {
    let mut strata: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, target) in targets.iter().enumerate() {
        match strata.iter_mut().find(|(name, _)| *name == target.stratum) {
            Some((_, members)) => members.push(i),
            None => strata.push((&target.stratum, vec![i])),
        }
    }
    strata.sort_by(|a, b| (stratum_rank(a.0), a.0).cmp(&(stratum_rank(b.0), b.0)));
    strata
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

/// Prefix sums over non-negative integer weights, with removal and search
/// (a Fenwick tree). Positions count from 0.
struct Fenwick {
    /// 1-based: `tree[i]` holds the sum of positions `i - lowbit(i) .. i` (0-based).
    tree: Vec<u64>,
    total: u64,
}

impl Fenwick {
    /// `None` when the weights add up to more than `u64::MAX`.
    fn new(weights: &[u64]) -> Option<Self> {
        let total = weights
            .iter()
            .try_fold(0u64, |sum, &w| sum.checked_add(w))?;
        let mut tree = Vec::with_capacity(weights.len() + 1);
        tree.push(0);
        tree.extend_from_slice(weights);
        for i in 1..tree.len() {
            let parent = i + (i & i.wrapping_neg());
            if parent < tree.len() {
                // Every partial sum is at most `total`, so this cannot overflow.
                tree[parent] += tree[i];
            }
        }
        Some(Self { tree, total })
    }

    fn total(&self) -> u64 {
        self.total
    }

    /// The position `p` whose weight covers `x`: the sum of the weights before `p` is
    /// at most `x` and with `p`'s own weight exceeds it. Needs `x < total`.
    fn find(&self, mut x: u64) -> usize {
        let len = self.tree.len() - 1;
        let mut pos = 0;
        let mut step = if len == 0 { 0 } else { 1 << len.ilog2() };
        while step > 0 {
            let next = pos + step;
            if next <= len && self.tree[next] <= x {
                pos = next;
                x -= self.tree[next];
            }
            step >>= 1;
        }
        pos
    }

    /// Lowers position `at`'s weight by `w` (at most its weight).
    fn subtract(&mut self, at: usize, w: u64) {
        self.total -= w;
        let mut i = at + 1;
        while i < self.tree.len() {
            self.tree[i] -= w;
            i += i & i.wrapping_neg();
        }
    }
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
    fn fenwick_finds_the_position_covering_a_running_total() {
        let mut tree = Fenwick::new(&[2, 0, 3, 1, 4]).unwrap_or_else(|| unreachable!());
        let found: Vec<usize> = (0..10).map(|x| tree.find(x)).collect();
        assert_eq!(found, [0, 0, 2, 2, 2, 3, 4, 4, 4, 4]);
        tree.subtract(2, 3);
        assert_eq!(tree.total(), 7);
        let found: Vec<usize> = (0..7).map(|x| tree.find(x)).collect();
        assert_eq!(found, [0, 0, 3, 4, 4, 4, 4]);
    }

    #[test]
    fn fenwick_refuses_weights_that_overflow() {
        assert!(Fenwick::new(&[u64::MAX, 1]).is_none());
        assert!(Fenwick::new(&[u64::MAX, 0]).is_some());
    }
}

//! Inspectors indexed by scope prefix, kind and load, for picking.
//!
//! Inspectors are put into groups by scope prefix (and, where needed, by industry and
//! joint-plan department). Each group's members sit in one shared array as words
//! `load << 32 | index`, kept sorted, so that the members of any load are a contiguous
//! run in index (= id) order. The candidates of a target are the members of the groups whose prefix
//! starts its region code, minus a short list of exclusions, so a pick costs a few
//! binary searches instead of a pass over every inspector.

use std::collections::HashMap;
use std::ops::Range;

use entities::Industry;

use crate::domain::draw::hash::FastMap;
use crate::domain::draw::seed::DrawRng;
use crate::domain::draw::{Params, Population};
use crate::domain::region_code::prefix_of;

/// What a group holds besides a scope prefix: a qualification and a department.
pub(super) type Kind = (Option<Industry>, Option<i64>);

/// A region code as a map key: short codes packed into a word, so that finding one
/// reads no other target's string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum RegionKey<'a> {
    /// Up to 7 bytes, little-endian, with the length in the top byte.
    Short(u64),
    Long(&'a str),
}

impl<'a> RegionKey<'a> {
    fn of(region: &'a str) -> Self {
        let bytes = region.as_bytes();
        if bytes.len() < 8 {
            let packed = bytes
                .iter()
                .rev()
                .fold(0u64, |w, &b| (w << 8) | u64::from(b));
            Self::Short(packed | ((bytes.len() as u64) << 56))
        } else {
            Self::Long(region)
        }
    }
}

/// Reused buffers, so that a pick allocates nothing.
#[derive(Default)]
pub(super) struct Scratch {
    /// Members at the load being looked at, one run per group.
    runs: Vec<Range<usize>>,
    /// Excluded inspectors among those members.
    hidden: Vec<u32>,
    /// Everyone the target's team may not include.
    pub(super) excluded: Vec<u32>,
}

/// The inspectors, indexed for picking, with their loads in this draw.
pub(super) struct Pool<'a> {
    load: Vec<u32>,
    /// Every group's members (see [`packed`]), group after group, each group sorted.
    members: Vec<u64>,
    /// Where each group's members are in `members`.
    groups: Vec<Range<usize>>,
    /// The groups each inspector is in.
    memberships: Vec<Vec<u32>>,
    /// (scope prefix, kind) → group.
    by_prefix: FastMap<(&'a str, Kind), u32>,
    /// The groups covering a region for a kind, found once per region and kind, as a
    /// range of `scope_groups`.
    scopes: FastMap<(RegionKey<'a>, Kind), Range<usize>>,
    scope_groups: Vec<u32>,
}

impl<'a> Pool<'a> {
    pub(super) fn new(population: &'a Population, params: &Params) -> Self {
        let mut lists: Vec<Vec<u32>> = Vec::new();
        let mut by_prefix: FastMap<(&'a str, Kind), u32> = HashMap::default();
        let mut memberships = vec![Vec::new(); population.inspectors.len()];
        for (i, inspector) in population.inspectors.iter().enumerate() {
            let mut industries: Vec<Option<Industry>> = vec![None];
            if params.require_qualification {
                industries.extend(inspector.industries.iter().copied().map(Some));
                industries.sort_unstable();
                industries.dedup();
            }
            let mut departments = vec![None];
            if params.department_ids.contains(&inspector.department_id) {
                departments.push(Some(inspector.department_id));
            }
            let prefix = prefix_of(&inspector.region_code);
            for &industry in &industries {
                for &department in &departments {
                    // Group and inspector counts stay far below 2^32.
                    let g = *by_prefix
                        .entry((prefix, (industry, department)))
                        .or_insert_with(|| {
                            lists.push(Vec::new());
                            (lists.len() - 1) as u32
                        });
                    lists[g as usize].push(i as u32);
                    memberships[i].push(g);
                }
            }
        }
        let mut members = Vec::with_capacity(lists.iter().map(Vec::len).sum());
        let mut groups = Vec::with_capacity(lists.len());
        for list in lists {
            groups.push(members.len()..members.len() + list.len());
            members.extend(list.into_iter().map(|i| packed(0, i)));
        }
        Self {
            load: vec![0; population.inspectors.len()],
            members,
            groups,
            memberships,
            by_prefix,
            scopes: HashMap::default(),
            scope_groups: Vec::new(),
        }
    }

    /// The groups whose members may check a target in `region` with this kind, as a
    /// range of `scope_groups`.
    pub(super) fn groups_for(&mut self, region: &'a str, kind: Kind) -> Range<usize> {
        let key = RegionKey::of(region);
        if let Some(range) = self.scopes.get(&(key, kind)) {
            return range.clone();
        }
        let start = self.scope_groups.len();
        for len in 0..=region.len() {
            if let Some(&g) = region
                .get(..len)
                .and_then(|p| self.by_prefix.get(&(p, kind)))
            {
                self.scope_groups.push(g);
            }
        }
        let range = start..self.scope_groups.len();
        self.scopes.insert((key, kind), range.clone());
        range
    }

    /// Members of group `g`, sorted.
    fn group(&self, g: u32) -> &[u64] {
        &self.members[self.groups[g as usize].clone()]
    }

    /// Where in `members` group `g`'s members with load `level` are.
    fn run(&self, g: u32, level: u32) -> Range<usize> {
        let range = self.groups[g as usize].clone();
        let group = &self.members[range.clone()];
        let start = group.partition_point(|&m| m < u64::from(level) << 32);
        let end = group.partition_point(|&m| m < u64::from(level + 1) << 32);
        range.start + start..range.start + end
    }

    /// Picks uniformly among the members of the `scope` groups with the least load,
    /// leaving out `excluded` (sorted); `None` when nobody is left.
    pub(super) fn pick(
        &self,
        scope: Range<usize>,
        excluded: &[u32],
        rng: &mut DrawRng<'_>,
        scratch: &mut Scratch,
    ) -> Option<u32> {
        let groups = &self.scope_groups[scope];
        let ends = groups.iter().map(|&g| self.group(g));
        let first = ends
            .clone()
            .filter_map(<[u64]>::first)
            .map(|m| load(*m))
            .min()?;
        let last = ends.filter_map(<[u64]>::last).map(|m| load(*m)).max()?;
        for level in first..=last {
            scratch.runs.clear();
            let runs = groups.iter().map(|&g| self.run(g, level));
            scratch.runs.extend(runs.filter(|r| !r.is_empty()));
            let total: usize = scratch.runs.iter().map(ExactSizeIterator::len).sum();
            scratch.hidden.clear();
            for &e in excluded {
                let m = packed(level, e);
                let in_a_run = || {
                    let mut runs = scratch.runs.iter();
                    runs.any(|r| self.members[r.clone()].binary_search(&m).is_ok())
                };
                if self.load[e as usize] == level && in_a_run() {
                    scratch.hidden.push(e);
                }
            }
            let n = total - scratch.hidden.len();
            if n > 0 {
                let j = rng.index(n);
                return Some(self.nth(&scratch.runs, &scratch.hidden, j));
            }
        }
        None
    }

    /// The `j`-th smallest (from 0) of the members in `runs` (each sorted, disjoint,
    /// all of one load), leaving out `hidden` (sorted indices, each in a run). Needs
    /// `j` below what is left.
    fn nth(&self, runs: &[Range<usize>], hidden: &[u32], j: usize) -> u32 {
        if let ([only], []) = (runs, hidden) {
            return index(self.members[only.start + j]);
        }
        let slices = runs.iter().map(|r| &self.members[r.clone()]);
        let count = |v: u32| -> usize {
            let below = |s: &[u64]| s.partition_point(|&m| index(m) <= v);
            let present: usize = slices.clone().map(below).sum();
            present - hidden.partition_point(|&x| x <= v)
        };
        let ends = slices.clone();
        let mut lo = ends
            .clone()
            .filter_map(<[u64]>::first)
            .map(|m| index(*m))
            .min()
            .unwrap_or(0);
        let mut hi = ends
            .filter_map(<[u64]>::last)
            .map(|m| index(*m))
            .max()
            .unwrap_or(0);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if count(mid) > j {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo
    }

    /// Adds one task to an inspector's load, moving it to the end of its next run in
    /// each of its groups.
    pub(super) fn charge(&mut self, inspector: u32) {
        let level = self.load[inspector as usize];
        let old = packed(level, inspector);
        let new = packed(level + 1, inspector);
        for &g in &self.memberships[inspector as usize] {
            let group = &mut self.members[self.groups[g as usize].clone()];
            let at = group.partition_point(|&m| m < old);
            // Everything below `new`, the old entry included: it moves to the end.
            let to = group.partition_point(|&m| m < new);
            if let Some(moved) = group.get_mut(at..to) {
                moved[0] = new;
                moved.rotate_left(1);
            }
        }
        self.load[inspector as usize] += 1;
    }
}

/// A group member: its load in the high half, its index in the low half, so that
/// sorting the words sorts by (load, index).
fn packed(load: u32, index: u32) -> u64 {
    u64::from(load) << 32 | u64::from(index)
}

fn load(member: u64) -> u32 {
    (member >> 32) as u32
}

fn index(member: u64) -> u32 {
    // The low half: truncation is the point.
    member as u32
}

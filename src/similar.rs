//! "More like this": the entries sharing the most facet values with an entry.
//!
//! [`similar`] ranks every entry against one, leaving out the entry itself and
//! its related entries: up to [`SIMILAR_SHOWN`] entries sharing at least
//! [`SIMILAR_MIN_SHARED`] counted values, most shared first, ties in catalogue
//! order. Values named by more than [`similar_limit`] entries are not counted.
//! The count is bit-sliced over the index's bit sets (64 entries at a time);
//! [`similar_plain`] is the same ranking written the obvious way, and the tests
//! hold the two together.
//!
//! [`SimilarLists`] keeps every entry's list for the live preview, filled
//! while idle, and brings it up to date after an edit without ranking every
//! entry again ([`SimilarLists::update`]).

use std::collections::{BTreeSet, HashMap, HashSet};

use rayon::prelude::*;

use crate::index::Index;
use crate::model::{Catalogue, Entry};

/// How many entries "more like this" shows.
pub const SIMILAR_SHOWN: usize = 5;
/// How many counted facet values an entry must share with another to be similar.
pub const SIMILAR_MIN_SHARED: usize = 2;

/// Values named by more entries than this are not counted for similarity: shared
/// by a large share of the catalogue they say little, and skipping them keeps
/// the cost bounded on big catalogues.
pub fn similar_limit(entries: usize) -> usize {
    (entries / 4).max(50)
}

/// The related entries shown on `e`'s page: named by it or naming it, in
/// catalogue order.
pub fn related(c: &Catalogue, index: &Index, e: usize) -> Vec<usize> {
    let mut related = c.entries[e].related.clone();
    related.extend(&index.related_to[e]);
    related.sort_unstable();
    related.dedup();
    related
}

/// Up to five entries sharing the most counted facet values with `e` (ties by
/// catalogue order), leaving out `e` and `exclude`. The shared values of all
/// entries are counted 64 at a time on the index's bit sets (bit-sliced
/// counters), then read from the highest count down, in catalogue order,
/// until five are found.
pub fn similar(c: &Catalogue, index: &Index, e: usize, exclude: &[usize]) -> Vec<usize> {
    thread_local! {
        static PLANES: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let n = c.entries.len();
    let sets: Vec<&[u64]> = counted_values(c, index, e)
        .map(|(fi, v)| index.exact_bits[fi][v].as_slice())
        .collect();
    if sets.len() < SIMILAR_MIN_SHARED {
        return Vec::new();
    }
    let words = n.div_ceil(64);
    // Bits needed to count up to sets.len() shared values.
    let depth = (usize::BITS - sets.len().leading_zeros()) as usize;
    PLANES.with_borrow_mut(|planes| {
        // planes[p * words + w]: bit p of the count of every entry in word w.
        planes.clear();
        planes.resize(depth * words, 0);
        for set in &sets {
            for (w, &bits) in set.iter().enumerate() {
                let mut carry = bits;
                let mut p = 0;
                while carry != 0 {
                    let plane = &mut planes[p * words + w];
                    let next = *plane & carry;
                    *plane ^= carry;
                    carry = next;
                    p += 1;
                }
            }
        }
        let mut best = Vec::with_capacity(SIMILAR_SHOWN);
        for score in (SIMILAR_MIN_SHARED..=sets.len()).rev() {
            for w in 0..words {
                let mut equal = !0u64;
                for p in 0..depth {
                    let plane = planes[p * words + w];
                    equal &= if (score >> p) & 1 == 1 { plane } else { !plane };
                }
                while equal != 0 {
                    let other = w * 64 + equal.trailing_zeros() as usize;
                    equal &= equal - 1;
                    if other == e || exclude.contains(&other) {
                        continue;
                    }
                    best.push(other);
                    if best.len() == SIMILAR_SHOWN {
                        return best;
                    }
                }
            }
        }
        best
    })
}

/// [`similar`] written the plain way: score every other entry, sort, take five.
pub fn similar_plain(c: &Catalogue, index: &Index, e: usize, exclude: &[usize]) -> Vec<usize> {
    let mut ranked: Vec<(usize, usize)> = (0..c.entries.len())
        .filter(|&x| x != e && !exclude.contains(&x))
        .map(|x| (x, shared(c, index, e, x)))
        .filter(|&(_, s)| s >= SIMILAR_MIN_SHARED)
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked
        .into_iter()
        .take(SIMILAR_SHOWN)
        .map(|(x, _)| x)
        .collect()
}

/// The (facet, value) pairs of `e` that count for similarity.
fn counted_values<'a>(
    c: &'a Catalogue,
    index: &'a Index,
    e: usize,
) -> impl Iterator<Item = (usize, usize)> + 'a {
    let limit = similar_limit(c.entries.len());
    c.entries[e]
        .facets
        .iter()
        .enumerate()
        .flat_map(|(fi, values)| values.iter().map(move |&v| (fi, v)))
        .filter(move |&(fi, v)| index.exact[fi][v].len() <= limit)
}

/// How many counted values `e` and `x` share.
fn shared(c: &Catalogue, index: &Index, e: usize, x: usize) -> usize {
    let limit = similar_limit(c.entries.len());
    let (a, b) = (&c.entries[e].facets, &c.entries[x].facets);
    a.iter()
        .zip(b)
        .enumerate()
        .map(|(fi, (va, vb))| {
            va.iter()
                .filter(|v| vb.binary_search(v).is_ok() && index.exact[fi][**v].len() <= limit)
                .count()
        })
        .sum()
}

/// The list of `e` as its page shows it, in a vector of its own size:
/// collecting may reuse the allocation of a much longer ranking, which 18,000
/// kept lists would hold on to (gigabytes).
fn list_of(c: &Catalogue, index: &Index, e: usize) -> Vec<usize> {
    let mut list = similar(c, index, e, &related(c, index, e));
    list.shrink_to_fit();
    list
}

/// Every entry's "more like this" list, computed a piece at a time.
#[derive(Debug, Default, Clone)]
pub struct SimilarLists {
    lists: Vec<Vec<usize>>,
}

impl SimilarLists {
    /// Whether every entry of `c` has its list.
    pub fn is_complete(&self, c: &Catalogue) -> bool {
        self.lists.len() == c.entries.len()
    }

    /// Forgets every list (they are computed again from the start).
    pub fn clear(&mut self) {
        self.lists.clear();
    }

    /// Computes up to `count` more lists, continuing where the last call stopped.
    pub fn extend(&mut self, c: &Catalogue, index: &Index, count: usize) {
        let start = self.lists.len();
        let end = c.entries.len().min(start.saturating_add(count));
        let more: Vec<Vec<usize>> = (start..end)
            .into_par_iter()
            .map(|e| list_of(c, index, e))
            .collect();
        self.lists.extend(more);
    }

    /// Brings complete lists up to date after the entries in `edits` (index,
    /// previous version) were swapped into `c`; returns the entries whose list
    /// changed or shows an entry of `shown_differently`.
    ///
    /// Ranking every entry again is as costly as rendering every entry page, so
    /// only these are ranked in full: the changed entries, entries whose related
    /// entries changed (they are left out of the list), and entries whose list
    /// held a changed entry. For any other entry, scores with unchanged entries
    /// stay as they were, so its new list is the best of its old list and the
    /// changed entries that now share enough values with it; entries sharing
    /// too little with every changed entry keep their list. A value list
    /// growing past (or shrinking below) [`similar_limit`] changes many scores
    /// at once: then every list is ranked again.
    pub fn update(
        &mut self,
        c: &Catalogue,
        old_index: &Index,
        index: &Index,
        edits: &[(usize, &Entry)],
        shown_differently: &BTreeSet<usize>,
    ) -> BTreeSet<usize> {
        let limit = similar_limit(c.entries.len());
        let changed: BTreeSet<usize> = edits.iter().map(|(e, _)| *e).collect();
        let crossing = edits.iter().any(|&(e, old)| {
            old.facets
                .iter()
                .zip(&c.entries[e].facets)
                .enumerate()
                .any(|(fi, (was, is))| {
                    was.iter().chain(is).any(|&v| {
                        (old_index.exact[fi][v].len() <= limit)
                            != (index.exact[fi][v].len() <= limit)
                    })
                })
        });
        let mut full: BTreeSet<usize> = changed.clone();
        let mut merge: BTreeSet<usize> = BTreeSet::new();
        if crossing {
            full.extend(0..c.entries.len());
        } else {
            for &(e, old) in edits {
                let was: HashSet<usize> = old.related.iter().copied().collect();
                let is: HashSet<usize> = c.entries[e].related.iter().copied().collect();
                full.extend(was.symmetric_difference(&is));
            }
            full.extend(
                (0..self.lists.len())
                    .filter(|&e| self.lists[e].iter().any(|x| changed.contains(x))),
            );
            for &j in &changed {
                let mut counts: HashMap<usize, usize> = HashMap::new();
                for (fi, v) in counted_values(c, index, j) {
                    for &e in &index.exact[fi][v] {
                        *counts.entry(e).or_insert(0) += 1;
                    }
                }
                merge.extend(
                    counts
                        .into_iter()
                        .filter(|&(e, n)| n >= SIMILAR_MIN_SHARED && !full.contains(&e))
                        .map(|(e, _)| e),
                );
            }
        }
        let full: Vec<usize> = full.into_iter().collect();
        let mut lists: Vec<(usize, Vec<usize>)> = full
            .par_iter()
            .map(|&e| (e, list_of(c, index, e)))
            .collect();
        lists.extend(merge.iter().map(|&e| {
            let excluded = related(c, index, e);
            let mut ranked: Vec<(usize, usize)> = self.lists[e]
                .iter()
                .map(|&x| (x, shared(c, index, e, x)))
                .collect();
            for &j in &changed {
                let s = shared(c, index, e, j);
                if s >= SIMILAR_MIN_SHARED && excluded.binary_search(&j).is_err() {
                    ranked.push((j, s));
                }
            }
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let list = ranked
                .into_iter()
                .take(SIMILAR_SHOWN)
                .map(|(x, _)| x)
                .collect();
            (e, list)
        }));
        let mut dirty = BTreeSet::new();
        for (e, list) in lists {
            if list != self.lists[e] || list.iter().any(|x| shown_differently.contains(x)) {
                dirty.insert(e);
            }
            self.lists[e] = list;
        }
        dirty
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load, LoadOptions};
    use std::path::Path;

    #[test]
    fn bit_sliced_ranking_matches_the_plain_one() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (c, _) = load(root, &LoadOptions::default()).expect("the shipped site loads");
        let index = Index::build(&c);
        for e in 0..c.entries.len() {
            let exclude = related(&c, &index, e);
            assert_eq!(
                similar(&c, &index, e, &exclude),
                similar_plain(&c, &index, e, &exclude),
                "{}",
                c.entries[e].id
            );
        }
    }

    #[test]
    fn kept_lists_follow_an_edit_as_a_fresh_ranking_does() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (mut c, _) = load(root, &LoadOptions::default()).expect("the shipped site loads");
        let old_index = Index::build(&c);
        let mut lists = SimilarLists::default();
        lists.extend(&c, &old_index, usize::MAX);
        assert!(lists.is_complete(&c));
        // Give the first entry the facet values of the last one.
        let old = c.entries[0].clone();
        let last = c.entries.len() - 1;
        c.entries[0].facets = c.entries[last].facets.clone();
        let index = Index::build(&c);
        lists.update(&c, &old_index, &index, &[(0, &old)], &BTreeSet::new());
        let mut fresh = SimilarLists::default();
        fresh.extend(&c, &index, usize::MAX);
        assert_eq!(lists.lists, fresh.lists);
    }
}

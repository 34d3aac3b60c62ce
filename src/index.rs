//! Which entries carry which facet values, built once per build.
//!
//! For every facet: entries naming each exact value, entries under each value
//! including its descendants (United Kingdom with its nations), and entries by
//! exact combination of values (the derived "sector combination" facet). All
//! lists hold entry indices in catalogue order. Building is linear in the total
//! number of facet values named.

use std::collections::BTreeMap;

use crate::model::{Catalogue, Facet};

/// An exact set of value indices of one facet, in vocabulary order.
pub type Combination = Vec<usize>;

/// Facet value → entries, for every facet.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// Per facet, per value: entries naming exactly that value.
    pub exact: Vec<Vec<Vec<usize>>>,
    /// Per facet, per value: entries naming that value or any of its descendants.
    pub rolled_up: Vec<Vec<Vec<usize>>>,
    /// Per facet: exact combination → entries (entries with no value are left out).
    pub combinations: Vec<BTreeMap<Combination, Vec<usize>>>,
    /// Per kind: its entries.
    pub by_kind: Vec<Vec<usize>>,
    /// Per entry: entries that list it in `related:` (the reverse direction).
    pub related_to: Vec<Vec<usize>>,
    /// Per facet, per value: [`Index::exact`] as a bit set over entry indices
    /// (64 entries a word), for counting shared values many entries at a time.
    pub exact_bits: Vec<Vec<Vec<u64>>>,
}

impl Index {
    /// Indexes a loaded catalogue.
    pub fn build(catalogue: &Catalogue) -> Index {
        let config = &catalogue.config;
        let mut exact: Vec<Vec<Vec<usize>>> = config
            .facets
            .iter()
            .map(|f| vec![Vec::new(); f.values.len()])
            .collect();
        let mut rolled_up = exact.clone();
        let mut combinations = vec![BTreeMap::new(); config.facets.len()];
        let mut by_kind = vec![Vec::new(); config.kinds.len()];
        let mut related_to = vec![Vec::new(); catalogue.entries.len()];
        for (ei, entry) in catalogue.entries.iter().enumerate() {
            by_kind[entry.kind].push(ei);
            for &r in &entry.related {
                related_to[r].push(ei);
            }
            for (fi, values) in entry.facets.iter().enumerate() {
                let facet = &config.facets[fi];
                for &v in values {
                    exact[fi][v].push(ei);
                }
                for v in with_ancestors(facet, values) {
                    rolled_up[fi][v].push(ei);
                }
                if !values.is_empty() {
                    combinations[fi]
                        .entry(values.clone())
                        .or_insert_with(Vec::new)
                        .push(ei);
                }
            }
        }
        let words = catalogue.entries.len().div_ceil(64);
        let exact_bits = exact
            .iter()
            .map(|values| {
                values
                    .iter()
                    .map(|list| {
                        let mut bits = vec![0u64; words];
                        for &e in list {
                            bits[e / 64] |= 1 << (e % 64);
                        }
                        bits
                    })
                    .collect()
            })
            .collect();
        Index {
            exact,
            rolled_up,
            combinations,
            by_kind,
            related_to,
            exact_bits,
        }
    }

    /// Combinations of a facet present in the catalogue, by size and then in
    /// vocabulary order (Health, Education, …, Health & education, …).
    pub fn ordered_combinations(&self, facet: usize) -> Vec<&Combination> {
        let mut list: Vec<&Combination> = self.combinations[facet].keys().collect();
        list.sort_by(|a, b| (a.len(), *a).cmp(&(b.len(), *b)));
        list
    }
}

/// The values and all their ancestors, each once, in index order.
pub fn with_ancestors(facet: &Facet, values: &[usize]) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::with_capacity(values.len());
    for &v in values {
        let mut at = Some(v);
        while let Some(i) = at {
            if !out.contains(&i) {
                out.push(i);
            }
            at = facet.values[i].parent;
        }
    }
    out.sort_unstable();
    out
}

//! `combinations` mode (the review's Table 2): every exact combination of a
//! facet's values present, grouped by how many values it has, with a subtotal
//! per group, a row for entries naming none, and a total.

use super::{add, CombinationGroup, CombinationTable, KindSlots};
use crate::index::Index;
use crate::model::Catalogue;

pub(super) fn combinations(
    catalogue: &Catalogue,
    index: &Index,
    kinds: &KindSlots,
    facet: usize,
) -> CombinationTable {
    let mut groups: Vec<CombinationGroup> = Vec::new();
    let mut total = vec![0; kinds.len];
    for combination in index.ordered_combinations(facet) {
        let counts = kinds.count(catalogue, &index.combinations[facet][combination]);
        if counts.iter().all(|&c| c == 0) {
            continue; // present only in kinds this summary leaves out
        }
        if groups.last().is_none_or(|g| g.size != combination.len()) {
            groups.push(CombinationGroup {
                size: combination.len(),
                rows: Vec::new(),
                subtotal: vec![0; kinds.len],
            });
        }
        let group = groups.last_mut().expect("pushed above");
        add(&mut group.subtotal, &counts);
        add(&mut total, &counts);
        group.rows.push((combination.clone(), counts));
    }
    let mut none = vec![0; kinds.len];
    for (e, entry) in catalogue.entries.iter().enumerate() {
        if entry.facets[facet].is_empty() && kinds.includes(catalogue, e) {
            none[kinds.slot[entry.kind].expect("included")] += 1;
        }
    }
    let none = none.iter().any(|&c| c > 0).then_some(none);
    if let Some(none) = &none {
        add(&mut total, none);
    }
    CombinationTable {
        facet,
        groups,
        none,
        total,
    }
}

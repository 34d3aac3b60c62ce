//! `pivot` mode: one facet's values (rows) against another's values or exact
//! combinations (columns), each cell listing the entries that have both.

use super::{KindSlots, PivotTable};
use crate::index::{Combination, Index};
use crate::model::Catalogue;

pub(super) fn pivot(
    catalogue: &Catalogue,
    index: &Index,
    kinds: &KindSlots,
    row_facet: usize,
    column_facet: usize,
    by_combination: bool,
) -> PivotTable {
    let config = &catalogue.config;
    let rows = config.facets[row_facet].display_order.clone();
    let mut row_slot = vec![usize::MAX; config.facets[row_facet].values.len()];
    for (i, &v) in rows.iter().enumerate() {
        row_slot[v] = i;
    }
    let all_columns: Vec<Combination> = if by_combination {
        index
            .ordered_combinations(column_facet)
            .into_iter()
            .cloned()
            .collect()
    } else {
        config.facets[column_facet]
            .display_order
            .iter()
            .map(|&v| vec![v])
            .collect()
    };
    let mut cells = vec![vec![Vec::new(); all_columns.len()]; rows.len()];
    let mut row_totals = vec![0; rows.len()];
    let mut column_totals = vec![0; all_columns.len()];
    let mut total = 0;
    let column_of_combination: std::collections::HashMap<&Combination, usize> = all_columns
        .iter()
        .enumerate()
        .map(|(i, c)| (c, i))
        .collect();
    let mut column_slot = vec![usize::MAX; config.facets[column_facet].values.len()];
    if !by_combination {
        for (i, c) in all_columns.iter().enumerate() {
            column_slot[c[0]] = i;
        }
    }
    for (e, entry) in catalogue.entries.iter().enumerate() {
        if !kinds.includes(catalogue, e) {
            continue;
        }
        let row_values = &entry.facets[row_facet];
        let column_values = &entry.facets[column_facet];
        if row_values.is_empty() || column_values.is_empty() {
            continue;
        }
        let entry_columns: Vec<usize> = if by_combination {
            vec![column_of_combination[column_values]]
        } else {
            column_values.iter().map(|&v| column_slot[v]).collect()
        };
        total += 1;
        for &r in row_values {
            row_totals[row_slot[r]] += 1;
            for &c in &entry_columns {
                cells[row_slot[r]][c].push(e);
            }
        }
        for &c in &entry_columns {
            column_totals[c] += 1;
        }
    }
    // Keep only columns that have entries, so wide vocabularies stay readable.
    let keep: Vec<usize> = (0..all_columns.len())
        .filter(|&c| column_totals[c] > 0)
        .collect();
    PivotTable {
        row_facet,
        column_facet,
        rows,
        columns: keep.iter().map(|&c| all_columns[c].clone()).collect(),
        by_combination,
        cells: cells
            .into_iter()
            .map(|row| keep.iter().map(|&c| row[c].clone()).collect())
            .collect(),
        row_totals,
        column_totals: keep.iter().map(|&c| column_totals[c]).collect(),
        total,
    }
}

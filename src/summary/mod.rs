//! Cross-tabulations of the catalogue: pure functions from the index to tables.
//!
//! Four modes (SPEC §5): `combinations` (Table 2: exact combinations grouped by
//! size, with subtotals and a total), `counts` (Table 3: mentions of each value,
//! an entry naming two values counts twice), `presence` (Table 4: entries naming
//! each value and their whole-number share of the kind) and `pivot` (one facet
//! against another). Counts are per kind, in the order the summary lists kinds.
//! [`to_csv`] writes the exact CSV layout of the spec.

mod combinations;
mod csv;
mod pivot;
#[cfg(test)]
mod tests;

pub use csv::{csv_rows, group_label, to_csv};

use crate::index::{Combination, Index};
use crate::model::{Catalogue, SummaryShape, SummarySpec};

/// A computed summary table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Table {
    /// Exact combinations grouped by size.
    Combinations(CombinationTable),
    /// Mentions per value.
    Counts(CountTable),
    /// Entries per value with percentages.
    Presence(PresenceTable),
    /// Row facet × column facet.
    Pivot(PivotTable),
}

/// Counts aligned with the summary's kinds.
pub type KindCounts = Vec<usize>;

/// `combinations` mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CombinationTable {
    /// Facet index.
    pub facet: usize,
    /// Groups by number of values, smallest first; only sizes that occur.
    pub groups: Vec<CombinationGroup>,
    /// Entries naming no value of the facet, if any.
    pub none: Option<KindCounts>,
    /// All entries of each kind.
    pub total: KindCounts,
}

/// One size group of a combinations table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CombinationGroup {
    /// Number of values in each combination of the group.
    pub size: usize,
    /// Combinations in vocabulary order.
    pub rows: Vec<(Combination, KindCounts)>,
    /// Sum of the rows.
    pub subtotal: KindCounts,
}

/// `counts` mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountTable {
    /// Facet index.
    pub facet: usize,
    /// (value index, counts), children after their parent.
    pub rows: Vec<(usize, KindCounts)>,
    /// Sum of the rows (mentions, not entries).
    pub total: KindCounts,
}

/// `presence` mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresenceTable {
    /// Facet index.
    pub facet: usize,
    /// Number of entries of each kind (the percentage base).
    pub base: KindCounts,
    /// (value index, entries naming it per kind).
    pub rows: Vec<(usize, KindCounts)>,
}

/// `pivot` mode. Counts cover all the summary's kinds together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PivotTable {
    /// Facet index of the rows.
    pub row_facet: usize,
    /// Facet index of the columns.
    pub column_facet: usize,
    /// Row values, children after parents.
    pub rows: Vec<usize>,
    /// Column headers: single values, or exact combinations.
    pub columns: Vec<Combination>,
    /// Whether columns are exact combinations.
    pub by_combination: bool,
    /// `cells[row][column]`: entries having both.
    pub cells: Vec<Vec<Vec<usize>>>,
    /// Distinct entries per row having a column value.
    pub row_totals: Vec<usize>,
    /// Distinct entries per column having a row value.
    pub column_totals: Vec<usize>,
    /// Distinct entries having both a row and a column value.
    pub total: usize,
}

impl PivotTable {
    /// The entries of the cell at row value `row` and column values `column`,
    /// if the table has that row and column.
    pub fn cell(&self, row: usize, column: &[usize]) -> Option<&[usize]> {
        let ri = self.rows.iter().position(|&r| r == row)?;
        let ci = self.columns.iter().position(|c| c.as_slice() == column)?;
        Some(self.cells[ri][ci].as_slice())
    }
}

/// Every summary table of `catalogue`, in declaration order.
pub fn compute_all(catalogue: &Catalogue, index: &Index) -> Vec<Table> {
    catalogue
        .config
        .summaries
        .iter()
        .map(|spec| compute(catalogue, index, spec))
        .collect()
}

/// Whole-number percentage, rounded half up; 0 when the base is 0.
pub fn percent(n: usize, base: usize) -> usize {
    if base == 0 {
        0
    } else {
        (200 * n + base) / (2 * base)
    }
}

struct KindSlots {
    slot: Vec<Option<usize>>,
    len: usize,
    /// Per entry, whether `where:` lets it be counted (`None`: every entry).
    kept: Option<Vec<bool>>,
}

impl KindSlots {
    fn new(catalogue: &Catalogue, spec: &SummarySpec) -> KindSlots {
        let mut slot = vec![None; catalogue.config.kinds.len()];
        for (i, &k) in spec.kinds.iter().enumerate() {
            slot[k] = Some(i);
        }
        let kept = (!spec.filter.is_empty()).then(|| {
            catalogue
                .entries
                .iter()
                .map(|e| matches_filter(catalogue, e, &spec.filter))
                .collect()
        });
        KindSlots {
            slot,
            len: spec.kinds.len(),
            kept,
        }
    }
    fn kept(&self, entry: usize) -> bool {
        self.kept.as_ref().is_none_or(|k| k[entry])
    }
    fn count(&self, catalogue: &Catalogue, entries: &[usize]) -> KindCounts {
        let mut counts = vec![0; self.len];
        for &e in entries {
            if let Some(s) = self.slot[catalogue.entries[e].kind] {
                if self.kept(e) {
                    counts[s] += 1;
                }
            }
        }
        counts
    }
    fn includes(&self, catalogue: &Catalogue, entry: usize) -> bool {
        self.slot[catalogue.entries[entry].kind].is_some() && self.kept(entry)
    }
}

/// Whether `entry` names, for each facet of `filter`, one of its values or a
/// child of one.
pub fn matches_filter(
    catalogue: &Catalogue,
    entry: &crate::model::Entry,
    filter: &[(usize, Vec<usize>)],
) -> bool {
    filter.iter().all(|(fi, wanted)| {
        let facet = &catalogue.config.facets[*fi];
        entry.facets[*fi]
            .iter()
            .any(|&v| wanted.iter().any(|&w| facet.is_within(v, w)))
    })
}

fn add(into: &mut KindCounts, counts: &KindCounts) {
    for (a, b) in into.iter_mut().zip(counts) {
        *a += b;
    }
}

/// Computes one summary.
pub fn compute(catalogue: &Catalogue, index: &Index, spec: &SummarySpec) -> Table {
    let kinds = KindSlots::new(catalogue, spec);
    match spec.shape {
        SummaryShape::Combinations { facet } => {
            Table::Combinations(combinations::combinations(catalogue, index, &kinds, facet))
        }
        SummaryShape::Counts { facet } => {
            let f = &catalogue.config.facets[facet];
            let mut total = vec![0; kinds.len];
            let rows = f
                .display_order
                .iter()
                .map(|&v| {
                    let counts = kinds.count(catalogue, &index.exact[facet][v]);
                    add(&mut total, &counts);
                    (v, counts)
                })
                .collect();
            Table::Counts(CountTable { facet, rows, total })
        }
        SummaryShape::Presence { facet } => {
            let f = &catalogue.config.facets[facet];
            let base = spec
                .kinds
                .iter()
                .map(|&k| index.by_kind[k].iter().filter(|&&e| kinds.kept(e)).count())
                .collect();
            let rows = f
                .display_order
                .iter()
                .map(|&v| (v, kinds.count(catalogue, &index.exact[facet][v])))
                .collect();
            Table::Presence(PresenceTable { facet, base, rows })
        }
        SummaryShape::Pivot {
            rows,
            columns,
            columns_by_combination,
        } => Table::Pivot(pivot::pivot(
            catalogue,
            index,
            &kinds,
            rows,
            columns,
            columns_by_combination,
        )),
    }
}

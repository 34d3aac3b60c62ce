//! Cross-tabulations of the catalogue: pure functions from the index to tables.
//!
//! Four modes (SPEC §5): `combinations` (Table 2: exact combinations grouped by
//! size, with subtotals and a total), `counts` (Table 3: mentions of each value,
//! an entry naming two values counts twice), `presence` (Table 4: entries naming
//! each value and their whole-number share of the kind) and `pivot` (one facet
//! against another). Counts are per kind, in the order the summary lists kinds.
//! [`to_csv`] writes the exact CSV layout of the spec.

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
}

impl KindSlots {
    fn new(catalogue: &Catalogue, spec: &SummarySpec) -> KindSlots {
        let mut slot = vec![None; catalogue.config.kinds.len()];
        for (i, &k) in spec.kinds.iter().enumerate() {
            slot[k] = Some(i);
        }
        KindSlots {
            slot,
            len: spec.kinds.len(),
        }
    }
    fn count(&self, catalogue: &Catalogue, entries: &[usize]) -> KindCounts {
        let mut counts = vec![0; self.len];
        for &e in entries {
            if let Some(s) = self.slot[catalogue.entries[e].kind] {
                counts[s] += 1;
            }
        }
        counts
    }
    fn includes(&self, catalogue: &Catalogue, entry: usize) -> bool {
        self.slot[catalogue.entries[entry].kind].is_some()
    }
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
            Table::Combinations(combinations(catalogue, index, &kinds, facet))
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
            let base = spec.kinds.iter().map(|&k| index.by_kind[k].len()).collect();
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
        } => Table::Pivot(pivot(
            catalogue,
            index,
            &kinds,
            rows,
            columns,
            columns_by_combination,
        )),
    }
}

fn combinations(
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

fn pivot(
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

/// Spelled-out group sizes, as the review writes them ("Two sectors").
pub fn group_label(size: usize, singular: &str, plural: &str) -> String {
    const WORDS: [&str; 10] = [
        "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten",
    ];
    let count = WORDS
        .get(size.wrapping_sub(1))
        .map_or_else(|| size.to_string(), |w| w.to_string());
    format!("{count} {}", if size == 1 { singular } else { plural })
}

/// The header and rows of a table as CSV cells, exactly as SPEC §5 lays them out.
pub fn csv_rows(catalogue: &Catalogue, spec: &SummarySpec, table: &Table) -> Vec<Vec<String>> {
    let config = &catalogue.config;
    let kind_ids: Vec<String> = spec
        .kinds
        .iter()
        .map(|&k| config.kinds[k].id.clone())
        .collect();
    let numbers = |counts: &KindCounts| counts.iter().map(usize::to_string).collect::<Vec<_>>();
    let mut out = Vec::new();
    match table {
        Table::Combinations(t) => {
            let f = &config.facets[t.facet];
            out.push([vec!["group".into(), "combination".into()], kind_ids].concat());
            for g in &t.groups {
                let label = group_label(g.size, &f.singular, &f.name.replace(['-', '_'], " "));
                for (combination, counts) in &g.rows {
                    out.push(
                        [
                            vec![label.clone(), f.combination_label(combination)],
                            numbers(counts),
                        ]
                        .concat(),
                    );
                }
                out.push([vec![label, "Subtotal".into()], numbers(&g.subtotal)].concat());
            }
            if let Some(none) = &t.none {
                out.push([vec!["None".into(), "None".into()], numbers(none)].concat());
            }
            out.push([vec!["Total".into(), "Total".into()], numbers(&t.total)].concat());
        }
        Table::Counts(t) => {
            let f = &config.facets[t.facet];
            out.push([vec!["value".into(), "parent".into()], kind_ids].concat());
            for (v, counts) in &t.rows {
                let value = &f.values[*v];
                let parent = value
                    .parent
                    .map(|p| f.values[p].label.clone())
                    .unwrap_or_default();
                out.push([vec![value.label.clone(), parent], numbers(counts)].concat());
            }
            out.push([vec!["Total".into(), String::new()], numbers(&t.total)].concat());
        }
        Table::Presence(t) => {
            let f = &config.facets[t.facet];
            let mut header = vec!["value".to_string()];
            for id in &kind_ids {
                header.push(format!("{id}_n"));
                header.push(format!("{id}_pct"));
            }
            out.push(header);
            for (v, counts) in &t.rows {
                let mut row = vec![f.values[*v].label.clone()];
                for (n, base) in counts.iter().zip(&t.base) {
                    row.push(n.to_string());
                    row.push(percent(*n, *base).to_string());
                }
                out.push(row);
            }
        }
        Table::Pivot(t) => {
            let rf = &config.facets[t.row_facet];
            let cf = &config.facets[t.column_facet];
            let mut header = vec![rf.singular.clone()];
            header.extend(t.columns.iter().map(|c| cf.combination_label(c)));
            header.push("Total".into());
            out.push(header);
            for (ri, &r) in t.rows.iter().enumerate() {
                let mut row = vec![rf.values[r].label.clone()];
                row.extend(t.cells[ri].iter().map(|cell| cell.len().to_string()));
                row.push(t.row_totals[ri].to_string());
                out.push(row);
            }
            let mut last = vec!["Total".to_string()];
            last.extend(t.column_totals.iter().map(usize::to_string));
            last.push(t.total.to_string());
            out.push(last);
        }
    }
    out
}

/// The table as RFC 4180 CSV bytes.
pub fn to_csv(catalogue: &Catalogue, spec: &SummarySpec, table: &Table) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for row in csv_rows(catalogue, spec, table) {
        writer
            .write_record(
                row.iter()
                    .map(|cell| crate::output::csv_cell(cell).into_owned()),
            )
            .expect("writing to memory cannot fail");
    }
    writer.into_inner().expect("writing to memory cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::Entry;
    use std::path::PathBuf;

    const CONFIG: &str = r#"
title: Test
kinds:
  - { id: literature, label: Articles, dir: literature }
  - { id: practice, label: Practices, dir: practices }
facets:
  sectors:
    - { id: health, label: Health }
    - { id: education, label: Education }
    - { id: employment, label: Employment }
  countries:
    - { id: GB, label: United Kingdom }
    - { id: GB-ENG, label: England, parent: GB }
    - { id: DK, label: Denmark }
summaries:
  - { id: combos, facet: sectors, mode: combinations }
  - { id: countries, facet: countries, mode: counts }
  - { id: presence, facet: sectors, mode: presence }
  - { id: pivot, mode: pivot, rows: sectors, columns: countries }
  - { id: pivot-combo, mode: pivot, rows: countries, columns: sectors, columns_by: combination }
"#;

    /// (kind, sectors, countries) per entry.
    fn catalogue(entries: &[(usize, &[&str], &[&str])]) -> (Catalogue, Index) {
        let (config, _) = Config::parse(CONFIG).unwrap();
        let entries = entries
            .iter()
            .enumerate()
            .map(|(i, (kind, sectors, countries))| {
                let ids = |facet: usize, list: &[&str]| {
                    let mut v: Vec<usize> = list
                        .iter()
                        .map(|id| config.facets[facet].by_id[*id])
                        .collect();
                    v.sort_unstable();
                    v
                };
                Entry {
                    id: format!("E{i}"),
                    slug: format!("e{i}"),
                    kind: *kind,
                    title: format!("Entry {i}"),
                    facets: vec![ids(0, sectors), ids(1, countries)],
                    related: Vec::new(),
                    fields: Default::default(),
                    body_html: String::new(),
                    search_words: String::new(),
                    source: PathBuf::new(),
                    body_line: 1,
                }
            })
            .collect();
        let catalogue = Catalogue {
            config,
            entries,
            pages: Vec::new(),
        };
        let index = Index::build(&catalogue);
        (catalogue, index)
    }

    /// Three articles and two practices; article 1 names two countries, practice 4
    /// names no sector.
    fn sample() -> (Catalogue, Index) {
        catalogue(&[
            (0, &["health"], &["GB-ENG"]),
            (0, &["health", "education"], &["GB-ENG", "DK"]),
            (0, &["health"], &["GB"]),
            (1, &["education", "health"], &["DK"]),
            (1, &[], &["DK"]),
        ])
    }

    fn csv(id: &str) -> Vec<Vec<String>> {
        let (c, i) = sample();
        let spec = c
            .config
            .summaries
            .iter()
            .find(|s| s.id == id)
            .unwrap()
            .clone();
        let table = compute(&c, &i, &spec);
        csv_rows(&c, &spec, &table)
    }

    fn rows(lines: &[&str]) -> Vec<Vec<String>> {
        lines
            .iter()
            .map(|l| l.split(',').map(String::from).collect())
            .collect()
    }

    #[test]
    fn combinations_group_subtotal_and_total() {
        assert_eq!(
            csv("combos"),
            rows(&[
                "group,combination,literature,practice",
                "One sector,Health,2,0",
                "One sector,Subtotal,2,0",
                "Two sectors,Health & education,1,1",
                "Two sectors,Subtotal,1,1",
                "None,None,0,1",
                "Total,Total,3,2",
            ])
        );
    }

    #[test]
    fn counts_count_mentions_and_keep_children_after_parent() {
        // The article naming England and Denmark counts under both: 4 mentions by 3 articles.
        assert_eq!(
            csv("countries"),
            rows(&[
                "value,parent,literature,practice",
                "United Kingdom,,1,0",
                "England,United Kingdom,2,0",
                "Denmark,,1,2",
                "Total,,4,2",
            ])
        );
    }

    #[test]
    fn presence_shares_round_half_up() {
        // Health: 3 of 3 articles, 1 of 2 practices (50%); Education 1/3 = 33%.
        assert_eq!(
            csv("presence"),
            rows(&[
                "value,literature_n,literature_pct,practice_n,practice_pct",
                "Health,3,100,1,50",
                "Education,1,33,1,50",
                "Employment,0,0,0,0",
            ])
        );
        assert_eq!(percent(1, 8), 13); // 12.5 rounds up
        assert_eq!(percent(9, 44), 20);
        assert_eq!(percent(26, 34), 76);
        assert_eq!(percent(0, 0), 0);
    }

    #[test]
    fn pivot_cells_and_distinct_totals() {
        // Rows: sectors; columns: countries present (GB, England, Denmark).
        assert_eq!(
            csv("pivot"),
            rows(&[
                "sector,United Kingdom,England,Denmark,Total",
                "Health,1,2,2,4",
                "Education,0,1,2,2",
                "Employment,0,0,0,0",
                // Entry 4 names Denmark but no sector, so it is in no cell or total.
                "Total,1,2,2,4",
            ])
        );
    }

    #[test]
    fn pivot_by_combination() {
        assert_eq!(
            csv("pivot-combo"),
            rows(&[
                "country,Health,Health & education,Total",
                "United Kingdom,1,0,1",
                "England,1,1,2",
                "Denmark,0,2,2",
                "Total,2,2,4",
            ])
        );
    }

    #[test]
    fn csv_quotes_commas_and_quotes() {
        let (mut c, i) = sample();
        c.config.facets[0].values[0].label = "Health, \"care\"".into();
        let spec = c.config.summaries[0].clone();
        let bytes = to_csv(&c, &spec, &compute(&c, &i, &spec));
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            text.contains("One sector,\"Health, \"\"care\"\"\",2,0\r\n"),
            "{text}"
        );
    }

    #[test]
    fn group_labels() {
        assert_eq!(group_label(1, "sector", "sectors"), "One sector");
        assert_eq!(group_label(4, "sector", "sectors"), "Four sectors");
        assert_eq!(group_label(12, "cluster", "clusters"), "12 clusters");
    }
}

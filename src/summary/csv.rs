//! The CSV layout of every mode, exactly as SPEC §5 gives it, and the group
//! labels the review uses ("Two sectors").

use super::{percent, KindCounts, Table};
use crate::model::{Catalogue, SummarySpec};

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

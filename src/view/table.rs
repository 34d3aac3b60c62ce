//! Summary tables laid out for HTML: header rows, body rows with links to the
//! entries behind each count and to the home page filtered to them, and the
//! bars of the table's chart. One method per summary mode.

use serde::Serialize;

use super::chart::chart_svg;
use super::Views;
use crate::map::{self, palette::heat_class};
use crate::model::{Catalogue, Facet, SummarySpec};
use crate::routes;
use crate::summary::{
    self, group_label, CombinationTable, CountTable, PivotTable, PresenceTable, Table,
};

/// A table cell.
#[derive(Serialize, Clone, Default)]
pub struct CellView {
    /// Text.
    pub text: String,
    /// Link target.
    pub href: Option<String>,
    /// A row or column header.
    pub header: bool,
    /// Right-aligned number.
    pub numeric: bool,
    /// Column span.
    pub colspan: usize,
    /// Row span.
    pub rowspan: usize,
    /// Hierarchy indent.
    pub indent: usize,
    /// The query string of the home page's filtered view showing exactly the
    /// entries counted (`?sectors=health,education&exact=sectors&kind=practice`),
    /// where filters can express the cell. Scripts point the link there.
    pub filter: Option<String>,
    /// The heat shading class of a pivot cell (`heat-0` to `heat-5`), by its count.
    pub shade: Option<String>,
}

/// A table row.
#[derive(Serialize, Clone)]
pub struct RowView {
    /// `data`, `subtotal` or `total`.
    pub role: &'static str,
    /// Cells.
    pub cells: Vec<CellView>,
}

/// A summary table ready to print.
#[derive(Serialize, Clone)]
pub struct TableView {
    /// Header rows.
    pub head: Vec<Vec<CellView>>,
    /// Body rows.
    pub rows: Vec<RowView>,
    /// Bars for the chart: one series per kind.
    pub chart: ChartView,
    /// The shading of the cells, lowest first (pivot tables; empty otherwise).
    pub heat: Vec<HeatKey>,
}

/// One shade of a heat-shaded table, for its legend.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct HeatKey {
    /// CSS class, `heat-0` to `heat-5`.
    pub class: String,
    /// The counts it stands for: "0", "2–3".
    pub range: String,
}

/// A horizontal bar chart; `svg` is drawn on the server, no script needed.
#[derive(Serialize, Clone, Default)]
pub struct ChartView {
    /// The chart as an accessible inline SVG (escaped, safe to embed).
    pub svg: String,
    /// Series names (kind labels).
    pub series: Vec<String>,
    /// Bars: label and one value per series.
    pub bars: Vec<ChartBar>,
    /// Largest value, for scaling.
    pub max: usize,
    /// What the bars show, one sentence without its full stop ("How many
    /// entries name each country"); the page's caption and the SVG's
    /// description start with it.
    pub caption: String,
}

/// One labelled group of bars.
#[derive(Serialize, Clone)]
pub struct ChartBar {
    /// Category label.
    pub label: String,
    /// One value per series.
    pub values: Vec<usize>,
}

/// A filtered view of the home page: entries of the given kinds naming, for
/// each facet listed, one of the values listed (or, for facets in `exact`,
/// exactly those values and no others).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HomeFilter {
    /// (facet index, value indices).
    pub facets: Vec<(usize, Vec<usize>)>,
    /// Facet indices matched exactly.
    pub exact: Vec<usize>,
    /// Kind indices; empty for all kinds.
    pub kinds: Vec<usize>,
}

impl HomeFilter {
    /// Entries naming `value` (or one of its parts) of `facet`.
    pub fn value(facet: usize, value: usize) -> HomeFilter {
        HomeFilter {
            facets: vec![(facet, vec![value])],
            ..HomeFilter::default()
        }
    }

    /// Entries naming exactly `combination` of `facet`.
    pub fn exactly(facet: usize, combination: &[usize]) -> HomeFilter {
        HomeFilter {
            facets: vec![(facet, combination.to_vec())],
            exact: vec![facet],
            kinds: Vec::new(),
        }
    }

    /// The same filter limited to one kind.
    pub fn of_kind(&self, kind: usize) -> HomeFilter {
        HomeFilter {
            kinds: vec![kind],
            ..self.clone()
        }
    }

    /// The query string, in the canonical order the home page writes too:
    /// facets in declaration order, then `kind`, then `exact`.
    pub fn query(&self, catalogue: &Catalogue) -> String {
        let config = &catalogue.config;
        let mut facets = self.facets.clone();
        facets.sort_by_key(|(f, _)| *f);
        let mut parts: Vec<String> = facets
            .iter()
            .map(|(fi, values)| {
                let facet = &config.facets[*fi];
                let ids: Vec<&str> = values
                    .iter()
                    .map(|&v| facet.values[v].id.as_str())
                    .collect();
                format!("{}={}", facet.name, ids.join(","))
            })
            .collect();
        if !self.kinds.is_empty() {
            let ids: Vec<&str> = self
                .kinds
                .iter()
                .map(|&k| config.kinds[k].id.as_str())
                .collect();
            parts.push(format!("kind={}", ids.join(",")));
        }
        if !self.exact.is_empty() {
            let mut exact = self.exact.clone();
            exact.sort_unstable();
            let names: Vec<&str> = exact
                .iter()
                .map(|&f| config.facets[f].name.as_str())
                .collect();
            parts.push(format!("exact={}", names.join(",")));
        }
        format!("?{}", parts.join("&"))
    }
}

/// Whether a value has parts (the home page's filter for it then takes them in too).
fn has_children(facet: &Facet, value: usize) -> bool {
    facet.values.iter().any(|v| v.parent == Some(value))
}

impl CellView {
    fn text(text: impl Into<String>) -> CellView {
        CellView {
            text: text.into(),
            colspan: 1,
            rowspan: 1,
            ..CellView::default()
        }
    }
    fn header(text: impl Into<String>) -> CellView {
        CellView {
            header: true,
            ..CellView::text(text)
        }
    }
    fn number(n: impl ToString, href: Option<String>) -> CellView {
        CellView {
            numeric: true,
            href,
            ..CellView::text(n.to_string())
        }
    }
}

/// Header rows and body rows of a table.
type Rows = (Vec<Vec<CellView>>, Vec<RowView>);

/// Lays out one summary table.
struct Layout<'a> {
    c: &'a Catalogue,
    index: &'a crate::index::Index,
    si: usize,
    spec: &'a SummarySpec,
    kind_labels: Vec<String>,
    chart: ChartView,
    heat: Vec<HeatKey>,
}

impl Views<'_> {
    /// A summary table laid out for HTML, with links to the entries behind each count.
    pub fn table(&self, si: usize, table: &Table) -> TableView {
        let c = self.catalogue;
        let spec = &c.config.summaries[si];
        let kind_labels: Vec<String> = spec
            .kinds
            .iter()
            .map(|&k| c.config.kinds[k].label.clone())
            .collect();
        let mut layout = Layout {
            c,
            index: self.index,
            si,
            spec,
            chart: ChartView {
                series: kind_labels.clone(),
                ..ChartView::default()
            },
            kind_labels,
            heat: Vec::new(),
        };
        let (head, rows) = match table {
            Table::Combinations(t) => layout.combinations(t),
            Table::Counts(t) => layout.counts(t),
            Table::Presence(t) => layout.presence(t),
            Table::Pivot(t) => layout.pivot(t),
        };
        let mut chart = layout.chart;
        chart.max = chart
            .bars
            .iter()
            .flat_map(|b| b.values.iter().copied())
            .max()
            .unwrap_or(0);
        chart.svg = chart_svg(&chart, &spec.title);
        TableView {
            head,
            rows,
            chart,
            heat: layout.heat,
        }
    }
}
/// The start of a value's row in `counts` and `presence` tables: the link to
/// the value's page, the row's header cell, and the home page filter for it.
/// A count is of entries naming the value itself; the filter for a value with
/// parts takes its parts in too, so such a value has none.
fn value_row(
    fi: usize,
    facet: &Facet,
    v: usize,
) -> (Option<String>, Vec<CellView>, Option<HomeFilter>) {
    let value = &facet.values[v];
    let href = Some(routes::value_url(facet, v));
    let cells = vec![CellView {
        href: href.clone(),
        indent: value.depth,
        ..CellView::header(value.label.clone())
    }];
    let filter = (!has_children(facet, v)).then(|| HomeFilter::value(fi, v));
    (href, cells, filter)
}

impl Layout<'_> {
    /// What is counted, for captions: "entries", or the one kind's label ("articles").
    fn counted(&self) -> String {
        match self.kind_labels.as_slice() {
            [one] => one.to_lowercase(),
            _ => "entries".to_string(),
        }
    }

    /// Counts as number cells linking to `href` where not zero.
    fn numbers(&self, counts: &[usize], href: &Option<String>) -> Vec<CellView> {
        counts
            .iter()
            .map(|&n| CellView::number(n, href.clone().filter(|_| n > 0)))
            .collect()
    }

    /// Counts per kind, each also pointing at the home page filtered to that
    /// cell: the filter (if the cell can be expressed as one) and the kind.
    fn filtered(
        &self,
        counts: &[usize],
        href: &Option<String>,
        filter: Option<HomeFilter>,
    ) -> Vec<CellView> {
        counts
            .iter()
            .zip(&self.spec.kinds)
            .map(|(&n, &k)| CellView {
                filter: filter
                    .as_ref()
                    .filter(|_| n > 0)
                    .map(|f| f.of_kind(k).query(self.c)),
                ..CellView::number(n, href.clone().filter(|_| n > 0))
            })
            .collect()
    }

    /// The `combinations` mode's header rows and body rows.
    fn combinations(&mut self, t: &CombinationTable) -> Rows {
        let facet = &self.c.config.facets[t.facet];
        let plural = facet.name.replace(['-', '_'], " ");
        self.chart.caption = format!(
            "How many {} have each exact combination of {plural} (each entry counted once)",
            self.counted()
        );
        let mut head = vec![
            CellView::header("Number"),
            CellView::header(facet.label.clone()),
        ];
        head.extend(self.spec.kinds.iter().map(|&k| {
            CellView::header(format!(
                "{} (N = {})",
                self.c.config.kinds[k].label,
                self.index.by_kind[k].len()
            ))
        }));
        let mut rows = Vec::new();
        for g in &t.groups {
            let label = group_label(g.size, &facet.singular, &plural);
            for (i, (combination, counts)) in g.rows.iter().enumerate() {
                let mut cells = Vec::new();
                if i == 0 {
                    cells.push(CellView {
                        rowspan: g.rows.len() + 1,
                        ..CellView::header(label.clone())
                    });
                }
                let href = Some(routes::combination_url(facet, combination));
                let name = facet.combination_label(combination);
                cells.push(CellView {
                    href: href.clone(),
                    ..CellView::header(name.clone())
                });
                cells.extend(self.filtered(
                    counts,
                    &href,
                    Some(HomeFilter::exactly(t.facet, combination)),
                ));
                self.chart.bars.push(ChartBar {
                    label: name,
                    values: counts.clone(),
                });
                rows.push(RowView {
                    role: "data",
                    cells,
                });
            }
            let mut cells = vec![CellView::header("Subtotal")];
            cells.extend(self.numbers(&g.subtotal, &None));
            rows.push(RowView {
                role: "subtotal",
                cells,
            });
        }
        if let Some(none) = &t.none {
            let mut cells = vec![CellView {
                colspan: 2,
                ..CellView::header("None")
            }];
            cells.extend(self.numbers(none, &None));
            rows.push(RowView {
                role: "data",
                cells,
            });
        }
        let mut cells = vec![CellView {
            colspan: 2,
            ..CellView::header("Total")
        }];
        // The total of a kind is all its entries: its list page, or the filter.
        cells.extend(
            t.total
                .iter()
                .zip(&self.spec.kinds)
                .map(|(&n, &k)| CellView {
                    filter: (n > 0).then(|| HomeFilter::default().of_kind(k).query(self.c)),
                    ..CellView::number(
                        n,
                        (n > 0).then(|| routes::kind_url(&self.c.config.kinds[k])),
                    )
                }),
        );
        rows.push(RowView {
            role: "total",
            cells,
        });
        (vec![head], rows)
    }

    /// The `counts` mode's header rows and body rows.
    fn counts(&mut self, t: &CountTable) -> Rows {
        let facet = &self.c.config.facets[t.facet];
        self.chart.caption = format!(
            "How many {} name each value itself (an entry naming two values counts under both)",
            self.counted()
        );
        let mut head = vec![CellView::header(facet.label.clone())];
        head.extend(self.kind_labels.iter().map(|l| CellView::header(l.clone())));
        let mut rows = Vec::new();
        for (v, counts) in &t.rows {
            let value = &facet.values[*v];
            let (href, mut cells, filter) = value_row(t.facet, facet, *v);
            cells.extend(self.filtered(counts, &href, filter));
            self.chart.bars.push(ChartBar {
                label: value.label.clone(),
                values: counts.clone(),
            });
            rows.push(RowView {
                role: "data",
                cells,
            });
        }
        let mut cells = vec![CellView::header("Total")];
        cells.extend(self.numbers(&t.total, &None));
        rows.push(RowView {
            role: "total",
            cells,
        });
        (vec![head], rows)
    }

    /// The `presence` mode's header rows and body rows.
    fn presence(&mut self, t: &PresenceTable) -> Rows {
        let facet = &self.c.config.facets[t.facet];
        self.chart.caption = format!(
            "How many {} name each value (the table's n columns)",
            self.counted()
        );
        let mut top = vec![CellView {
            rowspan: 2,
            ..CellView::header(facet.label.clone())
        }];
        let mut sub = Vec::new();
        for (i, label) in self.kind_labels.iter().enumerate() {
            top.push(CellView {
                colspan: 2,
                ..CellView::header(format!("{label} (N = {})", t.base[i]))
            });
            sub.push(CellView::header("n"));
            sub.push(CellView::header("%"));
        }
        let rows = t
            .rows
            .iter()
            .map(|(v, counts)| {
                let value = &facet.values[*v];
                let (href, mut cells, filter) = value_row(t.facet, facet, *v);
                for ((n, base), &k) in counts.iter().zip(&t.base).zip(&self.spec.kinds) {
                    cells.push(CellView {
                        filter: filter
                            .as_ref()
                            .filter(|_| *n > 0)
                            .map(|f| f.of_kind(k).query(self.c)),
                        ..CellView::number(n, href.clone().filter(|_| *n > 0))
                    });
                    cells.push(CellView::number(
                        format!("{}%", summary::percent(*n, *base)),
                        None,
                    ));
                }
                self.chart.bars.push(ChartBar {
                    label: value.label.clone(),
                    values: counts.clone(),
                });
                RowView {
                    role: "data",
                    cells,
                }
            })
            .collect();
        (vec![top, sub], rows)
    }

    /// The `pivot` mode's header rows and body rows.
    fn pivot(&mut self, t: &PivotTable) -> Rows {
        let rf = &self.c.config.facets[t.row_facet];
        let cf = &self.c.config.facets[t.column_facet];
        self.chart.series = vec!["Entries".into()];
        self.chart.caption = format!(
            "The table's Total column: how many {} name each row's value, whatever their {} (each entry counted once)",
            self.counted(),
            cf.name.replace(['-', '_'], " ")
        );
        // Cells are shaded by count in the map's classes (quantile breaks).
        let counts: Vec<usize> = t.cells.iter().flatten().map(Vec::len).collect();
        let classes = map::shade_classes(&counts);
        self.heat = classes
            .iter()
            .map(|c| HeatKey {
                class: heat_class(c.step),
                range: c.range(),
            })
            .collect();
        let mut head = vec![CellView::header(format!("{} \\ {}", rf.label, cf.label))];
        head.extend(t.columns.iter().map(|col| CellView {
            href: Some(if t.by_combination {
                routes::combination_url(cf, col)
            } else {
                routes::value_url(cf, col[0])
            }),
            ..CellView::header(cf.combination_label(col))
        }));
        head.push(CellView::header("Total"));
        let mut rows = Vec::new();
        for (ri, &r) in t.rows.iter().enumerate() {
            let value = &rf.values[r];
            let mut cells = vec![CellView {
                href: Some(routes::value_url(rf, r)),
                indent: value.depth,
                ..CellView::header(value.label.clone())
            }];
            for (ci, cell) in t.cells[ri].iter().enumerate() {
                let column = &t.columns[ci];
                let href =
                    (!cell.is_empty()).then(|| routes::pivot_cell_url(self.c, self.si, r, column));
                // Cells count exact values; filters for values with parts take
                // the parts in too, so such cells keep only their list page.
                let expressible = t.row_facet != t.column_facet
                    && !has_children(rf, r)
                    && (t.by_combination || !has_children(cf, column[0]));
                let filter = (!cell.is_empty() && expressible).then(|| {
                    let mut filter = if t.by_combination {
                        HomeFilter::exactly(t.column_facet, column)
                    } else {
                        HomeFilter::value(t.column_facet, column[0])
                    };
                    filter.facets.push((t.row_facet, vec![r]));
                    if self.spec.kinds.len() < self.c.config.kinds.len() {
                        filter.kinds = self.spec.kinds.clone();
                    }
                    filter.query(self.c)
                });
                let shade = map::shade_for(&classes, cell.len()).map(|c| heat_class(c.step));
                cells.push(CellView {
                    filter,
                    shade,
                    ..CellView::number(cell.len(), href)
                });
            }
            cells.push(CellView::number(t.row_totals[ri], None));
            self.chart.bars.push(ChartBar {
                label: value.label.clone(),
                values: vec![t.row_totals[ri]],
            });
            rows.push(RowView {
                role: "data",
                cells,
            });
        }
        let mut cells = vec![CellView::header("Total")];
        cells.extend(t.column_totals.iter().map(|&n| CellView::number(n, None)));
        cells.push(CellView::number(t.total, None));
        rows.push(RowView {
            role: "total",
            cells,
        });
        (vec![head], rows)
    }
}

//! What templates see: small serialisable structs borrowed from the model.
//!
//! Templates never get the model itself. Every URL here is site-relative
//! (`practices/p12/`); templates put `{{ root }}` in front, which is the
//! relative way back to the site root from the page being rendered, so links
//! work under any base path and from `file://`.

use serde::Serialize;
use serde_json::Value as Json;

use crate::index::Index;
use crate::markdown::is_safe_url;
use crate::model::{Catalogue, Entry, Facet};
use crate::render::escape_html;
use crate::summary::{self, group_label, Table};

/// Site-wide data, the same on every page (`site` in templates).
#[derive(Serialize)]
pub struct SiteView<'a> {
    /// Site title.
    pub title: &'a str,
    /// Site description.
    pub description: &'a str,
    /// Absolute base URL, ending in `/`.
    pub base_url: &'a str,
    /// Language code.
    pub language: &'a str,
    /// Kinds with their entry counts.
    pub kinds: Vec<KindView<'a>>,
    /// Facets with their values.
    pub facets: Vec<FacetView<'a>>,
    /// Summary pages.
    pub summaries: Vec<LinkView>,
    /// Free pages, in menu order.
    pub pages: Vec<LinkView>,
    /// Total number of entries.
    pub entry_count: usize,
    /// Other settings from `catalogue.yaml`.
    pub extra: &'a serde_json::Map<String, Json>,
}

/// A kind (`site.kinds`).
#[derive(Serialize)]
pub struct KindView<'a> {
    /// Kind id.
    pub id: &'a str,
    /// Plural label.
    pub label: &'a str,
    /// Singular label.
    pub singular: &'a str,
    /// URL of the kind's list page.
    pub url: String,
    /// Number of entries.
    pub count: usize,
}

/// A facet with its values (`site.facets`).
#[derive(Serialize)]
pub struct FacetView<'a> {
    /// Facet name (front-matter key).
    pub name: &'a str,
    /// Label.
    pub label: &'a str,
    /// Description.
    pub description: &'a str,
    /// URL of the facet's overview page.
    pub url: String,
    /// Values in display order.
    pub values: Vec<ValueView<'a>>,
    /// Whether exact combinations of its values have pages, and so can be
    /// filtered for on the home page ("exactly these values, no others").
    pub exact: bool,
}

/// A vocabulary value.
#[derive(Serialize, Clone)]
pub struct ValueView<'a> {
    /// Value id.
    pub id: &'a str,
    /// Label.
    pub label: &'a str,
    /// Description.
    pub description: &'a str,
    /// URL of the value's page.
    pub url: String,
    /// Hierarchy depth (0 = top level).
    pub depth: usize,
    /// Parent value id, for hierarchies.
    pub parent: Option<&'a str>,
    /// Entries under this value, its descendants included.
    pub count: usize,
}

/// A titled link.
#[derive(Serialize, Clone)]
pub struct LinkView {
    /// Link text.
    pub title: String,
    /// Site-relative URL.
    pub url: String,
}

/// An entry as it appears in lists.
#[derive(Serialize, Clone)]
pub struct EntryItem<'a> {
    /// Entry id.
    pub id: &'a str,
    /// Title.
    pub title: &'a str,
    /// URL of the entry page.
    pub url: String,
    /// Kind id.
    pub kind: &'a str,
    /// Singular kind label.
    pub kind_label: &'a str,
    /// A short line of facet labels ("Denmark · Health").
    pub summary: String,
    /// The entry's facet values for the home page's filters, as
    /// `<facet>:<id>,<id> <facet>:<id>` (facets with no value left out).
    pub facet_ids: String,
}

/// A group of entries of one kind, as rendered list items.
#[derive(Serialize)]
pub struct KindGroup<'a> {
    /// Plural kind label.
    pub label: &'a str,
    /// Kind id.
    pub kind: &'a str,
    /// Number of entries.
    pub count: usize,
    /// The entries' `<li>` items (from `item.html`), joined into one or more
    /// chunks: the home page's list is split every 50 entries so the browser
    /// can skip laying out the parts off screen; other lists are one chunk.
    pub chunks: Vec<String>,
}

/// A facet as shown on an entry page.
#[derive(Serialize)]
pub struct EntryFacet<'a> {
    /// Facet name.
    pub name: &'a str,
    /// Facet label.
    pub label: &'a str,
    /// Values named, with links.
    pub values: Vec<LinkView>,
    /// The exact combination page, for facets that have them.
    pub combination: Option<LinkView>,
    /// The links to `values` (from `value-link.html`), comma-separated,
    /// filled in by the renderer.
    pub links: String,
    /// Facet index.
    #[serde(skip)]
    pub index: usize,
    /// The value indices behind `values`.
    #[serde(skip)]
    pub value_ids: Vec<usize>,
}

/// A plain front-matter field as shown on an entry page.
#[derive(Serialize)]
pub struct FieldView {
    /// Field key.
    pub key: String,
    /// Human label ("Target group").
    pub label: String,
    /// Values; `href` is set for safe URLs.
    pub items: Vec<FieldItem>,
}

/// One value of a field.
#[derive(Serialize)]
pub struct FieldItem {
    /// Display text.
    pub text: String,
    /// Link target, when the value is an http(s) or mailto URL.
    pub href: Option<String>,
}

/// The entry page (`entry` in `entry.html`).
#[derive(Serialize)]
pub struct EntryView<'a> {
    /// Id.
    pub id: &'a str,
    /// Title.
    pub title: &'a str,
    /// URL.
    pub url: String,
    /// Kind id.
    pub kind: &'a str,
    /// Singular kind label.
    pub kind_label: &'a str,
    /// Plural kind label.
    pub kind_plural: &'a str,
    /// URL of the kind's list.
    pub kind_url: String,
    /// Facets with at least one value.
    pub facets: Vec<EntryFacet<'a>>,
    /// Other fields, in file order.
    pub fields: Vec<FieldView>,
    /// Every front-matter field not read by casebook, raw (for custom templates).
    pub extra: &'a serde_json::Map<String, Json>,
    /// `provenance: reconstructed`: details are not published in the source.
    pub reconstructed: bool,
    /// Facet labels listed under `reconstructed:`.
    pub reconstructed_facets: Vec<String>,
    /// Body HTML (already safe).
    pub body: &'a str,
    /// Related entries (both directions, in catalogue order) as rendered `<li>`
    /// items; empty when there are none.
    pub related: String,
    /// Entries sharing the most facet values, as rendered `<li>` items.
    pub similar: String,
    /// The entries behind `related`, filled in by the renderer.
    #[serde(skip)]
    pub related_ids: Vec<usize>,
    /// The entries behind `similar`.
    #[serde(skip)]
    pub similar_ids: Vec<usize>,
    /// Source file, relative to the site root.
    pub source: String,
}

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

/// Site-relative URL of a facet value page.
pub fn value_url(facet: &Facet, value: usize) -> String {
    format!("{}/{}/", facet.name, facet.values[value].slug)
}

/// Site-relative URL of the page listing an exact combination. A single value's
/// exact combination is a section of that value's page.
pub fn combination_url(facet: &Facet, combination: &[usize]) -> String {
    if combination.len() == 1 {
        format!("{}#only", value_url(facet, combination[0]))
    } else {
        format!("{}/{}/", facet.name, facet.combination_slug(combination))
    }
}

pub use crate::model::humanise;

/// Builds views from a loaded catalogue and its index.
pub struct Views<'a> {
    /// The catalogue.
    pub catalogue: &'a Catalogue,
    /// Its index.
    pub index: &'a Index,
}

impl<'a> Views<'a> {
    /// The `site` object.
    pub fn site(&self) -> SiteView<'a> {
        let c = self.catalogue;
        let config = &c.config;
        SiteView {
            title: &config.title,
            description: &config.description,
            base_url: &config.base_url,
            language: &config.language,
            kinds: config
                .kinds
                .iter()
                .enumerate()
                .map(|(i, k)| KindView {
                    id: &k.id,
                    label: &k.label,
                    singular: &k.singular,
                    url: format!("{}/", k.dir),
                    count: self.index.by_kind[i].len(),
                })
                .collect(),
            facets: (0..config.facets.len()).map(|f| self.facet(f)).collect(),
            summaries: config
                .summaries
                .iter()
                .map(|s| LinkView {
                    title: s.title.clone(),
                    url: format!("summary/{}/", s.id),
                })
                .collect(),
            pages: c
                .pages
                .iter()
                .map(|p| LinkView {
                    title: p.title.clone(),
                    url: format!("{}/", p.slug),
                })
                .collect(),
            entry_count: c.entries.len(),
            extra: &config.extra,
        }
    }

    /// A facet with its values in display order.
    pub fn facet(&self, fi: usize) -> FacetView<'a> {
        let facet = &self.catalogue.config.facets[fi];
        FacetView {
            name: &facet.name,
            label: &facet.label,
            description: &facet.description,
            url: format!("{}/", facet.name),
            values: facet
                .display_order
                .iter()
                .map(|&v| self.value(fi, v))
                .collect(),
            exact: facet.combination_pages,
        }
    }

    /// One vocabulary value.
    pub fn value(&self, fi: usize, v: usize) -> ValueView<'a> {
        let facet = &self.catalogue.config.facets[fi];
        let value = &facet.values[v];
        ValueView {
            id: &value.id,
            label: &value.label,
            description: &value.description,
            url: value_url(facet, v),
            depth: value.depth,
            parent: value.parent.map(|p| facet.values[p].id.as_str()),
            count: self.index.rolled_up[fi][v].len(),
        }
    }

    /// An entry as a list item.
    pub fn item(&self, e: usize) -> EntryItem<'a> {
        let c = self.catalogue;
        let entry = &c.entries[e];
        let kind = &c.config.kinds[entry.kind];
        // "Denmark · Health, Education": the first two facets' labels.
        let mut summary = String::new();
        for (fi, values) in entry.facets.iter().enumerate().take(2) {
            let facet = &c.config.facets[fi];
            for (i, &v) in values.iter().enumerate() {
                if i > 0 {
                    summary.push_str(", ");
                } else if !summary.is_empty() {
                    summary.push_str(" · ");
                }
                summary.push_str(&facet.values[v].label);
            }
        }
        let mut facet_ids = String::new();
        for (fi, values) in entry.facets.iter().enumerate() {
            let facet = &c.config.facets[fi];
            for (i, &v) in values.iter().enumerate() {
                if i == 0 {
                    if !facet_ids.is_empty() {
                        facet_ids.push(' ');
                    }
                    facet_ids.push_str(&facet.name);
                    facet_ids.push(':');
                } else {
                    facet_ids.push(',');
                }
                facet_ids.push_str(&facet.values[v].id);
            }
        }
        EntryItem {
            id: &entry.id,
            title: &entry.title,
            url: c.entry_url(entry),
            kind: &kind.id,
            kind_label: &kind.singular,
            summary,
            facet_ids,
        }
    }

    /// The related entries shown on `e`'s page: named by it or naming it, in
    /// catalogue order.
    pub fn related(&self, e: usize) -> Vec<usize> {
        let mut related = self.catalogue.entries[e].related.clone();
        related.extend(&self.index.related_to[e]);
        related.sort_unstable();
        related.dedup();
        related
    }

    /// The entry page view.
    pub fn entry(&self, e: usize) -> EntryView<'a> {
        let c = self.catalogue;
        let entry: &'a Entry = &c.entries[e];
        let kind = &c.config.kinds[entry.kind];
        let facets = entry
            .facets
            .iter()
            .enumerate()
            .filter(|(_, values)| !values.is_empty())
            .map(|(fi, values)| {
                let facet = &c.config.facets[fi];
                EntryFacet {
                    name: &facet.name,
                    label: &facet.label,
                    values: values
                        .iter()
                        .map(|&v| LinkView {
                            title: facet.values[v].label.clone(),
                            url: value_url(facet, v),
                        })
                        .collect(),
                    combination: (facet.combination_pages && values.len() > 1).then(|| LinkView {
                        title: facet.combination_label(values),
                        url: combination_url(facet, values),
                    }),
                    links: String::new(),
                    index: fi,
                    value_ids: values.clone(),
                }
            })
            .collect();
        let related = self.related(e);
        let reconstructed =
            entry.fields.get("provenance").and_then(Json::as_str) == Some("reconstructed");
        let reconstructed_facets = match entry.fields.get("reconstructed") {
            Some(Json::Array(list)) => list
                .iter()
                .filter_map(Json::as_str)
                .map(|name| {
                    c.config
                        .facet_index(name)
                        .map_or_else(|| humanise(name), |fi| c.config.facets[fi].label.clone())
                })
                .collect(),
            _ => Vec::new(),
        };
        EntryView {
            id: &entry.id,
            title: &entry.title,
            url: c.entry_url(entry),
            kind: &kind.id,
            kind_label: &kind.singular,
            kind_plural: &kind.label,
            kind_url: format!("{}/", kind.dir),
            facets,
            fields: entry
                .fields
                .iter()
                .filter(|(k, _)| k.as_str() != "provenance" && k.as_str() != "reconstructed")
                .map(|(k, v)| FieldView {
                    key: k.clone(),
                    label: humanise(k),
                    items: field_items(v),
                })
                .filter(|f| !f.items.is_empty())
                .collect(),
            extra: &entry.fields,
            reconstructed,
            reconstructed_facets,
            body: &entry.body_html,
            related: String::new(),
            similar: String::new(),
            similar_ids: self.similar(e, &related),
            related_ids: related,
            source: crate::diagnostic::display_path(&entry.source),
        }
    }

    /// Up to five entries sharing the most facet values with `e` (ties by catalogue
    /// order), leaving out `e` and its related entries. Values named by more than
    /// [`similar_limit`] entries are not counted. The shared values of all entries
    /// are counted 64 at a time on the index's bit sets (bit-sliced counters), then
    /// read from the highest count down, in catalogue order, until five are found.
    pub fn similar(&self, e: usize, exclude: &[usize]) -> Vec<usize> {
        thread_local! {
            static PLANES: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let n = self.catalogue.entries.len();
        let limit = similar_limit(n);
        let entry = &self.catalogue.entries[e];
        let sets: Vec<&[u64]> = entry
            .facets
            .iter()
            .enumerate()
            .flat_map(|(fi, values)| values.iter().map(move |&v| (fi, v)))
            .filter(|&(fi, v)| self.index.exact[fi][v].len() <= limit)
            .map(|(fi, v)| self.index.exact_bits[fi][v].as_slice())
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

    /// A summary table laid out for HTML, with links to the entries behind each count.
    pub fn table(&self, si: usize, table: &Table) -> TableView {
        let c = self.catalogue;
        let config = &c.config;
        let spec = &config.summaries[si];
        let kind_labels: Vec<String> = spec
            .kinds
            .iter()
            .map(|&k| config.kinds[k].label.clone())
            .collect();
        let mut chart = ChartView {
            series: kind_labels.clone(),
            ..ChartView::default()
        };
        let numbers = |counts: &[usize], href: &Option<String>| {
            counts
                .iter()
                .map(|&n| CellView::number(n, href.clone().filter(|_| n > 0)))
                .collect::<Vec<_>>()
        };
        // Counts per kind, each also pointing at the home page filtered to that
        // cell: the filter (if the cell can be expressed as one) and the kind.
        let filtered = |counts: &[usize], href: &Option<String>, filter: Option<HomeFilter>| {
            counts
                .iter()
                .zip(&spec.kinds)
                .map(|(&n, &k)| CellView {
                    filter: filter
                        .as_ref()
                        .filter(|_| n > 0)
                        .map(|f| f.of_kind(k).query(c)),
                    ..CellView::number(n, href.clone().filter(|_| n > 0))
                })
                .collect::<Vec<_>>()
        };
        let (head, rows) = match table {
            Table::Combinations(t) => {
                let facet = &config.facets[t.facet];
                let plural = facet.name.replace(['-', '_'], " ");
                let mut head = vec![
                    CellView::header("Number"),
                    CellView::header(facet.label.clone()),
                ];
                head.extend(spec.kinds.iter().map(|&k| {
                    CellView::header(format!(
                        "{} (N = {})",
                        config.kinds[k].label,
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
                        let href = Some(combination_url(facet, combination));
                        let name = facet.combination_label(combination);
                        cells.push(CellView {
                            href: href.clone(),
                            ..CellView::header(name.clone())
                        });
                        cells.extend(filtered(
                            counts,
                            &href,
                            Some(HomeFilter::exactly(t.facet, combination)),
                        ));
                        chart.bars.push(ChartBar {
                            label: name,
                            values: counts.clone(),
                        });
                        rows.push(RowView {
                            role: "data",
                            cells,
                        });
                    }
                    let mut cells = vec![CellView::header("Subtotal")];
                    cells.extend(numbers(&g.subtotal, &None));
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
                    cells.extend(numbers(none, &None));
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
                cells.extend(t.total.iter().zip(&spec.kinds).map(|(&n, &k)| CellView {
                    filter: (n > 0).then(|| HomeFilter::default().of_kind(k).query(c)),
                    ..CellView::number(n, (n > 0).then(|| format!("{}/", config.kinds[k].dir)))
                }));
                rows.push(RowView {
                    role: "total",
                    cells,
                });
                (vec![head], rows)
            }
            Table::Counts(t) => {
                let facet = &config.facets[t.facet];
                let mut head = vec![CellView::header(facet.label.clone())];
                head.extend(kind_labels.iter().map(|l| CellView::header(l.clone())));
                let mut rows = Vec::new();
                for (v, counts) in &t.rows {
                    let value = &facet.values[*v];
                    let href = Some(value_url(facet, *v));
                    let mut cells = vec![CellView {
                        href: href.clone(),
                        indent: value.depth,
                        ..CellView::header(value.label.clone())
                    }];
                    // A count is of entries naming the value itself; the filter for
                    // a value with parts takes its parts in too, so it has none.
                    let filter = (!has_children(facet, *v)).then(|| HomeFilter::value(t.facet, *v));
                    cells.extend(filtered(counts, &href, filter));
                    chart.bars.push(ChartBar {
                        label: value.label.clone(),
                        values: counts.clone(),
                    });
                    rows.push(RowView {
                        role: "data",
                        cells,
                    });
                }
                let mut cells = vec![CellView::header("Total")];
                cells.extend(numbers(&t.total, &None));
                rows.push(RowView {
                    role: "total",
                    cells,
                });
                (vec![head], rows)
            }
            Table::Presence(t) => {
                let facet = &config.facets[t.facet];
                let mut top = vec![CellView {
                    rowspan: 2,
                    ..CellView::header(facet.label.clone())
                }];
                let mut sub = Vec::new();
                for (i, label) in kind_labels.iter().enumerate() {
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
                        let href = Some(value_url(facet, *v));
                        let mut cells = vec![CellView {
                            href: href.clone(),
                            indent: value.depth,
                            ..CellView::header(value.label.clone())
                        }];
                        let filter =
                            (!has_children(facet, *v)).then(|| HomeFilter::value(t.facet, *v));
                        for ((n, base), &k) in counts.iter().zip(&t.base).zip(&spec.kinds) {
                            cells.push(CellView {
                                filter: filter
                                    .as_ref()
                                    .filter(|_| *n > 0)
                                    .map(|f| f.of_kind(k).query(c)),
                                ..CellView::number(n, href.clone().filter(|_| *n > 0))
                            });
                            cells.push(CellView::number(
                                format!("{}%", summary::percent(*n, *base)),
                                None,
                            ));
                        }
                        chart.bars.push(ChartBar {
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
            Table::Pivot(t) => {
                let rf = &config.facets[t.row_facet];
                let cf = &config.facets[t.column_facet];
                chart.series = vec!["Entries".into()];
                let mut head = vec![CellView::header(format!("{} \\ {}", rf.label, cf.label))];
                head.extend(t.columns.iter().map(|col| CellView {
                    href: Some(if t.by_combination {
                        combination_url(cf, col)
                    } else {
                        value_url(cf, col[0])
                    }),
                    ..CellView::header(cf.combination_label(col))
                }));
                head.push(CellView::header("Total"));
                let mut rows = Vec::new();
                for (ri, &r) in t.rows.iter().enumerate() {
                    let value = &rf.values[r];
                    let mut cells = vec![CellView {
                        href: Some(value_url(rf, r)),
                        indent: value.depth,
                        ..CellView::header(value.label.clone())
                    }];
                    for (ci, cell) in t.cells[ri].iter().enumerate() {
                        let column = &t.columns[ci];
                        let href = (!cell.is_empty())
                            .then(|| pivot_cell_url(spec_id(c, si), rf, r, cf, column));
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
                            if spec.kinds.len() < config.kinds.len() {
                                filter.kinds = spec.kinds.clone();
                            }
                            filter.query(c)
                        });
                        cells.push(CellView {
                            filter,
                            ..CellView::number(cell.len(), href)
                        });
                    }
                    cells.push(CellView::number(t.row_totals[ri], None));
                    chart.bars.push(ChartBar {
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
        };
        chart.max = chart
            .bars
            .iter()
            .flat_map(|b| b.values.iter().copied())
            .max()
            .unwrap_or(0);
        chart.svg = chart_svg(&chart, &spec.title);
        TableView { head, rows, chart }
    }
}

/// How many entries "more like this" ([`Views::similar`]) shows.
pub const SIMILAR_SHOWN: usize = 5;
/// How many counted facet values an entry must share with another to be similar.
pub const SIMILAR_MIN_SHARED: usize = 2;

/// Values named by more entries than this are not counted for similarity: shared
/// by a large share of the catalogue they say little, and skipping them keeps
/// the cost bounded on big catalogues.
pub fn similar_limit(entries: usize) -> usize {
    (entries / 4).max(50)
}

fn spec_id(c: &Catalogue, si: usize) -> &str {
    &c.config.summaries[si].id
}

/// Site-relative URL of the list behind one pivot cell.
pub fn pivot_cell_url(
    summary: &str,
    rows: &Facet,
    row: usize,
    columns: &Facet,
    column: &[usize],
) -> String {
    format!(
        "summary/{summary}/{}/{}/",
        rows.values[row].slug,
        columns.combination_slug(column)
    )
}

fn field_items(value: &Json) -> Vec<FieldItem> {
    match value {
        Json::Null => Vec::new(),
        Json::Array(items) => items.iter().flat_map(field_items).collect(),
        Json::String(s) => {
            let href = ((s.starts_with("http://")
                || s.starts_with("https://")
                || s.starts_with("mailto:"))
                && is_safe_url(s))
            .then(|| s.clone());
            vec![FieldItem {
                text: s.clone(),
                href,
            }]
        }
        Json::Bool(b) => vec![FieldItem {
            text: if *b { "yes" } else { "no" }.into(),
            href: None,
        }],
        Json::Number(n) => vec![FieldItem {
            text: n.to_string(),
            href: None,
        }],
        Json::Object(map) => map
            .iter()
            .map(|(k, v)| FieldItem {
                text: format!(
                    "{}: {}",
                    humanise(k),
                    field_items(v)
                        .into_iter()
                        .map(|i| i.text)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                href: None,
            })
            .collect(),
    }
}

/// Draws a horizontal bar chart: one band per category, one bar per series,
/// the count printed at the end of each bar.
pub fn chart_svg(chart: &ChartView, title: &str) -> String {
    use std::fmt::Write;
    const WIDTH: usize = 720;
    const LABEL: usize = 260;
    const BAR: usize = 16;
    const GAP: usize = 10;
    let series = chart.series.len().max(1);
    let band = series * BAR + GAP;
    let height = chart.bars.len() * band + GAP;
    let scale = (WIDTH - LABEL - 50) as f64 / chart.max.max(1) as f64;
    let mut desc = String::new();
    for bar in &chart.bars {
        let parts: Vec<String> = bar
            .values
            .iter()
            .zip(&chart.series)
            .map(|(v, s)| format!("{s} {v}"))
            .collect();
        let _ = write!(desc, "{}: {}. ", bar.label, parts.join(", "));
    }
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="bar-chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg"><title id="chart-title">{}</title><desc id="chart-desc">{}</desc>"#,
        escape_html(title),
        escape_html(desc.trim_end())
    );
    for (i, bar) in chart.bars.iter().enumerate() {
        let top = GAP + i * band;
        let label_y = top + series * BAR / 2 + 5;
        let mut label = bar.label.clone();
        if label.chars().count() > 38 {
            label = label.chars().take(36).collect::<String>() + "…";
        }
        let _ = write!(
            svg,
            r#"<text x="{}" y="{label_y}" text-anchor="end" class="chart-label">{}</text>"#,
            LABEL - 8,
            escape_html(&label)
        );
        for (s, value) in bar.values.iter().enumerate() {
            let y = top + s * BAR;
            let w = (*value as f64 * scale).round() as usize;
            let _ = write!(
                svg,
                r#"<rect x="{LABEL}" y="{y}" width="{w}" height="{}" class="series-{s}"/><text x="{}" y="{}" class="chart-value">{value}</text>"#,
                BAR - 3,
                LABEL + w + 4,
                y + BAR - 5
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod humanise_tests {
    use super::humanise;

    #[test]
    fn field_labels() {
        assert_eq!(humanise("target_group"), "Target group");
        assert_eq!(humanise("doi"), "DOI");
        assert_eq!(humanise("url"), "URL");
    }
}

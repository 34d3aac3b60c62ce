//! What templates see: small serialisable structs borrowed from the model.
//!
//! [`Views`] makes them: the `site` object, facets and values, entries as
//! list items and as pages; summary tables laid out for HTML are in
//! [`table`], their bar charts in [`chart`].
//!
//! Templates never get the model itself. Every URL here is site-relative
//! (`practices/p12/`); templates put `{{ root }}` in front, which is the
//! relative way back to the site root from the page being rendered, so links
//! work under any base path and from `file://`.

pub mod chart;
pub mod pager;
pub mod settings;
pub mod table;

pub use pager::{PagerLink, PagerView};
pub use settings::{item_of, list_facets, parent_note, show_source, LIST_FACETS, SHOW_SOURCE};
pub use table::{CellView, ChartBar, ChartView, HomeFilter, RowView, TableView};

use serde::Serialize;
use serde_json::Value as Json;

use crate::index::Index;
use crate::load::reconstructed::{self, Mark, RECONSTRUCTED};
use crate::markdown::is_safe_url;
use crate::model::{Catalogue, Entry};
use crate::routes;
use crate::similar;

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
    /// Whether the site has a `static/custom.css`, loaded after the theme's
    /// stylesheet (set by the renderer, which knows the static files).
    pub custom_css: bool,
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
    /// URL of the kind's entries as a spreadsheet (`entries.csv`).
    pub csv: String,
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
    /// Whether any value has a description (else facet pages leave out the column).
    pub has_descriptions: bool,
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
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
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
    /// Which of the values were reconstructed rather than stated: `all`, the
    /// labels of some, or nothing (`reconstructed:` in front matter).
    pub reconstructed: Option<String>,
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
    /// Whether the page names it (`show_source`; on in the live preview).
    pub show_source: bool,
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
                    url: routes::kind_url(k),
                    csv: routes::entries_csv_url(k),
                    count: self.index.by_kind[i].len(),
                })
                .collect(),
            facets: (0..config.facets.len()).map(|f| self.facet(f)).collect(),
            summaries: config
                .summaries
                .iter()
                .map(|s| LinkView {
                    title: s.title.clone(),
                    url: routes::summary_url(s),
                })
                .collect(),
            pages: c
                .pages
                .iter()
                .map(|p| LinkView {
                    title: p.title.clone(),
                    url: routes::page_url(p),
                })
                .collect(),
            entry_count: c.entries.len(),
            extra: &config.extra,
            custom_css: false,
        }
    }

    /// A facet with its values in display order.
    pub fn facet(&self, fi: usize) -> FacetView<'a> {
        let facet = &self.catalogue.config.facets[fi];
        FacetView {
            name: &facet.name,
            label: &facet.label,
            description: &facet.description,
            url: routes::facet_url(facet),
            values: facet
                .display_order
                .iter()
                .map(|&v| self.value(fi, v))
                .collect(),
            exact: facet.combination_pages,
            has_descriptions: facet
                .values
                .iter()
                .any(|v| !v.description.trim().is_empty()),
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
            url: routes::value_url(facet, v),
            depth: value.depth,
            parent: value.parent.map(|p| facet.values[p].id.as_str()),
            count: self.index.rolled_up[fi][v].len(),
        }
    }

    /// An entry as a list item.
    pub fn item(&self, e: usize) -> EntryItem<'a> {
        item_of(self.catalogue, &self.catalogue.entries[e])
    }

    /// The related entries shown on `e`'s page (see [`similar::related`]).
    pub fn related(&self, e: usize) -> Vec<usize> {
        similar::related(self.catalogue, self.index, e)
    }

    /// The entry page view.
    pub fn entry(&self, e: usize) -> EntryView<'a> {
        let c = self.catalogue;
        let entry: &'a Entry = &c.entries[e];
        let kind = &c.config.kinds[entry.kind];
        let marks = match entry.fields.get(RECONSTRUCTED) {
            Some(value) => reconstructed::marks(&c.config, &entry.facets, value).0,
            None => vec![None; c.config.facets.len()],
        };
        let facets = entry
            .facets
            .iter()
            .enumerate()
            .filter(|(_, values)| !values.is_empty())
            .map(|(fi, values)| {
                let facet = &c.config.facets[fi];
                let reconstructed = match &marks[fi] {
                    None => None,
                    Some(Mark::All) => Some("reconstructed".to_string()),
                    Some(Mark::Values(vs)) => Some(format!(
                        "reconstructed: {}; the others stated",
                        vs.iter()
                            .map(|&v| facet.values[v].label.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                };
                EntryFacet {
                    reconstructed,
                    name: &facet.name,
                    label: &facet.label,
                    values: values
                        .iter()
                        .map(|&v| LinkView {
                            title: facet.values[v].label.clone(),
                            url: routes::value_url(facet, v),
                        })
                        .collect(),
                    combination: (facet.combination_pages && values.len() > 1).then(|| LinkView {
                        title: facet.combination_label(values),
                        url: routes::combination_url(facet, values),
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
        let reconstructed_facets = entry
            .fields
            .get(RECONSTRUCTED)
            .map(|value| reconstructed::named(&c.config, value))
            .unwrap_or_default()
            .into_iter()
            .filter(|&fi| marks[fi].is_some())
            .map(|fi| c.config.facets[fi].label.clone())
            .collect();
        EntryView {
            id: &entry.id,
            title: &entry.title,
            url: routes::entry_url(c, entry),
            kind: &kind.id,
            kind_label: &kind.singular,
            kind_plural: &kind.label,
            kind_url: routes::kind_url(kind),
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
            similar_ids: similar::similar(c, self.index, e, &related),
            related_ids: related,
            source: crate::diagnostic::display_path(&entry.source),
            show_source: show_source(&c.config),
        }
    }
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

//! The maps a page shows for a facet marked `map:` in `catalogue.yaml`: one
//! for all the entries counted and one per kind (Articles, Practices), each
//! value counted with the entries naming it or one of its children
//! ([`Index::rolled_up`]), plus the values that have no shape.
//!
//! The facet page and the facet's `counts` summaries both call [`facet_maps`];
//! [`summary_map_facet`] says which summaries draw one, so that the live
//! preview knows their pages show more than their table.

use serde::Serialize;

use super::{draw, has_shape, title_text, Map, MapOptions, MapValue};
use crate::config::Config;
use crate::index::Index;
use crate::model::{Catalogue, Facet, SummaryShape};
use crate::routes;

/// Where the geometry comes from, named under every map.
pub const SOURCE: &str = "Natural Earth";
/// The source's home page.
pub const SOURCE_URL: &str = "https://www.naturalearthdata.com/";
/// The source's licence.
pub const LICENCE: &str = "public domain";

/// One drawn map and its caption, ready for a template.
#[derive(Debug, Clone, Serialize)]
pub struct MapFigure {
    /// Id prefix of the map's elements, unique on the page (`map-countries-practice`).
    pub id: String,
    /// What is counted: "All entries (78)", "Practices (44)".
    pub caption: String,
    /// The inline SVG (escaped, safe to embed).
    pub svg: String,
    /// The legend, HTML (escaped, safe to embed).
    pub legend: String,
}

/// A value with no shape on the map, listed under it.
#[derive(Debug, Clone, Serialize)]
pub struct Unplaced {
    /// "Atlantis: 4 entries (1 article, 3 practices)".
    pub title: String,
    /// The value's page, site-relative.
    pub url: String,
    /// The nearest parent that has a shape, whose shape counts this value's
    /// entries too ("United Kingdom"), if any.
    pub counted_in: Option<String>,
}

/// The maps of one facet on one page (`maps` in `facet.html` and `summary.html`).
#[derive(Debug, Clone, Serialize)]
pub struct MapsView {
    /// All entries first, then one per kind when more than one kind is counted.
    pub figures: Vec<MapFigure>,
    /// Values without a shape, in display order.
    pub without_shape: Vec<Unplaced>,
    /// [`SOURCE`].
    pub source: &'static str,
    /// [`SOURCE_URL`].
    pub source_url: &'static str,
    /// [`LICENCE`].
    pub licence: &'static str,
    /// What the UK inset shows ([`super::INSET_NOTE`]), when a map has it.
    pub note: Option<&'static str>,
}

/// The facet whose map the summary `si`'s page draws: a `counts` summary of a
/// facet with a map.
pub fn summary_map_facet(config: &Config, si: usize) -> Option<usize> {
    match config.summaries[si].shape {
        SummaryShape::Counts { facet } if config.facets[facet].map.is_some() => Some(facet),
        _ => None,
    }
}

/// The ISO 3166 code a value is drawn as: its `iso` key, else its id.
pub fn value_code(facet: &Facet, value: usize) -> &str {
    let v = &facet.values[value];
    v.extra
        .get("iso")
        .and_then(|code| code.as_str())
        .unwrap_or(&v.id)
}

/// "4 articles", "1 practice": a count with the kind's lowercased label.
fn kind_count(c: &Catalogue, kind: usize, n: usize) -> String {
    let k = &c.config.kinds[kind];
    let label = if n == 1 { &k.singular } else { &k.label };
    format!("{n} {}", label.to_lowercase())
}

/// The maps of facet `fi` counting entries of `kinds`, for a page whose way
/// back to the site root is `root`; `None` when the facet has no map.
pub fn facet_maps(
    c: &Catalogue,
    index: &Index,
    fi: usize,
    kinds: &[usize],
    root: &str,
) -> Option<MapsView> {
    let facet = &c.config.facets[fi];
    facet.map?;
    // Per value in display order: entries of each counted kind under it.
    let by_kind: Vec<(usize, Vec<usize>)> = facet
        .display_order
        .iter()
        .map(|&v| {
            let mut counts = vec![0; kinds.len()];
            for &e in &index.rolled_up[fi][v] {
                if let Some(i) = kinds.iter().position(|&k| k == c.entries[e].kind) {
                    counts[i] += 1;
                }
            }
            (v, counts)
        })
        .collect();
    let value = |v: usize, count: usize, breakdown: String| MapValue {
        code: value_code(facet, v).to_string(),
        label: facet.values[v].label.clone(),
        href: format!("{root}{}", routes::value_url(facet, v)),
        count,
        breakdown,
    };
    let all: Vec<MapValue> = by_kind
        .iter()
        .map(|(v, counts)| {
            let parts: Vec<String> = counts
                .iter()
                .zip(kinds)
                .filter(|(&n, _)| n > 0)
                .map(|(&n, &k)| kind_count(c, k, n))
                .collect();
            value(*v, counts.iter().sum(), parts.join(", "))
        })
        .collect();
    let total: usize = kinds.iter().map(|&k| index.by_kind[k].len()).sum();
    let (noun, caption) = match kinds {
        [k] => {
            let kind = &c.config.kinds[*k];
            (kind.label.clone(), format!("{} ({total})", kind.label))
        }
        _ => ("Entries".to_string(), format!("All entries ({total})")),
    };
    let (first, drawn) = figure(facet, "all", &noun, caption, total, &all);
    let note = drawn.note;
    let mut figures = vec![first];
    let mut without_shape = Vec::new();
    for unplaced in &drawn.without_shape {
        let Some(i) = all.iter().position(|x| x.href == unplaced.href) else {
            continue;
        };
        let v = by_kind[i].0;
        let mut counted_in = None;
        let mut at = facet.values[v].parent;
        while let Some(p) = at {
            if has_shape(value_code(facet, p)) {
                counted_in = Some(facet.values[p].label.clone());
                break;
            }
            at = facet.values[p].parent;
        }
        without_shape.push(Unplaced {
            title: title_text(unplaced),
            url: routes::value_url(facet, v),
            counted_in,
        });
    }
    if kinds.len() > 1 {
        for (i, &k) in kinds.iter().enumerate() {
            let kind = &c.config.kinds[k];
            let values: Vec<MapValue> = by_kind
                .iter()
                .map(|(v, counts)| {
                    let n = counts[i];
                    let breakdown = if n > 0 {
                        kind_count(c, k, n)
                    } else {
                        String::new()
                    };
                    value(*v, n, breakdown)
                })
                .collect();
            let n = index.by_kind[k].len();
            let caption = format!("{} ({n})", kind.label);
            figures.push(figure(facet, &kind.id, &kind.label, caption, n, &values).0);
        }
    }
    Some(MapsView {
        figures,
        without_shape,
        source: SOURCE,
        source_url: SOURCE_URL,
        licence: LICENCE,
        note,
    })
}

/// The owned strings behind a [`MapOptions`].
struct OwnedOptions {
    id: String,
    title: String,
    description: String,
}

impl OwnedOptions {
    fn as_options(&self) -> MapOptions<'_> {
        MapOptions {
            id: &self.id,
            title: &self.title,
            description: &self.description,
        }
    }
}

fn options(facet: &Facet, part: &str, noun: &str, total: usize) -> OwnedOptions {
    OwnedOptions {
        id: format!("map-{}-{}", facet.name, part),
        title: format!("{noun} by {}", facet.singular),
        description: format!(
            "How many of the {total} {} name each {} or a part of it; each {} of the catalogue links to its page",
            noun.to_lowercase(),
            facet.singular,
            facet.singular
        ),
    }
}

fn figure(
    facet: &Facet,
    part: &str,
    noun: &str,
    caption: String,
    total: usize,
    values: &[MapValue],
) -> (MapFigure, Map) {
    let options = options(facet, part, noun, total);
    let map = draw(values, &options.as_options());
    let figure = MapFigure {
        id: options.id,
        caption,
        svg: map.svg.clone(),
        legend: map.legend.clone(),
    };
    (figure, map)
}

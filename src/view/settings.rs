//! What the site's settings and vocabularies change in the views: the labels
//! a list item shows under its title (`list_facets`), whether entry pages name
//! their source file (`show_source`), and the note a summary table needs when
//! a value with parts counts only the entries naming it itself.

use serde_json::Value as Json;

use super::EntryItem;
use crate::model::{Catalogue, Config, Entry};
use crate::routes;

/// For a table that counts each value by the entries naming it exactly
/// (`counts`, `presence`), what readers need to know when a value has parts:
/// "United Kingdom counts only the entries that name it; …".
pub fn parent_note(c: &Catalogue, shape: &crate::model::SummaryShape) -> Option<String> {
    use crate::model::SummaryShape;
    let (SummaryShape::Counts { facet } | SummaryShape::Presence { facet }) = *shape else {
        return None;
    };
    let f = &c.config.facets[facet];
    let child = f.values.iter().find(|v| v.parent.is_some())?;
    let parent = &f.values[child.parent?];
    Some(format!(
        "A value with parts counts only the entries that name it itself: {} counts the entries naming {} as a whole, and those naming one of its parts, such as {}, are counted under that part. The page of {} lists both.",
        parent.label, parent.label, child.label, parent.label
    ))
}

/// Whether entry pages name their source file: the setting `show_source`
/// (`false` unless given; the live preview turns it on).
pub fn show_source(config: &Config) -> bool {
    config.extra.get(SHOW_SOURCE) == Some(&Json::Bool(true))
}

/// The setting that shows each entry's source file on its page.
pub const SHOW_SOURCE: &str = "show_source";

/// The setting naming the facets whose labels list items show
/// (`list_facets: [countries, sectors]`); the first two facets by default.
pub const LIST_FACETS: &str = "list_facets";

/// The facets (indices) whose labels list items show, in order: those named
/// by `list_facets`, else the first two.
pub fn list_facets(config: &Config) -> Vec<usize> {
    match config.extra.get(LIST_FACETS) {
        Some(Json::Array(names)) => names
            .iter()
            .filter_map(|n| {
                let n = n.as_str()?;
                config.facets.iter().position(|f| f.name == n)
            })
            .collect(),
        _ => (0..config.facets.len().min(2)).collect(),
    }
}

/// An entry as a list item: all that `item.html` and the feed see of it.
pub fn item_of<'a>(c: &'a Catalogue, entry: &'a Entry) -> EntryItem<'a> {
    let kind = &c.config.kinds[entry.kind];
    // "Denmark · Health, Education": the labels of the list facets.
    let mut summary = String::new();
    for fi in list_facets(&c.config) {
        let values = &entry.facets[fi];
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
        url: routes::entry_url(c, entry),
        kind: &kind.id,
        kind_label: &kind.singular,
        summary,
        facet_ids,
    }
}

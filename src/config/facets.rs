//! Checking the vocabularies of `catalogue.yaml`: values, hierarchies, labels.
//!
//! Each facet's values get unique ids (compared without case, since URLs are
//! lowercase), a parent resolved to an index, a depth, and a display order
//! with every child right after its parent; a cycle of parents is an error.
//! A facet without a `label` is named after its key ([`humanise`]), and one
//! without `singular` gets a singular noun made from it (`countries` →
//! `country`).

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use serde_json::Value as Json;

use super::raw::{RawFacetFull, RawValue};
use super::{did_you_mean, Problems, RESERVED_SEGMENTS};
use crate::diagnostic::suggest;
use crate::model::{humanise, is_valid_id, Facet, Kind, MapKind, VocabValue};

/// `countries` → `country`, `sectors` → `sector`: the default singular noun.
fn default_singular(name: &str) -> String {
    if let Some(stem) = name.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = name.strip_suffix('s') {
        stem.to_string()
    } else {
        name.to_string()
    }
}

/// Front-matter fields casebook reads itself, with what for: a facet of the
/// same name would make every entry's value a list of ids and break them.
const READ_BY_CASEBOOK: &[(&str, &str)] = &[
    ("date", "the entry's date, for feeds and sitemaps"),
    ("authors", "the authors of a citation"),
    ("author", "the author of a citation"),
];

/// The facets under `facets:`, each checked on its own; a facet with problems is left out.
pub(super) fn check_facets(
    p: &mut Problems,
    raw: &IndexMap<String, Json>,
    kinds: &[Kind],
) -> Vec<Facet> {
    let mut facets = Vec::new();
    let reserved_keys = ["id", "title", "related", "kind", "url", "weight", "draft"];
    for (name, value) in raw {
        let pos = p.find(&["facets", name]);
        if let Some(&(_, why)) = READ_BY_CASEBOOK.iter().find(|(n, _)| n == name) {
            p.error(
                pos,
                format!(
                    "{name:?} cannot be a facet name: casebook reads `{name}` itself ({why}); \
                     name the facet differently (e.g. `{name}_group`)"
                ),
            );
            continue;
        }
        if !is_valid_id(name)
            || reserved_keys.contains(&name.as_str())
            || RESERVED_SEGMENTS.contains(&name.as_str())
            || kinds.iter().any(|k| k.dir.eq_ignore_ascii_case(name))
        {
            p.error(
                pos,
                format!(
                    "{name:?} cannot be a facet name: it is reserved or used by a kind's folder"
                ),
            );
            continue;
        }
        let full: RawFacetFull = match value {
            Json::Array(_) => match serde_json::from_value::<Vec<RawValue>>(value.clone()) {
                Ok(values) => RawFacetFull {
                    label: None,
                    description: String::new(),
                    singular: None,
                    map: None,
                    values,
                },
                Err(e) => {
                    p.error(pos, format!("facet `{name}`: {e}"));
                    continue;
                }
            },
            Json::Object(_) => match serde_json::from_value(value.clone()) {
                Ok(full) => full,
                Err(e) => {
                    p.error(pos, format!("facet `{name}`: {e}"));
                    continue;
                }
            },
            _ => {
                p.error(
                    pos,
                    format!("facet `{name}` must be a list of values or a mapping with `values:`"),
                );
                continue;
            }
        };
        let mut values: Vec<VocabValue> = Vec::new();
        let mut by_id = HashMap::new();
        let mut lower = HashSet::new();
        let mut parents: Vec<Option<String>> = Vec::new();
        for v in full.values {
            let id = match &v.id {
                Json::String(s) => s.clone(),
                other => {
                    p.error(
                        pos,
                        format!("facet `{name}`: value id {other} must be a string (quote it)"),
                    );
                    continue;
                }
            };
            let vpos = p.find(&["facets", name, &id]);
            if !is_valid_id(&id) {
                p.error(
                    vpos,
                    format!(
                        "value id {id:?} in `{name}` may use only letters, digits, '-' and '_'"
                    ),
                );
                continue;
            }
            if !lower.insert(id.to_lowercase()) {
                p.error(vpos, format!("value {id:?} is declared twice in `{name}` (ids are compared without case, since URLs are lowercase)"));
                continue;
            }
            by_id.insert(id.clone(), values.len());
            parents.push(v.parent.clone());
            values.push(VocabValue {
                label: v.label.unwrap_or_else(|| id.clone()),
                slug: id.to_lowercase(),
                id,
                description: v.description,
                parent: None,
                depth: 0,
                extra: v.extra,
            });
        }
        for (i, parent) in parents.iter().enumerate() {
            if let Some(parent) = parent {
                match by_id.get(parent) {
                    Some(&pi) if pi != i => values[i].parent = Some(pi),
                    Some(_) => p.error(
                        p.find(&["facets", name, &values[i].id, parent]),
                        format!(
                            "{:?} in `{name}` cannot be its own parent: remove `parent` or \
                             name another value",
                            values[i].id
                        ),
                    ),
                    None => {
                        let near = suggest(parent, values.iter().map(|v| v.id.as_str()));
                        p.error(
                            p.find(&["facets", name, &values[i].id, parent]),
                            format!(
                                "unknown parent {parent:?} for {:?} in `{name}`{}",
                                values[i].id,
                                did_you_mean(near)
                            ),
                        );
                    }
                }
            }
        }
        // Depths, and a check that the hierarchy has no cycles.
        for i in 0..values.len() {
            let mut depth = 0;
            let mut at = values[i].parent;
            while let Some(pi) = at {
                depth += 1;
                if depth > values.len() {
                    p.error(
                        p.find(&["facets", name, &values[i].id]),
                        format!("the parents of {:?} in `{name}` form a cycle", values[i].id),
                    );
                    values[i].parent = None;
                    depth = 0;
                    break;
                }
                at = values[pi].parent;
            }
            values[i].depth = depth;
        }
        let label = full.label.unwrap_or_else(|| humanise(name));
        let map = full.map.as_deref().and_then(|kind| {
            let found = MapKind::from_name(kind);
            if found.is_none() {
                let near = suggest(kind, MapKind::NAMES.iter().copied());
                p.error(
                    p.find(&["facets", name, "map"]),
                    format!("facet `{name}`: unknown map {kind:?}{}", did_you_mean(near)),
                );
            }
            found
        });
        facets.push(Facet {
            singular: full.singular.unwrap_or_else(|| default_singular(name)),
            name: name.clone(),
            label,
            description: full.description,
            display_order: display_order(&values),
            values,
            by_id,
            combination_pages: false,
            map,
        });
    }
    facets
}

/// Vocabulary order with every child placed right after its parent (depth
/// first, children in the order written). Linear, and without recursion, so a
/// long chain of parents cannot overflow the stack.
fn display_order(values: &[VocabValue]) -> Vec<usize> {
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); values.len()];
    for (i, v) in values.iter().enumerate() {
        if let Some(parent) = v.parent {
            children[parent].push(i);
        }
    }
    let mut out = Vec::with_capacity(values.len());
    let mut stack: Vec<usize> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        if v.parent.is_some() {
            continue;
        }
        stack.push(i);
        while let Some(at) = stack.pop() {
            out.push(at);
            stack.extend(children[at].iter().rev());
        }
    }
    out
}

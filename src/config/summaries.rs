//! Checking `summaries:` in `catalogue.yaml`: each summary's mode, facets,
//! kinds and `where:` (the entries it is restricted to).
//!
//! A summary names its facets and kinds by id; here they are resolved to
//! indices, so a [`SummarySpec`] never refers to anything missing.

use std::collections::HashSet;

use super::raw::{RawColumnsBy, RawMode, RawSummary};
use super::{did_you_mean, Problems};
use crate::diagnostic::suggest;
use crate::model::{humanise, is_valid_id, Facet, Kind, SummaryShape, SummarySpec};

/// The summaries under `summaries:`; one with problems is left out.
pub(super) fn check_summaries(
    p: &mut Problems,
    raw: Vec<RawSummary>,
    kinds: &[Kind],
    facets: &[Facet],
) -> Vec<SummarySpec> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let facet_names = || facets.iter().map(|f| f.name.as_str());
    for s in raw {
        let pos = p.find(&["summaries", &s.id]);
        if !is_valid_id(&s.id) {
            p.error(
                pos,
                format!(
                    "summary id {:?} may use only letters, digits, '-' and '_'",
                    s.id
                ),
            );
            continue;
        }
        if !seen.insert(s.id.to_lowercase()) {
            p.error(pos, format!("summary {:?} is declared twice", s.id));
            continue;
        }
        let resolve_facet = |p: &mut Problems, key: &str, name: Option<&String>| -> Option<usize> {
            let Some(name) = name else {
                p.error(
                    pos,
                    format!("summary {:?} needs `{key}:` naming a facet", s.id),
                );
                return None;
            };
            let found = facets.iter().position(|f| &f.name == name);
            if found.is_none() {
                p.error(
                    p.find(&["summaries", &s.id, key]),
                    format!(
                        "summary {:?}: unknown facet {name:?}{}",
                        s.id,
                        did_you_mean(suggest(name, facet_names()))
                    ),
                );
            }
            found
        };
        let shape = match s.mode {
            RawMode::Combinations => resolve_facet(p, "facet", s.facet.as_ref())
                .map(|facet| SummaryShape::Combinations { facet }),
            RawMode::Counts => resolve_facet(p, "facet", s.facet.as_ref())
                .map(|facet| SummaryShape::Counts { facet }),
            RawMode::Presence => resolve_facet(p, "facet", s.facet.as_ref())
                .map(|facet| SummaryShape::Presence { facet }),
            RawMode::Pivot => {
                let rows = resolve_facet(p, "rows", s.rows.as_ref());
                let columns = resolve_facet(p, "columns", s.columns.as_ref());
                match (rows, columns) {
                    (Some(rows), Some(columns)) => Some(SummaryShape::Pivot {
                        rows,
                        columns,
                        columns_by_combination: s.columns_by == Some(RawColumnsBy::Combination),
                    }),
                    _ => None,
                }
            }
        };
        let mut kind_ids = Vec::new();
        match &s.kinds {
            None => kind_ids.extend(0..kinds.len()),
            Some(list) => {
                for k in list {
                    match kinds.iter().position(|kind| &kind.id == k) {
                        Some(i) => kind_ids.push(i),
                        None => p.error(
                            p.find(&["summaries", &s.id, "kinds", k]),
                            format!(
                                "summary {:?}: unknown kind {k:?}{}",
                                s.id,
                                did_you_mean(suggest(k, kinds.iter().map(|k| k.id.as_str())))
                            ),
                        ),
                    }
                }
                kind_ids.sort_unstable();
                kind_ids.dedup();
            }
        }
        let mut filter = Vec::new();
        for (name, values) in s.filter.iter().flatten() {
            let at = p.find(&["summaries", &s.id, "where", name]);
            let Some(fi) = facets.iter().position(|f| &f.name == name) else {
                p.error(
                    at,
                    format!(
                        "summary {:?}: `where` names unknown facet {name:?}{}",
                        s.id,
                        did_you_mean(suggest(name, facet_names()))
                    ),
                );
                continue;
            };
            let facet = &facets[fi];
            let mut wanted = Vec::new();
            for v in values {
                match facet.by_id.get(v) {
                    Some(&i) => wanted.push(i),
                    None => p.error(
                        p.find(&["summaries", &s.id, "where", name, v]).or(at),
                        format!(
                            "summary {:?}: `where` names unknown {} {v:?}{}",
                            s.id,
                            facet.singular,
                            did_you_mean(suggest(v, facet.values.iter().map(|x| x.id.as_str())))
                        ),
                    ),
                }
            }
            if values.is_empty() {
                p.error(
                    at,
                    format!(
                        "summary {:?}: `where` needs values for {name:?}, as in where: {{{name}: [{}]}}",
                        s.id,
                        facet.values.first().map_or("", |v| v.id.as_str())
                    ),
                );
            }
            filter.push((fi, wanted));
        }
        if let Some(shape) = shape {
            out.push(SummarySpec {
                filter,
                title: s.title.unwrap_or_else(|| humanise(&s.id)),
                id: s.id,
                description: s.description,
                kinds: kind_ids,
                shape,
            });
        }
    }
    out
}

//! `reconstructed:`: which of an entry's values were filled in rather than
//! stated by the source, per facet and per value.
//!
//! Two forms are read. The map form names, per facet, `all` (every value of
//! that facet on the entry was filled in) or the values that were, the others
//! being stated: `reconstructed: {sectors: all, clusters: [person-centeredness]}`.
//! The list form `reconstructed: [sectors, funding]` means `all` for each
//! facet named. A facet and a value must be known (errors); a value the
//! entry does not have (a mark left over after an edit), `all` on a facet
//! the entry leaves empty, or a list naming all its values earns a warning. [`marks`] is used by the loader, to check, and by the
//! entry page, to show which values are stated and which reconstructed.

use serde_json::Value as Json;

use crate::config::did_you_mean;
use crate::diagnostic::suggest;
use crate::model::Config;

/// The front-matter key.
pub const RECONSTRUCTED: &str = "reconstructed";

/// What was filled in for one facet of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mark {
    /// Every value of the facet on the entry.
    All,
    /// These values (indices, in vocabulary order); the others are stated.
    Values(Vec<usize>),
}

/// The facets `value` names, in the order it names them, each once.
pub fn named(config: &Config, value: &Json) -> Vec<usize> {
    let names: Vec<&str> = match value {
        Json::Array(items) => items.iter().filter_map(Json::as_str).collect(),
        Json::Object(map) => map.keys().map(String::as_str).collect(),
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for fi in names.into_iter().filter_map(|n| config.facet_index(n)) {
        if !out.contains(&fi) {
            out.push(fi);
        }
    }
    out
}

/// A problem with `reconstructed:`, as (is an error, message).
pub type Problem = (bool, String);

/// Per facet, what `value` says was filled in, given the entry's own values
/// per facet; and the problems found.
pub fn marks(
    config: &Config,
    facets: &[Vec<usize>],
    value: &Json,
) -> (Vec<Option<Mark>>, Vec<Problem>) {
    let mut out: Vec<Option<Mark>> = vec![None; config.facets.len()];
    let mut problems = Vec::new();
    let names = || config.facets.iter().map(|f| f.name.as_str());
    let facet_of = |name: &str, problems: &mut Vec<Problem>| {
        let fi = config.facet_index(name);
        if fi.is_none() {
            problems.push((
                true,
                format!(
                    "`reconstructed` names {name:?}, which is not a facet{}",
                    did_you_mean(suggest(name, names()))
                ),
            ));
        }
        fi
    };
    let entries: Vec<(&str, Json)> = match value {
        Json::Null => Vec::new(),
        Json::Array(items) => items
            .iter()
            .filter_map(|item| match item.as_str() {
                Some(name) => Some((name, Json::String("all".into()))),
                None => {
                    problems.push((true, "`reconstructed` must list facet names".into()));
                    None
                }
            })
            .collect(),
        Json::Object(map) => map.iter().map(|(k, v)| (k.as_str(), v.clone())).collect(),
        _ => {
            problems.push((
                true,
                "`reconstructed` must map facets to `all` or to values, as in reconstructed: {sectors: all, methods: [monitoring]}".into(),
            ));
            Vec::new()
        }
    };
    for (name, what) in entries {
        let Some(fi) = facet_of(name, &mut problems) else {
            continue;
        };
        let facet = &config.facets[fi];
        let own = &facets[fi];
        match &what {
            Json::String(s) if s == "all" => {
                if own.is_empty() {
                    problems.push((
                        false,
                        format!("`reconstructed` says every {} was filled in, but the entry names none", facet.singular),
                    ));
                } else {
                    out[fi] = Some(Mark::All);
                }
            }
            Json::String(s) if s == "none" => {}
            Json::Array(items) => {
                let mut values = Vec::new();
                for item in items {
                    let Some(id) = item.as_str() else {
                        problems.push((true, format!("`reconstructed` lists {} ids under `{name}`", facet.singular)));
                        continue;
                    };
                    match facet.by_id.get(id) {
                        Some(&v) if own.contains(&v) => {
                            if !values.contains(&v) {
                                values.push(v);
                            }
                        }
                        // A stale mark after an edit of the values: shown, not fatal.
                        Some(_) => problems.push((
                            false,
                            format!(
                                "`reconstructed` names {} {id:?}, which the entry does not have (its {}: {}); the mark is ignored",
                                facet.singular,
                                facet.name,
                                own.iter().map(|&v| facet.values[v].id.as_str()).collect::<Vec<_>>().join(", ")
                            ),
                        )),
                        None => problems.push((
                            true,
                            format!(
                                "`reconstructed` names unknown {} {id:?}{}",
                                facet.singular,
                                did_you_mean(suggest(id, own.iter().map(|&v| facet.values[v].id.as_str())))
                            ),
                        )),
                    }
                }
                values.sort_unstable();
                if !own.is_empty() && values.len() == own.len() {
                    problems.push((
                        false,
                        format!("`reconstructed` lists every {} the entry has: write {name}: all", facet.singular),
                    ));
                    out[fi] = Some(Mark::All);
                } else if !values.is_empty() {
                    out[fi] = Some(Mark::Values(values));
                }
            }
            other => problems.push((
                true,
                format!("`reconstructed` gives `{name}` as {other}: write {name}: all, or list the {} that were filled in", facet.name),
            )),
        }
    }
    (out, problems)
}

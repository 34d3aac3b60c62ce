//! Advice for authors: warnings that `casebook check` gives on top of the errors
//! and warnings found while loading. None of them stops a build.
//!
//! - **Gaps in coding.** An entry leaves a facet empty that most entries of the
//!   same kind fill (more than half of them): "no cluster given, though 40 of 44
//!   practices have one". The rule is the same for every facet; a facet that most
//!   entries of a kind leave empty is taken to be optional for that kind.
//! - **Unused vocabulary.** A value in `catalogue.yaml` that no entry names, neither
//!   itself nor through one of its children, located in `catalogue.yaml`.
//! - **Dates and authors.** A `date` that is not a date (the feed then treats the
//!   entry as undated) and, on cited entries, `authors` that are not a list of names.
//!
//! - **Settings read by the theme.** `list_facets` that names no facet.
//!
//! Broken links to entries and unknown fields that look like misspelt facets are
//! reported while loading, so `build` shows them too.
//!
//! All of it works from what loading read: loaded to be checked, each entry
//! keeps its front matter (not its body) and the settings keep the text of
//! `catalogue.yaml`, so no file is read again, and a file changed since
//! cannot shift the positions.

use serde_json::Value as Json;

use crate::config::CONFIG_FILE;
use crate::diagnostic::Diagnostic;
use crate::export::dates;
use crate::index::Index;
use crate::model::{Catalogue, Entry, FRONT_MATTER_LINE};
use crate::{cite, yaml, yaml_help};

/// Every piece of advice for a loaded site, in no particular order.
pub fn advise(catalogue: &Catalogue, index: &Index) -> Vec<Diagnostic> {
    advise_except(catalogue, index, &[])
}

/// [`advise`] for a site loaded with errors: `doubtful[i]` lists the facets
/// of entry `i` whose values had errors, so they are not reported as gaps.
/// Unused values are then not reported: a misspelt value leaves its
/// intended one unnamed.
pub fn advise_except(
    catalogue: &Catalogue,
    index: &Index,
    doubtful: &[Vec<usize>],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    list_facets(catalogue, &mut out);
    if doubtful.iter().all(Vec::is_empty) {
        unused_values(catalogue, index, &mut out);
    }
    for (i, entry) in catalogue.entries.iter().enumerate() {
        let skip = doubtful.get(i).map_or(&[][..], Vec::as_slice);
        coding_gaps(catalogue, index, entry, skip, &mut out);
        fields(catalogue, entry, &mut out);
    }
    out
}

/// The advice of [`advise`] about some entries only (their coding gaps and
/// fields), for the live preview after they were edited: the site-wide
/// advice (unused values, list facets) comes with full rebuilds.
pub fn advise_entries(catalogue: &Catalogue, index: &Index, entries: &[usize]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for &i in entries {
        if let Some(entry) = catalogue.entries.get(i) {
            coding_gaps(catalogue, index, entry, &[], &mut out);
            fields(catalogue, entry, &mut out);
        }
    }
    out
}

/// A warning about `entry`, located at the first of `keys` found in its front
/// matter (nowhere if it was not kept).
fn warning(entry: &Entry, keys: &[&str], message: String) -> Diagnostic {
    let front_matter = &entry.front_matter;
    let found = keys.iter().find_map(|k| yaml::locate_key(front_matter, k));
    let mut d = Diagnostic::warning(&entry.source, message).at(found, Some(front_matter));
    // Found in the front matter, which starts a few lines into the file.
    if let Some(line) = &mut d.line {
        *line += FRONT_MATTER_LINE - 1;
    }
    d
}

fn coding_gaps(
    catalogue: &Catalogue,
    index: &Index,
    entry: &Entry,
    skip: &[usize],
    out: &mut Vec<Diagnostic>,
) {
    let config = &catalogue.config;
    let of_kind = &index.by_kind[entry.kind];
    for (fi, facet) in config.facets.iter().enumerate() {
        if !entry.facets[fi].is_empty() || skip.contains(&fi) {
            continue;
        }
        let filled = of_kind
            .iter()
            .filter(|&&other| !catalogue.entries[other].facets[fi].is_empty())
            .count();
        if filled * 2 > of_kind.len() {
            out.push(warning(
                entry,
                &[&facet.name, &facet.singular],
                format!(
                    "no {} given, though {filled} of {} {} have one (add `{}: [...]`)",
                    facet.singular,
                    of_kind.len(),
                    config.kinds[entry.kind].label.to_lowercase(),
                    facet.name
                ),
            ));
        }
    }
}

fn fields(catalogue: &Catalogue, entry: &Entry, out: &mut Vec<Diagnostic>) {
    if let Some(date) = entry.fields.get("date") {
        let valid = date.as_str().and_then(dates::parse_date).is_some();
        if !valid && !date.is_null() {
            let message = yaml_help::not_a_date(date, &yaml_help::today());
            let mut d = warning(entry, &["date"], message);
            // The caret goes on the value, which is what to change.
            if let Some(pos) = yaml::locate_value(&entry.front_matter, "date") {
                d = d.at(Some(pos), Some(&entry.front_matter));
                if let Some(line) = &mut d.line {
                    *line += FRONT_MATTER_LINE - 1;
                }
            }
            out.push(d);
        }
    }
    if cite::is_cited(catalogue, entry) {
        let authors_ok = match entry.fields.get("authors") {
            None | Some(Json::Null) | Some(Json::String(_)) => true,
            Some(Json::Array(items)) => items.iter().all(Json::is_string),
            Some(_) => false,
        };
        if !authors_ok {
            out.push(warning(
                entry,
                &["authors"],
                "`authors` must be a list of names written \"Family, Given\"; it is left out of citations".into(),
            ));
        }
    }
}

/// `list_facets:` names facets.
fn list_facets(catalogue: &Catalogue, out: &mut Vec<Diagnostic>) {
    let config = &catalogue.config;
    let Some(value) = config.extra.get(crate::view::LIST_FACETS) else {
        return;
    };
    let names: Vec<&str> = config.facets.iter().map(|f| f.name.as_str()).collect();
    let pos = yaml::locate_key(&config.text, crate::view::LIST_FACETS);
    let problem = match value {
        Json::Array(items) => items.iter().find_map(|item| match item.as_str() {
            Some(name) if names.contains(&name) => None,
            Some(name) => Some(format!(
                "`list_facets` names {name:?}, which is not a facet{}; the facets are {}",
                crate::config::did_you_mean(crate::diagnostic::suggest(
                    name,
                    names.iter().copied()
                )),
                names.join(", ")
            )),
            None => Some("`list_facets` must list facet names".to_string()),
        }),
        _ => Some(format!(
            "`list_facets` must be a list of facet names, such as list_facets: [{}]",
            names.join(", ")
        )),
    };
    if let Some(message) = problem {
        out.push(Diagnostic::warning(CONFIG_FILE, message).at(pos, Some(&config.text)));
    }
}

fn unused_values(catalogue: &Catalogue, index: &Index, out: &mut Vec<Diagnostic>) {
    let source = &catalogue.config.text;
    for (fi, facet) in catalogue.config.facets.iter().enumerate() {
        for (v, value) in facet.values.iter().enumerate() {
            if index.rolled_up[fi][v].is_empty() {
                let pos = yaml::locate_nested(source, &["facets", &facet.name, &value.id]);
                out.push(
                    Diagnostic::warning(
                        CONFIG_FILE,
                        format!("{} value {:?} is used by no entry", facet.name, value.id),
                    )
                    .at(pos, Some(source)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advice_is_located_without_reading_files_again() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        std::fs::write(
            root.join(CONFIG_FILE),
            "title: T\nkinds:\n  - { id: practice, label: Practices, dir: practices }\nfacets:\n  sectors:\n    - { id: health, label: Health }\n    - { id: unused, label: Unused }\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("content/practices")).unwrap();
        for i in 1..=3 {
            std::fs::write(
                root.join(format!("content/practices/p{i}.md")),
                format!("---\nid: P{i}\ntitle: T\nsectors: [health]\n---\n"),
            )
            .unwrap();
        }
        std::fs::write(
            root.join("content/practices/p4.md"),
            "---\r\nid: P4\r\ntitle: T\r\nsectors: []\r\ndate: soon\r\n---\r\n",
        )
        .unwrap();
        let options = crate::load::LoadOptions {
            keep_front_matter: true,
            ..Default::default()
        };
        let (catalogue, _) = crate::load::load(root, &options).unwrap();
        let index = Index::build(&catalogue);
        // Everything advice needs was kept while loading.
        drop(site);
        let mut advice = advise(&catalogue, &index);
        crate::diagnostic::sort(&mut advice);
        let shown: Vec<String> = advice
            .iter()
            .map(|d| format!("{} | {}", d.headline(), d.excerpt.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            shown,
            [
                "catalogue.yaml:7:13: warning: sectors value \"unused\" is used by no entry |     - { id: unused, label: Unused }".to_string(),
                "content/practices/p4.md:4:1: warning: no sector given, though 3 of 4 practices have one (add `sectors: [...]`) | sectors: []".to_string(),
                format!("content/practices/p4.md:5:7: warning: `date` \"soon\" is not a date: write year-month-day, for example date: {} for today (until then the Atom feed treats this entry as undated) | date: soon", yaml_help::today()),
            ]
        );
    }
}

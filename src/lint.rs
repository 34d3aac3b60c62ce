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
//! Broken links to entries and unknown fields that look like misspelt facets are
//! reported while loading, so `build` shows them too.

use std::path::Path;

use serde_json::Value as Json;

use crate::config::{locate_nested, CONFIG_FILE};
use crate::diagnostic::{Diagnostic, Position};
use crate::export::dates;
use crate::index::Index;
use crate::model::{Catalogue, Entry};
use crate::{cite, yaml};

/// Every piece of advice for the site under `root`, in no particular order.
pub fn advise(root: &Path, catalogue: &Catalogue, index: &Index) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    unused_values(root, catalogue, index, &mut out);
    for entry in &catalogue.entries {
        let file = EntryFile::read(root, entry);
        coding_gaps(catalogue, index, &file, &mut out);
        fields(catalogue, entry, &file, &mut out);
    }
    out
}

/// An entry's file text, for locating warnings in it.
struct EntryFile<'a> {
    entry: &'a Entry,
    text: Option<String>,
}

impl<'a> EntryFile<'a> {
    fn read(root: &Path, entry: &'a Entry) -> EntryFile<'a> {
        EntryFile {
            entry,
            text: std::fs::read_to_string(root.join(&entry.source)).ok(),
        }
    }

    /// Position of the first of `keys` found in the front matter.
    fn key(&self, keys: &[&str]) -> Option<Position> {
        let fm = yaml::split_front_matter(self.text.as_deref()?).ok()?;
        keys.iter()
            .find_map(|k| yaml::locate_key(fm.yaml, k))
            .map(|p| Position {
                line: p.line + fm.yaml_line - 1,
                col: p.col,
            })
    }

    fn warning(&self, keys: &[&str], message: String) -> Diagnostic {
        Diagnostic::warning(&self.entry.source, message).at(self.key(keys), self.text.as_deref())
    }
}

fn coding_gaps(catalogue: &Catalogue, index: &Index, file: &EntryFile, out: &mut Vec<Diagnostic>) {
    let config = &catalogue.config;
    let entry = file.entry;
    let of_kind = &index.by_kind[entry.kind];
    for (fi, facet) in config.facets.iter().enumerate() {
        if !entry.facets[fi].is_empty() {
            continue;
        }
        let filled = of_kind
            .iter()
            .filter(|&&other| !catalogue.entries[other].facets[fi].is_empty())
            .count();
        if filled * 2 > of_kind.len() {
            out.push(file.warning(
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

fn fields(catalogue: &Catalogue, entry: &Entry, file: &EntryFile, out: &mut Vec<Diagnostic>) {
    if let Some(date) = entry.fields.get("date") {
        let valid = date.as_str().and_then(dates::parse_date).is_some();
        if !valid && !date.is_null() {
            out.push(file.warning(
                &["date"],
                format!(
                    "`date` {date} is not a date: write date: 2024-05-01 (the Atom feed treats this entry as undated)"
                ),
            ));
        }
    }
    if cite::is_cited(catalogue, entry) {
        let authors_ok = match entry.fields.get("authors") {
            None | Some(Json::Null) | Some(Json::String(_)) => true,
            Some(Json::Array(items)) => items.iter().all(Json::is_string),
            Some(_) => false,
        };
        if !authors_ok {
            out.push(file.warning(
                &["authors"],
                "`authors` must be a list of names written \"Family, Given\"; it is left out of citations".into(),
            ));
        }
    }
}

fn unused_values(root: &Path, catalogue: &Catalogue, index: &Index, out: &mut Vec<Diagnostic>) {
    let source = std::fs::read_to_string(root.join(CONFIG_FILE)).unwrap_or_default();
    for (fi, facet) in catalogue.config.facets.iter().enumerate() {
        for (v, value) in facet.values.iter().enumerate() {
            if index.rolled_up[fi][v].is_empty() {
                let pos = locate_nested(&source, &["facets", &facet.name, &value.id]);
                out.push(
                    Diagnostic::warning(
                        CONFIG_FILE,
                        format!("{} value {:?} is used by no entry", facet.name, value.id),
                    )
                    .at(pos, Some(&source)),
                );
            }
        }
    }
}

//! Reading and checking `catalogue.yaml`: site settings, kinds, vocabularies and summaries.
//!
//! [`Config::load`] either returns a fully validated [`Config`] — every
//! reference between its parts resolved to an index — or every problem it
//! found, each located in `catalogue.yaml`.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value as Json;

use crate::diagnostic::{suggest, Diagnostic, Position};
use crate::model::{is_valid_id, Facet, Kind, MapKind, SummaryShape, SummarySpec, VocabValue};
use crate::yaml;

/// The name of the settings file at the site root.
pub const CONFIG_FILE: &str = "catalogue.yaml";

/// Top-level URL segments casebook uses itself; facets, kinds and pages may not take them.
pub const RESERVED_SEGMENTS: &[&str] = &["summary", "static", "catalogue.json", "404.html"];

/// Validated site settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Site title.
    pub title: String,
    /// One-paragraph description of the site.
    pub description: String,
    /// Absolute URL or path of the site root, always ending in `/`.
    pub base_url: String,
    /// The path part of `base_url` (`/` or `/catalogue/`).
    pub base_path: String,
    /// Language code for `<html lang>`.
    pub language: String,
    /// Whether raw HTML in Markdown bodies is kept as written (trusted content).
    pub allow_raw_html: bool,
    /// Content kinds, in display order.
    pub kinds: Vec<Kind>,
    /// Controlled vocabularies, in declaration order.
    pub facets: Vec<Facet>,
    /// Summary tables to build.
    pub summaries: Vec<SummarySpec>,
    /// Kinds whose entries are cited works (kind indices, in kind order): they get a
    /// Cite block and go into `literature.bib` and `literature.json`.
    pub citations: Vec<usize>,
    /// Any other top-level keys, passed to templates as `site.extra`.
    pub extra: serde_json::Map<String, Json>,
}

const KNOWN_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "language",
    "allow_raw_html",
    "kinds",
    "facets",
    "summaries",
    "citations",
];

#[derive(Deserialize)]
struct RawConfig {
    title: Option<String>,
    #[serde(default)]
    description: String,
    base_url: Option<String>,
    language: Option<String>,
    #[serde(default)]
    allow_raw_html: bool,
    kinds: Option<Vec<RawKind>>,
    #[serde(default)]
    facets: IndexMap<String, Json>,
    #[serde(default)]
    summaries: Vec<RawSummary>,
    citations: Option<RawCitations>,
    #[serde(flatten)]
    extra: serde_json::Map<String, Json>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKind {
    id: String,
    label: String,
    singular: Option<String>,
    dir: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "lowercase")]
enum RawMode {
    Combinations,
    Counts,
    Presence,
    Pivot,
}

#[derive(Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "lowercase")]
enum RawColumnsBy {
    Value,
    Combination,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSummary {
    id: String,
    title: Option<String>,
    #[serde(default)]
    description: String,
    mode: RawMode,
    facet: Option<String>,
    kinds: Option<Vec<String>>,
    rows: Option<String>,
    columns: Option<String>,
    columns_by: Option<RawColumnsBy>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFacetFull {
    label: Option<String>,
    #[serde(default)]
    description: String,
    singular: Option<String>,
    map: Option<String>,
    values: Vec<RawValue>,
}

#[derive(Deserialize)]
struct RawValue {
    id: Json,
    label: Option<String>,
    #[serde(default)]
    description: String,
    parent: Option<String>,
    #[serde(flatten)]
    extra: serde_json::Map<String, Json>,
}

/// Collects diagnostics for `catalogue.yaml`, locating them in its text.
struct Problems<'a> {
    source: &'a str,
    list: Vec<Diagnostic>,
}

impl Problems<'_> {
    fn error(&mut self, pos: Option<Position>, message: String) {
        self.list
            .push(Diagnostic::error(CONFIG_FILE, message).at(pos, Some(self.source)));
    }
    fn warning(&mut self, pos: Option<Position>, message: String) {
        self.list
            .push(Diagnostic::warning(CONFIG_FILE, message).at(pos, Some(self.source)));
    }
    /// Position of a key nested under the given parents, found in order in the text.
    fn find(&self, path: &[&str]) -> Option<Position> {
        locate_nested(self.source, path)
    }
}

/// Finds `path[0]:`, then `path[1]` after it, and so on. Each step matches a
/// `key:` line or, failing that, the key as a token (`{ id: GB-ENG, ... }`).
pub fn locate_nested(source: &str, path: &[&str]) -> Option<Position> {
    let mut from_line = 0;
    let mut found = None;
    for key in path {
        let key_forms = [
            format!("{key}:"),
            format!("- {key}:"),
            format!("\"{key}\":"),
        ];
        let mut hit = None;
        for (i, line) in source.lines().enumerate().skip(from_line) {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            if key_forms.iter().any(|k| trimmed.starts_with(k.as_str())) {
                hit = Some((
                    Position {
                        line: i + 1,
                        col: indent + 1,
                    },
                    false,
                ));
                break;
            }
            if let Some(col) = token_in_line(line, key) {
                hit = Some((Position { line: i + 1, col }, true));
                break;
            }
        }
        let (pos, same_line) = hit?;
        // A key on its own line: what is nested under it starts on the next line.
        from_line = if same_line { pos.line - 1 } else { pos.line };
        found = Some(pos);
    }
    found
}

fn token_in_line(line: &str, token: &str) -> Option<usize> {
    let is_word = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let mut start = 0;
    while let Some(off) = line[start..].find(token) {
        let at = start + off;
        let before = line[..at].chars().next_back();
        let after = line[at + token.len()..].chars().next();
        if !before.is_some_and(is_word) && !after.is_some_and(is_word) {
            return Some(line[..at].chars().count() + 1);
        }
        start = at + token.len();
    }
    None
}

impl Config {
    /// Reads and validates `catalogue.yaml` under `root`.
    pub fn load(root: &Path) -> Result<(Config, Vec<Diagnostic>), Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        let source = match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(s) => s,
                Err(e) => {
                    return Err(vec![Diagnostic::error(
                        CONFIG_FILE,
                        format!(
                            "file is not valid UTF-8 (byte {})",
                            e.utf8_error().valid_up_to()
                        ),
                    )])
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(vec![Diagnostic::error(
                    CONFIG_FILE,
                    format!(
                        "not found in {}: is this a casebook site? (try --root)",
                        root.display()
                    ),
                )])
            }
            Err(e) => {
                return Err(vec![Diagnostic::error(
                    CONFIG_FILE,
                    format!("cannot read: {e}"),
                )])
            }
        };
        Config::parse(&source)
    }

    /// Validates the text of a `catalogue.yaml`.
    pub fn parse(source: &str) -> Result<(Config, Vec<Diagnostic>), Vec<Diagnostic>> {
        let source = source.strip_prefix('\u{feff}').unwrap_or(source);
        let mut p = Problems {
            source,
            list: Vec::new(),
        };
        let raw: RawConfig = match yaml::from_str(source) {
            Ok(raw) => raw,
            Err(e) => {
                p.error(e.position, e.message);
                return Err(p.list);
            }
        };

        for key in raw.extra.keys() {
            if let Some(near) = suggest(key, KNOWN_KEYS.iter().copied()) {
                p.warning(
                    p.find(&[key]),
                    format!("unknown setting `{key}` (did you mean `{near}`?)"),
                );
            }
        }

        let title = raw.title.unwrap_or_else(|| {
            p.error(Some(Position { line: 1, col: 1 }), "missing `title`".into());
            String::new()
        });
        let (base_url, base_path) = match normalise_base_url(raw.base_url.as_deref().unwrap_or("/"))
        {
            Ok(v) => v,
            Err(msg) => {
                p.error(p.find(&["base_url"]), msg);
                ("/".into(), "/".into())
            }
        };

        let kinds = check_kinds(&mut p, raw.kinds.unwrap_or_default());
        let facets = check_facets(&mut p, &raw.facets, &kinds);
        let summaries = check_summaries(&mut p, raw.summaries, &kinds, &facets);
        let citations = check_citations(&mut p, raw.citations, &kinds);
        let mut facets = facets;
        for summary in &summaries {
            match summary.shape {
                SummaryShape::Combinations { facet } => facets[facet].combination_pages = true,
                SummaryShape::Pivot {
                    columns,
                    columns_by_combination: true,
                    ..
                } => facets[columns].combination_pages = true,
                _ => {}
            }
        }

        if p.list.iter().any(Diagnostic::is_error) {
            return Err(p.list);
        }
        let config = Config {
            title,
            description: raw.description,
            base_url,
            base_path,
            language: raw.language.unwrap_or_else(|| "en".into()),
            allow_raw_html: raw.allow_raw_html,
            kinds,
            facets,
            summaries,
            citations,
            extra: raw.extra,
        };
        Ok((config, p.list))
    }

    /// Replaces the base URL (from `--base-url`).
    pub fn set_base_url(&mut self, url: &str) -> Result<(), String> {
        let (base_url, base_path) = normalise_base_url(url)?;
        self.base_url = base_url;
        self.base_path = base_path;
        Ok(())
    }

    /// The facet with this name.
    pub fn facet_index(&self, name: &str) -> Option<usize> {
        self.facets.iter().position(|f| f.name == name)
    }

    /// The kind with this id.
    pub fn kind_index(&self, id: &str) -> Option<usize> {
        self.kinds.iter().position(|k| k.id == id)
    }
}

/// Checks a base URL and splits off its path: `https://x.org/cat` gives
/// (`https://x.org/cat/`, `/cat/`).
pub fn normalise_base_url(url: &str) -> Result<(String, String), String> {
    let url = url.trim();
    let mut full = url.to_string();
    if !full.ends_with('/') {
        full.push('/');
    }
    let path = if let Some(rest) = full
        .strip_prefix("https://")
        .or_else(|| full.strip_prefix("http://"))
    {
        match rest.find('/') {
            Some(i) if i > 0 => rest[i..].to_string(),
            _ => return Err(format!("base_url {url:?} has no host")),
        }
    } else if full.starts_with('/') {
        full.clone()
    } else {
        return Err(format!(
            "base_url {url:?} must be \"/\", a path starting with \"/\", or an http(s) URL"
        ));
    };
    if path.contains("//") || path.contains(['?', '#', '"', '<', '>', ' ', '\\']) {
        return Err(format!("base_url {url:?} has an unusable path"));
    }
    Ok((full, path))
}

fn check_kinds(p: &mut Problems, raw: Vec<RawKind>) -> Vec<Kind> {
    if raw.is_empty() {
        p.error(
            p.find(&["kinds"]),
            "`kinds` must list at least one kind of entry".into(),
        );
    }
    let mut kinds = Vec::new();
    let mut seen_ids = HashSet::new();
    let mut seen_dirs = HashSet::new();
    for k in raw {
        let pos = p.find(&["kinds", &k.id]);
        if !is_valid_id(&k.id) {
            p.error(
                pos,
                format!("kind id {:?} must be letters, digits, '-' or '_'", k.id),
            );
        }
        if !seen_ids.insert(k.id.clone()) {
            p.error(pos, format!("kind {:?} is declared twice", k.id));
        }
        if !is_valid_id(&k.dir) || k.dir == "pages" || RESERVED_SEGMENTS.contains(&k.dir.as_str()) {
            p.error(
                p.find(&["kinds", &k.id, &k.dir]),
                format!(
                    "kind {:?} cannot use the folder {:?} (a plain name other than pages or summary is needed)",
                    k.id, k.dir
                ),
            );
        }
        if !seen_dirs.insert(k.dir.to_lowercase()) {
            p.error(pos, format!("folder {:?} is used by two kinds", k.dir));
        }
        kinds.push(Kind {
            singular: k.singular.unwrap_or_else(|| k.label.clone()),
            id: k.id,
            label: k.label,
            dir: k.dir,
        });
    }
    kinds
}

fn default_singular(name: &str) -> String {
    if let Some(stem) = name.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = name.strip_suffix('s') {
        stem.to_string()
    } else {
        name.to_string()
    }
}

fn title_case(name: &str) -> String {
    let spaced = name.replace(['_', '-'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn check_facets(p: &mut Problems, raw: &IndexMap<String, Json>, kinds: &[Kind]) -> Vec<Facet> {
    let mut facets = Vec::new();
    let reserved_keys = ["id", "title", "related", "kind", "url", "weight", "draft"];
    for (name, value) in raw {
        let pos = p.find(&["facets", name]);
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
                    _ => {
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
        let label = full.label.unwrap_or_else(|| title_case(name));
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

/// Vocabulary order with every child placed right after its parent (depth first).
fn display_order(values: &[VocabValue]) -> Vec<usize> {
    fn visit(values: &[VocabValue], at: usize, out: &mut Vec<usize>) {
        out.push(at);
        for (i, v) in values.iter().enumerate() {
            if v.parent == Some(at) {
                visit(values, i, out);
            }
        }
    }
    let mut out = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        if v.parent.is_none() {
            visit(values, i, &mut out);
        }
    }
    out
}

/// `" (did you mean \"x\"?)"` or nothing.
pub fn did_you_mean(near: Option<&str>) -> String {
    near.map(|n| format!(" (did you mean {n:?}?)"))
        .unwrap_or_default()
}

fn check_summaries(
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
        if let Some(shape) = shape {
            out.push(SummarySpec {
                title: s.title.unwrap_or_else(|| title_case(&s.id)),
                id: s.id,
                description: s.description,
                kinds: kind_ids,
                shape,
            });
        }
    }
    out
}

/// `citations:` as written: one kind id or a list of them.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawCitations {
    One(String),
    Many(Vec<String>),
}

/// The kinds named by `citations:`. Without the setting, the kind with id
/// `literature` is cited if there is one; `citations: []` turns citations off.
fn check_citations(p: &mut Problems, raw: Option<RawCitations>, kinds: &[Kind]) -> Vec<usize> {
    let names = match raw {
        None => {
            return kinds
                .iter()
                .position(|k| k.id == "literature")
                .into_iter()
                .collect()
        }
        Some(RawCitations::One(id)) => vec![id],
        Some(RawCitations::Many(ids)) => ids,
    };
    let mut out = Vec::new();
    for name in names {
        match kinds.iter().position(|k| k.id == name) {
            Some(i) => out.push(i),
            None => p.error(
                p.find(&["citations", &name]),
                format!(
                    "`citations` names unknown kind {name:?}{}",
                    did_you_mean(suggest(&name, kinds.iter().map(|k| k.id.as_str())))
                ),
            ),
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "title: T\nkinds:\n  - { id: practice, label: Practices, dir: practices }\nfacets:\n  countries:\n    - { id: GB, label: United Kingdom }\n    - { id: GB-ENG, label: England, parent: GB }\n    - { id: DK, label: Denmark }\n";

    #[test]
    fn children_follow_their_parent() {
        let src = MINIMAL.replace(
            "    - { id: DK, label: Denmark }\n",
            "    - { id: DK, label: Denmark }\n    - { id: GB-SCT, label: Scotland, parent: GB }\n",
        );
        let (config, _) = Config::parse(&src).unwrap();
        let f = &config.facets[0];
        let order: Vec<&str> = f
            .display_order
            .iter()
            .map(|&i| f.values[i].id.as_str())
            .collect();
        assert_eq!(order, ["GB", "GB-ENG", "GB-SCT", "DK"]);
        assert_eq!(f.values[1].depth, 1);
        assert_eq!(f.singular, "country");
    }

    #[test]
    fn unknown_parent_is_located_with_suggestion() {
        let src = MINIMAL.replace("parent: GB }", "parent: GBR }");
        let errs = Config::parse(&src).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, Some(7));
        assert!(
            errs[0].message.contains("unknown parent \"GBR\""),
            "{}",
            errs[0].message
        );
        assert!(errs[0].message.contains("did you mean \"GB\""));
    }

    #[test]
    fn a_facet_names_its_map_and_an_unknown_map_is_an_error() {
        let with = |map: &str| {
            MINIMAL.replace(
                "  countries:\n",
                &format!("  countries:\n    map: {map}\n    values:\n"),
            )
        };
        let (config, _) = Config::parse(&with("europe")).unwrap();
        assert_eq!(config.facets[0].map, Some(MapKind::Europe));
        assert_eq!(Config::parse(MINIMAL).unwrap().0.facets[0].map, None);
        let errs = Config::parse(&with("erope")).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].line, Some(6));
        assert!(
            errs[0]
                .message
                .contains("unknown map \"erope\" (did you mean \"europe\"?)"),
            "{}",
            errs[0].message
        );
    }

    #[test]
    fn base_urls() {
        assert_eq!(normalise_base_url("/").unwrap(), ("/".into(), "/".into()));
        assert_eq!(
            normalise_base_url("https://example.org/catalogue").unwrap(),
            (
                "https://example.org/catalogue/".into(),
                "/catalogue/".into()
            )
        );
        assert!(normalise_base_url("example.org").is_err());
        assert!(normalise_base_url("https://").is_err());
    }

    #[test]
    fn citations_default_to_the_literature_kind_and_can_be_set() {
        let two = MINIMAL.replace(
            "kinds:\n",
            "kinds:\n  - { id: literature, label: Articles, dir: literature }\n",
        );
        assert_eq!(Config::parse(&two).unwrap().0.citations, [0]);
        assert!(Config::parse(MINIMAL).unwrap().0.citations.is_empty());
        let off = format!("{two}citations: []\n");
        assert!(Config::parse(&off).unwrap().0.citations.is_empty());
        let chosen = format!("{two}citations: practice\n");
        assert_eq!(Config::parse(&chosen).unwrap().0.citations, [1]);
        let wrong = format!("{two}citations: [practise]\n");
        let errs = Config::parse(&wrong).unwrap_err();
        assert!(
            errs[0].message.contains("did you mean \"practice\""),
            "{errs:?}"
        );
    }

    #[test]
    fn bad_summary_references_are_reported_together() {
        let src = format!(
            "{MINIMAL}summaries:\n  - {{ id: a, facet: contries, mode: counts }}\n  - {{ id: b, facet: countries, mode: presence, kinds: [practise] }}\n"
        );
        let errs = Config::parse(&src).unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs[0].message.contains("did you mean \"countries\""));
        assert!(errs[1].message.contains("did you mean \"practice\""));
    }
}

//! One entry file checked on its own: front matter → [`Entry`].
//!
//! [`parse_entry`] is pure (text in, checked entry out) and is used both by a
//! full load and by the live preview when one file changes. It reads the
//! front matter in named steps: the `id`, the `title`, then every other key,
//! which is a facet (its values checked against the vocabulary), `related:`
//! (ids kept for the cross-file check), `kind:` (which must match the folder)
//! or a plain field. [`finish_entry`] then renders the body, once links can
//! be resolved. Every problem is reported, located in the file.

use std::ops::Range;
use std::path::Path;

use serde_json::{Map, Value as Json};

use super::front::{normalise_newlines, read_text, split, type_name, FileProblems, START};
use super::links::{link_warnings, LinkTargets};
use super::ContentFile;
use crate::diagnostic::{suggest, Diagnostic, Position};
use crate::markdown;
use crate::model::{is_valid_id, Config, Entry};

/// Front-matter keys casebook reads itself.
const ID: &str = "id";
const TITLE: &str = "title";
const RELATED: &str = "related";
const KIND: &str = "kind";

/// An entry checked on its own, before cross-file checks and Markdown rendering.
#[derive(Debug, Clone)]
pub struct ParsedEntry {
    /// The entry (body not yet rendered, `related` not yet resolved).
    pub entry: Entry,
    /// `related:` ids as written, with their positions.
    pub related_ids: Vec<(String, Option<Position>)>,
    /// Where the Markdown body starts in [`ParsedEntry::text`] (see [`ParsedEntry::body`]).
    pub body_start: usize,
    /// Where the front matter is in [`ParsedEntry::text`] (see
    /// [`ParsedEntry::front_matter`]).
    pub front_matter: Range<usize>,
    /// Position of the `id:` value.
    pub id_position: Option<Position>,
    /// The whole file, for excerpts.
    pub text: String,
    /// Warnings found in this file.
    pub warnings: Vec<Diagnostic>,
}

impl ParsedEntry {
    /// The Markdown body as written.
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }

    /// The front matter as written: the YAML between the `---` lines.
    pub fn front_matter(&self) -> &str {
        &self.text[self.front_matter.clone()]
    }
}

/// Reads and checks one entry file.
pub fn read_entry(
    root: &Path,
    config: &Config,
    file: &ContentFile,
) -> Result<ParsedEntry, Vec<Diagnostic>> {
    let checked = read_and_check_entry(root, config, file);
    match checked.parsed {
        Some(parsed) if checked.errors.is_empty() => Ok(parsed),
        _ => Err(checked.errors),
    }
}

/// Reads one entry file and checks it, keeping what could be read ([`check_entry`]).
pub fn read_and_check_entry(root: &Path, config: &Config, file: &ContentFile) -> CheckedEntry {
    let _ = root;
    match read_text(&file.path, &file.relative) {
        Ok(text) => check_entry(config, file.kind, &file.relative, text),
        Err(errors) => CheckedEntry {
            parsed: None,
            errors,
            doubtful_facets: Vec::new(),
        },
    }
}

/// Checks an entry's text. Pure: used by `load` and by the live preview.
pub fn parse_entry(
    config: &Config,
    kind: usize,
    relative: &Path,
    text: String,
) -> Result<ParsedEntry, Vec<Diagnostic>> {
    let checked = check_entry(config, kind, relative, text);
    match checked.parsed {
        Some(parsed) if checked.errors.is_empty() => Ok(parsed),
        _ => Err(checked.errors),
    }
}

/// An entry checked on its own, kept for the checks across files even when
/// some of its fields have errors (see [`check_entry`]).
#[derive(Debug)]
pub struct CheckedEntry {
    /// The entry as far as it could be read: `None` when its front matter
    /// does not parse or its `id` is unusable. A field with an error is left
    /// out (a facet keeps its known values).
    pub parsed: Option<ParsedEntry>,
    /// Its errors, located in the file.
    pub errors: Vec<Diagnostic>,
    /// Facets (by index) whose values had errors: advice about gaps in them
    /// would be noise.
    pub doubtful_facets: Vec<usize>,
}

/// Checks an entry's text and keeps as much of it as could be read, so that
/// a full check can go on to the checks across files and give every problem
/// in one run. Pure.
pub fn check_entry(config: &Config, kind: usize, relative: &Path, text: String) -> CheckedEntry {
    let text = normalise_newlines(text);
    let failed = |errors| CheckedEntry {
        parsed: None,
        errors,
        doubtful_facets: Vec::new(),
    };
    let fm = match split(relative, &text) {
        Ok(fm) => fm,
        Err(errors) => return failed(errors),
    };
    let mut p = FileProblems::new(relative, &text, &fm);
    let Some(map) = p.mapping() else {
        return failed(p.errors);
    };
    let id = read_id(&mut p, map.get(ID));
    let title = read_title(&mut p, map.get(TITLE));
    let rest = read_other_keys(&mut p, config, kind, map);
    if let Some(value) = rest.fields.get(super::reconstructed::RECONSTRUCTED) {
        let (_, problems) = super::reconstructed::marks(config, &rest.facets, value);
        let at = p.value(super::reconstructed::RECONSTRUCTED);
        for (is_error, message) in problems {
            if is_error {
                p.error(at, message);
            } else {
                p.warning(at, message);
            }
        }
    }
    let Some(id) = id else {
        return failed(p.errors);
    };
    // A missing or unusable title is reported; the id stands in for it.
    let title = title.unwrap_or_else(|| id.clone());
    let id_position = p.shift(p.value(ID));
    let errors = std::mem::take(&mut p.errors);
    let warnings = p.warnings;
    // The body is the rest of the file; keeping its offset instead of a copy
    // saves a second copy of every body while the catalogue loads.
    let body_start = text.len() - fm.body.len();
    debug_assert_eq!(&text[body_start..], fm.body);
    // The YAML is a slice of `text` (after a BOM and the opening `---` line).
    let yaml_start = fm.yaml.as_ptr() as usize - text.as_ptr() as usize;
    let front_matter = yaml_start..yaml_start + fm.yaml.len();
    debug_assert_eq!(&text[front_matter.clone()], fm.yaml);
    let body_line = fm.body_line;
    let parsed = ParsedEntry {
        entry: Entry {
            slug: id.to_lowercase(),
            id,
            kind,
            title,
            facets: rest.facets,
            related: Vec::new(),
            fields: rest.fields,
            body_html: String::new(),
            source: relative.to_path_buf(),
            body_line,
            front_matter: String::new(),
        },
        related_ids: rest.related_ids,
        body_start,
        front_matter,
        id_position,
        warnings,
        text,
    };
    CheckedEntry {
        parsed: Some(parsed),
        errors,
        doubtful_facets: rest.doubtful_facets,
    }
}

/// The `id:`, which must be text usable in a URL.
fn read_id(p: &mut FileProblems, value: Option<&Json>) -> Option<String> {
    match value {
        Some(Json::String(s)) if is_valid_id(s) => Some(s.clone()),
        Some(Json::String(s)) => {
            p.error(
                p.value(ID),
                format!(
                    "id {s:?} is not usable in a URL: use ASCII letters, digits, '-' and '_', starting with a letter or digit"
                ),
            );
            None
        }
        Some(Json::Number(n)) => {
            p.error(
                p.value(ID),
                format!("id must be text, found the number {n} (write id: \"{n}\" or give it a prefix such as P{n})"),
            );
            None
        }
        Some(other) => {
            p.error(
                p.value(ID),
                format!("id must be text, found {}", type_name(other)),
            );
            None
        }
        None => {
            p.error(START, "missing `id`".into());
            None
        }
    }
}

/// The `title:`, which must be text that is not blank.
fn read_title(p: &mut FileProblems, value: Option<&Json>) -> Option<String> {
    match value {
        Some(Json::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Json::String(_)) => {
            p.error(p.value(TITLE), "title is empty".into());
            None
        }
        Some(Json::Null) => {
            let hint = crate::yaml_help::value_hints(p.yaml())
                .into_iter()
                .find(|(key, _, _)| key == TITLE);
            match hint {
                Some((_, pos, message)) => p.error(Some(pos), message),
                None => p.error(
                    p.value(TITLE).or(p.key(TITLE)),
                    "title is empty: write the entry's title after `title: `".into(),
                ),
            }
            None
        }
        Some(other) => {
            p.error(
                p.value(TITLE),
                format!(
                    "title must be text, found {} (quote it if it contains ':' or starts with '[')",
                    type_name(other)
                ),
            );
            None
        }
        None => {
            p.error(START, "missing `title`".into());
            None
        }
    }
}

/// What the keys other than `id` and `title` hold.
struct OtherKeys {
    /// Per facet, value indices in vocabulary order.
    facets: Vec<Vec<usize>>,
    /// `related:` ids as written, with their positions.
    related_ids: Vec<(String, Option<Position>)>,
    /// Plain fields, in file order.
    fields: Map<String, Json>,
    /// Facets whose values had errors.
    doubtful_facets: Vec<usize>,
}

/// Sorts every key other than `id` and `title` into facets, `related`, the
/// `kind` check and plain fields, checking each.
fn read_other_keys(
    p: &mut FileProblems,
    config: &Config,
    kind: usize,
    map: Map<String, Json>,
) -> OtherKeys {
    let mut out = OtherKeys {
        facets: vec![Vec::new(); config.facets.len()],
        related_ids: Vec::new(),
        fields: Map::new(),
        doubtful_facets: Vec::new(),
    };
    // The key that set each facet, to refuse `country:` and `countries:` together.
    let mut facet_keys_seen: Vec<Option<String>> = vec![None; config.facets.len()];
    for (key, value) in map {
        match key.as_str() {
            ID | TITLE => continue,
            RELATED => {
                read_related(p, &value, &mut out.related_ids);
                continue;
            }
            KIND => {
                check_kind(p, config, kind, &value);
                continue;
            }
            _ => {}
        }
        let Some((fi, singular)) = facet_for_key(config, &key) else {
            if let Some(near) = suggest(&key, config.facets.iter().map(|f| f.name.as_str())) {
                p.warning(
                    p.key(&key),
                    format!("`{key}` is not a facet, so it is shown as a plain field (did you mean `{near}`?)"),
                );
            }
            out.fields.insert(key, value);
            continue;
        };
        if let Some(other) = &facet_keys_seen[fi] {
            p.error(
                p.key(&key),
                format!(
                    "`{key}` and `{other}` both set {}; use one",
                    config.facets[fi].name
                ),
            );
            continue;
        }
        let errors_before = p.errors.len();
        out.facets[fi] = read_facet_values(p, config, fi, &key, &value, singular);
        if p.errors.len() > errors_before {
            out.doubtful_facets.push(fi);
        }
        facet_keys_seen[fi] = Some(key);
    }
    out
}

/// The facet a front-matter key sets: by its name (`countries:`) or, where it
/// differs, its singular (`country:`, then `true`).
fn facet_for_key(config: &Config, key: &str) -> Option<(usize, bool)> {
    let facets = &config.facets;
    facets
        .iter()
        .position(|f| f.name == key)
        .map(|i| (i, false))
        .or_else(|| {
            facets
                .iter()
                .position(|f| f.singular == key && f.singular != f.name)
                .map(|i| (i, true))
        })
}

/// A `kind:` field may only repeat the kind of the entry's folder.
fn check_kind(p: &mut FileProblems, config: &Config, kind: usize, value: &Json) {
    let wanted = &config.kinds[kind].id;
    if value.as_str() != Some(wanted) {
        p.error(
            p.value(KIND),
            format!("`kind` is {value} but files in this folder are {wanted:?} (move the file or remove the field)"),
        );
    }
}

/// The ids under `related:`, each with its position in the file.
fn read_related(p: &mut FileProblems, value: &Json, out: &mut Vec<(String, Option<Position>)>) {
    match value {
        Json::Array(items) => {
            let list = p.items(RELATED);
            for (index, item) in items.iter().enumerate() {
                match item {
                    Json::String(s) => out.push((s.clone(), p.shift(list.at(index, s)))),
                    other => p.error(
                        p.value(RELATED),
                        format!("`related` must list entry ids, found {}", type_name(other)),
                    ),
                }
            }
        }
        Json::String(s) => p.error(
            p.value(RELATED),
            format!("`related` must be a list: write related: [{s}]"),
        ),
        Json::Null => {}
        other => p.error(
            p.value(RELATED),
            format!(
                "`related` must be a list of entry ids, found {}",
                type_name(other)
            ),
        ),
    }
}

/// The value indices of one facet, checked against its vocabulary.
fn read_facet_values(
    p: &mut FileProblems,
    config: &Config,
    fi: usize,
    key: &str,
    value: &Json,
    singular: bool,
) -> Vec<usize> {
    let facet = &config.facets[fi];
    let items: Vec<&Json> = match value {
        Json::Array(items) => items.iter().collect(),
        Json::String(_) if singular => vec![value],
        Json::Null => Vec::new(),
        Json::String(s) => {
            p.error(
                p.value(key),
                format!("`{key}` must be a list: write {key}: [{s}]"),
            );
            return Vec::new();
        }
        other => {
            p.error(
                p.value(key),
                format!(
                    "`{key}` must be a list of {} ids, found {}",
                    facet.singular,
                    type_name(other)
                ),
            );
            return Vec::new();
        }
    };
    let mut values = Vec::with_capacity(items.len());
    let list = p.items(key);
    for (index, item) in items.into_iter().enumerate() {
        let Json::String(id) = item else {
            let shown = match item {
                Json::Number(n) => n.to_string(),
                other => type_name(other).to_string(),
            };
            p.error(
                list.at(index, &shown),
                format!("`{key}` must list {} ids, found {shown}", facet.singular),
            );
            continue;
        };
        match facet.by_id.get(id) {
            Some(&vi) => {
                if values.contains(&vi) {
                    p.warning(
                        list.at(index, id),
                        format!("{} {id:?} is listed twice", facet.singular),
                    );
                } else {
                    values.push(vi);
                }
            }
            None => {
                let message = crate::yaml_help::unknown_value(facet, key, id);
                // Two list items read as one: point at the one indented too far.
                let pos =
                    crate::yaml_help::joined_item(p.yaml(), id).or_else(|| list.at(index, id));
                p.error(pos, message);
            }
        }
    }
    values.sort_unstable();
    values
}

/// Renders the Markdown body of a checked entry (its `related` already resolved),
/// collecting its search words on the way, and returns the finished entry with
/// warnings about its links. Used by [`super::load`] and by the live preview
/// when one file changes.
pub fn finish_entry(
    parsed: ParsedEntry,
    targets: &LinkTargets,
    allow_raw_html: bool,
) -> (Entry, Vec<Diagnostic>) {
    let resolver = targets.resolver(&parsed.entry.source);
    // Entry pages sit two levels below the site root (`practices/p12/`).
    let r = markdown::render(parsed.body(), "../../", &resolver, allow_raw_html);
    let deep = markdown::depth_error(
        &parsed.entry.source,
        parsed.body(),
        Some((&parsed.text, parsed.entry.body_line)),
        &r,
    );
    let mut entry = parsed.entry;
    let mut warnings = link_warnings(&entry.source, &parsed.text, entry.body_line, &r, targets);
    warnings.extend(deep);
    entry.body_html = r.html;
    (entry, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_carriage_returns_count_as_line_breaks() {
        // Found by fuzzing: the YAML parser counts a lone CR as a line break, so
        // positions pointed past the end of the file as we counted lines.
        let (config, _) = Config::parse(
            "title: T\nkinds:\n  - { id: practice, label: Practices, dir: practices }\nfacets:\n  sectors:\n    - { id: health, label: Health }\n",
        )
        .unwrap();
        let text = "---\rid: P1\rtitle: T\rsectors:\r\r  - helth\r---\r".to_string();
        let errors = parse_entry(&config, 0, Path::new("p1.md"), text).unwrap_err();
        assert_eq!(
            (errors[0].line, errors[0].col),
            (Some(6), Some(5)),
            "{errors:?}"
        );
        assert_eq!(errors[0].excerpt.as_deref(), Some("  - helth"));
        let text = "---\nid: P1\ntitle: T\nsectors: \r\r\r[health]\nx: [\n---\n".to_string();
        let errors = parse_entry(&config, 0, Path::new("p1.md"), text).unwrap_err();
        assert!(
            errors[0].line.unwrap() <= 9 && errors[0].excerpt.is_some(),
            "{errors:?}"
        );
        assert_eq!(normalise_newlines("a\r\nb\rc".into()), "a\nb\nc");
    }
}

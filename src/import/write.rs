//! The entry files of an import: what is on disk already, the text of each
//! new or updated file, and writing them all or none.
//!
//! A new entry's file is `<id>-<slug>.md` (the id lowercased, the slug from
//! the title, as `casebook new` names files). Its front matter lists `id`,
//! `title`, then the sheet's columns in sheet order; empty cells are left
//! out. An update merges the row into the entry's front matter: fields keep
//! their place, fields the sheet has no column for are kept, a column with an
//! empty cell removes its field, and the body is kept unless the row gives
//! one. An entry whose front matter and body would not change is not
//! written at all, so its bytes and modification time stay as they were.
//! Files are written through a temporary file and renamed into place; if
//! one write fails, the files already written are put back as they were.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::{Map, Value as Json};

use super::front_matter;
use super::rows::Value;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::load;
use crate::yaml;

/// An entry file found under `content/`, read leniently.
#[derive(Debug, Clone)]
pub struct Existing {
    /// Its id as written.
    pub id: String,
    /// Kind index (from its folder).
    pub kind: usize,
    /// Path relative to the site root.
    pub relative: PathBuf,
}

/// Every entry file with a readable id, in a stable order. Files that do not
/// parse are skipped: `casebook check` reports them, and the import need not.
pub fn existing_entries(root: &Path, config: &Config) -> Vec<Existing> {
    let mut ignored = Vec::new();
    let files = load::discover(root, config, &mut ignored);
    files
        .par_iter()
        .filter_map(|file| {
            let text = std::fs::read_to_string(&file.path).ok()?;
            let text = load::normalise_newlines(text);
            let fm = yaml::split_front_matter(&text).ok()?;
            let Ok(Json::Object(map)) = yaml::to_json(fm.yaml) else {
                return None;
            };
            let id = match map.get("id")? {
                Json::String(id) => id.clone(),
                Json::Number(n) => n.to_string(),
                _ => return None,
            };
            Some(Existing {
                id,
                kind: file.kind,
                relative: file.relative.clone(),
            })
        })
        .collect()
}

/// An existing entry's front matter and body, for an update.
pub struct Current {
    /// The front matter as a mapping, in file order.
    pub map: Map<String, Json>,
    /// The body exactly as the file has it after the closing `---` line.
    pub body: String,
    /// The whole file, to put back if writing fails.
    pub text: String,
}

/// Reads an entry for an update.
pub fn read_current(root: &Path, relative: &Path) -> Result<Current, Diagnostic> {
    let fail = |message: String| Diagnostic::error(relative, message);
    let raw = std::fs::read_to_string(root.join(relative))
        .map_err(|e| fail(format!("cannot read: {e}")))?;
    let text = load::normalise_newlines(raw.clone());
    let fm = yaml::split_front_matter(&text)
        .map_err(|_| fail("cannot update: its front matter is broken".into()))?;
    let map = match yaml::to_json(fm.yaml) {
        Ok(Json::Object(map)) => map,
        _ => return Err(fail("cannot update: its front matter is broken".into())),
    };
    Ok(Current {
        map,
        body: fm.body.to_string(),
        text: raw,
    })
}

/// A whole entry file: front matter, then the body.
pub fn entry_text(map: &Map<String, Json>, body: &str) -> String {
    let yaml = front_matter::write(map);
    let mut text = String::with_capacity(yaml.len() + body.len() + 10);
    text.push_str("---\n");
    text.push_str(&yaml);
    text.push_str("---\n");
    text.push_str(body);
    text
}

/// A body cell as the file's body: ending in one newline, or empty.
pub fn body_text(body: Option<&str>) -> String {
    match body {
        Some(b) if !b.is_empty() => format!("{b}\n"),
        _ => String::new(),
    }
}

fn ids_value(ids: Vec<String>) -> Json {
    Json::Array(ids.into_iter().map(Json::String).collect())
}

/// The front matter of a new entry: id, title, then the row's values in
/// column order, empty ones left out.
pub fn new_map(config: &Config, id: &str, title: &str, values: &[Value]) -> Map<String, Json> {
    let mut map = Map::new();
    map.insert("id".into(), Json::String(id.to_string()));
    map.insert("title".into(), Json::String(title.to_string()));
    for value in values {
        match value {
            _ if is_empty(value) => {}
            Value::Facet(fi, vals) => {
                let facet = &config.facets[*fi];
                let ids = vals.iter().map(|&v| facet.values[v].id.clone()).collect();
                map.insert(facet.name.clone(), ids_value(ids));
            }
            Value::Related(ids) => {
                map.insert("related".into(), ids_value(ids.clone()));
            }
            Value::Field(name, v) => {
                map.insert(name.clone(), v.clone().unwrap_or(Json::Null));
            }
        }
    }
    map
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Facet(_, vals) => vals.is_empty(),
        Value::Related(ids) => ids.is_empty(),
        Value::Field(_, v) => v.is_none(),
    }
}

/// What an update changed, field by field, for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Fields the entry did not have.
    pub added: Vec<String>,
    /// Fields removed (their cell is empty).
    pub removed: Vec<String>,
    /// Fields with a new value (the body included).
    pub changed: Vec<String>,
}

impl Changes {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

impl std::fmt::Display for Changes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        for (verb, keys) in [
            ("changed", &self.changed),
            ("added", &self.added),
            ("removed", &self.removed),
        ] {
            if !keys.is_empty() {
                parts.push(format!("{verb} {}", keys.join(", ")));
            }
        }
        f.write_str(&parts.join("; "))
    }
}

/// A front-matter value as a set of texts: the ids of a facet or `related`
/// list however it was written (a list or a single value).
fn as_id_set(value: &Json) -> Option<BTreeSet<&str>> {
    match value {
        Json::String(s) => Some([s.as_str()].into()),
        Json::Array(items) => items.iter().map(Json::as_str).collect(),
        _ => None,
    }
}

/// Puts `value` under `key` where `old_key` was (or at the end).
fn put(map: &mut Map<String, Json>, old_key: Option<&str>, key: &str, value: Json) {
    match old_key {
        Some(old) if old != key => {
            let taken = std::mem::take(map);
            for (k, v) in taken {
                if k == old {
                    map.insert(key.to_string(), value.clone());
                } else {
                    map.insert(k, v);
                }
            }
        }
        _ => {
            map.insert(key.to_string(), value);
        }
    }
}

/// Merges a row into an existing entry's front matter (see the module note).
pub fn merge(
    config: &Config,
    old: &Map<String, Json>,
    title: &str,
    values: &[Value],
) -> (Map<String, Json>, Changes) {
    let mut map = old.clone();
    let mut changes = Changes::default();
    let title_now = old.get("title").and_then(Json::as_str).map(str::trim);
    if title_now != Some(title) {
        put(&mut map, Some("title"), "title", Json::String(title.into()));
        changes.changed.push("title".into());
    }
    for value in values {
        let (keys, key, new): (Vec<&str>, &str, Option<Json>) = match value {
            Value::Facet(fi, vals) => {
                let facet = &config.facets[*fi];
                let ids: Vec<String> = vals.iter().map(|&v| facet.values[v].id.clone()).collect();
                (
                    vec![facet.name.as_str(), facet.singular.as_str()],
                    facet.name.as_str(),
                    (!ids.is_empty()).then(|| ids_value(ids)),
                )
            }
            Value::Related(ids) => (
                vec!["related"],
                "related",
                (!ids.is_empty()).then(|| ids_value(ids.clone())),
            ),
            Value::Field(name, v) => (vec![name.as_str()], name.as_str(), v.clone()),
        };
        let old_key = keys.iter().copied().find(|k| map.contains_key(*k));
        let is_list = !matches!(value, Value::Field(..));
        match (old_key, new) {
            (None, None) => {}
            (Some(k), None) => {
                map.shift_remove(k);
                changes.removed.push(key.to_string());
            }
            (None, Some(v)) => {
                map.insert(key.to_string(), v);
                changes.added.push(key.to_string());
            }
            (Some(k), Some(v)) => {
                let was = &map[k];
                let same = if is_list {
                    as_id_set(was).is_some() && as_id_set(was) == as_id_set(&v)
                } else {
                    *was == v
                };
                if !same {
                    put(&mut map, Some(k), key, v);
                    changes.changed.push(key.to_string());
                }
            }
        }
    }
    (map, changes)
}

/// One file to write.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Path relative to the site root.
    pub relative: PathBuf,
    /// The new text.
    pub text: String,
    /// The previous text, for an update (to put back if writing fails).
    pub previous: Option<String>,
}

/// Writes every planned file, or none: on a failure, files already written
/// are removed (new ones) or put back (updated ones).
pub fn apply(root: &Path, plans: &[Plan]) -> Result<(), Vec<Diagnostic>> {
    let folders: BTreeSet<PathBuf> = plans
        .iter()
        .filter_map(|p| root.join(&p.relative).parent().map(Path::to_path_buf))
        .collect();
    for folder in &folders {
        std::fs::create_dir_all(folder).map_err(|e| {
            vec![Diagnostic::error(
                folder.strip_prefix(root).unwrap_or(folder),
                format!("cannot create folder: {e}"),
            )]
        })?;
    }
    let results: Vec<Result<(), Diagnostic>> =
        plans.par_iter().map(|plan| write_one(root, plan)).collect();
    let errors: Vec<Diagnostic> = results.iter().filter_map(|r| r.clone().err()).collect();
    if errors.is_empty() {
        return Ok(());
    }
    for (plan, result) in plans.iter().zip(&results) {
        if result.is_ok() {
            let path = root.join(&plan.relative);
            let _ = match &plan.previous {
                Some(text) => std::fs::write(&path, text),
                None => std::fs::remove_file(&path),
            };
        }
    }
    Err(errors)
}

fn write_one(root: &Path, plan: &Plan) -> Result<(), Diagnostic> {
    let path = root.join(&plan.relative);
    let fail = |message: String| Diagnostic::error(&plan.relative, message);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Hidden and not `.md`: neither the loader nor the preview reads it.
    let temporary = path.with_file_name(format!(".{name}.import-tmp"));
    std::fs::write(&temporary, &plan.text).map_err(|e| fail(format!("cannot write: {e}")))?;
    if plan.previous.is_none() && path.exists() {
        let _ = std::fs::remove_file(&temporary);
        return Err(fail(
            "already exists; an import never overwrites another file".into(),
        ));
    }
    std::fs::rename(&temporary, &path).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        fail(format!("cannot write: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config() -> Config {
        Config::parse(
            "title: T\nkinds:\n  - { id: practice, label: Practices, dir: practices }\nfacets:\n  countries:\n    - { id: DK, label: Denmark }\n    - { id: SE, label: Sweden }\n",
        )
        .unwrap()
        .0
    }

    #[test]
    fn updates_keep_places_and_unlisted_fields() {
        let config = config();
        let old = json!({"id": "P1", "title": "Old", "country": "DK", "lead": "x", "kept": 1});
        let old = old.as_object().unwrap();
        let values = vec![
            Value::Facet(0, vec![0, 1]),
            Value::Field("lead".into(), None),
            Value::Field("year".into(), Some(json!(2015))),
        ];
        let (map, changes) = merge(&config, old, "New", &values);
        let keys: Vec<&str> = map.keys().map(String::as_str).collect();
        assert_eq!(keys, ["id", "title", "countries", "kept", "year"]);
        assert_eq!(map["countries"], json!(["DK", "SE"]));
        assert_eq!(
            changes.to_string(),
            "changed title, countries; added year; removed lead"
        );
        // The same row again changes nothing, however the file spelt it.
        let (_, again) = merge(&config, &map, "New", &values);
        assert!(again.is_empty(), "{again}");
        let same = vec![Value::Facet(0, vec![0])];
        let (_, none) = merge(&config, old, "Old", &same);
        assert!(none.is_empty(), "{none}");
    }
}

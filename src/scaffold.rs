//! Starting sites and entries: `casebook init` and `casebook new`.
//!
//! [`init`] writes a small, complete site into a new or empty folder: a commented
//! `catalogue.yaml`, one practice, one article and an about page. It builds as it
//! is and `check` finds nothing to say about it.
//!
//! [`new_entry`] adds an entry file for a kind with the next free id: the kind's
//! id prefix and one more than the highest number in use (`P45` after `P44`),
//! keeping zero padding (`L35` after `L34`, `L05` after `L04`). Its front matter
//! lists every facet with the allowed values in a comment. Neither ever
//! overwrites a file.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use crate::config::{Config, CONFIG_FILE};
use crate::diagnostic::{display_path, suggest, Diagnostic};
use crate::load::{self, CONTENT_DIR};
use crate::model::Kind;
use crate::yaml;

/// Why a scaffolding command did nothing.
#[derive(Debug)]
pub enum ScaffoldError {
    /// The command line names something the site does not have (exit code 2).
    Usage(String),
    /// The site or the file system is in the way (exit code 1).
    Failed(Vec<Diagnostic>),
}

impl ScaffoldError {
    fn failed(path: impl Into<PathBuf>, message: impl Into<String>) -> ScaffoldError {
        ScaffoldError::Failed(vec![Diagnostic::error(path, message)])
    }
}

/// The files of a new site, relative to its root.
const STARTER: &[(&str, &str)] = &[
    (CONFIG_FILE, STARTER_CONFIG),
    (".gitignore", "public/\n.public.casebook.lock\n"),
    (
        "content/practices/p1-neighbourhood-care-team.md",
        STARTER_PRACTICE,
    ),
    ("content/literature/l1-example-article.md", STARTER_ARTICLE),
    ("content/pages/about.md", STARTER_ABOUT),
];

const STARTER_CONFIG: &str = r#"# casebook site settings and controlled vocabularies.
# Run `casebook check` after every change: it reports every problem at once.

# Site title, shown in the header of every page and in the feed.
title: My case catalogue
# One paragraph shown on the home page and in search results.
description: Practices and articles on how services work together, coded with a shared vocabulary.
# Where the site will be published. "/" works anywhere for pages; an absolute URL
# such as https://example.org/catalogue/ also gives sitemap.xml, atom.xml and
# canonical links. `casebook build --base-url URL` overrides it.
base_url: "/"
# Language of the content, for <html lang>.
language: en
# Raw HTML in Markdown bodies is sanitised unless this is true.
allow_raw_html: false

# Kinds of entry: each is a folder under content/ and a section of the site.
# `id` is used in front matter and CSV headers, `label` in menus, `dir` in URLs.
kinds:
  - { id: literature, label: Articles,  singular: Article,  dir: literature }
  - { id: practice,   label: Practices, singular: Practice, dir: practices }

# Which kinds are cited works: their pages get a Cite block, and literature.bib
# and literature.json list them. Default: the kind with id `literature`.
citations: literature

# Controlled vocabularies. Entries name values by `id`; pages show the `label`.
# Each facet becomes a folder of pages (sectors/health/, countries/gb-sct/).
facets:
  # Short form: a list of values.
  sectors:
    - { id: health,     label: Health }
    - { id: education,  label: Education }
    - { id: employment, label: Employment }
  # Long form: a label and description for the facet itself, then its values.
  themes:
    label: Themes
    description: What each case says about working together.
    values:
      - { id: shared-goals, label: Shared goals, description: Partners agree on what they want to achieve. }
      - { id: teamwork,     label: Teamwork,     description: Professionals from different services work as one team. }
  # Values may nest: a child names its parent, and the parent's page lists both.
  countries:
    - { id: DK,     label: Denmark }
    - { id: GB,     label: United Kingdom }
    - { id: GB-SCT, label: Scotland, parent: GB }

# Summary tables, each a page with a chart and a CSV file.
#   combinations: entries by exact combination of values (Health & education)
#   counts:       mentions of each value, children after their parent
#   presence:     entries naming each value, and their share of the kind
#   pivot:        one facet's values against another's
summaries:
  - { id: sector-combinations, facet: sectors,   mode: combinations }
  - { id: countries,           facet: countries, mode: counts }
  - { id: themes,              facet: themes,    mode: presence }
  - { id: themes-by-sector,    mode: pivot, rows: themes, columns: sectors }
"#;

const STARTER_PRACTICE: &str = r#"---
id: P1
title: Neighbourhood care team
date: 2025-01-15              # when the entry was added; orders the Atom feed
countries: [GB-SCT]           # DK, GB, GB-SCT
sectors: [health, education]  # health, education, employment
themes: [shared-goals, teamwork]  # shared-goals, teamwork
related: [L1]                 # ids of related entries; shown on both pages
target_group: Families with young children   # any other field is shown as it is
---
This is an example practice; replace it with a real case, or delete it.

Write the body in Markdown. Link another entry by its id, like this link to
[the example article](L1), or by the path of its file.
"#;

const STARTER_ARTICLE: &str = r#"---
id: L1
title: An example article
date: 2025-01-10
countries: [DK]
sectors: [employment, health]
themes: [shared-goals]
# Bibliographic details, used by the Cite block, literature.bib and literature.json.
# Give only what you know; nothing is made up for missing fields.
authors: ["Doe, Jane", "Roe, Richard"]   # "Family, Given", in order
year: 2024
journal: Journal of Examples
# volume: "12"
# pages: 34-56
# doi: 10.1234/example
url: https://example.org/an-example-article
---
This is an example article with placeholder details; replace it with a real one.
"#;

const STARTER_ABOUT: &str = r#"---
title: About
weight: 1
---
What this catalogue collects, where its cases come from and how they were coded.

Free pages like this one live in `content/pages/` and appear in the menu, ordered by
their `weight`.
"#;

/// Creates a new site in `dir` (created if missing). Refuses a folder that is not
/// empty. Returns the files written, relative to `dir`.
pub fn init(dir: &Path) -> Result<Vec<&'static str>, ScaffoldError> {
    let shown = dir.display().to_string();
    if dir.exists() {
        if !dir.is_dir() {
            return Err(ScaffoldError::failed(
                &shown,
                "cannot create a site here: it is a file, not a folder",
            ));
        }
        let mut items = std::fs::read_dir(dir)
            .map_err(|e| ScaffoldError::failed(&shown, format!("cannot read: {e}")))?;
        if items.next().is_some() {
            return Err(ScaffoldError::failed(
                &shown,
                "folder is not empty; casebook init only writes into a new or empty folder",
            ));
        }
    }
    for (relative, text) in STARTER {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| ScaffoldError::failed(&shown, format!("cannot create: {e}")))?;
        }
        create_new(&path, text).map_err(|e| {
            ScaffoldError::failed(path.display().to_string(), format!("cannot write: {e}"))
        })?;
    }
    Ok(STARTER.iter().map(|(relative, _)| *relative).collect())
}

/// Writes a file that must not exist yet.
fn create_new(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

/// Creates an entry of kind `kind` (a kind's id or folder) titled `title` in the
/// site under `root`. Returns the new file's path relative to `root`. `today` is
/// written as the entry's `date` (the caller reads the clock, so this stays pure
/// enough to test).
pub fn new_entry(
    root: &Path,
    kind: &str,
    title: &str,
    today: Option<&str>,
) -> Result<PathBuf, ScaffoldError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(ScaffoldError::Usage("the title must not be empty".into()));
    }
    let (config, _) = Config::load(root).map_err(ScaffoldError::Failed)?;
    let Some(k) = config
        .kinds
        .iter()
        .position(|k| k.id.eq_ignore_ascii_case(kind) || k.dir.eq_ignore_ascii_case(kind))
    else {
        let ids: Vec<&str> = config.kinds.iter().map(|k| k.id.as_str()).collect();
        let near = suggest(kind, ids.iter().copied())
            .map(|n| format!(" (did you mean {n:?}?)"))
            .unwrap_or_default();
        return Err(ScaffoldError::Usage(format!(
            "unknown kind {kind:?}{near}; this site's kinds are: {}",
            ids.join(", ")
        )));
    };
    let ids = existing_ids(root, &config);
    let id = next_id(&config.kinds[k], &ids[k], ids.iter().flatten());
    let slug = slugify(title);
    let stem = if slug.is_empty() {
        id.to_lowercase()
    } else {
        format!("{}-{slug}", id.to_lowercase())
    };
    let relative = Path::new(CONTENT_DIR)
        .join(&config.kinds[k].dir)
        .join(format!("{stem}.md"));
    let path = root.join(&relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            ScaffoldError::failed(&relative, format!("cannot create its folder: {e}"))
        })?;
    }
    let text = entry_text(root, &config, k, &id, title, today);
    create_new(&path, &text).map_err(|e| {
        let why = if e.kind() == std::io::ErrorKind::AlreadyExists {
            "already exists; casebook new never overwrites a file".to_string()
        } else {
            format!("cannot write: {e}")
        };
        ScaffoldError::failed(&relative, why)
    })?;
    Ok(relative)
}

/// The `id` of every entry file, by kind, read leniently: files that do not parse
/// are skipped, so a site with errors can still get new entries.
fn existing_ids(root: &Path, config: &Config) -> Vec<Vec<String>> {
    let mut ids = vec![Vec::new(); config.kinds.len()];
    let mut ignored = Vec::new();
    for file in load::discover(root, config, &mut ignored) {
        let Ok(text) = std::fs::read_to_string(&file.path) else {
            continue;
        };
        let Ok(fm) = yaml::split_front_matter(&text) else {
            continue;
        };
        if let Ok(Json::Object(map)) = yaml::to_json(fm.yaml) {
            match map.get("id") {
                Some(Json::String(id)) => ids[file.kind].push(id.clone()),
                Some(Json::Number(n)) => ids[file.kind].push(n.to_string()),
                _ => {}
            }
        }
    }
    ids
}

/// Splits `P044` into (`P`, `044`); `None` without trailing digits.
fn split_id(id: &str) -> Option<(&str, &str)> {
    let digits = id.len() - id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    (digits > 0).then(|| id.split_at(id.len() - digits))
}

/// The next free id for a kind: the prefix most of its ids share, one more than the
/// highest number with that prefix, zero-padded like the existing ids; without
/// numbered ids, the kind's initial and 1. An id taken anywhere in the site is skipped.
pub fn next_id<'a>(
    kind: &Kind,
    of_kind: &[String],
    all: impl IntoIterator<Item = &'a String>,
) -> String {
    // Prefix (lowercased) → (spelling as first seen, how many, highest number, width).
    let mut prefixes: BTreeMap<String, (String, usize, u128, usize)> = BTreeMap::new();
    for id in of_kind {
        let Some((prefix, digits)) = split_id(id) else {
            continue;
        };
        let Ok(number) = digits.parse::<u128>() else {
            continue;
        };
        let slot = prefixes
            .entry(prefix.to_lowercase())
            .or_insert_with(|| (prefix.to_string(), 0, 0, 0));
        slot.1 += 1;
        slot.2 = slot.2.max(number);
        if digits.len() > 1 && digits.starts_with('0') {
            slot.3 = slot.3.max(digits.len());
        }
    }
    let (prefix, mut number, width) = match prefixes
        .values()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
    {
        Some((spelling, _, highest, width)) => (spelling.clone(), highest + 1, *width),
        None => {
            let initial: String = kind
                .id
                .chars()
                .take(1)
                .flat_map(char::to_uppercase)
                .collect();
            (initial, 1, 0)
        }
    };
    let taken: HashSet<String> = all.into_iter().map(|id| id.to_lowercase()).collect();
    loop {
        let id = format!("{prefix}{number:0width$}");
        if !taken.contains(&id.to_lowercase()) {
            return id;
        }
        number += 1;
    }
}

/// An ASCII file-name slug of a title: its letters and digits, of any script,
/// transliterated by `deunicode` (`é` → `e`, `ß` → `ss`, `Ж` → `zh`) and
/// lowercased, words joined by `-`, at most about 60 characters, cut at a word
/// boundary. Everything else (spaces, punctuation, symbols, emoji) only
/// separates words.
pub fn slugify(title: &str) -> String {
    let mut slug = String::new();
    let mut pending_dash = false;
    for c in title.chars() {
        let ascii = match deunicode::deunicode_char(c) {
            // Han characters come out as syllables with spaces (`日` is "Ri "),
            // soft signs as apostrophes, which are left out (`Объект` → `obekt`).
            Some(ascii) if c.is_alphanumeric() => ascii,
            // Combining accents, soft hyphens and the like are left out
            // without a break; control characters (tabs) are breaks.
            Some("") if !c.is_control() => "",
            _ => " ",
        };
        for b in ascii.bytes() {
            if b.is_ascii_alphanumeric() {
                if pending_dash && !slug.is_empty() {
                    slug.push('-');
                }
                pending_dash = false;
                slug.push(char::from(b.to_ascii_lowercase()));
            } else if b == b' ' {
                pending_dash = true;
            }
        }
    }
    const LIMIT: usize = 60;
    if slug.len() > LIMIT {
        let cut = slug[..=LIMIT].rfind('-').unwrap_or(LIMIT);
        slug.truncate(cut);
    }
    slug
}

/// The front matter and placeholder body of a new entry.
fn entry_text(
    root: &Path,
    config: &Config,
    k: usize,
    id: &str,
    title: &str,
    today: Option<&str>,
) -> String {
    let kind = &config.kinds[k];
    // Facets no entry of this kind uses are offered commented out.
    let used = facets_in_use(root, config, k);
    let mut out = String::from("---\n");
    let _ = writeln!(out, "id: {id}");
    let quoted = serde_json::to_string(title).unwrap_or_else(|_| format!("{title:?}"));
    let _ = writeln!(out, "title: {quoted}");
    if let Some(today) = today {
        let _ = writeln!(
            out,
            "date: {today}  # when the entry was added; orders the Atom feed"
        );
    }
    out.push_str(
        "# Facets: list value ids from catalogue.yaml, e.g. sectors: [health, education].\n",
    );
    for (fi, facet) in config.facets.iter().enumerate() {
        let values: Vec<&str> = facet
            .display_order
            .iter()
            .map(|&v| facet.values[v].id.as_str())
            .collect();
        let comment_out = if used[fi] { "" } else { "# " };
        let _ = writeln!(
            out,
            "{comment_out}{}: []  # {}",
            facet.name,
            values.join(", ")
        );
    }
    out.push_str("related: []  # ids of related entries, e.g. [P12]\n");
    if config.citations.contains(&k) {
        out.push_str(concat!(
            "# Bibliographic details, for the Cite block and literature.bib / literature.json.\n",
            "# Give only what the source states:\n",
            "# authors: [\"Family, Given\", \"Family, Given\"]\n",
            "# year: 2024\n",
            "# journal: Journal name\n",
            "# volume: \"12\"\n",
            "# pages: 34-56\n",
            "# doi: 10.1234/abcd\n",
            "# url: https://example.org/article\n",
        ));
    }
    out.push_str("---\n");
    let _ = writeln!(
        out,
        "Describe this {} here in Markdown. Link another entry by its id: `[Recovery](P12)`.",
        kind.singular.to_lowercase()
    );
    out
}

/// Per facet: whether any entry of kind `k` names a value (true when the kind has no
/// entries yet, so that every facet is offered).
fn facets_in_use(root: &Path, config: &Config, k: usize) -> Vec<bool> {
    let mut used = vec![false; config.facets.len()];
    let mut any_entry = false;
    let mut ignored = Vec::new();
    for file in load::discover(root, config, &mut ignored) {
        if file.kind != k {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&file.path) else {
            continue;
        };
        let Ok(parsed) = load::parse_entry(config, k, &file.relative, text) else {
            continue;
        };
        any_entry = true;
        for (fi, values) in parsed.entry.facets.iter().enumerate() {
            used[fi] |= !values.is_empty();
        }
    }
    if !any_entry {
        used.fill(true);
    }
    used
}

/// The message printed after `init`.
pub fn init_summary(dir: &Path, files: &[&str]) -> String {
    let mut out = format!("created a new casebook site in {}:\n", dir.display());
    for file in files {
        let _ = writeln!(out, "  {}", display_path(Path::new(file)));
    }
    let root = dir.display();
    let _ = writeln!(
        out,
        "next: casebook build --root {root}   (or casebook serve --root {root})"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(id: &str) -> Kind {
        Kind {
            id: id.into(),
            label: id.into(),
            singular: id.into(),
            dir: id.into(),
        }
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn next_ids_follow_prefix_number_and_padding() {
        let p = ids(&["P1", "P2", "P44", "P10"]);
        assert_eq!(next_id(&kind("practice"), &p, &p), "P45");
        let l = ids(&["L01", "L34", "L02"]);
        assert_eq!(next_id(&kind("literature"), &l, &l), "L35");
        let l = ids(&["L01", "L04"]);
        assert_eq!(next_id(&kind("literature"), &l, &l), "L05");
        let l = ids(&["L099"]);
        assert_eq!(next_id(&kind("literature"), &l, &l), "L100");
        let l = ids(&["L99"]);
        assert_eq!(next_id(&kind("literature"), &l, &l), "L100");
        // The most common prefix wins; stray ids do not change it.
        let mixed = ids(&["CS-1", "CS-2", "intro", "X9"]);
        assert_eq!(next_id(&kind("case"), &mixed, &mixed), "CS-3");
        // No numbered ids yet: the kind's initial; ids of other kinds are skipped.
        let others = ids(&["P1", "p2"]);
        assert_eq!(next_id(&kind("policy"), &[], &others), "P3");
        assert_eq!(next_id(&kind("report"), &[], &others), "R1");
    }

    #[test]
    fn slugs_are_ascii_and_short() {
        assert_eq!(slugify("Recovery"), "recovery");
        assert_eq!(
            slugify("Café Müller: Ærø & Łódź — 100% straße!"),
            "cafe-muller-aero-lodz-100-strasse"
        );
        assert_eq!(slugify("  --  "), "");
        // Other scripts are transliterated; symbols and emoji only separate words.
        assert_eq!(slugify("Ωμέγα: Объект"), "omega-obekt");
        assert_eq!(slugify("日本"), "ri-ben");
        assert_eq!(slugify("Care 🙂 plan © 2024"), "care-plan-2024");
        assert_eq!(slugify("e\u{301}tude\u{200b}two"), "etude-two");
        assert_eq!(slugify("Kranken\u{ad}haus\tneu"), "krankenhaus-neu");
        assert_eq!(slugify("★ ☆"), "");
        let long = slugify(&"word ".repeat(30));
        assert!(long.len() <= 60 && !long.ends_with('-'), "{long}");
    }
}

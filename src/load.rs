//! Walking `content/`, reading front matter and checking it against the vocabularies.
//!
//! [`load`] reads every file in parallel, checks each one on its own, then
//! checks what spans files (unique ids, `related:` targets), and finally
//! renders the Markdown bodies, so that entry links can be resolved. It
//! returns an immutable [`Catalogue`] and the warnings, or every error found.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::{Map, Value as Json};
use walkdir::WalkDir;

use crate::config::{did_you_mean, Config, RESERVED_SEGMENTS};
use crate::diagnostic::{self, suggest, Diagnostic, Position, SourceText};
use crate::markdown;
use crate::model::{is_valid_id, natural_key, Catalogue, Entry, Page};
use crate::yaml::{self, SplitError};

/// The folder holding all content, under the site root.
pub const CONTENT_DIR: &str = "content";
/// The folder of free pages, under `content/`.
pub const PAGES_DIR: &str = "pages";

/// Front-matter keys casebook reads itself.
const ID: &str = "id";
const TITLE: &str = "title";
const RELATED: &str = "related";

/// Options that change how a site is loaded.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Overrides `base_url` from `catalogue.yaml`.
    pub base_url: Option<String>,
}

/// Loads and validates the whole site under `root`.
pub fn load(
    root: &Path,
    options: &LoadOptions,
) -> Result<(Catalogue, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (mut config, mut diagnostics) = Config::load(root)?;
    if let Some(url) = &options.base_url {
        if let Err(msg) = config.set_base_url(url) {
            return Err(vec![Diagnostic::error("--base-url", msg)]);
        }
    }
    let files = discover(root, &config, &mut diagnostics);
    let parsed: Vec<Result<ParsedEntry, Vec<Diagnostic>>> = files
        .par_iter()
        .map(|file| read_entry(root, &config, file))
        .collect();
    let mut entries = Vec::with_capacity(parsed.len());
    for result in parsed {
        match result {
            Ok(entry) => {
                diagnostics.extend(entry.warnings.iter().cloned());
                entries.push(entry);
            }
            Err(errs) => diagnostics.extend(errs),
        }
    }
    let page_files = discover_pages(root, &mut diagnostics);
    let mut pages: Vec<(Page, String)> = Vec::new();
    for file in &page_files {
        match read_page(root, &config, file) {
            Ok(page) => pages.push(page),
            Err(errs) => diagnostics.extend(errs),
        }
    }

    // Keys computed once per entry: `natural_key` allocates.
    entries.sort_by_cached_key(|p| {
        (
            p.entry.kind,
            natural_key(&p.entry.id),
            p.entry.id.clone(),
            p.entry.source.clone(),
        )
    });
    check_unique_ids(&entries, &mut diagnostics);
    check_page_slugs(&config, &pages, &mut diagnostics);
    let targets = LinkTargets::new(
        entries.iter().map(|p| {
            let e = &p.entry;
            let url = format!("{}/{}/", config.kinds[e.kind].dir, e.slug);
            (e.slug.as_str(), e.source.as_path(), url)
        }),
        pages
            .iter()
            .map(|(p, _)| (p.source.as_path(), p.slug.as_str())),
    );
    resolve_related(&mut entries, &targets.by_slug, &mut diagnostics);

    if diagnostics.iter().any(Diagnostic::is_error) {
        diagnostic::sort(&mut diagnostics);
        return Err(diagnostics);
    }

    let allow_raw = config.allow_raw_html;
    let rendered: Vec<(Entry, Vec<Diagnostic>)> = entries
        .into_par_iter()
        .map(|parsed| {
            let resolver = targets.resolver(&parsed.entry.source);
            finish_entry(parsed, &resolver, allow_raw)
        })
        .collect();
    let mut entries = Vec::with_capacity(rendered.len());
    for (entry, warnings) in rendered {
        diagnostics.extend(warnings);
        entries.push(entry);
    }
    let mut pages: Vec<Page> = pages
        .into_iter()
        .map(|(mut page, markdown)| {
            let resolver = targets.resolver(&page.source);
            let r = markdown::render(&markdown, "../", &resolver, allow_raw);
            diagnostics.extend(
                link_warnings(&page.source, &markdown, 1, &r)
                    .into_iter()
                    .map(|mut d| {
                        // Positions were found in the body alone, not the whole file.
                        d.line = None;
                        d.col = None;
                        d.excerpt = None;
                        d
                    }),
            );
            page.body_html = r.html;
            page
        })
        .collect();
    pages.sort_by(|a, b| (a.weight, &a.title, &a.slug).cmp(&(b.weight, &b.title, &b.slug)));
    diagnostic::sort(&mut diagnostics);
    Ok((
        Catalogue {
            config,
            entries,
            pages,
        },
        diagnostics,
    ))
}

/// A content file found on disk.
#[derive(Debug, Clone)]
pub struct ContentFile {
    /// Absolute (or root-joined) path.
    pub path: PathBuf,
    /// Path relative to the site root, for messages.
    pub relative: PathBuf,
    /// Kind index.
    pub kind: usize,
}

/// Whether a file name is one casebook reads: `*.md`, not hidden, not an editor's
/// temporary or backup file.
pub fn is_content_file_name(name: &str) -> bool {
    name.ends_with(".md")
        && !name.starts_with('.')
        && !name.starts_with('#')
        && !name.starts_with('~')
}

fn walk_markdown(
    root: &Path,
    dir: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(PathBuf, PathBuf)> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return out;
    }
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    for item in WalkDir::new(dir).follow_links(false).sort_by_file_name() {
        let item = match item {
            Ok(item) => item,
            Err(e) => {
                let rel = e
                    .path()
                    .and_then(|p| p.strip_prefix(root).ok())
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| dir.strip_prefix(root).unwrap_or(dir).to_path_buf());
                diagnostics.push(Diagnostic::error(rel, format!("cannot read: {e}")));
                continue;
            }
        };
        let name = item.file_name().to_string_lossy();
        if item.depth() > 0 && name.starts_with('.') {
            continue;
        }
        if !is_content_file_name(&name) {
            continue;
        }
        let path = item.path().to_path_buf();
        let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        if item.path_is_symlink() {
            // Follow a link only to a file inside the site; a link out of the site
            // or a dangling link is reported and skipped.
            match path.canonicalize() {
                Ok(target) if target.starts_with(&canonical_root) && target.is_file() => {}
                Ok(_) => {
                    diagnostics.push(Diagnostic::warning(
                        relative,
                        "symbolic link to a file outside the site is not followed",
                    ));
                    continue;
                }
                Err(e) => {
                    diagnostics.push(Diagnostic::warning(
                        relative,
                        format!("broken symbolic link is skipped: {e}"),
                    ));
                    continue;
                }
            }
        } else if !item.file_type().is_file() {
            continue;
        }
        out.push((path, relative));
    }
    out
}

/// Every entry file, by kind, in a stable order.
pub fn discover(
    root: &Path,
    config: &Config,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<ContentFile> {
    let content = root.join(CONTENT_DIR);
    if !content.is_dir() {
        diagnostics.push(Diagnostic::warning(
            CONTENT_DIR,
            "no content/ folder: the site has no entries",
        ));
    }
    let mut files = Vec::new();
    for (kind, k) in config.kinds.iter().enumerate() {
        for (path, relative) in walk_markdown(root, &content.join(&k.dir), diagnostics) {
            files.push(ContentFile {
                path,
                relative,
                kind,
            });
        }
    }
    files
}

fn discover_pages(root: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vec<(PathBuf, PathBuf)> {
    walk_markdown(root, &root.join(CONTENT_DIR).join(PAGES_DIR), diagnostics)
}

/// An entry checked on its own, before cross-file checks and Markdown rendering.
#[derive(Debug, Clone)]
pub struct ParsedEntry {
    /// The entry (body not yet rendered, `related` not yet resolved).
    pub entry: Entry,
    /// `related:` ids as written, with their positions.
    pub related_ids: Vec<(String, Option<Position>)>,
    /// Where the Markdown body starts in [`ParsedEntry::text`] (see [`ParsedEntry::body`]).
    pub body_start: usize,
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
}

/// Turns CRLF and lone CR line endings into LF, so that line numbers from the YAML
/// parser (which counts a lone CR as a line break) match the lines we print.
pub fn normalise_newlines(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

fn read_text(path: &Path, relative: &Path) -> Result<String, Vec<Diagnostic>> {
    let bytes = std::fs::read(path)
        .map_err(|e| vec![Diagnostic::error(relative, format!("cannot read: {e}"))])?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let col = valid.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        vec![
            Diagnostic::error(relative, "file is not valid UTF-8 text (save it as UTF-8)")
                .at(Some(Position { line, col }), None),
        ]
    })
}

/// Reads and checks one entry file.
pub fn read_entry(
    root: &Path,
    config: &Config,
    file: &ContentFile,
) -> Result<ParsedEntry, Vec<Diagnostic>> {
    let _ = root;
    let text = read_text(&file.path, &file.relative)?;
    parse_entry(config, file.kind, &file.relative, text)
}

/// A located problem inside front matter: positions are relative to the YAML and
/// shifted to file lines here.
struct FileProblems<'a> {
    relative: &'a Path,
    text: SourceText<'a>,
    yaml: &'a str,
    yaml_line: usize,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl FileProblems<'_> {
    fn shift(&self, pos: Option<Position>) -> Option<Position> {
        pos.map(|p| Position {
            line: p.line + self.yaml_line - 1,
            col: p.col,
        })
    }
    fn error(&mut self, pos: Option<Position>, message: String) {
        let pos = self.shift(pos);
        self.errors
            .push(Diagnostic::error(self.relative, message).at_in(pos, Some(&self.text)));
    }
    fn warning(&mut self, pos: Option<Position>, message: String) {
        let pos = self.shift(pos);
        self.warnings
            .push(Diagnostic::warning(self.relative, message).at_in(pos, Some(&self.text)));
    }
    fn key(&self, key: &str) -> Option<Position> {
        yaml::locate_key(self.yaml, key)
    }
    fn value(&self, key: &str) -> Option<Position> {
        yaml::locate_value(self.yaml, key)
    }
}

fn split<'a>(relative: &Path, text: &'a str) -> Result<yaml::FrontMatter<'a>, Vec<Diagnostic>> {
    let first = Some(Position { line: 1, col: 1 });
    yaml::split_front_matter(text).map_err(|e| {
        let message = match e {
            SplitError::Missing if text.trim().is_empty() => {
                "file is empty: an entry needs front matter with at least `id` and `title`"
            }
            SplitError::Missing => "missing front matter: the file must start with a `---` line",
            SplitError::Unterminated => {
                "front matter is not closed: add a `---` line after the last field"
            }
        };
        vec![Diagnostic::error(relative, message).at(first, Some(text))]
    })
}

fn type_name(value: &Json) -> &'static str {
    match value {
        Json::Null => "nothing",
        Json::Bool(_) => "true/false",
        Json::Number(_) => "a number",
        Json::String(_) => "text",
        Json::Array(_) => "a list",
        Json::Object(_) => "a mapping",
    }
}

/// Parses the front matter of a file into a mapping, or explains why it is not one.
fn front_matter_map(p: &mut FileProblems) -> Option<Map<String, Json>> {
    match yaml::to_json(p.yaml) {
        Ok(Json::Object(map)) => Some(map),
        Ok(Json::Null) => {
            p.error(
                Some(Position { line: 1, col: 1 }),
                "front matter is empty: an entry needs at least `id` and `title`".into(),
            );
            None
        }
        Ok(other) => {
            p.error(
                Some(Position { line: 1, col: 1 }),
                format!(
                    "front matter must be a mapping of `key: value` lines, found {}",
                    type_name(&other)
                ),
            );
            None
        }
        Err(e) => {
            let mut message = format!("invalid YAML: {}", e.message);
            if p.yaml.contains('\t') && e.message.contains("tab")
                || p.yaml.lines().any(|l| l.starts_with('\t'))
            {
                message.push_str(" (YAML does not allow tabs for indentation; use spaces)");
            }
            p.error(e.position, message);
            None
        }
    }
}

/// Checks an entry's text. Pure: used by `load` and by the live preview.
pub fn parse_entry(
    config: &Config,
    kind: usize,
    relative: &Path,
    text: String,
) -> Result<ParsedEntry, Vec<Diagnostic>> {
    let text = normalise_newlines(text);
    let fm = split(relative, &text)?;
    let mut p = FileProblems {
        relative,
        text: SourceText::new(&text),
        yaml: fm.yaml,
        yaml_line: fm.yaml_line,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let Some(map) = front_matter_map(&mut p) else {
        return Err(p.errors);
    };

    let id = match map.get(ID) {
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
            p.error(Some(Position { line: 1, col: 1 }), "missing `id`".into());
            None
        }
    };
    let title = match map.get(TITLE) {
        Some(Json::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Json::String(_)) => {
            p.error(p.value(TITLE), "title is empty".into());
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
            p.error(Some(Position { line: 1, col: 1 }), "missing `title`".into());
            None
        }
    };

    let mut facets = vec![Vec::new(); config.facets.len()];
    let mut related_ids = Vec::new();
    let mut fields = Map::new();
    let mut facet_keys_seen: Vec<Option<String>> = vec![None; config.facets.len()];
    for (key, value) in &map {
        if key == ID || key == TITLE {
            continue;
        }
        if key == RELATED {
            read_related(&mut p, value, &mut related_ids);
            continue;
        }
        if key == "kind" {
            let wanted = &config.kinds[kind].id;
            if value.as_str() != Some(wanted) {
                p.error(
                    p.value(key),
                    format!("`kind` is {value} but files in this folder are {wanted:?} (move the file or remove the field)"),
                );
            }
            continue;
        }
        let facet = config
            .facets
            .iter()
            .position(|f| &f.name == key)
            .map(|i| (i, false))
            .or_else(|| {
                config
                    .facets
                    .iter()
                    .position(|f| &f.singular == key && f.singular != f.name)
                    .map(|i| (i, true))
            });
        let Some((fi, singular)) = facet else {
            if let Some(near) = suggest(key, config.facets.iter().map(|f| f.name.as_str())) {
                p.warning(
                    p.key(key),
                    format!("`{key}` is not a facet, so it is shown as a plain field (did you mean `{near}`?)"),
                );
            }
            fields.insert(key.clone(), value.clone());
            continue;
        };
        if let Some(other) = &facet_keys_seen[fi] {
            p.error(
                p.key(key),
                format!(
                    "`{key}` and `{other}` both set {}; use one",
                    config.facets[fi].name
                ),
            );
            continue;
        }
        facet_keys_seen[fi] = Some(key.clone());
        facets[fi] = read_facet_values(&mut p, config, fi, key, value, singular);
    }

    if !p.errors.is_empty() {
        return Err(p.errors);
    }
    let (Some(id), Some(title)) = (id, title) else {
        return Err(p.errors);
    };
    let id_position = p.shift(p.value(ID));
    // The body is the rest of the file; keeping its offset instead of a copy
    // saves a second copy of every body while the catalogue loads.
    let body_start = text.len() - fm.body.len();
    debug_assert_eq!(&text[body_start..], fm.body);
    Ok(ParsedEntry {
        entry: Entry {
            slug: id.to_lowercase(),
            id,
            kind,
            title,
            facets,
            related: Vec::new(),
            fields,
            body_html: String::new(),
            search_words: String::new(),
            source: relative.to_path_buf(),
            body_line: fm.body_line,
        },
        related_ids,
        body_start,
        id_position,
        warnings: p.warnings,
        text,
    })
}

fn read_related(p: &mut FileProblems, value: &Json, out: &mut Vec<(String, Option<Position>)>) {
    match value {
        Json::Array(items) => {
            let list = yaml::ItemLocator::new(p.yaml, RELATED);
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
    let list = yaml::ItemLocator::new(p.yaml, key);
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
                let near = suggest(id, facet.values.iter().map(|v| v.id.as_str()));
                p.error(
                    list.at(index, id),
                    format!("unknown {} {id:?}{}", facet.singular, did_you_mean(near)),
                );
            }
        }
    }
    values.sort_unstable();
    values
}

fn check_unique_ids(entries: &[ParsedEntry], diagnostics: &mut Vec<Diagnostic>) {
    // Group entries by URL slug; every member of a group of two or more is reported,
    // each naming the others, since casebook cannot know which file is the newer one.
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, parsed) in entries.iter().enumerate() {
        groups.entry(&parsed.entry.slug).or_default().push(i);
    }
    let mut clashes: Vec<&Vec<usize>> = groups.values().filter(|g| g.len() > 1).collect();
    clashes.sort();
    for group in clashes {
        for &i in group {
            let parsed = &entries[i];
            let e = &parsed.entry;
            for &j in group.iter().filter(|&&j| j != i) {
                let other = &entries[j].entry;
                let message = if other.id == e.id {
                    format!(
                        "duplicate id {:?}: also used by {}",
                        e.id,
                        diagnostic::display_path(&other.source)
                    )
                } else {
                    format!(
                        "id {:?} has the same URL as {:?} in {} (ids must differ by more than upper/lower case)",
                        e.id,
                        other.id,
                        diagnostic::display_path(&other.source)
                    )
                };
                diagnostics.push(
                    Diagnostic::error(&e.source, message)
                        .at(parsed.id_position, Some(&parsed.text)),
                );
            }
        }
    }
}

fn check_page_slugs(config: &Config, pages: &[(Page, String)], diagnostics: &mut Vec<Diagnostic>) {
    let mut seen = HashMap::new();
    for (page, _) in pages {
        let taken = RESERVED_SEGMENTS.contains(&page.slug.as_str())
            || config
                .kinds
                .iter()
                .any(|k| k.dir.eq_ignore_ascii_case(&page.slug))
            || config
                .facets
                .iter()
                .any(|f| f.name.eq_ignore_ascii_case(&page.slug));
        if taken {
            diagnostics.push(Diagnostic::error(
                &page.source,
                format!(
                    "page URL /{}/ is already used by the site; rename the file",
                    page.slug
                ),
            ));
        } else if let Some(other) = seen.insert(page.slug.clone(), page.source.clone()) {
            diagnostics.push(Diagnostic::error(
                &page.source,
                format!(
                    "page URL /{}/ is also used by {}",
                    page.slug,
                    diagnostic::display_path(&other)
                ),
            ));
        }
    }
}

fn resolve_related(
    entries: &mut [ParsedEntry],
    by_slug: &HashMap<String, usize>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let ids: Vec<String> = entries.iter().map(|e| e.entry.id.clone()).collect();
    for (i, parsed) in entries.iter_mut().enumerate() {
        let mut related = Vec::new();
        for (id, pos) in &parsed.related_ids {
            match by_slug.get(&id.to_lowercase()) {
                Some(&j) if ids[j] == *id => {
                    if j == i {
                        diagnostics.push(
                            Diagnostic::warning(
                                &parsed.entry.source,
                                format!("entry lists itself as related ({id:?})"),
                            )
                            .at(*pos, Some(&parsed.text)),
                        );
                    } else if !related.contains(&j) {
                        related.push(j);
                    }
                }
                Some(&j) => diagnostics.push(
                    Diagnostic::error(
                        &parsed.entry.source,
                        format!(
                            "related entry {id:?} does not exist (did you mean {:?}?)",
                            ids[j]
                        ),
                    )
                    .at(*pos, Some(&parsed.text)),
                ),
                None => {
                    let near = suggest(id, ids.iter().map(String::as_str));
                    diagnostics.push(
                        Diagnostic::error(
                            &parsed.entry.source,
                            format!("related entry {id:?} does not exist{}", did_you_mean(near)),
                        )
                        .at(*pos, Some(&parsed.text)),
                    );
                }
            }
        }
        related.sort_unstable();
        parsed.entry.related = related;
    }
}

/// Resolves the links of one file: bare ids to entries, and relative paths to
/// Markdown files (`../practices/p12-recovery.md`) to the entry or page made from
/// that file.
/// What links in Markdown bodies point at: entries by id, and entry and page
/// files by path. Built once per load; the live preview keeps one to render
/// a changed body exactly as a full load would.
#[derive(Debug, Clone, Default)]
pub struct LinkTargets {
    /// Entry slug (lowercased id) → entry index.
    by_slug: HashMap<String, usize>,
    /// Each entry's site-relative URL, by entry index.
    urls: Vec<String>,
    /// Normalised source path → site-relative URL, for entries and free pages.
    by_source: HashMap<String, String>,
}

impl LinkTargets {
    /// From (slug, source, URL) of each entry, in entry order, and (source,
    /// slug) of each free page.
    fn new<'a>(
        entries: impl Iterator<Item = (&'a str, &'a Path, String)>,
        pages: impl Iterator<Item = (&'a Path, &'a str)>,
    ) -> LinkTargets {
        let mut targets = LinkTargets::default();
        for (i, (slug, source, url)) in entries.enumerate() {
            targets.by_slug.insert(slug.to_string(), i);
            targets
                .by_source
                .insert(normalised_source(source), url.clone());
            targets.urls.push(url);
        }
        for (source, slug) in pages {
            targets
                .by_source
                .insert(normalised_source(source), format!("{slug}/"));
        }
        targets
    }

    /// The link targets of a loaded catalogue.
    pub fn of(c: &Catalogue) -> LinkTargets {
        LinkTargets::new(
            c.entries
                .iter()
                .map(|e| (e.slug.as_str(), e.source.as_path(), c.entry_url(e))),
            c.pages
                .iter()
                .map(|p| (p.source.as_path(), p.slug.as_str())),
        )
    }

    /// The index of the entry whose id is `id`, ignoring case.
    pub fn entry_index(&self, id: &str) -> Option<usize> {
        self.by_slug.get(&id.to_lowercase()).copied()
    }

    /// The resolver for links in the body of the file at `source`.
    pub fn resolver(&self, source: &Path) -> impl markdown::LinkResolver + '_ {
        FileLinks {
            targets: self,
            dir: source.parent().map(Path::to_path_buf).unwrap_or_default(),
        }
    }
}

struct FileLinks<'a> {
    targets: &'a LinkTargets,
    /// Folder of the file being rendered, relative to the site root.
    dir: PathBuf,
}

impl markdown::LinkResolver for FileLinks<'_> {
    fn entry_url(&self, id: &str) -> Option<String> {
        let i = self.targets.entry_index(id)?;
        Some(self.targets.urls[i].clone())
    }

    fn file_url(&self, path: &str) -> Option<String> {
        let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        self.targets
            .by_source
            .get(&normalised_source(&self.dir.join(decoded.as_ref())))
            .cloned()
    }
}

/// A relative path with `.` and `..` resolved, `/`-separated, for comparing sources.
fn normalised_source(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    parts.join("/")
}

/// Renders the Markdown body of a checked entry (its `related` already resolved),
/// collecting its search words on the way, and returns the finished entry with
/// warnings about its links. Used by [`load`] and by the live preview when one
/// file changes.
pub fn finish_entry(
    parsed: ParsedEntry,
    resolver: &dyn markdown::LinkResolver,
    allow_raw_html: bool,
) -> (Entry, Vec<Diagnostic>) {
    // Entry pages sit two levels below the site root (`practices/p12/`).
    let r = markdown::render_with_words(parsed.body(), "../../", resolver, allow_raw_html);
    let mut entry = parsed.entry;
    let warnings = link_warnings(&entry.source, &parsed.text, entry.body_line, &r);
    entry.body_html = r.html;
    entry.search_words = r.search_words;
    (entry, warnings)
}

fn link_warnings(
    source: &Path,
    text: &str,
    body_line: usize,
    r: &markdown::Rendered,
) -> Vec<Diagnostic> {
    let locate = |target: &str| {
        text.lines()
            .enumerate()
            .skip(body_line.saturating_sub(1))
            .find_map(|(i, line)| {
                line.find(&format!("]({target}")).map(|at| Position {
                    line: i + 1,
                    col: line[..at].chars().count() + 3,
                })
            })
    };
    let mut out = Vec::new();
    for target in &r.broken_links {
        out.push(
            Diagnostic::warning(source, format!("link to {target:?} points to no entry"))
                .at(locate(target), Some(text)),
        );
    }
    for target in &r.unsafe_links {
        out.push(
            Diagnostic::warning(
                source,
                format!("link to {target:?} was removed: only http(s), mailto and relative links are allowed"),
            )
            .at(locate(target), Some(text)),
        );
    }
    out
}

fn read_page(
    root: &Path,
    config: &Config,
    file: &(PathBuf, PathBuf),
) -> Result<(Page, String), Vec<Diagnostic>> {
    let _ = (root, config);
    let (path, relative) = file;
    let text = normalise_newlines(read_text(path, relative)?);
    let fm = split(relative, &text)?;
    let mut p = FileProblems {
        relative,
        text: SourceText::new(&text),
        yaml: fm.yaml,
        yaml_line: fm.yaml_line,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let Some(mut map) = front_matter_map(&mut p) else {
        return Err(p.errors);
    };
    let title = match map.remove(TITLE) {
        Some(Json::String(s)) if !s.trim().is_empty() => s,
        _ => {
            p.error(
                p.value(TITLE).or(Some(Position { line: 1, col: 1 })),
                "a page needs a text `title`".into(),
            );
            String::new()
        }
    };
    let weight = match map.remove("weight") {
        None => 0,
        Some(Json::Number(n)) if n.is_i64() => n.as_i64().unwrap_or(0),
        Some(_) => {
            p.error(p.value("weight"), "`weight` must be a whole number".into());
            0
        }
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if !is_valid_id(&stem) {
        p.error(
            None,
            format!(
                "page file name {stem:?} is not usable in a URL: use letters, digits, '-' and '_'"
            ),
        );
    }
    if !p.errors.is_empty() {
        return Err(p.errors);
    }
    Ok((
        Page {
            slug: stem,
            title,
            weight,
            body_html: String::new(),
            fields: map,
            source: relative.clone(),
        },
        fm.body.to_string(),
    ))
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

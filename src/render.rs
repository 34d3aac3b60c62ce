//! Turning a loaded catalogue into files: Tera templates, CSV, JSON, static files.
//!
//! [`Theme`] holds the templates compiled once per build: the built-in theme
//! (this repository's `templates/` and `static/`, compiled into the binary)
//! with any file of the site's own `templates/` or `static/` taking the place
//! of the built-in file of the same name. [`render_site`] lists every output
//! file, renders them in parallel and hands each to a [`Sink`] (the disk for
//! `build`, memory for `serve`). Output is deterministic: nothing depends on
//! time, thread scheduling or hash order.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};
use walkdir::WalkDir;

use crate::diagnostic::Diagnostic;
use crate::index::Index;
use crate::model::Catalogue;
use crate::summary::{self, Table};
use crate::view::{self, KindGroup, LinkView, Views};

/// The built-in templates, compiled into the binary.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("kind.html", include_str!("../templates/kind.html")),
    ("entry.html", include_str!("../templates/entry.html")),
    ("facet.html", include_str!("../templates/facet.html")),
    ("value.html", include_str!("../templates/value.html")),
    (
        "combination.html",
        include_str!("../templates/combination.html"),
    ),
    (
        "summaries.html",
        include_str!("../templates/summaries.html"),
    ),
    ("summary.html", include_str!("../templates/summary.html")),
    ("list.html", include_str!("../templates/list.html")),
    ("page.html", include_str!("../templates/page.html")),
    ("404.html", include_str!("../templates/404.html")),
    ("cite.html", include_str!("../templates/cite.html")),
    ("item.html", include_str!("../templates/item.html")),
    ("nav.html", include_str!("../templates/nav.html")),
    (
        "value-link.html",
        include_str!("../templates/value-link.html"),
    ),
];

/// The built-in static files, compiled into the binary.
pub const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../static/style.css")),
    // Home-page filters and search, and filtered-view links on summary pages.
    ("browse.js", include_bytes!("../static/browse.js")),
    // MiniSearch (MIT), vendored from npm; loaded by browse.js when a reader searches.
    (
        "vendor/minisearch.min.js",
        include_bytes!("../static/vendor/minisearch.min.js"),
    ),
    (
        "vendor/minisearch.LICENSE.txt",
        include_bytes!("../static/vendor/minisearch.LICENSE.txt"),
    ),
];

/// Where a site's own templates and static files live, under its root.
pub const TEMPLATES_DIR: &str = "templates";
/// See [`TEMPLATES_DIR`].
pub const STATIC_DIR: &str = "static";

/// Where the output of one file goes.
pub trait Sink: Sync {
    /// Stores `bytes` at `path` (relative, `/`-separated).
    fn put(&self, path: &str, bytes: Vec<u8>) -> io::Result<()>;
    /// Stores a copy of the file at `from` at `path`.
    fn copy(&self, path: &str, from: &Path) -> io::Result<()> {
        self.put(path, std::fs::read(from)?)
    }
    /// Stores the concatenation of `parts` at `path`. Large files come in parts
    /// made as they are asked for, so a sink that writes each part out as it
    /// comes never holds the whole file; by default they are joined and [`put`](Sink::put).
    fn put_parts(&self, path: &str, parts: &mut dyn Iterator<Item = Vec<u8>>) -> io::Result<()> {
        let parts: Vec<Vec<u8>> = parts.collect();
        self.put(path, parts.concat())
    }
}

/// A static file to copy: built-in bytes or a file of the site.
#[derive(Debug, Clone)]
pub enum StaticSource {
    /// Compiled into the binary.
    Builtin(&'static [u8]),
    /// A file under the site's `static/`.
    File(PathBuf),
}

/// Compiled templates and the list of static files.
pub struct Theme {
    tera: Tera,
    /// Output path → source, sorted.
    pub statics: BTreeMap<String, StaticSource>,
    /// Whether the site has templates of its own under `templates/`.
    pub own_templates: bool,
}

fn tera_error_chain(err: &tera::Error) -> String {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// Tera reports "Failed to parse 'x.html'" and then a pest error with ` --> line:col`.
fn tera_position(message: &str) -> Option<crate::diagnostic::Position> {
    let at = message.find("--> ")?;
    let rest = &message[at + 4..];
    let mut parts = rest
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty());
    let line = parts.next()?.parse().ok()?;
    let col = parts.next()?.parse().ok()?;
    Some(crate::diagnostic::Position { line, col })
}

impl Theme {
    /// Compiles the built-in theme with the site's overrides from `root`.
    pub fn load(root: &Path) -> Result<Theme, Vec<Diagnostic>> {
        let mut sources: BTreeMap<String, (String, Option<PathBuf>)> = BUILTIN_TEMPLATES
            .iter()
            .map(|(name, text)| (name.to_string(), (text.to_string(), None)))
            .collect();
        let mut problems = Vec::new();
        for (relative, path) in site_files(root, TEMPLATES_DIR, &mut problems) {
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    sources.insert(relative, (text, Some(path)));
                }
                Err(e) => problems.push(Diagnostic::error(
                    path.strip_prefix(root).unwrap_or(&path),
                    format!("cannot read template: {e}"),
                )),
            }
        }
        let own_templates = sources.values().any(|(_, path)| path.is_some());
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".xml", ".svg"]);
        tera.set_escape_fn(escape_html);
        // Add templates one by one first, to name the file that fails to parse.
        for (name, (text, path)) in &sources {
            let mut single = Tera::default();
            if let Err(e) = single.add_raw_template(name, text) {
                let message = tera_error_chain(&e);
                if message.contains("isn't loaded") || message.contains("not found") {
                    continue; // needs its parent or macros: checked with all templates below
                }
                let shown = path
                    .as_ref()
                    .and_then(|p| p.strip_prefix(root).ok().map(Path::to_path_buf))
                    .unwrap_or_else(|| PathBuf::from(TEMPLATES_DIR).join(name));
                problems.push(
                    Diagnostic::error(shown, format!("template error: {message}"))
                        .at(tera_position(&message), Some(text)),
                );
            }
        }
        if problems.iter().any(Diagnostic::is_error) {
            return Err(problems);
        }
        if let Err(e) =
            tera.add_raw_templates(sources.iter().map(|(n, (t, _))| (n.clone(), t.clone())))
        {
            return Err(vec![Diagnostic::error(
                TEMPLATES_DIR,
                format!("template error: {}", tera_error_chain(&e)),
            )]);
        }
        let mut statics: BTreeMap<String, StaticSource> = BUILTIN_STATIC
            .iter()
            .map(|(name, bytes)| (name.to_string(), StaticSource::Builtin(bytes)))
            .collect();
        for (relative, path) in site_files(root, STATIC_DIR, &mut problems) {
            statics.insert(relative, StaticSource::File(path));
        }
        if problems.iter().any(Diagnostic::is_error) {
            return Err(problems);
        }
        Ok(Theme {
            tera,
            statics,
            own_templates,
        })
    }
}

/// Escapes text for HTML: `&`, `<`, `>`, `"` and `'`, which is safe in text and
/// in quoted attribute values (every attribute in the theme is quoted). Unlike
/// Tera's built-in escaper it leaves `/` alone: `&#x2F;` in every link made
/// pages about a sixth larger for no gain. Runs between the escaped characters
/// are copied in one go. Every URL in a page goes through here.
pub fn escape_html(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = String::with_capacity(input.len() + input.len() / 4);
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let replacement = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            _ => continue,
        };
        // All five are ASCII, so `i` is always on a character boundary.
        out.push_str(&input[start..i]);
        out.push_str(replacement);
        start = i + 1;
    }
    out.push_str(&input[start..]);
    out
}

/// Files under `root/dir`, as (`/`-separated path relative to `dir`, full path).
/// Hidden files and editor backups are skipped; links are not followed.
fn site_files(root: &Path, dir: &str, problems: &mut Vec<Diagnostic>) -> Vec<(String, PathBuf)> {
    let base = root.join(dir);
    let mut out = Vec::new();
    if !base.is_dir() {
        return out;
    }
    for item in WalkDir::new(&base).follow_links(false).sort_by_file_name() {
        match item {
            Ok(item) if item.file_type().is_file() => {
                let name = item.file_name().to_string_lossy();
                if crate::paths::is_temporary_name(&name) {
                    continue;
                }
                let Ok(relative) = item.path().strip_prefix(&base) else {
                    continue;
                };
                if relative
                    .components()
                    .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
                {
                    continue;
                }
                out.push((
                    crate::diagnostic::display_path(relative),
                    item.path().to_path_buf(),
                ));
            }
            Ok(_) => {}
            Err(e) => problems.push(Diagnostic::warning(dir, format!("cannot read: {e}"))),
        }
    }
    out
}

/// `../../` for `practices/p12/`; `./` for the home page.
pub fn root_for(url: &str) -> String {
    let depth = url.split('/').filter(|s| !s.is_empty()).count();
    if depth == 0 {
        "./".to_string()
    } else {
        "../".repeat(depth)
    }
}

/// The file a page URL is written to (`practices/p12/` → `practices/p12/index.html`).
pub fn file_for(url: &str) -> String {
    format!("{url}index.html")
}

/// One output file to produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// `index.html`.
    Home,
    /// A kind's list of entries.
    Kind(usize),
    /// An entry page.
    Entry(usize),
    /// A facet's overview of its values.
    Facet(usize),
    /// A facet value page.
    Value(usize, usize),
    /// An exact combination page (two or more values).
    Combination(usize, Vec<usize>),
    /// `summary/index.html`.
    Summaries,
    /// A summary page and its CSV.
    Summary(usize),
    /// The entries behind one pivot cell: summary, row index, column index.
    PivotCell(usize, usize, usize),
    /// A free page.
    Page(usize),
    /// `404.html`.
    NotFound,
    /// `catalogue.json`.
    Json,
    /// `search-index.json`, for the home page's search.
    SearchIndex,
    /// A static file.
    Static(String),
    /// A publishing file: sitemap, robots.txt, feed, citation exports.
    Publish(crate::publish::File),
}

impl Job {
    /// What kind of file this is, for timings.
    pub fn label(&self) -> &'static str {
        match self {
            Job::Home => "home page",
            Job::Kind(_) => "kind pages",
            Job::Entry(_) => "entry pages",
            Job::Facet(_) => "facet pages",
            Job::Value(..) => "value pages",
            Job::Combination(..) => "combination pages",
            Job::Summaries | Job::Summary(_) => "summary pages and CSV",
            Job::PivotCell(..) => "pivot cell pages",
            Job::Page(_) | Job::NotFound => "free pages and 404",
            Job::Json => "catalogue.json",
            Job::Static(_) => "static files",
            Job::Publish(_) => "sitemap, feed, citations",
            Job::SearchIndex => "search index",
        }
    }
}

/// What a render produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderStats {
    /// HTML pages written.
    pub pages: usize,
    /// Files written in all.
    pub files: usize,
    /// Time spent per kind of file, summed over threads (writing included),
    /// then the time spent handing bytes to the sink.
    pub thread_time: Vec<(&'static str, Duration)>,
}

/// A sink that measures the time spent in another sink.
struct TimedSink<'a> {
    inner: &'a dyn Sink,
    nanos: AtomicU64,
}

impl TimedSink<'_> {
    fn add(&self, time: Duration) {
        let nanos = u64::try_from(time.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    fn timed<T>(&self, f: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let result = f();
        self.add(started.elapsed());
        result
    }
}

impl Sink for TimedSink<'_> {
    fn put(&self, path: &str, bytes: Vec<u8>) -> io::Result<()> {
        self.timed(|| self.inner.put(path, bytes))
    }
    fn copy(&self, path: &str, from: &Path) -> io::Result<()> {
        self.timed(|| self.inner.copy(path, from))
    }
    fn put_parts(&self, path: &str, parts: &mut dyn Iterator<Item = Vec<u8>>) -> io::Result<()> {
        // Making the parts is the job's work, not writing: leave it out.
        let mut making = Duration::ZERO;
        let started = Instant::now();
        let result = self.inner.put_parts(
            path,
            &mut std::iter::from_fn(|| {
                let asked = Instant::now();
                let part = parts.next();
                making += asked.elapsed();
                part
            }),
        );
        self.add(started.elapsed().saturating_sub(making));
        result
    }
}

/// `items` joined by `separator`, with `root` put in.
fn splice(items: &[&Item], separator: &str, root: &str) -> String {
    let size: usize = items
        .iter()
        .map(|i| i.len_with(root) + separator.len())
        .sum();
    let mut html = String::with_capacity(size);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            html.push_str(separator);
        }
        item.push_to(&mut html, root);
    }
    html
}

/// The bytes of the list items in `groups`.
fn list_bytes(groups: &[KindGroup]) -> usize {
    groups.iter().flat_map(|g| &g.chunks).map(String::len).sum()
}

/// Bytes reserved for a page before rendering it (an entry page is about 11 KB).
const PAGE_CAPACITY: usize = 16 * 1024;

/// Everything needed to render pages; shared by all threads.
pub struct Renderer<'a> {
    catalogue: &'a Catalogue,
    index: &'a Index,
    theme: &'a Theme,
    tables: Vec<Table>,
    site: Context,
    /// Contexts holding only `site`, reused from page to page: cloning `site`
    /// for every page was a sixth of the render time on big catalogues.
    spare_contexts: Mutex<Vec<Context>>,
    /// Each entry's list item per [`ItemStyle`], rendered on first use.
    items: [Vec<OnceLock<Result<Item, String>>>; 3],
    /// Each facet value's link on entry pages, rendered on first use.
    value_links: Vec<Vec<OnceLock<Result<Item, String>>>>,
    /// The site header and browse bar (`nav.html`) per section of the site.
    navs: Mutex<BTreeMap<String, std::sync::Arc<Result<Item, String>>>>,
}

/// A facet's name and label, for `value-link.html`.
#[derive(Serialize)]
struct FacetName<'a> {
    name: &'a str,
    label: &'a str,
}

/// How an entry appears in a list: the `style` given to `item.html`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemStyle {
    /// The home page, with the data its filters read.
    Home = 0,
    /// Lists grouped by kind: value, kind, combination and pivot-cell pages.
    List = 1,
    /// The related and "more like this" lists of entry pages.
    Related = 2,
}

impl ItemStyle {
    fn name(self) -> &'static str {
        match self {
            ItemStyle::Home => "home",
            ItemStyle::List => "list",
            ItemStyle::Related => "related",
        }
    }
}

/// Entries per `<ul>` on the home page (see `macros.html`).
const HOME_CHUNK: usize = 50;

/// Stands for `root` while a fragment (list item, value link, site header) is
/// rendered; replaced by each page's own root when the fragment is put on
/// that page.
const ROOT_MARK: &str = "\u{1}casebook-root\u{1}";

/// A fragment rendered once for many pages: `html` with the page's root to be
/// inserted at each of `roots` (byte offsets, ascending).
#[derive(Debug)]
struct Item {
    html: Box<str>,
    roots: Box<[u32]>,
}

impl Item {
    fn new(rendered: &str) -> Item {
        let mut html = String::with_capacity(rendered.len());
        let mut roots = Vec::new();
        let mut rest = rendered;
        while let Some(at) = rest.find(ROOT_MARK) {
            html.push_str(&rest[..at]);
            roots.push(u32::try_from(html.len()).unwrap_or(u32::MAX));
            rest = &rest[at + ROOT_MARK.len()..];
        }
        html.push_str(rest);
        Item {
            html: html.into_boxed_str(),
            roots: roots.into_boxed_slice(),
        }
    }

    fn len_with(&self, root: &str) -> usize {
        self.html.len() + self.roots.len() * root.len()
    }

    fn push_to(&self, out: &mut String, root: &str) {
        let mut from = 0;
        for &at in self.roots.iter() {
            let at = at as usize;
            out.push_str(&self.html[from..at]);
            out.push_str(root);
            from = at;
        }
        out.push_str(&self.html[from..]);
    }
}

impl<'a> Renderer<'a> {
    /// Prepares shared data: summary tables and the `site` object.
    pub fn new(catalogue: &'a Catalogue, index: &'a Index, theme: &'a Theme) -> Renderer<'a> {
        let tables = catalogue
            .config
            .summaries
            .iter()
            .map(|spec| summary::compute(catalogue, index, spec))
            .collect();
        Renderer::with_tables(catalogue, index, theme, tables)
    }

    /// Like [`Renderer::new`], reusing summary tables already computed from the
    /// same catalogue and index (the live preview keeps them between rebuilds).
    pub fn with_tables(
        catalogue: &'a Catalogue,
        index: &'a Index,
        theme: &'a Theme,
        tables: Vec<Table>,
    ) -> Renderer<'a> {
        let views = Views { catalogue, index };
        let mut site = Context::new();
        site.insert("site", &views.site());
        Renderer {
            catalogue,
            index,
            theme,
            tables,
            site,
            spare_contexts: Mutex::new(Vec::new()),
            items: std::array::from_fn(|_| {
                (0..catalogue.entries.len())
                    .map(|_| OnceLock::new())
                    .collect()
            }),
            value_links: catalogue
                .config
                .facets
                .iter()
                .map(|f| f.values.iter().map(|_| OnceLock::new()).collect())
                .collect(),
            navs: Mutex::new(BTreeMap::new()),
        }
    }

    /// Runs `f` on a context holding `site` and the given `data`, then takes
    /// `data` and `extra` (keys `f` added) out again, so that the next page or
    /// fragment sees only `site`. Contexts are reused: cloning `site` for every
    /// page was a sixth of the render time on big catalogues.
    fn with_context<T>(
        &self,
        data: &[(&str, &dyn ErasedSerialize)],
        extra: &[&str],
        f: impl FnOnce(&mut Context) -> T,
    ) -> T {
        let spare = self.spare_contexts.lock().ok().and_then(|mut s| s.pop());
        let mut context = spare.unwrap_or_else(|| self.site.clone());
        for (key, value) in data {
            debug_assert!(*key != "site", "page data may not replace `site`");
            value.insert_into(&mut context, key);
        }
        let result = f(&mut context);
        for key in data.iter().map(|(key, _)| key).chain(extra) {
            context.remove(key);
        }
        if let Ok(mut spare) = self.spare_contexts.lock() {
            spare.push(context);
        }
        result
    }

    /// Renders `template` once, with `root` standing in for the page's root,
    /// into the reusable form pages splice their own root into.
    fn fragment(
        &self,
        template: &str,
        data: &[(&str, &dyn ErasedSerialize)],
    ) -> Result<Item, String> {
        self.with_context(data, &["root"], |context| {
            context.insert("root", ROOT_MARK);
            self.theme.tera.render(template, context)
        })
        .map(|html| Item::new(html.trim()))
        .map_err(|e| tera_error_chain(&e))
    }

    /// The list item of entry `e` in `style`, rendered with `item.html` the
    /// first time it is asked for.
    fn item(&self, e: usize, style: ItemStyle) -> Result<&Item, Diagnostic> {
        let item = self.items[style as usize][e].get_or_init(|| {
            let views = self.views();
            self.fragment(
                "item.html",
                &[("e", &views.item(e)), ("style", &style.name())],
            )
        });
        item.as_ref().map_err(|message| {
            Diagnostic::error(
                PathBuf::from(TEMPLATES_DIR).join("item.html"),
                format!(
                    "cannot render the list item of {}: {message}",
                    self.catalogue.entries[e].id
                ),
            )
        })
    }

    /// The site header and browse bar for a page at `url` whose root is `root`,
    /// from `nav.html`, rendered once per section of the site.
    fn nav(&self, url: &str, root: &str) -> Result<String, Diagnostic> {
        let section = url.find('/').map_or("", |slash| &url[..=slash]);
        let cached = self.navs.lock().ok().and_then(|n| n.get(section).cloned());
        let nav = match cached {
            Some(nav) => nav,
            None => {
                let nav = std::sync::Arc::new(self.fragment("nav.html", &[("section", &section)]));
                if let Ok(mut navs) = self.navs.lock() {
                    navs.insert(section.to_string(), nav.clone());
                }
                nav
            }
        };
        match &*nav {
            Ok(item) => {
                let mut html = String::with_capacity(item.len_with(root));
                item.push_to(&mut html, root);
                Ok(html)
            }
            Err(message) => Err(Diagnostic::error(
                PathBuf::from(TEMPLATES_DIR).join("nav.html"),
                format!("cannot render the site header for {section:?}: {message}"),
            )),
        }
    }

    /// The link to value `v` of facet `fi` on entry pages, rendered with
    /// `value-link.html` the first time it is asked for.
    fn value_link(&self, fi: usize, v: usize) -> Result<&Item, Diagnostic> {
        let link = self.value_links[fi][v].get_or_init(|| {
            let views = self.views();
            let facet = &self.catalogue.config.facets[fi];
            self.fragment(
                "value-link.html",
                &[
                    (
                        "facet",
                        &FacetName {
                            name: &facet.name,
                            label: &facet.label,
                        },
                    ),
                    ("value", &views.value(fi, v)),
                ],
            )
        });
        link.as_ref().map_err(|message| {
            Diagnostic::error(
                PathBuf::from(TEMPLATES_DIR).join("value-link.html"),
                format!(
                    "cannot render the link to {}: {message}",
                    self.catalogue.config.facets[fi].values[v].id
                ),
            )
        })
    }

    /// An entry page's links to its values of facet `fi`, comma-separated.
    fn value_links_html(
        &self,
        fi: usize,
        values: &[usize],
        root: &str,
    ) -> Result<String, Diagnostic> {
        let links = values
            .iter()
            .map(|&v| self.value_link(fi, v))
            .collect::<Result<Vec<&Item>, _>>()?;
        Ok(splice(&links, ", ", root))
    }

    /// The list items of `entries`, in order, for a page whose root is `root`;
    /// a new chunk every `chunk` entries.
    fn items_html(
        &self,
        entries: &[usize],
        style: ItemStyle,
        root: &str,
        chunk: usize,
    ) -> Result<Vec<String>, Diagnostic> {
        let mut chunks = Vec::with_capacity(entries.len().div_ceil(chunk.max(1)).max(1));
        for part in entries.chunks(chunk.max(1)) {
            let items = part
                .iter()
                .map(|&e| self.item(e, style))
                .collect::<Result<Vec<&Item>, _>>()?;
            chunks.push(splice(&items, "\n", root));
        }
        Ok(chunks)
    }

    /// `entries` grouped by kind, in kind order (empty groups left out), with
    /// their list items rendered for a page whose root is `root`.
    fn groups(
        &self,
        entries: &[usize],
        style: ItemStyle,
        root: &str,
    ) -> Result<Vec<KindGroup<'a>>, Diagnostic> {
        let c = self.catalogue;
        let chunk = if style == ItemStyle::Home {
            HOME_CHUNK
        } else {
            usize::MAX
        };
        let mut groups = Vec::new();
        for (ki, kind) in c.config.kinds.iter().enumerate() {
            let of_kind: Vec<usize> = entries
                .iter()
                .copied()
                .filter(|&e| c.entries[e].kind == ki)
                .collect();
            if of_kind.is_empty() {
                continue;
            }
            groups.push(KindGroup {
                label: &kind.label,
                kind: &kind.id,
                count: of_kind.len(),
                chunks: self.items_html(&of_kind, style, root, chunk)?,
            });
        }
        Ok(groups)
    }

    /// The related list's items joined, for an entry page.
    fn related_html(&self, entries: &[usize], root: &str) -> Result<String, Diagnostic> {
        let mut chunks = self.items_html(entries, ItemStyle::Related, root, usize::MAX)?;
        Ok(chunks.pop().unwrap_or_default())
    }

    /// The catalogue being rendered.
    pub fn catalogue(&self) -> &'a Catalogue {
        self.catalogue
    }

    /// Builds views for templates and feeds.
    pub fn views(&self) -> Views<'a> {
        Views {
            catalogue: self.catalogue,
            index: self.index,
        }
    }

    /// The computed summary tables, in declaration order.
    pub fn tables(&self) -> &[Table] {
        &self.tables
    }

    /// Every file of the site, in a stable order.
    pub fn jobs(&self) -> Vec<Job> {
        let c = self.catalogue;
        let config = &c.config;
        let mut jobs = vec![Job::Home, Job::Summaries, Job::NotFound, Job::Json];
        jobs.push(Job::SearchIndex);
        jobs.extend((0..config.kinds.len()).map(Job::Kind));
        jobs.extend((0..c.entries.len()).map(Job::Entry));
        for (fi, facet) in config.facets.iter().enumerate() {
            jobs.push(Job::Facet(fi));
            jobs.extend((0..facet.values.len()).map(|v| Job::Value(fi, v)));
            if facet.combination_pages {
                for combination in self.index.ordered_combinations(fi) {
                    if combination.len() > 1 {
                        jobs.push(Job::Combination(fi, combination.clone()));
                    }
                }
            }
        }
        for (si, table) in self.tables.iter().enumerate() {
            jobs.push(Job::Summary(si));
            if let Table::Pivot(t) = table {
                for (ri, row) in t.cells.iter().enumerate() {
                    for (ci, cell) in row.iter().enumerate() {
                        if !cell.is_empty() {
                            jobs.push(Job::PivotCell(si, ri, ci));
                        }
                    }
                }
            }
        }
        jobs.extend((0..c.pages.len()).map(Job::Page));
        jobs.extend(
            crate::publish::files(c, self.theme)
                .into_iter()
                .map(Job::Publish),
        );
        jobs.extend(self.theme.statics.keys().cloned().map(Job::Static));
        jobs
    }

    fn page(
        &self,
        template: &str,
        url: &str,
        root: Option<&str>,
        data: &[(&str, &dyn ErasedSerialize)],
        lists: usize,
    ) -> Result<Vec<u8>, Diagnostic> {
        let root = root.map_or_else(|| root_for(url), str::to_string);
        let nav = self.nav(url, &root)?;
        // Straight into bytes with room for a typical page and the lists it
        // shows: no UTF-8 re-check of the result, and no doubling of a buffer
        // of megabytes (the home page of a big catalogue) on the way.
        let mut bytes = Vec::with_capacity(PAGE_CAPACITY + lists);
        let rendered = self.with_context(data, &["root", "page_url", "nav"], |context| {
            context.insert("root", &root);
            context.insert("page_url", url);
            context.insert("nav", &nav);
            self.theme.tera.render_to(template, context, &mut bytes)
        });
        rendered.map(|()| bytes).map_err(|e| {
            Diagnostic::error(
                PathBuf::from(TEMPLATES_DIR).join(template),
                format!(
                    "cannot render {}: {}",
                    if url.is_empty() { "the home page" } else { url },
                    tera_error_chain(&e)
                ),
            )
        })
    }

    /// Renders one job into `sink`; returns the number of HTML pages written.
    pub fn run(&self, job: &Job, sink: &dyn Sink) -> Result<usize, Diagnostic> {
        let c = self.catalogue;
        let config = &c.config;
        let views = self.views();
        let write = |path: &str, bytes: Vec<u8>| {
            sink.put(path, bytes)
                .map_err(|e| Diagnostic::error(path, format!("cannot write output file: {e}")))
        };
        // Bytes of ready-made lists (`KindGroup::chunks`) the next page shows,
        // so that its buffer is reserved at the right size.
        let lists = std::cell::Cell::new(0);
        let groups = |entries: &[usize], style: ItemStyle, root: &str| {
            let groups = self.groups(entries, style, root)?;
            lists.set(lists.get() + list_bytes(&groups));
            Ok::<_, Diagnostic>(groups)
        };
        let html = |template: &str,
                    url: &str,
                    data: &[(&str, &dyn ErasedSerialize)]|
         -> Result<usize, Diagnostic> {
            let bytes = self.page(template, url, None, data, lists.take())?;
            write(&file_for(url), bytes)?;
            Ok(1)
        };
        match job {
            Job::Home => {
                let all: Vec<usize> = (0..c.entries.len()).collect();
                let groups = groups(&all, ItemStyle::Home, &root_for(""))?;
                html("index.html", "", &[("groups", &groups)])
            }
            Job::Kind(k) => {
                let kind = &config.kinds[*k];
                let url = format!("{}/", kind.dir);
                let groups = groups(&self.index.by_kind[*k], ItemStyle::List, &root_for(&url))?;
                let kind_view = &views.site().kinds.into_iter().nth(*k);
                html(
                    "kind.html",
                    &url,
                    &[("kind", kind_view), ("groups", &groups)],
                )
            }
            Job::Entry(e) => {
                let mut entry = views.entry(*e);
                let url = entry.url.clone();
                let root = root_for(&url);
                for facet in &mut entry.facets {
                    facet.links = self.value_links_html(facet.index, &facet.value_ids, &root)?;
                }
                entry.related = self.related_html(&entry.related_ids, &root)?;
                entry.similar = self.related_html(&entry.similar_ids, &root)?;
                let cite = crate::cite::view(c, &c.entries[*e]);
                html("entry.html", &url, &[("entry", &entry), ("cite", &cite)])
            }
            Job::Facet(fi) => {
                let facet = views.facet(*fi);
                let f = &config.facets[*fi];
                let combinations: Vec<CombinationLink> = if f.combination_pages {
                    self.index
                        .ordered_combinations(*fi)
                        .into_iter()
                        .map(|combination| CombinationLink {
                            title: f.combination_label(combination),
                            url: view::combination_url(f, combination),
                            size: combination.len(),
                            count: self.index.combinations[*fi][combination].len(),
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                let url = facet.url.clone();
                html(
                    "facet.html",
                    &url,
                    &[("facet", &facet), ("combinations", &combinations)],
                )
            }
            Job::Value(fi, v) => {
                let f = &config.facets[*fi];
                let value = views.value(*fi, *v);
                let url = value.url.clone();
                let root = root_for(&url);
                let parent = f.values[*v].parent.map(|p| views.value(*fi, p));
                let children: Vec<_> = f
                    .values
                    .iter()
                    .enumerate()
                    .filter(|(_, child)| child.parent == Some(*v))
                    .map(|(ci, _)| views.value(*fi, ci))
                    .collect();
                let exact = &self.index.exact[*fi][*v];
                let only: Vec<usize> = if f.combination_pages {
                    self.index.combinations[*fi]
                        .get(&vec![*v])
                        .cloned()
                        .unwrap_or_default()
                } else {
                    Vec::new()
                };
                let only_groups = groups(&only, ItemStyle::List, &root)?;
                let groups = groups(&self.index.rolled_up[*fi][*v], ItemStyle::List, &root)?;
                html(
                    "value.html",
                    &url,
                    &[
                        ("facet", &views.facet(*fi)),
                        ("value", &value),
                        ("parent", &parent),
                        ("children", &children),
                        ("exact_count", &exact.len()),
                        ("groups", &groups),
                        ("combination_pages", &f.combination_pages),
                        ("only", &only_groups),
                        ("only_count", &only.len()),
                    ],
                )
            }
            Job::Combination(fi, combination) => {
                let f = &config.facets[*fi];
                let url = view::combination_url(f, combination);
                let entries = &self.index.combinations[*fi][combination];
                let groups = groups(entries, ItemStyle::List, &root_for(&url))?;
                let values: Vec<LinkView> = combination
                    .iter()
                    .map(|&v| LinkView {
                        title: f.values[v].label.clone(),
                        url: view::value_url(f, v),
                    })
                    .collect();
                html(
                    "combination.html",
                    &url,
                    &[
                        ("facet", &views.facet(*fi)),
                        ("title", &f.combination_label(combination)),
                        ("values", &values),
                        ("count", &entries.len()),
                        ("groups", &groups),
                    ],
                )
            }
            Job::Summaries => {
                let list: Vec<SummaryLink> = config
                    .summaries
                    .iter()
                    .map(|s| SummaryLink {
                        title: s.title.clone(),
                        description: s.description.clone(),
                        url: format!("summary/{}/", s.id),
                        csv: format!("summary/{}.csv", s.id),
                    })
                    .collect();
                html("summaries.html", "summary/", &[("summaries", &list)])
            }
            Job::Summary(si) => {
                let spec = &config.summaries[*si];
                let table = &self.tables[*si];
                write(
                    &format!("summary/{}.csv", spec.id),
                    summary::to_csv(c, spec, table),
                )?;
                let url = format!("summary/{}/", spec.id);
                let info = SummaryInfo {
                    id: &spec.id,
                    title: &spec.title,
                    description: &spec.description,
                    mode: match spec.shape {
                        crate::model::SummaryShape::Combinations { .. } => "combinations",
                        crate::model::SummaryShape::Counts { .. } => "counts",
                        crate::model::SummaryShape::Presence { .. } => "presence",
                        crate::model::SummaryShape::Pivot { .. } => "pivot",
                    },
                    csv: format!("summary/{}.csv", spec.id),
                    kinds: spec
                        .kinds
                        .iter()
                        .map(|&k| config.kinds[k].label.as_str())
                        .collect(),
                };
                html(
                    "summary.html",
                    &url,
                    &[("summary", &info), ("table", &views.table(*si, table))],
                )
            }
            Job::PivotCell(si, ri, ci) => {
                let Table::Pivot(t) = &self.tables[*si] else {
                    return Ok(0);
                };
                let spec = &config.summaries[*si];
                let rf = &config.facets[t.row_facet];
                let cf = &config.facets[t.column_facet];
                let row = t.rows[*ri];
                let column = &t.columns[*ci];
                let url = view::pivot_cell_url(&spec.id, rf, row, cf, column);
                let title = format!(
                    "{} and {}",
                    rf.values[row].label,
                    cf.combination_label(column)
                );
                let back = LinkView {
                    title: spec.title.clone(),
                    url: format!("summary/{}/", spec.id),
                };
                let entries = &t.cells[*ri][*ci];
                let groups = groups(entries, ItemStyle::List, &root_for(&url))?;
                html(
                    "list.html",
                    &url,
                    &[
                        ("title", &title),
                        ("back", &back),
                        ("count", &entries.len()),
                        ("groups", &groups),
                    ],
                )
            }
            Job::Page(p) => {
                let page = &c.pages[*p];
                let url = format!("{}/", page.slug);
                let data = PageView {
                    title: &page.title,
                    body: &page.body_html,
                    extra: &page.fields,
                };
                html("page.html", &url, &[("page", &data)])
            }
            Job::NotFound => {
                let bytes = self.page("404.html", "404.html", Some(&config.base_path), &[], 0)?;
                write("404.html", bytes)?;
                Ok(1)
            }
            Job::Json => {
                write("catalogue.json", catalogue_json(c))?;
                Ok(0)
            }
            Job::Publish(file) => {
                write(file.path(), crate::publish::render(self, *file))?;
                Ok(0)
            }
            Job::SearchIndex => {
                let path = crate::search::SEARCH_INDEX;
                sink.put_parts(path, &mut crate::search::index_parts(c))
                    .map_err(|e| {
                        Diagnostic::error(path, format!("cannot write output file: {e}"))
                    })?;
                Ok(0)
            }
            Job::Static(name) => {
                match &self.theme.statics[name] {
                    StaticSource::Builtin(bytes) => write(name, bytes.to_vec())?,
                    StaticSource::File(path) => sink.copy(name, path).map_err(|e| {
                        Diagnostic::error(
                            Path::new(STATIC_DIR).join(name),
                            format!("cannot copy: {e}"),
                        )
                    })?,
                }
                Ok(0)
            }
        }
    }
}

/// Object-safe insertion into a Tera context, so one page can take values of
/// different types without converting them twice.
pub trait ErasedSerialize {
    /// Inserts `self` under `key`.
    fn insert_into(&self, context: &mut Context, key: &str);
}

impl<T: Serialize> ErasedSerialize for T {
    fn insert_into(&self, context: &mut Context, key: &str) {
        context.insert(key, self);
    }
}

#[derive(Serialize)]
struct CombinationLink {
    title: String,
    url: String,
    size: usize,
    count: usize,
}

#[derive(Serialize)]
struct SummaryLink {
    title: String,
    description: String,
    url: String,
    csv: String,
}

#[derive(Serialize)]
struct SummaryInfo<'a> {
    id: &'a str,
    title: &'a str,
    description: &'a str,
    mode: &'static str,
    csv: String,
    kinds: Vec<&'a str>,
}

#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    body: &'a str,
    extra: &'a serde_json::Map<String, serde_json::Value>,
}

/// `catalogue.json`: settings and every entry with its facets and fields.
pub fn catalogue_json(c: &Catalogue) -> Vec<u8> {
    use serde_json::{json, Map, Value};
    let config = &c.config;
    let facets: Map<String, Value> = config
        .facets
        .iter()
        .map(|f| {
            let values: Vec<Value> = f
                .values
                .iter()
                .map(|v| {
                    json!({
                        "id": v.id,
                        "label": v.label,
                        "parent": v.parent.map(|p| f.values[p].id.clone()),
                    })
                })
                .collect();
            (
                f.name.clone(),
                json!({ "label": f.label, "values": values }),
            )
        })
        .collect();
    let kinds: Vec<Value> = config
        .kinds
        .iter()
        .map(|k| json!({ "id": k.id, "label": k.label, "dir": k.dir }))
        .collect();
    let doc = CatalogueJson {
        title: &config.title,
        base_url: &config.base_url,
        kinds,
        facets,
        entries: EntriesJson(c),
    };
    let mut bytes = Vec::with_capacity(c.entries.len() * 1024);
    serde_json::to_writer_pretty(&mut bytes, &doc).expect("JSON values always serialise");
    bytes.push(b'\n');
    bytes
}

/// The document of `catalogue.json`, its keys in this order.
#[derive(Serialize)]
struct CatalogueJson<'a> {
    title: &'a str,
    base_url: &'a str,
    kinds: Vec<serde_json::Value>,
    facets: serde_json::Map<String, serde_json::Value>,
    entries: EntriesJson<'a>,
}

/// The entries of `catalogue.json`, each built just before it is written, so
/// the whole catalogue never sits in memory as JSON values at once.
struct EntriesJson<'a>(&'a Catalogue);

impl Serialize for EntriesJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let c = self.0;
        let mut seq = serializer.serialize_seq(Some(c.entries.len()))?;
        for e in &c.entries {
            seq.serialize_element(&entry_json(c, e))?;
        }
        seq.end()
    }
}

/// One entry of `catalogue.json`.
fn entry_json(c: &Catalogue, e: &crate::model::Entry) -> serde_json::Value {
    use serde_json::{json, Map, Value};
    let config = &c.config;
    let mut obj = Map::new();
    obj.insert("id".into(), json!(e.id));
    obj.insert("kind".into(), json!(config.kinds[e.kind].id));
    obj.insert("title".into(), json!(e.title));
    obj.insert(
        "url".into(),
        json!(format!("{}{}", config.base_url, c.entry_url(e))),
    );
    for (fi, facet) in config.facets.iter().enumerate() {
        let ids: Vec<&str> = e.facets[fi]
            .iter()
            .map(|&v| facet.values[v].id.as_str())
            .collect();
        obj.insert(facet.name.clone(), json!(ids));
    }
    let related: Vec<&str> = e
        .related
        .iter()
        .map(|&r| c.entries[r].id.as_str())
        .collect();
    obj.insert("related".into(), json!(related));
    obj.insert("fields".into(), Value::Object(e.fields.clone()));
    Value::Object(obj)
}

/// Renders every file of the site into `sink`, in parallel. Reports every failure.
pub fn render_site(renderer: &Renderer, sink: &dyn Sink) -> Result<RenderStats, Vec<Diagnostic>> {
    render_jobs(renderer, &renderer.jobs(), sink)
}

/// Renders the chosen `jobs` into `sink`, in parallel (the live preview renders
/// only what a change touched), timing each kind of job for `CASEBOOK_TIMINGS`.
/// Reports every failure.
pub fn render_jobs(
    renderer: &Renderer,
    jobs: &[Job],
    sink: &dyn Sink,
) -> Result<RenderStats, Vec<Diagnostic>> {
    let sink = TimedSink {
        inner: sink,
        nanos: AtomicU64::new(0),
    };
    let results: Vec<(Result<usize, Diagnostic>, Duration)> = jobs
        .par_iter()
        .map(|job| {
            let started = Instant::now();
            (renderer.run(job, &sink), started.elapsed())
        })
        .collect();
    let mut stats = RenderStats::default();
    let mut times: BTreeMap<&'static str, Duration> = BTreeMap::new();
    for (job, (_, time)) in jobs.iter().zip(&results) {
        *times.entry(job.label()).or_default() += *time;
    }
    stats.thread_time = times.into_iter().collect();
    let writing = Duration::from_nanos(sink.nanos.load(Ordering::Relaxed));
    stats.thread_time.push(("writing files", writing));
    let mut errors = Vec::new();
    for (result, _) in results {
        match result {
            Ok(pages) => {
                stats.pages += pages;
                stats.files += 1;
            }
            Err(e) => errors.push(e),
        }
    }
    // Several pages failing on the same template give the same cause; report each once.
    errors.sort_by(|a, b| a.message.cmp(&b.message));
    errors.dedup_by(|a, b| a.path == b.path && strip_url(&a.message) == strip_url(&b.message));
    if errors.is_empty() {
        Ok(stats)
    } else {
        Err(errors)
    }
}

fn strip_url(message: &str) -> &str {
    message.split_once(": ").map_or(message, |(_, rest)| rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_take_each_pages_root() {
        let rendered =
            format!("<a href=\"{ROOT_MARK}a/\">x</a> <a href=\"{ROOT_MARK}\">{ROOT_MARK}</a>");
        let item = Item::new(&rendered);
        for root in ["../../", "./", "/catalogue/", ""] {
            let mut out = String::new();
            item.push_to(&mut out, root);
            assert_eq!(out, rendered.replace(ROOT_MARK, root));
            assert_eq!(out.len(), item.len_with(root));
        }
        let plain = Item::new("<li>no root</li>");
        let mut out = String::new();
        plain.push_to(&mut out, "../");
        assert_eq!(out, "<li>no root</li>");
    }

    #[test]
    fn escaping_matches_tera_but_keeps_slashes() {
        for text in [
            "",
            "plain",
            "../../practices/p12/",
            "Health & education <b>\"quoted\"</b> it's a/b",
            "ünïcödé & 日本語/テキスト'\"<>",
            "&&//''",
            "ends with &",
        ] {
            let tera = tera::escape_html(text).replace("&#x2F;", "/");
            assert_eq!(escape_html(text), tera, "{text:?}");
        }
    }
}

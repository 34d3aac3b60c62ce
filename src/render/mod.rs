//! Turning routes into bytes: templates for pages, writers for the other files.
//!
//! A [`Renderer`] holds what every route needs (the model, its summary
//! tables, the compiled [`Theme`] and the fragments shared by many pages);
//! [`Renderer::run`] renders one [`Route`] into a [`Sink`], and [`render`]
//! renders a list of routes in parallel, reporting every failure. Pages are
//! rendered in `pages.rs` (one function per page type), other files by
//! [`crate::export`]. Output is deterministic: nothing depends on time,
//! thread scheduling or hash order.
//!
//! The parts: [`theme`] (templates and static files), [`escape`],
//! [`browse`] (the home page's filter data),
//! [`fragments`] (list items, value links and the site header rendered once
//! and spliced into every page that shows them), [`context`] (reused Tera
//! contexts), [`sink`] (where files go).

pub mod browse;
pub mod context;
pub mod escape;
pub mod fragments;
mod guard;
mod pages;
pub mod sink;
mod template_errors;
pub mod theme;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tera::Context;

use crate::diagnostic::Diagnostic;
use crate::index::Index;
use crate::model::Catalogue;
use crate::routes::{self, Route};
use crate::summary::Table;
use crate::view::Views;

pub use context::ErasedSerialize;
pub use escape::escape_html;
pub use fragments::ItemStyle;
use fragments::{list_bytes, Item};
use sink::TimedSink;
pub use sink::{Discard, Sink};
pub use theme::{
    StaticSource, Theme, BUILTIN_STATIC, BUILTIN_TEMPLATES, STATIC_DIR, TEMPLATES_DIR,
};

/// What a render produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderStats {
    /// HTML pages written.
    pub pages: usize,
    /// Files written in all (pages included).
    pub files: usize,
    /// Time spent per kind of file, summed over threads (writing included),
    /// then the time spent handing bytes to the sink.
    pub thread_time: Vec<(&'static str, Duration)>,
}

impl RenderStats {
    /// Adds the counts and times of `other`.
    pub fn add(&mut self, other: RenderStats) {
        self.pages += other.pages;
        self.files += other.files;
        for (name, time) in other.thread_time {
            match self.thread_time.iter_mut().find(|(n, _)| *n == name) {
                Some((_, total)) => *total += time,
                None => self.thread_time.push((name, time)),
            }
        }
    }
}

/// Bytes reserved for a page before rendering it (an entry page is about 11 KB).
const PAGE_CAPACITY: usize = 16 * 1024;

/// Everything needed to render routes; shared by all threads.
pub struct Renderer<'a> {
    root: &'a Path,
    catalogue: &'a Catalogue,
    index: &'a Index,
    theme: &'a Theme,
    tables: &'a [Table],
    routes: &'a [Route],
    site: Context,
    /// Contexts holding only `site`, reused from page to page (see [`context`]).
    spare_contexts: Mutex<Vec<Context>>,
    /// Each entry's list item per [`ItemStyle`], rendered on first use.
    items: [Vec<OnceLock<Result<Item, Diagnostic>>>; 3],
    /// Each facet value's link on entry pages, rendered on first use.
    value_links: Vec<Vec<OnceLock<Result<Item, Diagnostic>>>>,
    /// The site header and browse bar (`nav.html`) per section of the site.
    navs: Mutex<BTreeMap<String, Arc<Result<Item, Diagnostic>>>>,
    /// The chunked search index, made by the first of its routes rendered.
    search: OnceLock<crate::search::ChunkedIndex>,
}

/// The site's own additions to the theme's styles, loaded after them on every
/// page when the site has the file (`static/custom.css`).
pub const CUSTOM_CSS: &str = "custom.css";

impl<'a> Renderer<'a> {
    /// Prepares shared data (the `site` object) for rendering from a model
    /// loaded from the site at `root`, its index, its summary tables and its
    /// routes (all of them: the sitemap lists them, whichever routes are
    /// rendered).
    pub fn new(
        root: &'a Path,
        catalogue: &'a Catalogue,
        index: &'a Index,
        theme: &'a Theme,
        tables: &'a [Table],
        routes: &'a [Route],
    ) -> Renderer<'a> {
        let views = Views { catalogue, index };
        let mut site = Context::new();
        let mut site_view = views.site();
        site_view.custom_css = theme.statics.contains_key(CUSTOM_CSS);
        site.insert("site", &site_view);
        Renderer {
            root,
            catalogue,
            index,
            theme,
            tables,
            routes,
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
            search: OnceLock::new(),
        }
    }

    /// The catalogue being rendered.
    pub fn catalogue(&self) -> &'a Catalogue {
        self.catalogue
    }

    /// Its index.
    pub fn index(&self) -> &'a Index {
        self.index
    }

    /// Builds views for templates and feeds.
    pub fn views(&self) -> Views<'a> {
        Views {
            catalogue: self.catalogue,
            index: self.index,
        }
    }

    /// The summary tables, in declaration order.
    pub fn tables(&self) -> &'a [Table] {
        self.tables
    }

    /// Every route of the site.
    pub fn routes(&self) -> &'a [Route] {
        self.routes
    }

    /// The chunked search index, made on first use.
    fn search_index(&self) -> &crate::search::ChunkedIndex {
        self.search
            .get_or_init(|| crate::search::ChunkedIndex::new(self.catalogue))
    }

    /// Makes the search index (unless made already), putting the fragments
    /// of `docs` into `sink` on the way. Reports the first fragment that
    /// could not be written.
    fn search_index_with_fragments(
        &self,
        docs: &BTreeSet<usize>,
        sink: &dyn Sink,
    ) -> Result<(), Diagnostic> {
        let c = self.catalogue;
        let failed: Mutex<Option<Diagnostic>> = Mutex::new(None);
        let put = |doc: usize, bytes: Vec<u8>| {
            if !docs.contains(&doc) {
                return;
            }
            let path = Route::SearchFragment(doc).file(c);
            if let Err(e) = sink.put(&path, bytes) {
                let mut failed = failed.lock().unwrap_or_else(|e| e.into_inner());
                failed.get_or_insert_with(|| cannot_write(&path, e));
            }
        };
        self.search
            .get_or_init(|| crate::search::ChunkedIndex::with_fragments(c, Some(&put)));
        match failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// The search index, if rendering made it.
    pub fn into_search_index(self) -> Option<crate::search::ChunkedIndex> {
        self.search.into_inner()
    }

    /// Renders `template` for the page at `url` into bytes.
    fn page(
        &self,
        template: &str,
        url: &str,
        root: Option<&str>,
        data: &[(&str, &dyn ErasedSerialize)],
        lists: usize,
    ) -> Result<Vec<u8>, Diagnostic> {
        let root = root.map_or_else(|| routes::root_for(url), str::to_string);
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
            let page = if url.is_empty() {
                "the home page".to_string()
            } else {
                format!("/{url}")
            };
            template_errors::render_error(&self.theme.sources, template, &page, &e)
        })
    }

    /// Renders `template`, a file that is not a page (no `root`, no site
    /// header), with `data` and `site`.
    fn document(
        &self,
        template: &str,
        data: &[(&str, &dyn ErasedSerialize)],
    ) -> Result<Vec<u8>, Diagnostic> {
        let mut bytes = Vec::with_capacity(PAGE_CAPACITY);
        let rendered = self.with_context(data, &[], |context| {
            self.theme.tera.render_to(template, context, &mut bytes)
        });
        rendered
            .map(|()| bytes)
            .map_err(|e| template_errors::render_error(&self.theme.sources, template, template, &e))
    }

    /// Renders one route into `sink`.
    pub fn run(&self, route: &Route, sink: &dyn Sink) -> Result<(), Diagnostic> {
        let c = self.catalogue;
        let path = route.file(c);
        let bytes = match route {
            Route::Home(page) => self.home(*page)?,
            Route::BrowseData => browse::data_js(c),
            Route::SearchEntry => self.search_index().entry_file(),
            Route::SearchChunk(k) => self.search_index().chunk(*k),
            Route::SearchFragment(d) => crate::search::fragment(c, *d),
            Route::BrowseItems(n) => browse::items_js(c, *n),
            Route::Kind(k, page) => self.kind(*k, *page)?,
            Route::Entry(e) => self.entry(*e)?,
            Route::Facet(fi) => self.facet(*fi)?,
            Route::Value(fi, v, page) => self.value(*fi, *v, *page)?,
            Route::Combination(fi, values, page) => self.combination(*fi, values, *page)?,
            Route::Summaries => self.summaries()?,
            Route::Summary(si) => self.summary(*si)?,
            Route::PivotCell(si, row, column, page) => self.pivot_cell(*si, *row, column, *page)?,
            Route::Page(p) => self.free_page(*p)?,
            Route::NotFound => self.not_found()?,
            Route::SummaryCsv(si) => {
                let spec = &c.config.summaries[*si];
                crate::summary::to_csv(c, spec, &self.tables[*si])
            }
            Route::EntriesCsv(k) => {
                return crate::export::entries_csv::write(c, self.root, *k, &path, sink);
            }
            Route::CatalogueJson => crate::export::catalogue_json(c),
            Route::Sitemap => self.sitemap()?,
            Route::Robots => crate::export::robots(c),
            Route::Feed => self.feed()?,
            Route::Bibtex => crate::cite::bibtex_file(c),
            Route::CslJson => crate::cite::csl_file(c),
            Route::Static(name) => {
                return match &self.theme.statics[name] {
                    StaticSource::Builtin(bytes) => sink
                        .put(name, bytes.to_vec())
                        .map_err(|e| cannot_write(name, e)),
                    StaticSource::File(from) => sink.copy(name, from).map_err(|e| {
                        Diagnostic::error(
                            Path::new(STATIC_DIR).join(name),
                            format!("cannot copy: {e}"),
                        )
                    }),
                };
            }
        };
        sink.put(&path, bytes).map_err(|e| cannot_write(&path, e))
    }
}

fn cannot_write(path: &str, e: std::io::Error) -> Diagnostic {
    Diagnostic::error(path, format!("cannot write output file: {e}"))
}

/// Renders `routes` into `sink`, in parallel, timing each kind of route for
/// `CASEBOOK_TIMINGS`. Reports every failure, each template problem once.
pub fn render(
    renderer: &Renderer,
    routes: &[Route],
    sink: &dyn Sink,
) -> Result<RenderStats, Vec<Diagnostic>> {
    let sink = TimedSink {
        inner: sink,
        nanos: AtomicU64::new(0),
    };
    // The search index is made here, before the routes are rendered in
    // parallel: made inside one of them, its own parallel work could pick up
    // another search route on the same thread, which would wait on itself.
    // Made with it, from the texts it reads, are the fragments asked for.
    let mut fragments = BTreeSet::new();
    let mut fragments_failed = None;
    let mut index_time = Duration::ZERO;
    if routes
        .iter()
        .any(|r| matches!(r, Route::SearchEntry | Route::SearchChunk(_)))
    {
        fragments = routes
            .iter()
            .filter_map(|r| match r {
                Route::SearchFragment(d) => Some(*d),
                _ => None,
            })
            .collect();
        let started = Instant::now();
        fragments_failed = renderer
            .search_index_with_fragments(&fragments, &sink)
            .err();
        index_time = started.elapsed();
    }
    let made = |route: &Route| matches!(route, Route::SearchFragment(d) if fragments.contains(d));
    let results: Vec<(Result<(), Diagnostic>, Duration)> = routes
        .par_iter()
        .map(|route| {
            if made(route) {
                return (Ok(()), Duration::ZERO);
            }
            let started = Instant::now();
            (renderer.run(route, &sink), started.elapsed())
        })
        .collect();
    let mut stats = RenderStats::default();
    let mut times: BTreeMap<&'static str, Duration> = BTreeMap::new();
    for (route, (_, time)) in routes.iter().zip(&results) {
        *times.entry(route.label()).or_default() += *time;
    }
    stats.thread_time = times.into_iter().collect();
    stats
        .thread_time
        .push(("search index and its fragments (wall)", index_time));
    let writing = Duration::from_nanos(sink.nanos.load(Ordering::Relaxed));
    stats.thread_time.push(("writing files", writing));
    let mut errors: Vec<Diagnostic> = fragments_failed.into_iter().collect();
    for (route, (result, _)) in routes.iter().zip(results) {
        match result {
            Ok(()) => {
                stats.files += 1;
                stats.pages += usize::from(route.is_page());
            }
            Err(e) => errors.push(e),
        }
    }
    // Several pages failing on the same template problem: report it once.
    let errors = template_errors::merge(errors);
    if errors.is_empty() {
        Ok(stats)
    } else {
        Err(errors)
    }
}

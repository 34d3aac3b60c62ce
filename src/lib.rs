//! casebook: a static-site generator for good-practice case-study catalogues.
//!
//! A site is a `catalogue.yaml` (settings and controlled vocabularies) and a
//! `content/` folder of Markdown files with YAML front matter. A build runs
//! these stages in order, each a module (or a folder of small ones):
//!
//! | stage | module | what it makes |
//! |---|---|---|
//! | settings | [`config`] | `catalogue.yaml` read (`raw.rs`) and validated into [`model::Config`] |
//! | content | [`load`] | files found, front matter checked, links resolved, Markdown rendered: a [`model::Catalogue`] |
//! | model | [`model`] | plain owned types, no I/O |
//! | index | [`index`] | entries by facet value, by rolled-up value, by exact combination |
//! | similarity | [`similar`] | "more like this", and its upkeep during a preview |
//! | summaries | [`summary`] | the cross-tabulations, one file per mode, and their CSV |
//! | routes | [`routes`] | every output file: its URL, its path, whether a change touches it |
//! | views | [`view`] | what templates see: small structs borrowed from the model |
//! | render | [`render`] | templates, fragments, pages; routes rendered in parallel into a sink |
//! | export | [`export`], [`search`] | `catalogue.json`, sitemap, feed, citations, search index |
//! | output | [`output`] | the staging folder swapped in whole, or nothing written |
//!
//! [`Site::load`] runs config → load → index → summaries → routes, and
//! [`Site::render`] renders every route; [`build`], [`check`] and the live
//! preview's full rebuild ([`serve`]) are those two calls into different sinks.
//! Data flows one way, with one exception said where it happens: a build that
//! writes to disk lets go of the entries' search words once the search index
//! is written ([`Site::render`]). Around the stages: [`diagnostic`] (errors
//! with file, line and suggestion), [`yaml`] (all YAML handling), [`paths`],
//! [`markdown`], [`lint`] (`check`'s advice), [`scaffold`] (`init`, `new`),
//! [`map`] (the map of Europe) and [`serve`] (builder, partial rebuild,
//! watcher, HTTP).
#![deny(missing_docs)]

pub mod config;
pub mod diagnostic;
pub mod export;
pub mod import;
pub mod index;
pub mod lint;
pub mod load;
pub mod map;
pub mod markdown;
pub mod model;
pub mod output;
pub mod paths;
pub mod render;
pub mod routes;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod similar;
pub mod summary;
pub mod theme_export;
pub mod view;
pub mod yaml;
pub mod yaml_help;

pub use export::cite;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use diagnostic::Diagnostic;
use index::Index;
use load::LoadOptions;
use model::Catalogue;
use render::{RenderStats, Renderer, Sink, Theme};
use routes::Route;
use summary::Table;

/// The outcome of a successful build or check.
#[derive(Debug, Clone)]
pub struct Report {
    /// Entries per kind, in kind order: (label, count); the label is singular for one.
    pub kinds: Vec<(String, usize)>,
    /// Free pages.
    pub free_pages: usize,
    /// HTML pages written (0 for a check).
    pub pages: usize,
    /// Files written (0 for a check).
    pub files: usize,
    /// Warnings found on the way.
    pub warnings: Vec<Diagnostic>,
    /// Wall time.
    pub elapsed: Duration,
}

impl Report {
    /// Number of entries.
    pub fn entries(&self) -> usize {
        self.kinds.iter().map(|(_, n)| n).sum()
    }

    /// "78 entries (34 articles, 44 practices)".
    pub fn entries_line(&self) -> String {
        let parts: Vec<String> = self
            .kinds
            .iter()
            .map(|(label, n)| format!("{n} {}", label.to_lowercase()))
            .collect();
        let total = self.entries();
        let noun = if total == 1 { "entry" } else { "entries" };
        format!("{total} {noun} ({})", parts.join(", "))
    }
}

/// A loaded, indexed and themed site, ready to render.
pub struct Site {
    /// The validated content.
    pub catalogue: Catalogue,
    /// Its index.
    pub index: Index,
    /// Compiled templates and static files.
    pub theme: Theme,
    /// The summary tables, in declaration order.
    pub tables: Vec<Table>,
    /// Every file of the site, in the route table's order.
    pub routes: Vec<Route>,
    /// Warnings from loading.
    pub warnings: Vec<Diagnostic>,
    /// The site's root folder, where `entries.csv` reads the entries' bodies.
    pub root: PathBuf,
}

impl Site {
    /// Loads, validates and indexes the site under `root`; every problem is reported.
    pub fn load(root: &Path, options: &LoadOptions) -> Result<Site, Vec<Diagnostic>> {
        Site::load_timed(root, options, &mut Timings::off())
    }

    /// [`Site::load`], noting how long each step took.
    pub fn load_timed(
        root: &Path,
        options: &LoadOptions,
        timings: &mut Timings,
    ) -> Result<Site, Vec<Diagnostic>> {
        let loaded = load::load(root, options);
        timings.mark("load (read, front matter, Markdown)");
        let theme = Theme::load(root);
        timings.mark("templates");
        match (loaded, theme) {
            (Ok((catalogue, mut warnings)), Ok(theme)) => {
                warnings.extend(theme.warnings.iter().cloned());
                let index = Index::build(&catalogue);
                timings.mark("index");
                let tables = summary::compute_all(&catalogue, &index);
                let routes = routes::all(&catalogue, &index, &tables, theme.statics.keys());
                let mut too_long = routes::overlong(&catalogue, &index, &routes);
                if !too_long.is_empty() {
                    diagnostic::sort(&mut too_long);
                    return Err(too_long);
                }
                warnings.extend(routes::shadowed_statics(
                    &catalogue,
                    &routes,
                    theme.statics.keys(),
                ));
                diagnostic::sort(&mut warnings);
                timings.mark("summaries and routes");
                Ok(Site {
                    catalogue,
                    index,
                    theme,
                    tables,
                    routes,
                    warnings,
                    root: root.to_path_buf(),
                })
            }
            (loaded, theme) => {
                let mut errors = loaded.err().unwrap_or_default();
                errors.extend(theme.err().unwrap_or_default());
                diagnostic::sort(&mut errors);
                Err(errors)
            }
        }
    }

    /// A renderer for this site's routes.
    pub fn renderer(&self) -> Renderer<'_> {
        Renderer::new(
            &self.root,
            &self.catalogue,
            &self.index,
            &self.theme,
            &self.tables,
            &self.routes,
        )
    }

    /// Renders every route into `sink`: the one way a whole site is rendered,
    /// by `build`, `check` and the live preview's full rebuild.
    ///
    /// The search index (`search/`, fragments included) is made and written first, by a renderer
    /// of its own, and let go before the pages are rendered, so a large
    /// catalogue does not hold it through the busiest part; unless
    /// `keep_index` (the preview, which updates it after an edit), when it is
    /// handed back.
    pub fn render(
        &self,
        sink: &dyn Sink,
        keep_index: bool,
        timings: &mut Timings,
    ) -> Result<(RenderStats, Option<search::ChunkedIndex>), Vec<Diagnostic>> {
        let (first, rest): (Vec<Route>, Vec<Route>) =
            self.routes.iter().cloned().partition(|route| {
                matches!(
                    route,
                    Route::SearchEntry | Route::SearchChunk(_) | Route::SearchFragment(_)
                )
            });
        let renderer = self.renderer();
        let searched = render::render(&renderer, &first, sink);
        let index = renderer.into_search_index().filter(|_| keep_index);
        timings.mark("search index");
        let result = render::render(&self.renderer(), &rest, sink);
        timings.mark("render and write (parallel)");
        match (searched, result) {
            (Ok(searched), Ok(mut stats)) => {
                stats.add(searched);
                timings.detail(&stats.thread_time);
                Ok((stats, index))
            }
            (searched, result) => {
                let mut errors = searched.err().unwrap_or_default();
                errors.extend(result.err().unwrap_or_default());
                Err(errors)
            }
        }
    }

    fn report(&self, started: Instant, stats: RenderStats) -> Report {
        Report {
            kinds: self
                .catalogue
                .config
                .kinds
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    let n = self.index.by_kind[i].len();
                    (
                        if n == 1 {
                            k.singular.clone()
                        } else {
                            k.label.clone()
                        },
                        n,
                    )
                })
                .collect(),
            free_pages: self.catalogue.pages.len(),
            pages: stats.pages,
            files: stats.files,
            warnings: self.warnings.clone(),
            elapsed: started.elapsed(),
        }
    }
}

/// Options for [`build`].
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Output folder; `public/` under the root when not given.
    pub output: Option<PathBuf>,
    /// Overrides `base_url`.
    pub base_url: Option<String>,
}

/// Step-by-step timings of a build, printed to stderr when the environment
/// variable `CASEBOOK_TIMINGS` is set (to anything but `0` or empty).
#[derive(Debug)]
pub struct Timings {
    enabled: bool,
    started: Instant,
    last: Instant,
    steps: Vec<(String, Duration, Option<u64>)>,
}

/// Resident memory in MB, where the system tells (Linux).
fn resident_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

impl Timings {
    /// Timings that record nothing.
    pub fn off() -> Timings {
        let now = Instant::now();
        Timings {
            enabled: false,
            started: now,
            last: now,
            steps: Vec::new(),
        }
    }

    /// Timings that record when `CASEBOOK_TIMINGS` asks for them.
    pub fn from_env() -> Timings {
        let enabled =
            std::env::var_os("CASEBOOK_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0");
        Timings {
            enabled,
            ..Timings::off()
        }
    }

    /// Whether anything is recorded.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Ends the current step, naming it.
    pub fn mark(&mut self, step: &str) {
        if self.enabled {
            let now = Instant::now();
            self.steps
                .push((step.to_string(), now - self.last, resident_mb()));
            self.last = now;
        }
    }

    /// Adds a breakdown of the step just ended (time summed over threads).
    pub fn detail(&mut self, parts: &[(&'static str, Duration)]) {
        if self.enabled {
            for (name, time) in parts {
                let step = format!("  {name} (thread time)");
                self.steps.push((step, *time, None));
            }
        }
    }

    /// Prints the steps to stderr, if enabled.
    pub fn print(&self) {
        if !self.enabled {
            return;
        }
        let mut out = String::from("timings:\n");
        for (step, time, memory) in &self.steps {
            let ms = time.as_secs_f64() * 1000.0;
            let memory = memory.map_or(String::new(), |mb| format!("  ({mb} MB resident)"));
            out.push_str(&format!("  {ms:>9.1} ms  {step}{memory}\n"));
        }
        let total = self.started.elapsed().as_secs_f64() * 1000.0;
        out.push_str(&format!("  {total:>9.1} ms  total\n"));
        eprint!("{out}");
    }
}

/// The default output folder under a site root.
pub const DEFAULT_OUTPUT: &str = "public";

/// Builds the site under `root`. On any error nothing is written and the
/// previous output stays as it was.
pub fn build(root: &Path, options: &BuildOptions) -> Result<Report, Vec<Diagnostic>> {
    let started = Instant::now();
    let mut timings = Timings::from_env();
    let output = options
        .output
        .clone()
        .unwrap_or_else(|| root.join(DEFAULT_OUTPUT));
    output::check_output(root, &output).map_err(|e| vec![e])?;
    let site = Site::load_timed(
        root,
        &LoadOptions {
            base_url: options.base_url.clone(),
            ..LoadOptions::default()
        },
        &mut timings,
    )?;
    let io_error = |e: std::io::Error| {
        vec![Diagnostic::error(
            &output,
            format!("cannot write output: {e}"),
        )]
    };
    let staging = output::Staging::create(&output).map_err(io_error)?;
    timings.mark("staging folder");
    let (stats, _) = site.render(&output::DiskSink::new(staging.dir()), false, &mut timings)?;
    staging.commit().map_err(io_error)?;
    timings.mark("swap in, remove previous output");
    timings.print();
    Ok(site.report(started, stats))
}

/// Checks the site under `root` completely (templates included) and writes nothing.
pub fn check(root: &Path) -> Result<Report, Vec<Diagnostic>> {
    let started = Instant::now();
    let site = Site::load(
        root,
        &LoadOptions {
            keep_front_matter: true,
            ..LoadOptions::default()
        },
    )?;
    // Render into a sink that discards, so template errors are caught too.
    site.render(&render::Discard, false, &mut Timings::off())?;
    let mut report = site.report(started, RenderStats::default());
    // Advice for authors (coding gaps, unused vocabulary) is given by check only.
    report
        .warnings
        .extend(lint::advise(&site.catalogue, &site.index));
    diagnostic::sort(&mut report.warnings);
    Ok(report)
}

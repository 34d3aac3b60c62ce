//! The preview's builds: the site rendered into memory, kept for partial rebuilds.
//!
//! A full rebuild is [`Site::load`] and [`Site::render`], the same two calls
//! `casebook build` makes, into a [`MemorySink`]. The [`Builder`] keeps the
//! last good [`Site`] next to its files; a batch that only edits entries (or
//! static files) goes through `partial.rs`, which swaps the edited
//! entries into that site and renders only the routes the route table says
//! are affected. A failed build keeps the last good files on show.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Bytes;

use super::http::Files;
use super::watch::{Layout, RebuildPlan};
use crate::diagnostic::Diagnostic;
use crate::load::{self, LoadOptions};
use crate::render::Sink;
use crate::routes::Route;
use crate::similar::SimilarLists;
use crate::{Site, Timings};

/// A [`Sink`] collecting files in memory.
#[derive(Default)]
pub struct MemorySink {
    files: Mutex<Vec<(Arc<str>, Bytes)>>,
}

impl MemorySink {
    /// The files received, in no particular order.
    pub fn into_files(self) -> Vec<(Arc<str>, Bytes)> {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for MemorySink {
    fn put(&self, path: &str, bytes: Vec<u8>) -> io::Result<()> {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.push((Arc::from(path), Bytes::from(bytes)));
        Ok(())
    }
}

/// What a rebuild did.
#[derive(Debug)]
pub enum Outcome {
    /// Nothing to show changed.
    Unchanged,
    /// A good build.
    Built {
        /// The files to serve.
        files: Arc<Files>,
        /// URL paths (`/practices/p12/`) whose bytes changed; `None` when anything may have.
        changed: Option<Vec<String>>,
        /// The routes rendered again by a partial rebuild; `None` for a full one.
        rendered: Option<Vec<Route>>,
        /// Only stylesheets changed.
        css_only: bool,
        /// Warnings to print.
        warnings: Vec<Diagnostic>,
        /// One line for the terminal.
        summary: String,
    },
    /// The build failed; the last good files stay on show.
    Failed(Vec<Diagnostic>),
}

/// The last good build: its site, its files and what partial rebuilds reuse.
pub(super) struct Good {
    pub(super) site: Site,
    /// "More like this" lists, computed while idle (costly on big catalogues).
    pub(super) similar: SimilarLists,
    /// The search index (`search/`), as the full build made it, kept up to
    /// date by partial rebuilds (`None` for a site without one).
    pub(super) chunked: Option<crate::search::ChunkedIndex>,
    /// Each kind's `entries.csv` as rows, made at the first edit that needs
    /// them and kept up to date by partial rebuilds.
    pub(super) csv: crate::export::entries_csv::CachedRows,
    pub(super) files: Arc<Files>,
    /// What links in bodies resolve to, as in a full load.
    pub(super) links: load::LinkTargets,
    /// Entry index by source file.
    pub(super) by_source: HashMap<PathBuf, usize>,
}

impl Good {
    fn new(site: Site, files: Arc<Files>, chunked: Option<crate::search::ChunkedIndex>) -> Good {
        let links = load::LinkTargets::of(&site.catalogue);
        let by_source = site
            .catalogue
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.source.clone(), i))
            .collect();
        Good {
            site,
            similar: SimilarLists::default(),
            chunked,
            csv: Default::default(),
            files,
            links,
            by_source,
        }
    }
}

/// Builds the site into memory and keeps what a partial rebuild needs.
pub struct Builder {
    pub(super) root: PathBuf,
    pub(super) options: LoadOptions,
    pub(super) good: Option<Good>,
    /// The last build failed: the model may not match the files on disk.
    pub(super) broken: bool,
    /// Where things are, as of the last good full build.
    layout: Layout,
}

/// "More like this" lists computed per idle step: a change waits at most for one step.
const IDLE_CHUNK: usize = 256;

impl Builder {
    /// A builder for the site under `root`; nothing is built yet.
    pub fn new(root: &Path, options: LoadOptions) -> Builder {
        Builder {
            root: root.to_path_buf(),
            options,
            good: None,
            broken: false,
            layout: Layout::new(root, Vec::new(), std::iter::empty()),
        }
    }

    /// Where the site's files are, for classifying changes.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The files of the last good build, if any.
    pub fn files(&self) -> Option<Arc<Files>> {
        self.good.as_ref().map(|g| g.files.clone())
    }

    /// Carries out a rebuild plan: partial when it can be, else full.
    pub fn apply(&mut self, plan: &RebuildPlan) -> Outcome {
        match plan {
            RebuildPlan::Nothing => Outcome::Unchanged,
            RebuildPlan::Full(reason) => self.full(reason),
            RebuildPlan::Partial { entries, statics } => {
                if self.broken || self.good.is_none() {
                    return self.full("in full, since the build before it had failed");
                }
                match super::partial::rebuild(self, entries, *statics) {
                    Ok(outcome) => outcome,
                    Err(reason) => self.full(reason),
                }
            }
        }
    }

    /// Loads and renders everything, as `casebook build` does.
    pub fn full(&mut self, reason: &str) -> Outcome {
        let started = Instant::now();
        let site = match Site::load(&self.root, &self.options) {
            Ok(site) => site,
            Err(errors) => {
                self.broken = true;
                return Outcome::Failed(errors);
            }
        };
        let sink = MemorySink::default();
        let chunked = match site.render(&sink, true, &mut Timings::off()) {
            Ok((_, index)) => index,
            Err(errors) => {
                self.broken = true;
                return Outcome::Failed(errors);
            }
        };
        let files: Arc<Files> = Arc::new(sink.into_files().into_iter().collect());
        let mut warnings = site.warnings.clone();
        if self.options.keep_front_matter {
            // The advice `check` gives (coding gaps, unused values), on full rebuilds.
            warnings.extend(crate::lint::advise(&site.catalogue, &site.index));
            crate::diagnostic::sort(&mut warnings);
        }
        let entries = site.catalogue.entries.len();
        let catalogue = &site.catalogue;
        let sources = catalogue.entries.iter().map(|e| e.source.as_path());
        let pages = catalogue.pages.iter().map(|p| p.source.as_path());
        let kind_dirs = catalogue
            .config
            .kinds
            .iter()
            .map(|k| k.dir.clone())
            .collect();
        self.layout = Layout::new(&self.root, kind_dirs, sources.chain(pages));
        self.good = Some(Good::new(site, files.clone(), chunked));
        self.broken = false;
        let summary = format!(
            "built {entries} entries, {} files in {} ms ({reason})",
            files.len(),
            started.elapsed().as_millis()
        );
        Outcome::Built {
            files,
            changed: None,
            rendered: None,
            css_only: false,
            warnings,
            summary,
        }
    }

    /// Whether there is background work to do while no change is waiting.
    pub fn has_idle_work(&self) -> bool {
        self.good
            .as_ref()
            .is_some_and(|g| !self.broken && !g.similar.is_complete(&g.site.catalogue))
    }

    /// Does a short piece of background work: computing the "more like this"
    /// lists that title and facet edits need, so the first such edit is fast.
    pub fn idle_step(&mut self) {
        if let Some(good) = self.good.as_mut() {
            let site = &good.site;
            good.similar
                .extend(&site.catalogue, &site.index, IDLE_CHUNK);
        }
    }
}

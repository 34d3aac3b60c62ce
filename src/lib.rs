//! casebook: a static-site generator for good-practice case-study catalogues.
//!
//! A site is a `catalogue.yaml` (settings and controlled vocabularies) and a
//! `content/` folder of Markdown files with YAML front matter. Data flows one
//! way: [`config`] → [`load`] → [`model`] → [`index`] → [`summary`] →
//! [`render`] → [`output`]. [`build`] and [`check`] are the whole pipeline;
//! the live preview in [`serve`] reuses it.
#![deny(missing_docs)]

pub mod cite;
pub mod config;
pub mod diagnostic;
pub mod index;
pub mod lint;
pub mod load;
pub mod markdown;
pub mod model;
pub mod output;
pub mod publish;
pub mod render;
pub mod scaffold;
pub mod summary;
pub mod view;
pub mod yaml;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use diagnostic::Diagnostic;
use index::Index;
use load::LoadOptions;
use model::Catalogue;
use render::{Renderer, Sink, Theme};

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
    /// Warnings from loading.
    pub warnings: Vec<Diagnostic>,
}

impl Site {
    /// Loads, validates and indexes the site under `root`; every problem is reported.
    pub fn load(root: &Path, options: &LoadOptions) -> Result<Site, Vec<Diagnostic>> {
        let loaded = load::load(root, options);
        let theme = Theme::load(root);
        match (loaded, theme) {
            (Ok((catalogue, warnings)), Ok(theme)) => {
                let index = Index::build(&catalogue);
                Ok(Site {
                    catalogue,
                    index,
                    theme,
                    warnings,
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

    /// Renders every file into `sink`.
    pub fn render(&self, sink: &dyn Sink) -> Result<render::RenderStats, Vec<Diagnostic>> {
        let renderer = Renderer::new(&self.catalogue, &self.index, &self.theme);
        render::render_site(&renderer, sink)
    }

    fn report(&self, started: Instant, stats: render::RenderStats) -> Report {
        Report {
            kinds: self
                .catalogue
                .config
                .kinds
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    let n = self.index.by_kind[i].len();
                    (if n == 1 { k.singular.clone() } else { k.label.clone() }, n)
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

/// The default output folder under a site root.
pub const DEFAULT_OUTPUT: &str = "public";

/// Builds the site under `root`. On any error nothing is written and the
/// previous output stays as it was.
pub fn build(root: &Path, options: &BuildOptions) -> Result<Report, Vec<Diagnostic>> {
    let started = Instant::now();
    let output = options
        .output
        .clone()
        .unwrap_or_else(|| root.join(DEFAULT_OUTPUT));
    output::check_output(root, &output).map_err(|e| vec![e])?;
    let site = Site::load(
        root,
        &LoadOptions {
            base_url: options.base_url.clone(),
        },
    )?;
    let io_error = |e: std::io::Error| {
        vec![Diagnostic::error(
            &output,
            format!("cannot write output: {e}"),
        )]
    };
    let staging = output::Staging::create(&output).map_err(io_error)?;
    let stats = site.render(&output::DiskSink::new(staging.dir()))?;
    staging.commit().map_err(io_error)?;
    Ok(site.report(started, stats))
}

/// Checks the site under `root` completely (templates included) and writes nothing.
pub fn check(root: &Path) -> Result<Report, Vec<Diagnostic>> {
    let started = Instant::now();
    let site = Site::load(root, &LoadOptions::default())?;
    // Render into a sink that discards, so template errors are caught too.
    struct Discard;
    impl Sink for Discard {
        fn put(&self, _: &str, _: Vec<u8>) -> std::io::Result<()> {
            Ok(())
        }
        fn copy(&self, _: &str, _: &Path) -> std::io::Result<()> {
            Ok(())
        }
    }
    site.render(&Discard)?;
    let mut report = site.report(started, render::RenderStats::default());
    // Advice for authors (coding gaps, unused vocabulary) is given by check only.
    report
        .warnings
        .extend(lint::advise(root, &site.catalogue, &site.index));
    diagnostic::sort(&mut report.warnings);
    Ok(report)
}

//! Walking `content/`, reading front matter and checking it against the vocabularies.
//!
//! [`load`] runs the stages in order, each in a file of this folder:
//! `discover.rs` finds the files; each entry is read and checked on its own,
//! in parallel (`entry.rs`), and so is each free page (`page.rs`); then come
//! the checks that span files (unique ids, page URLs, `related:` targets:
//! `cross.rs`); and finally the Markdown bodies are rendered, now that links
//! between files can be resolved (`links.rs`). An entry with errors in some
//! fields still takes part in every later stage with the fields that could
//! be read, so one run reports every problem: errors, link warnings and,
//! when loading to check, `check`'s advice ([`crate::lint`]). It returns an
//! immutable [`Catalogue`] and the warnings, or every problem found.
//! `front.rs` holds what entries and pages share: reading a file and parsing
//! its front matter.

use rayon::prelude::*;

use std::path::Path;

use crate::diagnostic::{self, Diagnostic};
use crate::model::{natural_key, Catalogue, Config, Entry, Page};

mod cross;
mod discover;
mod entry;
mod front;
mod links;
mod page;
pub mod reconstructed;

pub use discover::{discover, is_content_file_name, ContentFile};
pub use entry::{
    check_entry, finish_entry, parse_entry, read_and_check_entry, read_entry, CheckedEntry,
    ParsedEntry,
};
pub use front::normalise_newlines;
pub use links::LinkTargets;

/// The folder holding all content, under the site root.
pub const CONTENT_DIR: &str = "content";
/// The folder of free pages, under `content/`.
pub const PAGES_DIR: &str = "pages";

/// Options that change how a site is loaded.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Overrides `base_url` from `catalogue.yaml`.
    pub base_url: Option<String>,
    /// Keeps each entry's front matter ([`Entry::front_matter`]), so that
    /// advice given after loading ([`crate::lint`]) can point into it. Off
    /// for a build: about 360 bytes an entry that nothing else reads.
    pub keep_front_matter: bool,
    /// Loading for the live preview: entry pages name their source file
    /// unless `show_source: false` says otherwise.
    pub preview: bool,
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

    if options.preview {
        config
            .extra
            .entry(crate::view::SHOW_SOURCE)
            .or_insert(serde_json::Value::Bool(true));
    }

    // Each file on its own; what could be read goes on to the checks across
    // files even when it has errors, so one run reports every problem.
    let files = discover(root, &config, &mut diagnostics);
    let checked: Vec<CheckedEntry> = files
        .par_iter()
        .map(|file| read_and_check_entry(root, &config, file))
        .collect();
    let mut entries = Vec::with_capacity(checked.len());
    for c in checked {
        diagnostics.extend(c.errors);
        if let Some(entry) = c.parsed {
            diagnostics.extend(entry.warnings.iter().cloned());
            entries.push((entry, c.doubtful_facets));
        }
    }
    let mut pages: Vec<(Page, String)> = Vec::new();
    for file in &discover::discover_pages(root, &mut diagnostics) {
        match page::read_page(file) {
            Ok(page) => pages.push(page),
            Err(errs) => diagnostics.extend(errs),
        }
    }

    // Across files.
    // Keys computed once per entry: `natural_key` allocates.
    entries.sort_by_cached_key(|(p, _)| {
        (
            p.entry.kind,
            natural_key(&p.entry.id),
            p.entry.id.clone(),
            p.entry.source.clone(),
        )
    });
    let (mut entries, doubtful): (Vec<ParsedEntry>, Vec<Vec<usize>>) = entries.into_iter().unzip();
    cross::check_unique_ids(&entries, &mut diagnostics);
    cross::check_page_slugs(&config, &pages, &mut diagnostics);
    let targets = LinkTargets::new(
        entries.iter().map(|p| {
            let e = &p.entry;
            let url = crate::routes::entry_url_in(&config.kinds[e.kind].dir, &e.slug);
            (e.id.as_str(), e.source.as_path(), url)
        }),
        pages
            .iter()
            .map(|(p, _)| (p.source.as_path(), p.slug.as_str())),
    );
    cross::resolve_related(&mut entries, &targets, &mut diagnostics);
    let failed = diagnostics.iter().any(Diagnostic::is_error);

    // Bodies, with links resolved.
    let allow_raw = config.allow_raw_html;
    let keep_front_matter = options.keep_front_matter;
    let rendered: Vec<(Entry, Vec<Diagnostic>)> = entries
        .into_par_iter()
        .map(|parsed| {
            let front_matter = keep_front_matter.then(|| parsed.front_matter().to_string());
            let (mut entry, warnings) = finish_entry(parsed, &targets, allow_raw);
            entry.front_matter = front_matter.unwrap_or_default();
            (entry, warnings)
        })
        .collect();
    let mut entries = Vec::with_capacity(rendered.len());
    for (entry, warnings) in rendered {
        diagnostics.extend(warnings);
        entries.push(entry);
    }
    let mut pages: Vec<Page> = pages
        .into_iter()
        .map(|(page, markdown)| {
            page::finish_page(page, &markdown, &targets, allow_raw, &mut diagnostics)
        })
        .collect();
    pages.sort_by(|a, b| (a.weight, &a.title, &a.slug).cmp(&(b.weight, &b.title, &b.slug)));
    let catalogue = Catalogue {
        config,
        entries,
        pages,
    };
    if failed {
        // The advice `check` gives on a good site, given on this one too
        // (`check` and the preview ask for it by keeping the front matter),
        // except about gaps in facets whose values had errors.
        if keep_front_matter {
            let index = crate::index::Index::build(&catalogue);
            diagnostics.extend(crate::lint::advise_except(&catalogue, &index, &doubtful));
        }
        diagnostic::sort(&mut diagnostics);
        return Err(diagnostics);
    }
    diagnostic::sort(&mut diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics); // a body refused as too deep
    }
    Ok((catalogue, diagnostics))
}

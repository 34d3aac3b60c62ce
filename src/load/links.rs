//! What links in Markdown bodies point at, and warnings about links that point nowhere.
//!
//! A body may link to an entry by its bare id (`[see](P12)`) or to the
//! Markdown file of an entry or free page by relative path
//! (`../practices/p12-recovery.md`); [`LinkTargets`] resolves both to
//! site-relative URLs, ignoring the case of ids. Link warnings are located
//! in the body as written.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Position};
use crate::markdown;
use crate::model::Catalogue;
use crate::paths;

/// What links in Markdown bodies point at: entries by id, and entry and page
/// files by path. Built once per load; the live preview keeps one to render
/// a changed body exactly as a full load would.
#[derive(Debug, Clone, Default)]
pub struct LinkTargets {
    /// Entry slug (lowercased id) → entry index.
    by_slug: HashMap<String, usize>,
    /// Each entry's id, by entry index, for suggestions.
    ids: Vec<String>,
    /// Each entry's site-relative URL, by entry index.
    urls: Vec<String>,
    /// Normalised source path → site-relative URL, for entries and free pages.
    by_source: HashMap<String, String>,
}

impl LinkTargets {
    /// From (id, source, URL) of each entry, in entry order, and (source,
    /// slug) of each free page.
    pub(super) fn new<'a>(
        entries: impl Iterator<Item = (&'a str, &'a Path, String)>,
        pages: impl Iterator<Item = (&'a Path, &'a str)>,
    ) -> LinkTargets {
        let mut targets = LinkTargets::default();
        for (i, (id, source, url)) in entries.enumerate() {
            targets.by_slug.insert(id.to_lowercase(), i);
            targets.ids.push(id.to_string());
            targets
                .by_source
                .insert(normalised_source(source), url.clone());
            targets.urls.push(url);
        }
        for (source, slug) in pages {
            targets
                .by_source
                .insert(normalised_source(source), crate::routes::page_url_in(slug));
        }
        targets
    }

    /// The link targets of a loaded catalogue.
    pub fn of(c: &Catalogue) -> LinkTargets {
        LinkTargets::new(
            c.entries.iter().map(|e| {
                (
                    e.id.as_str(),
                    e.source.as_path(),
                    crate::routes::entry_url(c, e),
                )
            }),
            c.pages
                .iter()
                .map(|p| (p.source.as_path(), p.slug.as_str())),
        )
    }

    /// The id of an entry close to `target`, for a did-you-mean.
    fn near(&self, target: &str) -> Option<&str> {
        crate::diagnostic::suggest(target, self.ids.iter().map(String::as_str))
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

/// Resolves the links of one file: bare ids to entries, and relative paths
/// to Markdown files to the entry or page made from that file.
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
    paths::display_path(&paths::lexical(path))
}

/// Warnings about the links of one rendered body that point to no entry or
/// were removed as unsafe, located in `text` from line `body_line` on.
pub(super) fn link_warnings(
    source: &Path,
    text: &str,
    body_line: usize,
    r: &markdown::Rendered,
    targets: &LinkTargets,
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
            Diagnostic::warning(
                source,
                format!(
                    "link to {target:?} points to no entry{}",
                    crate::config::did_you_mean(targets.near(target))
                ),
            )
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

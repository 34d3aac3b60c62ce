//! Watching the site for changes and deciding how much to rebuild.
//!
//! The decisions are pure functions, unit-tested without a file system:
//! [`classify`] turns one changed path into a [`Change`] (an entry, a free
//! page, the settings, a template, a static file, or nothing casebook reads),
//! and [`plan`] turns a whole batch of changes into one [`RebuildPlan`]. Editor
//! temporary files, hidden files and everything outside `catalogue.yaml`,
//! `content/`, `templates/` and `static/` (the output folder included) are
//! ignored. The notify glue ([`Watcher`]) watches those four places, lets
//! notify-debouncer-mini merge events per path, then keeps collecting batches
//! until the file system has been quiet for a moment, so a save-by-rename or a
//! `git checkout` of many files becomes one rebuild.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::{EventHandler, EventKind, RecursiveMode, WatcherKind};
use notify_debouncer_mini::{
    new_debouncer_opt, Config as DebounceConfig, DebounceEventResult, Debouncer,
};

use crate::config::CONFIG_FILE;
use crate::load::{CONTENT_DIR, PAGES_DIR};
use crate::paths::is_temporary_name;
use crate::render::{STATIC_DIR, TEMPLATES_DIR};

/// What one changed path means for the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// An entry file of a known kind (path relative to the site root).
    ContentEntry(PathBuf),
    /// A free page under `content/pages/`.
    Page,
    /// Something in `content/` that may hold many entries at once: a folder
    /// created, removed or renamed, or `content/` itself.
    ContentFolder,
    /// `catalogue.yaml`.
    Config,
    /// Anything under `templates/`.
    Template,
    /// Anything under `static/`; `css` when it is a stylesheet.
    Static {
        /// Whether the file is a `.css` file.
        css: bool,
    },
    /// Not read by casebook: editor temporary files, hidden files, the output folder, ...
    Ignored,
}

/// Where things are in a site, as far as the last good build knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    /// The site root, as the watcher reports paths under it.
    pub root: PathBuf,
    /// Folder names of the kinds (`practices`, `literature`), from the last good
    /// `catalogue.yaml`. Empty when it never loaded: then every Markdown file
    /// under `content/` counts as an entry.
    pub kind_dirs: Vec<String>,
    /// Folders under `content/` that held entries or pages (relative to the root),
    /// so that one removed or moved away is recognised although it is gone.
    pub content_dirs: BTreeSet<PathBuf>,
}

impl Layout {
    /// A layout for `root` knowing the kinds' folders and the content files.
    pub fn new<'a>(
        root: &Path,
        kind_dirs: Vec<String>,
        sources: impl IntoIterator<Item = &'a Path>,
    ) -> Layout {
        let mut content_dirs = BTreeSet::new();
        for source in sources {
            content_dirs.extend(
                source
                    .ancestors()
                    .skip(1)
                    .filter(|a| !a.as_os_str().is_empty())
                    .map(Path::to_path_buf),
            );
        }
        Layout {
            root: root.to_path_buf(),
            kind_dirs,
            content_dirs,
        }
    }
}

/// Classifies one changed path (absolute, or relative to `layout.root`);
/// `is_dir` says whether it is a folder now.
pub fn classify(layout: &Layout, path: &Path, is_dir: bool) -> Change {
    let relative = path.strip_prefix(&layout.root).unwrap_or(path);
    let parts: Vec<&str> = match relative
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect::<Option<Vec<&str>>>()
    {
        Some(parts) if !parts.is_empty() => parts,
        // Outside the root, not UTF-8, or the root itself.
        _ => return Change::Ignored,
    };
    if parts.iter().any(|p| p.starts_with('.')) {
        return Change::Ignored; // hidden files and folders, .git among them
    }
    let name = parts[parts.len() - 1];
    if is_temporary_name(name) {
        return Change::Ignored;
    }
    // A folder in content/ may bring or take away many entries at once: one that
    // is there now, or one that held content before (removed or moved away).
    let folder = is_dir || layout.content_dirs.contains(relative);
    match parts[0] {
        CONFIG_FILE if parts.len() == 1 => Change::Config,
        CONTENT_DIR => {
            if parts.len() == 1 {
                return Change::ContentFolder;
            }
            let is_markdown = crate::load::is_content_file_name(name);
            if parts[1] == PAGES_DIR {
                return if is_markdown || folder {
                    Change::Page
                } else {
                    Change::Ignored
                };
            }
            let known_kind =
                layout.kind_dirs.is_empty() || layout.kind_dirs.iter().any(|d| d == parts[1]);
            if !known_kind {
                Change::Ignored
            } else if folder {
                Change::ContentFolder
            } else if is_markdown && parts.len() > 2 {
                Change::ContentEntry(relative.to_path_buf())
            } else {
                Change::Ignored // images, notes and other files casebook does not read
            }
        }
        TEMPLATES_DIR => Change::Template,
        STATIC_DIR => Change::Static {
            css: parts.len() > 1 && name.to_ascii_lowercase().ends_with(".css"),
        },
        _ => Change::Ignored,
    }
}

/// How static files changed in a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StaticChange {
    /// Only stylesheets: open pages can swap them without reloading.
    CssOnly,
    /// Other files too.
    Any,
}

/// What to do about one batch of changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RebuildPlan {
    /// Nothing casebook reads changed.
    Nothing,
    /// Reload and re-render everything, for the given reason.
    Full(&'static str),
    /// Re-read these entries and/or recopy static files.
    Partial {
        /// Entry files that changed, relative to the root.
        entries: BTreeSet<PathBuf>,
        /// Whether static files changed, and how.
        statics: Option<StaticChange>,
    },
}

/// Above this many changed entries a full rebuild is simpler and not much slower.
pub const MAX_PARTIAL_ENTRIES: usize = 100;

/// Merges a batch of changes into one plan. Anything that can change every page
/// (settings, templates, free pages that appear in the menu, folders) wins.
pub fn plan(changes: &[Change]) -> RebuildPlan {
    let mut entries = BTreeSet::new();
    let mut statics = None;
    let mut full = None;
    for change in changes {
        match change {
            Change::Config => full = Some("catalogue.yaml changed"),
            Change::Template => full = full.or(Some("templates changed")),
            Change::ContentFolder => full = full.or(Some("content folders changed")),
            Change::Page => full = full.or(Some("a page changed")),
            Change::ContentEntry(path) => {
                entries.insert(path.clone());
            }
            Change::Static { css } => {
                let this = if *css {
                    StaticChange::CssOnly
                } else {
                    StaticChange::Any
                };
                statics = Some(statics.map_or(this, |s: StaticChange| s.max(this)));
            }
            Change::Ignored => {}
        }
    }
    if let Some(reason) = full {
        RebuildPlan::Full(reason)
    } else if entries.len() > MAX_PARTIAL_ENTRIES {
        RebuildPlan::Full("many entries changed")
    } else if entries.is_empty() && statics.is_none() {
        RebuildPlan::Nothing
    } else {
        RebuildPlan::Partial { entries, statics }
    }
}

/// Plans a batch of changed paths, each with whether it is a folder now.
pub fn plan_paths<'a>(
    layout: &Layout,
    paths: impl IntoIterator<Item = (&'a Path, bool)>,
) -> RebuildPlan {
    let changes: Vec<Change> = paths
        .into_iter()
        .map(|(p, is_dir)| classify(layout, p, is_dir))
        .collect();
    plan(&changes)
}

/// How long notify-debouncer-mini waits for a path to settle.
pub const DEBOUNCE: Duration = Duration::from_millis(20);
/// After a batch, further batches arriving within this time join it.
pub const QUIET: Duration = Duration::from_millis(30);
/// A batch is handed over after this long even if changes keep coming.
pub const MAX_BATCH_WAIT: Duration = Duration::from_secs(2);

/// Whether a raw notify event can mean new content. Reads (open, close after
/// reading, access) cannot; they must be dropped, or every build would see its
/// own reads of the site as changes. Closing a file after writing it counts.
pub fn is_change(kind: &EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode};
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// The platform watcher with read events filtered out before they reach the
/// debouncer (notify-debouncer-mini keeps no event kinds, so it cannot tell).
pub struct ChangesOnly(notify::RecommendedWatcher);

impl notify::Watcher for ChangesOnly {
    fn new<F: EventHandler>(mut handler: F, config: notify::Config) -> notify::Result<Self> {
        let filter = move |event: notify::Result<notify::Event>| match &event {
            Ok(e) if !is_change(&e.kind) => {}
            _ => handler.handle_event(event),
        };
        notify::RecommendedWatcher::new(filter, config).map(ChangesOnly)
    }

    fn watch(&mut self, path: &Path, recursive_mode: RecursiveMode) -> notify::Result<()> {
        self.0.watch(path, recursive_mode)
    }

    fn unwatch(&mut self, path: &Path) -> notify::Result<()> {
        self.0.unwatch(path)
    }

    fn kind() -> WatcherKind {
        notify::RecommendedWatcher::kind()
    }
}

/// The watcher has stopped: no more changes will come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped;

/// Watches a site's sources and hands over batches of changed paths.
pub struct Watcher {
    debouncer: Debouncer<ChangesOnly>,
    events: Receiver<DebounceEventResult>,
    root: PathBuf,
}

/// The folders watched recursively, under the root.
const WATCHED_DIRS: [&str; 3] = [CONTENT_DIR, TEMPLATES_DIR, STATIC_DIR];

impl Watcher {
    /// Starts watching `root` (which should be canonical, so reported paths start with it).
    pub fn new(root: &Path) -> notify::Result<Watcher> {
        let (tx, events) = mpsc::channel();
        let debouncer = new_debouncer_opt::<_, ChangesOnly>(
            DebounceConfig::default().with_timeout(DEBOUNCE),
            tx,
        )?;
        let mut watcher = Watcher {
            debouncer,
            events,
            root: root.to_path_buf(),
        };
        // The root itself, not recursively: catalogue.yaml, and the watched folders
        // appearing or disappearing. The output folder lives here and is not looked into.
        watcher
            .debouncer
            .watcher()
            .watch(root, RecursiveMode::NonRecursive)?;
        for dir in WATCHED_DIRS {
            watcher.rewatch(dir);
        }
        Ok(watcher)
    }

    /// (Re)starts the recursive watch of one top-level folder, if it exists now.
    fn rewatch(&mut self, dir: &str) {
        let path = self.root.join(dir);
        let _ = self.debouncer.watcher().unwatch(&path);
        if path.is_dir() {
            if let Err(e) = self
                .debouncer
                .watcher()
                .watch(&path, RecursiveMode::Recursive)
            {
                eprintln!("warning: cannot watch {dir}/: {e}; changes in it will not be seen");
            }
        }
    }

    /// Waits up to `wait` for the next batch of changed paths, each with
    /// whether it is a folder now; `Ok(None)` when nothing changed in that time.
    pub fn next_batch_within(
        &mut self,
        wait: Duration,
    ) -> Result<Option<Vec<(PathBuf, bool)>>, Stopped> {
        let first = match self.events.recv_timeout(wait) {
            Ok(first) => first,
            Err(RecvTimeoutError::Timeout) => return Ok(None),
            Err(RecvTimeoutError::Disconnected) => return Err(Stopped),
        };
        Ok(Some(self.collect(first)))
    }

    fn collect(&mut self, first: DebounceEventResult) -> Vec<(PathBuf, bool)> {
        let mut paths = BTreeSet::new();
        self.absorb(first, &mut paths);
        let started = Instant::now();
        while started.elapsed() < MAX_BATCH_WAIT {
            match self.events.recv_timeout(QUIET) {
                Ok(more) => self.absorb(more, &mut paths),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        // A watched folder created, removed or replaced (git does that) needs a new watch.
        for dir in WATCHED_DIRS {
            if paths.contains(&self.root.join(dir)) {
                self.rewatch(dir);
            }
        }
        paths
            .into_iter()
            .map(|p| {
                let is_dir = p.is_dir();
                (p, is_dir)
            })
            .collect()
    }

    fn absorb(&self, result: DebounceEventResult, paths: &mut BTreeSet<PathBuf>) {
        match result {
            Ok(events) => paths.extend(events.into_iter().map(|e| e.path)),
            Err(e) => eprintln!("warning: watching for changes: {e}"),
        }
    }
}

#[cfg(test)]
mod tests;

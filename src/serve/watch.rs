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
mod tests {
    use super::*;

    fn layout() -> Layout {
        let sources = [
            "content/practices/p1.md",
            "content/practices/archive/p9.md",
            "content/pages/about.md",
        ];
        Layout::new(
            Path::new("/site"),
            vec!["practices".into(), "literature".into()],
            sources.iter().map(Path::new),
        )
    }

    fn kind(path: &str) -> Change {
        classify(&layout(), Path::new(path), false)
    }

    fn files<'a>(paths: &'a [&'a str]) -> impl Iterator<Item = (&'a Path, bool)> {
        paths.iter().map(|p| (Path::new(*p), false))
    }

    #[test]
    fn entries_pages_and_settings() {
        assert_eq!(
            kind("/site/content/practices/p12.md"),
            Change::ContentEntry(PathBuf::from("content/practices/p12.md"))
        );
        assert_eq!(
            kind("/site/content/literature/sub/l01.md"),
            Change::ContentEntry(PathBuf::from("content/literature/sub/l01.md"))
        );
        assert_eq!(kind("/site/content/pages/about.md"), Change::Page);
        assert_eq!(kind("/site/catalogue.yaml"), Change::Config);
        // Relative paths are accepted too.
        assert_eq!(kind("catalogue.yaml"), Change::Config);
    }

    #[test]
    fn templates_and_static() {
        assert_eq!(kind("/site/templates/entry.html"), Change::Template);
        assert_eq!(kind("/site/templates"), Change::Template);
        assert_eq!(kind("/site/static/style.css"), Change::Static { css: true });
        assert_eq!(
            kind("/site/static/theme/Print.CSS"),
            Change::Static { css: true }
        );
        assert_eq!(kind("/site/static/logo.svg"), Change::Static { css: false });
        assert_eq!(kind("/site/static"), Change::Static { css: false });
    }

    #[test]
    fn editor_temporary_files_are_ignored() {
        for path in [
            "/site/content/practices/.p12.md.swp",
            "/site/content/practices/p12.md.swp",
            "/site/content/practices/p12.md~",
            "/site/content/practices/.#p12.md",
            "/site/content/practices/#p12.md#",
            "/site/content/practices/4913",
            "/site/content/practices/p12.md___jb_tmp___",
            "/site/templates/.entry.html.swx",
            "/site/templates/entry.html~",
            "/site/static/4913",
            "/site/.catalogue.yaml.swp",
            "/site/catalogue.yaml~",
        ] {
            assert_eq!(kind(path), Change::Ignored, "{path}");
        }
    }

    #[test]
    fn hidden_output_and_unread_files_are_ignored() {
        for path in [
            "/site/.git/index",
            "/site/.git",
            "/site/content/practices/.hidden/p1.md",
            "/site/public/index.html",
            "/site/public",
            "/site/README.md",
            "/site/content/practices/photo.jpg",
            "/site/content/practices/notes.txt",
            "/site/content/pages/diagram.png",
            "/site/content/drafts/p99.md", // not a kind folder
            "/elsewhere/content/practices/p1.md",
            "/site",
        ] {
            assert_eq!(kind(path), Change::Ignored, "{path}");
        }
    }

    #[test]
    fn folders_in_content_mean_many_entries() {
        // Known to hold content: recognised even once removed.
        assert_eq!(kind("/site/content"), Change::ContentFolder);
        assert_eq!(kind("/site/content/practices"), Change::ContentFolder);
        assert_eq!(
            kind("/site/content/practices/archive"),
            Change::ContentFolder
        );
        assert_eq!(kind("/site/content/pages"), Change::Page);
        // A folder there now (perhaps moved in full of entries).
        let new_folder = classify(
            &layout(),
            Path::new("/site/content/practices/imported"),
            true,
        );
        assert_eq!(new_folder, Change::ContentFolder);
        let named_like_markdown =
            classify(&layout(), Path::new("/site/content/practices/old.md"), true);
        assert_eq!(named_like_markdown, Change::ContentFolder);
        // A file with no extension that is gone and never held content: a tool's
        // temporary file (sed -i writes `sedXXXXXX` next to the file it edits).
        assert_eq!(kind("/site/content/practices/sedAb12Cd"), Change::Ignored);
    }

    #[test]
    fn unknown_kinds_accept_any_markdown() {
        let layout = Layout::new(Path::new("/site"), Vec::new(), []);
        assert_eq!(
            classify(&layout, Path::new("/site/content/cases/c1.md"), false),
            Change::ContentEntry(PathBuf::from("content/cases/c1.md"))
        );
    }

    fn entries(paths: &[&str]) -> BTreeSet<PathBuf> {
        paths.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn save_by_rename_is_one_entry_change() {
        // vim: writes 4913, renames p12.md to p12.md~, writes p12.md, removes the backup.
        let batch = [
            "/site/content/practices/4913",
            "/site/content/practices/p12.md~",
            "/site/content/practices/p12.md",
            "/site/content/practices/.p12.md.swp",
        ];
        assert_eq!(
            plan_paths(&layout(), files(&batch)),
            RebuildPlan::Partial {
                entries: entries(&["content/practices/p12.md"]),
                statics: None
            }
        );
    }

    #[test]
    fn checkout_of_many_files_is_one_rebuild() {
        let mut batch: Vec<String> = (1..=50)
            .map(|i| format!("/site/content/practices/p{i}.md"))
            .collect();
        batch.push("/site/.git/index".into());
        batch.push("/site/.git/HEAD".into());
        let plan = plan_paths(&layout(), batch.iter().map(|p| (Path::new(p), false)));
        match plan {
            RebuildPlan::Partial {
                entries,
                statics: None,
            } => assert_eq!(entries.len(), 50),
            other => panic!("{other:?}"),
        }
        let batch: Vec<String> = (1..=101)
            .map(|i| format!("/site/content/practices/p{i}.md"))
            .collect();
        assert_eq!(
            plan_paths(&layout(), batch.iter().map(|p| (Path::new(p), false))),
            RebuildPlan::Full("many entries changed")
        );
    }

    #[test]
    fn settings_templates_and_pages_need_a_full_rebuild() {
        let entry = Change::ContentEntry(PathBuf::from("content/practices/p1.md"));
        assert_eq!(
            plan(&[entry.clone(), Change::Config]),
            RebuildPlan::Full("catalogue.yaml changed")
        );
        assert_eq!(
            plan(&[Change::Template, Change::Config]),
            RebuildPlan::Full("catalogue.yaml changed")
        );
        assert_eq!(
            plan(&[Change::Template, entry.clone()]),
            RebuildPlan::Full("templates changed")
        );
        assert_eq!(plan(&[Change::Page]), RebuildPlan::Full("a page changed"));
        assert_eq!(
            plan(&[Change::ContentFolder, entry]),
            RebuildPlan::Full("content folders changed")
        );
    }

    #[test]
    fn static_changes_know_whether_only_css_changed() {
        let css = Change::Static { css: true };
        let other = Change::Static { css: false };
        assert_eq!(
            plan(&[css.clone(), css.clone()]),
            RebuildPlan::Partial {
                entries: BTreeSet::new(),
                statics: Some(StaticChange::CssOnly)
            }
        );
        assert_eq!(
            plan(&[css.clone(), other.clone()]),
            RebuildPlan::Partial {
                entries: BTreeSet::new(),
                statics: Some(StaticChange::Any)
            }
        );
        assert_eq!(
            plan(&[other, css]),
            RebuildPlan::Partial {
                entries: BTreeSet::new(),
                statics: Some(StaticChange::Any)
            }
        );
    }

    #[test]
    fn reads_are_not_changes() {
        use notify::event::{
            AccessKind, AccessMode, CreateKind, ModifyKind, RemoveKind, RenameMode,
        };
        assert!(!is_change(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(is_change(&EventKind::Create(CreateKind::File)));
        assert!(is_change(&EventKind::Modify(ModifyKind::Name(
            RenameMode::Both
        ))));
        assert!(is_change(&EventKind::Remove(RemoveKind::Any)));
        assert!(is_change(&EventKind::Any));
    }

    #[test]
    fn ignored_only_batches_do_nothing() {
        assert_eq!(plan(&[]), RebuildPlan::Nothing);
        assert_eq!(
            plan_paths(
                &layout(),
                files(&["/site/public/x.html", "/site/content/practices/p1.md~"])
            ),
            RebuildPlan::Nothing
        );
    }
}

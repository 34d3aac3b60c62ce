//! Writing a site to disk without ever leaving a half-written one.
//!
//! A build takes the output's lock (one build at a time per output; a second
//! one waits), writes into a fresh staging folder next to the output, marked as
//! a casebook output, and only when every file was written swaps the staging
//! folder in and deletes the previous output. On Linux the swap is one atomic
//! exchange, so the output path always holds a whole site, the old or the new;
//! elsewhere it is two renames, and a build killed between them has its output
//! put back by the next build. If anything fails, the staging folder is removed
//! and the previous output is untouched. casebook only ever deletes folders
//! that carry its marker file, removing the marker last so that a kill during
//! the removal leaves a folder the next build still recognises, and refuses
//! outputs that could hold the site itself.

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::diagnostic::Diagnostic;
use crate::render::Sink;

mod sys;

use sys::{exchange, fault_point, test_hook, unsupported, NO_EXCHANGE, PAUSE_AFTER_FILES};

/// The file marking a folder as casebook's output (so it may be replaced).
pub const MARKER: &str = ".casebook-output";
const MARKER_TEXT: &str = "This folder was written by casebook. It is replaced on each build.\n";

/// Lexically normalises a path (`a/./b/../c` → `a/c`), made absolute from the
/// current folder. Used where the path may not exist yet.
pub fn absolute(path: &Path) -> io::Result<PathBuf> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    let out = crate::paths::lexical(&joined);
    // Resolve links in the part that exists, so a link cannot disguise the site root.
    let mut existing = out.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut resolved = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        resolved.push(name);
    }
    Ok(resolved)
}

/// Checks that `output` may be (re)written for the site at `root`.
pub fn check_output(root: &Path, output: &Path) -> Result<(), Diagnostic> {
    let shown = output.display().to_string();
    let refuse = |why: &str| {
        Err(Diagnostic::error(
            &shown,
            format!("refusing to write the site here: {why}"),
        ))
    };
    let root = absolute(root).map_err(|e| Diagnostic::error(&shown, e.to_string()))?;
    let out = absolute(output).map_err(|e| Diagnostic::error(&shown, e.to_string()))?;
    if out.parent().is_none() {
        return refuse("it is the file system root");
    }
    if out == root {
        return refuse("it is the site root; use a folder inside it such as public/");
    }
    if root.starts_with(&out) {
        return refuse("it contains the site");
    }
    for source_dir in ["content", "templates", "static"] {
        if out.starts_with(root.join(source_dir)) {
            return refuse(&format!("it is inside the site's {source_dir}/ folder"));
        }
    }
    if out.join("content").exists() || out.join(crate::config::CONFIG_FILE).exists() {
        return refuse("it holds a content/ folder or a catalogue.yaml");
    }
    if let Some(home) = std::env::var_os("HOME") {
        if out == Path::new(&home) {
            return refuse("it is your home folder");
        }
    }
    if out.exists() {
        if !out.is_dir() {
            return refuse("it is a file, not a folder");
        }
        let mut items = std::fs::read_dir(&out)
            .map_err(|e| Diagnostic::error(&shown, format!("cannot read: {e}")))?;
        if items.next().is_some() && !out.join(MARKER).is_file() {
            return refuse(&format!(
                "it is not empty and was not written by casebook (no {MARKER} file); empty it or choose another --output"
            ));
        }
    }
    Ok(())
}

/// The name of a file or folder next to `target` that belongs to it: `.public.casebook-<tag>`.
fn companion(target: &Path, tag: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.casebook-{tag}"))
}

/// The output's lock file, `.public.casebook.lock`: named apart from the
/// `.public.casebook-*` folders, which are a build's and removed after it.
fn lock_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.casebook.lock"))
}

fn sibling(target: &Path, tag: &str) -> PathBuf {
    companion(target, &format!("{tag}-{}", std::process::id()))
}

/// One build at a time per output: an advisory lock on `.<output>.casebook.lock`
/// next to it, held from before the staging folder is made until the swap is
/// done. The operating system releases it when the build ends, even if killed.
/// The file itself stays (removing it would race with a build waiting on it).
pub struct OutputLock {
    _file: std::fs::File,
}

impl OutputLock {
    /// Takes the lock of `target`'s output; while another build holds it, says
    /// so on stderr and waits for it.
    pub fn acquire(target: &Path) -> io::Result<OutputLock> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(lock_path(target))?;
        if !sys::try_lock(&file)? {
            eprintln!(
                "waiting for another build of {}…",
                crate::diagnostic::printable(&crate::diagnostic::display_path(target))
            );
            sys::lock(&file)?;
        }
        Ok(OutputLock { _file: file })
    }
}

/// A staging folder that becomes the output on [`Staging::commit`] and is removed
/// otherwise. It holds the output's [`OutputLock`] for its whole life.
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    committed: bool,
    _lock: OutputLock,
}

impl Staging {
    /// Waits for the output's lock, recovers from builds that were killed (an
    /// output missing after a two-rename swap is put back; stale staging and old
    /// folders are removed), then creates an empty, marked staging folder next to
    /// `target`.
    pub fn create(target: &Path) -> io::Result<Staging> {
        let target = absolute(target)?;
        let parent = target.parent().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "the output has no parent folder",
            )
        })?;
        std::fs::create_dir_all(parent)?;
        let lock = OutputLock::acquire(&target)?;
        recover(parent, &target)?;
        let dir = sibling(&target, "tmp");
        std::fs::create_dir(&dir)?;
        std::fs::write(dir.join(MARKER), MARKER_TEXT)?;
        fault_point("after-staging");
        Ok(Staging {
            dir,
            target,
            committed: false,
            _lock: lock,
        })
    }

    /// Where files are written before the swap.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Swaps the staging folder in as the output and deletes the previous output.
    /// Where the system can (Linux), the two are exchanged in one atomic step, so
    /// the output path always holds a whole site, old or new.
    pub fn commit(mut self) -> io::Result<()> {
        if self.target.symlink_metadata().is_err() {
            std::fs::rename(&self.dir, &self.target)?;
            self.committed = true;
            return Ok(());
        }
        let exchanged = if test_hook(NO_EXCHANGE).is_some() {
            Err(io::ErrorKind::Unsupported.into())
        } else {
            exchange(&self.dir, &self.target)
        };
        let previous = match exchanged {
            Ok(()) => {
                self.committed = true;
                fault_point("after-exchange");
                self.dir.clone()
            }
            Err(e) if unsupported(&e) => {
                // Two renames: a moment without an output, put right by the next
                // build's recovery if this one dies in it.
                let old = sibling(&self.target, "old");
                std::fs::rename(&self.target, &old)?;
                fault_point("between-renames");
                if let Err(e) = std::fs::rename(&self.dir, &self.target) {
                    let _ = std::fs::rename(&old, &self.target);
                    return Err(e);
                }
                self.committed = true;
                old
            }
            Err(e) => return Err(e),
        };
        // The new site is in place. Should removing the previous one fail, the
        // next build removes it, as it does a killed build's leftovers.
        let _ = remove_ours(&previous);
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_ours(&self.dir);
        }
    }
}

/// Removes a folder casebook wrote, in an order that is safe to be killed in:
/// everything but the marker first, then the marker, then the folder, which is
/// empty by then. A folder without the marker is only removed if empty.
fn remove_ours(dir: &Path) -> io::Result<()> {
    if dir.join(MARKER).is_file() {
        for item in std::fs::read_dir(dir)? {
            let item = item?;
            if item.file_name() == MARKER {
                continue;
            }
            if item.file_type()?.is_dir() {
                std::fs::remove_dir_all(item.path())?;
            } else {
                std::fs::remove_file(item.path())?;
            }
            fault_point("during-cleanup");
        }
        std::fs::remove_file(dir.join(MARKER))?;
    }
    std::fs::remove_dir(dir)
}

/// Puts right what killed builds left next to `target` (called with the lock
/// held, so no other build is running): an output moved aside by a two-rename
/// swap is moved back, and every other staging or old folder of ours is removed.
fn recover(parent: &Path, target: &Path) -> io::Result<()> {
    let Some(name) = target.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Ok(());
    };
    let prefix = format!(".{name}.casebook-");
    let mut left: Vec<PathBuf> = std::fs::read_dir(parent)?
        .flatten()
        .filter(|item| {
            let file_name = item.file_name().to_string_lossy().into_owned();
            file_name.starts_with(&prefix)
        })
        .map(|item| item.path())
        .collect();
    left.sort();
    if target.symlink_metadata().is_err() {
        let moved_aside = left.iter().position(|path| {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            name.starts_with(&format!("{prefix}old-")) && path.join(MARKER).is_file()
        });
        if let Some(i) = moved_aside {
            std::fs::rename(left.remove(i), target)?;
        }
    }
    for path in left {
        let _ = remove_ours(&path);
    }
    Ok(())
}

/// Writes files under a folder, creating parent folders as needed.
pub struct DiskSink {
    dir: PathBuf,
    /// The test hook [`PAUSE_AFTER_FILES`], when set.
    pause_after: Option<usize>,
    written: AtomicUsize,
}

impl DiskSink {
    /// A sink writing under `dir`.
    pub fn new(dir: &Path) -> DiskSink {
        DiskSink {
            dir: dir.to_path_buf(),
            pause_after: test_hook(PAUSE_AFTER_FILES).and_then(|n| n.parse().ok()),
            written: AtomicUsize::new(0),
        }
    }

    /// Counts a written file; under the pause hook, stops the writer for good
    /// once enough are written, so a test can kill a build in the middle.
    fn wrote(&self) {
        let written = self.written.fetch_add(1, Ordering::SeqCst) + 1;
        if self.pause_after.is_some_and(|n| written >= n) {
            loop {
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
        }
    }

    /// Creates the file at `relative`, and its folders the first time one
    /// is missing (asking for them before every file cost two system calls
    /// a file, some 46,000 files at 18,000 entries).
    fn create(&self, relative: &str) -> io::Result<std::fs::File> {
        // Output paths are built from validated ids; this is a second line of defence.
        let rel = Path::new(relative);
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("unsafe output path {relative:?}"),
            ));
        }
        let path = self.dir.join(rel);
        match std::fs::File::create(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::File::create(&path)
            }
            created => created,
        }
    }
}

impl Sink for DiskSink {
    fn put(&self, relative: &str, bytes: Vec<u8>) -> io::Result<()> {
        self.create(relative)?.write_all(&bytes)?;
        self.wrote();
        Ok(())
    }
    fn copy(&self, relative: &str, from: &Path) -> io::Result<()> {
        let mut source = crate::paths::open_regular(from)?;
        let mut target = self.create(relative)?;
        io::copy(&mut source, &mut target)?;
        self.wrote();
        Ok(())
    }
    fn put_parts(
        &self,
        relative: &str,
        parts: &mut dyn Iterator<Item = Vec<u8>>,
    ) -> io::Result<()> {
        let mut file = self.create(relative)?;
        for part in parts {
            file.write_all(&part)?;
        }
        self.wrote();
        Ok(())
    }
}

/// A summary CSV cell made safe to open in a spreadsheet: one starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return would be read as a formula
/// (CSV injection), so it gets a leading `'`, as OWASP recommends.
pub fn csv_cell(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dangerous_outputs() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        std::fs::create_dir(root.join("content")).unwrap();
        assert!(check_output(root, root).is_err());
        assert!(check_output(root, &root.join("content")).is_err());
        assert!(check_output(root, &root.join("content/x")).is_err());
        assert!(check_output(root, root.parent().unwrap()).is_err());
        assert!(check_output(root, Path::new("/")).is_err());
        assert!(check_output(root, &root.join("public")).is_ok());
        let foreign = root.join("other");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
        let err = check_output(root, &foreign).unwrap_err();
        assert!(
            err.message.contains("not written by casebook"),
            "{}",
            err.message
        );
        std::fs::write(foreign.join(MARKER), "").unwrap();
        assert!(check_output(root, &foreign).is_ok());
    }

    #[test]
    fn staging_swaps_in_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let s = Staging::create(&target).unwrap();
        DiskSink::new(s.dir())
            .put("a/index.html", b"one".to_vec())
            .unwrap();
        s.commit().unwrap();
        assert_eq!(std::fs::read(target.join("a/index.html")).unwrap(), b"one");

        // A staging folder dropped without commit leaves the output alone.
        let s = Staging::create(&target).unwrap();
        DiskSink::new(s.dir())
            .put("a/index.html", b"two".to_vec())
            .unwrap();
        drop(s);
        assert_eq!(std::fs::read(target.join("a/index.html")).unwrap(), b"one");
        // What stays next to the output: the output and its lock file.
        let mut leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        leftovers.sort();
        assert_eq!(leftovers, [".public.casebook.lock", "public"]);

        // A second commit replaces the first output whole.
        let s = Staging::create(&target).unwrap();
        DiskSink::new(s.dir())
            .put("b/index.html", b"three".to_vec())
            .unwrap();
        s.commit().unwrap();
        assert!(!target.join("a").exists());
        assert_eq!(
            std::fs::read(target.join("b/index.html")).unwrap(),
            b"three"
        );
        assert!(target.join(MARKER).is_file());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn exchange_is_atomic_here() {
        // The file system the tests run on supports the exchange, so the build's
        // swap is not silently the two-rename fallback.
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir(&a).unwrap();
        std::fs::create_dir(&b).unwrap();
        std::fs::write(a.join("x"), "from a").unwrap();
        exchange(&a, &b).unwrap();
        assert_eq!(std::fs::read_to_string(b.join("x")).unwrap(), "from a");
        assert!(!a.join("x").exists());
    }

    #[test]
    fn recovery_restores_a_moved_aside_output_and_removes_only_our_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let marked = |name: &str, files: &[&str]| {
            let path = dir.path().join(name);
            std::fs::create_dir(&path).unwrap();
            std::fs::write(path.join(MARKER), MARKER_TEXT).unwrap();
            for file in files {
                std::fs::create_dir_all(path.join(file).parent().unwrap()).unwrap();
                std::fs::write(path.join(file), file).unwrap();
            }
            path
        };
        // A build killed between the two renames: no output, the old one aside.
        marked(".public.casebook-old-1", &["index.html", "a/index.html"]);
        // A build killed while writing, and one killed while removing (marker kept).
        marked(".public.casebook-tmp-2", &["x/index.html"]);
        marked(".public.casebook-tmp-3", &[]);
        // Killed between making a staging folder and marking it: empty.
        std::fs::create_dir(dir.path().join(".public.casebook-tmp-4")).unwrap();
        // Not ours: no marker, not empty.
        let foreign = dir.path().join(".public.casebook-tmp-5");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("notes"), "mine").unwrap();
        recover(dir.path(), &target).unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("a/index.html")).unwrap(),
            "a/index.html"
        );
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, [".public.casebook-tmp-5", "public"]);
    }

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_are_quoted() {
        for bad in ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(csv_cell(bad), format!("'{bad}"), "{bad:?}");
        }
        for fine in ["Health", "12", "", "a=b", "Health & education"] {
            assert_eq!(csv_cell(fine), fine);
        }
    }

    #[test]
    fn sink_refuses_escaping_paths() {
        let dir = tempfile::tempdir().unwrap();
        let sink = DiskSink::new(dir.path());
        assert!(sink.put("../x", vec![]).is_err());
        assert!(sink.put("/etc/x", vec![]).is_err());
    }
}

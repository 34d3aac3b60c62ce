//! Writing a site to disk without ever leaving a half-written one.
//!
//! A build writes into a fresh staging folder next to the output, marked as a
//! casebook output, and only when every file was written does it swap the
//! staging folder in and delete the previous output. If anything fails, the
//! staging folder is removed and the previous output is untouched. casebook
//! only ever deletes folders that carry its marker file, and refuses outputs
//! that could hold the site itself.

use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::render::Sink;

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

/// A staging folder that becomes the output on [`Staging::commit`] and is removed otherwise.
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    committed: bool,
}

fn sibling(target: &Path, tag: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.casebook-{tag}-{}", std::process::id()))
}

impl Staging {
    /// Creates an empty, marked staging folder next to `target`.
    pub fn create(target: &Path) -> io::Result<Staging> {
        let target = absolute(target)?;
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
            remove_stale(parent, &target);
        }
        let dir = sibling(&target, "tmp");
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir(&dir)?;
        std::fs::write(dir.join(MARKER), MARKER_TEXT)?;
        Ok(Staging {
            dir,
            target,
            committed: false,
        })
    }

    /// Where files are written before the swap.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Swaps the staging folder in as the output and deletes the previous output.
    pub fn commit(mut self) -> io::Result<()> {
        let old = sibling(&self.target, "old");
        let had_previous = self.target.exists();
        if had_previous {
            std::fs::rename(&self.target, &old)?;
        }
        if let Err(e) = std::fs::rename(&self.dir, &self.target) {
            if had_previous {
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(e);
        }
        self.committed = true;
        if had_previous && old.join(MARKER).is_file() {
            std::fs::remove_dir_all(&old)?;
        } else if had_previous {
            // An empty folder without marker: remove only if it is still empty.
            let _ = std::fs::remove_dir(&old);
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed && self.dir.join(MARKER).is_file() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Removes staging or old folders left by builds that were killed, if marked as ours.
fn remove_stale(parent: &Path, target: &Path) {
    let Some(name) = target.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let prefix = format!(".{name}.casebook-");
    let Ok(items) = std::fs::read_dir(parent) else {
        return;
    };
    for item in items.flatten() {
        let file_name = item.file_name().to_string_lossy().into_owned();
        if !file_name.starts_with(&prefix) {
            continue;
        }
        if item.path().join(MARKER).is_file() {
            let _ = std::fs::remove_dir_all(item.path());
        } else {
            // Killed between creating the folder and writing its marker: the folder
            // is still empty, and removing an empty folder cannot lose anything.
            let _ = std::fs::remove_dir(item.path());
        }
    }
}

/// Writes files under a folder, creating parent folders as needed.
pub struct DiskSink {
    dir: PathBuf,
}

impl DiskSink {
    /// A sink writing under `dir`.
    pub fn new(dir: &Path) -> DiskSink {
        DiskSink {
            dir: dir.to_path_buf(),
        }
    }

    fn path(&self, relative: &str) -> io::Result<PathBuf> {
        // Output paths are built from validated ids; this is a second line of defence.
        let rel = Path::new(relative);
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("unsafe output path {relative:?}"),
            ));
        }
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        Ok(path)
    }
}

impl Sink for DiskSink {
    fn put(&self, relative: &str, bytes: Vec<u8>) -> io::Result<()> {
        std::fs::write(self.path(relative)?, bytes)
    }
    fn copy(&self, relative: &str, from: &Path) -> io::Result<()> {
        let mut source = crate::paths::open_regular(from)?;
        let mut target = std::fs::File::create(self.path(relative)?)?;
        io::copy(&mut source, &mut target).map(|_| ())
    }
    fn put_parts(
        &self,
        relative: &str,
        parts: &mut dyn Iterator<Item = Vec<u8>>,
    ) -> io::Result<()> {
        let mut file = std::fs::File::create(self.path(relative)?)?;
        for part in parts {
            file.write_all(&part)?;
        }
        Ok(())
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
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
    }

    #[test]
    fn sink_refuses_escaping_paths() {
        let dir = tempfile::tempdir().unwrap();
        let sink = DiskSink::new(dir.path());
        assert!(sink.put("../x", vec![]).is_err());
        assert!(sink.put("/etc/x", vec![]).is_err());
    }
}

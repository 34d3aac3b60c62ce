//! Paths and file names, the one place that says how casebook treats them.
//!
//! A path is normalised by [`lexical`] (`.` and `..` resolved without
//! touching the disk) and shown by [`display_path`] (`/`-separated on every
//! platform), so link resolution, output checks and messages agree. Which
//! names are editors' temporary files is decided by [`is_temporary_name`],
//! used alike by loading content, reading templates and static files, and the
//! live preview's watcher, so none of them reads or reacts to a file the
//! others ignore.
//!
//! Which files of a site casebook may read is decided here too, once for
//! `build`, `check` and the live preview: a path is read only when it
//! resolves (links followed) to a place inside the site root and is a regular
//! file. [`site_folder`] checks a folder casebook reads from (`content`, a
//! kind's folder, `templates`, `static`); [`site_file`] a file found in one;
//! [`read_inside`] and [`open_regular`] read one without ever opening a FIFO,
//! a device or anything under `/proc` outside the site.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

/// `path` with `.` and `..` resolved lexically (`a/./b/../c` → `a/c`); a `..`
/// at the start, or above the root, is dropped. The disk is not consulted.
pub fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Renders a relative path with forward slashes on every platform.
pub fn display_path(path: &Path) -> String {
    // `/tmp/x` stays absolute, without a doubled slash.
    let mut out = String::new();
    for component in path.components() {
        match component {
            Component::Prefix(prefix) => out.push_str(&prefix.as_os_str().to_string_lossy()),
            Component::RootDir => out.push('/'),
            other => {
                if !out.is_empty() && !out.ends_with('/') {
                    out.push('/');
                }
                out.push_str(&other.as_os_str().to_string_lossy());
            }
        }
    }
    out
}

/// Whether a file name is an editor's or tool's temporary file: vim swap files
/// and its `4913` write test, backups ending in `~`, emacs lock and autosave
/// files (`.#x`, `#x#`), office lock files (`~$x`), JetBrains safe-write files,
/// and the like. Hidden names and names starting with `#` or `~` count too.
pub fn is_temporary_name(name: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "~",
        ".swp",
        ".swx",
        ".swo",
        ".swn",
        ".tmp",
        ".bak",
        ".kate-swp",
        ".crswap",
        "___jb_tmp___",
        "___jb_old___",
    ];
    name.is_empty()
        || name.starts_with(['.', '#', '~'])
        || name == "4913"
        || SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Why a path of the site is not read.
#[derive(Debug)]
pub enum Refused {
    /// It resolves (through a symbolic link) to a place outside the site root.
    Outside(PathBuf),
    /// It is a FIFO, socket, device or other special file.
    Special,
    /// It is a folder where a file was expected, or a file where a folder was.
    WrongType,
    /// A symbolic link that points nowhere (or loops).
    Broken(io::Error),
    /// It could not be read.
    Io(io::Error),
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::Outside(target) => write!(
                f,
                "symbolic link to a {} outside the site is not followed (it resolves to {})",
                if target.is_dir() { "folder" } else { "file" },
                target.display()
            ),
            Refused::Special => f.write_str(
                "not a regular file (a FIFO, socket or device): casebook does not open it",
            ),
            Refused::WrongType => f.write_str("is not the kind of file expected here"),
            Refused::Broken(e) => write!(f, "broken symbolic link: {e}"),
            Refused::Io(e) => write!(f, "cannot read: {e}"),
        }
    }
}

impl Refused {
    /// Whether this is only a link that points nowhere (skipped, not refused).
    pub fn is_broken_link(&self) -> bool {
        matches!(self, Refused::Broken(_))
    }
}

impl From<Refused> for io::Error {
    fn from(refused: Refused) -> io::Error {
        match refused {
            Refused::Io(e) | Refused::Broken(e) => e,
            other => io::Error::other(other.to_string()),
        }
    }
}

/// The site root with links resolved, or as given when it cannot be.
fn canonical_root(root: &Path) -> PathBuf {
    // An empty root is the current folder (an empty prefix would let
    // everything count as inside).
    let root = if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    };
    root.canonicalize().unwrap_or_else(|_| root.to_path_buf())
}

/// Resolves `path` and checks that it lies inside `root`; returns the resolved
/// path and its metadata (of the target, not of a link).
fn resolve(root: &Path, path: &Path) -> Result<(PathBuf, std::fs::Metadata), Refused> {
    let target = match path.canonicalize() {
        Ok(target) => target,
        Err(e)
            if path
                .symlink_metadata()
                .is_ok_and(|m| m.file_type().is_symlink()) =>
        {
            return Err(Refused::Broken(e));
        }
        Err(e) => return Err(Refused::Io(e)),
    };
    if !target.starts_with(canonical_root(root)) {
        return Err(Refused::Outside(target));
    }
    let meta = std::fs::symlink_metadata(&target).map_err(Refused::Io)?;
    Ok((target, meta))
}

/// Checks a folder casebook reads from (`root/dir`): `Ok(false)` when there is
/// none, `Ok(true)` when it is a folder inside the site, and a refusal when it
/// is a link out of the site or not a folder.
pub fn site_folder(root: &Path, dir: &Path) -> Result<bool, Refused> {
    if dir.symlink_metadata().is_err() {
        return Ok(false);
    }
    let (_, meta) = resolve(root, dir)?;
    if meta.is_dir() {
        Ok(true)
    } else {
        Err(Refused::WrongType)
    }
}

/// Checks a file found in a site folder: it must resolve inside the site and
/// be a regular file. Returns the resolved path.
pub fn site_file(root: &Path, path: &Path) -> Result<PathBuf, Refused> {
    let (target, meta) = resolve(root, path)?;
    if meta.is_file() {
        Ok(target)
    } else if meta.is_dir() {
        Err(Refused::WrongType)
    } else {
        Err(Refused::Special)
    }
}

/// Opens a regular file for reading without blocking on a FIFO or device: it
/// is opened non-blocking and its type checked on the open handle, so a file
/// swapped for a special file after it was checked is refused too.
pub fn open_regular(path: &Path) -> Result<File, Refused> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(Refused::Io)?;
    let meta = file.metadata().map_err(Refused::Io)?;
    if meta.is_file() {
        Ok(file)
    } else if meta.is_dir() {
        Err(Refused::WrongType)
    } else {
        Err(Refused::Special)
    }
}

/// Reads a file of the site under the policy above: checked with
/// [`site_file`], then read through [`open_regular`].
pub fn read_inside(root: &Path, path: &Path) -> Result<Vec<u8>, Refused> {
    let target = site_file(root, path)?;
    let mut file = open_regular(&target)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(Refused::Io)?;
    Ok(bytes)
}

/// What [`walk_folder`] found under a folder of the site.
#[derive(Debug, Default)]
pub struct Walk {
    /// Files to read (the paths as found, under the folder), in a stable order.
    pub files: Vec<PathBuf>,
    /// Paths that are not read, and why: links out of the site, broken links,
    /// special files, unreadable folders. Reported as warnings.
    pub skipped: Vec<(PathBuf, Refused)>,
}

/// The files under `dir` (a folder of the site `root`) whose names `wanted`
/// accepts, under the policy of this module. Hidden folders are not entered
/// and links to folders are not followed; a link to a file is followed only to
/// a regular file inside the site. `dir` itself may be a link to a folder
/// inside the site; a `dir` that leads out of the site, or is not a folder,
/// is refused as a whole (an error for the caller).
pub fn walk_folder(
    root: &Path,
    dir: &Path,
    wanted: impl Fn(&str) -> bool,
) -> Result<Walk, Refused> {
    let mut walk = Walk::default();
    if !site_folder(root, dir)? {
        return Ok(walk);
    }
    let items = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|item| {
            item.depth() == 0
                || !item.file_type().is_dir()
                || !item.file_name().to_string_lossy().starts_with('.')
        });
    for item in items {
        let item = match item {
            Ok(item) => item,
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_path_buf();
                walk.skipped.push((path, Refused::Io(e.into())));
                continue;
            }
        };
        let kind = item.file_type();
        if kind.is_dir() || !wanted(&item.file_name().to_string_lossy()) {
            continue;
        }
        let path = item.path().to_path_buf();
        if kind.is_symlink() {
            match site_file(root, &path) {
                Ok(_) => walk.files.push(path),
                // A link to a folder is not entered, silently, as before.
                Err(Refused::WrongType) => {}
                Err(why) => walk.skipped.push((path, why)),
            }
        } else if kind.is_file() {
            walk.files.push(path);
        } else {
            walk.skipped.push((path, Refused::Special));
        }
    }
    Ok(walk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_resolves_dots_without_the_disk() {
        assert_eq!(lexical(Path::new("a/./b/../c")), Path::new("a/c"));
        assert_eq!(lexical(Path::new("../a/../../b")), Path::new("b"));
        assert_eq!(lexical(Path::new("/x/../../y")), Path::new("/y"));
        assert_eq!(
            display_path(&lexical(Path::new("content/practices/../literature/l1.md"))),
            "content/literature/l1.md"
        );
    }

    #[test]
    fn temporary_names() {
        for name in [
            ".p12.md.swp",
            "p12.md.swp",
            "p12.md~",
            ".#p12.md",
            "#p12.md#",
            "#p12.md",
            "~$report.md",
            "4913",
            "p12.md___jb_tmp___",
            "style.css.bak",
            "",
        ] {
            assert!(is_temporary_name(name), "{name}");
        }
        for name in ["p12.md", "style.css", "logo.svg", "4914", "a~b.md"] {
            assert!(!is_temporary_name(name), "{name}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn reads_only_regular_files_inside_the_site() {
        let site = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let root = site.path();
        std::fs::write(root.join("a.md"), "a").unwrap();
        std::fs::write(outside.path().join("b.md"), "b").unwrap();
        std::os::unix::fs::symlink(root.join("a.md"), root.join("in.md")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("b.md"), root.join("out.md")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("dir")).unwrap();
        std::os::unix::fs::symlink(root.join("nowhere"), root.join("broken.md")).unwrap();
        let fifo = root.join("fifo.md");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: `c` is a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert_eq!(read_inside(root, &root.join("a.md")).unwrap(), b"a");
        assert_eq!(read_inside(root, &root.join("in.md")).unwrap(), b"a");
        assert!(matches!(
            read_inside(root, &root.join("out.md")),
            Err(Refused::Outside(_))
        ));
        assert!(matches!(read_inside(root, &fifo), Err(Refused::Special)));
        assert!(matches!(open_regular(&fifo), Err(Refused::Special)));
        assert!(read_inside(root, &root.join("broken.md"))
            .unwrap_err()
            .is_broken_link());
        assert!(matches!(
            site_folder(root, &root.join("dir")),
            Err(Refused::Outside(_))
        ));
        assert!(!site_folder(root, &root.join("none")).unwrap());
        assert!(matches!(
            site_folder(root, &root.join("a.md")),
            Err(Refused::WrongType)
        ));
    }
}

//! Paths and file names, the one place that says how casebook treats them.
//!
//! A path is normalised by [`lexical`] (`.` and `..` resolved without
//! touching the disk) and shown by [`display_path`] (`/`-separated on every
//! platform), so link resolution, output checks and messages agree. Which
//! names are editors' temporary files is decided by [`is_temporary_name`],
//! used alike by loading content, reading templates and static files, and the
//! live preview's watcher, so none of them reads or reacts to a file the
//! others ignore.

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
}

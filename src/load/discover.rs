//! Finding the files under `content/` that casebook reads.
//!
//! Entries are the `*.md` files in each kind's folder (at any depth), free
//! pages those in `content/pages/`; both are listed in a stable order.
//! Hidden files and folders and editors' temporary files are skipped, and a
//! symbolic link is followed only to a file inside the site. Nothing is read
//! here: the files are only found.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::{CONTENT_DIR, PAGES_DIR};
use crate::diagnostic::Diagnostic;
use crate::model::Config;
use crate::paths::is_temporary_name;

/// A content file found on disk.
#[derive(Debug, Clone)]
pub struct ContentFile {
    /// Absolute (or root-joined) path.
    pub path: PathBuf,
    /// Path relative to the site root, for messages.
    pub relative: PathBuf,
    /// Kind index.
    pub kind: usize,
}

/// Whether a file name is one casebook reads: `*.md`, not hidden, not an editor's
/// temporary or backup file.
pub fn is_content_file_name(name: &str) -> bool {
    name.ends_with(".md") && !is_temporary_name(name)
}

/// Every entry file, by kind, in a stable order.
pub fn discover(
    root: &Path,
    config: &Config,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<ContentFile> {
    let content = root.join(CONTENT_DIR);
    if !content.is_dir() {
        diagnostics.push(Diagnostic::warning(
            CONTENT_DIR,
            "no content/ folder: the site has no entries",
        ));
    }
    let mut files = Vec::new();
    for (kind, k) in config.kinds.iter().enumerate() {
        for (path, relative) in walk_markdown(root, &content.join(&k.dir), diagnostics) {
            files.push(ContentFile {
                path,
                relative,
                kind,
            });
        }
    }
    files
}

/// Every free page file, as (path, path relative to the root).
pub(super) fn discover_pages(
    root: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(PathBuf, PathBuf)> {
    walk_markdown(root, &root.join(CONTENT_DIR).join(PAGES_DIR), diagnostics)
}

/// The Markdown files under `dir`, as (path, path relative to `root`).
fn walk_markdown(
    root: &Path,
    dir: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(PathBuf, PathBuf)> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return out;
    }
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    // Hidden folders are not entered (the watcher of the live preview ignores
    // them too); hidden files are skipped with the other temporary names.
    let walk = WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|item| {
            item.depth() == 0 || !item.file_name().to_string_lossy().starts_with('.')
        });
    for item in walk {
        let item = match item {
            Ok(item) => item,
            Err(e) => {
                let rel = e
                    .path()
                    .and_then(|p| p.strip_prefix(root).ok())
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| dir.strip_prefix(root).unwrap_or(dir).to_path_buf());
                diagnostics.push(Diagnostic::error(rel, format!("cannot read: {e}")));
                continue;
            }
        };
        let name = item.file_name().to_string_lossy();
        if !is_content_file_name(&name) {
            continue;
        }
        let path = item.path().to_path_buf();
        let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        if item.path_is_symlink() {
            // Follow a link only to a file inside the site; a link out of the site
            // or a dangling link is reported and skipped.
            match path.canonicalize() {
                Ok(target) if target.starts_with(&canonical_root) && target.is_file() => {}
                Ok(_) => {
                    diagnostics.push(Diagnostic::warning(
                        relative,
                        "symbolic link to a file outside the site is not followed",
                    ));
                    continue;
                }
                Err(e) => {
                    diagnostics.push(Diagnostic::warning(
                        relative,
                        format!("broken symbolic link is skipped: {e}"),
                    ));
                    continue;
                }
            }
        } else if !item.file_type().is_file() {
            continue;
        }
        out.push((path, relative));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paths::display_path;

    #[test]
    fn hidden_folders_and_temporary_files_are_not_content() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        let (config, _) = Config::parse(
            "title: T\nkinds:\n  - { id: practice, label: Practices, dir: practices }\n",
        )
        .unwrap();
        let practices = root.join("content/practices");
        for file in [
            "p1.md",
            "sub/p2.md",
            ".hidden/p3.md",
            "sub/.hidden/p4.md",
            ".p5.md",
            "#p6.md#",
            "#p7.md",
            "~$p8.md",
            "p9.md~",
            "p10.md.swp",
            "notes.txt",
        ] {
            let path = practices.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "---\nid: X\ntitle: X\n---\n").unwrap();
        }
        let mut diagnostics = Vec::new();
        let found: Vec<String> = discover(root, &config, &mut diagnostics)
            .iter()
            .map(|f| display_path(&f.relative))
            .collect();
        assert_eq!(
            found,
            ["content/practices/p1.md", "content/practices/sub/p2.md"]
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
    }
}

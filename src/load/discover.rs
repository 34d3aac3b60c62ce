//! Finding the files under `content/` that casebook reads.
//!
//! Entries are the `*.md` files in each kind's folder (at any depth), free
//! pages those in `content/pages/`; both are listed in a stable order.
//! Hidden files and folders and editors' temporary files are skipped, and a
//! symbolic link is followed only to a regular file inside the site (the
//! policy of [`crate::paths`]; `content/` or a kind's folder that leads out
//! of the site is an error). Nothing is read here: the files are only found.

use std::path::{Path, PathBuf};

use super::{CONTENT_DIR, PAGES_DIR};
use crate::diagnostic::Diagnostic;
use crate::model::Config;
use crate::paths::{self, is_temporary_name};

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
    match paths::site_folder(root, &content) {
        Ok(true) => {}
        Ok(false) => diagnostics.push(Diagnostic::warning(
            CONTENT_DIR,
            "no content/ folder: the site has no entries",
        )),
        Err(why) => {
            diagnostics.push(Diagnostic::error(
                CONTENT_DIR,
                format!("{why}: the folder is not read"),
            ));
            return Vec::new();
        }
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
    let content = root.join(CONTENT_DIR);
    if paths::site_folder(root, &content).is_err() {
        return Vec::new(); // refused by `discover`
    }
    walk_markdown(root, &content.join(PAGES_DIR), diagnostics)
}

/// The Markdown files under `dir`, as (path, path relative to `root`), under
/// the reading policy of [`crate::paths`]: a folder that leads out of the site
/// is an error, a file link out of it or a special file is skipped with a
/// warning.
fn walk_markdown(
    root: &Path,
    dir: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(PathBuf, PathBuf)> {
    let relative = |path: &Path| path.strip_prefix(root).unwrap_or(path).to_path_buf();
    let walk = match paths::walk_folder(root, dir, is_content_file_name) {
        Ok(walk) => walk,
        Err(why) => {
            diagnostics.push(Diagnostic::error(
                relative(dir),
                format!("{why}: the folder is not read"),
            ));
            return Vec::new();
        }
    };
    for (path, why) in walk.skipped {
        let message = match why {
            paths::Refused::Broken(e) => format!("broken symbolic link is skipped: {e}"),
            paths::Refused::Io(e) => format!("cannot read: {e}"),
            why => why.to_string(),
        };
        diagnostics.push(Diagnostic::warning(relative(&path), message));
    }
    walk.files
        .into_iter()
        .map(|path| {
            let rel = relative(&path);
            (path, rel)
        })
        .collect()
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

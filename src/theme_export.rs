//! `casebook theme export`: the built-in theme's templates and static files
//! written into a site's `templates/` and `static/`, to be edited there.
//!
//! A file the site already has is never overwritten: it is listed as
//! skipped, so running the command again after an upgrade adds only the
//! files that are new. A site's file takes the place of the built-in one of
//! the same name, so an export followed by a build gives the same site.
//! Small changes need no export at all: `static/custom.css` is loaded after
//! the theme's stylesheet on every page.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::CONFIG_FILE;
use crate::diagnostic::Diagnostic;
use crate::render::theme::{BUILTIN_STATIC, BUILTIN_TEMPLATES, STATIC_DIR, TEMPLATES_DIR};

/// What an export did, as paths relative to the site root.
#[derive(Debug, Default)]
pub struct Exported {
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Files left alone because the site has them already.
    pub skipped: Vec<PathBuf>,
}

/// Writes every built-in template and static file into the site at `root`
/// that it does not have yet.
pub fn export(root: &Path) -> Result<Exported, Diagnostic> {
    if !root.join(CONFIG_FILE).is_file() {
        return Err(Diagnostic::error(
            root.join(CONFIG_FILE),
            "not found: run `casebook theme export` in a site's folder or give --root DIR",
        ));
    }
    let templates = BUILTIN_TEMPLATES
        .iter()
        .map(|(name, text)| (Path::new(TEMPLATES_DIR).join(name), text.as_bytes()));
    let statics = BUILTIN_STATIC
        .iter()
        .map(|(name, bytes)| (Path::new(STATIC_DIR).join(name), *bytes));
    let mut out = Exported::default();
    for (relative, bytes) in templates.chain(statics) {
        let path = root.join(&relative);
        let cannot = |e: std::io::Error| Diagnostic::error(&relative, format!("cannot write: {e}"));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(cannot)?;
        }
        // `create_new` refuses an existing file, even one created meanwhile.
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                file.write_all(bytes).map_err(cannot)?;
                out.written.push(relative);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => out.skipped.push(relative),
            Err(e) => return Err(cannot(e)),
        }
    }
    Ok(out)
}

/// What `casebook theme export` prints.
pub fn summary(exported: &Exported) -> String {
    let mut out = format!(
        "wrote {} file{} of the built-in theme into templates/ and static/",
        exported.written.len(),
        if exported.written.len() == 1 { "" } else { "s" }
    );
    if exported.skipped.is_empty() {
        out.push('\n');
    } else {
        out.push_str(&format!(
            "; skipped {} the site already has (never overwritten):\n",
            exported.skipped.len()
        ));
        for path in &exported.skipped {
            out.push_str(&format!("  {}\n", crate::diagnostic::display_path(path)));
        }
    }
    out.push_str(
        "edit them there: a site's file takes the place of the built-in one; for small style changes, static/custom.css is enough\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn existing_files_are_kept_and_listed() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        std::fs::write(root.join(CONFIG_FILE), "title: T\n").unwrap();
        std::fs::create_dir_all(root.join("templates")).unwrap();
        std::fs::write(root.join("templates/base.html"), "mine").unwrap();
        let done = export(root).unwrap();
        assert_eq!(done.skipped, [PathBuf::from("templates/base.html")]);
        assert_eq!(
            done.written.len(),
            BUILTIN_TEMPLATES.len() + BUILTIN_STATIC.len() - 1
        );
        assert_eq!(
            std::fs::read_to_string(root.join("templates/base.html")).unwrap(),
            "mine"
        );
        assert!(root.join("static/browse.js").is_file());
        let again = export(root).unwrap();
        assert!(again.written.is_empty());
        assert!(summary(&again).contains("  templates/base.html\n"));
    }
}

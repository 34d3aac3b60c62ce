//! The theme: the built-in templates and static files, compiled into the
//! binary, with any file of the site's own `templates/` or `static/` taking the
//! place of the built-in file of the same name. Templates are compiled once
//! per build; a template that fails to parse is reported with its own file,
//! line and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tera::Tera;

use super::escape_html;
use super::template_errors::{self, TemplateSources};
use crate::diagnostic::Diagnostic;

/// The built-in templates, compiled into the binary.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("kind.html", include_str!("../../templates/kind.html")),
    ("entry.html", include_str!("../../templates/entry.html")),
    ("facet.html", include_str!("../../templates/facet.html")),
    ("value.html", include_str!("../../templates/value.html")),
    (
        "combination.html",
        include_str!("../../templates/combination.html"),
    ),
    (
        "summaries.html",
        include_str!("../../templates/summaries.html"),
    ),
    ("summary.html", include_str!("../../templates/summary.html")),
    ("list.html", include_str!("../../templates/list.html")),
    ("page.html", include_str!("../../templates/page.html")),
    ("404.html", include_str!("../../templates/404.html")),
    ("cite.html", include_str!("../../templates/cite.html")),
    ("item.html", include_str!("../../templates/item.html")),
    ("nav.html", include_str!("../../templates/nav.html")),
    (
        "value-link.html",
        include_str!("../../templates/value-link.html"),
    ),
    ("sitemap.xml", include_str!("../../templates/sitemap.xml")),
    ("atom.xml", include_str!("../../templates/atom.xml")),
];

/// The built-in static files, compiled into the binary.
pub const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../../static/style.css")),
    // Home-page filters and search, and filtered-view links on summary pages.
    ("browse.js", include_bytes!("../../static/browse.js")),
    // The site icon every page links (no 404 for `/favicon.ico`).
    ("favicon.svg", include_bytes!("../../static/favicon.svg")),
];

/// Where a site's own templates and static files live, under its root.
pub const TEMPLATES_DIR: &str = "templates";
/// See [`TEMPLATES_DIR`].
pub const STATIC_DIR: &str = "static";

/// A static file to copy: built-in bytes or a file of the site.
#[derive(Debug, Clone)]
pub enum StaticSource {
    /// Compiled into the binary.
    Builtin(&'static [u8]),
    /// A file under the site's `static/`.
    File(PathBuf),
}

/// Compiled templates and the list of static files.
pub struct Theme {
    pub(super) tera: Tera,
    /// Output path → source, sorted.
    pub statics: BTreeMap<String, StaticSource>,
    /// Whether the site has templates of its own under `templates/`.
    pub own_templates: bool,
    /// Every template's text and origin, to locate errors met while rendering.
    pub(super) sources: TemplateSources,
    /// Files of `templates/` and `static/` that were skipped, and why.
    pub warnings: Vec<Diagnostic>,
}

pub(super) fn tera_error_chain(err: &tera::Error) -> String {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

impl Theme {
    /// Compiles the built-in theme with the site's overrides from `root`.
    pub fn load(root: &Path) -> Result<Theme, Vec<Diagnostic>> {
        let mut sources: BTreeMap<String, (String, Option<PathBuf>)> = BUILTIN_TEMPLATES
            .iter()
            .map(|(name, text)| (name.to_string(), (text.to_string(), None)))
            .collect();
        let mut problems = Vec::new();
        for (relative, path) in site_files(root, TEMPLATES_DIR, &mut problems) {
            let shown = PathBuf::from(TEMPLATES_DIR).join(&relative);
            match crate::paths::read_inside(root, &path).map(String::from_utf8) {
                Ok(Ok(text)) => {
                    sources.insert(relative, (text, Some(root.join(shown))));
                }
                Ok(Err(_)) => problems.push(Diagnostic::error(
                    shown,
                    "cannot read template: it is not valid UTF-8 text",
                )),
                Err(e) => problems.push(Diagnostic::error(
                    shown,
                    format!("cannot read template: {e}"),
                )),
            }
        }
        let own_templates = sources.values().any(|(_, path)| path.is_some());
        let mut tera = Tera::default();
        // XML templates escape with the `xml` filter, which also drops the
        // characters XML 1.0 forbids.
        tera.autoescape_on(vec![".html", ".svg"]);
        tera.register_filter("xml", xml_filter);
        tera.set_escape_fn(escape_html);
        super::guard::register(&mut tera);
        // Add templates one by one first, to name the file that fails to parse.
        for (name, (text, path)) in &sources {
            let mut single = Tera::default();
            if let Err(e) = single.add_raw_template(name, text) {
                let message = tera_error_chain(&e);
                if message.contains("isn't loaded") || message.contains("not found") {
                    continue; // needs its parent or macros: checked with all templates below
                }
                let shown = path
                    .as_ref()
                    .and_then(|p| p.strip_prefix(root).ok().map(Path::to_path_buf))
                    .unwrap_or_else(|| PathBuf::from(TEMPLATES_DIR).join(name));
                problems.push(template_errors::parse_error(shown, text, &message));
            }
        }
        if problems.iter().any(Diagnostic::is_error) {
            return Err(problems);
        }
        if let Err(e) =
            tera.add_raw_templates(sources.iter().map(|(n, (t, _))| (n.clone(), t.clone())))
        {
            return Err(vec![Diagnostic::error(
                TEMPLATES_DIR,
                format!("template error: {}", tera_error_chain(&e)),
            )]);
        }
        if let Some(cycle) = super::guard::check_recursion(&tera) {
            let (text, path) = sources
                .get(&cycle.template)
                .map(|(t, p)| (t.as_str(), p.clone()))
                .unwrap_or(("", None));
            let shown = path
                .as_ref()
                .and_then(|p| p.strip_prefix(root).ok().map(Path::to_path_buf))
                .unwrap_or_else(|| PathBuf::from(TEMPLATES_DIR).join(&cycle.template));
            let what = match &cycle.macro_name {
                Some(name) => format!("macro `{name}` calls itself"),
                None => "template includes itself".to_string(),
            };
            let at = cycle.macro_name.as_ref().and_then(|name| {
                let offset = text.find(&format!("macro {name}"))?;
                let before = &text[..offset];
                let line = before.matches('\n').count() + 1;
                let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                Some(crate::diagnostic::Position { line, col })
            });
            return Err(vec![Diagnostic::error(
                shown,
                format!(
                    "template error: {what} ({}): casebook refuses recursive macros and \
                     includes, as a runaway recursion would crash it",
                    cycle.path
                ),
            )
            .at(at, Some(text))]);
        }
        let mut statics: BTreeMap<String, StaticSource> = BUILTIN_STATIC
            .iter()
            .map(|(name, bytes)| (name.to_string(), StaticSource::Builtin(bytes)))
            .collect();
        for (relative, path) in site_files(root, STATIC_DIR, &mut problems) {
            statics.insert(relative, StaticSource::File(path));
        }
        if problems.iter().any(Diagnostic::is_error) {
            return Err(problems);
        }
        let sources = sources
            .into_iter()
            .map(|(name, (text, path))| {
                let shown = path.map(|p| p.strip_prefix(root).map(Path::to_path_buf).unwrap_or(p));
                (name, (text, shown))
            })
            .collect();
        Ok(Theme {
            tera,
            statics,
            own_templates,
            sources: TemplateSources::new(sources),
            warnings: problems,
        })
    }
}

/// `{{ text | xml }}`: text escaped for XML content and attribute values.
fn xml_filter(
    value: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let text = match value {
        tera::Value::String(s) => crate::export::xml_escape(s),
        tera::Value::Null => String::new(),
        other => crate::export::xml_escape(&other.to_string()),
    };
    Ok(tera::Value::String(text))
}

/// Files under `root/dir`, as (`/`-separated path relative to `dir`, path to
/// read). Hidden files and editor backups are skipped; the reading policy of
/// [`crate::paths`] holds: `dir` leading out of the site is an error, a file
/// link out of it or a special file is skipped with a warning. The path to
/// read is the link's target, so what is copied is what was checked.
fn site_files(root: &Path, dir: &str, problems: &mut Vec<Diagnostic>) -> Vec<(String, PathBuf)> {
    let base = root.join(dir);
    let walk =
        match crate::paths::walk_folder(root, &base, |name| !crate::paths::is_temporary_name(name))
        {
            Ok(walk) => walk,
            Err(why) => {
                problems.push(Diagnostic::error(
                    dir,
                    format!("{why}: the folder is not read"),
                ));
                return Vec::new();
            }
        };
    for (path, why) in walk.skipped {
        let shown = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        problems.push(Diagnostic::warning(shown, why.to_string()));
    }
    let mut out = Vec::new();
    for path in walk.files {
        let Ok(relative) = path.strip_prefix(&base) else {
            continue;
        };
        let target = crate::paths::site_file(root, &path).unwrap_or_else(|_| path.clone());
        out.push((crate::diagnostic::display_path(relative), target));
    }
    out
}

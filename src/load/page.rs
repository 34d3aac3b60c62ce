//! Free pages from `content/pages/`: front matter → [`Page`], then the body.
//!
//! A page needs a text `title`; `weight` (a whole number) orders the menu;
//! every other key is kept for templates. Its URL is its file name,
//! lowercased, which must be usable in a URL. Links in its body are resolved
//! like an entry's; their warnings name the file but no line, since they are
//! found in the body alone.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use super::front::{normalise_newlines, read_text, split, FileProblems, START};
use super::links::{link_warnings, LinkTargets};
use crate::diagnostic::Diagnostic;
use crate::markdown;
use crate::model::{is_valid_id, Page};

const TITLE: &str = "title";
const WEIGHT: &str = "weight";

/// Reads and checks one page file, given as (path, path relative to the
/// root); returns the page (body not yet rendered) and its Markdown body.
pub(super) fn read_page(file: &(PathBuf, PathBuf)) -> Result<(Page, String), Vec<Diagnostic>> {
    let (path, relative) = file;
    let text = normalise_newlines(read_text(path, relative)?);
    let fm = split(relative, &text)?;
    let mut p = FileProblems::new(relative, &text, &fm);
    let Some(mut map) = p.mapping() else {
        return Err(p.errors);
    };
    let title = match map.remove(TITLE) {
        Some(Json::String(s)) if !s.trim().is_empty() => s,
        _ => {
            p.error(
                p.value(TITLE).or(START),
                "a page needs a text `title`".into(),
            );
            String::new()
        }
    };
    let weight = match map.remove(WEIGHT) {
        None => 0,
        Some(Json::Number(n)) if n.is_i64() => n.as_i64().unwrap_or(0),
        Some(_) => {
            p.error(p.value(WEIGHT), "`weight` must be a whole number".into());
            0
        }
    };
    let stem = slug_of(path);
    if !is_valid_id(&stem) {
        p.error(
            None,
            format!(
                "page file name {stem:?} is not usable in a URL: use letters, digits, '-' and '_'"
            ),
        );
    }
    if !p.errors.is_empty() {
        return Err(p.errors);
    }
    Ok((
        Page {
            slug: stem,
            title,
            weight,
            body_html: String::new(),
            fields: map,
            source: relative.clone(),
        },
        fm.body.to_string(),
    ))
}

/// A page's URL segment: its file stem, lowercased.
fn slug_of(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

/// Renders a checked page's body, adding warnings about its links.
pub(super) fn finish_page(
    mut page: Page,
    markdown: &str,
    targets: &LinkTargets,
    allow_raw_html: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Page {
    let resolver = targets.resolver(&page.source);
    // Pages sit one level below the site root (`about/`).
    let r = markdown::render(markdown, "../", &resolver, allow_raw_html);
    diagnostics.extend(
        link_warnings(&page.source, markdown, 1, &r, targets)
            .into_iter()
            .map(|mut d| {
                // Positions were found in the body alone, not the whole file.
                d.line = None;
                d.col = None;
                d.excerpt = None;
                d
            }),
    );
    diagnostics.extend(markdown::depth_error(&page.source, markdown, None, &r));
    page.body_html = r.html;
    page
}

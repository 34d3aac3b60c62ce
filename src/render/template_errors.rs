//! Template errors in an author's terms: the template file that has the
//! problem (the site's own or a built-in one), its line and column, the
//! cause, once per problem.
//!
//! Tera names the template a page was rendered with, even when the problem
//! is in the parent it extends ("error happened in a parent template"), and
//! gives no position for errors found while rendering. [`render_error`]
//! finds the file by looking for the name Tera complains about (a variable,
//! filter, function or test) in the templates, the page's own first, and
//! [`merge`] reports a problem met by many pages once, with a count. A parse
//! error keeps Tera's cause and position but not its code frame, since the
//! diagnostic prints its own ([`parse_error`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::theme::TEMPLATES_DIR;
use crate::diagnostic::{Diagnostic, Position};

/// Every template's text and, for the site's own, its path under the root.
#[derive(Debug, Default)]
pub struct TemplateSources {
    map: BTreeMap<String, (String, Option<PathBuf>)>,
}

impl TemplateSources {
    /// From template name → (text, the site's file if it is the site's own).
    pub(super) fn new(map: BTreeMap<String, (String, Option<PathBuf>)>) -> TemplateSources {
        TemplateSources { map }
    }

    /// Where a template comes from: its path as shown and whether it is built in.
    fn shown(&self, name: &str) -> (PathBuf, bool) {
        match self.map.get(name).and_then(|(_, p)| p.clone()) {
            Some(path) => (path, false),
            None => (Path::new(TEMPLATES_DIR).join(name), true),
        }
    }
}

/// What is said of a problem in a built-in template.
const BUILTIN_NOTE: &str =
    " (in casebook's built-in template: `casebook theme export` copies it to templates/ to change it)";

/// The chain of causes of a Tera error, outermost first.
fn causes(err: &tera::Error) -> Vec<String> {
    let mut out = vec![err.to_string()];
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        out.push(cause.to_string());
        source = cause.source();
    }
    out
}

/// A template that does not parse: Tera's cause at Tera's position, without
/// Tera's own code frame.
pub(super) fn parse_error(shown: PathBuf, text: &str, message: &str) -> Diagnostic {
    let cause: Vec<&str> = message
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("= "))
        .collect();
    let cause = if cause.is_empty() {
        message.lines().next().unwrap_or(message).to_string()
    } else {
        cause.join("; ")
    };
    Diagnostic::error(shown, format!("template error: cannot parse: {cause}"))
        .at(parse_position(message), Some(text))
}

/// Tera reports "Failed to parse 'x.html'" and then a pest error with ` --> line:col`.
pub(super) fn parse_position(message: &str) -> Option<Position> {
    let at = message.find("--> ")?;
    let rest = &message[at + 4..];
    let mut parts = rest
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty());
    let line = parts.next()?.parse().ok()?;
    let col = parts.next()?.parse().ok()?;
    Some(Position { line, col })
}

/// An error met while rendering `template` for the page `page`, located in
/// the template that has it.
pub(super) fn render_error(
    sources: &TemplateSources,
    template: &str,
    page: &str,
    err: &tera::Error,
) -> Diagnostic {
    let chain = causes(err);
    let in_parent = chain[0].contains("error happened in a parent template");
    let innermost = chain.last().map_or("", String::as_str);
    let cause = innermost
        .rsplit_once(" while rendering '")
        .map_or(innermost, |(c, _)| c);
    let cause = plain_cause(cause);
    let found = culprit(innermost).and_then(|name| find(sources, template, in_parent, &name));
    let (shown, builtin, position) = match &found {
        Some((file, pos)) => {
            let (shown, builtin) = sources.shown(file);
            (shown, builtin, Some(*pos))
        }
        None => {
            let (shown, builtin) = sources.shown(template);
            (shown, builtin, None)
        }
    };
    let text = found
        .as_ref()
        .and_then(|(file, _)| sources.map.get(file))
        .map(|(t, _)| t.as_str());
    let note = if builtin { BUILTIN_NOTE } else { "" };
    Diagnostic::error(
        shown,
        format!("template error: {cause}{note} (rendering {page})"),
    )
    .at(position, text)
}

/// Tera's cause in plainer words, where it is a common one.
fn plain_cause(cause: &str) -> String {
    if let Some(name) = cause
        .strip_prefix("Variable `")
        .and_then(|r| r.split_once("` not found in context"))
        .map(|(n, _)| n)
    {
        return format!(
            "`{name}` is not defined: check its spelling, or write {{% if {name} %}} around it if it is optional"
        );
    }
    for what in ["Filter", "Function", "Test"] {
        let Some(name) = cause
            .strip_prefix(&format!("{what} '"))
            .and_then(|r| r.split_once("' not found"))
            .map(|(n, _)| n)
        else {
            continue;
        };
        let near = (what == "Filter")
            .then(|| crate::diagnostic::suggest(name, TERA_FILTERS.iter().copied()))
            .flatten()
            .filter(|n| *n != name)
            .map_or(String::new(), |n| format!(" (did you mean `{n}`?)"));
        return format!(
            "there is no {} `{name}`{near}: see Tera's list of built-in {}s",
            what.to_lowercase(),
            what.to_lowercase()
        );
    }
    cause.to_string()
}

/// The filters a template can use: Tera's built-in ones that casebook's
/// build of Tera has (not those of its `builtins` feature) and casebook's `xml`.
const TERA_FILTERS: &[&str] = &[
    "lower",
    "upper",
    "wordcount",
    "capitalize",
    "replace",
    "addslashes",
    "trim",
    "trim_start",
    "trim_end",
    "trim_start_matches",
    "trim_end_matches",
    "linebreaksbr",
    "indent",
    "first",
    "last",
    "nth",
    "join",
    "length",
    "reverse",
    "sort",
    "unique",
    "slice",
    "group_by",
    "filter",
    "map",
    "concat",
    "abs",
    "pluralize",
    "round",
    "escape",
    "escape_xml",
    "safe",
    "get",
    "split",
    "int",
    "float",
    "json_encode",
    "as_str",
    "default",
    "xml",
];

/// The name a cause complains about: its first `quoted` or 'quoted' word.
fn culprit(cause: &str) -> Option<String> {
    let quote = cause.find(['`', '\''])?;
    let q = &cause[quote..quote + 1];
    let rest = &cause[quote + 1..];
    let (name, _) = rest.split_once(q)?;
    (!name.is_empty()).then(|| name.to_string())
}

/// The template and position where `name` is written: the rendered
/// template first (unless Tera said the problem is in a parent), then the
/// site's own templates, then the built-in ones.
fn find(
    sources: &TemplateSources,
    template: &str,
    in_parent: bool,
    name: &str,
) -> Option<(String, Position)> {
    let mut order: Vec<&String> = Vec::new();
    if !in_parent {
        order.extend(sources.map.keys().filter(|k| *k == template));
    }
    order.extend(
        sources
            .map
            .iter()
            .filter(|(k, (_, p))| p.is_some() && *k != template)
            .map(|(k, _)| k),
    );
    order.extend(
        sources
            .map
            .iter()
            .filter(|(k, (_, p))| p.is_none() && *k != template)
            .map(|(k, _)| k),
    );
    order.into_iter().find_map(|file| {
        let text = &sources.map[file].0;
        position_of(text, name).map(|pos| (file.clone(), pos))
    })
}

/// The first place `name` is written as a whole name in `text`.
fn position_of(text: &str, name: &str) -> Option<Position> {
    let is_name = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    for (i, line) in text.lines().enumerate() {
        let mut from = 0;
        while let Some(at) = line[from..].find(name) {
            let start = from + at;
            let end = start + name.len();
            let before = line[..start].chars().next_back();
            let after = line[end..].chars().next();
            if !before.is_some_and(is_name) && !after.is_some_and(is_name) {
                return Some(Position {
                    line: i + 1,
                    col: line[..start].chars().count() + 1,
                });
            }
            from = end;
        }
    }
    None
}

/// What makes two render errors the same problem: file, line, column, cause.
type ProblemKey = (String, Option<usize>, Option<usize>, String);

/// Errors met while rendering, each template problem once: the ones that
/// differ only by the page they were met on are merged, naming the first
/// page and how many more.
pub(super) fn merge(errors: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut groups: BTreeMap<ProblemKey, Vec<Diagnostic>> = BTreeMap::new();
    for d in errors {
        let (cause, _) = split_page(&d.message);
        let key = (
            d.path.to_string_lossy().into_owned(),
            d.line,
            d.col,
            cause.to_string(),
        );
        groups.entry(key).or_default().push(d);
    }
    groups
        .into_values()
        .map(|mut group| {
            let others = group.len() - 1;
            let mut d = group.swap_remove(0);
            if others > 0 {
                if let (cause, Some(page)) = split_page(&d.message) {
                    d.message = format!("{cause} (rendering {page} and {others} more)");
                }
            }
            d
        })
        .collect()
}

/// A render error's message as (cause, page).
fn split_page(message: &str) -> (&str, Option<&str>) {
    match message.rsplit_once(" (rendering ") {
        Some((cause, page)) => (cause, page.strip_suffix(')')),
        None => (message, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_whole() {
        assert_eq!(
            position_of("{{ site.title }}\n<b>{{ site.titel }}</b>", "site.titel"),
            Some(Position { line: 2, col: 7 })
        );
        assert_eq!(position_of("{{ site.titles }}", "site.title"), None);
    }
}

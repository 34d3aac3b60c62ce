//! One content file's text and front matter, with its problems located in the file.
//!
//! Shared by entries and free pages: a file is read as UTF-8, its line
//! endings are made LF, its front matter is cut off at the `---` lines and
//! parsed into a mapping. [`FileProblems`] collects errors and warnings found
//! in the front matter, moving positions found in the YAML to lines of the
//! whole file, so every message names the file, line and column.

use std::path::Path;

use serde_json::{Map, Value as Json};

use crate::diagnostic::{Diagnostic, Position, SourceText};
use crate::yaml::{self, FrontMatter, SplitError};

/// Line 1, column 1: of the file, or of the front matter when given to
/// [`FileProblems`] (which shifts it to the file).
pub(super) const START: Option<Position> = Some(Position { line: 1, col: 1 });

/// Turns CRLF and lone CR line endings into LF, so that line numbers from the YAML
/// parser (which counts a lone CR as a line break) match the lines we print.
pub fn normalise_newlines(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Reads a file that must be UTF-8 text (and a regular file inside the site:
/// [`crate::paths::read_inside`]); a file that is not UTF-8 is located at its
/// first bad byte.
pub(super) fn read_text(path: &Path, relative: &Path) -> Result<String, Vec<Diagnostic>> {
    // `path` is the site root joined with `relative`: the root is read back
    // from it, so the file is read under the one policy of `crate::paths`.
    let root = path
        .ancestors()
        .nth(relative.components().count())
        .unwrap_or(path);
    let bytes = crate::paths::read_inside(root, path).map_err(|why| {
        let message = match why {
            crate::paths::Refused::Io(e) => format!("cannot read: {e}"),
            why => format!("cannot read: {why}"),
        };
        vec![Diagnostic::error(relative, message)]
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let col = valid.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        vec![
            Diagnostic::error(relative, "file is not valid UTF-8 text (save it as UTF-8)")
                .at(Some(Position { line, col }), None),
        ]
    })
}

/// Cuts the front matter off a file's text, or explains why there is none.
pub(super) fn split<'a>(
    relative: &Path,
    text: &'a str,
) -> Result<FrontMatter<'a>, Vec<Diagnostic>> {
    yaml::split_front_matter(text).map_err(|e| {
        let message = match e {
            SplitError::Missing if text.trim().is_empty() => {
                "file is empty: an entry needs front matter with at least `id` and `title`"
            }
            SplitError::Missing => "missing front matter: the file must start with a `---` line",
            SplitError::Unterminated => {
                "front matter is not closed: add a `---` line after the last field"
            }
        };
        vec![Diagnostic::error(relative, message).at(START, Some(text))]
    })
}

/// The problems found in one file's front matter: positions are relative to the
/// YAML and shifted to file lines here.
pub(super) struct FileProblems<'a> {
    relative: &'a Path,
    text: SourceText<'a>,
    yaml: &'a str,
    yaml_line: usize,
    /// Errors found so far.
    pub errors: Vec<Diagnostic>,
    /// Warnings found so far.
    pub warnings: Vec<Diagnostic>,
}

impl<'a> FileProblems<'a> {
    /// Problems of the file at `relative` with this text and front matter.
    pub fn new(relative: &'a Path, text: &'a str, fm: &FrontMatter<'a>) -> FileProblems<'a> {
        FileProblems {
            relative,
            text: SourceText::new(text),
            yaml: fm.yaml,
            yaml_line: fm.yaml_line,
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// A position in the YAML as a position in the file.
    pub fn shift(&self, pos: Option<Position>) -> Option<Position> {
        pos.map(|p| Position {
            line: p.line + self.yaml_line - 1,
            col: p.col,
        })
    }

    /// Adds an error at a position in the YAML.
    pub fn error(&mut self, pos: Option<Position>, message: String) {
        let pos = self.shift(pos);
        self.errors
            .push(Diagnostic::error(self.relative, message).at_in(pos, Some(&self.text)));
    }

    /// Adds a warning at a position in the YAML.
    pub fn warning(&mut self, pos: Option<Position>, message: String) {
        let pos = self.shift(pos);
        self.warnings
            .push(Diagnostic::warning(self.relative, message).at_in(pos, Some(&self.text)));
    }

    /// The front matter's YAML.
    pub fn yaml(&self) -> &'a str {
        self.yaml
    }

    /// Where the top-level `key:` is, in the YAML.
    pub fn key(&self, key: &str) -> Option<Position> {
        yaml::locate_key(self.yaml, key)
    }

    /// Where the value of the top-level `key:` is, in the YAML.
    pub fn value(&self, key: &str) -> Option<Position> {
        yaml::locate_value(self.yaml, key)
    }

    /// Locates the items of the list under the top-level `key:`, each at
    /// its own place (the n-th item, not the first one that looks alike).
    pub fn items<'k>(&self, key: &'k str) -> yaml::ItemLocator<'k>
    where
        'a: 'k,
    {
        yaml::ItemLocator::new(self.yaml, key)
    }

    /// Parses the front matter into a mapping, or explains why it is not one.
    pub fn mapping(&mut self) -> Option<Map<String, Json>> {
        match yaml::to_json(self.yaml) {
            Ok(Json::Object(map)) => {
                for (key, pos, message) in crate::yaml_help::value_hints(self.yaml) {
                    // An empty title is an error, explained there.
                    if !(key == "title" && map.get("title").is_some_and(Json::is_null)) {
                        self.warning(Some(pos), message);
                    }
                }
                Some(map)
            }
            Ok(Json::Null) => {
                self.error(
                    START,
                    "front matter is empty: an entry needs at least `id` and `title`".into(),
                );
                None
            }
            Ok(other) => {
                self.error(
                    START,
                    format!(
                        "front matter must be a mapping of `key: value` lines, found {}",
                        type_name(&other)
                    ),
                );
                None
            }
            Err(e) => {
                let (pos, message) = crate::yaml_help::syntax(self.yaml, &e);
                self.error(pos, message);
                None
            }
        }
    }
}

/// What a value is, in words for messages ("a list", "text").
pub(super) fn type_name(value: &Json) -> &'static str {
    match value {
        Json::Null => "nothing",
        Json::Bool(_) => "true/false",
        Json::Number(_) => "a number",
        Json::String(_) => "text",
        Json::Array(_) => "a list",
        Json::Object(_) => "a mapping",
    }
}

//! Problems found in a site, with where they are and what to do about them.
//!
//! Every check in casebook produces [`Diagnostic`]s instead of returning on the
//! first problem, so that one run reports everything. A diagnostic prints as
//! `path:line:col: message`, path relative to the site root, followed by a
//! short excerpt of the offending line when the source is known.

use std::fmt;
use std::path::{Path, PathBuf};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The site cannot be built until this is fixed.
    Error,
    /// Worth a look; the site still builds.
    Warning,
}

/// One problem, located as precisely as we know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// File the problem is in, relative to the site root.
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub col: Option<usize>,
    /// Lowercase message saying what is wrong.
    pub message: String,
    /// The offending source line, for the excerpt.
    pub excerpt: Option<String>,
    /// Whether `col` is a spreadsheet's column, printed as letters (`C`).
    pub cell: bool,
}

impl Diagnostic {
    /// An error in `path` with no position.
    pub fn error(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            line: None,
            col: None,
            message: message.into(),
            excerpt: None,
            cell: false,
        }
    }

    /// A warning in `path` with no position.
    pub fn warning(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, message)
        }
    }

    /// Attaches a position and, from `source`, the excerpt of that line.
    pub fn at(mut self, pos: Option<Position>, source: Option<&str>) -> Self {
        if let Some(pos) = pos {
            self.line = Some(pos.line);
            self.col = Some(pos.col);
            if let Some(src) = source {
                self.excerpt = src
                    .lines()
                    .nth(pos.line - 1)
                    .map(|l| l.trim_end_matches('\r').to_string());
            }
        }
        self
    }

    /// Locates the diagnostic at a spreadsheet cell, by its 1-based row and
    /// column, so that it reads `cases.xlsx:14:C: ...`.
    pub fn at_cell(mut self, row: usize, col: usize) -> Self {
        self.line = Some(row);
        self.col = Some(col);
        self.cell = true;
        self
    }

    /// Whether this diagnostic stops a build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The one-line form: `path:line:col: message` (warnings say so).
    pub fn headline(&self) -> String {
        let mut out = display_path(&self.path);
        if let Some(line) = self.line {
            out.push_str(&format!(":{line}"));
            match self.col {
                Some(col) if self.cell => out.push_str(&format!(":{}", column_letters(col))),
                Some(col) => out.push_str(&format!(":{col}")),
                None => {}
            }
        }
        out.push_str(": ");
        if self.severity == Severity::Warning {
            out.push_str("warning: ");
        }
        out.push_str(&self.message);
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.headline())?;
        if let (Some(line), Some(text)) = (self.line, &self.excerpt) {
            let gutter = line.to_string();
            let pad = " ".repeat(gutter.len());
            let text = text.replace('\t', " ");
            writeln!(f, " {gutter} | {text}")?;
            if let Some(col) = self.col {
                let caret_pad: String = text
                    .chars()
                    .take(col.saturating_sub(1))
                    .map(|_| ' ')
                    .collect();
                writeln!(f, " {pad} | {caret_pad}^")?;
            }
        }
        Ok(())
    }
}

/// A 1-based line and column in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub col: usize,
}

/// A spreadsheet's letters for a 1-based column: `A`, …, `Z`, `AA`, ….
pub fn column_letters(col: usize) -> String {
    let mut n = col.max(1);
    let mut letters = Vec::new();
    while n > 0 {
        letters.push(char::from(b'A' + ((n - 1) % 26) as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// Renders a relative path with forward slashes on every platform.
pub fn display_path(path: &Path) -> String {
    let joined = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    // An absolute path's root is a component of its own: `/` + `/tmp`.
    match joined.strip_prefix("//") {
        Some(rest) => format!("/{rest}"),
        None => joined,
    }
}

/// The closest candidate to `wanted`, if it is close enough to be a likely typo.
pub fn suggest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted_lower = wanted.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = strsim::jaro_winkler(&wanted_lower, &candidate.to_lowercase());
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.filter(|(score, _)| *score >= 0.8).map(|(_, c)| c)
}

/// Sorts diagnostics by file, then position, then message, errors first within a spot.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.path, a.line, a.col, a.severity, &a.message)
            .cmp(&(&b.path, b.line, b.col, b.severity, &b.message))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_has_path_line_col() {
        let d = Diagnostic::error("content/practices/p12.md", "unknown cluster \"comitment\"").at(
            Some(Position { line: 4, col: 12 }),
            Some("a\nb\nc\nclusters: [comitment]\n"),
        );
        assert_eq!(
            d.headline(),
            "content/practices/p12.md:4:12: unknown cluster \"comitment\""
        );
        let shown = d.to_string();
        assert!(shown.contains(" 4 | clusters: [comitment]"), "{shown}");
        assert!(shown.contains("   |            ^"), "{shown}");
    }

    #[test]
    fn cells_print_their_column_letters() {
        let d = Diagnostic::error("cases.xlsx", "unknown country").at_cell(14, 3);
        assert_eq!(d.headline(), "cases.xlsx:14:C: unknown country");
        let letters: Vec<String> = [1, 26, 27, 28, 702, 703].map(column_letters).into();
        assert_eq!(letters, ["A", "Z", "AA", "AB", "ZZ", "AAA"]);
    }

    #[test]
    fn suggests_near_misses_only() {
        let vocab = ["commitment", "delivery-system", "quality-care"];
        assert_eq!(suggest("comitment", vocab), Some("commitment"));
        assert_eq!(suggest("Quality-Care", vocab), Some("quality-care"));
        assert_eq!(suggest("zzz", vocab), None);
    }
}

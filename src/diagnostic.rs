//! Problems found in a site, with where they are and what to do about them.
//!
//! Every check in casebook produces [`Diagnostic`]s instead of returning on the
//! first problem, so that one run reports everything. A diagnostic prints as
//! `path:line:col: message`, path relative to the site root, followed by a
//! short excerpt of the offending line when the source is known.
//!
//! What is printed is bounded and inert: an excerpt is a window of at most
//! [`EXCERPT_WIDTH`] characters around the column, however long the line;
//! [`condense`] prints a few of the same message in one file and counts the
//! rest; and control characters (terminal escape sequences, carriage returns,
//! bidirectional overrides) in paths, messages and excerpts are printed as
//! `\u{..}` escapes by [`printable`], so a file cannot drive the terminal.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
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
    /// The offending source line, cut to a window around the column, for the excerpt.
    pub excerpt: Option<String>,
    /// Characters of the line left out before the window (0 when it starts the line).
    excerpt_cut: usize,
}

/// An excerpt shows at most this many characters of a line (an ellipsis marks a cut).
pub const EXCERPT_WIDTH: usize = 100;

/// Characters kept before the column when a line is cut.
const EXCERPT_BEFORE: usize = 40;

/// A file's text, for cutting excerpts out of it. It remembers where the last
/// excerpt was, so that many diagnostics in one file, in order, cost time in
/// proportion to the file and not to the file times their number.
pub struct SourceText<'a> {
    text: &'a str,
    cursor: Cell<Cursor>,
}

/// A place in a [`SourceText`]: a 1-based line and character column and the
/// byte offsets of that line's start and of that column.
#[derive(Clone, Copy)]
struct Cursor {
    line: usize,
    line_start: usize,
    /// Where the line ends, once known.
    line_end: Option<usize>,
    col: usize,
    byte: usize,
}

const START: Cursor = Cursor {
    line: 1,
    line_start: 0,
    line_end: None,
    col: 1,
    byte: 0,
};

impl<'a> SourceText<'a> {
    /// Wraps a file's text.
    pub fn new(text: &'a str) -> Self {
        SourceText {
            text,
            cursor: Cell::new(START),
        }
    }

    /// The excerpt for `pos`: a window of the line around the column, and how
    /// many characters of the line were cut before it. `None` past the end.
    fn excerpt(&self, pos: Position) -> Option<(String, usize)> {
        let text = self.text;
        let mut c = self.cursor.get();
        if pos.line < c.line {
            c = START;
        }
        while c.line < pos.line {
            let newline = text[c.line_start..].find('\n')?;
            c.line += 1;
            c.line_start += newline + 1;
            c.line_end = None;
            c.col = 1;
            c.byte = c.line_start;
        }
        if c.line_start == text.len() && c.line > 1 {
            return None; // past the last line break: there is no such line
        }
        let line_end = *c.line_end.get_or_insert_with(|| {
            text[c.line_start..]
                .find('\n')
                .map_or(text.len(), |i| c.line_start + i)
        });
        if pos.col < c.col {
            c.col = 1;
            c.byte = c.line_start;
        }
        for ch in text[c.byte..line_end].chars() {
            if c.col == pos.col {
                break;
            }
            c.col += 1;
            c.byte += ch.len_utf8();
        }
        self.cursor.set(c);
        let line = text[c.line_start..line_end].trim_end_matches('\r');
        let at = (c.byte - c.line_start).min(line.len());
        let (start, before) = line[..at]
            .char_indices()
            .rev()
            .take(EXCERPT_BEFORE)
            .fold((at, 0), |(_, n), (i, _)| (i, n + 1));
        let end = line[start..]
            .char_indices()
            .nth(EXCERPT_WIDTH)
            .map_or(line.len(), |(i, _)| start + i);
        let mut out = String::new();
        if start > 0 {
            out.push('…');
        }
        out.push_str(&line[start..end]);
        if end < line.len() {
            out.push('…');
        }
        Some((out, (c.col - 1) - before))
    }
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
            excerpt_cut: 0,
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
    pub fn at(self, pos: Option<Position>, source: Option<&str>) -> Self {
        self.at_in(pos, source.map(SourceText::new).as_ref())
    }

    /// [`Diagnostic::at`] for one of many diagnostics in the same file.
    pub fn at_in(mut self, pos: Option<Position>, source: Option<&SourceText>) -> Self {
        if let Some(pos) = pos {
            self.line = Some(pos.line);
            self.col = Some(pos.col);
            if let Some((excerpt, cut)) = source.and_then(|s| s.excerpt(pos)) {
                self.excerpt = Some(excerpt);
                self.excerpt_cut = cut;
            }
        }
        self
    }

    /// Whether this diagnostic stops a build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The one-line form: `path:line:col: message` (warnings say so), with
    /// control characters escaped.
    pub fn headline(&self) -> String {
        let mut out = printable(&display_path(&self.path)).into_owned();
        if let Some(line) = self.line {
            out.push_str(&format!(":{line}"));
            if let Some(col) = self.col {
                out.push_str(&format!(":{col}"));
            }
        }
        out.push_str(": ");
        if self.severity == Severity::Warning {
            out.push_str("warning: ");
        }
        out.push_str(&printable_message(&self.message));
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
            writeln!(f, " {gutter} | {}", printable(&text))?;
            if let Some(col) = self.col {
                // The caret sits under the column's character as printed: after
                // the ellipsis of a cut line, and past escapes' full width.
                let skipped = col.saturating_sub(1).saturating_sub(self.excerpt_cut)
                    + usize::from(self.excerpt_cut > 0);
                let width: usize = text
                    .chars()
                    .take(skipped)
                    .map(|c| escape(c).map_or(1, |e| e.chars().count()))
                    .sum();
                writeln!(f, " {pad} | {}^", " ".repeat(width))?;
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

pub use crate::paths::display_path;

/// How a character that must not reach the terminal raw is printed, if it is one:
/// C0 and C1 controls and DEL (escape sequences, carriage returns, backspaces) and
/// the bidirectional formatting characters that reorder what is shown.
fn escape(c: char) -> Option<String> {
    let bidi = matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    (c.is_control() || bidi).then(|| c.escape_unicode().to_string())
}

/// `text` with every control character written as a `\u{..}` escape, so that
/// printing it cannot move the cursor, set the terminal title or hide lines.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| escape(c).is_some()) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match escape(c) {
            Some(escaped) => out.push_str(&escaped),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`printable`] for messages, which may span lines on purpose (a template
/// error's own excerpt): line breaks stay, every other control is escaped.
fn printable_message(text: &str) -> Cow<'_, str> {
    if !text.contains('\n') {
        return printable(text);
    }
    Cow::Owned(
        text.split('\n')
            .map(|line| printable(line).into_owned())
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// Of one message in one file (same severity), this many are printed; the rest
/// are counted in one line by [`condense`].
pub const REPEAT_LIMIT: usize = 3;

/// The diagnostics to print: every one, except that after [`REPEAT_LIMIT`] of the
/// same message in the same file the others are replaced by a single line saying
/// how many more there are, located at the first one left out. The order is kept.
pub fn condense(diagnostics: &[Diagnostic]) -> Vec<Cow<'_, Diagnostic>> {
    type Key<'a> = (&'a Path, Severity, &'a str);
    fn key(d: &Diagnostic) -> Key<'_> {
        (d.path.as_path(), d.severity, d.message.as_str())
    }
    let mut totals: HashMap<Key, usize> = HashMap::new();
    for d in diagnostics {
        *totals.entry(key(d)).or_default() += 1;
    }
    let mut seen: HashMap<Key, usize> = HashMap::new();
    let mut out = Vec::new();
    for d in diagnostics {
        let k = key(d);
        let n = seen.entry(k).or_default();
        *n += 1;
        if *n <= REPEAT_LIMIT {
            out.push(Cow::Borrowed(d));
        } else if *n == REPEAT_LIMIT + 1 {
            let more = totals[&k] - REPEAT_LIMIT;
            let mut summary = Diagnostic {
                message: format!(
                    "… and {} more like this, not shown: {}",
                    thousands(more),
                    d.message
                ),
                ..d.clone()
            };
            summary.excerpt = None;
            summary.excerpt_cut = 0;
            out.push(Cow::Owned(summary));
        }
    }
    out
}

/// `9999` → `9,999`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
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
    fn long_lines_are_cut_to_a_window_with_the_caret_in_place() {
        let line = format!("sectors: [{}]", vec!["helth"; 2000].join(", "));
        let source = format!("---\n{line}\n");
        let col = 10 + 7 * 1500 + 1;
        let d = Diagnostic::error("x.md", "unknown sector")
            .at(Some(Position { line: 2, col }), Some(&source));
        let excerpt = d.excerpt.clone().unwrap();
        assert!(excerpt.chars().count() <= EXCERPT_WIDTH + 2, "{excerpt}");
        assert!(excerpt.starts_with('…') && excerpt.ends_with('…'));
        let shown = d.to_string();
        let lines: Vec<&str> = shown.lines().collect();
        let caret = lines[2].chars().position(|c| c == '^').unwrap();
        let under: String = lines[1].chars().skip(caret).take(5).collect();
        assert_eq!(under, "helth", "{shown}");
        // A short line is shown whole.
        let d =
            Diagnostic::error("x.md", "m").at(Some(Position { line: 1, col: 3 }), Some("abcdef"));
        assert_eq!(d.excerpt.as_deref(), Some("abcdef"));
    }

    #[test]
    fn control_characters_are_escaped_wherever_printed() {
        let d = Diagnostic::error("content/a\u{1b}[2J.md", "bad \u{1b}]0;title\u{7} and \r").at(
            Some(Position { line: 1, col: 11 }),
            Some("lead: \u{1b}[8mx\u{202e}y"),
        );
        let shown = d.to_string();
        assert!(
            !shown.contains(['\u{1b}', '\u{7}', '\r', '\u{202e}']),
            "{shown:?}"
        );
        assert!(
            shown.starts_with("content/a\\u{1b}[2J.md:1:11: bad \\u{1b}]0;title\\u{7} and \\u{d}"),
            "{shown}"
        );
        assert!(shown.contains("lead: \\u{1b}[8mx\\u{202e}y"), "{shown}");
        // The caret stands under the `x`, after the escape's full width.
        let lines: Vec<&str> = shown.lines().collect();
        let caret = lines[2].find('^').unwrap();
        assert_eq!(&lines[1][caret..caret + 1], "x", "{shown}");
        assert_eq!(printable("plain"), Cow::Borrowed("plain"));
    }

    #[test]
    fn absolute_paths_print_with_one_slash() {
        assert_eq!(
            display_path(Path::new("/tmp/site/public")),
            "/tmp/site/public"
        );
        assert_eq!(display_path(Path::new("content/a.md")), "content/a.md");
        assert_eq!(Diagnostic::error("/tmp/out", "x").headline(), "/tmp/out: x");
    }

    #[test]
    fn repeats_of_one_message_are_counted_not_printed() {
        let mut all = Vec::new();
        for i in 1..=10_000 {
            all.push(
                Diagnostic::warning("a.md", "sector \"health\" is listed twice")
                    .at(Some(Position { line: 4, col: i }), None),
            );
        }
        all.push(Diagnostic::error("a.md", "other"));
        all.push(Diagnostic::warning(
            "b.md",
            "sector \"health\" is listed twice",
        ));
        let shown = condense(&all);
        assert_eq!(shown.len(), REPEAT_LIMIT + 3);
        let cols: Vec<_> = shown.iter().take(REPEAT_LIMIT).map(|d| d.col).collect();
        assert_eq!(cols, [Some(1), Some(2), Some(3)]);
        assert_eq!(
            shown[REPEAT_LIMIT].headline(),
            "a.md:4:4: warning: … and 9,997 more like this, not shown: sector \"health\" is listed twice"
        );
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn suggests_near_misses_only() {
        let vocab = ["commitment", "delivery-system", "quality-care"];
        assert_eq!(suggest("comitment", vocab), Some("commitment"));
        assert_eq!(suggest("Quality-Care", vocab), Some("quality-care"));
        assert_eq!(suggest("zzz", vocab), None);
    }
}

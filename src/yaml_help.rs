//! Plain words for YAML mistakes, each with the fix: every message an author
//! gets about how a value is written, in front matter or in `catalogue.yaml`.
//!
//! The YAML parser reports what it expected ("mapping values are not allowed
//! in this context"); [`syntax`] reads the line it stopped at and says what
//! the author wrote and how to write it instead, at the place to change: an
//! unquoted `: ` or a leading `[`, `*`, `&` or `#` in a value, a quote that is
//! never closed (located at the opening quote), a key indented differently
//! from its neighbours, a tab, an unknown `mode:`-like choice with a
//! did-you-mean. [`unknown_value`] explains a facet value that is not in the
//! vocabulary (a label written for an id, a list item indented too far),
//! [`value_hints`] values that parse but not as written, and [`not_a_date`] a
//! date in another format, with today's date as the example. Messages follow
//! rustc and Elm: what is wrong, then what to write, in the author's terms.
//! Each message has a fixture under `tests/fixtures/yaml/`.

use crate::diagnostic::{suggest, Position};
use crate::model::Facet;
use crate::yaml::YamlError;

/// A YAML syntax or type error as (where to point, what to say).
pub fn syntax(yaml: &str, err: &YamlError) -> (Option<Position>, String) {
    explain(yaml, err).unwrap_or_else(|| {
        (
            err.position,
            format!(
                "invalid YAML: {} (if a value contains `: `, `#` or starts with `[`, `{{`, `*`, `&` or a quote, put it in quotes)",
                err.message
            ),
        )
    })
}

fn explain(yaml: &str, err: &YamlError) -> Option<(Option<Position>, String)> {
    let message = err.message.as_str();
    if let Some(found) = unclosed_quote(yaml, message).or_else(|| open_quote(yaml)) {
        return Some(found);
    }
    if let Some(found) = tab(yaml) {
        return Some(found);
    }
    if let Some(found) = unknown_variant(message, err.position) {
        return Some(found);
    }
    let pos = err.position?;
    let line = yaml.lines().nth(pos.line.checked_sub(1)?)?;
    let (key, value, value_col) = key_and_value(line);
    if message.starts_with("mapping values are not allowed") {
        if let Some(found) = misindented(yaml, pos.line, line) {
            return Some(found);
        }
        let key = key?;
        return Some((
            at(pos.line, value_col),
            format!(
                "the value of `{key}` contains \": \", which YAML reads as the start of another key; put the value in quotes: {key}: \"{}\"",
                value.replace('"', "\\\"")
            ),
        ));
    }
    if message.starts_with("did not find expected key")
        || message.starts_with("did not find expected ',' or ']'")
        || message.starts_with("did not find expected ',' or '}'")
    {
        return flow(yaml, pos, line);
    }
    let anchor_error = message.starts_with("unknown anchor")
        || message.starts_with("did not find expected alphabetic or numeric character");
    if anchor_error && value.starts_with('&') {
        let key = key?;
        return Some((
            at(pos.line, value_col),
            format!(
                "the value of `{key}` starts with `&`, which YAML reads as an anchor; put the value in quotes: {key}: \"{value}\""
            ),
        ));
    }
    if anchor_error && value.starts_with('*') {
        let key = key?;
        return Some((
            at(pos.line, value_col),
            format!(
                "the value of `{key}` starts with `*`, which YAML reads as a reference to an `&` anchor; put the value in quotes: {key}: \"{value}\""
            ),
        ));
    }
    None
}

/// Position from a line and column, both 1-based.
fn at(line: usize, col: usize) -> Option<Position> {
    Some(Position { line, col })
}

/// The key of a `key: value` line (of a mapping or a `- key: value` item),
/// its value as written, and the value's column.
fn key_and_value(line: &str) -> (Option<&str>, &str, usize) {
    let body = line.trim_start();
    let body = body.strip_prefix("- ").unwrap_or(body).trim_start();
    let offset = line.len() - body.len();
    let Some(colon) = body
        .find(": ")
        .or_else(|| body.strip_suffix(':').map(str::len))
    else {
        return (None, body.trim_end(), offset + 1);
    };
    let key = body[..colon].trim();
    let rest = &body[colon + 1..];
    let value = rest.trim_start();
    let col = offset + colon + 1 + (rest.len() - value.len());
    let valid_key = !key.is_empty() && !key.contains(['"', '\'', '[', '{', ' ']);
    (
        valid_key.then_some(key),
        value.trim_end(),
        line[..col].chars().count() + 1,
    )
}

/// A quote that is never closed, located at the opening quote.
fn unclosed_quote(yaml: &str, message: &str) -> Option<(Option<Position>, String)> {
    let rest = message
        .split("while scanning a quoted scalar at line ")
        .nth(1)?;
    let (line, col) = rest.split_once(" column ")?;
    let line: usize = line.trim().parse().ok()?;
    let col: usize = col
        .trim()
        .trim_end_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .ok()?;
    let text = yaml.lines().nth(line.checked_sub(1)?)?;
    let quote = text.chars().nth(col.checked_sub(1)?).unwrap_or('"');
    let (key, _, _) = key_and_value(text);
    let whose = key.map_or(String::new(), |k| format!(" of `{k}`"));
    Some((
        at(line, col),
        format!(
            "the quote {quote} that opens the value{whose} is never closed: end the value with {quote} on the same line"
        ),
    ))
}

/// A value that opens a quote and does not close it on its line: YAML would
/// go on reading the next lines into it, which an author never means.
fn open_quote(yaml: &str) -> Option<(Option<Position>, String)> {
    yaml.lines().enumerate().find_map(|(i, line)| {
        let (key, value, col) = key_and_value(line);
        let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let rest = &value[1..];
        let closed = if quote == '"' {
            let mut escaped = false;
            rest.chars().any(|c| {
                let end = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                end
            })
        } else {
            rest.contains('\'')
        };
        if closed {
            return None;
        }
        let whose = key.map_or(String::new(), |k| format!(" of `{k}`"));
        Some((
            at(i + 1, col),
            format!(
                "the quote {quote} that opens the value{whose} is never closed: end the value with {quote} on the same line"
            ),
        ))
    })
}

/// A tab where YAML wants spaces: in the indentation, or next to a key or
/// list dash.
fn tab(yaml: &str) -> Option<(Option<Position>, String)> {
    yaml.lines().enumerate().find_map(|(i, line)| {
        let indent: &str = &line[..line.len() - line.trim_start().len()];
        let at_col = if indent.contains('\t') {
            indent.find('\t')
        } else {
            let after_dash = line.trim_start().strip_prefix('-')?;
            after_dash
                .starts_with('\t')
                .then(|| line.len() - after_dash.len())
        }?;
        Some((
            at(i + 1, line[..at_col].chars().count() + 1),
            "this line is indented with a tab, but YAML indents with spaces only: replace the tab with spaces (two per level)".to_string(),
        ))
    })
}

/// A key indented although the line above holds a value (so it cannot be
/// inside it), or indented differently from the keys around it.
fn misindented(yaml: &str, n: usize, line: &str) -> Option<(Option<Position>, String)> {
    let indent = line.len() - line.trim_start().len();
    let (key, _, _) = key_and_value(line);
    let key = key?;
    let lines: Vec<&str> = yaml.lines().take(n - 1).collect();
    let above = *lines
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))?;
    let above_indent = above.len() - above.trim_start().len();
    let (_, above_value, _) = key_and_value(above);
    if indent <= above_indent || above_value.is_empty() {
        return None;
    }
    Some((
        at(n, indent + 1),
        format!(
            "`{key}` is indented by {}, more than the line above, which already has a value; start `{key}` in the same column as the key above it ({})",
            spaces(indent),
            if above_indent == 0 { "at the start of the line".to_string() } else { format!("after {}", spaces(above_indent)) }
        ),
    ))
}

/// A `[` or `{` at the start of a value, on this line or above: a list or
/// mapping never closed, or text that starts with a bracket.
fn flow(yaml: &str, pos: Position, line: &str) -> Option<(Option<Position>, String)> {
    let lines: Vec<&str> = yaml.lines().take(pos.line).collect();
    let openers: Vec<(usize, &str, &str, usize, char)> = lines
        .iter()
        .enumerate()
        .rev()
        .filter_map(|(i, l)| {
            let (key, value, col) = key_and_value(l);
            let closer = match value.chars().next()? {
                '[' => ']',
                '{' => '}',
                _ => return None,
            };
            Some((i + 1, key?, value, col, closer))
        })
        .collect();
    if let Some(&(n, key, value, col, closer)) =
        openers.iter().find(|(_, _, v, _, c)| !v.contains(*c))
    {
        return Some((
            at(n, col),
            format!(
                "the `{}` that opens the value of `{key}` is never closed: end the value with `{closer}` on the same line",
                &value[..1]
            ),
        ));
    }
    let Some(&(n, key, value, col, closer)) = openers.iter().find(|(_, _, v, _, c)| {
        v.rfind(*c)
            .is_some_and(|end| !v[end + 1..].trim().is_empty())
    }) else {
        return unaligned(yaml, pos, line);
    };
    let what = if closer == ']' { "a list" } else { "a mapping" };
    Some((
        at(n, col),
        format!(
            "the value of `{key}` starts with `{}`, so YAML reads it as {what}; if it is text, put it in quotes: {key}: \"{}\"",
            &value[..1],
            value.replace('"', "\\\"")
        ),
    ))
}

/// A key that starts in a column no key above it starts in, where the parser
/// expected the next key of a mapping.
fn unaligned(yaml: &str, pos: Position, line: &str) -> Option<(Option<Position>, String)> {
    let indent = line.len() - line.trim_start().len();
    let (key, _, _) = key_and_value(line);
    let key = key?;
    if pos.col != indent + 1 || line.trim_start().starts_with('-') {
        return None;
    }
    let lines: Vec<&str> = yaml.lines().take(pos.line - 1).collect();
    let left = lines.iter().rev().find_map(|l| {
        let i = l.len() - l.trim_start().len();
        let (k, _, _) = key_and_value(l);
        (i < indent && !l.trim_start().starts_with('-')).then_some((k?, i))
    })?;
    let (near, near_indent) = left;
    Some((
        at(pos.line, pos.col),
        format!(
            "`{key}` is indented by {}, which lines it up with no key above it; keys of one mapping start in the same column: indent `{key}` like `{near}` ({}) or like the keys inside `{near}`",
            spaces(indent),
            spaces(near_indent)
        ),
    ))
}

/// "1 space", "3 spaces".
fn spaces(n: usize) -> String {
    if n == 1 {
        "1 space".to_string()
    } else {
        format!("{n} spaces")
    }
}

/// "unknown variant `pivots`, expected one of ..." as a choice with a
/// did-you-mean.
fn unknown_variant(message: &str, pos: Option<Position>) -> Option<(Option<Position>, String)> {
    let (path, rest) = message.split_once("unknown variant `")?;
    let (written, rest) = rest.split_once('`')?;
    let choices: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    let field = path
        .trim_end_matches([':', ' '])
        .rsplit('.')
        .next()
        .filter(|f| !f.is_empty())
        .unwrap_or("value");
    let near = suggest(written, choices.iter().copied());
    let hint = near.map_or(String::new(), |n| format!(" (did you mean {n:?}?)"));
    Some((
        pos,
        format!(
            "unknown {field} {written:?}{hint}; the choices are {}",
            choices.join(", ")
        ),
    ))
}

/// Why a value is not an id of `facet`'s vocabulary, with the fix.
pub fn unknown_value(facet: &Facet, key: &str, written: &str) -> String {
    let singular = &facet.singular;
    if let Some(v) = facet
        .values
        .iter()
        .find(|v| v.label.eq_ignore_ascii_case(written.trim()))
    {
        return format!(
            "unknown {singular} {written:?}: {} is the label of {}; front matter uses ids (write {key}: [{}])",
            v.label, v.id, v.id
        );
    }
    if let Some((first, second)) = written.split_once(" - ") {
        return format!(
            "unknown {singular} {written:?}: this looks like two list items read as one, because `- {}` is indented further than `- {}`; start every `- ` of the list in the same column",
            second.trim(),
            first.trim()
        );
    }
    let near = suggest(written, facet.values.iter().map(|v| v.id.as_str()));
    match near {
        Some(near) => format!("unknown {singular} {written:?} (did you mean {near:?}?)"),
        None => {
            let ids: Vec<&str> = facet.values.iter().map(|v| v.id.as_str()).take(8).collect();
            let more = if facet.values.len() > ids.len() {
                ", …"
            } else {
                ""
            };
            format!(
                "unknown {singular} {written:?}: the {} are {}{more} (see `facets:` in catalogue.yaml)",
                facet.name,
                ids.join(", ")
            )
        }
    }
}

/// Where the second of two list items read as one (`health - education`)
/// starts: the `- ` indented further than the item above it.
pub fn joined_item(yaml: &str, written: &str) -> Option<Position> {
    let (_, second) = written.split_once(" - ")?;
    let wanted = format!("- {}", second.split(" - ").next()?.trim());
    yaml.lines().enumerate().find_map(|(i, line)| {
        let body = line.trim_start();
        (body == wanted || body.starts_with(&format!("{wanted} "))).then(|| Position {
            line: i + 1,
            col: line.len() - body.len() + 1,
        })
    })
}

/// Top-level values that parse, but not as written: a value starting with
/// `#` (a comment: the value is empty) or `&` (an anchor: the word is
/// dropped). As (key, position of the value, message).
pub fn value_hints(yaml: &str) -> Vec<(String, Position, String)> {
    let mut out = Vec::new();
    for (i, line) in yaml.lines().enumerate() {
        if line.starts_with([' ', '\t', '-', '#']) {
            continue;
        }
        let (Some(key), value, col) = key_and_value(line) else {
            continue;
        };
        let message = if value.starts_with('#') {
            format!(
                "the value of `{key}` starts with `#`, so YAML reads it as a comment and `{key}` is empty; put the value in quotes: {key}: \"{value}\""
            )
        } else if value.starts_with('&') && value.contains(' ') {
            let word = value.split(' ').next().unwrap_or(value);
            format!(
                "the value of `{key}` starts with `&`, so YAML reads `{word}` as an anchor and drops it; put the value in quotes: {key}: \"{value}\""
            )
        } else {
            continue;
        };
        out.push((key.to_string(), Position { line: i + 1, col }, message));
    }
    out
}

/// Why `value` is not a date, with today's date as the example.
pub fn not_a_date(value: &serde_json::Value, today: &str) -> String {
    let written = value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_string);
    let guess = value.as_str().and_then(reorder_date);
    let example = match guess {
        Some(g) if g == today => format!("date: {g}"),
        Some(g) => format!("date: {g} if you meant that day, or date: {today} for today"),
        None => format!("for example date: {today} for today"),
    };
    format!(
        "`date` {written:?} is not a date: write year-month-day, {example} (until then the Atom feed treats this entry as undated)"
    )
}

/// A day/month/year date (`01/12/2026`, `1.12.2026`) as year-month-day,
/// when it can only be read one way as day first.
fn reorder_date(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.trim().split(['/', '.', '-']).collect();
    let [d, m, y] = parts.as_slice() else {
        return None;
    };
    let (d, m, y): (u32, u32, u32) = (d.parse().ok()?, m.parse().ok()?, y.parse().ok()?);
    (y >= 1000 && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// Today's date (UTC) as year-month-day, for examples in messages only:
/// nothing casebook writes depends on the clock.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    crate::export::dates::format_date(i64::try_from(secs).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_a_date() {
        let today = today();
        assert_eq!(
            reorder_date(&today.split('-').rev().collect::<Vec<_>>().join("/")),
            Some(today)
        );
    }

    #[test]
    fn day_first_dates_are_reordered() {
        assert_eq!(reorder_date("01/12/2026").as_deref(), Some("2026-12-01"));
        assert_eq!(reorder_date("soon"), None);
    }
}

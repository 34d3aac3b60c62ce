//! All YAML handling in one place.
//!
//! serde_yaml is archived upstream; every other module goes through the few
//! functions here, so moving to a maintained fork (serde_norway, serde_yml) is
//! a change to the `use` line below and nothing else. Parsed documents come
//! out as `serde_json::Value`, which the rest of casebook works with.
//!
//! serde_yaml gives positions for syntax errors but not for values, so this
//! module also finds keys, values and list items in the source text, to point
//! diagnostics at the right line and column: [`locate_key`], [`locate_value`]
//! and [`locate_item`] for the top level of front matter, [`locate_nested`]
//! for paths of keys and ids deeper down, as in `catalogue.yaml`. They share
//! one notion of a key line and of a whole token.

use serde::de::DeserializeOwned;
use serde_yaml as backend;

use crate::diagnostic::Position;

mod items;

pub use items::{list_items, ItemLocator, ListItem};

/// A YAML syntax or type error with its position, when the parser knows it.
#[derive(Debug, Clone)]
pub struct YamlError {
    /// Lowercase message without position.
    pub message: String,
    /// Where the parser stopped, 1-based.
    pub position: Option<Position>,
    /// The text parses, but reading it into plain maps would drop data (a
    /// repeated key, a merge key, a non-finite number): see [`check_lossless`].
    pub loss: bool,
}

fn convert(err: backend::Error, text: &str) -> YamlError {
    let mut position = err.location().map(|l| Position {
        line: l.line(),
        col: l.column(),
    });
    let mut message = err.to_string();
    // The backend appends " at line X column Y" (or, for characters it cannot
    // read, " at position N" with no line); we report the position ourselves.
    if let Some(i) = message
        .find(" at line ")
        .or_else(|| message.find(" at position "))
    {
        message.truncate(i);
    }
    if message.starts_with("control characters are not allowed") {
        position = first_unprintable(text).or(position);
    }
    YamlError {
        message,
        position,
        loss: false,
    }
}

/// Where the first character YAML does not allow in a document is (its
/// printable set: tab, line breaks, and everything but other control characters).
fn first_unprintable(text: &str) -> Option<Position> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
            || c >= '\u{10000}'
    };
    let (at, _) = text.char_indices().find(|&(_, c)| !allowed(c))?;
    let before = &text[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Some(Position {
        line: before.matches('\n').count() + 1,
        col: before[line_start..].chars().count() + 1,
    })
}

/// Parses a YAML document into `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    backend::from_str(text).map_err(|e| convert(e, text))
}

/// Parses a YAML document into a JSON value (maps keep their order). Duplicate
/// keys are an error; keys must be strings (numbers and booleans are written as
/// text); tags are dropped.
pub fn to_json(text: &str) -> Result<serde_json::Value, YamlError> {
    if text.trim().is_empty() {
        return Ok(serde_json::Value::Null);
    }
    // Going through the backend's own value type catches duplicate keys, which a
    // JSON map would silently overwrite.
    let value: backend::Value = backend::from_str(text).map_err(|e| {
        let mut err = convert(e, text);
        if let Some(key) = err
            .message
            .strip_prefix("duplicate entry with key \"")
            .and_then(|k| k.strip_suffix('"'))
            .map(str::to_string)
        {
            err.position = second_occurrence(text, &key).or(err.position);
            err.message = format!("key `{key}` appears twice");
            err.loss = true;
        }
        err
    })?;
    yaml_to_json(value)
}

fn yaml_to_json(value: backend::Value) -> Result<serde_json::Value, YamlError> {
    use serde_json::Value as J;
    Ok(match value {
        backend::Value::Null => J::Null,
        backend::Value::Bool(b) => J::Bool(b),
        backend::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                J::from(i)
            } else if let Some(u) = n.as_u64() {
                J::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(J::Null, J::Number)
            }
        }
        backend::Value::String(s) => J::String(s),
        backend::Value::Sequence(items) => J::Array(
            items
                .into_iter()
                .map(yaml_to_json)
                .collect::<Result<_, _>>()?,
        ),
        backend::Value::Mapping(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (key, value) in map {
                let key = match key {
                    backend::Value::String(s) => s,
                    backend::Value::Number(n) => n.to_string(),
                    backend::Value::Bool(b) => b.to_string(),
                    _ => {
                        return Err(YamlError {
                            message: "keys must be plain text".into(),
                            position: None,
                            loss: false,
                        })
                    }
                };
                out.insert(key, yaml_to_json(value)?);
            }
            J::Object(out)
        }
        backend::Value::Tagged(tagged) => yaml_to_json(tagged.value)?,
    })
}

/// The line of the second `key:` in the text, at any indentation.
fn second_occurrence(text: &str, key: &str) -> Option<Position> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let trimmed = line.trim_start();
            starts_with_key(trimmed, key).then(|| Position {
                line: i + 1,
                col: line.len() - trimmed.len() + 1,
            })
        })
        .nth(1)
}

/// Checks that reading `text` into plain maps loses nothing, for files read
/// straight into typed settings (`catalogue.yaml`): a key given twice, a YAML
/// merge key (`<<:`, not applied by the parser, so its keys would vanish),
/// two keys that are the same text (`1:` and `"1":`), and `.nan` or `.inf`
/// (no JSON number: it would become empty) are errors, each at its line.
pub fn check_lossless(text: &str) -> Result<(), YamlError> {
    if text.trim().is_empty() {
        return Ok(());
    }
    let value: backend::Value = backend::from_str(text).map_err(|e| {
        let mut err = convert(e, text);
        const DUPLICATE: &str = "duplicate entry with key ";
        if let Some(key) = err.message.find(DUPLICATE).map(|at| {
            err.message[at + DUPLICATE.len()..]
                .trim_matches('"')
                .to_string()
        }) {
            err.position = second_occurrence(text, &key).or(err.position);
            err.message = format!("key `{key}` appears twice");
            err.loss = true;
        }
        err
    })?;
    lossless(text, &value)
}

/// See [`check_lossless`]: one value and everything in it.
fn lossless(text: &str, value: &backend::Value) -> Result<(), YamlError> {
    match value {
        backend::Value::Number(n) if n.as_f64().is_some_and(|f| !f.is_finite()) => Err(YamlError {
            message: format!(
                "`{n}` is not a number casebook can use: write it in quotes if it is text"
            ),
            position: first_token(text, &[".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF"]),
            loss: true,
        }),
        backend::Value::Sequence(items) => items.iter().try_for_each(|v| lossless(text, v)),
        backend::Value::Tagged(tagged) => lossless(text, &tagged.value),
        backend::Value::Mapping(map) => {
            let mut seen = std::collections::HashSet::with_capacity(map.len());
            for (key, value) in map {
                let shown = match key {
                    backend::Value::String(s) if s == "<<" => {
                        return Err(YamlError {
                            message: "YAML merge keys (`<<:`) are not supported: write the keys \
                                      out in full"
                                .into(),
                            position: first_token(text, &["<<"]),
                            loss: true,
                        });
                    }
                    backend::Value::String(s) => s.clone(),
                    backend::Value::Number(n) => n.to_string(),
                    backend::Value::Bool(b) => b.to_string(),
                    backend::Value::Null => "null".into(),
                    _ => {
                        return Err(YamlError {
                            message: "keys must be plain text".into(),
                            position: None,
                            loss: false,
                        })
                    }
                };
                if !seen.insert(shown.clone()) {
                    return Err(YamlError {
                        message: format!(
                            "key `{shown}` appears twice (once quoted, once not: they are the \
                             same key)"
                        ),
                        loss: true,
                        position: second_occurrence(text, &shown)
                            .or_else(|| second_occurrence(text, &format!("\"{shown}\"")))
                            .or_else(|| second_occurrence(text, &format!("'{shown}'"))),
                    });
                }
                lossless(text, value)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The first place one of `tokens` appears in the text (outside comments).
fn first_token(text: &str, tokens: &[&str]) -> Option<Position> {
    text.lines().enumerate().find_map(|(i, line)| {
        let code = line.split(" #").next().unwrap_or(line);
        tokens
            .iter()
            .filter_map(|t| code.find(t))
            .min()
            .map(|at| Position {
                line: i + 1,
                col: code[..at].chars().count() + 1,
            })
    })
}

/// A Markdown file cut into its front matter and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatter<'a> {
    /// The YAML between the `---` lines.
    pub yaml: &'a str,
    /// The Markdown after the closing `---` line.
    pub body: &'a str,
    /// 1-based line of the first YAML line in the file.
    pub yaml_line: usize,
    /// 1-based line where the body starts.
    pub body_line: usize,
}

/// Why a file's front matter could not be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    /// The file does not start with a `---` line.
    Missing,
    /// There is an opening `---` but no closing one.
    Unterminated,
}

fn is_fence(line: &str) -> bool {
    let line = line.trim_end_matches(['\r', '\n']).trim_end();
    line == "---"
}

/// Cuts `---` front matter off the top of a file (a BOM and CRLF are fine).
pub fn split_front_matter(text: &str) -> Result<FrontMatter<'_>, SplitError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().ok_or(SplitError::Missing)?;
    if !is_fence(first) {
        return Err(SplitError::Missing);
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    let mut line_no = 1;
    for line in lines {
        line_no += 1;
        if is_fence(line) || line.trim_end_matches(['\r', '\n']).trim_end() == "..." {
            return Ok(FrontMatter {
                yaml: &text[yaml_start..offset],
                body: &text[offset + line.len()..],
                yaml_line: 2,
                body_line: line_no + 1,
            });
        }
        offset += line.len();
    }
    Err(SplitError::Unterminated)
}

/// Whether `line` starts with the key `key` followed by its colon: `key:`,
/// `key :` or `"key":`.
fn starts_with_key(line: &str, key: &str) -> bool {
    let rest = line.strip_prefix(key).or_else(|| {
        line.strip_prefix('"')
            .and_then(|l| l.strip_prefix(key))
            .and_then(|l| l.strip_prefix('"'))
    });
    rest.is_some_and(|r| r.trim_start().starts_with(':'))
}

/// Finds a top-level `key:` in YAML source; returns its position.
pub fn locate_key(yaml: &str, key: &str) -> Option<Position> {
    yaml.lines()
        .position(|line| starts_with_key(line, key))
        .map(|i| Position {
            line: i + 1,
            col: 1,
        })
}

/// Finds the value of a top-level `key:`: the first non-blank character after the colon,
/// or the first indented line of its block.
pub fn locate_value(yaml: &str, key: &str) -> Option<Position> {
    let key_pos = locate_key(yaml, key)?;
    let line = yaml.lines().nth(key_pos.line - 1)?;
    let colon = line.find(':')?;
    let after = &line[colon + 1..];
    if let Some(off) = after.find(|c: char| !c.is_whitespace()) {
        if !after[off..].starts_with('#') {
            return Some(Position {
                line: key_pos.line,
                col: line[..colon + 1 + off].chars().count() + 1,
            });
        }
    }
    for (i, next) in yaml.lines().enumerate().skip(key_pos.line) {
        if next.trim().is_empty() || next.trim_start().starts_with('#') {
            continue;
        }
        if !next.starts_with([' ', '\t', '-']) {
            break;
        }
        let col = next.chars().take_while(|c| c.is_whitespace()).count() + 1;
        return Some(Position { line: i + 1, col });
    }
    Some(key_pos)
}

/// Finds `item` inside the value of top-level `key` (a flow list on the key's line or
/// a block list below it), at its opening quote if it is quoted; falls back to
/// the key's position.
pub fn locate_item(yaml: &str, key: &str, item: &str) -> Option<Position> {
    let key_pos = locate_key(yaml, key)?;
    let lines: Vec<&str> = yaml.lines().collect();
    let mut candidates = vec![(key_pos.line - 1, lines[key_pos.line - 1])];
    for (i, line) in lines.iter().enumerate().skip(key_pos.line) {
        if line.trim().is_empty() {
            continue;
        }
        if !line.starts_with([' ', '\t', '-', ']', ',']) {
            break;
        }
        candidates.push((i, line));
    }
    for (i, line) in candidates {
        let searchable = if i == key_pos.line - 1 {
            // Skip the key itself.
            line.find(':').map_or(0, |c| c + 1)
        } else {
            0
        };
        if let Some(at) = find_token(&line[searchable..], item) {
            let mut byte = searchable + at;
            if line[..byte].ends_with(['"', '\'']) {
                byte -= 1;
            }
            return Some(Position {
                line: i + 1,
                col: line[..byte].chars().count() + 1,
            });
        }
    }
    Some(key_pos)
}

/// Finds `path[0]:` anywhere in a YAML document, then `path[1]` after it, and so
/// on, for keys and ids below the top level (`["facets", "countries",
/// "GB-ENG"]`). Each step matches a `key:` or `- key:` line or, failing that,
/// the key as a token (`{ id: GB-ENG, ... }`); what is nested under a key on
/// its own line is looked for from the next line on.
pub fn locate_nested(yaml: &str, path: &[&str]) -> Option<Position> {
    let mut from_line = 0;
    let mut found = None;
    for key in path {
        let mut hit = None;
        for (i, line) in yaml.lines().enumerate().skip(from_line) {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            let is_key = starts_with_key(trimmed, key)
                || trimmed
                    .strip_prefix("- ")
                    .is_some_and(|l| starts_with_key(l, key));
            if is_key {
                let col = indent + 1;
                hit = Some((Position { line: i + 1, col }, false));
                break;
            }
            if let Some(at) = find_token(line, key) {
                let col = line[..at].chars().count() + 1;
                hit = Some((Position { line: i + 1, col }, true));
                break;
            }
        }
        let (pos, same_line) = hit?;
        from_line = if same_line { pos.line - 1 } else { pos.line };
        found = Some(pos);
    }
    found
}

/// The byte offset of `token` in `line` as a whole YAML scalar (not part of a
/// longer word such as `commitments` or `GB-ENG` for `GB`).
fn find_token(line: &str, token: &str) -> Option<usize> {
    if token.is_empty() {
        return None;
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '-' || c == '_' || c == '.';
    let mut start = 0;
    while let Some(found) = line[start..].find(token) {
        let at = start + found;
        let before = line[..at].chars().next_back();
        let after = line[at + token.len()..].chars().next();
        if !before.is_some_and(is_word) && !after.is_some_and(is_word) {
            return Some(at);
        }
        start = at + token.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_with_crlf_and_bom() {
        let text = "\u{feff}---\r\nid: P1\r\ntitle: A\r\n---\r\nBody\r\n";
        let fm = split_front_matter(text).unwrap();
        assert_eq!(fm.yaml, "id: P1\r\ntitle: A\r\n");
        assert_eq!(fm.body, "Body\r\n");
        assert_eq!(fm.body_line, 5);
    }

    #[test]
    fn reports_missing_and_unterminated_front_matter() {
        assert_eq!(split_front_matter("# Title\n"), Err(SplitError::Missing));
        assert_eq!(split_front_matter(""), Err(SplitError::Missing));
        assert_eq!(
            split_front_matter("---\nid: P1\n"),
            Err(SplitError::Unterminated)
        );
    }

    #[test]
    fn empty_front_matter_and_empty_body() {
        let fm = split_front_matter("---\n---\n").unwrap();
        assert_eq!(fm.yaml, "");
        assert_eq!(fm.body, "");
    }

    #[test]
    fn locates_items_in_flow_and_block_lists() {
        let yaml = "id: P12\nclusters: [commitment, comitment]\nsectors:\n  - health\n  - helth\n";
        assert_eq!(
            locate_item(yaml, "clusters", "comitment"),
            Some(Position { line: 2, col: 24 })
        );
        assert_eq!(
            locate_item(yaml, "sectors", "helth"),
            Some(Position { line: 5, col: 5 })
        );
        // A token that is part of a longer word is not a match.
        assert_eq!(
            locate_item(yaml, "clusters", "commit"),
            Some(Position { line: 2, col: 1 })
        );
        assert_eq!(
            locate_item("tags: [\"a\", 'b']\n", "tags", "b"),
            Some(Position { line: 1, col: 13 })
        );
        assert_eq!(locate_value(yaml, "id"), Some(Position { line: 1, col: 5 }));
        assert_eq!(
            locate_value(yaml, "sectors"),
            Some(Position { line: 4, col: 3 })
        );
    }

    #[test]
    fn locates_nested_keys_and_ids() {
        let yaml = "title: T\nfacets:\n  sectors:\n    - { id: health, description: \"Not education.\" }\n    - { id: education }\n  \"countries\":\n    - id: GB\n    - { id: GB-ENG, parent: GB }\n";
        let at = |path: &[&str]| locate_nested(yaml, path).map(|p| (p.line, p.col));
        assert_eq!(at(&["facets"]), Some((2, 1)));
        assert_eq!(at(&["facets", "sectors", "health"]), Some((4, 13)));
        // "education." in a sentence is not the id.
        assert_eq!(at(&["facets", "sectors", "education"]), Some((5, 13)));
        assert_eq!(at(&["facets", "countries"]), Some((6, 3)));
        assert_eq!(at(&["facets", "countries", "GB"]), Some((7, 11)));
        assert_eq!(at(&["facets", "countries", "GB-ENG", "GB"]), Some((8, 29)));
        assert_eq!(at(&["facets", "nothing"]), None);
    }

    #[test]
    fn an_empty_id_is_not_found_and_does_not_hang() {
        // Found by hand: an empty token once matched nowhere and looped forever.
        let yaml = "kinds: [{id: \"\", label: X, dir: xs}]\ntitle: T\n";
        assert_eq!(locate_nested(yaml, &["kinds", ""]), None);
        assert_eq!(
            locate_item(yaml, "kinds", ""),
            Some(Position { line: 1, col: 1 })
        );
    }

    #[test]
    fn a_control_character_is_located_on_its_own_line() {
        let err = to_json("id: P1\ntitle: A\nlead: a\u{1b}]0;x\u{7}\n").unwrap_err();
        assert_eq!(err.message, "control characters are not allowed");
        assert_eq!(err.position, Some(Position { line: 3, col: 8 }));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = to_json("id: P1\ntitle: [unclosed\n").unwrap_err();
        assert!(err.position.is_some());
        assert!(!err.message.contains(" at line "));
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            doc.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(to_json(&doc).is_err());
    }
}

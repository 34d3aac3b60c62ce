//! Front matter written the way a person writes it: `title: Recovery`,
//! `countries: [DK]`, `year: 2015`, quotes only where YAML needs them.
//!
//! A text is written plain when that is unambiguous (it reads back as the
//! same text: `2015-03-01` yes, `2015`, `true`, `a: b` or `#5` no), as a
//! literal block (`|`) when it spans lines, and double-quoted otherwise.
//! Whenever there is a doubt, the YAML reader casebook itself uses decides:
//! the written form must read back as the value it came from, so every file
//! written from [`write`] passes `casebook check`'s front-matter parsing.

use serde_json::{Map, Value as Json};

/// The front matter's lines (without the `---` markers), each ending in a newline.
pub fn write(map: &Map<String, Json>) -> String {
    let mut out = String::with_capacity(64 * map.len());
    for (key, value) in map {
        entry(&mut out, 0, key, value);
    }
    out
}

/// One `key: value` line (or block) at `indent` spaces.
fn entry(out: &mut String, indent: usize, key: &str, value: &Json) {
    push_indent(out, indent);
    out.push_str(&write_key(key));
    out.push(':');
    match value {
        Json::Null => out.push('\n'),
        Json::Object(map) if !map.is_empty() => {
            out.push('\n');
            for (k, v) in map {
                entry(out, indent + 2, k, v);
            }
        }
        Json::Array(items) if items.iter().any(needs_block) => {
            out.push('\n');
            for item in items {
                push_indent(out, indent + 2);
                out.push_str("- ");
                out.push_str(&flow(item));
                out.push('\n');
            }
        }
        Json::String(text) if text.contains('\n') && indent == 0 => match literal_block(text) {
            Some(block) => {
                out.push(' ');
                out.push_str(&block);
            }
            None => {
                out.push(' ');
                out.push_str(&double_quoted(text));
                out.push('\n');
            }
        },
        other => {
            out.push(' ');
            out.push_str(&scalar_or_flow(other, false));
            out.push('\n');
        }
    }
}

fn push_indent(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// Whether a list item is better on a line of its own than inside `[...]`.
fn needs_block(item: &Json) -> bool {
    match item {
        Json::String(s) => s.contains('\n') || s.len() > 60,
        Json::Array(a) => !a.is_empty(),
        Json::Object(m) => !m.is_empty(),
        _ => false,
    }
}

/// A value on one line: a scalar, or `[a, b]` / `{k: v}` for collections.
/// Used for list items and for collections in spreadsheet cells.
pub fn flow(value: &Json) -> String {
    scalar_or_flow(value, true)
}

fn scalar_or_flow(value: &Json, in_flow: bool) -> String {
    match value {
        Json::Null => "null".to_string(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => text(s, in_flow),
        Json::Array(items) => {
            let items: Vec<String> = items.iter().map(|v| scalar_or_flow(v, true)).collect();
            format!("[{}]", items.join(", "))
        }
        Json::Object(map) => {
            let pairs: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", text(k, true), scalar_or_flow(v, true)))
                .collect();
            format!("{{{}}}", pairs.join(", "))
        }
    }
}

/// A mapping key: plain when it is a simple word, else double-quoted.
fn write_key(key: &str) -> String {
    let simple = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if simple && plain_reads_back(key, false) {
        key.to_string()
    } else {
        double_quoted(key)
    }
}

/// A text scalar: plain when that reads back as the same text, else quoted.
fn text(s: &str, in_flow: bool) -> String {
    if plain_reads_back(s, in_flow) {
        s.to_string()
    } else {
        double_quoted(s)
    }
}

/// Words some YAML readers take for something other than text.
const SPECIAL_WORDS: &[&str] = &[
    "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", ".inf", "-.inf", "+.inf",
    ".nan",
];

/// Whether `s` may be written without quotes and still read as the text `s`.
fn plain_reads_back(s: &str, in_flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.trim() != s
        || s.chars()
            .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}'))
    {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if s.contains(": ") || s.ends_with(':') || s.contains(" #") {
        return false;
    }
    if in_flow && s.contains([',', '[', ']', '{', '}', ':']) {
        return false;
    }
    if SPECIAL_WORDS.contains(&s.to_ascii_lowercase().as_str()) {
        return false;
    }
    if first.is_ascii_digit() || first == '.' || first == '+' {
        // Numbers, dates and versions: let the reader say what it makes of it.
        let doc = if in_flow {
            format!("[{s}]")
        } else {
            s.to_string()
        };
        let want = Json::String(s.to_string());
        return match crate::yaml::to_json(&doc) {
            Ok(Json::Array(items)) if in_flow => items == [want],
            Ok(value) if !in_flow => value == want,
            _ => false,
        };
    }
    true
}

/// A double-quoted scalar with YAML escapes.
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `|` and the text's lines indented by two spaces, when a literal block
/// reads back as exactly `text` (as the value of a top-level key).
fn literal_block(text: &str) -> Option<String> {
    let first_line = text.lines().find(|l| !l.is_empty())?;
    let awkward = |c: char| {
        (c.is_control() && c != '\n' && c != '\t') || "\u{2028}\u{2029}\u{feff}".contains(c)
    };
    if text.starts_with('\n')
        || first_line.starts_with([' ', '\t'])
        || text.lines().any(|l| !l.is_empty() && l.trim().is_empty())
        || text.chars().any(awkward)
    {
        return None;
    }
    let body = text.trim_end_matches('\n');
    let mut out = String::from(match text.len() - body.len() {
        0 => "|-\n",
        1 => "|\n",
        _ => "|+\n",
    });
    for line in body.split('\n') {
        if !line.is_empty() {
            out.push_str("  ");
            out.push_str(line);
        }
        out.push('\n');
    }
    // Trailing empty lines kept by `|+`.
    for _ in 1..text.len() - body.len() {
        out.push('\n');
    }
    let value = crate::yaml::to_json(&format!("k: {out}")).ok()?;
    (value.get("k")? == &Json::String(text.to_string())).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reads_back(map: &Map<String, Json>) {
        let text = write(map);
        let parsed = crate::yaml::to_json(&text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        assert_eq!(&parsed, &Json::Object(map.clone()), "{text}");
    }

    #[test]
    fn plain_where_a_person_would_write_plain() {
        let map = json!({
            "id": "P12",
            "title": "Recovery",
            "countries": ["DK", "GB-SCT"],
            "year": 2015,
            "ratio": 1.5,
            "open": true,
            "date": "2015-03-01",
            "target_group": "Older people, carers & families",
        });
        let map = map.as_object().unwrap();
        assert_eq!(
            write(map),
            "id: P12\ntitle: Recovery\ncountries: [DK, GB-SCT]\nyear: 2015\nratio: 1.5\nopen: true\ndate: 2015-03-01\ntarget_group: Older people, carers & families\n"
        );
        reads_back(map);
    }

    #[test]
    fn quotes_where_yaml_would_misread() {
        let map = json!({
            "volume": "12",
            "flag": "true",
            "nothing": "null",
            "note": "a: b",
            "hash": "#5",
            "comment": "see # here",
            "leading": " space",
            "empty": "",
            "version": "1.10",
            "hex": "0x1F",
            "dash": "- item",
            "list": ["a, b", "[x]", "c"],
            "quote": "say \"hi\" \\ there",
            "Odd Key": "x",
            "2015": "key that is a number",
            "control": "bell\u{7}",
        });
        let map = map.as_object().unwrap();
        let text = write(map);
        assert!(text.contains("volume: \"12\"\n"), "{text}");
        assert!(text.contains("version: \"1.10\"\n") || text.contains("version: 1.10\n"));
        assert!(text.contains("list: [\"a, b\", \"[x]\", c]\n"), "{text}");
        reads_back(map);
    }

    #[test]
    fn multi_line_text_as_a_literal_block() {
        let map = json!({
            "notes": "First line\nsecond line",
            "kept": "one\n\ntwo\n",
            "many": "end\n\n\n",
            "indented": "  starts with spaces\nnext",
            "nested": {"inner": "a\nb", "list": [1, 2], "deeper": {"x": "y\nz"}},
            "blocky": ["short", "two\nlines", {"k": "v"}],
            "nothing": null,
            "empty_list": [],
            "empty_map": {},
        });
        let map = map.as_object().unwrap();
        let text = write(map);
        assert!(
            text.contains("notes: |-\n  First line\n  second line\n"),
            "{text}"
        );
        assert!(text.contains("kept: |\n  one\n\n  two\n"), "{text}");
        reads_back(map);
    }

    #[test]
    fn numbers_read_back_as_the_same_numbers() {
        for n in [
            json!(0),
            json!(-3),
            json!(2.0),
            json!(1e-7),
            json!(1e21),
            json!(u64::MAX),
        ] {
            let map = json!({ "n": n.clone(), "l": [n] });
            reads_back(map.as_object().unwrap());
        }
    }
}

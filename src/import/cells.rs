//! How the text of a spreadsheet cell becomes a front-matter value, and back.
//!
//! Columns other than `id`, `title`, `body`, `related` and the facets become
//! plain fields. A text cell there is read the way a person means it, much as
//! YAML would read it after `key: `: `2015` is a number, `1.5` too, `true`
//! and `false` are yes/no, `[a, b]` is a list, and anything else is text
//! (`2015-03-01`, `0123`, `1.10`, `Older people`). A cell that starts with an
//! apostrophe is always text, without the apostrophe (`'2015`), as in
//! spreadsheets. [`cell_text`] is the other way round, for `entries.csv`: it
//! writes each value so that [`read_text`] gives it back unchanged.

use serde_json::{Number, Value as Json};

/// The value of a text cell of a plain field; `None` for an empty cell.
pub fn read_text(text: &str) -> Option<Json> {
    let start = text.trim_start();
    if let Some(rest) = start.strip_prefix('\'') {
        return Some(Json::String(rest.to_string()));
    }
    let trimmed = start.trim_end();
    if trimmed.is_empty() {
        return None;
    }
    if let Some(n) = canonical_number(trimmed) {
        return Some(Json::Number(n));
    }
    match trimmed {
        "true" | "True" | "TRUE" => return Some(Json::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Json::Bool(false)),
        _ => {}
    }
    let bracketed = (trimmed.starts_with('[') && trimmed.ends_with(']'))
        || (trimmed.starts_with('{') && trimmed.ends_with('}'));
    if bracketed {
        if let Ok(value @ (Json::Array(_) | Json::Object(_))) = crate::yaml::to_json(trimmed) {
            return Some(value);
        }
    }
    Some(Json::String(trimmed.to_string()))
}

/// A number spelt the one way it is written back: `2015`, `-3`, `1.5`,
/// `2.0`, `1e-7`; not `02015`, `+3`, `1.50` or `1e5`, which stay text.
fn canonical_number(text: &str) -> Option<Number> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let first = digits.chars().next()?;
    if !first.is_ascii_digit() {
        return None;
    }
    if digits.chars().all(|c| c.is_ascii_digit()) {
        if digits.len() > 1 && first == '0' {
            return None;
        }
        return text
            .parse::<i64>()
            .map(Number::from)
            .or_else(|_| text.parse::<u64>().map(Number::from))
            .ok();
    }
    let value: f64 = text.parse().ok()?;
    let number = Number::from_f64(value)?;
    (number.to_string() == text).then_some(number)
}

/// The text of a cell that [`read_text`] reads as `value`; empty for null,
/// which an import leaves out.
pub fn cell_text(value: &Json) -> String {
    match value {
        Json::Null => String::new(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => {
            if read_text(s).as_ref() == Some(value) {
                s.clone()
            } else {
                format!("'{s}")
            }
        }
        Json::Array(_) | Json::Object(_) => {
            let flow = super::front_matter::flow(value);
            if read_text(&flow).as_ref() == Some(value) {
                flow
            } else {
                // JSON is YAML too, and quotes everything.
                serde_json::to_string(value).unwrap_or(flow)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_read_as_a_person_means_them() {
        let cases = [
            ("2015", json!(2015)),
            ("-3", json!(-3)),
            ("1.5", json!(1.5)),
            ("2015-03-01", json!("2015-03-01")),
            ("0123", json!("0123")),
            ("1.10", json!("1.10")),
            ("TRUE", json!(true)),
            ("false", json!(false)),
            ("[a, b]", json!(["a", "b"])),
            ("[draft", json!("[draft")),
            ("'2015", json!("2015")),
            ("'", json!("")),
            ("  Older people  ", json!("Older people")),
            ("line one\nline two\n", json!("line one\nline two")),
        ];
        for (text, want) in cases {
            assert_eq!(read_text(text), Some(want), "{text:?}");
        }
        assert_eq!(read_text("   "), None);
        assert_eq!(read_text(""), None);
    }

    #[test]
    fn cell_text_reads_back_as_the_same_value() {
        let values = [
            json!("12"),
            json!("true"),
            json!("'quoted"),
            json!(" padded "),
            json!(""),
            json!("a\nb\n"),
            json!("[not a list]"),
            json!(12),
            json!(2.0),
            json!(1e-7),
            json!(u64::MAX),
            json!(false),
            json!(["countries", "sectors"]),
            json!(["Doe, Jane", "Roe, Richard"]),
            json!({"a": 1, "b": ["x"]}),
            json!([]),
            json!("Plain text"),
        ];
        for value in values {
            let text = cell_text(&value);
            assert_eq!(read_text(&text), Some(value.clone()), "{value} as {text:?}");
        }
        assert_eq!(cell_text(&json!("12")), "'12");
        assert_eq!(cell_text(&json!(["a", "b"])), "[a, b]");
    }
}

//! The data behind the home page's search and filters: `search-index.json`.
//!
//! One compact JSON document, written at build time, that the home page's
//! script fetches the first time a reader searches. It lists the kinds and
//! every facet's value ids (in vocabulary order, with parents), and for each
//! entry its id, kind, title, URL, facet value ids, the plain text of its
//! other front-matter fields and the words of its body (each distinct word
//! once, in order of first use: search matches words and does not rank, so
//! repeats only cost download time on large catalogues). The filters
//! themselves do not need it: every list item on the home page carries its
//! kind and facet values as `data-*` attributes, so filtering works before
//! (and without) the index. Output is deterministic, like every other file.

use rayon::prelude::*;
use serde_json::{json, Map, Value};

use crate::model::Catalogue;

/// The output path of the search index, relative to the site root.
pub const SEARCH_INDEX: &str = "search-index.json";

/// `search-index.json` for a catalogue.
pub fn index_json(c: &Catalogue) -> Vec<u8> {
    let config = &c.config;
    let kinds: Vec<Value> = config
        .kinds
        .iter()
        .map(|k| json!({ "id": k.id, "label": k.label }))
        .collect();
    let facets: Vec<Value> = config
        .facets
        .iter()
        .map(|f| {
            let values: Vec<Value> = f
                .values
                .iter()
                .map(|v| {
                    let mut obj = Map::new();
                    obj.insert("id".into(), json!(v.id));
                    obj.insert("label".into(), json!(v.label));
                    if let Some(p) = v.parent {
                        obj.insert("parent".into(), json!(f.values[p].id));
                    }
                    Value::Object(obj)
                })
                .collect();
            json!({ "name": f.name, "label": f.label, "values": values })
        })
        .collect();
    // The largest single file of the site: each entry is serialised on its own, in
    // parallel, so the whole document never exists as a tree of JSON values.
    let entries: Vec<Vec<u8>> = c
        .entries
        .par_iter()
        .map(|e| {
            let mut facet_ids = Map::new();
            for (fi, values) in e.facets.iter().enumerate() {
                if values.is_empty() {
                    continue;
                }
                let facet = &config.facets[fi];
                let ids: Vec<&str> = values
                    .iter()
                    .map(|&v| facet.values[v].id.as_str())
                    .collect();
                facet_ids.insert(facet.name.clone(), json!(ids));
            }
            let mut fields = String::new();
            for value in e.fields.values() {
                push_field_text(value, &mut fields);
            }
            let entry = json!({
                "id": e.id,
                "kind": config.kinds[e.kind].id,
                "title": e.title,
                "url": c.entry_url(e),
                "facets": facet_ids,
                "fields": fields.trim_end(),
                "text": distinct_words(&html_to_text(&e.body_html)),
            });
            serde_json::to_vec(&entry).expect("JSON values always serialise")
        })
        .collect();
    // The same bytes as serialising {"version", "kinds", "facets", "entries"} at once.
    let head = json!({ "version": 1, "kinds": kinds, "facets": facets });
    let mut bytes = serde_json::to_vec(&head).expect("JSON values always serialise");
    bytes.pop(); // the closing brace
    bytes.extend_from_slice(b",\"entries\":[");
    let total: usize = entries.iter().map(|e| e.len() + 1).sum();
    bytes.reserve(total + 3);
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            bytes.push(b',');
        }
        bytes.extend_from_slice(entry);
    }
    bytes.extend_from_slice(b"]}\n");
    bytes
}

/// Each word of `text` once (ignoring case), in order of first use. Words are
/// runs of letters and digits, the way the search splits text.
pub fn distinct_words(text: &str) -> String {
    let mut seen: std::collections::HashSet<String, WordHash> = Default::default();
    let mut out = String::with_capacity(text.len() / 2);
    // The lowercase form of the current word, reused: most words have been seen
    // already, so only new ones cost an allocation.
    let mut lower = String::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        lower.clear();
        if word.is_ascii() {
            lower.push_str(word);
            lower.make_ascii_lowercase();
        } else {
            lower.push_str(&word.to_lowercase());
        }
        if !seen.contains(lower.as_str()) {
            seen.insert(lower.clone());
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

/// A fast, non-cryptographic hash for the word set in [`distinct_words`] (the
/// words come from the site's own content; the order of output does not depend
/// on it).
type WordHash = std::hash::BuildHasherDefault<WordHasher>;

/// FNV-1a over the bytes, folded 8 bytes at a time.
#[derive(Default)]
struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut hash = self.0 ^ 0xcbf2_9ce4_8422_2325;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            hash = (hash ^ u64::from_le_bytes(word)).wrapping_mul(0x0000_0100_0000_01b3);
            hash ^= hash >> 29;
        }
        for &b in chunks.remainder() {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = hash;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Appends the text of a front-matter value (strings, numbers, lists, maps), space-separated.
fn push_field_text(value: &Value, out: &mut String) {
    match value {
        Value::Null => {}
        Value::Bool(_) => {} // "yes"/"no" is noise for search
        Value::Number(n) => {
            out.push_str(&n.to_string());
            out.push(' ');
        }
        Value::String(s) => {
            out.push_str(s.trim());
            out.push(' ');
        }
        Value::Array(items) => items.iter().for_each(|v| push_field_text(v, out)),
        Value::Object(map) => map.values().for_each(|v| push_field_text(v, out)),
    }
}

/// The readable text of an HTML fragment: tags dropped (block boundaries become
/// spaces), character references decoded, runs of white space collapsed.
/// Meant for the HTML casebook itself renders from Markdown, not arbitrary pages:
/// the contents of `<script>` and `<style>` (which sanitised bodies never hold)
/// are dropped too.
pub fn html_to_text(html: &str) -> String {
    let mut raw = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        raw.push_str(&rest[..open]);
        let after = &rest[open..];
        let Some(close) = after.find('>') else {
            // A lone '<' (escaped HTML never has one, but be safe): keep the text.
            raw.push_str(after);
            rest = "";
            break;
        };
        let tag = &after[1..close];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        rest = &after[close + 1..];
        if !tag.starts_with('/') && (name == "script" || name == "style") {
            let end = format!("</{name}");
            match rest.to_ascii_lowercase().find(&end) {
                Some(at) => {
                    rest = &rest[at..];
                    rest = rest.find('>').map_or("", |gt| &rest[gt + 1..]);
                }
                None => rest = "",
            }
            raw.push(' ');
            continue;
        }
        if !is_inline(&name) {
            raw.push(' ');
        }
    }
    raw.push_str(rest);
    let decoded = decode_entities(&raw);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Phrasing elements, which do not separate words.
fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "b"
            | "cite"
            | "code"
            | "del"
            | "dfn"
            | "em"
            | "i"
            | "ins"
            | "kbd"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strong"
            | "sub"
            | "sup"
            | "u"
            | "var"
    )
}

/// Decodes the character references HTML renderers and sanitisers emit.
fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after
            .char_indices()
            .take(12)
            .find(|&(_, c)| c == ';')
            .map(|(i, _)| i);
        let decoded = end.and_then(|end| {
            let name = &after[..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_of_rendered_markdown() {
        let html = "<h2>Aims</h2>\n<p>Work &amp; <em>care</em> for <a href=\"x\">young</a> people&#39;s <code>a&lt;b</code>.</p><ul><li>one</li><li>two</li></ul>";
        assert_eq!(
            html_to_text(html),
            "Aims Work & care for young people's a<b. one two"
        );
    }

    #[test]
    fn distinct_words_keep_their_first_spelling_and_order() {
        assert_eq!(
            distinct_words("Care, and care: the CARE team's care-plan; Team."),
            "Care and the team s plan"
        );
    }

    #[test]
    fn blocks_separate_words_and_inline_tags_do_not() {
        assert_eq!(html_to_text("<p>a</p><p>b</p>"), "a b");
        assert_eq!(html_to_text("<p>in<strong>line</strong></p>"), "inline");
        assert_eq!(html_to_text("x<br>y"), "x y");
    }

    #[test]
    fn scripts_styles_and_odd_references() {
        assert_eq!(
            html_to_text("a<script>var x = '<p>';</script>b<style>p{}</style>c"),
            "a b c"
        );
        assert_eq!(
            html_to_text("&#x263A; &#9731; &unknown; & done"),
            "☺ ☃ &unknown; & done"
        );
    }
}

//! The readable text of the HTML casebook renders from Markdown: tags dropped
//! (block elements separate words, phrasing ones do not), character
//! references decoded, white space collapsed. The search index takes a body's
//! words from it, and a result's excerpt is cut from it.

/// The readable text of an HTML fragment: tags dropped (block boundaries become
/// spaces), character references decoded, runs of white space collapsed.
/// Meant for the HTML casebook itself renders from Markdown, not arbitrary pages:
/// the contents of `<script>` and `<style>` (which sanitised bodies never hold)
/// are dropped too.
pub fn html_to_text(html: &str) -> String {
    collapse_white_space(&raw_text(html), usize::MAX)
}

/// The text of [`html_to_text`] before white space is collapsed: what the
/// index splits into words (where white space does not matter).
pub(super) fn raw_text(html: &str) -> String {
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
        let bare = tag.trim_start_matches('/');
        let bare = &bare[..bare.bytes().take_while(u8::is_ascii_alphanumeric).count()];
        let lower;
        let name = if bare.bytes().any(|b| b.is_ascii_uppercase()) {
            lower = bare.to_ascii_lowercase();
            lower.as_str()
        } else {
            bare
        };
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
        if !is_inline(name) {
            raw.push(' ');
        }
    }
    raw.push_str(rest);
    if raw.contains('&') {
        decode_entities(&raw)
    } else {
        raw
    }
}

/// `text` with each run of white space made one space, none at either end
/// (as joining its `split_whitespace` with spaces gives, in one pass); it
/// stops once it has more than `limit` bytes.
pub(super) fn collapse_white_space(text: &str, limit: usize) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    let mut start = 0; // of the run of text not yet copied
    let mut at = 0;
    while at < bytes.len() {
        if out.len() > limit {
            return out;
        }
        let b = bytes[at];
        let (white, len) = if b.is_ascii() {
            (matches!(b, b' ' | b'\t'..=b'\r'), 1)
        } else {
            let c = text[at..].chars().next().unwrap_or('x');
            (c.is_whitespace(), c.len_utf8())
        };
        if white {
            if !space {
                out.push_str(&text[start..at]);
                space = true;
            }
            start = at + len;
        } else if space {
            if !out.is_empty() {
                out.push(' ');
            }
            space = false;
        }
        at += len;
    }
    out.push_str(&text[start..]);
    out
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
    fn white_space_collapses_as_split_whitespace_joined() {
        for text in [
            "",
            "  ",
            "a",
            " a  b\t\nc ",
            "x\u{a0}\u{2009}y",
            "ü  é ",
            "\n\nend",
            "v\x0bt\x0cf\r",
        ] {
            assert_eq!(
                collapse_white_space(text, usize::MAX),
                text.split_whitespace().collect::<Vec<_>>().join(" "),
                "{text:?}"
            );
        }
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

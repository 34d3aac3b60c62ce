//! How deep a body may nest elements, and the error for one that nests
//! deeper: past [`MAX_DEPTH`] the HTML sanitiser's work grows with the square
//! of the depth, so such a body is refused before it is sanitised.

/// How deep a body may nest elements (Markdown blocks and raw HTML tags
/// together). Far beyond any real text; past it the HTML sanitiser's work
/// grows with the square of the depth (100,000 nested `<div>` took 42 s).
pub const MAX_DEPTH: usize = 256;

/// The error for a body refused by [`MAX_DEPTH`], at its line when the body
/// starts at line `body_line` of `file_text` (give `None` when unknown).
pub fn depth_error(
    source: &std::path::Path,
    body: &str,
    at: Option<(&str, usize)>,
    r: &super::Rendered,
) -> Option<crate::diagnostic::Diagnostic> {
    let offset = r.too_deep?;
    let message = format!(
        "the body nests elements more than {MAX_DEPTH} deep (Markdown blocks and HTML tags \
         together): casebook refuses it, as sanitising it would take minutes"
    );
    let diagnostic = crate::diagnostic::Diagnostic::error(source, message);
    Some(match at {
        Some((file_text, body_line)) => {
            let before = &body[..offset.min(body.len())];
            let line = body_line + before.matches('\n').count();
            let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            diagnostic.at(
                Some(crate::diagnostic::Position { line, col }),
                Some(file_text),
            )
        }
        None => diagnostic,
    })
}

/// HTML elements that never nest (void) or whose end tag may be left out and
/// that a parser closes by itself (`<p>`, `<li>`): not counted in the depth.
const NOT_NESTING: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead",
    "tbody", "tfoot", "colgroup", "caption", "rb", "rt", "rtc", "rp", "html", "head", "body",
];

/// Adds the tags opened and closed in a piece of raw HTML to `depth`, and
/// returns the deepest point reached.
pub(super) fn html_depth(html: &str, depth: &mut usize) -> usize {
    let mut deepest = *depth;
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(at) = bytes[i..].iter().position(|&b| b == b'<') {
        i += at + 1;
        let closing = bytes.get(i) == Some(&b'/');
        let start = i + usize::from(closing);
        let len = bytes[start.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if len == 0 || !bytes[start].is_ascii_alphabetic() {
            continue;
        }
        let name = html[start..start + len].to_ascii_lowercase();
        i = start + len;
        if NOT_NESTING.contains(&name.as_str()) {
            continue;
        }
        if closing {
            *depth = depth.saturating_sub(1);
            continue;
        }
        let end = bytes[i..].iter().position(|&b| b == b'>').map(|p| i + p);
        if end.is_some_and(|end| end > i && bytes[end - 1] == b'/') {
            continue; // <x/>
        }
        *depth += 1;
        deepest = deepest.max(*depth);
    }
    deepest
}

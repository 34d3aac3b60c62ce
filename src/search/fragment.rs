//! `search/f/<d>.js`: what a search result shows of document `d`, loaded
//! only for the results on screen (Pagefind's fragments). An entry's
//! fragment holds its result line (id, kind index, slug, title, summary
//! line: the row `browse-items/` has) and the start of its readable text; a
//! free page's holds its title and URL and the same. `browse.js` cuts the
//! excerpt out of the text around the words the query matched and marks
//! them, so one file serves every query.
//!
//! The text is cut at [`TEXT_LIMIT`] bytes (at a word's end): a longer body
//! still matches on every word (the chunks hold them all), but a result whose
//! only match lies past the cut shows the start of its text instead.

use crate::model::Catalogue;

/// The function each fragment file calls with its document.
const CALLBACK: &str = "casebookSearchFragment";

/// How much of a document's text its fragment keeps, in bytes.
pub const TEXT_LIMIT: usize = 3000;

/// The fragment of document `doc`: entries in catalogue order, then the free
/// pages; past those, an empty fragment (every route has its bytes).
pub fn fragment(c: &Catalogue, doc: usize) -> Vec<u8> {
    let n = c.entries.len();
    let html = match c.entries.get(doc) {
        Some(e) => e.body_html.as_str(),
        None => doc
            .checked_sub(n)
            .and_then(|i| c.pages.get(i))
            .map_or("", |p| p.body_html.as_str()),
    };
    with_text(c, doc, &super::text::raw_text(html))
}

/// The fragment of document `doc` whose text, white space not yet
/// collapsed, is `raw` (the index, which reads every text anyway, writes the
/// fragments on the way).
pub(super) fn with_text(c: &Catalogue, doc: usize, raw: &str) -> Vec<u8> {
    // Collapsed only as far as the fragment keeps it.
    let text = super::text::collapse_white_space(raw, TEXT_LIMIT);
    let n = c.entries.len();
    let mut out = Vec::with_capacity(TEXT_LIMIT.min(text.len()) + 256);
    out.extend_from_slice(format!("{CALLBACK}({doc},").as_bytes());
    if let Some(e) = c.entries.get(doc) {
        let item = crate::view::item_of(c, e);
        let row = (
            e.id.as_str(),
            e.kind,
            e.slug.as_str(),
            e.title.as_str(),
            item.summary,
        );
        serde_json::to_writer(&mut out, &row).unwrap_or_default();
    } else if let Some(p) = doc.checked_sub(n).and_then(|i| c.pages.get(i)) {
        let row = (p.title.as_str(), crate::routes::page_url(p));
        serde_json::to_writer(&mut out, &row).unwrap_or_default();
    } else {
        out.extend_from_slice(b"null");
    }
    out.push(b',');
    serde_json::to_writer(&mut out, cut(&text, TEXT_LIMIT)).unwrap_or_default();
    out.extend_from_slice(b");\n");
    out
}

/// `text` up to `limit` bytes, ending at the end of a word when it is longer.
fn cut(text: &str, limit: usize) -> &str {
    if text.len() <= limit {
        return text;
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    // Back to the last space, so no word is cut in two (unless there is none).
    match text[..end].rfind(' ') {
        Some(space) if space > 0 => &text[..space],
        _ => &text[..end],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_cut_between_words() {
        assert_eq!(cut("short text", 100), "short text");
        assert_eq!(cut("alpha beta gamma", 12), "alpha beta");
        assert_eq!(cut("alpha beta gamma", 10), "alpha");
        assert_eq!(cut("überlang", 2), "ü");
        assert_eq!(cut("abcdef", 3), "abc");
    }
}

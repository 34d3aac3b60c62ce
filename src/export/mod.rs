//! Files other than pages: the data and publishing files a build writes.
//!
//! [`catalogue_json`] (every entry's data), each kind's spreadsheet in
//! [`entries_csv`], the sitemap's and the Atom feed's data (rendered from
//! the theme's `sitemap.xml` and `atom.xml`), [`robots`], the citation
//! exports in [`cite`], and the date handling
//! they share ([`dates`]). The search index is written by [`crate::search`].
//! Which of these files a site gets, and where, is the route table's to say
//! ([`crate::routes`]).

pub mod catalogue;
pub mod cite;
pub mod dates;
pub mod entries_csv;
mod feed;
mod sitemap;

pub use catalogue::catalogue_json;
pub use feed::{feed_order, feed_views};
pub use sitemap::{robots, sitemap_urls};

/// Escapes text for XML content and attribute values, dropping characters XML 1.0 forbids.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping_covers_markup_and_forbidden_characters() {
        assert_eq!(
            xml_escape("a<b>&\"c'\u{1}d"),
            "a&lt;b&gt;&amp;&quot;c&apos;d"
        );
    }
}

//! Markdown to safe HTML.
//!
//! Bodies are CommonMark with tables, footnotes and strikethrough. Links whose
//! target is an entry id (`[Recovery](P12)`) become links to that entry. Raw
//! HTML is sanitised with ammonia unless the site trusts its authors
//! (`allow_raw_html: true`); link and image URLs are limited to http(s),
//! mailto and relative ones either way. Sanitising is the slow part, so it only
//! runs on bodies that actually contain raw HTML.

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};

mod depth;
use depth::html_depth;
pub use depth::{depth_error, MAX_DEPTH};

/// Resolves a link target that names an entry to that entry's site-relative URL.
pub trait LinkResolver: Sync {
    /// The site-relative URL (`practices/p12/`) of the entry with this id, if any.
    fn entry_url(&self, id: &str) -> Option<String>;

    /// The site-relative URL of the entry or page whose Markdown file is at
    /// `path`, relative to the file being rendered (`../practices/p12-recovery.md`).
    /// By default nothing is known about files, and the file stem is tried as an id.
    fn file_url(&self, path: &str) -> Option<String> {
        let _ = path;
        None
    }
}

impl<F: Fn(&str) -> Option<String> + Sync> LinkResolver for F {
    fn entry_url(&self, id: &str) -> Option<String> {
        self(id)
    }
}

/// A rendered body and what was noticed on the way.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Safe HTML.
    pub html: String,
    /// Link targets that looked like entry links but named no entry.
    pub broken_links: Vec<String>,
    /// Link targets dropped because their scheme is not allowed.
    pub unsafe_links: Vec<String>,
    /// Where (a byte offset in the Markdown) the body nests elements deeper
    /// than [`MAX_DEPTH`]; the body is then refused and `html` is empty.
    pub too_deep: Option<usize>,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

/// Whether a URL may appear in a page: relative, fragment, or http(s)/mailto.
///
/// The scheme is found the way browsers find it (WHATWG URL): leading and
/// trailing control characters and spaces are ignored, tabs and newlines
/// anywhere are removed, and a scheme is an ASCII letter followed by letters,
/// digits, `+`, `-` or `.` up to a `:`. Anything without a scheme is relative.
pub fn is_safe_url(url: &str) -> bool {
    let trimmed = url.trim_matches(|c: char| c <= ' ');
    let cleaned: String = trimmed
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let mut chars = cleaned.char_indices();
    match chars.next() {
        Some((_, c)) if c.is_ascii_alphabetic() => {}
        _ => return true, // no scheme: relative
    }
    for (i, c) in chars {
        if c == ':' {
            let scheme = cleaned[..i].to_ascii_lowercase();
            return matches!(scheme.as_str(), "http" | "https" | "mailto");
        }
        if !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) {
            return true; // not a scheme: a relative path such as `a/b:c`
        }
    }
    true
}

/// Whether a link target looks like it means another entry: a bare id such as
/// `P12`, or a relative path to a Markdown file.
fn looks_like_entry_link(dest: &str) -> Option<&str> {
    if dest.contains(':') || dest.starts_with('#') || dest.starts_with('/') {
        return None;
    }
    let path = dest.split(['#', '?']).next().unwrap_or(dest);
    if let Some(stem) = path.strip_suffix(".md") {
        return Some(stem.rsplit('/').next().unwrap_or(stem));
    }
    let plain = !path.is_empty()
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && path.chars().any(|c| c.is_ascii_digit())
        && path.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    plain.then_some(path)
}

/// Renders Markdown. `root` is the relative prefix from the page the body appears
/// on to the site root (`../../` for an entry page).
pub fn render(
    markdown: &str,
    root: &str,
    resolver: &dyn LinkResolver,
    allow_raw_html: bool,
) -> Rendered {
    let mut out = Rendered::default();
    let mut has_raw_html = false;
    let (mut blocks, mut tags) = (0usize, 0usize);
    let mut too_deep = None;
    let parsed = Parser::new_ext(markdown, options()).into_offset_iter();
    let guarded = parsed.map_while(|(event, range)| {
        // Nesting depth, Markdown blocks and raw HTML together: stop at the
        // first point past the limit (the body is refused).
        let deepest = match &event {
            Event::Start(_) => {
                blocks += 1;
                blocks + tags
            }
            Event::End(_) => {
                blocks = blocks.saturating_sub(1);
                0
            }
            Event::Html(html) | Event::InlineHtml(html) => blocks + html_depth(html, &mut tags),
            _ => 0,
        };
        if deepest > MAX_DEPTH {
            too_deep = Some(range.start);
            return None;
        }
        Some(event)
    });
    let events = guarded.map(|event| match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: rewrite(dest_url, root, resolver, &mut out),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: rewrite(dest_url, root, resolver, &mut out),
            title,
            id,
        }),
        Event::Html(_) | Event::InlineHtml(_) => {
            has_raw_html = true;
            event
        }
        other => other,
    });
    let mut html_out = String::with_capacity(markdown.len() + markdown.len() / 4);
    html::push_html(&mut html_out, events);
    out.too_deep = too_deep;
    out.html = if out.too_deep.is_some() {
        String::new()
    } else if has_raw_html && !allow_raw_html {
        sanitiser().clean(&html_out).to_string()
    } else {
        html_out
    };
    out
}

fn rewrite<'a>(
    dest: CowStr<'a>,
    root: &str,
    resolver: &dyn LinkResolver,
    out: &mut Rendered,
) -> CowStr<'a> {
    if !is_safe_url(&dest) {
        out.unsafe_links.push(dest.to_string());
        return CowStr::Borrowed("#");
    }
    if let Some(target) = looks_like_entry_link(&dest) {
        let fragment = dest.find('#').map(|i| &dest[i..]).unwrap_or("");
        let path = dest.split(['#', '?']).next().unwrap_or(&dest);
        let by_file = path
            .ends_with(".md")
            .then(|| resolver.file_url(path))
            .flatten();
        match by_file.or_else(|| resolver.entry_url(target)) {
            Some(url) => return CowStr::from(format!("{root}{url}{fragment}")),
            None => out.broken_links.push(dest.to_string()),
        }
    }
    dest
}

fn sanitiser() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.url_schemes(HashSet::from(["http", "https", "mailto"]))
            .link_rel(Some("noopener noreferrer"))
            .add_generic_attributes(["id"])
            .add_tag_attributes("code", ["class"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_tags(["input"]);
        b
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(id: &str) -> Option<String> {
        id.eq_ignore_ascii_case("P12")
            .then(|| "practices/p12/".to_string())
    }

    fn md(src: &str) -> Rendered {
        render(src, "../../", &resolve, false)
    }

    #[test]
    fn tables_footnotes_strikethrough() {
        let r = md("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ text[^1]\n\n[^1]: note\n");
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<del>old</del>"));
        assert!(r.html.contains("footnote-definition"));
    }

    #[test]
    fn entry_links_resolve_and_broken_ones_are_reported() {
        let r = md("See [Recovery](P12#top) and [gone](P99) and [file](../practices/p12.md).");
        assert!(
            r.html.contains(r#"href="../../practices/p12/#top""#),
            "{}",
            r.html
        );
        assert_eq!(r.broken_links, ["P99"]);
        // A relative path to the entry's Markdown file means the entry too.
        assert!(
            r.html.contains(r#"href="../../practices/p12/">file"#),
            "{}",
            r.html
        );
    }

    #[test]
    fn scripts_and_handlers_never_survive() {
        let r = md("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n<iframe src=\"https://e.org\"></iframe>\n\n<a href=\"javascript:alert(1)\">x</a>\n");
        for bad in ["<script", "onerror", "<iframe", "javascript:"] {
            assert!(!r.html.contains(bad), "{bad} in {}", r.html);
        }
    }

    #[test]
    fn unsafe_markdown_links_are_neutralised() {
        let r = md("[x](javascript:alert(1)) [y]( JaVaScRiPt:alert(1)) ![z](data:text/html,hi)");
        assert!(!r.html.to_lowercase().contains("javascript"), "{}", r.html);
        assert!(!r.html.contains("data:"));
        assert_eq!(r.unsafe_links.len(), 3);
    }

    #[test]
    fn trusted_raw_html_is_kept() {
        let r = render("<div class=\"x\">hi</div>", "", &resolve, true);
        assert!(r.html.contains("<div class=\"x\">"));
    }

    #[test]
    fn url_safety() {
        for ok in ["https://e.org", "mailto:a@b", "../x", "#f", "a/b:c", "p12"] {
            assert!(is_safe_url(ok), "{ok}");
        }
        for bad in [
            "javascript:x",
            "vbscript:x",
            "data:x",
            "java\tscript:x",
            "file:///etc",
        ] {
            assert!(!is_safe_url(bad), "{bad}");
        }
    }

    #[test]
    fn the_text_search_reads_joins_inline_markup_and_splits_blocks() {
        let text = |body: &str| crate::search::html_to_text(&md(body).html);
        assert_eq!(text("foo*bar* `baz`qux"), "foobar bazqux");
        assert_eq!(text("# Title\nText\n\n- one\n- two"), "Title Text one two");
        assert_eq!(text("a![hidden alt](x.png)b"), "a b");
        // Footnote numbers show in the text: the reference joins the word before.
        assert_eq!(text("cited[^x]\n\n[^x]: Note"), "cited1 1 Note");
        assert_eq!(text("Care &amp; CARE"), "Care & CARE");
    }
}

//! `sitemap.xml` and `robots.txt`.
//!
//! A sitemap needs absolute URLs, so it is written only when `base_url` (or
//! `--base-url`) is an absolute http(s) URL; `robots.txt` is always written
//! and names the sitemap when there is one. The sitemap lists every page of
//! the route table, in its order, with an entry's `date` as its `lastmod`.

use std::fmt::Write;

use super::dates::{entry_time, format_date};
use super::xml_escape;
use crate::model::Catalogue;
use crate::render::Renderer;
use crate::routes::{self, Route, SITEMAP_FILE};

/// `sitemap.xml`: every page of the route table, in its order.
pub fn sitemap(renderer: &Renderer) -> Vec<u8> {
    let c = renderer.catalogue();
    let base = routes::absolute_base(c).unwrap_or_default();
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for route in renderer.routes().iter().filter(|r| r.in_sitemap()) {
        let url = route.url(c);
        let _ = write!(
            out,
            "  <url><loc>{}</loc>",
            xml_escape(&format!("{base}{url}"))
        );
        if let Route::Entry(e) = route {
            if let Some(time) = entry_time(&c.entries[*e]) {
                let _ = write!(out, "<lastmod>{}</lastmod>", format_date(time));
            }
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out.into_bytes()
}

/// `robots.txt`: everything may be crawled; names the sitemap when there is one.
pub fn robots(c: &Catalogue) -> Vec<u8> {
    let mut out = String::from("User-agent: *\nDisallow:\n");
    if let Some(base) = routes::absolute_base(c) {
        let _ = write!(out, "\nSitemap: {base}{SITEMAP_FILE}\n");
    }
    out.into_bytes()
}

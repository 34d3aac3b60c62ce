//! `sitemap.xml` and `robots.txt`.
//!
//! A sitemap needs absolute URLs, so it is written only when `base_url` (or
//! `--base-url`) is an absolute http(s) URL; `robots.txt` is always written
//! and names the sitemap when there is one. The sitemap lists every page of
//! the route table, in its order, with an entry's `date` as its `lastmod`;
//! it is rendered from the theme's `sitemap.xml` template.

use std::fmt::Write;

use serde::Serialize;

use super::dates::{entry_time, format_date};
use crate::model::Catalogue;
use crate::routes::{self, Route, SITEMAP_FILE};

/// One URL of the sitemap (`urls` in `sitemap.xml`).
#[derive(Serialize)]
pub struct SitemapUrl {
    /// Absolute URL.
    pub loc: String,
    /// The entry's date (`2024-05-01`), for entry pages that have one.
    pub lastmod: Option<String>,
}

/// Every page of `routes` that belongs in a sitemap, in order.
pub fn sitemap_urls(c: &Catalogue, routes: &[Route]) -> Vec<SitemapUrl> {
    let base = routes::absolute_base(c).unwrap_or_default();
    routes
        .iter()
        .filter(|r| r.in_sitemap())
        .map(|route| SitemapUrl {
            loc: format!("{base}{}", route.url(c)),
            lastmod: match route {
                Route::Entry(e) => entry_time(&c.entries[*e]).map(format_date),
                _ => None,
            },
        })
        .collect()
}

/// `robots.txt`: everything may be crawled; names the sitemap when there is one.
pub fn robots(c: &Catalogue) -> Vec<u8> {
    let mut out = String::from("User-agent: *\nDisallow:\n");
    if let Some(base) = routes::absolute_base(c) {
        let _ = write!(out, "\nSitemap: {base}{SITEMAP_FILE}\n");
    }
    out.into_bytes()
}

//! The Atom feed, `atom.xml`, rendered from the theme's `atom.xml` template
//! (a site may override it, as any template).
//!
//! The feed lists every entry: entries with a `date` field (`2024-05-01` or an
//! RFC 3339 time) first, newest first, then the others in catalogue order. Atom
//! needs an update time on every entry and casebook never reads the clock, so an
//! entry without a date takes the newest date in the catalogue, or 1970-01-01 when
//! no entry has one. Like the sitemap, it needs an absolute `base_url`.

use serde::Serialize;

use super::dates::{entry_time, format_rfc3339};
use crate::model::Catalogue;
use crate::routes::{self, FEED_FILE};
use crate::view::Views;

/// The entries in feed order with their times: dated ones newest first, then the
/// undated ones in catalogue order.
pub fn feed_order(catalogue: &Catalogue) -> Vec<(usize, Option<i64>)> {
    let mut list: Vec<(usize, Option<i64>)> = catalogue
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| (i, entry_time(e)))
        .collect();
    list.sort_by(|a, b| match (a.1, b.1) {
        (Some(x), Some(y)) => y.cmp(&x).then(a.0.cmp(&b.0)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.0.cmp(&b.0),
    });
    list
}

/// The feed as a whole (`feed` in `atom.xml`).
#[derive(Serialize)]
pub struct FeedView<'a> {
    /// The site description, if any.
    pub subtitle: &'a str,
    /// The feed's own absolute URL.
    pub self_url: String,
    /// The site's absolute URL, also the feed's id.
    pub home: &'a str,
    /// The newest entry date (RFC 3339).
    pub updated: String,
    /// `author` from `catalogue.yaml`, else the site title.
    pub author: &'a str,
}

/// One entry of the feed (`entries` in `atom.xml`).
#[derive(Serialize)]
pub struct FeedEntry<'a> {
    /// Title.
    pub title: &'a str,
    /// Absolute URL of the entry page, also its id.
    pub url: String,
    /// Its date, or the newest date (RFC 3339).
    pub updated: String,
    /// The kind, then every facet value.
    pub categories: Vec<FeedCategory<'a>>,
    /// "Practice P12 · Denmark · Health".
    pub summary: String,
    /// The body as HTML (escaped by the template), empty when there is none.
    pub content: &'a str,
}

/// An Atom category.
#[derive(Serialize)]
pub struct FeedCategory<'a> {
    /// Kind or value id.
    pub term: &'a str,
    /// The facet's absolute URL; none for the kind.
    pub scheme: Option<String>,
    /// Kind or value label.
    pub label: &'a str,
}

/// The data of `atom.xml`: the feed, and its entries newest first.
pub fn feed_views<'a>(
    catalogue: &'a Catalogue,
    views: &Views<'a>,
) -> (FeedView<'a>, Vec<FeedEntry<'a>>) {
    let config = &catalogue.config;
    let base = routes::absolute_base(catalogue).unwrap_or_default();
    let order = feed_order(catalogue);
    let newest = order.iter().filter_map(|(_, t)| *t).max().unwrap_or(0);
    let author = config
        .extra
        .get("author")
        .and_then(|a| a.as_str())
        .unwrap_or(&config.title);
    let feed = FeedView {
        subtitle: config.description.trim(),
        self_url: format!("{base}{FEED_FILE}"),
        home: base,
        updated: format_rfc3339(newest),
        author,
    };
    let entries = order
        .into_iter()
        .map(|(e, time)| {
            let entry = &catalogue.entries[e];
            let kind = &config.kinds[entry.kind];
            let mut categories = vec![FeedCategory {
                term: &kind.id,
                scheme: None,
                label: &kind.singular,
            }];
            for (fi, values) in entry.facets.iter().enumerate() {
                let facet = &config.facets[fi];
                categories.extend(values.iter().map(|&v| FeedCategory {
                    term: &facet.values[v].id,
                    scheme: Some(format!("{base}{}", routes::facet_url(facet))),
                    label: &facet.values[v].label,
                }));
            }
            let item = views.item(e);
            let mut summary = format!("{} {}", kind.singular, entry.id);
            if !item.summary.is_empty() {
                summary.push_str(" · ");
                summary.push_str(&item.summary);
            }
            FeedEntry {
                title: &entry.title,
                url: format!("{base}{}", routes::entry_url(catalogue, entry)),
                updated: format_rfc3339(time.unwrap_or(newest)),
                categories,
                summary,
                content: entry.body_html.trim(),
            }
        })
        .collect();
    (feed, entries)
}

//! The Atom feed, `atom.xml`.
//!
//! The feed lists every entry: entries with a `date` field (`2024-05-01` or an
//! RFC 3339 time) first, newest first, then the others in catalogue order. Atom
//! needs an update time on every entry and casebook never reads the clock, so an
//! entry without a date takes the newest date in the catalogue, or 1970-01-01 when
//! no entry has one. Everything is escaped for XML; output depends only on the
//! input. Like the sitemap, it needs an absolute `base_url`.

use std::fmt::Write;

use super::dates::{entry_time, format_rfc3339};
use super::xml_escape;
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

/// `atom.xml`: every entry, newest first.
pub fn feed(catalogue: &Catalogue, views: &Views) -> Vec<u8> {
    let config = &catalogue.config;
    let base = routes::absolute_base(catalogue).unwrap_or_default();
    let order = feed_order(catalogue);
    let newest = order.iter().filter_map(|(_, t)| *t).max().unwrap_or(0);
    let author = config
        .extra
        .get("author")
        .and_then(|a| a.as_str())
        .unwrap_or(&config.title);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        out,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        xml_escape(&config.language)
    );
    let _ = writeln!(out, "  <title>{}</title>", xml_escape(&config.title));
    if !config.description.trim().is_empty() {
        let _ = writeln!(
            out,
            "  <subtitle>{}</subtitle>",
            xml_escape(config.description.trim())
        );
    }
    let _ = writeln!(
        out,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
        xml_escape(&format!("{base}{FEED_FILE}"))
    );
    let _ = writeln!(
        out,
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        xml_escape(base)
    );
    let _ = writeln!(out, "  <id>{}</id>", xml_escape(base));
    let _ = writeln!(out, "  <updated>{}</updated>", format_rfc3339(newest));
    let _ = writeln!(
        out,
        "  <author><name>{}</name></author>",
        xml_escape(author)
    );
    out.push_str("  <generator>casebook</generator>\n");
    for (e, time) in order {
        let entry = &catalogue.entries[e];
        let kind = &config.kinds[entry.kind];
        let url = format!("{base}{}", routes::entry_url(catalogue, entry));
        let item = views.item(e);
        out.push_str("  <entry>\n");
        let _ = writeln!(out, "    <title>{}</title>", xml_escape(&entry.title));
        let _ = writeln!(
            out,
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            xml_escape(&url)
        );
        let _ = writeln!(out, "    <id>{}</id>", xml_escape(&url));
        let _ = writeln!(
            out,
            "    <updated>{}</updated>",
            format_rfc3339(time.unwrap_or(newest))
        );
        let _ = writeln!(
            out,
            "    <category term=\"{}\" label=\"{}\"/>",
            xml_escape(&kind.id),
            xml_escape(&kind.singular)
        );
        for (fi, values) in entry.facets.iter().enumerate() {
            let facet = &config.facets[fi];
            for &v in values {
                let _ = writeln!(
                    out,
                    "    <category term=\"{}\" scheme=\"{}\" label=\"{}\"/>",
                    xml_escape(&facet.values[v].id),
                    xml_escape(&format!("{base}{}/", facet.name)),
                    xml_escape(&facet.values[v].label)
                );
            }
        }
        let mut summary = format!("{} {}", kind.singular, entry.id);
        if !item.summary.is_empty() {
            summary.push_str(" · ");
            summary.push_str(&item.summary);
        }
        let _ = writeln!(out, "    <summary>{}</summary>", xml_escape(&summary));
        if !entry.body_html.trim().is_empty() {
            // Links in the body are relative to the entry page; xml:base makes them resolve.
            let _ = writeln!(
                out,
                "    <content type=\"html\" xml:base=\"{}\">{}</content>",
                xml_escape(&url),
                xml_escape(entry.body_html.trim())
            );
        }
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out.into_bytes()
}

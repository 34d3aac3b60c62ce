//! Files for publishing a site: `sitemap.xml`, `robots.txt`, the Atom feed
//! `atom.xml`, and the citation exports of [`crate::cite`].
//!
//! Sitemaps and feeds need absolute URLs, so `sitemap.xml` and `atom.xml` are
//! written only when `base_url` (or `--base-url`) is an absolute http(s) URL;
//! `robots.txt` is always written and names the sitemap when there is one. A
//! file of the same name in the site's `static/` folder replaces the generated
//! one.
//!
//! The feed lists every entry: entries with a `date` field (`2024-05-01` or an
//! RFC 3339 time) first, newest first, then the others in catalogue order. Atom
//! needs an update time on every entry and casebook never reads the clock, so an
//! entry without a date takes the newest date in the catalogue, or 1970-01-01 when
//! no entry has one. Everything is escaped for XML; output depends only on the input.

use std::fmt::Write;

use crate::cite;
use crate::config::Config;
use crate::model::{Catalogue, Entry};
use crate::render::{Job, Renderer, Theme};
use crate::summary::Table;
use crate::view::{self, Views};

/// One generated publishing file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum File {
    /// `sitemap.xml`: every page.
    Sitemap,
    /// `robots.txt`.
    Robots,
    /// `atom.xml`: every entry.
    Feed,
    /// `literature.bib`: cited entries as BibTeX.
    Bibtex,
    /// `literature.json`: cited entries as CSL-JSON.
    CslJson,
}

/// The sitemap's file name.
pub const SITEMAP_FILE: &str = "sitemap.xml";
/// The feed's file name.
pub const FEED_FILE: &str = "atom.xml";
/// The robots file's name.
pub const ROBOTS_FILE: &str = "robots.txt";

impl File {
    /// Path under the output folder.
    pub fn path(self) -> &'static str {
        match self {
            File::Sitemap => SITEMAP_FILE,
            File::Robots => ROBOTS_FILE,
            File::Feed => FEED_FILE,
            File::Bibtex => cite::BIBTEX_FILE,
            File::CslJson => cite::CSL_JSON_FILE,
        }
    }
}

/// The base URL when it is absolute (`https://example.org/sub/`), else `None`.
pub fn absolute_base(config: &Config) -> Option<&str> {
    let base = config.base_url.as_str();
    (base.starts_with("https://") || base.starts_with("http://")).then_some(base)
}

/// The publishing files this site gets, leaving out any the site's `static/` provides.
pub fn files(catalogue: &Catalogue, theme: &Theme) -> Vec<File> {
    let config = &catalogue.config;
    let mut out = vec![File::Robots];
    if absolute_base(config).is_some() {
        out.extend([File::Sitemap, File::Feed]);
    }
    if !config.citations.is_empty() {
        out.extend([File::Bibtex, File::CslJson]);
    }
    out.retain(|f| !theme.statics.contains_key(f.path()));
    out
}

/// The bytes of one publishing file.
pub fn render(renderer: &Renderer, file: File) -> Vec<u8> {
    let catalogue = renderer.catalogue();
    match file {
        File::Sitemap => sitemap(renderer).into_bytes(),
        File::Robots => robots(&catalogue.config).into_bytes(),
        File::Feed => feed(catalogue, &renderer.views()).into_bytes(),
        File::Bibtex => cite::bibtex_file(catalogue),
        File::CslJson => cite::csl_file(catalogue),
    }
}

/// The site-relative URL of the HTML page a job writes, if it writes one that
/// belongs in a sitemap (the 404 page does not).
pub fn page_url(renderer: &Renderer, job: &Job) -> Option<String> {
    let c = renderer.catalogue();
    let config = &c.config;
    match job {
        Job::Home => Some(String::new()),
        Job::Kind(k) => Some(format!("{}/", config.kinds[*k].dir)),
        Job::Entry(e) => Some(c.entry_url(&c.entries[*e])),
        Job::Facet(fi) => Some(format!("{}/", config.facets[*fi].name)),
        Job::Value(fi, v) => Some(view::value_url(&config.facets[*fi], *v)),
        Job::Combination(fi, combination) => {
            Some(view::combination_url(&config.facets[*fi], combination))
        }
        Job::Summaries => Some("summary/".into()),
        Job::Summary(si) => Some(format!("summary/{}/", config.summaries[*si].id)),
        Job::PivotCell(si, ri, ci) => match &renderer.tables()[*si] {
            Table::Pivot(t) => Some(view::pivot_cell_url(
                &config.summaries[*si].id,
                &config.facets[t.row_facet],
                t.rows[*ri],
                &config.facets[t.column_facet],
                &t.columns[*ci],
            )),
            _ => None,
        },
        Job::Page(p) => Some(format!("{}/", c.pages[*p].slug)),
        Job::NotFound | Job::Json | Job::SearchIndex | Job::Static(_) | Job::Publish(_) => None,
    }
}

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

fn sitemap(renderer: &Renderer) -> String {
    let c = renderer.catalogue();
    let base = absolute_base(&c.config).unwrap_or_default();
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for job in renderer.jobs() {
        let Some(url) = page_url(renderer, &job) else {
            continue;
        };
        let _ = write!(
            out,
            "  <url><loc>{}</loc>",
            xml_escape(&format!("{base}{url}"))
        );
        if let Job::Entry(e) = job {
            if let Some(time) = entry_time(&c.entries[e]) {
                let _ = write!(out, "<lastmod>{}</lastmod>", format_date(time));
            }
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

fn robots(config: &Config) -> String {
    let mut out = String::from("User-agent: *\nDisallow:\n");
    if let Some(base) = absolute_base(config) {
        let _ = write!(out, "\nSitemap: {base}{SITEMAP_FILE}\n");
    }
    out
}

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

fn feed(catalogue: &Catalogue, views: &Views) -> String {
    let config = &catalogue.config;
    let base = absolute_base(config).unwrap_or_default();
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
        let url = format!("{base}{}", catalogue.entry_url(entry));
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
    out
}

/// The entry's `date` field as seconds since 1970 (UTC), if it is a valid date.
pub fn entry_time(entry: &Entry) -> Option<i64> {
    entry
        .fields
        .get("date")
        .and_then(|d| d.as_str())
        .and_then(parse_date)
}

/// Reads `2024-05-01`, `2024-05-01T09:30:00Z` or `2024-05-01T09:30:00+02:00`
/// (seconds optional, fractions ignored) as seconds since 1970 (UTC).
pub fn parse_date(text: &str) -> Option<i64> {
    let text = text.trim();
    let number = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (date, time) = match text.split_once(['T', 't', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (year, month, day) = (number(y)?, number(m)?, number(d)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut seconds = days_from_civil(year, month, day) * 86_400;
    if let Some(time) = time {
        let (clock, offset) = if let Some(clock) = time.strip_suffix(['Z', 'z']) {
            (clock, 0)
        } else if let Some(at) = time.rfind(['+', '-']) {
            let (clock, zone) = time.split_at(at);
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let (h, m) = zone[1..].split_once(':')?;
            let (h, m) = (number(h)?, number(m)?);
            if h > 23 || m > 59 {
                return None;
            }
            (clock, sign * (h * 3600 + m * 60))
        } else {
            (time, 0) // no zone: read as UTC
        };
        let clock = clock.split('.').next()?;
        let mut fields = clock.split(':');
        let hour = number(fields.next()?)?;
        let minute = number(fields.next()?)?;
        let second = fields.next().map_or(Some(0), number)?;
        if fields.next().is_some() || hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        seconds += hour * 3600 + minute * 60 + second - offset;
    }
    Some(seconds)
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `2024-05-01` for seconds since 1970 (UTC).
pub fn format_date(seconds: i64) -> String {
    let (y, m, d) = civil_from_days(seconds.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `2024-05-01T09:30:00Z` for seconds since 1970 (UTC).
pub fn format_rfc3339(seconds: i64) -> String {
    let of_day = seconds.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        format_date(seconds),
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_offsets_are_applied() {
        let t = parse_date("2024-02-29").unwrap();
        assert_eq!(format_rfc3339(t), "2024-02-29T00:00:00Z");
        assert_eq!(
            format_rfc3339(parse_date("2024-03-01T01:30:00+02:00").unwrap()),
            "2024-02-29T23:30:00Z"
        );
        assert_eq!(
            format_rfc3339(parse_date("1999-12-31T23:59Z").unwrap()),
            "1999-12-31T23:59:00Z"
        );
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "24-01-01",
            "2024-1-1",
            "yesterday",
            "2024-01-01T25:00Z",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn xml_escaping_covers_markup_and_forbidden_characters() {
        assert_eq!(
            xml_escape("a<b>&\"c'\u{1}d"),
            "a&lt;b&gt;&amp;&quot;c&apos;d"
        );
    }
}

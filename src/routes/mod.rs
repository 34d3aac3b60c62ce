//! The route table: the one home of every output path and URL.
//!
//! A [`Route`] is one file of the built site: a page (entry, kind list, facet,
//! facet value, exact combination, summary, pivot cell, free page, home, 404)
//! or another file (a summary's CSV, a kind's `entries.csv`, `catalogue.json`,
//! the search index, the sitemap, robots.txt, the feed, the citation exports,
//! a static file).
//! [`Route::url`] is its site-relative URL and [`Route::file`] the path it is
//! written to; [`all`] enumerates the routes a model has, in a stable order;
//! [`Route::affected_by`] (in [`change`]) says whether a change of the model
//! can change the route's bytes. Views, templates, the sitemap, the search
//! index, `catalogue.json` and the live preview ask here instead of building
//! URLs of their own. Every question about a route is an exhaustive `match`,
//! so a new page type does not compile until each is answered.
//!
//! URLs are site-relative (`practices/p12/`, `summary/countries.csv`); a page
//! puts its `root` (the relative way back to the site root, [`root_for`]) in
//! front, so links work under any base path and from `file://`.

pub mod change;

use std::collections::{BTreeMap, HashSet};

use crate::cite;
use crate::index::Index;
use crate::model::{Catalogue, Entry, Facet, Kind, Page, SummarySpec};
use crate::summary::Table;

pub use change::Change;

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Route {
    /// Page `n` (from 1) of the home page: `index.html`, then the no-script
    /// list's later pages (`page/2/`).
    Home(usize),
    /// Page `n` (from 1) of a kind's list of entries (`practices/`,
    /// `practices/page/2/`).
    Kind(usize, usize),
    /// An entry page (`practices/p12/`).
    Entry(usize),
    /// A facet's overview of its values (`countries/`).
    Facet(usize),
    /// Page `n` of a facet value's page (`countries/dk/`): facet index,
    /// value index, page.
    Value(usize, usize, usize),
    /// Page `n` of an exact combination of two or more values
    /// (`sectors/health+education/`).
    Combination(usize, Vec<usize>, usize),
    /// The list of summaries, `summary/`.
    Summaries,
    /// A summary page (`summary/countries/`).
    Summary(usize),
    /// A summary's table as CSV (`summary/countries.csv`).
    SummaryCsv(usize),
    /// A kind's entries as a spreadsheet (`practices/entries.csv`), in the
    /// shape `casebook import` reads.
    EntriesCsv(usize),
    /// Page `n` of the entries behind one pivot cell: summary index, row
    /// value, column values (one value, or an exact combination), page.
    PivotCell(usize, usize, Vec<usize>, usize),
    /// A free page (`about/`).
    Page(usize),
    /// `404.html`.
    NotFound,
    /// `catalogue.json`: every entry.
    CatalogueJson,
    /// `search/index.js`: the search index's entry file (which chunk holds
    /// which terms).
    SearchEntry,
    /// `search/<k>.js`: chunk `k` of the search index's terms.
    SearchChunk(usize),
    /// `search/f/<d>.js`: what a search result shows of document `d` (an
    /// entry in catalogue order, then the free pages).
    SearchFragment(usize),
    /// `browse-data.js`: what the home page's filters need (kinds, facet
    /// values, a bit set of entries per value), loaded after first paint.
    BrowseData,
    /// `browse-items/<n>.js`: chunk `n` of what a result line shows (id,
    /// kind, slug, title, summary line), [`ITEMS_PER_CHUNK`] entries each.
    BrowseItems(usize),
    /// `sitemap.xml`: every page (sites with an absolute base URL).
    Sitemap,
    /// `robots.txt`.
    Robots,
    /// `atom.xml`: every entry (sites with an absolute base URL).
    Feed,
    /// `literature.bib`: cited entries as BibTeX.
    Bibtex,
    /// `literature.json`: cited entries as CSL-JSON.
    CslJson,
    /// A static file of the theme or the site, by output path.
    Static(String),
}

/// The sitemap's file name.
pub const SITEMAP_FILE: &str = "sitemap.xml";
/// The feed's file name.
pub const FEED_FILE: &str = "atom.xml";
/// The robots file's name.
pub const ROBOTS_FILE: &str = "robots.txt";
/// The file of every entry's data.
pub const CATALOGUE_JSON: &str = "catalogue.json";
/// The folder of the chunked search index.
pub const SEARCH_DIR: &str = "search";
/// The home page's filter data (a script, so it loads from `file://` too).
pub const BROWSE_DATA: &str = "browse-data.js";
/// The folder of the home page's result-line chunks.
pub const BROWSE_ITEMS_DIR: &str = "browse-items";
/// Entries per chunk of result lines (`browse-items/<n>.js`).
pub const ITEMS_PER_CHUNK: usize = 32;
/// The not-found page (at the top, where web servers look for it).
pub const NOT_FOUND_FILE: &str = "404.html";
/// The name every page's file has inside its folder.
const INDEX_FILE: &str = "index.html";

impl Route {
    /// The route's site-relative URL: `practices/p12/` for a page, the file
    /// name for other files, `""` for the home page.
    pub fn url(&self, c: &Catalogue) -> String {
        let config = &c.config;
        match self {
            Route::Home(page) => paged(String::new(), *page),
            Route::Kind(k, page) => paged(kind_url(&config.kinds[*k]), *page),
            Route::Entry(e) => entry_url(c, &c.entries[*e]),
            Route::Facet(fi) => facet_url(&config.facets[*fi]),
            Route::Value(fi, v, page) => paged(value_url(&config.facets[*fi], *v), *page),
            Route::Combination(fi, values, page) => {
                paged(combination_url(&config.facets[*fi], values), *page)
            }
            Route::Summaries => summaries_url(),
            Route::Summary(si) => summary_url(&config.summaries[*si]),
            Route::SummaryCsv(si) => summary_csv_url(&config.summaries[*si]),
            Route::EntriesCsv(k) => entries_csv_url(&config.kinds[*k]),
            Route::PivotCell(si, row, column, page) => {
                paged(pivot_cell_url(c, *si, *row, column), *page)
            }
            Route::Page(p) => page_url(&c.pages[*p]),
            Route::NotFound => NOT_FOUND_FILE.to_string(),
            Route::CatalogueJson => CATALOGUE_JSON.to_string(),
            Route::SearchEntry => format!("{SEARCH_DIR}/index.js"),
            Route::SearchChunk(k) => format!("{SEARCH_DIR}/{k}.js"),
            Route::SearchFragment(d) => format!("{SEARCH_DIR}/f/{d}.js"),
            Route::BrowseData => BROWSE_DATA.to_string(),
            Route::BrowseItems(n) => format!("{BROWSE_ITEMS_DIR}/{n}.js"),
            Route::Sitemap => SITEMAP_FILE.to_string(),
            Route::Robots => ROBOTS_FILE.to_string(),
            Route::Feed => FEED_FILE.to_string(),
            Route::Bibtex => cite::BIBTEX_FILE.to_string(),
            Route::CslJson => cite::CSL_JSON_FILE.to_string(),
            Route::Static(name) => name.clone(),
        }
    }

    /// The path the route is written to, under the output folder.
    pub fn file(&self, c: &Catalogue) -> String {
        file_for(&self.url(c))
    }

    /// Whether the route is an HTML page rendered from a template.
    pub fn is_page(&self) -> bool {
        match self {
            Route::Home(_)
            | Route::Kind(..)
            | Route::Entry(_)
            | Route::Facet(_)
            | Route::Value(..)
            | Route::Combination(..)
            | Route::Summaries
            | Route::Summary(_)
            | Route::PivotCell(..)
            | Route::Page(_)
            | Route::NotFound => true,
            Route::SummaryCsv(_)
            | Route::EntriesCsv(_)
            | Route::CatalogueJson
            | Route::SearchEntry
            | Route::SearchChunk(_)
            | Route::SearchFragment(_)
            | Route::BrowseData
            | Route::BrowseItems(_)
            | Route::Sitemap
            | Route::Robots
            | Route::Feed
            | Route::Bibtex
            | Route::CslJson
            | Route::Static(_) => false,
        }
    }

    /// Whether the route belongs in `sitemap.xml`: every page but the 404 page.
    pub fn in_sitemap(&self) -> bool {
        self.is_page() && *self != Route::NotFound
    }

    /// What kind of file this is, for the build's timings.
    pub fn label(&self) -> &'static str {
        match self {
            Route::Home(_) => "home page",
            Route::Kind(..) => "kind pages",
            Route::Entry(_) => "entry pages",
            Route::Facet(_) => "facet pages",
            Route::Value(..) => "value pages",
            Route::Combination(..) => "combination pages",
            Route::Summaries | Route::Summary(_) | Route::SummaryCsv(_) => "summary pages and CSV",
            Route::PivotCell(..) => "pivot cell pages",
            Route::Page(_) | Route::NotFound => "free pages and 404",
            Route::EntriesCsv(_) => "entries.csv",
            Route::CatalogueJson => "catalogue.json",
            Route::SearchEntry | Route::SearchChunk(_) => "search index",
            Route::SearchFragment(_) => "search fragments",
            Route::BrowseData | Route::BrowseItems(_) => "filter data",
            Route::Sitemap | Route::Robots | Route::Feed | Route::Bibtex | Route::CslJson => {
                "sitemap, feed, citations"
            }
            Route::Static(_) => "static files",
        }
    }
}

/// Every route of a site, in a stable order: the order of the sitemap.
///
/// `tables` are the summary tables computed from `c` and `index` (pivot cells
/// have pages only where they hold entries); `statics` are the static files'
/// output paths. A generated publishing file is left out when a static file
/// of the same name takes its place.
pub fn all<'s>(
    c: &Catalogue,
    index: &Index,
    tables: &[Table],
    statics: impl IntoIterator<Item = &'s String>,
) -> Vec<Route> {
    let config = &c.config;
    let statics: Vec<&String> = statics.into_iter().collect();
    let mut routes = vec![
        Route::Home(1),
        Route::Summaries,
        Route::NotFound,
        Route::CatalogueJson,
        Route::BrowseData,
    ];
    let entries = c.entries.len();
    routes.extend((2..=page_count(c, entries)).map(Route::Home));
    routes.extend((0..entries.div_ceil(ITEMS_PER_CHUNK)).map(Route::BrowseItems));
    routes.push(Route::SearchEntry);
    let documents = entries + c.pages.len();
    routes.extend((0..crate::search::chunk_count(documents)).map(Route::SearchChunk));
    routes.extend((0..documents).map(Route::SearchFragment));
    for (k, entries) in index.by_kind.iter().enumerate() {
        routes.extend((1..=page_count(c, entries.len())).map(|n| Route::Kind(k, n)));
    }
    // A static file of the same name takes the export's place.
    routes.extend(
        (0..config.kinds.len())
            .map(Route::EntriesCsv)
            .filter(|route| {
                let url = route.url(c);
                !statics.iter().any(|name| **name == url)
            }),
    );
    routes.extend((0..c.entries.len()).map(Route::Entry));
    for (fi, facet) in config.facets.iter().enumerate() {
        routes.push(Route::Facet(fi));
        for v in 0..facet.values.len() {
            let pages = page_count(c, index.rolled_up[fi][v].len());
            routes.extend((1..=pages).map(|n| Route::Value(fi, v, n)));
        }
        if facet.combination_pages {
            for combination in index.ordered_combinations(fi) {
                if combination.len() > 1 {
                    let pages = page_count(c, index.combinations[fi][combination].len());
                    routes.extend(
                        (1..=pages).map(|n| Route::Combination(fi, combination.clone(), n)),
                    );
                }
            }
        }
    }
    for (si, table) in tables.iter().enumerate() {
        routes.push(Route::Summary(si));
        routes.push(Route::SummaryCsv(si));
        if let Table::Pivot(t) = table {
            for (ri, row) in t.cells.iter().enumerate() {
                for (ci, cell) in row.iter().enumerate() {
                    for n in 1..=page_count(c, cell.len()).min(cell.len()) {
                        routes.push(Route::PivotCell(si, t.rows[ri], t.columns[ci].clone(), n));
                    }
                }
            }
        }
    }
    routes.extend((0..c.pages.len()).map(Route::Page));
    let mut publishing = vec![Route::Robots];
    if absolute_base(c).is_some() {
        publishing.extend([Route::Sitemap, Route::Feed]);
    }
    if !config.citations.is_empty() {
        publishing.extend([Route::Bibtex, Route::CslJson]);
    }
    publishing.retain(|route| {
        let url = route.url(c);
        !statics.iter().any(|name| **name == url)
    });
    routes.extend(publishing);
    // A static file at the path of a page is never copied: the page wins,
    // always (both used to be written, in whichever order the render threads
    // ran). `check` and `build` warn about it: see [`shadowed_statics`].
    let pages: HashSet<String> = routes.iter().map(|r| r.file(c)).collect();
    routes.extend(
        statics
            .into_iter()
            .filter(|name| !pages.contains(name.as_str()))
            .cloned()
            .map(Route::Static),
    );
    routes
}

/// The longest file or folder name casebook writes: 255 bytes is the limit
/// of ext4, XFS, btrfs, APFS and NTFS alike.
pub const MAX_NAME_BYTES: usize = 255;
/// The longest output path (relative to the output folder) casebook writes,
/// leaving room for the output folder itself within Linux's 4,096 bytes.
pub const MAX_PATH_BYTES: usize = 1024;

/// Errors for routes whose file path no file system would take (a name over
/// [`MAX_NAME_BYTES`] or a path over [`MAX_PATH_BYTES`]), each naming the
/// file that made the path: the entry (for an entry or an exact combination
/// of values, the first entry naming it), the page, or `catalogue.yaml`.
pub fn overlong(
    c: &Catalogue,
    index: &Index,
    routes: &[Route],
) -> Vec<crate::diagnostic::Diagnostic> {
    let mut out = Vec::new();
    for route in routes {
        let file = route.file(c);
        let longest = file.split('/').map(str::len).max().unwrap_or(0);
        if longest <= MAX_NAME_BYTES && file.len() <= MAX_PATH_BYTES {
            continue;
        }
        let source = match route {
            Route::Entry(e) => Some(c.entries[*e].source.clone()),
            Route::Page(p) => Some(c.pages[*p].source.clone()),
            Route::Combination(fi, values, _) => index.combinations[*fi]
                .get(values)
                .and_then(|entries| entries.first())
                .map(|&e| c.entries[e].source.clone()),
            _ => None,
        }
        .unwrap_or_else(|| std::path::PathBuf::from(crate::config::CONFIG_FILE));
        let why = if longest > MAX_NAME_BYTES {
            format!("a name of {longest} bytes (file systems allow {MAX_NAME_BYTES})")
        } else {
            format!("{} bytes (casebook allows {MAX_PATH_BYTES})", file.len())
        };
        let shown: String = file.chars().take(120).collect();
        out.push(crate::diagnostic::Diagnostic::error(
            source,
            format!(
                "the output path {shown}{} is too long: {why}; use shorter ids or fewer values",
                if shown.len() < file.len() { "…" } else { "" }
            ),
        ));
    }
    out
}

/// Warnings for the site's static files that [`all`] left out because a page
/// is written at their path, naming the file and the page.
pub fn shadowed_statics<'s>(
    c: &Catalogue,
    routes: &[Route],
    statics: impl IntoIterator<Item = &'s String>,
) -> Vec<crate::diagnostic::Diagnostic> {
    let copied: HashSet<&str> = routes
        .iter()
        .filter_map(|r| match r {
            Route::Static(name) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    let missing: Vec<&String> = statics
        .into_iter()
        .filter(|name| !copied.contains(name.as_str()))
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    let by_file: std::collections::HashMap<String, &Route> =
        routes.iter().map(|r| (r.file(c), r)).collect();
    missing
        .into_iter()
        .filter_map(|name| {
            let page = by_file.get(name.as_str())?;
            let source = match page {
                Route::Entry(e) => format!(
                    " from {}",
                    crate::paths::display_path(&c.entries[*e].source)
                ),
                Route::Page(p) => {
                    format!(" from {}", crate::paths::display_path(&c.pages[*p].source))
                }
                _ => String::new(),
            };
            Some(crate::diagnostic::Diagnostic::warning(
                std::path::Path::new(crate::render::STATIC_DIR).join(name),
                format!(
                    "not copied: the page /{}{source} is written at {name}, and pages win over \
                     static files at their paths",
                    page.url(c)
                ),
            ))
        })
        .collect()
}

/// How many pages a list of `len` entries takes (`paginate_by` in
/// `catalogue.yaml`; 0 turns paging off): at least one, so an empty list
/// still has its page.
pub fn page_count(c: &Catalogue, len: usize) -> usize {
    match c.config.paginate_by {
        0 => 1,
        per => len.div_ceil(per).max(1),
    }
}

/// The entries page `page` (from 1) of a list shows.
pub fn page_slice<'l, T>(c: &Catalogue, list: &'l [T], page: usize) -> &'l [T] {
    match c.config.paginate_by {
        0 => list,
        per => {
            let start = (page.max(1) - 1).saturating_mul(per).min(list.len());
            &list[start..(start + per).min(list.len())]
        }
    }
}

/// The URL of page `page` of a list at `url`: the list's own URL for page 1,
/// `<url>page/<n>/` after it (a page 1 is never written twice).
pub fn paged(url: String, page: usize) -> String {
    if page <= 1 {
        url
    } else {
        format!("{url}page/{page}/")
    }
}

/// The base URL when it is absolute (`https://example.org/sub/`), else `None`:
/// only then can sitemaps and feeds, which need absolute URLs, be written.
pub fn absolute_base(c: &Catalogue) -> Option<&str> {
    let base = c.config.base_url.as_str();
    (base.starts_with("https://") || base.starts_with("http://")).then_some(base)
}

/// `practices/` for a kind.
pub fn kind_url(kind: &Kind) -> String {
    format!("{}/", kind.dir)
}

/// `practices/entries.csv`: a kind's entries as a spreadsheet.
pub fn entries_csv_url(kind: &Kind) -> String {
    format!("{}/entries.csv", kind.dir)
}

/// `practices/p12/` for an entry.
pub fn entry_url(c: &Catalogue, entry: &Entry) -> String {
    entry_url_in(&c.config.kinds[entry.kind].dir, &entry.slug)
}

/// An entry's URL from its kind's folder and its slug, for writers that
/// stream entries without a [`Catalogue`] at hand.
pub fn entry_url_in(kind_dir: &str, slug: &str) -> String {
    format!("{kind_dir}/{slug}/")
}

/// `countries/` for a facet.
pub fn facet_url(facet: &Facet) -> String {
    format!("{}/", facet.name)
}

/// `countries/dk/` for a facet value.
pub fn value_url(facet: &Facet, value: usize) -> String {
    format!("{}/{}/", facet.name, facet.values[value].slug)
}

/// The page listing an exact combination: `sectors/health+education/`. A
/// single value's exact combination is a section of that value's page
/// (`sectors/health/#only`).
pub fn combination_url(facet: &Facet, combination: &[usize]) -> String {
    if combination.len() == 1 {
        format!("{}#only", value_url(facet, combination[0]))
    } else {
        format!("{}/{}/", facet.name, facet.combination_slug(combination))
    }
}

/// `summary/`.
pub fn summaries_url() -> String {
    "summary/".to_string()
}

/// `summary/countries/`.
pub fn summary_url(spec: &SummarySpec) -> String {
    format!("summary/{}/", spec.id)
}

/// `summary/countries.csv`.
pub fn summary_csv_url(spec: &SummarySpec) -> String {
    format!("summary/{}.csv", spec.id)
}

/// The list behind one pivot cell: `summary/<id>/<row value>/<column values>/`.
pub fn pivot_cell_url(c: &Catalogue, summary: usize, row: usize, column: &[usize]) -> String {
    let spec = &c.config.summaries[summary];
    let (rows, columns) = match spec.shape {
        crate::model::SummaryShape::Pivot { rows, columns, .. } => (rows, columns),
        // Only pivot summaries have cells; the summary's own page stands in.
        _ => return summary_url(spec),
    };
    let (rf, cf) = (&c.config.facets[rows], &c.config.facets[columns]);
    format!(
        "summary/{}/{}/{}/",
        spec.id,
        rf.values[row].slug,
        cf.combination_slug(column)
    )
}

/// `about/` for a free page.
pub fn page_url(page: &Page) -> String {
    page_url_in(&page.slug)
}

/// A free page's URL from its slug, for the loader, which has no [`Page`] yet.
pub fn page_url_in(slug: &str) -> String {
    format!("{slug}/")
}

/// The relative way back to the site root from a page at `url`: `../../` for
/// `practices/p12/`, `./` for the home page.
pub fn root_for(url: &str) -> String {
    let depth = url.split('/').filter(|s| !s.is_empty()).count();
    if depth == 0 {
        "./".to_string()
    } else {
        "../".repeat(depth)
    }
}

/// The file a URL is served from: a folder URL's `index.html`, else the URL.
pub fn file_for(url: &str) -> String {
    if url.is_empty() || url.ends_with('/') {
        format!("{url}{INDEX_FILE}")
    } else {
        url.to_string()
    }
}

/// The URL path a file is served at: `practices/p12/index.html` → `/practices/p12/`.
pub fn url_path(file: &str) -> String {
    format!("/{}", file.strip_suffix(INDEX_FILE).unwrap_or(file))
}

/// Routes by output file, for looking up what wrote a file.
pub fn by_file(c: &Catalogue, routes: &[Route]) -> BTreeMap<String, Route> {
    routes.iter().map(|r| (r.file(c), r.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_files_and_paths() {
        assert_eq!(root_for(""), "./");
        assert_eq!(root_for("practices/p12/"), "../../");
        assert_eq!(file_for(""), "index.html");
        assert_eq!(file_for("practices/p12/"), "practices/p12/index.html");
        assert_eq!(file_for("summary/a.csv"), "summary/a.csv");
        assert_eq!(file_for("404.html"), "404.html");
        assert_eq!(url_path("practices/p12/index.html"), "/practices/p12/");
        assert_eq!(url_path("index.html"), "/");
        assert_eq!(url_path("summary/a.csv"), "/summary/a.csv");
    }
}

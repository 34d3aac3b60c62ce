//! What an edit of entries changes, and which routes that touches.
//!
//! [`Change::between`] compares the model before and after some entries were
//! swapped in (the live preview's partial rebuild) and records what a page
//! can show of it: entry pages, list items, value and combination lists, maps,
//! summary tables and pivot cells, the data files. [`Route::affected_by`]
//! answers, route by route in one exhaustive `match`, whether the route's
//! bytes can differ. Routes that did not exist before are always rendered and
//! routes that no longer exist are dropped by the caller; everything else is
//! rendered exactly when it is affected. The serve tests compare the result
//! with a full build, file by file.

use std::collections::BTreeSet;

use super::Route;
use crate::index::{self, Index};
use crate::model::{Catalogue, Entry};
use crate::summary::Table;
use crate::view;

/// What an edit of entries changed, as pages can show it.
#[derive(Debug, Default, Clone)]
pub struct Change {
    /// Entries whose own page may show something different.
    pub entry_pages: BTreeSet<usize>,
    /// Entries whose list item (title, summary line, filter data) changed.
    pub list_items: BTreeSet<usize>,
    /// Pages of the home page's list that show a changed list item.
    pub home_pages: BTreeSet<usize>,
    /// Pages of kind lists (kind, page) that show a changed list item.
    pub kind_pages: BTreeSet<(usize, usize)>,
    /// Facets whose coding of some entry changed: their value counts and
    /// combinations may differ.
    pub facets: BTreeSet<usize>,
    /// Value lists whose members changed: every page of them.
    pub values: BTreeSet<(usize, usize)>,
    /// Pages of value lists (facet, value, page) that show a changed list item.
    pub value_pages: BTreeSet<(usize, usize, usize)>,
    /// Exact combinations whose members changed: every page of them.
    pub combinations: BTreeSet<(usize, Vec<usize>)>,
    /// Pages of combination lists that show a changed list item.
    pub combination_pages: BTreeSet<(usize, Vec<usize>, usize)>,
    /// Summaries whose table changed.
    pub tables: BTreeSet<usize>,
    /// Summaries whose page draws a map of a facet whose coding changed: its
    /// counts roll children up, so they can change while the table does not.
    pub maps: BTreeSet<usize>,
    /// Pivot cells (summary, row value, column values) whose members changed.
    pub cells: BTreeSet<(usize, usize, Vec<usize>)>,
    /// Pages of pivot cells that show a changed list item.
    pub cell_pages: BTreeSet<(usize, usize, Vec<usize>, usize)>,
    /// Some entry's data other than its body changed (`catalogue.json`, the
    /// feed, the citation exports, the sitemap's dates).
    pub records: bool,
    /// The entries edited: the search index holds every body (and their
    /// search fragments their result line and text).
    pub edited: BTreeSet<usize>,
    /// Kinds with an edited entry (body edits included): their
    /// `entries.csv` holds every field and body.
    pub edited_kinds: BTreeSet<usize>,
    /// Pages were added or removed: the sitemap lists them.
    pub routes: bool,
    /// Static files whose bytes may differ (added, changed or removed).
    pub statics: BTreeSet<String>,
    /// The site has templates of its own, which may print anything of the
    /// `site` object (value counts included) on any page.
    pub own_templates: bool,
}

/// Whether two versions of an entry differ at most in their body, which only
/// their own page and the search index show.
pub fn same_but_body(old: &Entry, new: &Entry) -> bool {
    old.kind == new.kind
        && old.title == new.title
        && old.facets == new.facets
        && old.related == new.related
        && old.fields == new.fields
}

impl Change {
    /// What swapping the entries of `edits` (index, previous version) into
    /// `c` changed. `old_index` and `old_tables` are the index and tables
    /// before, `index` and `tables` after; `similar_changed` are the entries
    /// whose "more like this" list changed (see
    /// [`crate::similar::SimilarLists::update`]).
    #[allow(clippy::too_many_arguments)]
    pub fn between(
        c: &Catalogue,
        old_index: &Index,
        index: &Index,
        edits: &[(usize, &Entry)],
        old_tables: &[Table],
        tables: &[Table],
        similar_changed: BTreeSet<usize>,
        own_templates: bool,
    ) -> Change {
        let config = &c.config;
        let mut change = Change {
            entry_pages: edits.iter().map(|(e, _)| *e).collect(),
            edited: edits.iter().map(|(e, _)| *e).collect(),
            own_templates,
            ..Change::default()
        };
        for &(i, old) in edits {
            let new = &c.entries[i];
            change.records |= !same_but_body(old, new);
            change.edited_kinds.insert(old.kind);
            change.edited_kinds.insert(new.kind);
            let listed_differently = view::item_of(c, old) != view::item_of(c, new);
            if listed_differently {
                change.list_items.insert(i);
                // The home page lists every entry, in catalogue order.
                let all: Vec<usize> = (0..c.entries.len()).collect();
                change.home_pages.extend(page_of(c, &all, i));
                if let Some(page) = page_of(c, &index.by_kind[new.kind], i) {
                    change.kind_pages.insert((new.kind, page));
                }
                // Pages listing it among their related entries.
                change.entry_pages.extend(&old.related);
                change.entry_pages.extend(&new.related);
                change.entry_pages.extend(&old_index.related_to[i]);
                change.entry_pages.extend(&index.related_to[i]);
            } else {
                // Entries added to or dropped from its related list.
                let was: BTreeSet<usize> = old.related.iter().copied().collect();
                let is: BTreeSet<usize> = new.related.iter().copied().collect();
                change.entry_pages.extend(was.symmetric_difference(&is));
            }
            for (fi, facet) in config.facets.iter().enumerate() {
                let (was, is) = (&old.facets[fi], &new.facets[fi]);
                if was != is {
                    change.facets.insert(fi);
                }
                if was != is {
                    // Members come and go: every page of these lists shifts.
                    let mut values = was.clone();
                    values.extend(is);
                    let values = index::with_ancestors(facet, &values);
                    change.values.extend(values.into_iter().map(|v| (fi, v)));
                    change.combinations.insert((fi, was.clone()));
                    change.combinations.insert((fi, is.clone()));
                } else if listed_differently {
                    // The same lists, one item shown differently: its page only.
                    for v in index::with_ancestors(facet, is) {
                        if let Some(page) = page_of(c, &index.rolled_up[fi][v], i) {
                            change.value_pages.insert((fi, v, page));
                        }
                    }
                    if let Some(list) = index.combinations[fi].get(is) {
                        if let Some(page) = page_of(c, list, i) {
                            change.combination_pages.insert((fi, is.clone(), page));
                            // A value's first page also shows the first page of
                            // the entries naming that value alone.
                            if let ([v], 1) = (is.as_slice(), page) {
                                change.value_pages.insert((fi, *v, 1));
                            }
                        }
                    }
                }
            }
        }
        change.entry_pages.extend(similar_changed);
        change.maps = (0..config.summaries.len())
            .filter(|&si| {
                crate::map::summary_map_facet(config, si)
                    .is_some_and(|f| change.facets.contains(&f))
            })
            .collect();
        for (si, (before, after)) in old_tables.iter().zip(tables).enumerate() {
            if before != after {
                change.tables.insert(si);
            }
            if let (Table::Pivot(before), Table::Pivot(after)) = (before, after) {
                for (ri, &row) in after.rows.iter().enumerate() {
                    for (ci, column) in after.columns.iter().enumerate() {
                        let entries = &after.cells[ri][ci];
                        if before.cell(row, column) != Some(entries.as_slice()) {
                            change.cells.insert((si, row, column.clone()));
                            continue;
                        }
                        for &e in &change.list_items {
                            if let Some(page) = page_of(c, entries, e) {
                                change.cell_pages.insert((si, row, column.clone(), page));
                            }
                        }
                    }
                }
            }
        }
        change
    }
}

/// The page (from 1) of a list, sorted by entry index as every list is, that
/// shows entry `e`, if the list holds it.
fn page_of(c: &Catalogue, list: &[usize], e: usize) -> Option<usize> {
    let at = list.binary_search(&e).ok()?;
    Some(match c.config.paginate_by {
        0 => 1,
        per => at / per + 1,
    })
}

impl Route {
    /// Whether `change` can change this route's bytes.
    pub fn affected_by(&self, change: &Change) -> bool {
        // With the built-in theme only the home page and facet pages print
        // value counts; a site's own templates may print them anywhere.
        let counts = !change.facets.is_empty();
        let site = counts && change.own_templates;
        match self {
            // The home page's filters show value counts on every page; a
            // changed item shows on the one page that lists it.
            Route::Home(page) => counts || change.home_pages.contains(page),
            Route::BrowseData => counts || !change.list_items.is_empty(),
            Route::BrowseItems(_) => !change.list_items.is_empty(),
            // A kind's members never change in a partial rebuild (an entry's
            // kind is its folder); only the page showing a changed item does.
            Route::Kind(k, page) => site || change.kind_pages.contains(&(*k, *page)),
            Route::Entry(e) => site || change.entry_pages.contains(e),
            Route::Facet(fi) => site || change.facets.contains(fi),
            Route::Value(fi, v, page) => {
                site || change.values.contains(&(*fi, *v))
                    || change.value_pages.contains(&(*fi, *v, *page))
            }
            Route::Combination(fi, values, page) => {
                site || change.combinations.contains(&(*fi, values.clone()))
                    || change
                        .combination_pages
                        .contains(&(*fi, values.clone(), *page))
            }
            Route::Summaries | Route::Page(_) | Route::NotFound => site,
            Route::Summary(si) => site || change.tables.contains(si) || change.maps.contains(si),
            Route::SummaryCsv(si) => change.tables.contains(si),
            // Every entry's data and its Markdown body: any edit of the kind.
            Route::EntriesCsv(k) => change.edited_kinds.contains(k),
            Route::PivotCell(si, row, column, page) => {
                site || change.cells.contains(&(*si, *row, column.clone()))
                    || change
                        .cell_pages
                        .contains(&(*si, *row, column.clone(), *page))
            }
            Route::CatalogueJson | Route::Feed | Route::Bibtex | Route::CslJson => change.records,
            Route::Sitemap => change.records || change.routes,
            // Any entry's words may move the chunks' boundaries.
            Route::SearchEntry | Route::SearchChunk(_) => !change.edited.is_empty(),
            // A result line and the text: only the entry's own.
            Route::SearchFragment(d) => change.edited.contains(d),
            Route::Robots => false,
            Route::Static(name) => change.statics.contains(name),
        }
    }
}

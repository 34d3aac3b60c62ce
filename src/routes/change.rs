//! What an edit of entries changes, and which routes that touches.
//!
//! [`Change::between`] compares the model before and after some entries were
//! swapped in (the live preview's partial rebuild) and records what a page
//! can show of it: entry pages, list items, value and combination lists,
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
    /// Kinds whose list shows a changed list item.
    pub kinds: BTreeSet<usize>,
    /// Facets whose coding of some entry changed: their value counts and
    /// combinations may differ.
    pub facets: BTreeSet<usize>,
    /// Value pages whose list changed (members, or a member's list item).
    pub values: BTreeSet<(usize, usize)>,
    /// Exact combinations whose list changed.
    pub combinations: BTreeSet<(usize, Vec<usize>)>,
    /// Summaries whose table changed.
    pub tables: BTreeSet<usize>,
    /// Pivot cells (summary, row value, column values) whose list changed.
    pub cells: BTreeSet<(usize, usize, Vec<usize>)>,
    /// Some entry's data other than its body changed (`catalogue.json`, the
    /// feed, the citation exports, the sitemap's dates).
    pub records: bool,
    /// Some entry changed at all: the search index holds bodies too.
    pub entries: bool,
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
            entries: !edits.is_empty(),
            own_templates,
            ..Change::default()
        };
        for &(i, old) in edits {
            let new = &c.entries[i];
            change.records |= !same_but_body(old, new);
            let listed_differently = view::item_of(c, old) != view::item_of(c, new);
            if listed_differently {
                change.list_items.insert(i);
                change.kinds.insert(new.kind);
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
                if was != is || listed_differently {
                    let mut values = was.clone();
                    values.extend(is);
                    let values = index::with_ancestors(facet, &values);
                    change.values.extend(values.into_iter().map(|v| (fi, v)));
                    change.combinations.insert((fi, was.clone()));
                    change.combinations.insert((fi, is.clone()));
                }
            }
        }
        change.entry_pages.extend(similar_changed);
        for (si, (before, after)) in old_tables.iter().zip(tables).enumerate() {
            if before != after {
                change.tables.insert(si);
            }
            if let (Table::Pivot(before), Table::Pivot(after)) = (before, after) {
                for (ri, &row) in after.rows.iter().enumerate() {
                    for (ci, column) in after.columns.iter().enumerate() {
                        let entries = &after.cells[ri][ci];
                        let was = before.cell(row, column);
                        if was != Some(entries.as_slice())
                            || entries.iter().any(|e| change.list_items.contains(e))
                        {
                            change.cells.insert((si, row, column.clone()));
                        }
                    }
                }
            }
        }
        change
    }
}

impl Route {
    /// Whether `change` can change this route's bytes.
    pub fn affected_by(&self, change: &Change) -> bool {
        // With the built-in theme only the home page and facet pages print
        // value counts; a site's own templates may print them anywhere.
        let counts = !change.facets.is_empty();
        let site = counts && change.own_templates;
        match self {
            // Any page of the list: an entry moving in or out shifts the others.
            Route::Home(_) => counts || !change.list_items.is_empty(),
            Route::BrowseData => counts || !change.list_items.is_empty(),
            Route::BrowseItems(_) => !change.list_items.is_empty(),
            // Any page of a list: an entry moving in or out shifts the others.
            Route::Kind(k, _) => site || change.kinds.contains(k),
            Route::Entry(e) => site || change.entry_pages.contains(e),
            Route::Facet(fi) => site || change.facets.contains(fi),
            Route::Value(fi, v, _) => site || change.values.contains(&(*fi, *v)),
            Route::Combination(fi, values, _) => {
                site || change.combinations.contains(&(*fi, values.clone()))
            }
            Route::Summaries | Route::Page(_) | Route::NotFound => site,
            Route::Summary(si) => site || change.tables.contains(si),
            Route::SummaryCsv(si) => change.tables.contains(si),
            Route::PivotCell(si, row, column, _) => {
                site || change.cells.contains(&(*si, *row, column.clone()))
            }
            Route::CatalogueJson | Route::Feed | Route::Bibtex | Route::CslJson => change.records,
            Route::Sitemap => change.records || change.routes,
            // Any entry's words may move the chunks' boundaries.
            Route::SearchIndex | Route::SearchEntry | Route::SearchChunk(_) => change.entries,
            Route::Robots => false,
            Route::Static(name) => change.statics.contains(name),
        }
    }
}

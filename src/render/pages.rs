//! One function per page type: the data each template gets.
//!
//! Every function gathers the views its template shows (see
//! [`crate::view`]), with lists of entries as ready-made list items (see
//! [`super::fragments`]), and renders the page. URLs come from
//! [`crate::routes`].

use serde::Serialize;

use super::{ErasedSerialize, ItemStyle, Renderer};
use crate::diagnostic::Diagnostic;
use crate::map;
use crate::routes::{self, root_for, Route};
use crate::summary::Table;
use crate::view::{KindGroup, LinkView, PagerView};

#[derive(Serialize)]
struct CombinationLink {
    title: String,
    url: String,
    size: usize,
    count: usize,
}

#[derive(Serialize)]
struct SummaryLink {
    title: String,
    description: String,
    url: String,
    csv: String,
}

#[derive(Serialize)]
struct SummaryInfo<'a> {
    id: &'a str,
    title: &'a str,
    description: &'a str,
    mode: &'static str,
    csv: String,
    kinds: Vec<&'a str>,
    /// How parents with parts are counted, where readers need telling.
    note: Option<String>,
}

#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    body: &'a str,
    extra: &'a serde_json::Map<String, serde_json::Value>,
}

/// Page data as (key, value) pairs for the template.
type Data<'d> = [(&'d str, &'d dyn ErasedSerialize)];

impl<'a> Renderer<'a> {
    /// Renders `template` for `route` with `data`, reserving room for the
    /// list items in `groups`.
    fn html(
        &self,
        template: &str,
        route: &Route,
        data: &Data<'_>,
        groups: &[&[KindGroup]],
    ) -> Result<Vec<u8>, Diagnostic> {
        let url = route.url(self.catalogue);
        let lists = groups.iter().map(|g| super::list_bytes(g)).sum();
        self.page(template, &url, None, data, lists)
    }

    /// `entries` as list items grouped by kind, for the page of `route`.
    fn list(&self, route: &Route, entries: &[usize]) -> Result<Vec<KindGroup<'a>>, Diagnostic> {
        let root = root_for(&route.url(self.catalogue));
        self.groups(entries, ItemStyle::List, &root)
    }

    /// Page `page` of the paged list `entries` whose first page is at
    /// `first_url`: its list items, grouped by kind, and its pager.
    fn paged_list(
        &self,
        route: &Route,
        first_url: &str,
        entries: &[usize],
        page: usize,
    ) -> Result<(Vec<KindGroup<'a>>, PagerView), Diagnostic> {
        let c = self.catalogue;
        let shown = routes::page_slice(c, entries, page);
        let pages = routes::page_count(c, entries.len());
        let pager = PagerView::new(first_url, page, pages, entries.len(), c.config.paginate_by);
        Ok((self.list(route, shown)?, pager))
    }

    /// Page `page` of the home page: the first page of entries with the
    /// filters (which load the rest with `browse.js`), or a later page of
    /// the no-script list.
    pub(super) fn home(&self, page: usize) -> Result<Vec<u8>, Diagnostic> {
        let route = Route::Home(page);
        let c = self.catalogue;
        let all: Vec<usize> = self.index.by_kind.iter().flatten().copied().collect();
        let shown = routes::page_slice(c, &all, page);
        let pager = PagerView::new(
            "",
            page,
            routes::page_count(c, all.len()),
            all.len(),
            c.config.paginate_by,
        );
        // The home style, as before, for sites whose own item.html asks for it.
        let groups = self.groups(shown, ItemStyle::Home, &root_for(&route.url(c)))?;
        self.html(
            "index.html",
            &route,
            &[("groups", &groups), ("pager", &pager)],
            &[&groups],
        )
    }

    pub(super) fn kind(&self, k: usize, page: usize) -> Result<Vec<u8>, Diagnostic> {
        let route = Route::Kind(k, page);
        let kind = self.views().site().kinds.into_iter().nth(k);
        let first = routes::kind_url(&self.catalogue.config.kinds[k]);
        let (groups, pager) = self.paged_list(&route, &first, &self.index.by_kind[k], page)?;
        self.html(
            "kind.html",
            &route,
            &[("kind", &kind), ("groups", &groups), ("pager", &pager)],
            &[&groups],
        )
    }

    pub(super) fn entry(&self, e: usize) -> Result<Vec<u8>, Diagnostic> {
        let c = self.catalogue;
        let route = Route::Entry(e);
        let mut entry = self.views().entry(e);
        let root = root_for(&entry.url);
        for facet in &mut entry.facets {
            facet.links = self.value_links_html(facet.index, &facet.value_ids, &root)?;
        }
        entry.related = self.related_html(&entry.related_ids, &root)?;
        entry.similar = self.related_html(&entry.similar_ids, &root)?;
        let cite = crate::cite::view(c, &c.entries[e]);
        self.html(
            "entry.html",
            &route,
            &[("entry", &entry), ("cite", &cite)],
            &[],
        )
    }

    pub(super) fn facet(&self, fi: usize) -> Result<Vec<u8>, Diagnostic> {
        let f = &self.catalogue.config.facets[fi];
        let combinations: Vec<CombinationLink> = if f.combination_pages {
            self.index
                .ordered_combinations(fi)
                .into_iter()
                .map(|combination| CombinationLink {
                    title: f.combination_label(combination),
                    url: routes::combination_url(f, combination),
                    size: combination.len(),
                    count: self.index.combinations[fi][combination].len(),
                })
                .collect()
        } else {
            Vec::new()
        };
        let route = Route::Facet(fi);
        let all_kinds: Vec<usize> = (0..self.catalogue.config.kinds.len()).collect();
        let root = root_for(&route.url(self.catalogue));
        let maps = map::facet_maps(self.catalogue, self.index, fi, &all_kinds, &root);
        self.html(
            "facet.html",
            &route,
            &[
                ("facet", &self.views().facet(fi)),
                ("combinations", &combinations),
                ("maps", &maps),
            ],
            &[],
        )
    }

    pub(super) fn value(&self, fi: usize, v: usize, page: usize) -> Result<Vec<u8>, Diagnostic> {
        let views = self.views();
        let route = Route::Value(fi, v, page);
        let f = &self.catalogue.config.facets[fi];
        let parent = f.values[v].parent.map(|p| views.value(fi, p));
        let children: Vec<_> = f
            .values
            .iter()
            .enumerate()
            .filter(|(_, child)| child.parent == Some(v))
            .map(|(ci, _)| views.value(fi, ci))
            .collect();
        let exact = &self.index.exact[fi][v];
        let only: Vec<usize> = if f.combination_pages {
            self.index.combinations[fi]
                .get(&vec![v])
                .cloned()
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        // The entries naming this value alone: on the first page, at most a
        // page of them (the home page's filter lists them all).
        let only_shown = if page == 1 {
            routes::page_slice(self.catalogue, &only, 1)
        } else {
            &[]
        };
        let only_groups = self.list(&route, only_shown)?;
        let only_filter = crate::view::HomeFilter::exactly(fi, &[v]).query(self.catalogue);
        let first = routes::value_url(f, v);
        let (groups, pager) =
            self.paged_list(&route, &first, &self.index.rolled_up[fi][v], page)?;
        self.html(
            "value.html",
            &route,
            &[
                ("facet", &FacetHead::of(f)),
                ("value", &views.value(fi, v)),
                ("parent", &parent),
                ("children", &children),
                ("exact_count", &exact.len()),
                ("groups", &groups),
                ("combination_pages", &f.combination_pages),
                ("only", &only_groups),
                ("only_count", &only.len()),
                ("only_shown", &only_shown.len()),
                ("only_filter", &only_filter),
                ("pager", &pager),
            ],
            &[&only_groups, &groups],
        )
    }

    pub(super) fn combination(
        &self,
        fi: usize,
        combination: &[usize],
        page: usize,
    ) -> Result<Vec<u8>, Diagnostic> {
        let f = &self.catalogue.config.facets[fi];
        let route = Route::Combination(fi, combination.to_vec(), page);
        let entries = &self.index.combinations[fi][combination];
        let first = routes::combination_url(f, combination);
        let (groups, pager) = self.paged_list(&route, &first, entries, page)?;
        let values: Vec<LinkView> = combination
            .iter()
            .map(|&v| LinkView {
                title: f.values[v].label.clone(),
                url: routes::value_url(f, v),
            })
            .collect();
        self.html(
            "combination.html",
            &route,
            &[
                ("facet", &self.views().facet(fi)),
                ("title", &f.combination_label(combination)),
                ("values", &values),
                ("count", &entries.len()),
                ("groups", &groups),
                ("pager", &pager),
            ],
            &[&groups],
        )
    }

    pub(super) fn summaries(&self) -> Result<Vec<u8>, Diagnostic> {
        let list: Vec<SummaryLink> = self
            .catalogue
            .config
            .summaries
            .iter()
            .map(|s| SummaryLink {
                title: s.title.clone(),
                description: s.description.clone(),
                url: routes::summary_url(s),
                csv: routes::summary_csv_url(s),
            })
            .collect();
        self.html(
            "summaries.html",
            &Route::Summaries,
            &[("summaries", &list)],
            &[],
        )
    }

    pub(super) fn summary(&self, si: usize) -> Result<Vec<u8>, Diagnostic> {
        let config = &self.catalogue.config;
        let spec = &config.summaries[si];
        let info = SummaryInfo {
            id: &spec.id,
            title: &spec.title,
            description: &spec.description,
            mode: spec.shape.mode(),
            csv: routes::summary_csv_url(spec),
            kinds: spec
                .kinds
                .iter()
                .map(|&k| config.kinds[k].label.as_str())
                .collect(),
            note: crate::view::parent_note(self.catalogue, &spec.shape),
        };
        let table = self.views().table(si, &self.tables[si]);
        let route = Route::Summary(si);
        let maps = map::summary_map_facet(config, si).and_then(|fi| {
            let root = root_for(&route.url(self.catalogue));
            map::facet_maps(self.catalogue, self.index, fi, &spec.kinds, &root)
        });
        self.html(
            "summary.html",
            &route,
            &[("summary", &info), ("table", &table), ("maps", &maps)],
            &[],
        )
    }

    pub(super) fn pivot_cell(
        &self,
        si: usize,
        row: usize,
        column: &[usize],
        page: usize,
    ) -> Result<Vec<u8>, Diagnostic> {
        let config = &self.catalogue.config;
        let route = Route::PivotCell(si, row, column.to_vec(), page);
        let Table::Pivot(t) = &self.tables[si] else {
            let what = format!(
                "internal error: summary {} has no cells",
                config.summaries[si].id
            );
            return Err(Diagnostic::error(crate::config::CONFIG_FILE, what));
        };
        let spec = &config.summaries[si];
        let (rf, cf) = (&config.facets[t.row_facet], &config.facets[t.column_facet]);
        let title = format!(
            "{} and {}",
            rf.values[row].label,
            cf.combination_label(column)
        );
        let back = LinkView {
            title: spec.title.clone(),
            url: routes::summary_url(spec),
        };
        let entries = t.cell(row, column).unwrap_or_default();
        let first = routes::pivot_cell_url(self.catalogue, si, row, column);
        let (groups, pager) = self.paged_list(&route, &first, entries, page)?;
        self.html(
            "list.html",
            &route,
            &[
                ("title", &title),
                ("back", &back),
                ("count", &entries.len()),
                ("groups", &groups),
                ("pager", &pager),
            ],
            &[&groups],
        )
    }

    pub(super) fn free_page(&self, p: usize) -> Result<Vec<u8>, Diagnostic> {
        let page = &self.catalogue.pages[p];
        let data = PageView {
            title: &page.title,
            body: &page.body_html,
            extra: &page.fields,
        };
        self.html("page.html", &Route::Page(p), &[("page", &data)], &[])
    }

    pub(super) fn sitemap(&self) -> Result<Vec<u8>, Diagnostic> {
        let urls = crate::export::sitemap_urls(self.catalogue, self.routes);
        self.document("sitemap.xml", &[("urls", &urls)])
    }

    pub(super) fn feed(&self) -> Result<Vec<u8>, Diagnostic> {
        let (feed, entries) = crate::export::feed_views(self.catalogue, &self.views());
        self.document("atom.xml", &[("feed", &feed), ("entries", &entries)])
    }

    pub(super) fn not_found(&self) -> Result<Vec<u8>, Diagnostic> {
        // Served for any missing path, so its links start from the site's base.
        let url = Route::NotFound.url(self.catalogue);
        let base = &self.catalogue.config.base_path;
        self.page("404.html", &url, Some(base), &[], 0)
    }
}

/// The facet as a value page sees it: name, label, description and URL, not
/// its values. Every value page used to serialise every value of its facet,
/// so a facet with 10,000 values did 10^8 values' work.
#[derive(Serialize)]
struct FacetHead<'a> {
    name: &'a str,
    label: &'a str,
    description: &'a str,
    url: String,
    exact: bool,
}

impl<'a> FacetHead<'a> {
    fn of(facet: &'a crate::model::Facet) -> FacetHead<'a> {
        FacetHead {
            name: &facet.name,
            label: &facet.label,
            description: &facet.description,
            url: routes::facet_url(facet),
            exact: facet.combination_pages,
        }
    }
}

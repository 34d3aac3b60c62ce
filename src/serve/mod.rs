//! `casebook serve`: build the site into memory, serve it, rebuild on change.
//!
//! The site is rendered into a [`MemorySink`] and published as one immutable
//! map of files ([`http::Published`]), swapped whole after each build, so
//! nothing is written to disk and a reader never sees a half-built site. A
//! [`Builder`] keeps the last good model (catalogue, index, theme) next to its
//! files. When only entry files change it re-reads just those files, swaps them
//! into the catalogue, re-indexes, and re-renders only the pages whose data
//! can have changed (see [`Builder::apply`]); anything unusual (a new, removed
//! or renamed entry, a changed id, an error) falls back to a full rebuild,
//! which also produces the same diagnostics as `casebook check`. A failed
//! build keeps the last good files on show with an error overlay.

pub mod http;
pub mod watch;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use rayon::prelude::*;
use serde_json::Value as Json;

use crate::diagnostic::Diagnostic;
use crate::index::{self, Index};
use crate::load::{self, LoadOptions};
use crate::model::Entry;
use crate::render::{self, Job, Renderer, Sink, Theme};
use crate::search::{IndexRecords, SEARCH_INDEX};
use crate::summary::Table;
use crate::view::{self, Views};
use crate::Site;

use http::{Files, LiveEvent, Shared};
use watch::{Layout, RebuildPlan, StaticChange};

/// Command-line options of `casebook serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Site root.
    pub root: PathBuf,
    /// Address to listen on (loopback by default).
    pub bind: IpAddr,
    /// Port; 0 picks a free one.
    pub port: u16,
}

/// Parses `--bind`: an IP address, or `localhost`.
pub fn parse_bind(text: &str) -> Result<IpAddr, String> {
    if text.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    text.parse()
        .map_err(|_| format!("{text:?} is not an IP address (use 127.0.0.1, ::1 or 0.0.0.0)"))
}

/// The warning printed when the preview is reachable from other machines.
pub fn exposure_warning(ip: IpAddr) -> Option<String> {
    (!http::is_loopback(ip)).then(|| {
        format!(
            "warning: --bind {ip} makes the preview visible on the network: anyone who can reach this \
             machine can read the site, drafts included. Leave --bind out to keep it on this machine (127.0.0.1)."
        )
    })
}

/// The URL to open for a listening address (loopback when listening everywhere).
pub fn browse_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/", SocketAddr::new(ip, addr.port()))
}

/// A [`Sink`] collecting files in memory.
#[derive(Default)]
pub struct MemorySink {
    files: Mutex<Vec<(Arc<str>, Bytes)>>,
}

impl MemorySink {
    /// The files received, in no particular order.
    pub fn into_files(self) -> Vec<(Arc<str>, Bytes)> {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for MemorySink {
    fn put(&self, path: &str, bytes: Vec<u8>) -> io::Result<()> {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.push((Arc::from(path), Bytes::from(bytes)));
        Ok(())
    }
}

/// What a rebuild did.
#[derive(Debug)]
pub enum Outcome {
    /// Nothing to show changed.
    Unchanged,
    /// A good build.
    Built {
        /// The files to serve.
        files: Arc<Files>,
        /// URL paths (`/practices/p12/`) whose bytes changed; `None` when anything may have.
        changed: Option<Vec<String>>,
        /// Only stylesheets changed.
        css_only: bool,
        /// Warnings to print.
        warnings: Vec<Diagnostic>,
        /// One line for the terminal.
        summary: String,
    },
    /// The build failed; the last good files stay on show.
    Failed(Vec<Diagnostic>),
}

/// The last good build: its model, the jobs that made it, and its files.
struct Good {
    site: Site,
    jobs: Vec<Job>,
    /// The summary tables the files were rendered with.
    tables: Vec<Table>,
    /// "More like this" lists of the first entries, computed while idle (costly
    /// on big catalogues); complete when it has one list per entry.
    similar: Vec<Vec<usize>>,
    /// Each entry's record in `search-index.json`, made while idle or at the
    /// first change that needs them, so that a change re-serialises only the
    /// changed entries (the whole file is 43 MB at 18,000 entries). Partial
    /// rebuilds keep them up to date; a new configuration or an entry added,
    /// removed or moved means a full build, which starts a new `Good`.
    search: IndexRecords,
    files: Arc<Files>,
    /// What links in bodies resolve to, as in a full load.
    links: load::LinkTargets,
    by_source: HashMap<PathBuf, usize>,
}

impl Good {
    /// Whether the site has a search index whose records are not all made yet.
    fn search_records_missing(&self) -> bool {
        self.jobs.contains(&Job::SearchIndex) && !self.search.is_complete(&self.site.catalogue)
    }

    fn new(site: Site, jobs: Vec<Job>, tables: Vec<Table>, files: Arc<Files>) -> Good {
        let entries = &site.catalogue.entries;
        let links = load::LinkTargets::of(&site.catalogue);
        let by_source = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.source.clone(), i))
            .collect();
        Good {
            site,
            jobs,
            tables,
            similar: Vec::new(),
            search: IndexRecords::default(),
            files,
            links,
            by_source,
        }
    }
}

/// One changed entry, read and checked.
struct Update {
    index: usize,
    entry: Entry,
    warnings: Vec<Diagnostic>,
}

/// Builds the site into memory and keeps what a partial rebuild needs.
pub struct Builder {
    root: PathBuf,
    options: LoadOptions,
    good: Option<Good>,
    /// The last build failed: the model may not match the files on disk.
    broken: bool,
    /// The site overrides templates: pages may use any data they are given.
    custom_templates: bool,
    /// Where things are, as of the last good full build.
    layout: Layout,
}

/// Lists computed per idle step: a change waits at most for one step.
const IDLE_CHUNK: usize = 256;

/// Search-index records made per idle step (some 5 MB of JSON at most).
const IDLE_SEARCH_CHUNK: usize = 2048;

/// Why a partial rebuild gave way to a full one.
type Fallback = &'static str;

impl Builder {
    /// A builder for the site at `root`; nothing is built yet.
    pub fn new(root: &Path, options: LoadOptions) -> Builder {
        Builder {
            root: root.to_path_buf(),
            options,
            good: None,
            broken: true,
            custom_templates: false,
            layout: Layout::new(root, Vec::new(), []),
        }
    }

    /// Where things are, for classifying changes.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The files of the last good build.
    pub fn files(&self) -> Option<Arc<Files>> {
        self.good.as_ref().map(|g| g.files.clone())
    }

    /// Carries out a plan. Partial plans fall back to a full rebuild when the
    /// last build failed or when they meet anything they do not handle.
    ///
    /// A partial rebuild of changed entries re-renders:
    /// - always the entry's own page and the search index (from cached records,
    ///   only the changed entries serialised again), and `catalogue.json` unless
    ///   only the body changed;
    /// - the pages of entries whose related list (both directions) or "more like
    ///   this" list changed, and those showing a changed entry whose title or
    ///   list summary changed;
    /// - for each facet the entry's values changed in (or whose lists show its new
    ///   title): the old and new value pages with their ancestors, the old and new
    ///   combination pages, and, on a value change, the facet overview;
    /// - the home page and kind list when the entry appears differently there;
    /// - summaries and pivot cells whose computed contents differ.
    ///
    /// Everything is re-rendered from the updated model instead (no disk reads)
    /// when the set of pages changes (a combination or pivot cell appears or
    /// disappears) or when data every page sees (`site`) changes — with the
    /// built-in theme that excludes value counts, which only the home page and
    /// facet pages print; with a site's own templates it includes them.
    pub fn apply(&mut self, plan: &RebuildPlan) -> Outcome {
        match plan {
            RebuildPlan::Nothing => Outcome::Unchanged,
            RebuildPlan::Full(reason) => self.full(reason),
            RebuildPlan::Partial { entries, statics } => {
                if self.broken || self.good.is_none() {
                    return self.full("the last build failed");
                }
                match self.partial(entries, *statics) {
                    Ok(outcome) => outcome,
                    Err(reason) => self.full(reason),
                }
            }
        }
    }

    /// Loads and renders everything.
    pub fn full(&mut self, reason: &str) -> Outcome {
        let started = Instant::now();
        let site = match Site::load(&self.root, &self.options) {
            Ok(site) => site,
            Err(errors) => {
                self.broken = true;
                return Outcome::Failed(errors);
            }
        };
        let renderer = Renderer::new(&site.catalogue, &site.index, &site.theme);
        let jobs = renderer.jobs();
        let sink = MemorySink::default();
        if let Err(errors) = render::render_jobs(&renderer, &jobs, &sink) {
            self.broken = true;
            return Outcome::Failed(errors);
        }
        let tables = renderer.tables().to_vec();
        drop(renderer);
        let files: Arc<Files> = Arc::new(sink.into_files().into_iter().collect());
        let warnings = site.warnings.clone();
        let entries = site.catalogue.entries.len();
        self.custom_templates = site.theme.own_templates;
        let catalogue = &site.catalogue;
        let sources = catalogue.entries.iter().map(|e| e.source.as_path());
        let pages = catalogue.pages.iter().map(|p| p.source.as_path());
        let kind_dirs = catalogue
            .config
            .kinds
            .iter()
            .map(|k| k.dir.clone())
            .collect();
        self.layout = Layout::new(&self.root, kind_dirs, sources.chain(pages));
        self.good = Some(Good::new(site, jobs, tables, files.clone()));
        self.broken = false;
        let summary = format!(
            "built {entries} entries, {} files in {} ms ({reason})",
            files.len(),
            started.elapsed().as_millis()
        );
        Outcome::Built {
            files,
            changed: None,
            css_only: false,
            warnings,
            summary,
        }
    }

    /// Whether there is background work to do while no change is waiting.
    pub fn has_idle_work(&self) -> bool {
        self.good.as_ref().is_some_and(|g| {
            !self.broken
                && (g.similar.len() < g.site.catalogue.entries.len() || g.search_records_missing())
        })
    }

    /// Does a short piece of background work: serialising the search index's
    /// records, which every entry change needs, then computing the "more like
    /// this" lists that title and facet edits need, so the first such edit is fast.
    pub fn idle_step(&mut self) {
        if let Some(good) = self.good.as_mut() {
            if good.search_records_missing() {
                good.search.extend(&good.site.catalogue, IDLE_SEARCH_CHUNK);
            } else {
                finish_similar(&good.site, &mut good.similar, IDLE_CHUNK);
            }
        }
    }

    fn partial(
        &mut self,
        paths: &BTreeSet<PathBuf>,
        statics: Option<StaticChange>,
    ) -> Result<Outcome, Fallback> {
        let started = Instant::now();
        let new_theme = match statics {
            Some(_) => Some(Theme::load(&self.root).map_err(|_| "the theme has errors")?),
            None => None,
        };
        let custom_templates = self.custom_templates;
        let good = self.good.as_mut().ok_or("nothing built yet")?;
        let updates = read_updates(&self.root, good, paths)?;
        let warnings: Vec<Diagnostic> = updates
            .iter()
            .flat_map(|u| u.warnings.iter().cloned())
            .collect();

        let old_static_names: BTreeSet<String> = good.site.theme.statics.keys().cloned().collect();
        if let Some(theme) = new_theme {
            good.site.theme = theme;
        }
        let model_unchanged = updates
            .iter()
            .all(|u| same_but_body(&good.site.catalogue.entries[u.index], &u.entry));
        let (jobs, tables, mut to_render, render_all) = if model_unchanged {
            // Only bodies changed (or static files): the index, tables and every
            // other page stay as they are; a body shows on its entry page and in
            // the search index (written below).
            for update in &updates {
                good.site.catalogue.entries[update.index] = update.entry.clone();
            }
            let mut jobs: Vec<Job> = good
                .jobs
                .iter()
                .filter(|j| !matches!(j, Job::Static(_)))
                .cloned()
                .collect();
            jobs.extend(good.site.theme.statics.keys().cloned().map(Job::Static));
            let mut to_render: Vec<Job> = updates.iter().map(|u| Job::Entry(u.index)).collect();
            if statics.is_some() {
                to_render.extend(good.site.theme.statics.keys().cloned().map(Job::Static));
            }
            (jobs, good.tables.clone(), to_render, false)
        } else {
            // What the pages showed before the change.
            let before = Before::capture(&good.site, &updates, custom_templates);
            let entries = &good.site.catalogue.entries;
            let lists_may_change = updates.iter().any(|u| {
                u.entry.title != entries[u.index].title || u.entry.facets != entries[u.index].facets
            });
            if lists_may_change {
                finish_similar(&good.site, &mut good.similar, usize::MAX);
            }
            let similar_complete = good.similar.len() == entries.len();
            // Swap the new entries in; re-index.
            let mut old_entries = Vec::with_capacity(updates.len());
            for update in &updates {
                old_entries.push(std::mem::replace(
                    &mut good.site.catalogue.entries[update.index],
                    update.entry.clone(),
                ));
            }
            let old_index =
                std::mem::replace(&mut good.site.index, Index::build(&good.site.catalogue));
            let site = &good.site;
            let similar = &mut good.similar;
            let renderer = Renderer::new(&site.catalogue, &site.index, &site.theme);
            let jobs = renderer.jobs();
            let tables = renderer.tables().to_vec();
            let views = Views {
                catalogue: &site.catalogue,
                index: &site.index,
            };
            let same_pages = without_statics(&jobs) == without_statics(&good.jobs)
                && same_table_shapes(&good.tables, &tables)
                && site_key(&views, custom_templates) == before.site_key;
            if same_pages {
                if !similar_complete {
                    similar.clear(); // lists computed so far may be stale now: start again
                }
                let similar = similar_complete.then_some(similar);
                let changes =
                    Changes::between(site, &old_index, &updates, &old_entries, &before, similar);
                let list: Vec<Job> = jobs
                    .iter()
                    .filter(|job| match job {
                        Job::Static(_) => statics.is_some(),
                        job => changes.touches(job, &good.tables, &tables),
                    })
                    .cloned()
                    .collect();
                (jobs, tables, list, false)
            } else {
                similar.clear(); // computed again from the new model
                (jobs.clone(), tables, jobs, true)
            }
        };
        // The search index holds every entry's record (its body's words
        // included), so any entry change touches it: it is put together from the
        // cached records, only the changed entries' serialised again, instead
        // of being rendered from all entries.
        to_render.retain(|job| *job != Job::SearchIndex);
        let search_index = if !updates.is_empty() && jobs.contains(&Job::SearchIndex) {
            let catalogue = &good.site.catalogue;
            good.search
                .update(catalogue, updates.iter().map(|u| u.index));
            Some(good.search.json(catalogue))
        } else {
            None
        };
        let site = &good.site;
        let renderer =
            Renderer::with_tables(&site.catalogue, &site.index, &site.theme, tables.clone());
        let sink = MemorySink::default();
        render::render_jobs(&renderer, &to_render, &sink).map_err(|_| "a page failed to render")?;
        drop(renderer);
        if let Some(bytes) = search_index {
            to_render.push(Job::SearchIndex);
            sink.put(SEARCH_INDEX, bytes)
                .map_err(|_| "the search index failed to write")?;
        }

        let rendered = sink.into_files();
        let mut changed = Vec::new();
        let files: Files = if render_all {
            rendered.into_iter().collect()
        } else {
            let mut files: Files = (*good.files).clone();
            let new_static_names: BTreeSet<&String> = good.site.theme.statics.keys().collect();
            for gone in old_static_names
                .iter()
                .filter(|n| !new_static_names.contains(n))
            {
                files.remove(gone.as_str());
                changed.push(gone.clone());
            }
            for (path, bytes) in rendered {
                if files.get(&path) != Some(&bytes) {
                    changed.push(path.to_string());
                    files.insert(path, bytes);
                }
            }
            files
        };
        let rendered_count = to_render.len();
        good.jobs = jobs;
        good.tables = tables;
        good.files = Arc::new(files);
        let css_only = updates.is_empty()
            && statics == Some(StaticChange::CssOnly)
            && changed
                .iter()
                .all(|p| p.to_ascii_lowercase().ends_with(".css"));
        let what = if updates.is_empty() {
            "static files".to_string()
        } else if updates.len() == 1 {
            crate::diagnostic::display_path(&updates[0].entry.source)
        } else {
            format!("{} entries", updates.len())
        };
        let summary = if render_all {
            format!(
                "rebuilt {what}: re-rendered all {} files in {} ms",
                rendered_count,
                started.elapsed().as_millis()
            )
        } else {
            format!(
                "rebuilt {what}: re-rendered {rendered_count} file{}, {} changed, in {} ms",
                if rendered_count == 1 { "" } else { "s" },
                changed.len(),
                started.elapsed().as_millis()
            )
        };
        if !render_all && changed.is_empty() {
            return Ok(Outcome::Unchanged);
        }
        Ok(Outcome::Built {
            files: good.files.clone(),
            changed: if render_all {
                None
            } else {
                Some(changed.iter().map(|p| url_path(p)).collect())
            },
            css_only,
            warnings,
            summary,
        })
    }
}

/// Whether two versions of an entry differ at most in their body, which only
/// their own page shows.
fn same_but_body(old: &Entry, new: &Entry) -> bool {
    old.kind == new.kind
        && old.title == new.title
        && old.facets == new.facets
        && old.related == new.related
        && old.fields == new.fields
}

/// The URL path of an output file: `practices/p12/index.html` → `/practices/p12/`.
pub fn url_path(file: &str) -> String {
    format!("/{}", file.strip_suffix("index.html").unwrap_or(file))
}

/// Reads and checks the changed entry files. Anything that needs cross-file
/// checks (a new file, a changed id, an unknown related id) or has errors
/// gives up, so a full load can report it.
fn read_updates(
    root: &Path,
    good: &Good,
    paths: &BTreeSet<PathBuf>,
) -> Result<Vec<Update>, Fallback> {
    let catalogue = &good.site.catalogue;
    let config = &catalogue.config;
    let mut updates = Vec::with_capacity(paths.len());
    for relative in paths {
        let &index = good.by_source.get(relative).ok_or("an entry was added")?;
        let old = &catalogue.entries[index];
        let bytes = std::fs::read(root.join(relative)).map_err(|_| "an entry was removed")?;
        let text = String::from_utf8(bytes).map_err(|_| "an entry is not UTF-8")?;
        let mut parsed = load::parse_entry(config, old.kind, relative, text)
            .map_err(|_| "an entry has errors")?;
        if parsed.entry.id != old.id {
            return Err("an entry's id changed");
        }
        let mut related = Vec::new();
        for (id, _) in &parsed.related_ids {
            match good.links.entry_index(id) {
                Some(j) if catalogue.entries[j].id == *id && j != index => {
                    if !related.contains(&j) {
                        related.push(j);
                    }
                }
                _ => return Err("a related id needs checking"),
            }
        }
        related.sort_unstable();
        parsed.entry.related = related;
        let mut warnings = std::mem::take(&mut parsed.warnings);
        let resolver = good.links.resolver(relative);
        let (entry, link_warnings) = load::finish_entry(parsed, &resolver, config.allow_raw_html);
        warnings.extend(link_warnings);
        updates.push(Update {
            index,
            entry,
            warnings,
        });
    }
    Ok(updates)
}

/// What pages showed before a change, captured from the old model.
struct Before {
    /// Per update: the entry as a list item.
    items: Vec<Json>,
    site_key: Json,
}

impl Before {
    fn capture(site: &Site, updates: &[Update], custom_templates: bool) -> Before {
        let catalogue = &site.catalogue;
        let index = &site.index;
        let views = Views { catalogue, index };
        let items = updates
            .iter()
            .map(|u| serde_json::to_value(views.item(u.index)).unwrap_or(Json::Null))
            .collect();
        Before {
            items,
            site_key: site_key(&views, custom_templates),
        }
    }
}

/// The "more like this" list of `e`, as its page shows it, in a vector of its
/// own size: collecting may reuse the allocation of a much longer ranking,
/// which 18,000 cached lists would keep alive (gigabytes).
fn similar_of(views: &Views, e: usize) -> Vec<usize> {
    let mut list = views.similar(e, &views.related(e));
    list.shrink_to_fit();
    list
}

/// Computes up to `count` more "more like this" lists, continuing `lists`.
fn finish_similar(site: &Site, lists: &mut Vec<Vec<usize>>, count: usize) {
    let views = Views {
        catalogue: &site.catalogue,
        index: &site.index,
    };
    let start = lists.len();
    let end = site
        .catalogue
        .entries
        .len()
        .min(start.saturating_add(count));
    let more: Vec<Vec<usize>> = (start..end)
        .into_par_iter()
        .map(|e| similar_of(&views, e))
        .collect();
    lists.extend(more);
}

/// Brings the cached "more like this" lists up to date after `updates` were
/// swapped in; returns the entries whose list changed or shows an entry that
/// is listed differently now.
///
/// Recomputing every list is as costly as rendering every entry page, so only
/// these are recomputed in full: the changed entries, entries whose related
/// entries changed (they are left out of the list), and entries whose list held
/// a changed entry. For any other entry, scores with unchanged entries stay as
/// they were, so its new list is the best of its old list and the changed
/// entries that now share enough values with it; entries sharing too little
/// with every changed entry keep their list. A value list growing past (or
/// shrinking below) the size [`view::similar_limit`] counts changes many
/// scores at once: then every list is recomputed.
fn update_similar(
    site: &Site,
    old_index: &Index,
    updates: &[Update],
    old_entries: &[Entry],
    shown_differently: &HashSet<usize>,
    cache: &mut [Vec<usize>],
) -> HashSet<usize> {
    let catalogue = &site.catalogue;
    let index = &site.index;
    let views = Views { catalogue, index };
    let limit = view::similar_limit(catalogue.entries.len());
    let changed: BTreeSet<usize> = updates.iter().map(|u| u.index).collect();
    let crossing = updates.iter().zip(old_entries).any(|(u, old)| {
        old.facets
            .iter()
            .zip(&u.entry.facets)
            .enumerate()
            .any(|(fi, (was, is))| {
                was.iter().chain(is).any(|&v| {
                    (old_index.exact[fi][v].len() <= limit) != (index.exact[fi][v].len() <= limit)
                })
            })
    });
    let mut full: BTreeSet<usize> = changed.clone();
    let mut merge: BTreeSet<usize> = BTreeSet::new();
    if crossing {
        full.extend(0..catalogue.entries.len());
    } else {
        for (u, old) in updates.iter().zip(old_entries) {
            let was: HashSet<usize> = old.related.iter().copied().collect();
            let is: HashSet<usize> = u.entry.related.iter().copied().collect();
            full.extend(was.symmetric_difference(&is));
        }
        full.extend((0..cache.len()).filter(|&e| cache[e].iter().any(|x| changed.contains(x))));
        for &j in &changed {
            let mut shared: HashMap<usize, usize> = HashMap::new();
            for (fi, values) in catalogue.entries[j].facets.iter().enumerate() {
                for &v in values {
                    let list = &index.exact[fi][v];
                    if list.len() <= limit {
                        for &e in list {
                            *shared.entry(e).or_insert(0) += 1;
                        }
                    }
                }
            }
            merge.extend(
                shared
                    .into_iter()
                    .filter(|&(e, n)| n >= view::SIMILAR_MIN_SHARED && !full.contains(&e))
                    .map(|(e, _)| e),
            );
        }
    }
    // Counted values `e` and `x` share, as `Views::similar` counts them.
    let score = |e: usize, x: usize| -> usize {
        let (a, b) = (&catalogue.entries[e].facets, &catalogue.entries[x].facets);
        a.iter()
            .zip(b)
            .enumerate()
            .map(|(fi, (va, vb))| {
                va.iter()
                    .filter(|v| vb.binary_search(v).is_ok() && index.exact[fi][**v].len() <= limit)
                    .count()
            })
            .sum()
    };
    let full: Vec<usize> = full.into_iter().collect();
    let mut lists: Vec<(usize, Vec<usize>)> = full
        .par_iter()
        .map(|&e| (e, similar_of(&views, e)))
        .collect();
    lists.extend(merge.iter().map(|&e| {
        let excluded = Views { catalogue, index }.related(e);
        let mut ranked: Vec<(usize, usize)> = cache[e].iter().map(|&x| (x, score(e, x))).collect();
        for &j in &changed {
            let s = score(e, j);
            if s >= view::SIMILAR_MIN_SHARED && excluded.binary_search(&j).is_err() {
                ranked.push((j, s));
            }
        }
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        (
            e,
            ranked
                .into_iter()
                .take(view::SIMILAR_SHOWN)
                .map(|(x, _)| x)
                .collect(),
        )
    }));
    let mut dirty = HashSet::new();
    for (e, list) in lists {
        if list != cache[e] || list.iter().any(|x| shown_differently.contains(x)) {
            dirty.insert(e);
        }
        cache[e] = list;
    }
    dirty
}

/// The `site` object every page sees, for comparison. With the built-in theme,
/// value counts are left out: only the home page prints them, and it is
/// re-rendered whenever they can change.
fn site_key(views: &Views, with_counts: bool) -> Json {
    let mut key = serde_json::to_value(views.site()).unwrap_or(Json::Null);
    if !with_counts {
        if let Some(Json::Array(facets)) = key.get_mut("facets") {
            for facet in facets {
                if let Some(Json::Array(values)) = facet.get_mut("values") {
                    for value in values {
                        if let Some(map) = value.as_object_mut() {
                            map.remove("count");
                        }
                    }
                }
            }
        }
    }
    key
}

fn without_statics(jobs: &[Job]) -> Vec<&Job> {
    jobs.iter()
        .filter(|j| !matches!(j, Job::Static(_)))
        .collect()
}

/// Pivot cells are addressed by position: the same positions must mean the same values.
fn same_table_shapes(before: &[Table], after: &[Table]) -> bool {
    before.len() == after.len()
        && before.iter().zip(after).all(|(a, b)| match (a, b) {
            (Table::Pivot(a), Table::Pivot(b)) => a.rows == b.rows && a.columns == b.columns,
            _ => true,
        })
}

/// Which pages a set of entry updates touches.
struct Changes {
    entries: HashSet<usize>,
    /// Entries that look different in lists (title, summary line).
    shown_differently: HashSet<usize>,
    kinds: HashSet<usize>,
    home: bool,
    json: bool,
    facets: HashSet<usize>,
    values: HashSet<(usize, usize)>,
    combinations: HashSet<(usize, Vec<usize>)>,
}

impl Changes {
    /// `similar` holds every entry's "more like this" list before the change
    /// (needed when titles or facets changed) and is brought up to date.
    fn between(
        site: &Site,
        old_index: &Index,
        updates: &[Update],
        old_entries: &[Entry],
        before: &Before,
        similar: Option<&mut Vec<Vec<usize>>>,
    ) -> Changes {
        let catalogue = &site.catalogue;
        let index = &site.index;
        let config = &catalogue.config;
        let views = Views { catalogue, index };
        let mut c = Changes {
            entries: updates.iter().map(|u| u.index).collect(),
            shown_differently: HashSet::new(),
            kinds: HashSet::new(),
            home: false,
            json: false,
            facets: HashSet::new(),
            values: HashSet::new(),
            combinations: HashSet::new(),
        };
        for ((update, old), old_item) in updates.iter().zip(old_entries).zip(&before.items) {
            let i = update.index;
            let new = &catalogue.entries[i];
            let shown_differently =
                serde_json::to_value(views.item(i)).unwrap_or(Json::Null) != *old_item;
            c.json |= !same_but_body(old, new);
            if shown_differently {
                c.shown_differently.insert(i);
                c.kinds.insert(new.kind);
                c.home = true;
                c.entries.extend(&old.related);
                c.entries.extend(&new.related);
                c.entries.extend(&old_index.related_to[i]);
                c.entries.extend(&index.related_to[i]);
            } else {
                // Entries added to or dropped from this entry's related list.
                let (a, b): (HashSet<usize>, HashSet<usize>) = (
                    old.related.iter().copied().collect(),
                    new.related.iter().copied().collect(),
                );
                c.entries.extend(a.symmetric_difference(&b));
            }
            for (fi, facet) in config.facets.iter().enumerate() {
                let (was, is) = (&old.facets[fi], &new.facets[fi]);
                if was != is {
                    c.facets.insert(fi);
                    c.home = true; // value counts
                }
                if was != is || shown_differently {
                    let mut values = was.clone();
                    values.extend(is);
                    c.values.extend(
                        index::with_ancestors(facet, &values)
                            .into_iter()
                            .map(|v| (fi, v)),
                    );
                    c.combinations.insert((fi, was.clone()));
                    c.combinations.insert((fi, is.clone()));
                }
            }
        }
        if let Some(similar) = similar {
            c.entries.extend(update_similar(
                site,
                old_index,
                updates,
                old_entries,
                &c.shown_differently,
                similar,
            ));
        }
        c
    }

    fn touches(&self, job: &Job, tables_before: &[Table], tables_after: &[Table]) -> bool {
        match job {
            Job::Home => self.home,
            Job::Kind(k) => self.kinds.contains(k),
            Job::Entry(e) => self.entries.contains(e),
            Job::Facet(f) => self.facets.contains(f),
            Job::Value(f, v) => self.values.contains(&(*f, *v)),
            Job::Combination(f, values) => self.combinations.contains(&(*f, values.clone())),
            Job::Summary(s) => tables_before[*s] != tables_after[*s],
            Job::PivotCell(s, r, col) => {
                let after = pivot_cell(tables_after, *s, *r, *col);
                after != pivot_cell(tables_before, *s, *r, *col)
                    || after.iter().any(|e| self.shown_differently.contains(e))
            }
            // Feeds, citations and the sitemap list entries, like catalogue.json.
            Job::Json | Job::Publish(_) => self.json,
            // The search index holds bodies too, so any entry change touches it.
            Job::SearchIndex => true,
            Job::Summaries | Job::Page(_) | Job::NotFound | Job::Static(_) => false,
        }
    }
}

/// The entries behind one pivot cell (empty when there is no such cell).
fn pivot_cell(tables: &[Table], summary: usize, row: usize, column: usize) -> &[usize] {
    match tables.get(summary) {
        Some(Table::Pivot(t)) => t
            .cells
            .get(row)
            .and_then(|r| r.get(column))
            .map_or(&[], Vec::as_slice),
        _ => &[],
    }
}

fn print_problems(diagnostics: &[Diagnostic]) {
    let mut err = io::stderr().lock();
    for d in crate::diagnostic::condense(diagnostics) {
        let _ = write!(err, "{d}");
    }
}

/// Prints what a build did and tells the server and open pages.
fn publish(outcome: Outcome, shared: &Shared, builder: &Builder) {
    let had_errors = shared.current().errors.is_some();
    match outcome {
        Outcome::Unchanged => {}
        Outcome::Built {
            files,
            changed,
            css_only,
            warnings,
            summary,
        } => {
            print_problems(&warnings);
            println!("{summary}");
            let generation = shared.publish(Some(files), None);
            let event = if had_errors {
                LiveEvent::Reload {
                    generation,
                    paths: None,
                }
            } else if css_only {
                LiveEvent::Css { generation }
            } else {
                let paths = changed.filter(|p| !p.iter().any(|p| p == "/404.html"));
                LiveEvent::Reload {
                    generation,
                    paths: paths.map(Arc::new),
                }
            };
            shared.notify(event);
        }
        Outcome::Failed(errors) => {
            print_problems(&errors);
            let count = errors.iter().filter(|d| d.is_error()).count();
            let files = builder.files();
            eprintln!(
                "error: {count} problem{} found; {}",
                if count == 1 { "" } else { "s" },
                if files.is_some() {
                    "still serving the last good build"
                } else {
                    "serving an error page until they are fixed"
                }
            );
            let generation = shared.publish(files, Some(Arc::new(errors)));
            shared.notify(LiveEvent::Reload {
                generation,
                paths: None,
            });
        }
    }
    let _ = io::stdout().flush();
}

/// How long the rebuild loop sleeps between checks when it has nothing to do.
const IDLE_WAIT: Duration = Duration::from_secs(3600);

/// How long a graceful shutdown may wait for open connections.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// Runs `casebook serve` until Ctrl-C or SIGTERM. Errors are one line for the terminal.
pub fn run(options: &ServeOptions) -> Result<(), String> {
    if !options.root.is_dir() {
        return Err(format!(
            "{} is not a folder (try --root)",
            options.root.display()
        ));
    }
    let root = options
        .root
        .canonicalize()
        .map_err(|e| format!("{}: {e}", options.root.display()))?;
    if !root.join(crate::config::CONFIG_FILE).is_file() {
        return Err(format!(
            "{} not found in {}: is this a casebook site? (try --root)",
            crate::config::CONFIG_FILE,
            root.display()
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let addr = SocketAddr::new(options.bind, options.port);
    let listener = runtime.block_on(listen(addr))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    if let Some(warning) = exposure_warning(local.ip()) {
        eprintln!("{warning}");
    }

    let shared = Arc::new(Shared::new(http::is_loopback(local.ip())));
    // Served at the root of this address whatever base_url says, so links that use it still work.
    let mut builder = Builder::new(
        &root,
        LoadOptions {
            base_url: Some("/".into()),
        },
    );
    let first = builder.full("first build");
    publish(first, &shared, &builder);
    let mut watcher = watch::Watcher::new(&root)
        .map_err(|e| format!("cannot watch {} for changes: {e}", root.display()))?;
    println!("serving at {}", browse_url(local));
    println!("watching catalogue.yaml, content/, templates/ and static/; press Ctrl-C to stop");
    let _ = io::stdout().flush();

    let for_builder = shared.clone();
    std::thread::Builder::new()
        .name("casebook-rebuild".into())
        .spawn(move || loop {
            let wait = if builder.has_idle_work() {
                Duration::ZERO
            } else {
                IDLE_WAIT
            };
            let paths = match watcher.next_batch_within(wait) {
                Err(watch::Stopped) => break,
                Ok(None) => {
                    builder.idle_step();
                    continue;
                }
                Ok(Some(paths)) => paths,
            };
            let seen = paths.iter().map(|(p, is_dir)| (p.as_path(), *is_dir));
            let plan = watch::plan_paths(builder.layout(), seen);
            if plan != RebuildPlan::Nothing {
                let outcome = apply_guarded(&mut builder, &plan);
                publish(outcome, &for_builder, &builder);
            }
        })
        .map_err(|e| format!("cannot start the watcher: {e}"))?;

    runtime.block_on(async move {
        let app = http::router(shared.clone());
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            http::serve(listener, app, async {
                let _ = stop_rx.await;
            })
            .await
        });
        wait_for_signal().await;
        shared.stop();
        let _ = stop_tx.send(());
        if tokio::time::timeout(SHUTDOWN_GRACE, server).await.is_err() {
            eprintln!("warning: some connections were still open when stopping");
        }
    });
    println!("stopped");
    Ok(())
}

/// Applies a plan; a bug that panics during a rebuild must not end the preview:
/// report it and rebuild everything from disk instead.
fn apply_guarded(builder: &mut Builder, plan: &RebuildPlan) -> Outcome {
    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| builder.apply(plan)));
    attempt.unwrap_or_else(|_| {
        eprintln!(
            "error: internal error while rebuilding (a bug in casebook); rebuilding everything"
        );
        builder.broken = true;
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            builder.full("after an internal error")
        }))
        .unwrap_or_else(|_| {
            Outcome::Failed(vec![Diagnostic::error(
                ".",
                "internal error while rebuilding",
            )])
        })
    })
}

async fn listen(addr: SocketAddr) -> Result<tokio::net::TcpListener, String> {
    let socket = match addr {
        SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4(),
        SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6(),
    }
    .map_err(|e| format!("cannot open a socket: {e}"))?;
    let _ = socket.set_reuseaddr(true);
    let port = addr.port();
    socket.bind(addr).map_err(|e| match e.kind() {
        io::ErrorKind::AddrInUse => format!(
            "port {port} on {} is already in use (is another preview running?); choose another with --port, \
             or --port 0 for any free port",
            addr.ip()
        ),
        io::ErrorKind::PermissionDenied => {
            format!("not allowed to listen on port {port}; choose a port above 1023 with --port")
        }
        io::ErrorKind::AddrNotAvailable => {
            format!("{} is not an address of this machine; check --bind", addr.ip())
        }
        _ => format!("cannot listen on {addr}: {e}"),
    })?;
    // A deep backlog so bursts of connections (a page with many assets, a load test) wait instead of failing.
    socket
        .listen(1024)
        .map_err(|e| format!("cannot listen on {addr}: {e}"))
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests;

//! The preview's partial rebuild: edited entries swapped into the last good
//! site, and exactly the affected routes rendered again.
//!
//! The edited files are read and checked on their own ([`read_updates`]);
//! anything that needs the whole site's checks (a new, removed or renamed
//! entry, a changed id, an unknown related id, an error) gives up, and the
//! caller falls back to a full rebuild, which reports what `check` reports.
//! Otherwise the entries are swapped in, the index, summary tables and routes
//! are computed again as a full load computes them (skipped when only bodies
//! changed), a [`Change`] records what differs, and the routes new to the
//! site or [`Route::affected_by`] the change are rendered. Routes that are
//! gone have their files dropped. The search index (`search/`) is updated in
//! place for the edited entries instead of being made from every entry.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::builder::{Builder, Good, MemorySink, Outcome};
use super::http::Files;
use super::watch::StaticChange;
use crate::diagnostic::Diagnostic;
use crate::index::Index;
use crate::load;
use crate::model::Entry;
use crate::render::{self, Sink, Theme};
use crate::routes::{self, change::same_but_body, Change, Route};
use crate::summary;

/// Why a partial rebuild gave way to a full one.
pub(super) type Fallback = &'static str;

/// One changed entry, read and checked.
struct Update {
    index: usize,
    entry: Entry,
    warnings: Vec<Diagnostic>,
}

/// Rebuilds after the entry files `paths` and/or static files changed.
pub(super) fn rebuild(
    builder: &mut Builder,
    paths: &BTreeSet<PathBuf>,
    statics: Option<StaticChange>,
) -> Result<Outcome, Fallback> {
    let started = Instant::now();
    let new_theme = match statics {
        Some(_) => Some(Theme::load(&builder.root).map_err(|_| "the theme has errors")?),
        None => None,
    };
    let good = builder.good.as_mut().ok_or("nothing built yet")?;
    let updates = read_updates(&builder.root, good, paths)?;
    let mut warnings: Vec<Diagnostic> = updates
        .iter()
        .flat_map(|u| u.warnings.iter().cloned())
        .collect();
    let advise = builder.options.keep_front_matter;
    let static_names: BTreeSet<String> = match new_theme {
        Some(theme) => {
            let custom = |t: &Theme| t.statics.contains_key(render::CUSTOM_CSS);
            if custom(&theme) != custom(&good.site.theme) {
                // Every page links it, or no longer does.
                return Err("static/custom.css was added or removed");
            }
            good.site.theme = theme;
            good.site.theme.statics.keys().cloned().collect()
        }
        None => BTreeSet::new(),
    };

    let site = &good.site;
    let body_only = updates
        .iter()
        .all(|u| same_but_body(&site.catalogue.entries[u.index], &u.entry));
    let lists_may_change = updates.iter().any(|u| {
        let old = &site.catalogue.entries[u.index];
        u.entry.title != old.title || u.entry.facets != old.facets
    });
    if lists_may_change {
        // Kept lists are brought up to date below, so they must all be there.
        good.similar
            .extend(&site.catalogue, &site.index, usize::MAX);
    }
    let similar_complete = good.similar.is_complete(&site.catalogue);

    // Swap the new entries in; compute what follows from them as a load does.
    let site = &mut good.site;
    let mut old_entries = Vec::with_capacity(updates.len());
    for update in &updates {
        old_entries.push(std::mem::replace(
            &mut site.catalogue.entries[update.index],
            update.entry.clone(),
        ));
    }
    let (old_index, old_tables) = if body_only {
        (None, None)
    } else {
        let index = Index::build(&site.catalogue);
        let tables = summary::compute_all(&site.catalogue, &index);
        (
            Some(std::mem::replace(&mut site.index, index)),
            Some(std::mem::replace(&mut site.tables, tables)),
        )
    };
    let old_routes = if body_only && statics.is_none() {
        None
    } else {
        let routes = routes::all(
            &site.catalogue,
            &site.index,
            &site.tables,
            site.theme.statics.keys(),
        );
        Some(std::mem::replace(&mut site.routes, routes))
    };
    let edits: Vec<(usize, &Entry)> = updates.iter().map(|u| u.index).zip(&old_entries).collect();
    let old_index_ref = old_index.as_ref().unwrap_or(&site.index);
    let similar_changed = if body_only {
        BTreeSet::new()
    } else if similar_complete {
        let listed: BTreeSet<usize> = edits
            .iter()
            .filter(|(e, old)| {
                crate::view::item_of(&site.catalogue, old)
                    != crate::view::item_of(&site.catalogue, &site.catalogue.entries[*e])
            })
            .map(|(e, _)| *e)
            .collect();
        good.similar
            .update(&site.catalogue, old_index_ref, &site.index, &edits, &listed)
    } else {
        good.similar.clear(); // lists computed so far may be stale now: start again
        BTreeSet::new()
    };
    let mut change = Change::between(
        &site.catalogue,
        old_index_ref,
        &site.index,
        &edits,
        old_tables.as_deref().unwrap_or(&site.tables),
        &site.tables,
        similar_changed,
        site.theme.own_templates,
    );
    change.statics = static_names;
    let old_routes: BTreeSet<&Route> = old_routes.as_ref().unwrap_or(&site.routes).iter().collect();
    change.routes = site
        .routes
        .iter()
        .filter(|r| r.in_sitemap())
        .ne(old_routes.iter().copied().filter(|r| r.in_sitemap()));
    let mut to_render: Vec<Route> = site
        .routes
        .iter()
        .filter(|r| !old_routes.contains(r) || r.affected_by(&change))
        .cloned()
        .collect();
    let now: BTreeSet<&Route> = site.routes.iter().collect();
    let gone: Vec<String> = old_routes
        .iter()
        .filter(|r| !now.contains(*r))
        .map(|r| r.file(&site.catalogue))
        .collect();

    // The search index: the edited entries' postings are made again and only
    // chunks whose terms changed are serialised again.
    let chunked = !updates.is_empty()
        && to_render
            .iter()
            .any(|r| matches!(r, Route::SearchEntry | Route::SearchChunk(_)));
    to_render.retain(|r| !matches!(r, Route::SearchEntry | Route::SearchChunk(_)));
    // Each edited kind's entries.csv from kept rows: only the edited
    // entries' files are read again.
    let csv_kinds: Vec<usize> = to_render
        .iter()
        .filter_map(|r| match r {
            Route::EntriesCsv(k) => Some(*k),
            _ => None,
        })
        .collect();
    to_render.retain(|r| !matches!(r, Route::EntriesCsv(_)));
    let sink = MemorySink::default();
    render::render(&site.renderer(), &to_render, &sink).map_err(|_| "a page failed to render")?;
    let edited: Vec<usize> = updates.iter().map(|u| u.index).collect();
    if advise {
        // The advice `check` gives about the edited entries (coding gaps, fields).
        warnings.extend(crate::lint::advise_entries(
            &site.catalogue,
            &site.index,
            &edited,
        ));
        crate::diagnostic::sort(&mut warnings);
    }
    for k in csv_kinds {
        let route = Route::EntriesCsv(k);
        let bytes = good
            .csv
            .file(&site.catalogue, &site.root, k, &edited)
            .map_err(|_| "an entries.csv failed to write")?;
        sink.put(&route.file(&site.catalogue), bytes)
            .map_err(|_| "an entries.csv failed to write")?;
        to_render.push(route);
    }
    if chunked {
        let c = &site.catalogue;
        let index = match good.chunked.as_mut() {
            Some(index) => {
                index.update(c, &edited);
                index
            }
            // Made from the entries as they are now: nothing to update.
            None => good.chunked.insert(crate::search::ChunkedIndex::new(c)),
        };
        let entry = Route::SearchEntry;
        sink.put(&entry.file(c), index.entry_file())
            .map_err(|_| "the search index failed to write")?;
        to_render.push(entry);
        for (k, bytes) in index.chunks().into_iter().enumerate() {
            let route = Route::SearchChunk(k);
            sink.put(&route.file(c), bytes)
                .map_err(|_| "the search index failed to write")?;
            to_render.push(route);
        }
    }

    let mut files: Files = (*good.files).clone();
    let mut changed = Vec::new();
    for path in gone {
        if files.remove(path.as_str()).is_some() {
            changed.push(path);
        }
    }
    for (path, bytes) in sink.into_files() {
        if files.get(&path) != Some(&bytes) {
            changed.push(path.to_string());
            files.insert(path, bytes);
        }
    }
    good.files = Arc::new(files);
    if changed.is_empty() {
        return Ok(Outcome::Unchanged);
    }
    // Judged by what changed in the output, not by the paths the watcher
    // saw: `sed -i` and some editors write a temporary file of another name
    // and rename it, and a new `static/` folder is reported as a folder.
    let css_only = updates.is_empty()
        && statics.is_some()
        && changed
            .iter()
            .all(|p| p.to_ascii_lowercase().ends_with(".css"));
    let what = match updates.as_slice() {
        [] => "static files".to_string(),
        [one] => crate::diagnostic::display_path(&one.entry.source),
        many => format!("{} entries", many.len()),
    };
    let summary = format!(
        "rebuilt {what}: re-rendered {} file{}, {} changed, in {} ms",
        to_render.len(),
        if to_render.len() == 1 { "" } else { "s" },
        changed.len(),
        started.elapsed().as_millis()
    );
    Ok(Outcome::Built {
        files: good.files.clone(),
        changed: Some(changed.iter().map(|p| routes::url_path(p)).collect()),
        rendered: Some(to_render),
        css_only,
        warnings,
        summary,
    })
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
        // Read under the policy `build` uses: a file that now links out of
        // the site, or is a FIFO or device, goes to the full rebuild, which
        // reports it.
        let bytes = match crate::paths::read_inside(root, &root.join(relative)) {
            Ok(bytes) => bytes,
            Err(crate::paths::Refused::Io(_)) => return Err("an entry was removed"),
            Err(_) => return Err("an entry is not a regular file inside the site"),
        };
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
        let (entry, link_warnings) = load::finish_entry(parsed, &good.links, config.allow_raw_html);
        warnings.extend(link_warnings);
        if warnings.iter().any(Diagnostic::is_error) {
            return Err("an entry has errors");
        }
        updates.push(Update {
            index,
            entry,
            warnings,
        });
    }
    Ok(updates)
}

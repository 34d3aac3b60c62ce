//! `casebook import FILE --kind KIND`: one entry file per spreadsheet row.
//!
//! [`run`] reads the sheet ([`sheet`]), maps its header and cells to entry
//! fields ([`rows`], with the cell-typing rules of [`cells`]), gives rows
//! without an id the next free id as `casebook new` does, checks ids
//! against the sheet and the site and `related` ids against both, and
//! composes each file ([`write`], with front matter from [`front_matter`]).
//! Every text is then read back with the loader's own entry parser, so what
//! is written passes `casebook check`. Every problem is reported in one run,
//! located at its cell (`cases.xlsx:14:C`); on any error nothing is
//! written. `--dry-run` reports what would be written and writes nothing;
//! `--update` rewrites existing entries from their rows (see [`write`]).

pub mod cells;
pub mod front_matter;
pub mod rows;
pub mod sheet;
pub mod write;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{self, display_path, suggest, Diagnostic};
use crate::load::{self, CONTENT_DIR};
use crate::scaffold::{next_id, slugify};
use rows::{Problems, Record, Target, Value};
use write::{Changes, Existing, Plan};

/// What to import, and how.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The site's root folder.
    pub root: PathBuf,
    /// The spreadsheet, optionally with `#Sheet name`.
    pub file: PathBuf,
    /// A kind's id or folder.
    pub kind: String,
    /// Rewrite entries that exist instead of refusing them.
    pub update: bool,
    /// Report what would be written, and write nothing.
    pub dry_run: bool,
}

/// Why an import wrote nothing.
#[derive(Debug)]
pub enum ImportError {
    /// The command line names something the site does not have (exit code 2).
    Usage(String),
    /// The sheet or the site has problems (exit code 1); warnings included.
    Failed(Vec<Diagnostic>),
}

/// What happened to one row's entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A new file.
    Create,
    /// An existing entry rewritten, with what changed.
    Update(Changes),
    /// An existing entry the row would not change: left untouched.
    Unchanged,
}

/// One row's entry.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The row in the sheet.
    pub row: usize,
    /// The entry's id.
    pub id: String,
    /// Its file, relative to the site root.
    pub file: PathBuf,
    /// What was (or would be) done.
    pub action: Action,
}

/// The outcome of an import (or of a dry run).
#[derive(Debug, Clone)]
pub struct ImportReport {
    /// The sheet's file, as named.
    pub sheet: String,
    /// Per row with an entry, in sheet order.
    pub outcomes: Vec<Outcome>,
    /// Warnings found on the way.
    pub warnings: Vec<Diagnostic>,
    /// Whether nothing was written on purpose.
    pub dry_run: bool,
}

impl ImportReport {
    /// Entries created, updated and left unchanged.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut counts = (0, 0, 0);
        for o in &self.outcomes {
            match o.action {
                Action::Create => counts.0 += 1,
                Action::Update(_) => counts.1 += 1,
                Action::Unchanged => counts.2 += 1,
            }
        }
        counts
    }

    /// The report printed after an import: a line per file written (or to
    /// be written), then a summary line. `shown_root` is put before paths.
    pub fn lines(&self, shown_root: &Path) -> String {
        let mut out = String::new();
        let (create, update) = if self.dry_run {
            ("would create", "would update")
        } else {
            ("created", "updated")
        };
        for o in &self.outcomes {
            let file = display_path(&shown_root.join(&o.file));
            match &o.action {
                Action::Create => out.push_str(&format!("{create} {file} ({})\n", o.id)),
                Action::Update(changes) => {
                    out.push_str(&format!("{update} {file} ({}): {changes}\n", o.id));
                }
                Action::Unchanged => {}
            }
        }
        let (created, updated, unchanged) = self.counts();
        let entries = |n: usize| if n == 1 { "entry" } else { "entries" };
        if self.dry_run {
            out.push_str(&format!(
                "dry run of {}: {created} {} would be created, {updated} updated, {unchanged} unchanged; nothing was written\n",
                self.sheet,
                entries(created)
            ));
        } else {
            out.push_str(&format!(
                "imported {}: {created} {} created, {updated} updated, {unchanged} unchanged\n",
                self.sheet,
                entries(created)
            ));
        }
        out
    }
}

/// Where an id is taken.
#[derive(Debug, Clone, Copy)]
enum Owner {
    /// By an entry file (index into the existing entries).
    File(usize),
    /// By a row of the sheet (its number).
    Row(usize),
}

/// Runs an import (see the module note).
pub fn run(options: &ImportOptions) -> Result<ImportReport, ImportError> {
    let root = &options.root;
    let mut timings = crate::Timings::from_env();
    let (config, _) = Config::load(root).map_err(ImportError::Failed)?;
    let kind = find_kind(&config, &options.kind)?;
    let sheet = sheet::read(&options.file).map_err(|d| ImportError::Failed(vec![d]))?;
    timings.mark("read the sheet");
    let mut problems = Problems {
        shown: sheet.shown.clone(),
        list: Vec::new(),
    };
    let columns = rows::columns(&sheet, &config, &mut problems);
    let records: Vec<Record> = sheet
        .rows
        .iter()
        .filter_map(|row| rows::record(row, &columns, &config, kind, &mut problems))
        .collect();
    timings.mark("map rows to fields");
    let existing = write::existing_entries(root, &config);
    timings.mark("read the ids of existing entries");
    let ids = assign_ids(
        &config,
        kind,
        &records,
        &columns,
        &existing,
        options.update,
        &mut problems,
    );
    check_related(&records, &columns, &ids, &existing, &mut problems);
    timings.mark("ids and related ids");

    let by_id: HashMap<String, &Existing> = existing
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| (e.id.to_lowercase(), e))
        .collect();
    let planned: Vec<Result<(Outcome, Plan), Vec<Diagnostic>>> = records
        .par_iter()
        .zip(&ids)
        .map(|(record, id)| {
            plan(
                root,
                &config,
                kind,
                record,
                id,
                by_id.get(&id.to_lowercase()).copied(),
            )
        })
        .collect();
    let mut outcomes = Vec::new();
    let mut plans = Vec::new();
    for result in planned {
        match result {
            Ok((outcome, plan)) => {
                if outcome.action != Action::Unchanged {
                    plans.push(plan);
                }
                outcomes.push(outcome);
            }
            Err(errors) => problems.list.extend(errors),
        }
    }
    timings.mark("compose and check the files (parallel)");
    diagnostic::sort(&mut problems.list);
    if problems.has_errors() {
        return Err(ImportError::Failed(problems.list));
    }
    if !options.dry_run {
        write::apply(root, &plans).map_err(ImportError::Failed)?;
        timings.mark("write the files (parallel)");
    }
    timings.print();
    Ok(ImportReport {
        sheet: sheet.shown,
        outcomes,
        warnings: problems.list,
        dry_run: options.dry_run,
    })
}

/// The kind named on the command line, by id or folder.
fn find_kind(config: &Config, wanted: &str) -> Result<usize, ImportError> {
    config
        .kinds
        .iter()
        .position(|k| k.id.eq_ignore_ascii_case(wanted) || k.dir.eq_ignore_ascii_case(wanted))
        .ok_or_else(|| {
            let ids: Vec<&str> = config.kinds.iter().map(|k| k.id.as_str()).collect();
            let near = suggest(wanted, ids.iter().copied())
                .map(|n| format!(" (did you mean {n:?}?)"))
                .unwrap_or_default();
            ImportError::Usage(format!(
                "unknown kind {wanted:?}{near}; this site's kinds are: {}",
                ids.join(", ")
            ))
        })
}

/// Each record's id: its own, checked against the sheet and the site, or the
/// next free one. Problems are reported at the id cell.
fn assign_ids(
    config: &Config,
    kind: usize,
    records: &[Record],
    columns: &rows::Columns,
    existing: &[Existing],
    update: bool,
    problems: &mut Problems,
) -> Vec<String> {
    let mut owners: HashMap<String, Owner> = existing
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.to_lowercase(), Owner::File(i)))
        .collect();
    let id_col = columns.id.unwrap_or(0);
    for record in records {
        let Some(id) = &record.id else { continue };
        match owners.get(&id.to_lowercase()).copied() {
            Some(Owner::Row(row)) => problems.error(
                record.row,
                id_col,
                format!("duplicate id {id:?}: row {row} has it too"),
            ),
            Some(Owner::File(i)) => {
                let file = &existing[i];
                let path = display_path(&file.relative);
                if file.kind != kind {
                    problems.error(
                        record.row,
                        id_col,
                        format!(
                            "id {id:?} is taken by a {} entry ({path}); ids are unique across the site",
                            config.kinds[file.kind].id
                        ),
                    );
                } else if !update {
                    problems.error(
                        record.row,
                        id_col,
                        format!("entry {id:?} already exists ({path}); use --update to rewrite it from this row"),
                    );
                }
                owners.insert(id.to_lowercase(), Owner::Row(record.row));
            }
            None => {
                owners.insert(id.to_lowercase(), Owner::Row(record.row));
            }
        }
    }
    // Rows without an id get the next free one, as `casebook new` gives it.
    let mut of_kind: Vec<String> = existing
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.id.clone())
        .chain(records.iter().filter_map(|r| r.id.clone()))
        .collect();
    let mut last: Option<String> = None;
    records
        .iter()
        .map(|record| match &record.id {
            Some(id) => id.clone(),
            None => {
                let kind = &config.kinds[kind];
                let mut id = match &last {
                    // After the first, each is the one after the last given.
                    Some(last) => next_id(kind, std::slice::from_ref(last), []),
                    None => {
                        let all: Vec<String> = existing.iter().map(|e| e.id.clone()).collect();
                        next_id(kind, &of_kind, all.iter().chain(&of_kind))
                    }
                };
                while owners.contains_key(&id.to_lowercase()) {
                    id = next_id(kind, std::slice::from_ref(&id), []);
                }
                owners.insert(id.to_lowercase(), Owner::Row(record.row));
                of_kind.push(id.clone());
                last = Some(id.clone());
                id
            }
        })
        .collect()
}

/// Every `related` id should name an entry of the site or of the sheet. One
/// that names nothing is a warning, not an error: articles and practices may
/// refer to each other, and only one sheet can be imported at a time. An id
/// that differs from an entry's only in case is an error.
fn check_related(
    records: &[Record],
    columns: &rows::Columns,
    ids: &[String],
    existing: &[Existing],
    problems: &mut Problems,
) {
    let Some(col) = columns.targets.iter().position(|t| *t == Target::Related) else {
        return;
    };
    let mut known: HashMap<String, &str> = existing
        .iter()
        .map(|e| (e.id.to_lowercase(), e.id.as_str()))
        .collect();
    known.extend(ids.iter().map(|id| (id.to_lowercase(), id.as_str())));
    // Sorted, so that a suggestion does not depend on hash order.
    let mut candidates: Vec<&str> = known.values().copied().collect();
    candidates.sort_unstable();
    for record in records {
        for value in &record.values {
            let Value::Related(related) = value else {
                continue;
            };
            for id in related {
                match known.get(&id.to_lowercase()) {
                    Some(spelt) if *spelt == id => {}
                    Some(spelt) => problems.error(
                        record.row,
                        col,
                        format!("related entry {id:?} does not exist (did you mean {spelt:?}?)"),
                    ),
                    None => {
                        // Near misses only: the same first letter and about
                        // the same length (comparing with every id of a big
                        // site would take longer than the import).
                        let first = id.chars().next().map(|c| c.to_ascii_lowercase());
                        let near_ones = candidates.iter().copied().filter(|c| {
                            c.len().abs_diff(id.len()) <= 1
                                && c.chars().next().map(|c| c.to_ascii_lowercase()) == first
                        });
                        let near = suggest(id, near_ones)
                            .map(|n| format!(" (did you mean {n:?}?)"))
                            .unwrap_or_default();
                        // Kinds may refer to each other, so each sheet's
                        // targets can only be there once both are imported.
                        problems.warning(
                            record.row,
                            col,
                            format!("related entry {id:?} is not in the site or this sheet{near}; `casebook check` reports it until an entry with that id exists"),
                        );
                    }
                }
            }
        }
    }
}

/// The file a record becomes, checked by reading it back as the loader does.
fn plan(
    root: &Path,
    config: &Config,
    kind: usize,
    record: &Record,
    id: &str,
    current: Option<&Existing>,
) -> Result<(Outcome, Plan), Vec<Diagnostic>> {
    let (relative, text, previous, action) = match current {
        Some(file) => {
            let now = write::read_current(root, &file.relative).map_err(|d| vec![d])?;
            let (map, mut changes) = write::merge(config, &now.map, &record.title, &record.values);
            let body = match &record.body {
                Some(body) if body.trim() != now.body.trim() => {
                    changes.changed.push("body".into());
                    write::body_text(Some(body))
                }
                _ => now.body.clone(),
            };
            let action = if changes.is_empty() {
                Action::Unchanged
            } else {
                Action::Update(changes)
            };
            let text = write::entry_text(&map, &body);
            (file.relative.clone(), text, Some(now.text), action)
        }
        None => {
            let map = write::new_map(config, id, &record.title, &record.values);
            let slug = slugify(&record.title);
            let stem = if slug.is_empty() {
                id.to_lowercase()
            } else {
                format!("{}-{slug}", id.to_lowercase())
            };
            let relative = Path::new(CONTENT_DIR)
                .join(&config.kinds[kind].dir)
                .join(format!("{stem}.md"));
            if root.join(&relative).exists() {
                return Err(vec![Diagnostic::error(
                    &relative,
                    format!("row {}: the file for entry {id:?} already exists and is not that entry; rename or remove it", record.row),
                )]);
            }
            let text = write::entry_text(&map, &write::body_text(record.body.as_deref()));
            (relative, text, None, Action::Create)
        }
    };
    if action != Action::Unchanged {
        // The loader's own checks of one file: what is written must load.
        load::parse_entry(config, kind, &relative, text.clone())?;
    }
    Ok((
        Outcome {
            row: record.row,
            id: id.to_string(),
            file: relative.clone(),
            action,
        },
        Plan {
            relative,
            text,
            previous,
        },
    ))
}

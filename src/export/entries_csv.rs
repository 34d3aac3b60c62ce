//! `<kind dir>/entries.csv`: a kind's entries as a spreadsheet, in exactly
//! the shape `casebook import` reads back.
//!
//! One row per entry, in the catalogue's order. Columns: `id`, `title`, each
//! facet by its id (value ids separated by `; `), `related` (entry ids, the
//! same way), every other front-matter field, and `body` (the Markdown as
//! written) last. Field columns come in the order the entries' files give
//! them, merged so that each entry's fields keep their order where the
//! entries agree, which is what lets export → import → build reproduce
//! `catalogue.json` byte for byte. Field values are written by
//! [`crate::import::cells::cell_text`], so that `12` stays a number and
//! `"12"` stays text (written `'12`). UTF-8, RFC 4180 quoting, CRLF between
//! rows, like the summary CSVs.
//!
//! Bodies are not kept in memory after a load (they would cost as much
//! memory as the rendered pages), so they are read again from the entries'
//! files, a batch at a time, and the file is written in parts.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::import::cells::cell_text;
use crate::load;
use crate::model::{Catalogue, Entry};
use crate::render::Sink;
use crate::yaml;

/// Entries per part of the file; each part's entries are read in parallel.
const ENTRIES_PER_PART: usize = 512;
/// Entries per job within a part.
const ENTRIES_PER_JOB: usize = 32;

/// Writes kind `kind`'s `entries.csv` to `path` in `sink`, reading the
/// bodies from the site at `root`.
pub fn write(
    c: &Catalogue,
    root: &Path,
    kind: usize,
    path: &str,
    sink: &dyn Sink,
) -> Result<(), Diagnostic> {
    let entries: Vec<&Entry> = c.entries.iter().filter(|e| e.kind == kind).collect();
    let fields = field_columns(entries.iter().copied());
    let error: RefCell<Option<Diagnostic>> = RefCell::new(None);
    let head = std::iter::once(csv_bytes(&[header(c, &fields)]));
    let mut chunks = entries.chunks(ENTRIES_PER_PART);
    let body_parts = std::iter::from_fn(|| {
        if error.borrow().is_some() {
            return None;
        }
        let chunk = chunks.next()?;
        let jobs: Result<Vec<Vec<u8>>, Diagnostic> = chunk
            .par_chunks(ENTRIES_PER_JOB)
            .map(|job| rows_bytes(c, root, job, &fields))
            .collect();
        match jobs {
            Ok(jobs) => Some(jobs),
            Err(e) => {
                *error.borrow_mut() = Some(e);
                None
            }
        }
    })
    .flatten();
    let written = sink.put_parts(path, &mut head.chain(body_parts));
    if let Some(e) = error.into_inner() {
        return Err(e);
    }
    written.map_err(|e| Diagnostic::error(path, format!("cannot write output file: {e}")))
}

/// Each kind's `entries.csv` kept as rows, for the live preview: after an
/// edit only the edited entries' rows are made again (from their files), so
/// a body edit does not read every other entry's file again (9,000 files for
/// one kind of a generated 18,000-entry catalogue). The bytes are those
/// [`write`] gives: the serve tests compare every file with a full build.
#[derive(Default)]
pub struct CachedRows {
    kinds: HashMap<usize, KindRows>,
}

struct KindRows {
    /// The kind's entries (indices into the catalogue), in order.
    members: Vec<usize>,
    /// The field columns the rows were made for.
    fields: Vec<String>,
    head: Vec<u8>,
    /// One row (CRLF-terminated) per member.
    rows: Vec<Vec<u8>>,
}

impl CachedRows {
    /// Kind `kind`'s `entries.csv` now that the entries `edited` changed
    /// (indices into `c.entries`): their rows are made again, or every row
    /// when the kind's members or field columns changed or none are kept.
    pub fn file(
        &mut self,
        c: &Catalogue,
        root: &Path,
        kind: usize,
        edited: &[usize],
    ) -> Result<Vec<u8>, Diagnostic> {
        let members: Vec<usize> = (0..c.entries.len())
            .filter(|&i| c.entries[i].kind == kind)
            .collect();
        let fields = field_columns(members.iter().map(|&i| &c.entries[i]));
        let one = |i: usize| rows_bytes(c, root, &[&c.entries[i]], &fields);
        match self.kinds.get_mut(&kind) {
            Some(kept) if kept.members == members && kept.fields == fields => {
                for &e in edited {
                    if let Ok(at) = kept.members.binary_search(&e) {
                        kept.rows[at] = one(e)?;
                    }
                }
            }
            _ => {
                let rows = members
                    .par_iter()
                    .map(|&i| one(i))
                    .collect::<Result<Vec<_>, _>>()?;
                let head = csv_bytes(&[header(c, &fields)]);
                self.kinds.insert(
                    kind,
                    KindRows {
                        members,
                        fields,
                        head,
                        rows,
                    },
                );
            }
        }
        let kept = &self.kinds[&kind];
        let size = kept.head.len() + kept.rows.iter().map(Vec::len).sum::<usize>();
        let mut out = Vec::with_capacity(size);
        out.extend_from_slice(&kept.head);
        for row in &kept.rows {
            out.extend_from_slice(row);
        }
        Ok(out)
    }
}

/// The front-matter fields of `entries` as columns: every field once, in an
/// order that keeps each entry's own order where the entries agree.
pub fn field_columns<'a>(entries: impl Iterator<Item = &'a Entry>) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    for entry in entries {
        let keys: Vec<&String> = entry.fields.keys().collect();
        for (i, key) in keys.iter().enumerate() {
            if order.contains(key) {
                continue;
            }
            let at = |k: &&String| order.iter().position(|o| o == *k);
            let after = keys[..i].iter().filter_map(at).max();
            let before = keys[i + 1..].iter().filter_map(at).min();
            let place = match before {
                Some(b) if after.is_none_or(|a| a < b) => b,
                _ => order.len(),
            };
            order.insert(place, (*key).clone());
        }
    }
    // A field called `body` would be read back as the body.
    order.retain(|k| k != "body");
    order
}

fn header(c: &Catalogue, fields: &[String]) -> Vec<String> {
    let mut header = vec!["id".to_string(), "title".to_string()];
    header.extend(c.config.facets.iter().map(|f| f.name.clone()));
    header.push("related".into());
    header.extend(fields.iter().cloned());
    header.push("body".into());
    header
}

/// The CSV rows of some entries.
fn rows_bytes(
    c: &Catalogue,
    root: &Path,
    entries: &[&Entry],
    fields: &[String],
) -> Result<Vec<u8>, Diagnostic> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(entries.len() * 6 * 1024));
    for e in entries {
        let text = read_file(root, e)?;
        let body = body_of(&text).ok_or_else(|| {
            Diagnostic::error(&e.source, "the file changed while the site was built")
        })?;
        writer
            .write_record(
                row(c, e, fields)
                    .iter()
                    .map(String::as_bytes)
                    .chain([body.as_bytes()]),
            )
            .expect("writing to memory cannot fail");
    }
    Ok(writer.into_inner().expect("writing to memory cannot fail"))
}

/// An entry's cells but the body.
fn row(c: &Catalogue, e: &Entry, fields: &[String]) -> Vec<String> {
    let mut row = vec![e.id.clone(), e.title.clone()];
    for (fi, facet) in c.config.facets.iter().enumerate() {
        let ids: Vec<&str> = e.facets[fi]
            .iter()
            .map(|&v| facet.values[v].id.as_str())
            .collect();
        row.push(ids.join("; "));
    }
    let related: Vec<&str> = e
        .related
        .iter()
        .map(|&r| c.entries[r].id.as_str())
        .collect();
    row.push(related.join("; "));
    for field in fields {
        row.push(e.fields.get(field).map(cell_text).unwrap_or_default());
    }
    row
}

/// An entry's file as it is now, with LF line ends.
fn read_file(root: &Path, e: &Entry) -> Result<String, Diagnostic> {
    let text = std::fs::read_to_string(root.join(&e.source)).map_err(|err| {
        Diagnostic::error(
            &e.source,
            format!("cannot read the body for entries.csv: {err}"),
        )
    })?;
    Ok(load::normalise_newlines(text))
}

/// The Markdown body of an entry file, without blank lines around it.
fn body_of(text: &str) -> Option<&str> {
    let fm = yaml::split_front_matter(text).ok()?;
    Some(fm.body.trim_start_matches('\n').trim_end())
}

fn csv_bytes(rows: &[Vec<String>]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(rows.len() * 1024));
    for row in rows {
        writer
            .write_record(row)
            .expect("writing to memory cannot fail");
    }
    writer.into_inner().expect("writing to memory cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Map, Value};

    fn entry(fields: Value) -> Entry {
        let fields: Map<String, Value> = fields.as_object().unwrap().clone();
        Entry {
            id: "P1".into(),
            slug: "p1".into(),
            kind: 0,
            title: "T".into(),
            facets: Vec::new(),
            related: Vec::new(),
            fields,
            body_html: String::new(),
            source: "p1.md".into(),
            body_line: 1,
            front_matter: String::new(),
        }
    }

    #[test]
    fn field_columns_keep_every_entry_in_order() {
        let entries = [
            entry(json!({"a": 1, "c": 1})),
            entry(json!({"a": 1, "b": 1, "c": 1})),
            entry(json!({"d": 1, "a": 1})),
            entry(json!({"e": 1})),
        ];
        assert_eq!(field_columns(entries.iter()), ["d", "a", "b", "c", "e"]);
    }
}

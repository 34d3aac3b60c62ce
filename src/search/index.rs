//! Writing `search-index.json`: a head (kinds and facets), one record per
//! entry, commas between them and a tail. [`index_parts`] makes the file in
//! parts for a build to write as they come, in parallel batches;
//! [`IndexRecords`] keeps each entry's record for the live preview, so a change
//! serialises only the changed entries again. Both join the same head, records,
//! separators and tail, so they give the same bytes, and the tests compare
//! them with the file made the plain way, through `serde_json::Value`s.

use rayon::prelude::*;
use serde::ser::{Serialize, Serializer};
use serde_json::Value;

use crate::model::{Catalogue, Entry, Facet};

/// Entries serialised together into one part of the index, on one thread.
const ENTRIES_PER_PART: usize = 64;

/// Entries whose parts are made at once, in parallel: enough work for every
/// thread, small enough (some 2.5 MB of JSON) that only a sliver of the index is
/// in memory at a time.
const ENTRIES_PER_BATCH: usize = 1024;

/// `search-index.json` for a catalogue, whole: the concatenation of [`index_parts`]
/// (the tests' reference for the other ways of making it).
#[cfg(test)]
pub fn index_json(c: &Catalogue) -> Vec<u8> {
    index_parts(c).collect::<Vec<_>>().concat()
}

/// What comes between two entries' records.
const SEPARATOR: u8 = b',';

/// What follows the last entry's record.
const TAIL: &[u8] = b"]}\n";

/// `search-index.json` in parts, to be written one after the other. The parts
/// are made as they are asked for, a batch of entries at a time (each batch in
/// parallel), so a sink that writes them out as they come never holds the
/// whole file.
pub fn index_parts(c: &Catalogue) -> impl Iterator<Item = Vec<u8>> + '_ {
    let batches = c
        .entries
        .chunks(ENTRIES_PER_BATCH)
        .enumerate()
        .flat_map(move |(b, batch)| {
            batch
                .par_chunks(ENTRIES_PER_PART)
                .enumerate()
                .map(|(p, entries)| {
                    let first_of_all = b == 0 && p == 0;
                    entries_part(c, entries, first_of_all)
                })
                .collect::<Vec<_>>()
        });
    std::iter::once(head(c))
        .chain(batches)
        .chain(std::iter::once(TAIL.to_vec()))
}

/// Everything before the first entry's record: the kinds and facets, and the
/// opening of the entries' list.
fn head(c: &Catalogue) -> Vec<u8> {
    let config = &c.config;
    let head = Head {
        version: 1,
        kinds: config
            .kinds
            .iter()
            .map(|k| KindRecord {
                id: &k.id,
                label: &k.label,
            })
            .collect(),
        facets: config
            .facets
            .iter()
            .map(|f| FacetRecord {
                name: &f.name,
                label: &f.label,
                values: f
                    .values
                    .iter()
                    .map(|v| ValueRecord {
                        id: &v.id,
                        label: &v.label,
                        parent: v.parent.map(|p| f.values[p].id.as_str()),
                    })
                    .collect(),
            })
            .collect(),
    };
    // The same bytes as serialising {"version", "kinds", "facets", "entries"} at once.
    let mut bytes = serde_json::to_vec(&head).expect("the head always serialises");
    bytes.pop(); // the closing brace
    bytes.extend_from_slice(b",\"entries\":[");
    bytes
}

/// The JSON of some consecutive entries, each preceded by a comma unless it is
/// the first entry of the index.
fn entries_part(c: &Catalogue, entries: &[Entry], first_of_all: bool) -> Vec<u8> {
    // Entries serialise to some 2.4 KB each on large generated catalogues.
    let mut bytes = Vec::with_capacity(entries.len() * 3 * 1024);
    let mut fields = String::new();
    for (i, e) in entries.iter().enumerate() {
        if i > 0 || !first_of_all {
            bytes.push(SEPARATOR);
        }
        write_record(c, e, &mut bytes, &mut fields);
    }
    bytes
}

/// Appends the JSON record of one entry (no separator); `fields` is scratch space.
fn write_record(c: &Catalogue, e: &Entry, out: &mut Vec<u8>, fields: &mut String) {
    fields.clear();
    for value in e.fields.values() {
        push_field_text(value, fields);
    }
    let record = EntryRecord {
        id: &e.id,
        kind: &c.config.kinds[e.kind].id,
        title: &e.title,
        url: EntryUrl(c, e),
        facets: FacetIds(c, e),
        fields: fields.trim_end(),
        text: &e.search_words,
    };
    serde_json::to_writer(out, &record).expect("writing to a Vec cannot fail");
}

/// `search-index.json` kept as each entry's record, serialised separately, so
/// that after some entries change (in the live preview) only their records are
/// serialised again and the file is put together from the rest. A record
/// depends only on its entry and the configuration, so the records stay good
/// while the configuration and the list of entries (their order included) stay
/// the same and every entry that changes is passed to [`IndexRecords::update`].
#[derive(Default)]
pub struct IndexRecords {
    /// What [`head`] gives; empty until the first record is made.
    head: Vec<u8>,
    /// The records of the first entries, in catalogue order.
    records: Vec<Box<[u8]>>,
}

impl IndexRecords {
    /// Whether there is a record for every entry of `c`.
    pub fn is_complete(&self, c: &Catalogue) -> bool {
        !self.head.is_empty() && self.records.len() == c.entries.len()
    }

    /// Makes the records of up to `count` more entries (in parallel).
    pub fn extend(&mut self, c: &Catalogue, count: usize) {
        if self.head.is_empty() {
            self.head = head(c);
        }
        let start = self.records.len();
        let end = c.entries.len().min(start.saturating_add(count));
        let more: Vec<Box<[u8]>> = c.entries[start..end]
            .par_iter()
            .map(|e| record(c, e))
            .collect();
        self.records.extend(more);
    }

    /// Makes the records of `entries` (indices into `c.entries`) again, after
    /// those entries changed; entries without a record yet are left for [`extend`](Self::extend).
    pub fn update(&mut self, c: &Catalogue, entries: impl IntoIterator<Item = usize>) {
        for i in entries {
            if let Some(slot) = self.records.get_mut(i) {
                *slot = record(c, &c.entries[i]);
            }
        }
    }

    /// `search-index.json` for `c`, the same bytes as [`index_parts`] joined, making
    /// the records still missing first.
    pub fn json(&mut self, c: &Catalogue) -> Vec<u8> {
        self.extend(c, usize::MAX);
        let length =
            self.head.len() + self.records.iter().map(|r| r.len() + 1).sum::<usize>() + TAIL.len();
        let mut bytes = Vec::with_capacity(length);
        bytes.extend_from_slice(&self.head);
        for (i, record) in self.records.iter().enumerate() {
            if i > 0 {
                bytes.push(SEPARATOR);
            }
            bytes.extend_from_slice(record);
        }
        bytes.extend_from_slice(TAIL);
        bytes
    }
}

/// One entry's record, on its own.
fn record(c: &Catalogue, e: &Entry) -> Box<[u8]> {
    let mut bytes = Vec::with_capacity(3 * 1024);
    write_record(c, e, &mut bytes, &mut String::new());
    bytes.into_boxed_slice()
}

/// Everything before the entries.
#[derive(serde::Serialize)]
struct Head<'a> {
    version: u32,
    kinds: Vec<KindRecord<'a>>,
    facets: Vec<FacetRecord<'a>>,
}

#[derive(serde::Serialize)]
struct KindRecord<'a> {
    id: &'a str,
    label: &'a str,
}

#[derive(serde::Serialize)]
struct FacetRecord<'a> {
    name: &'a str,
    label: &'a str,
    values: Vec<ValueRecord<'a>>,
}

#[derive(serde::Serialize)]
struct ValueRecord<'a> {
    id: &'a str,
    label: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<&'a str>,
}

/// One entry of the index; the field order is the key order in the file.
#[derive(serde::Serialize)]
struct EntryRecord<'a> {
    id: &'a str,
    kind: &'a str,
    title: &'a str,
    url: EntryUrl<'a>,
    facets: FacetIds<'a>,
    fields: &'a str,
    text: &'a str,
}

/// An entry's site-relative URL, written without building the string first.
struct EntryUrl<'a>(&'a Catalogue, &'a Entry);

impl Serialize for EntryUrl<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let EntryUrl(c, e) = *self;
        serializer.serialize_str(&crate::routes::entry_url(c, e))
    }
}

/// Facet name → the entry's value ids, for the facets where it has any.
struct FacetIds<'a>(&'a Catalogue, &'a Entry);

impl Serialize for FacetIds<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let FacetIds(c, e) = *self;
        serializer.collect_map(
            c.config
                .facets
                .iter()
                .zip(&e.facets)
                .filter(|(_, values)| !values.is_empty())
                .map(|(facet, values)| (&facet.name, ValueIds(facet, values))),
        )
    }
}

/// The ids of some values of one facet.
struct ValueIds<'a>(&'a Facet, &'a [usize]);

impl Serialize for ValueIds<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let ValueIds(facet, values) = *self;
        serializer.collect_seq(values.iter().map(|&v| &facet.values[v].id))
    }
}

/// Appends the text of a front-matter value (strings, numbers, lists, maps), space-separated.
pub(super) fn push_field_text(value: &Value, out: &mut String) {
    match value {
        Value::Null => {}
        Value::Bool(_) => {} // "yes"/"no" is noise for search
        Value::Number(n) => {
            out.push_str(&n.to_string());
            out.push(' ');
        }
        Value::String(s) => {
            out.push_str(s.trim());
            out.push(' ');
        }
        Value::Array(items) => items.iter().for_each(|v| push_field_text(v, out)),
        Value::Object(map) => map.values().for_each(|v| push_field_text(v, out)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::reference_words;

    /// `search-index.json` as casebook first wrote it, through `serde_json::Value`s.
    fn reference_index_json(c: &Catalogue) -> Vec<u8> {
        use serde_json::{json, Map};
        let config = &c.config;
        let kinds: Vec<Value> = config
            .kinds
            .iter()
            .map(|k| json!({ "id": k.id, "label": k.label }))
            .collect();
        let facets: Vec<Value> = config
            .facets
            .iter()
            .map(|f| {
                let values: Vec<Value> = f
                    .values
                    .iter()
                    .map(|v| {
                        let mut obj = Map::new();
                        obj.insert("id".into(), json!(v.id));
                        obj.insert("label".into(), json!(v.label));
                        if let Some(p) = v.parent {
                            obj.insert("parent".into(), json!(f.values[p].id));
                        }
                        Value::Object(obj)
                    })
                    .collect();
                json!({ "name": f.name, "label": f.label, "values": values })
            })
            .collect();
        let entries: Vec<Value> = c
            .entries
            .iter()
            .map(|e| {
                let mut facet_ids = Map::new();
                for (fi, values) in e.facets.iter().enumerate() {
                    if !values.is_empty() {
                        let facet = &config.facets[fi];
                        let ids: Vec<&str> = values
                            .iter()
                            .map(|&v| facet.values[v].id.as_str())
                            .collect();
                        facet_ids.insert(facet.name.clone(), json!(ids));
                    }
                }
                let mut fields = String::new();
                for value in e.fields.values() {
                    push_field_text(value, &mut fields);
                }
                json!({
                    "id": e.id,
                    "kind": config.kinds[e.kind].id,
                    "title": e.title,
                    "url": crate::routes::entry_url(c, e),
                    "facets": facet_ids,
                    "fields": fields.trim_end(),
                    "text": reference_words(&e.body_html),
                })
            })
            .collect();
        let index = json!({ "version": 1, "kinds": kinds, "facets": facets, "entries": entries });
        let mut bytes = serde_json::to_vec(&index).unwrap();
        bytes.push(b'\n');
        bytes
    }

    fn catalogue(entries: usize) -> Catalogue {
        let (config, _) = crate::config::Config::parse(
            "title: T\nkinds:\n  - { id: practice, label: \"Practices \\\"P\\\"\", dir: practices }\n  - { id: literature, label: Articles, dir: literature }\nfacets:\n  sectors:\n    - { id: health, label: Health & care }\n    - { id: education, label: Education }\n  countries:\n    - { id: GB, label: United Kingdom }\n    - { id: GB-ENG, label: England, parent: GB }\n",
        )
        .unwrap();
        let entries = (0..entries)
            .map(|i| {
                let body = format!("# Über {i}\n\n<p>Ärzte &amp; care</p> *em*{i} `x<y` \"quoted\" \\\\ back\\slash");
                let rendered = crate::markdown::render_with_words(&body, "", &|_: &str| None, false);
                let fields = serde_json::json!({
                    "summary": format!("  Text {i} with \"quotes\" and \u{1F600} \n"),
                    "year": 2000 + i % 30,
                    "flag": i % 2 == 0,
                    "authors": ["A. Person", {"name": "B"}],
                    "none": null,
                });
                Entry {
                    id: format!("P{i}"),
                    slug: format!("p{i}"),
                    kind: i % 2,
                    title: format!("Title {i} \u{2014} \"x\" </script>"),
                    facets: vec![
                        if i % 3 == 0 { vec![] } else { vec![i % 2] },
                        if i % 5 == 0 { vec![0, 1] } else { vec![] },
                    ],
                    related: Vec::new(),
                    fields: fields.as_object().unwrap().clone(),
                    body_html: rendered.html,
                    search_words: rendered.search_words,
                    source: Default::default(),
                    body_line: 1,
                    front_matter: String::new(),
                }
            })
            .collect();
        Catalogue {
            config,
            entries,
            pages: Vec::new(),
        }
    }

    #[test]
    fn index_has_the_same_bytes_as_through_json_values() {
        // Sizes around the part and batch boundaries, where the commas go.
        for entries in [0, 1, 2, 63, 64, 65, 130, 1023, 1024, 1025, 2100] {
            let c = catalogue(entries);
            let reference = reference_index_json(&c);
            assert_eq!(
                String::from_utf8(index_json(&c)).unwrap(),
                String::from_utf8(reference.clone()).unwrap(),
                "{entries} entries"
            );
            let parts: Vec<Vec<u8>> = index_parts(&c).collect();
            assert_eq!(parts.concat(), reference);
            let parsed: Value = serde_json::from_slice(&reference).unwrap();
            assert_eq!(parsed["entries"].as_array().unwrap().len(), entries);
        }
    }

    #[test]
    fn records_give_the_same_bytes_as_the_whole_index() {
        for entries in [0, 1, 2, 65, 1025] {
            let c = catalogue(entries);
            let mut records = IndexRecords::default();
            assert!(!records.is_complete(&c));
            assert_eq!(records.json(&c), index_json(&c), "{entries} entries");
            assert!(records.is_complete(&c));
        }
    }

    #[test]
    fn records_follow_changed_entries() {
        let mut c = catalogue(200);
        let mut records = IndexRecords::default();
        // Some records made before the change, the rest after it.
        records.extend(&c, 100);
        assert!(!records.is_complete(&c));
        let changed = [0, 7, 99, 100, 150, 199];
        for &i in &changed {
            let e = &mut c.entries[i];
            e.title = format!("Changed \"{i}\"");
            e.facets[0] = vec![0, 1];
            e.facets[1] = vec![];
            e.search_words = format!("new words {i}");
            e.fields.insert("added".into(), Value::from("field"));
        }
        let stale = records.json(&c);
        assert_ne!(
            stale,
            index_json(&c),
            "the records were made before the change"
        );
        records.update(&c, changed);
        assert_eq!(
            String::from_utf8(records.json(&c)).unwrap(),
            String::from_utf8(index_json(&c)).unwrap()
        );
    }
}

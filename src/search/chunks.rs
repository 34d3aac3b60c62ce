//! The home page's search index split by term, as Pagefind does it:
//! `search/index.js` (a few KB: the first term of every chunk, the number of
//! documents, the free pages' titles and URLs) and `search/<k>.js`, chunk `k`
//! of the sorted terms with their postings. A query downloads the entry file
//! and only the chunks its words (or, while typing, the prefixes of its
//! words) fall in; then the fragments ([`super::fragment`]) of the results it
//! shows.
//!
//! Documents are the entries, in catalogue order (`0..entries`), then the
//! free pages. Each term's postings are `(document gap << 6) | (tf << 4) |
//! fields`, where the gap is the distance from the previous posting's
//! document, `tf` is how often the term is in the body (0 for once or not at
//! all, 1 for twice, 2 for three times, 3 for four or more) and `fields` says
//! where the term occurs: [`IN_ID`], [`IN_TITLE`], [`IN_FIELDS`] (facet value
//! labels and other front-matter text), [`IN_BODY`]. `browse.js` ranks with
//! these, BM25-like without length normalisation: an exact id first, then
//! title and id matches above field matches above body matches, rarer terms
//! above common ones, and a body term's weight saturating with its count.
//! Terms are folded like the script folds a query: lower case, Latin letters
//! without their accents.
//!
//! The number of chunks depends only on the number of documents
//! ([`chunk_count`]), so the route table knows every chunk without building
//! the index; where each chunk starts is chosen from the terms, so the chunks
//! come out about the same size. Output is deterministic.

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use crate::model::Catalogue;

/// The term is (part of) the entry's id.
pub const IN_ID: u8 = 1;
/// The term is in the title.
pub const IN_TITLE: u8 = 2;
/// The term is in a facet value's label or another front-matter field.
pub const IN_FIELDS: u8 = 4;
/// The term is in the body.
pub const IN_BODY: u8 = 8;

/// Bits of a posting below the document number: the body count, the fields.
const DOC_SHIFT: u32 = 6;
/// The largest document number a posting can hold.
const MAX_DOC: u32 = u32::MAX >> DOC_SHIFT;

/// Documents per chunk, on average: chunks of some 40 KB at 18,000 entries.
const DOCS_PER_CHUNK: usize = 32;
/// The most chunks an index is split into.
const MAX_CHUNKS: usize = 1024;

/// Entries whose words are collected at once, in parallel.
const ENTRIES_PER_BATCH: usize = 1024;

/// How many chunks the index of a site with `documents` documents (entries
/// and free pages) has: at least one.
pub fn chunk_count(documents: usize) -> usize {
    documents.div_ceil(DOCS_PER_CHUNK).clamp(1, MAX_CHUNKS)
}

/// The whole index, made once per build and written a file at a time.
pub struct ChunkedIndex {
    /// Every term (sorted) with its postings (`document << 6 | tf << 4 |
    /// fields`, by document; written as gaps).
    terms: Vec<(String, Vec<u32>)>,
    /// Where each chunk starts in `terms`.
    starts: Vec<usize>,
    /// The entry file's bytes.
    entry_file: Vec<u8>,
    /// The live preview's last bytes of each chunk, with what they were made
    /// from: (first term, the next chunk's first term, number of terms).
    cache: Vec<Option<ChunkKey>>,
    /// Terms whose postings changed since the chunks were last made.
    dirty: BTreeSet<String>,
}

type ChunkKey = ((Option<String>, Option<String>, usize), Vec<u8>);

#[derive(Serialize)]
struct EntryFile<'a> {
    version: u32,
    documents: usize,
    entries: usize,
    chunks: Vec<&'a str>,
    pages: Vec<(&'a str, String)>,
}

impl ChunkedIndex {
    /// Builds the index of `c`'s entries and free pages.
    pub fn new(c: &Catalogue) -> ChunkedIndex {
        ChunkedIndex::with_fragments(c, None)
    }

    /// Builds the index and, if `put` is given, hands it each document's
    /// fragment ([`super::fragment`]) on the way, made from the text the index
    /// reads anyway (called in parallel, in no particular order). Entries
    /// are read a batch at a time (each batch in parallel) and merged into
    /// one table of postings, so only a batch's word lists are held at once.
    pub fn with_fragments(
        c: &Catalogue,
        put: Option<&(dyn Fn(usize, Vec<u8>) + Sync)>,
    ) -> ChunkedIndex {
        let n = c.entries.len();
        let mut postings: HashMap<Key, Vec<u32>, foldhash::fast::RandomState> = HashMap::default();
        let mut merge = |doc: usize, terms: Vec<(Key, u8)>| {
            let doc = document(doc);
            for (term, marks) in terms {
                let posting = doc << DOC_SHIFT | u32::from(marks);
                match postings.get_mut(&term) {
                    Some(list) => list.push(posting),
                    None => {
                        postings.insert(term, vec![posting]);
                    }
                }
            }
        };
        let read = |b: usize, batch: &[crate::model::Entry]| -> Vec<Vec<(Key, u8)>> {
            batch
                .par_iter()
                .enumerate()
                // One table of terms per thread, emptied for each entry: a
                // fresh one per entry spent more on memory than on words.
                .map_init(Terms::default, |terms, (i, e)| {
                    let text = super::text::raw_text(&e.body_html);
                    if let Some(put) = put {
                        let doc = b * ENTRIES_PER_BATCH + i;
                        put(doc, super::fragment::with_text(c, doc, &text));
                    }
                    entry_terms(c, e, &text, terms)
                })
                .collect()
        };
        // Each batch is merged (one thread) while the next is read (the others).
        let batches: Vec<&[crate::model::Entry]> = c.entries.chunks(ENTRIES_PER_BATCH).collect();
        let mut lists = batches.first().map(|batch| read(0, batch));
        for b in 0..batches.len() {
            let these = lists.take().unwrap_or_default();
            let ((), next) = rayon::join(
                || {
                    for (i, terms) in these.into_iter().enumerate() {
                        merge(b * ENTRIES_PER_BATCH + i, terms);
                    }
                },
                || batches.get(b + 1).map(|batch| read(b + 1, batch)),
            );
            lists = next;
        }
        let pages: Vec<Vec<(Key, u8)>> = c
            .pages
            .par_iter()
            .enumerate()
            .map(|(i, p)| {
                let text = super::text::raw_text(&p.body_html);
                if let Some(put) = put {
                    put(n + i, super::fragment::with_text(c, n + i, &text));
                }
                let mut terms = Terms::default();
                terms.add(&p.title, IN_TITLE);
                terms.add(&text, IN_BODY);
                terms.finish()
            })
            .collect();
        for (p, terms) in pages.into_iter().enumerate() {
            merge(n + p, terms);
        }
        // Sorted by term; each list is sorted by document already.
        let mut terms: Vec<(String, Vec<u32>)> = postings
            .into_iter()
            .map(|(key, list)| (key.into_string(), list))
            .collect();
        terms.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        terms
            .par_iter_mut()
            .for_each(|(_, list)| list.shrink_to_fit());
        let mut index = ChunkedIndex {
            terms,
            starts: Vec::new(),
            entry_file: Vec::new(),
            cache: Vec::new(),
            dirty: BTreeSet::new(),
        };
        index.finish(c);
        index
    }

    /// Chooses where chunks start and makes the entry file.
    fn finish(&mut self, c: &Catalogue) {
        let n = c.entries.len();
        let documents = n + c.pages.len();
        self.starts = split(&self.terms, chunk_count(documents));
        let file = EntryFile {
            version: 2,
            documents,
            entries: n,
            chunks: self
                .starts
                .iter()
                .map(|&s| self.terms.get(s).map_or("\u{10ffff}", |t| t.0.as_str()))
                .collect(),
            pages: c
                .pages
                .iter()
                .map(|p| (p.title.as_str(), crate::routes::page_url(p)))
                .collect(),
        };
        let mut entry_file = b"casebookSearchIndex(".to_vec();
        serde_json::to_writer(&mut entry_file, &file).unwrap_or_default();
        entry_file.extend_from_slice(b");\n");
        self.entry_file = entry_file;
    }

    /// Takes in that the entries `edited` (indices into `c.entries`) changed,
    /// for the live preview: their postings are dropped and made again from
    /// their new words, and the chunks are chosen again, so the files are
    /// the same bytes a fresh index of `c` gives (the serve tests compare
    /// them with a full build). The entries and pages must be the same ones.
    pub fn update(&mut self, c: &Catalogue, edited: &[usize]) {
        let docs: BTreeSet<u32> = edited.iter().map(|&e| document(e)).collect();
        for (term, list) in &mut self.terms {
            let before = list.len();
            for &doc in &docs {
                let at = list.partition_point(|p| p >> DOC_SHIFT < doc);
                if list.get(at).is_some_and(|p| p >> DOC_SHIFT == doc) {
                    list.remove(at);
                }
            }
            if list.len() != before {
                self.dirty.insert(term.clone());
            }
        }
        for &e in edited {
            let Some(entry) = c.entries.get(e) else {
                continue;
            };
            let doc = document(e);
            let text = super::text::raw_text(&entry.body_html);
            for (key, marks) in entry_terms(c, entry, &text, &mut Terms::default()) {
                let term = key.into_string();
                let posting = doc << DOC_SHIFT | u32::from(marks);
                match self.terms.binary_search_by(|t| t.0.as_str().cmp(&term)) {
                    Ok(i) => {
                        let list = &mut self.terms[i].1;
                        let at = list.partition_point(|p| p >> DOC_SHIFT < doc);
                        list.insert(at, posting);
                    }
                    Err(i) => self.terms.insert(i, (term.clone(), vec![posting])),
                }
                self.dirty.insert(term);
            }
        }
        self.terms.retain(|(_, list)| !list.is_empty());
        self.finish(c);
    }

    /// Every chunk's bytes, reusing those made before whose terms did not
    /// change since (for the live preview, which writes them all after an edit).
    pub fn chunks(&mut self) -> Vec<Vec<u8>> {
        let count = self.starts.len();
        self.cache.resize_with(count, || None);
        let mut out = Vec::with_capacity(count);
        for k in 0..count {
            let (start, end) = self.range(k);
            let key = (
                self.terms.get(start).map(|t| t.0.clone()),
                self.terms.get(end).map(|t| t.0.clone()),
                end - start,
            );
            let dirty = match (&key.0, &key.1) {
                (Some(first), Some(next)) => self
                    .dirty
                    .range::<String, _>(first.clone()..next.clone())
                    .next()
                    .is_some(),
                (Some(first), None) => self
                    .dirty
                    .range::<String, _>(first.clone()..)
                    .next()
                    .is_some(),
                _ => false,
            };
            let bytes = match &self.cache[k] {
                Some((cached, bytes)) if *cached == key && !dirty => bytes.clone(),
                _ => {
                    let bytes = self.chunk(k);
                    self.cache[k] = Some((key, bytes.clone()));
                    bytes
                }
            };
            out.push(bytes);
        }
        self.dirty.clear();
        out
    }

    fn range(&self, k: usize) -> (usize, usize) {
        let start = self.starts.get(k).copied().unwrap_or(self.terms.len());
        let end = self
            .starts
            .get(k + 1)
            .copied()
            .unwrap_or(self.terms.len())
            .max(start);
        (start, end)
    }

    /// `search/index.js`.
    pub fn entry_file(&self) -> Vec<u8> {
        self.entry_file.clone()
    }

    /// `search/<k>.js`: the chunk's terms and postings (an empty chunk past
    /// the last term is still a file, so every route has its bytes).
    pub fn chunk(&self, k: usize) -> Vec<u8> {
        let (start, end) = self.range(k);
        let size: usize = self.terms[start..end]
            .iter()
            .map(|(t, p)| t.len() + 4 + p.len() * 5)
            .sum();
        let mut out = Vec::with_capacity(size + 32);
        out.extend_from_slice(format!("casebookSearchChunk({k},{{").as_bytes());
        for (i, (term, postings)) in self.terms[start..end].iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            // A term is letters and digits only, but serde_json escapes it all the same.
            serde_json::to_writer(&mut out, term).unwrap_or_default();
            out.extend_from_slice(b":[");
            // Gaps between documents, the body count and the fields, in one number.
            let mut last = 0;
            let mut number = itoa::Buffer::new();
            for (j, posting) in postings.iter().enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                let doc = posting >> DOC_SHIFT;
                let coded = (doc - last) << DOC_SHIFT | (posting & ((1 << DOC_SHIFT) - 1));
                last = doc;
                out.extend_from_slice(number.format(coded).as_bytes());
            }
            out.push(b']');
        }
        out.push(b'}');
        out.extend_from_slice(b");\n");
        out
    }
}

/// Where each of `count` chunks starts, so that they hold about as many
/// postings each; a term's postings are never split.
fn split(terms: &[(String, Vec<u32>)], count: usize) -> Vec<usize> {
    let weight = |t: &(String, Vec<u32>)| t.0.len() + 4 + t.1.len() * 3;
    let total: usize = terms.iter().map(weight).sum();
    let target = total.div_ceil(count.max(1)).max(1);
    let mut starts = vec![0];
    let mut filled = 0;
    for (i, term) in terms.iter().enumerate() {
        if filled >= target && starts.len() < count {
            starts.push(i);
            filled = 0;
        }
        filled += weight(term);
    }
    while starts.len() < count {
        starts.push(terms.len());
    }
    starts
}

/// A document's number in a posting (documents past [`MAX_DOC`] share it).
fn document(doc: usize) -> u32 {
    u32::try_from(doc).unwrap_or(u32::MAX).min(MAX_DOC)
}

/// An entry's terms, each once, with where they occur and how often in the
/// body, whose readable text is `text`.
fn entry_terms(
    c: &Catalogue,
    e: &crate::model::Entry,
    text: &str,
    terms: &mut Terms,
) -> Vec<(Key, u8)> {
    terms.add(&e.id, IN_ID);
    terms.add(&e.title, IN_TITLE);
    let mut fields = String::new();
    for value in e.fields.values() {
        push_field_text(value, &mut fields);
    }
    for (fi, values) in e.facets.iter().enumerate() {
        for &v in values {
            fields.push_str(&c.config.facets[fi].values[v].label);
            fields.push(' ');
        }
    }
    terms.add(&fields, IN_FIELDS);
    terms.add(text, IN_BODY);
    terms.finish()
}

/// A folded term as a hash key: one of up to 16 bytes (most words) packed
/// into a number, which takes no allocation and hashes fast (the index meets
/// some 12 million words at 18,000 entries), a longer one as a string.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Short(u128),
    Long(Box<str>),
}

impl Key {
    fn of(word: &str) -> Key {
        if word.len() <= 16 {
            // Words are letters and digits: no NUL byte to confuse with the padding.
            let mut bytes = [0u8; 16];
            bytes[..word.len()].copy_from_slice(word.as_bytes());
            Key::Short(u128::from_le_bytes(bytes))
        } else {
            Key::Long(word.into())
        }
    }

    fn into_string(self) -> String {
        match self {
            Key::Short(number) => {
                let bytes = number.to_le_bytes();
                let len = bytes.iter().position(|&b| b == 0).unwrap_or(16);
                String::from_utf8_lossy(&bytes[..len]).into_owned()
            }
            Key::Long(word) => word.into(),
        }
    }
}

/// A document's folded terms: where each occurs, and how often in the body.
struct Terms {
    /// Terms of up to 16 bytes (packed as [`Key::Short`] packs them) →
    /// (fields, times in the body).
    short: HashMap<u128, (u8, u32), foldhash::fast::RandomState>,
    /// Longer terms, likewise.
    long: HashMap<Box<str>, (u8, u32), foldhash::fast::RandomState>,
}

impl Default for Terms {
    fn default() -> Terms {
        Terms {
            // Room for a typical body's distinct words.
            short: HashMap::with_capacity_and_hasher(512, Default::default()),
            long: HashMap::default(),
        }
    }
}

impl Terms {
    /// Adds the words of `text`, found in `field`. Words are runs of letters
    /// and digits. An ASCII word of up to 16 bytes (most words) is lowered
    /// and packed into its key while it is read, with no string made; any
    /// other is [`fold`]ed first.
    fn add(&mut self, text: &str, field: u8) {
        let bytes = text.as_bytes();
        let count = u32::from(field == IN_BODY);
        let mut at = 0;
        while at < bytes.len() {
            let start = at;
            let mut key: u128 = 0;
            let mut plain = true; // ASCII so far
            while at < bytes.len() {
                let b = bytes[at];
                if b.is_ascii() {
                    if !b.is_ascii_alphanumeric() {
                        break;
                    }
                    if at - start < 16 {
                        key |= u128::from(b.to_ascii_lowercase()) << (8 * (at - start));
                    }
                    at += 1;
                } else {
                    let c = text[at..].chars().next().unwrap_or(' ');
                    if !c.is_alphanumeric() {
                        break;
                    }
                    plain = false;
                    at += c.len_utf8();
                }
            }
            if at == start {
                // Not a word character: skip it.
                at += text[at..].chars().next().map_or(1, char::len_utf8);
                continue;
            }
            let marks = if plain && at - start <= 16 {
                self.short.entry(key).or_insert((0, 0))
            } else {
                match Key::of(&fold(&text[start..at])) {
                    Key::Short(key) => self.short.entry(key).or_insert((0, 0)),
                    Key::Long(word) => self.long.entry(word).or_insert((0, 0)),
                }
            };
            marks.0 |= field;
            marks.1 += count;
        }
    }

    /// Each term with its marks (`tf << 4 | fields`), in no particular
    /// order, leaving the tables empty (with their room) for the next document.
    fn finish(&mut self) -> Vec<(Key, u8)> {
        let marks = |(fields, times): (u8, u32)| {
            let tf = u8::try_from(times.clamp(1, 4) - 1).unwrap_or(3);
            tf << 4 | fields
        };
        let long = self.long.drain().map(|(w, m)| (Key::Long(w), marks(m)));
        self.short
            .drain()
            .map(|(k, m)| (Key::Short(k), marks(m)))
            .chain(long)
            .collect()
    }
}

/// Appends the text of a front-matter value (strings, numbers, lists, maps), space-separated.
fn push_field_text(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
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

/// A word as the index keeps it: lower case, Latin letters without accents
/// (`Malmö` → `malmo`), as `browse.js` folds what readers type.
pub fn fold(word: &str) -> String {
    let lower = word.to_lowercase();
    if lower.is_ascii() {
        return lower;
    }
    lower
        .chars()
        .map(|ch| {
            if ('\u{c0}'..='\u{24f}').contains(&ch) {
                match deunicode::deunicode_char(ch) {
                    Some(plain)
                        if plain.len() == 1 && plain.as_bytes()[0].is_ascii_alphabetic() =>
                    {
                        char::from(plain.as_bytes()[0])
                    }
                    _ => ch,
                }
            } else {
                ch
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_as_the_script_folds_them() {
        assert_eq!(fold("Malmö"), "malmo");
        assert_eq!(fold("Ærø"), "æro");
        assert_eq!(fold("Łódź"), "lodz");
        assert_eq!(fold("Straße"), "straße");
        assert_eq!(fold("L0042"), "l0042");
    }

    #[test]
    fn keys_give_their_words_back() {
        for word in [
            "a",
            "care",
            "sixteen_bytes_xx",
            "seventeen_bytes_x",
            "malmö",
            "日本語日本語",
        ] {
            assert_eq!(Key::of(word).into_string(), word);
        }
        assert!(Key::of("ab") != Key::of("abc"));
    }

    #[test]
    fn terms_are_the_words_of_a_plain_split() {
        let text = "Ünïcode wörds, ASCII words; a-b_c 42x ΣΟΦΟΣ σοφος \
                    averyveryverylongwordindeed sixteen_bytes_xx seventeenbytesxx1 — … 日本語 x";
        let mut terms = Terms::default();
        terms.add(text, IN_BODY);
        let mut got: Vec<String> = terms
            .finish()
            .into_iter()
            .map(|(k, _)| k.into_string())
            .collect();
        got.sort();
        let mut plain: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(fold)
            .collect();
        plain.sort();
        plain.dedup();
        assert_eq!(got, plain);
    }

    #[test]
    fn terms_count_body_words_and_note_their_fields() {
        let mut terms = Terms::default();
        terms.add("Care, care and CARE; Malmö", IN_BODY);
        terms.add("care plan", IN_TITLE);
        let mut got: Vec<(String, u8)> = terms
            .finish()
            .into_iter()
            .map(|(key, marks)| (key.into_string(), marks))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("and".into(), IN_BODY),
                ("care".into(), 2 << 4 | IN_BODY | IN_TITLE),
                ("malmo".into(), IN_BODY),
                ("plan".into(), IN_TITLE),
            ]
        );
    }

    #[test]
    fn chunks_are_balanced_and_cover_every_term() {
        let terms: Vec<(String, Vec<u32>)> = (0..100)
            .map(|i| (format!("t{i:03}"), vec![16; 1 + i % 5]))
            .collect();
        let starts = split(&terms, 7);
        assert_eq!(starts.len(), 7);
        assert_eq!(starts[0], 0);
        assert!(starts.windows(2).all(|w| w[0] < w[1]), "{starts:?}");
        assert_eq!(split(&terms[..2], 5), vec![0, 1, 2, 2, 2]);
        assert_eq!(split(&[], 3), vec![0, 0, 0]);
    }
}

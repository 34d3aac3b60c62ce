//! The data behind the home page's search and filters: `search-index.json`.
//!
//! One compact JSON document, written at build time, that the home page's
//! script fetches the first time a reader searches. It lists the kinds and
//! every facet's value ids (in vocabulary order, with parents), and for each
//! entry its id, kind, title, URL, facet value ids, the plain text of its
//! other front-matter fields and the words of its body (each distinct word
//! once, in order of first use: search matches words and does not rank, so
//! repeats only cost download time on large catalogues). The filters
//! themselves do not need it: every list item on the home page carries its
//! kind and facet values as `data-*` attributes, so filtering works before
//! (and without) the index. Output is deterministic, like every other file.
//!
//! A body's words are those of the text a reader sees in its HTML: tags
//! separate words except phrasing ones (`foo<em>bar</em>` is the one word
//! `foobar`), character references are decoded, and words are runs of letters
//! and digits. They are collected once per entry, while its Markdown is
//! rendered ([`crate::markdown::render_with_words`]), with a [`WordCollector`],
//! and kept on the entry, so writing the index only serialises. The index is
//! made in parts ([`index_parts`]), so that a build writing it to disk never
//! holds it whole. The live preview keeps each entry's record serialised
//! ([`IndexRecords`]) and, after a change, serialises only the changed entries
//! again: both put the file together from the same head, records, separators
//! and tail, so they give the same bytes.

use rayon::prelude::*;
use serde::ser::{Serialize, Serializer};
use serde_json::Value;

use crate::model::{Catalogue, Entry, Facet};

/// The output path of the search index, relative to the site root.
pub use crate::routes::SEARCH_INDEX;

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

/// Each word of `text` once (ignoring case), in order of first use. Words are
/// runs of letters and digits, the way the search splits text.
pub fn distinct_words(text: &str) -> String {
    let mut words = WordCollector::default();
    words.push(text);
    words.finish()
}

/// Collects the distinct words of a text that arrives in pieces, such as the
/// text events of a Markdown body: each word once (ignoring case, as Unicode
/// lowercases it), in its first spelling and in order of first use,
/// space-separated. A word may continue from one piece into the next (the
/// pieces `foo` and `bar` make the word `foobar`) unless [`WordCollector::boundary`]
/// comes between them.
#[derive(Default)]
pub struct WordCollector {
    /// The distinct words so far.
    out: String,
    /// The lowercase forms of the words in `out`.
    seen: LowercaseSet,
    /// The start of a word that may go on in the next piece.
    partial: String,
    /// Scratch space for lowercasing non-ASCII words.
    lower: String,
}

impl WordCollector {
    /// Adds a piece of text.
    pub fn push(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let mut start = 0; // of the current word within `text`
        let mut at = 0;
        while at < bytes.len() {
            let b = bytes[at];
            if b.is_ascii_alphanumeric() {
                at += 1;
                continue;
            }
            let len = if b.is_ascii() {
                1
            } else {
                let c = text[at..].chars().next().expect("`at` is a char boundary");
                if c.is_alphanumeric() {
                    at += c.len_utf8();
                    continue;
                }
                c.len_utf8()
            };
            self.end_word(&text[start..at]);
            at += len;
            start = at;
        }
        self.partial.push_str(&text[start..]);
    }

    /// Ends the current word, if any: what comes next starts a new one.
    pub fn boundary(&mut self) {
        self.end_word("");
    }

    /// The distinct words, space-separated.
    pub fn finish(mut self) -> String {
        self.take()
    }

    /// The distinct words, space-separated, leaving the collector empty but
    /// with its buffers, ready for another text.
    pub fn take(&mut self) -> String {
        self.boundary();
        let words = self.out.as_str().to_owned(); // exactly as long as it needs to be
        self.out.clear();
        self.seen.clear();
        words
    }

    /// Ends the word made of `partial` and then `tail` (either may be empty).
    fn end_word(&mut self, tail: &str) {
        if self.partial.is_empty() {
            self.add(tail);
        } else {
            let mut word = std::mem::take(&mut self.partial);
            word.push_str(tail);
            self.add(&word);
            word.clear();
            self.partial = word; // keeps its allocation for the next split word
        }
    }

    /// Adds `word` (letters and digits only) to the output unless it is empty
    /// or was seen already.
    fn add(&mut self, word: &str) {
        if word.is_empty() {
            return;
        }
        let new = if let Some(key) = short_ascii_key(word) {
            self.seen.insert_short(key)
        } else if word.is_ascii() {
            self.lower.clear();
            self.lower.push_str(word);
            self.lower.make_ascii_lowercase();
            self.seen.insert_long(&self.lower)
        } else {
            if word.contains('Σ') {
                // Lowercase sigma depends on its place in the word (σ or ς);
                // `str::to_lowercase` knows how.
                self.lower = word.to_lowercase();
            } else {
                self.lower.clear();
                self.lower.extend(word.chars().flat_map(char::to_lowercase));
            }
            self.seen.insert_long(&self.lower)
        };
        if new {
            if !self.out.is_empty() {
                self.out.push(' ');
            }
            self.out.push_str(word);
        }
    }
}

/// The lowercase form of an ASCII word of at most 16 letters and digits, as a
/// number: its bytes, little-endian, zero-padded (words hold no zero bytes, so
/// different words give different numbers, and never 0).
fn short_ascii_key(word: &str) -> Option<u128> {
    let bytes = word.as_bytes();
    if bytes.len() > 16 {
        return None;
    }
    // Byte by byte rather than copying: short copies of varying length are calls to memcpy.
    let (mut low, mut high) = (0u64, 0u64);
    for (i, &b) in bytes.iter().enumerate() {
        if !b.is_ascii() {
            return None;
        }
        // Setting bit 5 lowercases an ASCII letter and leaves a digit as it is.
        let b = u64::from(b | 0x20);
        if i < 8 {
            low |= b << (8 * i);
        } else {
            high |= b << (8 * (i - 8));
        }
    }
    Some(u128::from(low) | u128::from(high) << 64)
}

/// A set of lowercase words: short ASCII ones as numbers, others in one text
/// buffer. Both tables are open-addressing arrays kept at most half full, so
/// no word costs an allocation of its own.
#[derive(Default)]
struct LowercaseSet {
    /// Keys from [`short_ascii_key`], 0 for an empty slot; the length is zero
    /// or a power of two.
    short: Vec<u128>,
    /// How many keys `short` holds.
    short_count: usize,
    /// Every other member, one after the other.
    text: String,
    /// Each of those members' end in `text` (its start is the previous one's end).
    ends: Vec<u32>,
    /// Slots for them: 0 when empty, else the member's index plus one; the
    /// length is zero or a power of two.
    slots: Vec<u32>,
}

impl LowercaseSet {
    /// Removes every member, keeping small tables for reuse.
    fn clear(&mut self) {
        // Clearing costs the table's size: after an unusually long text, start afresh.
        const KEEP: usize = 4096;
        if self.short.len() > KEEP {
            self.short = Vec::new();
        } else if self.short_count > 0 {
            self.short.fill(0);
        }
        self.short_count = 0;
        if self.slots.len() > KEEP {
            self.slots = Vec::new();
        } else if !self.ends.is_empty() {
            self.slots.fill(0);
        }
        self.text.clear();
        self.ends.clear();
    }

    /// Inserts a key from [`short_ascii_key`]; whether it was new.
    fn insert_short(&mut self, key: u128) -> bool {
        if self.short_count * 2 >= self.short.len() {
            let size = (self.short.len() * 2).max(64);
            let old = std::mem::replace(&mut self.short, vec![0; size]);
            for key in old.into_iter().filter(|&k| k != 0) {
                let slot = self.short_slot(key);
                self.short[slot] = key;
            }
        }
        let slot = self.short_slot(key);
        if self.short[slot] == key {
            return false;
        }
        self.short[slot] = key;
        self.short_count += 1;
        true
    }

    /// The slot holding `key`, or the empty slot where it belongs.
    fn short_slot(&self, key: u128) -> usize {
        let mask = self.short.len() - 1;
        // Multiplicative hashing: the top bits of the product depend on every bit of the key.
        let low = key as u64;
        let high = (key >> 64) as u64;
        let hash =
            (low.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ high).wrapping_mul(0xff51_afd7_ed55_8ccd);
        let mut slot = (hash >> (64 - self.short.len().trailing_zeros())) as usize;
        while self.short[slot] != 0 && self.short[slot] != key {
            slot = (slot + 1) & mask;
        }
        slot
    }

    /// Inserts a lowercase word that has no short key; whether it was new.
    fn insert_long(&mut self, word: &str) -> bool {
        if self.ends.len() * 2 >= self.slots.len() {
            self.slots = vec![0; (self.slots.len() * 2).max(64)];
            for i in 0..self.ends.len() {
                let slot = self.long_slot(self.member(i));
                self.slots[slot] = u32::try_from(i + 1).expect("a body has under 4 G words");
            }
        }
        let slot = self.long_slot(word);
        if self.slots[slot] != 0 {
            return false;
        }
        self.text.push_str(word);
        let end = u32::try_from(self.text.len()).expect("a body's words fit in 4 GB");
        self.ends.push(end);
        self.slots[slot] = u32::try_from(self.ends.len()).expect("as above");
        true
    }

    /// The slot holding `word`, or the empty slot where it belongs.
    fn long_slot(&self, word: &str) -> usize {
        let mask = self.slots.len() - 1;
        let mut slot = hash(word.as_bytes()) as usize & mask;
        loop {
            match self.slots[slot] {
                0 => return slot,
                member if self.member(member as usize - 1) == word => return slot,
                _ => slot = (slot + 1) & mask,
            }
        }
    }

    fn member(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }
}

/// FNV-1a over the bytes, folded 8 bytes at a time.
fn hash(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        hash = (hash ^ u64::from_le_bytes(word)).wrapping_mul(0x0000_0100_0000_01b3);
        hash ^= hash >> 29;
    }
    for &b in chunks.remainder() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    // The low bits pick the slot: fold the well-mixed high bits into them.
    hash ^ (hash >> 32)
}

/// Appends the text of a front-matter value (strings, numbers, lists, maps), space-separated.
fn push_field_text(value: &Value, out: &mut String) {
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

/// The readable text of an HTML fragment: tags dropped (block boundaries become
/// spaces), character references decoded, runs of white space collapsed.
/// Meant for the HTML casebook itself renders from Markdown, not arbitrary pages:
/// the contents of `<script>` and `<style>` (which sanitised bodies never hold)
/// are dropped too.
pub fn html_to_text(html: &str) -> String {
    let mut raw = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        raw.push_str(&rest[..open]);
        let after = &rest[open..];
        let Some(close) = after.find('>') else {
            // A lone '<' (escaped HTML never has one, but be safe): keep the text.
            raw.push_str(after);
            rest = "";
            break;
        };
        let tag = &after[1..close];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        rest = &after[close + 1..];
        if !tag.starts_with('/') && (name == "script" || name == "style") {
            let end = format!("</{name}");
            match rest.to_ascii_lowercase().find(&end) {
                Some(at) => {
                    rest = &rest[at..];
                    rest = rest.find('>').map_or("", |gt| &rest[gt + 1..]);
                }
                None => rest = "",
            }
            raw.push(' ');
            continue;
        }
        if !is_inline(&name) {
            raw.push(' ');
        }
    }
    raw.push_str(rest);
    let decoded = decode_entities(&raw);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Phrasing elements, which do not separate words.
fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "b"
            | "cite"
            | "code"
            | "del"
            | "dfn"
            | "em"
            | "i"
            | "ins"
            | "kbd"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strong"
            | "sub"
            | "sup"
            | "u"
            | "var"
    )
}

/// Decodes the character references HTML renderers and sanitisers emit.
fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after
            .char_indices()
            .take(12)
            .find(|&(_, c)| c == ';')
            .map(|(i, _)| i);
        let decoded = end.and_then(|end| {
            let name = &after[..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The words of a body as casebook first computed them, from its finished HTML
/// with a hash set of owned strings: the reference the faster ways are tested against.
#[cfg(test)]
pub(crate) fn reference_words(html: &str) -> String {
    let text = html_to_text(html);
    let mut seen = std::collections::HashSet::new();
    let mut out = String::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if !word.is_empty() && seen.insert(word.to_lowercase()) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_of_rendered_markdown() {
        let html = "<h2>Aims</h2>\n<p>Work &amp; <em>care</em> for <a href=\"x\">young</a> people&#39;s <code>a&lt;b</code>.</p><ul><li>one</li><li>two</li></ul>";
        assert_eq!(
            html_to_text(html),
            "Aims Work & care for young people's a<b. one two"
        );
    }

    #[test]
    fn distinct_words_keep_their_first_spelling_and_order() {
        assert_eq!(
            distinct_words("Care, and care: the CARE team's care-plan; Team."),
            "Care and the team s plan"
        );
    }

    #[test]
    fn blocks_separate_words_and_inline_tags_do_not() {
        assert_eq!(html_to_text("<p>a</p><p>b</p>"), "a b");
        assert_eq!(html_to_text("<p>in<strong>line</strong></p>"), "inline");
        assert_eq!(html_to_text("x<br>y"), "x y");
    }

    #[test]
    fn scripts_styles_and_odd_references() {
        assert_eq!(
            html_to_text("a<script>var x = '<p>';</script>b<style>p{}</style>c"),
            "a b c"
        );
        assert_eq!(
            html_to_text("&#x263A; &#9731; &unknown; & done"),
            "☺ ☃ &unknown; & done"
        );
    }

    #[test]
    fn words_match_the_reference_however_the_text_is_cut() {
        let texts = [
            "Care, and care: the CARE team's care-plan; Team.",
            "Ärzte ärzte ÄRZTE und Ärztinnen; İstanbul istanbul İSTANBUL i̇stanbul",
            "ΟΔΟΣ οδος Οδός ΣΟΦΟΣ σοφος σοφοσ ΣΣ",
            "x1 X1 2x 2X 42 042 a_b a-b",
            "internationalisation INTERNATIONALISATION internationalisations \
             abcdefghijklmnop ABCDEFGHIJKLMNOP abcdefghijklmnopq abcdefghijklmnopQ",
            "日本語 テキスト 日本語, ﬁne FINE ǅemal ǆemal Straße STRASSE",
            "tab\tnew\nline\r\ncrlf\u{a0}nbsp\u{2009}thin a\u{301}b",
            "",
            "  ,,  ",
        ];
        for text in texts {
            // No `<` or `&` in these, so the text is its own HTML.
            let reference = reference_words(text);
            assert_eq!(distinct_words(text), reference, "{text:?}");
            // A word may span pieces: every cut gives the same words.
            for (cut, _) in text.char_indices() {
                let mut words = WordCollector::default();
                words.push(&text[..cut]);
                words.push(&text[cut..]);
                assert_eq!(words.finish(), reference, "{text:?} cut at {cut}");
            }
        }
    }

    #[test]
    fn boundaries_end_words_and_pieces_join_them() {
        let mut words = WordCollector::default();
        for piece in ["fo", "o", "bar"] {
            words.push(piece);
        }
        words.boundary();
        words.boundary();
        words.push("Foobar baz");
        words.boundary();
        words.push("qux");
        assert_eq!(words.finish(), "foobar baz qux");
    }

    #[test]
    fn many_words_grow_the_tables() {
        // Enough distinct short and long words to make both tables grow a few times.
        let text: String = (0..3000)
            .map(|i| format!("w{i} W{i} longwordnumber{i}x{i} Ü{i} ü{i} "))
            .collect();
        assert_eq!(distinct_words(&text), reference_words(&text));
        assert_eq!(distinct_words(&text).split(' ').count(), 3000 * 3);
    }

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

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
//!
//! The home page's search reads a different file: the index split by term
//! into `search/index.js` and `search/<k>.js` (`chunks`), made from the same
//! words, so a query downloads only the chunks of its words.
//!
//! The parts live in small modules: `text` reads the text out of finished
//! HTML (for bodies with raw HTML, and as the reference the words read from
//! Markdown events are tested against), `words` collects a text's distinct
//! words, and `index` writes the file, in parts or from kept records.

mod chunks;
mod index;
mod text;
mod word_set;
mod words;

pub use chunks::{chunk_count, fold, ChunkedIndex, IN_BODY, IN_FIELDS, IN_ID, IN_TITLE};
pub use index::{index_parts, IndexRecords};
pub use text::html_to_text;
#[cfg(test)]
pub(crate) use text::reference_words;
pub use words::{distinct_words, WordCollector};

/// The output path of the search index, relative to the site root.
pub use crate::routes::SEARCH_INDEX;

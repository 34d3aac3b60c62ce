//! The home page's search, written at build time: an index split by term
//! (`search/index.js` and the chunks `search/<k>.js`, [`ChunkedIndex`]) and a
//! fragment per document (`search/f/<d>.js`, [`fragment`]).
//!
//! A query downloads the entry file, the chunks its words fall in and then
//! the fragments of the results on screen, the way Pagefind splits its
//! index. Documents are the entries in catalogue order, then the free pages.
//! A document's words are those of the text a reader sees ([`html_to_text`]
//! of its HTML: tags separate words except phrasing ones, character
//! references are decoded), plus, for entries, the id, title, facet value
//! labels and other front-matter text. Output is deterministic, like every
//! other file. The filters do not need any of it: `browse-data.js` has their
//! bit sets.

mod chunks;
mod fragment;
mod text;

pub use chunks::{chunk_count, fold, ChunkedIndex, IN_BODY, IN_FIELDS, IN_ID, IN_TITLE};
pub use fragment::{fragment, TEXT_LIMIT};
pub use text::html_to_text;

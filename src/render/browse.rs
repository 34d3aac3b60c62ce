//! The home page's filter data: `browse-data.js` and `browse-items/<n>.js`.
//!
//! The home page ships only its first page of entries; `browse.js` loads the
//! rest of what its filters need after first paint, as scripts (so it works
//! from `file://`, where `fetch` is refused). `browse-data.js` holds the
//! kinds (id, label, folder) and, for every kind and every facet value, a bit
//! set of the entries naming it (entry `i` is bit `i % 8` of byte `i / 8`,
//! base64): some 2.3 KB per value at 18,000 entries, whatever the titles.
//! The values are those the entry names itself; `browse.js` rolls parts up
//! into their parents and works out exact combinations from the same bits.
//! What a result line shows (id, kind, slug, title, summary line) comes in
//! chunks of [`ITEMS_PER_CHUNK`] entries, so a page of results downloads
//! only the chunks it shows. Entries are numbered in catalogue order, which
//! is the home page's order (by kind, then id). Output is deterministic.

use serde::Serialize;

use crate::model::Catalogue;
use crate::routes::ITEMS_PER_CHUNK;

/// The global `browse-data.js` assigns its data to.
const DATA_GLOBAL: &str = "casebookData";
/// The function each `browse-items/<n>.js` calls with its chunk.
const ITEMS_CALLBACK: &str = "casebookItems";

#[derive(Serialize)]
struct Data<'a> {
    version: u32,
    entries: usize,
    per_page: usize,
    chunk: usize,
    kinds: Vec<KindBits<'a>>,
    facets: Vec<FacetBits<'a>>,
}

#[derive(Serialize)]
struct KindBits<'a> {
    id: &'a str,
    label: &'a str,
    dir: &'a str,
    bits: String,
}

#[derive(Serialize)]
struct FacetBits<'a> {
    name: &'a str,
    values: Vec<ValueBits<'a>>,
}

#[derive(Serialize)]
struct ValueBits<'a> {
    id: &'a str,
    bits: String,
}

/// `browse-data.js` for a catalogue.
pub fn data_js(c: &Catalogue) -> Vec<u8> {
    let n = c.entries.len();
    let config = &c.config;
    let mut kind_sets = vec![vec![0u8; n.div_ceil(8)]; config.kinds.len()];
    let mut value_sets: Vec<Vec<Vec<u8>>> = config
        .facets
        .iter()
        .map(|f| vec![vec![0u8; n.div_ceil(8)]; f.values.len()])
        .collect();
    for (i, entry) in c.entries.iter().enumerate() {
        set(&mut kind_sets[entry.kind], i);
        for (fi, values) in entry.facets.iter().enumerate() {
            for &v in values {
                set(&mut value_sets[fi][v], i);
            }
        }
    }
    let data = Data {
        version: 1,
        entries: n,
        per_page: config.paginate_by,
        chunk: ITEMS_PER_CHUNK,
        kinds: config
            .kinds
            .iter()
            .zip(&kind_sets)
            .map(|(k, bits)| KindBits {
                id: &k.id,
                label: &k.label,
                dir: &k.dir,
                bits: base64(bits),
            })
            .collect(),
        facets: config
            .facets
            .iter()
            .zip(&value_sets)
            .map(|(f, sets)| FacetBits {
                name: &f.name,
                values: f
                    .values
                    .iter()
                    .zip(sets)
                    .map(|(v, bits)| ValueBits {
                        id: &v.id,
                        bits: base64(bits),
                    })
                    .collect(),
            })
            .collect(),
    };
    let mut out = format!("window.{DATA_GLOBAL}=").into_bytes();
    // Serialising plain strings and numbers cannot fail.
    serde_json::to_writer(&mut out, &data).unwrap_or_default();
    out.extend_from_slice(b";\n");
    out
}

/// `browse-items/<chunk>.js`: each entry of the chunk as
/// `[id, kind index, slug, title, summary line]`.
pub fn items_js(c: &Catalogue, chunk: usize) -> Vec<u8> {
    let start = chunk.saturating_mul(ITEMS_PER_CHUNK).min(c.entries.len());
    let end = (start + ITEMS_PER_CHUNK).min(c.entries.len());
    let rows: Vec<(&str, usize, &str, &str, String)> = c.entries[start..end]
        .iter()
        .map(|e| {
            let item = crate::view::item_of(c, e);
            (
                e.id.as_str(),
                e.kind,
                e.slug.as_str(),
                e.title.as_str(),
                item.summary,
            )
        })
        .collect();
    let mut out = format!("{ITEMS_CALLBACK}({chunk},").into_bytes();
    serde_json::to_writer(&mut out, &rows).unwrap_or_default();
    out.extend_from_slice(b");\n");
    out
}

fn set(bits: &mut [u8], i: usize) {
    bits[i / 8] |= 1 << (i % 8);
}

/// Standard base64 with padding (what `atob` reads).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let b = [
            group[0],
            group.get(1).copied().unwrap_or(0),
            group.get(2).copied().unwrap_or(0),
        ];
        let word = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for k in 0..4 {
            if k <= group.len() {
                out.push(char::from(ALPHABET[(word >> (18 - 6 * k) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foob"), "Zm9vYg==");
        assert_eq!(base64(&[0xff, 0x00, 0x81]), "/wCB");
    }
}

//! The plain, validated data a site is made of. No I/O happens here.
//!
//! The settings ([`Config`], with its kinds, vocabularies and summaries) are
//! checked by [`crate::config`], the entries and pages by [`crate::load`];
//! both produce these types and nothing else does. Everything refers to
//! everything else by index (kind index, facet index, value index, entry
//! index), resolved once when the site is loaded, so later stages never look
//! up strings or fail on a missing reference.

use std::collections::HashMap;
use std::path::PathBuf;

use serde_json::{Map, Value as Json};

/// Validated site settings, from `catalogue.yaml`.
#[derive(Debug, Clone)]
pub struct Config {
    /// Site title.
    pub title: String,
    /// One-paragraph description of the site.
    pub description: String,
    /// Absolute URL or path of the site root, always ending in `/`.
    pub base_url: String,
    /// The path part of `base_url` (`/` or `/catalogue/`).
    pub base_path: String,
    /// Language code for `<html lang>`.
    pub language: String,
    /// Whether raw HTML in Markdown bodies is kept as written (trusted content).
    pub allow_raw_html: bool,
    /// Entries per page of a list page (kind, value, combination, pivot
    /// cell); 0 lists every entry on one page.
    pub paginate_by: usize,
    /// Content kinds, in display order.
    pub kinds: Vec<Kind>,
    /// Controlled vocabularies, in declaration order.
    pub facets: Vec<Facet>,
    /// Summary tables to build.
    pub summaries: Vec<SummarySpec>,
    /// Kinds whose entries are cited works (kind indices, in kind order): they get a
    /// Cite block and go into `literature.bib` and `literature.json`.
    pub citations: Vec<usize>,
    /// Any other top-level keys, passed to templates as `site.extra`.
    pub extra: Map<String, Json>,
    /// The text of `catalogue.yaml` as it was read, to locate later advice in it.
    pub text: String,
}

impl Config {
    /// The facet with this name.
    pub fn facet_index(&self, name: &str) -> Option<usize> {
        self.facets.iter().position(|f| f.name == name)
    }

    /// The kind with this id.
    pub fn kind_index(&self, id: &str) -> Option<usize> {
        self.kinds.iter().position(|k| k.id == id)
    }
}

/// A content kind: a folder under `content/` and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kind {
    /// Stable id, used in CSV headers and front matter.
    pub id: String,
    /// Plural label ("Practices").
    pub label: String,
    /// Singular label ("Practice").
    pub singular: String,
    /// Folder under `content/` and in the output.
    pub dir: String,
}

/// A controlled vocabulary.
#[derive(Debug, Clone)]
pub struct Facet {
    /// Key in front matter and URL segment ("clusters").
    pub name: String,
    /// Heading shown to readers ("DMIC clusters").
    pub label: String,
    /// What the facet means.
    pub description: String,
    /// Singular noun, for "Two sectors" and the single-value key (`country:`).
    pub singular: String,
    /// Values in declaration order.
    pub values: Vec<VocabValue>,
    /// Value id → index into `values`.
    pub by_id: HashMap<String, usize>,
    /// Value indices with each child right after its parent.
    pub display_order: Vec<usize>,
    /// Whether pages for exact combinations are generated (facets used by a
    /// `combinations` summary or a pivot by combination).
    pub combination_pages: bool,
    /// The map its values are drawn on (`map: europe`), if any.
    pub map: Option<MapKind>,
}

/// A map a facet's values can be drawn on (the facet's `map:` key; SPEC §6 "Map").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapKind {
    /// Europe, values matched to countries by ISO 3166 code (see [`crate::map`]).
    Europe,
}

impl MapKind {
    /// Every name the `map:` key accepts.
    pub const NAMES: &'static [&'static str] = &["europe"];

    /// The map called `name` in `catalogue.yaml`.
    pub fn from_name(name: &str) -> Option<MapKind> {
        match name {
            "europe" => Some(MapKind::Europe),
            _ => None,
        }
    }
}

impl Facet {
    /// Whether `ancestor` is `value` or one of its parents.
    pub fn is_within(&self, value: usize, ancestor: usize) -> bool {
        let mut at = Some(value);
        while let Some(i) = at {
            if i == ancestor {
                return true;
            }
            at = self.values[i].parent;
        }
        false
    }

    /// The URL slug of an exact combination: value slugs joined by `+`.
    pub fn combination_slug(&self, combination: &[usize]) -> String {
        combination
            .iter()
            .map(|&v| self.values[v].slug.as_str())
            .collect::<Vec<_>>()
            .join("+")
    }

    /// The label of a combination: value labels joined by " & ", later ones lowercased
    /// where the label is a plain word ("Health & education").
    pub fn combination_label(&self, combination: &[usize]) -> String {
        combination
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let label = &self.values[v].label;
                if i == 0 || !is_plain_capitalised(label) {
                    label.clone()
                } else {
                    label.to_lowercase()
                }
            })
            .collect::<Vec<_>>()
            .join(" & ")
    }
}

/// "Education" is plain; "United Kingdom", "ICT" and "DMIC clusters" are not.
fn is_plain_capitalised(label: &str) -> bool {
    let mut chars = label.chars();
    chars.next().is_some_and(char::is_uppercase) && chars.all(|c| c.is_lowercase() || c == '-')
}

/// One value of a vocabulary.
#[derive(Debug, Clone)]
pub struct VocabValue {
    /// Stable id used in front matter.
    pub id: String,
    /// Lowercased id, used in URLs.
    pub slug: String,
    /// Human label.
    pub label: String,
    /// What the value means.
    pub description: String,
    /// Parent value index, for hierarchies (United Kingdom ← England).
    pub parent: Option<usize>,
    /// 0 for top-level values.
    pub depth: usize,
    /// Any other keys given in `catalogue.yaml`.
    pub extra: Map<String, Json>,
}

/// What a summary table counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryShape {
    /// Exact combinations of a facet's values, grouped by size.
    Combinations {
        /// Facet index.
        facet: usize,
    },
    /// Mentions of each value (an entry naming two counts twice).
    Counts {
        /// Facet index.
        facet: usize,
    },
    /// Entries naming each value, with percentages of the kind.
    Presence {
        /// Facet index.
        facet: usize,
    },
    /// Entries having both a row value and a column value.
    Pivot {
        /// Facet index of the rows.
        rows: usize,
        /// Facet index of the columns.
        columns: usize,
        /// Columns are exact combinations rather than single values.
        columns_by_combination: bool,
    },
}

impl SummaryShape {
    /// The mode's name, as `mode:` in `catalogue.yaml` writes it.
    pub fn mode(&self) -> &'static str {
        match self {
            SummaryShape::Combinations { .. } => "combinations",
            SummaryShape::Counts { .. } => "counts",
            SummaryShape::Presence { .. } => "presence",
            SummaryShape::Pivot { .. } => "pivot",
        }
    }
}

/// A summary table declared in `catalogue.yaml`.
#[derive(Debug, Clone)]
pub struct SummarySpec {
    /// Stable id, used in URLs.
    pub id: String,
    /// Heading.
    pub title: String,
    /// Text shown above the table.
    pub description: String,
    /// Kind indices counted, in kind order.
    pub kinds: Vec<usize>,
    /// What is counted.
    pub shape: SummaryShape,
    /// `where:`: only entries that name, for each of these facets, one of
    /// its values (or a child of one) are counted. Empty: every entry.
    pub filter: Vec<(usize, Vec<usize>)>,
}

/// A validated catalogue entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Id as written.
    pub id: String,
    /// Lowercased id, used in URLs.
    pub slug: String,
    /// Kind index.
    pub kind: usize,
    /// Title.
    pub title: String,
    /// Per facet (by facet index), value indices in vocabulary order, no duplicates.
    pub facets: Vec<Vec<usize>>,
    /// Related entries named in this entry's front matter (entry indices).
    pub related: Vec<usize>,
    /// Every other front-matter field, in file order.
    pub fields: Map<String, Json>,
    /// The body rendered to (safe) HTML.
    pub body_html: String,
    /// File the entry came from, relative to the site root.
    pub source: PathBuf,
    /// 1-based line where the body starts in `source`.
    pub body_line: usize,
    /// The front matter as written (the YAML between the `---` lines, newlines
    /// normalised), which starts on line [`FRONT_MATTER_LINE`] of `source`, so
    /// that advice given after loading can point into it without reading the
    /// file again. Empty unless the site was loaded to be checked
    /// (`LoadOptions::keep_front_matter`). The body is never kept.
    pub front_matter: String,
}

/// The 1-based line of a file on which its front matter starts (after `---`).
pub const FRONT_MATTER_LINE: usize = 2;

/// A free page from `content/pages/`.
#[derive(Debug, Clone)]
pub struct Page {
    /// URL segment (the file stem, lowercased).
    pub slug: String,
    /// Title.
    pub title: String,
    /// Menu order (lower first).
    pub weight: i64,
    /// Body rendered to HTML.
    pub body_html: String,
    /// Every other front-matter field.
    pub fields: Map<String, Json>,
    /// File the page came from, relative to the site root.
    pub source: PathBuf,
}

/// A whole loaded site: settings, entries (sorted), pages.
#[derive(Debug, Clone)]
pub struct Catalogue {
    /// Validated settings.
    pub config: Config,
    /// Entries sorted by kind, then by id in natural order (P2 before P10).
    pub entries: Vec<Entry>,
    /// Free pages sorted by weight, then title.
    pub pages: Vec<Page>,
}

/// Whether `id` is a safe id: ASCII letters, digits, `-` and `_`, starting with a
/// letter or digit. Such ids are also safe file names on every platform.
pub fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && id.len() <= 100
}

/// A label made from a key or id: `target_group` gives "Target group", and keys
/// that are acronyms are capitalised (`doi` gives "DOI"). Used for fields,
/// and for facets and summaries that are not given a label.
pub fn humanise(key: &str) -> String {
    // Field names that are acronyms read better in capitals ("DOI", not "Doi").
    const ACRONYMS: &[&str] = &["doi", "url", "isbn", "issn", "id"];
    if ACRONYMS.contains(&key.to_ascii_lowercase().as_str()) {
        return key.to_ascii_uppercase();
    }
    let spaced = key.replace(['_', '-'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Sort key for ids that orders numbers by value: `P2` < `P10` < `p11`.
pub fn natural_key(id: &str) -> Vec<(String, u128)> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut digits = String::new();
    for c in id.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if !digits.is_empty() {
                parts.push((
                    std::mem::take(&mut text),
                    digits.parse().unwrap_or(u128::MAX),
                ));
                digits.clear();
            }
            text.push(c.to_ascii_lowercase());
        }
    }
    parts.push((text, digits.parse().unwrap_or(0)));
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut ids = vec!["P10", "P2", "L01", "P1", "p11"];
        ids.sort_by_key(|id| natural_key(id));
        assert_eq!(ids, ["L01", "P1", "P2", "P10", "p11"]);
    }

    #[test]
    fn labels_from_keys() {
        assert_eq!(humanise("target_group"), "Target group");
        assert_eq!(humanise("sector-combinations"), "Sector combinations");
        assert_eq!(humanise("doi"), "DOI");
        assert_eq!(humanise("Url"), "URL");
        assert_eq!(humanise(""), "");
    }

    #[test]
    fn valid_ids() {
        for ok in ["P1", "GB-ENG", "a_b", "9"] {
            assert!(is_valid_id(ok), "{ok}");
        }
        for bad in ["", "a/b", "a\\b", "..", ".x", "a b", "é", "a\u{7}", "-a"] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }
}

//! Citations for entries that are cited works: BibTeX, CSL-JSON and a formatted
//! reference for the Cite block on their pages.
//!
//! Which kinds are cited is set by `citations:` in `catalogue.yaml` (by default the
//! kind with id `literature`). The bibliographic details come from front-matter
//! fields, and only from them: `authors` (a list of `"Family, Given"` names; a name
//! without a comma is an organisation), `year`, `title`, `journal`, `volume`,
//! `pages`, `doi` and `url`. Nothing is filled in: an entry with a title only
//! becomes a `@misc` BibTeX entry and a CSL `document` with a title only. Both
//! exports list the entries in catalogue order, so they are byte-identical for the
//! same input.

use serde::Serialize;
use serde_json::{json, Map, Value as Json};

use crate::model::{Catalogue, Entry};

/// The output file holding every cited entry as BibTeX.
pub const BIBTEX_FILE: &str = "literature.bib";
/// The output file holding every cited entry as CSL-JSON.
pub const CSL_JSON_FILE: &str = "literature.json";

/// A person or an organisation named as an author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Name {
    /// `"Family, Given"`.
    Person {
        /// Family name.
        family: String,
        /// Given names (may be empty).
        given: String,
    },
    /// A name without a comma, kept whole (an organisation).
    Literal(String),
}

impl Name {
    /// Reads `"Family, Given"`; text without a comma is a literal name.
    pub fn parse(text: &str) -> Option<Name> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        Some(match text.split_once(',') {
            Some((family, given)) if !family.trim().is_empty() => Name::Person {
                family: family.trim().to_string(),
                given: given.trim().to_string(),
            },
            _ => Name::Literal(text.to_string()),
        })
    }
}

/// The bibliographic details of one entry, as given in its front matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    /// Citation key: the entry id.
    pub key: String,
    /// Authors in order.
    pub authors: Vec<Name>,
    /// Year of publication, as written.
    pub year: Option<String>,
    /// Title.
    pub title: String,
    /// Journal.
    pub journal: Option<String>,
    /// Volume.
    pub volume: Option<String>,
    /// Page range, as written (`34-56`).
    pub pages: Option<String>,
    /// DOI without a resolver prefix (`10.1234/x`).
    pub doi: Option<String>,
    /// Web address.
    pub url: Option<String>,
}

/// A scalar field as text: strings trimmed, numbers written out, anything else ignored.
fn text_field(fields: &Map<String, Json>, key: &str) -> Option<String> {
    match fields.get(key)? {
        Json::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Citation {
    /// Reads an entry's bibliographic fields.
    pub fn of(entry: &Entry) -> Citation {
        let fields = &entry.fields;
        let authors = match fields.get("authors").or_else(|| fields.get("author")) {
            Some(Json::Array(items)) => items
                .iter()
                .filter_map(Json::as_str)
                .filter_map(Name::parse)
                .collect(),
            Some(Json::String(one)) => Name::parse(one).into_iter().collect(),
            _ => Vec::new(),
        };
        let doi = text_field(fields, "doi").map(|d| {
            let lower = d.to_ascii_lowercase();
            [
                "https://doi.org/",
                "http://doi.org/",
                "https://dx.doi.org/",
                "doi:",
            ]
            .iter()
            .find(|prefix| lower.starts_with(*prefix))
            .map_or(d.clone(), |prefix| d[prefix.len()..].trim().to_string())
        });
        Citation {
            key: entry.id.clone(),
            authors,
            year: text_field(fields, "year"),
            title: entry.title.clone(),
            journal: text_field(fields, "journal"),
            volume: text_field(fields, "volume"),
            pages: text_field(fields, "pages"),
            doi,
            url: text_field(fields, "url"),
        }
    }

    /// Whether anything beyond the title is known.
    pub fn has_details(&self) -> bool {
        !self.authors.is_empty()
            || self.year.is_some()
            || self.journal.is_some()
            || self.volume.is_some()
            || self.pages.is_some()
            || self.doi.is_some()
            || self.url.is_some()
    }

    /// The year as a number, when it is one.
    fn year_number(&self) -> Option<i64> {
        self.year.as_deref()?.parse().ok()
    }

    /// A reference in an author–date style: `Family, G., & Other, A. (2014). Title.
    /// Journal, 12, 34–56. https://doi.org/…`. Parts that are not known are left out.
    pub fn reference(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let title = sentence(&self.title);
        let authors = author_list(&self.authors);
        let year = self.year.as_ref().map(|y| format!("({y})."));
        if authors.is_empty() {
            parts.push(title);
            parts.extend(year);
        } else {
            parts.push(sentence(&authors));
            parts.extend(year);
            parts.push(title);
        }
        let mut source: Vec<String> = Vec::new();
        source.extend(self.journal.clone());
        source.extend(self.volume.clone());
        source.extend(
            self.pages
                .as_ref()
                .map(|p| p.replace("--", "–").replace('-', "–")),
        );
        if !source.is_empty() {
            parts.push(sentence(&source.join(", ")));
        }
        if let Some(doi) = &self.doi {
            parts.push(format!("https://doi.org/{doi}"));
        } else if let Some(url) = &self.url {
            parts.push(url.clone());
        }
        parts.join(" ")
    }

    /// One BibTeX entry: `@article` when a journal is known, `@misc` otherwise.
    pub fn bibtex(&self) -> String {
        let kind = if self.journal.is_some() {
            "article"
        } else {
            "misc"
        };
        let mut fields: Vec<(&str, String)> = Vec::new();
        if !self.authors.is_empty() {
            let names: Vec<String> = self
                .authors
                .iter()
                .map(|name| match name {
                    Name::Person { family, given } if given.is_empty() => {
                        format!("{{{}}}", tex_escape(family))
                    }
                    Name::Person { family, given } => {
                        format!("{{{}}}, {}", tex_escape(family), tex_escape(given))
                    }
                    // Braces keep an organisation's name whole.
                    Name::Literal(text) => format!("{{{}}}", tex_escape(text)),
                })
                .collect();
            fields.push(("author", names.join(" and ")));
        }
        fields.push(("title", tex_escape(&self.title)));
        if let Some(journal) = &self.journal {
            fields.push(("journal", tex_escape(journal)));
        }
        if let Some(year) = &self.year {
            fields.push(("year", tex_escape(year)));
        }
        if let Some(volume) = &self.volume {
            fields.push(("volume", tex_escape(volume)));
        }
        if let Some(pages) = &self.pages {
            fields.push(("pages", tex_escape(&bibtex_pages(pages))));
        }
        if let Some(doi) = &self.doi {
            fields.push(("doi", verbatim_escape(doi)));
        }
        if let Some(url) = &self.url {
            fields.push(("url", verbatim_escape(url)));
        }
        let mut out = format!("@{kind}{{{},\n", self.key);
        for (name, value) in fields {
            out.push_str(&format!("  {name} = {{{value}}},\n"));
        }
        out.push_str("}\n");
        out
    }

    /// One CSL-JSON item (CSL 1.0.2): `article-journal` when a journal is known,
    /// `document` otherwise.
    pub fn csl(&self) -> Json {
        let mut item = Map::new();
        item.insert("id".into(), json!(self.key));
        item.insert(
            "type".into(),
            json!(if self.journal.is_some() {
                "article-journal"
            } else {
                "document"
            }),
        );
        item.insert("title".into(), json!(self.title));
        if !self.authors.is_empty() {
            let authors: Vec<Json> = self
                .authors
                .iter()
                .map(|name| match name {
                    Name::Person { family, given } if given.is_empty() => {
                        json!({ "family": family })
                    }
                    Name::Person { family, given } => json!({ "family": family, "given": given }),
                    Name::Literal(text) => json!({ "literal": text }),
                })
                .collect();
            item.insert("author".into(), Json::Array(authors));
        }
        if let Some(year) = &self.year {
            item.insert(
                "issued".into(),
                match self.year_number() {
                    Some(n) => json!({ "date-parts": [[n]] }),
                    None => json!({ "literal": year }),
                },
            );
        }
        for (key, value) in [
            ("container-title", &self.journal),
            ("volume", &self.volume),
            ("page", &self.pages),
            ("DOI", &self.doi),
            ("URL", &self.url),
        ] {
            if let Some(value) = value {
                item.insert(key.into(), json!(value));
            }
        }
        Json::Object(item)
    }
}

/// `Family, G. A.` for a person; the name as written for an organisation.
fn short_name(name: &Name) -> String {
    match name {
        Name::Literal(text) => text.clone(),
        Name::Person { family, given } if given.is_empty() => family.clone(),
        Name::Person { family, given } => {
            let initials: Vec<String> = given
                .split_whitespace()
                .map(|part| {
                    part.split('-')
                        .filter_map(|piece| piece.chars().next())
                        .map(|c| format!("{c}."))
                        .collect::<Vec<_>>()
                        .join("-")
                })
                .collect();
            format!("{family}, {}", initials.join(" "))
        }
    }
}

/// `A`, `A, & B`, `A, B, & C`.
fn author_list(authors: &[Name]) -> String {
    let names: Vec<String> = authors.iter().map(short_name).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{}, & {last}", rest.join(", ")),
    }
}

/// Ends text with a full stop unless it already ends with punctuation.
fn sentence(text: &str) -> String {
    let text = text.trim();
    if text.ends_with(['.', '?', '!']) {
        text.to_string()
    } else {
        format!("{text}.")
    }
}

/// `34-56` → `34--56`, the BibTeX way of writing a range.
fn bibtex_pages(pages: &str) -> String {
    if pages.contains("--") {
        pages.to_string()
    } else {
        pages.replace(['-', '–'], "--")
    }
}

/// Escapes text for a BibTeX field read as LaTeX: braces and the other special
/// characters become commands, so any text is a balanced, literal field. Letters
/// outside ASCII are kept as UTF-8 (the file is UTF-8).
pub fn tex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '&' | '%' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Escapes a verbatim field (`doi`, `url`): only braces and backslashes matter
/// there, and they are percent-encoded, which means the same in a URL.
pub fn verbatim_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '{' => out.push_str("%7B"),
            '}' => out.push_str("%7D"),
            '\\' => out.push_str("%5C"),
            c if c.is_control() || c.is_whitespace() && c != ' ' => {}
            ' ' => out.push_str("%20"),
            c => out.push(c),
        }
    }
    out
}

/// Whether entries of this kind are cited works.
pub fn is_cited(catalogue: &Catalogue, entry: &Entry) -> bool {
    catalogue.config.citations.contains(&entry.kind)
}

/// Every cited entry, in catalogue order.
pub fn cited(catalogue: &Catalogue) -> impl Iterator<Item = &Entry> {
    catalogue
        .entries
        .iter()
        .filter(move |e| is_cited(catalogue, e))
}

/// `literature.bib`: every cited entry as BibTeX, UTF-8.
pub fn bibtex_file(catalogue: &Catalogue) -> Vec<u8> {
    let mut out = String::from("% Cited works, exported by casebook. UTF-8.\n");
    for entry in cited(catalogue) {
        out.push('\n');
        out.push_str(&Citation::of(entry).bibtex());
    }
    out.into_bytes()
}

/// `literature.json`: every cited entry as a CSL-JSON array.
pub fn csl_file(catalogue: &Catalogue) -> Vec<u8> {
    let items: Vec<Json> = cited(catalogue).map(|e| Citation::of(e).csl()).collect();
    let mut bytes =
        serde_json::to_vec_pretty(&Json::Array(items)).expect("JSON values always serialise");
    bytes.push(b'\n');
    bytes
}

/// What the Cite block on an entry page shows (`cite` in `entry.html`).
#[derive(Debug, Clone, Serialize)]
pub struct CiteView {
    /// The formatted reference, plain text.
    pub reference: String,
    /// The entry as BibTeX.
    pub bibtex: String,
    /// Whether details beyond the title are known.
    pub has_details: bool,
    /// The entry's BibTeX as a `data:` URL, for a per-entry download that
    /// needs neither a script nor another file.
    pub bibtex_data_url: String,
    /// Site-relative URL of the BibTeX file with every cited entry.
    pub bibtex_file: &'static str,
    /// Site-relative URL of the CSL-JSON file with every cited entry.
    pub csl_file: &'static str,
}

/// The Cite block for an entry, if its kind is cited.
pub fn view(catalogue: &Catalogue, entry: &Entry) -> Option<CiteView> {
    is_cited(catalogue, entry).then(|| {
        let citation = Citation::of(entry);
        let bibtex = citation.bibtex();
        let encoded =
            percent_encoding::utf8_percent_encode(&bibtex, percent_encoding::NON_ALPHANUMERIC);
        CiteView {
            reference: citation.reference(),
            bibtex_data_url: format!("data:application/x-bibtex;charset=utf-8,{encoded}"),
            bibtex,
            has_details: citation.has_details(),
            bibtex_file: BIBTEX_FILE,
            csl_file: CSL_JSON_FILE,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> Citation {
        Citation {
            key: "L1".into(),
            authors: vec![
                Name::parse("Müller, Anna-Lena Maria").unwrap(),
                Name::parse("O'Brien, Seán").unwrap(),
                Name::parse("World Health Organization").unwrap(),
            ],
            year: Some("2014".into()),
            title: "Care & cure: 100% {integrated}".into(),
            journal: Some("Journal_of Care".into()),
            volume: Some("12".into()),
            pages: Some("34-56".into()),
            doi: Some("10.1234/abc_1".into()),
            url: None,
        }
    }

    #[test]
    fn names_split_on_the_first_comma() {
        assert_eq!(
            Name::parse(" van der Berg ,  Jan "),
            Some(Name::Person {
                family: "van der Berg".into(),
                given: "Jan".into()
            })
        );
        assert_eq!(Name::parse("UNICEF"), Some(Name::Literal("UNICEF".into())));
        assert_eq!(Name::parse("  "), None);
    }

    #[test]
    fn reference_has_initials_year_and_doi() {
        assert_eq!(
            full().reference(),
            "Müller, A.-L. M., O'Brien, S., & World Health Organization. (2014). Care & cure: 100% {integrated}. Journal_of Care, 12, 34–56. https://doi.org/10.1234/abc_1"
        );
        let bare = Citation {
            key: "L2".into(),
            authors: vec![],
            year: None,
            title: "Article L2".into(),
            journal: None,
            volume: None,
            pages: None,
            doi: None,
            url: None,
        };
        assert_eq!(bare.reference(), "Article L2.");
        assert!(!bare.has_details());
        assert_eq!(bare.bibtex(), "@misc{L2,\n  title = {Article L2},\n}\n");
        assert_eq!(
            bare.csl(),
            json!({ "id": "L2", "type": "document", "title": "Article L2" })
        );
    }

    #[test]
    fn bibtex_escapes_specials() {
        assert_eq!(
            tex_escape("a & b % c {d} e_f #1 $2 ~ ^ \\"),
            "a \\& b \\% c \\{d\\} e\\_f \\#1 \\$2 \\textasciitilde{} \\textasciicircum{} \\textbackslash{}"
        );
        let bib = full().bibtex();
        assert!(bib.starts_with("@article{L1,\n"), "{bib}");
        assert!(bib.contains("  author = {{Müller}, Anna-Lena Maria and {O'Brien}, Seán and {World Health Organization}},\n"), "{bib}");
        assert!(bib.contains("  pages = {34--56},\n"), "{bib}");
        assert!(bib.contains("  doi = {10.1234/abc_1},\n"), "{bib}");
        assert_eq!(
            verbatim_escape("https://e.org/a b{c}"),
            "https://e.org/a%20b%7Bc%7D"
        );
    }
}

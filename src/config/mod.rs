//! Reading and checking `catalogue.yaml`: site settings, kinds, vocabularies and summaries.
//!
//! [`Config::load`] reads the file into the serde types of `raw.rs`, then
//! checks them here (settings, kinds, citations), in `facets.rs`
//! (vocabularies) and in `summaries.rs`. It either returns a fully validated
//! [`Config`] — every reference between its parts resolved to an index — or
//! every problem it found, each located in `catalogue.yaml`. The validated
//! types live in [`crate::model`] and are re-exported here.

use std::collections::HashSet;
use std::path::Path;

use crate::diagnostic::{suggest, Diagnostic, Position};
use crate::model::is_valid_id;
pub use crate::model::{Config, Facet, Kind, SummaryShape, SummarySpec, VocabValue};
use crate::yaml;

mod facets;
mod raw;
mod summaries;

use raw::{RawCitations, RawConfig, RawKind, KNOWN_KEYS};

/// The name of the settings file at the site root.
pub const CONFIG_FILE: &str = "catalogue.yaml";

/// Top-level URL segments casebook uses itself; facets, kinds and pages may not take them.
pub const RESERVED_SEGMENTS: &[&str] = &["summary", "static", "catalogue.json", "404.html"];

/// Collects diagnostics for `catalogue.yaml`, locating them in its text.
struct Problems<'a> {
    source: &'a str,
    list: Vec<Diagnostic>,
}

impl Problems<'_> {
    fn error(&mut self, pos: Option<Position>, message: String) {
        self.list
            .push(Diagnostic::error(CONFIG_FILE, message).at(pos, Some(self.source)));
    }
    fn warning(&mut self, pos: Option<Position>, message: String) {
        self.list
            .push(Diagnostic::warning(CONFIG_FILE, message).at(pos, Some(self.source)));
    }
    /// Position of a key nested under the given parents, found in order in the text.
    fn find(&self, path: &[&str]) -> Option<Position> {
        yaml::locate_nested(self.source, path)
    }
}

impl Config {
    /// Reads and validates `catalogue.yaml` under `root`.
    pub fn load(root: &Path) -> Result<(Config, Vec<Diagnostic>), Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        let source = match crate::paths::read_inside(root, &path).map_err(std::io::Error::from) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(s) => s,
                Err(e) => {
                    return Err(vec![Diagnostic::error(
                        CONFIG_FILE,
                        format!(
                            "file is not valid UTF-8 (byte {})",
                            e.utf8_error().valid_up_to()
                        ),
                    )])
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(vec![Diagnostic::error(
                    CONFIG_FILE,
                    format!(
                        "not found in {}: is this a casebook site? (try --root)",
                        root.display()
                    ),
                )])
            }
            Err(e) => {
                return Err(vec![Diagnostic::error(
                    CONFIG_FILE,
                    format!("cannot read: {e}"),
                )])
            }
        };
        Config::parse(&source)
    }

    /// Validates the text of a `catalogue.yaml`.
    pub fn parse(source: &str) -> Result<(Config, Vec<Diagnostic>), Vec<Diagnostic>> {
        let source = source.strip_prefix('\u{feff}').unwrap_or(source);
        let mut p = Problems {
            source,
            list: Vec::new(),
        };
        // What YAML would drop silently (a key given twice, a merge key,
        // `.nan`) is reported as such; a file that does not parse at all gets
        // the plain message for its syntax error below instead.
        if let Err(e) = yaml::check_lossless(source) {
            if e.loss {
                p.error(e.position, e.message);
                return Err(p.list);
            }
        }
        let raw: RawConfig = match yaml::from_str(source) {
            Ok(raw) => raw,
            Err(e) => {
                let (pos, message) = crate::yaml_help::syntax(source, &e);
                p.error(pos, message);
                return Err(p.list);
            }
        };

        for key in raw.extra.keys() {
            if let Some(near) = suggest(key, KNOWN_KEYS.iter().copied()) {
                p.warning(
                    p.find(&[key]),
                    format!("unknown setting `{key}` (did you mean `{near}`?)"),
                );
            }
        }

        let title = raw.title.unwrap_or_else(|| {
            p.error(Some(Position { line: 1, col: 1 }), "missing `title`".into());
            String::new()
        });
        let (base_url, base_path) = match normalise_base_url(raw.base_url.as_deref().unwrap_or("/"))
        {
            Ok(v) => v,
            Err(msg) => {
                p.error(p.find(&["base_url"]), msg);
                ("/".into(), "/".into())
            }
        };

        let kinds = check_kinds(&mut p, raw.kinds.unwrap_or_default());
        let facets = facets::check_facets(&mut p, &raw.facets, &kinds);
        let summaries = summaries::check_summaries(&mut p, raw.summaries, &kinds, &facets);
        let citations = check_citations(&mut p, raw.citations, &kinds);
        let mut facets = facets;
        for summary in &summaries {
            match summary.shape {
                SummaryShape::Combinations { facet } => facets[facet].combination_pages = true,
                SummaryShape::Pivot {
                    columns,
                    columns_by_combination: true,
                    ..
                } => facets[columns].combination_pages = true,
                _ => {}
            }
        }

        if p.list.iter().any(Diagnostic::is_error) {
            return Err(p.list);
        }
        let config = Config {
            title,
            description: raw.description,
            base_url,
            base_path,
            language: raw.language.unwrap_or_else(|| "en".into()),
            allow_raw_html: raw.allow_raw_html,
            paginate_by: raw.paginate_by,
            kinds,
            facets,
            summaries,
            citations,
            extra: raw.extra,
            text: source.to_string(),
        };
        Ok((config, p.list))
    }

    /// Replaces the base URL (from `--base-url`).
    pub fn set_base_url(&mut self, url: &str) -> Result<(), String> {
        let (base_url, base_path) = normalise_base_url(url)?;
        self.base_url = base_url;
        self.base_path = base_path;
        Ok(())
    }
}

/// Checks a base URL and splits off its path: `https://x.org/cat` gives
/// (`https://x.org/cat/`, `/cat/`).
pub fn normalise_base_url(url: &str) -> Result<(String, String), String> {
    let url = url.trim();
    let mut full = url.to_string();
    if !full.ends_with('/') {
        full.push('/');
    }
    let path = if let Some(rest) = full
        .strip_prefix("https://")
        .or_else(|| full.strip_prefix("http://"))
    {
        match rest.find('/') {
            Some(i) if i > 0 => rest[i..].to_string(),
            _ => return Err(format!("base_url {url:?} has no host")),
        }
    } else if full.starts_with('/') {
        full.clone()
    } else {
        return Err(format!(
            "base_url {url:?} must be \"/\", a path starting with \"/\", or an http(s) URL"
        ));
    };
    if path.contains("//") || path.contains(['?', '#', '"', '<', '>', ' ', '\\']) {
        return Err(format!("base_url {url:?} has an unusable path"));
    }
    Ok((full, path))
}

fn check_kinds(p: &mut Problems, raw: Vec<RawKind>) -> Vec<Kind> {
    if raw.is_empty() {
        p.error(
            p.find(&["kinds"]),
            "`kinds` must list at least one kind of entry".into(),
        );
    }
    let mut kinds = Vec::new();
    let mut seen_ids = HashSet::new();
    let mut seen_dirs = HashSet::new();
    for k in raw {
        let pos = p.find(&["kinds", &k.id]);
        if !is_valid_id(&k.id) {
            p.error(
                pos,
                format!("kind id {:?} must be letters, digits, '-' or '_'", k.id),
            );
        }
        if !seen_ids.insert(k.id.clone()) {
            p.error(pos, format!("kind {:?} is declared twice", k.id));
        }
        if !is_valid_id(&k.dir) || k.dir == "pages" || RESERVED_SEGMENTS.contains(&k.dir.as_str()) {
            p.error(
                p.find(&["kinds", &k.id, &k.dir]),
                format!(
                    "kind {:?} cannot use the folder {:?} (a plain name other than pages or summary is needed)",
                    k.id, k.dir
                ),
            );
        }
        if !seen_dirs.insert(k.dir.to_lowercase()) {
            p.error(pos, format!("folder {:?} is used by two kinds", k.dir));
        }
        kinds.push(Kind {
            singular: k.singular.unwrap_or_else(|| k.label.clone()),
            id: k.id,
            label: k.label,
            dir: k.dir,
        });
    }
    kinds
}

/// `" (did you mean \"x\"?)"` or nothing.
pub fn did_you_mean(near: Option<&str>) -> String {
    near.map(|n| format!(" (did you mean {n:?}?)"))
        .unwrap_or_default()
}

/// The kinds named by `citations:`. Without the setting, the kind with id
/// `literature` is cited if there is one; `citations: []` turns citations off.
fn check_citations(p: &mut Problems, raw: Option<RawCitations>, kinds: &[Kind]) -> Vec<usize> {
    let names = match raw {
        None => {
            return kinds
                .iter()
                .position(|k| k.id == "literature")
                .into_iter()
                .collect()
        }
        Some(RawCitations::One(id)) => vec![id],
        Some(RawCitations::Many(ids)) => ids,
    };
    let mut out = Vec::new();
    for name in names {
        match kinds.iter().position(|k| k.id == name) {
            Some(i) => out.push(i),
            None => p.error(
                p.find(&["citations", &name]),
                format!(
                    "`citations` names unknown kind {name:?}{}",
                    did_you_mean(suggest(&name, kinds.iter().map(|k| k.id.as_str())))
                ),
            ),
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MapKind;

    const MINIMAL: &str = "title: T\nkinds:\n  - { id: practice, label: Practices, dir: practices }\nfacets:\n  countries:\n    - { id: GB, label: United Kingdom }\n    - { id: GB-ENG, label: England, parent: GB }\n    - { id: DK, label: Denmark }\n";

    #[test]
    fn children_follow_their_parent() {
        let src = MINIMAL.replace(
            "    - { id: DK, label: Denmark }\n",
            "    - { id: DK, label: Denmark }\n    - { id: GB-SCT, label: Scotland, parent: GB }\n",
        );
        let (config, _) = Config::parse(&src).unwrap();
        let f = &config.facets[0];
        let order: Vec<&str> = f
            .display_order
            .iter()
            .map(|&i| f.values[i].id.as_str())
            .collect();
        assert_eq!(order, ["GB", "GB-ENG", "GB-SCT", "DK"]);
        assert_eq!(f.values[1].depth, 1);
        assert_eq!(f.singular, "country");
    }

    #[test]
    fn unknown_parent_is_located_with_suggestion() {
        let src = MINIMAL.replace("parent: GB }", "parent: GBR }");
        let errs = Config::parse(&src).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, Some(7));
        assert!(
            errs[0].message.contains("unknown parent \"GBR\""),
            "{}",
            errs[0].message
        );
        assert!(errs[0].message.contains("did you mean \"GB\""));
    }

    #[test]
    fn a_facet_names_its_map_and_an_unknown_map_is_an_error() {
        let with = |map: &str| {
            MINIMAL.replace(
                "  countries:\n",
                &format!("  countries:\n    map: {map}\n    values:\n"),
            )
        };
        let (config, _) = Config::parse(&with("europe")).unwrap();
        assert_eq!(config.facets[0].map, Some(MapKind::Europe));
        assert_eq!(Config::parse(MINIMAL).unwrap().0.facets[0].map, None);
        let errs = Config::parse(&with("erope")).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].line, Some(6));
        assert!(
            errs[0]
                .message
                .contains("unknown map \"erope\" (did you mean \"europe\"?)"),
            "{}",
            errs[0].message
        );
    }

    #[test]
    fn base_urls() {
        assert_eq!(normalise_base_url("/").unwrap(), ("/".into(), "/".into()));
        assert_eq!(
            normalise_base_url("https://example.org/catalogue").unwrap(),
            (
                "https://example.org/catalogue/".into(),
                "/catalogue/".into()
            )
        );
        assert!(normalise_base_url("example.org").is_err());
        assert!(normalise_base_url("https://").is_err());
    }

    #[test]
    fn citations_default_to_the_literature_kind_and_can_be_set() {
        let two = MINIMAL.replace(
            "kinds:\n",
            "kinds:\n  - { id: literature, label: Articles, dir: literature }\n",
        );
        assert_eq!(Config::parse(&two).unwrap().0.citations, [0]);
        assert!(Config::parse(MINIMAL).unwrap().0.citations.is_empty());
        let off = format!("{two}citations: []\n");
        assert!(Config::parse(&off).unwrap().0.citations.is_empty());
        let chosen = format!("{two}citations: practice\n");
        assert_eq!(Config::parse(&chosen).unwrap().0.citations, [1]);
        let wrong = format!("{two}citations: [practise]\n");
        let errs = Config::parse(&wrong).unwrap_err();
        assert!(
            errs[0].message.contains("did you mean \"practice\""),
            "{errs:?}"
        );
    }

    #[test]
    fn bad_summary_references_are_reported_together() {
        let src = format!(
            "{MINIMAL}summaries:\n  - {{ id: a, facet: contries, mode: counts }}\n  - {{ id: b, facet: countries, mode: presence, kinds: [practise] }}\n"
        );
        let errs = Config::parse(&src).unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs[0].message.contains("did you mean \"countries\""));
        assert!(errs[1].message.contains("did you mean \"practice\""));
    }
}

//! What the home page's filters should show, computed independently of the
//! site's own code from `catalogue.json`: the reference the HTML tests
//! (`browse.rs`) and the browser tests (`browser/`) compare against.
//!
//! Semantics (README, "Browsing"): AND across facets, OR within one; a value
//! matches entries naming it or one of its parts; a facet listed in `exact`
//! matches entries whose values are exactly the listed ones; the count beside
//! a value is the number of entries naming it given the other facets' filters.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

/// The pseudo-facet of kinds in queries and counts.
pub const KIND: &str = "kind";

/// One vocabulary.
#[derive(Debug, Clone)]
pub struct Facet {
    pub name: String,
    /// Value ids in declaration order.
    pub values: Vec<String>,
    /// Value id → parent id.
    pub parent: HashMap<String, String>,
}

/// One entry.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub kind: String,
    pub title: String,
    /// Facet name → value ids named.
    pub facets: HashMap<String, Vec<String>>,
}

/// `catalogue.json`, as far as filtering goes.
#[derive(Debug, Clone)]
pub struct Model {
    pub kinds: Vec<String>,
    pub facets: Vec<Facet>,
    pub entries: Vec<Entry>,
}

/// A filter state, as in the home page's query string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Facet name (or `kind`) → ids, any of which matches.
    pub facets: BTreeMap<String, Vec<String>>,
    /// Facets matched exactly.
    pub exact: BTreeSet<String>,
}

impl Filter {
    /// Parses `?sectors=health,education&kind=practice&exact=sectors`
    /// (`sectors=health+education` is short for the exact form).
    pub fn parse(query: &str) -> Filter {
        let mut filter = Filter::default();
        for pair in query.trim_start_matches('?').split('&') {
            let Some((key, value)) = pair.split_once('=') else {
                continue;
            };
            let value = value.replace("%2C", ",").replace("%2c", ",");
            if key == "exact" {
                filter
                    .exact
                    .extend(value.split(',').filter(|s| !s.is_empty()).map(String::from));
                continue;
            }
            if key == "q" {
                continue;
            }
            if value.contains('+') && !value.contains(',') {
                filter.exact.insert(key.to_string());
            }
            filter.facets.entry(key.to_string()).or_default().extend(
                value
                    .split([',', '+'])
                    .filter(|s| !s.is_empty())
                    .map(String::from),
            );
        }
        filter
    }

    /// Adds `ids` to the facet's selection.
    pub fn with(mut self, facet: &str, ids: &[&str]) -> Filter {
        self.facets
            .entry(facet.to_string())
            .or_default()
            .extend(ids.iter().map(|s| s.to_string()));
        self
    }

    fn without(&self, facet: &str) -> Filter {
        let mut other = self.clone();
        other.facets.remove(facet);
        other
    }
}

impl Model {
    /// Reads the text of `catalogue.json`.
    pub fn from_json(text: &str) -> Model {
        let doc: Value = serde_json::from_str(text).expect("catalogue.json is JSON");
        let kinds = doc["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["id"].as_str().unwrap().to_string())
            .collect();
        let facets: Vec<Facet> = doc["facets"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(name, f)| {
                let mut values = Vec::new();
                let mut parent = HashMap::new();
                for v in f["values"].as_array().unwrap() {
                    let id = v["id"].as_str().unwrap().to_string();
                    if let Some(p) = v["parent"].as_str() {
                        parent.insert(id.clone(), p.to_string());
                    }
                    values.push(id);
                }
                Facet {
                    name: name.clone(),
                    values,
                    parent,
                }
            })
            .collect();
        let entries = doc["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| Entry {
                id: e["id"].as_str().unwrap().to_string(),
                kind: e["kind"].as_str().unwrap().to_string(),
                title: e["title"].as_str().unwrap().to_string(),
                facets: facets
                    .iter()
                    .map(|f| {
                        let ids = e[&f.name]
                            .as_array()
                            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
                            .unwrap_or_default();
                        (f.name.clone(), ids)
                    })
                    .collect(),
            })
            .collect();
        Model {
            kinds,
            facets,
            entries,
        }
    }

    pub fn facet(&self, name: &str) -> &Facet {
        self.facets
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no facet {name}"))
    }

    /// The values an entry names in a facet (its kind, for `kind`).
    fn named<'a>(&self, entry: &'a Entry, facet: &str) -> Vec<&'a str> {
        if facet == KIND {
            vec![entry.kind.as_str()]
        } else {
            entry.facets[facet].iter().map(String::as_str).collect()
        }
    }

    /// Whether `value` is `named` or one of its ancestors.
    fn within(&self, facet: &str, named: &str, value: &str) -> bool {
        if facet == KIND {
            return named == value;
        }
        let parents = &self.facet(facet).parent;
        let mut at = Some(named);
        while let Some(v) = at {
            if v.eq_ignore_ascii_case(value) {
                return true;
            }
            at = parents.get(v).map(String::as_str);
        }
        false
    }

    /// Whether an entry names `value` of `facet` or one of its parts.
    pub fn names(&self, entry: &Entry, facet: &str, value: &str) -> bool {
        self.named(entry, facet)
            .iter()
            .any(|n| self.within(facet, n, value))
    }

    /// Whether an entry passes a filter.
    pub fn matches(&self, entry: &Entry, filter: &Filter) -> bool {
        filter.facets.iter().all(|(facet, ids)| {
            if ids.is_empty() {
                return true;
            }
            if filter.exact.contains(facet) {
                let named: BTreeSet<String> = self
                    .named(entry, facet)
                    .iter()
                    .map(|s| s.to_lowercase())
                    .collect();
                let wanted: BTreeSet<String> = ids.iter().map(|s| s.to_lowercase()).collect();
                named == wanted
            } else {
                ids.iter().any(|id| self.names(entry, facet, id))
            }
        })
    }

    /// Ids of the entries passing a filter, in catalogue order.
    pub fn matching(&self, filter: &Filter) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| self.matches(e, filter))
            .map(|e| e.id.clone())
            .collect()
    }

    /// The count shown beside `value` of `facet`: entries naming it that pass
    /// every other facet's filter.
    pub fn count(&self, filter: &Filter, facet: &str, value: &str) -> usize {
        let others = filter.without(facet);
        self.entries
            .iter()
            .filter(|e| self.matches(e, &others) && self.names(e, facet, value))
            .count()
    }

    /// Every (facet or `kind`, value id) the home page has a checkbox for.
    pub fn all_values(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .kinds
            .iter()
            .map(|k| (KIND.to_string(), k.clone()))
            .collect();
        for f in &self.facets {
            out.extend(f.values.iter().map(|v| (f.name.clone(), v.clone())));
        }
        out
    }
}

//! `catalogue.yaml` as written: the serde types it is read into, before any check.
//!
//! Nothing here is validated; references between parts are still strings. The
//! checks in [`super`] turn these into the validated types of [`crate::model`].
//! Kinds, summaries and vocabulary mappings refuse unknown keys; the top level
//! keeps them as `site.extra` for templates.

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::{Map, Value as Json};

/// The top-level settings casebook reads itself (others go to `extra`).
pub(super) const KNOWN_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "language",
    "allow_raw_html",
    "paginate_by",
    "kinds",
    "facets",
    "summaries",
    "citations",
];

/// The whole file.
#[derive(Deserialize)]
pub(super) struct RawConfig {
    pub title: Option<String>,
    #[serde(default)]
    pub description: String,
    pub base_url: Option<String>,
    pub language: Option<String>,
    #[serde(default)]
    pub allow_raw_html: bool,
    #[serde(default = "default_paginate_by")]
    pub paginate_by: usize,
    pub kinds: Option<Vec<RawKind>>,
    /// Facet name → a list of values or a mapping with `values:` (see
    /// [`RawFacetFull`]); read by hand to report each facet's problem.
    #[serde(default)]
    pub facets: IndexMap<String, Json>,
    #[serde(default)]
    pub summaries: Vec<RawSummary>,
    pub citations: Option<RawCitations>,
    #[serde(flatten)]
    pub extra: Map<String, Json>,
}

/// One entry of `kinds:`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawKind {
    pub id: String,
    pub label: String,
    pub singular: Option<String>,
    pub dir: String,
}

/// A summary's `mode:`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "lowercase")]
pub(super) enum RawMode {
    Combinations,
    Counts,
    Presence,
    Pivot,
}

/// A pivot's `columns_by:`.
#[derive(Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "lowercase")]
pub(super) enum RawColumnsBy {
    Value,
    Combination,
}

/// One entry of `summaries:`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSummary {
    pub id: String,
    pub title: Option<String>,
    #[serde(default)]
    pub description: String,
    pub mode: RawMode,
    pub facet: Option<String>,
    pub kinds: Option<Vec<String>>,
    pub rows: Option<String>,
    pub columns: Option<String>,
    pub columns_by: Option<RawColumnsBy>,
}

/// A facet written as a mapping; a bare list of values is read into one too.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFacetFull {
    pub label: Option<String>,
    #[serde(default)]
    pub description: String,
    pub singular: Option<String>,
    /// `map: europe`: the facet's values are countries drawn on a map.
    pub map: Option<String>,
    pub values: Vec<RawValue>,
}

/// One vocabulary value. The id is read as any value, to say so when it is
/// not a string (`id: 12`).
#[derive(Deserialize)]
pub(super) struct RawValue {
    pub id: Json,
    pub label: Option<String>,
    #[serde(default)]
    pub description: String,
    pub parent: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Json>,
}

/// `citations:` as written: one kind id or a list of them.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawCitations {
    One(String),
    Many(Vec<String>),
}

/// Entries per list page unless `paginate_by` says otherwise.
pub const DEFAULT_PAGINATE_BY: usize = 50;

fn default_paginate_by() -> usize {
    DEFAULT_PAGINATE_BY
}

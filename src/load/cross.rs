//! Checks that span files: unique ids, free-page URLs, `related:` targets.
//!
//! They run once every file has been checked on its own. Ids must differ by
//! more than case (URLs are lowercase), and every file in a clash is
//! reported, naming the others, since casebook cannot know which is the newer
//! one. A free page may not take a URL the site uses itself. Each `related:`
//! id is resolved to an entry index, or reported with a suggestion.

use std::collections::HashMap;

use super::entry::ParsedEntry;
use super::links::LinkTargets;
use crate::config::{did_you_mean, RESERVED_SEGMENTS};
use crate::diagnostic::{self, suggest, Diagnostic};
use crate::model::{Config, Page};

/// Reports every entry whose id gives the same URL as another's.
pub(super) fn check_unique_ids(entries: &[ParsedEntry], diagnostics: &mut Vec<Diagnostic>) {
    // Group entries by URL slug; every member of a group of two or more is reported,
    // each naming the others, since casebook cannot know which file is the newer one.
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, parsed) in entries.iter().enumerate() {
        groups.entry(&parsed.entry.slug).or_default().push(i);
    }
    let mut clashes: Vec<&Vec<usize>> = groups.values().filter(|g| g.len() > 1).collect();
    clashes.sort();
    for group in clashes {
        for &i in group {
            let parsed = &entries[i];
            let e = &parsed.entry;
            for &j in group.iter().filter(|&&j| j != i) {
                let other = &entries[j].entry;
                let message = if other.id == e.id {
                    format!(
                        "duplicate id {:?}: also used by {}",
                        e.id,
                        diagnostic::display_path(&other.source)
                    )
                } else {
                    format!(
                        "id {:?} has the same URL as {:?} in {} (ids must differ by more than upper/lower case)",
                        e.id,
                        other.id,
                        diagnostic::display_path(&other.source)
                    )
                };
                diagnostics.push(
                    Diagnostic::error(&e.source, message)
                        .at(parsed.id_position, Some(&parsed.text)),
                );
            }
        }
    }
}

/// Reports free pages whose URL is taken by the site or by another page.
pub(super) fn check_page_slugs(
    config: &Config,
    pages: &[(Page, String)],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut seen = HashMap::new();
    for (page, _) in pages {
        let taken = RESERVED_SEGMENTS.contains(&page.slug.as_str())
            || config
                .kinds
                .iter()
                .any(|k| k.dir.eq_ignore_ascii_case(&page.slug))
            || config
                .facets
                .iter()
                .any(|f| f.name.eq_ignore_ascii_case(&page.slug));
        if taken {
            diagnostics.push(Diagnostic::error(
                &page.source,
                format!(
                    "page URL /{}/ is already used by the site; rename the file",
                    page.slug
                ),
            ));
        } else if let Some(other) = seen.insert(page.slug.clone(), page.source.clone()) {
            diagnostics.push(Diagnostic::error(
                &page.source,
                format!(
                    "page URL /{}/ is also used by {}",
                    page.slug,
                    diagnostic::display_path(&other)
                ),
            ));
        }
    }
}

/// Resolves each entry's `related:` ids to entry indices (sorted, without
/// duplicates or itself), reporting ids that name no entry.
pub(super) fn resolve_related(
    entries: &mut [ParsedEntry],
    targets: &LinkTargets,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let ids: Vec<String> = entries.iter().map(|e| e.entry.id.clone()).collect();
    for (i, parsed) in entries.iter_mut().enumerate() {
        let mut related = Vec::new();
        for (id, pos) in &parsed.related_ids {
            match targets.entry_index(id) {
                Some(j) if ids[j] == *id => {
                    if j == i {
                        diagnostics.push(
                            Diagnostic::warning(
                                &parsed.entry.source,
                                format!("entry lists itself as related ({id:?})"),
                            )
                            .at(*pos, Some(&parsed.text)),
                        );
                    } else if !related.contains(&j) {
                        related.push(j);
                    }
                }
                Some(j) => diagnostics.push(
                    Diagnostic::error(
                        &parsed.entry.source,
                        format!(
                            "related entry {id:?} does not exist (did you mean {:?}?)",
                            ids[j]
                        ),
                    )
                    .at(*pos, Some(&parsed.text)),
                ),
                None => {
                    let near = suggest(id, ids.iter().map(String::as_str));
                    diagnostics.push(
                        Diagnostic::error(
                            &parsed.entry.source,
                            format!("related entry {id:?} does not exist{}", did_you_mean(near)),
                        )
                        .at(*pos, Some(&parsed.text)),
                    );
                }
            }
        }
        related.sort_unstable();
        parsed.entry.related = related;
    }
}

//! The incremental rebuild must give exactly what a full build of the same
//! files gives. Each test edits the shipped catalogue in a temporary copy,
//! applies the plan the watcher would make, and compares every file with a
//! fresh full build.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::*;
use crate::routes::Route;

mod edits;
mod fallbacks;
mod more_like_this;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for item in std::fs::read_dir(from).unwrap() {
        let item = item.unwrap();
        let target = to.join(item.file_name());
        if item.file_type().unwrap().is_dir() {
            copy_dir(&item.path(), &target);
        } else {
            std::fs::copy(item.path(), &target).unwrap();
        }
    }
}

/// A copy of the shipped catalogue (settings and content; the built-in theme).
fn shipped_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        repo.join("catalogue.yaml"),
        dir.path().join("catalogue.yaml"),
    )
    .unwrap();
    copy_dir(&repo.join("content"), &dir.path().join("content"));
    dir
}

fn options() -> LoadOptions {
    LoadOptions {
        base_url: Some("/".into()),
        ..LoadOptions::default()
    }
}

fn built(root: &Path) -> Builder {
    let mut builder = Builder::new(root, options());
    match builder.full("test") {
        Outcome::Built { .. } => builder,
        other => panic!("first build failed: {other:?}"),
    }
}

fn edit(root: &Path, file: &str, from: &str, to: &str) {
    let path = root.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn entries_changed(files: &[&str]) -> RebuildPlan {
    RebuildPlan::Partial {
        entries: files.iter().map(PathBuf::from).collect(),
        statics: None,
    }
}

/// Panics with the first difference between the builder's files and a full build.
fn assert_same_as_full_build(builder: &Builder, root: &Path) {
    let incremental = builder.files().expect("a good build");
    let full = built(root).files().unwrap();
    let a: BTreeSet<&str> = incremental.keys().map(|k| &**k).collect();
    let b: BTreeSet<&str> = full.keys().map(|k| &**k).collect();
    assert_eq!(a, b, "different sets of files");
    for key in a {
        if incremental[key] != full[key] {
            panic!(
                "{key} differs from a full build:\n--- incremental\n{}\n--- full\n{}",
                String::from_utf8_lossy(&incremental[key]),
                String::from_utf8_lossy(&full[key])
            );
        }
    }
}

/// Applies a plan that must stay partial (no reload from disk); returns the
/// changed URL paths and the routes rendered again.
fn apply_partial_routes(builder: &mut Builder, plan: &RebuildPlan) -> (Vec<String>, Vec<Route>) {
    match builder.apply(plan) {
        Outcome::Built {
            changed: Some(changed),
            rendered: Some(rendered),
            summary,
            ..
        } => {
            assert!(summary.starts_with("rebuilt"), "{summary}");
            (changed, rendered)
        }
        other => panic!("expected a partial rebuild, got {other:?}"),
    }
}

/// [`apply_partial_routes`], the changed URL paths only.
fn apply_partial(builder: &mut Builder, plan: &RebuildPlan) -> Vec<String> {
    apply_partial_routes(builder, plan).0
}

/// The index of the entry with `id` in the builder's site.
/// Panics unless a body edit of entry `id` changed exactly its page, its
/// kind's `entries.csv`, its search fragment and some chunks of the search
/// index (any entry's words may move where chunks start).
fn assert_body_edit_changed(builder: &Builder, changed: &[String], id: &str) {
    let doc = entry_index(builder, id);
    let (chunks, mut others): (Vec<&String>, Vec<&String>) = changed
        .iter()
        .partition(|url| url.starts_with("/search/") && !url.starts_with("/search/f/"));
    others.sort();
    let page = format!("/practices/{}/", id.to_lowercase());
    let fragment = format!("/search/f/{doc}.js");
    assert_eq!(others, ["/practices/entries.csv", &page, &fragment]);
    assert!(!chunks.is_empty(), "{changed:?}");
}

fn entry_index(builder: &Builder, id: &str) -> usize {
    let good = builder.good.as_ref().expect("a good build");
    let entries = &good.site.catalogue.entries;
    entries
        .iter()
        .position(|e| e.id == id)
        .expect("the entry exists")
}

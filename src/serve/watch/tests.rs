//! The watcher's decisions, as pure functions of paths.

use super::*;

fn layout() -> Layout {
    let sources = [
        "content/practices/p1.md",
        "content/practices/archive/p9.md",
        "content/pages/about.md",
    ];
    Layout::new(
        Path::new("/site"),
        vec!["practices".into(), "literature".into()],
        sources.iter().map(Path::new),
    )
}

fn kind(path: &str) -> Change {
    classify(&layout(), Path::new(path), false)
}

fn files<'a>(paths: &'a [&'a str]) -> impl Iterator<Item = (&'a Path, bool)> {
    paths.iter().map(|p| (Path::new(*p), false))
}

#[test]
fn entries_pages_and_settings() {
    assert_eq!(
        kind("/site/content/practices/p12.md"),
        Change::ContentEntry(PathBuf::from("content/practices/p12.md"))
    );
    assert_eq!(
        kind("/site/content/literature/sub/l01.md"),
        Change::ContentEntry(PathBuf::from("content/literature/sub/l01.md"))
    );
    assert_eq!(kind("/site/content/pages/about.md"), Change::Page);
    assert_eq!(kind("/site/catalogue.yaml"), Change::Config);
    // Relative paths are accepted too.
    assert_eq!(kind("catalogue.yaml"), Change::Config);
}

#[test]
fn templates_and_static() {
    assert_eq!(kind("/site/templates/entry.html"), Change::Template);
    assert_eq!(kind("/site/templates"), Change::Template);
    assert_eq!(kind("/site/static/style.css"), Change::Static { css: true });
    assert_eq!(
        kind("/site/static/theme/Print.CSS"),
        Change::Static { css: true }
    );
    assert_eq!(kind("/site/static/logo.svg"), Change::Static { css: false });
    assert_eq!(kind("/site/static"), Change::Static { css: false });
}

#[test]
fn editor_temporary_files_are_ignored() {
    for path in [
        "/site/content/practices/.p12.md.swp",
        "/site/content/practices/p12.md.swp",
        "/site/content/practices/p12.md~",
        "/site/content/practices/.#p12.md",
        "/site/content/practices/#p12.md#",
        "/site/content/practices/4913",
        "/site/content/practices/p12.md___jb_tmp___",
        "/site/templates/.entry.html.swx",
        "/site/templates/entry.html~",
        "/site/static/4913",
        "/site/.catalogue.yaml.swp",
        "/site/catalogue.yaml~",
    ] {
        assert_eq!(kind(path), Change::Ignored, "{path}");
    }
}

#[test]
fn hidden_output_and_unread_files_are_ignored() {
    for path in [
        "/site/.git/index",
        "/site/.git",
        "/site/content/practices/.hidden/p1.md",
        "/site/public/index.html",
        "/site/public",
        "/site/README.md",
        "/site/content/practices/photo.jpg",
        "/site/content/practices/notes.txt",
        "/site/content/pages/diagram.png",
        "/site/content/drafts/p99.md", // not a kind folder
        "/elsewhere/content/practices/p1.md",
        "/site",
    ] {
        assert_eq!(kind(path), Change::Ignored, "{path}");
    }
}

#[test]
fn folders_in_content_mean_many_entries() {
    // Known to hold content: recognised even once removed.
    assert_eq!(kind("/site/content"), Change::ContentFolder);
    assert_eq!(kind("/site/content/practices"), Change::ContentFolder);
    assert_eq!(
        kind("/site/content/practices/archive"),
        Change::ContentFolder
    );
    assert_eq!(kind("/site/content/pages"), Change::Page);
    // A folder there now (perhaps moved in full of entries).
    let new_folder = classify(
        &layout(),
        Path::new("/site/content/practices/imported"),
        true,
    );
    assert_eq!(new_folder, Change::ContentFolder);
    let named_like_markdown =
        classify(&layout(), Path::new("/site/content/practices/old.md"), true);
    assert_eq!(named_like_markdown, Change::ContentFolder);
    // A file with no extension that is gone and never held content: a tool's
    // temporary file (sed -i writes `sedXXXXXX` next to the file it edits).
    assert_eq!(kind("/site/content/practices/sedAb12Cd"), Change::Ignored);
}

#[test]
fn unknown_kinds_accept_any_markdown() {
    let layout = Layout::new(Path::new("/site"), Vec::new(), []);
    assert_eq!(
        classify(&layout, Path::new("/site/content/cases/c1.md"), false),
        Change::ContentEntry(PathBuf::from("content/cases/c1.md"))
    );
}

fn entries(paths: &[&str]) -> BTreeSet<PathBuf> {
    paths.iter().map(PathBuf::from).collect()
}

#[test]
fn save_by_rename_is_one_entry_change() {
    // vim: writes 4913, renames p12.md to p12.md~, writes p12.md, removes the backup.
    let batch = [
        "/site/content/practices/4913",
        "/site/content/practices/p12.md~",
        "/site/content/practices/p12.md",
        "/site/content/practices/.p12.md.swp",
    ];
    assert_eq!(
        plan_paths(&layout(), files(&batch)),
        RebuildPlan::Partial {
            entries: entries(&["content/practices/p12.md"]),
            statics: None
        }
    );
}

#[test]
fn checkout_of_many_files_is_one_rebuild() {
    let mut batch: Vec<String> = (1..=50)
        .map(|i| format!("/site/content/practices/p{i}.md"))
        .collect();
    batch.push("/site/.git/index".into());
    batch.push("/site/.git/HEAD".into());
    let plan = plan_paths(&layout(), batch.iter().map(|p| (Path::new(p), false)));
    match plan {
        RebuildPlan::Partial {
            entries,
            statics: None,
        } => assert_eq!(entries.len(), 50),
        other => panic!("{other:?}"),
    }
    let batch: Vec<String> = (1..=101)
        .map(|i| format!("/site/content/practices/p{i}.md"))
        .collect();
    assert_eq!(
        plan_paths(&layout(), batch.iter().map(|p| (Path::new(p), false))),
        RebuildPlan::Full("many entries changed")
    );
}

#[test]
fn settings_templates_and_pages_need_a_full_rebuild() {
    let entry = Change::ContentEntry(PathBuf::from("content/practices/p1.md"));
    assert_eq!(
        plan(&[entry.clone(), Change::Config]),
        RebuildPlan::Full("catalogue.yaml changed")
    );
    assert_eq!(
        plan(&[Change::Template, Change::Config]),
        RebuildPlan::Full("catalogue.yaml changed")
    );
    assert_eq!(
        plan(&[Change::Template, entry.clone()]),
        RebuildPlan::Full("templates changed")
    );
    assert_eq!(plan(&[Change::Page]), RebuildPlan::Full("a page changed"));
    assert_eq!(
        plan(&[Change::ContentFolder, entry]),
        RebuildPlan::Full("content folders changed")
    );
}

#[test]
fn static_changes_know_whether_only_css_changed() {
    let css = Change::Static { css: true };
    let other = Change::Static { css: false };
    assert_eq!(
        plan(&[css.clone(), css.clone()]),
        RebuildPlan::Partial {
            entries: BTreeSet::new(),
            statics: Some(StaticChange::CssOnly)
        }
    );
    assert_eq!(
        plan(&[css.clone(), other.clone()]),
        RebuildPlan::Partial {
            entries: BTreeSet::new(),
            statics: Some(StaticChange::Any)
        }
    );
    assert_eq!(
        plan(&[other, css]),
        RebuildPlan::Partial {
            entries: BTreeSet::new(),
            statics: Some(StaticChange::Any)
        }
    );
}

#[test]
fn reads_are_not_changes() {
    use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RemoveKind, RenameMode};
    assert!(!is_change(&EventKind::Access(AccessKind::Open(
        AccessMode::Any
    ))));
    assert!(!is_change(&EventKind::Access(AccessKind::Close(
        AccessMode::Read
    ))));
    assert!(is_change(&EventKind::Access(AccessKind::Close(
        AccessMode::Write
    ))));
    assert!(is_change(&EventKind::Create(CreateKind::File)));
    assert!(is_change(&EventKind::Modify(ModifyKind::Name(
        RenameMode::Both
    ))));
    assert!(is_change(&EventKind::Remove(RemoveKind::Any)));
    assert!(is_change(&EventKind::Any));
}

#[test]
fn ignored_only_batches_do_nothing() {
    assert_eq!(plan(&[]), RebuildPlan::Nothing);
    assert_eq!(
        plan_paths(
            &layout(),
            files(&["/site/public/x.html", "/site/content/practices/p1.md~"])
        ),
        RebuildPlan::Nothing
    );
}

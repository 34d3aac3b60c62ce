//! Authoring: `casebook init`, `casebook new` (ids, padding, file names, refusals),
//! the advice `check` gives (coding gaps, unused vocabulary, dates) and links
//! between entries by id and by file path.

use crate::util::{run, select, TestSite};

/// The first line of stdout, trimmed: the path `new` printed.
fn printed_path(run: &crate::util::Run) -> String {
    run.stdout
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[test]
fn init_creates_a_site_that_builds_and_checks_without_warnings() {
    let scratch = TestSite::empty();
    // The folder and its parents are created.
    let done = run(&["init", "sites/new"], scratch.root());
    done.assert_code(0);
    assert!(done.stdout.contains("catalogue.yaml"), "{}", done.stdout);
    for file in [
        "catalogue.yaml",
        "content/practices/p1-neighbourhood-care-team.md",
        "content/literature/l1-example-article.md",
        "content/pages/about.md",
    ] {
        assert!(scratch.path("sites/new").join(file).is_file(), "{file}");
    }
    // Every top-level setting is explained by a comment right above it.
    let config = scratch.read("sites/new/catalogue.yaml");
    let lines: Vec<&str> = config.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let top_level_key = line
            .split_once(':')
            .is_some_and(|(k, _)| !k.is_empty() && !k.starts_with([' ', '#', '-']));
        if top_level_key {
            let above = lines[..i]
                .iter()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap();
            assert!(above.starts_with('#'), "no comment above {line:?}");
        }
    }

    let check = run(&["check", "--root", "sites/new"], scratch.root());
    check.assert_code(0);
    assert!(check.stdout.contains("no errors"), "{}", check.stdout);
    assert!(!check.stdout.contains("warning"), "{}", check.stdout);
    assert_eq!(check.stderr, "", "a new site gets no advice");

    run(&["build", "--root", "sites/new"], scratch.root()).assert_code(0);
    let out = scratch.path("sites/new/public");
    for page in [
        "index.html",
        "practices/p1/index.html",
        "literature/l1/index.html",
        "about/index.html",
        "summary/themes-by-sector/index.html",
        "literature.bib",
    ] {
        assert!(out.join(page).is_file(), "{page}");
    }
    // The example entries link to each other by id.
    let practice = scratch.read("sites/new/public/practices/p1/index.html");
    assert!(practice.contains("href=\"../../literature/l1/\""));
    crate::util::check_links(&out);
}

#[test]
fn init_refuses_a_folder_that_is_not_empty_and_accepts_an_empty_one() {
    let site = TestSite::empty();
    site.write("notes.txt", "mine");
    let refused = run(&["init", "."], site.root());
    refused.assert_code(1);
    refused.assert_stderr_has("not empty");
    assert!(!site.path("catalogue.yaml").exists());
    assert_eq!(site.read("notes.txt"), "mine");

    let refused = run(&["init", "notes.txt"], site.root());
    refused.assert_code(1);
    refused.assert_stderr_has("not a folder");

    std::fs::create_dir(site.path("empty")).unwrap();
    run(&["init", "empty"], site.root()).assert_code(0);
    assert!(site.path("empty/catalogue.yaml").is_file());
    // A second init into the now full folder is refused and changes nothing.
    let before = site.read("empty/catalogue.yaml");
    run(&["init", "empty"], site.root()).assert_code(1);
    assert_eq!(site.read("empty/catalogue.yaml"), before);
}

#[test]
fn new_takes_the_next_id_of_the_kind_and_lists_every_facet() {
    let site = TestSite::shipped();
    let made = site.run(&["new", "practice", "Home care: a pilot"]);
    made.assert_code(0);
    let path = printed_path(&made);
    assert!(
        path.ends_with("content/practices/p45-home-care-a-pilot.md"),
        "{path}"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with("---\nid: P45\ntitle: \"Home care: a pilot\"\n"),
        "{text}"
    );
    // Every facet with its allowed values as a comment.
    assert!(
        text.contains("\nsectors: []  # health, education, employment, other\n"),
        "{text}"
    );
    assert!(
        text.contains("\nleadership: []  # single, shared\n"),
        "{text}"
    );
    assert!(
        text.contains("GB, GB-ENG, GB-NIR, GB-SCT, GB-WLS"),
        "{text}"
    );

    // Literature ids are zero-padded: L35 after L34. Facets no article uses are
    // offered commented out, and the bibliographic fields as comments.
    let made = site.run(&["new", "literature", "Ärzte & Sozialarbeit"]);
    made.assert_code(0);
    let path = printed_path(&made);
    assert!(
        path.ends_with("content/literature/l35-arzte-sozialarbeit.md"),
        "{path}"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\nid: L35\n"), "{text}");
    assert!(text.contains("\n# methods: []  # "), "{text}");
    assert!(
        text.contains("\nclusters: []  # person-centeredness,"),
        "{text}"
    );
    assert!(text.contains("# authors: [\"Family, Given\""), "{text}");

    // The next one counts the new file too; the kind may be named by its folder.
    let made = site.run(&["new", "practices", "Second"]);
    made.assert_code(0);
    assert!(printed_path(&made).ends_with("content/practices/p46-second.md"));

    // The new entries load; check reminds that their facets are still empty.
    let check = site.run(&["check"]);
    check.assert_code(0);
    assert!(check
        .stdout
        .contains("81 entries (35 articles, 46 practices)"));
    check.assert_stderr_has("content/practices/p45-home-care-a-pilot.md:6:1: warning: no sector given, though 44 of 46 practices have one");
}

#[test]
fn new_keeps_the_padding_and_prefix_in_use() {
    let site = TestSite::empty();
    run(&["init", "."], site.root()).assert_code(0);
    std::fs::remove_file(site.path("content/literature/l1-example-article.md")).unwrap();
    std::fs::remove_file(site.path("content/practices/p1-neighbourhood-care-team.md")).unwrap();
    for id in ["L01", "L02", "L09"] {
        site.write(
            &format!("content/literature/{}.md", id.to_lowercase()),
            &format!("---\nid: {id}\ntitle: Article {id}\n---\n"),
        );
    }
    site.write(
        "content/practices/case.md",
        "---\nid: CASE-007\ntitle: A case\n---\n",
    );
    let made = site.run(&["new", "literature", "Tenth"]);
    made.assert_code(0);
    assert!(printed_path(&made).ends_with("content/literature/l10-tenth.md"));
    let made = site.run(&["new", "practice", "Eighth"]);
    made.assert_code(0);
    assert!(printed_path(&made).ends_with("content/practices/case-008-eighth.md"));
    assert!(site
        .read("content/practices/case-008-eighth.md")
        .contains("\nid: CASE-008\n"));
    // A title with no letters or digits still gives a file name: the id alone.
    let made = site.run(&["new", "literature", "★ ☆"]);
    made.assert_code(0);
    assert!(printed_path(&made).ends_with("content/literature/l11.md"));
}

#[test]
fn new_refuses_unknown_kinds_empty_titles_and_existing_files() {
    let site = TestSite::fixture("basic");
    let wrong = site.run(&["new", "practise", "X"]);
    wrong.assert_code(2);
    wrong.assert_stderr_has("unknown kind \"practise\" (did you mean \"practice\"?); this site's kinds are: literature, practice");
    site.run(&["new", "practice", "  "]).assert_code(2);
    site.run(&["new", "practice"]).assert_code(2);

    // P11 is next; a file of that name exists already (its front matter is broken,
    // so its id is unknown): it is left alone.
    site.write("content/practices/p11-recovery.md", "not front matter\n");
    let refused = site.run(&["new", "practice", "Recovery"]);
    refused.assert_code(1);
    refused.assert_stderr_has(
        "content/practices/p11-recovery.md: already exists; casebook new never overwrites a file",
    );
    assert_eq!(
        site.read("content/practices/p11-recovery.md"),
        "not front matter\n"
    );

    let nowhere = TestSite::empty();
    let missing = nowhere.run(&["new", "practice", "X"]);
    missing.assert_code(1);
    assert!(missing.stderr.contains("catalogue.yaml: not found"));
}

#[test]
fn check_advises_on_coding_gaps_unused_values_and_dates() {
    let site = TestSite::fixture("basic");
    let config = site
        .read("catalogue.yaml")
        .replace(
            "    - { id: employment, label: Employment }\n",
            "    - { id: employment, label: Employment }\n    - { id: other, label: Other }\n",
        )
        .replace(
            "    - { id: DK, label: Denmark }\n",
            "    - { id: DK, label: Denmark }\n    - { id: GB-SCT, label: Scotland, parent: GB }\n",
        );
    site.write("catalogue.yaml", &config);
    site.write(
        "content/practices/p3.md",
        "---\nid: P3\ntitle: Undated\ndate: last spring\ncountries: [DK]\nsectors: [health]\nclusters: [commitment]\n---\n",
    );
    let run = site.run(&["check"]);
    run.assert_code(0);
    for expected in [
        // Three of four practices name a cluster; P10 does not.
        "content/practices/p10.md:6:1: warning: no cluster given, though 3 of 4 practices have one (add `clusters: [...]`)",
        "catalogue.yaml:12:13: warning: sectors value \"other\" is used by no entry",
        "catalogue.yaml:22:13: warning: countries value \"GB-SCT\" is used by no entry",
        "content/practices/p3.md:4:1: warning: `date` \"last spring\" is not a date",
    ] {
        assert!(run.stderr.contains(expected), "missing {expected:?} in\n{}", run.stderr);
    }
    // A parent used only through its children is in use; so is every other value.
    assert!(!run.stderr.contains("value \"GB\""), "{}", run.stderr);
    assert!(!run.stderr.contains("value \"health\""), "{}", run.stderr);
    // Only one article of two names a sector: not "most", so no advice for L2.
    assert!(!run.stderr.contains("literature/l2.md"), "{}", run.stderr);
    assert!(
        run.stdout.contains("no errors, 4 warnings"),
        "{}",
        run.stdout
    );
    // Advice is for check; build stays quiet about it.
    let built = site.run(&["build"]);
    built.assert_code(0);
    assert!(
        !built.stderr.contains("used by no entry"),
        "{}",
        built.stderr
    );
}

#[test]
fn entry_links_work_by_id_and_by_relative_file_path() {
    let site = TestSite::fixture("basic");
    let made = site.run(&["new", "practice", "Linked case"]);
    made.assert_code(0);
    assert!(printed_path(&made).ends_with("content/practices/p11-linked-case.md"));
    site.write(
        "content/literature/l2.md",
        "---\nid: L2\ntitle: Article without sectors\ncountries: [GB]\nsectors: []\nclusters: [commitment, delivery-system]\n---\n\
         By id: [Helpdesk](P1) and [lower case](p2#top).\n\
         By file: [helpdesk file](../practices/p1.md), [new file](../practices/p11-linked-case.md).\n\
         Nowhere: [gone](../practices/p99-nothing.md) and [no id](P404).\n",
    );
    site.write(
        "content/pages/about.md",
        "---\ntitle: About\nweight: 1\n---\nSee [the new case](../practices/p11-linked-case.md) and [this page](about.md).\n",
    );
    let checked = site.run(&["check"]);
    checked.assert_code(0);
    for expected in [
        "content/literature/l2.md:10:17: warning: link to \"../practices/p99-nothing.md\" points to no entry",
        "content/literature/l2.md:10:58: warning: link to \"P404\" points to no entry",
    ] {
        assert!(checked.stderr.contains(expected), "missing {expected:?} in\n{}", checked.stderr);
    }
    site.build();
    let page = site.html("public/literature/l2/index.html");
    let hrefs: Vec<&str> = select(&page, ".body a")
        .iter()
        .map(|a| a.value().attr("href").unwrap())
        .collect();
    assert_eq!(
        hrefs,
        [
            "../../practices/p1/",
            "../../practices/p2/#top",
            "../../practices/p1/",
            "../../practices/p11/",
            "../practices/p99-nothing.md",
            "P404",
        ]
    );
    let about = site.html("public/about/index.html");
    let hrefs: Vec<&str> = select(&about, ".body a")
        .iter()
        .map(|a| a.value().attr("href").unwrap())
        .collect();
    assert_eq!(hrefs, ["../practices/p11/", "../about/"]);
}

#[test]
fn user_guide_page_and_docs_copy_say_the_same() {
    let repo = crate::util::repo();
    let page = std::fs::read_to_string(repo.join("content/pages/guide.md")).unwrap();
    let body = page
        .strip_prefix("---\ntitle: User guide\nweight: 3\n---\n")
        .expect("guide page front matter: title User guide, weight 3");
    let docs = std::fs::read_to_string(repo.join("docs/guide.md")).unwrap();
    let docs_body = docs
        .strip_prefix("# User guide\n\n")
        .and_then(|d| d.split_once("-->\n\n"))
        .map(|(_, rest)| rest)
        .expect("docs/guide.md starts with its title and a note");
    assert!(
        docs_body == body,
        "docs/guide.md and content/pages/guide.md differ"
    );
    for command in [
        "casebook init",
        "casebook new",
        "casebook serve",
        "--base-url",
    ] {
        assert!(
            body.contains(command),
            "the guide does not mention {command}"
        );
    }
}

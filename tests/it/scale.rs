//! A big generated catalogue builds completely: one page per entry, none missing.
//!
//! The catalogue (2,000 entries) is generated here, in Rust, from a fixed seed,
//! so the test needs nothing but the binary. It checks counts and paths only;
//! nothing here is timed (see `bench/` for speed).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use crate::util::{build_into, files, write_entry, Stream, TestSite};

const ENTRIES: usize = 2000;

const CATALOGUE: &str = r#"title: Scale test
base_url: "/"
kinds:
  - { id: literature, label: Articles,  singular: Article,  dir: literature }
  - { id: practice,   label: Practices, singular: Practice, dir: practices }
facets:
  sectors:
    label: Sectors
    values:
      - { id: health,     label: Health }
      - { id: education,  label: Education }
      - { id: employment, label: Employment }
      - { id: other,      label: Other }
  clusters:
    label: Clusters
    values:
      - { id: person-centeredness, label: Person-centeredness }
      - { id: delivery-system,     label: Delivery system }
      - { id: commitment,          label: Commitment }
      - { id: roles-and-tasks,     label: Roles & tasks }
  countries:
    label: Countries
    values:
      - { id: DK,     label: Denmark }
      - { id: NL,     label: Netherlands }
      - { id: SE,     label: Sweden }
      - { id: GB,     label: United Kingdom }
      - { id: GB-ENG, label: England,  parent: GB }
      - { id: GB-SCT, label: Scotland, parent: GB }
summaries:
  - { id: sector-combinations, title: Sectors, facet: sectors, mode: combinations }
  - { id: countries, title: Countries, facet: countries, mode: counts }
  - { id: clusters-by-country, title: Clusters by country, mode: pivot, rows: clusters, columns: countries }
"#;

const SECTORS: &[&str] = &["health", "education", "employment", "other"];
const CLUSTERS: &[&str] = &[
    "person-centeredness",
    "delivery-system",
    "commitment",
    "roles-and-tasks",
];
const COUNTRIES: &[&str] = &["DK", "NL", "SE", "GB", "GB-ENG", "GB-SCT"];
const WORDS: &[&str] = &[
    "service", "care", "health", "school", "work", "team", "case", "plan", "family", "youth",
    "support", "network", "partner", "budget", "outcome", "review", "pilot", "staff", "user",
    "local", "regional", "shared", "joint", "early", "together",
];

/// Between `min` and `max` distinct items, in list order.
fn some(rng: &mut Stream, items: &[&str], min: usize, max: usize) -> String {
    let count = min + rng.below(max - min + 1);
    let mut chosen = BTreeSet::new();
    while chosen.len() < count {
        chosen.insert(rng.below(items.len()));
    }
    let picked: Vec<&str> = chosen.into_iter().map(|i| items[i]).collect();
    format!("[{}]", picked.join(", "))
}

fn words(rng: &mut Stream, n: usize) -> String {
    (0..n)
        .map(|_| rng.pick(WORDS))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes the site and returns every entry id with its kind folder.
pub(crate) fn generate(root: &Path) -> Vec<(String, &'static str)> {
    std::fs::write(root.join("catalogue.yaml"), CATALOGUE).unwrap();
    let practices = ENTRIES.div_ceil(2);
    let mut rng = Stream(2024);
    let mut ids = Vec::new();
    for (letter, dir, count) in [
        ("P", "practices", practices),
        ("L", "literature", ENTRIES - practices),
    ] {
        std::fs::create_dir_all(root.join("content").join(dir)).unwrap();
        for n in 1..=count {
            let id = format!("{letter}{n:05}");
            let mut text = String::new();
            writeln!(text, "---\nid: {id}\ntitle: {}", words(&mut rng, 3)).unwrap();
            writeln!(text, "countries: {}", some(&mut rng, COUNTRIES, 1, 2)).unwrap();
            writeln!(text, "sectors: {}", some(&mut rng, SECTORS, 1, 4)).unwrap();
            writeln!(text, "clusters: {}", some(&mut rng, CLUSTERS, 0, 4)).unwrap();
            if n > 1 && rng.below(4) == 0 {
                writeln!(text, "related: [{letter}{:05}]", 1 + rng.below(n - 1)).unwrap();
            }
            writeln!(text, "target_group: {}\n---", words(&mut rng, 2)).unwrap();
            writeln!(
                text,
                "{}.\n\n- {}\n- {}\n",
                words(&mut rng, 40),
                words(&mut rng, 8),
                words(&mut rng, 8)
            )
            .unwrap();
            if rng.below(5) == 0 {
                writeln!(
                    text,
                    "| A | B |\n|---|---|\n| {} | {} |\n",
                    words(&mut rng, 2),
                    rng.below(100)
                )
                .unwrap();
            }
            writeln!(
                text,
                "See [{}](https://example.org/{n}).",
                words(&mut rng, 2)
            )
            .unwrap();
            write_entry(root, dir, &id, &text);
            ids.push((id, dir));
        }
    }
    ids
}

/// Entry pages: `<dir>/<id>/index.html` directly under a kind folder.
fn entry_pages(output: &Path, dir: &str) -> BTreeSet<String> {
    let mut pages = BTreeSet::new();
    for item in std::fs::read_dir(output.join(dir)).unwrap() {
        let item = item.unwrap();
        if item.path().join("index.html").is_file() {
            pages.insert(item.file_name().to_string_lossy().into_owned());
        }
    }
    pages
}

#[test]
fn two_thousand_entries_build_with_one_page_each() {
    let site = TestSite::empty();
    let ids = generate(site.root());
    assert_eq!(ids.len(), ENTRIES);
    let out_parent = tempfile::tempdir().unwrap();
    let output = out_parent.path().join("public");

    let run = build_into(site.root(), &output);
    let stdout = &run.stdout;
    assert!(
        stdout.contains("2000 entries (1000 articles, 1000 practices)"),
        "{stdout}"
    );

    let practices = entry_pages(&output, "practices");
    let literature = entry_pages(&output, "literature");
    assert_eq!(practices.len() + literature.len(), ENTRIES);
    for (id, dir) in &ids {
        let pages = if *dir == "practices" {
            &practices
        } else {
            &literature
        };
        assert!(
            pages.contains(&id.to_lowercase()),
            "no page for {id} under {dir}/"
        );
    }
    // The page count the build reports is the number of HTML pages on disk
    // (every `index.html` and `404.html`), more than the entry pages alone.
    // "built 2000 entries (…), 2400 pages (2409 files) into … in … ms"
    let reported: usize = stdout
        .split_once(" pages (")
        .and_then(|(before, _)| before.rsplit(' ').next()?.parse().ok())
        .expect("the build reports its page count");
    let on_disk = files(&output)
        .iter()
        .filter(|path| path.extension().is_some_and(|x| x == "html"))
        .count();
    assert_eq!(on_disk, reported, "{stdout}");
    assert!(reported > ENTRIES + 3, "{stdout}");
    // Every entry is in catalogue.json too.
    let json = std::fs::read_to_string(output.join("catalogue.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["entries"].as_array().map(Vec::len), Some(ENTRIES));
}

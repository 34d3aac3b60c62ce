//! Summary arithmetic on small hand-made catalogues, and the CSV layout.

use super::*;
use crate::config::Config;
use crate::model::Entry;
use std::path::PathBuf;

const CONFIG: &str = r#"
title: Test
kinds:
  - { id: literature, label: Articles, dir: literature }
  - { id: practice, label: Practices, dir: practices }
facets:
  sectors:
    - { id: health, label: Health }
    - { id: education, label: Education }
    - { id: employment, label: Employment }
  countries:
    - { id: GB, label: United Kingdom }
    - { id: GB-ENG, label: England, parent: GB }
    - { id: DK, label: Denmark }
summaries:
  - { id: combos, facet: sectors, mode: combinations }
  - { id: countries, facet: countries, mode: counts }
  - { id: presence, facet: sectors, mode: presence }
  - { id: pivot, mode: pivot, rows: sectors, columns: countries }
  - { id: pivot-combo, mode: pivot, rows: countries, columns: sectors, columns_by: combination }
"#;

/// A bare entry numbered `i`, of `kind`, with these value indices per facet.
fn entry(i: usize, kind: usize, facets: Vec<Vec<usize>>) -> Entry {
    Entry {
        id: format!("E{i}"),
        slug: format!("e{i}"),
        kind,
        title: format!("Entry {i}"),
        facets,
        related: Vec::new(),
        fields: Default::default(),
        body_html: String::new(),
        source: PathBuf::new(),
        body_line: 1,
        front_matter: String::new(),
    }
}

/// The catalogue of `config` and `entries`, with its index.
fn indexed(config: Config, entries: Vec<Entry>) -> (Catalogue, Index) {
    let catalogue = Catalogue {
        config,
        entries,
        pages: Vec::new(),
    };
    let index = Index::build(&catalogue);
    (catalogue, index)
}

/// (kind, sectors, countries) per entry.
fn catalogue(entries: &[(usize, &[&str], &[&str])]) -> (Catalogue, Index) {
    let (config, _) = Config::parse(CONFIG).unwrap();
    let entries = entries
        .iter()
        .enumerate()
        .map(|(i, (kind, sectors, countries))| {
            let ids = |facet: usize, list: &[&str]| {
                let mut v: Vec<usize> = list
                    .iter()
                    .map(|id| config.facets[facet].by_id[*id])
                    .collect();
                v.sort_unstable();
                v
            };
            entry(i, *kind, vec![ids(0, sectors), ids(1, countries)])
        })
        .collect();
    indexed(config, entries)
}

/// Three articles and two practices; article 1 names two countries, practice 4
/// names no sector.
fn sample() -> (Catalogue, Index) {
    catalogue(&[
        (0, &["health"], &["GB-ENG"]),
        (0, &["health", "education"], &["GB-ENG", "DK"]),
        (0, &["health"], &["GB"]),
        (1, &["education", "health"], &["DK"]),
        (1, &[], &["DK"]),
    ])
}

fn csv(id: &str) -> Vec<Vec<String>> {
    let (c, i) = sample();
    let spec = c
        .config
        .summaries
        .iter()
        .find(|s| s.id == id)
        .unwrap()
        .clone();
    let table = compute(&c, &i, &spec);
    csv_rows(&c, &spec, &table)
}

fn rows(lines: &[&str]) -> Vec<Vec<String>> {
    lines
        .iter()
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

#[test]
fn combinations_group_subtotal_and_total() {
    assert_eq!(
        csv("combos"),
        rows(&[
            "group,combination,literature,practice",
            "One sector,Health,2,0",
            "One sector,Subtotal,2,0",
            "Two sectors,Health & education,1,1",
            "Two sectors,Subtotal,1,1",
            "None,None,0,1",
            "Total,Total,3,2",
        ])
    );
}

#[test]
fn counts_count_mentions_and_keep_children_after_parent() {
    // The article naming England and Denmark counts under both: 4 mentions by 3 articles.
    assert_eq!(
        csv("countries"),
        rows(&[
            "value,parent,literature,practice",
            "United Kingdom,,1,0",
            "England,United Kingdom,2,0",
            "Denmark,,1,2",
            "Total,,4,2",
        ])
    );
}

#[test]
fn presence_shares_round_half_up() {
    // Health: 3 of 3 articles, 1 of 2 practices (50%); Education 1/3 = 33%.
    assert_eq!(
        csv("presence"),
        rows(&[
            "value,literature_n,literature_pct,practice_n,practice_pct",
            "Health,3,100,1,50",
            "Education,1,33,1,50",
            "Employment,0,0,0,0",
        ])
    );
    assert_eq!(percent(1, 8), 13); // 12.5 rounds up
    assert_eq!(percent(9, 44), 20);
    assert_eq!(percent(26, 34), 76);
    assert_eq!(percent(0, 0), 0);
}

#[test]
fn pivot_cells_and_distinct_totals() {
    // Rows: sectors; columns: countries present (GB, England, Denmark).
    assert_eq!(
        csv("pivot"),
        rows(&[
            "sector,United Kingdom,England,Denmark,Total",
            "Health,1,2,2,4",
            "Education,0,1,2,2",
            "Employment,0,0,0,0",
            // Entry 4 names Denmark but no sector, so it is in no cell or total.
            "Total,1,2,2,4",
        ])
    );
}

#[test]
fn pivot_by_combination() {
    assert_eq!(
        csv("pivot-combo"),
        rows(&[
            "country,Health,Health & education,Total",
            "United Kingdom,1,0,1",
            "England,1,1,2",
            "Denmark,0,2,2",
            "Total,2,2,4",
        ])
    );
}

#[test]
fn csv_quotes_commas_and_quotes() {
    let (mut c, i) = sample();
    c.config.facets[0].values[0].label = "Health, \"care\"".into();
    let spec = c.config.summaries[0].clone();
    let bytes = to_csv(&c, &spec, &compute(&c, &i, &spec));
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.contains("One sector,\"Health, \"\"care\"\"\",2,0\r\n"),
        "{text}"
    );
}

#[test]
fn group_labels() {
    assert_eq!(group_label(1, "sector", "sectors"), "One sector");
    assert_eq!(group_label(4, "sector", "sectors"), "Four sectors");
    assert_eq!(group_label(12, "cluster", "clusters"), "12 clusters");
}

#[test]
fn where_restricts_a_presence_table_and_its_base() {
    let (config, _) = Config::parse(
        "title: T\nkinds:\n  - { id: practice, label: Practices, dir: practices }\nfacets:\n  methods:\n    - { id: plan, label: Plan }\n    - { id: own, label: Own plan }\n    - { id: other, label: Other }\nsummaries:\n  - { id: plans, facet: methods, mode: presence, where: {methods: [plan]} }\n",
    )
    .unwrap();
    let methods: [&[usize]; 5] = [&[0, 1], &[0], &[0, 1], &[2], &[1]];
    let entries = methods
        .iter()
        .enumerate()
        .map(|(i, m)| entry(i, 0, vec![m.to_vec()]))
        .collect();
    let (catalogue, index) = indexed(config, entries);
    let Table::Presence(t) = compute(&catalogue, &index, &catalogue.config.summaries[0]) else {
        panic!("a presence table")
    };
    // Three entries have a plan; two of them their own (the fifth is not counted).
    assert_eq!(t.base, [3]);
    assert_eq!(t.rows, [(0, vec![3]), (1, vec![2]), (2, vec![0])]);
}

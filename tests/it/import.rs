//! `casebook import` from `.csv`, `.xlsx` and `.ods` sheets (the XLSX files
//! written by `rust_xlsxwriter`, the ODS files as minimal OpenDocument zips,
//! both read back by calamine), and the `entries.csv` export it mirrors:
//! export → import → build gives the same `catalogue.json`.

use std::path::Path;

use serde_json::Value;

use crate::util::{snapshot, text_row, write_ods, write_xlsx, SheetCell, TestSite};

fn import(site: &TestSite, sheet: &Path, args: &[&str]) -> crate::util::Run {
    let mut all = vec!["import", sheet.to_str().unwrap()];
    all.extend(args);
    site.run(&all)
}

fn entry_json(site: &TestSite, id: &str) -> Value {
    let doc: Value = serde_json::from_str(&site.read("public/catalogue.json")).unwrap();
    doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in catalogue.json"))
        .clone()
}

#[test]
fn csv_with_labels_ids_mixed_case_empty_and_multi_line_cells() {
    let site = TestSite::fixture("basic");
    let sheet = site.path("cases.csv");
    std::fs::write(
        &sheet,
        concat!(
            "ID,Title,Countries,sector,DMIC Clusters,Target group,Year,Started,Body\r\n",
            "P20,Neighbourhood teams,denmark; GB-ENG,HEALTH;education,\"commitment\nDelivery system\",Older people,2015,2015-03-01,\"A **body**\n\nwith two paragraphs.\"\r\n",
            ",No id here,,,,,,,\r\n",
        ),
    )
    .unwrap();
    let run = import(&site, &sheet, &["--kind", "practice"]);
    run.assert_code(0);
    assert!(
        run.stdout.contains("p20-neighbourhood-teams.md (P20)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("2 entries created, 0 updated, 0 unchanged"),
        "{}",
        run.stdout
    );
    let text = site.read("content/practices/p20-neighbourhood-teams.md");
    assert_eq!(
        text,
        concat!(
            "---\n",
            "id: P20\n",
            "title: Neighbourhood teams\n",
            "countries: [GB-ENG, DK]\n",
            "sectors: [health, education]\n",
            "clusters: [commitment, delivery-system]\n",
            "target_group: Older people\n",
            "year: 2015\n",
            "started: 2015-03-01\n",
            "---\n",
            "A **body**\n\nwith two paragraphs.\n",
        )
    );
    // A row without an id gets the next free one; its empty cells are left out.
    assert_eq!(
        site.read("content/practices/p21-no-id-here.md"),
        "---\nid: P21\ntitle: No id here\n---\n"
    );
    site.run(&["check"]).assert_code(0);
    site.build();
    let p20 = entry_json(&site, "P20");
    assert_eq!(p20["fields"]["year"], 2015);
    assert_eq!(p20["fields"]["started"], "2015-03-01");
    assert_eq!(p20["countries"], serde_json::json!(["GB-ENG", "DK"]));
}

fn spreadsheet_rows() -> Vec<Vec<SheetCell>> {
    use SheetCell::*;
    vec![
        text_row(&[
            "id",
            "Title",
            "Countries",
            "Year",
            "Share",
            "Started",
            "Funded",
            "Body",
        ]),
        vec![
            Text("P30".into()),
            Text("Recovery".into()),
            Text("Denmark".into()),
            Number(2015.0),
            Number(1.5),
            Date(2015, 3, 1),
            Bool(true),
            Text("First line.\nSecond line.".into()),
        ],
        vec![
            Empty,
            Text("Without much".into()),
            Text("united kingdom".into()),
            Empty,
            Empty,
            Empty,
            Empty,
            Empty,
        ],
    ]
}

const IMPORTED_P30: &str = concat!(
    "---\n",
    "id: P30\n",
    "title: Recovery\n",
    "countries: [DK]\n",
    "year: 2015\n",
    "share: 1.5\n",
    "started: 2015-03-01\n",
    "funded: true\n",
    "---\n",
    "First line.\nSecond line.\n",
);

#[test]
fn xlsx_numbers_dates_and_a_named_sheet() {
    let site = TestSite::fixture("basic");
    let sheet = site.path("cases.xlsx");
    write_xlsx(&sheet, "Cases", true, &spreadsheet_rows());
    // The first sheet ("Notes") is empty.
    let run = import(&site, &sheet, &["--kind", "practice"]);
    run.assert_code(1);
    run.assert_stderr_has("the sheet is empty");
    let named = site.path("cases.xlsx#Cases");
    let run = import(&site, &named, &["--kind", "practices"]);
    run.assert_code(0);
    assert_eq!(site.read("content/practices/p30-recovery.md"), IMPORTED_P30);
    assert_eq!(
        site.read("content/practices/p31-without-much.md"),
        "---\nid: P31\ntitle: Without much\ncountries: [GB]\n---\n"
    );
    site.build();
    let p30 = entry_json(&site, "P30");
    assert_eq!(p30["fields"]["year"], 2015);
    assert_eq!(p30["fields"]["share"], 1.5);
    assert_eq!(p30["fields"]["funded"], true);
    // A sheet name that is not there is reported with its near miss.
    let run = import(
        &site,
        &site.path("cases.xlsx#cases2"),
        &["--kind", "practice"],
    );
    run.assert_code(1);
    run.assert_stderr_has("no sheet named \"cases2\" (did you mean \"Cases\"?)");
}

#[test]
fn ods_reads_like_xlsx() {
    let site = TestSite::fixture("basic");
    let sheet = site.path("cases.ods");
    write_ods(&sheet, "Cases", &spreadsheet_rows());
    import(&site, &sheet, &["--kind", "practice"]).assert_code(0);
    assert_eq!(site.read("content/practices/p30-recovery.md"), IMPORTED_P30);
    site.run(&["check"]).assert_code(0);
}

#[test]
fn errors_are_located_at_cells_with_suggestions_and_nothing_is_written() {
    let site = TestSite::fixture("basic");
    let sheet = site.path("cases.xlsx");
    let mut rows = vec![text_row(&["id", "title", "countries", "Sectrs", "related"])];
    for n in 2..=14 {
        let id = format!("P{}", 100 + n);
        let title = format!("Case {n}");
        rows.push(text_row(&[&id, &title, "DK", "", ""]));
    }
    rows[13][2] = SheetCell::Text("Denmrak".into()); // row 14, column C
    rows[3][1] = SheetCell::Empty; // row 4: no title
    rows[5][0] = SheetCell::Text("P105".into()); // row 6 repeats row 5's id
    rows[6][0] = SheetCell::Text("P1".into()); // row 7: an existing entry
    rows[7][4] = SheetCell::Text("P2; p10".into()); // row 8: ids are spelt exactly
    write_xlsx(&sheet, "Sheet1", false, &rows);
    let before = snapshot(&site.path("content"));
    let run = import(&site, &sheet, &["--kind", "practice"]);
    run.assert_code(1);
    run.assert_stderr_has(
        "cases.xlsx:14:C: unknown country \"Denmrak\" (did you mean \"Denmark (DK)\"?)",
    );
    run.assert_stderr_has("cases.xlsx:4:B: missing title");
    run.assert_stderr_has("cases.xlsx:6:A: duplicate id \"P105\": row 5 has it too");
    run.assert_stderr_has(
        "cases.xlsx:7:A: entry \"P1\" already exists (content/practices/p1.md); use --update",
    );
    run.assert_stderr_has(
        "cases.xlsx:8:E: related entry \"p10\" does not exist (did you mean \"P10\"?)",
    );
    run.assert_stderr_has("cases.xlsx:1:D: warning: column \"Sectrs\" is not a facet");
    run.assert_stderr_has("(did you mean \"sectors\"?)");
    run.assert_stderr_has("nothing was written");
    // All in one run, in sheet order.
    let located: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("cases.xlsx:"))
        .collect();
    assert_eq!(located.len(), 6, "{}", run.stderr);
    assert_eq!(snapshot(&site.path("content")), before);
}

#[test]
fn an_unknown_kind_is_bad_usage() {
    let site = TestSite::fixture("basic");
    let sheet = site.path("cases.csv");
    std::fs::write(&sheet, "id,title\nP9,T\n").unwrap();
    let run = import(&site, &sheet, &["--kind", "practise"]);
    run.assert_code(2);
    run.assert_stderr_has("unknown kind \"practise\" (did you mean \"practice\"?)");
}

#[test]
fn update_keeps_bodies_and_unlisted_fields_and_leaves_unchanged_files_alone() {
    let site = TestSite::fixture("basic");
    let p1_before = site.read("content/practices/p1.md");
    let p2 = site.path("content/practices/p2.md");
    let p2_bytes = std::fs::read(&p2).unwrap();
    let p2_time = std::fs::metadata(&p2).unwrap().modified().unwrap();
    let sheet = site.path("cases.csv");
    // P2 is written `country: GB-ENG` in its file; "England" is the same value.
    std::fs::write(
        &sheet,
        concat!(
            "id,title,countries,sectors,target_group,year\n",
            "P1,Helpdesk for all pupils,GB,education; health,,2019\n",
            "P2,Home care,England,Health,,\n",
        ),
    )
    .unwrap();
    // Without --update, existing ids are errors.
    import(&site, &sheet, &["--kind", "practice"]).assert_code(1);
    assert_eq!(site.read("content/practices/p1.md"), p1_before);

    let run = import(&site, &sheet, &["--kind", "practice", "--update"]);
    run.assert_code(0);
    assert!(
        run.stdout
            .contains("p1.md (P1): changed title, countries; added year; removed target_group"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("0 entries created, 1 updated, 1 unchanged"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("p2.md"), "{}", run.stdout);
    assert_eq!(
        site.read("content/practices/p1.md"),
        concat!(
            "---\n",
            "id: P1\n",
            "title: Helpdesk for all pupils\n",
            "countries: [GB]\n",
            "sectors: [education, health]\n",
            "clusters: [commitment]\n",
            "url: https://example.org/helpdesk\n",
            "related: [L1]\n",
            "year: 2019\n",
            "---\n",
            "A helpdesk. See also [the other practice](P2).\n",
        )
    );
    assert_eq!(std::fs::read(&p2).unwrap(), p2_bytes);
    assert_eq!(std::fs::metadata(&p2).unwrap().modified().unwrap(), p2_time);
    site.run(&["check"]).assert_code(0);
    // The same sheet again changes nothing.
    let again = import(&site, &sheet, &["--kind", "practice", "--update"]);
    again.assert_code(0);
    assert!(
        again.stdout.contains("0 updated, 2 unchanged"),
        "{}",
        again.stdout
    );
}

#[test]
fn dry_run_writes_nothing() {
    let site = TestSite::fixture("basic");
    let sheet = site.path("cases.csv");
    std::fs::write(
        &sheet,
        "id,title,countries\nP40,New case,DK\nP1,Changed,DK\n",
    )
    .unwrap();
    let before = snapshot(site.root());
    let run = import(
        &site,
        &sheet,
        &["--kind", "practice", "--update", "--dry-run"],
    );
    run.assert_code(0);
    assert!(
        run.stdout.contains("would create")
            && run.stdout.contains("p40-new-case.md (P40)")
            && run.stdout.contains("would update")
            && run.stdout.contains("nothing was written"),
        "{}",
        run.stdout
    );
    assert_eq!(snapshot(site.root()), before);
}

#[test]
fn entries_csv_is_linked_from_the_kind_page_and_keeps_value_types() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/practices/p3.md",
        "---\nid: P3\ntitle: Typed\nvolume: \"12\"\nyear: 2015\nauthors: [\"Doe, Jane\", Roe]\nnote: \"'quoted\"\n---\nBody.\n",
    );
    site.build();
    let html = site.html("public/practices/index.html");
    let links = crate::util::select(&html, "a[download]");
    let link = links
        .iter()
        .find(|a| crate::util::text(a) == "Download as a spreadsheet (CSV)")
        .expect("a download link on the kind page");
    assert_eq!(link.value().attr("href"), Some("../practices/entries.csv"));
    let rows = site.csv("public/practices/entries.csv");
    assert_eq!(
        &rows[0][..6],
        ["id", "title", "sectors", "clusters", "countries", "related"]
    );
    assert_eq!(rows[0].last().map(String::as_str), Some("body"));
    let column = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let p1 = rows.iter().find(|r| r[0] == "P1").unwrap();
    assert_eq!(p1[column("sectors")], "health; education");
    assert_eq!(p1[column("related")], "L1");
    let p3 = rows.iter().find(|r| r[0] == "P3").unwrap();
    assert_eq!(p3[column("volume")], "'12");
    assert_eq!(p3[column("year")], "2015");
    assert_eq!(p3[column("authors")], "[\"Doe, Jane\", Roe]");
    assert_eq!(p3[column("note")], "''quoted");
    assert_eq!(p3[column("body")], "Body.");

    // Back in through import, into a site with the same catalogue.yaml.
    let fresh = TestSite::empty();
    fresh.write("catalogue.yaml", &site.read("catalogue.yaml"));
    for kind in ["literature", "practices"] {
        let csv = site.path(&format!("public/{kind}/entries.csv"));
        import(&fresh, &csv, &["--kind", kind]).assert_code(0);
    }
    fresh.build();
    assert_eq!(
        fresh.read("public/catalogue.json"),
        site.read("public/catalogue.json")
    );
    assert!(fresh
        .read("content/practices/p3-typed.md")
        .contains("volume: \"12\"\n"));
}

/// Rows of a summary CSV keyed by their first cell.
fn rows_by_first(rows: &[Vec<String>]) -> std::collections::HashMap<String, Vec<String>> {
    rows.iter()
        .skip(1)
        .map(|r| (r[0].clone(), r[1..].to_vec()))
        .collect()
}

#[test]
fn shipped_catalogue_round_trips_through_entries_csv() {
    let (shipped, _) = TestSite::shipped_built();
    let fresh = TestSite::empty();
    fresh.write("catalogue.yaml", &shipped.read("catalogue.yaml"));
    for (kind, dir) in [("literature", "literature"), ("practice", "practices")] {
        let csv = shipped.path(&format!("public/{dir}/entries.csv"));
        let run = import(&fresh, &csv, &["--kind", kind]);
        run.assert_code(0);
    }
    let run = fresh.build();
    assert!(
        run.stdout
            .starts_with("built 78 entries (34 articles, 44 practices)"),
        "{}",
        run.stdout
    );
    assert!(
        fresh.read("public/catalogue.json") == shipped.read("public/catalogue.json"),
        "catalogue.json differs after export and import"
    );
    // The summary tables are the same files, so they still reproduce the
    // review's tables (tests/it/shipped.rs checks the originals against
    // tests/fixtures/review-tables.json); spot-check Table 3 here too.
    for summary in ["sector-combinations", "countries", "clusters"] {
        let path = format!("public/summary/{summary}.csv");
        assert_eq!(fresh.read(&path), shipped.read(&path), "{path}");
    }
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(crate::util::repo().join("tests/fixtures/review-tables.json"))
            .unwrap(),
    )
    .unwrap();
    let countries = rows_by_first(&fresh.csv("public/summary/countries.csv"));
    for country in reference["table3_countries"].as_array().unwrap() {
        let row = &countries[country["label"].as_str().unwrap()];
        assert_eq!(row[1], country["literature"].to_string());
        assert_eq!(row[2], country["practice"].to_string());
    }
    assert_eq!(countries["Total"], ["", "37", "44"]);
    let combinations = fresh.csv("public/summary/sector-combinations.csv");
    assert_eq!(
        combinations.last().unwrap(),
        &["Total", "Total", "34", "44"]
    );
    // And the export of the imported site is the same spreadsheet.
    for dir in ["literature", "practices"] {
        let path = format!("public/{dir}/entries.csv");
        assert_eq!(fresh.read(&path), shipped.read(&path), "{path}");
    }
}

#[test]
fn related_entries_of_a_kind_not_imported_yet_are_a_warning() {
    let site = TestSite::fixture("basic");
    let sheet = site.path("articles.csv");
    std::fs::write(&sheet, "id,title,related\nL5,Cites a practice,P7\n").unwrap();
    let run = import(&site, &sheet, &["--kind", "literature"]);
    run.assert_code(0);
    run.assert_stderr_has(
        "articles.csv:2:C: warning: related entry \"P7\" is not in the site or this sheet",
    );
    // `check` reports it until the practice is there too.
    site.run(&["check"]).assert_code(1);
    let practices = site.path("practices.csv");
    std::fs::write(&practices, "id,title,related\nP7,Cited,L5\n").unwrap();
    import(&site, &practices, &["--kind", "practice"]).assert_code(0);
    site.run(&["check"]).assert_code(0);
}

/// The example sheets of the guide, `docs/examples/cases.{csv,xlsx}`.
fn docs_example(name: &str) -> std::path::PathBuf {
    crate::util::repo().join("docs/examples").join(name)
}

/// Rewrites `docs/examples/cases.xlsx` from `cases.csv` with real cell types
/// (numbers, dates): `cargo test --test it -- --ignored write_docs_example`.
#[test]
#[ignore = "writes docs/examples/cases.xlsx; run by hand after changing cases.csv"]
fn write_docs_example_xlsx() {
    let mut reader = csv::Reader::from_path(docs_example("cases.csv")).unwrap();
    let mut rows = vec![text_row(
        &reader.headers().unwrap().iter().collect::<Vec<_>>(),
    )];
    for record in reader.records() {
        let cells = record
            .unwrap()
            .iter()
            .map(|cell| {
                let date: Vec<&str> = cell.split('-').collect();
                if let Ok(n) = cell.parse::<f64>() {
                    SheetCell::Number(n)
                } else if date.len() == 3 && date.iter().all(|p| p.parse::<u16>().is_ok()) {
                    let part = |i: usize| date[i].parse::<u16>().unwrap();
                    SheetCell::Date(part(0), part(1) as u8, part(2) as u8)
                } else if cell.is_empty() {
                    SheetCell::Empty
                } else {
                    SheetCell::Text(cell.to_string())
                }
            })
            .collect();
        rows.push(cells);
    }
    write_xlsx(&docs_example("cases.xlsx"), "Cases", false, &rows);
}

#[test]
fn docs_example_sheets_import_into_a_new_site_alike() {
    let mut imported = Vec::new();
    for name in ["cases.csv", "cases.xlsx"] {
        let site = TestSite::empty();
        crate::util::run(&["init", "."], site.root()).assert_code(0);
        let run = import(&site, &docs_example(name), &["--kind", "practice"]);
        run.assert_code(0);
        assert!(
            run.stdout.contains("3 entries created") && run.stderr.is_empty(),
            "{name}:\n{}\n{}",
            run.stdout,
            run.stderr
        );
        site.run(&["check"]).assert_code(0);
        imported.push(snapshot(&site.path("content/practices")));
    }
    assert_eq!(
        imported[0], imported[1],
        "the CSV and the XLSX import alike"
    );
    let family_hubs = &imported[0][Path::new("p2-family-hubs.md")];
    let text = String::from_utf8_lossy(family_hubs);
    assert!(
        text.contains("countries: [GB-SCT]\n") && text.contains("year: 2021\n"),
        "{text}"
    );
}

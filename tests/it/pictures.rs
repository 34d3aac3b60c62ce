//! The pictures of the shipped site, read back from the built files: the maps
//! of Europe on the countries summary and facet page (each SVG parsed as XML),
//! the heat-shaded pivot tables and the bar charts, checked against the
//! countries CSV and `catalogue.json`.

use std::collections::BTreeMap;

use scraper::{ElementRef, Html};
use serde_json::Value;

use crate::util::{select, text, TestSite};

fn built() -> &'static TestSite {
    &TestSite::shipped_built().0
}

/// A country of the vocabulary, with its row of the countries CSV.
struct Country {
    id: String,
    label: String,
    parent: Option<String>,
    /// The CSV's count per kind id (entries naming exactly this value).
    csv: BTreeMap<String, usize>,
}

/// The catalogue's entries as (kind id, country ids).
fn entries(catalogue: &Value) -> Vec<(String, Vec<String>)> {
    let list = catalogue["entries"].as_array().expect("entries");
    list.iter()
        .map(|e| {
            let kind = e["kind"].as_str().expect("kind").to_string();
            let countries = e["countries"].as_array().expect("countries list");
            let ids = countries
                .iter()
                .filter_map(|c| c.as_str())
                .map(String::from);
            (kind, ids.collect())
        })
        .collect()
}

fn catalogue() -> Value {
    serde_json::from_str(&built().read("public/catalogue.json")).expect("catalogue.json parses")
}

/// The countries of the vocabulary in CSV order, with their CSV counts.
fn countries(catalogue: &Value) -> Vec<Country> {
    let csv = built().csv("public/summary/countries.csv");
    let header = &csv[0];
    assert_eq!(header[..2], ["value", "parent"]);
    let vocabulary = catalogue["facets"]["countries"]["values"]
        .as_array()
        .expect("countries vocabulary");
    let id_of = |label: &str| {
        vocabulary
            .iter()
            .find(|v| v["label"] == label)
            .and_then(|v| v["id"].as_str())
            .unwrap_or_else(|| panic!("{label} is not in the vocabulary"))
            .to_string()
    };
    csv[1..]
        .iter()
        .filter(|row| row[0] != "Total")
        .map(|row| Country {
            id: id_of(&row[0]),
            label: row[0].clone(),
            parent: (!row[1].is_empty()).then(|| id_of(&row[1])),
            csv: header[2..]
                .iter()
                .zip(&row[2..])
                .map(|(k, n)| (k.clone(), n.parse().expect("a count")))
                .collect(),
        })
        .collect()
}

/// Ids of `id` and every value under it.
fn subtree(countries: &[Country], id: &str) -> Vec<String> {
    let mut ids = vec![id.to_string()];
    let mut i = 0;
    while i < ids.len() {
        let children = countries
            .iter()
            .filter(|c| c.parent.as_deref() == Some(ids[i].as_str()));
        ids.extend(children.map(|c| c.id.clone()).collect::<Vec<_>>());
        i += 1;
    }
    ids
}

/// A linked place on a map.
#[derive(Debug)]
struct Place {
    href: String,
    title: String,
    /// The class of each path or circle drawn for it.
    classes: Vec<String>,
}

/// One map figure: its SVG parsed as XML, its places and its legend.
struct Figure {
    id: String,
    places: Vec<Place>,
    /// (class, low, high) of each legend entry, lowest first.
    legend: Vec<(String, usize, usize)>,
}

/// "2–3 entries" → (2, 3); "1 entry" → (1, 1).
fn range(text: &str) -> (usize, usize) {
    let numbers = text.split_whitespace().next().expect("a range");
    let (low, high) = numbers.split_once('–').unwrap_or((numbers, numbers));
    (low.parse().expect("low"), high.parse().expect("high"))
}

/// Every `<svg>` element of a page's text whose class is `class`, as written.
fn raw_svgs(page: &str, class: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = page;
    while let Some(start) = rest.find("<svg ") {
        let end = rest[start..].find("</svg>").expect("an <svg> is closed") + start + 6;
        let svg = &rest[start..end];
        let open = &svg[..svg.find('>').unwrap_or(0)];
        if open.contains(&format!("class=\"{class}\"")) {
            found.push(svg.to_string());
        }
        rest = &rest[end..];
    }
    found
}

/// Every map figure of a page (its text), in order.
fn figures(page: &str) -> Vec<Figure> {
    let html = Html::parse_document(page);
    let svgs = raw_svgs(page, "map");
    let figures = select(&html, "figure.map-figure");
    assert_eq!(svgs.len(), figures.len(), "one map per figure");
    figures
        .into_iter()
        .zip(svgs)
        .map(|(figure, svg)| {
            let doc = roxmltree::Document::parse(&svg).expect("the map is well-formed XML");
            let root = doc.root_element();
            let id = root
                .attribute("aria-labelledby")
                .and_then(|t| t.strip_suffix("-title"))
                .expect("the map is labelled by its title")
                .to_string();
            let title = doc
                .descendants()
                .find(|n| n.attribute("id") == Some(&format!("{id}-title")));
            assert!(
                title.is_some_and(|t| t.has_tag_name("title")),
                "{id}: no <title>"
            );
            let desc = doc
                .descendants()
                .find(|n| n.attribute("id") == Some(&format!("{id}-desc")));
            let desc = desc.and_then(|d| d.text()).unwrap_or_default();
            assert!(desc.contains("shaded darker"), "{id}: <desc> {desc:?}");
            let places = doc
                .descendants()
                .filter(|n| n.has_tag_name("a"))
                .map(|a| Place {
                    href: a.attribute("href").unwrap_or_default().to_string(),
                    title: a
                        .children()
                        .find(|c| c.has_tag_name("title"))
                        .and_then(|t| t.text())
                        .unwrap_or_default()
                        .to_string(),
                    classes: a
                        .children()
                        .filter(|c| c.has_tag_name("path") || c.has_tag_name("circle"))
                        .filter_map(|c| c.attribute("class"))
                        .map(|c| c.split(' ').next().unwrap_or_default().to_string())
                        .collect(),
                })
                .collect();
            let legend = select_in(&figure, "ul.map-legend li")
                .into_iter()
                .filter_map(|li| {
                    let swatch = select_in(&li, ".map-swatch").into_iter().next()?;
                    let class = swatch.value().classes().find(|c| *c != "map-swatch")?;
                    let label = text(&li);
                    (class != "map-none").then(|| {
                        let (low, high) = range(&label);
                        (class.to_string(), low, high)
                    })
                })
                .collect();
            Figure { id, places, legend }
        })
        .collect()
}

fn select_in<'a>(element: &ElementRef<'a>, css: &str) -> Vec<ElementRef<'a>> {
    element
        .select(&scraper::Selector::parse(css).expect("a selector"))
        .collect()
}

/// (count, {kind label: count}) from "Denmark: 7 entries (4 articles, 3 practices)".
fn parse_title(title: &str, label: &str) -> (usize, BTreeMap<String, usize>) {
    let rest = title
        .strip_prefix(&format!("{label}: "))
        .unwrap_or_else(|| panic!("{title:?} does not begin with {label:?}"));
    let (count, rest) = rest.split_once(' ').expect("a count");
    assert!(rest.starts_with("entr"), "{title}");
    let mut parts = BTreeMap::new();
    if let Some(inner) = rest.split_once('(').map(|(_, r)| r.trim_end_matches(')')) {
        for part in inner.split(", ") {
            let (n, noun) = part.split_once(' ').expect("n kind");
            parts.insert(noun.to_string(), n.parse().expect("a count"));
        }
    }
    (count.parse().expect("a count"), parts)
}

/// "articles"/"article" → "literature": the kind a breakdown noun names.
fn kind_of(catalogue: &Value, noun: &str) -> String {
    let kinds = catalogue["kinds"].as_array().expect("kinds");
    kinds
        .iter()
        .find(|k| {
            let label = k["label"].as_str().unwrap_or_default().to_lowercase();
            label == noun || label.strip_suffix('s') == Some(noun)
        })
        .and_then(|k| k["id"].as_str())
        .unwrap_or_else(|| panic!("no kind called {noun}"))
        .to_string()
}

/// Checks a page's maps: one for all entries and one per kind; every
/// country is a linked shape or listed under the maps; every title's counts
/// are the entries under the country (children rolled up), which the CSV
/// gives as mentions; shading follows the legend.
fn check_maps(page: &str) {
    let site = built();
    let catalogue = catalogue();
    let entries = entries(&catalogue);
    let countries = countries(&catalogue);
    let text_of_page = site.read(page);
    let html = Html::parse_document(&text_of_page);
    let figures = figures(&text_of_page);
    let ids: Vec<&str> = figures.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "map-countries-all",
            "map-countries-literature",
            "map-countries-practice"
        ],
        "{page}"
    );
    let unplaced: Vec<String> = select(&html, "ul.map-unplaced li a")
        .iter()
        .map(|a| a.value().attr("href").unwrap_or_default().to_string())
        .collect();
    for figure in &figures {
        let only_kind = figure
            .id
            .strip_prefix("map-countries-")
            .filter(|k| *k != "all");
        for country in &countries {
            let href_end = format!("countries/{}/", country.id.to_lowercase());
            let place = figure.places.iter().find(|p| p.href.ends_with(&href_end));
            let Some(place) = place else {
                assert!(
                    unplaced.iter().any(|h| h.ends_with(&href_end)),
                    "{page} {}: {} is neither on the map nor listed under it",
                    figure.id,
                    country.label
                );
                continue;
            };
            // Entries naming the country or a part of it, and their mentions
            // of it and its parts, which is what the CSV rows add up to.
            let under = subtree(&countries, &country.id);
            let counted = |kind: Option<&str>| {
                entries
                    .iter()
                    .filter(|(k, _)| kind.is_none_or(|kind| k == kind))
                    .filter(|(_, cs)| cs.iter().any(|c| under.contains(c)))
                    .count()
            };
            for (kind, n) in &country.csv {
                let mentions: usize = entries
                    .iter()
                    .filter(|(k, _)| k == kind)
                    .map(|(_, cs)| cs.iter().filter(|c| under.contains(c)).count())
                    .sum();
                let csv_rows: usize = countries
                    .iter()
                    .filter(|c| under.contains(&c.id))
                    .map(|c| c.csv[kind])
                    .sum();
                assert_eq!(
                    mentions, csv_rows,
                    "{}: CSV and catalogue.json",
                    country.label
                );
                if under.len() == 1 {
                    assert_eq!(counted(Some(kind)), *n, "{}: CSV {kind}", country.label);
                }
            }
            let (count, breakdown) = parse_title(&place.title, &country.label);
            assert_eq!(
                count,
                counted(only_kind),
                "{page} {}: {}",
                figure.id,
                place.title
            );
            for (noun, n) in &breakdown {
                let kind = kind_of(&catalogue, noun);
                assert_eq!(*n, counted(Some(&kind)), "{}: {noun}", place.title);
            }
            if only_kind.is_none() {
                let named: usize = breakdown.values().sum();
                assert_eq!(named, count, "{}: the kinds add up", place.title);
            }
            // Shading: the legend class holding the count, on every shape.
            let class = figure
                .legend
                .iter()
                .find(|(_, low, high)| (*low..=*high).contains(&count))
                .unwrap_or_else(|| panic!("{}: no legend class holds {count}", place.title));
            assert!(!place.classes.is_empty(), "{} draws nothing", place.title);
            for drawn in &place.classes {
                assert_eq!(drawn, &class.0, "{page} {}: {}", figure.id, place.title);
            }
        }
        // The legend's ranges are unbroken and reach the largest count.
        for pair in figure.legend.windows(2) {
            assert_eq!(
                pair[1].1,
                pair[0].2 + 1,
                "{}: legend {:?}",
                figure.id,
                figure.legend
            );
        }
        let max = figure
            .places
            .iter()
            .map(|p| parse_title(&p.title, p.title.split(": ").next().unwrap_or_default()).0)
            .max()
            .unwrap_or(0);
        assert_eq!(
            figure.legend.last().map(|l| l.2),
            Some(max),
            "{}",
            figure.id
        );
    }
    // Where the map comes from, and nothing fetched from elsewhere.
    let note = select(&html, ".maps .map-note a");
    assert!(
        note.iter().any(|a| text(a) == "Natural Earth"),
        "{page}: no source note"
    );
    let section = select(&html, "section.maps")[0].html();
    assert!(!section.contains("<script"), "{page}: a script in the maps");
    for attribute in ["src=\"http", "src=\"//", "url(http", "@import"] {
        assert!(!section.contains(attribute), "{page}: {attribute}");
    }
}

#[test]
fn the_countries_summary_maps_every_country_with_its_counts() {
    check_maps("public/summary/countries/index.html");
}

#[test]
fn the_countries_facet_page_has_the_same_maps() {
    check_maps("public/countries/index.html");
    // Other facets have no map.
    let sectors = built().html("public/sectors/index.html");
    assert!(select(&sectors, "svg.map").is_empty());
}

#[test]
fn the_uk_is_one_shape_with_its_nations_in_an_inset() {
    let page = built().read("public/summary/countries/index.html");
    let html = Html::parse_document(&page);
    let figures = figures(&page);
    let all = &figures[0];
    let uk = all
        .places
        .iter()
        .find(|p| p.href.ends_with("countries/gb/"))
        .expect("the UK");
    // 28 entries name the UK or a nation; the CSV rows add up to 30, since
    // two articles name two nations each.
    assert!(
        uk.title
            .starts_with("United Kingdom: 28 entries (23 articles, 5 practices)"),
        "{}",
        uk.title
    );
    let svg = &raw_svgs(&page, "map")[0];
    let doc = roxmltree::Document::parse(svg).unwrap();
    let inset = doc
        .descendants()
        .find(|n| n.attribute("class") == Some("map-inset"))
        .expect("an inset");
    let nations: Vec<&str> = inset
        .descendants()
        .filter(|n| n.has_tag_name("a"))
        .filter_map(|a| a.attribute("href"))
        .collect();
    assert_eq!(nations.len(), 4, "{nations:?}");
    let note = select(&html, ".maps > p.map-note");
    assert!(note
        .iter()
        .any(|p| text(p).contains("inset shows each nation")));
}

/// Cells of a pivot table as (class, text), data cells only.
fn heat_cells(html: &Html) -> Vec<(String, String)> {
    select(html, "table.mode-pivot tbody tr.data td.heat")
        .iter()
        .map(|td| {
            let class = td
                .value()
                .classes()
                .find(|c| c.starts_with("heat-"))
                .expect("a shade")
                .to_string();
            (class, text(td))
        })
        .collect()
}

#[test]
fn pivot_cells_are_shaded_by_count_as_the_legend_says() {
    let site = built();
    for (id, rows, columns) in [
        ("clusters-by-country", 9, 21),
        ("clusters-by-sector-combination", 9, 0),
    ] {
        let html = site.html(&format!("public/summary/{id}/index.html"));
        let legend: Vec<(String, usize, usize)> = select(&html, ".heat-legend li")
            .iter()
            .map(|li| {
                let class = li
                    .value()
                    .classes()
                    .find(|c| c.starts_with("heat-"))
                    .unwrap();
                let (low, high) = range(&text(li));
                (class.to_string(), low, high)
            })
            .collect();
        assert!(legend.len() >= 3, "{id}: {legend:?}");
        assert_eq!(legend[0], ("heat-0".to_string(), 0, 0), "{id}");
        for pair in legend.windows(2) {
            assert_eq!(pair[1].1, pair[0].2 + 1, "{id}: {legend:?}");
        }
        let cells = heat_cells(&html);
        let data_cells: usize = select(&html, "table.mode-pivot tbody tr.data")
            .iter()
            .map(|tr| select_in(tr, "td").len() - 1)
            .sum();
        assert_eq!(
            cells.len(),
            data_cells,
            "{id}: every cell but the totals is shaded"
        );
        if columns > 0 {
            assert_eq!(cells.len(), rows * columns, "{id}");
        }
        let max = cells.iter().map(|(_, t)| t.parse::<usize>().unwrap()).max();
        assert_eq!(legend.last().map(|l| l.2), max, "{id}");
        for (class, number) in &cells {
            let n: usize = number.parse().expect("the number is still shown");
            let holds = legend
                .iter()
                .find(|(_, low, high)| (*low..=*high).contains(&n));
            assert_eq!(holds.map(|l| &l.0), Some(class), "{id}: a cell of {n}");
        }
    }
}

#[test]
fn every_chart_fits_and_its_caption_says_what_it_draws() {
    let site = built();
    let catalogue = catalogue();
    let summaries = std::fs::read_dir(site.path("public/summary")).unwrap();
    let mut pages: Vec<String> = summaries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    assert!(pages.len() >= 8, "{pages:?}");
    for id in pages {
        let page = site.read(&format!("public/summary/{id}/index.html"));
        let html = Html::parse_document(&page);
        let charts = raw_svgs(&page, "bar-chart");
        assert_eq!(charts.len(), 1, "{id}");
        let doc = roxmltree::Document::parse(&charts[0]).expect("the chart is well-formed XML");
        let root = doc.root_element();
        // No view box: its units are CSS pixels, so its text is 13 px at any width.
        assert_eq!(root.attribute("viewBox"), None, "{id}");
        assert_eq!(root.attribute("font-size"), Some("13"), "{id}");
        let lines: Vec<&str> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("chart-label"))
            .filter_map(|n| n.text())
            .collect();
        for line in &lines {
            assert!(line.chars().count() <= 32, "{id}: label line {line:?}");
            assert!(!line.ends_with('…'), "{id}: {line:?} is cut");
        }
        let caption = text(&select(&html, "figure.chart figcaption")[0]);
        let desc = doc
            .descendants()
            .find(|n| n.has_tag_name("desc"))
            .and_then(|n| n.text());
        let first = caption.split(". ").next().unwrap_or_default();
        assert!(
            desc.is_some_and(|d| d.starts_with(first)),
            "{id}: {caption}"
        );
        let values: Vec<usize> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("chart-value"))
            .filter_map(|n| n.text()?.parse().ok())
            .collect();
        if id.starts_with("clusters-by-") {
            // A pivot's chart is its Total column, as its caption says.
            assert!(
                caption.starts_with("The table's Total column"),
                "{id}: {caption}"
            );
            let totals: Vec<usize> = select(&html, "table.mode-pivot tbody tr.data")
                .iter()
                .map(|tr| text(select_in(tr, "td").last().unwrap()).parse().unwrap())
                .collect();
            assert_eq!(values, totals, "{id}");
        }
        if id == "countries" {
            assert!(
                caption.contains("One bar for each kind: Articles, Practices"),
                "{caption}"
            );
            let kinds = catalogue["kinds"].as_array().unwrap().len();
            assert_eq!(values.len(), kinds * 21, "{id}");
        }
    }
}

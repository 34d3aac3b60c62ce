//! Unit tests of drawing: links, titles, shading classes, the inset, escaping.

use super::*;

fn value(code: &str, label: &str, count: usize, breakdown: &str) -> MapValue {
    MapValue {
        code: code.to_string(),
        label: label.to_string(),
        href: format!("/countries/{}/", code.to_lowercase()),
        count,
        breakdown: breakdown.to_string(),
    }
}

const OPTIONS: MapOptions<'static> = MapOptions {
    id: "map-test",
    title: "Entries by country",
    description: "Where the catalogue's entries come from",
};

/// The shipped catalogue's countries, with counts in the spread the review has.
fn sample() -> Vec<MapValue> {
    vec![
        value("DK", "Denmark", 7, "4 articles, 3 practices"),
        value("SE", "Sweden", 8, "2 articles, 6 practices"),
        value("GB", "United Kingdom", 29, "10 articles, 19 practices"),
        value("GB-ENG", "England", 10, "3 articles, 7 practices"),
        value("GB-SCT", "Scotland", 3, ""),
        value("IS", "Iceland", 1, "1 practice"),
        value("MT", "Malta", 2, "2 articles"),
        value("FI", "Finland", 6, ""),
        value("BG", "Bulgaria", 0, ""),
        value("XX", "Atlantis", 4, ""),
    ]
}

/// (href, title, classes of the shapes in the link) for every link of the SVG.
fn links(svg: &str) -> Vec<(String, String, Vec<String>)> {
    let doc = roxmltree::Document::parse(svg).expect("the map is well-formed XML");
    let links = doc.descendants().filter(|n| n.has_tag_name("a"));
    let text = |n: roxmltree::Node, name| n.attribute(name).unwrap_or_default().to_string();
    links
        .map(|a| {
            let title = a.children().find(|c| c.has_tag_name("title"));
            let drawn = a
                .children()
                .filter(|c| c.has_tag_name("path") || c.has_tag_name("circle"));
            let title = title.and_then(|t| t.text()).unwrap_or_default().to_string();
            (
                text(a, "href"),
                title,
                drawn.map(|c| text(c, "class")).collect(),
            )
        })
        .collect()
}

#[test]
fn every_country_of_the_shipped_catalogue_has_a_shape() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/catalogue.yaml");
    let text = std::fs::read_to_string(path).expect("catalogue.yaml is readable");
    let yaml = crate::yaml::to_json(&text).expect("catalogue.yaml parses");
    let values = yaml["facets"]["countries"]["values"]
        .as_array()
        .expect("the catalogue has a countries vocabulary");
    assert!(values.len() > 15);
    for v in values {
        let code = v.get("iso").or(v.get("id")).and_then(|c| c.as_str());
        let code = code.expect("every country has an id");
        assert!(has_shape(code), "{code} has no shape on the map");
    }
}

#[test]
fn small_countries_get_a_marker_and_all_codes_are_unique() {
    for code in ["MT", "LU", "SI", "CY", "AD", "LI", "MC", "SM", "VA"] {
        assert!(has_shape(code), "{code} missing");
    }
    for code in ["MT", "AD", "LI", "MC", "SM", "VA"] {
        let shape = all_shapes().find(|s| s.code == code).expect("shape");
        assert!(shape.marker.is_some(), "{code} has no marker");
    }
    let mut codes: Vec<&str> = shapes().iter().map(|(c, _)| *c).collect();
    let n = codes.len();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), n, "a code has two shapes");
}

#[test]
fn each_placed_value_is_a_link_titled_with_its_count() {
    let map = draw(&sample(), &OPTIONS);
    let links = links(&map.svg);
    let title = |href: &str| {
        links
            .iter()
            .find(|(h, _, _)| h == href)
            .map(|(_, t, _)| t.as_str())
    };
    assert_eq!(
        title("/countries/dk/"),
        Some("Denmark: 7 entries (4 articles, 3 practices)")
    );
    assert_eq!(
        title("/countries/is/"),
        Some("Iceland: 1 entry (1 practice)")
    );
    assert_eq!(title("/countries/gb-sct/"), Some("Scotland: 3 entries"));
    assert_eq!(title("/countries/bg/"), Some("Bulgaria: 0 entries"));
    assert_eq!(links.len(), 9, "every value with a shape, once");
    let unplaced: Vec<&str> = map.without_shape.iter().map(|v| v.code.as_str()).collect();
    assert_eq!(unplaced, ["XX"]);
}

#[test]
fn shading_follows_the_legend_breaks() {
    let values = sample();
    let map = draw(&values, &OPTIONS);
    for (href, title, classes) in links(&map.svg) {
        let v = values.iter().find(|v| v.href == href).expect("known link");
        let class = map
            .classes
            .iter()
            .find(|c| c.low <= v.count && v.count <= c.high)
            .unwrap_or_else(|| panic!("{title}: no legend class holds {}", v.count));
        assert!(!classes.is_empty(), "{title} draws nothing");
        for drawn in classes {
            assert_eq!(drawn.split(' ').next(), Some(class.class), "{title}");
        }
        assert!(
            map.legend.contains(class.class),
            "legend lacks {}",
            class.class
        );
    }
    // Malta is drawn with a marker, in the same link as its shape.
    assert!(map.svg.contains("map-marker"));
}

#[test]
fn breaks_are_quantiles_over_at_most_five_unbroken_classes() {
    let ranges = |counts: &[usize]| -> Vec<(String, &'static str)> {
        shade_classes(counts)
            .iter()
            .map(|c| (c.range(), c.class))
            .collect()
    };
    let r = |s: &str, c: &'static str| (s.to_string(), c);
    assert_eq!(
        ranges(&[1, 1, 1, 2, 2, 3, 4, 6, 7, 8, 9, 12, 29]),
        [
            r("1", "map-c1"),
            r("2–3", "map-c2"),
            r("4–6", "map-c3"),
            r("7–9", "map-c4"),
            r("10–29", "map-c5"),
        ]
    );
    assert_eq!(
        ranges(&[0, 3, 9, 9]),
        [r("0", "map-c0"), r("1–3", "map-c1"), r("4–9", "map-c5")]
    );
    assert_eq!(ranges(&[5, 5]), [r("1–5", "map-c3")]);
    assert_eq!(ranges(&[]), []);
    let classes = shade_classes(&[1, 2, 3, 50, 60, 70, 80]);
    for pair in classes.windows(2) {
        assert_eq!(pair[1].low, pair[0].high + 1);
    }
    assert_eq!(class_for(&classes, 1000), "map-c5");
}

#[test]
fn output_is_deterministic_whatever_the_order_of_values() {
    let values = sample();
    let mut reversed = values.clone();
    reversed.reverse();
    let a = draw(&values, &OPTIONS);
    assert_eq!(a, draw(&values, &OPTIONS));
    assert_eq!(a.svg, draw(&reversed, &OPTIONS).svg);
    assert_eq!(a.legend, draw(&reversed, &OPTIONS).legend);
}

#[test]
fn svg_is_labelled_and_escapes_all_text() {
    let mut values = sample();
    values[0].label = "Den<mark> & \"co\"".to_string();
    values[0].href = "/countries/dk/?a=1&b='2'".to_string();
    let options = MapOptions {
        id: "map-x",
        title: "Practices <by> country",
        description: "Fish & chips",
    };
    let map = draw(&values, &options);
    let doc = roxmltree::Document::parse(&map.svg).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.attribute("aria-labelledby"), Some("map-x-title"));
    assert_eq!(root.attribute("aria-describedby"), Some("map-x-desc"));
    let text_of = |id: &str| {
        doc.descendants()
            .find(|n| n.attribute("id") == Some(id))
            .and_then(|n| n.text())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(text_of("map-x-title"), "Practices <by> country");
    assert!(text_of("map-x-desc").starts_with("Fish & chips. Each place is shaded"));
    let links = links(&map.svg);
    let (_, title, _) = links
        .iter()
        .find(|(href, _, _)| href == "/countries/dk/?a=1&b='2'")
        .expect("the link keeps its query");
    assert!(title.starts_with("Den<mark> & \"co\": 7 entries"));
}

#[test]
fn the_uk_inset_is_drawn_only_for_values_naming_a_nation() {
    let with = draw(&sample(), &OPTIONS);
    assert!(with.svg.contains("class=\"map-inset\""));
    assert_eq!(with.note, Some(INSET_NOTE));
    assert!(!with.legend.contains("inset"));
    let without: Vec<MapValue> = sample()
        .into_iter()
        .filter(|v| !v.code.starts_with("GB-"))
        .collect();
    let map = draw(&without, &OPTIONS);
    assert!(!map.svg.contains("map-inset"));
    assert_eq!(map.note, None);
}

//! The map of Europe (SPEC §6 "Map"): an inline SVG drawn at build time, with
//! no JavaScript and no external request.
//!
//! The geometry is `assets/europe.json`, made once from Natural Earth by
//! `tools/make_map.py` and compiled in; it is parsed on first use. [`draw`]
//! turns a list of [`MapValue`]s into the SVG and an HTML legend: each value
//! whose code has a shape is a link around that shape, titled
//! "Denmark: 7 entries (4 articles, 3 practices)" and shaded by its count in
//! up to five classes ([`shade_classes`]); values without a shape come back
//! to be listed under the map. The UK's nations have shapes in an inset, drawn
//! when a value names one of them; on the main map the UK is one shape. The
//! output depends only on the values, never on their order.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::render::escape_html;

/// The CSS the map needs; the theme's stylesheet includes it.
pub const MAP_CSS: &str = "\
.map { display: block; width: 100%; height: auto; max-width: 56rem; }
.map .map-sea { fill: #eef4f8; }
.map path, .map circle { stroke: #fff; stroke-width: 0.75px; stroke-linejoin: round; vector-effect: non-scaling-stroke; }
.map .map-context { fill: #dcdcdc; }
.map .map-none { fill: #ebebe7; }
.map-c0 { fill: #f6f4ec; background: #f6f4ec; }
.map-c1 { fill: #c2daef; background: #c2daef; }
.map-c2 { fill: #8cbfe3; background: #8cbfe3; }
.map-c3 { fill: #529bd1; background: #529bd1; }
.map-c4 { fill: #2a74b3; background: #2a74b3; }
.map-c5 { fill: #0b4a84; background: #0b4a84; }
.map .map-marker { stroke: #1a1a1a; stroke-width: 1px; }
.map a:hover path, .map a:hover circle { stroke: #1a1a1a; stroke-width: 1.5px; }
.map a:focus { outline: none; }
.map a:focus-visible path, .map a:focus-visible circle { stroke: #000; stroke-width: 3px; }
.map .map-inset-frame { fill: #eef4f8; stroke: #767676; stroke-width: 1px; vector-effect: non-scaling-stroke; }
.map .map-inset-label { font: 600 20px sans-serif; fill: #333; }
.map-legend { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; list-style: none; padding: 0; margin: 0.5rem 0; }
.map-legend li { display: flex; align-items: center; gap: 0.4rem; }
.map-swatch { display: inline-block; width: 1.1rem; height: 1.1rem; border: 1px solid #767676; }
.map-swatch.map-none { background: #ebebe7; }
.map-note { font-size: 0.9rem; }
";

/// One value to draw: a place, its count and where its link goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapValue {
    /// ISO 3166 code (`DK`, or `GB-SCT` for a UK nation); matched to a shape.
    pub code: String,
    /// Display name, as the vocabulary has it.
    pub label: String,
    /// The value's facet page.
    pub href: String,
    /// Entries naming the value or one of its children.
    pub count: usize,
    /// The count by kind, e.g. "4 articles, 3 practices"; may be empty.
    pub breakdown: String,
}

/// What a map is about, for its title and description.
#[derive(Debug, Clone, Copy)]
pub struct MapOptions<'a> {
    /// Prefix for the ids in the SVG; unique on the page (e.g. `map-countries-articles`).
    pub id: &'a str,
    /// The SVG's `<title>`, e.g. "Practices by country".
    pub title: &'a str,
    /// First sentence of the SVG's `<desc>`; the shading is described after it.
    pub description: &'a str,
}

/// One shading class: counts from `low` to `high`, both included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShadeClass {
    /// CSS class, `map-c0` (for 0) to `map-c5`.
    pub class: &'static str,
    /// Smallest count in the class.
    pub low: usize,
    /// Largest count in the class.
    pub high: usize,
}

impl ShadeClass {
    /// "1", or "2–3".
    pub fn range(&self) -> String {
        if self.low == self.high {
            self.low.to_string()
        } else {
            format!("{}–{}", self.low, self.high)
        }
    }
}

/// A drawn map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Map {
    /// The inline `<svg>` element.
    pub svg: String,
    /// The legend, an HTML `<ul>` (plus a note on the UK inset when it is drawn).
    pub legend: String,
    /// The classes the legend shows, lowest first.
    pub classes: Vec<ShadeClass>,
    /// Values without a shape, in the order given, to be listed under the map.
    pub without_shape: Vec<MapValue>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Geometry {
    width: u32,
    height: u32,
    marker_radius: u32,
    context: String,
    shapes: Vec<Shape>,
    insets: Vec<Inset>,
}

#[derive(Debug, Deserialize)]
struct Shape {
    code: String,
    name: String,
    d: String,
    #[serde(default)]
    marker: Option<[i32; 2]>,
}

#[derive(Debug, Deserialize)]
struct Inset {
    id: String,
    title: String,
    frame: [i32; 4],
    shapes: Vec<Shape>,
}

fn geometry() -> &'static Geometry {
    static GEOMETRY: OnceLock<Geometry> = OnceLock::new();
    GEOMETRY.get_or_init(|| {
        // Compiled in and checked by the tests below, so it cannot fail at run time.
        serde_json::from_str(include_str!("../assets/europe.json"))
            .expect("assets/europe.json is valid map geometry")
    })
}

fn all_shapes() -> impl Iterator<Item = &'static Shape> {
    let g = geometry();
    g.shapes
        .iter()
        .chain(g.insets.iter().flat_map(|i| &i.shapes))
}

/// Whether `code` (any case) has a shape or marker on the map.
pub fn has_shape(code: &str) -> bool {
    all_shapes().any(|s| s.code.eq_ignore_ascii_case(code.trim()))
}

/// Every code with a shape, with the shape's English name, in drawing order.
pub fn shapes() -> Vec<(&'static str, &'static str)> {
    all_shapes()
        .map(|s| (s.code.as_str(), s.name.as_str()))
        .collect()
}

/// Shading classes for these counts: quantile breaks, at most five classes.
///
/// Counts of 0 get their own class, `map-c0`. Of the n positive counts (one per
/// value, sorted), class j of 5 ends at the one at position ⌈j·n/5⌉; equal ends
/// merge. Five or fewer distinct counts get a class each. A class starts one
/// above the previous one's end, so the legend reads as unbroken ranges from 1.
/// Fewer classes are spread over the palette (three are `map-c1`, `-c3`, `-c5`).
pub fn shade_classes(counts: &[usize]) -> Vec<ShadeClass> {
    const STEPS: usize = 5;
    let mut positive: Vec<usize> = counts.iter().copied().filter(|&n| n > 0).collect();
    positive.sort_unstable();
    let mut distinct = positive.clone();
    distinct.dedup();
    let highs: Vec<usize> = if distinct.len() <= STEPS {
        distinct
    } else {
        let n = positive.len();
        let mut highs: Vec<usize> = (1..=STEPS)
            .map(|j| positive[(j * n).div_ceil(STEPS) - 1])
            .collect();
        highs.dedup();
        highs
    };
    let mut classes = Vec::new();
    if counts.contains(&0) {
        classes.push(ShadeClass {
            class: "map-c0",
            low: 0,
            high: 0,
        });
    }
    const NAMES: [&str; STEPS] = ["map-c1", "map-c2", "map-c3", "map-c4", "map-c5"];
    let k = highs.len();
    let mut low = 1;
    for (j, &high) in highs.iter().enumerate() {
        let step = if k == 1 {
            STEPS / 2
        } else {
            (j * (STEPS - 1) + (k - 1) / 2) / (k - 1)
        };
        classes.push(ShadeClass {
            class: NAMES[step],
            low,
            high,
        });
        low = high + 1;
    }
    classes
}

/// The CSS class for `count` among `classes` (the last class for anything above).
pub fn class_for(classes: &[ShadeClass], count: usize) -> &'static str {
    classes
        .iter()
        .find(|c| count <= c.high)
        .or(classes.last())
        .map_or("map-c1", |c| c.class)
}

/// "Denmark: 7 entries (4 articles, 3 practices)"; "1 entry" for one.
pub fn title_text(value: &MapValue) -> String {
    let noun = if value.count == 1 { "entry" } else { "entries" };
    let mut text = format!("{}: {} {noun}", value.label, value.count);
    if !value.breakdown.is_empty() {
        text.push_str(&format!(" ({})", value.breakdown));
    }
    text
}

/// Draws the map of these values.
pub fn draw(values: &[MapValue], options: &MapOptions) -> Map {
    let g = geometry();
    // Each shape takes the first value naming it; any other value is unplaced.
    let mut placed: Vec<(&Shape, &MapValue)> = Vec::new();
    let mut without_shape = Vec::new();
    for value in values {
        let code = value.code.trim();
        match all_shapes().find(|s| s.code.eq_ignore_ascii_case(code)) {
            Some(shape) if !placed.iter().any(|(s, _)| std::ptr::eq(*s, shape)) => {
                placed.push((shape, value));
            }
            _ => without_shape.push(value.clone()),
        }
    }
    let value_of = |shape: &Shape| {
        placed
            .iter()
            .find(|(s, _)| std::ptr::eq(*s, shape))
            .map(|(_, v)| *v)
    };
    let counts: Vec<usize> = placed.iter().map(|(_, v)| v.count).collect();
    let classes = shade_classes(&counts);
    let insets: Vec<&Inset> = g
        .insets
        .iter()
        .filter(|i| i.shapes.iter().any(|s| value_of(s).is_some()))
        .collect();

    let id = escape_html(options.id);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"map\" viewBox=\"0 0 {w} {h}\" \
         role=\"group\" aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\">\
         <title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">{desc}</desc>\
         <rect class=\"map-sea\" width=\"{w}\" height=\"{h}\"/><path class=\"map-context\" d=\"{ctx}\"/>",
        w = g.width,
        h = g.height,
        title = escape_html(options.title),
        desc = escape_html(&description(options, &classes, &insets)),
        ctx = g.context,
    );
    let radius = g.marker_radius;
    for shape in &g.shapes {
        push_shape(&mut svg, shape, value_of(shape), &classes, radius);
    }
    for inset in &insets {
        let [x, y, w, h] = inset.frame;
        svg.push_str(&format!(
            "<g class=\"map-inset\" id=\"{id}-{}\"><rect class=\"map-inset-frame\" \
             x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\"/>\
             <text class=\"map-inset-label\" x=\"{}\" y=\"{}\">{}</text>",
            escape_html(&inset.id),
            x + 8,
            y + 24,
            escape_html(&inset.title),
        ));
        for shape in &inset.shapes {
            push_shape(&mut svg, shape, value_of(shape), &classes, radius);
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");

    Map {
        svg,
        legend: legend(&classes, &insets),
        classes,
        without_shape,
    }
}

fn push_shape(
    svg: &mut String,
    shape: &Shape,
    value: Option<&MapValue>,
    classes: &[ShadeClass],
    radius: u32,
) {
    let Some(value) = value else {
        if !shape.d.is_empty() {
            svg.push_str(&format!("<path class=\"map-none\" d=\"{}\"/>", shape.d));
        }
        return;
    };
    let class = class_for(classes, value.count);
    svg.push_str(&format!(
        "<a href=\"{}\"><title>{}</title>",
        escape_html(&value.href),
        escape_html(&title_text(value))
    ));
    if !shape.d.is_empty() {
        svg.push_str(&format!("<path class=\"{class}\" d=\"{}\"/>", shape.d));
    }
    if let Some([x, y]) = shape.marker {
        svg.push_str(&format!(
            "<circle class=\"{class} map-marker\" cx=\"{x}\" cy=\"{y}\" r=\"{radius}\"/>"
        ));
    }
    svg.push_str("</a>");
}

fn description(options: &MapOptions, classes: &[ShadeClass], insets: &[&Inset]) -> String {
    let mut text = options.description.trim().to_string();
    if !text.is_empty() && !text.ends_with('.') {
        text.push('.');
    }
    if !classes.is_empty() {
        let ranges: Vec<String> = classes.iter().map(ShadeClass::range).collect();
        text.push_str(&format!(
            " Each place is shaded darker the more entries it has, in {} steps: {}. \
             Places not in the catalogue are grey.",
            classes.len(),
            ranges.join(", ")
        ));
    }
    for inset in insets {
        text.push_str(&format!(" An inset shows the {}.", inset.title));
    }
    text.trim().to_string()
}

fn legend(classes: &[ShadeClass], insets: &[&Inset]) -> String {
    let mut html = String::from("<ul class=\"map-legend\">");
    for class in classes {
        let noun = if class.high == 1 { "entry" } else { "entries" };
        html.push_str(&format!(
            "<li><span class=\"map-swatch {}\"></span>{} {noun}</li>",
            class.class,
            class.range()
        ));
    }
    html.push_str("<li><span class=\"map-swatch map-none\"></span>not in the catalogue</li></ul>");
    if !insets.is_empty() {
        html.push_str(
            "<p class=\"map-note\">On the main map the United Kingdom counts every entry \
             naming it or one of its nations; the inset shows each nation with the \
             entries that name that nation.</p>",
        );
    }
    html
}

#[cfg(test)]
mod tests {
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
        assert!(with.legend.contains("inset"));
        let without: Vec<MapValue> = sample()
            .into_iter()
            .filter(|v| !v.code.starts_with("GB-"))
            .collect();
        let map = draw(&without, &OPTIONS);
        assert!(!map.svg.contains("map-inset"));
        assert!(!map.legend.contains("inset"));
    }
}

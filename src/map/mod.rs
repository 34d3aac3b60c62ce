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
//! when a value names one of them ([`INSET_NOTE`] says so); on the main map
//! the UK is one shape. The output depends only on the values, never on
//! their order. [`figures`] makes the maps a page shows from the catalogue.
//! The styles are the `map-*` rules of the theme's `static/style.css`; the
//! [`palette`] is shared with heat-shaded tables.

pub mod figures;
pub mod palette;

pub use figures::{facet_maps, summary_map_facet, value_code, MapFigure, MapsView, Unplaced};

use std::sync::OnceLock;

use serde::Deserialize;

use crate::render::escape_html;

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
    /// Its step on the palette, 0 (for 0) to 5: the `N` of `map-cN`, which
    /// heat-shaded tables use too (`heat-N`).
    pub step: usize,
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
    /// The legend, an HTML `<ul>`.
    pub legend: String,
    /// A sentence on the UK inset, when it is drawn, to print near the map.
    pub note: Option<&'static str>,
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
        serde_json::from_str(include_str!("../../assets/europe.json"))
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
            step: 0,
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
            step: step + 1,
            low,
            high,
        });
        low = high + 1;
    }
    classes
}

/// The class of `count` among `classes` (the last class for anything above).
pub fn shade_for(classes: &[ShadeClass], count: usize) -> Option<&ShadeClass> {
    classes.iter().find(|c| count <= c.high).or(classes.last())
}

/// The CSS class for `count` among `classes` (the last class for anything above).
pub fn class_for(classes: &[ShadeClass], count: usize) -> &'static str {
    shade_for(classes, count).map_or("map-c1", |c| c.class)
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
         aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\">\
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
            y + 30,
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
        legend: legend(&classes),
        note: (!insets.is_empty()).then_some(INSET_NOTE),
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

/// What the UK inset shows, said near a map that has it.
pub const INSET_NOTE: &str = "On the main map the United Kingdom counts every entry \
    naming it or one of its nations; the inset shows each nation with the \
    entries that name that nation.";

fn legend(classes: &[ShadeClass]) -> String {
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
    html
}

#[cfg(test)]
mod tests;

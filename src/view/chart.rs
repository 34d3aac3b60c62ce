//! Bar charts for summary pages, drawn on the server as inline SVG: no
//! script is needed to see them.
//!
//! A chart fits any width without shrinking its text: it has no view box, so
//! its units are CSS pixels and text is 13 px at every width; bar lengths are
//! percentages of the chart's width, with room kept on the right for the
//! longest count. Each category's label sits above its bars, wrapped to lines
//! short enough for a 320 px screen, so no label is ever cut off.

use std::fmt::Write;

use super::table::ChartView;
use crate::render::escape_html;

/// Text size, in CSS pixels.
pub const TEXT: usize = 13;
/// Height of a label line.
const LINE: usize = 16;
/// Height of a bar, and the gap under it.
const BAR: usize = 14;
const BAR_GAP: usize = 3;
/// Space between one category's bars and the next label.
const BAND_GAP: usize = 10;
/// The narrowest chart the layout is made for: a 320 px screen less the
/// page's margins and a scroll bar.
pub const NARROWEST: usize = 272;
/// Left margin of the labels: a glyph such as "J" or "T" reaches a little
/// left of where its text starts.
const LABEL_X: usize = 2;
/// Longest label line, in characters: about 230 px of 13 px text.
pub const LINE_CHARS: usize = 32;

/// `label` cut into lines of at most [`LINE_CHARS`] characters, at spaces
/// where it can be (a longer word is split).
pub fn wrap(label: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in label.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > LINE_CHARS {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(word.drain(..LINE_CHARS).collect());
        }
        let word: String = word.into_iter().collect();
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > LINE_CHARS {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The share of the width, in percent, the longest bar may take: the rest
/// holds its count (about 8 px a digit) even on the narrowest chart.
fn bar_span(max: usize) -> f64 {
    let digits = max.max(1).to_string().len();
    let room = (8 * digits + 10) as f64 / NARROWEST as f64 * 100.0;
    100.0 - room.ceil()
}

/// Draws a bar chart: one band per category, its label above one bar per
/// series, the count printed at the end of each bar.
pub fn chart_svg(chart: &ChartView, title: &str) -> String {
    let series = chart.series.len().max(1);
    let span = bar_span(chart.max);
    let scale = span / chart.max.max(1) as f64;
    let mut desc = chart.caption.clone();
    if !desc.is_empty() {
        desc.push_str(". ");
    }
    for bar in &chart.bars {
        let parts: Vec<String> = bar
            .values
            .iter()
            .zip(&chart.series)
            .map(|(v, s)| format!("{s} {v}"))
            .collect();
        let _ = write!(desc, "{}: {}. ", bar.label, parts.join(", "));
    }
    let mut body = String::new();
    let mut y = 0;
    for bar in &chart.bars {
        for line in wrap(&bar.label) {
            y += LINE;
            let _ = write!(
                body,
                r#"<text x="{LABEL_X}" y="{}" class="chart-label">{}</text>"#,
                y - 4,
                escape_html(&line)
            );
        }
        y += 2;
        for (s, value) in bar.values.iter().enumerate().take(series) {
            let width = *value as f64 * scale;
            let _ = write!(
                body,
                r#"<rect x="0" y="{y}" width="{width:.2}%" height="{BAR}" class="series-{s}"/><text x="{width:.2}%" dx="4" y="{}" class="chart-value">{value}</text>"#,
                y + BAR - 3
            );
            y += BAR + BAR_GAP;
        }
        y += BAND_GAP;
    }
    let height = y.max(1);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="bar-chart" width="100%" height="{height}" font-size="{TEXT}" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg"><title id="chart-title">{}</title><desc id="chart-desc">{}</desc>"#,
        escape_html(title),
        escape_html(desc.trim_end())
    );
    svg.push_str(&body);
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::ChartBar;

    #[test]
    fn labels_wrap_at_spaces_and_long_words_split() {
        assert_eq!(wrap("Health"), ["Health"]);
        assert_eq!(
            wrap("Health & education & employment & other"),
            ["Health & education & employment", "& other"]
        );
        let long = "x".repeat(40);
        assert_eq!(wrap(&format!("a {long}")), ["a", &long[..32], &long[32..]]);
        assert_eq!(wrap(""), [""]);
        for line in wrap("Led by one public organisation, with a very long label indeed") {
            assert!(line.chars().count() <= LINE_CHARS, "{line}");
        }
    }

    #[test]
    fn the_longest_count_has_room_on_the_narrowest_chart() {
        for max in [0, 9, 59, 100, 12_345] {
            let span = bar_span(max);
            let digits = max.max(1).to_string().len() as f64;
            let free = (100.0 - span) / 100.0 * NARROWEST as f64;
            assert!(free >= 8.0 * digits + 4.0, "{max}: {free} px");
            assert!(span > 50.0);
        }
    }

    #[test]
    fn bars_are_shares_of_the_width_and_text_is_13_px() {
        let chart = ChartView {
            series: vec!["Articles".into(), "Practices".into()],
            bars: vec![
                ChartBar {
                    label: "Denmark <DK>".into(),
                    values: vec![4, 3],
                },
                ChartBar {
                    label: "Spain".into(),
                    values: vec![1, 5],
                },
            ],
            max: 5,
            caption: "How many entries name each country".into(),
            ..ChartView::default()
        };
        let svg = chart_svg(&chart, "Countries");
        let doc = roxmltree::Document::parse(&svg).expect("well-formed");
        let root = doc.root_element();
        assert_eq!(root.attribute("viewBox"), None);
        assert_eq!(root.attribute("font-size"), Some("13"));
        let widths: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("rect"))
            .filter_map(|n| n.attribute("width"))
            .collect();
        let span = bar_span(5);
        assert_eq!(widths[3], format!("{span:.2}%"));
        assert_eq!(widths[2], format!("{:.2}%", span / 5.0));
        let labels: Vec<&str> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("chart-label"))
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(labels, ["Denmark <DK>", "Spain"]);
        let desc = doc
            .descendants()
            .find(|n| n.has_tag_name("desc"))
            .and_then(|n| n.text())
            .unwrap_or_default();
        assert!(desc.starts_with(
            "How many entries name each country. Denmark <DK>: Articles 4, Practices 3."
        ));
        let height: usize = root
            .attribute("height")
            .and_then(|h| h.parse().ok())
            .unwrap_or(0);
        assert_eq!(height, 2 * (LINE + 2 + 2 * (BAR + BAR_GAP) + BAND_GAP));
    }
}

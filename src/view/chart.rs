//! Bar charts for summary pages, drawn on the server as inline SVG: no
//! script is needed to see them.

use super::table::ChartView;
use crate::render::escape_html;

/// Draws a horizontal bar chart: one band per category, one bar per series,
/// the count printed at the end of each bar.
pub fn chart_svg(chart: &ChartView, title: &str) -> String {
    use std::fmt::Write;
    const WIDTH: usize = 720;
    const LABEL: usize = 260;
    const BAR: usize = 16;
    const GAP: usize = 10;
    let series = chart.series.len().max(1);
    let band = series * BAR + GAP;
    let height = chart.bars.len() * band + GAP;
    let scale = (WIDTH - LABEL - 50) as f64 / chart.max.max(1) as f64;
    let mut desc = String::new();
    for bar in &chart.bars {
        let parts: Vec<String> = bar
            .values
            .iter()
            .zip(&chart.series)
            .map(|(v, s)| format!("{s} {v}"))
            .collect();
        let _ = write!(desc, "{}: {}. ", bar.label, parts.join(", "));
    }
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="bar-chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg"><title id="chart-title">{}</title><desc id="chart-desc">{}</desc>"#,
        escape_html(title),
        escape_html(desc.trim_end())
    );
    for (i, bar) in chart.bars.iter().enumerate() {
        let top = GAP + i * band;
        let label_y = top + series * BAR / 2 + 5;
        let mut label = bar.label.clone();
        if label.chars().count() > 38 {
            label = label.chars().take(36).collect::<String>() + "…";
        }
        let _ = write!(
            svg,
            r#"<text x="{}" y="{label_y}" text-anchor="end" class="chart-label">{}</text>"#,
            LABEL - 8,
            escape_html(&label)
        );
        for (s, value) in bar.values.iter().enumerate() {
            let y = top + s * BAR;
            let w = (*value as f64 * scale).round() as usize;
            let _ = write!(
                svg,
                r#"<rect x="{LABEL}" y="{y}" width="{w}" height="{}" class="series-{s}"/><text x="{}" y="{}" class="chart-value">{value}</text>"#,
                BAR - 3,
                LABEL + w + 4,
                y + BAR - 5
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

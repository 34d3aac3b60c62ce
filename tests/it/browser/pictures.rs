//! Maps and charts in a browser: no text outside its SVG at 320 and 1280 px
//! (measured with `getBBox()`), chart text of 12 px or more at desktop width,
//! every place on a map reachable from the keyboard with a visible focus,
//! and screenshots of the countries summary at desktop and phone width.

use fantoccini::key::Key;
use serde_json::Value;

use super::*;

/// Every summary page, the countries facet page.
const PAGES: &[&str] = &[
    "summary/countries/",
    "countries/",
    "summary/sector-combinations/",
    "summary/clusters/",
    "summary/methods/",
    "summary/leadership/",
    "summary/funding/",
    "summary/clusters-by-sector-combination/",
    "summary/clusters-by-country/",
];

/// For every `svg.map` and `svg.bar-chart` on the page: each text element
/// whose box leaves the SVG's view box (its `viewBox`, or for an SVG without
/// one its own size in CSS pixels), and the smallest rendered text size.
const MEASURE: &str = r#"
const out = { svgs: 0, texts: 0, outside: [], smallest: {} };
for (const svg of document.querySelectorAll('svg.map, svg.bar-chart')) {
  out.svgs++;
  const vb = svg.viewBox.baseVal;
  const box = vb && vb.width > 0
    ? { x: vb.x, y: vb.y, w: vb.width, h: vb.height }
    : { x: 0, y: 0, w: svg.width.baseVal.value, h: svg.height.baseVal.value };
  const kind = svg.classList.contains('map') ? 'map' : 'chart';
  for (const text of svg.querySelectorAll('text')) {
    out.texts++;
    const b = text.getBBox();
    const slack = 0.5;
    if (b.x < box.x - slack || b.y < box.y - slack
        || b.x + b.width > box.x + box.w + slack || b.y + b.height > box.y + box.h + slack) {
      out.outside.push(`${kind} ${svg.getAttribute('aria-labelledby')}: "${text.textContent}" `
        + `at ${b.x.toFixed(1)},${b.y.toFixed(1)} ${b.width.toFixed(1)}x${b.height.toFixed(1)} `
        + `outside ${box.x},${box.y} ${box.w.toFixed(1)}x${box.h.toFixed(1)}`);
    }
    const size = parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a;
    out.smallest[kind] = Math.min(out.smallest[kind] ?? Infinity, size);
  }
}
return out;
"#;

#[test]
#[ignore = "needs chromium: cargo test --test it -- --ignored browser"]
fn no_chart_or_map_text_leaves_its_svg_at_320_or_1280_px() {
    in_browser(|client, _, base| async move {
        let mut problems = Vec::new();
        for width in [320u32, 1280] {
            client.set_window_size(width, 900).await.unwrap();
            for page in PAGES {
                client.goto(&format!("{base}{page}")).await.unwrap();
                wait_until(&client, "document.readyState === 'complete'").await;
                let found: Value = js(&client, MEASURE).await;
                let svgs = found["svgs"].as_u64().unwrap_or(0);
                let texts = found["texts"].as_u64().unwrap_or(0);
                eprintln!("/{page} at {width} px: {svgs} SVGs, {texts} texts measured");
                assert!(
                    svgs >= 1 && texts >= 3,
                    "/{page}: nothing measured: {found}"
                );
                for outside in found["outside"].as_array().unwrap() {
                    problems.push(format!(
                        "/{page} at {width} px: {}",
                        outside.as_str().unwrap()
                    ));
                }
                if width == 1280 {
                    if let Some(size) = found["smallest"]["chart"].as_f64() {
                        if size < 12.0 {
                            problems.push(format!("/{page}: chart text of {size:.1} px"));
                        }
                    }
                }
                // The page itself never scrolls sideways.
                let overflow = js(
                    &client,
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
                )
                .await;
                if overflow != json!(0) {
                    problems.push(format!(
                        "/{page} at {width} px scrolls sideways by {overflow}"
                    ));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    });
}

/// Where the focus is: whether in a map, its place's title, whether it
/// matches `:focus-visible`, and the fill and stroke width of its shape.
const FOCUS: &str = r#"
const a = document.activeElement;
const svg = a && a.closest ? a.closest('svg.map') : null;
const shape = svg ? a.querySelector('path, circle') : null;
const style = shape ? getComputedStyle(shape) : null;
return {
  map: svg ? svg.getAttribute('aria-labelledby') : null,
  title: svg ? (a.querySelector('title') || {}).textContent : (a.textContent || '').trim(),
  visible: a.matches(':focus-visible'),
  fill: style ? style.fill : null,
  stroke: style ? parseFloat(style.strokeWidth) : 0,
};
"#;

#[test]
#[ignore = "needs chromium: cargo test --test it -- --ignored browser"]
fn every_place_on_the_maps_is_reached_by_tab_with_a_visible_focus() {
    in_browser(|client, _, base| async move {
        client.set_window_size(1280, 1000).await.unwrap();
        client
            .goto(&format!("{base}summary/countries/"))
            .await
            .unwrap();
        wait_until(&client, "document.readyState === 'complete'").await;
        let expected: Vec<String> = serde_json::from_value(
            js(
                &client,
                "return Array.from(document.querySelectorAll('svg.map a')).map(a => a.querySelector('title').textContent);",
            )
            .await,
        )
        .unwrap();
        assert!(expected.len() >= 3 * 21, "{} places", expected.len());
        // From the download button, the next stops are the places, map by map.
        js(
            &client,
            "document.querySelector('a.button').focus(); return null;",
        )
        .await;
        let tab = char::from(Key::Tab).to_string();
        for want in &expected {
            press(&client, &tab).await;
            let focus: Value = js(&client, FOCUS).await;
            assert_eq!(
                focus["title"].as_str(),
                Some(want.as_str()),
                "tab order: {focus}"
            );
            assert!(
                focus["map"].is_string(),
                "{want}: focus left the map: {focus}"
            );
            assert_eq!(focus["visible"], json!(true), "{want}: {focus}");
            // The site's focus colour on the shape, with a thick dark outline.
            assert_eq!(focus["fill"], json!("rgb(255, 221, 0)"), "{want}: {focus}");
            assert!(
                focus["stroke"].as_f64().unwrap_or(0.0) >= 3.0,
                "{want}: {focus}"
            );
        }
        // After the last place, the focus moves on out of the maps.
        press(&client, &tab).await;
        let after: Value = js(&client, FOCUS).await;
        assert!(after["map"].is_null(), "{after}");
    });
}

#[test]
#[ignore = "needs chromium: cargo test --test it -- --ignored browser"]
fn screenshots_of_the_countries_summary_at_desktop_and_phone_width() {
    in_browser(|client, _, base| async move {
        for (width, name) in [
            (1280u32, "countries-1280px.png"),
            (390, "countries-390px.png"),
        ] {
            client.set_window_size(width, 900).await.unwrap();
            client
                .goto(&format!("{base}summary/countries/"))
                .await
                .unwrap();
            wait_until(&client, "document.readyState === 'complete'").await;
            // The whole page in one picture: the window as tall as the page.
            let height = js(&client, "return document.documentElement.scrollHeight;").await;
            let height = height.as_u64().unwrap_or(900) as u32;
            client.set_window_size(width, height + 100).await.unwrap();
            screenshot(&client, name).await;
            eprintln!("{}", screenshots().join(name).display());
        }
    });
}

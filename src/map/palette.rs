//! The palette maps and heat-shaded tables share: six steps from 0 (no
//! entries) to 5 (the most), `map-c0`…`map-c5` on a map, `heat-0`…`heat-5`
//! on a pivot table's cells. The colours are in the theme's
//! `static/style.css`; the tests here read them from it and check that the
//! text on every table shade has a contrast of at least 4.5:1 (WCAG 2.2, 1.4.3).

/// Number of steps, 0 included.
pub const STEPS: usize = 6;

/// The CSS class of a heat-shaded table cell at `step` (0 to 5).
pub fn heat_class(step: usize) -> String {
    format!("heat-{}", step.min(STEPS - 1))
}

/// The contrast ratio of two sRGB colours, 1 to 21 (WCAG's definition).
pub fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    fn luminance([r, g, b]: [u8; 3]) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    }
    let (la, lb) = (luminance(a), luminance(b));
    let (light, dark) = if la > lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

/// `#rrggbb` as three bytes.
pub fn parse_hex(colour: &str) -> Option<[u8; 3]> {
    let hex = colour.trim().strip_prefix('#')?;
    if hex.len() != 6 || !hex.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    const STYLE: &str = include_str!("../../static/style.css");

    /// The declarations of the rule whose selector is exactly `selector`.
    fn rule(selector: &str) -> Option<&'static str> {
        let start = STYLE.find(&format!("\n{selector} {{"))? + selector.len() + 3;
        let end = STYLE[start..].find('}')? + start;
        Some(&STYLE[start..end])
    }

    /// The value of `property` in a rule's declarations.
    fn property<'a>(declarations: &'a str, property: &str) -> Option<&'a str> {
        declarations.split(';').find_map(|d| {
            let (name, value) = d.split_once(':')?;
            (name.trim() == property).then(|| value.trim())
        })
    }

    /// (background, text colour) of each `heat-N` class, from the stylesheet.
    fn heat_colours() -> Vec<(String, [u8; 3], [u8; 3])> {
        (0..STEPS)
            .map(|step| {
                let class = heat_class(step);
                let rule = rule(&format!(".{class}"))
                    .unwrap_or_else(|| panic!("style.css has no .{class} rule"));
                let colour = |name| {
                    property(rule, name)
                        .and_then(parse_hex)
                        .unwrap_or_else(|| panic!(".{class} needs `{name}: #rrggbb`"))
                };
                let (background, text) = (colour("background"), colour("color"));
                (class, background, text)
            })
            .collect()
    }

    #[test]
    fn contrast_follows_wcag() {
        assert!((contrast([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 1e-9);
        assert!((contrast([119, 119, 119], [255, 255, 255]) - 4.48).abs() < 0.01);
        assert_eq!(parse_hex("#1d70b8"), Some([0x1d, 0x70, 0xb8]));
        assert_eq!(parse_hex("1d70b8"), None);
        assert_eq!(parse_hex("#fff"), None);
    }

    #[test]
    fn text_on_every_pivot_shade_has_a_contrast_of_at_least_4_5() {
        let colours = heat_colours();
        assert_eq!(colours.len(), STEPS);
        for (class, background, text) in &colours {
            let ratio = contrast(*background, *text);
            assert!(ratio >= 4.5, ".{class}: text contrast {ratio:.2}:1");
        }
        // Darker steps are darker: the shading reads as an order.
        let luminance = |c: [u8; 3]| contrast(c, [0, 0, 0]);
        for pair in colours.windows(2) {
            assert!(
                luminance(pair[0].1) > luminance(pair[1].1),
                "{} is not lighter than {}",
                pair[0].0,
                pair[1].0
            );
        }
    }

    #[test]
    fn links_in_shaded_cells_take_the_cell_text_colour_and_the_focus_colours() {
        let links =
            rule(".summary td.heat a, .summary td.heat a:visited, .summary td.heat a:hover")
                .expect("a rule for links in shaded cells");
        assert_eq!(property(links, "color"), Some("inherit"));
        let focus = rule(".summary td.heat a:focus-visible").expect("a focus rule");
        assert_eq!(property(focus, "color"), Some("var(--text)"));
        // The site's focus style: the text colour on the focus yellow.
        let root = rule(":root").expect(":root");
        let var = |name| property(root, name).and_then(parse_hex).expect(name);
        assert!(contrast(var("--text"), var("--focus")) >= 4.5);
    }

    #[test]
    fn the_map_shades_step_from_light_to_dark_like_the_table() {
        let fill = |step: usize| {
            let class = format!(".map-c{step}");
            let rule = rule(&class).unwrap_or_else(|| panic!("no {class} rule"));
            property(rule, "fill")
                .and_then(parse_hex)
                .unwrap_or_else(|| panic!("{class} has no fill"))
        };
        for step in 1..STEPS {
            assert!(
                contrast(fill(step), [0, 0, 0]) < contrast(fill(step - 1), [0, 0, 0]),
                "map-c{step}"
            );
        }
    }
}

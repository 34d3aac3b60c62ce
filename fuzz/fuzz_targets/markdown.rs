//! Markdown rendering and sanitising: whatever the input, the HTML that comes out,
//! parsed as a browser would, has no script or frame element, no event-handler
//! attribute and no URL with a scheme other than http(s) or mailto.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scraper::Html;

fn allowed_url(url: &str) -> bool {
    casebook::markdown::is_safe_url(url)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let resolve = |id: &str| id.eq_ignore_ascii_case("P1").then(|| "practices/p1/".to_string());
    let rendered = casebook::markdown::render(text, "../../", &resolve, false);
    let fragment = Html::parse_fragment(&rendered.html);
    for node in fragment.tree.nodes() {
        let Some(element) = node.value().as_element() else { continue };
        let name = element.name();
        assert!(
            !matches!(name, "script" | "iframe" | "object" | "embed" | "style" | "form"),
            "<{name}> survived: {}",
            rendered.html
        );
        for (attr, value) in element.attrs() {
            assert!(!attr.starts_with("on"), "{attr} on <{name}> survived: {}", rendered.html);
            if matches!(attr, "href" | "src" | "action" | "formaction" | "xlink:href") {
                assert!(allowed_url(value), "{attr}={value:?} survived: {}", rendered.html);
            }
        }
    }
});

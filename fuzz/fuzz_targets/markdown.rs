//! Markdown rendering and sanitising: no script, handler or unsafe URL survives.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Whether byte `at` lies inside a tag. Text content cannot hold a raw `<` (it is
/// escaped), so the nearest `<` or `>` before `at` tells.
fn inside_tag(html: &str, at: usize) -> bool {
    html[..at].rfind(['<', '>']).is_some_and(|i| html.as_bytes()[i] == b'<')
}

fn attribute_survived(html: &str, needle: &str) -> bool {
    html.match_indices(needle).any(|(at, _)| inside_tag(html, at))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let resolve = |id: &str| id.eq_ignore_ascii_case("P1").then(|| "practices/p1/".to_string());
    let rendered = casebook::markdown::render(text, "../../", &resolve, false);
    let lower = rendered.html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "script survived: {}", rendered.html);
    assert!(!lower.contains("<iframe"), "iframe survived: {}", rendered.html);
    for needle in ["href=\"javascript:", "src=\"javascript:", " onerror=", " onload=", " onclick="] {
        assert!(!attribute_survived(&lower, needle), "{needle} survived: {}", rendered.html);
    }
});

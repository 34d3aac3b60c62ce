//! Markdown rendering and sanitising: no script, handler or unsafe URL survives.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let resolve = |id: &str| id.eq_ignore_ascii_case("P1").then(|| "practices/p1/".to_string());
    let rendered = casebook::markdown::render(text, "../../", &resolve, false);
    let lower = rendered.html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "script survived: {}", rendered.html);
    assert!(!lower.contains("<iframe"), "iframe survived: {}", rendered.html);
    assert!(!lower.contains("href=\"javascript:"), "javascript link survived: {}", rendered.html);
    assert!(!lower.contains("src=\"javascript:"), "javascript src survived: {}", rendered.html);
});

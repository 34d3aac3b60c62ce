//! Front-matter split, YAML parse and validation of one entry file.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use casebook::config::Config;
use libfuzzer_sys::fuzz_target;

fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let text = include_str!("../../tests/fixtures/basic/catalogue.yaml");
        Config::parse(text).expect("fixture config is valid").0
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = Path::new("content/practices/fuzz.md");
    match casebook::load::parse_entry(config(), 1, path, text.to_string()) {
        Ok(parsed) => {
            assert!(casebook::model::is_valid_id(&parsed.entry.id));
            assert!(!parsed.entry.title.trim().is_empty());
        }
        Err(diagnostics) => {
            assert!(!diagnostics.is_empty());
            let lines = casebook::load::normalise_newlines(text.to_string()).lines().count();
            for d in diagnostics {
                // Every diagnostic can be printed, and points inside the file.
                let _ = d.to_string();
                if let Some(line) = d.line {
                    assert!(line >= 1 && line <= lines.max(1) + 1, "line {line} out of range");
                }
            }
        }
    }
});

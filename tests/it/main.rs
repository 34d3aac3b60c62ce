//! Integration tests: the real `casebook` binary on fixture sites and on the
//! shipped catalogue. One test binary, a module per feature, one set of
//! helpers (`util.rs`).
//!
//! `cargo test` runs everything but the ignored tests. The browser tests
//! (`browser/`) need Chromium and are ignored: `cargo test --test it --
//! --ignored browser` runs them, and each fails when Chromium, ChromeDriver
//! or axe-core is missing. The filtering benchmark (`bench.rs`) and the
//! 100,000-file build (`hardening.rs`) are ignored too, as slow.

mod authoring;
mod authors;
mod bench;
mod browse;
mod browser;
mod build;
mod check;
mod filter_model;
mod hardening;
mod hardening2;
mod import;
mod paging;
mod pictures;
mod publishing;
mod scale;
mod serve;
mod serve_guards;
mod shipped;
mod swap;
mod theming;
mod util;

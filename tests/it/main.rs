//! Integration tests: the real `casebook` binary on fixture sites and on the
//! shipped catalogue. One test binary, a module per feature.

mod authoring;
mod browse;
mod build;
mod check;
mod filter_model;
mod hardening;
mod publishing;
mod serve_guards;
mod shipped;
mod swap;
mod util;

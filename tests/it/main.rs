//! Integration tests: the real `casebook` binary on fixture sites and on the
//! shipped catalogue. One test binary, a module per feature.

mod authoring;
mod build;
mod check;
mod hardening;
mod publishing;
mod shipped;
mod util;

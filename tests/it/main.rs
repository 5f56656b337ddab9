//! The integration tests: one crate, so that the test binary links tantivy and jieba once.
//! Most run the built `gazette` binary on a temporary index and compare its output with an
//! independent answer (a substring scan, a hand-checked golden file). Tests that read
//! ../shared/corpus are `#[ignore]`d; `.ci/run` runs them when it is there.

mod common;

mod bad_input;
mod browser;
mod cli;
mod crash;
mod disk;
mod filters;
mod fuzz;
mod incremental;
mod large_files;
mod layouts;
mod merging;
mod names;
mod page_cuts;
mod pdf;
mod queries;
mod ranking;
mod recall;
mod reliability;
mod research;
mod serve;
mod shared_corpus;

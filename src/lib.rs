//! gazette: full-text search for Chinese government gazettes (政府公报).
//!
//! The pipeline, one folder a stage, in the order a paragraph travels:
//!
//! - [`ingest`]: files -> gazette issues: walk the folders, decode, read manifests, parse each
//!   file into documents, sections and repaired paragraphs.
//! - [`text`]: the pure functions both sides share: folding to the matching form, script
//!   conversion, dates.
//! - [`store`]: the index format: schema, tokenizers (the character and word views), the folder's
//!   directories, opening and creating an index, walking a field's terms.
//! - [`indexer`]: issues -> tantivy documents, in batches and commits, with the merge policy and
//!   compaction.
//! - [`search`]: a query -> a plan -> candidates -> verified, ranked hits or counts (data only).
//! - [`report`]: research over hits: statistics by bucket, a paragraph shown in its place.
//! - [`output`]: hits, buckets and paragraphs -> text for a person, JSON, CSV, citations.
//! - [`tools`]: latency benchmarks and generated corpora for measuring.
//!
//! The `gazette` binary adds the command line (`src/cli/`) on top.

pub mod error;
pub mod indexer;
pub mod ingest;
pub mod output;
mod parallel;
pub mod report;
pub mod search;
pub mod serve;
pub mod store;
pub mod text;
pub mod tools;

pub use error::Error;

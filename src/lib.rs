//! gazette: full-text search for Chinese government gazettes (政府公报).
//!
//! The pipeline, one module a stage: [`corpus`] reads files, [`parse`] turns a file into an issue
//! with documents, sections and repaired paragraphs, [`analysis`] holds the two text views,
//! [`index`] writes paragraphs to tantivy, [`search`] turns a query into hits, [`print`] shows them.

pub mod analysis;
mod backlog;
pub mod bench;
mod char_query;
mod context_query;
pub mod corpus;
pub mod export;
pub mod generate;
pub mod index;
pub mod manifest;
mod merging;
pub mod parse;
pub mod print;
pub mod query;
mod reading;
pub mod region;
pub mod schema;
pub mod search;
pub mod show;
pub mod stats;
mod traditional;
mod writing;

use std::path::PathBuf;

/// What a caller must tell apart.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One input file could not be read; the batch goes on without it.
    #[error("{}: {reason}", path.display())]
    File { path: PathBuf, reason: String },
    #[error("no index at {}: run `gazette index` first", path.display())]
    NoIndex { path: PathBuf },
    #[error(
        "the index at {} was built by another version of gazette ({found}); rebuild it with `gazette index --rebuild`",
        path.display()
    )]
    IncompatibleIndex { path: PathBuf, found: String },
    #[error("{path} is not a gazette index: {reason}", path = path.display())]
    NotAnIndex { path: PathBuf, reason: String },
    #[error("another gazette process is writing the index at {}; try again when it has finished", path.display())]
    Busy { path: PathBuf },
    #[error(
        "cannot write the index at {}: {reason}; it is left as of its last commit",
        path.display()
    )]
    Write { path: PathBuf, reason: String },
    #[error("the index is inconsistent ({0}); rebuild it with `gazette index --rebuild`")]
    Inconsistent(String),
    #[error("bad query: {0}")]
    Query(String),
    #[error("{0}")]
    Show(String),
    #[error("cannot generate a corpus: {0}")]
    Generate(String),
    #[error(transparent)]
    Tantivy(#[from] tantivy::TantivyError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

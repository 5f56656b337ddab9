//! Command-line arguments (clap) and their resolution into the library's plain config structs.
//! No clap type goes below this file.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use gazette::index::IndexConfig;
use gazette::search::SearchConfig;

/// Full-text search for Chinese government gazettes (政府公报).
#[derive(Debug, Parser)]
#[command(name = "gazette", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index gazette text files, paragraph by paragraph (replaces what the index held).
    Index(IndexArgs),
    /// Search the index: ranked paragraphs with their citations.
    Search(SearchArgs),
    /// Show how a file is read: metadata and its sources, documents, sections, paragraphs.
    Inspect(InspectArgs),
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The file to read.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Print every paragraph under its section.
    #[arg(long)]
    pub paragraphs: bool,
}

#[derive(Debug, Args)]
pub struct IndexLocation {
    /// The index folder.
    #[arg(
        long,
        env = "GAZETTE_INDEX",
        default_value = "index",
        value_name = "DIR"
    )]
    pub index: PathBuf,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Files or folders to index (folders are walked for .txt and .md files).
    #[arg(value_name = "PATH", default_value = "corpus")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub location: IndexLocation,
}

#[derive(Debug, Args)]
#[command(after_help = "\
QUERY is one or more literals separated by spaces; a paragraph matches when it contains every one \
of them as written (Latin letters in any case, full-width or half-width digits, spaces between \
Chinese characters ignored). Examples:
  gazette search 云台山
  gazette search 3+13+N
  gazette search 文旅 消费 --all --json

Exit status: 0 when something was found, 1 when nothing was, 2 on error.")]
pub struct SearchArgs {
    /// The literals to find.
    #[arg(value_name = "QUERY", required = true, num_args = 1..)]
    pub query: Vec<String>,
    /// Show this many of the best hits.
    #[arg(long, short = 'n', default_value_t = 10, value_name = "N")]
    pub limit: usize,
    /// Show every hit.
    #[arg(long, conflicts_with = "limit")]
    pub all: bool,
    /// JSON Lines, one object per hit.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub location: IndexLocation,
}

impl IndexArgs {
    pub fn config(self) -> IndexConfig {
        IndexConfig {
            index_dir: self.location.index,
            inputs: self.paths,
            progress: std::io::stderr().is_terminal(),
        }
    }
}

impl SearchArgs {
    pub fn config(&self) -> SearchConfig {
        SearchConfig {
            index_dir: self.location.index.clone(),
            query: self.query.join(" "),
            limit: (!self.all).then_some(self.limit),
        }
    }
}

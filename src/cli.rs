//! Command-line arguments (clap) and their resolution into the library's plain config structs.
//! No clap type goes below this file.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use gazette::analysis::Script;
use gazette::index::IndexConfig;
use gazette::query::{Field, Filter};
use gazette::search::{SearchConfig, Sort};

/// Full-text search for Chinese government gazettes (政府公报).
#[derive(Debug, Parser)]
#[command(name = "gazette", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index gazette text files, paragraph by paragraph; a rerun adds new files and updates changed
    /// ones.
    Index(IndexArgs),
    /// Search the index: ranked paragraphs with their citations.
    Search(SearchArgs),
    /// Show how a file is read: metadata and its sources, documents, sections, paragraphs.
    Inspect(InspectArgs),
    /// Measure query latency in-process: p50/p95/p99/max per query class.
    Bench(BenchArgs),
    /// Write a gazette-like corpus of a given size from a source corpus, for growth curves.
    #[command(hide = true)]
    Generate(GenerateArgs),
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The corpus whose paragraphs and headings are recombined.
    #[arg(long, value_name = "DIR")]
    pub source: PathBuf,
    /// Where to write the corpus (an empty or new folder).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Megabytes of text to write.
    #[arg(long, value_name = "MB")]
    pub megabytes: u64,
    /// Seed of the generator: the same seed, source and size give the same corpus.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Query file: `class<TAB>query` lines (default: the set in benches/queries.tsv).
    #[arg(long, value_name = "FILE")]
    pub queries: Option<PathBuf>,
    /// How many times each query runs after one warm-up run.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub repeat: usize,
    /// One JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub location: IndexLocation,
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
    /// Remove from the index the files that are no longer there.
    #[arg(long)]
    pub prune: bool,
    /// Throw the index away and build it again (after an upgrade of gazette, say).
    #[arg(long)]
    pub rebuild: bool,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Commit after every N kilobytes of text (default 64 MB; for tests of interrupted runs).
    #[arg(long, hide = true, value_name = "KB")]
    pub commit_kb: Option<u64>,
    #[command(flatten)]
    pub location: IndexLocation,
}

#[derive(Debug, Args)]
#[command(after_help = "\
QUERY syntax (quote the query when it holds spaces, parentheses or a leading -):
  云台山 实验室            both literals, anywhere in the paragraph
  云台山 OR 青天河         either
  云台山 -门票             云台山 without 门票 (also: 云台山 NOT 门票)
  (云台山 OR 青天河) 旅游  parentheses group
  \"3 + 1\"                a literal with spaces or syntax characters
  云台山 NEAR/10 实验室    both, at most 10 characters apart, in either order
  gazette:焦作 region:河南 document:工作报告 year:2025 date:2024-01..2025-06
  level:地方性法规         any manifest column, as name:value

A literal matches wherever that exact string occurs: Latin letters in any case, full-width and \
half-width forms alike, spaces between Chinese characters ignored, traditional and simplified \
characters alike (云台山 finds 雲臺山; --exact-script turns this off). Field values match when \
the field contains them.

Exit status: 0 when something was found, 1 when nothing was, 2 on error.")]
pub struct SearchArgs {
    /// The query (see below).
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
    /// Print the number of matching paragraphs and of occurrences instead of the hits.
    #[arg(long)]
    pub count: bool,
    /// Only paragraphs of a gazette whose name contains this.
    #[arg(long, value_name = "NAME")]
    pub gazette: Option<String>,
    /// Only paragraphs of a region that contains this (e.g. 河南).
    #[arg(long, value_name = "NAME")]
    pub region: Option<String>,
    /// Only paragraphs of a document whose title contains this.
    #[arg(long, value_name = "TITLE")]
    pub document: Option<String>,
    /// Only paragraphs dated on or after this (YYYY, YYYY-MM or YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<String>,
    /// Only paragraphs dated on or before this (YYYY, YYYY-MM or YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub to: Option<String>,
    /// Only whole-word matches (as jieba segments the paragraph): 台山 no longer matches 云台山.
    #[arg(long)]
    pub words: bool,
    /// Order of the hits.
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
    /// Match traditional and simplified characters only as written.
    #[arg(long)]
    pub exact_script: bool,
    /// Rank by plain BM25 on the character view (for evaluating the ranking).
    #[arg(long, hide = true)]
    pub plain_bm25: bool,
    #[command(flatten)]
    pub location: IndexLocation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SortArg {
    /// Best match first.
    Relevance,
    /// Oldest first; undated last.
    Oldest,
    /// Newest first; undated last.
    Newest,
}

fn parse_date(value: &str) -> Result<String, String> {
    gazette::query::parse_date(value)
        .ok_or_else(|| format!("{value} is not YYYY, YYYY-MM or YYYY-MM-DD"))
}

impl IndexArgs {
    pub fn config(&self) -> IndexConfig {
        IndexConfig {
            index_dir: self.location.index.clone(),
            inputs: self.paths.clone(),
            progress: std::io::stderr().is_terminal(),
            prune: self.prune,
            rebuild: self.rebuild,
            commit_bytes: self.commit_kb.unwrap_or(0) * 1024,
        }
    }
}

impl SearchArgs {
    pub fn config(&self) -> SearchConfig {
        let mut filters = Vec::new();
        for (field, value) in [
            (Field::Gazette, &self.gazette),
            (Field::Region, &self.region),
            (Field::Document, &self.document),
        ] {
            if let Some(value) = value {
                filters.push(Filter::Contains {
                    field,
                    value: value.clone(),
                });
            }
        }
        if self.from.is_some() || self.to.is_some() {
            filters.push(Filter::Date {
                from: self.from.clone(),
                to: self.to.clone(),
            });
        }
        SearchConfig {
            index_dir: self.location.index.clone(),
            query: self.query.join(" "),
            filters,
            limit: (!self.all).then_some(self.limit),
            words: self.words,
            script: if self.exact_script {
                Script::Exact
            } else {
                Script::Fold
            },
            sort: match self.sort {
                SortArg::Relevance => Sort::Relevance,
                SortArg::Oldest => Sort::Oldest,
                SortArg::Newest => Sort::Newest,
            },
            plain_bm25: self.plain_bm25,
        }
    }
}

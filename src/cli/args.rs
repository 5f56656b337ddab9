//! The command line as clap reads it: commands, flags and their help. What the flags mean for the
//! library is decided in `resolve`; no clap type goes below `crate::cli`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand};

/// Full-text search for Chinese government gazettes (政府公报).
#[derive(Debug, Parser)]
#[command(name = "gazette", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
// Each command's flags are built only when it runs (or for help, completions and the manual):
// building every command's was a share of a rare word's whole search.
#[command(defer = true)]
pub enum Command {
    /// Index gazette text files, paragraph by paragraph; a rerun adds new files and updates changed
    /// ones.
    Index(IndexArgs),
    /// Search the index: ranked paragraphs with their citations, and the documents and issues
    /// whose title, 文号 or name holds the query.
    Search(SearchArgs),
    /// Show how a file is read: metadata and its sources, documents, sections, paragraphs.
    Inspect(InspectArgs),
    /// Count matches by year, month, gazette, region or document, against the text of each.
    Stats(StatsArgs),
    /// Show a paragraph of an indexed file in its place, with its neighbours and section path.
    Show(ShowArgs),
    /// Check every file of the index against its checksum; --repair drops damaged segments.
    Check(CheckArgs),
    /// Measure query latency in-process: p50/p95/p99/max per query class.
    Bench(BenchArgs),
    /// Serve a search page and a JSON API over the index, for a browser or a script: the page at
    /// http://127.0.0.1:8080/, the API under /api/ (docs/API.md). Ctrl-C stops it.
    Serve(ServeArgs),
    /// Write a gazette-like corpus of a given size from a source corpus, for growth curves.
    #[command(hide = true)]
    Generate(GenerateArgs),
    /// Print a shell completion script: `gazette completions bash > /etc/bash_completion.d/gazette`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff): `gazette man > gazette.1; man ./gazette.1`.
    Man,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Drop the damaged segments from the index and name the files they held, which the next
    /// `gazette index` of the corpus adds again.
    #[arg(long)]
    pub repair: bool,
    #[command(flatten)]
    pub location: IndexLocation,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
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
pub struct ServeArgs {
    /// The address to listen on. Only this machine can reach the default; another address
    /// (0.0.0.0:8080) lets anyone who can reach the machine search the index.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "IP:PORT")]
    pub addr: std::net::SocketAddr,
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
    /// Follow links that lead out of the folders given (by default they are reported and
    /// skipped).
    #[arg(long)]
    pub follow_links: bool,
    /// Throw the index away and build it again (after an upgrade of gazette, say).
    #[arg(long)]
    pub rebuild: bool,
    /// At the end, merge the index's smaller segments into as few as possible, as a run that
    /// leaves more than 8 segments does anyway: searches open fewer files and are faster, above
    /// all on a large index, while the run takes longer (on an index with nothing new to add, it
    /// only merges).
    #[arg(long)]
    pub compact: bool,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Commit after every N kilobytes of text (default: the indexer's commit size; for tests of
    /// interrupted runs).
    #[arg(long, hide = true, value_name = "KB")]
    pub commit_kb: Option<u64>,
    /// Read a text file larger than N kilobytes in parts of about that size (default: the
    /// indexer's part size; for tests of files read in parts).
    #[arg(long, hide = true, value_name = "KB")]
    pub part_kb: Option<u64>,
    /// Merge segments into at most N paragraphs each (for tests of the merge policy).
    #[arg(long, hide = true, value_name = "N")]
    pub max_merged_docs: Option<u32>,
    /// Compact when the run leaves more than N segments (default 8; for tests of the merge
    /// policy).
    #[arg(long, hide = true, value_name = "N")]
    pub compact_above: Option<usize>,
    #[command(flatten)]
    pub location: IndexLocation,
}

const QUERY_HELP: &str = "\
QUERY syntax (quote the query when it holds parentheses, or - before a Latin letter):
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

Exit status: 0 when something was found, 1 when nothing was, 2 on error.";

// A query and the flags that narrow it, shared by `search` and `stats`. Not a doc comment: with
// the commands deferred (`Command`), clap would take it for their description.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The query (see below).
    #[arg(value_name = "QUERY", required = true, num_args = 1..)]
    pub query: Vec<String>,
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
    #[arg(long, value_name = "DATE", value_parser = super::resolve::parse_date)]
    pub from: Option<String>,
    /// Only paragraphs dated on or before this (YYYY, YYYY-MM or YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = super::resolve::parse_date)]
    pub to: Option<String>,
    /// Only whole-word matches (as jieba segments the paragraph): 台山 no longer matches 云台山.
    #[arg(long)]
    pub words: bool,
    /// Match traditional and simplified characters only as written.
    #[arg(long)]
    pub exact_script: bool,
    /// Only paragraphs of files that the last `gazette index` run added or changed: what the new
    /// issues say.
    #[arg(long, conflicts_with = "indexed_since")]
    pub new: bool,
    /// Only paragraphs of files added or changed in the index on or after this date (YYYY,
    /// YYYY-MM or YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE", value_parser = super::resolve::parse_date)]
    pub indexed_since: Option<String>,
    #[command(flatten)]
    pub location: IndexLocation,
}

#[derive(Debug, Args)]
#[command(after_help = QUERY_HELP)]
pub struct SearchArgs {
    #[command(flatten)]
    pub query: QueryArgs,
    /// Show this many of the best hits.
    #[arg(long, short = 'n', default_value_t = 10, value_name = "N")]
    pub limit: usize,
    /// Show every hit.
    #[arg(long, conflicts_with = "limit")]
    pub all: bool,
    /// JSON Lines, one object per hit.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// CSV (UTF-8, a header row): every field of every hit, one column per manifest attribute.
    #[arg(long)]
    pub csv: bool,
    /// Print the number of matching paragraphs and of occurrences instead of the hits, and apart
    /// the documents and issues matched by name.
    #[arg(long, conflicts_with = "csv")]
    pub count: bool,
    /// Concordance: one line per occurrence, the match centred between its contexts, the
    /// citation at the end.
    #[arg(long, conflicts_with_all = ["json", "csv", "count"])]
    pub kwic: bool,
    /// Characters of context on each side of a match, with --kwic.
    #[arg(long, default_value_t = 20, value_name = "N", requires = "kwic")]
    pub width: usize,
    /// Add a reference in GB/T 7714 style to each hit.
    #[arg(long)]
    pub cite: bool,
    /// Order of the hits; with --kwic also left or right (by the context before or after the
    /// match, read outward from it).
    /// [default: relevance; with --all, index]
    #[arg(long, value_enum)]
    pub sort: Option<SortArg>,
    /// Only paragraphs of text: no document found by its title or 文号, no issue by its name.
    #[arg(long)]
    pub text_only: bool,
    /// Rank by plain BM25 on the character view (for evaluating the ranking).
    #[arg(long, hide = true)]
    pub plain_bm25: bool,
}

#[derive(Debug, Args)]
#[command(after_help = QUERY_HELP)]
pub struct StatsArgs {
    #[command(flatten)]
    pub query: QueryArgs,
    /// What to count by.
    #[arg(long, value_enum, default_value_t = ByArg::Year)]
    pub by: ByArg,
    /// JSON Lines, one object per bucket.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// CSV with a header row.
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ByArg {
    Year,
    Month,
    Gazette,
    Region,
    Document,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The file, as the index names it (the path printed with each hit).
    #[arg(value_name = "PATH")]
    pub path: String,
    /// The paragraph to show (¶N of a hit), with its neighbours; the whole file without it.
    #[arg(long, short = 'p', value_name = "N")]
    pub paragraph: Option<u64>,
    /// Paragraphs to show before and after it.
    #[arg(long, short = 'C', default_value_t = 2, value_name = "K")]
    pub context: usize,
    /// In a file of several documents: the document (its number from 1, or part of its title).
    #[arg(long, value_name = "DOCUMENT")]
    pub document: Option<String>,
    /// JSON Lines, one object per paragraph.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub location: IndexLocation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SortArg {
    /// Best match first.
    Relevance,
    /// With --all: names first, then paragraphs in the order of the index, file by file, each
    /// written as it is read (the other orders hold every hit in memory before the first).
    Index,
    /// Oldest first; undated last.
    Oldest,
    /// Newest first; undated last.
    Newest,
    /// With --kwic: by the context before the match, read from the match leftward.
    Left,
    /// With --kwic: by the context after the match.
    Right,
}

/// The command line as clap should read it. A word of the query that excludes (`发展 -经济`)
/// begins with `-` as a flag does, and clap refused it as one (`unexpected argument '-经'`).
/// Every flag of gazette's is `-` and an ASCII letter, or `--`: an argument of `-` and anything
/// else is a word of the query, unless it is the value of the option before it. Such a word is
/// given a leading space, which clap takes as a value and the query's parser ignores (the
/// query's words are joined with spaces).
pub fn with_negations(args: Vec<OsString>) -> Vec<OsString> {
    let negation = |arg: &OsString| {
        arg.to_str()
            .and_then(|arg| arg.strip_prefix('-')?.chars().next())
            .is_some_and(|c| !c.is_ascii_alphabetic() && c != '-')
    };
    if !args.iter().skip(1).any(negation) {
        return args;
    }
    // Built only here: the commands' flags are otherwise built only when they run.
    let mut command = Cli::command();
    command.build();
    let mut long = Vec::new();
    let mut short = Vec::new();
    for sub in command.get_subcommands() {
        for arg in sub
            .get_arguments()
            .filter(|arg| arg.get_action().takes_values())
        {
            long.extend(arg.get_long().map(str::to_string));
            short.extend(arg.get_short());
        }
    }
    let takes_value = |arg: &OsString| match arg.to_str() {
        Some(arg) if arg.starts_with("--") => long.iter().any(|name| arg[2..] == **name),
        Some(arg) => {
            let mut chars = arg.chars();
            chars.next() == Some('-')
                && chars.next().is_some_and(|c| short.contains(&c))
                && chars.next().is_none()
        }
        None => false,
    };
    let mut read = Vec::with_capacity(args.len());
    let mut value_next = false;
    for (at, arg) in args.into_iter().enumerate() {
        let next = takes_value(&arg);
        if at > 0 && !value_next && negation(&arg) {
            let mut word = OsString::from(" ");
            word.push(&arg);
            read.push(word);
        } else {
            read.push(arg);
        }
        value_next = next;
    }
    read
}

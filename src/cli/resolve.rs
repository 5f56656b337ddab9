//! Arguments -> plain configs: every default, every rule between flags, and whether to draw colour
//! and progress are decided here, so that the commands and the library below take structs that a
//! test can build by hand.

use std::io::IsTerminal;
use std::path::PathBuf;

use gazette::indexer::IndexConfig;
use gazette::output::kwic::KwicOrder;
use gazette::report::show::ShowConfig;
use gazette::report::stats::By;
use gazette::search::narrowing::Narrowing;
use gazette::search::query::Filter;
use gazette::search::{SearchConfig, Sort};
use gazette::text::dates;
use gazette::text::fold::Script;

use super::args::{ByArg, IndexArgs, QueryArgs, SearchArgs, ShowArgs, SortArg};

/// A date bound as `--from` and `--to` take it.
pub fn parse_date(value: &str) -> Result<String, String> {
    dates::normalise(value).ok_or_else(|| format!("{value} is not YYYY, YYYY-MM or YYYY-MM-DD"))
}

/// Whether standard output takes colour: a terminal, unless `NO_COLOR` or `CLICOLOR=0` say
/// otherwise (as anstream reads them).
pub fn stdout_color() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
}

/// What `gazette search` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Csv,
    Kwic(KwicOrder),
    Count { json: bool },
}

/// `gazette search`, resolved.
pub struct Search {
    pub index: PathBuf,
    pub config: SearchConfig,
    pub format: Format,
    /// Characters of context on each side, for `--kwic`.
    pub width: usize,
    pub cite: bool,
    /// Every hit, written as it is read, in the order of the index (`--all`, unless sorted).
    pub in_index_order: bool,
}

impl IndexArgs {
    pub fn config(&self) -> IndexConfig {
        let defaults = IndexConfig::default();
        IndexConfig {
            index_dir: self.location.index.clone(),
            inputs: self.paths.clone(),
            follow_links: self.follow_links,
            progress: std::io::stderr().is_terminal(),
            prune: self.prune,
            rebuild: self.rebuild,
            compact: self.compact,
            commit_bytes: self
                .commit_kb
                .map_or(defaults.commit_bytes, |kb| kb.saturating_mul(1024)),
            max_merged_docs: self.max_merged_docs.unwrap_or(defaults.max_merged_docs),
            part_bytes: self
                .part_kb
                .map_or(defaults.part_bytes, |kb| kb.saturating_mul(1024).max(1)),
            compact_above: self.compact_above.unwrap_or(defaults.compact_above),
        }
    }
}

impl QueryArgs {
    pub fn config(&self) -> SearchConfig {
        let filters = Narrowing {
            gazette: self.gazette.clone(),
            region: self.region.clone(),
            document: self.document.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            indexed_since: self.indexed_since.clone(),
        }
        .filters();
        SearchConfig {
            query: self.query.join(" "),
            filters,
            words: self.words,
            script: if self.exact_script {
                Script::Exact
            } else {
                Script::Fold
            },
            ..SearchConfig::default()
        }
    }
}

impl QueryArgs {
    /// The `--new` filter, read from the index's record of its runs: files indexed since the run
    /// before the last one ended. Read after the query is checked, so that a mistyped query is
    /// reported as such whether or not the index is there.
    pub fn new_filter(&self) -> anyhow::Result<Option<Filter>> {
        if !self.new {
            return Ok(None);
        }
        let since = gazette::store::new_since(&self.location.index)?;
        Ok(Some(Filter::IndexedSince(since)))
    }
}

impl SearchArgs {
    /// The search to run and how to print it. `--sort left|right` orders concordance lines, so it
    /// needs `--kwic`.
    pub fn resolve(&self) -> anyhow::Result<Search> {
        if matches!(self.sort, Some(SortArg::Left | SortArg::Right)) && !self.kwic {
            anyhow::bail!("--sort left and --sort right order concordance lines: add --kwic");
        }
        if self.sort == Some(SortArg::Index) && !self.all {
            anyhow::bail!("--sort index writes every hit as it is read: add --all");
        }
        let in_index_order = self.all && matches!(self.sort, None | Some(SortArg::Index));
        let format = if self.count {
            Format::Count { json: self.json }
        } else if self.json {
            Format::Json
        } else if self.csv {
            Format::Csv
        } else if self.kwic {
            Format::Kwic(match self.sort {
                Some(SortArg::Left) => KwicOrder::Left,
                Some(SortArg::Right) => KwicOrder::Right,
                _ => KwicOrder::Hits,
            })
        } else {
            Format::Human
        };
        let config = SearchConfig {
            limit: (!self.all).then_some(self.limit),
            sort: match self.sort {
                Some(SortArg::Oldest) => Sort::Oldest,
                Some(SortArg::Newest) => Sort::Newest,
                _ => Sort::Relevance,
            },
            plain_bm25: self.plain_bm25,
            text_only: self.text_only,
            ..self.query.config()
        };
        Ok(Search {
            index: self.query.location.index.clone(),
            config,
            format,
            width: self.width,
            cite: self.cite,
            in_index_order,
        })
    }
}

impl ShowArgs {
    pub fn config(&self) -> ShowConfig {
        ShowConfig {
            path: self.path.clone(),
            paragraph: self.paragraph,
            context: self.context,
            document: self.document.clone(),
        }
    }
}

impl ByArg {
    pub fn by(self) -> By {
        match self {
            ByArg::Year => By::Year,
            ByArg::Month => By::Month,
            ByArg::Gazette => By::Gazette,
            ByArg::Region => By::Region,
            ByArg::Document => By::Document,
        }
    }
}

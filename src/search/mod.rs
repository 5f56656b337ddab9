//! SEARCH: a query -> a plan -> candidates -> verified, ranked hits or counts (data only; the
//! formats are `crate::output`'s).
//!
//! Recall comes from the character view alone: each literal becomes a phrase of character bigrams
//! at fixed offsets, which matches exactly where the folded literal occurs, however jieba cut the
//! words. The word view only ranks (a paragraph where a literal is a whole jieba word gets
//! [`WORD_BONUS`], so 台山 as a word ranks above 台山 inside 云台山) and, with `--words`, decides.
//! Filters on citation fields scan those fields' term dictionaries, which hold few distinct values.
//! Every hit is checked against its stored text; where the index cannot decide alone (NEAR,
//! `--exact-script`) every candidate is. Nothing here tokenizes with jieba: the search path never
//! loads its dictionary.
//!
//! The stages, one file each:
//! - [`query`]: the query language, text -> [`query::Expr`].
//! - `plan`: the expression and flags -> the tantivy query of its candidates, and whether the
//!   index decides alone; `literal` and `filter` build its parts.
//! - [`char_query`], [`context_query`], `held`: the custom tantivy queries (a character, the
//!   context signal, a term of a field some segments lack); `runs`: the paragraphs of documents
//!   and sections from their first paragraphs; `postings`: a literal's occurrences from its
//!   grams' positions, which `positions` reads.
//! - `norms`: a scored field's lengths, from tantivy's field norms or from heads' columns.
//! - `rank`: top k by score, ties by date; the order by date. `spread`: the segments of a
//!   search on every core when its postings are many.
//! - `near`: NEAR decided on positions, or on the text.
//! - `verify`: candidates checked against their stored text; `stored` reads paragraphs and
//!   citations.
//! - `count`: every match and its occurrences, for `--count` and `stats`.
//! - `stream`: every hit, a batch at a time in the order of the index, for `--all`.
//! - [`narrowing`]: filters from flags and form fields, beside the query's own.
//! - `names`: the documents whose title or 文号 the query matches and the issues whose name it
//!   matches, one hit each, merged into the paragraphs; `issues` finds the issues, each once,
//!   and the best of them without checking every one.
//! - `contents`: what the index holds, listed: its files, a file's paragraphs, the manifest
//!   attributes (for `show`, `--csv` and the web page).
//! - `engine`: the open index that runs them all.

mod accepts;
mod bounds;
mod char_counts;
pub mod char_query;
mod contents;
pub mod context_query;
mod count;
mod engine;
mod filter;
mod held;
mod issues;
mod literal;
mod names;
pub mod narrowing;
mod near;
mod norms;
mod phrase;
mod plan;
mod positions;
mod postings;
pub mod query;
mod rank;
mod runs;
mod spread;
mod stored;
mod stream;
mod verify;

pub use contents::{attribute_names, file_paragraphs, indexed_paths};
pub use engine::Engine;
pub use names::NAME_SCORE;
pub use rank::{CONTEXT_BOOST, WORD_BONUS};
pub use runs::DocumentsQuery;

use std::sync::Arc;

use serde::Serialize;
use tantivy::collector::Count;

use crate::Error;
pub use crate::store::place::Section;
use crate::store::schema::Citation;
use crate::text::fold::Script;
use near::{Close, NearPositions, search_near};
use plan::{Prepared, Run};
use query::Filter;
use rank::{best, best_first, by_date, by_score, top_by_score};
use stored::Heads;
use verify::{Checked, hits_of, read_checked, read_in_store_order};

/// Order of the hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    Oldest,
    Newest,
}

/// What `gazette search` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct SearchConfig {
    pub query: String,
    /// Filters from flags (`--gazette`, `--from`, …), joined to the query by AND.
    pub filters: Vec<Filter>,
    /// How many hits to return; `None` for every hit.
    pub limit: Option<usize>,
    /// A literal matches only a paragraph where it is a whole jieba word.
    pub words: bool,
    pub script: Script,
    pub sort: Sort,
    /// Rank by BM25 on the character view alone, without the word and context signals (for
    /// measuring what those signals add).
    pub plain_bm25: bool,
    /// Only paragraphs: no document found by its title or 文号, no issue by its name.
    pub text_only: bool,
}

/// Where a hit's literals were found: in a paragraph's text, or in what names its document or
/// its issue. A hit of a name stands for the document or the issue, and its text is the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedIn {
    #[default]
    Text,
    /// The document's title.
    Title,
    /// The document's number (文号).
    DocNumber,
    /// The gazette's name: the hit stands for an issue.
    Gazette,
    /// The issue's name (with or without the gazette's).
    Issue,
}

impl MatchedIn {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchedIn::Text => "text",
            MatchedIn::Title => "title",
            MatchedIn::DocNumber => "doc_number",
            MatchedIn::Gazette => "gazette",
            MatchedIn::Issue => "issue",
        }
    }

    /// The hit stands for an issue rather than a document or a paragraph.
    pub fn is_issue(self) -> bool {
        matches!(self, MatchedIn::Gazette | MatchedIn::Issue)
    }
}

/// One matching paragraph, with its citation.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Where its document comes from, shared by the hits of one document.
    pub citation: Arc<Citation>,
    pub section: Section,
    pub paragraph: u64,
    /// The page where the paragraph starts; where its file has no pages (text without form
    /// feeds), the page where its document starts, from the 目录.
    pub page: Option<u64>,
    /// The page where it ends, where a page end cut it.
    pub page_end: Option<u64>,
    pub score: f32,
    pub word_match: bool,
    /// Where the literals were found; for a name, `paragraph` is 0 and `text` is the name.
    pub matched_in: MatchedIn,
    pub text: String,
    /// UTF-8 byte ranges of `text`, one per occurrence of each literal, in text order.
    pub matches: Vec<(usize, usize)>,
    /// A reference in GB/T 7714 style, when asked for (`--cite`).
    pub reference: Option<String>,
}

#[derive(Debug, Default)]
pub struct SearchResult {
    pub hits: Vec<Hit>,
    /// Hits in all, of which `hits` holds the best: `paragraphs + documents + issues`.
    pub total: usize,
    /// Paragraphs whose text matches.
    pub paragraphs: usize,
    /// Documents whose title or 文号 matches.
    pub documents: usize,
    /// Issues whose name matches.
    pub issues: usize,
}

impl SearchResult {
    /// The text's hits joined by the names', in the order of `config.sort`, cut to its limit.
    fn with_names(mut self, names: names::Names, config: &SearchConfig) -> SearchResult {
        if names.hits.is_empty() && names.documents + names.issues == 0 {
            return self;
        }
        let text = std::mem::take(&mut self.hits);
        self.hits = rank::merge(text, names.hits, config.sort, config.limit);
        self.documents = names.documents;
        self.issues = names.issues;
        self.total = self.paragraphs + self.documents + self.issues;
        self
    }
}

/// The number of matching paragraphs and of occurrences of the query's literals in them; and
/// apart, the documents and issues whose names match.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub paragraphs: usize,
    pub occurrences: usize,
    /// Documents whose title or 文号 matches (their text is counted above, as paragraphs).
    pub documents: usize,
    /// Issues whose name matches.
    pub issues: usize,
}

/// Checks the query and the flags without opening the index, so that a mistyped query is
/// reported as such whether or not the index is there.
pub fn check(config: &SearchConfig) -> Result<(), Error> {
    Prepared::new(config).map(drop)
}

/// A search, in its stages: candidates with scores (the best `limit` where the index decides
/// alone, every candidate otherwise), then each read and checked against its text in store order,
/// then ordered and cut to `limit`. NEAR leaves for `near::search_near` once positions have
/// filtered its candidates. The stages share the count of rejected candidates, which is why they
/// stand in one function.
/// Every candidate of `run`, ranked: a heap that is never full keeps them all, so no pass
/// counts them first.
fn every_candidate(run: &Run) -> Result<Vec<(f32, tantivy::DocAddress)>, Error> {
    spread::search(&run.searcher, &run.query, &best(usize::MAX, &run.dates))
}

fn search_with(run: &Run, config: &SearchConfig) -> Result<SearchResult, Error> {
    let limit = config.limit;
    let searcher = &run.searcher;

    // Candidates with their scores: the best `limit` where the index decides alone and the order
    // is by relevance; otherwise all of them, checked against their text.
    // By date, where the index decides, every candidate is a hit: only the first `limit` in date
    // order are read (and those after any the text rejects), not every candidate.
    let decides = run.prepared.index_decides();
    let by_relevance = config.sort == Sort::Relevance;
    let first_by_date = decides && !by_relevance && limit.is_some();
    let everything = !decides || (!by_relevance && limit.is_none());
    let (candidates, counted) = if first_by_date {
        let all = every_candidate(run)?;
        let total = all.len();
        (by_date(run, config.sort, all, |c| c.1)?, Some(total))
    } else if everything {
        if let Some(near) = NearPositions::of(run)? {
            // Positions rule out most candidates before any is ranked: only those close enough
            // are ordered.
            // Scored once kept: positions rule out most of the paragraphs that hold both. Where
            // none is shown (names fill the page: `发展 NEAR/5 经济` names ten titles) they are
            // only counted, neither scored nor ordered.
            let shown = limit != Some(0);
            let mut close = near.close(run, shown)?;
            if shown && config.sort == Sort::Relevance {
                let key = |c: &Close| (c.score, c.address);
                close = match config.limit {
                    // Only a page is shown: its hits are among the best `limit` and as many
                    // more as their text may yet reject.
                    Some(limit) => {
                        let undecided = close.iter().filter(|c| c.decided.is_none()).count();
                        best_first(run, close, key, limit.saturating_add(undecided))?
                    }
                    None => by_score(run, close, key)?,
                };
            }
            return search_near(run, config, close);
        }
        (every_candidate(run)?, None)
    } else if limit == Some(0) {
        // None is shown (names fill the page): the matches are only counted, without scores
        // and without the optional signals the ranked query would still open (the titles and
        // headings that hold 政府, every one of them).
        (
            Vec::new(),
            Some(spread::search(searcher, run.matches()?, &Count)?),
        )
    } else {
        let k = limit.unwrap_or(usize::MAX).max(1);
        let k = if limit.is_none() {
            spread::search(searcher, run.matches()?, &Count)?.max(1)
        } else {
            k
        };
        let (top, total) = top_by_score(run, k)?;
        (top, Some(total))
    };

    let mut checked: Vec<Checked> = Vec::new();
    let mut rejected = 0;
    let keep = if everything {
        usize::MAX
    } else {
        limit.unwrap_or(usize::MAX)
    };
    // The candidates expected to be shown are read in the order of the store, so that each
    // compressed block of it is read once; any beyond them only if some were rejected.
    let expected = candidates.len().min(keep);
    // When every hit is shown, citations are read with the paragraphs, in store order; otherwise
    // only those of the hits kept, at the end.
    let cite = limit.is_none();
    let first = read_in_store_order(run, &candidates[..expected], cite)?;
    let mut heads = Heads::default();
    let rest = candidates[expected..]
        .iter()
        .map(|&candidate| read_checked(run, candidate, cite, &mut heads));
    for read in first.into_iter().map(Ok).chain(rest) {
        if checked.len() >= keep {
            break;
        }
        match read? {
            Some(found) => checked.push(found),
            None => rejected += 1,
        }
    }
    let total = match counted {
        Some(total) => total - rejected,
        None => checked.len(),
    };

    if config.sort != Sort::Relevance {
        checked = by_date(run, config.sort, checked, |c| c.address)?;
    }
    if let Some(limit) = limit {
        checked.truncate(limit);
    }
    Ok(SearchResult {
        hits: hits_of(run, checked)?,
        total,
        paragraphs: total,
        ..SearchResult::default()
    })
}

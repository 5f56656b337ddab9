//! An open index, ready for any number of searches: the one place a search opens the index.

use std::sync::Arc;
use tantivy::query::{EnableScoring, Query};

use tantivy::{DocAddress, Searcher};

use crate::search::filter::Accepted;
use crate::search::rank::Dates;

use super::plan::Context;
use super::stream::stream;
use super::{names, search_with};
use crate::Error;
use crate::search::count::{each_alive, each_match, totals};
use crate::search::plan::{Prepared, Run, match_all, scope_filters, to_query};
use crate::search::query::Expr;
use crate::search::{Counts, Hit, SearchConfig, SearchResult, Sort};
use crate::store::schema::Fields;

/// An open index, ready for any number of searches.
#[derive(Clone)]
pub struct Engine {
    pub(super) searcher: Searcher,
    pub(super) fields: Fields,
    pub(super) dates: Arc<Dates>,
    pub(super) accepted: Arc<Accepted>,
}

impl Engine {
    /// Opens the index in `dir` for searching.
    pub fn open(dir: &std::path::Path) -> Result<Engine, Error> {
        // The index is opened without a lock (see `crate::store::reading`): a writer committing at the
        // same moment may remove the files of segments it merged after their list was read.
        // Reading the list again then finds the new segments.
        let mut attempts = 0;
        loop {
            let (index, fields) = crate::store::open(dir)?;
            // A search reads the index as it is when opened: no thread watching it for commits.
            let opened: tantivy::Result<tantivy::IndexReader> = index
                .reader_builder()
                .reload_policy(tantivy::ReloadPolicy::Manual)
                .try_into();
            match opened {
                Ok(reader) => {
                    let searcher = reader.searcher();
                    let dates = Arc::new(Dates::new(&searcher));
                    return Ok(Engine {
                        searcher,
                        fields,
                        dates,
                        accepted: Arc::default(),
                    });
                }
                Err(tantivy::TantivyError::OpenReadError(
                    tantivy::directory::error::OpenReadError::FileDoesNotExist(_),
                )) if attempts < 10 => attempts += 1,
                Err(err) => return Err(err.into()),
            }
        }
    }

    /// Forgets the values that the filters of its searches accepted, which it keeps: the next
    /// search finds its filters' values anew, as a search in a process of its own does.
    pub fn forget_filters(&self) {
        self.accepted.clear();
    }

    /// Runs a search: paragraphs, then the documents and issues the query names.
    pub fn search(&self, config: &SearchConfig) -> Result<SearchResult, Error> {
        // No search can find more hits than the index holds paragraphs (names are fewer): a
        // larger limit (`-n 99999999999`) is that many, not a heap of that size.
        let most = usize::try_from(self.searcher.num_docs()).unwrap_or(usize::MAX);
        let clamped;
        let config = match config.limit {
            Some(limit) if limit > most => {
                clamped = SearchConfig {
                    limit: Some(most),
                    ..config.clone()
                };
                &clamped
            }
            _ => config,
        };
        let run = Run::new(self, config)?;
        let names = names::search(self, &run.prepared, config)?;
        // Where the names fill the page and rank above every paragraph (中华人民共和国 names
        // most national laws), the paragraphs are only counted: none would be shown.
        let text = match config.limit {
            Some(limit) if names.fill(limit, config.sort, &run.prepared) => {
                let counted = SearchConfig {
                    limit: Some(0),
                    ..config.clone()
                };
                search_with(&run, &counted)?
            }
            _ => search_with(&run, config)?,
        };
        Ok(text.with_names(names, config))
    }

    /// Hands every hit of a search to `each`, a batch at a time as it is read, after `render`
    /// made of it what is written (JSON lines, CSV rows) on the thread that read it: the names
    /// first, then the paragraphs in the order of the index, in the memory of a few batches
    /// whatever their number (`crate::search::stream`). `config.limit` and `config.sort` do not
    /// apply. Gives the counts; its `hits` are empty.
    pub fn stream<R: Send>(
        &self,
        config: &SearchConfig,
        render: &(dyn Fn(Vec<Hit>) -> Result<R, Error> + Sync),
        each: &mut dyn FnMut(R) -> Result<(), Error>,
    ) -> Result<SearchResult, Error> {
        let config = SearchConfig {
            limit: None,
            sort: Sort::Relevance,
            ..config.clone()
        };
        let run = Run::new(self, &config)?;
        let names = || names::listed(self, &run.prepared, &config);
        stream(&run, &names, render, each)
    }

    /// Counts matching paragraphs and occurrences.
    pub fn count(&self, config: &SearchConfig) -> Result<Counts, Error> {
        let mut counts = Counts::default();
        let run = Run::new(self, config)?;
        match totals(&run)? {
            Some((paragraphs, occurrences)) => {
                counts.paragraphs = paragraphs;
                counts.occurrences = occurrences;
            }
            None => each_match(&run, &mut |_, occurrences| {
                counts.paragraphs += 1;
                counts.occurrences += occurrences;
            })?,
        }
        // Names are counted, not read: no hit is asked for.
        let names = names::search(
            self,
            &run.prepared,
            &SearchConfig {
                limit: Some(0),
                ..config.clone()
            },
        )?;
        counts.documents = names.documents;
        counts.issues = names.issues;
        Ok(counts)
    }

    /// Calls `f` with each matching paragraph and the number of occurrences of the query's
    /// literals in it, in no particular order.
    pub fn each_match(
        &self,
        config: &SearchConfig,
        f: &mut dyn FnMut(DocAddress, usize),
    ) -> Result<(), Error> {
        each_match(&Run::new(self, config)?, f)
    }

    /// Calls `f` with each paragraph within the query's scope: the filters that the query and the
    /// flags put on every match (`region:河南`, `--from 2020`); every paragraph when there are
    /// none. These are the paragraphs a share of matches is taken of.
    pub fn each_in_scope(
        &self,
        config: &SearchConfig,
        f: &mut dyn FnMut(DocAddress),
    ) -> Result<(), Error> {
        let prepared = Prepared::new(config)?;
        let mut filters = Vec::new();
        scope_filters(&prepared.expr, &mut filters);
        let ctx = Context {
            searcher: &self.searcher,
            fields: &self.fields,
            grams: self.fields.grams,
            words: false,
            plain_bm25: true,
            word_first: false,
            script: prepared.script,
            accepted: &self.accepted,
        };
        let query = if filters.is_empty() {
            match_all()
        } else {
            to_query(&ctx, &Expr::And(filters))?
        };
        let weight = query.weight(EnableScoring::disabled_from_searcher(&self.searcher))?;
        for (ord, segment) in self.searcher.segment_readers().iter().enumerate() {
            each_alive(weight.scorer(segment, 1.0)?, segment, |doc| {
                f(DocAddress::new(ord as u32, doc));
            });
        }
        Ok(())
    }

    pub fn searcher(&self) -> &Searcher {
        &self.searcher
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }
}

//! STREAM: every hit of a search (`--all`), handed on a batch at a time as it is read, so that
//! memory stays that of a few batches whatever the number of hits.
//!
//! The names come first, in their order; then the paragraphs in the order of the index (the
//! order the store holds them, file by file), each with its score. Reading in that order reads
//! each compressed block of the store once and needs nothing but the candidates' documents and
//! scores up front (8 bytes each, kept by segment). An order by relevance or by date over every
//! hit needs them all before the first can be written: that is
//! [`crate::search::Engine::search`]'s.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::search::names::Listed;
use crate::search::near::NearPositions;
use crate::search::plan::Run;
use crate::search::spread;
use crate::search::stored::{Heads, store_blocks};
use crate::search::verify::{PARALLEL_FROM, hit_of, read_checked};
use crate::search::{Hit, SearchResult, names};
use crate::{Error, parallel};

/// Paragraphs read, checked and rendered together by one thread: few enough that the threads
/// take turns often and memory stays small, enough that a thread's start on a batch (a document
/// head read again) is a small share of it.
pub(super) const STREAM_BATCH: usize = 512;

/// Batches each thread may be ahead of the one being written.
const BATCHES_AHEAD: usize = 4;

/// Hands every hit of `run` to `each`, a batch at a time, as `render` made it on one of the
/// threads: the names (`names` searches them), then the paragraphs in the order of the index.
/// Each thread reads, checks, cites and renders a batch of its own (a run of the store, so that
/// no compressed block is read by two); `each` gets the batches in order on the calling thread.
/// The names are searched on a thread of their own while the paragraphs' candidates are found (a
/// word of gazette titles, 政府, names hundreds of documents, each head read from its own block),
/// and their batches are cited and rendered on the threads as the paragraphs' are: a word of
/// gazette names names every issue of its collection, as many as the paragraphs of a rarer word,
/// each cited from a head of its own. Gives the counts; its `hits` are empty.
pub(super) fn stream<R: Send>(
    run: &Run,
    names: &(dyn Fn() -> Result<(Vec<Listed>, names::Names), Error> + Sync),
    render: &(dyn Fn(Vec<Hit>) -> Result<R, Error> + Sync),
    each: &mut dyn FnMut(R) -> Result<(), Error>,
) -> Result<SearchResult, Error> {
    let (names, candidates) = std::thread::scope(|scope| {
        let names = scope.spawn(names);
        let candidates = candidates(run);
        let names = names
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (names, candidates)
    });
    let ((named, counts), candidates) = (names?, candidates?);
    let mut result = SearchResult {
        documents: counts.documents,
        issues: counts.issues,
        ..SearchResult::default()
    };
    // Each batch of names is taken out by the thread that cites and renders it.
    let named_hits = named.len();
    let mut named = named.into_iter().peekable();
    let mut named_batches = Vec::new();
    while named.peek().is_some() {
        let batch: Vec<Listed> = named.by_ref().take(STREAM_BATCH).collect();
        named_batches.push(Mutex::new(batch));
    }
    let batches: Vec<(SegmentOrdinal, &[(Score, DocId)])> = candidates
        .iter()
        .flat_map(|matches| {
            let segment = matches.segment;
            matches
                .docs
                .chunks(STREAM_BATCH)
                .map(move |docs| (segment, docs))
        })
        .collect();
    let paragraph_candidates = candidates.iter().map(|matches| matches.docs.len()).sum();
    let blocks = store_blocks(&run.searcher, paragraph_candidates)?;
    let pieces = named_batches.len() + batches.len();
    let threads = parallel::threads(named_hits + paragraph_candidates, PARALLEL_FROM);
    let paragraphs = AtomicUsize::new(0);
    let work = |piece: usize| -> Result<Option<R>, Error> {
        let Some((segment, batch)) = piece.checked_sub(named_batches.len()).map(|i| batches[i])
        else {
            let named = std::mem::take(
                &mut *named_batches[piece]
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()),
            );
            let hits = names::cite(&run.searcher, named, 1)?;
            return render(hits).map(Some);
        };
        let mut heads = Heads::reading(&blocks);
        let mut hits = Vec::new();
        for &(score, doc) in batch {
            let candidate = (score, DocAddress::new(segment, doc));
            if let Some(checked) = read_checked(run, candidate, true, &mut heads)? {
                hits.push(hit_of(run, checked, &mut heads)?);
            }
        }
        paragraphs.fetch_add(hits.len(), Ordering::Relaxed);
        match hits.is_empty() {
            true => Ok(None),
            false => render(hits).map(Some),
        }
    };
    parallel::ordered(
        pieces,
        threads,
        threads * BATCHES_AHEAD,
        work,
        |rendered| match rendered? {
            Some(r) => each(r),
            None => Ok(()),
        },
    )?;
    result.paragraphs = paragraphs.into_inner();
    result.total = result.paragraphs + result.documents + result.issues;
    Ok(result)
}

/// The candidates of `run`, each with its score, in the order of the index.
fn candidates(run: &Run) -> Result<Vec<Matches>, Error> {
    Ok(match NearPositions::of(run)? {
        // Positions rule out most candidates of a NEAR without reading them; the text decides
        // the rest, as it decides every candidate here.
        Some(near) => near
            .close(run, true)?
            .chunk_by(|a, b| a.address.segment_ord == b.address.segment_ord)
            .map(|kept| Matches {
                segment: kept[0].address.segment_ord,
                docs: kept
                    .iter()
                    .map(|close| (close.score, close.address.doc_id))
                    .collect(),
            })
            .collect(),
        None => spread::search(&run.searcher, &run.query, &InIndexOrder::scored())?,
    })
}

/// Every match with its score (0 where not scored), in the order of the index: segment by
/// segment, each in the order of its documents.
pub(super) struct InIndexOrder {
    scored: bool,
}

impl InIndexOrder {
    pub(super) fn scored() -> InIndexOrder {
        InIndexOrder { scored: true }
    }

    pub(super) fn unscored() -> InIndexOrder {
        InIndexOrder { scored: false }
    }
}

/// One segment's matches, each with its score, in the order of its documents. Kept by segment,
/// as the segments find them: a common word's millions of matches are 8 bytes each, not copied
/// into one list with each one's segment beside it.
pub(super) struct Matches {
    pub(super) segment: SegmentOrdinal,
    pub(super) docs: Vec<(Score, DocId)>,
}

pub(super) struct SegmentMatches {
    scored: bool,
    matches: Matches,
}

impl Collector for InIndexOrder {
    type Fruit = Vec<Matches>;
    type Child = SegmentMatches;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        _reader: &SegmentReader,
    ) -> tantivy::Result<SegmentMatches> {
        Ok(SegmentMatches {
            scored: self.scored,
            matches: Matches {
                segment,
                docs: Vec::new(),
            },
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scored
    }

    fn merge_fruits(&self, fruits: Vec<Matches>) -> tantivy::Result<Self::Fruit> {
        // In the order of the segments, as the searcher gives them.
        Ok(fruits)
    }
}

impl SegmentCollector for SegmentMatches {
    type Fruit = Matches;

    fn collect(&mut self, doc: DocId, score: Score) {
        let score = if self.scored { score } else { 0.0 };
        self.matches.docs.push((score, doc));
    }

    fn harvest(self) -> Self::Fruit {
        self.matches
    }
}

//! STREAM: every hit of a search (`--all`), handed on a batch at a time as it is read, so that
//! memory stays that of one batch whatever the number of hits.
//!
//! The names come first, in their order; then the paragraphs in the order of the index (the
//! order the store holds them, file by file), each with its score. Reading in that order reads
//! each compressed block of the store once and needs nothing but the candidates' addresses and
//! scores up front (12 bytes each). An order by relevance or by date over every hit needs them
//! all before the first can be written: that is [`crate::search::Engine::search`]'s.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::Error;
use crate::search::near::NearPositions;
use crate::search::plan::Run;
use crate::search::verify::{hits_of, read_in_store_order};
use crate::search::{Hit, SearchResult, names};

/// Paragraphs read, checked and handed on together: enough for the reading and the writing to
/// share the cores, few enough to keep memory small.
pub(super) const STREAM_BATCH: usize = 2_048;

/// Hands every hit of `run` to `each`, a batch at a time: the names, then the paragraphs in the
/// order of the index. Gives the counts; its `hits` are empty.
pub(super) fn stream(
    run: &Run,
    names: names::Names,
    each: &mut dyn FnMut(Vec<Hit>) -> Result<(), Error>,
) -> Result<SearchResult, Error> {
    let mut result = SearchResult {
        documents: names.documents,
        issues: names.issues,
        ..SearchResult::default()
    };
    if !names.hits.is_empty() {
        each(names.hits)?;
    }
    let mut candidates = run.searcher.search(&run.query, &InIndexOrder)?;
    if let Some(mut near) = NearPositions::of(run) {
        // Positions rule out most candidates of a NEAR without reading them; the text decides
        // the rest, as it decides every candidate here.
        candidates = near
            .keep(run, candidates)?
            .into_iter()
            .map(|close| (close.score, close.address))
            .collect();
        candidates.sort_unstable_by_key(|&(_, address)| address);
    }
    for batch in candidates.chunks(STREAM_BATCH) {
        let checked: Vec<_> = read_in_store_order(run, batch, true)?
            .into_iter()
            .flatten()
            .collect();
        result.paragraphs += checked.len();
        let hits = hits_of(run, checked)?;
        if !hits.is_empty() {
            each(hits)?;
        }
    }
    result.total = result.paragraphs + result.documents + result.issues;
    Ok(result)
}

/// Every match with its score, in the order of the index: segment by segment, each in the order
/// of its documents.
pub(super) struct InIndexOrder;

pub(super) struct SegmentMatches {
    segment: SegmentOrdinal,
    matches: Vec<(Score, DocAddress)>,
}

impl Collector for InIndexOrder {
    type Fruit = Vec<(Score, DocAddress)>;
    type Child = SegmentMatches;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        _reader: &SegmentReader,
    ) -> tantivy::Result<SegmentMatches> {
        Ok(SegmentMatches {
            segment,
            matches: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(Score, DocAddress)>>) -> tantivy::Result<Self::Fruit> {
        // In the order of the segments, as the searcher gives them.
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentMatches {
    type Fruit = Vec<(Score, DocAddress)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.matches
            .push((score, DocAddress::new(self.segment, doc)));
    }

    fn harvest(self) -> Self::Fruit {
        self.matches
    }
}

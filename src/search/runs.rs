//! RUNS: the paragraphs of the documents whose first paragraph matches.
//! What a document says once is indexed on its first paragraph only, its head (its title, its
//! citation); a paragraph belongs to the last head at or before it, which the postings of
//! `head = 1` tell (see [`crate::store::schema::HEAD`]).

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::index::{InvertedIndexReader, SegmentId};
use tantivy::postings::SegmentPostings;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term};
use tantivy_common::TinySet;

use crate::search::held;
use crate::store::schema::Fields;

/// Where the runs of a segment (documents) start, read as far as asked: the postings of a
/// marker's value 1 (`head`).
pub(super) struct Starts {
    /// Moves forward only: to the first start after the one asked about.
    next: Option<SegmentPostings>,
    /// Moves forward only, for [`Starts::of`] asked in the order of the paragraphs, as a scorer
    /// asks: the postings, on the first start after the paragraph last asked about, and the last
    /// start before them.
    back: Option<(Option<SegmentPostings>, DocId)>,
    /// Every start, read when a paragraph's own run is asked for out of order.
    all: Option<Vec<DocId>>,
    inverted: Arc<InvertedIndexReader>,
    term: Term,
    /// Where the last run ends.
    max_doc: DocId,
    /// How many runs start in the segment.
    runs: u32,
}

impl Starts {
    pub(super) fn open(reader: &SegmentReader, marker: Field) -> tantivy::Result<Starts> {
        let term = Term::from_field_u64(marker, 1);
        let inverted = reader.inverted_index(marker)?;
        Ok(Starts {
            runs: inverted.doc_freq(&term)?,
            next: inverted.read_postings(&term, IndexRecordOption::Basic)?,
            back: None,
            all: None,
            inverted,
            term,
            max_doc: reader.max_doc(),
        })
    }

    /// The first start after `start`, or the end of the segment: where its run ends. Asked for
    /// `start`s in increasing order.
    pub(super) fn end_of(&mut self, start: DocId) -> DocId {
        let Some(next) = self.next.as_mut() else {
            return self.max_doc;
        };
        if next.doc() <= start {
            next.seek(start + 1);
        }
        next.doc().min(self.max_doc)
    }

    /// The start of the run of paragraph `doc`: 0 when no run starts at or before it.
    pub(super) fn of(&mut self, doc: DocId) -> tantivy::Result<DocId> {
        // In order, the starts are read as far as `doc` and no list of them is made: a common
        // word's scorer asks in every segment of a large index, each of tens of thousands of
        // documents (docs/PERFORMANCE.md, round 16).
        if self.all.is_none() {
            if self.back.is_none() {
                let postings = self
                    .inverted
                    .read_postings(&self.term, IndexRecordOption::Basic)?;
                self.back = Some((postings, 0));
            }
            // No start lies between the last one met and where the postings stand: any
            // paragraph from the last start on is answered by reading forwards.
            if let Some((postings, last)) = &mut self.back
                && doc >= *last
            {
                if let Some(postings) = postings {
                    while postings.doc() <= doc {
                        *last = postings.doc();
                        postings.advance();
                    }
                }
                return Ok(*last);
            }
        }
        if self.all.is_none() {
            let mut all = Vec::new();
            if let Some(mut postings) = self
                .inverted
                .read_postings(&self.term, IndexRecordOption::Basic)?
            {
                while postings.doc() != TERMINATED {
                    all.push(postings.doc());
                    postings.advance();
                }
            }
            self.all = Some(all);
        }
        let all = self.all.as_deref().unwrap_or_default();
        let after = all.partition_point(|&start| start <= doc);
        Ok(all.get(after.wrapping_sub(1)).copied().unwrap_or(0))
    }
}

/// The paragraphs of the runs whose first paragraph matches, in order.
pub(super) struct Runs {
    /// Matching starts with the occurrences there and a length, in doc order.
    pub(super) matching: Vec<(DocId, u32, u32)>,
    /// The run of the current paragraph: an index into `matching`.
    pub(super) at: usize,
    /// Where that run ends, once asked.
    end: Option<DocId>,
    pub(super) doc: DocId,
    pub(super) starts: Starts,
}

impl Runs {
    pub(super) fn new(matching: Vec<(DocId, u32, u32)>, starts: Starts) -> Runs {
        let doc = matching.first().map_or(TERMINATED, |start| start.0);
        Runs {
            matching,
            at: 0,
            end: None,
            doc,
            starts,
        }
    }

    /// The end of the run `at`.
    fn end(&mut self) -> DocId {
        match self.end {
            Some(end) => end,
            None => {
                let end = self.starts.end_of(self.matching[self.at].0);
                self.end = Some(end);
                end
            }
        }
    }

    /// Moves to the start of the matching run `at`, or to the end.
    fn go_to_start(&mut self, at: usize) -> DocId {
        self.at = at;
        self.end = None;
        self.doc = self.matching.get(at).map_or(TERMINATED, |start| start.0);
        self.doc
    }

    pub(super) fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        let next = self.doc + 1;
        if next < self.end() {
            self.doc = next;
            return next;
        }
        self.go_to_start(self.at + 1)
    }

    pub(super) fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        // The last matching start at or before the target, galloping from the current run: a
        // word's postings seek a filter's runs paragraph by paragraph, mostly into the same run
        // or one a few runs on, and a filter on laws' titles has thousands of runs.
        let after = self.at + first_after(&self.matching[self.at..], target);
        if after - 1 != self.at {
            self.at = after - 1;
            self.end = None;
        }
        if target < self.end() {
            self.doc = target;
            return target;
        }
        self.go_to_start(after)
    }
}

/// The numbers from `from` to `to` (excluded) of a 64-bit set, `from < to <= 64`.
fn between(from: u32, to: u32) -> TinySet {
    let below = if to == 64 {
        TinySet::full()
    } else {
        TinySet::range_lower(to)
    };
    below.intersect(TinySet::range_greater_or_equal(from))
}

/// How many of `starts` (in order) begin at or before `target`: the first ones checked in
/// growing steps, then a binary search within the last step.
fn first_after(starts: &[(DocId, u32, u32)], target: DocId) -> usize {
    let mut low = 0;
    let mut step = 1;
    while low + step < starts.len() && starts[low + step].0 <= target {
        low += step;
        step *= 2;
    }
    let high = (low + step + 1).min(starts.len());
    low + starts[low..high].partition_point(|start| start.0 <= target)
}

/// Matches the paragraphs of the documents whose head holds one of some values, unscored: the
/// citation fields are indexed on the heads only.
#[derive(Clone, Debug)]
pub struct DocumentsQuery {
    held: Held,
    head: Field,
}

/// What the heads a [`DocumentsQuery`] matches hold.
#[derive(Clone, Debug)]
enum Held {
    /// One of these terms.
    Terms(Vec<Term>),
    /// These heads, by segment, in order: found from the values of a column of the heads (the
    /// title, the 文号, the attributes), which the heads hold as columns and not as terms.
    Heads(Arc<HashMap<SegmentId, Vec<DocId>>>),
}

impl DocumentsQuery {
    pub(super) fn new(terms: Vec<Term>, fields: &Fields) -> DocumentsQuery {
        DocumentsQuery {
            held: Held::Terms(terms),
            head: fields.head,
        }
    }

    /// The paragraphs of the documents of `heads`, by segment, each list in order.
    pub(super) fn of_heads(
        heads: Arc<HashMap<SegmentId, Vec<DocId>>>,
        fields: &Fields,
    ) -> DocumentsQuery {
        DocumentsQuery {
            held: Held::Heads(heads),
            head: fields.head,
        }
    }

    /// The paragraphs of the indexed file `path` (as the index names it), whose path is on the
    /// heads of its documents only: by which a changed or removed file's paragraphs are deleted,
    /// and `show` reads a file.
    pub fn of_file(fields: &Fields, path: &str) -> DocumentsQuery {
        DocumentsQuery::new(vec![Term::from_field_text(fields.path, path)], fields)
    }
}

impl Query for DocumentsQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }

    fn query_terms<'a>(&'a self, _visitor: &mut dyn FnMut(&'a Term, bool)) {}
}

impl Weight for DocumentsQuery {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut heads = match &self.held {
            Held::Terms(terms) => heads_with_terms(reader, terms)?,
            Held::Heads(heads) => heads.get(&reader.segment_id()).cloned().unwrap_or_default(),
        };
        heads.sort_unstable();
        heads.dedup();
        let matching = heads.into_iter().map(|head| (head, 0, 0)).collect();
        Ok(Box::new(Runs::new(
            matching,
            Starts::open(reader, self.head)?,
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document #({doc}) does not match"
            )));
        }
        Ok(Explanation::new("a paragraph of a matching document", 0.0))
    }
}

/// The paragraphs of `reader` that hold one of `terms`.
fn heads_with_terms(reader: &SegmentReader, terms: &[Term]) -> tantivy::Result<Vec<DocId>> {
    let mut heads = Vec::new();
    for term in terms {
        let Some(inverted) = held::inverted(reader, term.field())? else {
            continue;
        };
        if let Some(mut postings) = inverted.read_postings(term, IndexRecordOption::Basic)? {
            while postings.doc() != TERMINATED {
                heads.push(postings.doc());
                postings.advance();
            }
        }
    }
    Ok(heads)
}

/// The heads of `reader` (marked in `head`) with a value in the text column `column` (one at
/// most for a title, one for each attribute) among those numbered `ords` (in order) in its
/// dictionary.
pub(super) fn heads_with_values(
    reader: &SegmentReader,
    head: Field,
    column: &str,
    ords: &[u64],
) -> tantivy::Result<Vec<DocId>> {
    let Some(column) = reader.fast_fields().str(column)? else {
        return Ok(Vec::new());
    };
    let mut heads = Vec::new();
    let term = Term::from_field_u64(head, 1);
    if let Some(mut postings) = reader
        .inverted_index(head)?
        .read_postings(&term, IndexRecordOption::Basic)?
    {
        while postings.doc() != TERMINATED {
            let doc = postings.doc();
            if column
                .ords()
                .values_for_doc(doc)
                .any(|ord| ords.binary_search(&ord).is_ok())
            {
                heads.push(doc);
            }
            postings.advance();
        }
    }
    Ok(heads)
}

impl DocSet for Runs {
    fn advance(&mut self) -> DocId {
        Runs::advance(self)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        Runs::seek(self, target)
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    /// The paragraphs of the runs, as many as the segment's runs hold on average: a filter's
    /// runs are most of a law's paragraphs, and said to be as few as their starts, they led an
    /// intersection with a common word's postings, each sought into the other, where its count
    /// takes a block of paragraphs at a time from each.
    fn size_hint(&self) -> u32 {
        let starts = self.matching.len() as u64;
        let each = u64::from(self.starts.max_doc) / u64::from(self.starts.runs.max(1));
        (starts * each.max(1)).min(u64::from(self.starts.max_doc)) as u32
    }

    /// The runs' paragraphs from `min_doc` on, a run at a time.
    fn fill_bitset_block(&mut self, min_doc: DocId, mask: &mut [TinySet; 16]) -> DocId {
        let horizon = min_doc + 64 * mask.len() as DocId;
        let mut doc = self.seek(min_doc);
        while doc < horizon {
            let run_end = self.end();
            let end = run_end.min(horizon);
            for (i, bits) in mask.iter_mut().enumerate() {
                let (low, high) = (min_doc + 64 * i as DocId, min_doc + 64 * (i as DocId + 1));
                if doc < high && end > low {
                    let from = doc.max(low) - low;
                    let to = end.min(high) - low;
                    *bits = bits.union(between(from, to));
                }
            }
            doc = if run_end <= horizon {
                self.go_to_start(self.at + 1)
            } else {
                self.doc = horizon;
                horizon
            };
        }
        doc
    }

    fn count_including_deleted(&mut self) -> u32 {
        let mut count = 0;
        while self.doc != TERMINATED {
            count += self.end() - self.doc;
            self.go_to_start(self.at + 1);
        }
        count
    }
}

impl Scorer for Runs {
    fn score(&mut self) -> Score {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use tantivy::TantivyDocument;
    use tantivy::collector::DocSetCollector;
    use tantivy::query::{BooleanQuery, Occur, TermQuery};

    /// The start of a paragraph's run, asked in order (every paragraph, or some) and out of
    /// order, is the last head at or before it, 0 before the first, as a scan of the heads says.
    #[test]
    fn the_start_of_a_run_is_the_last_head_at_or_before_it() {
        let (index, fields, mut writer) = crate::store::test_index();
        // Heads at irregular places, none on the first paragraph, past a block of postings.
        let heads: Vec<u32> = (0..600u32).filter(|i| i % 7 == 3 || i % 11 == 5).collect();
        for doc_id in 0..600u32 {
            let mut doc = TantivyDocument::default();
            if heads.contains(&doc_id) {
                doc.add_u64(fields.head, 1);
            }
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let reader = searcher.segment_reader(0);
        let scanned = |doc: u32| heads.iter().copied().rfind(|&h| h <= doc).unwrap_or(0);
        let asked: [Vec<u32>; 4] = [
            (0..600).collect(),
            (0..600).step_by(37).collect(),
            vec![500, 3, 4, 599, 0, 250],
            // Back from 40 to the head at 38 and past it: still read forwards.
            vec![40, 38, 39, 200],
        ];
        for docs in asked {
            let mut starts = Starts::open(reader, fields.head).unwrap();
            for doc in docs {
                assert_eq!(starts.of(doc).unwrap(), scanned(doc), "paragraph {doc}");
            }
        }
    }

    /// Documents of 1 to 4 paragraphs, the even ones of region 甲; each paragraph holds the word
    /// 丙 when its number is a multiple of 3.
    #[test]
    fn a_filter_on_heads_matches_every_paragraph_of_their_documents() {
        let (index, fields, mut writer) = crate::store::test_index();
        let mut expected = Vec::new();
        let mut with_word = Vec::new();
        let mut doc_id = 0u32;
        for document in 0..9u32 {
            for paragraph in 0..(document % 4 + 1) {
                let mut doc = TantivyDocument::default();
                if paragraph == 0 {
                    doc.add_u64(fields.head, 1);
                    if document.is_multiple_of(2) {
                        doc.add_text(fields.region, "甲");
                    }
                }
                if doc_id.is_multiple_of(3) {
                    doc.add_text(fields.path, "丙");
                }
                if document.is_multiple_of(2) {
                    expected.push(doc_id);
                    if doc_id.is_multiple_of(3) {
                        with_word.push(doc_id);
                    }
                }
                writer.add_document(doc).unwrap();
                doc_id += 1;
            }
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let docs = |query: &dyn Query| -> Vec<u32> {
            let mut docs: Vec<u32> = searcher
                .search(query, &DocSetCollector)
                .unwrap()
                .into_iter()
                .map(|address| address.doc_id)
                .collect();
            docs.sort_unstable();
            docs
        };
        let region = DocumentsQuery::new(vec![Term::from_field_text(fields.region, "甲")], &fields);
        // Walked to the end (the last document is of 甲: its run ends with the segment).
        assert_eq!(docs(&region), expected);
        // Sought into by another query.
        let word = TermQuery::new(
            Term::from_field_text(fields.path, "丙"),
            IndexRecordOption::Basic,
        );
        let both = BooleanQuery::new(vec![
            (Occur::Must, Box::new(word) as Box<dyn Query>),
            (Occur::Must, Box::new(region)),
        ]);
        assert_eq!(docs(&both), with_word);
        assert!(with_word.len() >= 3, "{with_word:?}");
    }

    /// Galloping finds what a binary search of every start finds, for every target, in lists of
    /// every length up to 40 with gaps of 1 to 5.
    #[test]
    fn galloping_finds_the_last_start_at_or_before_a_target() {
        for len in 0..40u32 {
            let mut at = 2;
            let starts: Vec<(DocId, u32, u32)> = (0..len)
                .map(|i| {
                    at += 1 + i * 7 % 5;
                    (at, 0, 0)
                })
                .collect();
            for target in 0..len * 8 + 10 {
                let expected = starts.partition_point(|start| start.0 <= target);
                assert_eq!(
                    first_after(&starts, target),
                    expected,
                    "{len} starts, {target}"
                );
            }
        }
    }

    /// A filter's runs, counted whole and filled a block at a time from places a block or more
    /// apart (as an intersection's count asks), hold the paragraphs that advancing through them
    /// meets; and a common word's count within them, made by tantivy a block at a time, is the
    /// number of its paragraphs there.
    #[test]
    fn runs_filled_and_counted_by_blocks_are_the_runs_walked() {
        let (index, fields, mut writer) = crate::store::test_index();
        // Runs of 1 to 700 paragraphs, two of those taken ending where a block does and the next
        // left out; the word on two paragraphs in three.
        let mut heads = Vec::new();
        let mut at = 0u32;
        for i in 0..40u32 {
            heads.push(at);
            at += 1 + i * 131 % 700;
        }
        heads.extend([1024, 3072]);
        heads.sort_unstable();
        heads.dedup();
        let max_doc = at;
        for doc_id in 0..max_doc {
            let mut doc = TantivyDocument::default();
            if heads.contains(&doc_id) {
                doc.add_u64(fields.head, 1);
            }
            if doc_id % 3 != 1 {
                doc.add_text(fields.path, "丙");
            }
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let reader = searcher.segment_reader(0);
        let matching: Vec<(DocId, u32, u32)> = (heads.iter().enumerate())
            .filter(|&(i, &head)| {
                let before_a_block = heads.get(i + 1).is_some_and(|next| next % 1024 == 0);
                (i % 3 != 0 || before_a_block) && head % 1024 != 0
            })
            .map(|(_, &head)| (head, 0, 0))
            .collect();
        let runs = || Runs::new(matching.clone(), Starts::open(reader, fields.head).unwrap());
        let mut walked = Vec::new();
        let mut walk = runs();
        while walk.doc() != TERMINATED {
            walked.push(walk.doc());
            walk.advance();
        }
        assert!(walked.len() > 5000, "{}", walked.len());
        assert_eq!(runs().count_including_deleted(), walked.len() as u32);
        for gap in [0, 1, 700, 3000] {
            let mut filled = Vec::new();
            let mut blocks = runs();
            let mut base = 0;
            while base < max_doc {
                let mut mask = [TinySet::empty(); 16];
                let next = blocks.fill_bitset_block(base, &mut mask);
                for (i, bits) in mask.iter().enumerate() {
                    filled.extend(bits.into_iter().map(|bit| base + 64 * i as u32 + bit));
                }
                assert!(next >= base + 1024, "{next} after {base}");
                // Where the runs go on, and where they stand.
                assert!(
                    next == TERMINATED || walked.binary_search(&next).is_ok(),
                    "{next}"
                );
                assert_eq!(blocks.doc(), next);
                base = next.max(base + 1024 + gap);
            }
            let expected: Vec<u32> = if gap == 0 {
                walked.clone()
            } else {
                // Only the blocks asked for.
                let mut asked = Vec::new();
                let mut base = 0;
                let mut walk = walked.iter().peekable();
                while base < max_doc {
                    while walk.peek().is_some_and(|&&doc| doc < base) {
                        walk.next();
                    }
                    let mut next = TERMINATED;
                    while let Some(&&doc) = walk.peek() {
                        if doc >= base + 1024 {
                            next = doc;
                            break;
                        }
                        asked.push(doc);
                        walk.next();
                    }
                    base = next.max(base + 1024 + gap);
                }
                asked
            };
            assert_eq!(filled, expected, "blocks {gap} apart");
        }
        let word = TermQuery::new(
            Term::from_field_text(fields.path, "丙"),
            IndexRecordOption::Basic,
        );
        let runs_query = DocumentsQuery::of_heads(
            Arc::new(HashMap::from([(
                reader.segment_id(),
                matching.iter().map(|start| start.0).collect(),
            )])),
            &fields,
        );
        let both = BooleanQuery::new(vec![
            (Occur::Must, Box::new(word) as Box<dyn Query>),
            (Occur::Must, Box::new(runs_query)),
        ]);
        let with_word = walked.iter().filter(|&&doc| doc % 3 != 1).count();
        assert_eq!(
            searcher.search(&both, &tantivy::collector::Count).unwrap(),
            with_word
        );
        let found = searcher.search(&both, &DocSetCollector).unwrap();
        assert_eq!(found.len(), with_word);
    }
}

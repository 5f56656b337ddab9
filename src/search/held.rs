//! Fields that some segments do not hold at all, asked for without asking tantivy: the marker of
//! issue names that convert between scripts (`schema::ISSUE_CONVERTS`) is in no segment of a
//! collection without traditional script, the issues' names and the gazette's name in no segment
//! of laws, the headings in none of files without headings; a collection indexed in several runs
//! mixes such segments with others.
//!
//! Asked for the postings of a field a segment does not hold, tantivy answers with an empty term
//! dictionary that it builds once per process, and building it fills an FST builder's table of
//! 20,000 cells: hundreds of page faults, a large share of a whole search's (docs/PERFORMANCE.md,
//! round 24). So the search reads a field's terms through [`inverted`], and such a segment gets an
//! empty scorer, a frequency of 0, or no search, without asking.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use tantivy::directory::CompositeFile;
use tantivy::index::{SegmentComponent, SegmentId};
use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, TermQuery, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, InvertedIndexReader, Score, Searcher, SegmentReader, TantivyError, Term};

use crate::Error;
use crate::store::terms::{self, Span};

/// [`TermQuery`] of `term`, empty in the segments whose index holds nothing of its field.
#[derive(Clone, Debug)]
pub(super) struct HeldTerm(TermQuery);

impl HeldTerm {
    pub(super) fn new(term: Term, option: IndexRecordOption) -> HeldTerm {
        HeldTerm(TermQuery::new(term, option))
    }
}

impl Query for HeldTerm {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(HeldWeight {
            field: self.0.term().field(),
            inner: self.0.weight(enable_scoring)?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct HeldWeight {
    field: Field,
    inner: Box<dyn Weight>,
}

impl Weight for HeldWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        match holds(reader, self.field)? {
            true => self.inner.scorer(reader, boost),
            false => Ok(Box::new(EmptyScorer)),
        }
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        match holds(reader, self.field)? {
            true => self.inner.explain(reader, doc),
            false => Err(TantivyError::InvalidArgument(format!(
                "document #{doc} does not match"
            ))),
        }
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        match holds(reader, self.field)? {
            true => self.inner.count(reader),
            false => Ok(0),
        }
    }
}

/// True when `reader`'s postings hold `field`: the segment's composite file lists the fields it
/// holds in its footer. Read once per segment and kept: a search asks for every term of its
/// query, and a segment's files never change.
pub(super) fn holds(reader: &SegmentReader, field: Field) -> tantivy::Result<bool> {
    static HELD: LazyLock<Mutex<HashMap<SegmentId, Vec<bool>>>> = LazyLock::new(Mutex::default);
    let id = reader.segment_id();
    let known = |held: &HashMap<SegmentId, Vec<bool>>| {
        held.get(&id)
            .map(|fields| fields.get(field.field_id() as usize) == Some(&true))
    };
    let lock = || HELD.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(holds) = known(&lock()) {
        return Ok(holds);
    }
    let postings = CompositeFile::open(&reader.open_read(SegmentComponent::Postings)?)?;
    let fields = (reader.schema().fields())
        .map(|(field, _)| postings.open_read(field).is_some())
        .collect();
    let mut held = lock();
    held.insert(id, fields);
    Ok(known(&held) == Some(true))
}

/// `reader`'s index of `field`, or `None` where its postings hold nothing of the field (asked for
/// it, tantivy would build its empty term dictionary): what a search reads of a field's terms.
pub(super) fn inverted(
    reader: &SegmentReader,
    field: Field,
) -> tantivy::Result<Option<Arc<InvertedIndexReader>>> {
    match holds(reader, field)? {
        true => reader.inverted_index(field).map(Some),
        false => Ok(None),
    }
}

/// Calls `f` with each value of `field` in `span`, as text, in the segments of `searcher` that
/// hold the field ([`terms::each_value_in`] without asking the others): a filter on a citation
/// field that a collection's laws lack (`gazette:`).
pub(super) fn each_value_in(
    searcher: &Searcher,
    field: Field,
    span: &Span,
    f: impl FnMut(&str),
) -> Result<(), Error> {
    let mut holding = Vec::new();
    for segment in searcher.segment_readers() {
        if holds(segment, field)? {
            holding.push(segment.clone());
        }
    }
    terms::each_value_in(&holding, field, span, f)
}

/// True when a segment of `searcher` holds `field`.
pub(super) fn any_holds(searcher: &Searcher, field: Field) -> tantivy::Result<bool> {
    for reader in searcher.segment_readers() {
        if holds(reader, field)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The paragraphs that hold `term`, as [`Searcher::doc_freq`] counts them, from the segments that
/// hold its field.
pub(super) fn doc_freq(searcher: &Searcher, term: &Term) -> tantivy::Result<u64> {
    let mut found = 0;
    for reader in searcher.segment_readers() {
        if let Some(inverted) = inverted(reader, term.field())? {
            found += u64::from(inverted.doc_freq(term)?);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::HeldTerm;
    use tantivy::collector::{Count, DocSetCollector};
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, NumericOptions, Schema};
    use tantivy::{Index, TantivyDocument, Term};

    /// In an index of three segments, one without the field at all, one with the term, one with
    /// the field but another value, the query finds what tantivy's term query finds, counted and
    /// collected.
    #[test]
    fn finds_what_a_term_query_finds_where_segments_lack_the_field() {
        let mut builder = Schema::builder();
        let marker = builder.add_u64_field("marker", NumericOptions::default().set_indexed());
        let other = builder.add_u64_field("other", NumericOptions::default().set_indexed());
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let segments: [&[(Option<u64>, u64)]; 3] = [
            &[(None, 1), (None, 2)],
            &[(Some(1), 1), (None, 2), (Some(1), 3)],
            &[(Some(0), 1), (None, 2)],
        ];
        for docs in segments {
            for &(value, filler) in docs {
                let mut doc = TantivyDocument::default();
                if let Some(value) = value {
                    doc.add_u64(marker, value);
                }
                doc.add_u64(other, filler);
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 3);
        let term = Term::from_field_u64(marker, 1);
        let held = HeldTerm::new(term.clone(), IndexRecordOption::Basic);
        let plain = TermQuery::new(term, IndexRecordOption::Basic);
        assert_eq!(searcher.search(&held, &Count).unwrap(), 2);
        assert_eq!(
            searcher.search(&held, &DocSetCollector).unwrap(),
            searcher.search(&plain, &DocSetCollector).unwrap()
        );
        let zero = HeldTerm::new(Term::from_field_u64(marker, 0), IndexRecordOption::Basic);
        assert_eq!(searcher.search(&zero, &Count).unwrap(), 1);
        // The frequencies are tantivy's, and a field no segment holds is told apart.
        for value in [0, 1, 2] {
            let term = Term::from_field_u64(marker, value);
            assert_eq!(
                super::doc_freq(&searcher, &term).unwrap(),
                searcher.doc_freq(&term).unwrap()
            );
        }
        // The searcher's segments come in no set order: two of the three hold the field.
        let held = (searcher.segment_readers().iter())
            .filter(|reader| super::holds(reader, marker).unwrap())
            .count();
        assert_eq!(held, 2);
        let read = (searcher.segment_readers().iter())
            .filter(|reader| super::inverted(reader, marker).unwrap().is_some())
            .count();
        assert_eq!(read, 2);
        assert!(super::any_holds(&searcher, marker).unwrap());
        let mut builder = Schema::builder();
        let absent = builder.add_u64_field("absent", NumericOptions::default().set_indexed());
        let present = builder.add_u64_field("present", NumericOptions::default().set_indexed());
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let mut doc = TantivyDocument::default();
        doc.add_u64(present, 1);
        writer.add_document(doc).unwrap();
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert!(!super::any_holds(&searcher, absent).unwrap());
        assert!(super::any_holds(&searcher, present).unwrap());
    }
}

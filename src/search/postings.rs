//! MATCH: a literal's occurrences in a paragraph, from the positions of its grams.

use tantivy::postings::{Postings, SegmentPostings};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, SegmentReader, Term};

use crate::Error;
use crate::search::context_query::phrase_starts;
use crate::store::schema::Fields;
use crate::store::tokenizers::literal_grams;
use crate::text::fold::Folded;

/// The postings of a literal's grams, to count its occurrences in a paragraph: the frequency of
/// its one term, or the positions where all its bigrams stand at their offsets.
pub(super) struct LiteralPostings {
    pub(super) terms: Vec<(u32, Term)>,
    /// The offset of each term in the literal.
    pub(super) offsets: Vec<u32>,
    pub(super) option: IndexRecordOption,
    pub(super) first: Vec<u32>,
    pub(super) other: Vec<u32>,
}

impl LiteralPostings {
    /// `None` for a literal of one character, or with a lone character beside others, which the
    /// index cannot place.
    pub(super) fn new(fields: &Fields, folded: &Folded) -> Option<LiteralPostings> {
        let grams = literal_grams(&folded.chars);
        let terms: Vec<(u32, Term)> = match grams.as_slice() {
            [] => return None,
            _ if grams.iter().all(|(_, gram)| gram.chars().count() == 2) => grams
                .iter()
                .map(|(offset, gram)| (*offset as u32, Term::from_field_text(fields.grams, gram)))
                .collect(),
            _ => return None,
        };
        let option = if terms.len() == 1 {
            IndexRecordOption::WithFreqs
        } else {
            IndexRecordOption::WithFreqsAndPositions
        };
        Some(LiteralPostings {
            offsets: terms.iter().map(|(offset, _)| *offset).collect(),
            terms,
            option,
            first: Vec::new(),
            other: Vec::new(),
        })
    }

    /// For a literal of two characters or more, with the positions of its grams.
    pub(super) fn with_positions(fields: &Fields, folded: &Folded) -> Option<LiteralPostings> {
        let mut postings = LiteralPostings::new(fields, folded)?;
        postings.option = IndexRecordOption::WithFreqsAndPositions;
        Some(postings)
    }

    /// The postings of the literal's terms in `segment`; none when a term is not there.
    pub(super) fn open(&self, segment: &SegmentReader) -> Result<Vec<SegmentPostings>, Error> {
        let mut all = Vec::with_capacity(self.terms.len());
        for (_, term) in &self.terms {
            let inverted = segment.inverted_index(term.field())?;
            match inverted.read_postings(term, self.option)? {
                Some(postings) => all.push(postings),
                None => return Ok(Vec::new()),
            }
        }
        Ok(all)
    }

    /// Occurrences in `doc`; the postings only move forward, so docs come in increasing order.
    pub(super) fn count(&mut self, postings: &mut [SegmentPostings], doc: DocId) -> usize {
        if self.option == IndexRecordOption::WithFreqs {
            let Some(p) = postings.first_mut() else {
                return 0;
            };
            return if on(p, doc) {
                p.term_freq() as usize
            } else {
                0
            };
        }
        self.starts(postings, doc).len()
    }

    /// Where the literal starts in `doc`, in characters of the folded text, overlapping
    /// occurrences included. Needs postings opened with positions.
    pub(super) fn starts(&mut self, postings: &mut [SegmentPostings], doc: DocId) -> &[u32] {
        self.first.clear();
        if postings.is_empty() || !postings.iter_mut().all(|p| on(p, doc)) {
            return &self.first;
        }
        let (first, rest) = postings.split_at_mut(1);
        phrase_starts(
            &mut first[0],
            rest,
            &self.offsets,
            &mut self.first,
            &mut self.other,
        );
        &self.first
    }
}

/// Moves postings forward to `doc`: true when `doc` is in them.
pub(super) fn on(postings: &mut SegmentPostings, doc: DocId) -> bool {
    if postings.doc() < doc {
        postings.seek(doc);
    }
    postings.doc() == doc
}

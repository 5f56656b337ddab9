//! MATCH: a literal's occurrences in a paragraph, from the positions of its grams.

use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Searcher, SegmentReader, Term};

use crate::Error;
use crate::search::context_query::phrase_starts;
use crate::search::literal::every_bigram;
use crate::search::phrase::cheapest_placing;
use crate::search::positions::{self, TermPositions};
use crate::store::tokenizers::literal_grams;
use crate::text::fold::Folded;

/// The postings of a literal's grams, to count its occurrences in a paragraph: the frequency of
/// its one term, or the positions where all its bigrams stand at their offsets.
#[derive(Clone)]
pub(super) struct LiteralPostings {
    pub(super) terms: Vec<(u32, Term)>,
    /// The offset of each term in the literal.
    pub(super) offsets: Vec<u32>,
    pub(super) option: IndexRecordOption,
    pub(super) first: Vec<u32>,
}

impl LiteralPostings {
    /// In the character view `view` (the text's grams, or the names'). `None` for a literal of
    /// one character, or with a lone character beside others, which the index cannot place. A
    /// literal of several bigrams is placed as its query places it, by the bigrams whose
    /// positions take the least room in `searcher` ([`cheapest_placing`]): the
    /// bigrams every second character would read 人民 and 共和 for 中华人民共和国, which stand in
    /// nearly every law.
    pub(super) fn new(
        searcher: &Searcher,
        view: Field,
        folded: &Folded,
    ) -> Result<Option<LiteralPostings>, Error> {
        let grams = literal_grams(&folded.chars);
        if grams.is_empty() || grams.iter().any(|(_, gram)| gram.chars().count() != 2) {
            return Ok(None);
        }
        let (terms, option): (Vec<(u32, Term)>, _) = if grams.len() == 1 {
            let (offset, gram) = &grams[0];
            let term = Term::from_field_text(view, gram);
            (vec![(*offset as u32, term)], IndexRecordOption::WithFreqs)
        } else {
            let placing = cheapest_placing(searcher, &every_bigram(view, &folded.chars))?;
            let terms = placing
                .into_iter()
                .map(|(offset, term)| (offset as u32, term))
                .collect();
            (terms, IndexRecordOption::WithFreqsAndPositions)
        };
        Ok(Some(LiteralPostings {
            offsets: terms.iter().map(|(offset, _)| *offset).collect(),
            terms,
            option,
            first: Vec::new(),
        }))
    }

    /// For a literal of two characters or more, with the positions of its grams.
    pub(super) fn with_positions(
        searcher: &Searcher,
        view: Field,
        folded: &Folded,
    ) -> Result<Option<LiteralPostings>, Error> {
        let Some(mut postings) = LiteralPostings::new(searcher, view, folded)? else {
            return Ok(None);
        };
        postings.option = IndexRecordOption::WithFreqsAndPositions;
        Ok(Some(postings))
    }

    /// The paragraphs that hold the literal's rarest gram in `searcher`: at least as many as
    /// hold the literal.
    pub(super) fn doc_freq(&self, searcher: &Searcher) -> Result<u64, Error> {
        let mut least = None;
        for (_, term) in &self.terms {
            let paragraphs = searcher.doc_freq(term)?;
            least = Some(least.map_or(paragraphs, |least: u64| least.min(paragraphs)));
        }
        Ok(least.unwrap_or(0))
    }

    /// The postings of the literal's terms in `segment`; none when a term is not there.
    pub(super) fn open(&self, segment: &SegmentReader) -> Result<Vec<TermPositions>, Error> {
        let terms: Vec<&Term> = self.terms.iter().map(|(_, term)| term).collect();
        Ok(positions::open(segment, &terms, self.option)?.unwrap_or_default())
    }

    /// Occurrences in `doc`; the postings only move forward, so docs come in increasing order.
    pub(super) fn count(&mut self, postings: &mut [TermPositions], doc: DocId) -> usize {
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
    pub(super) fn starts(&mut self, postings: &mut [TermPositions], doc: DocId) -> &[u32] {
        self.first.clear();
        if postings.is_empty() || !postings.iter_mut().all(|p| on(p, doc)) {
            return &self.first;
        }
        let (first, rest) = postings.split_at_mut(1);
        phrase_starts(&mut first[0], rest, &self.offsets, &mut self.first);
        &self.first
    }
}

/// Moves postings forward to `doc`: true when `doc` is in them.
pub(super) fn on(postings: &mut TermPositions, doc: DocId) -> bool {
    if postings.doc() < doc {
        postings.seek(doc);
    }
    postings.doc() == doc
}

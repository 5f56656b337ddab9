//! RANK: the context signal, a literal in the title or the section headings above a paragraph.
//!
//! A paragraph's context is its document's title and its section headings. The headings are
//! indexed on each paragraph ([`crate::store::schema::CONTEXT`]), the title on the document's head
//! only ([`crate::store::schema::TITLE`]): repeated on each paragraph, titles cost as many tokens
//! as the text. [`ContextQuery`] scores a paragraph as if both were one field of it: BM25 of the
//! literal's occurrences in its title and headings together, normalised by their length together.
//!
//! A document's paragraphs are consecutive in their segment from its head
//! ([`crate::store::schema::HEAD`]; a document of a file read in parts has a head in each batch
//! its paragraphs were added in, which holds its title too). So a paragraph belongs to the last
//! head at or before it, and the postings of `head = 1` tell where each run of a document starts
//! and ends (`crate::search::runs`).
//!
//! Statistics count documents, not paragraphs: the idf of a bigram is that of titles, and the
//! average context length is the average title plus the average headings of a paragraph. A title
//! that repeats on every paragraph of its document gave about the same idf, counted in paragraphs.

use std::fmt;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{Bm25StatisticsProvider, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED, TantivyError, Term};

use crate::search::phrase::{Occurrences, Walk};
use crate::search::positions::{self, TermPositions};
use crate::search::runs::{Runs, Starts};
use crate::store::schema::Fields;

/// Matches the paragraphs whose title or headings hold a literal, given as its bigrams at their
/// offsets, and scores them by BM25 over title and headings together.
#[derive(Clone)]
pub struct ContextQuery {
    grams: Vec<(u32, String)>,
    fields: Fields,
}

impl ContextQuery {
    /// `None` for a literal without bigrams.
    pub fn new(grams: Vec<(u32, String)>, fields: Fields) -> Option<ContextQuery> {
        (!grams.is_empty()).then_some(ContextQuery { grams, fields })
    }

    fn terms(&self, field: Field) -> Vec<(u32, Term)> {
        self.grams
            .iter()
            .map(|(offset, gram)| (*offset, Term::from_field_text(field, gram)))
            .collect()
    }
}

impl fmt::Debug for ContextQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContextQuery({:?})", self.grams)
    }
}

/// BM25's k1, as tantivy scores: a term's BM25 score is below its idf × (k1 + 1).
pub const K1: Score = 1.2;

/// BM25 (k1 = 1.2, b = 0.75, as tantivy scores) of a phrase in a paragraph's context.
#[derive(Clone, Copy, Debug)]
struct Bm25 {
    /// The sum of the phrase's idfs times (k1 + 1), times the boost.
    weight: Score,
    /// k1 (1 - b), and k1 b / the average context length.
    constant: Score,
    per_token: Score,
}

impl Bm25 {
    const B: Score = 0.75;

    /// Statistics count documents, not paragraphs: the idf of a bigram is that of titles, and
    /// the average context is the average title plus the headings of an average paragraph.
    fn new(searcher: &Searcher, fields: &Fields, titles: &[Term]) -> tantivy::Result<Bm25> {
        // Titles are indexed on every head (a document of a file read in parts has several).
        let heads = Term::from_field_u64(fields.head, 1);
        let documents = searcher.doc_freq(&heads)?.max(1) as Score;
        let paragraphs = searcher.num_docs().max(1) as Score;
        let title_tokens = searcher.total_num_tokens(fields.title)? as Score;
        let heading_tokens = searcher.total_num_tokens(fields.context)? as Score;
        let average = (title_tokens / documents + heading_tokens / paragraphs).max(1.0);
        let mut idf = 0.0;
        for term in titles {
            let n = searcher.doc_freq(term)? as Score;
            idf += (1.0 + (documents - n + 0.5) / (n + 0.5)).ln();
        }
        Ok(Bm25 {
            weight: idf * (K1 + 1.0),
            constant: K1 * (1.0 - Bm25::B),
            per_token: K1 * Bm25::B / average,
        })
    }

    fn boosted(self, boost: Score) -> Bm25 {
        Bm25 {
            weight: self.weight * boost,
            ..self
        }
    }

    fn score(&self, count: u32, length: u32) -> Score {
        let count = count as Score;
        let norm = self.constant + self.per_token * length as Score;
        self.weight * count / (count + norm)
    }
}

impl Query for ContextQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let titles: Vec<Term> = self
            .terms(self.fields.title)
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        let bm25 = match enable_scoring {
            EnableScoring::Enabled { searcher, .. } => Bm25::new(searcher, &self.fields, &titles)?,
            // Not scored: any weight will do.
            EnableScoring::Disabled { .. } => Bm25 {
                weight: 1.0,
                constant: 1.0,
                per_token: 0.0,
            },
        };
        Ok(Box::new(ContextWeight {
            query: self.clone(),
            bm25,
        }))
    }

    fn query_terms<'a>(&'a self, _visitor: &mut dyn FnMut(&'a Term, bool)) {}
}

struct ContextWeight {
    query: ContextQuery,
    bm25: Bm25,
}

impl Weight for ContextWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let fields = self.query.fields;
        let title_norms = reader.get_fieldnorms_reader(fields.title)?;
        let titles = open_phrase(reader, self.query.terms(fields.title))?;
        let titles = Runs::new(
            matching(titles, |doc| title_norms.fieldnorm(doc)),
            Starts::open(reader, fields.head)?,
        );
        let headings = open_phrase(reader, self.query.terms(fields.context))?;
        let mut scorer = ContextScorer {
            doc: 0,
            titles,
            headings,
            title_norms,
            heading_norms: reader.get_fieldnorms_reader(fields.context)?,
            bm25: self.bm25.boosted(boost),
        };
        scorer.doc = scorer.titles.doc.min(scorer.headings.doc);
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document #({doc}) does not match"
            )));
        }
        Ok(Explanation::new(
            "BM25 of the title and headings",
            scorer.score(),
        ))
    }
}

/// The paragraphs of a segment where a phrase of terms at their offsets occurs, with the number
/// of its occurrences.
type Phrase = Walk<PhraseStarts>;

/// Opens the phrase of `terms` in `reader`: no paragraph where a term is missing.
fn open_phrase(reader: &SegmentReader, terms: Vec<(u32, Term)>) -> tantivy::Result<Phrase> {
    let listed: Vec<&Term> = terms.iter().map(|(_, term)| term).collect();
    let Some(postings) =
        positions::open(reader, &listed, IndexRecordOption::WithFreqsAndPositions)?
    else {
        return Ok(Walk::new(Vec::new(), PhraseStarts::default()));
    };
    let offsets = terms.iter().map(|&(offset, _)| offset).collect();
    Ok(Walk::new(
        postings,
        PhraseStarts {
            offsets,
            ..PhraseStarts::default()
        },
    ))
}

/// A phrase's occurrences as its starts in the text, relative to its first term's offset.
#[derive(Default)]
struct PhraseStarts {
    offsets: Vec<u32>,
    starts: Vec<u32>,
}

impl Occurrences for PhraseStarts {
    fn count(&mut self, postings: &mut [TermPositions], _: &[usize]) -> u32 {
        let [first, rest @ ..] = postings else {
            return 0;
        };
        if rest.is_empty() {
            return first.term_freq();
        }
        phrase_starts(first, rest, &self.offsets, &mut self.starts);
        self.starts.len() as u32
    }
}

/// Where a phrase starts in the document that `first` and `rest` stand on: the positions of
/// `first` such that each term of `rest` stands at its offset from it. `offsets` holds the offset
/// of `first` and then of each of `rest`. The result is in `starts`, relative to `offsets[0]`.
pub(crate) fn phrase_starts(
    first: &mut TermPositions,
    rest: &mut [TermPositions],
    offsets: &[u32],
    starts: &mut Vec<u32>,
) {
    starts.clear();
    starts.extend_from_slice(first.positions());
    let base = offsets[0];
    for (p, &offset) in rest.iter_mut().zip(&offsets[1..]) {
        positions::keep_aligned(starts, offset - base, p.positions(), 0);
    }
    starts.retain(|&position| position >= base);
    for position in starts.iter_mut() {
        *position -= base;
    }
}

/// The runs' first paragraphs where a phrase occurs, in order, with its occurrences and
/// `length` of each.
fn matching(mut phrase: Phrase, length: impl Fn(DocId) -> u32) -> Vec<(DocId, u32, u32)> {
    let mut matching = Vec::new();
    while phrase.doc != TERMINATED {
        matching.push((phrase.doc, phrase.count, length(phrase.doc)));
        phrase.advance();
    }
    matching
}

/// The union of the paragraphs under a matching title and under matching headings.
struct ContextScorer {
    doc: DocId,
    titles: Runs,
    headings: Phrase,
    title_norms: FieldNormReader,
    heading_norms: FieldNormReader,
    bm25: Bm25,
}

impl DocSet for ContextScorer {
    fn advance(&mut self) -> DocId {
        if self.titles.doc == self.doc {
            self.titles.advance();
        }
        if self.headings.doc == self.doc {
            self.headings.advance();
        }
        self.doc = self.titles.doc.min(self.headings.doc);
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        self.titles.seek(target);
        self.headings.seek(target);
        self.doc = self.titles.doc.min(self.headings.doc);
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        let headings = self.headings.postings.first().map_or(0, |p| p.doc_freq());
        (self.titles.matching.len() as u32).saturating_add(headings)
    }
}

impl Scorer for ContextScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let (mut count, title_length) = if self.titles.doc == doc {
            let (_, count, length) = self.titles.matching[self.titles.at];
            (count, length)
        } else {
            // Under matching headings only: the title's length still counts.
            let head = self.titles.starts.of(doc).unwrap_or(doc);
            (0, self.title_norms.fieldnorm(head))
        };
        if self.headings.doc == doc {
            count += self.headings.count;
        }
        let length = title_length + self.heading_norms.fieldnorm(doc);
        self.bm25.score(count, length)
    }
}

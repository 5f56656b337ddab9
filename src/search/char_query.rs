//! MATCH: a one-character literal in the character view.
//!
//! Every character of a paragraph's folded text starts exactly one gram of the `grams` field: the
//! bigram with the next character, or at the end of a run the character and a space
//! ([`crate::text::fold::Gram::Covering`]). So the paragraphs that hold a character are the union
//! of the postings of the grams it starts, its occurrences in one of them the sum of their
//! frequencies, and no view of single characters is needed, with its cost in index size and
//! indexing time.
//!
//! A common character starts thousands of grams (的 some thousands in a corpus of laws and reports).
//! The most frequent characters ([`crate::store::frequent`]) therefore also have one posting list
//! each in the `chars` field, with the same paragraphs and counts, which is walked instead as any
//! term's postings are, never copied out whole (those of 的 are most of the index's paragraphs),
//! and counted by its length where no paragraph is deleted. For the others the grams' postings
//! are read once per segment into a count per paragraph, not merged as a union. Either way the
//! score is the grams' (their postings give the idf), so that both roads rank alike.

use std::collections::HashMap;
use std::fmt;

use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::{
    Bm25StatisticsProvider, Bm25Weight, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};

use crate::parallel;
use crate::search::char_counts::{CharCounts, Held, postings, term_info};
use crate::search::held;
use crate::search::norms::Norms;
use crate::store::frequent::is_frequent;
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED, TantivyError, Term};

/// Below this many postings a character's segments are read on one thread.
const PARALLEL_FROM: usize = 200_000;

/// The paragraphs that hold a character, scored by BM25 of its occurrences as a term of the
/// `grams` field: its idf from its grams' postings (an upper bound on its paragraphs), the
/// paragraph's length its number of grams (of characters).
#[derive(Clone)]
pub struct CharQuery {
    field: Field,
    /// Where the frequent characters have postings of their own: the text's `chars`, for a
    /// query on the text's grams; `None` for a name's grams.
    chars: Option<Field>,
    c: char,
    /// The character as a whole word: see [`CharQuery::with_word`].
    word: Option<Word>,
    /// Each segment's counts once read, shared by the query's clones and weights: a search may
    /// run its query twice (a top 10 among equal scores is ordered again by date).
    read: Arc<Mutex<HashMap<SegmentId, Arc<CharCounts>>>>,
}

impl CharQuery {
    pub fn new(field: Field, chars: Option<Field>, c: char) -> CharQuery {
        CharQuery {
            field,
            chars,
            c,
            word: None,
            read: Arc::default(),
        }
    }

    /// The same character, each paragraph that also holds `term` (the character as a whole
    /// word) scored `bonus` more, and with `required` only those: the query `c AND term` or
    /// `c` with an optional `term`, `term` a constant score. It ranks the best paragraphs
    /// without scoring every one (see [`CharWeight::for_each_pruning`]).
    pub fn with_word(mut self, term: Term, bonus: Score, required: bool) -> CharQuery {
        self.word = Some(Word {
            term,
            bonus,
            required,
        });
        self
    }

    /// The paragraphs that may hold `c`, at most: for choosing how to rank, never for recall.
    pub fn doc_freq_bound(&self, searcher: &Searcher) -> tantivy::Result<u64> {
        Ok(postings(searcher, self.field, self.c)?.min(searcher.num_docs()))
    }

    /// Reads the counts of every segment of `searcher`, for [`CharQuery::counts`].
    pub fn read_every_segment(&self, searcher: &Searcher) -> tantivy::Result<()> {
        self.read_all(searcher, postings(searcher, self.field, self.c)?)
    }

    /// Reads the counts of every segment not read yet, on every core when the character has
    /// many postings: a common character's segments take milliseconds each.
    fn read_all(&self, searcher: &Searcher, postings: u64) -> tantivy::Result<()> {
        if self.listed().is_some() {
            // Its posting list is walked as it is read.
            return Ok(());
        }
        let segments: Vec<&SegmentReader> = {
            let read = self.lock();
            searcher
                .segment_readers()
                .iter()
                .filter(|segment| !read.contains_key(&segment.segment_id()))
                .collect()
        };
        let postings = usize::try_from(postings).unwrap_or(usize::MAX);
        let threads = parallel::threads(postings, PARALLEL_FROM);
        parallel::each(&segments, threads, |segment| self.counts(segment).map(drop))
    }

    /// The field where the character has a posting list of its own: `chars`, for a frequent
    /// character of the text.
    fn listed(&self) -> Option<Field> {
        self.chars.filter(|_| is_frequent(self.c))
    }

    /// The paragraphs of `segment` that hold the character, in order, each with its number of
    /// occurrences.
    pub fn each_count(
        &self,
        segment: &SegmentReader,
        f: &mut dyn FnMut(DocId, u32),
    ) -> tantivy::Result<()> {
        if let Some(chars) = self.listed() {
            let Some(info) = term_info(segment, chars, self.c)? else {
                return Ok(());
            };
            let inverted = segment.inverted_index(chars)?;
            let mut block =
                inverted.read_block_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?;
            while !block.docs().is_empty() {
                for (&doc, &count) in block.docs().iter().zip(block.freqs()) {
                    f(doc, count);
                }
                block.advance();
            }
            return Ok(());
        }
        self.counts(segment)?.for_each(f);
        Ok(())
    }

    /// The paragraphs of `segment` that hold the character and its occurrences in them, deleted
    /// ones included: its posting list's length and frequencies, or its grams' totals.
    pub(super) fn totals(&self, segment: &SegmentReader) -> tantivy::Result<(u64, u64)> {
        if self.listed().is_none() {
            let counts = self.counts(segment)?;
            return Ok((u64::from(counts.len()), counts.occurrences()));
        }
        let (mut paragraphs, mut occurrences) = (0, 0);
        self.each_count(segment, &mut |_, count| {
            paragraphs += 1;
            occurrences += u64::from(count);
        })?;
        Ok((paragraphs, occurrences))
    }

    /// What `segment` holds of the character, to walk: its posting list where it has one, else
    /// the counts of its grams.
    pub(super) fn held(&self, segment: &SegmentReader) -> tantivy::Result<Held> {
        let Some(chars) = self.listed() else {
            let counts = self.counts(segment)?;
            let at = counts.first();
            return Ok(Held::Tallied { counts, at });
        };
        let postings = match term_info(segment, chars, self.c)? {
            Some(info) => Some(Box::new(
                segment
                    .inverted_index(chars)?
                    .read_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?,
            )),
            None => None,
        };
        Ok(Held::Listed(postings))
    }

    /// The counts of `segment`'s grams, read once.
    fn counts(&self, segment: &SegmentReader) -> tantivy::Result<Arc<CharCounts>> {
        let id = segment.segment_id();
        if let Some(counts) = self.lock().get(&id) {
            return Ok(Arc::clone(counts));
        }
        let counts = Arc::new(CharCounts::read_grams(segment, self.field, self.c)?);
        self.lock().insert(id, Arc::clone(&counts));
        Ok(counts)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, Arc<CharCounts>>> {
        self.read
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl fmt::Debug for CharQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CharQuery({:?})", self.c)
    }
}

impl Query for CharQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let Some(searcher) = enable_scoring.searcher() else {
            return Err(TantivyError::InvalidArgument(
                "a one-character literal needs the index's searcher".into(),
            ));
        };
        // The grams' postings summed bound the character's paragraphs: BM25 takes its idf from
        // them, and they say whether to read the grams' counts on every core. A listed character
        // that is not scored needs neither, and streaming a common character's grams from the
        // term dictionary was most of the work of finding the names that hold 国.
        let scored = matches!(enable_scoring, EnableScoring::Enabled { .. });
        if !scored && self.listed().is_some() {
            return Ok(Box::new(CharWeight {
                query: self.clone(),
                bm25: None,
            }));
        }
        let postings = postings(searcher, self.field, self.c)?;
        self.read_all(searcher, postings)?;
        let bm25 = match enable_scoring {
            EnableScoring::Enabled { .. } => {
                let documents = searcher.num_docs().max(1);
                let average = searcher.total_num_tokens(self.field)? as Score / documents as Score;
                Some(Bm25Weight::for_one_term_without_explain(
                    postings.min(documents),
                    documents,
                    average,
                ))
            }
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(CharWeight {
            query: self.clone(),
            bm25,
        }))
    }

    fn query_terms<'a>(&'a self, _visitor: &mut dyn FnMut(&'a Term, bool)) {}
}

struct CharWeight {
    query: CharQuery,
    /// `None` when not scored.
    bm25: Option<Bm25Weight>,
}

impl Weight for CharWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let held = self.query.held(reader)?;
        let fieldnorms = match &self.bm25 {
            Some(_) => Some(Norms::open_scored(reader, self.query.field)?),
            None => None,
        };
        let mut scorer = CharScorer {
            held,
            fieldnorms,
            bm25: self.bm25.as_ref().map(|bm25| bm25.boost_by(boost)),
            word: match &self.query.word {
                Some(word) => Some(word.postings(reader)?),
                None => None,
            },
            bonus: self.query.word.as_ref().map_or(0.0, |w| w.bonus * boost),
            required: self.query.word.as_ref().is_some_and(|w| w.required),
        };
        scorer.settle();
        Ok(Box::new(scorer))
    }

    /// Where no paragraph is deleted and none needs the word, every paragraph that holds the
    /// character: its posting list's length, or its counts'.
    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        let required = self.query.word.as_ref().is_some_and(|word| word.required);
        if let (None, false) = (reader.alive_bitset(), required) {
            return Ok(match self.query.listed() {
                Some(chars) => term_info(reader, chars, self.query.c)?.map_or(0, |i| i.doc_freq),
                None => self.query.counts(reader)?.len(),
            });
        }
        let mut scorer = self.scorer(reader, 1.0)?;
        Ok(match reader.alive_bitset() {
            Some(alive) => scorer.count(alive),
            None => scorer.count_including_deleted(),
        })
    }

    /// Scores only the paragraphs that may enter the best: a paragraph's score is at most its
    /// BM25 plus the word's bonus, worked out from two arrays, and only one that could score
    /// above `threshold` is looked up in the word's postings. A common character holds hundreds
    /// of thousands of paragraphs, of which only a few score near the best.
    fn for_each_pruning(
        &self,
        mut threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let (Some(bm25), Some(word)) = (&self.bm25, &self.query.word) else {
            let mut scorer = self.scorer(reader, 1.0)?;
            while scorer.doc() != TERMINATED {
                let score = scorer.score();
                if score > threshold {
                    threshold = callback(scorer.doc(), score);
                }
                scorer.advance();
            }
            return Ok(());
        };
        let fieldnorms = Norms::open_scored(reader, self.query.field)?;
        let mut postings = word.postings(reader)?;
        self.query.each_count(reader, &mut |doc, count| {
            let bm25 = bm25.score(fieldnorms.fieldnorm_id(doc), count);
            if bm25 + word.bonus <= threshold {
                return;
            }
            let score = match holds(postings.as_mut(), doc) {
                true => bm25 + word.bonus,
                false if word.required => return,
                false => bm25,
            };
            if score > threshold {
                threshold = callback(doc, score);
            }
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "paragraph {doc} does not hold {:?}",
                self.query.c
            )));
        }
        Ok(Explanation::new("one character, BM25", scorer.score()))
    }
}

/// A character's whole word in the word view: its term, the score it adds, and whether a
/// paragraph must hold it.
#[derive(Clone)]
struct Word {
    term: Term,
    bonus: Score,
    required: bool,
}

impl Word {
    /// The word's postings in `reader`, empty when the segment lacks it.
    fn postings(&self, reader: &SegmentReader) -> tantivy::Result<Box<dyn DocSet>> {
        let Some(inverted) = held::inverted(reader, self.term.field())? else {
            return Ok(Box::new(tantivy::query::EmptyScorer));
        };
        Ok(
            match inverted.read_postings(&self.term, IndexRecordOption::Basic)? {
                Some(postings) => Box::new(postings),
                None => Box::new(tantivy::query::EmptyScorer),
            },
        )
    }
}

/// Whether `docs`, moved forward only, holds `doc`: paragraphs are asked in order.
fn holds(docs: &mut dyn DocSet, doc: DocId) -> bool {
    match docs.doc().cmp(&doc) {
        std::cmp::Ordering::Less => docs.seek(doc) == doc,
        std::cmp::Ordering::Equal => true,
        std::cmp::Ordering::Greater => false,
    }
}

struct CharScorer {
    held: Held,
    fieldnorms: Option<Norms>,
    bm25: Option<Bm25Weight>,
    /// The postings of [`CharQuery::with_word`]'s term, its bonus (0 without one), and whether
    /// it is required.
    word: Option<Box<dyn DocSet>>,
    bonus: Score,
    required: bool,
}

impl CharScorer {
    /// Moves on to the first paragraph from the current one that holds the required term.
    fn settle(&mut self) {
        let (Some(required), true) = (&mut self.word, self.required) else {
            return;
        };
        loop {
            let doc = self.held.doc();
            if doc == TERMINATED {
                return;
            }
            let next = if required.doc() < doc {
                required.seek(doc)
            } else {
                required.doc()
            };
            if next == doc {
                return;
            }
            if next == TERMINATED {
                self.held.finish();
                return;
            }
            self.held.seek(next);
        }
    }
}

impl DocSet for CharScorer {
    fn advance(&mut self) -> DocId {
        self.held.advance();
        self.settle();
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.held.seek(target);
        self.settle();
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.held.doc()
    }

    fn size_hint(&self) -> u32 {
        self.held.remaining()
    }
}

impl Scorer for CharScorer {
    fn score(&mut self) -> Score {
        let (Some(bm25), Some(fieldnorms)) = (&self.bm25, &self.fieldnorms) else {
            return 1.0;
        };
        let doc = self.doc();
        let bm25 = bm25.score(fieldnorms.fieldnorm_id(doc), self.held.count());
        let whole_word = self
            .word
            .as_mut()
            .is_some_and(|word| holds(word.as_mut(), doc));
        if whole_word { bm25 + self.bonus } else { bm25 }
    }
}

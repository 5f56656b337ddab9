//! MATCH: a literal of several bigrams as a phrase, scored as tantivy's phrase query scores it and
//! placed by its cheapest bigrams.
//!
//! A literal's bigrams every second character and its last ([`literal_grams`]) place it, and
//! tantivy's phrase of them scores it: BM25 of the sum of their idfs, over the paragraph's field
//! norm and the occurrences of the phrase. But any set of a run's bigrams that holds its first and
//! its last and skips no character places the run as exactly: where each of them stands at its
//! offset, every character of the run does. A common long literal is therefore placed by the
//! bigrams whose positions take the least room in the index (中华人民共和国 by 中华, 华人, 民共
//! and 和国, not by 人民 and 共和, which stand in nearly every law), and scored as before: the same
//! idf from the bigrams of [`literal_grams`], the same field norm, the same occurrences.
//!
//! [`literal_grams`]: crate::store::tokenizers::literal_grams

use std::fmt;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::SegmentPostings;
use tantivy::query::{Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED, TantivyError, Term};

use crate::search::held;
use crate::search::norms::Norms;
use crate::search::positions::{self, TermPositions};

/// A phrase of a literal's bigrams: `scored` gives its score, and each run of `runs` (every
/// bigram of a run of characters, at its offset in the literal) is placed by its cheapest cover.
#[derive(Clone)]
pub struct CoverPhrase {
    scored: Vec<(usize, Term)>,
    runs: Vec<Vec<(usize, Term)>>,
    /// The literal as a term of the word view of the same text, if it is one run: see
    /// [`CoverPhrase::with_word`].
    word: Option<Term>,
}

impl CoverPhrase {
    /// `scored`: the bigrams tantivy's phrase would take, two at least; `runs`: every bigram of
    /// each run of two characters or more of the literal, in order.
    pub fn new(mut scored: Vec<(usize, Term)>, runs: Vec<Vec<(usize, Term)>>) -> CoverPhrase {
        scored.sort_by_key(|&(offset, _)| offset);
        CoverPhrase {
            scored,
            runs,
            word: None,
        }
    }

    /// `word`: the literal in the word view of the text whose grams the phrase reads. Both views
    /// index the same folded text, and each word is a piece of it: a paragraph that holds the
    /// literal as a word holds the literal. Where nothing is scored, only whether the phrase
    /// occurs is asked, and such a paragraph is answered without reading its positions: most of
    /// them for a common long word (中华人民共和国 is a word in 7,344 of the 8,120 paragraphs of
    /// ../shared/corpus that hold it).
    pub fn with_word(mut self, word: Term) -> CoverPhrase {
        self.word = Some(word);
        self
    }

    /// The bigrams that place the phrase in `searcher` ([`cheapest_placing`]).
    fn cover(&self, searcher: &Searcher) -> tantivy::Result<Vec<(usize, Term)>> {
        cheapest_placing(searcher, &self.runs)
    }
}

/// The bigrams that place a literal whose runs hold `runs` (every bigram of each, at its offset):
/// per run, the cover whose positions take the least room in the segments of `searcher`.
pub(crate) fn cheapest_placing(
    searcher: &Searcher,
    runs: &[Vec<(usize, Term)>],
) -> tantivy::Result<Vec<(usize, Term)>> {
    let mut cover = Vec::new();
    for run in runs {
        let mut costs = Vec::with_capacity(run.len());
        for (_, term) in run {
            let mut room = 0u64;
            for segment in searcher.segment_readers() {
                let Some(inverted) = held::inverted(segment, term.field())? else {
                    continue;
                };
                if let Some(info) = inverted.get_term_info(term)? {
                    room += info.positions_range.len() as u64;
                }
            }
            costs.push(room);
        }
        cover.extend(cheapest_cover(&costs).into_iter().map(|at| run[at].clone()));
    }
    Ok(cover)
}

impl fmt::Debug for CoverPhrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CoverPhrase({:?})", self.scored)
    }
}

impl Query for CoverPhrase {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let bm25 = match enable_scoring {
            // As tantivy's phrase query computes it, from the same terms in the same order.
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => {
                let terms: Vec<Term> = self.scored.iter().map(|(_, t)| t.clone()).collect();
                Some(Bm25Weight::for_terms(statistics_provider, &terms)?)
            }
            EnableScoring::Disabled { .. } => None,
        };
        let placing = match enable_scoring.searcher() {
            Some(searcher) => self.cover(searcher)?,
            None => self.scored.clone(),
        };
        // Scored, the phrase's occurrences count; unscored, whether it occurs.
        let word = match bm25 {
            Some(_) => None,
            None => self.word.clone(),
        };
        Ok(Box::new(CoverWeight {
            field: self.scored[0].1.field(),
            placing,
            bm25,
            word,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (_, term) in &self.scored {
            visitor(term, true);
        }
    }
}

/// From this many paragraphs of the phrase's rarest bigram in a segment, the literal's word is
/// looked up to answer for the paragraphs that hold it ([`CoverPhrase::with_word`]).
const WORD_FROM: u32 = 1_000;

struct CoverWeight {
    /// The field of the bigrams, whose norms score the phrase.
    field: Field,
    /// The bigrams read to place the phrase, at their offsets.
    placing: Vec<(usize, Term)>,
    bm25: Option<Bm25Weight>,
    /// Where nothing is scored, the literal as a word ([`CoverPhrase::with_word`]).
    word: Option<Term>,
}

impl Weight for CoverWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let terms: Vec<&Term> = self.placing.iter().map(|(_, term)| term).collect();
        let Some(postings) =
            positions::open(reader, &terms, IndexRecordOption::WithFreqsAndPositions)?
        else {
            return Ok(Box::new(EmptyScorer));
        };
        let fieldnorms = match &self.bm25 {
            Some(_) => Norms::open(reader, self.field)?,
            None => None,
        }
        .unwrap_or_else(|| Norms::Field(FieldNormReader::constant(reader.max_doc(), 1)));
        // Aligned on the last offset, as tantivy aligns a phrase's positions: every occurrence
        // counts, whatever its first bigram's offset.
        let last = self
            .placing
            .iter()
            .map(|&(offset, _)| offset)
            .max()
            .unwrap_or(0);
        let shifts = self
            .placing
            .iter()
            .map(|&(o, _)| (last - o) as u32)
            .collect();
        // Looking the word up costs more than the positions it saves where the phrase's rarest
        // bigram stands in few paragraphs.
        let rarest = postings
            .iter()
            .map(TermPositions::doc_freq)
            .min()
            .unwrap_or(0);
        let word = match &self.word {
            Some(term) if rarest >= WORD_FROM => match held::inverted(reader, term.field())? {
                Some(inverted) => inverted
                    .read_postings(term, IndexRecordOption::Basic)?
                    .map(Box::new),
                None => None,
            },
            _ => None,
        };
        let scorer = CoverScorer {
            walk: Walk::new(
                postings,
                Aligned {
                    shifts,
                    aligned: Vec::new(),
                    word,
                },
            ),
            fieldnorms,
            bm25: self.bm25.as_ref().map(|bm25| bm25.boost_by(boost)),
        };
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document #({doc}) does not match"
            )));
        }
        Ok(Explanation::new("phrase, BM25", scorer.score()))
    }
}

struct CoverScorer {
    walk: Walk<Aligned>,
    fieldnorms: Norms,
    bm25: Option<Bm25Weight>,
}

/// How often a phrase occurs in the paragraph that all of its postings stand on: 0 where it
/// does not.
pub(crate) trait Occurrences {
    /// `by_rarity` orders `postings`, fewest paragraphs first.
    fn count(&mut self, postings: &mut [TermPositions], by_rarity: &[usize]) -> u32;

    /// True when `doc`, which the rarest posting holds, is known to hold the phrase once or more
    /// without the other postings (asked in increasing order). False says nothing.
    fn known(&mut self, _doc: DocId) -> bool {
        false
    }
}

/// The paragraphs of a segment that all of a phrase's postings hold and where it occurs, walked
/// in order with the number of its occurrences.
pub(crate) struct Walk<O: Occurrences> {
    pub(crate) postings: Vec<TermPositions>,
    /// The postings, fewest paragraphs first: the rarest leads the others on.
    by_rarity: Vec<usize>,
    pub(crate) doc: DocId,
    /// Occurrences of the phrase in `doc`.
    pub(crate) count: u32,
    occurrences: O,
}

impl<O: Occurrences> Walk<O> {
    /// Walks `postings` from the first paragraph where the phrase occurs; none without
    /// postings.
    pub(crate) fn new(postings: Vec<TermPositions>, occurrences: O) -> Walk<O> {
        let mut by_rarity: Vec<usize> = (0..postings.len()).collect();
        by_rarity.sort_by_key(|&i| postings[i].doc_freq());
        let mut walk = Walk {
            postings,
            by_rarity,
            doc: TERMINATED,
            count: 0,
            occurrences,
        };
        walk.settle(0);
        walk
    }

    /// Moves to the first paragraph at or after `candidate` where the phrase occurs. A paragraph
    /// of the rarest posting that is known to hold it ([`Occurrences::known`]) is taken as it
    /// stands, the other postings left behind: they are moved on with the next candidate.
    fn settle(&mut self, mut candidate: DocId) -> DocId {
        loop {
            if let Some(&rarest) = self.by_rarity.first() {
                let postings = &mut self.postings[rarest];
                let doc = if postings.doc() < candidate {
                    postings.seek(candidate)
                } else {
                    postings.doc()
                };
                if doc != TERMINATED && self.occurrences.known(doc) {
                    self.doc = doc;
                    self.count = 1;
                    return doc;
                }
            }
            if self.align_from(candidate) == TERMINATED || self.occurs() > 0 {
                return self.doc;
            }
            candidate = self.doc + 1;
        }
    }

    pub(crate) fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        self.settle(self.doc + 1)
    }

    /// Moves to the first paragraph at or after `target` that holds every posting, without
    /// asking whether the phrase occurs there ([`Walk::occurs`] asks): a caller that can rule the
    /// paragraph out otherwise reads no positions for it. `target` never goes back.
    pub(crate) fn align_from(&mut self, target: DocId) -> DocId {
        self.count = 0;
        self.doc = if self.postings.is_empty() || target == TERMINATED {
            TERMINATED
        } else {
            align(&mut self.postings, &self.by_rarity, target)
        };
        self.doc
    }

    /// The phrase's occurrences in the paragraph that [`Walk::align_from`] stands on.
    pub(crate) fn occurs(&mut self) -> u32 {
        self.count = self.occurrences.count(&mut self.postings, &self.by_rarity);
        self.count
    }

    pub(crate) fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        self.settle(target)
    }
}

/// A phrase's occurrences as tantivy counts them: the places where every bigram stands at its
/// offset, each bigram's positions moved to the phrase's last offset.
struct Aligned {
    /// What each bigram's positions are moved by, in the order of the postings.
    shifts: Vec<u32>,
    aligned: Vec<u32>,
    /// Where only whether the phrase occurs is asked: the paragraphs that hold the literal as a
    /// word, counted as one occurrence without their positions. Boxed: a posting list holds its
    /// block of documents, which would be copied with the walk whenever it moves.
    word: Option<Box<SegmentPostings>>,
}

impl Occurrences for Aligned {
    fn count(&mut self, postings: &mut [TermPositions], by_rarity: &[usize]) -> u32 {
        let rarest = by_rarity[0];
        if self.known(postings[rarest].doc()) {
            return 1;
        }
        let shift = self.shifts[rarest];
        self.aligned.clear();
        self.aligned
            .extend(postings[rarest].positions().iter().map(|&p| p + shift));
        for &i in &by_rarity[1..] {
            positions::keep_aligned(
                &mut self.aligned,
                0,
                postings[i].positions(),
                self.shifts[i],
            );
            if self.aligned.is_empty() {
                return 0;
            }
        }
        self.aligned.len() as u32
    }

    fn known(&mut self, doc: DocId) -> bool {
        let Some(word) = &mut self.word else {
            return false;
        };
        if word.doc() < doc {
            word.seek(doc);
        }
        word.doc() == doc
    }
}

impl DocSet for CoverScorer {
    fn advance(&mut self) -> DocId {
        self.walk.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.walk.seek(target)
    }

    fn doc(&self) -> DocId {
        self.walk.doc
    }

    fn size_hint(&self) -> u32 {
        self.walk
            .by_rarity
            .first()
            .map_or(0, |&i| self.walk.postings[i].doc_freq())
    }
}

impl Scorer for CoverScorer {
    fn score(&mut self) -> Score {
        match &self.bm25 {
            Some(bm25) => bm25.score(self.fieldnorms.fieldnorm_id(self.walk.doc), self.walk.count),
            None => 1.0,
        }
    }
}

/// The first paragraph at or after `candidate` that all of `postings` hold, each moved onto it
/// (`TERMINATED` when there is none). They are asked in the order of `order`: the rarest first
/// leads the others on.
fn align(postings: &mut [TermPositions], order: &[usize], mut candidate: DocId) -> DocId {
    'align: loop {
        for &i in order {
            let p = &mut postings[i];
            let doc = if p.doc() < candidate {
                p.seek(candidate)
            } else {
                p.doc()
            };
            if doc > candidate {
                candidate = doc;
                continue 'align;
            }
        }
        return candidate;
    }
}

/// The bigrams (by index) of a run of `costs.len() + 1` characters that cover each of its
/// characters at the least total cost: the first and the last, and none more than two after the
/// one before it.
pub(crate) fn cheapest_cover(costs: &[u64]) -> Vec<usize> {
    let n = costs.len();
    if n <= 2 {
        return (0..n).collect();
    }
    // best[i]: the least cost of a cover of the characters up to bigram i, bigram i chosen.
    let mut best = vec![u64::MAX; n];
    let mut from = vec![0; n];
    best[0] = costs[0];
    for i in 1..n {
        for back in [1, 2] {
            if let Some(j) = i.checked_sub(back)
                && best[j] != u64::MAX
                && best[j].saturating_add(costs[i]) < best[i]
            {
                best[i] = best[j].saturating_add(costs[i]);
                from[i] = j;
            }
        }
    }
    let mut cover = vec![n - 1];
    while let Some(&last) = cover.last()
        && last > 0
    {
        cover.push(from[last]);
    }
    cover.reverse();
    cover
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tokenizers::{grams_index, literal_grams};
    use proptest::prelude::*;
    use tantivy::query::PhraseQuery;

    /// Every paragraph a query's weight matches in `searcher`, with its score.
    fn scored(searcher: &Searcher, query: &dyn Query) -> Vec<(u32, DocId, Score)> {
        let weight = query
            .weight(EnableScoring::enabled_from_searcher(searcher))
            .unwrap();
        let mut all = Vec::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let mut scorer = weight.scorer(segment, 1.0).unwrap();
            while scorer.doc() != TERMINATED {
                all.push((ord as u32, scorer.doc(), scorer.score()));
                scorer.advance();
            }
        }
        all
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Over texts of few characters, where literals recur and overlap (甲乙甲乙甲), in two
        /// segments: the paragraphs and scores of tantivy's phrase of the literal's bigrams.
        #[test]
        fn a_cover_phrase_finds_and_scores_as_the_phrase_of_its_bigrams(
            texts in proptest::collection::vec("[甲乙丙丁 ]{0,40}", 1..40),
            literals in proptest::collection::vec("([甲乙] )?[甲乙丙丁]{2,7}( [甲乙丙丁]{1,4})?", 1..8),
        ) {
            let (index, field) = grams_index(&texts, texts.len() / 2);
            let searcher = index.reader().unwrap().searcher();
            for literal in &literals {
                let chars: Vec<char> = literal.chars().collect();
                // A run of one character is not in the phrase (`grams_query` asks for it apart).
                let bigrams: Vec<(usize, Term)> = literal_grams(&chars)
                    .into_iter()
                    .filter(|(_, gram)| gram.chars().count() == 2)
                    .map(|(offset, gram)| (offset, Term::from_field_text(field, &gram)))
                    .collect();
                if bigrams.len() < 2 {
                    continue;
                }
                let phrase = PhraseQuery::new_with_offset(bigrams.clone());
                let cover = CoverPhrase::new(bigrams, crate::search::literal::every_bigram(field, &chars));
                prop_assert_eq!(scored(&searcher, &cover), scored(&searcher, &phrase), "{}", literal);
            }
        }
    }

    /// Every set of offsets from 0 to n - 1 with no gap above two, the cheapest by brute force.
    fn cheapest_by_trying(costs: &[u64]) -> u64 {
        let n = costs.len();
        (0u32..1 << n)
            .filter(|set| {
                let chosen: Vec<usize> = (0..n).filter(|i| set & (1 << i) != 0).collect();
                chosen.first() == Some(&0)
                    && chosen.last() == Some(&(n - 1))
                    && chosen.windows(2).all(|w| w[1] - w[0] <= 2)
            })
            .map(|set| {
                (0..n)
                    .filter(|i| set & (1 << i) != 0)
                    .map(|i| costs[i])
                    .sum()
            })
            .min()
            .unwrap_or(0)
    }

    #[test]
    fn the_cheapest_cover_covers_every_character_at_least_cost() {
        let mut seed = 7u64;
        for n in 1..12 {
            for _ in 0..50 {
                let costs: Vec<u64> = (0..n)
                    .map(|_| {
                        seed = seed
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        (seed >> 33) % 100
                    })
                    .collect();
                let cover = cheapest_cover(&costs);
                assert_eq!(cover.first(), Some(&0));
                assert_eq!(cover.last(), Some(&(n - 1)));
                assert!(
                    cover.windows(2).all(|w| w[0] < w[1] && w[1] - w[0] <= 2),
                    "{cover:?}"
                );
                let cost: u64 = cover.iter().map(|&i| costs[i]).sum();
                assert_eq!(cost, cheapest_by_trying(&costs), "{costs:?}: {cover:?}");
            }
        }
        // 中华人民共和国: the common 人民 and 共和 left out.
        assert_eq!(cheapest_cover(&[50, 5, 900, 4, 300, 60]), vec![0, 1, 3, 5]);
    }
}

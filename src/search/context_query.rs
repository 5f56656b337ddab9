//! RANK: the context signal, a literal in the title or the section headings above a paragraph.
//!
//! A paragraph's context is its document's title and its section headings. Neither is repeated
//! on each paragraph: the title is indexed on the document's head
//! ([`crate::store::schema::TITLE`]), each heading on the first paragraph of the first run of
//! paragraphs under it, tagged by its depth, and a heading at depth `d` heads the paragraphs up
//! to the first marked as where a heading at depth `d` ends ([`crate::store::headings`],
//! [`crate::store::schema::HEADING_END`]). The field norm of each run's first paragraph is the
//! length of all of the run's headings; the lengths' sum over paragraphs is kept per batch
//! ([`crate::store::schema::CONTEXT_TOTAL`]). [`ContextQuery`] scores a paragraph as if title and
//! headings were one field of it, held by each paragraph: BM25 of the literal's occurrences in its
//! title and headings together, normalised by their length together.
//!
//! A document's paragraphs are consecutive in their segment from its head
//! ([`crate::store::schema::HEAD`]; a document of a file read in parts has a head in each batch
//! its paragraphs were added in, which holds its title too). So a paragraph belongs to the last
//! head at or before it, and the postings of `head = 1` tell where each run of a document starts
//! and ends (`crate::search::runs`). A run of paragraphs under the same headings is told by a
//! column that marks the paragraphs going on a run ([`crate::store::schema::SECTION`]).
//!
//! Statistics count documents, not paragraphs: the idf of a bigram is that of titles, and the
//! average context length is the average title plus the average headings of a paragraph. A title
//! that repeats on every paragraph of its document gave about the same idf, counted in paragraphs.

use std::fmt;

use tantivy::columnar::Column;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::SegmentPostings;
use tantivy::query::{
    Bm25StatisticsProvider, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED, TantivyError, Term};

use crate::search::held;
use crate::search::norms::Norms;
use crate::search::phrase::{Occurrences, Walk};
use crate::search::positions::{self, TermPositions};
use crate::search::runs::{Runs, Starts};
use crate::store::headings;
use crate::store::schema::{Fields, SECTION};

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

    /// The terms of the literal's bigrams in a heading at `depth` ([`headings::depth_tag`]).
    fn heading_terms(&self, field: Field, depth: usize) -> Vec<(u32, Term)> {
        self.grams
            .iter()
            .map(|(offset, gram)| {
                let term = headings::term(gram, depth);
                (*offset, Term::from_field_text(field, &term))
            })
            .collect()
    }

    /// The depths of the headings in `reader`'s segment that hold the literal's first bigram: its
    /// terms at every depth, which stand together in the term dictionary, read in one walk
    /// rather than asked for depth by depth.
    fn depths(&self, reader: &SegmentReader) -> tantivy::Result<Vec<usize>> {
        let mut depths = Vec::new();
        let (Some((_, gram)), Some(inverted)) = (
            self.grams.first(),
            held::inverted(reader, self.fields.context)?,
        ) else {
            return Ok(depths);
        };
        let mut terms = inverted
            .terms()
            .range()
            .ge(headings::term(gram, 0))
            .le(headings::term(gram, headings::DEEPEST))
            .into_stream()?;
        while terms.advance() {
            if let Some(&[tag]) = terms.key().strip_prefix(gram.as_bytes()) {
                depths.extend(headings::tag_depth(tag));
            }
        }
        Ok(depths)
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

/// The lengths of every paragraph's context summed over the collection, as if each paragraph held
/// its headings: `2^i` for each paragraph that holds the bit `i` of a batch's sum
/// ([`crate::store::schema::CONTEXT_TOTAL`]), read from the field's few terms. A segment without
/// the field (a collection without headings) is not asked (`crate::search::held`).
fn context_sum(searcher: &Searcher, field: Field) -> tantivy::Result<u64> {
    let mut sum = 0u64;
    for segment in searcher.segment_readers() {
        let Some(inverted) = held::inverted(segment, field)? else {
            continue;
        };
        let mut terms = inverted.terms().stream()?;
        while terms.advance() {
            // A u64 term's key is its value, big-endian.
            let Ok(key) = <[u8; 8]>::try_from(terms.key()) else {
                continue;
            };
            let bit = u64::from_be_bytes(key);
            if bit < u64::from(u64::BITS) {
                let paragraphs = u64::from(terms.value().doc_freq);
                sum = sum.wrapping_add(paragraphs.wrapping_shl(bit as u32));
            }
        }
    }
    Ok(sum)
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
        let heading_tokens = context_sum(searcher, fields.context_total)? as Score;
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
        let titles = open_phrase(reader, self.query.terms(fields.title))?;
        let mut depths = Vec::new();
        for depth in self.query.depths(reader)? {
            let phrase = open_phrase(reader, self.query.heading_terms(fields.context, depth))?;
            if phrase.doc != TERMINATED {
                depths.push(Depth::new(
                    phrase,
                    ends(reader, fields.heading_end, depth)?,
                    reader.max_doc(),
                ));
            }
        }
        if titles.doc == TERMINATED && depths.is_empty() {
            // No title or heading holds the literal: the lengths and runs are not opened, which
            // cost a rare literal more than its own postings.
            return Ok(Box::new(EmptyScorer));
        }
        let title_norms = Norms::open_scored(reader, fields.title)?;
        let titles = Runs::new(
            matching(titles, |doc| title_norms.fieldnorm(doc)),
            Starts::open(reader, fields.head)?,
        );
        let headings = Sections::new(depths, reader.fast_fields().u64(SECTION)?);
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

/// The last paragraphs that the headings at `depth` head ([`crate::store::schema::HEADING_END`]).
fn ends(
    reader: &SegmentReader,
    field: Field,
    depth: usize,
) -> tantivy::Result<Option<SegmentPostings>> {
    let Some(inverted) = held::inverted(reader, field)? else {
        return Ok(None);
    };
    let term = Term::from_field_u64(field, depth as u64);
    Ok(inverted.read_postings(&term, IndexRecordOption::Basic)?)
}

/// The headings at one depth that hold a phrase, each over the paragraphs it heads: from the
/// paragraph where it is indexed, the first of its first run, to the last it heads, which is
/// marked. Two headings at one depth never overlap, so each is met in turn.
struct Depth {
    /// On `start` while a heading is left.
    phrase: Phrase,
    /// The last paragraph that each heading at this depth heads.
    ends: Option<SegmentPostings>,
    max_doc: DocId,
    /// The paragraphs `[start, end)` that the heading at `phrase` heads; `start` is TERMINATED
    /// when no heading is left.
    start: DocId,
    end: DocId,
}

impl Depth {
    fn new(phrase: Phrase, ends: Option<SegmentPostings>, max_doc: DocId) -> Depth {
        let mut depth = Depth {
            start: phrase.doc,
            phrase,
            ends,
            max_doc,
            end: 0,
        };
        depth.end = depth.end_of(depth.start);
        depth
    }

    /// Past the last paragraph that the heading indexed at `start` heads (the segment's end
    /// where none is marked, which a segment written as gazette writes it never lacks).
    fn end_of(&mut self, start: DocId) -> DocId {
        if start == TERMINATED {
            return TERMINATED;
        }
        let last = match &mut self.ends {
            Some(ends) if ends.doc() >= start => ends.doc(),
            Some(ends) => ends.seek(start),
            None => TERMINATED,
        };
        last.saturating_add(1).min(self.max_doc)
    }

    /// Moves to the first heading that heads `target` or a paragraph after it. A heading that
    /// ends before `target` is passed by where it ends, without reading its positions: only the
    /// one that may head `target` is asked whether it holds the phrase.
    fn reach(&mut self, target: DocId) {
        if self.start == TERMINATED || self.end > target {
            return;
        }
        loop {
            // Every paragraph that holds every term at this depth is where a heading begins, and
            // the next begins after it ends.
            let candidate = self.phrase.align_from(self.end);
            self.end = self.end_of(candidate);
            if candidate == TERMINATED {
                self.start = TERMINATED;
                return;
            }
            if self.end > target {
                self.start = match self.phrase.occurs() {
                    0 => self.phrase.seek(self.end),
                    _ => candidate,
                };
                if self.start != candidate {
                    self.end = self.end_of(self.start);
                }
                return;
            }
        }
    }

    /// The first paragraph at or after `target` under a heading of this depth that holds the
    /// phrase.
    fn first_from(&mut self, target: DocId) -> DocId {
        self.reach(target);
        match self.start {
            TERMINATED => TERMINATED,
            start => start.max(target),
        }
    }

    fn heads(&self, doc: DocId) -> bool {
        self.start <= doc && doc < self.end
    }
}

/// The paragraphs under headings that hold a phrase, read as far as asked, with its
/// occurrences in all of their headings. A common literal (政府) is in too many headings to list
/// the paragraphs they head first, as titles are listed.
struct Sections {
    depths: Vec<Depth>,
    /// 1 on a paragraph that goes on its run ([`crate::store::schema::SECTION`]).
    goes_on: Column<u64>,
    doc: DocId,
    /// The last paragraph whose run's start was asked for, and that start.
    asked: Option<(DocId, DocId)>,
}

impl Sections {
    fn new(depths: Vec<Depth>, goes_on: Column<u64>) -> Sections {
        let mut sections = Sections {
            depths,
            goes_on,
            doc: TERMINATED,
            asked: None,
        };
        sections.doc = sections.first_from(0);
        sections
    }

    fn first_from(&mut self, target: DocId) -> DocId {
        self.depths
            .iter_mut()
            .map(|depth| depth.first_from(target))
            .min()
            .unwrap_or(TERMINATED)
    }

    /// Occurrences of the phrase in the headings of `doc`.
    fn count(&self) -> u32 {
        self.depths
            .iter()
            .filter(|depth| depth.heads(self.doc))
            .map(|depth| depth.phrase.count)
            .sum()
    }

    fn goes_on(&self, doc: DocId) -> bool {
        self.goes_on.first(doc).unwrap_or(0) != 0
    }

    /// The first paragraph of the run of `doc`, whose field norm is the length of its headings.
    /// Read back from `doc` to the nearest start, or to the paragraph last asked about, whose
    /// run's start it then is: asked in order, as a scorer asks, no paragraph is read twice, and a
    /// run's start is found within the run's length back.
    fn start_of(&mut self, doc: DocId) -> DocId {
        let known = self.asked.filter(|&(asked, _)| asked <= doc);
        let mut at = doc;
        let start = loop {
            if !self.goes_on(at) {
                break at;
            }
            match known {
                Some((asked, start)) if asked == at => break start,
                _ if at == 0 => break 0,
                _ => at -= 1,
            }
        };
        self.asked = Some((doc, start));
        start
    }

    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.doc = self.first_from(self.doc + 1);
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc < target {
            self.doc = self.first_from(target);
        }
        self.doc
    }
}

/// The union of the paragraphs under a matching title and under matching headings.
struct ContextScorer {
    doc: DocId,
    titles: Runs,
    headings: Sections,
    title_norms: Norms,
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
        let headings = self
            .headings
            .depths
            .iter()
            .filter_map(|depth| depth.phrase.postings.first())
            .map(|p| p.doc_freq())
            .fold(0u32, u32::saturating_add);
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
        // A paragraph's headings are its run's: their length is the field norm at its start.
        if self.headings.doc == doc {
            count += self.headings.count();
        }
        let start = self.headings.start_of(doc);
        let length = title_length + self.heading_norms.fieldnorm(start);
        self.bm25.score(count, length)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use tantivy::schema::Value;
    use tantivy::{DocAddress, TantivyDocument};

    use crate::indexer::index_of_files;
    use crate::ingest::parse::Paragraph;
    use crate::store::place::{Place, Section};
    use crate::store::tokenizers::literal_grams;
    use crate::text::fold;

    /// Three laws whose titles are as long, two of which do not hold 修复 (the third's
    /// paragraphs and headings begin with 丙); headings that hold it once, twice or not, runs of
    /// one paragraph and of several, the same headings again after others, paragraphs under no
    /// heading (a run of seven in the third), and a chapter's heading kept by the run of a
    /// section under it and by the run after the section (the third's 丙第二章).
    const LAWS: [(&str, &str); 3] = [
        (
            "a.txt",
            "# 示例市山体保护条例\n\n## 第一章 总则\n\n第一条 为了保护山体，制定本条例。\n\n\
             第二条 市人民政府负责山体保护。\n\n## 第二章 修复治理\n\n第三条 破损山体应当修复。\n\n\
             修复方案由主管部门制定。\n\n方案应当公开。\n\n### 第一节 修复与修复评估\n\n第四条 评估。\n\n\
             ## 第三章 附则\n\n第五条 本条例自公布之日起施行。\n",
        ),
        (
            "b.txt",
            "# 示例市河道管理条例\n\n前言一段。\n\n前言二段。\n\n## 第一章 河道修复\n\n第一条 河道应当修复。\n\n\
             ## 第二章 管理\n\n第二条 管理。\n\n第三条 巡查。\n\n## 第三章 修复资金\n\n第四条 资金。\n\n\
             第五条 预算。\n\n第六条 审计。\n",
        ),
        (
            "c.txt",
            "# 示例市修复管理条例\n\n丙前言。\n\n丙一。\n\n丙二。\n\n丙三。\n\n丙四。\n\n丙五。\n\n\
             ## 丙第一章 总则\n\n丙第一条。\n\n丙第二条。\n\n\
             ## 丙第二章 修复规划\n\n丙第三条。\n\n### 丙第一节 修复评估\n\n丙第四条。\n\n### 丙第二节 复评评估与修复\n\n丙第七条。\n\n\
             ## 丙第二章 修复规划\n\n丙第五条。\n\n## 丙第三章 附则\n\n丙第六条。\n",
        ),
    ];

    /// A heading heads the paragraphs of its own batch only: two laws that end under a heading
    /// holding 修复 and begin under none, in one segment in either order, give the context
    /// signal to exactly the paragraphs whose stored section path holds it.
    #[test]
    fn a_heading_ends_with_its_batch() {
        let laws = [
            (
                "x.txt",
                "# 甲条例\n\n甲前言。\n\n## 第一章 修复\n\n甲第一条。\n\n甲第二条。\n",
            ),
            (
                "y.txt",
                "# 乙条例\n\n乙前言。\n\n## 第一章 修复\n\n乙第一条。\n",
            ),
        ];
        let config = crate::indexer::IndexConfig {
            compact: true,
            ..Default::default()
        };
        let (_dir, index, fields) = crate::indexer::index_of_files_with(&laws, config);
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 1);
        let query = ContextQuery::new(vec![(0, "修复".to_string())], fields).unwrap();
        let weight = query
            .weight(EnableScoring::enabled_from_searcher(&searcher))
            .unwrap();
        let reader = &searcher.segment_readers()[0];
        let under: Vec<DocId> = (0..reader.max_doc())
            .filter(|&doc| {
                let (text, section) = stored(&searcher, fields, DocAddress::new(0, doc));
                // A heading's own paragraph is not under it.
                section.headings().any(|h| h.contains("修复") && h != text)
            })
            .collect();
        let mut scorer = weight.scorer(reader, 1.0).unwrap();
        let mut walked = Vec::new();
        while scorer.doc() != TERMINATED {
            walked.push(scorer.doc());
            scorer.advance();
        }
        assert_eq!(walked, under);
        assert_eq!(under.len(), 3);
    }

    /// The context signal of 修复, walked and sought into, matches the paragraphs whose own
    /// headings or title hold it (a scan of each paragraph's stored section path), with the
    /// occurrences in them and the length of them that it would have if each paragraph held its
    /// headings.
    #[test]
    fn headings_indexed_once_per_run_score_each_paragraph_as_its_own() {
        let (_dir, index, fields) = index_of_files(&LAWS);
        let searcher = index.reader().unwrap().searcher();
        // 修复评估: a heading that holds it, then one at its depth that holds its bigrams but not
        // it (丙第二节 复评评估与修复).
        for literal in ["修复", "修复评估"] {
            check_context_signal(&searcher, fields, literal);
        }
    }

    /// The stored text and section path of the paragraph at `address`.
    fn stored(searcher: &Searcher, fields: Fields, address: DocAddress) -> (String, Section) {
        let stored: TantivyDocument = searcher.doc(address).unwrap();
        let text = stored.get_first(fields.text).unwrap().as_str().unwrap();
        let place = stored.get_first(fields.place).unwrap().as_bytes().unwrap();
        let (_, at) = Place::decode(place).unwrap();
        (
            text.to_string(),
            Section::of_place(place.to_vec(), at).unwrap(),
        )
    }

    fn check_context_signal(searcher: &Searcher, fields: Fields, literal: &str) {
        let grams: Vec<(u32, String)> = literal_grams(&literal.chars().collect::<Vec<_>>())
            .into_iter()
            .map(|(offset, gram)| (offset as u32, gram))
            .collect();
        let query = ContextQuery::new(grams, fields).unwrap();
        let weight = query
            .weight(EnableScoring::enabled_from_searcher(searcher))
            .unwrap();
        let titles: Vec<Term> = query
            .terms(fields.title)
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        let bm25 = Bm25::new(searcher, &fields, &titles).unwrap();
        let quantized = |length: usize| {
            FieldNormReader::id_to_fieldnorm(FieldNormReader::fieldnorm_to_id(length as u32))
        };
        // Every pair of adjacent characters, none across a space.
        let bigrams = |text: &str| {
            text.split(' ')
                .map(|run| run.chars().count().saturating_sub(1))
                .sum::<usize>()
        };
        // Both titles: 9 characters, 8 bigrams.
        let title_length = quantized(8);
        let mut heading_tokens = 0;
        let mut under = 0;
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let mut expected = Vec::new();
            for doc in 0..reader.max_doc() {
                let (text, section) = stored(searcher, fields, DocAddress::new(ord as u32, doc));
                let paragraph = Paragraph {
                    text: text.clone(),
                    section: section.headings().map(str::to_string).collect(),
                    heading: false,
                    pages: None,
                };
                let headings: Vec<String> = paragraph.context().map(fold::fold_to_string).collect();
                let length = headings.iter().map(|h| bigrams(h)).sum::<usize>();
                heading_tokens += length;
                let joined = headings.join(" ");
                let count = (0..joined.len())
                    .filter(|&at| joined.is_char_boundary(at) && joined[at..].starts_with(literal))
                    .count() as u32;
                // The third law's title line, a paragraph of its own, is its document's too.
                let third = text.starts_with('丙') || text == "示例市修复管理条例";
                let count = count + u32::from(third && "示例市修复管理条例".contains(literal));
                if count > 0 {
                    let score = bm25.score(count, title_length + quantized(length));
                    expected.push((doc, count, score));
                }
            }
            under += expected.len();
            let mut scorer = weight.scorer(reader, 1.0).unwrap();
            let mut walked = Vec::new();
            while scorer.doc() != TERMINATED {
                walked.push((scorer.doc(), scorer.score()));
                scorer.advance();
            }
            let wanted: Vec<(DocId, Score)> = expected.iter().map(|&(d, _, s)| (d, s)).collect();
            assert_eq!(walked, wanted);
            let first = |target: DocId| expected.iter().find(|e| e.0 >= target);
            // Sought into straight from the first match (into the middle of a run, past the
            // run's start), and from every paragraph in turn, as a required clause does.
            for target in 0..reader.max_doc() {
                let mut scorer = weight.scorer(reader, 1.0).unwrap();
                if target > scorer.doc() {
                    let wanted = first(target).map_or(TERMINATED, |e| e.0);
                    assert_eq!(scorer.seek(target), wanted, "paragraph {target}");
                }
                if let Some((doc, _, score)) = first(target).filter(|e| e.0 == scorer.doc()) {
                    assert_eq!(scorer.score(), *score, "paragraph {doc}");
                }
            }
            let mut scorer = weight.scorer(reader, 1.0).unwrap();
            for target in 0..reader.max_doc() {
                if target > scorer.doc() {
                    let wanted = first(target).map_or(TERMINATED, |e| e.0);
                    assert_eq!(scorer.seek(target), wanted, "paragraph {target} in turn");
                }
            }
            // Past the segment's last paragraph, nothing.
            let mut scorer = weight.scorer(reader, 1.0).unwrap();
            assert_eq!(scorer.seek(reader.max_doc() + 100_000), TERMINATED);
        }
        // Runs of one paragraph and of several, and counts of one and two; in the third law a
        // chapter's heading kept by a section's run under it and by the run after the section.
        let wanted = match literal {
            "修复" => 9 + 20,
            _ => 2,
        };
        assert_eq!(under, wanted, "{literal}");
        // What BM25 averages by: the sum over paragraphs, over batches of several bits.
        assert_eq!(
            heading_tokens as u64,
            context_sum(searcher, fields.context_total).unwrap()
        );
    }
}

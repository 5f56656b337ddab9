//! QUERY: a parsed query -> ranked, verified hits (data only; printing is `print`'s).
//!
//! Recall comes from the character view alone: each literal becomes a phrase of character bigrams
//! at fixed offsets, which matches exactly where the folded literal occurs, however jieba cut the
//! words. The word view only ranks (a paragraph where a literal is a whole jieba word gets
//! [`WORD_BONUS`], so 台山 as a word ranks above 台山 inside 云台山) and, with `--words`, decides.
//! Filters on citation fields scan those fields' term dictionaries, which hold few distinct values.
//! Every hit is checked against its stored text; where the index cannot decide alone (NEAR,
//! `--exact-script`) every candidate is. Nothing here tokenizes with jieba: the search path never
//! loads its dictionary.

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use serde::Serialize;
use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, EnableScoring, Occur,
    PhraseQuery, Query, Scorer, TermQuery, TermSetQuery,
};
use tantivy::schema::document::{DeserializeError, DocumentDeserialize, DocumentDeserializer};
use tantivy::schema::{Field as SchemaField, IndexRecordOption, OwnedValue};
use tantivy::{BitSet, DocAddress, DocId, DocSet, Searcher, SegmentReader, TERMINATED, Term};

use crate::Error;
use crate::analysis::{Folded, Haystack, Script, fold, fold_with, literal_grams};
use crate::char_query::CharQuery;
use crate::context_query::{ContextQuery, K1, phrase_starts};
use crate::index;
use crate::query::{self, Expr, Field, Filter};
use crate::schema::{self, Citation, Fields};

/// Added to the score of a paragraph for each literal that is a whole word of it. Larger than any
/// BM25 score of a phrase, so whole-word matches rank first.
pub const WORD_BONUS: f32 = 1000.0;
/// Weight of a literal found in the paragraph's document title or section headings, relative to
/// its BM25 score in the paragraph: a paragraph under 「（一）…云台山…」 ranks above a passing mention.
pub const CONTEXT_BOOST: f32 = 2.0;

/// Order of the hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    Oldest,
    Newest,
}

/// What `gazette search` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct SearchConfig {
    pub index_dir: PathBuf,
    pub query: String,
    /// Filters from flags (`--gazette`, `--from`, …), joined to the query by AND.
    pub filters: Vec<Filter>,
    /// How many hits to return; `None` for every hit.
    pub limit: Option<usize>,
    /// A literal matches only a paragraph where it is a whole jieba word.
    pub words: bool,
    pub script: Script,
    pub sort: Sort,
    /// Rank by BM25 on the character view alone, without the word and context signals (for
    /// measuring what those signals add).
    pub plain_bm25: bool,
}

/// One matching paragraph, with its citation.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Where its document comes from, shared by the hits of one document.
    pub citation: Arc<Citation>,
    pub section: Vec<String>,
    pub paragraph: u64,
    pub score: f32,
    pub word_match: bool,
    pub text: String,
    /// UTF-8 byte ranges of `text`, one per occurrence of each literal, in text order.
    pub matches: Vec<(usize, usize)>,
    /// A reference in GB/T 7714 style, when asked for (`--cite`).
    pub reference: Option<String>,
}

/// A hit as JSON: its citation's fields first, each present (`null` when unknown).
#[derive(Serialize)]
struct HitJson<'a> {
    path: &'a str,
    gazette: &'a Option<String>,
    issue: &'a Option<String>,
    date: &'a Option<String>,
    region: &'a Option<String>,
    document: &'a str,
    section: &'a [String],
    /// Page of the issue where the document starts.
    page: Option<u64>,
    paragraph: u64,
    score: f32,
    word_match: bool,
    text: &'a str,
    matches: &'a [(usize, usize)],
    /// Manifest columns other than the known ones.
    attributes: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: &'a Option<String>,
}

impl Serialize for Hit {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let citation = &*self.citation;
        HitJson {
            path: &citation.path,
            gazette: &citation.gazette,
            issue: &citation.issue,
            date: &citation.date,
            region: &citation.region,
            document: &citation.document,
            section: &self.section,
            page: citation.page,
            paragraph: self.paragraph,
            score: self.score,
            word_match: self.word_match,
            text: &self.text,
            matches: &self.matches,
            attributes: &citation.attributes,
            reference: &self.reference,
        }
        .serialize(serializer)
    }
}

#[derive(Debug, Default)]
pub struct SearchResult {
    pub hits: Vec<Hit>,
    /// Paragraphs that match, of which `hits` holds the best.
    pub total: usize,
}

/// The number of matching paragraphs and of occurrences of the query's literals in them.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub paragraphs: usize,
    pub occurrences: usize,
}

/// A query made ready to run: the expression with the flags' filters joined to it.
struct Prepared {
    expr: Expr,
    words: bool,
    script: Script,
}

impl Prepared {
    fn new(config: &SearchConfig) -> Result<Prepared, Error> {
        let mut expr = query::parse(&config.query)?;
        if !config.filters.is_empty() {
            let mut all = vec![expr];
            all.extend(config.filters.iter().cloned().map(Expr::Filter));
            expr = Expr::And(all);
        }
        Ok(Prepared {
            expr,
            words: config.words,
            script: config.script,
        })
    }

    /// The index alone decides which paragraphs match, without reading their text.
    fn index_decides(&self) -> bool {
        exact_in_index(&self.expr, self.script)
    }
}

/// What a searcher needs to turn an expression into tantivy queries.
struct Context<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
    words: bool,
    plain_bm25: bool,
    /// Only whole-word matches, scored as usual: see [`Run::word_first`].
    word_first: bool,
    script: Script,
}

/// A phrase of terms at their offsets, or the one term.
fn phrase(mut terms: Vec<(usize, Term)>) -> Box<dyn Query> {
    if terms.len() == 1 {
        Box::new(TermQuery::new(
            terms.remove(0).1,
            IndexRecordOption::WithFreqs,
        ))
    } else {
        Box::new(PhraseQuery::new_with_offset(terms))
    }
}

/// The character-view query that finds a folded literal: a phrase of its bigrams, or for a run of
/// one character the grams that character starts ([`CharQuery`]). A one-character run beside
/// others (`a bc`) is only required to be there, since that query places no character;
/// [`exact_in_index`] tells such literals apart.
fn grams_query(fields: &Fields, folded: &Folded) -> Box<dyn Query> {
    let mut bigrams = Vec::new();
    let mut parts: Vec<Box<dyn Query>> = Vec::new();
    for (offset, gram) in literal_grams(&folded.chars) {
        if let Some(c) = lone_char(&gram) {
            parts.push(Box::new(CharQuery::new(fields.grams, c)));
        } else {
            bigrams.push((offset, Term::from_field_text(fields.grams, &gram)));
        }
    }
    if !bigrams.is_empty() {
        parts.push(phrase(bigrams));
    }
    if parts.len() == 1 {
        return parts.remove(0);
    }
    Box::new(BooleanQuery::new(
        parts.into_iter().map(|q| (Occur::Must, q)).collect(),
    ))
}

/// The character of a gram of one character: a literal's run of one character.
fn lone_char(gram: &str) -> Option<char> {
    let mut chars = gram.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// True when [`grams_query`] finds exactly the paragraphs holding the literal, false when it may
/// find more (a one-character run beside others).
fn literal_exact_in_index(literal: &str) -> bool {
    let grams = literal_grams(&fold(literal).chars);
    grams.len() == 1 || grams.iter().all(|(_, gram)| gram.chars().count() == 2)
}

/// True when the index query of `expr` finds exactly its paragraphs. Where it may find more, the
/// text decides; under a NOT such a query must not exclude anything.
fn exact_in_index(expr: &Expr, script: Script) -> bool {
    match expr {
        Expr::Literal(literal) => script == Script::Fold && literal_exact_in_index(literal),
        Expr::Near { .. } => false,
        Expr::Filter(_) => true,
        Expr::Not(inner) => exact_in_index(inner, script),
        Expr::And(items) | Expr::Or(items) => items.iter().all(|x| exact_in_index(x, script)),
    }
}

/// True when no paragraph where `literal` is not a whole word can score as much as
/// [`WORD_BONUS`]: then the best hits are whole-word matches whenever there are enough of them.
/// A BM25 score is below idf × (k1 + 1) for each term, and an idf below ln(1 + (N + 0.5) / 0.5);
/// the literal's grams and its context (boosted) are each scored so.
fn below_word_bonus(searcher: &Searcher, literal: &str) -> bool {
    let documents: u64 = searcher
        .segment_readers()
        .iter()
        .map(|segment| u64::from(segment.max_doc()))
        .sum();
    let idf = (1.0 + (documents as f32 + 0.5) / 0.5).ln();
    let terms = literal_grams(&fold(literal).chars).len() as f32;
    (1.0 + CONTEXT_BOOST) * terms * idf * (1.0 + K1) < WORD_BONUS
}

/// True when a literal's whole-word matches are at most half of the paragraphs holding its
/// rarest gram, which bound its matches: then ranking them apart saves scoring the rest. Where
/// nearly every match is a whole word (发展), it would only add a pass.
fn few_whole_words(searcher: &Searcher, fields: &Fields, literal: &str) -> Result<bool, Error> {
    let folded = fold(literal);
    if folded.len() == 1 {
        // Its grams' postings are read whole whichever paragraphs are scored.
        return Ok(false);
    }
    let word = Term::from_field_text(fields.words, &folded.as_string());
    let mut matches = u64::MAX;
    for (_, gram) in literal_grams(&folded.chars) {
        let paragraphs = match lone_char(&gram) {
            Some(c) => CharQuery::new(fields.grams, c).doc_freq_bound(searcher)?,
            None => searcher.doc_freq(&Term::from_field_text(fields.grams, &gram))?,
        };
        matches = matches.min(paragraphs);
    }
    Ok(searcher.doc_freq(&word)?.saturating_mul(2) <= matches)
}

fn literal_query(ctx: &Context, literal: &str) -> Box<dyn Query> {
    let folded = fold(literal);
    let grams = grams_query(ctx.fields, &folded);
    let word = TermQuery::new(
        Term::from_field_text(ctx.fields.words, &folded.as_string()),
        IndexRecordOption::Basic,
    );
    // Each optional signal is joined on its own, (grams + word) + context, rather than as one
    // union of both: a union walks every posting of a common context term (政府 heads
    // hundreds of thousands of paragraphs), a single optional term only seeks the matches.
    let mut query = grams;
    if ctx.words || ctx.word_first {
        let bonus = if ctx.words { 0.0 } else { WORD_BONUS };
        let word: Box<dyn Query> = Box::new(ConstScoreQuery::new(Box::new(word), bonus));
        query = Box::new(BooleanQuery::new(vec![
            (Occur::Must, query),
            (Occur::Must, word),
        ]));
    } else if !ctx.plain_bm25 {
        let word: Box<dyn Query> = Box::new(ConstScoreQuery::new(Box::new(word), WORD_BONUS));
        query = Box::new(BooleanQuery::new(vec![
            (Occur::Must, query),
            (Occur::Should, word),
        ]));
    }
    if ctx.plain_bm25 {
        return query;
    }
    let bigrams = literal_grams(&folded.chars)
        .into_iter()
        .filter(|(_, gram)| gram.chars().count() == 2)
        .map(|(offset, gram)| (offset as u32, gram))
        .collect();
    if let Some(context) = ContextQuery::new(bigrams, *ctx.fields) {
        let context: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(context), CONTEXT_BOOST));
        query = Box::new(BooleanQuery::new(vec![
            (Occur::Must, query),
            (Occur::Should, context),
        ]));
    }
    query
}

/// The values of a citation field that a filter accepts, from the field's term dictionaries.
fn matching_terms(
    ctx: &Context,
    field: SchemaField,
    accept: impl Fn(&str) -> bool,
) -> Result<Vec<Term>, Error> {
    let mut values = BTreeSet::new();
    for segment in ctx.searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            if let Ok(value) = std::str::from_utf8(stream.key())
                && !values.contains(value)
                && accept(value)
            {
                values.insert(value.to_string());
            }
        }
    }
    Ok(values
        .into_iter()
        .map(|v| Term::from_field_text(field, &v))
        .collect())
}

/// True when `value` contains `wanted`, both folded.
fn folded_contains(value: &str, wanted: &str) -> bool {
    fold(value).as_string().contains(&fold(wanted).as_string())
}

fn filter_accepts(filter: &Filter, value: &str) -> bool {
    match filter {
        Filter::Contains { value: wanted, .. } => folded_contains(value, wanted),
        Filter::Date { from, to } => query::date_within(value, from.as_deref(), to.as_deref()),
        Filter::Attribute {
            name,
            value: wanted,
        } => value
            .strip_prefix(name.as_str())
            .and_then(|rest| rest.strip_prefix('='))
            .is_some_and(|v| folded_contains(v, wanted)),
    }
}

fn filter_field(fields: &Fields, filter: &Filter) -> SchemaField {
    match filter {
        Filter::Contains { field, .. } => match field {
            Field::Gazette => fields.gazette,
            Field::Region => fields.region,
            Field::Document => fields.document,
        },
        Filter::Date { .. } => fields.date,
        Filter::Attribute { .. } => fields.attribute_terms,
    }
}

fn filter_query(ctx: &Context, filter: &Filter) -> Result<Box<dyn Query>, Error> {
    let field = filter_field(ctx.fields, filter);
    let terms = matching_terms(ctx, field, |value| filter_accepts(filter, value))?;
    if terms.is_empty() {
        return Ok(Box::new(EmptyQuery));
    }
    Ok(Box::new(ConstScoreQuery::new(
        Box::new(TermSetQuery::new(terms)),
        0.0,
    )))
}

fn not(inner: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(vec![
        (
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0)),
        ),
        (Occur::MustNot, inner),
    ]))
}

fn match_all() -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0))
}

/// The tantivy query for an expression. It finds every matching paragraph, and only those where
/// [`exact_in_index`] says so; NEAR asks only for both literals. A NOT over a query that may find
/// more than its paragraphs excludes nothing, and the text decides.
fn to_query(ctx: &Context, expr: &Expr) -> Result<Box<dyn Query>, Error> {
    Ok(match expr {
        Expr::Literal(literal) => literal_query(ctx, literal),
        Expr::Near { left, right, .. } => Box::new(BooleanQuery::new(vec![
            (Occur::Must, literal_query(ctx, left)),
            (Occur::Must, literal_query(ctx, right)),
        ])),
        Expr::Filter(filter) => filter_query(ctx, filter)?,
        Expr::Not(inner) if exact_in_index(inner, ctx.script) => not(to_query(ctx, inner)?),
        Expr::Not(_) => match_all(),
        Expr::And(items) => {
            let mut clauses = Vec::new();
            for item in items {
                match item {
                    Expr::Not(inner) if exact_in_index(inner, ctx.script) => {
                        clauses.push((Occur::MustNot, to_query(ctx, inner)?))
                    }
                    Expr::Not(_) => {}
                    _ => clauses.push((Occur::Must, to_query(ctx, item)?)),
                }
            }
            if clauses.iter().all(|(occur, _)| *occur == Occur::MustNot) {
                clauses.push((Occur::Must, match_all()));
            }
            Box::new(BooleanQuery::new(clauses))
        }
        Expr::Or(items) => {
            let clauses = items
                .iter()
                .map(|item| Ok((Occur::Should, to_query(ctx, item)?)))
                .collect::<Result<Vec<_>, Error>>()?;
            Box::new(BooleanQuery::new(clauses))
        }
    })
}

/// A stored paragraph, read for checking and showing.
struct Paragraph {
    /// Its document's citation, read from the document's head when it is needed: for a filter
    /// checked on the text, and for a paragraph that is shown.
    citation: Option<Arc<Citation>>,
    /// The number its document's head also stores.
    record: Option<u64>,
    /// The heading path as stored, a JSON array.
    section: String,
    /// Ordinal within the document, from 1.
    number: u64,
    /// Ordinal within the file, from 0.
    ordinal: u64,
    text: String,
    /// How the text is searched without folding it, where it can be; otherwise it is folded when
    /// first searched.
    haystack: Haystack,
    folded: OnceCell<Folded>,
}

impl Paragraph {
    fn new(mut stored: Stored, fields: &Fields) -> Paragraph {
        let text = stored.take_str(fields.text).unwrap_or_default();
        Paragraph {
            citation: None,
            record: stored.u64(fields.record),
            section: stored.take_str(fields.section).unwrap_or_default(),
            number: stored.u64(fields.paragraph).unwrap_or(0),
            ordinal: stored.u64(fields.ordinal).unwrap_or(0),
            haystack: Haystack::of(&text),
            text,
            folded: OnceCell::new(),
        }
    }

    /// Byte spans of the occurrences of a folded literal.
    fn find(&self, literal: &Folded) -> Vec<(usize, usize)> {
        self.haystack.find(&self.text, literal).unwrap_or_else(|| {
            self.folded
                .get_or_init(|| fold(&self.text))
                .find_all(&literal.chars)
        })
    }
}

/// Whether a literal is a whole jieba word of a paragraph, from the word view's postings. The
/// first few questions seek the postings for one paragraph each (a top-10 search asks ten);
/// after that a literal's postings are read once into a set per segment, which is cheaper for
/// thousands and which threads then share without a lock.
struct WholeWords {
    searcher: Searcher,
    /// Each literal's term in the word view, and its paragraphs once read: a set per segment.
    terms: HashMap<String, (Term, OnceLock<Vec<BitSet>>)>,
    asked: AtomicUsize,
}

/// Questions answered by seeking before a literal's postings are read whole.
const SEEKS_BEFORE_READING: usize = 256;

impl WholeWords {
    fn new(searcher: &Searcher, fields: &Fields, literals: &[&str]) -> WholeWords {
        let terms = literals
            .iter()
            .map(|&literal| {
                let term = Term::from_field_text(fields.words, &fold(literal).as_string());
                (literal.to_string(), (term, OnceLock::new()))
            })
            .collect();
        WholeWords {
            searcher: searcher.clone(),
            terms,
            asked: AtomicUsize::new(0),
        }
    }

    fn postings(
        &self,
        term: &Term,
        segment_ord: u32,
    ) -> Option<tantivy::postings::SegmentPostings> {
        let segment = self.searcher.segment_reader(segment_ord);
        let inverted = segment.inverted_index(term.field()).ok()?;
        inverted
            .read_postings(term, IndexRecordOption::Basic)
            .ok()?
    }

    fn read_all(&self, term: &Term) -> Vec<BitSet> {
        let segments = self.searcher.segment_readers();
        (0..segments.len() as u32)
            .map(|segment_ord| {
                let mut docs = BitSet::with_max_value(segments[segment_ord as usize].max_doc());
                if let Some(mut postings) = self.postings(term, segment_ord) {
                    let mut doc = postings.doc();
                    while doc != TERMINATED {
                        docs.insert(doc);
                        doc = postings.advance();
                    }
                }
                docs
            })
            .collect()
    }

    fn contains(&self, literal: &str, address: DocAddress) -> bool {
        let Some((term, read)) = self.terms.get(literal) else {
            return false;
        };
        let sets = match read.get() {
            Some(sets) => Some(sets),
            None if self.asked.fetch_add(1, Ordering::Relaxed) >= SEEKS_BEFORE_READING => {
                Some(read.get_or_init(|| self.read_all(term)))
            }
            None => None,
        };
        if let Some(sets) = sets {
            return sets[address.segment_ord as usize].contains(address.doc_id);
        }
        let Some(mut postings) = self.postings(term, address.segment_ord) else {
            return false;
        };
        if postings.doc() < address.doc_id {
            postings.seek(address.doc_id);
        }
        postings.doc() == address.doc_id
    }

    fn any(&self, address: DocAddress) -> bool {
        self.terms
            .keys()
            .any(|literal| self.contains(literal, address))
    }
}

/// Decides an expression on a paragraph's text and citation. `Some(spans)` when it matches, with
/// the byte spans of the literals that made it match.
fn evaluate(
    expr: &Expr,
    paragraph: &Paragraph,
    prepared: &Prepared,
    whole_words: &WholeWords,
    address: DocAddress,
) -> Option<Vec<(usize, usize)>> {
    let occurrences = |literal: &str| -> Vec<(usize, usize)> {
        if prepared.words && !whole_words.contains(literal, address) {
            return Vec::new();
        }
        match prepared.script {
            Script::Fold => paragraph.find(&fold(literal)),
            Script::Exact => fold_with(&paragraph.text, Script::Exact)
                .find_all(&fold_with(literal, Script::Exact).chars),
        }
    };
    let recurse = |e: &Expr| evaluate(e, paragraph, prepared, whole_words, address);
    match expr {
        Expr::Literal(literal) => {
            let found = occurrences(literal);
            (!found.is_empty()).then_some(found)
        }
        Expr::Near {
            left,
            right,
            distance,
        } => near(
            &paragraph.text,
            &occurrences(left),
            &occurrences(right),
            *distance,
        ),
        Expr::Filter(Filter::Attribute { name, value }) => {
            let accepted = paragraph
                .citation
                .as_ref()
                .and_then(|citation| citation.attributes.get(name))
                .is_some_and(|v| folded_contains(v, value));
            accepted.then(Vec::new)
        }
        Expr::Filter(filter) => {
            // Read before the check whenever the expression has a filter (`Run::filters`).
            let citation = paragraph.citation.as_deref()?;
            let value = match filter {
                Filter::Contains { field, .. } => match field {
                    Field::Gazette => citation.gazette.as_deref(),
                    Field::Region => citation.region.as_deref(),
                    Field::Document => Some(citation.document.as_str()),
                },
                Filter::Date { .. } => citation.date.as_deref(),
                Filter::Attribute { .. } => None,
            };
            value
                .is_some_and(|value| filter_accepts(filter, value))
                .then(Vec::new)
        }
        Expr::Not(inner) => match recurse(inner) {
            Some(_) => None,
            None => Some(Vec::new()),
        },
        Expr::And(items) => {
            let mut spans = Vec::new();
            for item in items {
                spans.extend(recurse(item)?);
            }
            Some(spans)
        }
        Expr::Or(items) => {
            let mut spans = None;
            for item in items {
                if let Some(found) = recurse(item) {
                    spans.get_or_insert_with(Vec::new).extend(found);
                }
            }
            spans
        }
    }
}

/// The occurrences of two literals that stand at most `distance` characters apart (counting the
/// characters between the end of one and the start of the other), in either order.
fn near(
    text: &str,
    left: &[(usize, usize)],
    right: &[(usize, usize)],
    distance: usize,
) -> Option<Vec<(usize, usize)>> {
    let chars_between = |a: (usize, usize), b: (usize, usize)| {
        let (first, second) = if a.0 <= b.0 { (a, b) } else { (b, a) };
        if second.0 <= first.1 {
            0
        } else {
            text[first.1..second.0].chars().count()
        }
    };
    let mut spans = BTreeSet::new();
    for &l in left {
        for &r in right {
            if chars_between(l, r) <= distance {
                spans.insert(l);
                spans.insert(r);
            }
        }
    }
    (!spans.is_empty()).then(|| spans.into_iter().collect())
}

/// The citations of the documents read so far, with their record numbers, by the address of
/// their head paragraph.
#[derive(Default)]
struct Heads(HashMap<DocAddress, (Option<u64>, Arc<Citation>)>);

impl Heads {
    /// Gives `paragraph`, read from `address`, its document's citation: from the document's head,
    /// `paragraph - 1` documents before it (see `crate::schema`).
    fn cite(
        &mut self,
        searcher: &Searcher,
        fields: &Fields,
        address: DocAddress,
        paragraph: &mut Paragraph,
    ) -> Result<(), Error> {
        if paragraph.citation.is_some() {
            return Ok(());
        }
        let head = paragraph
            .number
            .checked_sub(1)
            .and_then(|back| u32::try_from(back).ok())
            .and_then(|back| address.doc_id.checked_sub(back))
            .map(|doc_id| DocAddress::new(address.segment_ord, doc_id));
        let Some(head) = head else {
            return Err(inconsistent(
                address,
                "its document's first paragraph is not in its segment",
            ));
        };
        let (record, citation) = match self.0.get(&head) {
            Some(read) => read.clone(),
            None => {
                let mut head_doc: Stored = searcher.doc(head)?;
                let citation: Citation = head_doc
                    .take_str(fields.citation)
                    .and_then(|json| serde_json::from_str(&json).ok())
                    .ok_or_else(|| inconsistent(address, "its document's citation is missing"))?;
                let read = (head_doc.u64(fields.record), Arc::new(citation));
                self.0.insert(head, read.clone());
                read
            }
        };
        if record != paragraph.record {
            return Err(inconsistent(
                address,
                "its document's first paragraph is not where it should be",
            ));
        }
        paragraph.citation = Some(citation);
        Ok(())
    }
}

fn inconsistent(address: DocAddress, reason: &str) -> Error {
    Error::Inconsistent(format!(
        "paragraph {} of segment {}: {reason}",
        address.doc_id, address.segment_ord
    ))
}

/// The paragraph at `address`, without its citation.
fn read_paragraph(
    searcher: &Searcher,
    fields: &Fields,
    address: DocAddress,
) -> Result<Paragraph, Error> {
    Ok(Paragraph::new(searcher.doc(address)?, fields))
}

/// The paragraph at `address`, if its text confirms it; with its citation when `cite` (every
/// paragraph confirmed will be shown) or when a filter needs it.
fn read_checked(
    run: &Run,
    (score, address): (f32, DocAddress),
    cite: bool,
    heads: &mut Heads,
) -> Result<Option<Checked>, Error> {
    let mut paragraph = run.read(address, heads)?;
    let Some(spans) = run.check(&paragraph, address) else {
        return Ok(None);
    };
    if cite {
        heads.cite(&run.searcher, &run.fields, address, &mut paragraph)?;
    }
    Ok(Some(Checked {
        score,
        address,
        paragraph,
        spans,
    }))
}

/// The postings of a literal's grams, to count its occurrences in a paragraph: the frequency of
/// its one term, or the positions where all its bigrams stand at their offsets.
struct LiteralPostings {
    terms: Vec<(u32, Term)>,
    /// The offset of each term in the literal.
    offsets: Vec<u32>,
    option: IndexRecordOption,
    first: Vec<u32>,
    other: Vec<u32>,
}

impl LiteralPostings {
    /// `None` for a literal of one character, or with a lone character beside others, which the
    /// index cannot place.
    fn new(fields: &Fields, folded: &Folded) -> Option<LiteralPostings> {
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
    fn with_positions(fields: &Fields, folded: &Folded) -> Option<LiteralPostings> {
        let mut postings = LiteralPostings::new(fields, folded)?;
        postings.option = IndexRecordOption::WithFreqsAndPositions;
        Some(postings)
    }

    /// The postings of the literal's terms in `segment`; none when a term is not there.
    fn open(&self, segment: &SegmentReader) -> Result<Vec<SegmentPostings>, Error> {
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
    fn count(&mut self, postings: &mut [SegmentPostings], doc: DocId) -> usize {
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
    fn starts(&mut self, postings: &mut [SegmentPostings], doc: DocId) -> &[u32] {
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
fn on(postings: &mut SegmentPostings, doc: DocId) -> bool {
    if postings.doc() < doc {
        postings.seek(doc);
    }
    postings.doc() == doc
}

/// A NEAR alone or with filters, decided on positions before any text is read. Folding only
/// removes characters (white space between CJK characters, zero-width ones) or converts one for
/// one, so two occurrences are never farther apart in the folded text than in the text: a
/// candidate whose occurrences all stand farther apart there cannot match and is not read.
///
/// Two occurrences stand at most as many characters farther apart in the text as folding dropped
/// from the paragraph ([`crate::schema::DROPPED`]; none in most paragraphs). So positions decide
/// alone, occurrences included, when every pair of occurrences is close enough even with those
/// characters or too far without them, and each literal is one run of characters that cannot
/// overlap itself (the text is read for leftmost occurrences that do not overlap; the postings
/// give them all).
struct NearPositions {
    left: LiteralPostings,
    right: LiteralPostings,
    lengths: (u32, u32),
    distance: u32,
    /// Whether positions can decide, given the characters dropped.
    decides: bool,
}

/// A candidate of a NEAR that positions did not rule out.
struct Close {
    score: f32,
    address: DocAddress,
    /// Where positions decide alone: the occurrences that stand close enough, as the text check
    /// counts them.
    decided: Option<usize>,
}

impl NearPositions {
    fn of(run: &Run) -> Option<NearPositions> {
        let near = match &run.prepared.expr {
            near @ Expr::Near { .. } => near,
            Expr::And(items) => {
                let mut nears = items.iter().filter(|x| !matches!(x, Expr::Filter(_)));
                match (nears.next(), nears.next()) {
                    (Some(near @ Expr::Near { .. }), None) => near,
                    _ => return None,
                }
            }
            _ => return None,
        };
        let Expr::Near {
            left,
            right,
            distance,
        } = near
        else {
            return None;
        };
        if run.prepared.script != Script::Fold || run.prepared.words {
            return None;
        }
        let (left, right) = (fold(left), fold(right));
        let one_run =
            |literal: &Folded| !literal.chars.contains(&' ') && !self_overlapping(&literal.chars);
        Some(NearPositions {
            lengths: (left.len() as u32, right.len() as u32),
            left: LiteralPostings::with_positions(&run.fields, &left)?,
            right: LiteralPostings::with_positions(&run.fields, &right)?,
            distance: u32::try_from(*distance).unwrap_or(u32::MAX),
            // The index decides the filters beside it (see `exact_in_index`).
            decides: one_run(&left) && one_run(&right),
        })
    }

    /// The candidates that may match, in their order.
    fn keep(
        &mut self,
        searcher: &Searcher,
        candidates: Vec<(f32, DocAddress)>,
    ) -> Result<Vec<Close>, Error> {
        let mut addresses: Vec<DocAddress> = candidates.iter().map(|c| c.1).collect();
        addresses.sort_unstable();
        let mut close = HashMap::new();
        let mut segment = None;
        let (mut left, mut right, mut dropped) = (Vec::new(), Vec::new(), None);
        let (left_len, right_len) = self.lengths;
        let distance = self.distance;
        let mut spans = Vec::new();
        for address in addresses {
            if segment != Some(address.segment_ord) {
                let reader = searcher.segment_reader(address.segment_ord);
                left = self.left.open(reader)?;
                right = self.right.open(reader)?;
                // No column: no paragraph of the segment dropped a character.
                dropped = reader.fast_fields().column_opt::<u64>(schema::DROPPED)?;
                segment = Some(address.segment_ord);
            }
            let slack = dropped
                .as_ref()
                .and_then(|column| column.first(address.doc_id))
                .unwrap_or(0);
            let ls = self.left.starts(&mut left, address.doc_id).to_vec();
            let rs = self.right.starts(&mut right, address.doc_id);
            spans.clear();
            let mut unsure = false;
            for &l in &ls {
                for &r in rs {
                    let gap = if l <= r {
                        r.saturating_sub(l + left_len)
                    } else {
                        l.saturating_sub(r + right_len)
                    };
                    if gap <= distance {
                        spans.push((l, l + left_len));
                        spans.push((r, r + right_len));
                        unsure |= u64::from(gap) + slack > u64::from(distance);
                    }
                }
            }
            if spans.is_empty() {
                continue;
            }
            let decided = (self.decides && !unsure).then(|| {
                spans.sort_unstable();
                spans.dedup();
                spans.len()
            });
            close.insert(address, decided);
        }
        Ok(candidates
            .into_iter()
            .filter_map(|(score, address)| {
                let decided = *close.get(&address)?;
                Some(Close {
                    score,
                    address,
                    decided,
                })
            })
            .collect())
    }
}

/// Reads and checks the paragraphs of `candidates` in the order of the store, each compressed
/// block once, and gives them back in the order of `candidates`, `None` for those their text
/// rejects. Many are read on several threads, each taking a run of the store, so that no block is
/// decompressed by two of them.
fn read_in_store_order(
    run: &Run,
    candidates: &[(f32, DocAddress)],
    cite: bool,
) -> Result<Vec<Option<Checked>>, Error> {
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_unstable_by_key(|&i| candidates[i].1);
    let read = in_parallel(order, |chunk| {
        let mut heads = Heads::default();
        chunk
            .into_iter()
            .map(|i| Ok((i, read_checked(run, candidates[i], cite, &mut heads)?)))
            .collect()
    })?;
    let mut slots: Vec<Option<Checked>> = Vec::new();
    slots.resize_with(candidates.len(), || None);
    for (i, checked) in read {
        slots[i] = checked;
    }
    Ok(slots)
}

/// Everything a run shares.
struct Run {
    prepared: Prepared,
    searcher: Searcher,
    fields: Fields,
    query: Box<dyn Query>,
    /// For a query of one literal ranked by relevance: its whole-word matches alone, which hold
    /// the best hits when there are enough of them (see [`below_word_bonus`]).
    word_first: Option<WordFirst>,
    whole_words: WholeWords,
    /// Whether the expression has a filter, which the text check reads from the citation.
    filters: bool,
}

/// A literal's whole-word matches, ranked as [`Run::query`] ranks them, and its matches, to count.
struct WordFirst {
    ranked: Box<dyn Query>,
    /// Every match, unscored: the character view's query alone, cheaper to count than the
    /// ranked query with its optional signals.
    matches: Box<dyn Query>,
}

/// An open index, ready for any number of searches.
#[derive(Clone)]
pub struct Engine {
    searcher: Searcher,
    fields: Fields,
}

impl Engine {
    /// Opens the index in `dir` for searching.
    pub fn open(dir: &std::path::Path) -> Result<Engine, Error> {
        // The index is opened without a lock (see `crate::reading`): a writer committing at the
        // same moment may remove the files of segments it merged after their list was read.
        // Reading the list again then finds the new segments.
        let mut attempts = 0;
        loop {
            let (index, fields) = index::open(dir)?;
            // A search reads the index as it is when opened: no thread watching it for commits.
            let opened: tantivy::Result<tantivy::IndexReader> = index
                .reader_builder()
                .reload_policy(tantivy::ReloadPolicy::Manual)
                .try_into();
            match opened {
                Ok(reader) => {
                    let searcher = reader.searcher();
                    return Ok(Engine { searcher, fields });
                }
                Err(tantivy::TantivyError::OpenReadError(
                    tantivy::directory::error::OpenReadError::FileDoesNotExist(_),
                )) if attempts < 10 => attempts += 1,
                Err(err) => return Err(err.into()),
            }
        }
    }

    /// Runs a search; `config.index_dir` is not read again.
    pub fn search(&self, config: &SearchConfig) -> Result<SearchResult, Error> {
        search_with(&Run::new(self, config)?, config)
    }

    /// Counts matching paragraphs and occurrences; `config.index_dir` is not read again.
    pub fn count(&self, config: &SearchConfig) -> Result<Counts, Error> {
        let mut counts = Counts::default();
        each_match(&Run::new(self, config)?, &mut |_, occurrences| {
            counts.paragraphs += 1;
            counts.occurrences += occurrences;
        })?;
        Ok(counts)
    }

    /// Calls `f` with each matching paragraph and the number of occurrences of the query's
    /// literals in it, in no particular order.
    pub fn each_match(
        &self,
        config: &SearchConfig,
        f: &mut dyn FnMut(DocAddress, usize),
    ) -> Result<(), Error> {
        each_match(&Run::new(self, config)?, f)
    }

    /// Calls `f` with each paragraph within the query's scope: the filters that the query and the
    /// flags put on every match (`region:河南`, `--from 2020`); every paragraph when there are
    /// none. These are the paragraphs a share of matches is taken of.
    pub fn each_in_scope(
        &self,
        config: &SearchConfig,
        f: &mut dyn FnMut(DocAddress),
    ) -> Result<(), Error> {
        let prepared = Prepared::new(config)?;
        let mut filters = Vec::new();
        scope_filters(&prepared.expr, &mut filters);
        let ctx = Context {
            searcher: &self.searcher,
            fields: &self.fields,
            words: false,
            plain_bm25: true,
            word_first: false,
            script: prepared.script,
        };
        let query = if filters.is_empty() {
            match_all()
        } else {
            to_query(&ctx, &Expr::And(filters))?
        };
        let weight = query.weight(EnableScoring::disabled_from_searcher(&self.searcher))?;
        for (ord, segment) in self.searcher.segment_readers().iter().enumerate() {
            each_alive(weight.scorer(segment, 1.0)?, segment, |doc| {
                f(DocAddress::new(ord as u32, doc));
            });
        }
        Ok(())
    }

    pub fn searcher(&self) -> &Searcher {
        &self.searcher
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }
}

/// Whether an expression has a filter anywhere in it.
fn has_filter(expr: &Expr) -> bool {
    match expr {
        Expr::Filter(_) => true,
        Expr::Literal(_) | Expr::Near { .. } => false,
        Expr::Not(inner) => has_filter(inner),
        Expr::And(items) | Expr::Or(items) => items.iter().any(has_filter),
    }
}

/// The filters that an expression puts on every match: its own when it is one, those of the
/// items of an AND.
fn scope_filters(expr: &Expr, out: &mut Vec<Expr>) {
    match expr {
        Expr::Filter(_) => out.push(expr.clone()),
        Expr::And(items) => items.iter().for_each(|item| scope_filters(item, out)),
        _ => {}
    }
}

impl Run {
    fn new(engine: &Engine, config: &SearchConfig) -> Result<Run, Error> {
        let prepared = Prepared::new(config)?;
        let searcher = engine.searcher.clone();
        let fields = engine.fields;
        let ctx = Context {
            searcher: &searcher,
            fields: &fields,
            words: prepared.words,
            plain_bm25: config.plain_bm25,
            word_first: false,
            script: prepared.script,
        };
        let query = to_query(&ctx, &prepared.expr)?;
        let word_first = match &prepared.expr {
            Expr::Literal(literal)
                if config.sort == Sort::Relevance
                    && config.limit.is_some()
                    && !prepared.words
                    && !config.plain_bm25
                    && literal_exact_in_index(literal)
                    && below_word_bonus(&searcher, literal)
                    && few_whole_words(&searcher, &fields, literal)? =>
            {
                let ctx = Context {
                    word_first: true,
                    ..ctx
                };
                Some(WordFirst {
                    ranked: literal_query(&ctx, literal),
                    matches: grams_query(&fields, &fold(literal)),
                })
            }
            _ => None,
        };
        let literals: Vec<String> = prepared
            .expr
            .positive_literals()
            .into_iter()
            .map(str::to_string)
            .collect();
        let literal_refs: Vec<&str> = literals.iter().map(String::as_str).collect();
        let whole_words = WholeWords::new(&searcher, &fields, &literal_refs);
        Ok(Run {
            filters: has_filter(&prepared.expr),
            prepared,
            searcher,
            fields,
            query,
            word_first,
            whole_words,
        })
    }

    /// The paragraph at `address`, ready for [`Run::check`]: with its citation when the
    /// expression has a filter.
    fn read(&self, address: DocAddress, heads: &mut Heads) -> Result<Paragraph, Error> {
        let mut paragraph = read_paragraph(&self.searcher, &self.fields, address)?;
        if self.filters {
            heads.cite(&self.searcher, &self.fields, address, &mut paragraph)?;
        }
        Ok(paragraph)
    }

    /// The matching spans of a candidate, or `None` when its text says it does not match.
    fn check(&self, paragraph: &Paragraph, address: DocAddress) -> Option<Vec<(usize, usize)>> {
        let mut spans = evaluate(
            &self.prepared.expr,
            paragraph,
            &self.prepared,
            &self.whole_words,
            address,
        )?;
        spans.sort_unstable();
        spans.dedup();
        Some(spans)
    }

    fn date_keys(&self, addresses: &[DocAddress]) -> Result<Vec<u64>, Error> {
        let mut columns = HashMap::new();
        let mut keys = Vec::with_capacity(addresses.len());
        for address in addresses {
            let column = match columns.get(&address.segment_ord) {
                Some(column) => column,
                None => {
                    let reader = self.searcher.segment_reader(address.segment_ord);
                    let column = reader.fast_fields().u64(schema::DATE_KEY)?;
                    columns.entry(address.segment_ord).or_insert(column)
                }
            };
            keys.push(column.first(address.doc_id).unwrap_or(0));
        }
        Ok(keys)
    }
}

/// The `limit` best paragraphs by score, equal scores newest first.
fn best(limit: usize) -> impl tantivy::collector::Collector<Fruit = Vec<((f32, u64), DocAddress)>> {
    TopDocs::with_limit(limit.max(1)).tweak_score(|segment: &tantivy::SegmentReader| {
        let dates = segment
            .fast_fields()
            .u64(schema::DATE_KEY)
            .ok()
            .map(|column| column.first_or_default_col(0));
        move |doc: tantivy::DocId, score: f32| {
            (
                score,
                dates.as_ref().map_or(0, |column| column.get_val(doc)),
            )
        }
    })
}

/// Paragraphs beyond the `k` best that [`top_by_score`] takes, to hold a run of equal scores.
const TIE_ROOM: usize = 32;

/// The `k` best paragraphs as [`best`] ranks them, and the number of matches. Reading a date for
/// every match costs a quarter of a search for a common literal, so the best `k + TIE_ROOM` are
/// taken by score alone and only they are ordered by date, which decides among equal scores at
/// the `k`-th place too; only when the equal scores run past them does [`best`] run.
///
/// For one literal, the whole-word matches are ranked first, on their own: when there are `k` of
/// them they hold the `k` best, and the other matches are only counted, not scored.
fn top_by_score(run: &Run, k: usize) -> Result<(Vec<(f32, DocAddress)>, usize), Error> {
    let searcher = &run.searcher;
    let by_score = TopDocs::with_limit(k.saturating_add(TIE_ROOM)).order_by_score();
    let mut ranked = None;
    if let Some(word_first) = &run.word_first {
        let top = searcher.search(word_first.ranked.as_ref(), &by_score)?;
        if top.len() >= k {
            let total = searcher.search(word_first.matches.as_ref(), &Count)?;
            ranked = Some((word_first.ranked.as_ref(), top, total));
        }
    }
    let (query, top, total) = match ranked {
        Some(ranked) => ranked,
        None => {
            let (top, total) = searcher.search(&run.query, &(by_score, Count))?;
            (run.query.as_ref(), top, total)
        }
    };
    if top.len() == k.saturating_add(TIE_ROOM) && top[k - 1].0 == top[top.len() - 1].0 {
        let top = searcher.search(query, &best(k))?;
        return Ok((untie(top), total));
    }
    let addresses: Vec<DocAddress> = top.iter().map(|&(_, address)| address).collect();
    let dates = run.date_keys(&addresses)?;
    let mut keyed: Vec<(f32, u64, DocAddress)> = top
        .iter()
        .zip(dates)
        .map(|(&(score, address), date)| (score, date, address))
        .collect();
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    keyed.truncate(k);
    Ok((keyed.into_iter().map(|(s, _, a)| (s, a)).collect(), total))
}

/// Drops the date from [`best`]'s sort keys.
fn untie(ranked: Vec<((f32, u64), DocAddress)>) -> Vec<(f32, DocAddress)> {
    ranked
        .into_iter()
        .map(|((score, _), address)| (score, address))
        .collect()
}

/// A candidate that its text confirmed.
struct Checked {
    score: f32,
    address: DocAddress,
    paragraph: Paragraph,
    spans: Vec<(usize, usize)>,
}

/// Checks the query and the flags without opening the index, so that a mistyped query is
/// reported as such whether or not the index is there.
pub fn check(config: &SearchConfig) -> Result<(), Error> {
    Prepared::new(config).map(drop)
}

fn search_with(run: &Run, config: &SearchConfig) -> Result<SearchResult, Error> {
    let limit = config.limit;
    let searcher = &run.searcher;

    // Candidates with their scores: the best `limit` where the index decides alone and the order
    // is by relevance; otherwise all of them, checked against their text.
    let everything = !run.prepared.index_decides() || config.sort != Sort::Relevance;
    let (candidates, counted) = if everything {
        let total = searcher.search(&run.query, &Count)?;
        let all = untie(searcher.search(&run.query, &best(total))?);
        if let Some(mut near) = NearPositions::of(run) {
            let close = near.keep(searcher, all)?;
            return search_near(run, config, close);
        }
        (all, None)
    } else {
        let k = limit.unwrap_or(usize::MAX).max(1);
        let k = if limit.is_none() {
            searcher.search(&run.query, &Count)?.max(1)
        } else {
            k
        };
        let (top, total) = top_by_score(run, k)?;
        (top, Some(total))
    };

    let mut checked: Vec<Checked> = Vec::new();
    let mut rejected = 0;
    let keep = if everything {
        usize::MAX
    } else {
        limit.unwrap_or(usize::MAX)
    };
    // The candidates expected to be shown are read in the order of the store, so that each
    // compressed block of it is read once; any beyond them only if some were rejected.
    let expected = candidates.len().min(keep);
    // When every hit is shown, citations are read with the paragraphs, in store order; otherwise
    // only those of the hits kept, at the end.
    let cite = limit.is_none();
    let first = read_in_store_order(run, &candidates[..expected], cite)?;
    let mut heads = Heads::default();
    let rest = candidates[expected..]
        .iter()
        .map(|&candidate| read_checked(run, candidate, cite, &mut heads));
    for read in first.into_iter().map(Ok).chain(rest) {
        if checked.len() >= keep {
            break;
        }
        match read? {
            Some(found) => checked.push(found),
            None => rejected += 1,
        }
    }
    let total = match counted {
        Some(total) => total - rejected,
        None => checked.len(),
    };

    if config.sort != Sort::Relevance {
        checked = by_date(run, config.sort, checked, |c| c.address)?;
    }
    if let Some(limit) = limit {
        checked.truncate(limit);
    }
    Ok(SearchResult {
        hits: hits_of(run, checked)?,
        total,
    })
}

/// A NEAR's hits from its close candidates, in their order: those that positions decide are
/// counted without being read, and read only if shown.
fn search_near(run: &Run, config: &SearchConfig, close: Vec<Close>) -> Result<SearchResult, Error> {
    enum Confirmed {
        Read(Checked),
        ByPositions(f32, DocAddress),
    }
    let address = |c: &Confirmed| match c {
        Confirmed::Read(checked) => checked.address,
        Confirmed::ByPositions(_, address) => *address,
    };
    let cite = config.limit.is_none();
    let undecided: Vec<(f32, DocAddress)> = close
        .iter()
        .filter(|c| c.decided.is_none())
        .map(|c| (c.score, c.address))
        .collect();
    let mut read = read_in_store_order(run, &undecided, cite)?.into_iter();
    let mut confirmed = Vec::new();
    for c in close {
        match c.decided {
            Some(_) => confirmed.push(Confirmed::ByPositions(c.score, c.address)),
            None => {
                if let Some(checked) = read.next().flatten() {
                    confirmed.push(Confirmed::Read(checked));
                }
            }
        }
    }
    let mut total = confirmed.len();
    if config.sort != Sort::Relevance {
        confirmed = by_date(run, config.sort, confirmed, address)?;
    }
    if let Some(limit) = config.limit {
        confirmed.truncate(limit);
    }
    let unread: Vec<(f32, DocAddress)> = confirmed
        .iter()
        .filter_map(|c| match c {
            Confirmed::ByPositions(score, address) => Some((*score, *address)),
            Confirmed::Read(_) => None,
        })
        .collect();
    let mut read = read_in_store_order(run, &unread, cite)?.into_iter();
    let mut checked = Vec::with_capacity(confirmed.len());
    for c in confirmed {
        match c {
            Confirmed::Read(c) => checked.push(c),
            // The text agrees with the positions unless the index is not what this build
            // writes; it has the last word.
            Confirmed::ByPositions(..) => match read.next().flatten() {
                Some(c) => checked.push(c),
                None => total -= 1,
            },
        }
    }
    Ok(SearchResult {
        hits: hits_of(run, checked)?,
        total,
    })
}

/// `items` in the order of `sort` by their paragraphs' dates, undated paragraphs last.
fn by_date<T>(
    run: &Run,
    sort: Sort,
    items: Vec<T>,
    address: impl Fn(&T) -> DocAddress,
) -> Result<Vec<T>, Error> {
    let addresses: Vec<DocAddress> = items.iter().map(&address).collect();
    let keys = run.date_keys(&addresses)?;
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| {
        let key = keys[i];
        let dated = key == 0;
        let by_date = match sort {
            Sort::Oldest => key,
            _ => u64::MAX - key,
        };
        (dated, by_date, addresses[i])
    });
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    Ok(order.into_iter().filter_map(|i| slots[i].take()).collect())
}

/// The hits of confirmed paragraphs, with their citations.
fn hits_of(run: &Run, checked: Vec<Checked>) -> Result<Vec<Hit>, Error> {
    in_parallel(checked, |chunk| {
        let mut heads = Heads::default();
        chunk
            .into_iter()
            .map(|mut c| {
                heads.cite(&run.searcher, &run.fields, c.address, &mut c.paragraph)?;
                let word_match = run.whole_words.any(c.address);
                Ok(hit(c.paragraph, c.score, word_match, c.spans))
            })
            .collect()
    })
}

/// Below this many paragraphs a search reads them on one thread.
const PARALLEL_FROM: usize = 2_000;

/// The number of threads for reading many paragraphs.
fn threads_for(items: usize) -> usize {
    if items < PARALLEL_FROM {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// `work` over contiguous chunks of `items` on as many threads as there are cores when there are
/// many items, the results joined in order.
fn in_parallel<T: Send, R: Send>(
    mut items: Vec<T>,
    work: impl Fn(Vec<T>) -> Result<Vec<R>, Error> + Sync,
) -> Result<Vec<R>, Error> {
    let threads = threads_for(items.len());
    if threads == 1 {
        return work(items);
    }
    let size = items.len().div_ceil(threads);
    let mut chunks = Vec::new();
    while items.len() > size {
        let tail = items.split_off(items.len() - size);
        chunks.push(tail);
    }
    chunks.push(items);
    chunks.reverse();
    std::thread::scope(|scope| {
        let work = &work;
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| scope.spawn(move || work(chunk)))
            .collect();
        let mut out = Vec::new();
        for handle in handles {
            out.extend(handle.join().expect("a search thread panicked")?);
        }
        Ok(out)
    })
}

/// Counts matching paragraphs and occurrences.
pub fn count(config: &SearchConfig) -> Result<Counts, Error> {
    Prepared::new(config)?;
    Engine::open(&config.index_dir)?.count(config)
}

/// Each matching paragraph and its number of occurrences: from the postings where they decide
/// alone, otherwise from every candidate's text.
fn each_match(run: &Run, f: &mut dyn FnMut(DocAddress, usize)) -> Result<(), Error> {
    if count_from_index(run, f)? {
        return Ok(());
    }
    let mut candidates: Vec<(f32, DocAddress)> = run
        .searcher
        .search(&run.query, &DocSetCollector)?
        .into_iter()
        .map(|address| (0.0, address))
        .collect();
    if let Some(mut near) = NearPositions::of(run) {
        let mut undecided = Vec::new();
        for close in near.keep(&run.searcher, candidates)? {
            match close.decided {
                Some(occurrences) => f(close.address, occurrences),
                None => undecided.push((close.score, close.address)),
            }
        }
        candidates = undecided;
    }
    let mut addresses: Vec<DocAddress> = candidates.into_iter().map(|c| c.1).collect();
    addresses.sort_unstable();
    let mut heads = Heads::default();
    for address in addresses {
        let paragraph = run.read(address, &mut heads)?;
        if let Some(spans) = run.check(&paragraph, address) {
            f(address, spans.len());
        }
    }
    Ok(())
}

/// The one literal of an expression that is a literal alone or with filters.
fn sole_literal(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Literal(literal) => Some(literal),
        Expr::And(items) => {
            let mut found = None;
            for item in items {
                match item {
                    Expr::Filter(_) => {}
                    Expr::Literal(literal) if found.is_none() => found = Some(literal.as_str()),
                    _ => return None,
                }
            }
            found
        }
        _ => None,
    }
}

/// True when two occurrences of a literal can overlap, as in 哈哈哈 (a prefix is also a suffix):
/// the index counts overlapping occurrences, a reader of the text does not.
fn self_overlapping(chars: &[char]) -> bool {
    (1..chars.len()).any(|k| chars[..k] == chars[chars.len() - k..])
}

/// Counts from the postings alone, without reading any paragraph: for one literal, with or without
/// filters, when the index decides exactly. Occurrences are the literal's term or phrase
/// frequencies in the matching paragraphs. Calls `f` for each and gives true, or gives false
/// without calling it when the text has to be read.
fn count_from_index(run: &Run, f: &mut dyn FnMut(DocAddress, usize)) -> Result<bool, Error> {
    if !run.prepared.index_decides() {
        return Ok(false);
    }
    let Some(literal) = sole_literal(&run.prepared.expr) else {
        return Ok(false);
    };
    let folded = fold(literal);
    if self_overlapping(&folded.chars) {
        return Ok(false);
    }
    if let [c] = folded.chars[..] {
        // The literal's paragraphs are those that hold its character.
        let query = CharQuery::new(run.fields.grams, c);
        query.read_every_segment(&run.searcher)?;
        for (ord, segment) in run.searcher.segment_readers().iter().enumerate() {
            let counts = query.counts(segment)?;
            let alive = segment.alive_bitset();
            for (at, &doc) in counts.docs().iter().enumerate() {
                if alive.is_none_or(|bits| bits.is_alive(doc)) {
                    f(
                        DocAddress::new(ord as u32, doc),
                        counts.count_at(at) as usize,
                    );
                }
            }
        }
        return Ok(true);
    }
    let Some(mut occurrences) = LiteralPostings::new(&run.fields, &folded) else {
        return Ok(false);
    };
    let matching = run
        .query
        .weight(EnableScoring::disabled_from_searcher(&run.searcher))?;
    for (ord, segment) in run.searcher.segment_readers().iter().enumerate() {
        let mut postings = occurrences.open(segment)?;
        each_alive(matching.scorer(segment, 1.0)?, segment, |doc| {
            let count = occurrences.count(&mut postings, doc);
            f(DocAddress::new(ord as u32, doc), count);
        });
    }
    Ok(true)
}

/// Calls `f` with each document of a segment that `docs` yields and that is not deleted.
fn each_alive(mut docs: Box<dyn Scorer>, segment: &SegmentReader, mut f: impl FnMut(DocId)) {
    let alive = segment.alive_bitset();
    let mut doc = docs.doc();
    while doc != TERMINATED {
        if alive.is_none_or(|bits| bits.is_alive(doc)) {
            f(doc);
        }
        doc = docs.advance();
    }
}

/// A paragraph's stored fields as the store holds them. tantivy's own document type copies each
/// string into its arena, and a reader copies it out again; this one keeps the strings the store
/// decodes, for `--all` on tens of thousands of paragraphs.
struct Stored(Vec<(SchemaField, OwnedValue)>);

impl DocumentDeserialize for Stored {
    fn deserialize<'de, D: DocumentDeserializer<'de>>(
        mut deserializer: D,
    ) -> Result<Stored, DeserializeError> {
        let mut values = Vec::with_capacity(deserializer.size_hint());
        while let Some(value) = deserializer.next_field()? {
            values.push(value);
        }
        Ok(Stored(values))
    }
}

impl Stored {
    /// Takes the first string of `field` out.
    fn take_str(&mut self, field: SchemaField) -> Option<String> {
        self.0.iter_mut().find_map(|(f, value)| match value {
            OwnedValue::Str(text) if *f == field => Some(std::mem::take(text)),
            _ => None,
        })
    }

    fn u64(&self, field: SchemaField) -> Option<u64> {
        self.0.iter().find_map(|(f, value)| match value {
            OwnedValue::U64(n) if *f == field => Some(*n),
            _ => None,
        })
    }
}

fn hit(paragraph: Paragraph, score: f32, word_match: bool, matches: Vec<(usize, usize)>) -> Hit {
    Hit {
        // Every paragraph shown was cited when it was read (`read_checked`, `file_paragraphs`).
        citation: paragraph.citation.unwrap_or_default(),
        section: serde_json::from_str(&paragraph.section).unwrap_or_default(),
        paragraph: paragraph.number,
        score,
        word_match,
        text: paragraph.text,
        matches,
        reference: None,
    }
}

/// Every paragraph of an indexed file, in file order, as hits without matches; the file is named
/// as the index names it (the `path` of a hit).
pub fn file_paragraphs(engine: &Engine, path: &str) -> Result<Vec<Hit>, Error> {
    let term = Term::from_field_text(engine.fields.path, path);
    let query = TermQuery::new(term, IndexRecordOption::Basic);
    let mut addresses: Vec<DocAddress> = engine
        .searcher
        .search(&query, &DocSetCollector)?
        .into_iter()
        .collect();
    addresses.sort_unstable(); // read in store order
    let mut heads = Heads::default();
    let mut paragraphs = addresses
        .into_iter()
        .map(|address| {
            let mut paragraph = read_paragraph(&engine.searcher, &engine.fields, address)?;
            heads.cite(&engine.searcher, &engine.fields, address, &mut paragraph)?;
            Ok((paragraph.ordinal, hit(paragraph, 0.0, false, Vec::new())))
        })
        .collect::<Result<Vec<(u64, Hit)>, Error>>()?;
    paragraphs.sort_by_key(|(ordinal, _)| *ordinal);
    Ok(paragraphs.into_iter().map(|(_, hit)| hit).collect())
}

/// The paths of the indexed files, in order.
pub fn indexed_paths(engine: &Engine) -> Result<Vec<String>, Error> {
    let mut paths = BTreeSet::new();
    for segment in engine.searcher.segment_readers() {
        let inverted = segment.inverted_index(engine.fields.path)?;
        let mut terms = inverted.terms().stream()?;
        while terms.advance() {
            paths.insert(String::from_utf8_lossy(terms.key()).into_owned());
        }
    }
    Ok(paths.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_measures_the_characters_between_two_occurrences() {
        let text = "云台山实验室和青天河";
        let span = |s: &str| {
            let start = text.find(s).unwrap();
            (start, start + s.len())
        };
        let (a, b, c) = (span("云台山"), span("实验室"), span("青天河"));
        assert_eq!(near(text, &[a], &[b], 0), Some(vec![a, b]));
        assert_eq!(near(text, &[a], &[c], 3), None);
        assert_eq!(near(text, &[a], &[c], 4), Some(vec![a, c]));
        assert_eq!(near(text, &[c], &[a], 4), Some(vec![a, c]));
    }
}

//! QUERY: query text -> ranked, verified hits (data only; printing is `print`'s).
//!
//! Recall comes from the character view alone: each literal becomes a phrase of character bigrams
//! at fixed offsets, which matches exactly where the folded literal occurs, however jieba cut the
//! words. The word view only ranks: a paragraph where a literal is a whole jieba word gets
//! [`WORD_BONUS`], so it ranks above one where the literal sits inside a longer word (台山 in
//! 云台山). Nothing here tokenizes with jieba: the search path never loads its dictionary.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED, TantivyDocument, Term};

use crate::Error;
use crate::analysis::{fold, literal_grams};
use crate::index;
use crate::schema::Fields;

/// Added to the score of a paragraph for each literal that is a whole word of it. Larger than any
/// BM25 score of a phrase, so whole-word matches rank first.
pub const WORD_BONUS: f32 = 1000.0;

/// What `gazette search` is asked to do.
#[derive(Debug, Clone)]
pub struct SearchConfig {
    pub index_dir: PathBuf,
    pub query: String,
    /// How many hits to return; `None` for every hit.
    pub limit: Option<usize>,
}

/// One matching paragraph, with its citation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub path: String,
    pub gazette: Option<String>,
    pub issue: Option<String>,
    pub date: Option<String>,
    pub region: Option<String>,
    pub document: String,
    pub section: Vec<String>,
    /// Page of the issue where the document starts.
    pub page: Option<u64>,
    pub paragraph: u64,
    pub score: f32,
    pub word_match: bool,
    pub text: String,
    /// UTF-8 byte ranges of `text`, one per occurrence of each literal, in text order.
    pub matches: Vec<(usize, usize)>,
    /// Manifest columns other than the known ones.
    pub attributes: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
pub struct SearchResult {
    pub hits: Vec<Hit>,
    /// Paragraphs that match, of which `hits` holds the best.
    pub total: usize,
    pub literals: Vec<String>,
}

/// A literal of the query, in its matching form.
#[derive(Debug, Clone)]
struct Literal {
    chars: Vec<char>,
    /// The folded literal, as the word view would hold it.
    word: String,
}

/// Splits the query into literals: every space-separated piece must occur.
fn parse_query(query: &str) -> Result<Vec<Literal>, Error> {
    let mut literals = Vec::new();
    for (start, piece) in pieces(query) {
        let folded = fold(piece);
        if folded.is_empty() {
            return Err(Error::Query(format!(
                "the literal at character {} ({piece:?}) has no searchable character",
                query[..start].chars().count() + 1
            )));
        }
        literals.push(Literal {
            word: folded.as_string(),
            chars: folded.chars,
        });
    }
    if literals.is_empty() {
        return Err(Error::Query("the query is empty".into()));
    }
    Ok(literals)
}

/// The space-separated pieces of `query` with their byte offsets.
fn pieces(query: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in query.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &query[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &query[s..]));
    }
    out
}

fn literal_query(fields: &Fields, literal: &Literal) -> Box<dyn Query> {
    let mut terms: Vec<(usize, Term)> = literal_grams(&literal.chars)
        .into_iter()
        .map(|(offset, gram)| (offset, Term::from_field_text(fields.grams, &gram)))
        .collect();
    if terms.len() == 1 {
        let (_, term) = terms.remove(0);
        Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
    } else {
        Box::new(PhraseQuery::new_with_offset(terms))
    }
}

fn build_query(fields: &Fields, literals: &[Literal]) -> BooleanQuery {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for literal in literals {
        clauses.push((Occur::Must, literal_query(fields, literal)));
        let word = Term::from_field_text(fields.words, &literal.word);
        let whole_word = TermQuery::new(word, IndexRecordOption::Basic);
        clauses.push((
            Occur::Should,
            Box::new(ConstScoreQuery::new(Box::new(whole_word), WORD_BONUS)),
        ));
    }
    BooleanQuery::new(clauses)
}

/// Runs a search.
pub fn run(config: &SearchConfig) -> Result<SearchResult, Error> {
    let literals = parse_query(&config.query)?;
    let (index, fields) = index::open(&config.index_dir)?;
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let query = build_query(&fields, &literals);

    let (top, total) = match config.limit {
        Some(limit) => searcher.search(
            &query,
            &(TopDocs::with_limit(limit.max(1)).order_by_score(), Count),
        )?,
        None => {
            let total = searcher.search(&query, &Count)?;
            let top =
                searcher.search(&query, &TopDocs::with_limit(total.max(1)).order_by_score())?;
            (top, total)
        }
    };
    let top = match config.limit {
        Some(0) => Vec::new(),
        _ => top,
    };

    let word_docs = whole_word_docs(&searcher, &fields, &literals)?;
    let mut hits = Vec::with_capacity(top.len());
    let mut rejected = 0;
    for (score, address) in top {
        let doc: TantivyDocument = searcher.doc(address)?;
        match hit_from_doc(
            &fields,
            &doc,
            &literals,
            score,
            word_docs.contains(&address),
        ) {
            Some(hit) => hits.push(hit),
            // The index said it matches, the text says it does not: never show it.
            None => rejected += 1,
        }
    }
    Ok(SearchResult {
        hits,
        total: total - rejected,
        literals: literals.into_iter().map(|l| l.word).collect(),
    })
}

/// The paragraphs where some literal is a whole jieba word, from the word view's postings.
fn whole_word_docs(
    searcher: &Searcher,
    fields: &Fields,
    literals: &[Literal],
) -> Result<HashSet<DocAddress>, Error> {
    let mut docs = HashSet::new();
    for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
        let inverted = segment.inverted_index(fields.words)?;
        for literal in literals {
            let term = Term::from_field_text(fields.words, &literal.word);
            if let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)? {
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    docs.insert(DocAddress::new(segment_ord as u32, doc));
                    doc = postings.advance();
                }
            }
        }
    }
    Ok(docs)
}

fn stored_str(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// Builds a hit from a stored paragraph, verifying that every literal occurs in its text.
fn hit_from_doc(
    fields: &Fields,
    doc: &TantivyDocument,
    literals: &[Literal],
    score: f32,
    word_match: bool,
) -> Option<Hit> {
    let text = stored_str(doc, fields.text)?;
    let folded = fold(&text);
    let mut matches = Vec::new();
    for literal in literals {
        let found = folded.find_all(&literal.chars);
        if found.is_empty() {
            return None;
        }
        matches.extend(found);
    }
    matches.sort_unstable();
    let section = stored_str(doc, fields.section)
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();
    Some(Hit {
        path: stored_str(doc, fields.path).unwrap_or_default(),
        gazette: stored_str(doc, fields.gazette),
        issue: stored_str(doc, fields.issue),
        date: stored_str(doc, fields.date),
        region: stored_str(doc, fields.region),
        document: stored_str(doc, fields.document).unwrap_or_default(),
        section,
        page: doc.get_first(fields.page).and_then(|v| v.as_u64()),
        paragraph: doc
            .get_first(fields.paragraph)
            .and_then(|v| v.as_u64())
            .unwrap_or(0),
        score,
        word_match,
        text,
        matches,
        attributes: stored_str(doc, fields.attributes)
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_a_query_into_literals() {
        let literals = parse_query("  云台山  AA级\u{3000}3+13+N ").unwrap();
        let words: Vec<&str> = literals.iter().map(|l| l.word.as_str()).collect();
        assert_eq!(words, ["云台山", "aa级", "3+13+n"]);
    }

    #[test]
    fn refuses_an_empty_query() {
        assert!(matches!(parse_query("   "), Err(Error::Query(_))));
    }

    #[test]
    fn names_the_position_of_a_literal_with_nothing_to_search() {
        let err = parse_query("云台山 \u{200B}").unwrap_err().to_string();
        assert!(err.contains("character 5"), "{err}");
    }
}

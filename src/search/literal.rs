//! PLAN: one literal -> the character-view query that finds exactly its paragraphs, with the
//! word and context signals that rank them.

use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};

use crate::search::char_query::CharQuery;
use crate::search::context_query::ContextQuery;
use crate::search::held::HeldTerm;
use crate::search::phrase::CoverPhrase;
use crate::search::plan::Context;
use crate::search::rank::{CONTEXT_BOOST, WORD_BONUS};
use crate::store::tokenizers::literal_grams;
use crate::text::fold::{Folded, fold};

/// The query of a character view (`field`: the text's grams, or a name's) that finds a folded
/// literal: a phrase of its bigrams, or for a run of one character the grams that character
/// starts ([`CharQuery`]), read from `chars` where it has postings there. A one-character run beside
/// others (`a bc`) is only required to be there, since that query places no character;
/// [`exact_in_index`] tells such literals apart. `word`: the literal as a term of the word view of
/// the same text, which proves it where it stands ([`CoverPhrase::with_word`]).
pub(super) fn grams_query(
    field: Field,
    chars: Option<Field>,
    word: Option<Term>,
    folded: &Folded,
) -> Box<dyn Query> {
    let mut bigrams = Vec::new();
    let mut parts: Vec<Box<dyn Query>> = Vec::new();
    for (offset, gram) in literal_grams(&folded.chars) {
        if let Some(c) = lone_char(&gram) {
            parts.push(Box::new(CharQuery::new(field, chars, c)));
        } else {
            bigrams.push((offset, Term::from_field_text(field, &gram)));
        }
    }
    match bigrams.len() {
        0 => {}
        1 => parts.push(Box::new(HeldTerm::new(
            bigrams.remove(0).1,
            IndexRecordOption::WithFreqs,
        ))),
        // Scored as the phrase of these, placed by the cheapest of every bigram of each run.
        _ => {
            let mut phrase = CoverPhrase::new(bigrams, every_bigram(field, &folded.chars));
            // A word holds no space: a literal of several runs is never one.
            if let (Some(word), false) = (word, folded.chars.contains(&' ')) {
                phrase = phrase.with_word(word);
            }
            parts.push(Box::new(phrase));
        }
    }
    if parts.len() == 1 {
        return parts.remove(0);
    }
    Box::new(BooleanQuery::new(
        parts.into_iter().map(|q| (Occur::Must, q)).collect(),
    ))
}

/// Every bigram of each run of two characters or more of a folded literal, at its offset.
pub(super) fn every_bigram(field: Field, folded: &[char]) -> Vec<Vec<(usize, Term)>> {
    let mut runs = Vec::new();
    let mut start = 0;
    for run in folded.split(|&c| c == ' ') {
        if run.len() >= 2 {
            runs.push(
                run.windows(2)
                    .enumerate()
                    .map(|(k, pair)| {
                        let gram: String = pair.iter().collect();
                        (start + k, Term::from_field_text(field, &gram))
                    })
                    .collect(),
            );
        }
        start += run.len() + 1;
    }
    runs
}

/// The character of a gram of one character: a literal's run of one character.
pub(super) fn lone_char(gram: &str) -> Option<char> {
    let mut chars = gram.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// True when [`grams_query`] finds exactly the paragraphs holding the literal, false when it may
/// find more (a one-character run beside others).
pub(super) fn literal_exact_in_index(literal: &str) -> bool {
    let grams = literal_grams(&fold(literal).chars);
    grams.len() == 1 || grams.iter().all(|(_, gram)| gram.chars().count() == 2)
}

pub(super) fn literal_query(ctx: &Context, literal: &str) -> Box<dyn Query> {
    let folded = fold(literal);
    let word_term = Term::from_field_text(ctx.fields.words, &folded.as_string());
    // With `--words` the word decides and adds nothing; otherwise it ranks whole words first.
    let bonus = if ctx.words { 0.0 } else { WORD_BONUS };
    let required = ctx.words || ctx.word_first;
    if let ([c], false) = (&folded.chars[..], ctx.plain_bm25) {
        // One character: its word's bonus is all there is to add (a character has no bigram, so
        // no context), which the character query adds itself, so that it ranks the best without
        // scoring every paragraph that holds the character.
        return Box::new(
            CharQuery::new(ctx.grams, ctx.chars(), *c).with_word(word_term, bonus, required),
        );
    }
    let same_text_word = ctx.in_text().then(|| word_term.clone());
    let word = TermQuery::new(word_term, IndexRecordOption::Basic);
    // Each optional signal is joined on its own, (grams + word) + context, rather than as one
    // union of both: a union walks every posting of a common context term (政府 heads
    // hundreds of thousands of paragraphs), a single optional term only seeks the matches.
    let mut query = grams_query(ctx.grams, ctx.chars(), same_text_word, &folded);
    if required {
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

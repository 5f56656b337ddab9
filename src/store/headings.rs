//! The context view's tokens: each section heading indexed once, on the paragraph where it
//! begins, not again on every later run of paragraphs that stays under it.
//!
//! A paragraph's context is its section path, outermost heading first. Runs of paragraphs under
//! the same path are short (a list item's run-in heading starts one), and most of a run's path is
//! the run before's: a chapter's heading heads every run of its sections. ../shared/corpus holds
//! 6.1 million heading bigrams counted once per run, 2.1 million counted once per heading.
//!
//! So a run's first paragraph holds only the headings past the ones it keeps from the run before
//! ([`kept`]; all of them on a batch's first paragraph), each bigram's term led by its heading's
//! depth ([`depth_tag`]): a match at depth `d` on paragraph `p` heads every paragraph from `p`
//! to the next run that keeps at most `d` headings (`crate::store::schema::KEPT`). BM25 divides
//! by the length of every heading of the run, which the field norm of the run's first paragraph
//! keeps: the bigrams of the kept headings are made up by as many tokens of [`PADDING`], a term no
//! query asks for, all at one position (their positions cost next to nothing). A literal is
//! matched within one heading: one with a space no longer joins the end of a heading to the start
//! of the next, as the headings of a run written as one text let it.

use tantivy::tokenizer::{PreTokenizedString, Token, TokenStream, Tokenizer};

use crate::store::tokenizers::{Gram, GramTokenizer};

/// The deepest depth with a tag of its own: the headings from this depth down share it, and a
/// run that changes any of them holds them all again (no path in ../shared/corpus comes near).
pub const DEEPEST: usize = 15;

/// The term that makes up the kept headings' length in the field norm: no bigram's term (those
/// start with a [`depth_tag`]).
pub const PADDING: &str = "\0";

/// The character that leads the term of each bigram of a heading at `depth`, counted from 0 for
/// the outermost.
pub fn depth_tag(depth: usize) -> char {
    char::from(1 + depth.min(DEEPEST) as u8)
}

/// How many of `now`'s outermost headings stay from `before`, the path of the run before in the
/// same batch (`None` on a batch's first paragraph, which keeps none), as far as they have tags
/// of their own: a run that changes a heading past [`DEEPEST`] holds every heading from there.
pub fn kept<S: PartialEq>(before: Option<&[S]>, now: &[S]) -> usize {
    let Some(before) = before else {
        return 0;
    };
    let same = before.iter().zip(now).take_while(|(a, b)| a == b).count();
    same.min(DEEPEST)
}

/// The tokens of a run's first paragraph for its context: the bigrams of `folded[kept..]` (the
/// matching forms of its headings), each term led by its heading's depth, at its position in
/// those headings joined by spaces; then a [`PADDING`] token for each bigram of `folded[..kept]`.
/// `None` when there is no token, as for a run under no heading.
pub fn tokens(folded: &[String], kept: usize) -> Option<PreTokenizedString> {
    let mut tokens = Vec::new();
    let mut grams = GramTokenizer::new(Gram::Bigram);
    let mut inherited = 0;
    let mut at = 0;
    for (depth, heading) in folded.iter().enumerate() {
        let mut stream = grams.token_stream(heading);
        if depth < kept {
            while stream.advance() {
                inherited += 1;
            }
            continue;
        }
        let tag = depth_tag(depth);
        while stream.advance() {
            let gram = stream.token();
            let mut text = String::with_capacity(1 + gram.text.len());
            text.push(tag);
            text.push_str(&gram.text);
            tokens.push(Token {
                position: at + gram.position,
                text,
                ..Token::default()
            });
        }
        // Joined by a space, as one text: no bigram across two headings.
        at += heading.chars().count() + 1;
    }
    tokens.extend((0..inherited).map(|_| Token {
        position: 0,
        text: PADDING.to_string(),
        ..Token::default()
    }));
    (!tokens.is_empty()).then(|| PreTokenizedString {
        text: String::new(),
        tokens,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(folded: &[&str], kept: usize) -> Vec<(usize, String)> {
        let folded: Vec<String> = folded.iter().map(|h| h.to_string()).collect();
        tokens(&folded, kept)
            .map(|t| t.tokens)
            .unwrap_or_default()
            .into_iter()
            .map(|t| (t.position, t.text))
            .collect()
    }

    #[test]
    fn a_run_holds_its_new_headings_tagged_by_depth_and_pads_the_kept_ones() {
        let (one, two) = (depth_tag(1), depth_tag(2));
        assert_eq!(
            texts(&["第二章 修复", "第一节", "修复"], 1),
            [
                (0, format!("{one}第一")),
                (1, format!("{one}一节")),
                (4, format!("{two}修复")),
                // 第二章 修复: 第二, 二章, 修复.
                (0, PADDING.to_string()),
                (0, PADDING.to_string()),
                (0, PADDING.to_string()),
            ]
        );
        let zero = depth_tag(0);
        assert_eq!(
            texts(&["总则"], 0),
            [(0, format!("{zero}总则"))],
            "a batch's first run holds every heading"
        );
        assert_eq!(
            texts(&["总则", "甲"], 1),
            [(0, PADDING.to_string())],
            "a heading without a bigram adds none"
        );
        assert!(texts(&[], 0).is_empty());
        assert!(texts(&["甲"], 0).is_empty());
    }

    #[test]
    fn kept_counts_the_outer_headings_the_run_before_had_and_stops_at_the_deepest_tag() {
        assert_eq!(kept(None, &["a", "b"]), 0);
        assert_eq!(kept(Some(&["a", "b"][..]), &["a", "c"]), 1);
        assert_eq!(kept(Some(&["a", "b"][..]), &["a", "b", "c"]), 2);
        assert_eq!(kept(Some(&["a", "b"][..]), &["a"]), 1);
        assert_eq!(kept(Some(&["x"][..]), &["a"]), 0);
        let deep: Vec<usize> = (0..DEEPEST + 3).collect();
        let mut deeper = deep.clone();
        deeper.push(99);
        assert_eq!(kept(Some(&deep[..]), &deeper), DEEPEST);
        assert_eq!(depth_tag(DEEPEST + 2), depth_tag(DEEPEST));
        assert_ne!(depth_tag(DEEPEST - 1), depth_tag(DEEPEST));
    }
}

//! The context view's tokens: each section heading indexed once, on the paragraph where it
//! begins, not again on every later run of paragraphs that stays under it.
//!
//! A paragraph's context is its section path, outermost heading first. Runs of paragraphs under
//! the same path are short, and most of a run's path is the run before's: a chapter's heading
//! heads every run of its sections: counted once per heading, a collection's heading bigrams are
//! about a third of what they are counted once per run (docs/PERFORMANCE.md, round 32).
//!
//! So a run's first paragraph holds only the headings past the ones it keeps from the run before
//! ([`kept`]; all of them on a batch's first paragraph), each bigram's term ended by its heading's
//! depth ([`depth_tag`]): a match at depth `d` on paragraph `p` heads every paragraph from `p`
//! to the last before the next run that keeps at most `d` headings, which is marked as where a
//! heading at depth `d` ends (`crate::store::schema::HEADING_END`). BM25 divides
//! by the length of every heading of the run, which the field norm of the run's first paragraph
//! keeps: the bigrams of the kept headings are made up by as many tokens of [`PADDING`], a term no
//! query asks for, all at one position (their positions cost next to nothing). A literal is
//! matched within one heading: one with a space does not join the end of a heading to the start of
//! the next.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::store::tokenizers::bigram_count;

/// The deepest depth with a tag of its own: the headings from this depth down share it, and a
/// run that changes any of them holds them all again (no path in ../shared/corpus comes near).
pub const DEEPEST: usize = 15;

/// The term that makes up the kept headings' length in the field norm: no bigram's term (those
/// end with a [`depth_tag`]).
pub const PADDING: &str = "\0";

/// The character that ends the term of each bigram of a heading at `depth`, counted from 0 for
/// the outermost: a bigram's terms at every depth stand together in the term dictionary, so that
/// a search finds at which depths a bigram stands by reading them, not by asking for each depth.
pub fn depth_tag(depth: usize) -> char {
    char::from(1 + depth.min(DEEPEST) as u8)
}

/// The depth that a [`depth_tag`] (one byte) stands for.
pub fn tag_depth(tag: u8) -> Option<usize> {
    let depth = usize::from(tag.checked_sub(1)?);
    (depth <= DEEPEST).then_some(depth)
}

/// The depths, as [`depth_tag`] counts them, that a path of `headings` headings stands at: the
/// headings past [`DEEPEST`] share one.
pub fn depths(headings: usize) -> usize {
    headings.min(DEEPEST + 1)
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

/// The name the [`HeadingsTokenizer`] is registered under.
pub const HEADINGS: &str = "gazette_headings";

/// The term of a bigram of a heading at `depth`: the bigram, then its [`depth_tag`].
pub fn term(gram: &str, depth: usize) -> String {
    let mut term = String::with_capacity(gram.len() + 1);
    term.push_str(gram);
    term.push(depth_tag(depth));
    term
}

/// The text of a run's first paragraph for its context, which [`HeadingsTokenizer`] reads, and
/// the run's context length (the bigrams of all of `folded`, the matching forms of its
/// headings). The text holds, for each of `folded[kept..]`, its depth, its length in characters
/// and itself (`1,4,第一节 `... as `DEPTH,LENGTH,HEADING`), then `#` and the bigrams of
/// `folded[..kept]`, the kept headings. Lengths, not separators, so that a heading may hold any
/// character. A run of length 0 gives no token and needs no text. (A text, not tokens: tantivy
/// keeps a document's pre-tokenized text as JSON and reads it back to index it.)
pub fn text(folded: &[String], kept: usize) -> (String, u64) {
    use std::fmt::Write;
    let mut text = String::new();
    let mut length = 0;
    let mut inherited = 0;
    for (depth, heading) in folded.iter().enumerate() {
        let bigrams = bigram_count(heading);
        length += bigrams;
        if depth < kept {
            inherited += bigrams;
        } else {
            // Writing to a String cannot fail.
            let _ = write!(text, "{depth},{},{heading}", heading.chars().count());
        }
    }
    let _ = write!(text, "#{inherited}");
    (text, length)
}

/// The tokens of a [`text`]: each bigram of a heading (every adjacent pair of characters, none
/// across a space) as its term ended by the heading's [`depth_tag`], at its position in the
/// headings written one after another with a space between (so no bigram joins two), then as
/// many [`PADDING`] tokens at position 0 as the kept headings have bigrams. A text that does not
/// read this way gives the tokens read up to where it stops.
#[derive(Clone, Default)]
pub struct HeadingsTokenizer {
    token: Token,
}

pub struct HeadingsStream<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    /// The tag of the heading being read.
    tag: char,
    /// Characters of the heading being read not yet read.
    left: usize,
    /// Whether a heading has been read: the next stands a space after it.
    begun: bool,
    /// Padding tokens still to give.
    padding: u64,
    /// Position of the character that `chars` gives next.
    at: usize,
    token: &'a mut Token,
}

impl Tokenizer for HeadingsTokenizer {
    type TokenStream<'a> = HeadingsStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> HeadingsStream<'a> {
        self.token.reset();
        HeadingsStream {
            chars: text.chars().peekable(),
            tag: depth_tag(0),
            left: 0,
            begun: false,
            padding: 0,
            at: 0,
            token: &mut self.token,
        }
    }
}

impl HeadingsStream<'_> {
    /// The number before `end` (`None`: the end of the text), and past it; `None` when there is
    /// none.
    fn number_until(&mut self, end: Option<char>) -> Option<u64> {
        let mut number: u64 = 0;
        let mut digits = 0;
        loop {
            match self.chars.next() {
                c if c == end => return (digits > 0).then_some(number),
                Some(c) => {
                    number = number
                        .checked_mul(10)?
                        .checked_add(u64::from(c.to_digit(10)?))?;
                    digits += 1;
                }
                None => return None,
            }
        }
    }

    /// Reads the next heading's depth and length (true), or the padding's count (false); false
    /// at the end or where the text does not read.
    fn next_heading(&mut self) -> bool {
        if self.chars.peek() == Some(&'#') {
            self.chars.next();
            self.padding = self.number_until(None).unwrap_or(0);
            return false;
        }
        let (Some(depth), Some(length)) =
            (self.number_until(Some(',')), self.number_until(Some(',')))
        else {
            return false;
        };
        if self.begun {
            self.at += 1;
        }
        self.begun = true;
        self.tag = depth_tag(usize::try_from(depth).unwrap_or(usize::MAX));
        self.left = usize::try_from(length).unwrap_or(usize::MAX);
        true
    }
}

impl TokenStream for HeadingsStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            if self.left == 0 {
                if self.padding > 0 {
                    self.padding -= 1;
                    self.token.position = 0;
                    self.token.text.clear();
                    self.token.text.push_str(PADDING);
                    return true;
                }
                if self.next_heading() || self.padding > 0 {
                    continue;
                }
                return false;
            }
            let Some(c) = self.chars.next() else {
                return false;
            };
            self.left -= 1;
            let position = self.at;
            self.at += 1;
            if c == ' ' || self.left == 0 {
                continue;
            }
            if let Some(&next) = self.chars.peek()
                && next != ' '
            {
                self.token.position = position;
                self.token.text.clear();
                self.token.text.push(c);
                self.token.text.push(next);
                self.token.text.push(self.tag);
                return true;
            }
        }
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(folded: &[&str], kept: usize) -> Vec<(usize, String)> {
        let folded: Vec<String> = folded.iter().map(|h| h.to_string()).collect();
        let (text, length) = text(&folded, kept);
        if length == 0 {
            return Vec::new();
        }
        let mut tokenizer = HeadingsTokenizer::default();
        let mut stream = tokenizer.token_stream(&text);
        let mut tokens = Vec::new();
        while stream.advance() {
            tokens.push((stream.token().position, stream.token().text.clone()));
        }
        tokens
    }

    #[test]
    fn a_run_holds_its_new_headings_tagged_by_depth_and_pads_the_kept_ones() {
        let (one, two) = (depth_tag(1), depth_tag(2));
        assert_eq!(
            texts(&["第二章 修复", "第一节", "修复"], 1),
            [
                (0, format!("第一{one}")),
                (1, format!("一节{one}")),
                (4, format!("修复{two}")),
                // 第二章 修复: 第二, 二章, 修复.
                (0, PADDING.to_string()),
                (0, PADDING.to_string()),
                (0, PADDING.to_string()),
            ]
        );
        let zero = depth_tag(0);
        assert_eq!(
            texts(&["总则"], 0),
            [(0, format!("总则{zero}"))],
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

    /// Headings that hold what the text's own layout uses (digits, commas, `#`) and spaces give
    /// the bigrams that the text view's tokenizer gives each of them, at their places in the
    /// headings written one after another; a text that does not read gives what it read.
    #[test]
    fn any_heading_reads_back_as_the_bigrams_of_the_text_views_tokenizer() {
        use crate::store::tokenizers::{Gram, GramTokenizer};
        let headings = [
            "第1,2条",
            "#3 a,b",
            "12,34,",
            "一 二三",
            "",
            "#",
            ",,,",
            "条\u{1}\0例",
        ];
        for kept in 0..=headings.len() {
            for first in 0..headings.len() {
                let folded: Vec<String> = headings[first..].iter().map(|h| h.to_string()).collect();
                let mut wanted = Vec::new();
                let mut at = 0;
                let mut padding = 0;
                for (depth, heading) in folded.iter().enumerate() {
                    let mut grams = GramTokenizer::new(Gram::Bigram);
                    let mut stream = grams.token_stream(heading);
                    while stream.advance() {
                        let gram = stream.token();
                        if depth < kept {
                            padding += 1;
                        } else {
                            wanted.push((
                                at + gram.position,
                                format!("{}{}", gram.text, depth_tag(depth)),
                            ));
                        }
                    }
                    if depth >= kept {
                        at += heading.chars().count() + 1;
                    }
                }
                wanted.extend((0..padding).map(|_| (0, PADDING.to_string())));
                let folded: Vec<&str> = folded.iter().map(String::as_str).collect();
                assert_eq!(
                    texts(&folded, kept.min(folded.len())),
                    wanted,
                    "{folded:?} keeping {kept}"
                );
            }
        }
        for damaged in [
            "1,",
            "x,2,ab",
            "1,99,ab",
            "#",
            "#x",
            "1,2,ab#5",
            "99999999999999999999,1,a",
        ] {
            let mut tokenizer = HeadingsTokenizer::default();
            let mut stream = tokenizer.token_stream(damaged);
            let mut count = 0;
            while stream.advance() {
                count += 1;
            }
            assert!(count <= 8, "{damaged}");
        }
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
        for depth in 0..=DEEPEST {
            assert_eq!(tag_depth(depth_tag(depth) as u8), Some(depth));
        }
        assert_eq!(tag_depth(0), None);
        assert_eq!(tag_depth(depth_tag(DEEPEST) as u8 + 1), None);
        assert_ne!(depth_tag(DEEPEST - 1), depth_tag(DEEPEST));
        assert_eq!(depths(3), 3);
        assert_eq!(depths(DEEPEST + 5), DEEPEST + 1);
    }
}

//! The index's text views: the tokenizers that turn a paragraph's matching form into terms.
//!
//! - The *character view* ([`GramTokenizer`]): every adjacent pair of folded characters as a
//!   bigram, with position = index of the character in the folded form, and the last character
//!   of each run with a space ([`RUN_END`]), so that every character starts exactly one gram. Any
//!   literal of two characters or more is then a phrase of bigrams at known offsets
//!   ([`literal_grams`]), which is exact substring matching; a one-character literal is the union
//!   of the grams it starts ([`crate::search::char_query`]).
//! - The *frequent characters* ([`FrequentCharsTokenizer`]): each occurrence of a character of
//!   [`crate::store::frequent`], without positions, so that such a character is one posting list
//!   rather than the union of thousands of grams.
//! - The *word view* ([`words_tokenizer`]): jieba segmentation of the folded text, its words
//!   without punctuation or space, for ranking and for telling whole-word matches apart. It is
//!   only built when indexing: the search path never loads jieba's dictionary, whose loading
//!   costs more than a whole search.

use tantivy::tokenizer::{TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer};

use crate::store::frequent::is_frequent;

/// Names under which the character-gram tokenizers are registered in the index: the text's grams
/// ([`Gram::Covering`]) and the bigrams of titles and headings ([`Gram::Bigram`]).
pub const COVERING_GRAMS: &str = "gazette_covering_grams";
pub const BIGRAMS: &str = "gazette_bigrams";
/// What follows the last character of a run in its gram: folded text has no gram with a space
/// in it otherwise, and no literal asks for one.
pub const RUN_END: char = ' ';
/// Name under which the tokenizer of the frequent characters is registered in the index.
pub const FREQUENT_CHARS: &str = "gazette_frequent_chars";
/// Name under which the jieba word tokenizer is registered in the index.
pub const JIEBA_WORDS: &str = "gazette_jieba_words";

/// The terms that find a literal in the character view: `(offset, gram)` pairs that, taken as a
/// phrase, match exactly where the folded literal occurs. Empty when the literal folds to nothing.
///
/// Adjacent bigrams overlap by one character, so every second one is enough to cover the literal:
/// 「云台山实验室」 is 云台@0, 山实@2, 验室@4. A run of one character between spaces is that character
/// alone, which [`crate::search::char_query`] finds.
pub fn literal_grams(folded: &[char]) -> Vec<(usize, String)> {
    let mut grams = Vec::new();
    let mut i = 0;
    while i < folded.len() {
        if folded[i] == ' ' {
            i += 1;
            continue;
        }
        let start = i;
        while i < folded.len() && folded[i] != ' ' {
            i += 1;
        }
        let run = &folded[start..i];
        if run.len() == 1 {
            grams.push((start, run[0].to_string()));
            continue;
        }
        let mut offset = 0;
        loop {
            grams.push((start + offset, run[offset..offset + 2].iter().collect()));
            if offset + 2 >= run.len() {
                break;
            }
            offset = (offset + 2).min(run.len() - 2);
        }
    }
    grams
}

/// How many bigrams ([`Gram::Bigram`]) a text in its matching form gives, as the tokenizer that
/// indexes them counts them: the length tantivy records for the text. Every adjacent pair of
/// characters but those with a space, counted without writing the grams out.
pub fn bigram_count(folded: &str) -> u64 {
    let mut chars = folded.chars();
    let Some(mut before) = chars.next() else {
        return 0;
    };
    let mut count = 0;
    for c in chars {
        count += u64::from(before != ' ' && c != ' ');
        before = c;
    }
    count
}

/// How many grams a [`GramTokenizer`] of `gram` gives for a text in its matching form: the
/// length tantivy would record for it as a field norm. Covering grams are one for each character
/// but a space.
pub fn gram_count(gram: Gram, folded: &str) -> u64 {
    match gram {
        Gram::Bigram => bigram_count(folded),
        Gram::Covering => folded.chars().filter(|&c| c != ' ').count() as u64,
    }
}

/// Which grams a [`GramTokenizer`] gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gram {
    /// Every adjacent pair of characters, none across a space: phrases of them find literals of
    /// two characters or more.
    Bigram,
    /// The bigrams, and the last character of each run followed by [`RUN_END`]: every character
    /// starts one gram, so the grams a character starts find it. About one gram more per run
    /// than the bigrams, where a view of single characters would add one per character.
    Covering,
}

/// Character view tokenizer: the grams of a text already in its matching form ([`fold`]),
/// position = index of the character that starts the gram.
///
/// The indexer folds each paragraph once and gives the folded text to every view. tantivy's
/// `NgramTokenizer` puts every gram at position 0, so phrases over it cannot work.
#[derive(Clone)]
pub struct GramTokenizer {
    gram: Gram,
    token: Token,
}

impl GramTokenizer {
    pub fn new(gram: Gram) -> GramTokenizer {
        GramTokenizer {
            gram,
            token: Token::default(),
        }
    }
}

pub struct GramStream<'a> {
    gram: Gram,
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    /// Index of the character that `chars` gives next.
    at: usize,
    token: &'a mut Token,
}

impl Tokenizer for GramTokenizer {
    type TokenStream<'a> = GramStream<'a>;

    fn token_stream<'a>(&'a mut self, folded: &'a str) -> GramStream<'a> {
        self.token.reset();
        GramStream {
            gram: self.gram,
            chars: folded.chars().peekable(),
            at: 0,
            token: &mut self.token,
        }
    }
}

impl TokenStream for GramStream<'_> {
    /// Grams in position order, written into the one token buffer.
    fn advance(&mut self) -> bool {
        while let Some(c) = self.chars.next() {
            let position = self.at;
            self.at += 1;
            if c == ' ' {
                continue;
            }
            self.token.position = position;
            self.token.text.clear();
            self.token.text.push(c);
            match self.chars.peek() {
                Some(&next) if next != ' ' => {
                    self.token.text.push(next);
                    return true;
                }
                _ if self.gram == Gram::Covering => {
                    self.token.text.push(RUN_END);
                    return true;
                }
                _ => {}
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// The frequent characters of a text already in its matching form, one token per occurrence
/// (the index counts them per paragraph), positions in order but unused.
#[derive(Clone, Default)]
pub struct FrequentCharsTokenizer {
    token: Token,
}

pub struct FrequentCharsStream<'a> {
    chars: std::str::Chars<'a>,
    token: &'a mut Token,
}

impl Tokenizer for FrequentCharsTokenizer {
    type TokenStream<'a> = FrequentCharsStream<'a>;

    fn token_stream<'a>(&'a mut self, folded: &'a str) -> FrequentCharsStream<'a> {
        self.token.reset();
        FrequentCharsStream {
            chars: folded.chars(),
            token: &mut self.token,
        }
    }
}

impl TokenStream for FrequentCharsStream<'_> {
    fn advance(&mut self) -> bool {
        for c in self.chars.by_ref() {
            if is_frequent(c) {
                self.token.position = self.token.position.wrapping_add(1);
                self.token.text.clear();
                self.token.text.push(c);
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// The analyzer of the frequent characters.
pub fn frequent_chars_tokenizer() -> TextAnalyzer {
    TextAnalyzer::builder(FrequentCharsTokenizer::default()).build()
}

/// The word view's analyzer: jieba in its default (not search) mode, so that 云台山 yields the
/// one word 云台山 and not also 台山. The text given to it is already folded, lowercase included,
/// as the query's literals are. Jieba's dictionary loads on the first text tokenized, never on the
/// search path. Only words: jieba gives each punctuation mark and each space as a token of its
/// own, which tells nothing a word would (a mark is in the grams, where a literal finds it).
pub fn words_tokenizer() -> TextAnalyzer {
    TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::with_search_mode(false))
        .filter(WordsOnly)
        .build()
}

/// Whether jieba's token is a word: it holds a letter, an ideograph or a digit. The ASCII and
/// CJK ranges are tried first, which nearly every token starts with: Unicode's tables are a
/// search of their own for each character, on every token of the corpus.
fn is_word(token: &str) -> bool {
    token.chars().any(|c| {
        c.is_ascii_alphanumeric()
            || ('\u{4E00}'..='\u{9FFF}').contains(&c)
            || (!c.is_ascii() && c.is_alphanumeric())
    })
}

/// Drops the tokens that are not words ([`is_word`]).
#[derive(Clone)]
struct WordsOnly;

impl TokenFilter for WordsOnly {
    type Tokenizer<T: Tokenizer> = WordsOnlyTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> WordsOnlyTokenizer<T> {
        WordsOnlyTokenizer(tokenizer)
    }
}

#[derive(Clone)]
struct WordsOnlyTokenizer<T>(T);

impl<T: Tokenizer> Tokenizer for WordsOnlyTokenizer<T> {
    type TokenStream<'a> = WordsOnlyStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        WordsOnlyStream(self.0.token_stream(text))
    }
}

struct WordsOnlyStream<S>(S);

impl<S: TokenStream> TokenStream for WordsOnlyStream<S> {
    fn advance(&mut self) -> bool {
        while self.0.advance() {
            if is_word(&self.0.token().text) {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

/// The character view's analyzer for `gram`.
pub fn grams_tokenizer(gram: Gram) -> TextAnalyzer {
    TextAnalyzer::builder(GramTokenizer::new(gram)).build()
}

/// For tests: an index in memory of one field, `grams`, holding the character view of each of
/// `texts` (one paragraph each) with positions, in two segments: the first ends after paragraph
/// `first_segment_ends`.
#[cfg(test)]
pub(crate) fn grams_index(
    texts: &[String],
    first_segment_ends: usize,
) -> (tantivy::Index, tantivy::schema::Field) {
    use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
    let mut builder = Schema::builder();
    let field = builder.add_text_field(
        "grams",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(COVERING_GRAMS)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        ),
    );
    let index = tantivy::Index::create_in_ram(builder.build());
    index
        .tokenizers()
        .register(COVERING_GRAMS, grams_tokenizer(Gram::Covering));
    let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
    for (k, text) in texts.iter().enumerate() {
        let mut doc = tantivy::TantivyDocument::default();
        doc.add_text(field, text);
        writer.add_document(doc).unwrap();
        if k == first_segment_ends {
            writer.commit().unwrap();
        }
    }
    writer.commit().unwrap();
    (index, field)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(gram: Gram, text: &str) -> Vec<(usize, String)> {
        let mut tokenizer = GramTokenizer::new(gram);
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push((stream.token().position, stream.token().text.clone()));
        }
        out
    }

    #[test]
    fn emits_grams_at_character_positions() {
        assert_eq!(
            tokens(Gram::Bigram, "蜜雪a"),
            vec![(0, "蜜雪".into()), (1, "雪a".into())]
        );
        assert_eq!(
            tokens(Gram::Covering, "蜜雪a"),
            vec![(0, "蜜雪".into()), (1, "雪a".into()), (2, "a ".into())]
        );
    }

    /// The grams counted are the tokens of the tokenizer, whatever the text.
    #[test]
    fn counts_the_grams_the_tokenizer_gives() {
        for text in [
            "蜜雪a",
            "ab cd",
            "a cd",
            " ",
            "",
            "第一章总则 第一条",
            "x",
            "  a  bc ",
            "甲 乙",
            "a",
            " a",
            "ab ",
            "a  b",
        ] {
            for gram in [Gram::Bigram, Gram::Covering] {
                assert_eq!(
                    gram_count(gram, text),
                    tokens(gram, text).len() as u64,
                    "{text:?} {gram:?}"
                );
            }
        }
        assert_eq!(bigram_count("第一章总则 第一条"), 6);
        assert_eq!(gram_count(Gram::Covering, "第一章总则 第一条"), 8);
    }

    #[test]
    fn keeps_no_gram_across_a_space_between_latin_words() {
        assert_eq!(
            tokens(Gram::Bigram, "ab cd"),
            vec![(0, "ab".into()), (3, "cd".into())]
        );
        // Every character starts one gram: a run of one character is its character and a space.
        assert_eq!(
            tokens(Gram::Covering, "a cd"),
            vec![(0, "a ".into()), (2, "cd".into()), (3, "d ".into())]
        );
        assert_eq!(tokens(Gram::Covering, " "), vec![]);
    }

    #[test]
    fn gives_each_occurrence_of_a_frequent_character_and_nothing_else() {
        let mut tokenizer = FrequentCharsTokenizer::default();
        let mut stream = tokenizer.token_stream("发展的蜜雪 a的");
        let mut out = String::new();
        while stream.advance() {
            out.push_str(&stream.token().text);
        }
        let expected: String = "发展的蜜雪 a的"
            .chars()
            .filter(|&c| is_frequent(c))
            .collect();
        assert_eq!(out, expected);
        assert_eq!(out.matches('的').count(), 2);
    }

    #[test]
    fn the_word_view_holds_words_and_no_punctuation_or_space() {
        let words = |text: &str| {
            let mut analyzer = words_tokenizer();
            let mut stream = analyzer.token_stream(text);
            let mut words = Vec::new();
            while stream.advance() {
                words.push(stream.token().text.clone());
            }
            words
        };
        assert_eq!(words("发展经济，保护环境。"), ["发展", "经济", "保护环境"]);
        // A number with its point and sign stays one word; the marks and the space between
        // 「」 and around it go.
        assert_eq!(words("「增长3.5%」 gdp"), ["增长", "3.5%", "gdp"]);
        assert!(words("。，、——[] ").is_empty());
    }

    #[test]
    fn each_word_is_a_piece_of_the_folded_text_it_was_cut_from() {
        // A search counts a paragraph whose word view holds a literal as holding the literal
        // (`crate::search::phrase::CoverPhrase::with_word`): each word must be the folded text
        // between its offsets, as the grams read it. The committed gazette, folded as the
        // indexer folds it, with traditional script, Latin, digits and marks.
        let gazette = include_str!("../../corpus/焦作市人民政府公报_2025年第1号.txt");
        let extra = "運動發展基金管理會 GDP增長3.5% 中华人民共和国成立75周年，「高质量发展」";
        let mut analyzer = words_tokenizer();
        let mut seen = 0;
        for line in gazette.lines().chain([extra]) {
            let (folded, _) = crate::text::fold::fold_with_drops(line);
            let mut stream = analyzer.token_stream(&folded);
            while stream.advance() {
                let token = stream.token();
                assert_eq!(
                    token.text,
                    folded[token.offset_from..token.offset_to],
                    "{line}"
                );
                seen += 1;
            }
        }
        assert!(seen > 1000, "{seen} words");
    }

    #[test]
    fn covers_a_literal_with_every_second_bigram() {
        let chars: Vec<char> = "云台山实验室".chars().collect();
        assert_eq!(
            literal_grams(&chars),
            vec![(0, "云台".into()), (2, "山实".into()), (4, "验室".into())]
        );
        let chars: Vec<char> = "云台山".chars().collect();
        assert_eq!(
            literal_grams(&chars),
            vec![(0, "云台".into()), (1, "台山".into())]
        );
        let chars: Vec<char> = "蜜".chars().collect();
        assert_eq!(literal_grams(&chars), vec![(0, "蜜".into())]);
    }
}

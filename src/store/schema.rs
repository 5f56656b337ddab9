//! The index schema: one tantivy document per paragraph, its text indexed twice (character grams
//! for recall, jieba words for ranking).
//!
//! What a gazette document says once is indexed and kept once, on its first paragraph, the
//! document's head: the whole citation in [`CITATION`] (with where the head stands in its document
//! and file), the citation fields as terms or columns for filters and the file's [`PATH`] (a filter
//! matches the paragraphs of the heads that hold a value it accepts, and a changed file's
//! paragraphs are deleted so, see `crate::search::runs`), the title. Every paragraph carries only
//! the numbers that sort and filter ([`DATE_KEY`], [`INDEXED_AT`]).
//!
//! A file's paragraphs are added as one batch, which tantivy keeps in one segment in order (and
//! merges keep in order). A file too large to hold in memory is added in parts, a batch each
//! (`crate::ingest::parts`): a document that a part cut goes on in the next batch under a head of
//! its own, which repeats its citation and title. Every head is marked in [`HEAD`], so that a
//! paragraph's head is the last one at or before it in its segment, and its numbers in its
//! document and file are its head's plus how far after its head it stands.

use tantivy::schema::{
    FAST, Field, IndexRecordOption, NumericOptions, STORED, Schema, TextFieldIndexing, TextOptions,
};

use crate::store::headings::HEADINGS;
use crate::store::tokenizers::{BIGRAMS, COVERING_GRAMS, FREQUENT_CHARS, JIEBA_WORDS};

/// Bumped whenever the schema or a tokenizer changes what is stored or indexed.
pub const SCHEMA_VERSION: u32 = 35;

/// The file, as the index names it ([`crate::ingest::display_path`]), on its documents' heads.
pub const PATH: &str = "path";
/// `PATH HASH` ([`source`]): a file with the hash of its content and manifest row, so that a
/// later run can tell an unchanged file from a changed one. On the first paragraph of each batch
/// of the file only: a run reads which files the index holds from these terms, and deletes a
/// file's paragraphs by [`PATH`]. The path first, so that the
/// terms of one folder's files share its name in the term dictionary.
pub const SOURCE: &str = "source";

/// The [`SOURCE`] term of the file `path` whose content and manifest row hash to `hash`.
pub fn source(path: &str, hash: &str) -> String {
    format!("{path} {hash}")
}

/// The path and hash a [`SOURCE`] term holds; the hash holds no space, a path may.
pub fn parse_source(source: &str) -> Option<(&str, &str)> {
    source.rsplit_once(' ')
}
pub const GAZETTE: &str = "gazette";
pub const ISSUE: &str = "issue";
pub const DATE: &str = "date";
pub const REGION: &str = "region";
/// The citation of a document, on its heads only, with where the head stands in its document and
/// its file: a [`crate::store::citations`] value, as a column and not in the store. A search that
/// cites every issue it names (`--all` on a word of gazette names: one for each of a
/// collection's issues) would otherwise decompress a block of text for each, and a hit's head
/// often stands in another block than the hit. `--all` reads it here too: kept in the store as
/// well, so that `--all` could take it from the blocks it decompresses anyway, it saved no
/// measurable time for its bytes (docs/PERFORMANCE.md, round 33).
pub const CITATION: &str = "citation";
/// The manifest's attributes of a document, `name=value` for each, on its heads, as a column:
/// a filter on an attribute walks the values of its name in the column's dictionary, whose
/// blocks read fast. As terms, the keywords of the 行政院公報 (a long value for nearly every
/// item) made a walk of the term dictionary, which steps through a value a byte at a time,
/// slower than grep.
pub const ATTRIBUTES: &str = "attributes";
/// The bigrams of the manifest's attribute values (each value folded), on the heads that carry
/// them, without positions: a filter on an attribute of many values (the keywords) judges only
/// the values ([`ATTRIBUTES`]) of the heads that hold every bigram of what it looks for, not
/// every value. Their places would weigh on the index for nothing: the values judged decide.
pub const ATTRIBUTE_GRAMS: &str = "attribute_grams";
/// The date as a number YYYYMMDD (00 for an unknown month or day; 0 for no date), for sorting.
pub const DATE_KEY: &str = "date_key";
/// The document's title, on its heads, as a column: for names ([`crate::search::names`]), filters
/// (`crate::search::filter`) and `stats`, which read the column's dictionary as they would a
/// field's terms: not indexed as terms as well, which would hold the column's values again.
pub const DOCUMENT: &str = "document";
/// The document number (文号), where the text or the manifest gives one: as [`DOCUMENT`].
pub const DOC_NUMBER: &str = "doc_number";
/// Character view of the 文号 folded, with positions, on each head whose document has one
/// (those that go on with a document too): a filter on it (`docno:`) is a literal of this view,
/// which finds exactly the heads whose 文号 holds it, as the text's grams find paragraphs; the
/// names' view mixes the 文号 with the title, and each head it found had its 文号 read and judged
/// (the 行政院公報's are written in traditional script: 院臺消保字第1040155767號).
pub const DOC_NUMBER_GRAMS: &str = "doc_number_grams";
/// Where the paragraph stands, packed ([`crate::store::place`]): its pages and its section path.
/// Its numbers in the document and in the file are its head's ([`CITATION`]) plus how far after
/// its head it stands.
pub const PLACE: &str = "place";
/// `1` on a document's first paragraph, one per document (see [`crate::search::names`]): its
/// ordinal within its document, which no other paragraph carries.
pub const PARAGRAPH: &str = "paragraph";
/// `1` on every head: a document's first paragraph, and the first of each later batch its
/// paragraphs were added in (a file read in parts).
pub const HEAD: &str = "head";
/// The repaired paragraph as displayed.
pub const TEXT: &str = "text";
/// Where the paragraph's matching form dropped characters (white space between CJK characters,
/// zero-width characters, see [`crate::text::fold::fold`]), on the paragraphs that dropped any:
/// one value per place, [`drop_value`]. Two occurrences stand as many characters farther apart in
/// the text than their positions in the index as the drops between them count; elsewhere a
/// character's position is its place in the text. So positions alone measure a NEAR.
pub const DROPS: &str = "drops";
/// Character view of `text`: its bigrams and the last character of each run, with positions
/// ([`crate::text::fold::Gram::Covering`]).
pub const GRAMS: &str = "grams";
/// The occurrences of the frequent characters of `text` ([`crate::store::frequent`]), counted
/// per paragraph without positions: a one-character literal of one of them reads one posting list.
pub const CHARS: &str = "chars";
/// Word view of `text`.
pub const WORDS: &str = "words";
/// Bigrams of the paragraph's context, its section headings, with positions: for ranking a
/// paragraph under a matching heading higher. Each heading is indexed once where it begins: on
/// the first paragraph of the first run of paragraphs under it ([`SECTION`]), not again on the
/// later runs that keep it (a chapter's heading over each of its sections' runs). Each bigram's
/// term ends with its heading's depth ([`crate::store::headings::depth_tag`]), and where the
/// heading stops heading paragraphs is marked ([`HEADING_END`]). The field norm on a run's first
/// paragraph is still the length of all of the run's headings: the kept ones' length is made up
/// by a padding term ([`crate::store::headings`]).
pub const CONTEXT: &str = "context";
/// On the last paragraph that a heading heads (the last of the last run under it, within its
/// batch): the heading's depth, as [`crate::store::headings::depth_tag`] counts it, one value for
/// each heading that ends there. A heading indexed at depth `d` on paragraph `p` ([`CONTEXT`])
/// heads the paragraphs from `p` to the first at or after `p` marked `d`.
pub const HEADING_END: &str = "heading_end";
/// Whether a paragraph goes on a run of paragraphs under the same headings within a batch (a
/// file, or a part of one; the headings may be none), as a column: 0 on the run's first
/// paragraph, which holds the run's [`CONTEXT`], 1 on the others. A column of one bit per
/// paragraph opens without reading anything (one of small numbers is written block by block,
/// and a search would read every block's header to open it), and a paragraph's run start is
/// the nearest 0 at or before it.
pub const SECTION: &str = "section";
/// The sum of the lengths of a batch's paragraphs' [`CONTEXT`], counted per paragraph as if each
/// held its headings, in binary digits on the batch's first paragraph: the term `i` for each bit
/// `i` set. So the sum over a segment's paragraphs, which BM25 averages by, is the sum of `2^i`
/// times the frequency of `i`, read from a dictionary of a few dozen terms ([`total_bits`]).
pub const CONTEXT_TOTAL: &str = "context_total";
/// Bigrams of the document's title, with positions, on its head only: for ranking the paragraphs
/// of a document whose title matches higher. Its length is in [`TITLE_LENGTH`], not in field
/// norms.
pub const TITLE: &str = "title";
/// How many tokens [`TITLE`] holds on a head, as the field norm id BM25 reads
/// ([`tantivy::fieldnorm::FieldNormReader::fieldnorm_to_id`]), as a column on heads only: field
/// norms would give every paragraph a byte for a field only heads hold.
pub const TITLE_LENGTH: &str = "title_length";
/// Character view of what names a document, on its head only: its title and its document number
/// (文号), two values that no literal crosses. A literal found there finds the document itself
/// (see [`crate::search::names`]). Its length is in [`NAME_LENGTH`], as [`TITLE_LENGTH`].
pub const NAME: &str = "name";
/// How many tokens [`NAME`] holds on a head, as [`TITLE_LENGTH`].
pub const NAME_LENGTH: &str = "name_length";
/// The frequent characters of [`NAME`], each a posting list of its own, as [`CHARS`] of the text:
/// a search of 国 finds the 3,330 documents whose names hold it in one list, rather than in the
/// union of every bigram of a name that 国 starts.
pub const NAME_CHARS: &str = "name_chars";
/// Character view of what names an issue, on each document's head: the gazette's name and the
/// issue's, written together (焦作市人民政府公报2025年第1号), as [`issue_name`] gives them.
pub const ISSUE_NAME: &str = "issue_name";
/// Character view of the issue's own name (2025年第1号, without the gazette's), on each document's
/// head where the issue has one. A search of a word of gazette names (政府) bounds the score of
/// hundreds of thousands of issues by what it covers of each part of their names: the heads whose
/// own name may hold a literal are found here, and the others' names are not read past their
/// first character (see [`crate::search::issues`]).
pub const ISSUE_PART: &str = "issue_part";
/// `1` on a head whose issue's own name holds a traditional character: folded with its
/// neighbours in the whole name, it may convert otherwise than folded alone, as [`ISSUE_PART`]
/// holds it.
pub const ISSUE_CONVERTS: &str = "issue_converts";
/// The issue a document belongs to, on its head: [`issue_key`] as a fast column, so that the heads
/// whose issue name matches are taken as one hit per issue without reading them (see
/// [`crate::search::names`]).
pub const ISSUE_KEY: &str = "issue_key";
/// When the paragraph's file was indexed in this version, in milliseconds since 1970 (UTC), on
/// every paragraph: `--new` and `--indexed-since` filter on it.
pub const INDEXED_AT: &str = "indexed";
/// When the paragraph's file was first indexed, kept when a changed file is indexed again.
pub const FIRST_INDEXED: &str = "first_indexed";

/// The fields, resolved once.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub path: Field,
    pub source: Field,
    pub gazette: Field,
    pub issue: Field,
    pub date: Field,
    pub region: Field,
    pub citation: Field,
    pub attributes: Field,
    pub attribute_grams: Field,
    pub date_key: Field,
    pub document: Field,
    pub doc_number: Field,
    pub doc_number_grams: Field,
    pub place: Field,
    pub paragraph: Field,
    pub head: Field,
    pub text: Field,
    pub drops: Field,
    pub grams: Field,
    pub chars: Field,
    pub words: Field,
    pub context: Field,
    pub section: Field,
    pub context_total: Field,
    pub heading_end: Field,
    pub title: Field,
    pub title_length: Field,
    pub name: Field,
    pub name_chars: Field,
    pub name_length: Field,
    pub issue_name: Field,
    pub issue_key: Field,
    pub issue_part: Field,
    pub issue_converts: Field,
    pub indexed: Field,
    pub first_indexed: Field,
}

pub fn build() -> Schema {
    let mut builder = Schema::builder();
    // Fields only asked whether a paragraph has a term, never scored: no frequencies, no field
    // norms. The citation fields (filters) and the jieba words (a bonus, `--words`).
    let unscored = |tokenizer| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_fieldnorms(false)
                .set_index_option(IndexRecordOption::Basic),
        )
    };
    let citation = unscored("raw");
    builder.add_text_field(PATH, citation.clone());
    builder.add_text_field(SOURCE, citation.clone());
    builder.add_text_field(GAZETTE, citation.clone());
    builder.add_text_field(ISSUE, citation.clone());
    builder.add_text_field(DATE, citation.clone());
    builder.add_text_field(REGION, citation.clone());
    builder.add_u64_field(DATE_KEY, FAST);
    // Columns only, on heads: a search of names checks every title that may hold a NEAR or a
    // boolean from them, and reads the citations of only those it shows; a filter and `stats`
    // read the column's values as they would a field's terms.
    builder.add_text_field(DOC_NUMBER, TextOptions::default().set_fast("raw"));
    builder.add_text_field(DOCUMENT, TextOptions::default().set_fast("raw"));
    builder.add_text_field(ATTRIBUTES, TextOptions::default().set_fast("raw"));
    builder.add_bytes_field(CITATION, FAST);
    builder.add_bytes_field(PLACE, STORED);
    // Markers, only asked which paragraphs hold them: no field norms.
    let marker = NumericOptions::default().set_indexed();
    builder.add_u64_field(PARAGRAPH, marker.clone());
    builder.add_u64_field(HEAD, marker.clone());
    builder.add_u64_field(CONTEXT_TOTAL, marker.clone());
    builder.add_u64_field(HEADING_END, marker.clone());
    builder.add_u64_field(ISSUE_CONVERTS, marker);
    builder.add_text_field(TEXT, STORED);
    builder.add_u64_field(DROPS, FAST);
    builder.add_u64_field(SECTION, FAST);
    builder.add_u64_field(INDEXED_AT, FAST);
    builder.add_u64_field(FIRST_INDEXED, FAST);
    let indexed = |tokenizer, option| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(option),
        )
    };
    builder.add_text_field(
        GRAMS,
        indexed(COVERING_GRAMS, IndexRecordOption::WithFreqsAndPositions),
    );
    // Counted, not placed, and never scored on its own field (a character is scored as the grams
    // it starts are): no positions, no field norms.
    let frequent_chars = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(FREQUENT_CHARS)
            .set_fieldnorms(false)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    builder.add_text_field(CHARS, frequent_chars.clone());
    builder.add_text_field(
        CONTEXT,
        indexed(HEADINGS, IndexRecordOption::WithFreqsAndPositions),
    );
    // Placed, on heads only: no field norms, which are a byte on every paragraph. The title and
    // the names are scored, and their lengths are columns on heads instead ([`TITLE_LENGTH`]); a
    // search of issues' names asks only which heads hold a literal (`crate::search::issues`).
    let headed = |tokenizer| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_fieldnorms(false)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    builder.add_text_field(TITLE, headed(BIGRAMS));
    builder.add_u64_field(TITLE_LENGTH, FAST);
    builder.add_text_field(NAME, headed(COVERING_GRAMS));
    builder.add_text_field(DOC_NUMBER_GRAMS, headed(COVERING_GRAMS));
    builder.add_text_field(ATTRIBUTE_GRAMS, unscored(COVERING_GRAMS));
    builder.add_u64_field(NAME_LENGTH, FAST);
    builder.add_text_field(NAME_CHARS, frequent_chars);
    builder.add_text_field(ISSUE_NAME, headed(COVERING_GRAMS));
    builder.add_text_field(ISSUE_PART, headed(COVERING_GRAMS));
    builder.add_text_field(ISSUE_KEY, TextOptions::default().set_fast("raw"));
    builder.add_text_field(WORDS, unscored(JIEBA_WORDS));
    builder.build()
}

impl Fields {
    /// Resolves the fields of `schema`; `None` when a field is missing (an index built by another
    /// program or another version).
    pub fn resolve(schema: &Schema) -> Option<Fields> {
        let get = |name| schema.get_field(name).ok();
        Some(Fields {
            path: get(PATH)?,
            source: get(SOURCE)?,
            gazette: get(GAZETTE)?,
            issue: get(ISSUE)?,
            date: get(DATE)?,
            region: get(REGION)?,
            citation: get(CITATION)?,
            attributes: get(ATTRIBUTES)?,
            attribute_grams: get(ATTRIBUTE_GRAMS)?,
            date_key: get(DATE_KEY)?,
            document: get(DOCUMENT)?,
            doc_number: get(DOC_NUMBER)?,
            doc_number_grams: get(DOC_NUMBER_GRAMS)?,
            place: get(PLACE)?,
            paragraph: get(PARAGRAPH)?,
            head: get(HEAD)?,
            text: get(TEXT)?,
            drops: get(DROPS)?,
            grams: get(GRAMS)?,
            chars: get(CHARS)?,
            words: get(WORDS)?,
            context: get(CONTEXT)?,
            section: get(SECTION)?,
            context_total: get(CONTEXT_TOTAL)?,
            heading_end: get(HEADING_END)?,
            title: get(TITLE)?,
            title_length: get(TITLE_LENGTH)?,
            name: get(NAME)?,
            name_chars: get(NAME_CHARS)?,
            name_length: get(NAME_LENGTH)?,
            issue_name: get(ISSUE_NAME)?,
            issue_key: get(ISSUE_KEY)?,
            issue_part: get(ISSUE_PART)?,
            issue_converts: get(ISSUE_CONVERTS)?,
            indexed: get(INDEXED_AT)?,
            first_indexed: get(FIRST_INDEXED)?,
        })
    }
}

/// The column that holds the length of `field` (a field's name), for the scored fields that only
/// heads hold; `None` for a field whose length is in tantivy's field norms or is not kept.
pub fn length_column(field: &str) -> Option<&'static str> {
    match field {
        TITLE => Some(TITLE_LENGTH),
        NAME => Some(NAME_LENGTH),
        _ => None,
    }
}

/// The values of [`CONTEXT_TOTAL`] that a batch's first paragraph holds for the batch's sum: the
/// bits set in it.
pub fn total_bits(sum: u64) -> impl Iterator<Item = u64> {
    (0..u64::BITS)
        .filter(move |bit| sum >> bit & 1 == 1)
        .map(u64::from)
}

/// A value of [`DROPS`]: the index of a character of the matching form, and how many characters
/// were dropped right before it.
pub fn drop_value(at: usize, dropped: usize) -> u64 {
    let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    (u64::from(clamp(at)) << 32) | u64::from(clamp(dropped))
}

/// The index and the count of a [`drop_value`].
pub fn drop_of(value: u64) -> (u32, u32) {
    ((value >> 32) as u32, value as u32)
}

/// Separates the parts of an [`issue_key`]; no name holds it.
const KEY_SEPARATOR: char = '\u{1f}';

/// What names an issue: the gazette's name and the issue's, as the cover prints them together
/// (焦作市人民政府公报2025年第1号), with a space only between two letters or digits, which
/// would otherwise run into one word. `None` when neither is known.
pub fn issue_name(gazette: Option<&str>, issue: Option<&str>) -> Option<(String, usize)> {
    match (gazette, issue) {
        (None, None) => None,
        (Some(g), None) => Some((g.to_string(), g.len())),
        (None, Some(i)) => Some((i.to_string(), 0)),
        (Some(g), Some(i)) => Some((format!("{g}{}{i}", issue_name_glue(g, i)), g.len())),
    }
}

/// What [`issue_name`] puts between a gazette's name and an issue's: a space between two
/// letters or digits, else nothing.
pub fn issue_name_glue(gazette: &str, issue: &str) -> &'static str {
    glue_between(gazette.chars().next_back(), issue.chars().next())
}

/// [`issue_name_glue`] from the last character of the gazette's name and the first of the
/// issue's.
pub fn glue_between(last: Option<char>, first: Option<char>) -> &'static str {
    let word =
        |c: Option<char>| c.is_some_and(|c| !crate::text::fold::is_cjk(c) && c.is_alphanumeric());
    if word(last) && word(first) { " " } else { "" }
}

/// One issue: its gazette, its name and its year, which tells apart two issues that reuse a name
/// (第1期 of each year). Not the whole date: the items of one issue of the 行政院公報 carry dates
/// days apart.
pub fn issue_key(gazette: Option<&str>, issue: Option<&str>, date: Option<&str>) -> String {
    let sep = KEY_SEPARATOR.to_string();
    let year = date.map(|d| d.get(..4).unwrap_or(d));
    [gazette, issue, year].map(|v| v.unwrap_or("")).join(&sep)
}

/// True when `key`'s gazette and issue read back as [`issue_key`] was given them: neither held
/// the separator (nor the year).
pub fn issue_key_round_trips(key: &str) -> bool {
    key.matches(KEY_SEPARATOR).count() == 2
}

/// The parts of an [`issue_key`] as bytes, before they are read as text: gazette, issue, and
/// the rest (the year), each empty when missing. The separator is one byte.
pub fn issue_key_byte_parts(key: &[u8]) -> [&[u8]; 3] {
    // Split by hand: a search of a word of gazette names splits every issue's key.
    fn cut(bytes: &[u8]) -> (&[u8], &[u8]) {
        match memchr::memchr(KEY_SEPARATOR as u8, bytes) {
            Some(at) => (&bytes[..at], &bytes[at + 1..]),
            None => (bytes, &[]),
        }
    }
    let (gazette, rest) = cut(key);
    let (issue, rest) = cut(rest);
    [gazette, issue, rest]
}

/// The parts of an [`issue_key`]: gazette, issue, year, each `None` when empty.
pub fn issue_key_parts(key: &str) -> [Option<&str>; 3] {
    let mut parts = key
        .split(KEY_SEPARATOR)
        .map(|p| (!p.is_empty()).then_some(p));
    [(); 3].map(|_| parts.next().flatten())
}

/// Where a document comes from: what its head paragraph holds for all its paragraphs.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Citation {
    /// The file, as the index names it.
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gazette: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The document's title.
    pub document: String,
    /// The document number (文号).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_number: Option<String>,
    /// Page of the issue where the document starts: from the 目录, else where its first paragraph
    /// starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u64>,
    /// Manifest columns other than the known ones.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub attributes: std::collections::BTreeMap<String, String>,
    /// When this version of the file was indexed, in milliseconds since 1970 (UTC).
    #[serde(default)]
    pub indexed: u64,
    /// When the file was first indexed, in milliseconds since 1970 (UTC).
    #[serde(default)]
    pub first_indexed: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path may hold spaces, the hash none: the last space parts them.
    #[test]
    fn a_source_term_gives_back_its_path_and_hash() {
        for path in [
            "a.txt",
            "gazettes/2025 第1期/焦作 公报.txt",
            " lead",
            "trail ",
        ] {
            let term = source(path, "0123456789abcdef0123456789abcdef");
            assert_eq!(
                parse_source(&term),
                Some((path, "0123456789abcdef0123456789abcdef"))
            );
        }
        assert_eq!(parse_source("nospace"), None);
    }

    #[test]
    fn an_issue_key_splits_into_its_three_parts() {
        let key = |gazette, issue, date| issue_key(gazette, issue, date).into_bytes();
        let parts = |key: &[u8]| -> [String; 3] {
            issue_key_byte_parts(key).map(|part| String::from_utf8(part.to_vec()).unwrap())
        };
        assert_eq!(
            parts(&key(
                Some("焦作市人民政府公报"),
                Some("2025年第3期"),
                Some("2025-03-01")
            )),
            ["焦作市人民政府公报", "2025年第3期", "2025"]
        );
        assert_eq!(parts(&key(None, Some("第1期"), None)), ["", "第1期", ""]);
        assert_eq!(
            parts(&key(Some("公报"), None, Some("2024"))),
            ["公报", "", "2024"]
        );
        assert_eq!(parts(b""), ["", "", ""]);
        assert_eq!(parts("甲".as_bytes()), ["甲", "", ""]);
        // A separator past the year stays in the last part.
        let sep = KEY_SEPARATOR;
        assert_eq!(
            parts(format!("甲{sep}乙{sep}2025{sep}丙").as_bytes()),
            ["甲", "乙", &format!("2025{sep}丙")]
        );
    }
}

//! MATCH: where a character stands in a segment, for [`crate::search::char_query`]: the posting
//! list of a frequent character, walked where it lies, or the postings of every gram that a
//! rarer one starts, tallied into a count per paragraph.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::index::InvertedIndexReader;
use tantivy::postings::{Postings, SegmentPostings, TermInfo};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Searcher, SegmentReader, TERMINATED, Term};

use crate::search::held;
use crate::store::terms::Span;

/// The occurrences of one character in each paragraph of a segment that holds it, walked with a
/// cursor ([`CharCounts::first`], [`CharCounts::next`]): an index into the paragraphs of
/// [`CharCounts::Sorted`], a paragraph of [`CharCounts::Tallied`].
pub(super) enum CharCounts {
    /// A character in few of the segment's paragraphs: them in order, with their counts.
    Sorted { docs: Vec<DocId>, counts: Vec<u32> },
    /// A common character: a byte for each paragraph of the segment.
    Tallied(Tally),
}

/// A count for each paragraph of a segment in a byte, 0 where the character is not. A character
/// tallied is in one paragraph of sixteen or more (内 in one of thirteen in ../shared/corpus), and
/// the tally is memory new to the process, whose pages' first touches are most of the work: the
/// smallest count that holds nearly every paragraph's, walked where it lies rather than copied
/// into a list of the paragraphs.
pub(super) struct Tally {
    bytes: Vec<u8>,
    /// The counts of [`SPILLED`] or more, by paragraph.
    spilled: HashMap<DocId, u32>,
    /// The paragraphs that hold the character, and its occurrences in them, counted by
    /// [`Tally::finish`].
    len: u32,
    occurrences: u64,
}

/// A byte that says the count is in [`Tally::spilled`].
const SPILLED: u8 = u8::MAX;

/// A character whose grams have fewer postings than a segment's paragraphs over this has them
/// sorted together; a more common one's are added up in a byte for each paragraph.
const SPARSE_BELOW: u64 = 16;

impl Tally {
    fn new(paragraphs: DocId) -> Tally {
        // Zeroed by writing, not by the allocator: the kernel maps pages it zeroes for a read
        // without a copy of their own, and the first count written to each then faults again,
        // stopping the other threads' cores to flush its mapping.
        #[allow(clippy::slow_vector_initialization)]
        let mut bytes = Vec::with_capacity(paragraphs as usize);
        bytes.resize(paragraphs as usize, 0);
        Tally {
            bytes,
            spilled: HashMap::new(),
            len: 0,
            occurrences: 0,
        }
    }

    /// Adds `count` to `doc`'s. No branch on whether the paragraph was counted before, which
    /// half of a common character's postings would mispredict: the paragraphs are counted once
    /// all are added ([`Tally::finish`]).
    #[inline]
    fn add(&mut self, doc: DocId, count: u32) {
        let byte = &mut self.bytes[doc as usize];
        let sum = u32::from(*byte).saturating_add(count);
        if sum < u32::from(SPILLED) {
            *byte = sum as u8;
        } else {
            self.spill(doc, count);
        }
    }

    #[cold]
    fn spill(&mut self, doc: DocId, count: u32) {
        let byte = &mut self.bytes[doc as usize];
        let before = match *byte {
            SPILLED => self.spilled.get(&doc).copied().unwrap_or(0),
            byte => u32::from(byte),
        };
        *byte = SPILLED;
        self.spilled.insert(doc, before.saturating_add(count));
    }

    /// Counts the paragraphs that hold the character and its occurrences, once every posting is
    /// added: a count of them all then reads no paragraph's byte again.
    fn finish(mut self) -> Tally {
        let (mut held, mut sum) = (0u64, 0u64);
        for &byte in &self.bytes {
            held += u64::from(byte != 0);
            sum += u64::from(byte);
        }
        for &count in self.spilled.values() {
            sum = sum - u64::from(SPILLED) + u64::from(count);
        }
        self.len = held as u32;
        self.occurrences = sum;
        self
    }

    fn count(&self, doc: DocId) -> u32 {
        match self.bytes.get(doc as usize) {
            Some(&SPILLED) => self.spilled.get(&doc).copied().unwrap_or(0),
            Some(&byte) => u32::from(byte),
            None => 0,
        }
    }

    /// The first paragraph at or after `from` that holds the character, else the segment's
    /// end: eight bytes at a time, since a character just common enough to be tallied is in
    /// one paragraph of sixteen.
    fn holding_from(&self, from: usize) -> usize {
        let Some(rest) = self.bytes.get(from..) else {
            return self.bytes.len();
        };
        let mut chunks = rest.chunks_exact(8);
        let mut at = from;
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("chunks of 8"));
            if word != 0 {
                return at + word.trailing_zeros() as usize / 8;
            }
            at += 8;
        }
        match chunks.remainder().iter().position(|&byte| byte != 0) {
            Some(k) => at + k,
            None => self.bytes.len(),
        }
    }
}

impl CharCounts {
    /// One loop over the postings of the grams `c` starts into a per-paragraph tally, written out
    /// flat because it is the hot path of a common character without postings of its own.
    pub(super) fn read_grams(
        segment: &SegmentReader,
        field: Field,
        c: char,
    ) -> tantivy::Result<CharCounts> {
        let Some(inverted) = held::inverted(segment, field)? else {
            return Ok(CharCounts::Sorted {
                docs: Vec::new(),
                counts: Vec::new(),
            });
        };
        let max_doc = segment.max_doc();
        let infos = grams_of(&inverted, c)?;
        let postings = infos
            .iter()
            .map(|info| u64::from(info.doc_freq))
            .sum::<u64>();
        if postings * SPARSE_BELOW <= u64::from(max_doc) {
            let mut pairs: Vec<(DocId, u32)> = Vec::with_capacity(postings as usize);
            each_posting(&inverted, &infos, |doc, count| pairs.push((doc, count)))?;
            pairs.sort_unstable_by_key(|&(doc, _)| doc);
            let mut docs: Vec<DocId> = Vec::with_capacity(pairs.len());
            let mut counts: Vec<u32> = Vec::with_capacity(pairs.len());
            for (doc, count) in pairs {
                if docs.last() == Some(&doc) {
                    *counts.last_mut().expect("a count for each paragraph") += count;
                } else {
                    docs.push(doc);
                    counts.push(count);
                }
            }
            return Ok(CharCounts::Sorted { docs, counts });
        }
        let mut tally = Tally::new(max_doc);
        each_posting(&inverted, &infos, |doc, count| tally.add(doc, count))?;
        Ok(CharCounts::Tallied(tally.finish()))
    }

    /// How many paragraphs hold the character.
    pub(super) fn len(&self) -> u32 {
        match self {
            CharCounts::Sorted { docs, .. } => docs.len() as u32,
            CharCounts::Tallied(tally) => tally.len,
        }
    }

    /// The character's occurrences in all the paragraphs.
    pub(super) fn occurrences(&self) -> u64 {
        match self {
            CharCounts::Sorted { counts, .. } => counts.iter().map(|&count| u64::from(count)).sum(),
            CharCounts::Tallied(tally) => tally.occurrences,
        }
    }

    /// Each paragraph that holds the character, in order, with its count.
    pub(super) fn for_each(&self, f: &mut dyn FnMut(DocId, u32)) {
        match self {
            CharCounts::Sorted { docs, counts } => {
                for (&doc, &count) in docs.iter().zip(counts) {
                    f(doc, count);
                }
            }
            CharCounts::Tallied(tally) => {
                let mut at = tally.holding_from(0);
                while at < tally.bytes.len() {
                    f(at as DocId, tally.count(at as DocId));
                    at = tally.holding_from(at + 1);
                }
            }
        }
    }

    /// The cursor on the first paragraph.
    pub(super) fn first(&self) -> usize {
        match self {
            CharCounts::Sorted { .. } => 0,
            CharCounts::Tallied(tally) => tally.holding_from(0),
        }
    }

    /// The cursor past the last paragraph.
    pub(super) fn end(&self) -> usize {
        match self {
            CharCounts::Sorted { docs, .. } => docs.len(),
            CharCounts::Tallied(tally) => tally.bytes.len(),
        }
    }

    /// The paragraph at the cursor, `TERMINATED` past the last.
    pub(super) fn doc(&self, at: usize) -> DocId {
        match self {
            CharCounts::Sorted { docs, .. } => docs.get(at).copied().unwrap_or(TERMINATED),
            CharCounts::Tallied(tally) if at < tally.bytes.len() => at as DocId,
            CharCounts::Tallied(_) => TERMINATED,
        }
    }

    /// The occurrences of the character in the paragraph at the cursor.
    pub(super) fn count(&self, at: usize) -> u32 {
        match self {
            CharCounts::Sorted { counts, .. } => counts.get(at).copied().unwrap_or(0),
            CharCounts::Tallied(tally) => tally.count(at as DocId),
        }
    }

    /// The cursor on the next paragraph.
    pub(super) fn next(&self, at: usize) -> usize {
        match self {
            CharCounts::Sorted { docs, .. } => (at + 1).min(docs.len()),
            CharCounts::Tallied(tally) => tally.holding_from(at + 1),
        }
    }

    /// The cursor on the first paragraph at or after `target`, from `at` on.
    pub(super) fn seek(&self, at: usize, target: DocId) -> usize {
        match self {
            CharCounts::Sorted { docs, .. } => {
                let rest = &docs[at.min(docs.len())..];
                at + rest.partition_point(|&doc| doc < target)
            }
            CharCounts::Tallied(tally) => tally.holding_from(at.max(target as usize)),
        }
    }

    /// About how many paragraphs are left from the cursor on.
    pub(super) fn remaining(&self, at: usize) -> u32 {
        match self {
            CharCounts::Sorted { docs, .. } => docs.len().saturating_sub(at) as u32,
            // In proportion to the paragraphs left: a hint, not a count.
            CharCounts::Tallied(tally) => {
                let left = tally.bytes.len().saturating_sub(at) as u64;
                (u64::from(tally.len) * left / tally.bytes.len().max(1) as u64) as u32
            }
        }
    }
}

/// Each posting of the grams `infos`, a block of paragraphs and frequencies at a time, with one
/// reader reset for each gram: most of a character's grams are rare. Generic, so that `add` is
/// inlined into the loop: it runs for every posting of a common character.
fn each_posting(
    inverted: &InvertedIndexReader,
    infos: &[TermInfo],
    mut add: impl FnMut(DocId, u32),
) -> tantivy::Result<()> {
    let Some(first) = infos.first() else {
        return Ok(());
    };
    let mut block =
        inverted.read_block_postings_from_terminfo(first, IndexRecordOption::WithFreqs)?;
    for (k, info) in infos.iter().enumerate() {
        if k > 0 {
            inverted.reset_block_postings_from_terminfo(info, &mut block)?;
        }
        while !block.docs().is_empty() {
            for (&doc, &count) in block.docs().iter().zip(block.freqs()) {
                add(doc, count);
            }
            block.advance();
        }
    }
    Ok(())
}

/// Where the posting list of `c` is in a segment's `chars` field; `None` when no paragraph of
/// the segment holds it.
pub(super) fn term_info(
    segment: &SegmentReader,
    chars: Field,
    c: char,
) -> tantivy::Result<Option<TermInfo>> {
    let term = Term::from_field_text(chars, c.encode_utf8(&mut [0; 4]));
    match held::inverted(segment, chars)? {
        Some(inverted) => Ok(inverted.get_term_info(&term)?),
        None => Ok(None),
    }
}

/// Where the postings of the grams that start with `c` are in a segment's field: the terms that
/// begin with its UTF-8 bytes.
fn grams_of(inverted: &InvertedIndexReader, c: char) -> tantivy::Result<Vec<TermInfo>> {
    let mut bytes = [0; 4];
    let mut grams = Span::prefix(c.encode_utf8(&mut bytes).as_bytes()).stream(inverted.terms())?;
    let mut infos = Vec::new();
    while grams.advance() {
        infos.push(grams.value().clone());
    }
    Ok(infos)
}

/// The postings of the grams that `c` starts: at least the paragraphs that hold it, at most its
/// occurrences.
pub(super) fn postings(searcher: &Searcher, field: Field, c: char) -> tantivy::Result<u64> {
    let mut total = 0;
    for segment in searcher.segment_readers() {
        let Some(inverted) = held::inverted(segment, field)? else {
            continue;
        };
        total += grams_of(&inverted, c)?
            .iter()
            .map(|info| u64::from(info.doc_freq))
            .sum::<u64>();
    }
    Ok(total)
}

/// A segment's paragraphs that hold a character, walked in order with the occurrences in each.
pub(super) enum Held {
    /// A frequent character's posting list (`None`: no paragraph of the segment holds it).
    Listed(Option<Box<SegmentPostings>>),
    /// The counts of its grams, and the index of the current paragraph in them.
    Tallied { counts: Arc<CharCounts>, at: usize },
}

impl Held {
    pub(super) fn doc(&self) -> DocId {
        match self {
            Held::Listed(postings) => postings.as_ref().map_or(TERMINATED, |p| p.doc()),
            Held::Tallied { counts, at } => counts.doc(*at),
        }
    }

    pub(super) fn count(&self) -> u32 {
        match self {
            Held::Listed(postings) => postings.as_ref().map_or(0, |p| p.term_freq()),
            Held::Tallied { counts, at } => counts.count(*at),
        }
    }

    pub(super) fn advance(&mut self) -> DocId {
        match self {
            Held::Listed(postings) => postings.as_mut().map_or(TERMINATED, |p| p.advance()),
            Held::Tallied { counts, at } => {
                *at = counts.next(*at);
                counts.doc(*at)
            }
        }
    }

    /// The first paragraph at or after `target`, from the current one on.
    pub(super) fn seek(&mut self, target: DocId) -> DocId {
        if self.doc() >= target {
            return self.doc();
        }
        match self {
            Held::Listed(postings) => postings.as_mut().map_or(TERMINATED, |p| p.seek(target)),
            Held::Tallied { counts, at } => {
                *at = counts.seek(*at, target);
                counts.doc(*at)
            }
        }
    }

    /// Moves past the last paragraph.
    pub(super) fn finish(&mut self) {
        match self {
            Held::Listed(postings) => *postings = None,
            Held::Tallied { counts, at } => *at = counts.end(),
        }
    }

    /// About how many paragraphs are left: a posting list gives its length.
    pub(super) fn remaining(&self) -> u32 {
        match self {
            Held::Listed(postings) => postings.as_ref().map_or(0, |p| p.size_hint()),
            Held::Tallied { counts, at } => counts.remaining(*at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tally of these postings over `paragraphs`, as [`CharCounts::read_grams`] builds one.
    fn tally(paragraphs: DocId, postings: &[(DocId, u32)]) -> CharCounts {
        let mut tally = Tally::new(paragraphs);
        for &(doc, count) in postings {
            tally.add(doc, count);
        }
        CharCounts::Tallied(tally.finish())
    }

    fn walked(counts: &CharCounts) -> Vec<(DocId, u32)> {
        let mut pairs = Vec::new();
        let mut at = counts.first();
        while counts.doc(at) != TERMINATED {
            pairs.push((counts.doc(at), counts.count(at)));
            at = counts.next(at);
        }
        pairs
    }

    #[test]
    fn a_tally_sums_each_paragraphs_counts_past_a_byte() {
        // 3: two grams' 1 and 2; 9: 200 + 60 crosses the byte, then 7 more once spilled;
        // 17: one gram's 1,000; 40: 254, the largest count a byte holds.
        let counts = tally(
            41,
            &[
                (3, 1),
                (9, 200),
                (17, 1000),
                (3, 2),
                (9, 60),
                (40, 254),
                (9, 7),
            ],
        );
        let expected = vec![(3, 3), (9, 267), (17, 1000), (40, 254)];
        assert_eq!(walked(&counts), expected);
        let mut each = Vec::new();
        counts.for_each(&mut |doc, count| each.push((doc, count)));
        assert_eq!(each, expected);
        assert_eq!(
            (counts.len(), counts.occurrences()),
            (4, 3 + 267 + 1000 + 254)
        );
        assert_eq!(counts.count(counts.end()), 0);
    }

    #[test]
    fn a_tally_is_walked_across_its_words_of_eight_paragraphs() {
        // Paragraphs at each place of an eight-byte word, in the remainder past the last whole
        // word, and none after: 0..=7, 8, 15, 16, 23 and 37 of 38.
        let docs = [0, 7, 8, 15, 16, 23, 37];
        let counts = tally(38, &docs.map(|doc| (doc, 1)));
        let found: Vec<DocId> = walked(&counts).iter().map(|&(doc, _)| doc).collect();
        assert_eq!(found, docs);
        let seek = |from: usize, target: DocId| counts.doc(counts.seek(from, target));
        assert_eq!(seek(0, 9), 15);
        assert_eq!(seek(0, 24), 37);
        assert_eq!(seek(16, 2), 16, "a seek never goes back");
        assert_eq!(seek(0, 38), TERMINATED);
        assert_eq!(counts.doc(counts.end()), TERMINATED);
        let empty = tally(5, &[]);
        assert_eq!((empty.len(), empty.doc(empty.first())), (0, TERMINATED));
    }

    #[test]
    fn sorted_and_tallied_counts_walk_alike() {
        let postings = [(2, 1), (5, 300), (6, 2), (30, 1)];
        let sorted = CharCounts::Sorted {
            docs: postings.map(|(doc, _)| doc).to_vec(),
            counts: postings.map(|(_, count)| count).to_vec(),
        };
        let tallied = tally(31, &postings);
        for counts in [&sorted, &tallied] {
            assert_eq!(walked(counts), postings);
            assert_eq!((counts.len(), counts.occurrences()), (4, 304));
            let at = counts.seek(counts.first(), 3);
            assert_eq!((counts.doc(at), counts.count(at)), (5, 300));
            assert!(counts.remaining(at) <= 4);
            assert_eq!(counts.remaining(counts.end()), 0);
        }
    }
}

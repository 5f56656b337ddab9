//! MATCH: where a character stands in a segment, for [`crate::search::char_query`]: the posting
//! list of a frequent character, walked where it lies, or the postings of every gram that a
//! rarer one starts, tallied into a count per paragraph.

use std::cell::RefCell;
use std::sync::Arc;

use tantivy::index::InvertedIndexReader;
use tantivy::postings::{Postings, SegmentPostings, TermInfo};
use tantivy::query::BitSetDocSet;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{BitSet, DocId, DocSet, Searcher, SegmentReader, TERMINATED, Term};

use crate::search::held;

/// The occurrences of one character in each paragraph of a segment that holds it.
pub(super) struct CharCounts {
    /// The paragraphs that hold the character, in order.
    pub(super) docs: Vec<DocId>,
    /// The character's occurrences in each of `docs`.
    pub(super) counts: Vec<u32>,
}

/// A character whose grams have fewer postings than a segment's paragraphs over this has them
/// sorted together; a more common one's are added up in an array of the segment's paragraphs.
const SPARSE_BELOW: u64 = 16;

thread_local! {
    /// The array of a segment's paragraphs, all zero between two reads: zeroing a new one for each
    /// segment and faulting its pages in cost more than the reading.
    static TALLY: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
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
            return Ok(CharCounts {
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
        // Each gram's postings, a block of paragraphs and frequencies at a time, with one reader
        // reset for each gram: most of a character's grams are rare.
        let each_posting = |add: &mut dyn FnMut(DocId, u32)| -> tantivy::Result<()> {
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
        };
        if postings * SPARSE_BELOW <= u64::from(max_doc) {
            let mut pairs: Vec<(DocId, u32)> = Vec::with_capacity(postings as usize);
            each_posting(&mut |doc, count| pairs.push((doc, count)))?;
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
            return Ok(CharCounts { docs, counts });
        }
        TALLY.with_borrow_mut(|tally| {
            if tally.len() < max_doc as usize {
                tally.resize(max_doc as usize, 0);
            }
            let mut held = BitSet::with_max_value(max_doc);
            let read = each_posting(&mut |doc, count| {
                tally[doc as usize] += count;
                held.insert(doc);
            });
            if let Err(err) = read {
                // Left half counted: zero again before the next read.
                tally.clear();
                return Err(err);
            }
            let mut docs = Vec::with_capacity(held.len());
            let mut counts = Vec::with_capacity(held.len());
            let mut held = BitSetDocSet::from(held);
            while held.doc() != TERMINATED {
                let doc = held.doc();
                docs.push(doc);
                counts.push(std::mem::take(&mut tally[doc as usize]));
                held.advance();
            }
            Ok(CharCounts { docs, counts })
        })
    }

    /// Occurrences of the character in `docs[at]`.
    pub(super) fn count_at(&self, at: usize) -> u32 {
        self.counts.get(at).copied().unwrap_or(0)
    }
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

/// Where the postings of the grams that start with `c` are in a segment's field: the terms from
/// its UTF-8 bytes up to them followed by 0xFF, which no UTF-8 text holds.
fn grams_of(inverted: &InvertedIndexReader, c: char) -> tantivy::Result<Vec<TermInfo>> {
    let mut lower = [0; 4];
    let lower = c.encode_utf8(&mut lower).as_bytes().to_vec();
    let mut upper = lower.clone();
    upper.push(0xFF);
    let mut grams = inverted
        .terms()
        .range()
        .ge(&lower)
        .lt(&upper)
        .into_stream()?;
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
            Held::Tallied { counts, at } => counts.docs.get(*at).copied().unwrap_or(TERMINATED),
        }
    }

    pub(super) fn count(&self) -> u32 {
        match self {
            Held::Listed(postings) => postings.as_ref().map_or(0, |p| p.term_freq()),
            Held::Tallied { counts, at } => counts.count_at(*at),
        }
    }

    pub(super) fn advance(&mut self) -> DocId {
        match self {
            Held::Listed(postings) => postings.as_mut().map_or(TERMINATED, |p| p.advance()),
            Held::Tallied { at, .. } => {
                *at += 1;
                self.doc()
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
                let rest = &counts.docs[(*at).min(counts.docs.len())..];
                *at += rest.partition_point(|&doc| doc < target);
                self.doc()
            }
        }
    }

    /// Moves past the last paragraph.
    pub(super) fn finish(&mut self) {
        match self {
            Held::Listed(postings) => *postings = None,
            Held::Tallied { counts, at } => *at = counts.docs.len(),
        }
    }

    /// About how many paragraphs are left: a posting list gives its length.
    pub(super) fn remaining(&self) -> u32 {
        match self {
            Held::Listed(postings) => postings.as_ref().map_or(0, |p| p.size_hint()),
            Held::Tallied { counts, at } => counts.docs.len().saturating_sub(*at) as u32,
        }
    }
}

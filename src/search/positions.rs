//! MATCH: a term's paragraphs with its positions in each, read forwards.
//!
//! tantivy's `SegmentPostings` finds where a paragraph's positions start by adding up the
//! frequencies of the paragraphs before it in its block, at every call, and zeroes the buffer it
//! then fills: for a phrase of common bigrams (中华人民共和国 in a law corpus, a NEAR of two common
//! words) that sum was a fifth of a search. [`BlockPositions`] walks the same posting list with
//! tantivy's block reader and keeps the sum as it goes: the offset of each block's first position
//! comes from the block's total in the skip list, the offset within a block grows with the cursor.
//! The positions are read by tantivy's position reader, from the same files. [`open`] gives a
//! phrase's terms as [`TermPositions`]: read so where the phrase's rarest term is common, and by
//! tantivy's own reader otherwise.

use tantivy::directory::{CompositeFile, FileSlice};
use tantivy::index::SegmentComponent;
use tantivy::positions::PositionReader;
use tantivy::postings::{BlockSegmentPostings, Postings, SegmentPostings, TermInfo};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, SegmentReader, Term};

use crate::search::held;

/// Documents in a block of a posting list (tantivy's `COMPRESSION_BLOCK_SIZE`).
const BLOCK: usize = 128;
/// Bytes of a skip list entry of a field with positions: the block's last document (4), the bit
/// widths of its documents and frequencies (1 + 1), the sum of its frequencies (4), its best
/// field norm and frequency (1 + 1).
const SKIP_ENTRY: usize = 12;

/// The fewest paragraphs of the rarest term of a phrase for which its terms are read with
/// [`BlockPositions`]. Reading them so opens the segment's tables of postings and positions
/// (tantivy's composite files) apart from tantivy's inverted index, which a rare literal's search
/// would spend more time on than on its few paragraphs' sums: in a profile of 多氟多, opening them
/// for every phrase was nearly half of the search.
#[cfg(not(test))]
const BLOCK_READER_FROM: u32 = 1024;
/// The unit tests read every phrase with [`BlockPositions`], so that the phrases of their small
/// indexes test it against tantivy's phrase query (the integration tests keep the threshold).
#[cfg(test)]
const BLOCK_READER_FROM: u32 = 1;

/// The postings of a phrase's `terms` (of one field) in `reader`'s segment, in order; `None` when
/// a term is not there. With `option` `WithFreqsAndPositions`, read with [`BlockPositions`] where
/// the rarest stands in many paragraphs, with tantivy's reader otherwise; with less (a count of
/// one term's occurrences needs its frequencies alone), by tantivy's reader without positions,
/// which opens nothing more.
pub(crate) fn open(
    reader: &SegmentReader,
    terms: &[&Term],
    option: IndexRecordOption,
) -> tantivy::Result<Option<Vec<TermPositions>>> {
    let Some(first) = terms.first() else {
        return Ok(Some(Vec::new()));
    };
    let Some(inverted) = held::inverted(reader, first.field())? else {
        return Ok(None);
    };
    let mut infos = Vec::with_capacity(terms.len());
    for term in terms {
        match inverted.get_term_info(term)? {
            Some(info) => infos.push(info),
            None => return Ok(None),
        }
    }
    let rarest = infos.iter().map(|info| info.doc_freq).min().unwrap_or(0);
    if option.has_positions()
        && rarest >= BLOCK_READER_FROM
        && let Some(files) = PositionFiles::open(reader, first.field())?
    {
        let mut all = Vec::with_capacity(terms.len());
        for (term, info) in terms.iter().zip(&infos) {
            all.push(TermPositions::Blocks(files.term(reader, term, info)?));
        }
        return Ok(Some(all));
    }
    let mut all = Vec::with_capacity(terms.len());
    for info in &infos {
        all.push(TermPositions::Tantivy(
            inverted.read_postings_from_terminfo(info, option)?,
            Vec::new(),
        ));
    }
    Ok(Some(all))
}

/// Keeps the positions `p` of `kept` for which `p + kept_shift` is `o + other_shift` for some
/// position `o` of `other`: both sorted, so one pass over each. A phrase's positions are
/// intersected so, each term's moved to where the others stand.
pub(crate) fn keep_aligned(kept: &mut Vec<u32>, kept_shift: u32, other: &[u32], other_shift: u32) {
    let mut at = 0;
    kept.retain(|&position| {
        let position = position + kept_shift;
        while at < other.len() && other[at] + other_shift < position {
            at += 1;
        }
        at < other.len() && other[at] + other_shift == position
    });
}

/// A term's posting list in one segment with the positions of the paragraph it stands on, read
/// forwards.
pub(crate) enum TermPositions {
    Blocks(BlockPositions),
    /// tantivy's reader, and the positions it last gave.
    Tantivy(SegmentPostings, Vec<u32>),
}

impl TermPositions {
    /// Paragraphs that hold the term.
    pub(crate) fn doc_freq(&self) -> u32 {
        match self {
            TermPositions::Blocks(blocks) => blocks.doc_freq(),
            TermPositions::Tantivy(postings, _) => postings.doc_freq(),
        }
    }

    /// Occurrences of the term in the current paragraph.
    pub(crate) fn term_freq(&self) -> u32 {
        match self {
            TermPositions::Blocks(blocks) => blocks.term_freq(),
            TermPositions::Tantivy(postings, _) => postings.term_freq(),
        }
    }

    /// The term's positions in the current paragraph, in increasing order. Paragraphs must be
    /// asked in the order of the walk.
    pub(crate) fn positions(&mut self) -> &[u32] {
        match self {
            TermPositions::Blocks(blocks) => blocks.positions(),
            TermPositions::Tantivy(postings, positions) => {
                positions.clear();
                postings.positions(positions);
                positions
            }
        }
    }
}

impl DocSet for TermPositions {
    fn advance(&mut self) -> DocId {
        match self {
            TermPositions::Blocks(blocks) => blocks.advance(),
            TermPositions::Tantivy(postings, _) => postings.advance(),
        }
    }

    fn seek(&mut self, target: DocId) -> DocId {
        match self {
            TermPositions::Blocks(blocks) => blocks.seek(target),
            TermPositions::Tantivy(postings, _) => postings.seek(target),
        }
    }

    fn doc(&self) -> DocId {
        match self {
            TermPositions::Blocks(blocks) => blocks.doc(),
            TermPositions::Tantivy(postings, _) => postings.doc(),
        }
    }

    fn size_hint(&self) -> u32 {
        self.doc_freq()
    }
}

/// Where a field's postings and positions are, in one segment: open once, then each term.
struct PositionFiles {
    postings: FileSlice,
    positions: FileSlice,
}

impl PositionFiles {
    /// `None` when `field` has no positions in `reader`'s segment.
    fn open(reader: &SegmentReader, field: Field) -> tantivy::Result<Option<Self>> {
        let postings = CompositeFile::open(&reader.open_read(SegmentComponent::Postings)?)?;
        let positions = CompositeFile::open(&reader.open_read(SegmentComponent::Positions)?)?;
        Ok(postings
            .open_read(field)
            .zip(positions.open_read(field))
            .map(|(postings, positions)| PositionFiles {
                // After the field's count of tokens (a u64), as tantivy's inverted index reads it.
                postings: postings.slice_from(8),
                positions,
            }))
    }

    /// The postings of a term of this field, from its entry in the term dictionary.
    fn term(
        &self,
        reader: &SegmentReader,
        term: &Term,
        info: &TermInfo,
    ) -> tantivy::Result<BlockPositions> {
        let inverted = reader.inverted_index(term.field())?;
        let block =
            inverted.read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
        let skips = match self.skips(info)? {
            Some(skips) => skips,
            // Not the layout of a field with positions: walk the blocks to sum them instead.
            None => skips_by_reading(
                inverted.read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?,
            ),
        };
        let positions = PositionReader::open(
            self.positions
                .slice(info.positions_range.clone())
                .read_bytes()?,
        )?;
        Ok(BlockPositions::new(block, positions, skips))
    }

    /// Each full block's last document and the sum of its frequencies, from the skip list at the
    /// head of the term's postings; `None` when the list is not laid out as a field with
    /// positions lays it out.
    fn skips(&self, info: &TermInfo) -> std::io::Result<Option<Vec<(DocId, u32)>>> {
        let full = info.doc_freq as usize / BLOCK;
        if full == 0 {
            return Ok(Some(Vec::new()));
        }
        let bytes = self
            .postings
            .slice(info.postings_range.clone())
            .read_bytes()?;
        let bytes = bytes.as_slice();
        let Some((length, header)) = vint(bytes) else {
            return Ok(None);
        };
        let Some(skip) = bytes.get(header..header + length) else {
            return Ok(None);
        };
        if skip.len() != full * SKIP_ENTRY {
            return Ok(None);
        }
        Ok(Some(
            skip.chunks_exact(SKIP_ENTRY)
                .map(|entry| {
                    let last = u32::from_le_bytes([entry[0], entry[1], entry[2], entry[3]]);
                    let sum = u32::from_le_bytes([entry[6], entry[7], entry[8], entry[9]]);
                    (last, sum)
                })
                .collect(),
        ))
    }
}

/// tantivy's variable-length integer (`common::VInt`: seven bits a byte, the last byte's high
/// bit set) and its length in bytes.
fn vint(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut value = 0u64;
    for (i, &byte) in bytes.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 != 0 {
            return Some((usize::try_from(value).ok()?, i + 1));
        }
    }
    None
}

/// The skip list's figures, read from the blocks themselves.
fn skips_by_reading(mut block: BlockSegmentPostings) -> Vec<(DocId, u32)> {
    let mut skips = Vec::new();
    while block.block_len() == BLOCK {
        let docs = block.docs();
        skips.push((docs[BLOCK - 1], block.freqs().iter().sum()));
        block.advance();
    }
    skips
}

/// A term's posting list in one segment, walked forwards like tantivy's `SegmentPostings`, with
/// the positions of the paragraph it stands on: the offset of its positions kept as it goes.
pub(crate) struct BlockPositions {
    block: BlockSegmentPostings,
    reader: PositionReader,
    /// Each full block's last document and the sum of its frequencies.
    skips: Vec<(DocId, u32)>,
    /// The block the cursor is in, and the offset of its first position.
    at_block: usize,
    block_start: u64,
    /// The paragraph's index in its block.
    cur: usize,
    /// The frequencies of the block's paragraphs before `summed`, added up.
    summed: usize,
    within: u64,
    positions: Vec<u32>,
}

impl BlockPositions {
    fn new(
        block: BlockSegmentPostings,
        reader: PositionReader,
        skips: Vec<(DocId, u32)>,
    ) -> BlockPositions {
        BlockPositions {
            block,
            reader,
            skips,
            at_block: 0,
            block_start: 0,
            cur: 0,
            summed: 0,
            within: 0,
            positions: Vec::new(),
        }
    }

    /// Paragraphs that hold the term.
    fn doc_freq(&self) -> u32 {
        self.block.doc_freq()
    }

    /// Occurrences of the term in the current paragraph.
    fn term_freq(&self) -> u32 {
        self.block.freq(self.cur)
    }

    /// The term's positions in the current paragraph, in increasing order. Paragraphs must be
    /// asked in the order of the walk (the reader only moves forward).
    fn positions(&mut self) -> &[u32] {
        let freqs = self.block.freqs();
        if self.cur > self.summed {
            self.within += freqs[self.summed..self.cur]
                .iter()
                .map(|&f| u64::from(f))
                .sum::<u64>();
            self.summed = self.cur;
        }
        let count = freqs[self.cur] as usize;
        if self.positions.len() < count {
            self.positions.resize(count, 0);
        }
        let positions = &mut self.positions[..count];
        self.reader.read(self.block_start + self.within, positions);
        // Stored as gaps from the position before, the first from 0.
        let mut at = 0u32;
        for position in positions.iter_mut() {
            at += *position;
            *position = at;
        }
        positions
    }

    /// Moves the cursor to the first block whose last paragraph is at or after `target`, as the
    /// block reader's own skip list does.
    fn follow_blocks(&mut self, target: DocId) {
        while let Some(&(last, sum)) = self.skips.get(self.at_block) {
            if last >= target {
                break;
            }
            self.block_start += u64::from(sum);
            self.at_block += 1;
            self.summed = 0;
            self.within = 0;
        }
    }
}

impl DocSet for BlockPositions {
    fn advance(&mut self) -> DocId {
        if self.cur == BLOCK - 1 {
            self.cur = 0;
            if let Some(&(_, sum)) = self.skips.get(self.at_block) {
                self.block_start += u64::from(sum);
                self.at_block += 1;
            }
            self.summed = 0;
            self.within = 0;
            self.block.advance();
        } else {
            self.cur += 1;
        }
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc() >= target {
            return self.doc();
        }
        // The next paragraph first: a walk that aligns several lists mostly moves by one.
        let next = (self.cur + 1).min(BLOCK - 1);
        if self.block.doc(next) >= target {
            self.cur = next;
            return self.doc();
        }
        self.follow_blocks(target);
        self.cur = self.block.seek(target);
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.block.doc(self.cur)
    }

    fn size_hint(&self) -> u32 {
        self.block.doc_freq()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tokenizers::grams_index;
    use tantivy::postings::{Postings, SegmentPostings};
    use tantivy::{Index, TERMINATED};

    /// An index of `docs` paragraphs over four characters, in two segments: every bigram of them
    /// stands in hundreds of paragraphs (several full blocks), most of them more than once.
    fn index(docs: usize) -> (Index, Field) {
        let mut seed = 11u64;
        let texts: Vec<String> = (0..docs)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                // Lengths from 0 to 60 characters: some paragraphs without a term, some with
                // dozens.
                let length = (seed >> 33) as usize % 61;
                (0..length)
                    .map(|i| ['甲', '乙', '丙', ' '][((seed >> (i % 40)) as usize + i * 7) % 4])
                    .collect()
            })
            .collect();
        grams_index(&texts, docs / 3)
    }

    /// `term`'s postings in `reader` read with [`BlockPositions`], however few its paragraphs.
    fn blocks(reader: &SegmentReader, term: &Term) -> Option<BlockPositions> {
        let files = PositionFiles::open(reader, term.field()).unwrap().unwrap();
        let info = reader
            .inverted_index(term.field())
            .unwrap()
            .get_term_info(term)
            .unwrap()?;
        Some(files.term(reader, term, &info).unwrap())
    }

    fn grams(field: Field) -> Vec<Term> {
        let chars = ['甲', '乙', '丙'];
        let mut terms = Vec::new();
        for a in chars {
            for b in chars.iter().copied().chain([' ']) {
                terms.push(Term::from_field_text(field, &format!("{a}{b}")));
            }
        }
        terms
    }

    /// Every paragraph of `term` with its positions, through tantivy's own reader.
    fn through_tantivy(reader: &SegmentReader, term: &Term) -> Vec<(DocId, Vec<u32>)> {
        let mut all = Vec::new();
        let Some(mut postings) = tantivy_postings(reader, term) else {
            return all;
        };
        while postings.doc() != TERMINATED {
            let mut positions = Vec::new();
            postings.positions(&mut positions);
            all.push((postings.doc(), positions));
            postings.advance();
        }
        all
    }

    fn tantivy_postings(reader: &SegmentReader, term: &Term) -> Option<SegmentPostings> {
        reader
            .inverted_index(term.field())
            .unwrap()
            .read_postings(term, IndexRecordOption::WithFreqsAndPositions)
            .unwrap()
    }

    #[test]
    fn every_paragraph_and_position_as_tantivy_reads_them() {
        let (index, field) = index(3000);
        let searcher = index.reader().unwrap().searcher();
        let mut full_blocks = 0;
        for reader in searcher.segment_readers() {
            for term in grams(field) {
                let expected = through_tantivy(reader, &term);
                let Some(mut ours) = blocks(reader, &term) else {
                    assert!(expected.is_empty());
                    continue;
                };
                full_blocks += ours.skips.len();
                assert_eq!(ours.doc_freq() as usize, expected.len());
                let mut read = Vec::new();
                while ours.doc() != TERMINATED {
                    let freq = ours.term_freq();
                    let positions = ours.positions().to_vec();
                    assert_eq!(positions.len(), freq as usize);
                    read.push((ours.doc(), positions));
                    ours.advance();
                }
                assert_eq!(read, expected, "{term:?}");
            }
        }
        // The lists span blocks, or the offsets of later blocks went untested.
        assert!(full_blocks > 20, "{full_blocks} full blocks");
    }

    /// Seeks to increasing targets, positions asked on some paragraphs only: each landing and
    /// each paragraph's positions as tantivy's reader gives them after the same seeks.
    #[test]
    fn seeks_land_and_read_as_tantivy_does() {
        let (index, field) = index(3000);
        let searcher = index.reader().unwrap().searcher();
        let mut seed = 5u64;
        for reader in searcher.segment_readers() {
            for term in grams(field) {
                for stride in [1u32, 2, 7, 40, 130, 400] {
                    let (Some(mut ours), Some(mut theirs)) =
                        (blocks(reader, &term), tantivy_postings(reader, &term))
                    else {
                        continue;
                    };
                    let mut target = 0;
                    while theirs.doc() != TERMINATED {
                        seed = seed
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        target += 1 + (seed >> 40) as u32 % stride;
                        let landed = ours.seek(target);
                        assert_eq!(landed, theirs.seek(target), "{term:?} at {target}");
                        if landed != TERMINATED && (seed >> 20).is_multiple_of(3) {
                            let mut expected = Vec::new();
                            theirs.positions(&mut expected);
                            assert_eq!(ours.positions(), &expected[..], "{term:?} at {landed}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_skip_list_sums_each_block_as_its_paragraphs_do() {
        let (index, field) = index(3000);
        let searcher = index.reader().unwrap().searcher();
        for reader in searcher.segment_readers() {
            let files = PositionFiles::open(reader, field).unwrap().unwrap();
            let inverted = reader.inverted_index(field).unwrap();
            for term in grams(field) {
                let Some(info) = inverted.get_term_info(&term).unwrap() else {
                    continue;
                };
                let read = skips_by_reading(
                    inverted
                        .read_block_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)
                        .unwrap(),
                );
                assert_eq!(files.skips(&info).unwrap(), Some(read), "{term:?}");
            }
        }
    }

    #[test]
    fn tantivy_variable_length_integers() {
        assert_eq!(vint(&[0x80]), Some((0, 1)));
        assert_eq!(vint(&[0x85, 9]), Some((5, 1)));
        // 300 = 0b10_0101100: 44 first, then 2 with the last byte's bit.
        assert_eq!(vint(&[44, 0x82]), Some((300, 2)));
        assert_eq!(vint(&[44, 2]), None);
        assert_eq!(vint(&[]), None);
    }
}

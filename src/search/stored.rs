//! READ: stored paragraphs, from the index's document store, and their documents' citations,
//! from the heads' column ([`crate::store::schema::CITATION`]).

use std::cell::OnceCell;
use std::collections::HashMap;
use std::sync::Arc;

use tantivy::columnar::BytesColumn;
use tantivy::schema::document::{DeserializeError, DocumentDeserialize, DocumentDeserializer};
use tantivy::schema::{Field as SchemaField, OwnedValue};
use tantivy::{DocAddress, Searcher};

use crate::Error;
use crate::search::Hit;
use crate::search::runs::Starts;
use crate::store::blocks::{Blocks, Borrowed, Cursor};
use crate::store::citations::{self, Start};
use crate::store::place::{Place, Section};
use crate::store::schema::{self, Citation, Fields};
use crate::text::fold::{Folded, fold};
use crate::text::haystack::{Haystack, Needle};

/// A stored paragraph, read for checking and showing.
pub(super) struct Paragraph {
    /// Its document's citation, read from the document's head when it is needed: for a filter
    /// checked on the text, and for a paragraph that is shown.
    pub(super) citation: Option<Arc<Citation>>,
    /// Its place as stored ([`crate::store::place`]), for the section path it ends with, read
    /// only for a paragraph that is shown.
    place: Vec<u8>,
    /// Where the section path starts in `place`; `None` when the place is damaged.
    section_at: Option<usize>,
    /// Ordinal within the document, from 1, and within the file, from 0: its head's plus how far
    /// after its head it stands, known once it is cited ([`Heads::cite`]).
    pub(super) number: u64,
    pub(super) ordinal: u64,
    /// The pages it stands on: where it starts and, when a page end cut it, where it ends.
    pub(super) page: Option<u64>,
    pub(super) page_end: Option<u64>,
    pub(super) text: String,
    /// How the text is searched without folding it, where it can be; otherwise it is folded when
    /// first searched.
    pub(super) haystack: Haystack,
    pub(super) folded: OnceCell<Folded>,
}

impl Paragraph {
    /// A stored paragraph of this text and place; `undropped` when the index says folding
    /// dropped nothing from it.
    fn new(text: Option<String>, place: Option<Vec<u8>>, undropped: bool) -> Paragraph {
        let text = text.unwrap_or_default();
        let place = place.unwrap_or_default();
        // A damaged place reads as none, which citing the paragraph says.
        let (read, section_at) = Place::decode(&place).unzip();
        let read = read.unwrap_or_default();
        Paragraph {
            citation: None,
            place,
            section_at,
            number: 0,
            ordinal: 0,
            page: read.page,
            page_end: read.page_end,
            haystack: Haystack::new(undropped),
            text,
            folded: OnceCell::new(),
        }
    }

    /// A name (a title, an issue's name) to check as a paragraph is checked, with the citation
    /// its filters are checked on.
    pub(super) fn named(text: String, citation: Arc<Citation>) -> Paragraph {
        Paragraph {
            citation: Some(citation),
            place: Vec::new(),
            section_at: None,
            number: 0,
            ordinal: 0,
            page: None,
            page_end: None,
            haystack: Haystack::new(false),
            text,
            folded: OnceCell::new(),
        }
    }

    /// The section path, outermost heading first, in the bytes of its place.
    fn section(&mut self) -> Section {
        let place = std::mem::take(&mut self.place);
        self.section_at
            .and_then(|at| Section::of_place(place, at))
            .unwrap_or_default()
    }

    /// Byte spans of the occurrences of a folded literal.
    pub(super) fn find(&self, literal: &Needle) -> Vec<(usize, usize)> {
        self.haystack.find(&self.text, literal).unwrap_or_else(|| {
            self.folded
                .get_or_init(|| fold(&self.text))
                .find_all(&literal.folded.chars)
        })
    }
}

/// The citations of the documents read so far, with where their heads stand, by the address of
/// their head paragraph, read from their segments' columns; the heads of each segment a
/// paragraph was cited in; and, for a thread that reads a run of the store in order (`--all`),
/// the block it is in ([`Heads::reading`]).
#[derive(Default)]
pub(super) struct Heads {
    /// `None` where the paragraph holds no citation: not a head.
    read: HashMap<DocAddress, Option<Head>>,
    /// Where each segment's documents start, read forwards as paragraphs are asked for in order.
    segments: HashMap<u32, Starts>,
    /// Each segment's column of citations, once opened; `None` where no paragraph has one.
    columns: HashMap<u32, Option<BytesColumn>>,
    value: Vec<u8>,
    in_order: Option<InOrder>,
}

/// The blocks of each segment's store, and where a thread is in them.
struct InOrder {
    blocks: Arc<Vec<Option<Blocks>>>,
    segment: u32,
    cursor: Cursor,
}

/// Paragraphs read in the order of the index from which reading them block by block
/// ([`Heads::reading`]) pays for finding the blocks of every segment first.
const IN_ORDER_FROM: usize = 256;

/// Each segment's store blocks (`None` for a store read through tantivy), when they were found.
pub(super) type StoreBlocks = Option<Arc<Vec<Option<Blocks>>>>;

/// The store blocks for threads that will read `paragraphs` paragraphs in the order of the
/// index; none when they are too few to pay for finding them.
pub(super) fn store_blocks(searcher: &Searcher, paragraphs: usize) -> Result<StoreBlocks, Error> {
    if paragraphs < IN_ORDER_FROM {
        return Ok(None);
    }
    let blocks = searcher
        .segment_readers()
        .iter()
        .map(|segment| Blocks::open(searcher.index(), segment))
        .collect::<Result<_, _>>()?;
    Ok(Some(Arc::new(blocks)))
}

/// What a document's head stores for its paragraphs: where it stands, and the citation.
pub(super) type Head = (Start, Arc<Citation>);

impl Heads {
    /// For a thread that reads paragraphs in the order of the index: block by block where
    /// `blocks` were found ([`store_blocks`]).
    pub(super) fn reading(blocks: &StoreBlocks) -> Heads {
        Heads {
            in_order: blocks.as_ref().map(|blocks| InOrder {
                blocks: Arc::clone(blocks),
                segment: u32::MAX,
                cursor: Cursor::default(),
            }),
            ..Heads::default()
        }
    }

    /// Hands each stored value at `address` to `each`, read block by block; false, handing none,
    /// where this thread does not read so.
    fn read_in_order(
        &mut self,
        address: DocAddress,
        each: impl FnMut(SchemaField, Borrowed<'_>),
    ) -> Result<bool, Error> {
        let Some(in_order) = &mut self.in_order else {
            return Ok(false);
        };
        let Some(Some(blocks)) = in_order.blocks.get(address.segment_ord as usize) else {
            return Ok(false);
        };
        if in_order.segment != address.segment_ord {
            in_order.segment = address.segment_ord;
            in_order.cursor = Cursor::default();
        }
        blocks.each_value(&mut in_order.cursor, address.doc_id, each)?;
        Ok(true)
    }

    /// The paragraph at `address`, without its citation; `undropped` as [`Paragraph::new`] takes
    /// it.
    pub(super) fn paragraph(
        &mut self,
        searcher: &Searcher,
        fields: &Fields,
        address: DocAddress,
        undropped: bool,
    ) -> Result<Paragraph, Error> {
        let (mut text, mut place) = (None, None);
        let read = self.read_in_order(address, |field, value| match value {
            Borrowed::Text(value) if field == fields.text && text.is_none() => {
                text = Some(value.to_string());
            }
            Borrowed::Bytes(value) if field == fields.place && place.is_none() => {
                place = Some(value.to_vec());
            }
            _ => {}
        })?;
        if !read {
            let mut stored: Stored = searcher.doc(address)?;
            text = stored.take_str(fields.text);
            place = stored.take_bytes(fields.place);
        }
        Ok(Paragraph::new(text, place, undropped))
    }

    /// Gives `paragraph`, read from `address`, its document's citation and its numbers in the
    /// document and the file, from its head: the last head at or before it, since a batch's
    /// paragraphs stand together and in order in one segment (see `crate::store::schema`).
    pub(super) fn cite(
        &mut self,
        searcher: &Searcher,
        fields: &Fields,
        address: DocAddress,
        paragraph: &mut Paragraph,
    ) -> Result<(), Error> {
        if paragraph.citation.is_some() {
            return Ok(());
        }
        if paragraph.section_at.is_none() {
            return Err(inconsistent(address, "its place is damaged"));
        }
        let head = self.last_head(searcher, fields, address)?;
        let Some((start, citation)) = self.head(searcher, head)? else {
            return Err(inconsistent(address, "its document's citation is missing"));
        };
        let at = start.after(u64::from(address.doc_id - head.doc_id));
        paragraph.number = at.number;
        paragraph.ordinal = at.ordinal;
        paragraph.citation = Some(citation);
        Ok(())
    }

    /// The start and citation of the head at `head`, read once; `None` when it holds no
    /// citation.
    fn head(&mut self, searcher: &Searcher, head: DocAddress) -> Result<Option<Head>, Error> {
        if let Some(read) = self.read.get(&head) {
            return Ok(read.clone());
        }
        let read = self.column_head(searcher, head)?;
        self.read.insert(head, read.clone());
        Ok(read)
    }

    /// The start and citation at `head` from its segment's column; `None` when it holds none.
    fn column_head(
        &mut self,
        searcher: &Searcher,
        head: DocAddress,
    ) -> Result<Option<Head>, Error> {
        let column = match self.columns.entry(head.segment_ord) {
            std::collections::hash_map::Entry::Occupied(column) => column.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(citation_column(searcher, head.segment_ord)?)
            }
        };
        let Some(column) = column else {
            return Ok(None);
        };
        let Some(ord) = column.ords().first(head.doc_id) else {
            return Ok(None);
        };
        self.value.clear();
        if !column.ord_to_bytes(ord, &mut self.value)? {
            return Ok(None);
        }
        decoded(head, &self.value).map(Some)
    }

    /// The citation of the head at `head`, read from its column without keeping it: for a thread
    /// that cites each of many documents once (`--all` on a word of titles).
    pub(super) fn citation(
        &mut self,
        searcher: &Searcher,
        head: DocAddress,
    ) -> Result<Arc<Citation>, Error> {
        let (_, citation) = self
            .column_head(searcher, head)?
            .ok_or_else(|| inconsistent(head, "a document's citation is missing"))?;
        Ok(citation)
    }

    /// The last head at or before `address` in its segment, from the postings of `head = 1`:
    /// read forwards as far as asked while paragraphs are asked for in order (`--all` reads
    /// tens of thousands, a batch at a time, each batch by a new `Heads`), whole otherwise.
    fn last_head(
        &mut self,
        searcher: &Searcher,
        fields: &Fields,
        address: DocAddress,
    ) -> Result<DocAddress, Error> {
        let starts = match self.segments.entry(address.segment_ord) {
            std::collections::hash_map::Entry::Occupied(starts) => starts.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                let segment = searcher.segment_reader(address.segment_ord);
                slot.insert(Starts::open(segment, fields.head)?)
            }
        };
        // A segment's first paragraph is a head: where no head stands at or before a
        // paragraph, paragraph 0 holds no citation, which citing it says.
        let head = starts.of(address.doc_id)?;
        Ok(DocAddress::new(address.segment_ord, head))
    }
}

/// The citation of the head at `head`: for a few heads read one at a time.
pub(super) fn read_citation(searcher: &Searcher, head: DocAddress) -> Result<Arc<Citation>, Error> {
    Heads::default().citation(searcher, head)
}

/// The start and citation of a [`crate::store::citations`] value read at `head`.
fn decoded(head: DocAddress, value: &[u8]) -> Result<Head, Error> {
    let (citation, start) = citations::decode(value)
        .ok_or_else(|| inconsistent(head, "its document's citation is damaged"))?;
    Ok((start, Arc::new(citation)))
}

/// The column of citations of segment `segment`; `None` where no paragraph has one.
fn citation_column(searcher: &Searcher, segment: u32) -> Result<Option<BytesColumn>, Error> {
    Ok(searcher
        .segment_reader(segment)
        .fast_fields()
        .bytes(schema::CITATION)?)
}

/// The citations of the heads at `heads`, in their order: each segment's column walked once in
/// the order of its terms, not searched for each head. `--all` on a word of gazette names cites
/// each of a collection's issues, about every head of the index.
pub(super) fn citations_of(
    searcher: &Searcher,
    heads: &[DocAddress],
) -> Result<Vec<Arc<Citation>>, Error> {
    let missing = |i: usize| inconsistent(heads[i], "a document's citation is missing");
    let mut cited: Vec<Option<Arc<Citation>>> = vec![None; heads.len()];
    let mut by_segment: Vec<usize> = (0..heads.len()).collect();
    by_segment.sort_unstable_by_key(|&i| heads[i].segment_ord);
    for run in by_segment.chunk_by(|&a, &b| heads[a].segment_ord == heads[b].segment_ord) {
        let Some(column) = citation_column(searcher, heads[run[0]].segment_ord)? else {
            return Err(missing(run[0]));
        };
        let mut ords = Vec::with_capacity(run.len());
        for &i in run {
            let ord = column
                .ords()
                .first(heads[i].doc_id)
                .ok_or_else(|| missing(i))?;
            ords.push((ord, i));
        }
        ords.sort_unstable();
        let sorted: Vec<u64> = ords.iter().map(|&(ord, _)| ord).collect();
        let mut next = ords.iter().map(|&(_, i)| i);
        let mut damaged = None;
        column
            .dictionary()
            .sorted_ords_to_term_cb(&sorted, |value| {
                let Some(i) = next.next() else { return };
                match decoded(heads[i], value) {
                    Ok((_, citation)) => cited[i] = Some(citation),
                    Err(err) => {
                        damaged.get_or_insert(err);
                    }
                }
            })?;
        if let Some(err) = damaged {
            return Err(err);
        }
    }
    cited
        .into_iter()
        .enumerate()
        .map(|(i, citation)| citation.ok_or_else(|| missing(i)))
        .collect()
}

pub(super) fn inconsistent(address: DocAddress, reason: &str) -> Error {
    Error::Inconsistent(format!(
        "paragraph {} of segment {}: {reason}",
        address.doc_id, address.segment_ord
    ))
}

/// A paragraph's stored fields as tantivy's store reader decodes them, for a paragraph read
/// without the blocks ([`Heads::reading`]): tantivy's own document type copies each string into
/// its arena, and a reader copies it out again; this one keeps the strings the store decodes.
pub(super) struct Stored(Vec<(SchemaField, OwnedValue)>);

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
    pub(super) fn take_str(&mut self, field: SchemaField) -> Option<String> {
        self.0.iter_mut().find_map(|(f, value)| match value {
            OwnedValue::Str(text) if *f == field => Some(std::mem::take(text)),
            _ => None,
        })
    }

    /// Takes the first bytes of `field` out.
    pub(super) fn take_bytes(&mut self, field: SchemaField) -> Option<Vec<u8>> {
        self.0.iter_mut().find_map(|(f, value)| match value {
            OwnedValue::Bytes(bytes) if *f == field => Some(std::mem::take(bytes)),
            _ => None,
        })
    }
}

pub(super) fn hit(
    mut paragraph: Paragraph,
    score: f32,
    word_match: bool,
    matches: Vec<(usize, usize)>,
) -> Hit {
    // Every paragraph shown was cited when it was read (`read_checked`, `file_paragraphs`).
    let section = paragraph.section();
    let citation: Arc<Citation> = paragraph.citation.unwrap_or_default();
    Hit {
        page: paragraph.page.or(citation.page),
        page_end: paragraph.page_end,
        citation,
        section,
        paragraph: paragraph.number,
        score,
        word_match,
        matched_in: crate::search::MatchedIn::Text,
        text: paragraph.text,
        matches,
        reference: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::IndexRecordOption;
    use tantivy::{DocSet, TERMINATED, Term};

    /// Every head's citation reads the same from its column one head at a time (a top 10) and
    /// walked in the order of its terms (the issues of `--all`); a head read by a thread that
    /// reads the store in order (`--all`) is cited where its start says.
    #[test]
    fn a_citation_reads_the_same_one_by_one_and_walked() {
        let dir = tempfile::tempdir().unwrap();
        let repo = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let config = crate::indexer::IndexConfig {
            index_dir: dir.path().join("index"),
            inputs: vec![repo.join("corpus"), repo.join("tests/fixtures")],
            ..crate::indexer::IndexConfig::default()
        };
        crate::indexer::run(&config).unwrap();
        let (index, fields) = crate::store::open(&config.index_dir).unwrap();
        let searcher = index.reader().unwrap().searcher();
        let mut heads = Vec::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let term = Term::from_field_u64(fields.head, 1);
            let inverted = segment.inverted_index(fields.head).unwrap();
            let mut postings = inverted
                .read_postings(&term, IndexRecordOption::Basic)
                .unwrap()
                .unwrap();
            while postings.doc() != TERMINATED {
                heads.push(DocAddress::new(ord as u32, postings.doc()));
                postings.advance();
            }
        }
        assert!(heads.len() > 5, "{} heads", heads.len());
        let walked = citations_of(&searcher, &heads).unwrap();
        let blocks = store_blocks(&searcher, usize::MAX).unwrap();
        assert!(blocks.is_some());
        let mut in_order = Heads::reading(&blocks);
        let mut one_by_one = Heads::default();
        for (head, walked) in heads.iter().zip(walked) {
            let (start, column) = one_by_one.head(&searcher, *head).unwrap().unwrap();
            assert_eq!(column, walked, "{head:?}");
            let mut paragraph = in_order
                .paragraph(&searcher, &fields, *head, false)
                .unwrap();
            in_order
                .cite(&searcher, &fields, *head, &mut paragraph)
                .unwrap();
            assert_eq!(paragraph.citation.as_ref(), Some(&column));
            assert_eq!(
                (paragraph.number, paragraph.ordinal),
                (start.number, start.ordinal)
            );
            assert!(start.number >= 1, "{head:?}");
            assert!(!column.path.is_empty());
        }
        // A paragraph that is not a head holds no citation.
        let not_head = DocAddress::new(heads[0].segment_ord, heads[0].doc_id + 1);
        if !heads.contains(&not_head) {
            assert!(one_by_one.head(&searcher, not_head).unwrap().is_none());
        }
    }
}

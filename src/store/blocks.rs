//! A segment's document store read a block at a time, for a thread that reads a run of paragraphs
//! in the order of the index (`--all`).
//!
//! tantivy's store reader finds the block of every document it is asked for in its skip index,
//! then in its cache of decompressed blocks, behind a lock, and decodes the document into values
//! of its own. A thread that reads tens of thousands of paragraphs in order needs none of that: it
//! keeps the block it is in, and goes to the next block when a paragraph is past it.
//!
//! The store's format is tantivy 0.27's (version 2, lz4 blocks):
//! - the file ends with a footer of 28 bytes: the version (u32), where the skip index starts
//!   (u64), the compressor's id (u8; 1 for lz4) and 15 bytes reserved;
//! - the skip index is a list of layers; the last one holds a checkpoint for every block, in
//!   groups: a count, the first document and byte of the group, then each block's documents and
//!   bytes;
//! - a block is the size of its content (u32) and its lz4 block; the content is the documents'
//!   bytes, then where each starts (u32 each), then how many there are (u32);
//! - a document is how many values it stores, then each value's field (u32), type and bytes.
//!
//! Integers are little endian, and counts and lengths tantivy's variable-length integers. A store
//! of another version or compressor is not read here: [`Blocks::open`] gives `None`, and the
//! caller reads through tantivy. A test reads every document of an index both ways.

use std::io;
use std::ops::Range;

use tantivy::HasLen;
use tantivy::directory::{Directory, FileSlice, OwnedBytes};
use tantivy::schema::Field;
use tantivy::{DocId, Index, SegmentReader};

pub(crate) const FOOTER_BYTES: usize = 28;
pub(crate) const DOC_STORE_VERSION: u32 = 2;
pub(crate) const LZ4: u8 = 1;
/// tantivy's type codes of the stored values gazette writes.
const TEXT_CODE: u8 = 0;
const BYTES_CODE: u8 = 4;

/// Where each block of a segment's store is.
pub(crate) struct Blocks {
    /// The store's file, for errors.
    name: String,
    data: FileSlice,
    /// Each block's first document and its bytes in `data`, in order.
    blocks: Vec<(DocId, Range<usize>)>,
}

/// The block a thread is in, decompressed.
#[derive(Default)]
pub(crate) struct Cursor {
    /// The documents of the block it is in.
    block: Option<Range<DocId>>,
    content: Vec<u8>,
    /// Where the documents' offsets start in `content`.
    offsets: usize,
    /// The last block it loaded.
    loaded: Option<usize>,
    /// Compressed bytes read ahead, from where they start in the store's data.
    window: Option<(usize, OwnedBytes)>,
    /// How far past a block the next read goes: doubled while blocks are read one after the
    /// other, none after a jump, so that a run of a common word's paragraphs is read in large
    /// pieces and a rare word's few are read a block at a time.
    ahead: usize,
}

impl Cursor {
    /// True when the block it is in holds `doc`.
    pub(crate) fn holds(&self, doc: DocId) -> bool {
        self.block.as_ref().is_some_and(|docs| docs.contains(&doc))
    }
}

/// The most read past a block at once.
const MOST_AHEAD: usize = 256 * 1024;

/// `err`, saying which file it concerns.
pub(crate) fn named(name: &str, err: io::Error) -> io::Error {
    io::Error::new(err.kind(), format!("{name}: {err}"))
}

pub(crate) fn invalid(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("document store: {what}"),
    )
}

/// tantivy's variable-length integer: seven bits a byte, lowest first, the last byte's high bit
/// set.
fn vint(bytes: &mut &[u8]) -> io::Result<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let Some((&byte, rest)) = bytes.split_first() else {
            break;
        };
        *bytes = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 != 0 {
            return Ok(value);
        }
    }
    Err(invalid("a number runs past its end"))
}

fn take<'a>(bytes: &mut &'a [u8], n: usize) -> io::Result<&'a [u8]> {
    if bytes.len() < n {
        return Err(invalid("a value runs past its end"));
    }
    let (taken, rest) = bytes.split_at(n);
    *bytes = rest;
    Ok(taken)
}

fn u32_at(bytes: &[u8], at: usize) -> io::Result<u32> {
    let four = bytes
        .get(at..at + 4)
        .ok_or_else(|| invalid("an offset past the block's end"))?;
    Ok(u32::from_le_bytes(four.try_into().unwrap_or_default()))
}

/// Where the skip index starts in a store whose body (all but the footer) is `body_len` bytes
/// long, read from its `footer`; `None` when the store is not of the version and compressor read
/// here.
pub(crate) fn skip_index_start(footer: &[u8], body_len: usize) -> io::Result<Option<usize>> {
    if footer.len() != FOOTER_BYTES {
        return Err(invalid("shorter than its footer"));
    }
    let version = u32_at(footer, 0)?;
    let index_at = u64::from_le_bytes(footer[4..12].try_into().unwrap_or_default());
    if version != DOC_STORE_VERSION || footer[12] != LZ4 {
        return Ok(None);
    }
    match usize::try_from(index_at) {
        Ok(at) if at <= body_len => Ok(Some(at)),
        _ => Err(invalid("its skip index starts past its end")),
    }
}

/// Each block's documents and its bytes in the store's data, in order, from the store's skip
/// `index`: every block is a checkpoint of its last layer.
pub(crate) fn checkpoints(index: &[u8]) -> io::Result<Vec<(Range<DocId>, Range<usize>)>> {
    let mut bytes = index;
    let layers = vint(&mut bytes)?;
    let mut ends = Vec::new();
    for _ in 0..layers {
        ends.push(vint(&mut bytes)? as usize);
    }
    let start = ends.len().checked_sub(2).map_or(0, |before| ends[before]);
    let end = ends.last().copied().unwrap_or(0);
    let mut layer = bytes
        .get(start..end)
        .ok_or_else(|| invalid("a layer of its skip index past its end"))?;
    let mut blocks = Vec::new();
    while !layer.is_empty() {
        let count = vint(&mut layer)?;
        if count == 0 {
            continue;
        }
        let mut doc = vint(&mut layer)? as DocId;
        let mut byte = vint(&mut layer)? as usize;
        for _ in 0..count {
            let docs = vint(&mut layer)? as DocId;
            let length = vint(&mut layer)? as usize;
            blocks.push((doc..doc + docs, byte..byte + length));
            doc += docs;
            byte += length;
        }
    }
    Ok(blocks)
}

impl Blocks {
    /// The blocks of `segment`'s store; `None` when the store is not of the version and
    /// compressor read here.
    pub(crate) fn open(index: &Index, segment: &SegmentReader) -> io::Result<Option<Blocks>> {
        let name = format!("{}.store", segment.segment_id().uuid_string());
        let file = index
            .directory()
            .open_read(std::path::Path::new(&name))
            .map_err(io::Error::other)?;
        Blocks::of(name.clone(), file).map_err(|err| named(&name, err))
    }

    fn of(name: String, file: FileSlice) -> io::Result<Option<Blocks>> {
        if file.len() < FOOTER_BYTES {
            return Err(invalid("shorter than its footer"));
        }
        let (body, footer) = file.split_from_end(FOOTER_BYTES);
        let footer = footer.read_bytes()?;
        let Some(index_at) = skip_index_start(footer.as_slice(), body.len())? else {
            return Ok(None);
        };
        let (data, index) = body.split(index_at);
        let blocks: Vec<(DocId, Range<usize>)> = checkpoints(index.read_bytes()?.as_slice())?
            .into_iter()
            .map(|(docs, bytes)| (docs.start, bytes))
            .collect();
        if blocks
            .last()
            .is_some_and(|(_, bytes)| bytes.end > data.len())
        {
            return Err(invalid("a block past its data"));
        }
        Ok(Some(Blocks { name, data, blocks }))
    }

    /// Hands each stored value of `doc` to `each`, in the order stored, borrowed from `cursor`'s
    /// block: `--all` reads a paragraph's text and place, and a head's citation, from tens of
    /// thousands of documents, and copying every value out first was a share of it. On an error,
    /// the values before it have been handed on.
    pub(crate) fn each_value(
        &self,
        cursor: &mut Cursor,
        doc: DocId,
        each: impl FnMut(Field, Borrowed<'_>),
    ) -> io::Result<()> {
        self.doc_bytes(cursor, doc)
            .and_then(|bytes| decode(bytes, each))
            .map_err(|err| named(&self.name, err))
    }

    fn doc_bytes<'c>(&self, cursor: &'c mut Cursor, doc: DocId) -> io::Result<&'c [u8]> {
        if !cursor.holds(doc) {
            let at = self.blocks.partition_point(|(first, _)| *first <= doc);
            let at = at
                .checked_sub(1)
                .ok_or_else(|| invalid("a document before the first block"))?;
            self.load(cursor, at)?;
            if !cursor.holds(doc) {
                return Err(invalid("a document past the last block"));
            }
        }
        let docs = cursor.block.as_ref().expect("loaded");
        let k = (doc - docs.start) as usize;
        let start = u32_at(&cursor.content, cursor.offsets + 4 * k)? as usize;
        let end = if k + 1 < (docs.end - docs.start) as usize {
            u32_at(&cursor.content, cursor.offsets + 4 * (k + 1))? as usize
        } else {
            cursor.offsets
        };
        cursor
            .content
            .get(start..end)
            .ok_or_else(|| invalid("a document past its block"))
    }

    /// Reads and decompresses block `at` into `cursor`.
    fn load(&self, cursor: &mut Cursor, at: usize) -> io::Result<()> {
        let next = cursor.loaded.is_some_and(|last| last + 1 == at);
        cursor.loaded = Some(at);
        cursor.ahead = match next {
            true => (cursor.ahead * 2).clamp(16 * 1024, MOST_AHEAD),
            false => 0,
        };
        cursor.block = None;
        let (first, bytes) = &self.blocks[at];
        let held = cursor.window.as_ref().is_some_and(|(start, window)| {
            *start <= bytes.start && bytes.end <= start + window.len()
        });
        if !held {
            let end = (bytes.end + cursor.ahead).min(self.data.len());
            cursor.window = Some((bytes.start, self.data.read_bytes_slice(bytes.start..end)?));
        }
        let (start, window) = cursor.window.as_ref().expect("read");
        let compressed = &window.as_slice()[bytes.start - start..bytes.end - start];
        let size = u32_at(compressed, 0)? as usize;
        if cursor.content.len() < size {
            cursor.content.resize(size, 0);
        }
        // The reference implementation of lz4 (liblz4's bounds-checked decoder): on gazette's
        // stores it decompresses a fifth faster than lz4_flex, and `--all` on a common word
        // decompresses nearly every block.
        let expected = i32::try_from(size).map_err(|_| invalid("a block larger than lz4 reads"))?;
        let written = lz4::block::decompress_to_buffer(
            &compressed[4..],
            Some(expected),
            &mut cursor.content[..size],
        )
        .map_err(|err| invalid(&err.to_string()))?;
        if written != size || size < 4 {
            return Err(invalid("a block shorter than it says"));
        }
        let count = u32_at(&cursor.content, size - 4)? as usize;
        let offsets = (size - 4)
            .checked_sub(4 * count)
            .ok_or_else(|| invalid("a block's offsets past its start"))?;
        let end = self
            .blocks
            .get(at + 1)
            .map_or(*first + count as DocId, |(next, _)| *next);
        if end - first != count as DocId {
            return Err(invalid(
                "a block with another number of documents than its index says",
            ));
        }
        cursor.offsets = offsets;
        cursor.block = Some(*first..end);
        Ok(())
    }
}

/// A stored value, borrowed from the block that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Borrowed<'a> {
    Text(&'a str),
    Bytes(&'a [u8]),
}

/// A document's stored values: how many, then each one's field, type and bytes; each handed to
/// `each` as it is read.
fn decode(mut bytes: &[u8], mut each: impl FnMut(Field, Borrowed<'_>)) -> io::Result<()> {
    let count = vint(&mut bytes)? as usize;
    for _ in 0..count {
        let field = u32::from_le_bytes(take(&mut bytes, 4)?.try_into().unwrap_or_default());
        let code = take(&mut bytes, 1)?[0];
        let value = match code {
            TEXT_CODE => {
                let length = vint(&mut bytes)? as usize;
                let text = take(&mut bytes, length)?;
                let text =
                    simdutf8::basic::from_utf8(text).map_err(|_| invalid("text not UTF-8"))?;
                Borrowed::Text(text)
            }
            BYTES_CODE => {
                let length = vint(&mut bytes)? as usize;
                Borrowed::Bytes(take(&mut bytes, length)?)
            }
            _ => return Err(invalid("a stored value of a type gazette does not store")),
        };
        each(Field::from_field_id(field), value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::DocAddress;
    use tantivy::schema::OwnedValue;
    use tantivy::schema::document::{DeserializeError, DocumentDeserialize, DocumentDeserializer};

    /// A document's stored values, in the order they were stored.
    type Values = Vec<(Field, OwnedValue)>;

    impl Borrowed<'_> {
        fn to_owned(self) -> OwnedValue {
            match self {
                Borrowed::Text(text) => OwnedValue::Str(text.to_string()),
                Borrowed::Bytes(bytes) => OwnedValue::Bytes(bytes.to_vec()),
            }
        }
    }

    impl Blocks {
        /// The stored values of `doc`, owned.
        fn doc(&self, cursor: &mut Cursor, doc: DocId) -> io::Result<Values> {
            let mut values = Vec::new();
            self.each_value(cursor, doc, |field, value| {
                values.push((field, value.to_owned()))
            })?;
            Ok(values)
        }
    }

    /// A document as tantivy's own reader decodes it.
    #[derive(Debug, PartialEq)]
    struct AsTantivyReads(Values);

    impl DocumentDeserialize for AsTantivyReads {
        fn deserialize<'de, D: DocumentDeserializer<'de>>(
            mut deserializer: D,
        ) -> Result<AsTantivyReads, DeserializeError> {
            let mut values = Vec::new();
            while let Some(value) = deserializer.next_field()? {
                values.push(value);
            }
            Ok(AsTantivyReads(values))
        }
    }

    /// An index, in `dir`, of these folders of the repository.
    fn index_of(dir: &std::path::Path, folders: &[&str]) -> Index {
        let repo = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let config = crate::indexer::IndexConfig {
            index_dir: dir.join("index"),
            inputs: folders.iter().map(|folder| repo.join(folder)).collect(),
            ..crate::indexer::IndexConfig::default()
        };
        crate::indexer::run(&config).unwrap();
        crate::store::open(&config.index_dir).unwrap().0
    }

    /// Every document of every segment, in order and then from the last back, reads as tantivy's
    /// store reader reads it; and a document past the last is an error, not a panic.
    #[test]
    fn reads_every_document_as_tantivy_does() {
        let dir = tempfile::tempdir().unwrap();
        // The seed six times more under other names, for a segment of several blocks.
        let copies = dir.path().join("copies");
        std::fs::create_dir(&copies).unwrap();
        let repo = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let seed = std::fs::read(repo.join("corpus/焦作市人民政府公报_2025年第1号.txt")).unwrap();
        for copy in ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt"] {
            std::fs::write(copies.join(copy), &seed).unwrap();
        }
        let copies = copies.to_str().unwrap();
        let index = index_of(dir.path(), &["corpus", "tests/fixtures", copies]);
        let searcher = index.reader().unwrap().searcher();
        let mut most_blocks = 0;
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let blocks = Blocks::open(&index, segment)
                .unwrap()
                .expect("version 2, lz4");
            most_blocks = most_blocks.max(blocks.blocks.len());
            let want = |doc| -> Values {
                let read: AsTantivyReads = searcher.doc(DocAddress::new(ord as u32, doc)).unwrap();
                read.0
            };
            let mut cursor = Cursor::default();
            for doc in 0..segment.max_doc() {
                assert_eq!(blocks.doc(&mut cursor, doc).unwrap(), want(doc), "{doc}");
            }
            let mut cursor = Cursor::default();
            for doc in (0..segment.max_doc()).rev() {
                assert_eq!(blocks.doc(&mut cursor, doc).unwrap(), want(doc), "{doc}");
            }
            assert!(blocks.doc(&mut cursor, segment.max_doc()).is_err());
        }
        assert!(
            most_blocks > 2,
            "{most_blocks} blocks: too few to test moving between them"
        );
    }

    /// A store whose blocks were damaged (a size that says more than the block holds, lz4 data
    /// changed or cut short) reads each document as an error or as some values: never a panic,
    /// never a read past a buffer. liblz4's bounds-checked decoder is what reads them.
    #[test]
    fn a_damaged_block_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let index = index_of(dir.path(), &["corpus"]);
        let searcher = index.reader().unwrap().searcher();
        let segment = &searcher.segment_readers()[0];
        let name = format!("{}.store", segment.segment_id().uuid_string());
        let file = index
            .directory()
            .open_read(std::path::Path::new(&name))
            .unwrap();
        let whole = file.read_bytes().unwrap().to_vec();
        let ranges: Vec<Range<usize>> = Blocks::of(name.clone(), FileSlice::from(whole.clone()))
            .unwrap()
            .unwrap()
            .blocks
            .into_iter()
            .map(|(_, bytes)| bytes)
            .collect();
        let read_all = |bytes: Vec<u8>| -> usize {
            let blocks = Blocks::of(name.clone(), FileSlice::from(bytes))
                .unwrap()
                .unwrap();
            let mut cursor = Cursor::default();
            (0..segment.max_doc())
                .filter(|&doc| blocks.doc(&mut cursor, doc).is_err())
                .count()
        };
        assert_eq!(read_all(whole.clone()), 0, "the store as written");
        for range in ranges.iter().take(8) {
            // A size larger than what the block decompresses to.
            let mut bigger = whole.clone();
            let size = u32_at(&bigger, range.start).unwrap();
            bigger[range.start..range.start + 4].copy_from_slice(&(size * 2).to_le_bytes());
            assert!(read_all(bigger) > 0, "a size twice the block's");
            // The lz4 data cut short: its last half zeroed.
            let mut cut = whole.clone();
            let half = range.start + 4 + (range.len() - 4) / 2;
            cut[half..range.end].fill(0);
            assert!(read_all(cut) > 0, "lz4 data cut short");
            // Bytes changed here and there: whatever they read as, no panic.
            for step in [3, 17, 101] {
                let mut changed = whole.clone();
                for at in (range.start + 4..range.end).step_by(step) {
                    changed[at] ^= 0xA5;
                }
                read_all(changed);
            }
        }
    }

    #[test]
    fn a_damaged_document_is_an_error() {
        let mut doc = Vec::new();
        doc.push(0x81); // one value
        doc.extend(7u32.to_le_bytes());
        doc.push(TEXT_CODE);
        doc.push(0x85); // five bytes
        doc.extend("云".as_bytes());
        let decoded = |bytes: &[u8]| -> io::Result<Values> {
            let mut values = Vec::new();
            decode(bytes, |field, value| values.push((field, value.to_owned())))?;
            Ok(values)
        };
        assert!(decoded(&doc).is_err(), "runs past its end");
        doc.extend([0xff, 0xfe]);
        assert!(decoded(&doc).is_err(), "not UTF-8");
        let mut fine = vec![0x81];
        fine.extend(7u32.to_le_bytes());
        fine.push(TEXT_CODE);
        fine.push(0x83);
        fine.extend("云".as_bytes());
        assert_eq!(
            decoded(&fine).unwrap(),
            vec![(Field::from_field_id(7), OwnedValue::Str("云".into()))]
        );
        assert!(vint(&mut &[0x01u8, 0x02][..]).is_err(), "no last byte");
    }
}

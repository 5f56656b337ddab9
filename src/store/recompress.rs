//! A finished store's blocks compressed again, by lz4's high-compression mode (lz4 HC).
//!
//! tantivy compresses its store with lz4's fast mode, and offers no other lz4. The high-compression
//! mode writes the same block format, which every lz4 decoder reads (tantivy's lz4_flex, and
//! liblz4 in `crate::store::blocks`) as fast as the fast mode's, in an eighth fewer bytes on
//! gazette's stores, for several times the compression's work (docs/PERFORMANCE.md, issue 21
//! round 31): the store is written once and read by every search. So each store file the indexer
//! finishes (a new segment's, or a merge's) is read back block by block, and each block that lz4
//! HC makes smaller is written in its place; the skip index, the store's footer and tantivy's
//! checksum are written again after them.
//!
//! The file is rewritten in place: no block grows, so each is written at or before where it was
//! read from, never over a block not yet read. A segment's files are written before any commit
//! names the segment, so a run stopped halfway leaves a file no commit lists, which tantivy
//! deletes.
//!
//! A store of another version or compressor, one tantivy's footer does not close, or one whose
//! blocks do not follow each other is left as it was written: it is read as tantivy wrote it.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Mutex;

use tantivy::DocId;
use tantivy::directory::footer::Footer;

use super::blocks::{DOC_STORE_VERSION, FOOTER_BYTES, LZ4, checkpoints, invalid, skip_index_start};

/// lz4 HC's level: the levels below it save two thirds as much, those above it little more for much
/// more work (docs/PERFORMANCE.md has each level measured on ../shared/corpus's store).
const LEVEL: i32 = 3;

/// How tantivy's footer ends: the length of its JSON (u32), then this number (u32).
const FOOTER_MAGIC: u32 = 1337;

/// tantivy's skip index groups this many checkpoints a block in each layer.
const CHECKPOINT_PERIOD: usize = 8;

/// A block's documents and its bytes in the store's data.
type Checkpoint = (Range<DocId>, Range<usize>);

/// The blocks this process has written, by a hash of their bytes. A merge copies its segments'
/// blocks as they are (tantivy stacks stores), and a block already compressed here would come
/// out of lz4 HC the same, for the same work: a large run merges most of its blocks more than
/// once. A block another process wrote is compressed once more; at worst a block whose hash
/// matches by chance keeps the fast mode's bytes, which read the same. A hash is kept for each
/// block of some ten kilobytes written: about a thousandth of the store.
static WRITTEN: Mutex<Option<HashSet<u64>>> = Mutex::new(None);

/// Whether this process wrote a block whose bytes hash to `hash`.
fn written_here(hash: u64) -> bool {
    let written = WRITTEN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    written
        .as_ref()
        .is_some_and(|hashes| hashes.contains(&hash))
}

fn note_written(blocks: impl Iterator<Item = u64>) {
    let mut written = WRITTEN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    written.get_or_insert_with(HashSet::new).extend(blocks);
}

/// Compresses again the blocks of the store at `path`, as tantivy's managed directory wrote it
/// (the store, then tantivy's footer holding the checksum of the store's bytes). Gives how many
/// blocks were compressed again, or `None` when the file was left as written.
pub(crate) fn in_place(path: &Path) -> io::Result<Option<usize>> {
    let file = OpenOptions::new().read(true).write(true).open(path)?;
    let Some(layout) = Layout::read(&file)? else {
        return Ok(None);
    };
    let mut compressed = 0;
    let mut hashes = Vec::with_capacity(layout.blocks.len());
    let mut checksum = crc32fast::Hasher::new();
    let mut written = 0;
    let mut rewritten = Vec::with_capacity(layout.blocks.len());
    let (mut content, mut packed) = (Vec::new(), Vec::new());
    let mut state = HighCompression::new();
    for (docs, bytes) in &layout.blocks {
        let old = read_at(&file, bytes.start, bytes.len())?;
        let old_hash = xxhash_rust::xxh3::xxh3_64(&old);
        let again = !written_here(old_hash);
        let (block, hash) =
            match again && compress_again(&old, &mut state, &mut content, &mut packed)? {
                true => (&packed, xxhash_rust::xxh3::xxh3_64(&packed)),
                false => (&old, old_hash),
            };
        compressed += usize::from(again);
        hashes.push(hash);
        if written != bytes.start || block.len() != old.len() {
            file.write_all_at(block, written as u64)?;
        }
        checksum.update(block);
        rewritten.push((docs.clone(), written..written + block.len()));
        written += block.len();
    }
    let mut tail = skip_index(&rewritten);
    tail.extend_from_slice(&DOC_STORE_VERSION.to_le_bytes());
    tail.extend_from_slice(&(written as u64).to_le_bytes());
    tail.push(LZ4);
    tail.extend_from_slice(&[0; 15]);
    checksum.update(&tail);
    let footer = Footer {
        crc: checksum.finalize(),
        ..layout.footer
    };
    let json = serde_json::to_vec(&footer).map_err(io::Error::other)?;
    tail.extend_from_slice(&json);
    tail.extend_from_slice(&(json.len() as u32).to_le_bytes());
    tail.extend_from_slice(&FOOTER_MAGIC.to_le_bytes());
    file.write_all_at(&tail, written as u64)?;
    file.set_len((written + tail.len()) as u64)?;
    file.sync_data()?;
    note_written(hashes.into_iter());
    Ok(Some(compressed))
}

/// What a store file holds besides its blocks' bytes.
struct Layout {
    footer: Footer,
    /// Its blocks, in order, each starting where the one before it ends, from the file's start.
    blocks: Vec<Checkpoint>,
}

impl Layout {
    /// The layout of the store `file`; `None` when it is not one to compress again.
    fn read(file: &File) -> io::Result<Option<Layout>> {
        let len = file.metadata()?.len() as usize;
        let Some(lengths) = len.checked_sub(8) else {
            return Ok(None);
        };
        let tail = read_at(file, lengths, 8)?;
        let json_len = u32::from_le_bytes(tail[..4].try_into().unwrap_or_default()) as usize;
        let magic = u32::from_le_bytes(tail[4..].try_into().unwrap_or_default());
        let Some(body) = lengths
            .checked_sub(json_len)
            .filter(|_| magic == FOOTER_MAGIC)
        else {
            return Ok(None);
        };
        let Ok(footer) = serde_json::from_slice::<Footer>(&read_at(file, body, json_len)?) else {
            return Ok(None);
        };
        let Some(index_end) = body.checked_sub(FOOTER_BYTES) else {
            return Ok(None);
        };
        let store_footer = read_at(file, index_end, FOOTER_BYTES)?;
        // What does not parse is left for the reader to report, as tantivy wrote it.
        let Ok(Some(index_at)) = skip_index_start(&store_footer, index_end) else {
            return Ok(None);
        };
        let Ok(blocks) = checkpoints(&read_at(file, index_at, index_end - index_at)?) else {
            return Ok(None);
        };
        let mut end = 0;
        for (docs, bytes) in &blocks {
            if bytes.start != end || docs.is_empty() {
                return Ok(None);
            }
            end = bytes.end;
        }
        if blocks.is_empty() || end != index_at {
            return Ok(None);
        }
        Ok(Some(Layout { footer, blocks }))
    }
}

fn read_at(file: &File, at: usize, len: usize) -> io::Result<Vec<u8>> {
    let mut bytes = vec![0; len];
    file.read_exact_at(&mut bytes, at as u64)?;
    Ok(bytes)
}

/// Compresses the store block `old` (its content's size as a u32, then its lz4 block) again into
/// `packed`, in the same layout; true when that made it smaller. `content` holds the block
/// decompressed.
fn compress_again(
    old: &[u8],
    state: &mut HighCompression,
    content: &mut Vec<u8>,
    packed: &mut Vec<u8>,
) -> io::Result<bool> {
    let Some((size, compressed)) = old.split_first_chunk::<4>() else {
        return Err(invalid("a block shorter than its size"));
    };
    let size = u32::from_le_bytes(*size);
    let expected = i32::try_from(size).map_err(|_| invalid("a block larger than lz4 reads"))?;
    content.resize(size as usize, 0);
    let decompressed = lz4::block::decompress_to_buffer(compressed, Some(expected), content)
        .map_err(|err| invalid(&err.to_string()))?;
    if decompressed != content.len() {
        return Err(invalid("a block shorter than it says"));
    }
    // Room for one byte less than the block has: lz4 fails when what it writes does not fit,
    // and the block is kept as it was.
    if old.len() <= 5 {
        return Ok(false);
    }
    packed.resize(old.len() - 1, 0);
    packed[..4].copy_from_slice(&size.to_le_bytes());
    match state.compress(content, &mut packed[4..]) {
        Some(written) => {
            packed.truncate(4 + written);
            Ok(true)
        }
        None => Ok(false),
    }
}

// liblz4's high-compression mode with a state its caller keeps (lz4hc.h), from the library the
// lz4 crate builds and links. The crate's own call allocates a state of 256 KB for every block,
// and the indexer has glibc map every allocation that large afresh (`return_freed_memory` in
// `crate::cli::commands`): a mapping and 64 page faults a block.
unsafe extern "C" {
    fn LZ4_sizeofStateHC() -> std::ffi::c_int;
    fn LZ4_compress_HC_extStateHC(
        state: *mut std::ffi::c_void,
        src: *const std::ffi::c_char,
        dst: *mut std::ffi::c_char,
        src_size: std::ffi::c_int,
        dst_capacity: std::ffi::c_int,
        level: std::ffi::c_int,
    ) -> std::ffi::c_int;
}

/// The state of lz4's high-compression mode, kept from block to block.
struct HighCompression {
    /// `LZ4_sizeofStateHC()` bytes, aligned as lz4hc asks (a pointer's alignment).
    state: Vec<u64>,
}

impl HighCompression {
    fn new() -> HighCompression {
        // SAFETY: asks the library for a constant; no argument, no state.
        let bytes = usize::try_from(unsafe { LZ4_sizeofStateHC() }).unwrap_or(0);
        HighCompression {
            state: vec![0; bytes.div_ceil(8)],
        }
    }

    /// Compresses `src` into `dst`; `None` when it does not fit there.
    fn compress(&mut self, src: &[u8], dst: &mut [u8]) -> Option<usize> {
        let src_size = std::ffi::c_int::try_from(src.len()).ok()?;
        let capacity = std::ffi::c_int::try_from(dst.len()).ok()?;
        // SAFETY: the state is as large as the library says and 8-byte aligned; `src` and `dst`
        // are valid for the sizes given, and the library writes at most `capacity` bytes,
        // giving 0 when the compressed block does not fit.
        let written = unsafe {
            LZ4_compress_HC_extStateHC(
                self.state.as_mut_ptr().cast(),
                src.as_ptr().cast(),
                dst.as_mut_ptr().cast(),
                src_size,
                capacity,
                LEVEL,
            )
        };
        usize::try_from(written).ok().filter(|&n| n > 0)
    }
}

/// A store's skip index over `blocks`, as tantivy 0.27's `SkipIndexBuilder` writes it: the blocks'
/// checkpoints in groups of [`CHECKPOINT_PERIOD`], each group a checkpoint of the layer above,
/// the top layer first, after the list of where each layer ends.
fn skip_index(blocks: &[Checkpoint]) -> Vec<u8> {
    let mut layers: Vec<Layer> = Vec::new();
    for block in blocks {
        let mut carried = Some(block.clone());
        let mut at = 0;
        while let Some(checkpoint) = carried {
            if at == layers.len() {
                layers.push(Layer::default());
            }
            layers[at].pending.push(checkpoint);
            carried = match layers[at].pending.len() >= CHECKPOINT_PERIOD {
                true => layers[at].flush(),
                false => None,
            };
            at += 1;
        }
    }
    let mut carried = None;
    for layer in &mut layers {
        if let Some(checkpoint) = carried {
            layer.pending.push(checkpoint);
        }
        carried = layer.flush();
    }
    let mut index = Vec::new();
    put_vint(&mut index, layers.len() as u64);
    let mut end = 0;
    for layer in layers.iter().rev() {
        end += layer.written.len();
        put_vint(&mut index, end as u64);
    }
    for layer in layers.iter().rev() {
        index.extend_from_slice(&layer.written);
    }
    index
}

/// A layer of the skip index being written: its groups written so far, and the checkpoints of
/// the next.
#[derive(Default)]
struct Layer {
    written: Vec<u8>,
    pending: Vec<Checkpoint>,
}

impl Layer {
    /// Writes the pending group, if any: its count, its first document and byte, then each
    /// checkpoint's documents and bytes. Gives the group's checkpoint in the layer above.
    fn flush(&mut self) -> Option<Checkpoint> {
        let (first, last) = (self.pending.first()?, self.pending.last()?);
        let docs = first.0.start..last.0.end;
        let start = self.written.len();
        put_vint(&mut self.written, self.pending.len() as u64);
        put_vint(&mut self.written, u64::from(first.0.start));
        put_vint(&mut self.written, first.1.start as u64);
        for (docs, bytes) in &self.pending {
            put_vint(&mut self.written, u64::from(docs.end - docs.start));
            put_vint(&mut self.written, bytes.len() as u64);
        }
        self.pending.clear();
        Some((docs, start..self.written.len()))
    }
}

/// tantivy's variable-length integer: seven bits a byte, lowest first, the last byte's high bit
/// set.
fn put_vint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value & 0x7f) as u8);
        value >>= 7;
    }
    out.push(value as u8 | 0x80);
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{STORED, Schema, TEXT, Value};
    use tantivy::store::Compressor;
    use tantivy::{Index, IndexSettings, TantivyDocument};

    /// Paragraphs of gazette-like text, each different, that share phrases as a store's do.
    fn paragraphs(count: usize) -> Vec<String> {
        let phrases = [
            "焦作市人民政府关于",
            "进一步加强",
            "安全生产工作的通知",
            "各县（市）区人民政府，市人民政府各部门：",
            "现将有关事项通知如下。",
            "第二十三条",
            "2025年第1号",
            "多氟多新材料股份有限公司",
            "按照《中华人民共和国安全生产法》的规定，",
            "Article 7 (revised)",
        ];
        let mut state = 0x2545_f491_u64;
        (0..count)
            .map(|i| {
                let mut text = format!("{i}．");
                for _ in 0..(3 + i % 9) {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    text.push_str(phrases[(state % phrases.len() as u64) as usize]);
                }
                text
            })
            .collect()
    }

    /// An index made by tantivy alone, in `dir`, of `texts` stored with `compressor` in blocks
    /// of `block` bytes; gives the path of its store.
    fn tantivy_store(
        dir: &Path,
        texts: &[String],
        compressor: Compressor,
        block: usize,
    ) -> std::path::PathBuf {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT | STORED);
        let settings = IndexSettings {
            docstore_compression: compressor,
            docstore_blocksize: block,
            ..IndexSettings::default()
        };
        let index = Index::builder()
            .schema(schema.build())
            .settings(settings)
            .create_in_dir(dir)
            .unwrap();
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        for t in texts {
            let mut doc = TantivyDocument::default();
            doc.add_text(text, t);
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let stores: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "store"))
            .collect();
        assert_eq!(stores.len(), 1, "one segment");
        stores.into_iter().next().unwrap()
    }

    /// Every stored text of the index in `dir`, in order, read by tantivy.
    fn stored_texts(dir: &Path) -> Vec<String> {
        let index = Index::open_in_dir(dir).unwrap();
        let text = index.schema().get_field("text").unwrap();
        let searcher = index.reader().unwrap().searcher();
        let mut texts = Vec::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            for doc in 0..segment.max_doc() {
                let stored: TantivyDocument = searcher
                    .doc(tantivy::DocAddress::new(ord as u32, doc))
                    .unwrap();
                texts.push(
                    stored
                        .get_first(text)
                        .unwrap()
                        .as_str()
                        .unwrap()
                        .to_string(),
                );
            }
        }
        texts
    }

    /// The blocks of a store file and the bytes of its skip index, as tantivy wrote them.
    fn blocks_and_index(path: &Path) -> (Vec<Checkpoint>, Vec<u8>) {
        let file = File::open(path).unwrap();
        let layout = Layout::read(&file).unwrap().expect("an lz4 store");
        let bytes = std::fs::read(path).unwrap();
        let json_len = u32::from_le_bytes(bytes[bytes.len() - 8..][..4].try_into().unwrap());
        let body = &bytes[..bytes.len() - 8 - json_len as usize];
        let footer = &body[body.len() - FOOTER_BYTES..];
        let index_at = u64::from_le_bytes(footer[4..12].try_into().unwrap()) as usize;
        (
            layout.blocks,
            body[index_at..body.len() - FOOTER_BYTES].to_vec(),
        )
    }

    #[test]
    fn the_skip_index_is_written_as_tantivy_writes_it() {
        // One layer (one block), two (a block a paragraph: 40) and four (1,500: groups of 8
        // take more than 8^3 blocks to make the fourth).
        for (count, block, fewest) in [(5, 16 * 1024, 1), (40, 64, 9), (1500, 16, 8 * 8 * 8 + 1)] {
            let dir = tempfile::tempdir().unwrap();
            let store = tantivy_store(dir.path(), &paragraphs(count), Compressor::Lz4, block);
            let (blocks, index) = blocks_and_index(&store);
            assert!(blocks.len() >= fewest, "{count}: {} blocks", blocks.len());
            assert_eq!(skip_index(&blocks), index, "{count} paragraphs");
        }
    }

    #[test]
    fn a_store_compressed_again_is_smaller_and_reads_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let texts = paragraphs(3000);
        let store = tantivy_store(dir.path(), &texts, Compressor::Lz4, 32 * 1024);
        let before = std::fs::metadata(&store).unwrap().len();
        let (blocks_before, _) = blocks_and_index(&store);
        assert_eq!(in_place(&store).unwrap(), Some(blocks_before.len()));
        let after = std::fs::metadata(&store).unwrap().len();
        assert!(after < before, "{after} bytes against {before}");
        let (blocks_after, index_after) = blocks_and_index(&store);
        assert_eq!(blocks_after.len(), blocks_before.len());
        for ((docs_before, bytes_before), (docs_after, bytes_after)) in
            blocks_before.iter().zip(&blocks_after)
        {
            assert_eq!(docs_before, docs_after);
            assert!(bytes_after.len() <= bytes_before.len());
        }
        assert_eq!(skip_index(&blocks_after), index_after);
        assert_eq!(stored_texts(dir.path()), texts);
        let index = Index::open_in_dir(dir.path()).unwrap();
        assert!(index.validate_checksum().unwrap().is_empty());
        // Met again (as a merge copies it), no block is compressed anew and nothing changes;
        // nor when another process meets it, which compresses each block again.
        let bytes = std::fs::read(&store).unwrap();
        assert_eq!(in_place(&store).unwrap(), Some(0));
        assert_eq!(std::fs::read(&store).unwrap(), bytes);
        *WRITTEN.lock().unwrap() = None;
        assert_eq!(in_place(&store).unwrap(), Some(blocks_after.len()));
        assert_eq!(std::fs::read(&store).unwrap(), bytes);
    }

    /// gazette's own writer ([`crate::store::writing`]) leaves every store it finishes compressed
    /// again: its blocks take fewer bytes than lz4's fast mode makes of the same contents.
    #[test]
    fn the_indexer_writes_stores_compressed_again() {
        let dir = tempfile::tempdir().unwrap();
        let (index, fields) =
            crate::store::open_for_writing(dir.path(), crate::store::schema::build()).unwrap();
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        let texts = paragraphs(3000);
        for t in &texts {
            let mut doc = TantivyDocument::default();
            doc.add_text(fields.text, t);
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let store = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .find(|path| path.extension().is_some_and(|e| e == "store"))
            .unwrap();
        let (blocks, _) = blocks_and_index(&store);
        let bytes = std::fs::read(&store).unwrap();
        let (mut stored, mut fast) = (0, 0);
        for (_, range) in &blocks {
            let block = &bytes[range.clone()];
            let size = u32::from_le_bytes(block[..4].try_into().unwrap());
            let content = lz4::block::decompress(&block[4..], Some(size as i32)).unwrap();
            stored += block.len() - 4;
            fast += lz4::block::compress(&content, None, false).unwrap().len();
        }
        assert!(
            stored * 100 < fast * 95,
            "{stored} bytes against lz4's fast {fast}"
        );
        assert!(index.validate_checksum().unwrap().is_empty());
        let searcher = index.reader().unwrap().searcher();
        let first: TantivyDocument = searcher.doc(tantivy::DocAddress::new(0, 0)).unwrap();
        assert_eq!(
            first.get_first(fields.text).unwrap().as_str(),
            Some(&texts[0][..])
        );
    }

    #[test]
    fn a_store_of_another_compressor_is_left_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let texts = paragraphs(200);
        let store = tantivy_store(dir.path(), &texts, Compressor::None, 16 * 1024);
        let bytes = std::fs::read(&store).unwrap();
        assert_eq!(in_place(&store).unwrap(), None);
        assert_eq!(std::fs::read(&store).unwrap(), bytes);
        assert_eq!(stored_texts(dir.path()), texts);
    }

    #[test]
    fn a_store_whose_skip_index_does_not_parse_is_left_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let store = tantivy_store(dir.path(), &paragraphs(300), Compressor::Lz4, 1024);
        let mut bytes = std::fs::read(&store).unwrap();
        let json_len = u32::from_le_bytes(bytes[bytes.len() - 8..][..4].try_into().unwrap());
        let body = bytes.len() - 8 - json_len as usize;
        let index_at =
            u64::from_le_bytes(bytes[body - FOOTER_BYTES + 4..][..8].try_into().unwrap()) as usize;
        // A count of layers that runs past the index: every byte of it with its high bit clear.
        bytes[index_at..body - FOOTER_BYTES].fill(0x01);
        std::fs::write(&store, &bytes).unwrap();
        assert_eq!(in_place(&store).unwrap(), None);
        assert_eq!(std::fs::read(&store).unwrap(), bytes);
    }

    #[test]
    fn a_file_that_is_not_a_store_is_left_as_written() {
        let dir = tempfile::tempdir().unwrap();
        for bytes in [
            &b""[..],
            b"1234567",
            b"not a store at all, and longer than its footers",
        ] {
            let path = dir.path().join("x.store");
            std::fs::write(&path, bytes).unwrap();
            assert_eq!(in_place(&path).unwrap(), None);
            assert_eq!(std::fs::read(&path).unwrap(), bytes);
        }
    }
}

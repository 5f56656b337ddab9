//! PARTS: a text file too large to hold in memory, read, decoded and parsed a part at a time.
//!
//! A file read whole costs several times its size while it is parsed and indexed (its bytes, its
//! text, its blocks, its paragraphs, their folded views). A file larger than a part
//! ([`PART_BYTES`] unless configured) is read twice as a stream instead: once for its hash, so
//! that an unchanged file is skipped before anything is parsed, and once for its text, cut into
//! parts of about that size where the text can be cut without changing how it parses (between
//! two paragraphs, see [`parse::cuts_cleanly`]). The first part is parsed as a whole file is; each
//! later part goes on with the last document of the part before ([`parse::parse_next`]). The
//! second read hashes the bytes again: a file that changed in between is reported, not indexed
//! as a mix of two versions.
//!
//! No gazette issue comes near a part: the largest file of ../shared/corpus is 313 KB. Files this
//! large are exports, concatenations, or a file without line ends.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use encoding_rs::{Decoder, DecoderResult, Encoding};
use xxhash_rust::xxh3::Xxh3;

use crate::Error;
use crate::ingest::manifest::Metadata;
use crate::ingest::parse::{self, Document, Edges, Issue, Resume};
use crate::ingest::{Loaded, title_from_path, with_metadata};

/// Text of a part, in bytes: a file larger than this is read in parts.
pub const PART_BYTES: u64 = 8 * 1024 * 1024;
/// Bytes read from the file at a time.
const CHUNK_BYTES: usize = 1024 * 1024;

/// A file as its first read found it: the hash of its bytes and its manifest row (as
/// `crate::indexer` hashes a file read whole), and how its bytes are to be decoded.
pub struct Scanned {
    pub hash: String,
    encoding: &'static Encoding,
    /// Bytes of a byte-order mark to skip.
    bom: usize,
    stamp: Stamp,
}

/// A file's size and modification time: when they differ after a read, the file changed.
type Stamp = (u64, Option<std::time::SystemTime>);

fn stamp(path: &Path) -> Result<Stamp, Error> {
    std::fs::metadata(path)
        .map(|m| (m.len(), m.modified().ok()))
        .map_err(|err| Error::unreadable(path, err))
}

/// Reads a file once for its hash and its encoding: UTF-8 (with or without a byte-order mark),
/// UTF-16 with a byte-order mark, or else GB18030, as `crate::ingest::walk::decode` decides on a
/// file read whole. NUL bytes outside UTF-16 mean binary data.
pub fn scan(path: &Path, meta: &Metadata) -> Result<Scanned, Error> {
    let before = stamp(path)?;
    let mut file = File::open(path).map_err(|err| Error::unreadable(path, err))?;
    let mut hasher = Xxh3::new();
    let mut chunk = vec![0; CHUNK_BYTES];
    // Up to 3 bytes of a UTF-8 sequence that the chunk cut.
    let mut carry: Vec<u8> = Vec::new();
    let mut first = true;
    let (mut encoding, mut bom) = (encoding_rs::UTF_8, 0);
    let mut utf8 = true;
    loop {
        let n = read_full(&mut file, &mut chunk).map_err(|err| Error::unreadable(path, err))?;
        let bytes = &chunk[..n];
        hasher.update(bytes);
        if first {
            first = false;
            if let Some((found, length)) = Encoding::for_bom(bytes) {
                (encoding, bom) = (found, length);
            }
        }
        if bom == 0 || encoding == encoding_rs::UTF_8 {
            if memchr::memchr(0, bytes).is_some() {
                return Err(Error::file(path, "binary data (NUL bytes), not text"));
            }
            if utf8 {
                carry.extend_from_slice(bytes);
                match std::str::from_utf8(&carry) {
                    Ok(_) => carry.clear(),
                    Err(err) if err.error_len().is_none() && n > 0 => {
                        carry.drain(..err.valid_up_to());
                    }
                    Err(_) => utf8 = false,
                }
            }
        }
        if n == 0 {
            break;
        }
    }
    if bom == 0 && !utf8 {
        encoding = encoding_rs::GB18030;
    }
    hasher.update(&meta.identity());
    let after = stamp(path)?;
    if before != after {
        return Err(changed(path));
    }
    Ok(Scanned {
        hash: format!("{:032x}", hasher.digest128()),
        encoding,
        bom,
        stamp: after,
    })
}

fn changed(path: &Path) -> Error {
    Error::file(
        path,
        "it changed while it was being read; index it again once it is written",
    )
}

/// Fills `buffer` as far as the file goes; the bytes read (0 at its end).
fn read_full(file: &mut File, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}

/// A file read a part at a time, each part parsed into what the indexer adds as one batch.
pub struct Parts {
    path: PathBuf,
    file: File,
    scanned: Scanned,
    decoder: Decoder,
    hasher: Xxh3,
    chunk: Vec<u8>,
    /// Text decoded and not yet given out as a part.
    text: String,
    /// The last text decoded ended with `\r`: a `\n` that starts the next is the same line end.
    after_cr: bool,
    /// The file's bytes are all read.
    read: bool,
    part_bytes: usize,
    stem: String,
    /// The manifest row, until the first part takes it; then as the hash has it.
    meta: Option<Metadata>,
    meta_identity: Vec<u8>,
    /// Where the parse of the next part goes on from, and what its paragraphs go on with: the
    /// issue and the last document of the parts before (without paragraphs). `None` before the
    /// first part.
    resume: Option<(Resume, Box<Loaded>)>,
}

impl Parts {
    /// Opens `path` for its second read, as [`scan`] found it.
    pub fn open(
        path: &Path,
        scanned: Scanned,
        meta: Metadata,
        part_bytes: u64,
    ) -> Result<Parts, Error> {
        let mut file = File::open(path).map_err(|err| Error::unreadable(path, err))?;
        let mut hasher = Xxh3::new();
        let mut bom = vec![0; scanned.bom];
        file.read_exact(&mut bom)
            .map_err(|err| Error::unreadable(path, err))?;
        hasher.update(&bom);
        Ok(Parts {
            path: path.to_path_buf(),
            file,
            decoder: scanned.encoding.new_decoder_without_bom_handling(),
            scanned,
            hasher,
            chunk: vec![0; CHUNK_BYTES],
            text: String::new(),
            after_cr: false,
            read: false,
            part_bytes: usize::try_from(part_bytes).unwrap_or(usize::MAX).max(1),
            stem: title_from_path(path),
            meta: Some(meta),
            meta_identity: Vec::new(),
            resume: None,
        })
    }

    /// The next part, parsed, with the manifest row applied; `None` after the last.
    pub fn next_part(&mut self) -> Option<Result<Loaded, Error>> {
        self.next_text()
            .map(|text| text.map(|(text, last)| self.parse(&text, last)))
    }

    /// Checks that the second read found the bytes that the first hashed: otherwise the file
    /// changed between them, and what was read of it is a mix.
    pub fn finish(mut self) -> Result<(), Error> {
        // An empty file leaves the row untaken; the hash has it all the same.
        if let Some(meta) = self.meta.take() {
            self.meta_identity = meta.identity();
        }
        self.hasher.update(&self.meta_identity);
        let hash = format!("{:032x}", self.hasher.digest128());
        if hash != self.scanned.hash || stamp(&self.path)? != self.scanned.stamp {
            return Err(changed(&self.path));
        }
        Ok(())
    }

    /// The text of the next part and whether it is the file's last.
    fn next_text(&mut self) -> Option<Result<(String, bool), Error>> {
        while !self.read && self.text.len() < self.part_bytes {
            if let Err(err) = self.fill() {
                return Some(Err(err));
            }
        }
        if self.text.is_empty() {
            return None;
        }
        if self.read && self.text.len() <= self.part_bytes {
            return Some(Ok((std::mem::take(&mut self.text), true)));
        }
        let at = cut(&self.text, self.part_bytes);
        let rest = self.text.split_off(at);
        let part = std::mem::replace(&mut self.text, rest);
        let last = self.read && self.text.trim().is_empty();
        if last {
            self.text.clear();
        }
        Some(Ok((part, last)))
    }

    /// Reads and decodes the next chunk of the file into `text`, with every line end a `\n`.
    fn fill(&mut self) -> Result<(), Error> {
        let n = read_full(&mut self.file, &mut self.chunk)
            .map_err(|err| Error::unreadable(&self.path, err))?;
        self.read = n == 0;
        let bytes = &self.chunk[..n];
        self.hasher.update(bytes);
        let mut decoded = String::new();
        let mut at = 0;
        loop {
            let room = self
                .decoder
                .max_utf8_buffer_length_without_replacement(bytes.len() - at)
                .unwrap_or(bytes.len() * 3 + 16);
            decoded.reserve(room);
            let (result, used) = self.decoder.decode_to_string_without_replacement(
                &bytes[at..],
                &mut decoded,
                self.read,
            );
            at += used;
            match result {
                DecoderResult::InputEmpty => break,
                DecoderResult::OutputFull => continue,
                DecoderResult::Malformed(..) => {
                    let reason = if self.scanned.encoding == encoding_rs::GB18030 {
                        "neither UTF-8 nor GB18030 text".to_string()
                    } else {
                        format!("not valid {} text", self.scanned.encoding.name())
                    };
                    return Err(Error::file(&self.path, reason));
                }
            }
        }
        if self.scanned.encoding == encoding_rs::GB18030 && !looks_like_text(&decoded) {
            return Err(Error::file(&self.path, "binary data, not text"));
        }
        let mut decoded = decoded.as_str();
        if self.after_cr && decoded.starts_with('\n') {
            decoded = &decoded[1..];
        }
        if !decoded.is_empty() {
            self.after_cr = decoded.ends_with('\r');
        }
        if decoded.contains('\r') {
            self.text
                .push_str(&decoded.replace("\r\n", "\n").replace('\r', "\n"));
        } else {
            self.text.push_str(decoded);
        }
        Ok(())
    }

    /// Parses a part: the first as a whole file is parsed, with the manifest row applied; a later
    /// one as the rest of the last document before it.
    fn parse(&mut self, text: &str, last: bool) -> Loaded {
        match self.resume.as_mut() {
            None => {
                let edges = Edges {
                    start: true,
                    end: last,
                };
                let (issue, resume) = parse::parse_first(text, &self.stem, edges);
                let meta = self.meta.take().unwrap_or_default();
                self.meta_identity = meta.identity();
                let loaded = with_metadata(issue, meta, None, Vec::new());
                let document = loaded.issue.documents.last().map_or_else(
                    || Document {
                        title: self.stem.clone(),
                        ..Document::default()
                    },
                    |d| Document {
                        title: d.title.clone(),
                        page: d.page,
                        doc_number: d.doc_number.clone(),
                        paragraphs: Vec::new(),
                    },
                );
                let head = Loaded {
                    issue: Issue {
                        documents: vec![document],
                        ..without_documents(&loaded.issue)
                    },
                    attributes: loaded.attributes.clone(),
                    sources: loaded.sources.clone(),
                    pdf_pages: None,
                    unreadable_pages: Vec::new(),
                };
                self.resume = Some((resume, Box::new(head)));
                loaded
            }
            Some((resume, head)) => {
                let edges = Edges {
                    start: false,
                    end: last,
                };
                let (paragraphs, stats) = parse::parse_next(text, resume, edges);
                let documents = head
                    .issue
                    .documents
                    .iter()
                    .map(|d| Document {
                        title: d.title.clone(),
                        page: d.page,
                        doc_number: d.doc_number.clone(),
                        paragraphs: Vec::new(),
                    })
                    .take(1)
                    .collect::<Vec<_>>();
                let mut loaded = Loaded {
                    issue: Issue {
                        documents,
                        stats,
                        ..without_documents(&head.issue)
                    },
                    attributes: head.attributes.clone(),
                    sources: head.sources.clone(),
                    pdf_pages: None,
                    unreadable_pages: Vec::new(),
                };
                if let Some(document) = loaded.issue.documents.first_mut() {
                    document.paragraphs = paragraphs;
                }
                loaded
            }
        }
    }
}

/// An issue's name, date, region and sources, without its documents or statistics.
fn without_documents(issue: &Issue) -> Issue {
    Issue {
        gazette: issue.gazette.clone(),
        issue: issue.issue.clone(),
        date: issue.date.clone(),
        region: issue.region.clone(),
        sources: issue.sources.clone(),
        ..Issue::default()
    }
}

/// True unless more than 1 in 100 characters are control characters other than line ends and
/// tabs: random bytes can happen to form GB18030, real text has few controls.
fn looks_like_text(text: &str) -> bool {
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    controls * 100 <= text.chars().count()
}

/// Where to cut `text` so that the part before is at most `limit` bytes: at the start of the
/// last line within that which follows a paragraph end cleanly ([`parse::cuts_cleanly`]), a
/// blank line between them first; else at any line's start; else after a sentence end (a file
/// without line ends); else at the last character that fits. Looks back over the second half of
/// the limit only, so that a part is never small.
pub fn cut(text: &str, limit: usize) -> usize {
    let mut limit = limit.min(text.len());
    while !text.is_char_boundary(limit) {
        limit -= 1;
    }
    let mut floor = limit / 2;
    while !text.is_char_boundary(floor) {
        floor -= 1;
    }
    let window = &text[..limit];
    // Line starts in the window, latest first, with the line before each.
    let starts = || {
        memchr::memrchr_iter(b'\n', window.as_bytes())
            .map(|i| i + 1)
            .take_while(move |&i| i > floor)
    };
    let line_at = |start: usize| {
        let end =
            memchr::memchr(b'\n', &text.as_bytes()[start..]).map_or(text.len(), |e| start + e);
        &text[start..end]
    };
    // The last line before `start` that holds more than white space, and whether a blank line
    // stood between.
    let before = |start: usize| {
        let mut gap = false;
        let mut end = start - 1;
        loop {
            let line_start = memchr::memrchr(b'\n', &text.as_bytes()[..end]).map_or(0, |i| i + 1);
            let line = &text[line_start..end];
            if !line.trim().is_empty() || line_start == 0 {
                return (line, gap);
            }
            gap = true;
            end = line_start - 1;
        }
    };
    for want_gap in [true, false] {
        for start in starts() {
            let after = line_at(start);
            if after.trim().is_empty() {
                continue;
            }
            let (line, gap) = before(start);
            if gap == want_gap && parse::cuts_cleanly(line, after) {
                return start;
            }
        }
    }
    if let Some(start) = starts().next() {
        return start;
    }
    let sentence_end = window[floor..]
        .rfind(['。', '！', '？', '；'])
        .map(|i| floor + i + '。'.len_utf8());
    match sentence_end {
        Some(at) if at < text.len() => at,
        _ if limit > 0 => limit,
        // A first character longer than the limit: cut after it.
        _ => text.chars().next().map_or(text.len(), char::len_utf8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_between_two_paragraphs_not_inside_one() {
        let text = "一、总则\n\n第一条 为了规范管理，制定本办法。\n第二条 本办法适用于全市\n范围内的工作。\n";
        // The line 「范围内的工作。」 goes on with the one before (no paragraph end), so the cut
        // is before 「第二条」.
        let at = cut(text, text.len() - 2);
        assert!(text[at..].starts_with("第二条"), "{:?}", &text[at..]);
        // A blank line after a paragraph end comes first: 戊 and 壬 both start a line in the
        // window (the second half of 33 bytes), after a paragraph end.
        let text = "甲乙丙丁。\n\n戊己庚辛。\n壬癸子丑。\n寅卯辰巳";
        let at = cut(text, text.find('壬').unwrap());
        assert!(text[at..].starts_with("戊己"), "{:?}", &text[at..]);
        // Nothing in the first half of the limit: a part is never small.
        let at = cut(text, text.len() - 1);
        assert!(text[at..].starts_with("寅卯"), "{:?}", &text[at..]);
    }

    #[test]
    fn a_text_without_line_ends_is_cut_after_a_sentence_or_a_character() {
        let text = "这是第一句。这是第二句，还没有完";
        let at = cut(text, 27);
        assert_eq!(&text[..at], "这是第一句。");
        let text = "一二三四五六七八九十";
        let at = cut(text, 10);
        assert_eq!(&text[..at], "一二三");
        assert_eq!(cut("一", 1), "一".len());
    }

    #[test]
    fn a_file_changed_between_its_two_reads_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        let text = "第一条 为了规范管理，制定本办法。\n".repeat(2_000);
        std::fs::write(&path, &text).unwrap();
        let meta = Metadata::default();
        // Unchanged: the second read hashes as the first.
        let scanned = scan(&path, &meta).unwrap();
        let mut parts = Parts::open(&path, scanned, meta.clone(), 8 * 1024).unwrap();
        let mut paragraphs = 0;
        while let Some(part) = parts.next_part() {
            paragraphs += part.unwrap().issue.paragraph_count();
        }
        assert_eq!(paragraphs, 2_000);
        parts.finish().unwrap();
        // Rewritten, same size, after the first read.
        let scanned = scan(&path, &meta).unwrap();
        std::fs::write(&path, text.replace("管理", "秩序")).unwrap();
        let mut parts = Parts::open(&path, scanned, meta, 8 * 1024).unwrap();
        while let Some(part) = parts.next_part() {
            part.unwrap();
        }
        let err = parts.finish().unwrap_err().to_string();
        assert!(err.contains("changed while it was being read"), "{err}");
    }
}

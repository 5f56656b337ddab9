//! A document's citation as its head holds it: a value of the column
//! [`crate::store::schema::CITATION`], with where the head stands in its document and its file.
//!
//! `--all` on a word of gazette names cites every issue of a collection, about every head of the
//! index, so a value is read fast and is small: the citation's fields in a fixed order, not JSON
//! with their names. The path comes first and ends with a zero byte, so that the column's
//! dictionary, which sorts the values, shares the prefix of the documents of one folder; the
//! other texts are each preceded by their length. The head's number in its document and in its
//! file come last ([`Start`]): a paragraph's own are its head's plus how far after it it stands.
//!
//! Layout, with lengths and numbers as LEB128 (as `crate::store::place` writes them: seven bits
//! a byte, lowest first, the high bit set on every byte but the last):
//! - the path, then 0;
//! - gazette, issue, date, region: each 0 when missing, else its length + 1 and its bytes;
//! - the document's title: its length and its bytes; the 文号 as the gazette;
//! - the page: 0 when missing, else 1 and the number;
//! - how many attributes, then each name and value: length and bytes;
//! - when indexed and first indexed, in milliseconds;
//! - the head's number in its document (from 1) and in its file (from 0).
//!
//! Changing the layout changes what is indexed: bump
//! [`crate::store::schema::SCHEMA_VERSION`].

use std::collections::BTreeMap;

use crate::store::place;
use crate::store::schema::Citation;

/// Where a head stands: its number in its document, from 1, and in its file, from 0. A
/// document's first paragraph is its head; a document that a file read in parts goes on with
/// has a head again as the first paragraph of each later part (`crate::store::schema::HEAD`).
/// The paragraphs from a head to the next stand together and in order, so the one `k` after it
/// is number `number + k` of the document and `ordinal + k` of the file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Start {
    pub number: u64,
    pub ordinal: u64,
}

impl Start {
    /// Where the paragraph `after` paragraphs after the head stands.
    pub fn after(self, after: u64) -> Start {
        Start {
            number: self.number.saturating_add(after),
            ordinal: self.ordinal.saturating_add(after),
        }
    }
}

/// The value that holds `citation` and its head's `start`; `None` for a path that holds a zero
/// byte, which no file's path does.
pub fn encode(citation: &Citation, start: Start) -> Option<Vec<u8>> {
    if citation.path.as_bytes().contains(&0) {
        return None;
    }
    let mut value = Vec::with_capacity(citation.path.len() + citation.document.len() + 96);
    value.extend_from_slice(citation.path.as_bytes());
    value.push(0);
    for text in [
        &citation.gazette,
        &citation.issue,
        &citation.date,
        &citation.region,
    ] {
        optional_text(&mut value, text.as_deref());
    }
    text(&mut value, &citation.document);
    optional_text(&mut value, citation.doc_number.as_deref());
    match citation.page {
        None => value.push(0),
        Some(page) => {
            value.push(1);
            place::put(&mut value, page);
        }
    }
    place::put(&mut value, citation.attributes.len() as u64);
    for (name, attribute) in &citation.attributes {
        text(&mut value, name);
        text(&mut value, attribute);
    }
    place::put(&mut value, citation.indexed);
    place::put(&mut value, citation.first_indexed);
    place::put(&mut value, start.number);
    place::put(&mut value, start.ordinal);
    Some(value)
}

/// The citation and its head's start that `value` holds; `None` when it is damaged: cut short,
/// longer than its fields, or a text that is not UTF-8.
pub fn decode(value: &[u8]) -> Option<(Citation, Start)> {
    let fields = value;
    let end = memchr::memchr(0, fields)?;
    let path = utf8(&fields[..end])?;
    let mut reader = Reader(&fields[end + 1..]);
    let mut optional = || reader.optional_text();
    let (gazette, issue, date, region) = (optional()?, optional()?, optional()?, optional()?);
    let document = reader.text()?;
    let doc_number = reader.optional_text()?;
    let page = match reader.byte()? {
        0 => None,
        1 => Some(reader.number()?),
        _ => return None,
    };
    let mut attributes = BTreeMap::new();
    for _ in 0..reader.number()? {
        let name = reader.text()?;
        attributes.insert(name, reader.text()?);
    }
    let indexed = reader.number()?;
    let first_indexed = reader.number()?;
    let start = Start {
        number: reader.number()?,
        ordinal: reader.number()?,
    };
    if !reader.0.is_empty() {
        return None;
    }
    let citation = Citation {
        path,
        gazette,
        issue,
        date,
        region,
        document,
        doc_number,
        page,
        attributes,
        indexed,
        first_indexed,
    };
    Some((citation, start))
}

fn text(value: &mut Vec<u8>, text: &str) {
    place::put(value, text.len() as u64);
    value.extend_from_slice(text.as_bytes());
}

fn optional_text(value: &mut Vec<u8>, text: Option<&str>) {
    match text {
        None => value.push(0),
        Some(text) => {
            place::put(value, text.len() as u64 + 1);
            value.extend_from_slice(text.as_bytes());
        }
    }
}

fn utf8(bytes: &[u8]) -> Option<String> {
    simdutf8::basic::from_utf8(bytes).ok().map(str::to_string)
}

/// The fields of a value after its path, read from the front.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&byte, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(byte)
    }

    fn number(&mut self) -> Option<u64> {
        place::take(&mut self.0)
    }

    /// A text of `len` bytes.
    fn sized_text(&mut self, len: u64) -> Option<String> {
        let (taken, rest) = self.0.split_at_checked(usize::try_from(len).ok()?)?;
        self.0 = rest;
        utf8(taken)
    }

    fn text(&mut self) -> Option<String> {
        let len = self.number()?;
        self.sized_text(len)
    }

    /// `Some(None)` for a missing text.
    fn optional_text(&mut self) -> Option<Option<String>> {
        match self.number()? {
            0 => Some(None),
            len => self.sized_text(len - 1).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn citation() -> Citation {
        Citation {
            path: "焦作/2025年第1期.txt".to_string(),
            gazette: Some("焦作市人民政府公报".to_string()),
            issue: Some("2025年第1期".to_string()),
            date: Some("2025-01-15".to_string()),
            region: None,
            document: "关于印发《焦作市\"十四五\"规划》的通知".to_string(),
            doc_number: Some(String::new()),
            page: Some(300),
            attributes: [
                ("level".to_string(), "地方".to_string()),
                ("note".to_string(), "x".repeat(200)),
            ]
            .into(),
            indexed: 1_764_900_000_000,
            first_indexed: 1_700_000_000_000,
        }
    }

    /// A value gives back the citation and the start it was written with: every field set or
    /// missing, an empty 文号 told from a missing one, texts long enough for lengths of two
    /// bytes, starts of one byte and of ten.
    #[test]
    fn a_value_reads_back_as_written() {
        let full = citation();
        let bare = Citation {
            path: "a.txt".to_string(),
            ..Citation::default()
        };
        let no_page = Citation {
            page: None,
            doc_number: None,
            gazette: None,
            ..citation()
        };
        for written in [full, bare, no_page] {
            for (number, ordinal) in [(1, 0), (0x7f, 0x80), (u64::MAX, 3), (2, u64::MAX)] {
                let start = Start { number, ordinal };
                let value = encode(&written, start).unwrap();
                assert_eq!(decode(&value), Some((written.clone(), start)));
            }
        }
    }

    /// A value cut short, lengthened, or with a length changed reads as none, never as another
    /// citation or a panic; a path with a zero byte is refused.
    #[test]
    fn a_damaged_value_reads_as_none() {
        let start = Start {
            number: 3,
            ordinal: 300,
        };
        let value = encode(&citation(), start).unwrap();
        for cut in 0..value.len() {
            assert_eq!(decode(&value[..cut]), None, "cut at {cut}");
        }
        let mut longer = value.clone();
        longer.push(0);
        assert_eq!(decode(&longer), None);
        // The gazette's length, right after the path's zero byte, made one longer.
        let at = value.iter().position(|&b| b == 0).unwrap() + 1;
        let mut changed = value.clone();
        changed[at] += 1;
        assert_eq!(decode(&changed), None);
        for short in [&b""[..], b"1234567", b"\0\0\0\0\0\0\0\0"] {
            assert_eq!(decode(short), None);
        }
        // The start's last number cut in the middle of its varint.
        let mut cut = value.clone();
        *cut.last_mut().unwrap() |= 0x80;
        assert_eq!(decode(&cut), None);
        let zero = Citation {
            path: "a\0b".to_string(),
            ..Citation::default()
        };
        assert_eq!(encode(&zero, start), None);
    }
}

//! PLACE: where a stored paragraph stands (its pages, its section path), packed into one stored
//! value.
//!
//! tantivy stores each value of a document with its field's number (4 bytes) and a type code,
//! and a number as 8 bytes: numbers and a JSON section path cost about 90 bytes on every
//! paragraph, as much as a short paragraph's text, all of it decompressed and decoded for each
//! paragraph a search reads. Packed, the pages take a byte or two each and the path its text.
//!
//! What a paragraph's head knows is not repeated here: its number in the document and in the
//! file are its head's (`crate::store::citations::Start`) plus how far after its head it stands,
//! since a batch's paragraphs stand together and in order in one segment
//! (`crate::store::schema::HEAD`). Stored on every paragraph, those two numbers are bytes that
//! change from one paragraph to the next, which lz4 cannot take from the paragraph before: each
//! breaks the match of everything around it (docs/PERFORMANCE.md, round 33).
//!
//! The layout, in this order: the first page + 1 and the last page + 1 (0 for none) as LEB128
//! varints; the number of headings, then each heading as its length in bytes and its UTF-8 text.
//! A value that does not read to its end this way is damaged: it reads as no place, and a search
//! says so rather than show a wrong citation.

/// A paragraph's place, as the indexer writes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    /// The page where it starts, and where it ends when a page end cut it.
    pub page: Option<u64>,
    pub page_end: Option<u64>,
}

impl Place {
    /// The packed value: the place, then the section path, outermost heading first.
    pub fn encode<S: AsRef<str>>(&self, section: &[S]) -> Vec<u8> {
        let text: usize = section.iter().map(|h| h.as_ref().len()).sum();
        let mut bytes = Vec::with_capacity(2 * 2 + 2 * section.len() + text);
        for n in [
            self.page.map_or(0, |p| p.saturating_add(1)),
            self.page_end.map_or(0, |p| p.saturating_add(1)),
        ] {
            put(&mut bytes, n);
        }
        put_section(&mut bytes, section);
        bytes
    }

    /// The place a packed value holds, and where in it the section path starts (for
    /// [`Section::of_place`]); `None` when the value is damaged.
    pub fn decode(bytes: &[u8]) -> Option<(Place, usize)> {
        let mut rest = bytes;
        let mut next = || take(&mut rest);
        let place = Place {
            page: next()?.checked_sub(1),
            page_end: next()?.checked_sub(1),
        };
        Some((place, bytes.len() - rest.len()))
    }
}

/// A paragraph's section path, outermost heading first, kept in the packed value it was read
/// from. `--all` shows tens of thousands of paragraphs, and a string of its own for each heading
/// of each was a large share of its allocations: the headings are read from the value's bytes
/// when they are written out.
#[derive(Clone, Default)]
pub struct Section {
    /// A packed value whose section path starts at `at` and reads to its end, each heading UTF-8:
    /// checked when made, never changed.
    bytes: Vec<u8>,
    at: usize,
}

impl Section {
    /// A section path of these headings.
    pub fn new<S: AsRef<str>>(headings: &[S]) -> Section {
        let mut bytes = Vec::new();
        put_section(&mut bytes, headings);
        Section { bytes, at: 0 }
    }

    /// The section path that the packed value `bytes` holds from `at` (as [`Place::decode`]
    /// gives it); `None` when it is damaged.
    pub fn of_place(bytes: Vec<u8>, at: usize) -> Option<Section> {
        let mut rest = bytes.get(at..)?;
        let count = take(&mut rest)?;
        for _ in 0..count {
            let len = usize::try_from(take(&mut rest)?).ok()?;
            let (heading, after) = rest.split_at_checked(len)?;
            simdutf8::basic::from_utf8(heading).ok()?;
            rest = after;
        }
        rest.is_empty().then_some(Section { bytes, at })
    }

    /// Its headings, outermost first.
    pub fn headings(&self) -> impl Iterator<Item = &str> {
        let mut rest = self.bytes.get(self.at..).unwrap_or_default();
        let count = take(&mut rest).unwrap_or(0);
        (0..count).map_while(move |_| {
            let len = usize::try_from(take(&mut rest)?).ok()?;
            let (heading, after) = rest.split_at_checked(len)?;
            rest = after;
            // SAFETY: each heading was checked to be UTF-8 when the section was made
            // (`of_place`) or was written from a `str` (`new`), and the bytes never change.
            Some(unsafe { std::str::from_utf8_unchecked(heading) })
        })
    }

    pub fn len(&self) -> usize {
        self.headings().count()
    }

    pub fn is_empty(&self) -> bool {
        self.headings().next().is_none()
    }

    /// Its headings joined by `separator`.
    pub fn join(&self, separator: &str) -> String {
        self.headings().collect::<Vec<_>>().join(separator)
    }
}

impl PartialEq for Section {
    fn eq(&self, other: &Section) -> bool {
        self.headings().eq(other.headings())
    }
}

impl Eq for Section {}

impl std::fmt::Debug for Section {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.headings()).finish()
    }
}

impl serde::Serialize for Section {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.headings())
    }
}

/// Appends a section path: the number of headings, then each one's length in bytes and text.
fn put_section<S: AsRef<str>>(bytes: &mut Vec<u8>, section: &[S]) {
    put(bytes, section.len() as u64);
    for heading in section {
        let heading = heading.as_ref().as_bytes();
        put(bytes, heading.len() as u64);
        bytes.extend_from_slice(heading);
    }
}

/// Appends `n` as a LEB128 varint: seven bits a byte, low bits first, the high bit set on every
/// byte but the last. Also the numbers of a citation (`crate::store::citations`).
pub(crate) fn put(bytes: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        bytes.push((n as u8) | 0x80);
        n >>= 7;
    }
    bytes.push(n as u8);
}

/// Takes a varint from the front of `bytes`; `None` when it runs past their end or past 64 bits.
pub(crate) fn take(bytes: &mut &[u8]) -> Option<u64> {
    let mut n = 0u64;
    for (k, &byte) in bytes.iter().enumerate().take(10) {
        let bits = u64::from(byte & 0x7F);
        let shift = 7 * k as u32;
        if shift == 63 && bits > 1 {
            return None;
        }
        n |= bits << shift;
        if byte & 0x80 == 0 {
            *bytes = &bytes[k + 1..];
            return Some(n);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn places() -> impl Strategy<Value = Place> {
        let page = prop_oneof![
            Just(None),
            any::<u64>().prop_map(Some),
            (0u64..300).prop_map(Some)
        ];
        (page.clone(), page).prop_map(|(page, page_end)| Place { page, page_end })
    }

    proptest! {
        #[test]
        fn a_place_reads_back_as_it_was_written(
            place in places(),
            headings in proptest::collection::vec(".{0,40}", 0..6),
        ) {
            let bytes = place.encode(&headings);
            let (read, at) = Place::decode(&bytes).expect("a value just written");
            // u64::MAX has no page + 1: the largest page is read back as one less.
            let saturated = |p: Option<u64>| p.map(|p| p.min(u64::MAX - 1));
            prop_assert_eq!(read, Place { page: saturated(place.page), page_end: saturated(place.page_end) });
            prop_assert_eq!(Section::of_place(bytes.clone(), at), Some(Section::new(&headings)));
            let made = Section::new(&headings);
            prop_assert_eq!(made.headings().collect::<Vec<_>>(), headings.iter().map(String::as_str).collect::<Vec<_>>());
            prop_assert_eq!(made.len(), headings.len());
            prop_assert_eq!(made.join(" › "), headings.join(" › "));
        }

        /// A damaged value (cut short, bytes changed) reads as damaged or as some place, never
        /// panics, and never asks for more memory than it holds.
        #[test]
        fn a_damaged_place_is_read_without_panicking(
            place in places(),
            headings in proptest::collection::vec(".{0,20}", 0..4),
            cut in any::<prop::sample::Index>(),
            flip in any::<(prop::sample::Index, u8)>(),
        ) {
            let mut bytes = place.encode(&headings);
            let at = flip.0.index(bytes.len());
            bytes[at] ^= flip.1;
            bytes.truncate(cut.index(bytes.len() + 1));
            if let Some((_, at)) = Place::decode(&bytes)
                && let Some(section) = Section::of_place(bytes.clone(), at)
            {
                // What reads as a section reads to its end.
                let _ = section.join(" › ");
            }
        }
    }

    #[test]
    fn the_numbers_are_packed_in_a_byte_or_two() {
        let place = Place {
            page: Some(200),
            page_end: None,
        };
        let bytes = place.encode(&["第一章 总则"]);
        // 201 in two bytes, 0; one heading of 16 bytes.
        assert_eq!(&bytes[..4], &[0xC9, 0x01, 0, 1]);
        assert_eq!(bytes[4], 16);
        assert_eq!(bytes.len(), 4 + 1 + 16);
        assert_eq!(
            Section::of_place(bytes, 3),
            Some(Section::new(&["第一章 总则"]))
        );
    }

    #[test]
    fn a_value_with_bytes_left_over_or_a_heading_cut_is_damaged() {
        let bytes = Place::default().encode(&["一、目标"]);
        let (_, at) = Place::decode(&bytes).unwrap();
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(Section::of_place(longer, at), None);
        assert_eq!(
            Section::of_place(bytes[..bytes.len() - 1].to_vec(), at),
            None
        );
        // A heading cut inside a character is not UTF-8.
        let mut cut = Place::default().encode(&["一"]);
        cut[at + 1] = 2;
        cut.pop();
        assert_eq!(Section::of_place(cut, at), None);
        assert_eq!(Place::decode(&bytes[..1]), None);
        // A varint of eleven bytes runs past 64 bits.
        let mut long = vec![];
        long.extend([0xFF; 10]);
        long.push(1);
        assert_eq!(Place::decode(&long), None);
    }
}

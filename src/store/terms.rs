//! The one walk over a field's term dictionary. Citation fields hold few distinct values (paths,
//! gazettes, dates), so filters, statistics and incremental runs read their dictionaries whole
//! rather than searching them.

use std::sync::Arc;

use tantivy::postings::{SegmentPostings, TermInfo};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{InvertedIndexReader, Searcher, SegmentReader};

use crate::Error;

/// A term of a segment's dictionary, whose postings are read only when asked for.
pub struct TermDocs<'a> {
    inverted: &'a Arc<InvertedIndexReader>,
    info: &'a TermInfo,
}

impl TermDocs<'_> {
    /// The paragraphs of the segment that hold the term, deleted ones included.
    pub fn postings(&self) -> Result<SegmentPostings, Error> {
        Ok(self
            .inverted
            .read_postings_from_terminfo(self.info, IndexRecordOption::Basic)?)
    }
}

/// Calls `f` with each term of `field` in `segment`, in the dictionary's order.
pub fn each_term(
    segment: &SegmentReader,
    field: Field,
    mut f: impl FnMut(&[u8], TermDocs<'_>) -> Result<(), Error>,
) -> Result<(), Error> {
    let inverted = segment.inverted_index(field)?;
    let mut terms = inverted.terms().stream()?;
    while terms.advance() {
        let docs = TermDocs {
            inverted: &inverted,
            info: terms.value(),
        };
        f(terms.key(), docs)?;
    }
    Ok(())
}

/// Calls `f` with each value of `field` in every segment, as text; a value held by several
/// segments comes once for each. Keys that are not UTF-8 (none that gazette writes) are skipped.
pub fn each_value(searcher: &Searcher, field: Field, f: impl FnMut(&str)) -> Result<(), Error> {
    each_value_in(searcher.segment_readers(), field, f)
}

/// [`each_value`] in `segments`.
pub fn each_value_in(
    segments: &[SegmentReader],
    field: Field,
    mut f: impl FnMut(&str),
) -> Result<(), Error> {
    for segment in segments {
        each_term(segment, field, |key, _| {
            if let Ok(value) = std::str::from_utf8(key) {
                f(value);
            }
            Ok(())
        })?;
    }
    Ok(())
}

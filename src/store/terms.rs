//! The one walk over a field's term dictionary. Citation fields hold few distinct values (paths,
//! gazettes, dates), so filters, statistics and incremental runs read their dictionaries whole
//! rather than searching them, or the span of them that a filter can accept (a date's years, an
//! attribute's name).

use std::sync::Arc;

use tantivy::columnar::{Dictionary, Streamer};
use tantivy::postings::{SegmentPostings, TermInfo};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::termdict::{TermDictionary, TermStreamer};
use tantivy::{InvertedIndexReader, Searcher, SegmentReader};

use crate::Error;

/// A term of a segment's dictionary, whose postings are read only when asked for.
pub struct TermDocs<'a> {
    inverted: &'a Arc<InvertedIndexReader>,
    info: &'a TermInfo,
}

impl TermDocs<'_> {
    /// How many paragraphs of the segment hold the term, deleted ones included.
    pub fn doc_freq(&self) -> u32 {
        self.info.doc_freq
    }

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
    f: impl FnMut(&[u8], TermDocs<'_>) -> Result<(), Error>,
) -> Result<(), Error> {
    each_term_in(segment, field, &Span::default(), f)
}

/// The terms from `from` (included) to `to` (left out) of a dictionary, in its byte order;
/// `None` leaves that side open.
#[derive(Debug, Default)]
pub struct Span {
    pub from: Option<Vec<u8>>,
    pub to: Option<Vec<u8>>,
}

impl Span {
    /// The terms that begin with `prefix`: from it up to it followed by 0xFF, which no UTF-8
    /// text holds.
    pub fn prefix(prefix: &[u8]) -> Span {
        let mut to = prefix.to_vec();
        to.push(0xFF);
        Span {
            from: Some(prefix.to_vec()),
            to: Some(to),
        }
    }

    /// The terms of `terms` in the span, in the dictionary's order: searched for where the span
    /// begins, not walked from the first term.
    pub fn stream<'a>(&self, terms: &'a TermDictionary) -> std::io::Result<TermStreamer<'a>> {
        let mut range = terms.range();
        if let Some(from) = &self.from {
            range = range.ge(from);
        }
        if let Some(to) = &self.to {
            range = range.lt(to);
        }
        range.into_stream()
    }

    /// The values of a text column's dictionary in the span, as [`Span::stream`] reads terms.
    pub fn stream_column<'a>(&self, values: &'a Dictionary) -> std::io::Result<Streamer<'a>> {
        let mut range = values.range();
        if let Some(from) = &self.from {
            range = range.ge(from);
        }
        if let Some(to) = &self.to {
            range = range.lt(to);
        }
        range.into_stream()
    }
}

/// [`each_term`] over the terms of `span` only.
pub fn each_term_in(
    segment: &SegmentReader,
    field: Field,
    span: &Span,
    mut f: impl FnMut(&[u8], TermDocs<'_>) -> Result<(), Error>,
) -> Result<(), Error> {
    let inverted = segment.inverted_index(field)?;
    let mut terms = span.stream(inverted.terms())?;
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
    each_value_in(searcher.segment_readers(), field, &Span::default(), f)
}

/// [`each_value`] in `segments`, of the values in `span` only.
pub fn each_value_in(
    segments: &[SegmentReader],
    field: Field,
    span: &Span,
    mut f: impl FnMut(&str),
) -> Result<(), Error> {
    for segment in segments {
        each_term_in(segment, field, span, |key, _| {
            if let Ok(value) = std::str::from_utf8(key) {
                f(value);
            }
            Ok(())
        })?;
    }
    Ok(())
}

//! STATS: how often a query matches, bucket by bucket (year, month, gazette, region, document),
//! against how much text each bucket has, so that a bucket with more text does not look like more
//! interest.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, DocSet, SegmentReader, TERMINATED, Term};

use crate::Error;
use crate::search::{Engine, SearchConfig};
use crate::store::schema::{self, Fields};
use crate::store::terms;

/// What the paragraphs are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Year,
    Month,
    Gazette,
    Region,
    Document,
}

/// The label of paragraphs that have no value for the grouping (no date, no gazette…).
pub const NONE: &str = "(none)";

/// One bucket: its matches and its text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bucket {
    pub bucket: String,
    /// Matching paragraphs.
    pub paragraphs: usize,
    /// Occurrences of the query's literals in them.
    pub occurrences: usize,
    /// Paragraphs of the bucket within the query's filters, matching or not.
    pub total_paragraphs: usize,
    /// Occurrences per 10,000 paragraphs of the bucket, to two decimals.
    pub per_10k: f64,
}

/// The buckets of every paragraph within the query's filters, matching or not: in time order for
/// years and months, otherwise by occurrences (then name); paragraphs without a value last.
pub fn stats(engine: &Engine, config: &SearchConfig, by: By) -> Result<Vec<Bucket>, Error> {
    let labels = Labels::new(engine, by)?;
    let mut buckets: HashMap<u32, Bucket> = HashMap::new();
    engine.each_in_scope(config, &mut |address| {
        labels.bucket(&mut buckets, address).total_paragraphs += 1;
    })?;
    engine.each_match(config, &mut |address, occurrences| {
        let b = labels.bucket(&mut buckets, address);
        b.paragraphs += 1;
        b.occurrences += occurrences;
    })?;
    let mut buckets: Vec<Bucket> = buckets.into_values().collect();
    for b in &mut buckets {
        b.per_10k = per_10k(b.occurrences, b.total_paragraphs);
    }
    let unnamed = |b: &Bucket| b.bucket == NONE;
    match by {
        By::Year | By::Month => {
            buckets.sort_by(|a, b| (unnamed(a), &a.bucket).cmp(&(unnamed(b), &b.bucket)))
        }
        _ => buckets.sort_by(|a, b| {
            (unnamed(a), std::cmp::Reverse(a.occurrences), &a.bucket).cmp(&(
                unnamed(b),
                std::cmp::Reverse(b.occurrences),
                &b.bucket,
            ))
        }),
    }
    Ok(buckets)
}

/// Occurrences per 10,000 paragraphs, rounded to two decimals.
pub fn per_10k(occurrences: usize, total: usize) -> f64 {
    if total == 0 {
        return 0.0;
    }
    (occurrences as f64 * 10_000.0 / total as f64 * 100.0).round() / 100.0
}

/// The bucket of every paragraph, per segment.
struct Labels {
    by: By,
    /// Per segment, per document: an index into `names` (text fields) or the date key divided to
    /// the bucket's precision (dates); `u32::MAX` for none.
    ids: Vec<Vec<u32>>,
    names: Vec<String>,
}

const NO_ID: u32 = u32::MAX;

impl Labels {
    fn new(engine: &Engine, by: By) -> Result<Labels, Error> {
        let fields = engine.fields();
        let mut names: Vec<String> = Vec::new();
        let mut known: HashMap<String, u32> = HashMap::new();
        let mut ids = Vec::new();
        for segment in engine.searcher().segment_readers() {
            ids.push(match by {
                By::Year => date_ids(segment, 10_000)?,
                By::Month => date_ids(segment, 100)?,
                By::Gazette => text_ids(segment, fields, fields.gazette, &mut names, &mut known)?,
                By::Region => text_ids(segment, fields, fields.region, &mut names, &mut known)?,
                By::Document => column_ids(segment, fields, &mut names, &mut known)?,
            });
        }
        Ok(Labels { by, ids, names })
    }

    /// The bucket of a paragraph, made when first met.
    fn bucket<'a>(
        &self,
        buckets: &'a mut HashMap<u32, Bucket>,
        address: DocAddress,
    ) -> &'a mut Bucket {
        let id = self.ids[address.segment_ord as usize][address.doc_id as usize];
        buckets.entry(id).or_insert_with(|| Bucket {
            bucket: self.name(id),
            paragraphs: 0,
            occurrences: 0,
            total_paragraphs: 0,
            per_10k: 0.0,
        })
    }

    fn name(&self, id: u32) -> String {
        if id == NO_ID {
            return NONE.to_string();
        }
        match self.by {
            By::Year => format!("{id:04}"),
            // A date known to the year only stays a year: 2025 sorts before 2025-01.
            By::Month if id.is_multiple_of(100) => format!("{:04}", id / 100),
            By::Month => format!("{:04}-{:02}", id / 100, id % 100),
            _ => self.names[id as usize].clone(),
        }
    }
}

/// The date key (YYYYMMDD) of each document divided by `divisor`.
fn date_ids(segment: &SegmentReader, divisor: u64) -> Result<Vec<u32>, Error> {
    let column = segment.fast_fields().u64(crate::store::schema::DATE_KEY)?;
    Ok((0..segment.max_doc())
        .map(|doc| match column.first(doc).unwrap_or(0) {
            0 => NO_ID,
            key => (key / divisor) as u32,
        })
        .collect())
}

/// The value of a raw text field of each paragraph, as an index into `names`: every term of the
/// field and the heads that hold it, each head's value given to the paragraphs of its document
/// (the citation fields are on the heads only).
fn text_ids(
    segment: &SegmentReader,
    fields: &Fields,
    field: Field,
    names: &mut Vec<String>,
    known: &mut HashMap<String, u32>,
) -> Result<Vec<u32>, Error> {
    let mut held = vec![NO_ID; segment.max_doc() as usize];
    terms::each_term(segment, field, |key, docs| {
        let id = name_id(String::from_utf8_lossy(key).into_owned(), names, known);
        let mut postings = docs.postings()?;
        let mut doc: DocId = postings.doc();
        while doc != TERMINATED {
            held[doc as usize] = id;
            doc = postings.advance();
        }
        Ok(())
    })?;
    spread_over_documents(segment, fields, |head| held[head as usize])
}

/// The id of `name`, given when first met.
fn name_id(name: String, names: &mut Vec<String>, known: &mut HashMap<String, u32>) -> u32 {
    let next = names.len() as u32;
    *known.entry(name.clone()).or_insert_with(|| {
        names.push(name);
        next
    })
}

/// Each paragraph's document title as an id, from the heads' column of titles (the titles are not
/// indexed as terms).
fn column_ids(
    segment: &SegmentReader,
    fields: &Fields,
    names: &mut Vec<String>,
    known: &mut HashMap<String, u32>,
) -> Result<Vec<u32>, Error> {
    let Some(column) = segment.fast_fields().str(schema::DOCUMENT)? else {
        return spread_over_documents(segment, fields, |_| NO_ID);
    };
    // The column's values in the order of their numbers, each given its id.
    let mut by_ord = Vec::new();
    let mut stream = column.dictionary().stream()?;
    while stream.advance() {
        let name = String::from_utf8_lossy(stream.key()).into_owned();
        by_ord.push(name_id(name, names, known));
    }
    spread_over_documents(segment, fields, |head| {
        column
            .ords()
            .first(head)
            .and_then(|ord| by_ord.get(ord as usize).copied())
            .unwrap_or(NO_ID)
    })
}

/// Each paragraph's id: the id `at_head` gives the last head at or before it, the head of its
/// document.
fn spread_over_documents(
    segment: &SegmentReader,
    fields: &Fields,
    at_head: impl Fn(DocId) -> u32,
) -> Result<Vec<u32>, Error> {
    let head = Term::from_field_u64(fields.head, 1);
    let heads = segment.inverted_index(fields.head)?;
    let mut heads = heads.read_postings(&head, IndexRecordOption::Basic)?;
    let mut ids = vec![NO_ID; segment.max_doc() as usize];
    let mut current = NO_ID;
    for (doc, id) in ids.iter_mut().enumerate() {
        if let Some(heads) = heads.as_mut()
            && heads.doc() == doc as DocId
        {
            current = at_head(doc as DocId);
            heads.advance();
        }
        *id = current;
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_10k_is_occurrences_per_ten_thousand_paragraphs() {
        assert_eq!(per_10k(3, 20_000), 1.5);
        assert_eq!(per_10k(1, 3), 3333.33);
        assert_eq!(per_10k(5, 0), 0.0);
    }
}

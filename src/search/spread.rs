//! SPREAD: a collector run over the segments of the index, on every core when the query's
//! postings are many.
//!
//! Each segment is collected alone, as tantivy's searcher collects it, and the segments' fruits
//! are merged in the order of the segments: the result is the same on one thread or several. A
//! phrase of common bigrams (中华人民共和国) or a NEAR of common words walks the positions of
//! tens of thousands of paragraphs in each segment, which two cores walk in half the time.
//! Work that needs no collector (a NEAR's walk, the keys of the issues found) is cut into one even
//! share per thread instead ([`shares`]), so that segments of unequal sizes keep every thread busy.

use std::ops::Range;

use tantivy::collector::Collector;
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocId, Searcher, SegmentReader, Term};

use crate::search::held;
use crate::{Error, parallel};

/// Postings (each term's paragraphs, summed over the query's terms) from which the segments are
/// collected on every core: below it, starting the threads costs about what they would save.
pub(super) const SPREAD_FROM: usize = 100_000;

/// `collector` over `query`, as `searcher.search` collects it, with the segments on every core
/// when the query's terms have at least [`SPREAD_FROM`] postings.
pub(super) fn search<C: Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    collector: &C,
) -> Result<C::Fruit, Error> {
    search_on(searcher, query, collector, threads(searcher, query)?)
}

/// [`search`] on `threads` threads.
fn search_on<C: Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    collector: &C,
    threads: usize,
) -> Result<C::Fruit, Error> {
    if threads <= 1 {
        return Ok(searcher.search(query, collector)?);
    }
    let scoring = if collector.requires_scoring() {
        EnableScoring::enabled_from_searcher(searcher)
    } else {
        EnableScoring::disabled_from_searcher(searcher)
    };
    let weight = query.weight(scoring)?;
    collector.check_schema(searcher.schema())?;
    let fruits = each_segment(searcher, threads, |ord, segment| {
        collector.collect_segment(weight.as_ref(), ord, segment)
    })
    .into_iter()
    .collect::<tantivy::Result<Vec<_>>>()?;
    Ok(collector.merge_fruits(fruits)?)
}

/// `work` on each segment of `searcher` (its ordinal and reader), the segments taken in turn by
/// `threads` threads, the results in the order of the segments.
pub(super) fn each_segment<R: Send>(
    searcher: &Searcher,
    threads: usize,
    work: impl Fn(u32, &SegmentReader) -> R + Sync,
) -> Vec<R> {
    let segments: Vec<(u32, &SegmentReader)> = searcher
        .segment_readers()
        .iter()
        .enumerate()
        .map(|(ord, segment)| (ord as u32, segment))
        .collect();
    parallel::map(&segments, threads, |&(ord, segment)| work(ord, segment))
}

/// A part of a segment: its ordinal, its reader and a range of its paragraphs.
pub(super) struct Piece<'a> {
    pub(super) ord: u32,
    pub(super) reader: &'a SegmentReader,
    pub(super) docs: Range<DocId>,
}

/// `work` on the segments of `searcher` cut into `threads` shares of about as many paragraphs
/// each ([`shares`]), each share on a thread of its own; the results in the order of the index.
pub(super) fn each_share<R: Send>(
    searcher: &Searcher,
    threads: usize,
    work: impl Fn(&Piece) -> R + Sync,
) -> Vec<R> {
    let segments = searcher.segment_readers();
    let sizes: Vec<DocId> = segments.iter().map(SegmentReader::max_doc).collect();
    let shares: Vec<Vec<Piece>> = shares(&sizes, threads)
        .into_iter()
        .map(|share| {
            share
                .into_iter()
                .map(|(ord, docs)| Piece {
                    ord: ord as u32,
                    reader: &segments[ord],
                    docs,
                })
                .collect()
        })
        .collect();
    on_shares(&shares, threads, work)
}

/// `work` on each piece of `shares`, each share on a thread of its own (not taken in turn, which
/// would undo their evenness); the results in the order of the pieces.
pub(super) fn on_shares<T: Sync, R: Send>(
    shares: &[Vec<T>],
    threads: usize,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    parallel::map(shares, threads, |share| {
        share.iter().map(&work).collect::<Vec<R>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

/// Segments of `sizes` paragraphs cut into at most `threads` shares of about as many paragraphs
/// each, as (segment, range of its paragraphs) in the order of the index. Segments taken whole in
/// turn leave one thread working alone at the end where their sizes differ: a gigabyte's index
/// ends in three full segments and a small one, and its two threads took 4.5 and 2.5 million
/// paragraphs. A segment is cut where a share fills, unless that would leave a sliver of less
/// than an eighth of a share: each piece costs its work an opening of the postings
/// (docs/PERFORMANCE.md, round 16).
pub(super) fn shares(sizes: &[DocId], threads: usize) -> Vec<Vec<(usize, Range<DocId>)>> {
    let total: u64 = sizes.iter().map(|&size| u64::from(size)).sum();
    let threads = threads.max(1);
    let target = total.div_ceil(threads as u64);
    let slack = target / 8;
    let mut shares: Vec<Vec<(usize, Range<DocId>)>> = vec![Vec::new()];
    let mut filled = 0u64;
    for (segment, &end) in sizes.iter().enumerate() {
        let mut start = 0;
        while start < end {
            let last = shares.len() == threads;
            let room = target.saturating_sub(filled);
            if !last && filled > 0 && room <= slack {
                shares.push(Vec::new());
                filled = 0;
                continue;
            }
            let left = end - start;
            let take = match last || u64::from(left) <= room + slack {
                true => left,
                false => DocId::try_from(room).unwrap_or(left),
            };
            shares
                .last_mut()
                .expect("one share at least")
                .push((segment, start..start + take));
            filled += u64::from(take);
            start += take;
        }
    }
    shares.retain(|share| !share.is_empty());
    shares
}

/// Threads for a search of `query`: one for an index of one segment or a query of few postings.
pub(super) fn threads(searcher: &Searcher, query: &dyn Query) -> Result<usize, Error> {
    if searcher.segment_readers().len() < 2 {
        return Ok(1);
    }
    let mut terms: Vec<Term> = Vec::new();
    query.query_terms(&mut |term, _| terms.push(term.clone()));
    terms.sort_unstable();
    terms.dedup();
    // Summed until they reach the bound: a common word's first term usually does, and each
    // look-up of the rest read a term dictionary that the search itself may never open.
    let mut postings = 0usize;
    for term in &terms {
        let found = usize::try_from(held::doc_freq(searcher, term)?).unwrap_or(usize::MAX);
        postings = postings.saturating_add(found);
        if postings >= SPREAD_FROM {
            break;
        }
    }
    Ok(parallel::threads(postings, SPREAD_FROM).min(searcher.segment_readers().len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{Count, DocSetCollector, TopDocs};
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, STRING, Schema};
    use tantivy::{DocAddress, Index, IndexWriter, TantivyDocument};

    /// Shares cover every paragraph once, in the order of the index; there are at most as many
    /// as threads; each holds at most an eighth of a share more than an even share and, but for
    /// the last, at least an eighth less; a segment is cut only where a share ends.
    #[test]
    fn shares_cut_the_segments_evenly_in_the_order_of_the_index() {
        let cases: [&[DocId]; 8] = [
            &[2_344_935, 2_264_349, 2_150_957, 277_309],
            &[511_887, 491_625],
            &[1_000],
            &[0, 5, 0],
            &[],
            &[7, 1, 1, 1, 1, 1, 1, 1],
            &[100, 100, 100],
            &[1, 1_000_000, 3],
        ];
        for sizes in cases {
            let total: u64 = sizes.iter().map(|&s| u64::from(s)).sum();
            for threads in 1..=5usize {
                let shares = shares(sizes, threads);
                let context = format!("{sizes:?} on {threads}");
                assert!(shares.len() <= threads, "{context}: {shares:?}");
                // Every paragraph once, in order.
                let walked: Vec<(usize, DocId)> = shares
                    .iter()
                    .flatten()
                    .flat_map(|(segment, docs)| docs.clone().map(move |doc| (*segment, doc)))
                    .collect();
                let all: Vec<(usize, DocId)> = sizes
                    .iter()
                    .enumerate()
                    .flat_map(|(segment, &size)| (0..size).map(move |doc| (segment, doc)))
                    .collect();
                assert!(walked == all, "{context}: {shares:?}");
                let even = total.div_ceil(threads as u64);
                for (i, share) in shares.iter().enumerate() {
                    let held: u64 = share
                        .iter()
                        .map(|(_, docs)| u64::from(docs.len() as u32))
                        .sum();
                    let last = i + 1 == shares.len();
                    assert!(!share.is_empty(), "{context}: {shares:?}");
                    if !last {
                        assert!(held <= even + even / 8, "{context}: {shares:?}");
                        assert!(held + even / 8 >= even, "{context}: {shares:?}");
                    }
                }
                // Cut only where a share ends: within a share, a segment's pieces do not repeat.
                for share in &shares {
                    let segments: Vec<usize> = share.iter().map(|(s, _)| *s).collect();
                    let mut distinct = segments.clone();
                    distinct.dedup();
                    assert_eq!(segments, distinct, "{context}");
                }
            }
        }
        // Three full segments and a small one on two threads: the second segment is cut.
        let two = shares(&[2_344_935, 2_264_349, 2_150_957, 277_309], 2);
        assert_eq!(two.len(), 2);
        assert_eq!(two[0], vec![(0, 0..2_344_935), (1, 0..1_173_840)]);
    }

    #[test]
    fn segments_collected_on_several_threads_give_what_one_thread_gives() {
        // Four segments of unequal size; each paragraph holds the words of the numbers that
        // divide its number, so that scores differ and many tie.
        let mut builder = Schema::builder();
        let field = builder.add_text_field("words", STRING);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (segment, size) in [700, 90, 400, 5].into_iter().enumerate() {
            for n in 1..=size {
                let mut doc = TantivyDocument::default();
                for d in [2, 3, 5, 7].into_iter().filter(|d| (n + segment) % d == 0) {
                    for _ in 0..(n % d + 1) {
                        doc.add_text(field, d.to_string());
                    }
                }
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 4);
        let term = |word: &str| {
            Box::new(TermQuery::new(
                Term::from_field_text(field, word),
                IndexRecordOption::WithFreqs,
            )) as Box<dyn Query>
        };
        let queries: Vec<Box<dyn Query>> = vec![
            term("2"),
            Box::new(BooleanQuery::new(vec![
                (Occur::Should, term("3")),
                (Occur::Should, term("7")),
            ])),
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, term("2")),
                (Occur::MustNot, term("5")),
            ])),
        ];
        for query in &queries {
            let top = || TopDocs::with_limit(25).order_by_score();
            let serial = searcher.search(query, &(Count, top())).unwrap();
            assert!(serial.0 > 25, "{query:?} matches too few to tell");
            for threads in [2, 3, 8] {
                let spread = search_on(&searcher, query, &(Count, top()), threads).unwrap();
                assert_eq!(spread.0, serial.0, "{query:?} on {threads} threads");
                let addresses = |top: &[(f32, DocAddress)]| -> Vec<(u32, DocAddress)> {
                    top.iter().map(|(s, a)| (s.to_bits(), *a)).collect()
                };
                assert_eq!(addresses(&spread.1), addresses(&serial.1));
                let every = search_on(&searcher, query, &DocSetCollector, threads).unwrap();
                assert_eq!(every, searcher.search(query, &DocSetCollector).unwrap());
            }
        }
    }
}

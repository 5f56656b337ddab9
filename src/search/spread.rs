//! SPREAD: a collector run over the segments of the index, on every core when the query's
//! postings are many.
//!
//! Each segment is collected alone, as tantivy's searcher collects it, and the segments' fruits
//! are merged in the order of the segments: the result is the same on one thread or several. A
//! phrase of common bigrams (中华人民共和国) or a NEAR of common words walks the positions of
//! tens of thousands of paragraphs in each segment, which two cores walk in half the time.

use tantivy::collector::Collector;
use tantivy::query::{EnableScoring, Query};
use tantivy::{Searcher, SegmentReader, Term};

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
        let found = usize::try_from(searcher.doc_freq(term)?).unwrap_or(usize::MAX);
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

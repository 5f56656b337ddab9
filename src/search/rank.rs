//! RANK: the weights of the ranking signals, the top k by score with ties broken by date, the
//! order by date, and hits of two kinds (paragraphs, names) ordered and merged as one list.

use std::sync::{Arc, OnceLock};

use tantivy::collector::Count;
use tantivy::columnar::{Column, ColumnValues};
use tantivy::index::SegmentId;
use tantivy::{DocAddress, Searcher, SegmentReader};

use crate::Error;
use crate::search::plan::Run;
use crate::search::spread;
use crate::search::{Hit, Sort};
use crate::store::schema;
use crate::text::dates;

/// Added to the score of a paragraph for each literal that is a whole word of it. Larger than any
/// BM25 score of a phrase, so whole-word matches rank first.
pub const WORD_BONUS: f32 = 1000.0;
/// Weight of a literal found in the paragraph's document title or section headings, relative to
/// its BM25 score in the paragraph: a paragraph under 「（一）…云台山…」 ranks above a passing mention.
pub const CONTEXT_BOOST: f32 = 2.0;

/// The `limit` best paragraphs: higher scores first, equal scores the newest first (a paragraph
/// without a date last), then in the order of the index. One pass, which reads a paragraph's date
/// only when its score reaches the `limit`-th best so far: reading a date for every match is a
/// large share of a search for a common literal.
pub(super) fn best(limit: usize, dates: &Arc<Dates>) -> Best {
    Best {
        k: limit.max(1),
        dates: Arc::clone(dates),
    }
}

/// Each segment's dates (`schema::DATE_KEY`), opened when first asked and kept with the open
/// index: opening a column reads the headers of all its blocks, and one search asks for a
/// segment's dates several times (its best paragraphs, its names, its issues, its order).
pub(crate) struct Dates {
    segments: Vec<(SegmentId, OnceLock<Column<u64>>)>,
}

impl Dates {
    pub(crate) fn new(searcher: &Searcher) -> Dates {
        Dates {
            segments: searcher
                .segment_readers()
                .iter()
                .map(|segment| (segment.segment_id(), OnceLock::new()))
                .collect(),
        }
    }

    /// The dates of `segment`, 0 for a paragraph without one.
    pub(crate) fn of(&self, segment: &SegmentReader) -> tantivy::Result<Column<u64>> {
        let open = || segment.fast_fields().u64(schema::DATE_KEY);
        // A handful of segments: a look along them is quicker than a map.
        let Some((_, slot)) = self
            .segments
            .iter()
            .find(|(id, _)| *id == segment.segment_id())
        else {
            return open();
        };
        if let Some(column) = slot.get() {
            return Ok(column.clone());
        }
        let column = open()?;
        Ok(slot.get_or_init(|| column).clone())
    }

    /// A segment's dates for ranking inside a collector; `None` where they cannot be read.
    pub(super) fn values(&self, segment: &SegmentReader) -> Option<Arc<dyn ColumnValues<u64>>> {
        Some(self.of(segment).ok()?.first_or_default_col(0))
    }
}

/// Orders hits as `sort` asks: by score, equal scores newest first; or by date. A stable sort,
/// so that hits already in order keep it among equals.
pub(super) fn order(hits: &mut [Hit], sort: Sort) {
    order_by(
        hits,
        sort,
        |hit| hit.score,
        |hit| dates::key(hit.citation.date.as_deref()),
    );
}

/// [`order`] for items that are not hits yet: their `score` and their `date` (a `dates::key`).
pub(super) fn order_by<T>(
    items: &mut [T],
    sort: Sort,
    score: impl Fn(&T) -> f32,
    date: impl Fn(&T) -> u64,
) {
    match sort {
        Sort::Relevance => {
            items.sort_by(|a, b| score(b).total_cmp(&score(a)).then(date(b).cmp(&date(a))))
        }
        // Undated last either way, as `rank::by_date` orders paragraphs.
        Sort::Newest => items.sort_by_key(|item| std::cmp::Reverse(date(item))),
        Sort::Oldest => items.sort_by_key(|item| (date(item) == 0, date(item))),
    }
}

/// Two lists of hits, each in the order of `sort`, as one in that order, cut to `limit`: the
/// paragraphs of a search and its names. A merge, not a sort: `--all` joins a few names to tens of
/// thousands of paragraphs. Equal places keep the paragraph first.
pub(super) fn merge(text: Vec<Hit>, names: Vec<Hit>, sort: Sort, limit: Option<usize>) -> Vec<Hit> {
    let limit = limit.unwrap_or(usize::MAX);
    let date = |hit: &Hit| dates::key(hit.citation.date.as_deref());
    // Where the name goes before the paragraph.
    let before = |name: &Hit, paragraph: &Hit| match sort {
        Sort::Relevance => name.score > paragraph.score,
        Sort::Newest => date(name) > date(paragraph),
        Sort::Oldest => {
            let (n, p) = (date(name), date(paragraph));
            n != 0 && (p == 0 || n < p)
        }
    };
    let mut out = Vec::with_capacity((text.len() + names.len()).min(limit));
    let mut text = text.into_iter().peekable();
    let mut names = names.into_iter().peekable();
    while out.len() < limit {
        let take_name = match (names.peek(), text.peek()) {
            (Some(name), Some(paragraph)) => before(name, paragraph),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_name { names.next() } else { text.next() };
        out.extend(next);
    }
    out
}

/// The `k` best paragraphs as [`best`] ranks them, and the number of matches.
///
/// For one literal, the whole-word matches are ranked first, on their own: when there are `k` of
/// them they hold the `k` best, and the other matches are only counted, not scored.
pub(super) fn top_by_score(run: &Run, k: usize) -> Result<(Vec<(f32, DocAddress)>, usize), Error> {
    let searcher = &run.searcher;
    let best = best(k, &run.dates);
    if let Some(word_first) = &run.word_first {
        let top = spread::search(searcher, word_first.as_ref(), &best)?;
        if top.len() >= k {
            let total = spread::search(searcher, run.matches()?, &Count)?;
            return Ok((top, total));
        }
    }
    if run.prunes {
        let top = spread::search(searcher, &run.query, &best)?;
        return Ok((top, spread::search(searcher, &run.query, &Count)?));
    }
    spread::search(searcher, &run.query, &(best, Count))
}

/// The collector of [`best`].
pub(super) struct Best {
    k: usize,
    dates: Arc<Dates>,
}

/// A paragraph in [`Best`]'s heap, the worst on top.
#[derive(Clone, Copy)]
pub(super) struct Ranked {
    score: f32,
    date: u64,
    address: DocAddress,
}

impl Ranked {
    fn key(&self) -> (f32, u64, DocAddress) {
        (self.score, self.date, self.address)
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Ranked) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Ranked) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    /// Better is smaller, as [`rank_order`] sorts: a max-heap keeps the worst on top.
    fn cmp(&self, other: &Ranked) -> std::cmp::Ordering {
        rank_order(self.key(), other.key())
    }
}

pub(super) struct SegmentBest {
    k: usize,
    segment: tantivy::SegmentOrdinal,
    dates: Option<Arc<dyn ColumnValues<u64>>>,
    heap: std::collections::BinaryHeap<Ranked>,
}

impl SegmentBest {
    /// The lowest score that can still enter: the worst kept once `k` are kept. A paragraph
    /// scoring as much enters if it is newer, so the bound given to a pruning scorer (which
    /// passes on only what scores above it) is the next float below.
    fn threshold(&self) -> f32 {
        match self.heap.peek() {
            Some(worst) if self.heap.len() >= self.k => worst.score.next_down(),
            _ => f32::MIN,
        }
    }

    fn offer(&mut self, doc: tantivy::DocId, score: f32) {
        if self.heap.len() >= self.k && self.heap.peek().is_some_and(|worst| score < worst.score) {
            return;
        }
        let date = self.dates.as_ref().map_or(0, |column| column.get_val(doc));
        let ranked = Ranked {
            score,
            date,
            address: DocAddress::new(self.segment, doc),
        };
        if self.heap.len() < self.k {
            self.heap.push(ranked);
        } else if let Some(mut worst) = self.heap.peek_mut()
            && ranked < *worst
        {
            *worst = ranked;
        }
    }
}

impl tantivy::collector::Collector for Best {
    type Fruit = Vec<(f32, DocAddress)>;
    type Child = SegmentBest;

    fn for_segment(
        &self,
        segment: tantivy::SegmentOrdinal,
        reader: &tantivy::SegmentReader,
    ) -> tantivy::Result<SegmentBest> {
        Ok(SegmentBest {
            k: self.k,
            segment,
            dates: self.dates.values(reader),
            heap: std::collections::BinaryHeap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Ranked>>) -> tantivy::Result<Self::Fruit> {
        let mut all: Vec<Ranked> = fruits.into_iter().flatten().collect();
        all.sort_unstable();
        all.truncate(self.k);
        Ok(all.into_iter().map(|r| (r.score, r.address)).collect())
    }

    fn collect_segment(
        &self,
        weight: &dyn tantivy::query::Weight,
        segment: tantivy::SegmentOrdinal,
        reader: &tantivy::SegmentReader,
    ) -> tantivy::Result<Vec<Ranked>> {
        let mut best = self.for_segment(segment, reader)?;
        match reader.alive_bitset() {
            Some(alive) => weight.for_each(reader, &mut |doc, score| {
                if alive.is_alive(doc) {
                    best.offer(doc, score);
                }
            })?,
            None => weight.for_each_pruning(f32::MIN, reader, &mut |doc, score| {
                best.offer(doc, score);
                best.threshold()
            })?,
        }
        Ok(tantivy::collector::SegmentCollector::harvest(best))
    }
}

impl tantivy::collector::SegmentCollector for SegmentBest {
    type Fruit = Vec<Ranked>;

    fn collect(&mut self, doc: tantivy::DocId, score: f32) {
        self.offer(doc, score);
    }

    fn harvest(self) -> Vec<Ranked> {
        self.heap.into_vec()
    }
}

/// `items` in the order [`best`] ranks them: higher scores first, equal scores the newest first,
/// then in the order of the index. For a few items out of many candidates, where ranking every
/// candidate with [`best`] would cost more than finding the few.
pub(super) fn by_score<T>(
    run: &Run,
    items: Vec<T>,
    key: impl Fn(&T) -> (f32, DocAddress),
) -> Result<Vec<T>, Error> {
    let keys: Vec<(f32, DocAddress)> = items.iter().map(&key).collect();
    let addresses: Vec<DocAddress> = keys.iter().map(|&(_, address)| address).collect();
    let dates = run.date_keys(&addresses)?;
    let mut order: Vec<usize> = (0..items.len()).collect();
    let keyed = |i: usize| (keys[i].0, dates[i], keys[i].1);
    order.sort_by(|&a, &b| rank_order(keyed(a), keyed(b)));
    Ok(in_order(items, order))
}

/// `items` with the best `first` of them at the front in the order of [`by_score`], and the rest
/// after them in no order: where a page is shown, only its hits need an order, and only the
/// paragraphs that score as well as its last need their date, which breaks ties.
pub(super) fn best_first<T>(
    run: &Run,
    items: Vec<T>,
    key: impl Fn(&T) -> (f32, DocAddress),
    first: usize,
) -> Result<Vec<T>, Error> {
    if first >= items.len() {
        return by_score(run, items, key);
    }
    let keys: Vec<(f32, DocAddress)> = items.iter().map(&key).collect();
    let order = first_in_rank_order(&keys, first, |addresses| run.date_keys(addresses))?;
    Ok(in_order(items, order))
}

/// The indexes of `keys` (score, address), the best `first` first in [`rank_order`], the rest
/// after them; `dates` gives the date keys of the addresses it is asked about.
fn first_in_rank_order(
    keys: &[(f32, DocAddress)],
    first: usize,
    dates: impl FnOnce(&[DocAddress]) -> Result<Vec<u64>, Error>,
) -> Result<Vec<usize>, Error> {
    if first == 0 {
        return Ok((0..keys.len()).collect());
    }
    let mut scores: Vec<f32> = keys.iter().map(|&(score, _)| score).collect();
    let first = first.min(scores.len());
    let (_, &mut last, _) = scores.select_nth_unstable_by(first - 1, |a, b| b.total_cmp(a));
    // Every item that scores at least the `first`-th best score may be among the best `first`.
    let in_head = |i: &usize| keys[*i].0.total_cmp(&last).is_ge();
    let head: Vec<usize> = (0..keys.len()).filter(in_head).collect();
    let addresses: Vec<DocAddress> = head.iter().map(|&i| keys[i].1).collect();
    let dates = dates(&addresses)?;
    let mut by_rank: Vec<usize> = (0..head.len()).collect();
    by_rank.sort_by(|&a, &b| {
        let keyed = |k: usize| (keys[head[k]].0, dates[k], keys[head[k]].1);
        rank_order(keyed(a), keyed(b))
    });
    // One list of every index, the rest in their order after the head: a NEAR's candidates
    // number in the thousands, and each list of them is memory a search touches for the first
    // time (docs/PERFORMANCE.md, round 16).
    let mut order = Vec::with_capacity(keys.len());
    order.extend(by_rank.into_iter().map(|k| head[k]));
    order.extend((0..keys.len()).filter(|i| !in_head(i)));
    Ok(order)
}

/// The order of `(score, date key, address)` that [`best`] ranks by.
fn rank_order(a: (f32, u64, DocAddress), b: (f32, u64, DocAddress)) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2))
}

/// `items` in the order of `sort` by their paragraphs' dates, undated paragraphs last.
pub(super) fn by_date<T>(
    run: &Run,
    sort: Sort,
    items: Vec<T>,
    address: impl Fn(&T) -> DocAddress,
) -> Result<Vec<T>, Error> {
    let addresses: Vec<DocAddress> = items.iter().map(&address).collect();
    let keys = run.date_keys(&addresses)?;
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| {
        let key = keys[i];
        let dated = key == 0;
        let by_date = match sort {
            Sort::Oldest => key,
            _ => u64::MAX - key,
        };
        (dated, by_date, addresses[i])
    });
    Ok(in_order(items, order))
}

/// `items` taken in `order`, a permutation of their indices: moved in place, one cycle of the
/// permutation at a time, without a second list of them.
fn in_order<T>(mut items: Vec<T>, mut order: Vec<usize>) -> Vec<T> {
    debug_assert_eq!(items.len(), order.len());
    for start in 0..order.len() {
        // Along the cycle through `start`: the item that belongs at `at` is at `order[at]`;
        // each place is marked done (`order[at] = at`) once it holds its item.
        let mut at = start;
        loop {
            let from = order[at];
            order[at] = at;
            if from == start || from == at {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{MatchedIn, NAME_SCORE};
    use std::sync::Arc;

    #[test]
    fn the_best_first_are_the_first_of_all_in_rank_order() {
        // Scores with many ties, broken by date and then by address.
        let keys: Vec<(f32, DocAddress)> = (0..300u32)
            .map(|i| {
                (
                    (i * 37 % 11) as f32 / 4.0,
                    DocAddress::new(i % 3, i * 13 % 101),
                )
            })
            .collect();
        let date = |address: &DocAddress| u64::from(address.doc_id * 7 % 5);
        let mut all: Vec<usize> = (0..keys.len()).collect();
        all.sort_by(|&a, &b| {
            rank_order(
                (keys[a].0, date(&keys[a].1), keys[a].1),
                (keys[b].0, date(&keys[b].1), keys[b].1),
            )
        });
        for first in [0, 1, 2, 10, 27, 299, 300, 1000] {
            let mut asked = 0;
            let order = first_in_rank_order(&keys, first, |addresses| {
                asked = addresses.len();
                Ok(addresses.iter().map(date).collect())
            })
            .unwrap();
            let shown = first.min(keys.len());
            assert_eq!(order[..shown], all[..shown], "first {first}");
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..keys.len()).collect::<Vec<_>>(), "a permutation");
            if first == 10 {
                assert!(asked < keys.len() / 2, "{asked} dates read for 10");
            }
        }
    }

    use proptest::prelude::*;

    proptest! {
        /// Moving items in place along the permutation's cycles puts at each place the item
        /// the order names for it, as taking them one by one from a copy does.
        #[test]
        fn items_in_order_are_the_items_the_order_names(
            order in (0usize..60).prop_flat_map(|n| {
                Just((0..n).collect::<Vec<usize>>()).prop_shuffle()
            })
        ) {
            let items: Vec<String> = (0..order.len()).map(|i| format!("item {i}")).collect();
            let expected: Vec<String> = order.iter().map(|&i| items[i].clone()).collect();
            prop_assert_eq!(in_order(items, order), expected);
        }
    }

    /// The `k` best of `(score, date key, address)` in [`rank_order`].
    fn best_of(mut keyed: Vec<(f32, u64, DocAddress)>, k: usize) -> Vec<(f32, DocAddress)> {
        keyed.sort_by(|&a, &b| rank_order(a, b));
        keyed.truncate(k);
        keyed.into_iter().map(|(s, _, a)| (s, a)).collect()
    }

    #[test]
    fn equal_scores_rank_the_newest_first_and_the_undated_last() {
        let at = |doc| DocAddress::new(0, doc);
        let keyed = vec![
            (1.0, 20250228, at(0)),
            (2.0, 19970301, at(1)),
            (1.0, 0, at(2)),
            (1.0, 20260203, at(3)),
            (1.0, 20260203, at(4)),
        ];
        assert_eq!(
            best_of(keyed.clone(), 4),
            vec![(2.0, at(1)), (1.0, at(3)), (1.0, at(4)), (1.0, at(0))]
        );
        // The k-th place among equal scores goes by date too, not by which came first.
        assert_eq!(best_of(keyed, 2), vec![(2.0, at(1)), (1.0, at(3))]);
    }

    fn dated(label: &str, score: f32, date: Option<&str>, matched_in: MatchedIn) -> Hit {
        let mut hit = crate::output::testing::hit(label, Vec::new());
        hit.score = score;
        hit.matched_in = matched_in;
        Arc::make_mut(&mut hit.citation).date = date.map(str::to_string);
        hit
    }

    #[test]
    fn names_merge_into_the_paragraphs_in_the_order_asked() {
        let text = |sort: Sort| {
            let mut hits = vec![
                dated("p2024", 9.0, Some("2024-05-01"), MatchedIn::Text),
                dated("p2020", 5.0, Some("2020-01-01"), MatchedIn::Text),
                dated("pnone", 2.0, None, MatchedIn::Text),
            ];
            order(&mut hits, sort);
            hits
        };
        let names = |sort: Sort| {
            let mut hits = vec![
                dated(
                    "title",
                    NAME_SCORE + 0.5,
                    Some("2022-03-01"),
                    MatchedIn::Title,
                ),
                dated("issue", 0.001, Some("2025-01-01"), MatchedIn::Gazette),
                dated("nameless", NAME_SCORE, None, MatchedIn::Title),
            ];
            order(&mut hits, sort);
            hits
        };
        let labels = |hits: Vec<Hit>| hits.into_iter().map(|h| h.text).collect::<Vec<_>>();
        let merged = |sort| labels(merge(text(sort), names(sort), sort, None));
        assert_eq!(
            merged(Sort::Relevance),
            ["title", "nameless", "p2024", "p2020", "pnone", "issue"]
        );
        assert_eq!(
            merged(Sort::Newest),
            ["issue", "p2024", "title", "p2020", "pnone", "nameless"]
        );
        assert_eq!(
            merged(Sort::Oldest),
            ["p2020", "title", "p2024", "issue", "pnone", "nameless"]
        );
        let cut = merge(
            text(Sort::Relevance),
            names(Sort::Relevance),
            Sort::Relevance,
            Some(3),
        );
        assert_eq!(labels(cut), ["title", "nameless", "p2024"]);
    }
}

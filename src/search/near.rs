//! NEAR: `A NEAR/N B` decided on positions where they can decide, and on the text otherwise.

use std::collections::BTreeSet;

use tantivy::query::{EnableScoring, Weight};
use tantivy::schema::Field;
use tantivy::{DocAddress, DocId, DocSet, Searcher, SegmentReader, TERMINATED};

use crate::search::count::self_overlapping;
use crate::search::plan::{Prepared, Run};
use crate::search::positions::TermPositions;
use crate::search::postings::LiteralPostings;
use crate::search::query::Expr;
use crate::search::rank::by_date;
use crate::search::spread::{self, Piece};
use crate::search::stream::{InIndexOrder, Matches};
use crate::search::verify::{Checked, PARALLEL_FROM, hits_of, read_in_store_order};
use crate::search::{SearchConfig, SearchResult, Sort};
use crate::store::schema::drop_of;
use crate::text::fold::{Folded, Script, fold};
use crate::{Error, parallel};

/// The occurrences of two literals that stand at most `distance` characters apart (counting the
/// characters between the end of one and the start of the other), in either order.
pub(super) fn near(
    text: &str,
    left: &[(usize, usize)],
    right: &[(usize, usize)],
    distance: usize,
) -> Option<Vec<(usize, usize)>> {
    let chars_between = |a: (usize, usize), b: (usize, usize)| {
        let (first, second) = if a.0 <= b.0 { (a, b) } else { (b, a) };
        if second.0 <= first.1 {
            0
        } else {
            text[first.1..second.0].chars().count()
        }
    };
    let mut spans = BTreeSet::new();
    for &l in left {
        for &r in right {
            if chars_between(l, r) <= distance {
                spans.insert(l);
                spans.insert(r);
            }
        }
    }
    (!spans.is_empty()).then(|| spans.into_iter().collect())
}

/// A NEAR alone or with filters, decided on positions before any text is read. Folding only
/// removes characters (white space between CJK characters, zero-width ones) or converts one for
/// one, and the index keeps where it removed them ([`crate::store::schema::DROPS`]; nowhere in
/// most paragraphs): two occurrences stand as many characters farther apart in the text than in
/// the folded text as were dropped between them. So positions decide alone, occurrences
/// included, when each literal is one run of characters that cannot overlap itself (the text is
/// read for leftmost occurrences that do not overlap; the postings give them all). Otherwise a
/// candidate whose occurrences all stand too far apart in the folded text cannot match and is
/// not read; the text decides the rest.
pub(super) struct NearPositions {
    pub(super) left: LiteralPostings,
    pub(super) right: LiteralPostings,
    pub(super) lengths: (u32, u32),
    pub(super) distance: u32,
    /// Whether positions decide alone.
    pub(super) decides: bool,
    /// Whether each paragraph's close occurrences are all counted ([`NearPositions::counting`]),
    /// or only whether it has one pair.
    pub(super) counts: bool,
}

/// From this many paragraphs of the rarer literal's rarest gram, a NEAR's walk is spread over
/// the segments on every core. Walking is cheaper than checking candidates, and below it a
/// second thread gained little and sometimes started late, so that `创新 NEAR/10 平台` (4,088
/// paragraphs) was at times slower on two threads than on one.
const WALK_PARALLEL_FROM: usize = 10_000;

/// A candidate of a NEAR that positions did not rule out. A common pair has thousands, each
/// list of them memory a search touches for the first time: kept to 20 bytes.
pub(super) struct Close {
    pub(super) score: f32,
    pub(super) address: DocAddress,
    /// Where positions decide alone: the occurrences that stand close enough, as the text check
    /// counts them; where they are not counted ([`NearPositions::counts`]), those of the first
    /// pair.
    pub(super) decided: Option<u32>,
}

/// The NEAR of an expression that is one NEAR alone or with filters: its literals and distance.
pub(super) fn lone_near(expr: &Expr) -> Option<(&str, &str, usize)> {
    match expr.beside_filters()? {
        Expr::Near {
            left,
            right,
            distance,
        } => Some((left, right, *distance)),
        _ => None,
    }
}

impl NearPositions {
    /// The NEAR of `run`'s query, placed in the text's grams.
    pub(super) fn of(run: &Run) -> Result<Option<NearPositions>, Error> {
        NearPositions::in_view(&run.searcher, run.fields.grams, &run.prepared)
    }

    /// The NEAR of `prepared`'s query (one NEAR alone or with filters), placed in the character
    /// view `view`; `None` when positions cannot place it.
    pub(super) fn in_view(
        searcher: &Searcher,
        view: Field,
        prepared: &Prepared,
    ) -> Result<Option<NearPositions>, Error> {
        let Some((left, right, distance)) = lone_near(&prepared.expr) else {
            return Ok(None);
        };
        if prepared.script != Script::Fold || prepared.words {
            return Ok(None);
        }
        let (left, right) = (fold(left), fold(right));
        let one_run =
            |literal: &Folded| !literal.chars.contains(&' ') && !self_overlapping(&literal.chars);
        let positions = |literal: &Folded| LiteralPostings::with_positions(searcher, view, literal);
        let (Some(left_postings), Some(right_postings)) = (positions(&left)?, positions(&right)?)
        else {
            return Ok(None);
        };
        Ok(Some(NearPositions {
            lengths: (left.len() as u32, right.len() as u32),
            left: left_postings,
            right: right_postings,
            distance: u32::try_from(distance).unwrap_or(u32::MAX),
            // The index decides the filters beside it (see `exact_in_index`).
            decides: one_run(&left) && one_run(&right),
            counts: false,
        }))
    }

    /// Every close occurrence of each paragraph counted (for `--count` and `stats`), not only
    /// its first pair: a page or a list of hits asks only which paragraphs, and a common pair
    /// such as 发展 and 经济 stands close many times in one paragraph.
    pub(super) fn counting(mut self) -> NearPositions {
        self.counts = true;
        self
    }

    /// The paragraphs where two occurrences of the literals stand close enough in the folded
    /// view (and in the text where positions decide), in the order of the index, each with its
    /// score as the query scores it when it runs over every match if `scored` (else 0): the
    /// query's scorer is moved onto each kept one, on the thread that kept it. The segments are
    /// taken on every core when they are many.
    ///
    /// A NEAR alone finds its candidates (the paragraphs where both literals stand) by walking
    /// the literals' postings together, in the pass that reads their positions. With filters
    /// beside it, the query's pass finds them, the filters with them, and each is then placed.
    pub(super) fn close(&self, run: &Run, scored: bool) -> Result<Vec<Close>, Error> {
        let weight = match scored {
            true => Some(
                run.query
                    .weight(EnableScoring::enabled_from_searcher(&run.searcher))?,
            ),
            false => None,
        };
        let scored_in = |mut close: Vec<Close>| -> Result<Vec<Close>, Error> {
            if let Some(weight) = &weight {
                score_in_segment(run, weight.as_ref(), &mut close)?;
            }
            Ok(close)
        };
        let kept = if run.filters {
            // In the order of the index, as postings move: segment by segment, each in the order
            // of its documents.
            let segments = spread::search(&run.searcher, &run.query, &InIndexOrder::unscored())?;
            let candidates = segments.iter().map(|matches| matches.docs.len()).sum();
            let threads = parallel::threads(candidates, PARALLEL_FROM);
            parallel::map(&segments, threads, |matches| {
                scored_in(self.keep_in_segment(run, matches)?)
            })
        } else {
            // The walk's steps and the candidates are at most the paragraphs of the rarer
            // literal's rarest gram.
            let most = self
                .left
                .doc_freq(&run.searcher)?
                .min(self.right.doc_freq(&run.searcher)?);
            let threads = parallel::threads(most as usize, WALK_PARALLEL_FROM);
            spread::each_share(&run.searcher, threads, |piece| {
                scored_in(self.walk(run, piece)?)
            })
        };
        // The first segment's list grows to hold the others' (in place where the allocator
        // can), rather than all of them copied into a new one.
        let mut segments = kept.into_iter();
        let mut close = segments.next().transpose()?.unwrap_or_default();
        for segment in segments {
            close.extend(segment?);
        }
        Ok(close)
    }

    /// Where the first of two occurrences (the left literal's at `l`, the right's at `r`, in
    /// characters of the folded text) ends and the second starts: the characters between them
    /// are the difference, none where they overlap.
    fn between(&self, l: u32, r: u32) -> (u32, u32) {
        let (left_len, right_len) = self.lengths;
        if l <= r {
            (l + left_len, r)
        } else {
            (r + right_len, l)
        }
    }

    /// The `candidates` (in the order of the index) where two occurrences stand close enough in
    /// the folded view, in their order. Folding only removes characters or converts them one
    /// for one, so occurrences too far apart there are too far apart in the text: the rest may
    /// match, and are checked on it.
    pub(super) fn close_in_view(
        &self,
        searcher: &Searcher,
        candidates: Vec<DocAddress>,
    ) -> Result<Vec<DocAddress>, Error> {
        let (mut left_postings, mut right_postings) = (self.left.clone(), self.right.clone());
        let mut kept = Vec::with_capacity(candidates.len());
        for segment in candidates.chunk_by(|a, b| a.segment_ord == b.segment_ord) {
            let reader = searcher.segment_reader(segment[0].segment_ord);
            let mut lefts = left_postings.open(reader)?;
            let mut rights = right_postings.open(reader)?;
            for &address in segment {
                let ls = left_postings.starts(&mut lefts, address.doc_id).to_vec();
                let rs = right_postings.starts(&mut rights, address.doc_id);
                let close = ls.iter().any(|&l| {
                    rs.iter().any(|&r| {
                        let (first_end, second) = self.between(l, r);
                        second.saturating_sub(first_end) <= self.distance
                    })
                });
                if close {
                    kept.push(address);
                }
            }
        }
        Ok(kept)
    }

    /// The `candidates` of one segment (in the order of the index) that stand close enough.
    fn keep_in_segment(&self, run: &Run, candidates: &Matches) -> Result<Vec<Close>, Error> {
        let mut close = Vec::new();
        if candidates.docs.is_empty() {
            return Ok(close);
        }
        let reader = run.searcher.segment_reader(candidates.segment);
        let mut walk = Walk::open(self, reader)?;
        for &(score, doc) in &candidates.docs {
            let address = DocAddress::new(candidates.segment, doc);
            close.extend(walk.close_at(self, run, score, address));
        }
        Ok(close)
    }

    /// The paragraphs of `piece` where both literals stand close enough, found by walking their
    /// postings together; deleted paragraphs skipped.
    fn walk(&self, run: &Run, piece: &Piece) -> Result<Vec<Close>, Error> {
        let (ord, reader) = (piece.ord, piece.reader);
        let mut walk = Walk::open(self, reader)?;
        // At most the paragraphs of the rarest gram: reserved at once rather than grown by
        // copies, and only the part written is ever touched.
        let most = walk
            .left
            .iter()
            .chain(&walk.right)
            .map(TermPositions::doc_freq)
            .min();
        let mut close = Vec::with_capacity(most.unwrap_or(0) as usize);
        let alive = reader.alive_bitset();
        let mut doc = walk.next_common(piece.docs.start);
        while doc < piece.docs.end {
            if alive.is_none_or(|bits| bits.is_alive(doc)) {
                close.extend(walk.close_at(self, run, 0.0, DocAddress::new(ord, doc)));
            }
            doc = walk.next_common(doc + 1);
        }
        Ok(close)
    }
}

/// A NEAR's two literals' postings in one segment, moved forward paragraph by paragraph.
struct Walk {
    left_postings: LiteralPostings,
    right_postings: LiteralPostings,
    left: Vec<TermPositions>,
    right: Vec<TermPositions>,
    spans: Vec<(u32, u32)>,
    dropped: Dropped,
}

impl Walk {
    fn open(near: &NearPositions, reader: &SegmentReader) -> Result<Walk, Error> {
        let (left_postings, right_postings) = (near.left.clone(), near.right.clone());
        Ok(Walk {
            left: left_postings.open(reader)?,
            right: right_postings.open(reader)?,
            left_postings,
            right_postings,
            spans: Vec::new(),
            dropped: Dropped::default(),
        })
    }

    /// The first paragraph at or after `target` where every gram of both literals stands
    /// ([`TERMINATED`] when none does): each posting list is moved up to the farthest one,
    /// until they all stand on one paragraph.
    fn next_common(&mut self, mut target: DocId) -> DocId {
        if self.left.is_empty() || self.right.is_empty() {
            return TERMINATED;
        }
        loop {
            let mut farthest = target;
            for postings in self.left.iter_mut().chain(self.right.iter_mut()) {
                if postings.doc() < target {
                    postings.seek(target);
                }
                farthest = farthest.max(postings.doc());
            }
            if farthest == target || farthest == TERMINATED {
                return farthest;
            }
            target = farthest;
        }
    }

    /// The candidate at `address` (after those before it in the segment) if two occurrences of
    /// the literals stand close enough there: in the folded text, and in the text where
    /// positions decide.
    fn close_at(
        &mut self,
        near: &NearPositions,
        run: &Run,
        score: f32,
        address: DocAddress,
    ) -> Option<Close> {
        let (left_len, right_len) = near.lengths;
        let distance = near.distance;
        // Read when a pair first stands close enough in the folded text: most are not.
        let mut dropped_read = false;
        let ls = self.left_postings.starts(&mut self.left, address.doc_id);
        let rs = self.right_postings.starts(&mut self.right, address.doc_id);
        self.spans.clear();
        'pairs: for &l in ls {
            // Only the right occurrences that start from `right_len + distance` before `l` to
            // `left_len + distance` after it can stand `distance` apart from it or less
            // (`between`); both lists are sorted.
            let from = l.saturating_sub(right_len.saturating_add(distance));
            let to = l.saturating_add(left_len.saturating_add(distance));
            let nearby = &rs[rs.partition_point(|&r| r < from)..];
            for &r in nearby.iter().take_while(|&&r| r <= to) {
                let (first_end, second) = near.between(l, r);
                let gap = second.saturating_sub(first_end);
                if gap > distance {
                    continue;
                }
                // In the text: the folded gap and what was dropped inside it. Where positions
                // do not decide, the folded gap is enough to rule out. Overlapping occurrences
                // have nothing between them; adjacent ones may have had white space.
                let in_text = if second >= first_end && near.decides {
                    if !dropped_read {
                        self.dropped.read(run, address);
                        dropped_read = true;
                    }
                    u64::from(gap) + self.dropped.between(first_end, second)
                } else {
                    u64::from(gap)
                };
                if in_text <= u64::from(distance) {
                    self.spans.push((l, l + left_len));
                    self.spans.push((r, r + right_len));
                    if !near.counts {
                        break 'pairs;
                    }
                }
            }
        }
        if self.spans.is_empty() {
            return None;
        }
        let decided = near.decides.then(|| {
            self.spans.sort_unstable();
            self.spans.dedup();
            u32::try_from(self.spans.len()).unwrap_or(u32::MAX)
        });
        Some(Close {
            score,
            address,
            decided,
        })
    }
}

/// Where folding dropped characters from one paragraph: each place (an index of the folded
/// text) in order, with the characters dropped before it as running totals, so that what was
/// dropped between two places is a difference of two totals, however many places a paragraph
/// cut from a PDF has.
#[derive(Default)]
struct Dropped {
    values: Vec<u64>,
    places: Vec<u32>,
    /// `totals[i]`: the characters dropped before the `i`th place; one more than the places.
    totals: Vec<u64>,
}

impl Dropped {
    /// The drops of the paragraph at `address`.
    fn read(&mut self, run: &Run, address: DocAddress) {
        run.dropped(address, &mut self.values);
        self.total_up();
    }

    /// The places and running totals of the drops in `values` ([`crate::store::schema::drop_value`]).
    fn total_up(&mut self) {
        // Written in the order of the text, one per place; sorted here all the same, so that
        // the totals hold whatever order the column gives back.
        if !self.values.is_sorted() {
            self.values.sort_unstable();
        }
        self.places.clear();
        self.totals.clear();
        self.totals.push(0);
        let mut total = 0;
        for &value in &self.values {
            let (at, count) = drop_of(value);
            total += u64::from(count);
            self.places.push(at);
            self.totals.push(total);
        }
    }

    /// Characters dropped from the text between two places of the folded text: before any index
    /// in `from..=to`.
    fn between(&self, from: u32, to: u32) -> u64 {
        let first = self.places.partition_point(|&at| at < from);
        let end = self.places.partition_point(|&at| at <= to);
        if end <= first {
            return 0;
        }
        self.totals[end] - self.totals[first]
    }
}

/// Gives each of `close` (kept in one segment, in the order of the index) its score: the
/// query's scorer is moved onto each in turn.
fn score_in_segment(run: &Run, weight: &dyn Weight, close: &mut [Close]) -> Result<(), Error> {
    let Some(first) = close.first() else {
        return Ok(());
    };
    let segment = run.searcher.segment_reader(first.address.segment_ord);
    let mut scorer = weight.scorer(segment, 1.0)?;
    for c in close.iter_mut() {
        if scorer.seek(c.address.doc_id) == c.address.doc_id {
            c.score = scorer.score();
        }
    }
    Ok(())
}

/// A NEAR's hits from its close candidates, in their order: those that positions decide are
/// counted without being read, and read only if shown. Two reads in store order (the undecided,
/// then the decided ones shown) around the order and the cut, as in `search_with`.
pub(super) fn search_near(
    run: &Run,
    config: &SearchConfig,
    close: Vec<Close>,
) -> Result<SearchResult, Error> {
    enum Confirmed {
        Read(Box<Checked>),
        ByPositions(f32, DocAddress),
    }
    let address = |c: &Confirmed| match c {
        Confirmed::Read(checked) => checked.address,
        Confirmed::ByPositions(_, address) => *address,
    };
    let cite = config.limit.is_none();
    let undecided: Vec<(f32, DocAddress)> = close
        .iter()
        .filter(|c| c.decided.is_none())
        .map(|c| (c.score, c.address))
        .collect();
    let mut read = read_in_store_order(run, &undecided, cite)?.into_iter();
    // In relevance order `close` is already ranked: only the page shown is kept, the rest
    // counted.
    let kept = match (config.sort, config.limit) {
        (Sort::Relevance, Some(limit)) => limit,
        _ => usize::MAX,
    };
    let mut confirmed = Vec::new();
    let mut total = 0;
    for c in close {
        let c = match c.decided {
            Some(_) => Confirmed::ByPositions(c.score, c.address),
            None => match read.next().flatten() {
                Some(checked) => Confirmed::Read(Box::new(checked)),
                None => continue,
            },
        };
        total += 1;
        if confirmed.len() < kept {
            confirmed.push(c);
        }
    }
    if config.sort != Sort::Relevance {
        confirmed = by_date(run, config.sort, confirmed, address)?;
    }
    if let Some(limit) = config.limit {
        confirmed.truncate(limit);
    }
    let unread: Vec<(f32, DocAddress)> = confirmed
        .iter()
        .filter_map(|c| match c {
            Confirmed::ByPositions(score, address) => Some((*score, *address)),
            Confirmed::Read(_) => None,
        })
        .collect();
    let mut read = read_in_store_order(run, &unread, cite)?.into_iter();
    let mut checked = Vec::with_capacity(confirmed.len());
    for c in confirmed {
        match c {
            Confirmed::Read(c) => checked.push(*c),
            // The text agrees with the positions unless the index is not what this version
            // of gazette writes; it has the last word.
            Confirmed::ByPositions(..) => match read.next().flatten() {
                Some(c) => checked.push(c),
                None => total -= 1,
            },
        }
    }
    Ok(SearchResult {
        hits: hits_of(run, checked)?,
        total,
        paragraphs: total,
        ..SearchResult::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::schema;

    /// What was dropped between two places, against a sum over every drop, for drops given in
    /// and out of order.
    #[test]
    fn dropped_between_two_places_is_the_sum_of_the_drops_there() {
        let drops = [(0, 1), (1, 3), (4, 2), (5, 1), (9, 7), (10, 2)];
        for order in [drops.to_vec(), drops.iter().rev().copied().collect()] {
            let mut dropped = Dropped {
                values: order
                    .iter()
                    .map(|&(at, count)| schema::drop_value(at, count))
                    .collect(),
                ..Dropped::default()
            };
            dropped.total_up();
            for from in 0..12u32 {
                for to in 0..12u32 {
                    let expected: u64 = drops
                        .iter()
                        .filter(|&&(at, _)| from as usize <= at && at <= to as usize)
                        .map(|&(_, count)| count as u64)
                        .sum();
                    assert_eq!(dropped.between(from, to), expected, "{from}..={to}");
                }
            }
        }
        assert_eq!(Dropped::default().between(0, 10), 0);
    }

    #[test]
    pub(super) fn near_measures_the_characters_between_two_occurrences() {
        let text = "云台山实验室和青天河";
        let span = |s: &str| {
            let start = text.find(s).unwrap();
            (start, start + s.len())
        };
        let (a, b, c) = (span("云台山"), span("实验室"), span("青天河"));
        assert_eq!(near(text, &[a], &[b], 0), Some(vec![a, b]));
        assert_eq!(near(text, &[a], &[c], 3), None);
        assert_eq!(near(text, &[a], &[c], 4), Some(vec![a, c]));
        assert_eq!(near(text, &[c], &[a], 4), Some(vec![a, c]));
    }
}

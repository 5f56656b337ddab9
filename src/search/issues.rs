//! ISSUES: the issues a query finds by their name, each once, and the best of them found without
//! checking every one (`names` checks and ranks them).
//!
//! A common word of the gazettes' names (政府 in a collection of 人民政府公报) finds every issue,
//! hundreds of thousands in a large collection, for every search of it: the work per issue is
//! kept to a look-up in the columns of the heads found, and a key read only where needed. An
//! issue's key is a number in its segment's column; one whose heads lie in several segments is
//! told by the keys' hashes (compared whole where two hashes meet). `--count` reads no key of an
//! index of one segment.
//!
//! Where the index decides alone, each issue it finds matches, so they are counted as found; and
//! each is given an upper bound of its score as its key is read ([`Bounding`]), by which
//! `names` checks them best first (`crate::search::bounds`).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use tantivy::columnar::StrColumn;
use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::{DocAddress, DocId, DocSet, Searcher, SegmentReader, TERMINATED};

use crate::Error;
use crate::search::count::each_alive;
use crate::search::rank::Dates;
use crate::search::spread;
use crate::store::schema;

/// The issues a query finds, each once: those of each segment in the order of their keys, the
/// segments in order, numbered so.
#[derive(Default)]
pub(super) struct Found {
    /// Each segment's column of issue keys (`None` for a segment without it).
    columns: Vec<Option<StrColumn>>,
    /// Each segment's issues, kept apart: put together, a word of gazette names's hundreds of
    /// thousands of issues were a copy of them all, in memory touched for the first time.
    runs: Vec<Run>,
    /// The number of the first issue of each run.
    starts: Vec<usize>,
}

/// One segment's issues, in the order of their keys, and their bounds when asked for.
#[derive(Clone, Default)]
struct Run {
    segment: u32,
    slots: Vec<Slot>,
    bounds: Vec<f32>,
    /// When bounded: the heads whose issue's own name may hold a literal or convert with its
    /// neighbours (`Bounding::tails`), in order. The others' bounds need only the start of it.
    tails: Vec<DocId>,
}

/// An issue as its segment's table holds it, one slot per key of the column: 16 bytes, for a
/// word of gazette names fills one for every issue of the index.
#[derive(Clone, Copy)]
struct Slot {
    /// Its first head.
    doc: DocId,
    /// The number of its key in the segment's column.
    ord: u32,
    date: u64,
}

/// One issue found: its first head, its date (a `dates::key`), the bound of its score when asked
/// for (else 0), and the number of its key in the column of its first head's segment.
#[derive(Clone, Copy)]
pub(super) struct Issue {
    pub(super) address: DocAddress,
    pub(super) date: u64,
    pub(super) bound: f32,
    ord: u32,
}

impl Run {
    fn issue(&self, i: usize) -> Issue {
        let slot = self.slots[i];
        Issue {
            address: DocAddress::new(self.segment, slot.doc),
            date: slot.date,
            bound: self.bounds.get(i).copied().unwrap_or(0.0),
            ord: slot.ord,
        }
    }
}

/// Reads what bounds an issue's score from its key as the key is read (`find`): each segment's
/// thread makes one of its own.
pub(super) type Bounder<'b> = &'b (dyn Fn() -> Bound<'b> + Sync);

/// The bound of an issue's score from its key, and whether the issue's own name is plain: holds
/// no occurrence of a literal and no character that converts with its neighbours.
pub(super) type Bound<'b> = Box<dyn FnMut(&[u8], bool) -> f32 + 'b>;

/// How `find` bounds the issues' scores: `bounder` reads the keys, and `tails` finds the heads
/// whose issue's own name is not plain (the issue part's view, see `schema::ISSUE_PART`).
pub(super) struct Bounding<'b> {
    pub(super) bounder: Bounder<'b>,
    pub(super) tails: &'b dyn Query,
}

impl Found {
    /// The issues of `runs`, one run per segment in the order of the segments, whose keys are
    /// in `columns`.
    fn new(columns: Vec<Option<StrColumn>>, runs: Vec<Run>) -> Found {
        let starts = runs
            .iter()
            .scan(0, |start, run| {
                let first = *start;
                *start += run.slots.len();
                Some(first)
            })
            .collect();
        Found {
            columns,
            runs,
            starts,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.runs.iter().map(|run| run.slots.len()).sum()
    }

    /// Every issue, in the order of their numbers.
    pub(super) fn iter(&self) -> impl Iterator<Item = Issue> + '_ {
        self.runs
            .iter()
            .flat_map(|run| (0..run.slots.len()).map(|i| run.issue(i)))
    }

    /// Issue number `i`.
    pub(super) fn get(&self, i: usize) -> Issue {
        let run = self.starts.partition_point(|&start| start <= i) - 1;
        self.runs[run].issue(i - self.starts[run])
    }

    /// The keys (`schema::issue_key`) of issues number `items`, in their order: each segment's
    /// read in one pass (`read_keys`).
    pub(super) fn keys(&self, items: &[usize]) -> Result<Vec<String>, Error> {
        let mut wanted: Vec<(Issue, usize)> = items
            .iter()
            .enumerate()
            .map(|(at, &i)| (self.get(i), at))
            .collect();
        wanted.sort_unstable_by_key(|(issue, _)| (issue.address.segment_ord, issue.ord));
        let mut keys = vec![String::new(); items.len()];
        for same in wanted.chunk_by(|a, b| a.0.address.segment_ord == b.0.address.segment_ord) {
            let ords: Vec<u64> = same.iter().map(|(issue, _)| u64::from(issue.ord)).collect();
            let read = read_keys(&self.columns, same[0].0.address.segment_ord, &ords)?;
            for (&(_, at), key) in same.iter().zip(read) {
                // The dictionary holds the strings it was given; a damaged key reads as none.
                keys[at] = String::from_utf8(key).unwrap_or_default();
            }
        }
        Ok(keys)
    }

    /// Hands `each` every issue with its key and its number in the order of the keys (as bytes,
    /// as the columns order them; equal keys of two segments in the order of the segments).
    ///
    /// Each segment's issues are in the order of their keys already: the segments' keys are read
    /// a batch at a time and merged as they are read. Gathered and sorted, they were a key in
    /// memory for each of a collection's issues, all of which a word of gazette names finds.
    pub(super) fn each_by_key(
        &self,
        mut each: impl FnMut(usize, Issue, &str) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut cursors = Vec::new();
        // The least key of each segment not handed yet, with the segment's cursor and the
        // issue's number in its run.
        let mut next = BinaryHeap::new();
        for run in &self.runs {
            let Some(column) = &self.columns[run.segment as usize] else {
                continue;
            };
            let mut cursor = KeyCursor::new(run, column);
            let mut key = Vec::new();
            if let Some(i) = cursor.next(&mut key)? {
                next.push(Reverse((key, cursors.len(), i)));
            }
            cursors.push(cursor);
        }
        let mut number = 0;
        while let Some(Reverse((mut key, c, i))) = next.pop() {
            let cursor = &mut cursors[c];
            // The dictionary holds the strings it was given; a damaged key reads as none.
            each(
                number,
                cursor.run.issue(i),
                std::str::from_utf8(&key).unwrap_or_default(),
            )?;
            number += 1;
            if let Some(i) = cursor.next(&mut key)? {
                next.push(Reverse((key, c, i)));
            }
        }
        Ok(())
    }
}

/// One segment's issues with their keys, in the order of the keys, read a batch at a time.
struct KeyCursor<'a> {
    run: &'a Run,
    column: &'a StrColumn,
    /// The keys of the batch read, back to back, and where each ends.
    bytes: Vec<u8>,
    ends: Vec<usize>,
    /// The number in the run of the batch's first issue, and the issue in it given next.
    first: usize,
    at: usize,
}

impl<'a> KeyCursor<'a> {
    fn new(run: &'a Run, column: &'a StrColumn) -> KeyCursor<'a> {
        KeyCursor {
            run,
            column,
            bytes: Vec::new(),
            ends: Vec::new(),
            first: 0,
            at: 0,
        }
    }

    /// The number in the run of the next issue, its key written into `key`; `None` after the
    /// last.
    fn next(&mut self, key: &mut Vec<u8>) -> Result<Option<usize>, Error> {
        if self.at == self.ends.len() {
            self.first += self.ends.len();
            self.at = 0;
            self.bytes.clear();
            self.ends.clear();
            let slots = &self.run.slots[self.first.min(self.run.slots.len())..];
            let (bytes, ends) = (&mut self.bytes, &mut self.ends);
            each_key(self.column, &slots[..BATCH.min(slots.len())], |_, read| {
                bytes.extend_from_slice(read);
                ends.push(bytes.len());
            })?;
            if self.ends.is_empty() {
                return Ok(None);
            }
        }
        let start = match self.at {
            0 => 0,
            at => self.ends[at - 1],
        };
        key.clear();
        key.extend_from_slice(&self.bytes[start..self.ends[self.at]]);
        self.at += 1;
        Ok(Some(self.first + self.at - 1))
    }
}

/// The keys numbered `ords` (in order) in `segment`'s column of keys, read in one pass (a key read
/// alone decodes its block of the dictionary up to it); none for a segment without the column.
fn read_keys(
    columns: &[Option<StrColumn>],
    segment: u32,
    ords: &[u64],
) -> Result<Vec<Vec<u8>>, Error> {
    let mut keys = Vec::with_capacity(ords.len());
    if let Some(column) = &columns[segment as usize] {
        column
            .dictionary()
            .sorted_ords_to_term_cb(ords, |key| keys.push(key.to_vec()))?;
    }
    Ok(keys)
}

/// `each` on the number in `slots` of every issue of `slots` (one segment's, in the order of
/// their keys) with its key as `column` holds it, the keys read in one pass, a thousand at a
/// time.
fn each_key(
    column: &StrColumn,
    slots: &[Slot],
    mut each: impl FnMut(usize, &[u8]),
) -> Result<(), Error> {
    let mut ords = Vec::with_capacity(BATCH.min(slots.len()));
    for (n, part) in slots.chunks(BATCH).enumerate() {
        ords.clear();
        ords.extend(part.iter().map(|slot| u64::from(slot.ord)));
        let mut at = n * BATCH..(n * BATCH + part.len());
        column.dictionary().sorted_ords_to_term_cb(&ords, |key| {
            if let Some(i) = at.next() {
                each(i, key);
            }
        })?;
    }
    Ok(())
}

/// The first head (in store order) of each issue that `query` finds, with its date, and its
/// bound from `bound` when given. Each segment's heads give a term number each in its column of
/// keys; an issue whose heads lie in several segments is taken once, at its first head. The
/// segments are read on every core when the query's postings are many (`spread`): a word of the
/// gazettes' names (政府) finds every head of a large collection.
pub(super) fn find(
    searcher: &Searcher,
    dates: &Dates,
    query: &dyn Query,
    bounding: Option<Bounding>,
) -> Result<Found, Error> {
    let scoring = EnableScoring::disabled_from_searcher(searcher);
    let weight = query.weight(scoring)?;
    let tails = match &bounding {
        Some(bounding) => Some(bounding.tails.weight(scoring)?),
        None => None,
    };
    let bound = bounding.map(|bounding| bounding.bounder);
    let threads = spread::threads(searcher, query)?;
    let hashed = searcher.segment_readers().len() > 1;
    let read = spread::each_segment(searcher, threads, |ord, segment| {
        segment_issues(weight.as_ref(), tails.as_deref(), dates, (ord, segment))
    });
    let mut columns = Vec::with_capacity(read.len());
    let mut runs = Vec::with_capacity(read.len());
    for segment in read {
        let (column, run) = segment?;
        columns.push(column);
        runs.push(run);
    }
    let hashes = hash_and_bound(&columns, &mut runs, threads, hashed, bound)?;
    if hashed {
        once_each(&mut runs, &hashes, |segment, ords| {
            read_keys(&columns, segment, ords)
        })?;
    }
    Ok(Found::new(columns, runs))
}

/// Heads whose keys are looked up together, and keys read together.
const BATCH: usize = 1024;

/// The issues of one segment that `weight` finds, in the order of their keys, each at its first
/// head, with the segment's column of keys; and the heads `tails` finds, when given.
fn segment_issues(
    weight: &dyn Weight,
    tails: Option<&dyn Weight>,
    dates: &Dates,
    (segment_ord, segment): (u32, &SegmentReader),
) -> Result<(Option<StrColumn>, Run), Error> {
    const NONE: DocId = DocId::MAX;
    let empty = || Run {
        segment: segment_ord,
        ..Run::default()
    };
    let scorer = weight.scorer(segment, 1.0)?;
    let mut heads = Vec::new();
    if let Some(tails) = tails {
        each_alive(tails.scorer(segment, 1.0)?, segment, |doc| heads.push(doc));
    }
    // A segment where nothing is found (most, for a rare literal) opens no column of keys and
    // lays out no slot for its issues.
    if scorer.doc() == TERMINATED && heads.is_empty() {
        return Ok((None, empty()));
    }
    let Some(column) = segment.fast_fields().str(schema::ISSUE_KEY)? else {
        return Ok((None, empty()));
    };
    let dates = dates.of(segment)?;
    // One slot per key, kept in place for the keys found: the list of a segment's issues.
    let mut slots: Vec<Slot> = (0..column.num_terms())
        .map(|ord| Slot {
            doc: NONE,
            // A column's terms are fewer than a segment's documents.
            ord: ord as u32,
            date: 0,
        })
        .collect();
    // Heads come in store order, so the first seen of an issue is its first. Its date is read
    // then, in store order too: read later, in the order of the keys, the dates of a large
    // collection's issues were a jump through the date column each. A word of gazette names
    // finds every head: their keys' numbers are looked up a batch at a time, which walks the
    // column's index of the heads that hold one in order instead of searching it for each.
    let ords = column.ords();
    let (mut held, mut rows, mut values) = (Vec::new(), Vec::new(), Vec::new());
    let mut take = |docs: &mut Vec<DocId>| {
        held.clear();
        rows.clear();
        ords.row_ids_for_docs(docs, &mut held, &mut rows);
        values.resize(rows.len(), 0);
        ords.values.get_vals(&rows, &mut values);
        let mut last = NONE;
        for (&doc, &ord) in held.iter().zip(&values) {
            // A document's first value only, as `Column::first` reads it.
            if doc == last {
                continue;
            }
            last = doc;
            if let Some(slot) = slots.get_mut(ord as usize)
                && slot.doc == NONE
            {
                slot.doc = doc;
                slot.date = dates.first(doc).unwrap_or(0);
            }
        }
        docs.clear();
    };
    let mut docs: Vec<DocId> = Vec::with_capacity(BATCH);
    each_alive(scorer, segment, |doc| {
        docs.push(doc);
        if docs.len() == BATCH {
            take(&mut docs);
        }
    });
    take(&mut docs);
    slots.retain(|slot| slot.doc != NONE);
    let run = Run {
        segment: segment_ord,
        slots,
        bounds: Vec::new(),
        tails: heads,
    };
    Ok((Some(column), run))
}

/// The hashes of the issues' keys (each run's, when `hashed`) and their bounds (into the runs,
/// when `bound` is given), read from the keys in one pass per piece. The pieces are even shares
/// of all the runs' issues, one per thread: a run's issues are as many as its segment's heads,
/// and a large index's unequal segments left one thread reading keys alone (docs/PERFORMANCE.md,
/// round 16).
fn hash_and_bound(
    columns: &[Option<StrColumn>],
    runs: &mut [Run],
    threads: usize,
    hashed: bool,
    bound: Option<Bounder>,
) -> Result<Vec<Vec<u32>>, Error> {
    if !hashed && bound.is_none() {
        return Ok(vec![Vec::new(); runs.len()]);
    }
    let sizes: Vec<u32> = runs
        .iter()
        .map(|run| u32::try_from(run.slots.len()).unwrap_or(u32::MAX))
        .collect();
    let shares = spread::shares(&sizes, threads);
    let read: Vec<Result<_, Error>> = {
        let runs: &[Run] = runs;
        let piece = |(run, range): &(usize, std::ops::Range<u32>)| {
            let mut hashes = Vec::new();
            let mut bounds = Vec::new();
            let Some(column) = &columns[*run] else {
                return Ok((hashes, bounds));
            };
            let slots = &runs[*run].slots[range.start as usize..range.end as usize];
            let mut bound = bound.map(|make| make());
            if hashed {
                hashes.reserve_exact(slots.len());
            }
            if bound.is_some() {
                bounds.reserve_exact(slots.len());
            }
            let tails = &runs[*run].tails;
            each_key(column, slots, |i, key| {
                if hashed {
                    // Half of the hash: two keys that share it are compared whole.
                    hashes.push((xxhash_rust::xxh3::xxh3_64(key) >> 32) as u32);
                }
                if let Some(bound) = bound.as_mut() {
                    let plain = tails.binary_search(&slots[i].doc).is_err();
                    bounds.push(bound(key, plain));
                }
            })?;
            Ok::<_, Error>((hashes, bounds))
        };
        spread::on_shares(&shares, threads, piece)
    };
    let pieces = shares.iter().flatten();
    let mut hashes: Vec<Vec<u32>> = vec![Vec::new(); runs.len()];
    for ((run, _), piece) in pieces.zip(read) {
        let (piece_hashes, piece_bounds) = piece?;
        hashes[*run].extend(piece_hashes);
        runs[*run].bounds.extend(piece_bounds);
    }
    Ok(hashes)
}

/// The segments' issues, each taken once, at the first of its heads; `hashes` holds the hashes
/// of each run's keys. Two issues of one key have one hash: issues of equal hashes are told
/// apart by their keys, read by `keys` (a segment's, by their numbers in order) for them alone.
fn once_each(
    runs: &mut [Run],
    hashes: &[Vec<u32>],
    keys: impl Fn(u32, &[u64]) -> Result<Vec<Vec<u8>>, Error>,
) -> Result<(), Error> {
    let groups = equal_hashes(hashes);
    if groups.is_empty() {
        return Ok(());
    }
    // Where each run starts among all the hashes.
    let mut starts = Vec::with_capacity(hashes.len());
    let mut start = 0;
    for run in hashes {
        starts.push(start);
        start += run.len();
    }
    let place = |at: u32| {
        let run = starts.partition_point(|&start| start <= at as usize) - 1;
        (run, at as usize - starts[run])
    };
    // The keys of every issue in a group, each run's read in one pass: an issue whose items lie
    // in two segments is one group (the 行政院公報 of ../shared/corpus has hundreds), and a key
    // read alone decodes its block of the dictionary up to it.
    let mut wanted: Vec<Vec<usize>> = vec![Vec::new(); runs.len()];
    for &at in groups.iter().flatten() {
        let (run, i) = place(at);
        wanted[run].push(i);
    }
    let mut read: Vec<Vec<Vec<u8>>> = Vec::with_capacity(runs.len());
    for (run, wanted) in runs.iter().zip(&mut wanted) {
        wanted.sort_unstable();
        let ords: Vec<u64> = wanted
            .iter()
            .map(|&i| u64::from(run.slots[i].ord))
            .collect();
        read.push(match ords.is_empty() {
            true => Vec::new(),
            false => keys(run.segment, &ords)?,
        });
    }
    let key = |at: u32| -> &[u8] {
        let (run, i) = place(at);
        let n = wanted[run].binary_search(&i).unwrap_or_default();
        read[run].get(n).map_or(&[], Vec::as_slice)
    };
    let mut dropped = Vec::new();
    for same in &groups {
        // Almost always one issue in several segments; else hashes that collide, told apart by
        // the keys. In the order of the segments, the first of equal keys is the first head.
        for (n, &at) in same.iter().enumerate() {
            if same[..n].iter().any(|&before| key(before) == key(at)) {
                dropped.push(place(at));
            }
        }
    }
    dropped.sort_unstable();
    for (r, run) in runs.iter_mut().enumerate() {
        let gone: Vec<usize> = dropped
            .iter()
            .filter(|(run, _)| *run == r)
            .map(|(_, i)| *i)
            .collect();
        if gone.is_empty() {
            continue;
        }
        let keep = |i: usize| gone.binary_search(&i).is_err();
        let mut i = 0;
        run.slots.retain(|_| {
            i += 1;
            keep(i - 1)
        });
        let mut i = 0;
        run.bounds.retain(|_| {
            i += 1;
            keep(i - 1)
        });
    }
    Ok(())
}

/// The positions in `hashes` of each hash held more than once, in order. A bit per bucket of
/// the hashes' leading bits, some eight buckets per hash, marks the buckets met once and those
/// met again: only the hashes of the latter, about one in ten, are sorted. (A counting sort of
/// them all scattered the hundreds of thousands of issues of a word of gazette names through
/// memory twice.)
fn equal_hashes(runs: &[Vec<u32>]) -> Vec<Vec<u32>> {
    let hashes = || runs.iter().flatten().copied();
    let count: usize = runs.iter().map(Vec::len).sum();
    let bits = (count.next_power_of_two().trailing_zeros() + 3).clamp(6, 26);
    let bucket = |hash: u32| (hash >> (32 - bits)) as usize;
    let mut once = vec![0u64; (1 << bits) / 64];
    let mut again = vec![0u64; once.len()];
    for hash in hashes() {
        let at = bucket(hash);
        let (word, bit) = (at / 64, 1u64 << (at % 64));
        if once[word] & bit == 0 {
            once[word] |= bit;
        } else {
            again[word] |= bit;
        }
    }
    let mut met: Vec<(u32, u32)> = hashes()
        .enumerate()
        .filter(|&(_, hash)| {
            let at = bucket(hash);
            again[at / 64] & (1u64 << (at % 64)) != 0
        })
        .map(|(at, hash)| (hash, at as u32))
        .collect();
    // By hash, then by position: equal hashes keep the order of their positions.
    met.sort_unstable();
    met.chunk_by(|a, b| a.0 == b.0)
        .filter(|same| same.len() > 1)
        .map(|same| same.iter().map(|&(_, at)| at).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_hashes_are_grouped_as_a_sort_groups_them() {
        // Hashes spread evenly, and hashes all in one bucket (their leading bits zero), with
        // some held two or three times: the groups are those of a stable sort by hash.
        let spread = |n: u64| (xxhash_rust::xxh3::xxh3_64(&n.to_le_bytes()) >> 32) as u32;
        for count in [0u64, 1, 2, 3, 17, 1000, 5000] {
            for small in [false, true] {
                let hashes: Vec<u32> = (0..count)
                    .map(|n| if n % 7 == 3 { n / 2 } else { n })
                    .map(|n| {
                        if small {
                            (n % 97) as u32
                        } else {
                            spread(n % 1500)
                        }
                    })
                    .collect();
                let mut want: Vec<u32> = (0..count as u32).collect();
                want.sort_by_key(|&i| hashes[i as usize]);
                let mut want: Vec<Vec<u32>> = want
                    .chunk_by(|&a, &b| hashes[a as usize] == hashes[b as usize])
                    .filter(|same| same.len() > 1)
                    .map(<[u32]>::to_vec)
                    .collect();
                // Split in runs as segments give them.
                let runs: Vec<Vec<u32>> = hashes.chunks(7).map(<[u32]>::to_vec).collect();
                let mut got = equal_hashes(&runs);
                want.sort();
                got.sort();
                assert_eq!(got, want, "{count} hashes, small {small}");
            }
        }
    }

    #[test]
    fn segments_give_each_key_once_at_its_first_head() {
        // One to five segments, each holding some of 40 keys (sorted, each once), some keys in
        // several; hashed apart, and hashed so that different keys collide. Each key is kept
        // once, at its first head, the others in the order of the segments, each with its own
        // bound (the key's number, so that a bound left beside another issue shows).
        for segments in 1..=5u32 {
            let mut keys: Vec<Vec<String>> = Vec::new();
            let mut runs = Vec::new();
            for segment in 0..segments {
                let mut segment_keys = Vec::new();
                let mut run = Run {
                    segment,
                    ..Run::default()
                };
                for n in (0..40u32).filter(|n| (n * 7 + segment * 3) % (segment + 2) == 0) {
                    run.slots.push(Slot {
                        doc: n * 10 + segment,
                        ord: segment_keys.len() as u32,
                        date: u64::from(n),
                    });
                    run.bounds.push(n as f32);
                    segment_keys.push(format!("公报{n:02}"));
                }
                keys.push(segment_keys);
                runs.push(run);
            }
            let key = |issue: &Issue| -> &str {
                &keys[issue.address.segment_ord as usize][issue.ord as usize]
            };
            let issues = |runs: &[Run]| -> Vec<Issue> {
                runs.iter()
                    .flat_map(|run| (0..run.slots.len()).map(|i| run.issue(i)))
                    .collect()
            };
            let describe = |list: &[Issue]| -> Vec<(String, DocAddress, f32)> {
                list.iter()
                    .map(|issue| (key(issue).to_string(), issue.address, issue.bound))
                    .collect()
            };
            let every = issues(&runs);
            let mut want = describe(&every);
            want.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
            want.dedup_by(|later, first| later.0 == first.0);
            want.sort_by_key(|(_, address, _)| *address);
            let hashed = |hash: &dyn Fn(&str) -> u32| -> Vec<Vec<u32>> {
                runs.iter()
                    .map(|run| {
                        (0..run.slots.len())
                            .map(|i| hash(key(&run.issue(i))))
                            .collect()
                    })
                    .collect()
            };
            let strong = hashed(&|key| xxhash_rust::xxh3::xxh3_64(key.as_bytes()) as u32);
            // Keys of one length collide: every key here.
            let weak = hashed(&|key| key.len() as u32);
            for hashes in [strong, weak] {
                let read = |segment: u32, ords: &[u64]| {
                    let keys = &keys[segment as usize];
                    Ok(ords
                        .iter()
                        .map(|&ord| keys[ord as usize].as_bytes().to_vec())
                        .collect())
                };
                let mut kept = runs.clone();
                once_each(&mut kept, &hashes, read).unwrap();
                let once = issues(&kept);
                assert_eq!(describe(&once), want, "{segments} segments");
                assert!(
                    segments == 1 || once.len() < every.len(),
                    "no key in two segments"
                );
            }
        }
    }

    /// Each segment's column of issue keys, of an index of a segment for each list of `keys`,
    /// one document for each key, in order.
    fn key_columns(keys: &[Vec<String>]) -> Vec<Option<StrColumn>> {
        let (index, fields, mut writer) = crate::store::test_index();
        for segment in keys {
            for key in segment {
                let mut doc = tantivy::TantivyDocument::default();
                doc.add_text(fields.issue_key, key);
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), keys.len());
        searcher
            .segment_readers()
            .iter()
            .map(|segment| segment.fast_fields().str(schema::ISSUE_KEY).unwrap())
            .collect()
    }

    /// Three segments' issues, one segment of more than a batch of keys, some keys in two or
    /// three segments, each segment's documents added out of the order of their keys: handed in
    /// the order a stable sort of all of them by key gives, each with its own head and number.
    #[test]
    fn issues_are_handed_in_the_order_of_their_keys_across_segments() {
        let segments: [Vec<u32>; 3] = [
            (0..1500).rev().collect(),
            (0..400).map(|n| n * 5).collect(),
            (0..300).map(|n| (n * 7) % 2000).collect(),
        ];
        let key = |segment: usize, n: u32| {
            // Keys shared by segments where their numbers meet, the gazette's name apart
            // otherwise for one in three.
            let gazette = match n.is_multiple_of(3) && segment == 2 {
                true => "郑州市人民政府公报",
                false => "焦作市人民政府公报",
            };
            schema::issue_key(Some(gazette), Some(&format!("第{n}号")), None)
        };
        let keys: Vec<Vec<String>> = segments
            .iter()
            .enumerate()
            .map(|(segment, numbers)| numbers.iter().map(|&n| key(segment, n)).collect())
            .collect();
        let columns = key_columns(&keys);
        let mut want = Vec::new();
        let mut runs = Vec::new();
        for (segment, column) in columns.iter().enumerate() {
            let column = column.as_ref().unwrap();
            let mut slots: Vec<Slot> = (0..keys[segment].len() as DocId)
                .map(|doc| Slot {
                    doc,
                    ord: column.term_ords(doc).next().unwrap() as u32,
                    date: u64::from(doc),
                })
                .collect();
            slots.sort_by_key(|slot| slot.ord);
            for slot in &slots {
                let mut bytes = Vec::new();
                column
                    .dictionary()
                    .ord_to_term(u64::from(slot.ord), &mut bytes)
                    .unwrap();
                want.push((String::from_utf8(bytes).unwrap(), segment as u32, slot.doc));
            }
            runs.push(Run {
                segment: segment as u32,
                slots,
                ..Run::default()
            });
        }
        want.sort_by(|a, b| a.0.cmp(&b.0));
        let shared = want
            .windows(2)
            .filter(|pair| pair[0].0 == pair[1].0)
            .count();
        assert!(shared > 100, "{shared} keys in two segments");
        let found = Found::new(columns, runs);
        let mut got = Vec::new();
        found
            .each_by_key(|number, issue, key| {
                assert_eq!(number, got.len());
                assert_eq!(issue.date, u64::from(issue.address.doc_id));
                got.push((
                    key.to_string(),
                    issue.address.segment_ord,
                    issue.address.doc_id,
                ));
                Ok(())
            })
            .unwrap();
        assert_eq!(got, want);
        // An error of `each` stops the walk with it.
        let mut handed = 0;
        let stopped = found.each_by_key(|number, _, _| {
            handed += 1;
            match number {
                1234 => Err(Error::Inconsistent("damaged".into())),
                _ => Ok(()),
            }
        });
        assert!(stopped.is_err());
        assert_eq!(handed, 1235);
    }

    /// The hashes and bounds of the issues of three segments of unequal sizes, read in shares
    /// on one to four threads (a segment's issues cut between two), are each issue's own: its
    /// key's hash and bound, the key read alone by its number.
    #[test]
    fn issues_hashed_and_bounded_in_shares_get_their_own_keys() {
        let keys: Vec<Vec<String>> = [300u32, 40, 170]
            .into_iter()
            .enumerate()
            .map(|(segment, keys)| {
                (0..keys)
                    .map(|n| {
                        schema::issue_key(
                            Some("焦作市人民政府公报"),
                            Some(&format!("{segment}年第{n}号")),
                            None,
                        )
                    })
                    .collect()
            })
            .collect();
        let columns = key_columns(&keys);
        let runs: Vec<Run> = columns
            .iter()
            .enumerate()
            .map(|(segment, column)| Run {
                segment: segment as u32,
                slots: (0..column.as_ref().unwrap().num_terms() as u32)
                    .map(|ord| Slot {
                        doc: ord,
                        ord,
                        date: 0,
                    })
                    .collect(),
                bounds: Vec::new(),
                // Every third head's issue name not plain.
                tails: (0..column.as_ref().unwrap().num_terms() as u32)
                    .filter(|doc| doc % 3 == 1)
                    .collect(),
            })
            .collect();
        let bound_of = |key: &[u8], plain: bool| {
            (key.len() as f32) + f32::from(key[key.len() - 2]) + if plain { 1000.0 } else { 0.0 }
        };
        let make = || -> Bound { Box::new(bound_of) };
        for threads in 1..=4 {
            let mut bounded = runs.clone();
            let hashes =
                hash_and_bound(&columns, &mut bounded, threads, true, Some(&make)).unwrap();
            for (segment, run) in bounded.iter().enumerate() {
                let column = columns[segment].as_ref().unwrap();
                assert_eq!(hashes[segment].len(), run.slots.len(), "{threads} threads");
                assert_eq!(run.bounds.len(), run.slots.len(), "{threads} threads");
                for (i, slot) in run.slots.iter().enumerate() {
                    let mut key = Vec::new();
                    column
                        .dictionary()
                        .ord_to_term(u64::from(slot.ord), &mut key)
                        .unwrap();
                    let hash = (xxhash_rust::xxh3::xxh3_64(&key) >> 32) as u32;
                    assert_eq!(hashes[segment][i], hash, "{threads} threads, {segment}/{i}");
                    assert_eq!(
                        run.bounds[i],
                        bound_of(&key, slot.doc % 3 != 1),
                        "{threads} threads, {segment}/{i}"
                    );
                }
            }
        }
    }
}

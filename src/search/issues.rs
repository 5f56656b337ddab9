//! ISSUES: the issues a query finds by their name, each once, and the best of them found without
//! checking every one (`names` checks and ranks them).
//!
//! A common word of the gazettes' names (政府 in a collection of 人民政府公报) finds every issue.
//! Where the index decides alone, each issue it finds matches, so they are counted as found; and
//! an issue's score, which is what the query covers of its gazette's name or of its issue's
//! name, is bounded above by what the query's literals cover of each of the two apart. Those
//! bounds are computed once per distinct name, and issues are checked in the order of their
//! bound until none left unchecked could rank above the last one kept.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::ops::Range;

use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::{DocAddress, DocId, Searcher, SegmentReader};

use crate::Error;
use crate::search::count::each_alive;
use crate::search::rank::Dates;
use crate::search::spread;
use crate::store::schema;
use crate::text::fold::{Edge, Script, Sought, fold_with, folds_apart};

/// The issues a query finds, each once, in the order of their keys.
#[derive(Default)]
pub(super) struct Found {
    /// Each segment's keys one after another, as its dictionary holds them: checked as UTF-8
    /// only where read (`--count` reads none).
    keys: Vec<Vec<u8>>,
    pub(super) list: Vec<Issue>,
}

/// One issue found: where its key is in [`Found`] (in the keys of its first head's segment),
/// its first head, and its date (a `dates::key`).
pub(super) struct Issue {
    key: Range<usize>,
    pub(super) address: DocAddress,
    pub(super) date: u64,
}

impl Found {
    /// The key of `issue` (`schema::issue_key`).
    pub(super) fn key(&self, issue: &Issue) -> &str {
        // The dictionary holds the strings it was given; a damaged key reads as none.
        std::str::from_utf8(self.raw_key(issue)).unwrap_or_default()
    }

    /// The key of `issue` as the dictionary holds it.
    pub(super) fn raw_key(&self, issue: &Issue) -> &[u8] {
        key_of(&self.keys, issue)
    }

    pub(super) fn len(&self) -> usize {
        self.list.len()
    }
}

/// The first head (in store order) of each issue that `query` finds, with its date. The keys
/// are read from each segment's column of them: a term number per head, then one pass over the
/// column's dictionary for the numbers seen; the segments' sorted lists are then merged, an
/// issue whose heads lie in several segments taken once, at its first head. The segments are
/// read on every core when the query's postings are many (`spread`): a word of the gazettes'
/// names (政府) finds every head of a large collection.
pub(super) fn find(searcher: &Searcher, dates: &Dates, query: &dyn Query) -> Result<Found, Error> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let threads = spread::threads(searcher, query)?;
    let read = spread::each_segment(searcher, threads, |ord, segment| {
        segment_issues(weight.as_ref(), dates, ord, segment)
    });
    // Each segment's keys, and its issues sorted by key.
    let mut keys = Vec::with_capacity(read.len());
    let mut runs: Vec<Vec<Issue>> = Vec::with_capacity(read.len());
    for segment in read {
        let (segment_keys, run) = segment?;
        keys.push(segment_keys);
        runs.push(run);
    }
    let list = merge(&keys, runs);
    Ok(Found { keys, list })
}

/// The issues of one segment that `weight` finds, sorted by key, each at its first head, with
/// their keys one after another.
fn segment_issues(
    weight: &dyn Weight,
    dates: &Dates,
    segment_ord: u32,
    segment: &SegmentReader,
) -> Result<(Vec<u8>, Vec<Issue>), Error> {
    const NONE: DocId = DocId::MAX;
    let mut keys = Vec::new();
    let Some(column) = segment.fast_fields().str(schema::ISSUE_KEY)? else {
        return Ok((keys, Vec::new()));
    };
    let dates = dates.of(segment)?;
    let terms = column.num_terms();
    // Heads come in store order, so the first seen of an issue is its first. Its date is read
    // then, in store order too: read later, in the order of the keys, the dates of a large
    // collection's issues were a jump through the date column each.
    let mut first = vec![(NONE, 0); terms];
    each_alive(weight.scorer(segment, 1.0)?, segment, |doc| {
        if let Some(ord) = column.ords().first(doc)
            && let Some(slot) = first.get_mut(ord as usize)
            && slot.0 == NONE
        {
            *slot = (doc, dates.first(doc).unwrap_or(0));
        }
    });
    let ords: Vec<u64> = (0..terms as u64)
        .filter(|&ord| first[ord as usize].0 != NONE)
        .collect();
    let mut heads = ords.iter().map(|&ord| first[ord as usize]);
    let mut run = Vec::with_capacity(ords.len());
    column.dictionary().sorted_ords_to_term_cb(&ords, |key| {
        let Some((doc, date)) = heads.next() else {
            return;
        };
        let start = keys.len();
        keys.extend_from_slice(key);
        run.push(Issue {
            key: start..keys.len(),
            address: DocAddress::new(segment_ord, doc),
            date,
        });
    })?;
    Ok((keys, run))
}

/// The runs, each sorted by key, merged into one sorted list with each key once: at the first
/// of its heads. The sort finds the runs already in order and merges them.
fn merge(keys: &[Vec<u8>], runs: Vec<Vec<Issue>>) -> Vec<Issue> {
    let key = |issue: &Issue| key_of(keys, issue);
    let mut list: Vec<Issue> = runs.into_iter().flatten().collect();
    list.sort_by(|a, b| key(a).cmp(key(b)).then(a.address.cmp(&b.address)));
    list.dedup_by(|later, first| key(later) == key(first));
    list
}

/// The key of `issue` in the keys of its first head's segment.
fn key_of<'a>(keys: &'a [Vec<u8>], issue: &Issue) -> &'a [u8] {
    &keys[issue.address.segment_ord as usize][issue.key.clone()]
}

/// A score, ordered as f32's total order.
#[derive(Clone, Copy, PartialEq)]
pub(super) struct Score(pub(super) f32);

impl Eq for Score {}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Score {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The best `limit` of `n` items by an order whose greatest is best, found by checking them in
/// the order of `bound`, which is never below what `check` gives (`None` for an item that does
/// not hold): checking stops when no item left could rank above the last kept. Best first, with
/// what `check` gave.
pub(super) fn best_checked<K: Ord + Copy, T>(
    n: usize,
    limit: usize,
    bound: impl Fn(usize) -> K,
    mut check: impl FnMut(usize) -> Option<(K, T)>,
) -> Vec<(K, T)> {
    if limit == 0 {
        return Vec::new();
    }
    // Built whole in linear time; only the items checked are taken out.
    let mut unchecked: BinaryHeap<(K, usize)> = (0..n).map(|i| (bound(i), i)).collect();
    // The worst kept on top.
    let mut kept: BinaryHeap<Reverse<(K, usize)>> = BinaryHeap::new();
    let mut found: Vec<Option<T>> = Vec::new();
    while let Some((most, i)) = unchecked.pop() {
        if kept.len() == limit && kept.peek().is_some_and(|Reverse(worst)| most <= worst.0) {
            break;
        }
        let Some((key, value)) = check(i) else {
            continue;
        };
        kept.push(Reverse((key, found.len())));
        found.push(Some(value));
        if kept.len() > limit {
            kept.pop();
        }
    }
    let mut best: Vec<(K, usize)> = kept.into_iter().map(|Reverse(k)| k).collect();
    best.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    best.into_iter()
        .filter_map(|(key, slot)| Some((key, found[slot].take()?)))
        .collect()
}

/// What the query's literals cover of one part of issue names (a gazette's name, or what
/// follows it), found in that part alone.
#[derive(Clone, Copy)]
pub(super) struct Part {
    /// The share of the part's characters that occurrences of the literals inside it cover.
    pub(super) covered: f32,
    /// A literal could run across the edge: part of one ends the gazette's name, or the rest of
    /// one starts what follows it.
    pub(super) straddles: bool,
    /// The part folds apart from its neighbour on that edge (`fold::folds_apart`).
    pub(super) apart: bool,
}

/// Upper bounds of what a query covers of issue names, from the two parts of each name apart,
/// each part computed once.
pub(super) struct Bounds<'a, F: Fn(&str) -> f32> {
    /// The literals folded, as they are sought.
    literals: Vec<Vec<char>>,
    /// Their characters, to tell the names that hold none of them.
    sought: Sought,
    script: Script,
    /// What occurrences of the literals cover of a text: the share of its characters.
    covers: F,
    /// The gazette of the last key: keys come sorted, the issues of a gazette one after another.
    gazette: Option<(&'a str, Part)>,
    tails: HashMap<(&'static str, &'a str), Part>,
}

impl<'a, F: Fn(&str) -> f32> Bounds<'a, F> {
    pub(super) fn new(literals: &[&str], script: Script, covers: F) -> Self {
        let literals: Vec<Vec<char>> = literals
            .iter()
            .map(|literal| fold_with(literal, script).chars)
            .collect();
        let mut chars: Vec<char> = literals.iter().flatten().copied().collect();
        chars.sort_unstable();
        chars.dedup();
        Bounds {
            literals,
            sought: Sought::new(chars, script),
            script,
            covers,
            gazette: None,
            tails: HashMap::new(),
        }
    }

    /// At least the larger share that the query covers of the gazette's name or of the rest of
    /// the issue's name (`names` ranks an issue by it), for an issue of that key.
    pub(super) fn coverage(&mut self, key: &'a [u8]) -> f32 {
        let (gazette, issue) = self.parts(key);
        let glue = schema::issue_name_glue(gazette, issue);
        let head = self.gazette(gazette);
        let tail = self.tail(glue, issue);
        let edge = !gazette.is_empty() && !issue.is_empty();
        if edge && (!head.apart || !tail.apart || (head.straddles && tail.straddles)) {
            return 1.0;
        }
        head.covered.max(tail.covered)
    }

    /// The gazette's and the issue's names in `key` (`schema::issue_key_parts`), as
    /// [`Found::key`] reads it: a key that is not UTF-8 (a damaged index) reads as empty. Each
    /// part is checked as UTF-8 only where needed, the gazette's name once for all its issues,
    /// which come one after another, rather than every key whole.
    fn parts(&self, key: &'a [u8]) -> (&'a str, &'a str) {
        let [gazette, issue, year] = schema::issue_key_byte_parts(key);
        let gazette = match self.gazette {
            Some((last, _)) if last.as_bytes() == gazette => Some(last),
            _ => std::str::from_utf8(gazette).ok(),
        };
        match (
            gazette,
            std::str::from_utf8(issue),
            std::str::from_utf8(year),
        ) {
            (Some(gazette), Ok(issue), Ok(_)) => (gazette, issue),
            _ => ("", ""),
        }
    }

    fn gazette(&mut self, gazette: &'a str) -> Part {
        if let Some((last, part)) = self.gazette
            && last == gazette
        {
            return part;
        }
        let part = self.part(gazette, Edge::End);
        self.gazette = Some((gazette, part));
        part
    }

    fn tail(&mut self, glue: &'static str, issue: &'a str) -> Part {
        // Most issues' names are theirs alone (2014年第17号（总第77号）) and hold none of the
        // literals' characters: nothing of them is covered, and no literal runs into them.
        if glue.is_empty()
            && let Some(apart) = self.sought.holds_none(issue)
        {
            return Part {
                covered: 0.0,
                straddles: false,
                apart,
            };
        }
        if let Some(part) = self.tails.get(&(glue, issue)) {
            return *part;
        }
        let part = self.part(&format!("{glue}{issue}"), Edge::Start);
        self.tails.insert((glue, issue), part);
        part
    }

    /// What the literals cover of `text`, the part of issue names that meets the other part at
    /// `edge`.
    fn part(&self, text: &str, edge: Edge) -> Part {
        let folded = fold_with(text, self.script).chars;
        // Part of a literal, not all of it, at the edge: for 公报2025年, 公报 ends a gazette's
        // name and 2025年 starts an issue's.
        let straddles = self.literals.iter().any(|literal| {
            (1..literal.len()).any(|n| match edge {
                Edge::End => folded.ends_with(&literal[..n]),
                Edge::Start => folded.starts_with(&literal[n..]),
            })
        });
        Part {
            covered: (self.covers)(text),
            straddles,
            apart: folds_apart(text, edge, self.script),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_checked_in_the_order_of_a_bound_are_the_best_of_all() {
        // Items whose true value is at most their bound, some failing their check: the best
        // `limit` by checking in the order of the bound equal the best of all, checked.
        let values: Vec<u32> = (0..500u32).map(|i| (i * 7919) % 101).collect();
        let bound = |i: usize| values[i] + (i as u32 % 5);
        let holds = |i: usize| !i.is_multiple_of(3);
        for limit in [0, 1, 5, 42, 400, 1000] {
            let mut checks = 0;
            let got = best_checked(
                values.len(),
                limit,
                |i| (bound(i), Reverse(i)),
                |i| {
                    checks += 1;
                    holds(i).then_some(((values[i], Reverse(i)), i))
                },
            );
            let mut all: Vec<((u32, Reverse<usize>), usize)> = (0..values.len())
                .filter(|&i| holds(i))
                .map(|i| ((values[i], Reverse(i)), i))
                .collect();
            all.sort_by_key(|a| Reverse(a.0));
            all.truncate(limit);
            assert_eq!(got, all, "limit {limit}");
            if limit == 5 {
                assert!(checks < 100, "{checks} checks for 5");
            }
        }
    }

    #[test]
    fn segments_merge_into_each_key_once_at_its_first_head() {
        // One to five segments, each holding some of 40 keys (sorted, each once), some keys in
        // several: the merge is the sort of them all by key and address, each key kept first.
        for segments in 1..=5u32 {
            let mut keys = Vec::new();
            let mut runs = Vec::new();
            for segment in 0..segments {
                let mut segment_keys = Vec::new();
                let mut run = Vec::new();
                for n in (0..40u32).filter(|n| (n * 7 + segment * 3) % (segment + 2) == 0) {
                    let start = segment_keys.len();
                    segment_keys.extend_from_slice(format!("公报{n:02}").as_bytes());
                    run.push(Issue {
                        key: start..segment_keys.len(),
                        address: DocAddress::new(segment, n * 10 + segment),
                        date: u64::from(n),
                    });
                }
                keys.push(segment_keys);
                runs.push(run);
            }
            let describe = |list: &[Issue]| -> Vec<(Vec<u8>, DocAddress)> {
                list.iter()
                    .map(|issue| (key_of(&keys, issue).to_vec(), issue.address))
                    .collect()
            };
            let mut want: Vec<(Vec<u8>, DocAddress)> =
                runs.iter().flat_map(|r| describe(r)).collect();
            want.sort();
            want.dedup_by(|later, first| later.0 == first.0);
            let every: usize = runs.iter().map(Vec::len).sum();
            let merged = merge(&keys, runs);
            assert_eq!(describe(&merged), want, "{segments} segments");
            assert!(
                segments == 1 || merged.len() < every,
                "no key in two segments"
            );
        }
    }

    #[test]
    fn a_bound_covers_what_the_whole_name_does() {
        let covers = |literals: &'static [&'static str]| {
            move |text: &str| {
                let folded = fold_with(text, Script::Fold);
                let mut covered = vec![false; folded.len()];
                for literal in literals {
                    let needle = fold_with(literal, Script::Fold).chars;
                    for i in 0..folded.len() {
                        if folded.chars[i..].starts_with(&needle) && !needle.is_empty() {
                            covered[i..i + needle.len()]
                                .iter_mut()
                                .for_each(|c| *c = true);
                        }
                    }
                }
                let chars = text.chars().count().max(1);
                covered.iter().filter(|&&c| c).count() as f32 / chars as f32
            }
        };
        let keys: Vec<String> = [
            ("焦作市人民政府公报", "2025年第1号"),
            ("焦作市人民政府公报", "2024年第12号"),
            ("Gazette No", "5"),
            ("行政院公報", "第31卷第1期"),
            ("", "2025年第1号"),
            ("政府公报", ""),
        ]
        .iter()
        .map(|(g, i)| {
            schema::issue_key(
                (!g.is_empty()).then_some(g),
                (!i.is_empty()).then_some(i),
                Some("2025"),
            )
        })
        .collect();
        let queries: [&'static [&'static str]; 6] = [
            &["政府"],
            &["人民政府公报"],
            &["公报2025"],
            &["焦作", "第1号"],
            &["No 5"],
            &["公報第31"],
        ];
        for literals in queries {
            let mut bounds = Bounds::new(literals, Script::Fold, covers(literals));
            // A key that is not UTF-8 anywhere (a damaged index) is bounded as an empty one,
            // as `Found::key` reads it.
            let empty = bounds.coverage(b"");
            let year_damaged = ["政府\u{1f}第1号\u{1f}".as_bytes(), &[0xff]].concat();
            let damaged: [&[u8]; 3] =
                [b"\xff\x1f2025\x1f2025", b"\xe6\x94\x1f1\x1f", &year_damaged];
            for key in damaged {
                assert_eq!(bounds.coverage(key), empty, "{literals:?} {key:?}");
            }
            for key in &keys {
                let [g, i, _] = schema::issue_key_parts(key);
                let (name, gazette_len) = schema::issue_name(g, i).unwrap();
                // The whole name's coverage of each part, as `names` computes it.
                let (head, tail) = name.split_at(gazette_len);
                let whole = {
                    // Coverage of a part by occurrences found in the whole name.
                    let folded = fold_with(&name, Script::Fold);
                    let mut covered = vec![false; name.len()];
                    for literal in literals {
                        let needle = fold_with(literal, Script::Fold).chars;
                        for s in 0..folded.len() {
                            if folded.chars[s..].starts_with(&needle) {
                                let (a, b) =
                                    (folded.spans[s].0, folded.spans[s + needle.len() - 1].1);
                                covered[a..b].iter_mut().for_each(|c| *c = true);
                            }
                        }
                    }
                    let share = |from: usize, part: &str| {
                        let n = part.chars().count();
                        if n == 0 {
                            return 0.0;
                        }
                        part.char_indices()
                            .filter(|(at, _)| covered[from + at])
                            .count() as f32
                            / n as f32
                    };
                    share(0, head).max(share(gazette_len, tail))
                };
                let bound = bounds.coverage(key.as_bytes());
                assert!(
                    bound >= whole - 1e-6,
                    "{literals:?} on {name}: bound {bound} < {whole}"
                );
                // Where no literal runs across the edge, the bound is the coverage itself.
                if name.starts_with("焦作") && literals.len() == 1 && literals[0].contains('政')
                {
                    assert!(
                        (bound - whole).abs() < 1e-6,
                        "{literals:?} on {name}: {bound}"
                    );
                }
            }
        }
    }
}

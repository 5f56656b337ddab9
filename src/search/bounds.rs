//! BOUND: the best issues found without checking every one. An issue's score is what the query
//! covers of its gazette's name or of its issue's name; it is bounded above by what the query's
//! literals cover of each of the two parts apart ([`Bounds`], each part computed once), and
//! issues are checked in the order of that bound until none left could rank above the last one
//! kept ([`best_checked`]).

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};

use crate::Error;
use crate::store::schema;
use crate::text::fold::{Edge, Script, Sought, decode_utf8, fold_with, folds_apart, kept_at_edge};

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

/// The best `limit` of some items by an order whose greatest is best, found by checking them in
/// the order of their bounds (`bounds` gives each item's, in the order of their numbers), which
/// are never below what `check` gives (`None` for an item that does not hold; an error stops
/// the search): checking stops when no item left could rank above the last kept. Items of equal
/// keys are ordered by `tie` (the lesser first), which may read what `check` gave: every item
/// whose key equals the last kept one's is checked, so the cut falls as `tie` orders them. Best
/// first, with what `check` gave.
pub(super) fn best_checked<K: Ord + Copy, T, I: Iterator<Item = K>>(
    limit: usize,
    bounds: impl Fn() -> I,
    mut check: impl FnMut(&[usize]) -> Result<Vec<Option<(K, T)>>, Error>,
    tie: impl Fn(&T, &T) -> Ordering,
) -> Result<Vec<(K, T)>, Error> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    // The best `limit` keys found, the worst on top.
    let mut best: BinaryHeap<Reverse<K>> = BinaryHeap::new();
    let mut found: Vec<(K, T)> = Vec::new();
    // Taken a few at a time in the order of their bound (then of their numbers), each few
    // chosen in one pass over the bounds, twice as many each time: most searches stop within
    // the first few, and a word of gazette names finds hundreds of thousands of issues.
    let mut step = limit.saturating_mul(2).max(16);
    let mut last: Option<(K, Reverse<usize>)> = None;
    'checking: loop {
        // The next `step` after the last taken, the worst of them on top.
        let mut next: BinaryHeap<Reverse<(K, Reverse<usize>)>> = BinaryHeap::new();
        for (i, bound) in bounds().enumerate() {
            let item = (bound, Reverse(i));
            if last.is_some_and(|last| item >= last) {
                continue;
            }
            keep_best(&mut next, step, item);
        }
        if next.is_empty() {
            break;
        }
        let next: Vec<(K, Reverse<usize>)> = next
            .into_sorted_vec()
            .into_iter()
            .map(|Reverse(item)| item)
            .collect();
        // Checked together (`check` may read what they need in one pass), but for those that
        // already cannot rank.
        let worth = next
            .iter()
            .take_while(|(most, _)| !full_above(&best, limit, *most))
            .count();
        let items: Vec<usize> = next[..worth].iter().map(|&(_, Reverse(i))| i).collect();
        let cut = worth < next.len();
        for (item, checked) in next.into_iter().zip(check(&items)?) {
            last = Some(item);
            if full_above(&best, limit, item.0) {
                break 'checking;
            }
            let Some((key, value)) = checked else {
                continue;
            };
            keep_best(&mut best, limit, key);
            found.push((key, value));
        }
        if cut {
            break;
        }
        step = step.saturating_mul(2);
    }
    if let Some(&Reverse(worst)) = best.peek().filter(|_| best.len() == limit) {
        found.retain(|(key, _)| *key >= worst);
    }
    // Stable: equal keys that `tie` does not order stay in the order they were checked.
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| tie(&a.1, &b.1)));
    found.truncate(limit);
    Ok(found)
}

/// `item` into `best`, which keeps the greatest `size` of what it is given, the least on top.
fn keep_best<K: Ord>(best: &mut BinaryHeap<Reverse<K>>, size: usize, item: K) {
    if best.len() < size {
        best.push(Reverse(item));
    } else if best.peek().is_some_and(|Reverse(worst)| item > *worst) {
        best.pop();
        best.push(Reverse(item));
    }
}

/// Whether `best` holds `limit` keys, each above `most`: nothing bounded by `most` can rank.
fn full_above<K: Ord>(best: &BinaryHeap<Reverse<K>>, limit: usize, most: K) -> bool {
    best.len() == limit && best.peek().is_some_and(|Reverse(worst)| most < *worst)
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
pub(super) struct Bounds<F: Fn(&str) -> f32> {
    /// The literals folded, as they are sought.
    literals: Vec<Vec<char>>,
    /// Their characters, to tell the names that hold none of them.
    sought: Sought,
    script: Script,
    /// What occurrences of the literals cover of a text: the share of its characters.
    covers: F,
    /// The gazette of the last key: keys come sorted, the issues of a gazette one after another.
    gazette: Option<(String, Part)>,
    /// The issues' names that hold a literal's character, by the glue before them.
    tails: HashMap<&'static str, HashMap<String, Part>>,
}

impl<F: Fn(&str) -> f32> Bounds<F> {
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
    /// the issue's name (`names` ranks an issue by it), for an issue of that key
    /// (`schema::issue_key_parts`). A key that is not UTF-8 (a damaged index) is bounded as an
    /// empty one, as `Found::key` reads it. The gazette's name is checked as UTF-8 and bounded
    /// once for all its issues, which come one after another; the issue's name is looked at as
    /// the key's bytes.
    ///
    /// Where the issue's own name is `plain` (the index found in it no occurrence of a literal
    /// and no character that converts with its neighbours), only its first character is read.
    pub(super) fn coverage(&mut self, key: &[u8], plain: bool) -> f32 {
        let [gazette, issue, year] = schema::issue_key_byte_parts(key);
        // The year is digits, checked as such first.
        let year = year.is_ascii() || std::str::from_utf8(year).is_ok();
        let Some((head, last)) = year.then(|| self.head(gazette)).flatten() else {
            return self.coverage(b"", false);
        };
        let first = decode_utf8(issue).map(|(c, _)| c);
        let glue = schema::glue_between(last, first);
        let Some(tail) = self.tail(glue, issue, plain.then_some(first).flatten()) else {
            return self.coverage(b"", false);
        };
        bound_of(head, tail, !gazette.is_empty() && !issue.is_empty())
    }

    /// What the literals cover of a gazette's name, and its last character; `None` when it is
    /// not UTF-8.
    fn head(&mut self, gazette: &[u8]) -> Option<(Part, Option<char>)> {
        if let Some((last, part)) = &self.gazette
            && last.as_bytes() == gazette
        {
            return Some((*part, last.chars().next_back()));
        }
        let gazette = std::str::from_utf8(gazette).ok()?;
        let part = self.part(gazette, Edge::End);
        self.gazette = Some((gazette.to_string(), part));
        Some((part, gazette.chars().next_back()))
    }

    /// What the literals cover of an issue's name, written after `glue`; `None` when it is not
    /// UTF-8. `plain` is its first character where the index found in it no occurrence of a
    /// literal and no character that converts with its neighbours.
    fn tail(&mut self, glue: &'static str, issue: &[u8], plain: Option<char>) -> Option<Part> {
        // Most issues' names are theirs alone (2014年第17号（总第77号）) and hold no literal:
        // nothing of them is covered, and no literal runs into them. A plain one starting with a
        // character kept as none of the literals' is such (a literal running into it would start
        // it with one of its own), and folds apart there; another, where it holds none of the
        // literals' characters.
        if glue.is_empty() {
            let holds_none = match plain.and_then(kept_at_edge) {
                Some(first) if !self.sought.has(first) => Some(true),
                _ => self.sought.holds_none(issue),
            };
            if let Some(apart) = holds_none {
                return Some(Part {
                    covered: 0.0,
                    straddles: false,
                    apart,
                });
            }
        }
        let issue = std::str::from_utf8(issue).ok()?;
        if let Some(part) = self.tails.get(glue).and_then(|tails| tails.get(issue)) {
            return Some(*part);
        }
        let part = self.part(&format!("{glue}{issue}"), Edge::Start);
        self.tails
            .entry(glue)
            .or_default()
            .insert(issue.to_string(), part);
        Some(part)
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

/// The bound from the gazette's part, `head`, and the issue's, `tail`, which meet at an `edge`
/// when both are there: a literal may run across it unless both fold apart there and it cannot
/// straddle it.
fn bound_of(head: Part, tail: Part, edge: bool) -> f32 {
    if edge && (!head.apart || !tail.apart || (head.straddles && tail.straddles)) {
        return 1.0;
    }
    head.covered.max(tail.covered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_checked_in_the_order_of_a_bound_are_the_best_of_all() {
        // Items whose true value is at most their bound, some failing their check, about five
        // of each value: the best `limit` by checking in the order of the bound equal the best
        // of all, equal values in the order `tie` gives (here the greater item first).
        let values: Vec<u32> = (0..500u32).map(|i| (i * 7919) % 101).collect();
        let bound = |i: usize| values[i] + (i as u32 % 5);
        let holds = |i: usize| !i.is_multiple_of(3);
        for limit in [0, 1, 5, 42, 400, 1000] {
            let mut checks = 0;
            let got = best_checked(
                limit,
                || (0..values.len()).map(bound),
                |items| {
                    checks += items.len();
                    Ok(items
                        .iter()
                        .map(|&i| holds(i).then_some((values[i], i)))
                        .collect())
                },
                |a, b| b.cmp(a),
            )
            .unwrap();
            let mut all: Vec<(u32, usize)> = (0..values.len())
                .filter(|&i| holds(i))
                .map(|i| (values[i], i))
                .collect();
            all.sort_by_key(|&(value, i)| Reverse((value, i)));
            all.truncate(limit);
            assert_eq!(got, all, "limit {limit}");
            if limit == 5 {
                assert!(checks < 100, "{checks} checks for 5");
            }
        }
        // Bounds that equal the values, three values among 300 items: the cut falls among
        // equal values, where only `tie` tells which are kept, so each of them is checked.
        for limit in [1, 5, 99, 150] {
            let got = best_checked(
                limit,
                || (0..300).map(|i| i % 3),
                |items| Ok(items.iter().map(|&i| Some((i % 3, i))).collect()),
                |a, b| b.cmp(a),
            )
            .unwrap();
            let mut all: Vec<(usize, usize)> = (0..300).map(|i| (i % 3, i)).collect();
            all.sort_by_key(|&key| Reverse(key));
            all.truncate(limit);
            assert_eq!(got, all, "limit {limit} of three values");
        }
        // An error of a check stops the search with it.
        let failed = best_checked(
            3,
            || 0..10,
            |items| match items.contains(&7) {
                true => Err(Error::Inconsistent("damaged".into())),
                false => Ok(items.iter().map(|&i| Some((i, ()))).collect()),
            },
            |_, _| Ordering::Equal,
        );
        assert!(failed.is_err());
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
            ("Gazette No", "6"),
            ("行政院公報", "第31卷第1期"),
            ("", "2025年第1号"),
            ("政府公报", ""),
            // Issue names that start with a literal's last characters, with a space, with a
            // full-width digit, or hold a traditional character.
            ("焦作市人民政府公报", "第1号（总第5号）"),
            ("焦作市人民政府公报", "号外"),
            ("焦作市人民政府公报", " 2025年第2号"),
            ("焦作市人民政府公报", "２０２５年第3号"),
            ("行政院公報", "第1期（總第5期）"),
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
        let queries: [&'static [&'static str]; 9] = [
            &["政府"],
            &["人民政府公报"],
            &["公报2025"],
            &["焦作", "第1号"],
            &["No 5"],
            &["公報第31"],
            &["公报第1"],
            &["公报号"],
            &["公报2"],
        ];
        let mut checked_plain = 0;
        for literals in queries {
            let mut bounds = Bounds::new(literals, Script::Fold, covers(literals));
            // A key that is not UTF-8 anywhere (a damaged index) is bounded as an empty one,
            // as `Found::key` reads it.
            let empty = bounds.coverage(b"", false);
            let year_damaged = ["政府\u{1f}第1号\u{1f}".as_bytes(), &[0xff]].concat();
            let damaged: [&[u8]; 3] =
                [b"\xff\x1f2025\x1f2025", b"\xe6\x94\x1f1\x1f", &year_damaged];
            for key in damaged {
                assert_eq!(bounds.coverage(key, false), empty, "{literals:?} {key:?}");
            }
            // The same after a key of the same gazette, whose name is then not read again.
            let issue_damaged =
                ["焦作市人民政府公报\u{1f}".as_bytes(), b"\xe5\xb9\x1f2025"].concat();
            bounds.coverage(keys[0].as_bytes(), false);
            assert_eq!(
                bounds.coverage(&issue_damaged, false),
                empty,
                "{literals:?}"
            );
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
                let bound = bounds.coverage(key.as_bytes(), false);
                // What was kept of the key before does not change it.
                let alone = Bounds::new(literals, Script::Fold, covers(literals))
                    .coverage(key.as_bytes(), false);
                assert_eq!(bound, alone, "{literals:?} on {name}, after another key");
                // Where the issue's own name holds no occurrence of a literal and no traditional
                // character (what the index says of a plain one), reading only its start bounds
                // it as reading it whole does.
                let own = i.unwrap_or_default();
                let folded_own = fold_with(own, Script::Fold).chars;
                let occurs = literals.iter().any(|literal| {
                    let needle = fold_with(literal, Script::Fold).chars;
                    folded_own
                        .windows(needle.len())
                        .any(|w| w == needle.as_slice())
                });
                if !occurs && !crate::text::fold::may_be_traditional(own) {
                    let plain = bounds.coverage(key.as_bytes(), true);
                    assert_eq!(plain, bound, "{literals:?} on {name}, plain");
                    checked_plain += 1;
                }
                assert!(
                    bound >= whole - 1e-6,
                    "{literals:?} on {name}: bound {bound} < {whole}"
                );
                // Where no literal runs across the edge, the bound is the coverage itself (an
                // issue's name starting with a space does not fold apart there).
                if name.starts_with("焦作")
                    && !name.contains(' ')
                    && literals.len() == 1
                    && literals[0].contains('政')
                {
                    assert!(
                        (bound - whole).abs() < 1e-6,
                        "{literals:?} on {name}: {bound}"
                    );
                }
            }
        }
        assert!(
            checked_plain > 20,
            "only {checked_plain} plain names checked"
        );
    }
}

//! COUNT: every matching paragraph and its occurrences, from the postings where they decide
//! alone, otherwise from the text.

use tantivy::collector::DocSetCollector;
use tantivy::query::{EnableScoring, Scorer};
use tantivy::{DocAddress, DocId, DocSet, SegmentReader, TERMINATED};

use crate::Error;
use crate::search::char_query::CharQuery;
use crate::search::near::NearPositions;
use crate::search::plan::Run;
use crate::search::postings::LiteralPostings;
use crate::search::query::Expr;
use crate::search::spread;
use crate::search::stored::{Heads, store_blocks};
use crate::text::fold::fold;

/// Each matching paragraph and its number of occurrences: from the postings where they decide
/// alone, otherwise from every candidate's text.
pub(super) fn each_match(run: &Run, f: &mut dyn FnMut(DocAddress, usize)) -> Result<(), Error> {
    if count_from_index(run, f)? {
        return Ok(());
    }
    let mut addresses: Vec<DocAddress> = match NearPositions::of(run)? {
        // Positions count what they decide; the text decides the rest.
        Some(near) => {
            let mut undecided = Vec::new();
            for close in near.close(run, false)? {
                match close.decided {
                    Some(occurrences) => f(close.address, occurrences as usize),
                    None => undecided.push(close.address),
                }
            }
            undecided
        }
        None => spread::search(&run.searcher, run.matches()?, &DocSetCollector)?
            .into_iter()
            .collect(),
    };
    addresses.sort_unstable();
    let blocks = store_blocks(&run.searcher, addresses.len())?;
    let mut heads = Heads::reading(&blocks);
    for address in addresses {
        let paragraph = run.read(address, &mut heads)?;
        if let Some(spans) = run.check(&paragraph, address) {
            f(address, spans.len());
        }
    }
    Ok(())
}

/// The number of matching paragraphs and their occurrences, without handing on each paragraph:
/// for a one-character literal alone where no paragraph is deleted, from its posting list or its
/// grams' totals. `None` when each paragraph must be looked at.
pub(super) fn totals(run: &Run) -> Result<Option<(usize, usize)>, Error> {
    let segments = run.searcher.segment_readers();
    if !literal_alone(run)
        || !run.prepared.index_decides()
        || segments.iter().any(|s| s.alive_bitset().is_some())
    {
        return Ok(None);
    }
    let Expr::Literal(literal) = &run.prepared.expr else {
        return Ok(None);
    };
    let [c] = fold(literal).chars[..] else {
        return Ok(None);
    };
    let query = read_character(run, c)?;
    let (mut paragraphs, mut occurrences) = (0, 0);
    for segment in segments {
        let (held, counted) = query.totals(segment)?;
        paragraphs += held;
        occurrences += counted;
    }
    Ok(Some((paragraphs as usize, occurrences as usize)))
}

/// True when the run's literal is all it asks: no filter, no `--words`.
fn literal_alone(run: &Run) -> bool {
    matches!(run.prepared.expr, Expr::Literal(_)) && !run.prepared.words
}

/// The query of a one-character literal, read in every segment.
fn read_character(run: &Run, c: char) -> Result<CharQuery, Error> {
    let query = CharQuery::new(run.fields.grams, Some(run.fields.chars), c);
    query.read_every_segment(&run.searcher)?;
    Ok(query)
}

/// The one literal of an expression that is a literal alone or with filters and exclusions: what
/// an exclusion (`-经济`) keeps out is decided by the paragraphs the query matches, and it adds no
/// occurrence of its own (`crate::search::verify::evaluate`).
pub(super) fn sole_literal(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Literal(literal) => Some(literal),
        Expr::And(items) => {
            let mut found = None;
            for item in items {
                match item {
                    Expr::Filter(_) | Expr::Not(_) => {}
                    Expr::Literal(literal) if found.is_none() => found = Some(literal.as_str()),
                    _ => return None,
                }
            }
            found
        }
        _ => None,
    }
}

/// True when two occurrences of a literal can overlap, as in 哈哈哈 (a prefix is also a suffix):
/// the index counts overlapping occurrences, a reader of the text does not.
pub(super) fn self_overlapping(chars: &[char]) -> bool {
    (1..chars.len()).any(|k| chars[..k] == chars[chars.len() - k..])
}

/// Counts from the postings alone, without reading any paragraph: for one literal, with or without
/// filters, when the index decides exactly. Occurrences are the literal's term or phrase
/// frequencies in the matching paragraphs. Calls `f` for each and gives true, or gives false
/// without calling it when the text has to be read.
pub(super) fn count_from_index(
    run: &Run,
    f: &mut dyn FnMut(DocAddress, usize),
) -> Result<bool, Error> {
    if !run.prepared.index_decides() {
        return Ok(false);
    }
    let Some(literal) = sole_literal(&run.prepared.expr) else {
        return Ok(false);
    };
    let folded = fold(literal);
    if self_overlapping(&folded.chars) {
        return Ok(false);
    }
    if let [c] = folded.chars[..] {
        let query = read_character(run, c)?;
        // The literal alone: its paragraphs are those that hold its character. With filters or
        // `--words`, the run's query decides which, and the character's counts how many.
        let matching = match literal_alone(run) {
            true => None,
            false => Some(
                run.matches()?
                    .weight(EnableScoring::disabled_from_searcher(&run.searcher))?,
            ),
        };
        for (ord, segment) in run.searcher.segment_readers().iter().enumerate() {
            let address = |doc| DocAddress::new(ord as u32, doc);
            let Some(matching) = &matching else {
                let alive = segment.alive_bitset();
                query.each_count(segment, &mut |doc, count| {
                    if alive.is_none_or(|bits| bits.is_alive(doc)) {
                        f(address(doc), count as usize);
                    }
                })?;
                continue;
            };
            let mut held = query.held(segment)?;
            each_alive(matching.scorer(segment, 1.0)?, segment, |doc| {
                // The run's query requires the character: `held` holds every paragraph it matches.
                let count = if held.seek(doc) == doc {
                    held.count()
                } else {
                    0
                };
                f(address(doc), count as usize);
            });
        }
        return Ok(true);
    }
    let Some(occurrences) = LiteralPostings::new(&run.searcher, run.fields.grams, &folded)? else {
        return Ok(false);
    };
    let matching = run
        .matches()?
        .weight(EnableScoring::disabled_from_searcher(&run.searcher))?;
    let count_segment = |ord: u32,
                         segment: &SegmentReader,
                         each: &mut dyn FnMut(DocAddress, usize)|
     -> Result<(), Error> {
        let mut occurrences = occurrences.clone();
        let mut postings = occurrences.open(segment)?;
        each_alive(matching.scorer(segment, 1.0)?, segment, |doc| {
            let count = occurrences.count(&mut postings, doc);
            each(DocAddress::new(ord, doc), count);
        });
        Ok(())
    };
    // A literal of one bigram is counted from its term frequencies, too little work per
    // paragraph to gather apart; a phrase walks the positions of its bigrams.
    let threads = match occurrences.terms.len() {
        1 => 1,
        _ => spread::threads(&run.searcher, &run.query)?,
    };
    if threads <= 1 {
        for (ord, segment) in run.searcher.segment_readers().iter().enumerate() {
            count_segment(ord as u32, segment, f)?;
        }
        return Ok(true);
    }
    // On every core: each segment's matches gathered apart, then handed on in order.
    let counted = spread::each_segment(&run.searcher, threads, |ord, segment| {
        let mut matches = Vec::new();
        count_segment(ord, segment, &mut |address, count| {
            matches.push((address, count))
        })?;
        Ok::<_, Error>(matches)
    });
    for matches in counted {
        for (address, count) in matches? {
            f(address, count);
        }
    }
    Ok(true)
}

/// Calls `f` with each document of a segment that `docs` yields and that is not deleted.
pub(super) fn each_alive(
    mut docs: Box<dyn Scorer>,
    segment: &SegmentReader,
    mut f: impl FnMut(DocId),
) {
    let alive = segment.alive_bitset();
    let mut doc = docs.doc();
    while doc != TERMINATED {
        if alive.is_none_or(|bits| bits.is_alive(doc)) {
            f(doc);
        }
        doc = docs.advance();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse;

    #[test]
    fn overlapping_literals_are_those_whose_prefix_is_a_suffix() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert!(self_overlapping(&chars("哈哈哈")));
        assert!(self_overlapping(&chars("发展发")));
        assert!(!self_overlapping(&chars("发展")));
        assert!(!self_overlapping(&chars("县")));
    }

    #[test]
    fn counts_come_from_postings_only_for_one_literal_with_filters_and_exclusions() {
        let sole = |q: &str| sole_literal(&parse(q).unwrap()).map(str::to_string);
        assert_eq!(sole("云台山").as_deref(), Some("云台山"));
        assert_eq!(sole("云台山 year:2025").as_deref(), Some("云台山"));
        assert_eq!(sole("云台山 实验室"), None);
        assert_eq!(sole("云台山 OR 实验室"), None);
        assert_eq!(sole("云台山 NEAR/3 实验室"), None);
        // Exclusions add no occurrence: the one literal beside them is counted.
        assert_eq!(sole("云台山 -实验室").as_deref(), Some("云台山"));
        assert_eq!(
            sole("云台山 -实验室 -year:2025 -(青天河 OR 焦作)").as_deref(),
            Some("云台山")
        );
        assert_eq!(sole("-实验室"), None);
        assert_eq!(sole("云台山 -实验室 青天河"), None);
    }
}

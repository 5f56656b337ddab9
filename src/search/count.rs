//! COUNT: every matching paragraph and its occurrences, from the postings where they decide
//! alone, otherwise from the text.

use tantivy::collector::DocSetCollector;
use tantivy::query::{EnableScoring, Scorer};
use tantivy::{DocAddress, DocId, DocSet, SegmentReader, TERMINATED};

use crate::Error;
use crate::search::char_counts::Held;
use crate::search::char_query::CharQuery;
use crate::search::near::NearPositions;
use crate::search::plan::Run;
use crate::search::positions::TermPositions;
use crate::search::postings::LiteralPostings;
use crate::search::query::Expr;
use crate::search::spread;
use crate::search::stored::{Heads, store_blocks};
use crate::text::fold::{Folded, fold};

/// Each matching paragraph and its number of occurrences: from the postings where they decide
/// alone, otherwise from every candidate's text.
pub(super) fn each_match(run: &Run, f: &mut dyn FnMut(DocAddress, usize)) -> Result<(), Error> {
    if count_from_index(run, f)? {
        return Ok(());
    }
    let mut addresses: Vec<DocAddress> = match NearPositions::of(run)?.map(NearPositions::counting)
    {
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

/// How a paragraph's occurrences add up from its literals', as the text check gathers its spans
/// (`crate::search::verify::evaluate`): a literal's own; under an AND every item's, as all of
/// them match; under an OR those of the items that match. A filter or an exclusion decides which
/// paragraphs match and adds no occurrence: at the top the query's paragraphs say it, within a
/// group an exclusion of literals is judged by their counts. Two literals that fold alike are
/// one, as their spans coincide and the check counts them once; two that differ never share a
/// span (a span's start and end in the text fix the folded characters between them).
#[derive(Debug, PartialEq)]
enum Tally {
    /// The literal at this place in the tally's list.
    Literal(usize),
    All(Vec<Tally>),
    Any(Vec<Tally>),
    /// Matches where the tally within does not, and counts nothing.
    Excluded(Box<Tally>),
}

/// At most this many distinct literals, one bit each in [`Tally::counted`].
const TALLY_MOST: usize = 64;

impl Tally {
    /// The tally of `expr` and its distinct literals, folded: for literals under ANDs, ORs and
    /// exclusions, beside filters at the top. `None` for a NEAR, for a filter within a group
    /// (which decides a branch that no literal's count says), and for an expression with no
    /// literal to count.
    fn of(expr: &Expr) -> Option<(Tally, Vec<Folded>)> {
        let mut literals = Vec::new();
        let tally = match expr {
            Expr::And(items) => {
                let mut counted = Vec::new();
                for item in items {
                    match item {
                        Expr::Filter(_) | Expr::Not(_) => {}
                        item => counted.push(Tally::within(item, &mut literals)?),
                    }
                }
                match counted.len() {
                    0 => return None,
                    1 => counted.pop()?,
                    _ => Tally::All(counted),
                }
            }
            Expr::Not(_) => return None,
            expr => Tally::within(expr, &mut literals)?,
        };
        (literals.len() <= TALLY_MOST).then_some((tally, literals))
    }

    fn within(expr: &Expr, literals: &mut Vec<Folded>) -> Option<Tally> {
        let items = |items: &[Expr], literals: &mut Vec<Folded>| -> Option<Vec<Tally>> {
            items.iter().map(|x| Tally::within(x, literals)).collect()
        };
        match expr {
            Expr::Literal(literal) => {
                let folded = fold(literal);
                let place = match literals.iter().position(|l| l.chars == folded.chars) {
                    Some(place) => place,
                    None => {
                        literals.push(folded);
                        literals.len() - 1
                    }
                };
                Some(Tally::Literal(place))
            }
            Expr::And(group) => Some(Tally::All(items(group, literals)?)),
            Expr::Or(group) => Some(Tally::Any(items(group, literals)?)),
            Expr::Not(inner) => Some(Tally::Excluded(Box::new(Tally::within(inner, literals)?))),
            Expr::Near { .. } | Expr::Filter(_) => None,
        }
    }

    /// The literals whose occurrences count in a paragraph where literal `i` stands `counts[i]`
    /// times, one bit each; `None` where the tally does not match.
    fn counted(&self, counts: &[u32]) -> Option<u64> {
        match self {
            Tally::Literal(i) => (counts[*i] > 0).then_some(1 << i),
            Tally::All(items) => items
                .iter()
                .try_fold(0, |bits, item| Some(bits | item.counted(counts)?)),
            Tally::Any(items) => items
                .iter()
                .filter_map(|item| item.counted(counts))
                .reduce(|a, b| a | b),
            Tally::Excluded(inner) => inner.counted(counts).is_none().then_some(0),
        }
    }

    /// The paragraph's occurrences, `None` where the tally does not match.
    fn occurrences(&self, counts: &[u32]) -> Option<usize> {
        let bits = self.counted(counts)?;
        let counted = counts
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0);
        Some(counted.map(|(_, &count)| count as usize).sum())
    }
}

/// A literal's occurrences, read from the index: a character's from its posting list or its
/// grams' counts, a longer literal's from its grams' positions.
enum Literal {
    Character(CharQuery),
    Grams(LiteralPostings),
}

/// A [`Literal`]'s occurrences in one segment, read forward.
enum InSegment {
    Character(Held),
    Grams(LiteralPostings, Vec<TermPositions>),
}

impl Literal {
    /// `None` where the index cannot count the literal as the text check does: one that may
    /// overlap itself (the check counts occurrences that do not overlap, the index all), or one
    /// the grams cannot place.
    fn new(run: &Run, folded: &Folded) -> Result<Option<Literal>, Error> {
        if self_overlapping(&folded.chars) {
            return Ok(None);
        }
        if let [c] = folded.chars[..] {
            return Ok(Some(Literal::Character(read_character(run, c)?)));
        }
        let postings = LiteralPostings::new(&run.searcher, run.fields.grams, folded)?;
        Ok(postings.map(Literal::Grams))
    }

    fn open(&self, segment: &SegmentReader) -> Result<InSegment, Error> {
        Ok(match self {
            Literal::Character(query) => InSegment::Character(query.held(segment)?),
            Literal::Grams(postings) => InSegment::Grams(postings.clone(), postings.open(segment)?),
        })
    }

    /// True when the literal is one term read with its frequencies, without positions.
    fn one_term(&self) -> bool {
        match self {
            Literal::Character(_) => true,
            Literal::Grams(postings) => postings.terms.len() == 1,
        }
    }
}

impl InSegment {
    /// Occurrences in `doc`; docs come in increasing order.
    fn at(&mut self, doc: DocId) -> u32 {
        match self {
            InSegment::Character(held) => match held.seek(doc) == doc {
                true => held.count(),
                false => 0,
            },
            InSegment::Grams(literal, postings) => literal.count(postings, doc) as u32,
        }
    }
}

/// True when two occurrences of a literal can overlap, as in 哈哈哈 (a prefix is also a suffix):
/// the index counts overlapping occurrences, a reader of the text does not.
pub(super) fn self_overlapping(chars: &[char]) -> bool {
    (1..chars.len()).any(|k| chars[..k] == chars[chars.len() - k..])
}

/// Counts from the postings alone, without reading any paragraph, when the index decides which
/// paragraphs match and can count each literal: the run's query gives the paragraphs, each
/// literal's term frequencies or phrase positions its occurrences there, and the [`Tally`]
/// which of them count. Calls `f` for each and gives true, or gives false without calling it when
/// the text has to be read.
pub(super) fn count_from_index(
    run: &Run,
    f: &mut dyn FnMut(DocAddress, usize),
) -> Result<bool, Error> {
    // With `--words` a literal counts only where it stands as a word, which its grams do not say.
    if !run.prepared.index_decides() || run.prepared.words {
        return Ok(false);
    }
    let Some((tally, folded)) = Tally::of(&run.prepared.expr) else {
        return Ok(false);
    };
    let mut literals = Vec::with_capacity(folded.len());
    for literal in &folded {
        let Some(literal) = Literal::new(run, literal)? else {
            return Ok(false);
        };
        literals.push(literal);
    }
    if let ([Literal::Character(query)], true) = (&literals[..], literal_alone(run)) {
        // The literal alone: its paragraphs are those that hold its character.
        for (ord, segment) in run.searcher.segment_readers().iter().enumerate() {
            let alive = segment.alive_bitset();
            query.each_count(segment, &mut |doc, count| {
                if alive.is_none_or(|bits| bits.is_alive(doc)) {
                    f(DocAddress::new(ord as u32, doc), count as usize);
                }
            })?;
        }
        return Ok(true);
    }
    let matching = run
        .matches()?
        .weight(EnableScoring::disabled_from_searcher(&run.searcher))?;
    let count_segment = |ord: u32,
                         segment: &SegmentReader,
                         each: &mut dyn FnMut(DocAddress, usize)|
     -> Result<(), Error> {
        let mut open = Vec::with_capacity(literals.len());
        for literal in &literals {
            open.push(literal.open(segment)?);
        }
        let mut counts = vec![0; open.len()];
        each_alive(matching.scorer(segment, 1.0)?, segment, |doc| {
            for (count, literal) in counts.iter_mut().zip(&mut open) {
                *count = literal.at(doc);
            }
            // The query matches only where the tally does: the index decides both alike.
            if let Some(occurrences) = tally.occurrences(&counts) {
                each(DocAddress::new(ord, doc), occurrences);
            }
        });
        Ok(())
    };
    // Literals of one term are counted from their frequencies, too little work per paragraph to
    // gather apart; a phrase walks the positions of its bigrams.
    let threads = match literals.iter().all(Literal::one_term) {
        true => 1,
        false => spread::threads(&run.searcher, &run.query)?,
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
    fn a_tally_counts_the_literals_of_the_branches_that_match() {
        let tally = |q: &str| Tally::of(&parse(q).unwrap());
        let literals = |q: &str| {
            let (_, folded) = tally(q).unwrap();
            folded.iter().map(Folded::as_string).collect::<Vec<_>>()
        };
        // Filters and exclusions at the top decide the paragraphs and add nothing.
        assert_eq!(literals("云台山 -实验室 year:2025"), ["云台山"]);
        // Within a group an exclusion is judged by its literals' counts.
        assert_eq!(
            literals("云台山 OR 实验室 -(青天河 OR 焦作)"),
            ["云台山", "实验室", "青天河", "焦作"]
        );
        // Literals that fold alike are one; the traditional 發展 folds to 发展.
        assert_eq!(literals("发展 OR 發展 经济"), ["发展", "经济"]);
        // What the index cannot say of a branch, or nothing to count.
        for q in [
            "云台山 NEAR/3 实验室",
            "云台山 OR (实验室 year:2025)",
            "-实验室",
            "year:2025",
        ] {
            assert!(tally(q).is_none(), "{q}");
        }

        // `(A B) OR C`: where B is missing the AND adds nothing, C alone counts.
        let (tally, _) = Tally::of(&parse("(云台山 实验室) OR 青天河").unwrap()).unwrap();
        assert_eq!(tally.occurrences(&[2, 0, 3]), Some(3));
        assert_eq!(tally.occurrences(&[2, 1, 3]), Some(6));
        assert_eq!(tally.occurrences(&[2, 1, 0]), Some(3));
        assert_eq!(tally.occurrences(&[2, 0, 0]), None);
        // `A OR B -C`: B's branch fails where C stands, and C never counts.
        let (tally, _) = Tally::of(&parse("云台山 OR 实验室 -青天河").unwrap()).unwrap();
        assert_eq!(tally.occurrences(&[0, 2, 0]), Some(2));
        assert_eq!(tally.occurrences(&[1, 2, 5]), Some(1));
        assert_eq!(tally.occurrences(&[0, 2, 5]), None);
    }
}

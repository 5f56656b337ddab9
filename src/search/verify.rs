//! VERIFY: candidates -> confirmed hits, each decided on its stored text (and, with `--words`,
//! on the word view), read in the order of the store.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use tantivy::schema::IndexRecordOption;
use tantivy::{BitSet, DocAddress, DocSet, Searcher, TERMINATED, Term};

use crate::search::Hit;
use crate::search::accepts::{filter_accepts, folded_contains};
use crate::search::held;
use crate::search::near::near;
use crate::search::plan::{Prepared, Run};
use crate::search::query::{Expr, Field, Filter};
use crate::search::stored::{Heads, Paragraph, hit, store_blocks};
use crate::store::schema::Fields;
use crate::text::fold::{Script, find_folding, fold};
use crate::{Error, parallel};

/// A candidate that its text confirmed.
pub(super) struct Checked {
    pub(super) score: f32,
    pub(super) address: DocAddress,
    pub(super) paragraph: Paragraph,
    pub(super) spans: Vec<(usize, usize)>,
}

/// Whether a literal is a whole jieba word of a paragraph, from the word view's postings. The
/// first few questions seek the postings for one paragraph each (a top-10 search asks ten);
/// after that a literal's postings are read once into a set per segment, which is cheaper for
/// thousands and which threads then share without a lock.
pub(super) struct WholeWords {
    pub(super) searcher: Searcher,
    /// Each literal's term in the word view, and its paragraphs once read: a set per segment.
    pub(super) terms: HashMap<String, (Term, OnceLock<Vec<BitSet>>)>,
    pub(super) asked: AtomicUsize,
}

/// Questions answered by seeking before a literal's postings are read whole.
pub(super) const SEEKS_BEFORE_READING: usize = 256;

impl WholeWords {
    pub(super) fn new(searcher: &Searcher, fields: &Fields, literals: &[&str]) -> WholeWords {
        let terms = literals
            .iter()
            .map(|&literal| {
                let term = Term::from_field_text(fields.words, &fold(literal).as_string());
                (literal.to_string(), (term, OnceLock::new()))
            })
            .collect();
        WholeWords {
            searcher: searcher.clone(),
            terms,
            asked: AtomicUsize::new(0),
        }
    }

    pub(super) fn postings(
        &self,
        term: &Term,
        segment_ord: u32,
    ) -> Option<tantivy::postings::SegmentPostings> {
        let segment = self.searcher.segment_reader(segment_ord);
        let inverted = held::inverted(segment, term.field()).ok()??;
        inverted
            .read_postings(term, IndexRecordOption::Basic)
            .ok()?
    }

    pub(super) fn read_all(&self, term: &Term) -> Vec<BitSet> {
        let segments = self.searcher.segment_readers();
        (0..segments.len() as u32)
            .map(|segment_ord| {
                let mut docs = BitSet::with_max_value(segments[segment_ord as usize].max_doc());
                if let Some(mut postings) = self.postings(term, segment_ord) {
                    let mut doc = postings.doc();
                    while doc != TERMINATED {
                        docs.insert(doc);
                        doc = postings.advance();
                    }
                }
                docs
            })
            .collect()
    }

    pub(super) fn contains(&self, literal: &str, address: DocAddress) -> bool {
        let Some((term, read)) = self.terms.get(literal) else {
            return false;
        };
        let sets = match read.get() {
            Some(sets) => Some(sets),
            None if self.asked.fetch_add(1, Ordering::Relaxed) >= SEEKS_BEFORE_READING => {
                Some(read.get_or_init(|| self.read_all(term)))
            }
            None => None,
        };
        if let Some(sets) = sets {
            return sets[address.segment_ord as usize].contains(address.doc_id);
        }
        let Some(mut postings) = self.postings(term, address.segment_ord) else {
            return false;
        };
        if postings.doc() < address.doc_id {
            postings.seek(address.doc_id);
        }
        postings.doc() == address.doc_id
    }

    pub(super) fn any(&self, address: DocAddress) -> bool {
        self.terms
            .keys()
            .any(|literal| self.contains(literal, address))
    }
}

/// Decides an expression on a paragraph's text and citation. `Some(spans)` when it matches, with
/// the byte spans of the literals that made it match. One arm per kind of expression, as the
/// grammar has them.
pub(super) fn evaluate(
    expr: &Expr,
    paragraph: &Paragraph,
    prepared: &Prepared,
    whole_words: &WholeWords,
    address: DocAddress,
) -> Option<Vec<(usize, usize)>> {
    let occurrences = |literal: &str| -> Vec<(usize, usize)> {
        if prepared.words && !whole_words.contains(literal, address) {
            return Vec::new();
        }
        let needle = prepared.needle(literal);
        match prepared.script {
            Script::Fold => paragraph.find(&needle),
            Script::Exact => find_folding(&paragraph.text, &needle.folded.chars, Script::Exact),
        }
    };
    let recurse = |e: &Expr| evaluate(e, paragraph, prepared, whole_words, address);
    match expr {
        Expr::Literal(literal) => {
            let found = occurrences(literal);
            (!found.is_empty()).then_some(found)
        }
        Expr::Near {
            left,
            right,
            distance,
        } => near(
            &paragraph.text,
            &occurrences(left),
            &occurrences(right),
            *distance,
        ),
        Expr::Filter(Filter::Attribute { name, value }) => {
            let accepted = paragraph
                .citation
                .as_ref()
                .and_then(|citation| citation.attributes.get(name))
                .is_some_and(|v| folded_contains(v, value));
            accepted.then(Vec::new)
        }
        Expr::Filter(Filter::IndexedSince(since)) => {
            let citation = paragraph.citation.as_deref()?;
            (citation.indexed >= *since).then(Vec::new)
        }
        Expr::Filter(filter) => {
            // Read before the check whenever the expression has a filter (`Run::filters`).
            let citation = paragraph.citation.as_deref()?;
            let value = match filter {
                Filter::Contains { field, .. } => match field {
                    Field::Gazette => citation.gazette.as_deref(),
                    Field::Region => citation.region.as_deref(),
                    Field::Document => Some(citation.document.as_str()),
                    Field::DocNumber => citation.doc_number.as_deref(),
                },
                Filter::Date { .. } => citation.date.as_deref(),
                Filter::Attribute { .. } | Filter::IndexedSince(_) => None,
            };
            value
                .is_some_and(|value| filter_accepts(filter, value))
                .then(Vec::new)
        }
        Expr::Not(inner) => match recurse(inner) {
            Some(_) => None,
            None => Some(Vec::new()),
        },
        Expr::And(items) => {
            let mut spans = Vec::new();
            for item in items {
                spans.extend(recurse(item)?);
            }
            Some(spans)
        }
        Expr::Or(items) => {
            let mut spans = None;
            for item in items {
                if let Some(found) = recurse(item) {
                    spans.get_or_insert_with(Vec::new).extend(found);
                }
            }
            spans
        }
    }
}

/// The sorted, distinct spans that make `expr` hold in `paragraph`, or `None` where it does not.
pub(super) fn spans_of(
    expr: &Expr,
    paragraph: &Paragraph,
    prepared: &Prepared,
    whole_words: &WholeWords,
    address: DocAddress,
) -> Option<Vec<(usize, usize)>> {
    let mut spans = evaluate(expr, paragraph, prepared, whole_words, address)?;
    spans.sort_unstable();
    spans.dedup();
    Some(spans)
}

/// The paragraph at `address`, if its text confirms it; with its citation when `cite` (every
/// paragraph confirmed will be shown) or when a filter needs it.
pub(super) fn read_checked(
    run: &Run,
    (score, address): (f32, DocAddress),
    cite: bool,
    heads: &mut Heads,
) -> Result<Option<Checked>, Error> {
    let mut paragraph = run.read(address, heads)?;
    let Some(spans) = run.check(&paragraph, address) else {
        return Ok(None);
    };
    if cite {
        heads.cite(&run.searcher, &run.fields, address, &mut paragraph)?;
    }
    Ok(Some(Checked {
        score,
        address,
        paragraph,
        spans,
    }))
}

/// Reads and checks the paragraphs of `candidates` in the order of the store, each compressed
/// block once, and gives them back in the order of `candidates`, `None` for those their text
/// rejects. Many are read on several threads, each taking a run of the store, so that no block is
/// decompressed by two of them.
pub(super) fn read_in_store_order(
    run: &Run,
    candidates: &[(f32, DocAddress)],
    cite: bool,
) -> Result<Vec<Option<Checked>>, Error> {
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_unstable_by_key(|&i| candidates[i].1);
    let blocks = store_blocks(&run.searcher, candidates.len())?;
    let read = in_parallel(order, |chunk| {
        let mut heads = Heads::reading(&blocks);
        chunk
            .into_iter()
            .map(|i| Ok((i, read_checked(run, candidates[i], cite, &mut heads)?)))
            .collect()
    })?;
    let mut slots: Vec<Option<Checked>> = Vec::new();
    slots.resize_with(candidates.len(), || None);
    for (i, checked) in read {
        slots[i] = checked;
    }
    Ok(slots)
}

/// The hits of confirmed paragraphs, with their citations.
pub(super) fn hits_of(run: &Run, checked: Vec<Checked>) -> Result<Vec<Hit>, Error> {
    in_parallel(checked, |chunk| {
        let mut heads = Heads::default();
        chunk
            .into_iter()
            .map(|c| hit_of(run, c, &mut heads))
            .collect()
    })
}

/// The hit of a confirmed paragraph, with its citation.
pub(super) fn hit_of(run: &Run, mut checked: Checked, heads: &mut Heads) -> Result<Hit, Error> {
    let address = checked.address;
    heads.cite(&run.searcher, &run.fields, address, &mut checked.paragraph)?;
    let word_match = run.whole_words.any(address);
    Ok(hit(
        checked.paragraph,
        checked.score,
        word_match,
        checked.spans,
    ))
}

/// Below this many paragraphs a search reads them on one thread.
pub(super) const PARALLEL_FROM: usize = 2_000;

/// `work` over contiguous chunks of `items`, on every core when there are many, the results
/// joined in order.
fn in_parallel<T: Send, R: Send>(
    items: Vec<T>,
    work: impl Fn(Vec<T>) -> Result<Vec<R>, Error> + Sync,
) -> Result<Vec<R>, Error> {
    let threads = parallel::threads(items.len(), PARALLEL_FROM);
    let mut out = Vec::new();
    for part in parallel::chunks(items, threads, work) {
        out.extend(part?);
    }
    Ok(out)
}

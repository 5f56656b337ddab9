//! PLAN: filters on citation fields (`gazette:`, `date:`, `--region`, `document:`, manifest
//! columns) -> the heads that hold a value they accept, read from the fields' term dictionaries,
//! the heads' columns and, for titles and attributes of many values, the views that say which
//! heads may hold it; `--new` and `--indexed-since` -> a range over when each paragraph's file
//! was indexed.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use std::ops::Bound;
use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, SegmentReader, TERMINATED, Term};

use tantivy::query::{
    BooleanQuery, ConstScoreQuery, EmptyQuery, EnableScoring, Occur, Query, RangeQuery,
};
use tantivy::schema::Field as SchemaField;

use crate::Error;
use crate::search::accepts::Accepts;
use crate::search::held::{self, HeldTerm};
use crate::search::literal::grams_query;
use crate::search::plan::Context;
use crate::search::query::{Field, Filter};
use crate::search::runs::{DocumentsQuery, heads_with_values};
use crate::store::schema::{self, Fields};
use crate::store::terms::{Span, each_term_in};
use crate::store::tokenizers::{Gram, literal_grams};
use crate::text::dates;
use crate::text::fold::Folded;

/// The values of a citation field in `span` that a filter accepts, from the field's term
/// dictionaries.
fn matching_terms(
    ctx: &Context,
    field: SchemaField,
    span: &Span,
    accepts: &mut Accepts,
) -> Result<Vec<Term>, Error> {
    let mut values = BTreeSet::new();
    held::each_value_in(ctx.searcher, field, span, |value| {
        if !values.contains(value) && accepts.value(value.as_bytes()) {
            values.insert(value.to_string());
        }
    })?;
    Ok(values
        .into_iter()
        .map(|v| Term::from_field_text(field, &v))
        .collect())
}

/// The span of the values a filter can accept: for a date, the years its bounds allow
/// ([`dates::year_span`]); for a manifest attribute, the values that begin with its name and
/// `=`; all values otherwise. The date field holds a value for every issue and law, the
/// attributes' column every value of every manifest column, and a filter would otherwise judge
/// each of them.
fn filter_span(filter: &Filter) -> Span {
    match filter {
        Filter::Date { from, to } => {
            let (from, to) = dates::year_span(from.as_deref(), to.as_deref());
            Span {
                from: from.map(String::into_bytes),
                to: to.map(String::into_bytes),
            }
        }
        Filter::Attribute { name, .. } => Span::prefix(format!("{name}=").as_bytes()),
        Filter::Contains { .. } | Filter::IndexedSince(_) => Span::default(),
    }
}

/// The numbers, in each segment's dictionary of the text column `column`, of the values in
/// `span` that `accepts` accepts, by segment: found as the dictionary is walked, each value
/// judged once. (A value looked up afterwards in each dictionary costs a search of the
/// dictionary's blocks, and `docno:号` accepts thousands.)
fn matching_ords(
    ctx: &Context,
    column: &str,
    span: &Span,
    accepts: &mut Accepts,
) -> Result<HashMap<SegmentId, Vec<u64>>, Error> {
    // The values folded, by what they say: a title may stand in several segments.
    let mut judged: HashMap<String, bool> = HashMap::new();
    let mut by_segment = HashMap::new();
    for segment in ctx.searcher.segment_readers() {
        let Some(column) = segment.fast_fields().str(column)? else {
            continue;
        };
        let mut ords = Vec::new();
        let mut stream = span.stream_column(column.dictionary())?;
        while stream.advance() {
            if accepts.holds_as_written(stream.key()) {
                ords.push(stream.term_ord());
                continue;
            }
            if !accepts.may(stream.key()) {
                continue;
            }
            let value = String::from_utf8_lossy(stream.key());
            let accepted = match judged.get(value.as_ref()) {
                Some(&accepted) => accepted,
                None => {
                    let accepted = accepts.folded(&value);
                    judged.insert(value.into_owned(), accepted);
                    accepted
                }
            };
            if accepted {
                ords.push(stream.term_ord());
            }
        }
        if !ords.is_empty() {
            by_segment.insert(segment.segment_id(), ords);
        }
    }
    Ok(by_segment)
}

/// The heads whose title or 文号 a filter accepts, for a filter that looks for something,
/// judging only the values of the heads that may hold it: the names' view (`schema::NAME`, the
/// title and the 文号 folded, on a document's first head) finds the documents whose names may
/// hold the literal, as a search finds paragraphs; a head that goes on with a document from a
/// part of its file read before carries no names, and is judged whatever its title. Walking the
/// column judged every title of the collection, and reading every head's value again found
/// their heads.
fn named_heads(
    ctx: &Context,
    column: &str,
    accepts: &mut Accepts,
) -> Result<Arc<HashMap<SegmentId, Vec<DocId>>>, Error> {
    let query = grams_query(ctx.fields.name, None, None, &accepts.needle);
    let weight = query.weight(EnableScoring::disabled_from_searcher(ctx.searcher))?;
    judged_by_segment(ctx, column, accepts, |segment| {
        let mut candidates = going_on(segment, ctx.fields)?;
        weight.for_each_no_score(segment, &mut |docs| candidates.extend_from_slice(docs))?;
        candidates.sort_unstable();
        candidates.dedup();
        Ok(candidates)
    })
}

/// Whether a view of `gram`s with positions decides alone which values hold `needle`, folded,
/// as the text's grams decide for a paragraph: one run of characters (no space), which is a
/// phrase of its bigrams at their offsets; for bigrams alone (the title view, `schema::TITLE`)
/// two characters or more, since a character alone starts no gram there; for covering grams (the
/// 文号's, `schema::DOC_NUMBER_GRAMS`) one too, the union of the grams it starts.
fn view_decides(gram: Gram, needle: &Folded) -> bool {
    let shortest = match gram {
        Gram::Bigram => 2,
        Gram::Covering => 1,
    };
    needle.chars.len() >= shortest && !needle.chars.contains(&' ')
}

/// The heads whose value in `view` holds `needle` (where [`view_decides`]), from the view alone:
/// every head carries its document's title and 文号 there, those that go on with a document too,
/// so that no value is read from its column or judged. The names' view mixes titles and 文号,
/// and the heads it found were each read from the column's dictionary and judged, folded where
/// the value did not hold the needle as written (條例, 號).
fn in_view_heads(
    ctx: &Context,
    view: SchemaField,
    needle: &Folded,
) -> Result<Arc<HashMap<SegmentId, Vec<DocId>>>, Error> {
    let query = grams_query(view, None, None, needle);
    let weight = query.weight(EnableScoring::disabled_from_searcher(ctx.searcher))?;
    let mut by_segment = HashMap::new();
    for segment in ctx.searcher.segment_readers() {
        let mut heads = Vec::new();
        weight.for_each_no_score(segment, &mut |docs| heads.extend_from_slice(docs))?;
        if !heads.is_empty() {
            heads.sort_unstable();
            by_segment.insert(segment.segment_id(), heads);
        }
    }
    Ok(Arc::new(by_segment))
}

/// In each segment, of the heads `candidates` finds (in order), those with a value in the text
/// column `column` that the filter accepts.
fn judged_by_segment(
    ctx: &Context,
    column: &str,
    accepts: &mut Accepts,
    mut candidates: impl FnMut(&SegmentReader) -> Result<Vec<DocId>, Error>,
) -> Result<Arc<HashMap<SegmentId, Vec<DocId>>>, Error> {
    let mut by_segment = HashMap::new();
    for segment in ctx.searcher.segment_readers() {
        let Some(values) = segment.fast_fields().str(column)? else {
            continue;
        };
        let heads = judged_heads(&values, candidates(segment)?, accepts)?;
        if !heads.is_empty() {
            by_segment.insert(segment.segment_id(), heads);
        }
    }
    Ok(Arc::new(by_segment))
}

/// Of `candidates` (heads, in order), those with a value in the text column `values` that the
/// filter accepts: each value read and judged once.
fn judged_heads(
    values: &StrColumn,
    candidates: Vec<DocId>,
    accepts: &mut Accepts,
) -> Result<Vec<DocId>, Error> {
    let accepted = accepted_ords(values, &candidates, accepts)?;
    Ok((candidates.into_iter())
        .filter(|&head| {
            (values.ords().values_for_doc(head)).any(|ord| accepted.binary_search(&ord).is_ok())
        })
        .collect())
}

/// The numbers of the values of `heads` in the text column `values` (every value of each) that
/// the filter accepts, in order: each value read and judged once. The heads are those a view
/// found, whose values mostly hold what is looked for: none is turned away unfolded.
fn accepted_ords(
    values: &StrColumn,
    heads: &[DocId],
    accepts: &mut Accepts,
) -> Result<Vec<u64>, Error> {
    let mut ords: Vec<u64> = (heads.iter())
        .flat_map(|&head| values.ords().values_for_doc(head))
        .collect();
    ords.sort_unstable();
    ords.dedup();
    let mut accepted = Vec::new();
    let mut each = ords.iter();
    values.dictionary().sorted_ords_to_term_cb(&ords, |value| {
        if let Some(&ord) = each.next()
            && accepts.held(value)
        {
            accepted.push(ord);
        }
    })?;
    Ok(accepted)
}

/// At most so many values of an attribute are walked and judged, each a few dozen bytes; an
/// attribute with more (the keywords: one for nearly every item) is searched in its view. Its
/// view finds every head with a value that holds what is looked for, of any attribute: a word
/// of an attribute of a few values, such as `level:地方性法规`, is in thousands.
const FEW_VALUES: u64 = 1000;

/// How many values of the text column `column` lie in `span`, over the segments: where the
/// span's ends fall in each dictionary, found without walking it.
fn values_in_span(ctx: &Context, column: &str, span: &Span) -> Result<u64, Error> {
    let mut values = 0;
    for segment in ctx.searcher.segment_readers() {
        let Some(column) = segment.fast_fields().str(column)? else {
            continue;
        };
        let dictionary = column.dictionary();
        let all = dictionary.num_terms() as u64;
        // The number of the first value at or after `key`.
        let first_from = |key: &[u8]| -> Result<u64, Error> {
            let mut values = dictionary.range().ge(key).into_stream()?;
            Ok(if values.advance() {
                values.term_ord()
            } else {
                all
            })
        };
        let from = span.from.as_deref().map_or(Ok(0), first_from)?;
        let to = span.to.as_deref().map_or(Ok(all), first_from)?;
        values += to.saturating_sub(from);
    }
    Ok(values)
}

/// How the attributes' view (`schema::ATTRIBUTE_GRAMS`, each value folded) finds the heads that
/// may hold what a filter looks for.
enum InView {
    /// Those that hold every bigram of it.
    Bigrams(Box<dyn Query>),
    /// A character alone: those that hold a gram it begins, the view's terms in this span. Each
    /// character of a value begins one, a bigram or the last of a run
    /// ([`crate::store::tokenizers::RUN_END`]).
    Starting(Span),
}

/// How the attributes' view finds what `accepts` looks for; `None` when it holds no bigram and
/// is not one character (characters apart).
fn in_view(ctx: &Context, accepts: &Accepts) -> Option<InView> {
    let bigrams: Vec<(Occur, Box<dyn Query>)> = (literal_grams(&accepts.needle.chars).into_iter())
        .filter(|(_, gram)| gram.chars().count() == 2)
        .map(|(_, gram)| {
            let term = Term::from_field_text(ctx.fields.attribute_grams, &gram);
            let query: Box<dyn Query> = Box::new(HeldTerm::new(term, IndexRecordOption::Basic));
            (Occur::Must, query)
        })
        .collect();
    if !bigrams.is_empty() {
        return Some(InView::Bigrams(Box::new(BooleanQuery::new(bigrams))));
    }
    match accepts.needle.chars[..] {
        [c] if c != ' ' => Some(InView::Starting(Span::prefix(c.to_string().as_bytes()))),
        _ => None,
    }
}

impl InView {
    /// Whether the view finds fewer heads to judge than walking the `values` of the attribute
    /// judges: always for bigrams; for a character alone, when the grams it begins are held by
    /// fewer heads than half the values. A character in many values of the attributes (法, 部:
    /// in the level of every law) is in most heads, each of whose values would be judged; a
    /// rare one is in few (docs/PERFORMANCE.md, round 37).
    fn narrows(&self, ctx: &Context, values: u64) -> Result<bool, Error> {
        let InView::Starting(span) = self else {
            return Ok(true);
        };
        let mut heads = 0u64;
        for segment in ctx.searcher.segment_readers() {
            each_term_in(segment, ctx.fields.attribute_grams, span, |_, docs| {
                heads += u64::from(docs.doc_freq());
                Ok(())
            })?;
        }
        Ok(heads * 2 < values)
    }
}

/// The heads whose attribute the filter accepts, for a filter the attributes' view can look for
/// ([`in_view`]): the heads it finds, and of them only those whose value the filter accepts.
/// Walking the attribute's values judged every one: the keywords of every item of the 行政院公報.
fn attribute_heads(
    ctx: &Context,
    view: InView,
    accepts: &mut Accepts,
) -> Result<Arc<HashMap<SegmentId, Vec<DocId>>>, Error> {
    let column = schema::ATTRIBUTES;
    match view {
        InView::Bigrams(query) => {
            let weight = query.weight(EnableScoring::disabled_from_searcher(ctx.searcher))?;
            judged_by_segment(ctx, column, accepts, |segment| {
                let mut candidates = Vec::new();
                weight
                    .for_each_no_score(segment, &mut |docs| candidates.extend_from_slice(docs))?;
                Ok(candidates)
            })
        }
        InView::Starting(span) => judged_by_segment(ctx, column, accepts, |segment| {
            let mut candidates = Vec::new();
            each_term_in(segment, ctx.fields.attribute_grams, &span, |_, docs| {
                let mut postings = docs.postings()?;
                while postings.doc() != TERMINATED {
                    candidates.push(postings.doc());
                    postings.advance();
                }
                Ok(())
            })?;
            candidates.sort_unstable();
            candidates.dedup();
            Ok(candidates)
        }),
    }
}

/// The heads of `segment` that go on with a document begun in a part of its file read before:
/// heads (`schema::HEAD`) that are not a document's first paragraph (`schema::PARAGRAPH`).
fn going_on(segment: &SegmentReader, fields: &Fields) -> Result<Vec<DocId>, Error> {
    let postings = |field| -> Result<_, Error> {
        let term = Term::from_field_u64(field, 1);
        Ok(segment
            .inverted_index(field)?
            .read_postings(&term, IndexRecordOption::Basic)?)
    };
    let Some(mut heads) = postings(fields.head)? else {
        return Ok(Vec::new());
    };
    let mut firsts = postings(fields.paragraph)?;
    let mut going_on = Vec::new();
    while heads.doc() != TERMINATED {
        let head = heads.doc();
        let first = firsts
            .as_mut()
            .is_some_and(|firsts| firsts.seek(head) == head);
        if !first {
            going_on.push(head);
        }
        heads.advance();
    }
    Ok(going_on)
}

/// Where a filter reads the values it accepts from.
enum Values {
    /// A field's terms on the heads; `indexed` on every paragraph.
    Terms(SchemaField),
    /// A text column of the heads, one value each: the title and the 文号.
    Named(&'static str),
    /// The attributes' column of the heads, a value for each attribute.
    Attributes,
}

fn filter_values(fields: &Fields, filter: &Filter) -> Values {
    match filter {
        Filter::Contains { field, .. } => match field {
            Field::Gazette => Values::Terms(fields.gazette),
            Field::Region => Values::Terms(fields.region),
            Field::Document => Values::Named(schema::DOCUMENT),
            Field::DocNumber => Values::Named(schema::DOC_NUMBER),
        },
        Filter::Date { .. } => Values::Terms(fields.date),
        Filter::Attribute { .. } => Values::Attributes,
        Filter::IndexedSince(_) => Values::Terms(fields.indexed),
    }
}

pub(super) fn filter_query(ctx: &Context, filter: &Filter) -> Result<Box<dyn Query>, Error> {
    if let Filter::IndexedSince(since) = filter {
        // A number on every paragraph, not a text of few values: a range over its column.
        let from = Bound::Included(Term::from_field_u64(ctx.fields.indexed, *since));
        let range = RangeQuery::new(from, Bound::Unbounded);
        return Ok(Box::new(ConstScoreQuery::new(Box::new(range), 0.0)));
    }
    // The citation fields are on the documents' heads: the paragraphs of the heads that hold
    // an accepted value.
    Ok(match ctx.accepted.get(ctx, filter)? {
        Found::Terms(terms) if terms.is_empty() => Box::new(EmptyQuery),
        Found::Terms(terms) => Box::new(DocumentsQuery::new(terms.to_vec(), ctx.fields)),
        Found::Heads(heads) if heads.is_empty() => Box::new(EmptyQuery),
        Found::Heads(heads) => Box::new(DocumentsQuery::of_heads(heads, ctx.fields)),
    })
}

/// The values a filter accepts, as its query reads them.
#[derive(Clone)]
enum Found {
    /// Terms of a citation field.
    Terms(Arc<[Term]>),
    /// The heads that hold an accepted value of a text column, by segment.
    Heads(Arc<HashMap<SegmentId, Vec<DocId>>>),
}

/// The values that filters accept, kept for a search engine's life, in which its index does not
/// change: a search builds its filters' queries for its paragraphs, again for the documents it
/// names and again for the issues, and a filter on titles or keywords judges every value it
/// reads. A server's engine keeps at most [`Accepted::KEPT`] filters.
#[derive(Default)]
pub(crate) struct Accepted(Mutex<HashMap<Filter, Found>>);

impl Accepted {
    const KEPT: usize = 64;

    /// Forgets every filter's values.
    pub(super) fn clear(&self) {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }

    fn get(&self, ctx: &Context, filter: &Filter) -> Result<Found, Error> {
        let lock = || {
            self.0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        };
        if let Some(found) = lock().get(filter) {
            return Ok(found.clone());
        }
        let found = find(ctx, filter)?;
        let mut kept = lock();
        if kept.len() >= Accepted::KEPT {
            kept.clear();
        }
        kept.insert(filter.clone(), found.clone());
        Ok(found)
    }
}

/// The values `filter` accepts, read from the index.
fn find(ctx: &Context, filter: &Filter) -> Result<Found, Error> {
    let mut accepts = Accepts::for_many(filter);
    Ok(match filter_values(ctx.fields, filter) {
        Values::Named(schema::DOCUMENT) if view_decides(Gram::Bigram, &accepts.needle) => {
            Found::Heads(in_view_heads(ctx, ctx.fields.title, &accepts.needle)?)
        }
        Values::Named(schema::DOC_NUMBER) if view_decides(Gram::Covering, &accepts.needle) => {
            Found::Heads(in_view_heads(
                ctx,
                ctx.fields.doc_number_grams,
                &accepts.needle,
            )?)
        }
        Values::Named(column) if accepts.needle.chars.iter().any(|&c| c != ' ') => {
            Found::Heads(named_heads(ctx, column, &mut accepts)?)
        }
        Values::Named(column) => {
            let ords = matching_ords(ctx, column, &Span::default(), &mut accepts)?;
            Found::Heads(heads_of(ctx, column, ords)?)
        }
        Values::Attributes => match in_view(ctx, &accepts) {
            Some(view)
                if let values = values_in_span(ctx, schema::ATTRIBUTES, &filter_span(filter))?
                    && values > FEW_VALUES
                    && view.narrows(ctx, values)? =>
            {
                Found::Heads(attribute_heads(ctx, view, &mut accepts)?)
            }
            _ => {
                let span = filter_span(filter);
                let ords = matching_ords(ctx, schema::ATTRIBUTES, &span, &mut accepts)?;
                Found::Heads(heads_of(ctx, schema::ATTRIBUTES, ords)?)
            }
        },
        Values::Terms(field) => {
            let span = filter_span(filter);
            Found::Terms(matching_terms(ctx, field, &span, &mut accepts)?.into())
        }
    })
}

/// The heads that hold one of the values of the text column `column` numbered `ords`, by
/// segment: found once, for every query the filter is part of.
fn heads_of(
    ctx: &Context,
    column: &str,
    ords: HashMap<SegmentId, Vec<u64>>,
) -> Result<Arc<HashMap<SegmentId, Vec<DocId>>>, Error> {
    let mut by_segment = HashMap::new();
    for segment in ctx.searcher.segment_readers() {
        if let Some(ords) = ords.get(&segment.segment_id()) {
            let heads = heads_with_values(segment, ctx.fields.head, column, ords)?;
            if !heads.is_empty() {
                by_segment.insert(segment.segment_id(), heads);
            }
        }
    }
    Ok(Arc::new(by_segment))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::accepts::filter_accepts;

    #[test]
    fn an_attributes_span_holds_the_terms_of_that_attribute_only() {
        let keys = [
            "level",
            "level=",
            "level=地方性法规",
            "level=司法解释",
            "level>x",
            "level2=a",
            "levels=b",
            "leve=c",
            "keywords=地方政府",
            "level=\u{10FFFF}",
            "level==",
        ];
        let filter = Filter::Attribute {
            name: "level".to_string(),
            value: "法".to_string(),
        };
        let span = filter_span(&filter);
        let (from, to) = (span.from.unwrap(), span.to.unwrap());
        for key in keys {
            let in_span = key.as_bytes() >= from.as_slice() && key.as_bytes() < to.as_slice();
            assert_eq!(in_span, key.starts_with("level="), "{key}");
            // What the span leaves out, the filter would have refused.
            if !in_span {
                assert!(!filter_accepts(&filter, key), "{key}");
            }
        }
        assert!(filter_accepts(&filter, "level=地方性法规"));
    }
}

//! PLAN: filters on citation fields (`gazette:`, `date:`, `--region`, manifest columns) -> the
//! set of indexed values they accept, read from the fields' term dictionaries; `--new` and
//! `--indexed-since` -> a range over when each paragraph's file was indexed.

use std::collections::{BTreeSet, HashMap};

use std::ops::Bound;
use tantivy::Term;
use tantivy::index::SegmentId;

use tantivy::query::{ConstScoreQuery, EmptyQuery, Query, RangeQuery};
use tantivy::schema::Field as SchemaField;

use crate::Error;
use crate::search::held;
use crate::search::plan::Context;
use crate::search::query::{Field, Filter};
use crate::search::runs::DocumentsQuery;
use crate::store::schema::{self, Fields};
use crate::store::terms::Span;
use crate::text::dates;
use crate::text::fold::fold;

/// The values of a citation field in `span` that a filter accepts, from the field's term
/// dictionaries.
pub(super) fn matching_terms(
    ctx: &Context,
    field: SchemaField,
    span: &Span,
    accept: impl Fn(&str) -> bool,
) -> Result<Vec<Term>, Error> {
    let mut values = BTreeSet::new();
    held::each_value(ctx.searcher, field, span, |value| {
        if !values.contains(value) && accept(value) {
            values.insert(value.to_string());
        }
    })?;
    Ok(values
        .into_iter()
        .map(|v| Term::from_field_text(field, &v))
        .collect())
}

/// True when `value` contains `wanted`, both folded.
pub(super) fn folded_contains(value: &str, wanted: &str) -> bool {
    fold(value).as_string().contains(&fold(wanted).as_string())
}

pub(super) fn filter_accepts(filter: &Filter, value: &str) -> bool {
    match filter {
        Filter::Contains { value: wanted, .. } => folded_contains(value, wanted),
        Filter::Date { from, to } => dates::within(value, from.as_deref(), to.as_deref()),
        Filter::Attribute {
            name,
            value: wanted,
        } => value
            .strip_prefix(name.as_str())
            .and_then(|rest| rest.strip_prefix('='))
            .is_some_and(|v| folded_contains(v, wanted)),
        Filter::IndexedSince(since) => value.parse::<u64>().is_ok_and(|v| v >= *since),
    }
}

/// The numbers, in each segment's dictionary of the text column `column`, of the values that
/// `accept` accepts, by segment: found as the dictionary is walked, each value judged once. (A
/// value looked up afterwards in each dictionary costs a search of the dictionary's blocks, and
/// `docno:号` accepts thousands.)
fn matching_ords(
    ctx: &Context,
    column: &str,
    accept: impl Fn(&str) -> bool,
) -> Result<HashMap<SegmentId, Vec<u64>>, Error> {
    let mut judged: HashMap<String, bool> = HashMap::new();
    let mut by_segment = HashMap::new();
    for segment in ctx.searcher.segment_readers() {
        let Some(column) = segment.fast_fields().str(column)? else {
            continue;
        };
        let mut ords = Vec::new();
        let mut stream = column.dictionary().stream()?;
        while stream.advance() {
            let value = String::from_utf8_lossy(stream.key());
            let accepted = match judged.get(value.as_ref()) {
                Some(&accepted) => accepted,
                None => {
                    let accepted = accept(&value);
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

/// Where a filter reads the values it accepts from.
enum Values {
    /// A field's terms on the heads; `indexed` on every paragraph.
    Terms(SchemaField),
    /// A text column of the heads: the title and the 文号.
    Column(&'static str),
}

fn filter_values(fields: &Fields, filter: &Filter) -> Values {
    match filter {
        Filter::Contains { field, .. } => match field {
            Field::Gazette => Values::Terms(fields.gazette),
            Field::Region => Values::Terms(fields.region),
            Field::Document => Values::Column(schema::DOCUMENT),
            Field::DocNumber => Values::Column(schema::DOC_NUMBER),
        },
        Filter::Date { .. } => Values::Terms(fields.date),
        Filter::Attribute { .. } => Values::Terms(fields.attribute_terms),
        Filter::IndexedSince(_) => Values::Terms(fields.indexed),
    }
}

pub(super) fn filter_query(ctx: &Context, filter: &Filter) -> Result<Box<dyn Query>, Error> {
    let field = match filter_values(ctx.fields, filter) {
        Values::Terms(field) => field,
        Values::Column(column) => {
            let ords = matching_ords(ctx, column, |value| filter_accepts(filter, value))?;
            if ords.is_empty() {
                return Ok(Box::new(EmptyQuery));
            }
            return Ok(Box::new(DocumentsQuery::in_column(
                column, ords, ctx.fields,
            )));
        }
    };
    if let Filter::IndexedSince(since) = filter {
        // A number on every paragraph, not a text of few values: a range over its column.
        let from = Bound::Included(Term::from_field_u64(field, *since));
        let range = RangeQuery::new(from, Bound::Unbounded);
        return Ok(Box::new(ConstScoreQuery::new(Box::new(range), 0.0)));
    }
    // A date filter reads only the span of dates its years allow: the date field holds a value
    // for every issue and law, and `year:2025` would otherwise judge each of them.
    let span = match filter {
        Filter::Date { from, to } => {
            let (from, to) = dates::year_span(from.as_deref(), to.as_deref());
            Span { from, to }
        }
        _ => Span::default(),
    };
    let terms = matching_terms(ctx, field, &span, |value| filter_accepts(filter, value))?;
    if terms.is_empty() {
        return Ok(Box::new(EmptyQuery));
    }
    // The citation fields are on the documents' heads: the paragraphs of the heads that hold
    // an accepted value.
    Ok(Box::new(DocumentsQuery::new(terms, ctx.fields)))
}

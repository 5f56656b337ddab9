//! PLAN: filters on citation fields (`gazette:`, `date:`, `--region`, manifest columns) -> the
//! set of indexed values they accept, read from the fields' term dictionaries; `--new` and
//! `--indexed-since` -> a range over when each paragraph's file was indexed.

use std::collections::BTreeSet;

use std::ops::Bound;
use tantivy::Term;

use tantivy::query::{
    BooleanQuery, ConstScoreQuery, EmptyQuery, Occur, Query, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field as SchemaField, IndexRecordOption};

use crate::Error;
use crate::search::plan::Context;
use crate::search::query::{Field, Filter};
use crate::store::schema::Fields;
use crate::store::terms;
use crate::text::fold::fold;

/// The values of a citation field that a filter accepts, from the field's term dictionaries.
pub(super) fn matching_terms(
    ctx: &Context,
    field: SchemaField,
    accept: impl Fn(&str) -> bool,
) -> Result<Vec<Term>, Error> {
    let mut values = BTreeSet::new();
    terms::each_value(ctx.searcher, field, |value| {
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
        Filter::Date { from, to } => {
            crate::text::dates::within(value, from.as_deref(), to.as_deref())
        }
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

pub(super) fn filter_field(fields: &Fields, filter: &Filter) -> SchemaField {
    match filter {
        Filter::Contains { field, .. } => match field {
            Field::Gazette => fields.gazette,
            Field::Region => fields.region,
            Field::Document => fields.document,
            Field::DocNumber => fields.doc_number,
        },
        Filter::Date { .. } => fields.date,
        Filter::Attribute { .. } => fields.attribute_terms,
        Filter::IndexedSince(_) => fields.indexed,
    }
}

pub(super) fn filter_query(ctx: &Context, filter: &Filter) -> Result<Box<dyn Query>, Error> {
    let field = filter_field(ctx.fields, filter);
    if let Filter::IndexedSince(since) = filter {
        // A number on every paragraph, not a text of few values: a range over its column.
        let from = Bound::Included(Term::from_field_u64(field, *since));
        let range = RangeQuery::new(from, Bound::Unbounded);
        return Ok(Box::new(ConstScoreQuery::new(Box::new(range), 0.0)));
    }
    let mut terms = matching_terms(ctx, field, |value| filter_accepts(filter, value))?;
    let accepted: Box<dyn Query> = match terms.len() {
        0 => return Ok(Box::new(EmptyQuery)),
        // A few values (region:河南, one gazette) are a union of their postings, which the
        // literal beside them seeks into; a term set marks every paragraph of each segment in
        // a bit set first, whatever the literal.
        1 => Box::new(TermQuery::new(terms.remove(0), IndexRecordOption::Basic)),
        2..=FEW_VALUES => Box::new(BooleanQuery::new(
            terms
                .into_iter()
                .map(|term| {
                    let term: Box<dyn Query> =
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                    (Occur::Should, term)
                })
                .collect(),
        )),
        _ => Box::new(TermSetQuery::new(terms)),
    };
    Ok(Box::new(ConstScoreQuery::new(accepted, 0.0)))
}

/// Up to this many accepted values, a filter is the union of their postings rather than a term
/// set (see [`filter_query`]).
const FEW_VALUES: usize = 8;

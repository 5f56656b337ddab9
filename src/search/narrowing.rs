//! NARROWING: the filters that flags (`--gazette`, `--from`…) and the page's form fields put
//! beside a query, as the query's own filters, so that the CLI and `gazette serve` narrow alike.

use crate::search::query::{Field, Filter};

/// The filters that flags and form fields put beside a query (`--gazette`, `--from`, …), each
/// joined to it by AND. Dates are YYYY, YYYY-MM or YYYY-MM-DD (`crate::text::dates::normalise`).
#[derive(Debug, Clone, Default)]
pub struct Narrowing {
    pub gazette: Option<String>,
    pub region: Option<String>,
    pub document: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Files indexed on or after this date (UTC).
    pub indexed_since: Option<String>,
}

impl Narrowing {
    pub fn filters(&self) -> Vec<Filter> {
        let mut filters = Vec::new();
        for (field, value) in [
            (Field::Gazette, &self.gazette),
            (Field::Region, &self.region),
            (Field::Document, &self.document),
        ] {
            if let Some(value) = value {
                filters.push(Filter::Contains {
                    field,
                    value: value.clone(),
                });
            }
        }
        if let Some(date) = &self.indexed_since {
            // Dates before 1970 hold no indexing run: every file counts.
            filters.push(Filter::IndexedSince(
                crate::text::dates::start_ms(date).unwrap_or(0),
            ));
        }
        if self.from.is_some() || self.to.is_some() {
            filters.push(Filter::Date {
                from: self.from.clone(),
                to: self.to.clone(),
            });
        }
        filters
    }
}

//! OUTPUT: hits, buckets and paragraphs -> bytes, one file per format. Generic over `W: Write`;
//! whether to colour is the caller's choice. What a hit says is defined once ([`fields`]), for
//! JSON and CSV alike.

pub mod csv;
pub mod fields;
pub mod human;

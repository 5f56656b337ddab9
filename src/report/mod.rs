//! REPORT: research over the index: how often a query matches, bucket by bucket ([`stats`]), and a
//! paragraph shown in its place among its neighbours ([`show`]).

pub mod show;
pub mod stats;

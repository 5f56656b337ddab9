//! TOOLS: what gazette is measured with: query latency in-process ([`bench`]) and generated
//! gazette-like corpora of any size ([`generate`]).

pub mod bench;
pub mod generate;

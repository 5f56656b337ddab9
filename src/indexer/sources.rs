//! INCREMENTAL: which files the index holds and with what content, so that a rerun skips the
//! unchanged ones.

use std::collections::HashMap;

use tantivy::{DocSet, Index};

use crate::Error;
use crate::ingest::manifest::Metadata;
use crate::store::schema::Fields;
use crate::store::terms;

/// The files the index holds, alive in its last commit: path -> hash of content and manifest row.
pub(super) fn indexed_sources(
    index: &Index,
    fields: &Fields,
) -> Result<HashMap<String, String>, Error> {
    let reader = index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()?;
    let searcher = reader.searcher();
    let mut sources = HashMap::new();
    for segment in searcher.segment_readers() {
        let alive = segment.alive_bitset();
        terms::each_term(segment, fields.source, |key, docs| {
            let Some((hash, path)) = std::str::from_utf8(key)
                .ok()
                .and_then(|source| source.split_once(' '))
            else {
                return Ok(());
            };
            let mut postings = docs.postings()?;
            let mut doc = postings.doc();
            let mut any_alive = false;
            while doc != tantivy::TERMINATED {
                if alive.is_none_or(|bits| bits.is_alive(doc)) {
                    any_alive = true;
                    break;
                }
                doc = postings.advance();
            }
            if any_alive {
                sources.insert(path.to_string(), hash.to_string());
            }
            Ok(())
        })?;
    }
    Ok(sources)
}

/// Hash of a file's bytes and of its manifest row: either changing means indexing it again.
pub(super) fn source_hash(bytes: &[u8], meta: &Metadata) -> String {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(bytes);
    hasher.update(format!("{meta:?}").as_bytes());
    format!("{:032x}", hasher.digest128())
}

//! INCREMENTAL: which files the index holds and with what content, so that a rerun skips the
//! unchanged ones.

use std::collections::HashMap;

use tantivy::{DocSet, Index};

use crate::Error;
use crate::ingest::manifest::Metadata;
use crate::store::schema::{self, FIRST_INDEXED, Fields};
use crate::store::terms;

/// What the index holds of a file: the hash of its content and manifest row, and when it was
/// first indexed (kept when a changed file is indexed again).
pub(super) struct Indexed {
    pub(super) hash: String,
    pub(super) first_indexed: u64,
}

/// The files the index holds, alive in its last commit, by path.
pub(super) fn indexed_sources(
    index: &Index,
    fields: &Fields,
) -> Result<HashMap<String, Indexed>, Error> {
    let reader = index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()?;
    let searcher = reader.searcher();
    let mut sources = HashMap::new();
    for segment in searcher.segment_readers() {
        let alive = segment.alive_bitset();
        let first_indexed = segment.fast_fields().u64(FIRST_INDEXED)?;
        terms::each_term(segment, fields.source, |key, docs| {
            let Some((path, hash)) = std::str::from_utf8(key).ok().and_then(schema::parse_source)
            else {
                return Ok(());
            };
            let mut postings = docs.postings()?;
            let mut doc = postings.doc();
            while doc != tantivy::TERMINATED {
                if alive.is_none_or(|bits| bits.is_alive(doc)) {
                    let indexed = Indexed {
                        hash: hash.to_string(),
                        first_indexed: first_indexed.first(doc).unwrap_or(0),
                    };
                    sources.insert(path.to_string(), indexed);
                    break;
                }
                doc = postings.advance();
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
    hasher.update(&meta.identity());
    format!("{:032x}", hasher.digest128())
}

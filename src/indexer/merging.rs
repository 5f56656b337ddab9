//! How the index writer merges segments: tantivy's log merge policy with a ceiling on the size of
//! a merged segment.
//!
//! tantivy's `LogMergePolicy` merges a whole level of similar segments at once and stops only at
//! ten million documents, so merged segments grow with the corpus, and with them what a merge
//! holds in memory, even read with pread (`crate::store::writing`), since it reads each input's
//! stored paragraphs whole. Here a merge never writes more than a fixed number of paragraphs,
//! whatever the corpus size.
//!
//! A search opens every segment, and each costs it time. With `gazette index --compact` the last
//! commit of a run finishes: it merges every segment of at most half a larger ceiling,
//! [`COMPACTION_FACTOR`] times the running one, into as few as that ceiling allows. That rewrites
//! most of the index, so a run does it unasked only when it leaves more than [`COMPACT_ABOVE`]
//! segments. docs/PERFORMANCE.md (2026-11-28) has the measurements behind both bounds.

use std::collections::HashMap;

use tantivy::index::{SegmentId, SegmentMeta};
use tantivy::merge_policy::{LogMergePolicy, MergeCandidate, MergePolicy};

/// The most paragraphs a merge may write. At about 470 bytes of index a paragraph, 600,000 make
/// a segment of about 280 MB.
pub const MAX_MERGED_DOCS: u32 = 600_000;

/// How many times [`MAX_MERGED_DOCS`] a merge of `--compact` may write. Merges are one at a time
/// and a merge's memory grows with what it writes, not with the corpus, so this bounds the
/// memory of a compaction.
pub const COMPACTION_FACTOR: u32 = 4;

/// While a run adds paragraphs, only segments of at most this fraction of the ceiling are
/// merged: those that a commit cut short or that a small run made. A segment a writer's thread
/// filled before its commit holds hundreds of thousands of paragraphs; it waits for the
/// compaction, which rewrites every segment under half its own ceiling anyway. With half the
/// ceiling as the bound, a run of gigabytes whose threads filled segments just under it merged
/// them in pairs while adding paragraphs and again in the compaction: most paragraphs rewritten
/// twice where once is enough (docs/PERFORMANCE.md, round 28).
pub const RUNNING_MERGE_FRACTION: u32 = 10;

/// A run that leaves more segments than this compacts them, as `--compact` does. Corpora of a
/// few hundred megabytes end with fewer and are left as they are; gigabytes end with dozens or
/// hundreds (filled segments are left to this compaction, see [`RUNNING_MERGE_FRACTION`]).
pub const COMPACT_ABOVE: usize = 8;

/// [`LogMergePolicy`] whose merges write at most `max_docs` paragraphs each.
#[derive(Debug)]
pub struct CappedMergePolicy {
    log: LogMergePolicy,
    max_docs: u32,
    finishing: bool,
}

impl CappedMergePolicy {
    /// The policy while a run adds paragraphs: the log policy's levels among the segments of at
    /// most [`RUNNING_MERGE_FRACTION`] of the ceiling.
    pub fn new(max_docs: u32) -> CappedMergePolicy {
        let mut log = LogMergePolicy::default();
        log.set_max_docs_before_merge((max_docs / RUNNING_MERGE_FRACTION) as usize);
        CappedMergePolicy {
            log,
            max_docs,
            finishing: false,
        }
    }

    /// The policy of the compaction that ends a large run (`crate::indexer::compaction`): every
    /// segment of at most half the ceiling is merged, into as few segments as the ceiling allows.
    pub fn finishing(max_docs: u32) -> CappedMergePolicy {
        CappedMergePolicy {
            finishing: true,
            ..CappedMergePolicy::new(max_docs)
        }
    }
}

impl MergePolicy for CappedMergePolicy {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        if self.finishing {
            let small = segments
                .iter()
                .map(|segment| (segment.id(), segment.max_doc()))
                .filter(|&(_, docs)| docs <= self.max_docs / 2)
                .collect();
            return split(small, self.max_docs)
                .into_iter()
                .map(MergeCandidate)
                .collect();
        }
        let docs: HashMap<SegmentId, u32> = segments
            .iter()
            .map(|segment| (segment.id(), segment.max_doc()))
            .collect();
        self.log
            .compute_merge_candidates(segments)
            .into_iter()
            .flat_map(|MergeCandidate(level)| {
                let sized = level.into_iter().map(|id| (id, docs[&id])).collect();
                split(sized, self.max_docs)
            })
            .map(MergeCandidate)
            .collect()
    }
}

/// Splits a level the log policy would merge into merges of at most `max_docs` paragraphs each,
/// largest segments first, each into the first merge it fits (first-fit decreasing). A segment
/// that fits with no other is left alone.
fn split(mut level: Vec<(SegmentId, u32)>, max_docs: u32) -> Vec<Vec<SegmentId>> {
    level.sort_by_key(|&(id, docs)| (std::cmp::Reverse(docs), id));
    let mut merges: Vec<(u64, Vec<SegmentId>)> = Vec::new();
    for (id, docs) in level {
        let docs = u64::from(docs);
        match merges
            .iter_mut()
            .find(|(total, _)| total + docs <= u64::from(max_docs))
        {
            Some((total, ids)) => {
                *total += docs;
                ids.push(id);
            }
            None => merges.push((docs, vec![id])),
        }
    }
    merges
        .into_iter()
        .map(|(_, ids)| ids)
        .filter(|ids| ids.len() >= 2)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(sizes: &[u32]) -> Vec<(SegmentId, u32)> {
        sizes
            .iter()
            .map(|&docs| (SegmentId::generate_random(), docs))
            .collect()
    }

    fn merged_sizes(level: &[(SegmentId, u32)], merges: &[Vec<SegmentId>]) -> Vec<u32> {
        let docs: HashMap<SegmentId, u32> = level.iter().copied().collect();
        merges
            .iter()
            .map(|ids| ids.iter().map(|id| docs[id]).sum())
            .collect()
    }

    #[test]
    fn no_merge_writes_more_than_the_ceiling() {
        let level = segments(&[157_000; 8]);
        let merges = split(level.clone(), 600_000);
        // 3 + 3 + 2 segments: 471,000, 471,000 and 314,000 paragraphs.
        assert_eq!(
            merged_sizes(&level, &merges),
            vec![471_000, 471_000, 314_000]
        );
    }

    #[test]
    fn each_segment_is_merged_at_most_once() {
        let level = segments(&[
            90_000, 250_000, 10_000, 200_000, 120_000, 60_000, 5_000, 280_000,
        ]);
        let merges = split(level.clone(), 300_000);
        let mut seen: Vec<SegmentId> = merges.iter().flatten().copied().collect();
        let count = seen.len();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), count);
        assert!(
            merged_sizes(&level, &merges)
                .iter()
                .all(|&docs| docs <= 300_000)
        );
        assert!(merges.iter().all(|ids| ids.len() >= 2));
    }

    #[test]
    fn a_segment_that_fits_with_no_other_is_left_alone() {
        let level = segments(&[400_000, 350_000, 30_000]);
        let merges = split(level.clone(), 420_000);
        // 400,000 + 30,000 is above the ceiling; 350,000 + 30,000 is not.
        assert_eq!(merged_sizes(&level, &merges), vec![380_000]);
    }

    /// The merges the policy asks for among segments of `sizes`, as their sizes.
    fn merges_among(policy: &CappedMergePolicy, sizes: &[u32]) -> Vec<Vec<u32>> {
        let schema = tantivy::schema::Schema::builder().build();
        let index = tantivy::Index::create_in_ram(schema);
        let metas: Vec<SegmentMeta> = sizes
            .iter()
            .map(|&docs| index.new_segment_meta(SegmentId::generate_random(), docs))
            .collect();
        let docs: HashMap<SegmentId, u32> = metas.iter().map(|m| (m.id(), m.max_doc())).collect();
        policy
            .compute_merge_candidates(&metas)
            .into_iter()
            .map(|MergeCandidate(ids)| ids.iter().map(|id| docs[id]).collect())
            .collect()
    }

    #[test]
    fn a_run_merges_only_the_segments_its_commits_cut_short() {
        let running = CappedMergePolicy::new(600_000);
        // Segments that the writer's threads filled, as a run of gigabytes leaves them between
        // two commits: left for the compaction.
        assert!(merges_among(&running, &[290_000; 12]).is_empty());
        assert!(merges_among(&running, &[61_000; 12]).is_empty());
        // Eight small ones, a level of the log policy, are merged beside them.
        let merges = merges_among(&running, &[[290_000; 4].as_slice(), &[40_000; 8]].concat());
        assert_eq!(merges, vec![vec![40_000; 8]]);
        // The compaction takes them all, into segments of at most four times the ceiling.
        let finishing = CappedMergePolicy::finishing(2_400_000);
        let merged: Vec<u32> = merges_among(&finishing, &[290_000; 12])
            .iter()
            .map(|sizes| sizes.iter().sum())
            .collect();
        assert_eq!(merged, vec![2_320_000, 1_160_000]);
    }

    #[test]
    fn finishing_merges_every_small_segment_under_the_ceiling() {
        let sizes = [
            213_614, 211_399, 190_299, 188_907, 79_449, 76_681, 32_932, 12_621, 450_000,
        ];
        let merges = merges_among(&CappedMergePolicy::finishing(600_000), &sizes);
        let merged: Vec<u32> = merges.iter().map(|sizes| sizes.iter().sum()).collect();
        // The eight segments under 300,000 (the sizes the log policy left on ../shared/corpus)
        // become two, first-fit decreasing: 213,614 + 211,399 + 79,449 + 76,681 + 12,621 and
        // 190,299 + 188,907 + 32,932. The one above half the ceiling is left alone.
        assert_eq!(merged, vec![593_764, 412_138]);
        assert!(merges.iter().flatten().all(|&docs| docs <= 300_000));
        // While adding paragraphs, the log policy finds no level to merge in the same segments.
        assert!(merges_among(&CappedMergePolicy::new(600_000), &sizes).is_empty());
    }
}

//! COMPACT: merging a run's many small segments into few, at the end of a run.

use tantivy::indexer::IndexWriterOptions;
use tantivy::{Index, IndexWriter, TantivyDocument};

use super::MERGE_THREADS;
use crate::Error;
use crate::indexer::IndexConfig;
use crate::indexer::merging::{CappedMergePolicy, MAX_MERGED_DOCS};
use tantivy::merge_policy::MergePolicy;

/// Memory for the writer that only merges: tantivy's least.
pub(super) const COMPACTING_WRITER_MEMORY: usize = 15_000_000;

/// Merges every segment of at most half of `ceiling` paragraphs into as few as `ceiling` allows
/// (see `crate::indexer::merging`), with a writer of its own that adds nothing. Gives the segments left,
/// or `None` when there was nothing to merge. The run's writer has finished its own merges by
/// then, so that how many segments it left, and so whether to compact, does not depend on how far
/// its merges had got.
pub(super) fn compact(index: &Index, ceiling: u32) -> Result<Option<usize>, Error> {
    let policy = CappedMergePolicy::finishing(ceiling);
    if policy
        .compute_merge_candidates(&index.searchable_segment_metas()?)
        .is_empty()
    {
        return Ok(None);
    }
    let options = IndexWriterOptions::builder()
        .num_worker_threads(1)
        .memory_budget_per_thread(COMPACTING_WRITER_MEMORY)
        .num_merge_threads(MERGE_THREADS)
        .build();
    let mut writer: IndexWriter = index.writer_with_options(options.clone())?;
    writer.set_merge_policy(Box::new(policy));
    // A commit, even of nothing, asks the merge policy for merges.
    let merged = writer
        .commit()
        .map(drop)
        .and_then(|()| writer.wait_merging_threads());
    // A merge that failed (on a full disk: tantivy drops the merge without an error) leaves its
    // partial files. They are removed as files that no commit lists, so that the disk has its
    // room back.
    if let Ok(writer) = index.writer_with_options::<TantivyDocument>(options) {
        // At worst the files stay until a later run's commit removes them.
        let _ = writer.garbage_collect_files().wait();
    }
    merged?;
    Ok(Some(index.searchable_segment_ids()?.len()))
}

/// The most paragraphs a merge may write.
pub(super) fn merge_cap(config: &IndexConfig) -> u32 {
    match config.max_merged_docs {
        0 => MAX_MERGED_DOCS,
        n => n,
    }
}

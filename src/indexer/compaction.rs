//! COMPACT: merging a run's many small segments into few, at the end of a run.

use indicatif::ProgressBar;
use tantivy::indexer::IndexWriterOptions;
use tantivy::merge_policy::MergePolicy;
use tantivy::{Index, IndexWriter, TantivyDocument};

use super::merging::{COMPACTION_FACTOR, CappedMergePolicy};
use super::{IndexConfig, IndexSummary, writer_threads};
use crate::Error;

/// Memory for the writer that only merges: tantivy's least.
const COMPACTING_WRITER_MEMORY: usize = 15_000_000;

/// Merges every segment of at most half of `ceiling` paragraphs into as few as `ceiling` allows
/// (see `crate::indexer::merging`), with a writer of its own that adds nothing. Gives the segments left,
/// or `None` when there was nothing to merge. The run's writer has finished its own merges by
/// then, so that how many segments it left, and so whether to compact, does not depend on how far
/// its merges had got.
///
/// Nothing else runs by then, so as many merges run at once as the run had indexing threads: a
/// merge is tantivy's work on one thread, and a large run ends with several (three for 1 GB of
/// text, nine for 3 GB), which one at a time left the other cores idle. Each merge holds its own
/// buffers, far less than the indexing threads held before it (docs/PERFORMANCE.md, round 21).
fn compact(index: &Index, ceiling: u32) -> Result<Option<usize>, Error> {
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
        .num_merge_threads(writer_threads())
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

/// Compacts at the end of a run when asked (`--compact`) or when the run left more segments than
/// [`IndexConfig::compact_above`], and records the outcome in `summary`. A compaction that was
/// asked for fails the run when it fails; one the run started unasked only says so
/// ([`IndexSummary::compaction_failed`]): the run has done its work, and the next run merges what
/// this one could not.
pub(super) fn compact_if_due(
    config: &IndexConfig,
    index: &Index,
    summary: &mut IndexSummary,
    progress: &ProgressBar,
) -> Result<(), Error> {
    if !config.compact && summary.segments <= config.compact_above {
        return Ok(());
    }
    progress.set_message(format!(
        "merging the index's {} segments into fewer, for faster searches",
        summary.segments
    ));
    let ceiling = config.max_merged_docs.saturating_mul(COMPACTION_FACTOR);
    let failed = match compact(index, ceiling) {
        Ok(None) => None,
        Ok(Some(segments)) if segments < summary.segments => {
            summary.compacted_from = Some(summary.segments);
            summary.segments = segments;
            None
        }
        Ok(Some(_)) => Some(Error::Write {
            path: config.index_dir.clone(),
            reason: "no merge of its segments finished; the disk may be full".into(),
            source: None,
        }),
        Err(err) => Some(err),
    };
    match failed {
        Some(err) if config.compact => Err(err),
        Some(err) => {
            summary.compaction_failed = Some(err.to_string());
            Ok(())
        }
        None => Ok(()),
    }
}

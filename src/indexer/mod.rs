//! INDEX: files -> parsed issues -> one tantivy document per paragraph.
//!
//! A run is incremental: a file whose content and manifest row are unchanged since the last run
//! is skipped (by a hash of both), a changed file's paragraphs are replaced, new files are added,
//! and with `--prune` the paragraphs of files that are gone are removed. The run commits in
//! batches ([`COMMIT_BYTES`]), so a run that is killed keeps what it committed and the next run
//! goes on from there; searches see the index as of its last commit.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::directory::error::LockError;
use tantivy::indexer::IndexWriterOptions;
use tantivy::{DocSet, Index, IndexWriter, Term};

use crate::Error;
use crate::indexer::backlog::{BACKLOG_PARAGRAPHS, Backlog, Queued};
use crate::indexer::compaction::compact;
use crate::indexer::compaction::merge_cap;
use crate::indexer::documents::add_issue;
use crate::indexer::merging::{COMPACT_ABOVE, COMPACTION_FACTOR, CappedMergePolicy};
use crate::indexer::progress::progress_bar;
use crate::indexer::progress::spinner;
use crate::indexer::sources::indexed_sources;
use crate::indexer::sources::source_hash;
use crate::ingest::manifest::Manifests;
use crate::ingest::walk;
use crate::ingest::{display_path, load_bytes};
use crate::store::schema::{self, Fields};
use crate::store::{clear, open_for_writing};
use tantivy::merge_policy::MergePolicy;

mod backlog;
mod compaction;
mod documents;
mod merging;
mod progress;
mod sources;

/// Text indexed between two commits, unless the config says otherwise.
pub const COMMIT_BYTES: u64 = 64 * 1024 * 1024;
/// Memory for the index writer, shared by its threads.
const WRITER_MEMORY: usize = 256 * 1024 * 1024;
/// Merges at a time (tantivy's default is 4): each holds its own buffers.
pub(super) const MERGE_THREADS: usize = 1;

/// What `gazette index` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct IndexConfig {
    pub index_dir: PathBuf,
    pub inputs: Vec<PathBuf>,
    /// Draw a progress bar (on a terminal).
    pub progress: bool,
    /// Remove the files that are no longer there.
    pub prune: bool,
    /// Start from an empty index.
    pub rebuild: bool,
    /// Merge the smaller segments at the end of the run (see `crate::indexer::merging`), however many
    /// segments the run leaves.
    pub compact: bool,
    /// Merge them when the run leaves more segments than this; 0 for [`COMPACT_ABOVE`].
    pub compact_above: usize,
    /// Text indexed between two commits; 0 for [`COMMIT_BYTES`].
    pub commit_bytes: u64,
    /// The most paragraphs a merge may write; 0 for [`MAX_MERGED_DOCS`].
    pub max_merged_docs: u32,
}

/// What a run did.
#[derive(Debug, Default, Serialize)]
pub struct IndexSummary {
    /// Files indexed for the first time.
    pub added: usize,
    /// Files whose paragraphs were replaced because the file or its manifest row changed.
    pub updated: usize,
    /// Files skipped because nothing changed.
    pub unchanged: usize,
    /// Files removed by `--prune`.
    pub removed: usize,
    /// Files or folders that could not be read.
    pub failed: usize,
    /// Files read and indexed in this run (added + updated).
    pub files: usize,
    pub documents: usize,
    pub paragraphs: usize,
    pub cuts_joined: usize,
    pub debris_dropped: usize,
    /// Segments of the index at the end of the run.
    pub segments: usize,
    /// Segments before the run merged them (see [`IndexConfig::compact`]); `None` when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compacted_from: Option<usize>,
    /// Why the compaction a run started unasked failed (a full disk, say); the index is as the
    /// run left it, only in more segments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compaction_failed: Option<String>,
    pub seconds: f64,
    #[serde(skip)]
    pub errors: Vec<Error>,
}

/// Indexes the text files under the configured inputs: new and changed files are (re)indexed,
/// unchanged ones skipped, and with `prune` files that are gone removed.
///
/// A failure to write the index (a full disk, a read-only one, a folder the user may not write)
/// is reported as [`Error::Write`]; the index is then as of its last commit.
pub fn run(config: &IndexConfig) -> Result<IndexSummary, Error> {
    let started = Instant::now();
    let dir = &config.index_dir;
    let unwritable = |err: Error| match err {
        Error::Tantivy(err) => Error::Write {
            path: dir.clone(),
            reason: err.to_string(),
        },
        Error::Io(err) => Error::Write {
            path: dir.clone(),
            reason: err.to_string(),
        },
        err => err,
    };
    if config.rebuild {
        clear(dir).map_err(unwritable)?;
    }
    let (index, fields) = open_for_writing(dir, schema::build()).map_err(unwritable)?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let options = IndexWriterOptions::builder()
        .num_worker_threads(threads)
        .memory_budget_per_thread(WRITER_MEMORY / threads)
        .num_merge_threads(MERGE_THREADS)
        .build();
    let writer: IndexWriter<Queued> =
        index
            .writer_with_options(options)
            .map_err(|err| match err {
                tantivy::TantivyError::LockFailure(LockError::LockBusy, _) => {
                    Error::Busy { path: dir.clone() }
                }
                tantivy::TantivyError::LockFailure(LockError::IoError(err), _) => Error::Write {
                    path: dir.clone(),
                    reason: err.to_string(),
                },
                err => unwritable(err.into()),
            })?;
    // Checked once this process holds the writer's lock, so the probe is its own.
    check_writable(dir)?;
    writer.set_merge_policy(Box::new(CappedMergePolicy::new(merge_cap(config))));
    add_files(config, &index, &fields, writer, started).map_err(unwritable)
}

/// Fails with [`Error::Write`] unless a file can be created in the index folder: tantivy's writer
/// threads report a folder they may not write only as "an index writer was killed".
fn check_writable(dir: &Path) -> Result<(), Error> {
    let probe = dir.join(".gazette-write-check");
    std::fs::write(&probe, b"gazette")
        .and_then(|()| std::fs::remove_file(&probe))
        .map_err(|err| Error::Write {
            path: dir.to_path_buf(),
            reason: err.to_string(),
        })
}

fn add_files(
    config: &IndexConfig,
    index: &Index,
    fields: &Fields,
    mut writer: IndexWriter<Queued>,
    started: Instant,
) -> Result<IndexSummary, Error> {
    let mut known = indexed_sources(index, fields)?;
    let backlog = Backlog::new(BACKLOG_PARAGRAPHS);
    let commit_bytes = match config.commit_bytes {
        0 => COMMIT_BYTES,
        n => n,
    };

    let (files, mut errors) = walk::walk(&config.inputs);
    let mut summary = IndexSummary {
        failed: errors.len(),
        ..IndexSummary::default()
    };
    let bar = progress_bar(files.len() as u64, config.progress);
    let mut manifests = Manifests::default();
    let mut uncommitted: u64 = 0;
    let mut seen = HashSet::new();
    for path in &files {
        bar.set_message(path.display().to_string());
        bar.inc(1);
        let shown = display_path(path);
        if !seen.insert(shown.clone()) {
            continue; // named twice, by two overlapping inputs
        }
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(err) => {
                errors.push(Error::File {
                    path: path.clone(),
                    reason: err.to_string(),
                });
                summary.failed += 1;
                continue;
            }
        };
        let meta = manifests.lookup(path, &mut errors).unwrap_or_default();
        let hash = source_hash(&bytes, &meta);
        let before = known.remove(&shown);
        if before.as_deref() == Some(hash.as_str()) {
            summary.unchanged += 1;
            continue;
        }
        if before.is_some() {
            writer.delete_term(Term::from_field_text(fields.path, &shown));
        }
        match load_bytes(path, &bytes, meta) {
            Ok(loaded) => {
                let issue = &loaded.issue;
                summary.files += 1;
                summary.documents += issue.documents.len();
                summary.paragraphs += issue.paragraph_count();
                summary.cuts_joined += issue.stats.cuts_joined;
                summary.debris_dropped += issue.stats.debris_dropped;
                add_issue(&writer, &backlog, fields, &shown, &hash, &loaded)?;
                if before.is_some() {
                    summary.updated += 1;
                } else {
                    summary.added += 1;
                }
            }
            Err(err) => {
                // A file that can no longer be read keeps no stale paragraphs.
                errors.push(err);
                summary.failed += 1;
            }
        }
        uncommitted += bytes.len() as u64;
        if uncommitted >= commit_bytes {
            writer.commit()?;
            uncommitted = 0;
            trim_heap();
        }
    }
    bar.finish_and_clear();
    if config.prune {
        // `known` now holds the indexed files that this run did not find.
        for path in known.keys() {
            writer.delete_term(Term::from_field_text(fields.path, path));
            summary.removed += 1;
        }
    }
    // The last commit and the merges it waits for, then any compaction, take seconds to minutes
    // on a large corpus: a spinner says what the run is doing.
    let finishing = spinner(config.progress, "committing, finishing merges");
    writer.commit()?;
    writer.wait_merging_threads()?;
    summary.segments = index.searchable_segment_ids()?.len();
    let compact_above = match config.compact_above {
        0 => COMPACT_ABOVE,
        n => n,
    };
    if config.compact || summary.segments > compact_above {
        finishing.set_message(format!(
            "merging the index's {} segments into fewer, for faster searches",
            summary.segments
        ));
        let failed = match compact(index, merge_cap(config).saturating_mul(COMPACTION_FACTOR)) {
            Ok(None) => None,
            Ok(Some(segments)) if segments < summary.segments => {
                summary.compacted_from = Some(summary.segments);
                summary.segments = segments;
                None
            }
            Ok(Some(_)) => Some(Error::Write {
                path: config.index_dir.clone(),
                reason: "no merge of its segments finished; the disk may be full".into(),
            }),
            Err(err) => Some(err),
        };
        match failed {
            // Asked for, the compaction is the run's work; otherwise a run that indexed its files
            // has done its work, and the next run merges what this one could not.
            Some(err) if config.compact => return Err(err),
            Some(err) => summary.compaction_failed = Some(err.to_string()),
            None => {}
        }
    }
    finishing.finish_and_clear();
    summary.errors = errors;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Hands the free pages inside the allocator's heaps back to the system. Between commits the
/// indexing threads free their buffers, but glibc keeps freed memory that is not at the top of a
/// heap, and its per-thread heaps grew by tens of megabytes per gigabyte of text.
fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory of the allocator to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

//! INDEX: files -> parsed issues -> one tantivy document per paragraph.
//!
//! A run is incremental: a file whose content and manifest row are unchanged since the last run
//! is skipped (by a hash of both), a changed file's paragraphs are replaced, new files are added,
//! and with `--prune` the paragraphs of files that are gone are removed. The run commits in
//! batches ([`COMMIT_BYTES`]), so a run that is killed keeps what it committed and the next run
//! goes on from there; searches see the index as of its last commit.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;
use tantivy::directory::error::LockError;
use tantivy::indexer::IndexWriterOptions;
use tantivy::{Index, IndexWriter};

use crate::Error;
use crate::indexer::backlog::{BACKLOG_BYTES, Backlog, Queued};
use crate::indexer::documents::add_issue;
use crate::indexer::progress::{progress_bar, spinner};
use crate::indexer::sources::{Indexed, indexed_sources, source_hash};
use crate::ingest::Loaded;
use crate::ingest::manifest::Manifests;
use crate::ingest::parse::Issue;
use crate::ingest::parts::{PART_BYTES, Parts};
use crate::ingest::{display_path, is_pdf, load_bytes, parts, walk};
use crate::search::DocumentsQuery;
use crate::store::schema::{self, Fields};
use crate::store::{clear, open_for_writing, record_run};
use compaction::compact_if_due;
use documents::{File, Position, Times};
use merging::{COMPACT_ABOVE, CappedMergePolicy, MAX_MERGED_DOCS};

mod backlog;
mod compaction;
mod documents;
pub mod huge_pages;
mod memory;
mod merging;
mod progress;
mod sources;

/// Text indexed between two commits, unless the config says otherwise. A commit ends the segment
/// each of the writer's threads was filling, and a search pays for every segment it opens, so a
/// corpus that fits in one commit and in the writer's memory should end in one segment per thread,
/// not in one per thread and commit (docs/PERFORMANCE.md, issue 21 round 8). An interrupted run
/// loses at most this much work.
pub const COMMIT_BYTES: u64 = 256 * 1024 * 1024;
/// Merges at a time while a run adds paragraphs (tantivy's default is 4): each holds its own
/// buffers, and the indexing threads keep every core busy meanwhile.
const MERGE_THREADS: usize = 1;

/// Threads that index at once, and merges at once in a compaction, when nothing else runs (see
/// [`compaction`]): one per core, at most four.
fn writer_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// What `gazette index` is asked to do.
#[derive(Debug, Clone)]
pub struct IndexConfig {
    pub index_dir: PathBuf,
    pub inputs: Vec<PathBuf>,
    /// Follow links out of the inputs (see [`walk::walk_links`]).
    pub follow_links: bool,
    /// Draw a progress bar (on a terminal).
    pub progress: bool,
    /// Remove the files that are no longer there.
    pub prune: bool,
    /// Start from an empty index.
    pub rebuild: bool,
    /// Merge the smaller segments at the end of the run (see `crate::indexer::merging`), however many
    /// segments the run leaves.
    pub compact: bool,
    /// Merge them when the run leaves more segments than this.
    pub compact_above: usize,
    /// Text indexed between two commits.
    pub commit_bytes: u64,
    /// The most paragraphs a merge may write.
    pub max_merged_docs: u32,
    /// A text file larger than this is read in parts of about this size (see
    /// [`crate::ingest::parts`]).
    pub part_bytes: u64,
}

impl Default for IndexConfig {
    /// The index folder `index`, no inputs, and the policies a user gets.
    fn default() -> IndexConfig {
        IndexConfig {
            index_dir: PathBuf::from("index"),
            inputs: Vec::new(),
            follow_links: false,
            progress: false,
            prune: false,
            rebuild: false,
            compact: false,
            compact_above: COMPACT_ABOVE,
            commit_bytes: COMMIT_BYTES,
            max_merged_docs: MAX_MERGED_DOCS,
            part_bytes: PART_BYTES,
        }
    }
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
    /// PDF files read in this run, and their pages.
    pub pdf_files: usize,
    pub pdf_pages: usize,
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
    /// Rows of manifests that are wrong, or manifests ignored: the files are indexed, without
    /// what the row would have said.
    #[serde(skip)]
    pub manifest_problems: Vec<Error>,
    /// Files indexed in part, with what was left out.
    #[serde(skip)]
    pub partial: Vec<Error>,
}

/// Indexes the text files under the configured inputs: new and changed files are (re)indexed,
/// unchanged ones skipped, and with `prune` files that are gone removed.
///
/// A failure to write the index (a full disk, a read-only one, a folder the user may not write)
/// is reported as [`Error::Write`]; the index is then as of its last commit.
pub fn run(config: &IndexConfig) -> Result<IndexSummary, Error> {
    let started = Instant::now();
    huge_pages::enable();
    let dir = &config.index_dir;
    let unwritable = |err: Error| match err {
        Error::Tantivy(err) => Error::write(dir, err),
        Error::Io(err) => Error::write(dir, err),
        err => err,
    };
    if config.rebuild {
        clear(dir).map_err(unwritable)?;
    }
    let (index, fields) = open_for_writing(dir, schema::build()).map_err(unwritable)?;
    let (files, errors) = walk::walk_links(&config.inputs, config.follow_links);
    let threads = writer_threads();
    let options = IndexWriterOptions::builder()
        .num_worker_threads(threads)
        .memory_budget_per_thread(memory::writer_memory_for(&files) / threads)
        .num_merge_threads(MERGE_THREADS)
        .build();
    let writer: IndexWriter<Queued> =
        index
            .writer_with_options(options)
            .map_err(|err| match err {
                tantivy::TantivyError::LockFailure(LockError::LockBusy, _) => {
                    Error::Busy { path: dir.clone() }
                }
                tantivy::TantivyError::LockFailure(LockError::IoError(err), _) => {
                    Error::write(dir, err)
                }
                err => unwritable(err.into()),
            })?;
    // Checked once this process holds the writer's lock, so the probe is its own.
    check_writable(dir)?;
    writer.set_merge_policy(Box::new(CappedMergePolicy::new(config.max_merged_docs)));
    let summary =
        add_files(config, &index, &fields, writer, (files, errors), started).map_err(unwritable)?;
    record_run(dir, now_ms()).map_err(unwritable)?;
    Ok(summary)
}

/// Now, in milliseconds since 1970 (UTC).
fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Fails with [`Error::Write`] unless a file can be created in the index folder: tantivy's writer
/// threads report a folder they may not write only as "an index writer was killed".
fn check_writable(dir: &Path) -> Result<(), Error> {
    let probe = dir.join(".gazette-write-check");
    std::fs::write(&probe, b"gazette")
        .and_then(|()| std::fs::remove_file(&probe))
        .map_err(|err| Error::write(dir, err))
}

/// What one run carries from file to file: the writer, what the index held before the run, and
/// the summary so far.
struct Batch<'a> {
    config: &'a IndexConfig,
    fields: &'a Fields,
    writer: IndexWriter<Queued>,
    backlog: std::sync::Arc<Backlog>,
    /// The files the index held when the run began and that the run has not met yet. What is
    /// left at the end is gone from the inputs (see `--prune`).
    known: HashMap<String, Indexed>,
    /// When this run began: the `indexed` time of every file it adds or changes.
    now: u64,
    manifests: Manifests,
    uncommitted: u64,
    errors: Vec<Error>,
    summary: IndexSummary,
}

fn add_files(
    config: &IndexConfig,
    index: &Index,
    fields: &Fields,
    writer: IndexWriter<Queued>,
    (files, errors): (walk::Files, Vec<Error>),
    started: Instant,
) -> Result<IndexSummary, Error> {
    let mut batch = Batch {
        config,
        fields,
        writer,
        backlog: Backlog::new(BACKLOG_BYTES),
        known: indexed_sources(index, fields)?,
        now: now_ms(),
        manifests: Manifests::default(),
        uncommitted: 0,
        summary: IndexSummary {
            failed: errors.len(),
            ..IndexSummary::default()
        },
        errors,
    };
    let bar = progress_bar(files.len() as u64, config.progress);
    for path in files.iter() {
        bar.set_message(path.display().to_string());
        bar.inc(1);
        batch.add(&path)?;
    }
    bar.finish_and_clear();
    // The list of files, which grows with the collection, is done with: it would otherwise stay
    // through the last commit's merges and the compaction.
    drop(files);
    if config.prune {
        batch.prune()?;
    }
    let (mut writer, errors, mut summary) = batch.finish();
    // The last commit and the merges it waits for, then any compaction, take seconds to minutes
    // on a large corpus: a spinner says what the run is doing.
    let finishing = spinner(config.progress, "committing, finishing merges");
    writer.commit()?;
    writer.wait_merging_threads()?;
    summary.segments = index.searchable_segment_ids()?.len();
    compact_if_due(config, index, &mut summary, &finishing)?;
    finishing.finish_and_clear();
    summary.errors = errors;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

impl Batch<'_> {
    /// The writer, errors and summary of a run whose files are all added; the rest (the files
    /// the index held, the manifests read) dropped.
    fn finish(self) -> (IndexWriter<Queued>, Vec<Error>, IndexSummary) {
        let Batch {
            writer,
            errors,
            summary,
            ..
        } = self;
        (writer, errors, summary)
    }

    /// Indexes one file: skipped when its content and manifest row are unchanged, its paragraphs
    /// replaced when either changed, added when new. A file that cannot be read or parsed is
    /// counted as failed and the batch goes on; only a failure to write the index stops it.
    fn add(&mut self, path: &Path) -> Result<(), Error> {
        // The walk gives each file once, under a path no other file is stored by.
        let shown = display_path(path);
        let large = std::fs::metadata(path).is_ok_and(|m| m.len() > self.config.part_bytes);
        if large && !is_pdf(path) {
            return self.add_in_parts(path, shown);
        }
        // Its hash and its paragraphs come from these bytes, one version of the file.
        let bytes = match walk::read_settled(path) {
            Ok(bytes) => bytes,
            Err(err) => {
                self.errors.push(err);
                self.summary.failed += 1;
                return Ok(());
            }
        };
        let meta = self
            .manifests
            .lookup(path, &mut self.summary.manifest_problems)
            .unwrap_or_default();
        let hash = source_hash(&bytes, &meta);
        let Some(before) = self.replace(&shown, &hash)? else {
            return Ok(());
        };
        let file = File {
            path: &shown,
            hash: &hash,
            times: self.times(before.as_ref()),
        };
        let summary = &mut self.summary;
        match load_bytes(path, &bytes, meta) {
            Ok(loaded) => {
                summary.files += 1;
                summary.documents += loaded.issue.documents.len();
                summary.parsed(&loaded.issue);
                if let Some(pages) = &loaded.pdf_pages {
                    summary.pdf_files += 1;
                    summary.pdf_pages += pages.len();
                }
                summary.partial.extend(loaded.left_out(path));
                summary.count(before.is_some());
                self.add_part(&file, &loaded, &mut Position::default())?;
            }
            Err(err) => {
                // A file that can no longer be read keeps no stale paragraphs.
                self.errors.push(err);
                summary.failed += 1;
            }
        }
        self.commit_when_due(bytes.len() as u64)
    }

    /// Indexes a text file too large to hold in memory a part at a time (see
    /// [`crate::ingest::parts`]), each part one batch: skipped when unchanged, as [`Batch::add`]
    /// does; reported, with what was added of it deleted, when it cannot be read to its end or
    /// changed while it was read.
    fn add_in_parts(&mut self, path: &Path, shown: String) -> Result<(), Error> {
        let meta = self
            .manifests
            .lookup(path, &mut self.summary.manifest_problems)
            .unwrap_or_default();
        let scanned = match parts::scan(path, &meta) {
            Ok(scanned) => scanned,
            Err(err) => {
                self.errors.push(err);
                self.summary.failed += 1;
                return Ok(());
            }
        };
        let hash = scanned.hash.clone();
        let Some(before) = self.replace(&shown, &hash)? else {
            return Ok(());
        };
        let file = File {
            path: &shown,
            hash: &hash,
            times: self.times(before.as_ref()),
        };
        let mut position = Position::default();
        let mut added = IndexSummary::default();
        let read =
            Parts::open(path, scanned, meta, self.config.part_bytes).and_then(|mut parts| {
                while let Some(loaded) = parts.next_part() {
                    let loaded = loaded?;
                    added.parsed(&loaded.issue);
                    self.add_part(&file, &loaded, &mut position)?;
                }
                if position.in_file == 0 {
                    return Err(Error::file(path, "empty: no text to index"));
                }
                parts.finish()
            });
        if let Err(err) = read {
            // Only a failure to write the index stops the run.
            if !matches!(err, Error::File { .. }) {
                return Err(err);
            }
            // Nothing of a file read in part stays: it is indexed whole or not at all. The version
            // it replaces was deleted by its path before the first part was added.
            self.writer
                .delete_query(Box::new(DocumentsQuery::of_file(self.fields, &shown)))?;
            self.errors.push(err);
            self.summary.failed += 1;
            return Ok(());
        }
        let summary = &mut self.summary;
        summary.files += 1;
        summary.documents += position.documents;
        summary.paragraphs += added.paragraphs;
        summary.cuts_joined += added.cuts_joined;
        summary.debris_dropped += added.debris_dropped;
        summary.count(before.is_some());
        let size = std::fs::metadata(path).map_or(0, |m| m.len());
        self.commit_when_due(size)
    }

    /// Adds a file's paragraphs, or a part's, as one batch, from `position` on.
    fn add_part(&self, file: &File, loaded: &Loaded, position: &mut Position) -> Result<(), Error> {
        add_issue(
            &self.writer,
            &self.backlog,
            self.fields,
            file,
            loaded,
            position,
        )
    }

    /// What the index held of the file `shown` before this run, taken out of the files it has
    /// yet to meet, when the file must be indexed: `Some(None)` for a new file, `Some(old)` for a
    /// changed one, whose old paragraphs are deleted. `None` for the version the index holds,
    /// counted unchanged and skipped.
    fn replace(&mut self, shown: &str, hash: &str) -> Result<Option<Option<Indexed>>, Error> {
        let before = self.known.remove(shown);
        if before.as_ref().is_some_and(|b| b.hash == hash) {
            self.summary.unchanged += 1;
            return Ok(None);
        }
        if before.is_some() {
            self.writer
                .delete_query(Box::new(DocumentsQuery::of_file(self.fields, shown)))?;
        }
        Ok(Some(before))
    }

    /// When this version of a file is indexed, and when the file first was: kept from the
    /// version `before`.
    fn times(&self, before: Option<&Indexed>) -> Times {
        Times {
            indexed: self.now,
            first_indexed: before
                .map(|b| b.first_indexed)
                .filter(|&t| t > 0)
                .unwrap_or(self.now),
        }
    }

    /// Commits once [`IndexConfig::commit_bytes`] of text have been read since the last commit,
    /// so that a run that is killed keeps what it committed.
    fn commit_when_due(&mut self, read: u64) -> Result<(), Error> {
        self.uncommitted += read;
        if self.uncommitted >= self.config.commit_bytes {
            self.writer.commit()?;
            self.uncommitted = 0;
            trim_heap();
        }
        Ok(())
    }

    /// Removes the indexed files that this run did not find.
    fn prune(&mut self) -> Result<(), Error> {
        for path in self.known.keys() {
            self.writer
                .delete_query(Box::new(DocumentsQuery::of_file(self.fields, path)))?;
            self.summary.removed += 1;
        }
        Ok(())
    }
}

impl IndexSummary {
    /// Counts what the parser found in a file, or in a part of one.
    fn parsed(&mut self, issue: &Issue) {
        self.paragraphs += issue.paragraph_count();
        self.cuts_joined += issue.stats.cuts_joined;
        self.debris_dropped += issue.stats.debris_dropped;
    }

    /// Counts a file indexed: updated when the index held another version, else added.
    fn count(&mut self, updated: bool) {
        if updated {
            self.updated += 1;
        } else {
            self.added += 1;
        }
    }
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

/// For tests: an index of `files` (name and text; a `manifest.tsv` among them is the folder's
/// manifest), built by a run as `gazette index` builds it, in a folder that lives as long as the
/// returned guard.
#[cfg(test)]
pub(crate) fn index_of_files(
    files: &[(&str, &str)],
) -> (
    tempfile::TempDir,
    tantivy::Index,
    crate::store::schema::Fields,
) {
    index_of_files_with(files, IndexConfig::default())
}

/// [`index_of_files`] with the settings of `config` but its folders.
#[cfg(test)]
pub(crate) fn index_of_files_with(
    files: &[(&str, &str)],
    config: IndexConfig,
) -> (
    tempfile::TempDir,
    tantivy::Index,
    crate::store::schema::Fields,
) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    for (name, text) in files {
        std::fs::write(corpus.join(name), text).unwrap();
    }
    let config = IndexConfig {
        index_dir: dir.path().join("index"),
        inputs: vec![corpus],
        ..config
    };
    run(&config).unwrap();
    let (index, fields) = crate::store::open(&config.index_dir).unwrap();
    (dir, index, fields)
}

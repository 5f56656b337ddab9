//! INDEX: files -> parsed issues -> one tantivy document per paragraph.
//!
//! A run is incremental: a file whose content and manifest row are unchanged since the last run
//! is skipped (by a hash of both), a changed file's paragraphs are replaced, new files are added,
//! and with `--prune` the paragraphs of files that are gone are removed. The run commits in
//! batches ([`COMMIT_BYTES`]), so a run that is killed keeps what it committed and the next run
//! goes on from there; searches see the index as of its last commit.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};
use tantivy::directory::error::LockError;
use tantivy::indexer::{IndexWriterOptions, UserOperation};
use tantivy::schema::IndexRecordOption;
use tantivy::schema::Schema;
use tantivy::{DocSet, Index, IndexSettings, IndexWriter, TantivyDocument, Term};

use crate::analysis::{self, BIGRAMS, COVERING_GRAMS, Gram, JIEBA_WORDS};
use crate::backlog::{BACKLOG_PARAGRAPHS, Backlog, Queued};
use crate::manifest::{Manifests, Metadata};
use crate::merging::{COMPACT_ABOVE, COMPACTION_FACTOR, CappedMergePolicy, MAX_MERGED_DOCS};
use crate::parse::{self, Issue};
use crate::reading::ReadOnly;
use crate::schema::{self, Citation, Fields, SCHEMA_VERSION};
use crate::writing::Unmapped;
use crate::{Error, corpus};
use tantivy::merge_policy::MergePolicy;

/// The file beside tantivy's that says which gazette built the index.
const MARKER: &str = "gazette.json";
/// Text indexed between two commits, unless the config says otherwise.
pub const COMMIT_BYTES: u64 = 64 * 1024 * 1024;
/// Memory for the index writer, shared by its threads.
const WRITER_MEMORY: usize = 256 * 1024 * 1024;
/// Merges at a time (tantivy's default is 4): each holds its own buffers.
const MERGE_THREADS: usize = 1;
/// Memory for the writer that only merges: tantivy's least.
const COMPACTING_WRITER_MEMORY: usize = 15_000_000;

#[derive(Debug, Serialize, Deserialize)]
struct Marker {
    schema_version: u32,
}

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
    /// Merge the smaller segments at the end of the run (see `crate::merging`), however many
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

/// Opens an index for reading, checking that this version of gazette built it. Nothing is
/// written to the folder (see [`crate::reading`]).
pub fn open(dir: &Path) -> Result<(Index, Fields), Error> {
    check_marker(dir)?;
    let directory = ReadOnly::open(dir).map_err(|err| Error::NotAnIndex {
        path: dir.to_path_buf(),
        reason: err.to_string(),
    })?;
    with_fields(dir, Index::open(directory))
}

/// Checks that the folder holds an index that this version of gazette built.
fn check_marker(dir: &Path) -> Result<(), Error> {
    if !dir.join("meta.json").is_file() {
        return Err(Error::NoIndex {
            path: dir.to_path_buf(),
        });
    }
    let marker = std::fs::read(dir.join(MARKER))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Marker>(&bytes).ok());
    match marker {
        Some(m) if m.schema_version == SCHEMA_VERSION => {}
        Some(m) => {
            return Err(Error::IncompatibleIndex {
                path: dir.to_path_buf(),
                found: format!("schema version {}", m.schema_version),
            });
        }
        None => {
            return Err(Error::NotAnIndex {
                path: dir.to_path_buf(),
                reason: format!("{MARKER} is missing or unreadable"),
            });
        }
    }
    Ok(())
}

/// An opened index with its fields resolved.
fn with_fields(dir: &Path, opened: tantivy::Result<Index>) -> Result<(Index, Fields), Error> {
    let index = opened.map_err(|err| Error::NotAnIndex {
        path: dir.to_path_buf(),
        reason: err.to_string(),
    })?;
    let fields = Fields::resolve(&index.schema()).ok_or_else(|| Error::IncompatibleIndex {
        path: dir.to_path_buf(),
        found: "different fields".into(),
    })?;
    Ok((index, fields))
}

/// Opens the index to rewrite it, or creates it. Refuses a non-empty folder that is not an index,
/// so that a mistyped `--index` never writes into someone's documents.
fn open_for_writing(dir: &Path, schema: Schema) -> Result<(Index, Fields), Error> {
    let marker = serde_json::to_vec(&Marker {
        schema_version: SCHEMA_VERSION,
    })
    .map_err(std::io::Error::other)?;
    let opened = if dir.join("meta.json").is_file() {
        check_marker(dir)?;
        Unmapped::open(dir)
            .map_err(tantivy::TantivyError::from)
            .and_then(Index::open)
    } else {
        std::fs::create_dir_all(dir)?;
        // Empty, or left by a run killed while creating the index (the marker is written first).
        for entry in std::fs::read_dir(dir)? {
            let name = entry?.file_name();
            if name != MARKER && !name.to_string_lossy().starts_with(".tantivy") {
                return Err(Error::NotAnIndex {
                    path: dir.to_path_buf(),
                    reason: "the folder is not empty; give an empty or new folder".into(),
                });
            }
        }
        std::fs::write(dir.join(MARKER), &marker)?;
        // The store keeps tantivy's lz4 blocks of 16 KB: zstd over 32 KB blocks made the store a
        // third smaller (79 MB instead of 120 MB on ../shared/corpus) but reading 58,000
        // paragraphs for `--all` 30% slower.
        Unmapped::open(dir)
            .map_err(tantivy::TantivyError::from)
            .and_then(|unmapped| Index::create(unmapped, schema, IndexSettings::default()))
    };
    let (index, fields) = with_fields(dir, opened)?;
    let tokenizers = index.tokenizers();
    tokenizers.register(COVERING_GRAMS, analysis::grams_tokenizer(Gram::Covering));
    tokenizers.register(BIGRAMS, analysis::grams_tokenizer(Gram::Bigram));
    tokenizers.register(JIEBA_WORDS, analysis::words_tokenizer());
    Ok((index, fields))
}

/// Empties an index folder for `--rebuild`: only a folder that gazette wrote (its marker is
/// there), whatever version wrote it.
fn clear(dir: &Path) -> Result<(), Error> {
    if !dir.join("meta.json").is_file() {
        return Ok(());
    }
    if !dir.join(MARKER).is_file() {
        return Err(Error::NotAnIndex {
            path: dir.to_path_buf(),
            reason: format!("{MARKER} is missing; not removing anything"),
        });
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            std::fs::remove_dir_all(&path)?;
        } else {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

/// The files the index holds, alive in its last commit: path -> hash of content and manifest row.
fn indexed_sources(index: &Index, fields: &Fields) -> Result<HashMap<String, String>, Error> {
    let reader = index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()?;
    let searcher = reader.searcher();
    let mut sources = HashMap::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(fields.source)?;
        let alive = segment.alive_bitset();
        let mut terms = inverted.terms().stream()?;
        while terms.advance() {
            let Ok(source) = std::str::from_utf8(terms.key()) else {
                continue;
            };
            let Some((hash, path)) = source.split_once(' ') else {
                continue;
            };
            let mut postings =
                inverted.read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)?;
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
        }
    }
    Ok(sources)
}

/// Hash of a file's bytes and of its manifest row: either changing means indexing it again.
fn source_hash(bytes: &[u8], meta: &Metadata) -> String {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(bytes);
    hasher.update(format!("{meta:?}").as_bytes());
    format!("{:032x}", hasher.digest128())
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

    let (files, mut errors) = corpus::walk(&config.inputs);
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

/// Merges every segment of at most half of `ceiling` paragraphs into as few as `ceiling` allows
/// (see `crate::merging`), with a writer of its own that adds nothing. Gives the segments left,
/// or `None` when there was nothing to merge. The run's writer has finished its own merges by
/// then, so that how many segments it left, and so whether to compact, does not depend on how far
/// its merges had got.
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
fn merge_cap(config: &IndexConfig) -> u32 {
    match config.max_merged_docs {
        0 => MAX_MERGED_DOCS,
        n => n,
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

fn progress_bar(len: u64, visible: bool) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:30} {pos}/{len} files  {elapsed}  {wide_msg}")
    {
        bar.set_style(style);
    }
    bar
}

/// A spinner with `message` and the time elapsed, on standard error, when `visible`.
fn spinner(visible: bool, message: &str) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed}  {wide_msg}") {
        spinner.set_style(style);
    }
    spinner.set_message(message.to_string());
    spinner.enable_steady_tick(std::time::Duration::from_millis(200));
    spinner
}

/// A file read and parsed, with what its manifest says applied.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub issue: Issue,
    /// Manifest columns other than the known ones.
    pub attributes: BTreeMap<String, String>,
    /// Where each metadata value came from: (field, source).
    pub sources: Vec<(&'static str, &'static str)>,
}

/// Reads, decodes and parses one file, then applies its manifest row: what a manifest says wins
/// over what the parser guessed. Problems with manifests go to `errors`; the file's own problem is
/// the `Err`.
pub fn load(
    path: &Path,
    manifests: &mut Manifests,
    errors: &mut Vec<Error>,
) -> Result<Loaded, Error> {
    let bytes = std::fs::read(path).map_err(|err| Error::File {
        path: path.to_path_buf(),
        reason: err.to_string(),
    })?;
    let meta = manifests.lookup(path, errors).unwrap_or_default();
    load_bytes(path, &bytes, meta)
}

/// Decodes and parses a file's bytes, then applies its manifest row.
fn load_bytes(path: &Path, bytes: &[u8], meta: Metadata) -> Result<Loaded, Error> {
    let text = corpus::decode(bytes).map_err(|reason| Error::File {
        path: path.to_path_buf(),
        reason,
    })?;
    if text.trim().is_empty() {
        return Err(Error::File {
            path: path.to_path_buf(),
            reason: "empty: no text to index".into(),
        });
    }
    let mut issue = parse::parse(&text, &title_from_path(path));
    let mut sources = std::mem::take(&mut issue.sources);
    let Metadata {
        title,
        date,
        gazette,
        issue: number,
        region,
        attributes,
    } = meta;
    let mut set = |field: &'static str, slot: &mut Option<String>, value: Option<String>| {
        if value.is_some() {
            *slot = value;
            sources.retain(|(f, _)| *f != field);
            sources.push((field, "from the manifest"));
        }
    };
    set("gazette", &mut issue.gazette, gazette);
    set("issue", &mut issue.issue, number);
    set("date", &mut issue.date, date);
    let derive_again = region.is_none() && issue.gazette.is_some() && issue.region.is_none();
    set("region", &mut issue.region, region);
    if let Some(title) = title
        && let [document] = issue.documents.as_mut_slice()
    {
        document.title = title;
        sources.push(("title", "from the manifest"));
    }
    if derive_again {
        issue.region = issue.gazette.as_deref().and_then(crate::region::derive);
        if issue.region.is_some() {
            sources.push(("region", "derived from the name"));
        }
    }
    Ok(Loaded {
        issue,
        attributes,
        sources,
    })
}

/// A document's title when the file prints none: its name without the extension.
fn title_from_path(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A date as the number YYYYMMDD, with 00 for what is unknown: 2025-02 -> 20250200.
pub fn date_key(date: Option<&str>) -> u64 {
    let Some(date) = date else { return 0 };
    let digits: String = date.chars().filter(char::is_ascii_digit).collect();
    format!("{digits:0<8}").parse().unwrap_or(0)
}

/// The path as stored and shown: as the user gave it, with forward slashes.
pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn add_issue(
    writer: &IndexWriter<Queued>,
    backlog: &Arc<Backlog>,
    fields: &Fields,
    path: &str,
    hash: &str,
    loaded: &Loaded,
) -> Result<(), Error> {
    let issue = &loaded.issue;
    let source = format!("{hash} {path}");
    // A file is one batch: tantivy puts a batch in one segment, in order, which is how a
    // paragraph finds its document's head (see `crate::schema`).
    let mut batch = Vec::new();
    let mut in_file: u64 = 0;
    for (number, document) in issue.documents.iter().enumerate() {
        let record = xxhash_rust::xxh3::xxh3_64(format!("{source}\0{number}").as_bytes());
        let citation = Citation {
            path: path.to_string(),
            gazette: issue.gazette.clone(),
            issue: issue.issue.clone(),
            date: issue.date.clone(),
            region: issue.region.clone(),
            document: document.title.clone(),
            page: document.page.map(u64::from),
            attributes: loaded.attributes.clone(),
        };
        let citation = serde_json::to_string(&citation).map_err(std::io::Error::other)?;
        for (ordinal, paragraph) in document.paragraphs.iter().enumerate() {
            let mut doc = TantivyDocument::default();
            doc.add_u64(fields.ordinal, in_file);
            in_file += 1;
            doc.add_u64(fields.record, record);
            // What a document says once is on its head only: its citation, and its title for
            // ranking (see `crate::context_query`).
            if ordinal == 0 {
                doc.add_text(fields.citation, &citation);
                doc.add_text(fields.title, analysis::fold_to_string(&document.title));
            }
            doc.add_text(fields.path, path);
            doc.add_text(fields.source, &source);
            if let Some(gazette) = &issue.gazette {
                doc.add_text(fields.gazette, gazette);
            }
            if let Some(number) = &issue.issue {
                doc.add_text(fields.issue, number);
            }
            if let Some(date) = &issue.date {
                doc.add_text(fields.date, date);
            }
            if let Some(region) = &issue.region {
                doc.add_text(fields.region, region);
            }
            for (name, value) in &loaded.attributes {
                doc.add_text(fields.attribute_terms, format!("{name}={value}"));
            }
            doc.add_u64(fields.date_key, date_key(issue.date.as_deref()));
            doc.add_text(fields.document, &document.title);
            let section =
                serde_json::to_string(&paragraph.section).map_err(std::io::Error::other)?;
            doc.add_text(fields.section, &section);
            doc.add_u64(fields.paragraph, ordinal as u64 + 1);
            doc.add_text(fields.text, &paragraph.text);
            // Every view reads the matching form, folded once here.
            let folded = analysis::fold_to_string(&paragraph.text);
            // Folding maps a character to one or to none.
            let dropped = paragraph
                .text
                .chars()
                .count()
                .saturating_sub(folded.chars().count());
            if dropped > 0 {
                doc.add_u64(fields.dropped, dropped as u64);
            }
            doc.add_text(fields.grams, &folded);
            doc.add_text(fields.words, folded);
            // A list item that is all heading is its own text, not its context: 「（六）其他不履行
            // 优化营商环境职责或者损害营商环境的。」 must not count twice. A run-in heading that
            // opens a longer paragraph (「（二）奋力推进因地制宜发展新质生产力。坚持…」) heads it.
            let own_text = |heading: &&str| {
                paragraph.text.starts_with(*heading)
                    && heading.chars().count() * 10 >= paragraph.text.chars().count() * 8
            };
            let context = paragraph
                .section
                .iter()
                .map(String::as_str)
                .filter(|heading| !own_text(heading))
                .map(analysis::fold_to_string)
                .collect::<Vec<_>>()
                .join(" ");
            if !context.is_empty() {
                doc.add_text(fields.context, context);
            }
            batch.push(doc);
        }
    }
    let queued = backlog.admit(batch, || {
        // Deleting a source that cannot exist changes nothing; it fails when the writer's
        // threads have died.
        let probe = Term::from_field_text(fields.source, "");
        writer.run([UserOperation::Delete(probe)]).map(drop)
    })?;
    writer.run(queued.into_iter().map(UserOperation::Add))?;
    Ok(())
}

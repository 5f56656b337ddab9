//! CHECK: every file of an index against the checksum tantivy wrote in its footer at commit, as
//! Lucene's CheckIndex or `git fsck` do; and the repair that drops the damaged segments.
//!
//! A search reads only the parts of the files it needs and verifies no checksum (that would read
//! the whole index), so a flipped byte can go unseen, give a wrong answer or stop a search with an
//! internal error. `gazette check` reads every byte. A file's paragraphs are added as one batch,
//! which lands in one segment, so dropping a damaged segment drops whole files, which the next
//! `gazette index` of the corpus adds again as new. A file read in parts may lie in several
//! segments: its paragraphs in the others are deleted too, so that the next run adds it whole.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use tantivy::directory::{Directory, INDEX_WRITER_LOCK};
use tantivy::{Index, SegmentReader};

use crate::Error;
use crate::search::DocumentsQuery;
use crate::store::schema::Fields;
use crate::store::writing::Unmapped;

/// What `gazette check` found.
#[derive(Debug, Default)]
pub struct Report {
    pub segments: Vec<SegmentReport>,
    /// Bytes of the files read.
    pub bytes: u64,
}

impl Report {
    pub fn damaged(&self) -> impl Iterator<Item = &SegmentReport> {
        self.segments.iter().filter(|s| !s.damaged.is_empty())
    }
}

/// One segment: its files that are damaged, each with what is wrong.
#[derive(Debug)]
pub struct SegmentReport {
    /// The segment's id, as its files are named.
    pub id: String,
    /// Paragraphs it holds, deleted ones included.
    pub paragraphs: u32,
    pub files: usize,
    pub damaged: Vec<(PathBuf, String)>,
    /// The indexed files whose paragraphs it holds, where its path terms can still be read.
    pub sources: Option<BTreeSet<String>>,
}

/// Reads every file of every segment of the index at `dir` and checks it against its checksum.
pub fn check(dir: &Path) -> Result<Report, Error> {
    let (index, fields) = crate::store::open(dir)?;
    let metas = index.searchable_segment_metas()?;
    let names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    let mut report = Report::default();
    for meta in metas {
        let id = meta.id().uuid_string();
        let mut files: Vec<&String> = names.iter().filter(|n| n.starts_with(&id)).collect();
        files.sort();
        let mut damaged = Vec::new();
        for name in &files {
            let path = Path::new(name.as_str());
            report.bytes += std::fs::metadata(dir.join(path)).map_or(0, |m| m.len());
            // A file cut short can make tantivy's footer reader assert rather than fail.
            let verdict = catch_unwind(AssertUnwindSafe(|| {
                index.directory().validate_checksum(path)
            }));
            let wrong = match verdict {
                Ok(Ok(true)) => continue,
                Ok(Ok(false)) => "its contents do not match the checksum written at commit".into(),
                Ok(Err(_)) => "its end is cut off or overwritten".into(),
                Err(_) => "it cannot be read".into(),
            };
            damaged.push((path.to_path_buf(), wrong));
        }
        for component in ["idx", "term", "store", "fast", "fieldnorm", "pos"] {
            let name = format!("{id}.{component}");
            if !files.iter().any(|f| **f == name) {
                damaged.push((PathBuf::from(name), "it is missing".into()));
            }
        }
        let sources = if damaged.is_empty() {
            None
        } else {
            segment_sources(&index, &fields, &id)
        };
        report.segments.push(SegmentReport {
            id,
            paragraphs: meta.max_doc(),
            files: files.len(),
            damaged,
            sources,
        });
    }
    Ok(report)
}

/// The indexed files a segment holds, from its `path` terms, if they can still be read.
fn segment_sources(index: &Index, fields: &Fields, id: &str) -> Option<BTreeSet<String>> {
    let segment = index
        .searchable_segments()
        .ok()?
        .into_iter()
        .find(|s| s.id().uuid_string() == id)?;
    catch_unwind(AssertUnwindSafe(|| {
        let reader = SegmentReader::open(&segment).ok()?;
        let mut paths = BTreeSet::new();
        crate::store::terms::each_term(&reader, fields.path, |key, _| {
            paths.insert(String::from_utf8_lossy(key).into_owned());
            Ok(())
        })
        .ok()?;
        Some(paths)
    }))
    .ok()
    .flatten()
}

/// Drops the damaged segments of `report` from the index at `dir`: its list of segments is
/// rewritten without them, under the writer's lock, then their files are removed. The index
/// answers as if their files had never been indexed, until `gazette index` adds them again.
pub fn repair(dir: &Path, report: &Report) -> Result<Vec<String>, Error> {
    let dropped: Vec<String> = report.damaged().map(|s| s.id.clone()).collect();
    if dropped.is_empty() {
        return Ok(dropped);
    }
    let directory = Unmapped::open(dir).map_err(|err| Error::write(dir, err))?;
    let _lock = directory
        .acquire_lock(&INDEX_WRITER_LOCK)
        .map_err(|_| Error::Busy {
            path: dir.to_path_buf(),
        })?;
    let meta_path = dir.join("meta.json");
    let text = std::fs::read_to_string(&meta_path)?;
    let mut meta: serde_json::Value =
        serde_json::from_str(&text).map_err(|err| Error::NotAnIndex {
            path: dir.to_path_buf(),
            reason: format!("meta.json cannot be read: {err}"),
        })?;
    if let Some(segments) = meta.get_mut("segments").and_then(|s| s.as_array_mut()) {
        // meta.json writes the id with hyphens; file names without.
        segments.retain(|segment| {
            let id = segment["segment_id"]
                .as_str()
                .unwrap_or("")
                .replace('-', "");
            !dropped.contains(&id)
        });
    }
    let bytes = serde_json::to_vec_pretty(&meta).map_err(std::io::Error::other)?;
    directory
        .atomic_write(Path::new("meta.json"), &bytes)
        .map_err(|err| Error::write(dir, err))?;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if dropped.iter().any(|id| name.starts_with(id.as_str())) {
            std::fs::remove_file(entry.path()).map_err(|err| Error::write(dir, err))?;
        }
    }
    drop(_lock);
    let files: BTreeSet<&String> = report
        .damaged()
        .filter_map(|s| s.sources.as_ref())
        .flatten()
        .collect();
    forget_files(dir, &files)?;
    Ok(dropped)
}

/// Deletes every paragraph of `files` left in the index: a file read in parts may have some in a
/// segment that was not dropped, and the next run would take it for indexed.
fn forget_files(dir: &Path, files: &BTreeSet<&String>) -> Result<(), Error> {
    if files.is_empty() {
        return Ok(());
    }
    let unwritable = |err: tantivy::TantivyError| Error::write(dir, err);
    let (index, fields) = crate::store::open_for_writing(dir, crate::store::schema::build())?;
    let mut writer: tantivy::IndexWriter = index
        .writer_with_num_threads(1, FORGET_MEMORY)
        .map_err(unwritable)?;
    // Merging is left to the next `gazette index`, with its own policy.
    writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    for path in files {
        writer
            .delete_query(Box::new(DocumentsQuery::of_file(&fields, path)))
            .map_err(unwritable)?;
    }
    writer.commit().map_err(unwritable)?;
    writer.wait_merging_threads().map_err(unwritable)?;
    Ok(())
}

/// Memory for the writer that only deletes.
const FORGET_MEMORY: usize = 32 * 1024 * 1024;

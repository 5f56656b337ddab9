//! STORE: the index format and the index folder: the schema, the tokenizers of its views, the
//! directories through which indexing and searching read it, and opening or creating an index
//! that this version of gazette built.

pub mod blocks;
pub mod check;
pub mod citations;
pub mod frequent;
pub mod headings;
pub mod place;
pub mod reading;
pub mod recompress;
pub mod schema;
pub mod terms;
pub mod tokenizers;
pub mod writing;

use std::path::Path;

use serde::{Deserialize, Serialize};
use tantivy::schema::Schema;
use tantivy::{Index, IndexSettings};

use crate::Error;
use reading::ReadOnly;
use schema::{Fields, SCHEMA_VERSION};
use tokenizers::{BIGRAMS, COVERING_GRAMS, FREQUENT_CHARS, Gram, JIEBA_WORDS};
use writing::Unmapped;

/// The file beside tantivy's that says which gazette built the index.
const MARKER: &str = "gazette.json";
/// The bytes of text a block of the document store holds before it is compressed.
const STORE_BLOCK: usize = 64 * 1024;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Marker {
    schema_version: u32,
    /// When the last run that finished ended, in milliseconds since 1970 (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_run_end: Option<u64>,
    /// What `--new` shows: files indexed after this moment, which is when the run before the last
    /// finished one ended. So the last run's files count, and so do those of a run killed
    /// between the two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    new_since: Option<u64>,
}

fn read_marker(dir: &Path) -> Option<Marker> {
    std::fs::read(dir.join(MARKER))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Marker>(&bytes).ok())
}

/// The moment after which a file counts as new for `--new`: what the last finished run added or
/// changed (see [`Marker::new_since`]). 0 when no run has finished.
pub fn new_since(dir: &Path) -> Result<u64, Error> {
    check_marker(dir)?;
    Ok(read_marker(dir).and_then(|m| m.new_since).unwrap_or(0))
}

/// Records that a run finished at `ended` (milliseconds since 1970): what `--new` shows moves on
/// to the files indexed since the previous run ended. The marker is replaced whole (written
/// beside it, then renamed), so a reader never sees half of it.
pub(crate) fn record_run(dir: &Path, ended: u64) -> Result<(), Error> {
    let mut marker = read_marker(dir).unwrap_or_default();
    marker.schema_version = SCHEMA_VERSION;
    marker.new_since = Some(marker.last_run_end.unwrap_or(0));
    marker.last_run_end = Some(ended);
    let bytes = serde_json::to_vec(&marker).map_err(std::io::Error::other)?;
    let next = dir.join(format!("{MARKER}.next"));
    std::fs::write(&next, bytes)?;
    std::fs::rename(&next, dir.join(MARKER))?;
    Ok(())
}

/// Opens an index for reading, checking that this version of gazette built it. Nothing is
/// written to the folder (see [`crate::store::reading`]).
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
    // A marker there but not readable (another user's index, mode 0600) says so, with the file.
    if let Err(err) = std::fs::File::open(dir.join(MARKER))
        && err.kind() == std::io::ErrorKind::PermissionDenied
    {
        return Err(Error::unreadable(dir.join(MARKER), err));
    }
    match read_marker(dir) {
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
    use tantivy::directory::error::OpenReadError;
    let index = opened.map_err(|err| match err {
        // A file of the index that cannot be opened is named, with the reason (permission).
        tantivy::TantivyError::OpenReadError(OpenReadError::IoError { io_error, filepath })
            if io_error.kind() == std::io::ErrorKind::PermissionDenied =>
        {
            Error::File {
                path: dir.join(filepath),
                reason: io_error.to_string(),
                source: None,
            }
        }
        other => Error::NotAnIndex {
            path: dir.to_path_buf(),
            reason: Error::Tantivy(other).to_string(),
        },
    })?;
    let fields = Fields::resolve(&index.schema()).ok_or_else(|| Error::IncompatibleIndex {
        path: dir.to_path_buf(),
        found: "different fields".into(),
    })?;
    Ok((index, fields))
}

/// Opens the index to rewrite it, or creates it. Refuses a non-empty folder that is not an index,
/// so that a mistyped `--index` never writes into someone's documents.
pub(crate) fn open_for_writing(dir: &Path, schema: Schema) -> Result<(Index, Fields), Error> {
    use tantivy::directory::Directory;
    let marker = serde_json::to_vec(&Marker {
        schema_version: SCHEMA_VERSION,
        ..Marker::default()
    })
    .map_err(std::io::Error::other)?;
    let opened = if dir.join("meta.json").is_file() {
        check_marker(dir)?;
        Unmapped::open(dir)
            .map_err(tantivy::TantivyError::from)
            .and_then(Index::open)
    } else {
        std::fs::create_dir_all(dir)?;
        // Creation holds the writer's lock, so that of two runs creating one index the second
        // hears that the first is writing, not that the folder the first is filling is not
        // empty. It is given back before the writer takes it.
        let creating = Unmapped::open(dir)
            .map_err(tantivy::TantivyError::from)?
            .acquire_lock(&tantivy::directory::INDEX_WRITER_LOCK)
            .map_err(|_| Error::Busy {
                path: dir.to_path_buf(),
            })?;
        if dir.join("meta.json").is_file() {
            // Created by another run between the look and the lock.
            drop(creating);
            return open_for_writing(dir, schema);
        }
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
        // The store keeps tantivy's lz4 (its blocks compressed again by lz4's high-compression
        // mode when written, `recompress`), in blocks of 64 KB rather than 16: a top-10 search
        // decompresses one block for each paragraph it shows and `--all` every block, so a
        // block's size weighs the store's size against their time. lz4 looks back 64 KB at most, so
        // larger blocks gain little more. zstd's slower decompression falls on every
        // hit of `--all` (docs/PERFORMANCE.md has the measurements). An index keeps the blocks
        // it was created with (tantivy keeps the setting in its meta.json); any size reads the
        // same.
        let settings = IndexSettings {
            docstore_blocksize: STORE_BLOCK,
            ..IndexSettings::default()
        };
        let created = Unmapped::open(dir)
            .map_err(tantivy::TantivyError::from)
            .and_then(|unmapped| Index::create(unmapped, schema, settings));
        drop(creating);
        created
    };
    let (index, fields) = with_fields(dir, opened)?;
    register_tokenizers(&index);
    Ok((index, fields))
}

/// For tests: an index in memory of gazette's schema, its fields and a writer on one thread that
/// merges nothing, so that each commit leaves a segment of its own.
#[cfg(test)]
pub(crate) fn test_index() -> (Index, Fields, tantivy::IndexWriter) {
    let index = Index::create_in_ram(schema::build());
    register_tokenizers(&index);
    let fields = Fields::resolve(&index.schema()).expect("gazette's schema");
    let writer: tantivy::IndexWriter = index
        .writer_with_num_threads(1, 15_000_000)
        .expect("a writer in memory");
    writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    (index, fields, writer)
}

/// Gives a writer of `index` the tokenizers of its views.
pub(crate) fn register_tokenizers(index: &Index) {
    let tokenizers = index.tokenizers();
    tokenizers.register(COVERING_GRAMS, tokenizers::grams_tokenizer(Gram::Covering));
    tokenizers.register(BIGRAMS, tokenizers::grams_tokenizer(Gram::Bigram));
    tokenizers.register(FREQUENT_CHARS, tokenizers::frequent_chars_tokenizer());
    tokenizers.register(JIEBA_WORDS, tokenizers::words_tokenizer());
    tokenizers.register(
        headings::HEADINGS,
        tantivy::tokenizer::TextAnalyzer::from(headings::HeadingsTokenizer::default()),
    );
}

/// Empties an index folder for `--rebuild`: only a folder that gazette wrote (its marker is
/// there), whatever version wrote it.
pub(crate) fn clear(dir: &Path) -> Result<(), Error> {
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

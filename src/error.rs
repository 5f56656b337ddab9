//! What a caller must tell apart: the errors of every stage, with their sources.

use std::path::PathBuf;

/// What a caller must tell apart.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One input file could not be read; the batch goes on without it. `source` is the I/O error
    /// where there was one; `reason` says it, or what else was wrong with the file.
    #[error("{}: {reason}", path.display())]
    File {
        path: PathBuf,
        reason: String,
        source: Option<std::io::Error>,
    },
    #[error("no index at {}: run `gazette index` first", path.display())]
    NoIndex { path: PathBuf },
    #[error(
        "the index at {} was built by another version of gazette ({found}); rebuild it with `gazette index --rebuild`",
        path.display()
    )]
    IncompatibleIndex { path: PathBuf, found: String },
    #[error("{path} is not a gazette index: {reason}", path = path.display())]
    NotAnIndex { path: PathBuf, reason: String },
    #[error("another gazette process is writing the index at {}; try again when it has finished", path.display())]
    Busy { path: PathBuf },
    #[error(
        "cannot write the index at {}: {reason}; it is left as of its last commit",
        path.display()
    )]
    Write {
        path: PathBuf,
        reason: String,
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    #[error("the index is inconsistent ({0}); rebuild it with `gazette index --rebuild`")]
    Inconsistent(String),
    #[error("bad query: {0}")]
    Query(String),
    #[error("{0}")]
    Show(String),
    #[error("cannot generate a corpus: {0}")]
    Generate(String),
    /// A tantivy error, said in the index's words. Not kept as a source: tantivy's own text is
    /// debug output, which a message's chain of causes would repeat.
    #[error("{}", describe_tantivy(.0))]
    Tantivy(tantivy::TantivyError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl From<tantivy::TantivyError> for Error {
    fn from(err: tantivy::TantivyError) -> Error {
        Error::Tantivy(err)
    }
}

/// What to do about a damaged index, said after what is damaged.
pub const DAMAGED_HELP: &str =
    "`gazette check` names the damaged files, `gazette index --rebuild` rebuilds the index";

/// A tantivy error in the words of the index it was reading: a file of the index that is cut
/// short or fails its checks is damaged, one that cannot be opened is named with the reason.
/// tantivy's own messages hold debug text (`IoError { io_error: Custom { kind: InvalidData …`).
fn describe_tantivy(err: &tantivy::TantivyError) -> String {
    use std::io::ErrorKind;
    use tantivy::TantivyError;
    use tantivy::directory::error::OpenReadError;
    match err {
        TantivyError::OpenReadError(OpenReadError::IoError { io_error, filepath }) => {
            match io_error.kind() {
                // tantivy's text for a footer it cannot read blames an old version of itself.
                ErrorKind::InvalidData | ErrorKind::UnexpectedEof => format!(
                    "the index file {} is damaged (its end is cut off or overwritten): {DAMAGED_HELP}",
                    filepath.display()
                ),
                _ => format!(
                    "cannot read the index file {}: {io_error}",
                    filepath.display()
                ),
            }
        }
        TantivyError::OpenReadError(OpenReadError::FileDoesNotExist(path)) => format!(
            "the index file {} is missing: {DAMAGED_HELP}",
            path.display()
        ),
        TantivyError::DataCorruption(corruption) => {
            format!("the index is damaged ({corruption:?}): {DAMAGED_HELP}")
        }
        // A part of a file that does not decode (a column's header overwritten).
        TantivyError::IoError(io_error)
            if matches!(
                io_error.kind(),
                ErrorKind::InvalidData | ErrorKind::UnexpectedEof
            ) =>
        {
            format!("the index is damaged ({io_error}): {DAMAGED_HELP}")
        }
        other => other.to_string(),
    }
}

impl Error {
    /// A file that is wrong in itself (not text, empty, a bad manifest row).
    pub(crate) fn file(path: impl Into<PathBuf>, reason: impl Into<String>) -> Error {
        Error::File {
            path: path.into(),
            reason: reason.into(),
            source: None,
        }
    }

    /// A file that could not be read.
    pub(crate) fn unreadable(path: impl Into<PathBuf>, err: std::io::Error) -> Error {
        Error::File {
            path: path.into(),
            reason: err.to_string(),
            source: Some(err),
        }
    }

    /// An index folder that could not be written, for `err`.
    pub(crate) fn write(
        path: impl Into<PathBuf>,
        err: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Error {
        let err = err.into();
        // A write that failed in an indexing thread stopped it; tantivy says only that.
        let stopped = matches!(
            err.downcast_ref::<tantivy::TantivyError>(),
            Some(tantivy::TantivyError::ErrorInThread(_))
        );
        match crate::store::writing::first_failed_write() {
            // tantivy's words would follow as the cause, and blame a panic that was not.
            Some(why) if stopped => Error::Write {
                path: path.into(),
                reason: why,
                source: None,
            },
            _ => Error::Write {
                path: path.into(),
                reason: err.to_string(),
                source: Some(err),
            },
        }
    }
}

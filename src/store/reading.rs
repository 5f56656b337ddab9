//! The index folder as a search sees it: read, never written.
//!
//! tantivy's reader writes a lock file (`.tantivy-meta.lock`, created and synced to disk) each
//! time it opens an index, so that a writer does not delete segment files while they are being
//! opened. A search must not write: the index may sit on a read-only disk or belong to another
//! user, and the file costs a sync on every search. This directory hands out that lock without
//! touching the disk; [`crate::search::Engine::open`] instead retries when a writer removed a
//! file between reading the list of segments and opening them.
//!
//! Segment files are mapped, as tantivy's default directory does, except the stores of
//! paragraphs: read with `pread` into buffers (see [`crate::store::writing`]). A search reads a
//! few blocks of a store, and `--all` on a common word most of them, once each, in order; mapped,
//! every page it had touched counted in the process's memory, growing with the index, while read
//! into buffers it stays in the kernel's page cache, which does not.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::store::writing::ReadAt;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};

#[derive(Debug, Clone)]
pub struct ReadOnly {
    root: PathBuf,
    mapped: MmapDirectory,
}

impl ReadOnly {
    pub fn open(dir: &Path) -> Result<ReadOnly, tantivy::directory::error::OpenDirectoryError> {
        Ok(ReadOnly {
            root: dir.to_path_buf(),
            mapped: MmapDirectory::open(dir)?,
        })
    }
}

fn refused(path: &Path) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::PermissionDenied,
        format!("{} is opened for reading only", path.display()),
    )
}

impl Directory for ReadOnly {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        if path.extension().is_some_and(|e| e == "store") {
            return Ok(Arc::new(ReadAt::open(&self.root.join(path), path)?));
        }
        self.mapped.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        Err(DeleteError::IoError {
            io_error: Arc::new(refused(path)),
            filepath: path.to_path_buf(),
        })
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.mapped.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::wrap_io_error(
            refused(path),
            path.to_path_buf(),
        ))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.mapped.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, _data: &[u8]) -> std::io::Result<()> {
        Err(refused(path))
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        Ok(())
    }

    fn acquire_lock(&self, _lock: &Lock) -> Result<DirectoryLock, LockError> {
        Ok(DirectoryLock::from(Box::new(())))
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.mapped.watch(watch_callback)
    }
}

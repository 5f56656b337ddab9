//! The index folder as `gazette index` sees it: files read with `pread`, not memory maps.
//!
//! tantivy's default directory maps every segment file it reads. Searches want that (the pages
//! they touch stay cached between runs), but a merge reads its input segments from end to end,
//! and each mapped page it touched counts in the process's memory until the segment is dropped,
//! most of a large run's peak (docs/PERFORMANCE.md). Read into buffers
//! instead, a merge holds only the parts of its inputs it is working on (a term's postings, a
//! term dictionary, a segment's stored paragraphs while they are copied), and the kernel's page
//! cache, which does not count against the process, keeps the files.
//!
//! Each store file it finishes is compressed again before tantivy goes on
//! ([`super::recompress`]): every store of an index goes through here, a new segment's and a
//! merge's.

use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::HasLen;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes,
    TerminatingWrite, WatchCallback, WatchHandle, WritePtr,
};

use super::blocks::named;

#[derive(Debug, Clone)]
pub struct Unmapped {
    root: PathBuf,
    inner: MmapDirectory,
}

impl Unmapped {
    pub fn open(dir: &Path) -> Result<Unmapped, tantivy::directory::error::OpenDirectoryError> {
        Ok(Unmapped {
            root: dir.to_path_buf(),
            inner: MmapDirectory::open(dir)?,
        })
    }
}

/// The mode a file created in `dir` gets from the user's umask (0644 under umask 022), read from
/// a file created for the purpose: the umask cannot be read without changing it.
fn new_file_mode(dir: &Path) -> std::io::Result<u32> {
    use std::os::unix::fs::PermissionsExt;
    static MODE: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    if let Some(mode) = MODE.get() {
        return Ok(*mode);
    }
    let probe = dir.join(".gazette-mode-probe");
    let mode = File::create(&probe)?.metadata()?.permissions().mode() & 0o777;
    let _ = std::fs::remove_file(&probe);
    Ok(*MODE.get_or_init(|| mode))
}

/// An open file read at offsets.
#[derive(Debug)]
pub(crate) struct ReadAt {
    file: File,
    len: usize,
}

impl ReadAt {
    /// Opens `path` (shown as `name` in errors) to be read at offsets.
    pub(crate) fn open(full: &Path, name: &Path) -> Result<ReadAt, OpenReadError> {
        let opened = File::open(full).and_then(|file| {
            let len = file.metadata()?.len() as usize;
            Ok(ReadAt { file, len })
        });
        match opened {
            Ok(file) => Ok(file),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                Err(OpenReadError::FileDoesNotExist(name.to_path_buf()))
            }
            Err(err) => Err(OpenReadError::wrap_io_error(err, full.to_path_buf())),
        }
    }
}

impl HasLen for ReadAt {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for ReadAt {
    /// Reads into a buffer that is not zeroed first: `--all` on a common word reads most of a
    /// store, and zeroing each buffer before the read fills it was a share of its time.
    fn read_bytes(&self, range: Range<usize>) -> std::io::Result<OwnedBytes> {
        use std::os::fd::AsRawFd;
        let len = range.len();
        let mut buffer: Vec<u8> = Vec::with_capacity(len);
        let mut done = 0;
        while done < len {
            let at = libc::off_t::try_from(range.start + done)
                .map_err(|_| std::io::Error::other("an offset past what the system reads"))?;
            // SAFETY: pread writes at most `len - done` bytes from `done` on, within the buffer's
            // capacity of `len`; the bytes before `done` were written by earlier reads.
            let read = unsafe {
                libc::pread(
                    self.file.as_raw_fd(),
                    buffer.as_mut_ptr().add(done).cast(),
                    len - done,
                    at,
                )
            };
            match read {
                0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
                n if n < 0 => {
                    let err = std::io::Error::last_os_error();
                    if err.kind() != std::io::ErrorKind::Interrupted {
                        return Err(err);
                    }
                }
                n => done += n as usize,
            }
        }
        // SAFETY: the loop above wrote all `len` bytes.
        unsafe { buffer.set_len(len) };
        Ok(OwnedBytes::new(buffer))
    }
}

/// The first write to the index that failed in this process, as the system said it (`No space
/// left on device`). A write that fails in one of tantivy's indexing threads stops the writer,
/// and what tantivy reports then is only that the thread stopped; the error says why from here.
static FIRST_FAILED_WRITE: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// See [`FIRST_FAILED_WRITE`].
pub fn first_failed_write() -> Option<String> {
    FIRST_FAILED_WRITE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone()
}

fn failed_write(err: std::io::Error) -> std::io::Error {
    let mut first = FIRST_FAILED_WRITE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    first.get_or_insert_with(|| err.to_string());
    err
}

/// How much of a file is handed to the system at once. The page cache keeps a file in pieces
/// (folios) as large as the writes that filled it, and a search maps the index: a file written
/// 8 KB at a time (tantivy's own buffer) costs every search that follows many more page faults
/// than one written in large pieces, until the cache drops it (docs/PERFORMANCE.md, issue 21
/// round 8).
const WRITE_BUFFER: usize = 256 * 1024;

/// A file of the index being written, whose failures are kept in [`FIRST_FAILED_WRITE`].
struct Watched {
    inner: std::io::BufWriter<Box<dyn TerminatingWrite + Send + Sync>>,
}

impl std::io::Write for Watched {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf).map_err(failed_write)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush().map_err(failed_write)
    }
}

impl TerminatingWrite for Watched {
    fn terminate_ref(&mut self, token: AntiCallToken) -> std::io::Result<()> {
        self.inner.terminate_ref(token).map_err(failed_write)
    }
}

/// A store file being written, compressed again once it is finished
/// ([`super::recompress`]).
struct Recompressed {
    inner: Watched,
    path: PathBuf,
}

impl std::io::Write for Recompressed {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl TerminatingWrite for Recompressed {
    fn terminate_ref(&mut self, token: AntiCallToken) -> std::io::Result<()> {
        self.inner.terminate_ref(token)?;
        super::recompress::in_place(&self.path)
            .map(drop)
            .map_err(|err| failed_write(named(&self.path.display().to_string(), err)))
    }
}

impl Directory for Unmapped {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        Ok(Arc::new(ReadAt::open(&self.root.join(path), path)?))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let inner = self.inner.open_write(path)?;
        // Empty when just opened: nothing to flush.
        let inner = inner
            .into_inner()
            .map_err(|err| OpenWriteError::wrap_io_error(err.into_error(), path.to_path_buf()))?;
        // tantivy's managed directory takes the writer out of this buffer and puts it in one of
        // its own (8 KB): the large buffer is inside.
        let inner = Watched {
            inner: std::io::BufWriter::with_capacity(WRITE_BUFFER, inner),
        };
        if path
            .extension()
            .is_some_and(|extension| extension == "store")
        {
            let path = self.root.join(path);
            return Ok(std::io::BufWriter::new(Box::new(Recompressed {
                inner,
                path,
            })));
        }
        Ok(std::io::BufWriter::new(Box::new(inner)))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.inner.atomic_write(path, data)?;
        // tantivy writes meta.json and .managed.json through a temporary file, created readable
        // by its owner alone (0600), so another user (a web server's) could not open an index
        // that every other file of allows: they get the mode any new file gets here.
        use std::os::unix::fs::PermissionsExt;
        let mode = new_file_mode(&self.root)?;
        std::fs::set_permissions(self.root.join(path), std::fs::Permissions::from_mode(mode))
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// What tantivy writes in small pieces reaches the file whole once the writer is terminated,
    /// past several fills of the large buffer, wrapped as tantivy's managed directory wraps it.
    #[test]
    fn a_file_written_in_small_pieces_reads_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let directory = Unmapped::open(dir.path()).unwrap();
        let path = Path::new("piece.test");
        let opened = directory.open_write(path).unwrap();
        let mut writer = std::io::BufWriter::new(opened.into_inner().ok().unwrap());
        let mut expected = Vec::new();
        for i in 0..3 * WRITE_BUFFER / 1000 + 7 {
            let piece: Vec<u8> = (0..1000).map(|j| ((i * 7 + j) % 251) as u8).collect();
            writer.write_all(&piece).unwrap();
            expected.extend_from_slice(&piece);
        }
        writer.terminate().unwrap();
        assert_eq!(std::fs::read(dir.path().join(path)).unwrap(), expected);
    }
}

//! READ: paths -> the text and PDF files below them; a text file decoded to a `String`.
//!
//! Folders are walked in a stable (sorted) order, so two runs index files in the same order.
//! Documentation that sits beside a corpus (README, SOURCE) is not corpus text and is skipped.

use std::path::{Path, PathBuf};

use crate::Error;

/// File name endings read: text, and PDF (its text layer, `crate::ingest::pdf`).
const TEXT_EXTENSIONS: &[&str] = &["txt", "text", "md", "pdf"];

/// Names of files that describe a folder rather than belong to it.
fn is_folder_documentation(path: &Path) -> bool {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    matches!(stem.as_str(), "readme" | "source" | "license" | "licence")
}

fn is_text_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| TEXT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        && !is_folder_documentation(path)
}

/// The text files at or below `roots`, in sorted order, and the errors met on the way (a root
/// that does not exist, a folder that cannot be read). Links are followed within the roots.
pub fn walk(roots: &[PathBuf]) -> (Files, Vec<Error>) {
    walk_links(roots, false)
}

/// [`walk`], following links out of the roots too when `follow_links`. A file reached twice (a
/// hard link, a link, two roots that overlap) is taken once, where it is first met, and each
/// other path to it is reported: indexed under each path, every hit and count would be doubled.
/// A link out of the roots is reported and skipped, unless `follow_links`: a link to `/` would
/// index the whole disk.
pub fn walk_links(roots: &[PathBuf], follow_links: bool) -> (Files, Vec<Error>) {
    let mut files = Files::default();
    let mut errors = Vec::new();
    // Each file's identity, with its place in `files`, which names it in a report: the path
    // itself again would double the walk's memory.
    let mut seen = std::collections::HashMap::new();
    let within: Vec<PathBuf> = roots
        .iter()
        .filter_map(|root| std::fs::canonicalize(root).ok())
        .collect();
    // Each path as the index stores it, as a 128-bit hash: two paths stored alike (on Unix a
    // name holding a backslash, stored as a slash) would be one file to the index, so the first
    // is indexed and the other reported. Checked here, while the walk's own memory is all the
    // run holds, rather than through indexing, where the set, which grows with the collection,
    // stood beside the writer's memory at the run's peak.
    let mut stored = std::collections::HashSet::new();
    let mut take = |path: PathBuf, errors: &mut Vec<Error>, files: &mut Files| {
        let id = file_identity(&path);
        if let Some(&first) = id.as_ref().and_then(|id| seen.get(id)) {
            errors.push(Error::file(
                &path,
                format!(
                    "the same file as {}, which is indexed",
                    crate::ingest::display_path(&files.get(first))
                ),
            ));
            return;
        }
        let shown = crate::ingest::display_path(&path);
        if !stored.insert(xxhash_rust::xxh3::xxh3_128(shown.as_bytes())) {
            errors.push(Error::file(
                &path,
                format!("stored as {shown}, the path of a file indexed before it"),
            ));
            return;
        }
        if let Some(id) = id {
            seen.insert(id, files.len());
        }
        files.push(&path);
    };
    for root in roots {
        if root.is_file() {
            take(root.clone(), &mut errors, &mut files);
            continue;
        }
        if !root.exists() {
            errors.push(Error::file(root, "no such file or folder"));
            continue;
        }
        let mut outside = Vec::new();
        let walker = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| {
                if follow_links || !entry.path_is_symlink() {
                    return true;
                }
                let target = std::fs::canonicalize(entry.path());
                let inside = target
                    .as_ref()
                    .is_ok_and(|t| within.iter().any(|root| t.starts_with(root)));
                if !inside {
                    outside.push(entry.path().to_path_buf());
                }
                inside
            });
        for entry in walker {
            match entry {
                Ok(entry) if entry.file_type().is_file() && is_text_file(entry.path()) => {
                    take(entry.into_path(), &mut errors, &mut files);
                }
                Ok(_) => {}
                Err(err) => errors.push(Error::File {
                    path: err.path().map_or_else(|| root.clone(), Path::to_path_buf),
                    reason: err.to_string(),
                    source: err.into_io_error(),
                }),
            }
        }
        for link in outside {
            let target = std::fs::read_link(&link).unwrap_or_default();
            errors.push(Error::file(
                &link,
                format!(
                    "a link to {}, outside the folders given (--follow-links follows it)",
                    target.display()
                ),
            ));
        }
    }
    (files, errors)
}

/// The files a walk found, in its order, held compactly: each folder once where its files come
/// together, and the names one after another in one buffer. A generated collection of 1.2
/// million files held as a list of paths (each path, about 90 bytes, in an allocation of its own)
/// took about 130 bytes a file for as long as the run, twice that while it was walked; a name
/// and its place take about 55.
#[derive(Default)]
pub struct Files {
    folders: Vec<PathBuf>,
    /// Each file's name as `OsStr::as_encoded_bytes` gives it, one after another.
    names: Vec<u8>,
    /// Each file's folder in `folders` and where its name ends in `names`.
    files: Vec<(usize, usize)>,
}

impl Files {
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Adds `path`. A path without a file name (none is a file) is kept whole as a folder with
    /// an empty name.
    pub fn push(&mut self, path: &Path) {
        let (folder, name) = match (path.parent(), path.file_name()) {
            (Some(folder), Some(name)) => (folder, name.as_encoded_bytes()),
            _ => (path, &[][..]),
        };
        if self.folders.last().is_none_or(|last| last != folder) {
            self.folders.push(folder.to_path_buf());
        }
        self.names.extend_from_slice(name);
        self.files.push((self.folders.len() - 1, self.names.len()));
    }

    /// The path of file `i`, as it was pushed.
    pub fn get(&self, i: usize) -> PathBuf {
        let (folder, end) = self.files[i];
        let start = i.checked_sub(1).map_or(0, |before| self.files[before].1);
        let folder = &self.folders[folder];
        if start == end {
            return folder.clone();
        }
        // SAFETY: these bytes are a copy of exactly what `as_encoded_bytes` gave for one name, in
        // this process: the round trip the function allows.
        let name =
            unsafe { std::ffi::OsStr::from_encoded_bytes_unchecked(&self.names[start..end]) };
        folder.join(name)
    }

    /// The bytes the list holds in memory.
    pub fn heap_bytes(&self) -> usize {
        let folders: usize = self
            .folders
            .iter()
            .map(|folder| folder.capacity() + std::mem::size_of::<PathBuf>())
            .sum();
        folders
            + self.names.capacity()
            + self.files.capacity() * std::mem::size_of::<(usize, usize)>()
    }

    /// Every path, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = PathBuf> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// What tells two paths to one file apart from two files: device and inode on Unix.
#[cfg(unix)]
fn file_identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_identity(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok()
}

/// A file's bytes as one version of it. A file that a program rewrites while gazette reads it can
/// come back as the start of one version and the end of another, indexed as a mix of both: each
/// read first waits for a write in progress to end ([`read_after_writes`]); when the file's size
/// or modification time changed during the read it is read again, and reported when it keeps
/// changing. A write sets the time as it begins, so a read inside one write of the same size
/// sees neither change: a file changed in the last moments ([`RECENT`]) is read twice, a moment
/// apart ([`SETTLE`]), and taken only when both reads agree.
pub fn read_settled(path: &Path) -> Result<Vec<u8>, Error> {
    let stamp = |path: &Path| {
        std::fs::metadata(path)
            .map(|m| (m.len(), m.modified().ok()))
            .map_err(|err| Error::unreadable(path, err))
    };
    let read = |path: &Path| read_after_writes(path).map_err(|err| Error::unreadable(path, err));
    let recent = |modified: Option<std::time::SystemTime>| {
        modified
            .and_then(|m| std::time::SystemTime::now().duration_since(m).ok())
            .is_none_or(|age| age < RECENT)
    };
    for _ in 0..3 {
        let before = stamp(path)?;
        let bytes = read(path)?;
        let after = stamp(path)?;
        if before != after || bytes.len() as u64 != after.0 {
            continue;
        }
        if !recent(after.1) {
            return Ok(bytes);
        }
        // A write that began during the read, within the clock tick of the one before, left
        // the stamp as it was; and where the system cannot wait for a write in progress, a
        // writer paused inside one leaves the same mix for two reads close together: the second
        // comes a moment later. Each wait ages the files too, so a run waits at most about
        // `RECENT` however many files were just written.
        std::thread::sleep(SETTLE);
        if read(path)? == bytes && stamp(path)? == after {
            return Ok(bytes);
        }
    }
    Err(Error::file(
        path,
        "it changed while it was being read, three times; index it again once it is written",
    ))
}

/// The whole file, read once any write(2) in progress on it has ended, where the system lets a
/// reader wait for one: a writer descheduled inside one write of a new version (seen on a loaded
/// machine) otherwise leaves a mix of two versions on the disk for as long as it stays paused,
/// and two reads a moment apart both find the same mix.
fn read_after_writes(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    wait_for_writes(&file)?;
    // A `File` reserves room for the size it says it has, as `std::fs::read` does.
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Waits for a write(2) in progress on `file` to end, and leaves its offset at the start. On
/// Linux a buffered write holds the inode's lock from its first byte to its last, and asking
/// where the file's data starts (`lseek` with `SEEK_DATA`) takes the same lock on ext4, xfs,
/// btrfs and tmpfs; elsewhere it returns at once.
#[cfg(target_os = "linux")]
fn wait_for_writes(mut file: &std::fs::File) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    use std::os::fd::AsRawFd;
    // SAFETY: lseek on a descriptor that `file` keeps open; it changes only the offset, set
    // back below. An empty file or one without data answers ENXIO, which changes nothing.
    unsafe { libc::lseek(file.as_raw_fd(), 0, libc::SEEK_DATA) };
    file.seek(SeekFrom::Start(0)).map(drop)
}

#[cfg(not(target_os = "linux"))]
fn wait_for_writes(_file: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

/// How long after its last change a file may still be inside a write.
const RECENT: std::time::Duration = std::time::Duration::from_secs(2);
/// How long a file changed in the last moments is left before it is read again.
const SETTLE: std::time::Duration = std::time::Duration::from_millis(50);

/// Reads a file as text: UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order
/// mark, or GB18030 (which covers GBK and GB2312, common in older government files).
pub fn read_text(path: &Path) -> Result<String, Error> {
    let bytes = read_settled(path)?;
    decode(&bytes).map_err(|reason| Error::file(path, reason))
}

/// Decodes bytes by the first encoding that reads them without error. A file that is none of the
/// encodings above, or binary, is refused rather than indexed as mojibake.
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    decode_text(bytes).map(line_ends)
}

/// Line ends as `\n` only: `\r\n` (Windows) and a lone `\r` (old Mac files, some exports) end a
/// line too. Left as they were, a file of lone `\r` read as one line, one paragraph.
fn line_ends(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

fn decode_text(bytes: &[u8]) -> Result<String, String> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling_and_without_replacement(&bytes[bom..])
            .map(|text| text.into_owned())
            .ok_or_else(|| format!("not valid {} text", encoding.name()));
    }
    if bytes.contains(&0) {
        return Err("binary data (NUL bytes), not text".into());
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    let text = encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or("neither UTF-8 nor GB18030 text")?;
    // Random bytes can happen to form GB18030; real text has few control characters.
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .count();
    if controls * 100 > text.chars().count() {
        return Err("binary data, not text".into());
    }
    Ok(text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A read that starts while one write(2) of a new version is under way gets one version
    /// whole, not the start of the new one and the end of the old one: it waits for the write.
    /// The new version is written from memory never touched, so that the writer, faulting in
    /// each page as it copies, is slower than a reader: as a writer paused inside its write on a
    /// loaded machine, it is overtaken by a read that does not wait (`std::fs::read` instead of
    /// [`read_after_writes`] fails this in the first round).
    #[cfg(target_os = "linux")]
    #[test]
    fn a_read_during_one_write_gets_one_version_whole() {
        use std::io::Write;
        use std::time::{Duration, Instant, SystemTime};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        let size = 64 << 20;
        let old = vec![b'a'; size];
        // A write sets the modification time as it begins: set in the past, its change says
        // that the write has begun, however the threads are scheduled.
        let past = SystemTime::UNIX_EPOCH + Duration::from_secs(86_400);
        let modified = |path: &Path| std::fs::metadata(path).unwrap().modified().unwrap();
        for round in 0..5 {
            std::fs::write(&path, &old).unwrap();
            let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
            file.set_modified(past).unwrap();
            // Zeroed memory of this size is mapped fresh, untouched.
            let new = vec![0u8; size];
            let read = std::thread::scope(|s| {
                s.spawn(|| (&file).write_all(&new).unwrap());
                let waiting = Instant::now();
                while modified(&path) == past {
                    assert!(
                        waiting.elapsed() < Duration::from_secs(60),
                        "no write began"
                    );
                    std::thread::sleep(Duration::from_micros(50));
                }
                read_after_writes(&path).unwrap()
            });
            assert_eq!(read.len(), size, "round {round}");
            let mixed = read != old && read != new;
            assert!(!mixed, "round {round}: a mix of two versions was read");
        }
    }

    /// The list gives back every path as pushed, in order: folders met again after another,
    /// bare names, a root given as a file, names that are not UTF-8.
    #[test]
    fn the_list_of_files_gives_back_each_path_as_pushed() {
        let mut paths: Vec<PathBuf> = [
            "a/1.txt",
            "a/2.txt",
            "a/b/1.txt",
            "a/3.txt",
            "3.txt",
            "/x/./y.txt",
            "焦作市人民政府公报/焦作市人民政府公报_00368.txt",
            "a/1.txt",
            "",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let name = std::ffi::OsStr::from_bytes(b"a/\xff\xfe.txt");
            paths.push(PathBuf::from(name));
        }
        let mut files = Files::default();
        for path in &paths {
            files.push(path);
        }
        assert_eq!(files.len(), paths.len());
        assert_eq!(files.iter().collect::<Vec<_>>(), paths);
        assert_eq!(files.get(6), paths[6]);
    }

    #[test]
    fn every_line_end_is_a_line_feed() {
        let want = "一\n二\n\n三";
        assert_eq!(decode("一\r二\r\r三".as_bytes()).unwrap(), want);
        assert_eq!(decode("一\r\n二\r\n\r\n三".as_bytes()).unwrap(), want);
        assert_eq!(decode("一\n二\r\n\r三".as_bytes()).unwrap(), want);
    }

    #[test]
    fn strips_a_byte_order_mark() {
        assert_eq!(decode(b"\xEF\xBB\xBF\xE5\x85\xAC").unwrap(), "公");
    }

    #[test]
    fn reads_gb18030_and_utf16() {
        let (gb, _, _) = encoding_rs::GB18030.encode("焦作市人民政府公报");
        assert_eq!(decode(&gb).unwrap(), "焦作市人民政府公报");
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("公报".encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(decode(&utf16).unwrap(), "公报");
    }

    #[test]
    fn refuses_bytes_of_no_known_encoding() {
        // 0xFF never starts a GB18030 character, nor is it UTF-8.
        assert!(decode(b"abc\xFF\xFFdef").is_err());
    }

    #[test]
    fn refuses_binary_data() {
        assert!(decode(b"%PDF-1.7\0\x01").unwrap_err().contains("binary"));
    }

    #[test]
    fn skips_folder_documentation() {
        assert!(!is_text_file(Path::new("corpus/README.md")));
        assert!(!is_text_file(Path::new("x/SOURCE.md")));
        assert!(is_text_file(Path::new("x/2025年第1号.txt")));
        assert!(!is_text_file(Path::new("x/manifest.tsv")));
    }
}

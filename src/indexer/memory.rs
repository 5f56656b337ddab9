//! How much memory the index writer gets for a run: what bounds indexing's peak.

use std::path::Path;

use crate::ingest::walk;

/// Memory for the index writer, shared by its threads; a thread whose share fills ends its
/// segment before a commit does, so the share, as much as [`super::COMMIT_BYTES`], sets how large
/// a run's segments grow (`merging` says how they are joined). This much holds a run the size of
/// ../shared/corpus in one segment per thread (docs/PERFORMANCE.md has the figures). The memory
/// is taken as the text comes: a smaller run takes less.
const WRITER_MEMORY: usize = 512 * 1024 * 1024;
/// The writer's memory for a run whose files come to more than [`LARGE_RUN_BYTES`]: such a run is
/// cut into several segments per thread whatever the memory, and each share that fills is the
/// peak of the run's memory: a smaller share lowers the peak (docs/PERFORMANCE.md, round 10).
const LARGE_RUN_WRITER_MEMORY: usize = 384 * 1024 * 1024;
/// The least memory the writer is given, whatever the list of a run's files takes
/// ([`writer_share`]).
const LEAST_WRITER_MEMORY: usize = 256 * 1024 * 1024;
/// Files of more than this many bytes in all make a large run (see [`LARGE_RUN_WRITER_MEMORY`]).
const LARGE_RUN_BYTES: u64 = 128 * 1024 * 1024;

/// The writer's memory for a run over `files`, shared by its threads.
pub(super) fn writer_memory_for(files: &walk::Files) -> usize {
    writer_share(writer_memory(files.iter()), files.heap_bytes())
}

/// The index writer's memory for a run over `files`: [`WRITER_MEMORY`], or
/// [`LARGE_RUN_WRITER_MEMORY`] when they come to more than [`LARGE_RUN_BYTES`]. What the run
/// finds unchanged counts too: it is an upper bound, and the memory is only a ceiling.
fn writer_memory<P: AsRef<Path>>(files: impl IntoIterator<Item = P>) -> usize {
    let mut bytes = 0u64;
    for file in files {
        bytes += std::fs::metadata(file).map_or(0, |meta| meta.len());
        if bytes > LARGE_RUN_BYTES {
            return LARGE_RUN_WRITER_MEMORY;
        }
    }
    WRITER_MEMORY
}

/// The writer's memory out of `memory` beside the list of the run's files, which takes
/// `list_bytes` through the run: the list grows with the number of files, the writer's share is
/// what fills to the run's peak, and together they stay within `memory`, down to
/// [`LEAST_WRITER_MEMORY`] for the writer.
fn writer_share(memory: usize, list_bytes: usize) -> usize {
    memory.saturating_sub(list_bytes).max(LEAST_WRITER_MEMORY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_of_files_comes_out_of_the_writers_memory() {
        const MB: usize = 1024 * 1024;
        assert_eq!(writer_share(384 * MB, 60 * MB), 324 * MB);
        assert_eq!(writer_share(512 * MB, 0), 512 * MB);
        // A list larger than the share leaves the writer its least.
        assert_eq!(writer_share(384 * MB, 200 * MB), LEAST_WRITER_MEMORY);
        assert_eq!(writer_share(384 * MB, usize::MAX), LEAST_WRITER_MEMORY);
        // What the list of a thousand files holds: at least its names and their places.
        let dir = tempfile::tempdir().unwrap();
        for n in 0..1000 {
            std::fs::write(
                dir.path().join(format!("济南市人民政府公报_{n:05}.txt")),
                "公报",
            )
            .unwrap();
        }
        let (files, errors) = walk::walk_links(&[dir.path().to_path_buf()], false);
        assert!(errors.is_empty());
        assert_eq!(files.len(), 1000);
        let names = "济南市人民政府公报_00000.txt".len() * 1000;
        assert!(
            files.heap_bytes() >= names + 16 * 1000,
            "{}",
            files.heap_bytes()
        );
    }

    /// The files' sizes, not their text, pick the memory: a sparse file is large without taking
    /// the disk.
    #[test]
    fn a_run_over_more_than_the_large_run_bytes_gets_the_smaller_memory() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("small.txt");
        std::fs::write(&small, "公报".repeat(1000)).unwrap();
        assert_eq!(writer_memory(std::slice::from_ref(&small)), WRITER_MEMORY);

        let large = dir.path().join("large.txt");
        let file = std::fs::File::create(&large).unwrap();
        file.set_len(LARGE_RUN_BYTES - 100).unwrap();
        // Just at the bound with the small file: not above it.
        assert_eq!(writer_memory(std::slice::from_ref(&large)), WRITER_MEMORY);
        assert_eq!(
            writer_memory(&[small.clone(), large.clone()]),
            LARGE_RUN_WRITER_MEMORY
        );
        // A file gone since the walk counts for nothing.
        let gone = dir.path().join("gone.txt");
        assert_eq!(writer_memory(&[gone, large]), WRITER_MEMORY);
    }
}

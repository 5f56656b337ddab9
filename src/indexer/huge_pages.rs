//! The process's allocator: the system's, except that while an index is written, blocks of a
//! whole number of mebibytes are placed in memory the kernel backs with huge pages (2 MiB).
//!
//! tantivy's writer keeps each segment's postings in an arena of 1 MiB pages and finds each
//! token's term through a hash table of several MiB; every token of a run is a random read in
//! both, and with 4 KiB pages the processor's page-table cache (TLB) covers a few MiB of them.
//! The kernel here gives huge pages only to memory that asks for them
//! (`transparent_hugepage=madvise`), which the C library's allocator does not do. The blocks are
//! taken in units of 1 MiB from chunks of 64 MiB aligned on 2 MiB and marked `MADV_HUGEPAGE`.
//! A huge page whose two units are both free is given back to the kernel at once
//! (`MADV_DONTNEED`), so that what the process holds is what it uses, as with the C library; a
//! unit freed beside one in use is kept until its neighbour is freed too, because giving back half
//! a huge page makes the kernel split it into small pages for good (a run of many segments frees
//! and takes its arena once per segment). Such a unit is zeroed when a caller asks for zeroed
//! memory. Smaller blocks, and every block while no index is written (a search), are the
//! system's.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ptr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Blocks placed in huge pages are whole numbers of this: tantivy's arena pages are one.
const UNIT: usize = 1 << 20;
/// The kernel's huge page, on which chunks are aligned.
const HUGE_PAGE: usize = 2 << 20;
/// Units in a chunk: one bit each in a `u64`.
const CHUNK_UNITS: usize = 64;
const CHUNK_BYTES: usize = CHUNK_UNITS * UNIT;
/// Chunks at most (64 GiB); a block that finds no room is the system's.
const MAX_CHUNKS: usize = 1024;

static ENABLED: AtomicBool = AtomicBool::new(false);
static POOL: Mutex<Pool> = Mutex::new(Pool::new());

/// Places the large blocks allocated from now on in huge pages (see the module's doc). Called
/// when a run begins writing an index; the blocks already placed stay where they are.
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// The global allocator of the `gazette` binary.
pub struct Allocator;

unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if let Some((block, _)) = pooled(layout) {
            return block;
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if let Some((block, kept)) = pooled(layout) {
            unsafe { zero_kept(block, kept) };
            return block;
        }
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        if layout.size() >= UNIT && lock().free(block, layout.size()) {
            return;
        }
        unsafe { System.dealloc(block, layout) }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let from_pool = layout.size() >= UNIT && lock().holds(block);
        let to_pool = wanted(new_size, layout.align());
        if !from_pool && !to_pool {
            return unsafe { System.realloc(block, layout, new_size) };
        }
        if from_pool && to_pool && lock().fits(block, layout.size(), new_size) {
            return block;
        }
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            return ptr::null_mut();
        };
        let moved = unsafe { self.alloc(new_layout) };
        if !moved.is_null() {
            unsafe {
                ptr::copy_nonoverlapping(block, moved, layout.size().min(new_size));
                self.dealloc(block, layout);
            }
        }
        moved
    }
}

/// Whether a block of `size` bytes aligned on `align` is placed in huge pages: while an index is
/// written, a whole number of units. tantivy's arena pages (one unit) and its term table (a power
/// of two of them) are filled as soon as they are taken; a block of another size is mostly a
/// vector grown by doubling and filled in part, which huge pages would back whole.
fn wanted(size: usize, align: usize) -> bool {
    cfg!(target_os = "linux")
        && size >= UNIT
        && size.is_multiple_of(UNIT)
        && align <= UNIT
        && ENABLED.load(Ordering::Relaxed)
}

/// Zeroes the units of `block` that were kept: the others, fresh from the kernel or given back to
/// it, read as zeros already.
///
/// # Safety
/// `block` is a block of the pool, and `kept` its units that were kept.
unsafe fn zero_kept(block: *mut u8, kept: Kept) {
    for unit in kept {
        unsafe { ptr::write_bytes(block.add(unit * UNIT), 0, UNIT) };
    }
}

/// A block from the pool for `layout`, with the units of it (counted from its start) that were
/// kept when last freed and hold old bytes.
fn pooled(layout: Layout) -> Option<(*mut u8, Kept)> {
    if !wanted(layout.size(), layout.align()) {
        return None;
    }
    lock().alloc(layout.size())
}

fn lock() -> std::sync::MutexGuard<'static, Pool> {
    // The pool's state is a few words changed without a call that can panic: a poisoned lock
    // (a panic elsewhere while it was held cannot happen) is used as it is.
    POOL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Chunks of units, each with the bits of its units in use. Blocks of more than a chunk are
/// mapped on their own ([`Pool::large`]).
struct Pool {
    chunks: [Chunk; MAX_CHUNKS],
    count: usize,
    large: [Mapping; MAX_CHUNKS],
    /// Mappings in use in `large`.
    mapped: usize,
}

#[derive(Clone, Copy)]
struct Chunk {
    base: usize,
    /// The units in use.
    used: u64,
    /// The free units still held by the process: half a huge page whose other half is in use.
    kept: u64,
}

/// The units of a block (counted from its start) that hold old bytes.
struct Kept(u64);

impl Iterator for Kept {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let unit = (self.0 != 0).then(|| self.0.trailing_zeros() as usize)?;
        self.0 &= self.0 - 1;
        Some(unit)
    }
}

#[derive(Clone, Copy)]
struct Mapping {
    base: usize,
    len: usize,
}

impl Pool {
    const fn new() -> Pool {
        Pool {
            chunks: [Chunk {
                base: 0,
                used: 0,
                kept: 0,
            }; MAX_CHUNKS],
            count: 0,
            large: [Mapping { base: 0, len: 0 }; MAX_CHUNKS],
            mapped: 0,
        }
    }

    /// A block of `size` bytes (at least [`UNIT`]), aligned on a unit, with the units of it that
    /// were kept when last freed ([`Chunk::kept`]); `None` when the kernel gives no more memory or
    /// the pool is full.
    fn alloc(&mut self, size: usize) -> Option<(*mut u8, Kept)> {
        let units = size.div_ceil(UNIT);
        if units > CHUNK_UNITS {
            return self.alloc_large(units * UNIT).map(|block| (block, Kept(0)));
        }
        for chunk in &mut self.chunks[..self.count] {
            if let Some(first) = free_run(chunk.used, units) {
                let mask = run_mask(first, units);
                let kept = (chunk.kept & mask) >> first;
                chunk.used |= mask;
                chunk.kept &= !mask;
                return Some(((chunk.base + first * UNIT) as *mut u8, Kept(kept)));
            }
        }
        if self.count == MAX_CHUNKS {
            return None;
        }
        let base = map_huge(CHUNK_BYTES)?;
        self.chunks[self.count] = Chunk {
            base,
            used: run_mask(0, units),
            kept: 0,
        };
        self.count += 1;
        Some((base as *mut u8, Kept(0)))
    }

    fn alloc_large(&mut self, len: usize) -> Option<*mut u8> {
        let slot = self.large.iter().position(|mapping| mapping.len == 0)?;
        let len = len.next_multiple_of(HUGE_PAGE);
        let base = map_huge(len)?;
        self.large[slot] = Mapping { base, len };
        self.mapped += 1;
        Some(base as *mut u8)
    }

    /// Whether `block` was placed by the pool.
    fn holds(&self, block: *mut u8) -> bool {
        let at = block as usize;
        self.chunk_of(at).is_some()
            || (self.mapped > 0 && self.large.iter().any(|mapping| mapping.base == at))
    }

    fn chunk_of(&self, at: usize) -> Option<usize> {
        self.chunks[..self.count]
            .iter()
            .position(|chunk| (chunk.base..chunk.base + CHUNK_BYTES).contains(&at))
    }

    /// Whether the pool's `block` of `size` bytes can hold `new_size` bytes where it is: the same
    /// number of units in a chunk, or no more than its own mapping.
    fn fits(&self, block: *mut u8, size: usize, new_size: usize) -> bool {
        let at = block as usize;
        match self.chunk_of(at) {
            Some(_) => size.div_ceil(UNIT) == new_size.div_ceil(UNIT),
            None => self.large.iter().any(|mapping| {
                mapping.base == at && new_size <= mapping.len && new_size > CHUNK_BYTES
            }),
        }
    }

    /// Frees `block` of `size` bytes if the pool placed it, and says whether it did.
    fn free(&mut self, block: *mut u8, size: usize) -> bool {
        let at = block as usize;
        if let Some(index) = self.chunk_of(at) {
            let chunk = &mut self.chunks[index];
            let units = size.div_ceil(UNIT);
            let first = (at - chunk.base) / UNIT;
            let mask = run_mask(first, units);
            chunk.used &= !mask;
            chunk.kept |= mask;
            // Each huge page the block touches whose two units are now free goes back whole.
            let per_page = HUGE_PAGE / UNIT;
            for page in first / per_page..(first + units).div_ceil(per_page) {
                let page_mask = run_mask(page * per_page, per_page);
                if chunk.used & page_mask == 0 {
                    let start = chunk.base + page * HUGE_PAGE;
                    // SAFETY: the huge page is the pool's, and neither of its units is in use.
                    unsafe {
                        libc::madvise(start as *mut libc::c_void, HUGE_PAGE, libc::MADV_DONTNEED)
                    };
                    chunk.kept &= !page_mask;
                }
            }
            return true;
        }
        if self.mapped == 0 {
            return false;
        }
        if let Some(mapping) = self.large.iter_mut().find(|mapping| mapping.base == at) {
            // SAFETY: the mapping is the block's own.
            unsafe { libc::munmap(block.cast(), mapping.len) };
            *mapping = Mapping { base: 0, len: 0 };
            self.mapped -= 1;
            return true;
        }
        false
    }
}

/// The first unit of `units` free units in a row in `used`, if there is such a run.
fn free_run(used: u64, units: usize) -> Option<usize> {
    (0..=CHUNK_UNITS - units).find(|&first| used & run_mask(first, units) == 0)
}

/// The bits of `units` units from `first` on.
fn run_mask(first: usize, units: usize) -> u64 {
    let ones = if units == CHUNK_UNITS {
        u64::MAX
    } else {
        (1u64 << units) - 1
    };
    ones << first
}

/// `len` bytes (a multiple of [`HUGE_PAGE`]) of fresh memory aligned on a huge page and marked
/// for huge pages; `None` when the kernel refuses.
fn map_huge(len: usize) -> Option<usize> {
    let padded = len + HUGE_PAGE;
    // SAFETY: a new private anonymous mapping, touched by no one else; the parts outside the
    // aligned range are unmapped at once.
    unsafe {
        let raw = libc::mmap(
            ptr::null_mut(),
            padded,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        );
        if raw == libc::MAP_FAILED {
            return None;
        }
        let raw = raw as usize;
        let base = raw.next_multiple_of(HUGE_PAGE);
        if base > raw {
            libc::munmap(raw as *mut libc::c_void, base - raw);
        }
        let tail = raw + padded - (base + len);
        if tail > 0 {
            libc::munmap((base + len) as *mut libc::c_void, tail);
        }
        // Advice, not a requirement: a kernel without huge pages gives small ones.
        #[cfg(target_os = "linux")]
        libc::madvise(base as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
        Some(base)
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    fn fill(block: *mut u8, len: usize, byte: u8) {
        unsafe { ptr::write_bytes(block, byte, len) };
    }

    fn all(block: *mut u8, len: usize, byte: u8) -> bool {
        unsafe { std::slice::from_raw_parts(block, len) }
            .iter()
            .all(|&b| b == byte)
    }

    #[test]
    fn blocks_are_aligned_apart_and_reused_as_zeros() {
        let mut pool = Box::new(Pool::new());
        // More single units than a chunk holds: a second chunk is mapped.
        let blocks: Vec<_> = (0..CHUNK_UNITS + 6)
            .map(|_| pool.alloc(UNIT).unwrap().0)
            .collect();
        assert_eq!(pool.count, 2);
        assert!(pool.chunks[..2].iter().all(|c| c.base % HUGE_PAGE == 0));
        let mut starts: Vec<usize> = blocks.iter().map(|&b| b as usize).collect();
        starts.sort_unstable();
        assert!(
            starts.windows(2).all(|w| w[1] - w[0] >= UNIT),
            "blocks overlap"
        );
        assert!(starts.iter().all(|s| s % UNIT == 0));
        for (k, &block) in blocks.iter().enumerate() {
            fill(block, UNIT, k as u8 + 1);
        }
        for (k, &block) in blocks.iter().enumerate() {
            assert!(all(block, UNIT, k as u8 + 1), "block {k} was overwritten");
            assert!(pool.holds(block));
        }
        // Four units freed in a row (two whole huge pages) take a block of four; they went back
        // to the kernel and read as zeros.
        for &block in &blocks[10..14] {
            assert!(pool.free(block, UNIT));
        }
        let (four, kept) = pool.alloc(4 * UNIT).unwrap();
        assert_eq!(four, blocks[10]);
        assert_eq!(kept.count(), 0);
        assert!(all(four, 4 * UNIT, 0));
        // A unit freed beside one in use is kept with its bytes, and said to be when taken again.
        assert!(pool.free(blocks[20], UNIT));
        assert_eq!(pool.chunks[0].kept, 1 << 20);
        let (again, kept) = pool.alloc(UNIT).unwrap();
        assert_eq!(again, blocks[20]);
        assert!(all(again, UNIT, 21));
        unsafe { zero_kept(again, kept) };
        assert!(all(again, UNIT, 0));
        // Freed with its neighbour, the huge page goes back whole.
        assert!(pool.free(blocks[21], UNIT));
        assert!(pool.free(again, UNIT));
        assert_eq!(pool.chunks[0].kept, 0);
        let (pair, kept) = pool.alloc(2 * UNIT).unwrap();
        assert_eq!(pair, blocks[20]);
        assert_eq!(kept.count(), 0);
        assert!(all(pair, 2 * UNIT, 0));
        assert!(pool.free(pair, 2 * UNIT));
        assert!(pool.free(four, 4 * UNIT));
        for (k, &block) in blocks.iter().enumerate() {
            if !(10..14).contains(&k) && !(20..22).contains(&k) {
                assert!(pool.free(block, UNIT));
            }
        }
        assert!(pool.chunks[..2].iter().all(|c| c.used == 0 && c.kept == 0));
        // A block the pool did not place is not its own.
        let mut other = [0u8; 16];
        assert!(!pool.holds(other.as_mut_ptr()));
        assert!(!pool.free(other.as_mut_ptr(), UNIT));
    }

    #[test]
    fn a_block_larger_than_a_chunk_is_mapped_alone() {
        let mut pool = Box::new(Pool::new());
        let len = CHUNK_BYTES + UNIT;
        let (block, _) = pool.alloc(len).unwrap();
        assert_eq!(pool.count, 0);
        assert_eq!(block as usize % HUGE_PAGE, 0);
        fill(block, len, 7);
        assert!(all(block, len, 7));
        assert!(pool.holds(block));
        assert!(pool.fits(block, len, len + UNIT / 2));
        assert!(!pool.fits(block, len, CHUNK_BYTES));
        assert!(pool.free(block, len));
        assert_eq!(pool.mapped, 0);
        assert!(!pool.holds(block));
    }

    #[test]
    fn runs_of_units_are_found_where_they_fit() {
        assert_eq!(free_run(0, CHUNK_UNITS), Some(0));
        assert_eq!(free_run(1, CHUNK_UNITS), None);
        assert_eq!(free_run(0b1011, 1), Some(2));
        assert_eq!(free_run(0b1011, 2), Some(4));
        assert_eq!(free_run(u64::MAX >> 1, 1), Some(63));
        assert_eq!(free_run(u64::MAX >> 1, 2), None);
        assert_eq!(run_mask(62, 2), 0b11 << 62);
        assert_eq!(run_mask(0, CHUNK_UNITS), u64::MAX);
    }

    #[test]
    fn the_allocator_moves_blocks_in_and_out_of_huge_pages_keeping_their_bytes() {
        enable();
        let allocator = Allocator;
        let small = Layout::from_size_align(512 * 1024, 8).unwrap();
        unsafe {
            let block = allocator.alloc(small);
            assert!(!lock().holds(block));
            fill(block, small.size(), 3);
            // Grown to two units: placed in the pool, its bytes kept.
            let two = allocator.realloc(block, small, 2 * UNIT);
            assert!(lock().holds(two));
            assert!(all(two, small.size(), 3));
            fill(two, 2 * UNIT, 4);
            let two_layout = Layout::from_size_align(2 * UNIT, 8).unwrap();
            // Grown to a size that is not a whole number of units: the system's again.
            let odd = allocator.realloc(two, two_layout, 2 * UNIT + 10);
            assert!(!lock().holds(odd));
            assert!(all(odd, 2 * UNIT, 4));
            let odd_layout = Layout::from_size_align(2 * UNIT + 10, 8).unwrap();
            allocator.dealloc(odd, odd_layout);
            let zeroed = allocator.alloc_zeroed(two_layout);
            assert!(lock().holds(zeroed));
            assert!(all(zeroed, 2 * UNIT, 0));
            allocator.dealloc(zeroed, two_layout);
        }
    }

    #[test]
    fn a_block_the_pool_places_is_backed_by_huge_pages() {
        let mode = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled")
            .unwrap_or_default();
        if !mode.contains("[madvise]") && !mode.contains("[always]") {
            eprintln!("skipped: the kernel gives no transparent huge pages ({mode:?})");
            return;
        }
        let mut pool = Box::new(Pool::new());
        let (block, _) = pool.alloc(4 * UNIT).unwrap();
        fill(block, 4 * UNIT, 1);
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let at = block as usize;
        let huge_kb = smaps
            .split_inclusive('\n')
            .scan(false, |inside, line| {
                if let Some((range, _)) = line.split_once(' ')
                    && let Some((start, end)) = range.split_once('-')
                    && let (Ok(start), Ok(end)) = (
                        usize::from_str_radix(start, 16),
                        usize::from_str_radix(end, 16),
                    )
                {
                    *inside = (start..end).contains(&at);
                }
                Some((*inside, line))
            })
            .filter(|(inside, _)| *inside)
            .find_map(|(_, line)| line.strip_prefix("AnonHugePages:"))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<usize>()
                    .ok()
            })
            .unwrap();
        assert!(huge_kb >= 4 * 1024, "{huge_kb} kB of huge pages");
        assert!(pool.free(block, 4 * UNIT));
    }
}

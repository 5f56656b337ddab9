//! One way to spread work over the cores: contiguous chunks on scoped threads, results in order.

use crate::Error;

/// Below this many paragraphs a search reads them on one thread.
pub(crate) const PARALLEL_FROM: usize = 2_000;

/// The number of threads for reading many paragraphs.
pub(crate) fn threads_for(items: usize) -> usize {
    if items < PARALLEL_FROM {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// `work` over contiguous chunks of `items` on as many threads as there are cores when there are
/// many items, the results joined in order.
pub(crate) fn in_parallel<T: Send, R: Send>(
    mut items: Vec<T>,
    work: impl Fn(Vec<T>) -> Result<Vec<R>, Error> + Sync,
) -> Result<Vec<R>, Error> {
    let threads = threads_for(items.len());
    if threads == 1 {
        return work(items);
    }
    let size = items.len().div_ceil(threads);
    let mut chunks = Vec::new();
    while items.len() > size {
        let tail = items.split_off(items.len() - size);
        chunks.push(tail);
    }
    chunks.push(items);
    chunks.reverse();
    std::thread::scope(|scope| {
        let work = &work;
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| scope.spawn(move || work(chunk)))
            .collect();
        let mut out = Vec::new();
        for handle in handles {
            out.extend(handle.join().expect("a search thread panicked")?);
        }
        Ok(out)
    })
}

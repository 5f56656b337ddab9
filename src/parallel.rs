//! The one way work is spread over the cores: a thread count from one policy ([`threads`]), and
//! scoped threads over contiguous chunks ([`chunks`]) or over items taken in turn ([`each`]).
//! Results come back in the order of the items, so parallel output equals the serial one.

/// Threads at most: beyond this the threads of a search or an output wait on memory, not work.
const MAX_THREADS: usize = 8;

/// Threads for `units` of work: one below `from`, which is where a thread's start-up stops being
/// worth it, else one per core up to [`MAX_THREADS`].
pub(crate) fn threads(units: usize, from: usize) -> usize {
    if units < from {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_THREADS))
}

/// `work` over `threads` contiguous chunks of `items`, one thread each, the results in order. A
/// chunk is contiguous so that a thread reading stored paragraphs in store order decompresses
/// blocks no other thread reads.
pub(crate) fn chunks<T: Send, R: Send>(
    mut items: Vec<T>,
    threads: usize,
    work: impl Fn(Vec<T>) -> R + Sync,
) -> Vec<R> {
    if threads <= 1 || items.len() <= 1 {
        return vec![work(items)];
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
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a worker thread panicked"))
            .collect()
    })
}

/// `work` on each item, the items taken in turn by `threads` threads: for items of unequal cost,
/// such as segments. Stops at the first error each thread meets and gives one of them.
pub(crate) fn each<T: Sync, E: Send>(
    items: &[T],
    threads: usize,
    work: impl Fn(&T) -> Result<(), E> + Sync,
) -> Result<(), E> {
    let threads = threads.min(items.len());
    if threads <= 1 {
        return items.iter().try_for_each(work);
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> Result<(), E> {
                    while let Some(item) =
                        items.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                    {
                        work(item)?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles
            .into_iter()
            .try_for_each(|handle| handle.join().expect("a worker thread panicked"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_give_their_results_in_the_order_of_the_items() {
        let items: Vec<u32> = (0..1000).collect();
        let sums = chunks(items.clone(), 3, |chunk| chunk);
        assert_eq!(sums.len(), 3);
        assert_eq!(sums.concat(), items);
    }

    #[test]
    fn each_visits_every_item_once_and_stops_on_an_error() {
        let seen = std::sync::Mutex::new(Vec::new());
        each(&[1, 2, 3, 4, 5], 2, |&i| -> Result<(), ()> {
            seen.lock().unwrap().push(i);
            Ok(())
        })
        .unwrap();
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        assert_eq!(seen, [1, 2, 3, 4, 5]);
        assert_eq!(
            each(&[1, 2, 3], 2, |&i| if i == 2 { Err(i) } else { Ok(()) }),
            Err(2)
        );
    }

    #[test]
    fn few_units_take_one_thread() {
        assert_eq!(threads(10, 2_000), 1);
        assert!(threads(5_000, 2_000) >= 1);
    }
}

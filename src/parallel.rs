//! The one way work is spread over the cores: a thread count from one policy ([`threads`]), and
//! scoped threads over contiguous chunks ([`chunks`]), over items taken in turn ([`each`], and
//! [`map`] with their results), or over items taken in turn whose results are handed on in order
//! as they come ([`ordered`]).
//! Results come back in the order of the items, so parallel output equals the serial one.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

/// Threads at most: beyond this the threads of a search or an output wait on memory, not work.
const MAX_THREADS: usize = 8;

/// Threads for `units` of work: one below `from`, which is where a thread's start-up stops being
/// worth it, else one per core up to [`MAX_THREADS`], or up to `GAZETTE_THREADS` when it is set
/// (a machine shared with other work; `GAZETTE_THREADS=1` runs every search on one thread).
pub(crate) fn threads(units: usize, from: usize) -> usize {
    if units < from {
        return 1;
    }
    most_threads()
}

fn most_threads() -> usize {
    static MOST: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *MOST.get_or_init(|| {
        let cores = cores();
        let asked = std::env::var("GAZETTE_THREADS")
            .ok()
            .and_then(|value| value.trim().parse::<usize>().ok())
            .filter(|&n| n > 0);
        asked.unwrap_or(cores).min(MAX_THREADS)
    })
}

/// The cores this process may run on. On Linux, its CPU affinity: one system call, where
/// `std::thread::available_parallelism` also reads the cgroup's CPU quota from /proc, which took
/// longer than a rare word's whole search. A quota is not asked for; `GAZETTE_THREADS` sets fewer
/// threads where one applies.
fn cores() -> usize {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: `set` is a plain bit set that sched_getaffinity fills for this process (pid 0)
        // and CPU_COUNT only reads.
        let count = unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) == 0 {
                libc::CPU_COUNT(&set)
            } else {
                0
            }
        };
        if count > 0 {
            return count as usize;
        }
    }
    std::thread::available_parallelism().map_or(1, |n| n.get())
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
    let mut chunks = chunks.into_iter();
    let first = chunks.next().unwrap_or_default();
    std::thread::scope(|scope| {
        let work = &work;
        let handles: Vec<_> = chunks
            .map(|chunk| scope.spawn(move || work(chunk)))
            .collect();
        // The calling thread takes the first chunk: one thread fewer to start.
        let mut results = vec![work(first)];
        results.extend(
            handles
                .into_iter()
                .map(|handle| handle.join().expect("a worker thread panicked")),
        );
        results
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
    let next = AtomicUsize::new(0);
    let take_in_turn = || -> Result<(), E> {
        while let Some(item) = items.get(next.fetch_add(1, Ordering::Relaxed)) {
            work(item)?;
        }
        Ok(())
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads).map(|_| scope.spawn(take_in_turn)).collect();
        // The calling thread takes items too: one thread fewer to start.
        let own = take_in_turn();
        let others = handles
            .into_iter()
            .map(|handle| handle.join().expect("a worker thread panicked"))
            .collect::<Vec<_>>();
        own.and_then(|()| others.into_iter().collect())
    })
}

/// `work` on each item, the items taken in turn by `threads` threads (for items of unequal cost,
/// such as segments), the results in the order of the items.
pub(crate) fn map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.min(items.len());
    if threads <= 1 {
        return items.iter().map(work).collect();
    }
    let next = AtomicUsize::new(0);
    let take_in_turn = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, work(item)));
        }
    };
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads).map(|_| scope.spawn(take_in_turn)).collect();
        // The calling thread takes items too: one thread fewer to start.
        let mut done = take_in_turn();
        for handle in handles {
            done.extend(handle.join().expect("a worker thread panicked"));
        }
        done
    });
    done.sort_unstable_by_key(|&(i, _)| i);
    done.into_iter().map(|(_, result)| result).collect()
}

/// `work(i)` for each `i` in `0..count`, on `threads` threads taking them in turn, and `each` on
/// the calling thread with every result in the order of `i`, as soon as it and those before it
/// are done. The threads work at most `ahead` items past the last one handed on, so memory stays
/// that of a few results however slow `each` is (a pipe to a pager). The first error of `each`
/// stops the work and is returned; an error of the work comes to `each` inside its result.
pub(crate) fn ordered<R: Send, E>(
    count: usize,
    threads: usize,
    ahead: usize,
    work: impl Fn(usize) -> R + Sync,
    mut each: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    if threads <= 1 || count <= 1 {
        return (0..count).try_for_each(|i| each(work(i)));
    }
    let ahead = ahead.max(1);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // How many results have been handed on, which the threads wait on to stay within `ahead`.
    let handed = (Mutex::new(0usize), Condvar::new());
    let (done, results) = mpsc::channel::<(usize, R)>();
    std::thread::scope(|scope| {
        for _ in 0..threads.min(count) {
            let done = done.clone();
            let (work, next, stop, handed) = (&work, &next, &stop, &handed);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count || stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let (lock, turn) = handed;
                    let mut passed = lock.lock().unwrap_or_else(|e| e.into_inner());
                    while i >= *passed + ahead && !stop.load(Ordering::Relaxed) {
                        passed = turn.wait(passed).unwrap_or_else(|e| e.into_inner());
                    }
                    drop(passed);
                    if stop.load(Ordering::Relaxed) || done.send((i, work(i))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done);
        // Results that came before those ahead of them, by their item.
        let mut waiting = BTreeMap::new();
        let mut wanted = 0;
        let mut outcome = Ok(());
        for (i, result) in results.iter() {
            waiting.insert(i, result);
            while let Some(result) = waiting.remove(&wanted) {
                wanted += 1;
                outcome = each(result);
                let (lock, turn) = &handed;
                *lock.lock().unwrap_or_else(|e| e.into_inner()) = wanted;
                if outcome.is_err() {
                    stop.store(true, Ordering::Relaxed);
                }
                turn.notify_all();
                if outcome.is_err() {
                    break;
                }
            }
            if outcome.is_err() {
                break;
            }
        }
        // Dropped so that a thread handing on a result stops at once.
        drop(results);
        outcome
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

    /// std's count is the affinity's, lowered by a cgroup quota where one applies: never more.
    #[test]
    fn the_cores_are_the_affinity_std_counts_before_any_quota() {
        let std = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert!(cores() >= std, "{} cores, std says {std}", cores());
        #[cfg(target_os = "linux")]
        {
            // The CPUs listed for this process in /proc, counted apart.
            let status = std::fs::read_to_string("/proc/self/status").unwrap();
            let list = status
                .lines()
                .find_map(|line| line.strip_prefix("Cpus_allowed_list:"))
                .unwrap()
                .trim();
            let listed: usize = list
                .split(',')
                .map(|range| match range.split_once('-') {
                    Some((a, b)) => b.parse::<usize>().unwrap() - a.parse::<usize>().unwrap() + 1,
                    None => 1,
                })
                .sum();
            assert_eq!(cores(), listed, "Cpus_allowed_list: {list}");
        }
    }

    #[test]
    fn map_gives_each_result_in_the_order_of_the_items() {
        // Early items are slow, so that the threads finish them out of order.
        let items: Vec<u64> = (0..100).collect();
        let squares = map(&items, 3, |&i| {
            if i % 10 == 0 {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            i * i
        });
        assert_eq!(squares, items.iter().map(|i| i * i).collect::<Vec<_>>());
        assert_eq!(map(&items[..1], 3, |&i| i + 1), [1]);
        assert!(map(&items[..0], 3, |&i| i).is_empty());
    }

    #[test]
    fn ordered_hands_on_every_result_in_order_within_its_window() {
        // Early items are slow, so that later ones finish first and must wait their turn.
        let running = AtomicUsize::new(0);
        let most_ahead = AtomicUsize::new(0);
        let handed = AtomicUsize::new(0);
        let mut seen = Vec::new();
        ordered(
            200,
            3,
            4,
            |i| {
                let ahead = i - handed.load(Ordering::SeqCst);
                most_ahead.fetch_max(ahead, Ordering::SeqCst);
                running.fetch_add(1, Ordering::SeqCst);
                if i % 7 == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
                i * 10
            },
            |r| -> Result<(), ()> {
                seen.push(r);
                handed.fetch_add(1, Ordering::SeqCst);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, (0..200).map(|i| i * 10).collect::<Vec<_>>());
        assert_eq!(running.load(Ordering::SeqCst), 200);
        assert!(most_ahead.load(Ordering::SeqCst) < 4);
    }

    #[test]
    fn ordered_stops_at_the_first_error_of_what_it_hands_on() {
        let worked = AtomicUsize::new(0);
        let mut seen = Vec::new();
        let outcome = ordered(
            10_000,
            2,
            8,
            |i| {
                worked.fetch_add(1, Ordering::SeqCst);
                i
            },
            |i| {
                seen.push(i);
                if i == 5 { Err(i) } else { Ok(()) }
            },
        );
        assert_eq!(outcome, Err(5));
        assert_eq!(seen, [0, 1, 2, 3, 4, 5]);
        // Within the window past the failing item, not the whole of it.
        assert!(worked.load(Ordering::SeqCst) <= 5 + 1 + 8 + 2);
    }

    #[test]
    fn few_units_take_one_thread() {
        assert_eq!(threads(10, 2_000), 1);
        assert!(threads(5_000, 2_000) >= 1);
    }
}

//! A bound on the paragraphs waiting for the index writer's threads.
//!
//! tantivy's writer queues up to 10,000 batches. A file is one batch (see `crate::store::schema`), so
//! without a bound of our own a whole corpus of small files could wait in memory while the
//! threads tokenize. Each queued paragraph holds its share of the backlog, its weight, until the
//! writer has indexed it and drops it. The weight is its text's size and a little more: a bound
//! on the count alone let 10,000 paragraphs of 20,000 characters (a file without line ends) wait
//! at once.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use tantivy::TantivyDocument;
use tantivy::schema::document::Document;

/// The weight of the paragraphs that may wait for the writer's threads; one batch heavier than
/// this goes alone.
pub const BACKLOG_BYTES: usize = 4 * 1024 * 1024;
/// What a paragraph weighs beyond its text: its other fields, its views.
pub const PARAGRAPH_WEIGHT: usize = 300;

/// How long to wait for the writer's threads before asking whether they are still alive.
const PATIENCE: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub struct Backlog {
    waiting: Mutex<Waiting>,
    drained: Condvar,
    limit: usize,
}

/// The weight admitted and not yet dropped, and the weight at or below which the thread waiting
/// to admit a batch can go on. A paragraph dropped wakes that thread only once it can: a wake-up
/// (a system call) for each of a million paragraphs dropped was a twelfth of an indexing run.
#[derive(Debug, Default)]
struct Waiting {
    weight: usize,
    wake_at: Option<usize>,
}

/// A paragraph on its way to the writer, holding its slot of the backlog.
#[derive(Debug)]
pub struct Queued {
    doc: TantivyDocument,
    _slot: Slot,
}

/// A paragraph's share of the backlog: its weight.
#[derive(Debug)]
struct Slot(Arc<Backlog>, usize);

impl Drop for Slot {
    fn drop(&mut self) {
        let mut waiting = self.0.lock();
        waiting.weight -= self.1;
        if waiting.wake_at.is_some_and(|at| waiting.weight <= at) {
            waiting.wake_at = None;
            self.0.drained.notify_all();
        }
    }
}

impl Backlog {
    pub fn new(limit: usize) -> Arc<Backlog> {
        Arc::new(Backlog {
            waiting: Mutex::new(Waiting::default()),
            drained: Condvar::new(),
            limit,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Waiting> {
        // The count stays right even if a thread panicked while holding the lock.
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until `docs`, each with its weight, fit in the backlog, or the backlog is empty, and
    /// gives them their slots. `alive` is asked whenever the writer has taken nothing for a
    /// while: its error ends the wait, so that dead writer threads cannot hang the run.
    pub fn admit<E>(
        self: &Arc<Self>,
        docs: Vec<(TantivyDocument, usize)>,
        mut alive: impl FnMut() -> Result<(), E>,
    ) -> Result<Vec<Queued>, E> {
        let weight: usize = docs.iter().map(|(_, w)| w).sum();
        let mut waiting = self.lock();
        while waiting.weight > 0 && waiting.weight + weight > self.limit {
            // Room for the batch, or an empty backlog for a batch heavier than the bound.
            waiting.wake_at = Some(self.limit.saturating_sub(weight));
            let before = waiting.weight;
            waiting = self
                .drained
                .wait_timeout(waiting, PATIENCE)
                .unwrap_or_else(|e| e.into_inner())
                .0;
            if waiting.weight == before {
                drop(waiting);
                alive()?;
                waiting = self.lock();
            }
        }
        waiting.wake_at = None;
        waiting.weight += weight;
        drop(waiting);
        Ok(docs
            .into_iter()
            .map(|(doc, weight)| Queued {
                doc,
                _slot: Slot(Arc::clone(self), weight),
            })
            .collect())
    }

    /// The weight of the paragraphs admitted and not yet dropped by the writer.
    #[cfg(test)]
    fn waiting(&self) -> usize {
        self.lock().weight
    }
}

impl Document for Queued {
    type Value<'a> = <TantivyDocument as Document>::Value<'a>;
    type FieldsValuesIter<'a> = <TantivyDocument as Document>::FieldsValuesIter<'a>;

    fn iter_fields_and_values(&self) -> Self::FieldsValuesIter<'_> {
        self.doc.iter_fields_and_values()
    }

    fn into_tantivy_document(self) -> TantivyDocument {
        self.doc
    }
}

impl Queued {
    /// The first value of `field`, for tests.
    #[cfg(test)]
    fn first_u64(&self, field: tantivy::schema::Field) -> Option<u64> {
        use tantivy::schema::Value;
        self.doc.get_first(field).and_then(|v| v.as_u64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// `n` paragraphs of weight 1.
    fn docs(n: usize) -> Vec<(TantivyDocument, usize)> {
        (0..n).map(|_| (TantivyDocument::default(), 1)).collect()
    }

    #[test]
    fn slots_are_given_back_when_the_writer_drops_a_paragraph() {
        let backlog = Backlog::new(10);
        let queued = backlog.admit(docs(4), || Ok::<(), ()>(())).unwrap();
        assert_eq!(backlog.waiting(), 4);
        drop(queued);
        assert_eq!(backlog.waiting(), 0);
    }

    #[test]
    fn a_batch_larger_than_the_bound_goes_alone() {
        let backlog = Backlog::new(10);
        let queued = backlog.admit(docs(25), || Ok::<(), ()>(())).unwrap();
        assert_eq!(queued.len(), 25);
        assert_eq!(backlog.waiting(), 25);
    }

    #[test]
    fn admission_waits_for_room() {
        let backlog = Backlog::new(10);
        let first = backlog.admit(docs(8), || Ok::<(), ()>(())).unwrap();
        let taken = Arc::new(AtomicBool::new(false));
        let writer = {
            let taken = Arc::clone(&taken);
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(200));
                taken.store(true, Ordering::SeqCst);
                drop(first);
            })
        };
        let second = backlog.admit(docs(5), || Ok::<(), ()>(())).unwrap();
        // Admitted only once the first batch was being dropped: as soon as enough of it was gone
        // to make room, so the rest of it may still be going when the second is in.
        assert!(taken.load(Ordering::SeqCst));
        writer.join().unwrap();
        assert_eq!(backlog.waiting(), 5);
        drop(second);
    }

    #[test]
    fn a_batch_heavier_than_the_bound_waits_for_an_empty_backlog() {
        let backlog = Backlog::new(10);
        let mut first = backlog.admit(docs(6), || Ok::<(), ()>(())).unwrap();
        let left = Arc::new(std::sync::atomic::AtomicUsize::new(6));
        let writer = {
            let left = Arc::clone(&left);
            std::thread::spawn(move || {
                while let Some(queued) = first.pop() {
                    std::thread::sleep(Duration::from_millis(20));
                    left.fetch_sub(1, Ordering::SeqCst);
                    drop(queued);
                }
            })
        };
        let heavy = backlog.admit(docs(12), || Ok::<(), ()>(())).unwrap();
        assert_eq!(left.load(Ordering::SeqCst), 0);
        writer.join().unwrap();
        assert_eq!(backlog.waiting(), 12);
        drop(heavy);
        assert_eq!(backlog.waiting(), 0);
    }

    #[test]
    fn a_dead_writer_ends_the_wait() {
        let backlog = Backlog::new(10);
        let _stuck = backlog.admit(docs(8), || Ok::<(), ()>(())).unwrap();
        let asked = std::cell::Cell::new(0);
        let result = backlog.admit(docs(5), || {
            asked.set(asked.get() + 1);
            Err("an index writer was killed")
        });
        assert_eq!(result.unwrap_err(), "an index writer was killed");
        assert_eq!(asked.get(), 1);
        assert_eq!(backlog.waiting(), 8);
    }

    #[test]
    fn the_writer_sees_the_paragraph_itself() {
        let mut schema = tantivy::schema::Schema::builder();
        let field = schema.add_u64_field("n", tantivy::schema::STORED);
        let mut doc = TantivyDocument::default();
        doc.add_u64(field, 7);
        let backlog = Backlog::new(10);
        let queued = backlog.admit(vec![(doc, 1)], || Ok::<(), ()>(())).unwrap();
        assert_eq!(queued[0].first_u64(field), Some(7));
        assert_eq!(queued[0].iter_fields_and_values().count(), 1);
    }
}

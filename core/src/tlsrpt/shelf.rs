//! One large buffer kept for whichever thread needs one next.
//!
//! A large report's decompressed JSON and the vector its failure details are read into are each
//! about as large as the report (800 KB for 4,000 details), and the memory a buffer first takes
//! is paid for page by page as it is first written (a page fault per 4 KiB, about 2 µs each on
//! the virtual machines this is measured on). Each decoder and each thread keeps its own spare
//! for the small reports that make up most of a day; a large one kept there served only the
//! next large report on the same thread, so with two workers each faulted in its own. Put on a
//! [`Shelf`] instead, the one buffer serves the next large report on any thread: on the
//! benchmark's 3,000 reports (four large ones) about 200 fewer page faults on average, 400 when
//! the large reports fall to both workers (of about 2,000).
//!
//! A shelf lives as long as the process: what it holds (at most one gzip output of the 20 MiB
//! cap + 1, and one `failure-details` vector of at most 4 MiB) stays allocated after every
//! ingester is gone.

use std::sync::Mutex;

/// At most one item, the largest put since it was last taken.
pub(crate) struct Shelf<T> {
    item: Mutex<Option<T>>,
}

/// From this size in bytes, a spare buffer goes on a shelf rather than to its own thread or
/// decoder: far above any small report's, far below a large one's.
pub(crate) const SHELVED_BYTES: usize = 256 * 1024;

impl<T> Shelf<T> {
    pub(crate) const fn new() -> Shelf<T> {
        Shelf {
            item: Mutex::new(None),
        }
    }

    /// Keeps `item` if the shelf is empty or holds a smaller one (`size` says how large), and
    /// frees the other.
    pub(crate) fn put(&self, item: T, size: impl Fn(&T) -> usize) {
        let mut kept = self.lock();
        let freed = if kept.as_ref().is_none_or(|k| size(k) < size(&item)) {
            kept.replace(item)
        } else {
            Some(item)
        };
        drop(kept);
        drop(freed); // outside the lock: freeing a few MiB takes a while
    }

    /// Takes the item if `fits` says it will do.
    pub(crate) fn take_if(&self, fits: impl FnOnce(&T) -> bool) -> Option<T> {
        let mut kept = self.lock();
        if kept.as_ref().is_some_and(fits) {
            kept.take()
        } else {
            None
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<T>> {
        // Nothing can panic while the lock is held but a caller's `size` or `fits`, which only
        // read the item: a poisoned shelf still holds a whole one.
        self.item.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shelf_keeps_the_largest_until_it_is_taken() {
        let shelf = Shelf::new();
        shelf.put(vec![0u8; 10], Vec::len);
        shelf.put(vec![0u8; 30], Vec::len);
        shelf.put(vec![0u8; 20], Vec::len);
        assert_eq!(shelf.take_if(|v| v.len() >= 40), None);
        assert_eq!(shelf.take_if(|v| v.len() >= 30).map(|v| v.len()), Some(30));
        assert_eq!(shelf.take_if(|_| true), None, "taken");
    }

    #[test]
    fn a_buffer_put_on_one_thread_is_taken_on_another() {
        static SHELF: Shelf<Vec<u8>> = Shelf::new();
        std::thread::spawn(|| SHELF.put(Vec::with_capacity(SHELVED_BYTES), Vec::capacity))
            .join()
            .unwrap();
        let taken = std::thread::spawn(|| SHELF.take_if(|_| true).map(|v| v.capacity()))
            .join()
            .unwrap();
        assert_eq!(taken, Some(SHELVED_BYTES));
    }
}

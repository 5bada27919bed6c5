//! The binary's global allocator: mimalloc, tuned to give freed memory back at once.
//!
//! Why: `stslens report` parses thousands of small reports, each a few hundred short-lived
//! allocations (the JSON tree, the strings of the model), on one thread per core. With glibc's
//! malloc, allocating and freeing was a sixth of all the instructions the command ran (callgrind
//! on the benchmark's 3,000 reports) and mimalloc runs the same work in 12 % fewer instructions
//! and about a fifth less time (median of 10 runs).
//!
//! Why tuned: by default mimalloc keeps freed pages committed for 10 ms and commits its arenas
//! eagerly, so after a few 20 MiB reports (the per-report cap) on several threads the process
//! held over 140 MiB, where glibc held about 50 MiB (web/tests/cli_hostile.rs bounds it at
//! 128 MiB). Purging at once and committing arenas on demand, set here, brings it to about
//! 80 MiB (about 60 MiB when set by environment variables instead, as the first arena is made
//! before `main` runs), at no measured cost on small reports.
//!
//! Why no transparent huge pages: mimalloc asks the kernel for them on its 1 GiB arena
//! (`madvise(MADV_HUGEPAGE)`, before `main` runs, so its `allow_thp` option set here would come
//! too late). With purging at once, every page handed back and touched again then costs zeroing a
//! whole 2 MiB page: on the benchmark's 3,000 reports the kernel's `clear_page` was 23 % of all
//! samples. Two things stop it. The crate's `no_thp` feature (web/Cargo.toml) compiles that
//! `madvise` out; and turning THP off for the process (`PR_SET_THP_DISABLE`, checked at each page
//! fault) covers a system whose THP setting is `always`. The prctl alone was not enough on the
//! kernel here (6.x): huge-page zeroing stayed at about 10 % of the samples on two threads until
//! the `madvise` went too, and the run's wall time fell from about 77 to 68 ms (`perf stat -r 20`).
//! Before either, the prctl had cut CPU time by about a sixth (133 -> 110 ms task-clock) and the
//! hostile suite's peak RSS from 84 to 65 MiB.

use libmimalloc_sys::{mi_option_set, mi_option_t};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_arena_eager_commit` in `mi_option_e` (include/mimalloc.h, the same in v2 and v3); the
/// crate does not export these constants, as their values may change between versions.
const ARENA_EAGER_COMMIT: mi_option_t = 4;
/// `mi_option_purge_delay`, in milliseconds; 0 purges freed memory at once.
const PURGE_DELAY: mi_option_t = 15;

/// Sets the options; called first thing in `main`, before the work allocates.
pub fn configure() {
    // SAFETY: mi_option_set is not thread-safe; this runs on the main thread before any other
    // thread is started.
    unsafe {
        mi_option_set(PURGE_DELAY, 0);
        mi_option_set(ARENA_EAGER_COMMIT, 0);
    }
    // SAFETY: prctl with PR_SET_THP_DISABLE takes plain integers and touches no memory of ours.
    // If the kernel refuses (an old one, or a sandbox), huge pages stay allowed: only slower.
    #[cfg(target_os = "linux")]
    let _ = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
}

//! The binary's global allocator: mimalloc, tuned to give freed memory back at once.
//!
//! Why: `stslens report` parses thousands of small reports, each a few hundred short-lived
//! allocations (the JSON tree, the strings of the model), on one thread per core. With glibc's
//! malloc, allocating and freeing was a sixth of all the instructions the command ran (callgrind
//! on the benchmark's 3,000 reports) and mimalloc runs the same work in 12 % fewer instructions
//! and about a fifth less time (median of 10 runs).
//!
//! Why tuned: by default mimalloc commits its arenas eagerly, so after a few 20 MiB reports (the
//! per-report cap) on several threads the process held over 140 MiB, where glibc held about
//! 50 MiB (web/tests/cli_hostile.rs bounds it at 128 MiB). Committing arenas on demand, set
//! here, fixes that.
//!
//! Why a 50 ms purge delay: freed pages stay committed that long before they go back to the
//! system (mimalloc v3, the one built here, defaults to 1,000 ms), so the memory one report frees
//! is reused by the next ones without faulting its pages in again. Purging at once (0), as this
//! file first did, cost a page fault for about every 4 KiB of every report's model: on the
//! benchmark's 3,000 reports 6,300 faults against 4,400, and about 8 % more wall and CPU time
//! (interleaved A/B runs, 25 to 30 each, medians; 10 ms gained about half of that). The price is
//! memory: the hostile suite's peak RSS is 68 to 95 MiB over several runs (61 to 69 when purging
//! at once; web/tests/cli_hostile.rs bounds it at 128 MiB), and about 20 against 16 MiB on the
//! benchmark's files, the same on 24,000 files: it follows the retention window, not the file
//! count. v3 has one delay for everything (`purge_delay` times `arena_purge_mult`, whose v3
//! default is already 1; it is pinned to 1 here so a v2 build, default 10, behaves the same).
//! What keeps the bombs' memory down is each decoder keeping its largest buffer
//! (core/src/tlsrpt/gzip.rs), not the multiplier: runs with and without it differed by noise.
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
/// How long freed memory stays committed (see the module documentation).
const PURGE_AFTER_MS: std::ffi::c_long = 50;
/// `mi_option_arena_purge_mult`: the purge delay of whole arena blocks, as a multiple of
/// [`PURGE_DELAY`]'s.
const ARENA_PURGE_MULT: mi_option_t = 24;

/// Sets the options; called first thing in `main`, before the work allocates.
pub fn configure() {
    // SAFETY: mi_option_set is not thread-safe; this runs on the main thread before any other
    // thread is started.
    unsafe {
        mi_option_set(PURGE_DELAY, PURGE_AFTER_MS);
        mi_option_set(ARENA_PURGE_MULT, 1);
        mi_option_set(ARENA_EAGER_COMMIT, 0);
    }
    // SAFETY: prctl with PR_SET_THP_DISABLE takes plain integers and touches no memory of ours.
    // If the kernel refuses (an old one, or a sandbox), huge pages stay allowed: only slower.
    #[cfg(target_os = "linux")]
    let _ = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
}

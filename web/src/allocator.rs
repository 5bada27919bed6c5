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
//! at once), and about 20 against 16 MiB on the
//! benchmark's files, the same on 24,000 files: it follows the retention window, not the file
//! count. v3 has one delay for everything (`purge_delay` times `arena_purge_mult`, whose v3
//! default is already 1; it is pinned to 1 here so a v2 build, default 10, behaves the same).
//! What keeps the bombs' memory down is each decoder keeping its largest buffer
//! (core/src/tlsrpt/gzip.rs), not the multiplier: runs with and without it differed by noise.
//!
//! Why no transparent huge pages: mimalloc asks the kernel for them on its 1 GiB arena
//! (`madvise(MADV_HUGEPAGE)`, before `main` runs, so its `allow_thp` option set here would come
//! too late). The crate's `no_thp` feature (web/Cargo.toml) compiles that `madvise` out, and
//! `PR_SET_THP_DISABLE` below covers a system whose THP setting is `always`. Huge pages were on
//! for a while (2026-12-04): runs of stslens back to back then showed about 300 page faults
//! instead of 3,400 and a seventh less time. But a run after other work is the common case (a
//! cron job, the benchmark running parsedmarc between its runs), and there each fresh 2 MiB page
//! cost far more than the 512 small faults it saves: on this project's virtual machines, which
//! hand freed memory back to the host (virtio-balloon free page reporting, in blocks of 2 MiB and
//! up), a huge page was 4 to 5 ms to fault in where 512 small ones took 0.65 ms (a C loop
//! touching 64 MiB). With parsedmarc run before each, stslens on the benchmark's files took a
//! median 47.7 ms with huge pages and 28.1 ms without (77 against 46 ms of CPU; 15 runs each,
//! 2026-12-05); back to back, huge pages were still about 1 ms ahead. Peak RSS is also lower
//! without them: about 18 against 31 MiB on the benchmark.
//!
//! Before the 50 ms delay above, huge pages cost even when runs were back to back: purged pages
//! touched again each cost zeroing 2 MiB (`clear_page` was 23 % of the samples), and the prctl
//! alone left that at about a tenth on two threads until the `madvise` went too.

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

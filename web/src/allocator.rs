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
//! 50 MiB (web/tests/cli_hostile.rs bounds it, now at 160 MiB). Committing arenas on demand, set
//! here, fixes that.
//!
//! Why a 50 ms purge delay: freed pages stay committed that long before they go back to the
//! system (mimalloc v3, the one built here, defaults to 1,000 ms), so the memory one report frees
//! is reused by the next ones without faulting its pages in again. Purging at once (0), as this
//! file first did, cost a page fault for about every 4 KiB of every report's model: on the
//! benchmark's 3,000 reports 6,300 faults against 4,400, and about 8 % more wall and CPU time
//! (interleaved A/B runs, 25 to 30 each, medians; 10 ms gained about half of that). The price is
//! memory: the hostile suite's peak RSS is 68 to 95 MiB over several runs (61 to 69 when purging
//! at once; before huge pages, below), and about 20 against 16 MiB on the
//! benchmark's files, the same on 24,000 files: it follows the retention window, not the file
//! count. v3 has one delay for everything (`purge_delay` times `arena_purge_mult`, whose v3
//! default is already 1; it is pinned to 1 here so a v2 build, default 10, behaves the same).
//! What keeps the bombs' memory down is each decoder keeping its largest buffer
//! (core/src/tlsrpt/gzip.rs), not the multiplier: runs with and without it differed by noise.
//!
//! Why transparent huge pages: mimalloc asks the kernel for them on its 1 GiB arena
//! (`madvise(MADV_HUGEPAGE)`, before `main` runs), and we let it. A fresh 4 KiB page costs a
//! fault of its own, and on the benchmark's 3,000 reports (three of them 800 KB of JSON) the
//! faults were an eighth of all CPU time: about 3,400 of them, most in the parsing of the large
//! reports. With huge pages about 300 are left; CPU time fell from 47.8 to 44.9 ms and wall time
//! from 28.1 to 25.6 ms (medians of 15 interleaved runs, 2026-12-04), and the kernel's teardown
//! at exit halved. The price is memory in 2 MiB steps: peak RSS on the benchmark 27 to 37 MiB
//! (was 22), and on the hostile suite's bombs 90 to 129 MiB (was 85 to 106);
//! web/tests/cli_hostile.rs bounds that at 160 MiB, still far below the 500+ MiB the bombs inflate to.
//! An earlier version turned huge pages off (the `no_thp` feature and `PR_SET_THP_DISABLE`),
//! rightly then: it purged freed memory at once, and every page handed back and touched again
//! cost zeroing a whole 2 MiB page (`clear_page` was 23 % of the samples). With the 50 ms
//! delay above, freed memory is reused instead, so that cost is gone. On a system whose THP
//! setting is `never`, nothing changes.

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
}

//! Reading the report files a worker claimed, several at a time.
//!
//! Why: `stslens report` is often given thousands of small files (a day's reports are a few
//! hundred bytes each), and reading each through `open`, `read` (twice: the second sees the end)
//! and `close` is four system calls, each of which costs more on entry and exit than the work
//! it asks for. On Linux, [`Files`] therefore hands the kernel a group of files at a time
//! through io_uring, in three submissions for the whole group: open each file into a slot of
//! the ring's own file table and read it; read on (which for a small file sees its end) and
//! close the files that ended; close those that ended then. A file with more left is read on at
//! its turn, alone, until a read gives zero bytes, so that pipes and FIFOs (`<(zcat …)`) read
//! exactly as through `read` (every read uses the file position, never an offset) and only one
//! large file at a time is held whole. On the benchmark's 3,000 files that is 650
//! `io_uring_enter` calls instead of 12,000 calls, and the command's median wall time went from
//! 34.4 to 32.3 ms and its CPU time from 57.0 to 52.9 ms (60 interleaved runs each, 2026-12-07).
//!
//! Where io_uring cannot be set up (not Linux, a kernel older than 5.19, `io_uring_disabled`,
//! a seccomp filter such as a container's), every file is read with plain `read`, as is stdin
//! (`-`) always. Both ways give the same bytes and the same errors (the same `errno`), so
//! nothing else depends on which is used; the tests compare them.

use std::io::{self, Read};
use std::ops::ControlFlow;

/// How many files one group holds: the slots of the ring's file table and the buffers kept.
/// Each buffer keeps what its largest file needed, so a worker holds this many times a
/// typical report file (16 KiB at first, only the pages written are ever touched).
const GROUP: usize = 16;

/// What a buffer holds at first, and how much it grows by at least.
const FIRST_ROOM: usize = 16 * 1024;

/// A buffer larger than this once its file was used is freed rather than kept, so that a group
/// of large files does not keep a group's worth of large buffers. Files this large are rare, and
/// reading one costs far more than allocating its buffer.
const KEEP_BYTES: usize = 256 * 1024;

/// A worker's file reader: the io_uring ring if there is one, and a buffer per file of a group.
pub struct Files {
    buffers: Vec<Vec<u8>>,
    #[cfg(target_os = "linux")]
    ring: Option<ring::Ring>,
}

impl Files {
    /// A reader that uses io_uring where the system offers it.
    pub fn new() -> Files {
        Files {
            buffers: Vec::new(),
            #[cfg(target_os = "linux")]
            ring: ring::Ring::new(GROUP),
        }
    }

    /// A reader that never uses io_uring (for tests, to compare both ways).
    #[cfg(test)]
    fn plain() -> Files {
        Files {
            buffers: Vec::new(),
            #[cfg(target_os = "linux")]
            ring: None,
        }
    }

    /// Reads every file of `files` (a path, or `-` for stdin) and calls `each` with its index
    /// in `files` and its content or why it could not be read, in order. Stops when `each`
    /// breaks.
    pub fn read_each<S: AsRef<str>>(
        &mut self,
        files: &[S],
        mut each: impl FnMut(usize, io::Result<&[u8]>) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        if self.buffers.is_empty() {
            self.buffers.push(Vec::new());
        }
        for (g, group) in files.chunks(GROUP).enumerate() {
            let first = g * GROUP;
            #[cfg(target_os = "linux")]
            if let Some(ring) = &mut self.ring {
                self.buffers.resize_with(GROUP, Vec::new);
                let outcomes = ring.read_group(group, &mut self.buffers);
                let mut outcomes = outcomes.into_iter().enumerate();
                while let Some((i, outcome)) = outcomes.next() {
                    let buffer = &mut self.buffers[i];
                    let content = match outcome {
                        ring::Outcome::Read => Ok(buffer.len()),
                        ring::Outcome::Pending => ring.finish(i, buffer).map(|()| buffer.len()),
                        ring::Outcome::Failed(e) => Err(e),
                        ring::Outcome::Stdin => read_plain(group[i].as_ref(), buffer),
                    };
                    let flow = each(first + i, content.map(|n| &buffer[..n]));
                    if buffer.capacity() > KEEP_BYTES {
                        *buffer = Vec::new();
                    }
                    if flow.is_break() {
                        for (i, outcome) in outcomes {
                            if let ring::Outcome::Pending = outcome {
                                ring.close(i);
                            }
                        }
                        return flow;
                    }
                }
                continue;
            }
            for (i, file) in group.iter().enumerate() {
                let buffer = &mut self.buffers[0];
                let content = read_plain(file.as_ref(), buffer).map(|n| &buffer[..n]);
                each(first + i, content)?;
            }
        }
        ControlFlow::Continue(())
    }
}

/// Reads one input (a file, or stdin for `-`) into `buffer` with `read`; returns how many bytes
/// it holds.
fn read_plain(file: &str, buffer: &mut Vec<u8>) -> io::Result<usize> {
    if file == "-" {
        read_all(&mut io::stdin().lock(), buffer)
    } else {
        std::fs::File::open(file).and_then(|mut f| read_all(&mut f, buffer))
    }
}

/// Reads `input` to its end into `buffer` and returns how many bytes it holds. The buffer stays
/// initialised and only grows, and no size is asked for first: `read_to_end` on a file adds a
/// `statx` and an `lseek` per file, a third of the system calls when reading thousands of small
/// reports.
fn read_all(input: &mut impl Read, buffer: &mut Vec<u8>) -> io::Result<usize> {
    let mut n = 0;
    loop {
        if n == buffer.len() {
            buffer.resize((n * 2).max(FIRST_ROOM), 0);
        }
        match input.read(&mut buffer[n..]) {
            Ok(0) => return Ok(n),
            Ok(got) => n += got,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

#[cfg(target_os = "linux")]
mod ring {
    //! The io_uring path. All of its `unsafe` is here: the kernel writes into the buffers and
    //! reads the file names while operations are in flight, so no function here returns, grows
    //! a buffer or drops a name while one of its operations is.

    use super::FIRST_ROOM;
    use io_uring::{IoUring, opcode, squeue, types};
    use std::ffi::CString;
    use std::io;
    use std::os::unix::ffi::OsStrExt;

    /// What became of one file of a group.
    #[derive(Debug)]
    pub enum Outcome {
        /// Read to its end: its buffer holds it.
        Read,
        /// Open in its slot with more to read: [`Ring::finish`] reads the rest.
        Pending,
        /// Could not be opened or read.
        Failed(io::Error),
        /// `-`: to be read from stdin by the caller, in its turn.
        Stdin,
    }

    /// An operation's kind, in the low bits of its `user_data` (the file's slot above them).
    const OPEN: u64 = 0;
    const READ: u64 = 1;
    const CLOSE: u64 = 2;

    /// Where one file of the group is.
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    enum State {
        /// Open in its slot; the last read gave bytes, so there may be more.
        Open,
        /// Open in its slot, read to its end or failed: to be closed.
        Ended,
        /// Its slot is free (closed, or it never opened).
        Closed,
    }

    pub struct Ring {
        ring: IoUring,
        group: usize,
    }

    impl Ring {
        /// A ring of `group` file slots, or `None` where the kernel does not offer what it needs
        /// (io_uring itself, a sparse file table and opening into a slot: Linux 5.19).
        pub fn new(group: usize) -> Option<Ring> {
            let entries = u32::try_from(group * 2).ok()?.next_power_of_two();
            // Without the submission queue's index array (Linux 6.6): a ring with one makes the
            // first such ring in the system switch a kernel static key, which patches kernel
            // code on every CPU, about 1 ms (2 % of the benchmark's CPU time). One thread uses
            // the ring and always waits for its completions, which the other two flags let the
            // kernel rely on (6.1). Older kernels refuse them: then a ring without them.
            let ring = IoUring::builder()
                .setup_no_sqarray()
                .setup_single_issuer()
                .setup_defer_taskrun()
                .build(entries)
                .or_else(|_| IoUring::builder().build(entries))
                .ok()?;
            let slots = u32::try_from(group).ok()?;
            ring.submitter().register_files_sparse(slots).ok()?;
            let mut probe = io_uring::Probe::new();
            ring.submitter().register_probe(&mut probe).ok()?;
            let ops = [
                opcode::OpenAt::CODE,
                opcode::Read::CODE,
                opcode::Close::CODE,
            ];
            ops.iter()
                .all(|&op| probe.is_supported(op))
                .then_some(Ring { ring, group })
        }

        /// Opens and reads the files of a group (at most the ring's size) into `buffers[i]`,
        /// whose length is then what was read. Three rounds for all files at once: open and
        /// read; read on (which for most files sees the end) and close those that ended; close
        /// those that ended then. Files with more left stay open ([`Outcome::Pending`]), so
        /// that only one large file at a time is read whole, at its turn. Stdin is left to the
        /// caller.
        pub fn read_group<S: AsRef<str>>(
            &mut self,
            files: &[S],
            buffers: &mut [Vec<u8>],
        ) -> Vec<Outcome> {
            assert!(files.len() <= self.group && buffers.len() >= files.len());
            let mut outcomes = Vec::with_capacity(files.len());
            let mut states = vec![State::Closed; files.len()];
            // The names the kernel reads while the first round is in flight.
            let mut names = Vec::with_capacity(files.len());
            for (i, file) in files.iter().enumerate() {
                let file = file.as_ref();
                buffers[i].clear();
                if file == "-" {
                    outcomes.push(Outcome::Stdin);
                    continue;
                }
                match CString::new(std::ffi::OsStr::new(file).as_bytes()) {
                    Ok(name) => {
                        names.push((i, name));
                        outcomes.push(Outcome::Read);
                        states[i] = State::Open;
                    }
                    // What `File::open` says of such a name.
                    Err(_) => outcomes.push(Outcome::Failed(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        "file name contained an unexpected NUL byte",
                    ))),
                }
            }

            let mut ops = Vec::with_capacity(files.len() * 2);
            for (i, name) in &names {
                let slot = types::DestinationSlot::try_from_slot_target(*i as u32)
                    .expect("slot numbers are small");
                let open = opcode::OpenAt::new(types::Fd(libc::AT_FDCWD), name.as_ptr())
                    .flags(libc::O_RDONLY)
                    .file_index(Some(slot))
                    .build()
                    .flags(squeue::Flags::IO_LINK) // the read starts once the file is open
                    .user_data(tag(*i, OPEN));
                ops.push(open);
                ops.push(read_op(*i, &mut buffers[*i]));
            }
            // The read linked to an open that failed comes back cancelled: the open's error is
            // the one kept, in whichever order the two arrive.
            let mut open_failed = vec![false; files.len()];
            self.run(&ops, |i, op, result| match (op, result) {
                (OPEN, Err(e)) => {
                    open_failed[i] = true;
                    states[i] = State::Closed;
                    outcomes[i] = Outcome::Failed(e);
                }
                (READ, result) if !open_failed[i] => {
                    read_done(result, &mut buffers[i], &mut states[i], &mut outcomes[i])
                }
                _ => {}
            });
            drop(names);

            self.round(&mut states, buffers, &mut outcomes, true);
            self.round(&mut states, buffers, &mut outcomes, false);
            for (outcome, state) in outcomes.iter_mut().zip(&states) {
                if *state == State::Open {
                    *outcome = Outcome::Pending;
                }
            }
            outcomes
        }

        /// One round over a group: closes the files that ended and, if `read`, reads on in
        /// those still open.
        fn round(
            &mut self,
            states: &mut [State],
            buffers: &mut [Vec<u8>],
            outcomes: &mut [Outcome],
            read: bool,
        ) {
            let mut ops = Vec::with_capacity(states.len());
            for (i, state) in states.iter_mut().enumerate() {
                match state {
                    State::Open if read => ops.push(read_op(i, &mut buffers[i])),
                    State::Ended => {
                        ops.push(close_op(i));
                        *state = State::Closed;
                    }
                    State::Open | State::Closed => {}
                }
            }
            if ops.is_empty() {
                return;
            }
            // A failed close of a file only read changes nothing: `File`'s drop ignores it too.
            self.run(&ops, |i, op, result| {
                if op == READ {
                    read_done(result, &mut buffers[i], &mut states[i], &mut outcomes[i]);
                }
            });
        }

        /// Reads the rest of the [`Outcome::Pending`] file in slot `i` of the last group into
        /// `buffer` (which holds what was read of it), then closes it.
        pub fn finish(&mut self, i: usize, buffer: &mut Vec<u8>) -> io::Result<()> {
            let mut state = State::Open;
            let mut outcome = Outcome::Read;
            while state == State::Open {
                let op = read_op(i, buffer);
                self.run(&[op], |_, _, result| {
                    read_done(result, buffer, &mut state, &mut outcome)
                });
            }
            self.close(i);
            match outcome {
                Outcome::Failed(e) => Err(e),
                _ => Ok(()),
            }
        }

        /// Closes the [`Outcome::Pending`] file in slot `i` without reading the rest.
        pub fn close(&mut self, i: usize) {
            self.run(&[close_op(i)], |_, _, _| {});
        }

        /// Submits `ops` and waits until every one has completed, calling `done` with each
        /// one's slot, kind and result (bytes, or the error).
        ///
        /// Never returns while one is in flight, as the kernel may still write into a buffer
        /// or read a name. If the ring itself fails for good (never expected: the queues hold a
        /// whole group, and a short-lived lack of memory is waited out), the process aborts
        /// rather than free memory the kernel may still write to.
        fn run(
            &mut self,
            ops: &[squeue::Entry],
            mut done: impl FnMut(usize, u64, io::Result<usize>),
        ) {
            // SAFETY: every entry points into a buffer or a name that outlives this call (the
            // callers keep them until it returns), and every entry is waited for below.
            let pushed = unsafe { self.ring.submission().push_multiple(ops) };
            pushed.expect("the submission queue holds a whole group");
            let mut left = ops.len();
            while left > 0 {
                match self.ring.submit_and_wait(left) {
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    // The kernel is short of memory for a moment: try again.
                    Err(e)
                        if matches!(
                            e.kind(),
                            io::ErrorKind::WouldBlock | io::ErrorKind::ResourceBusy
                        ) =>
                    {
                        std::thread::yield_now()
                    }
                    Err(e) => {
                        eprintln!("stslens: io_uring failed while reading files: {e}");
                        std::process::abort();
                    }
                }
                for cqe in self.ring.completion() {
                    left -= 1;
                    let (i, op) = untag(cqe.user_data());
                    let result = match cqe.result() {
                        n if n >= 0 => Ok(n as usize),
                        e => Err(io::Error::from_raw_os_error(-e)),
                    };
                    done(i, op, result);
                }
            }
        }
    }

    /// A read into `buffer`'s spare room from the file's position (as `read` reads), growing
    /// the buffer first when it is full. Only the pages the kernel writes are ever touched.
    fn read_op(i: usize, buffer: &mut Vec<u8>) -> squeue::Entry {
        if buffer.len() == buffer.capacity() {
            buffer.reserve(buffer.len().max(FIRST_ROOM));
        }
        let room = buffer.spare_capacity_mut();
        let len = u32::try_from(room.len()).unwrap_or(u32::MAX);
        opcode::Read::new(types::Fixed(i as u32), room.as_mut_ptr().cast(), len)
            .offset(u64::MAX) // -1: the file position
            .build()
            .user_data(tag(i, READ))
    }

    fn close_op(i: usize) -> squeue::Entry {
        opcode::Close::new(types::Fixed(i as u32))
            .build()
            .user_data(tag(i, CLOSE))
    }

    /// Records a read's result: bytes added to the buffer, the end, or an error.
    fn read_done(
        result: io::Result<usize>,
        buffer: &mut Vec<u8>,
        state: &mut State,
        outcome: &mut Outcome,
    ) {
        match result {
            Ok(0) => *state = State::Ended,
            // SAFETY: the kernel wrote `n` bytes at the start of the spare room the read was
            // given (see `read_op`), so they are initialised.
            Ok(n) => unsafe { buffer.set_len(buffer.len() + n) },
            // Read again, as `read_all` does.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                *state = State::Ended;
                *outcome = Outcome::Failed(e);
            }
        }
    }

    fn tag(slot: usize, op: u64) -> u64 {
        (slot as u64) << 2 | op
    }

    fn untag(data: u64) -> (usize, u64) {
        ((data >> 2) as usize, data & 3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A fresh directory for one test, removed when dropped.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let dir =
                std::env::temp_dir().join(format!("stslens-files-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }

        fn file(&self, name: &str, bytes: &[u8]) -> String {
            let path = self.0.join(name);
            std::fs::write(&path, bytes).unwrap();
            path.to_string_lossy().into_owned()
        }

        fn path(&self, name: &str) -> String {
            self.0.join(name).to_string_lossy().into_owned()
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn pattern(len: usize, seed: usize) -> Vec<u8> {
        (0..len)
            .map(|i| ((i * 31 + seed * 7) % 251) as u8)
            .collect()
    }

    /// What reading gave, in a form that compares: the bytes, or the error's kind, `errno` and
    /// message.
    type Read = Result<Vec<u8>, (io::ErrorKind, Option<i32>, String)>;

    fn read_with(files: &mut Files, names: &[String]) -> Vec<Read> {
        let mut got = Vec::new();
        let flow = files.read_each(names, |i, content| {
            assert_eq!(i, got.len(), "in order");
            got.push(
                content
                    .map(|c| c.to_vec())
                    .map_err(|e| (e.kind(), e.raw_os_error(), e.to_string())),
            );
            ControlFlow::Continue(())
        });
        assert!(flow.is_continue());
        got
    }

    fn uses_the_ring(files: &Files) -> bool {
        #[cfg(target_os = "linux")]
        return files.ring.is_some();
        #[cfg(not(target_os = "linux"))]
        false
    }

    #[test]
    fn both_ways_read_the_same_bytes_and_the_same_errors() {
        let dir = Scratch::new("same");
        let sizes = [
            0,
            1,
            383,
            FIRST_ROOM - 1,
            FIRST_ROOM,
            FIRST_ROOM + 1,
            2 * FIRST_ROOM,
            3 * FIRST_ROOM + 5,
            KEEP_BYTES + 1,
            1_000_000,
        ];
        let mut names = Vec::new();
        for (i, &size) in sizes.iter().enumerate() {
            names.push(dir.file(&format!("f{i}"), &pattern(size, i)));
        }
        std::fs::create_dir(dir.path("a-directory")).unwrap();
        names.push(dir.path("a-directory"));
        names.push(dir.path("missing"));
        names.push("nul\0in-name".to_owned());
        // More than a group, with large files in several places.
        let names: Vec<String> = names
            .iter()
            .chain(names.iter().rev())
            .chain(&names)
            .cloned()
            .collect();
        assert!(names.len() > 2 * GROUP);

        let mut ring = Files::new();
        if !uses_the_ring(&ring) {
            eprintln!("no io_uring on this system: only the plain way is tried");
        }
        let expected = read_with(&mut Files::plain(), &names);
        for (name, read) in names.iter().zip(&expected) {
            if let Ok(bytes) = read {
                assert_eq!(bytes.len() as u64, std::fs::metadata(name).unwrap().len());
            }
        }
        assert!(
            expected[sizes.len()]
                .as_ref()
                .is_err_and(|e| e.1 == Some(libc::EISDIR))
        );
        assert!(
            expected[sizes.len() + 1]
                .as_ref()
                .is_err_and(|e| e.1 == Some(libc::ENOENT))
        );
        assert!(
            expected[sizes.len() + 2]
                .as_ref()
                .is_err_and(|e| e.0 == io::ErrorKind::InvalidInput)
        );
        // Twice: the second time with the buffers the first left.
        for _ in 0..2 {
            let got = read_with(&mut ring, &names);
            for (i, (got, expected)) in got.iter().zip(&expected).enumerate() {
                assert!(
                    got == expected,
                    "{}: {:?}",
                    names[i],
                    got.as_ref().map(Vec::len)
                );
            }
        }
    }

    #[test]
    fn a_fifo_is_read_to_its_end_across_short_reads() {
        let dir = Scratch::new("fifo");
        let fifo = dir.path("fifo");
        let c_path = std::ffi::CString::new(fifo.as_bytes()).unwrap();
        // SAFETY: mkfifo takes a NUL-terminated path and a mode.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        let pieces: Vec<Vec<u8>> = (0..3).map(|i| pattern(10_000, i)).collect();
        let writer = {
            let (fifo, pieces) = (fifo.clone(), pieces.clone());
            std::thread::spawn(move || {
                let mut out = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
                for piece in pieces {
                    std::io::Write::write_all(&mut out, &piece).unwrap();
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
            })
        };
        let small = dir.file("small", b"small");
        let names = [small.clone(), fifo, small];
        let got = read_with(&mut Files::new(), &names);
        writer.join().unwrap();
        assert_eq!(got[0], Ok(b"small".to_vec()));
        assert_eq!(got[1], Ok(pieces.concat()));
        assert_eq!(got[2], Ok(b"small".to_vec()));
    }

    #[test]
    fn stopping_in_a_group_leaves_the_reader_usable() {
        let dir = Scratch::new("stop");
        let names: Vec<String> = (0..GROUP + 3)
            .map(|i| {
                dir.file(
                    &format!("f{i}"),
                    &pattern(if i % 3 == 0 { 100_000 } else { 50 }, i),
                )
            })
            .collect();
        let mut files = Files::new();
        let mut seen = 0;
        let flow = files.read_each(&names, |_, content| {
            content.unwrap();
            seen += 1;
            if seen == 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        assert!(flow.is_break());
        assert_eq!(seen, 2);
        let got = read_with(&mut files, &names);
        for (i, got) in got.iter().enumerate() {
            assert_eq!(
                got.as_deref().ok(),
                Some(&std::fs::read(&names[i]).unwrap()[..]),
                "{i}"
            );
        }
    }
}

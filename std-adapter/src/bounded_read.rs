//! Reading a file named from outside with a bound on its size and on how long it may block.
//!
//! Every file the adapter reads because a setting names it — shared config and credentials
//! files, CA bundles, web identity tokens, SSO cache files, `--data-file` — goes through
//! [`read_limited`] (or [`open_limited`] to stream a regular file):
//!
//! * A regular file longer than the bound is refused before it is read (and one that grows while
//!   being read is refused at the bound).
//! * Anything else (a FIFO, `/dev/zero`, `/dev/stdin`, a socket) is opened without blocking, and
//!   each read waits at most [`ReadLimit::wait`] for bytes; reading stops at the bound. So
//!   `/dev/zero` ends at once with [`ReadFailure::TooLarge`], and a FIFO nobody writes to ends
//!   with [`ReadFailure::TimedOut`] instead of blocking forever. A pipe that is being written to
//!   (`<(command)`) is read as long as bytes keep coming.
//! * Directories and missing or unreadable files are I/O errors, as before.
//!
//! Go v1 reads all of these whole and unbounded (see `docs/divergences.md`).
//!
//! The bounds are in [`crate::limits`].

use core::fmt;
use core::time::Duration;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::limits::SPECIAL_FILE_WAIT;

/// How much of a file may be read, and how long a read of a non-regular file may wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimit {
    /// Most bytes read.
    pub max_len: usize,
    /// The name of the constant `max_len` comes from, for messages (`MAX_SHARED_FILE_LEN`).
    pub name: &'static str,
    /// How long a read of a non-regular file may wait for its next bytes.
    pub wait: Duration,
}

impl ReadLimit {
    /// A bound of `max_len` bytes named `name`, with the default [`SPECIAL_FILE_WAIT`].
    pub const fn new(max_len: usize, name: &'static str) -> Self {
        ReadLimit {
            max_len,
            name,
            wait: SPECIAL_FILE_WAIT,
        }
    }

    /// The same bound with another wait.
    pub const fn with_wait(self, wait: Duration) -> Self {
        ReadLimit { wait, ..self }
    }
}

/// Why a bounded read failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadFailure {
    /// The file does not exist.
    NotFound,
    /// The file holds more than the bound.
    TooLarge {
        /// The bound in bytes.
        limit: usize,
        /// The name of the bound's constant.
        name: &'static str,
    },
    /// A non-regular file gave no bytes for this long (a FIFO with no writer, a terminal).
    TimedOut(Duration),
    /// Opening or reading failed otherwise (permissions, a directory, …).
    Io(io::ErrorKind),
}

impl fmt::Display for ReadFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadFailure::NotFound => f.write_str("no such file"),
            ReadFailure::TooLarge { limit, name } => {
                write!(f, "larger than the {limit}-byte limit ({name})")
            }
            ReadFailure::TimedOut(t) => write!(
                f,
                "not a regular file, and nothing could be read from it for {} ms (a FIFO without a writer?)",
                t.as_millis()
            ),
            ReadFailure::Io(kind) => write!(f, "cannot be read ({kind})"),
        }
    }
}

/// A bounded read of one file failed: which file, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReadError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong.
    pub failure: ReadFailure,
}

impl fmt::Display for FileReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.failure)
    }
}

impl core::error::Error for FileReadError {}

fn failure_of(e: &io::Error) -> ReadFailure {
    match e.kind() {
        io::ErrorKind::NotFound => ReadFailure::NotFound,
        io::ErrorKind::TimedOut => ReadFailure::TimedOut(SPECIAL_FILE_WAIT),
        k => ReadFailure::Io(k),
    }
}

/// A file opened by [`open_limited`].
#[derive(Debug)]
pub enum Opened {
    /// A regular file of this many bytes: read it as it is, at any pace.
    Regular(File, u64),
    /// Anything else, read whole within the bound (it may not be readable twice).
    Contents(Vec<u8>),
}

/// Opens `path` without blocking (a FIFO with no writer does not hang the open).
fn open_nonblocking(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let nonblock = rustix::fs::OFlags::NONBLOCK.bits();
        options.custom_flags(i32::try_from(nonblock).unwrap_or(0));
    }
    options.open(path)
}

/// Opens `path`: a regular file of at most `limit.max_len` bytes is returned open (to stream
/// it); anything else is read whole within the bound.
///
/// # Errors
/// [`FileReadError`] naming `path`: missing, unreadable, over the bound, or silent for longer
/// than the wait.
pub fn open_limited(path: &Path, limit: ReadLimit) -> Result<Opened, FileReadError> {
    open_inner(path, limit, true)
}

/// Opens a request body at `path` to stream it: a regular file of any size is returned open;
/// anything else is read whole within `limit` (it could not be read twice, to hash and to send).
///
/// # Errors
/// As [`open_limited`], except that a regular file has no size bound.
pub fn open_body(path: &Path, limit: ReadLimit) -> Result<Opened, FileReadError> {
    open_inner(path, limit, false)
}

fn open_inner(path: &Path, limit: ReadLimit, cap_regular: bool) -> Result<Opened, FileReadError> {
    let err = |failure| FileReadError {
        path: path.to_owned(),
        failure,
    };
    let file = open_nonblocking(path).map_err(|e| err(failure_of(&e)))?;
    let meta = file.metadata().map_err(|e| err(failure_of(&e)))?;
    if meta.is_file() {
        if cap_regular && meta.len() > limit.max_len as u64 {
            return Err(err(ReadFailure::TooLarge {
                limit: limit.max_len,
                name: limit.name,
            }));
        }
        return Ok(Opened::Regular(file, meta.len()));
    }
    let mut out = Vec::new();
    read_special(file, &mut out, limit).map_err(err)?;
    Ok(Opened::Contents(out))
}

/// Reads all of `path`, at most `limit.max_len` bytes.
///
/// # Errors
/// [`FileReadError`] naming `path`: missing, unreadable, over the bound, or (not a regular file)
/// silent for longer than the wait.
pub fn read_limited(path: &Path, limit: ReadLimit) -> Result<Vec<u8>, FileReadError> {
    match open_limited(path, limit)? {
        Opened::Contents(bytes) => Ok(bytes),
        Opened::Regular(file, len) => {
            let mut out = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
            read_regular(file, &mut out, limit).map_err(|failure| FileReadError {
                path: path.to_owned(),
                failure,
            })?;
            Ok(out)
        }
    }
}

/// Reads `path` into `buf` (the bound is `buf.len()`, named `name`); returns the length.
///
/// # Errors
/// As [`read_limited`].
pub fn read_into(path: &Path, buf: &mut [u8], name: &'static str) -> Result<usize, FileReadError> {
    let bytes = read_limited(path, ReadLimit::new(buf.len(), name))?;
    let n = bytes.len();
    match buf.get_mut(..n) {
        Some(dst) => {
            dst.copy_from_slice(&bytes);
            Ok(n)
        }
        None => Err(FileReadError {
            path: path.to_owned(),
            failure: ReadFailure::TooLarge {
                limit: buf.len(),
                name,
            },
        }),
    }
}

/// Reads a regular file to its end, refusing it if it grew past the bound.
fn read_regular(file: File, out: &mut Vec<u8>, limit: ReadLimit) -> Result<(), ReadFailure> {
    file.take(limit.max_len as u64 + 1)
        .read_to_end(out)
        .map_err(|e| failure_of(&e))?;
    if out.len() > limit.max_len {
        return Err(ReadFailure::TooLarge {
            limit: limit.max_len,
            name: limit.name,
        });
    }
    Ok(())
}

/// Reads a non-regular file opened without blocking: each wait for bytes is bounded, and so is
/// the total.
fn read_special(mut file: File, out: &mut Vec<u8>, limit: ReadLimit) -> Result<(), ReadFailure> {
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        wait_readable(&file, limit.wait)?;
        match file.read(&mut chunk) {
            Ok(0) => return Ok(()),
            Ok(n) => {
                if out.len().saturating_add(n) > limit.max_len {
                    return Err(ReadFailure::TooLarge {
                        limit: limit.max_len,
                        name: limit.name,
                    });
                }
                out.extend_from_slice(chunk.get(..n).unwrap_or_default());
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                ) => {}
            Err(e) => return Err(failure_of(&e)),
        }
    }
}

/// Waits until `file` has bytes (or its end, or an error) to read, at most `wait`.
#[cfg(unix)]
fn wait_readable(file: &File, wait: Duration) -> Result<(), ReadFailure> {
    use rustix::event::{poll, PollFd, PollFlags, Timespec};
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ReadFailure::TimedOut(wait));
        }
        let timeout = Timespec {
            tv_sec: i64::try_from(left.as_secs()).unwrap_or(i64::MAX),
            tv_nsec: left.subsec_nanos().into(),
        };
        let mut fds = [PollFd::new(file, PollFlags::IN)];
        match poll(&mut fds, Some(&timeout)) {
            Ok(0) => {}
            Ok(_) => return Ok(()),
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(ReadFailure::Io(io::Error::from(e).kind())),
        }
    }
}

/// Without `poll`, reads block as they would (the size bound still holds).
#[cfg(not(unix))]
fn wait_readable(_file: &File, _wait: Duration) -> Result<(), ReadFailure> {
    let _ = Instant::now;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn regular_files_at_and_over_the_bound() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"12345").unwrap();
        assert_eq!(
            read_limited(&p, ReadLimit::new(5, "FIVE")).unwrap(),
            b"12345"
        );
        let e = read_limited(&p, ReadLimit::new(4, "FOUR")).unwrap_err();
        assert_eq!(
            e.failure,
            ReadFailure::TooLarge {
                limit: 4,
                name: "FOUR"
            }
        );
        assert!(e.to_string().contains("FOUR"), "{e}");
        assert_eq!(
            read_limited(&dir.path().join("missing"), ReadLimit::new(4, "X"))
                .unwrap_err()
                .failure,
            ReadFailure::NotFound
        );
        assert!(matches!(
            read_limited(dir.path(), ReadLimit::new(4, "X"))
                .unwrap_err()
                .failure,
            ReadFailure::Io(_)
        ));
    }

    #[test]
    fn a_fifo_without_a_writer_times_out_and_one_with_a_writer_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        let limit = ReadLimit::new(64, "X").with_wait(Duration::from_millis(200));
        let started = Instant::now();
        let e = read_limited(&fifo, limit).unwrap_err();
        assert_eq!(e.failure, ReadFailure::TimedOut(Duration::from_millis(200)));
        assert!(started.elapsed() < Duration::from_secs(2));
        let writer_path = fifo.clone();
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            std::fs::write(writer_path, b"[default]\n").unwrap();
        });
        let limit = limit.with_wait(Duration::from_secs(5));
        assert_eq!(read_limited(&fifo, limit).unwrap(), b"[default]\n");
        writer.join().unwrap();
    }

    #[test]
    fn devices_stop_at_the_bound() {
        let started = Instant::now();
        let e = read_limited(Path::new("/dev/zero"), ReadLimit::new(1 << 20, "MiB")).unwrap_err();
        assert!(matches!(e.failure, ReadFailure::TooLarge { .. }), "{e}");
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(
            read_limited(Path::new("/dev/null"), ReadLimit::new(4, "X")).unwrap(),
            b""
        );
    }
}

//! Request bodies: bytes in memory or a [`BodySource`] read in pieces, and the bridge to
//! `embedded-io` readers and error kinds.

use core::fmt;

use crate::error_kind::ErrorKind;

/// A request body that is read in pieces and can start over (for retries).
///
/// Implement it for flash regions, files or generators, or wrap any `embedded-io` reader that can
/// seek in [`SeekableBody`]. Errors are reported as a platform [`ErrorKind`].
pub trait BodySource {
    /// Total length in bytes (sent as `Content-Length`).
    fn length(&self) -> u64;
    /// Goes back to the first byte. Called before every attempt.
    ///
    /// # Errors
    /// When the source cannot restart.
    fn rewind(&mut self) -> Result<(), ErrorKind>;
    /// Reads the next bytes into `buf`; `Ok(0)` is the end.
    ///
    /// # Errors
    /// When the source fails.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind>;
}

/// Maps an `embedded-io` error kind onto the crate's [`ErrorKind`]. The only place this conversion
/// lives.
pub fn io_kind(kind: embedded_io::ErrorKind) -> ErrorKind {
    use embedded_io::ErrorKind as Io;
    match kind {
        Io::NotFound => ErrorKind::NotFound,
        Io::PermissionDenied => ErrorKind::PermissionDenied,
        Io::ConnectionRefused => ErrorKind::ConnectionRefused,
        Io::ConnectionReset | Io::ConnectionAborted | Io::NotConnected | Io::BrokenPipe => {
            ErrorKind::ConnectionReset
        }
        Io::TimedOut => ErrorKind::TimedOut,
        Io::InvalidData => ErrorKind::InvalidData,
        Io::OutOfMemory | Io::WriteZero => ErrorKind::Capacity,
        Io::Unsupported => ErrorKind::Unsupported,
        _ => ErrorKind::Other,
    }
}

/// Maps the crate's [`ErrorKind`] onto an `embedded-io` error kind (for readers handed to callers).
pub fn to_io_kind(kind: ErrorKind) -> embedded_io::ErrorKind {
    use embedded_io::ErrorKind as Io;
    match kind {
        ErrorKind::NotFound => Io::NotFound,
        ErrorKind::PermissionDenied => Io::PermissionDenied,
        ErrorKind::TimedOut => Io::TimedOut,
        ErrorKind::ConnectionReset => Io::ConnectionReset,
        ErrorKind::ConnectionRefused => Io::ConnectionRefused,
        ErrorKind::InvalidData | ErrorKind::Protocol => Io::InvalidData,
        ErrorKind::Capacity => Io::OutOfMemory,
        ErrorKind::Unsupported => Io::Unsupported,
        _ => Io::Other,
    }
}

/// Any `embedded-io` reader that can seek, with its length, as a [`BodySource`].
#[derive(Debug)]
pub struct SeekableBody<R> {
    reader: R,
    length: u64,
}

impl<R: embedded_io::Read + embedded_io::Seek> SeekableBody<R> {
    /// Wraps `reader`, which yields exactly `length` bytes from its start.
    pub fn new(reader: R, length: u64) -> Self {
        SeekableBody { reader, length }
    }

    /// The wrapped reader.
    pub fn into_inner(self) -> R {
        self.reader
    }
}

impl<R: embedded_io::Read + embedded_io::Seek> BodySource for SeekableBody<R> {
    fn length(&self) -> u64 {
        self.length
    }
    fn rewind(&mut self) -> Result<(), ErrorKind> {
        use embedded_io::Error as _;
        self.reader.rewind().map_err(|e| io_kind(e.kind()))
    }
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        use embedded_io::Error as _;
        self.reader.read(buf).map_err(|e| io_kind(e.kind()))
    }
}

/// The body of a request: nothing, borrowed bytes, or a source streamed in pieces.
#[derive(Default)]
pub enum Body<'a> {
    /// No body.
    #[default]
    Empty,
    /// A body held in memory by the caller.
    Bytes(&'a [u8]),
    /// A body read in pieces by the driver, rewound before every attempt.
    Stream(&'a mut dyn BodySource),
}

impl Body<'_> {
    /// The body's length in bytes.
    pub fn length(&self) -> u64 {
        match self {
            Body::Empty => 0,
            Body::Bytes(b) => u64::try_from(b.len()).unwrap_or(u64::MAX),
            Body::Stream(s) => s.length(),
        }
    }

    /// The bytes, when the body is held in memory (the signer hashes them).
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Body::Empty => Some(&[]),
            Body::Bytes(b) => Some(b),
            Body::Stream(_) => None,
        }
    }
}

impl fmt::Debug for Body<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Body::Stream(s) => write!(f, "Stream({} bytes)", s.length()),
        }
    }
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;

    selftests! {
        fn seekable_body_wraps_embedded_io() {
            struct Mem { data: &'static [u8], pos: usize }
            impl embedded_io::ErrorType for Mem { type Error = embedded_io::ErrorKind; }
            impl embedded_io::Read for Mem {
                fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
                    let rest = &self.data[self.pos..];
                    let n = rest.len().min(buf.len());
                    buf[..n].copy_from_slice(&rest[..n]);
                    self.pos += n;
                    Ok(n)
                }
            }
            impl embedded_io::Seek for Mem {
                fn seek(&mut self, pos: embedded_io::SeekFrom) -> Result<u64, Self::Error> {
                    match pos {
                        embedded_io::SeekFrom::Start(0) => { self.pos = 0; Ok(0) }
                        _ => Err(embedded_io::ErrorKind::Unsupported),
                    }
                }
            }
            let mut body = SeekableBody::new(Mem { data: b"payload", pos: 0 }, 7);
            let mut buf = [0u8; 16];
            assert_eq!(body.read(&mut buf), Ok(7));
            assert_eq!(body.read(&mut buf), Ok(0));
            body.rewind().unwrap();
            assert_eq!(body.read(&mut buf[..3]), Ok(3));
            assert_eq!(&buf[..3], b"pay");
            let b = Body::Stream(&mut body);
            assert_eq!(b.length(), 7);
            assert!(b.bytes().is_none());
            assert_eq!(Body::Bytes(b"abc").bytes(), Some(&b"abc"[..]));
            assert_eq!(io_kind(embedded_io::ErrorKind::BrokenPipe), ErrorKind::ConnectionReset);
            assert_eq!(to_io_kind(ErrorKind::TimedOut), embedded_io::ErrorKind::TimedOut);
        }
    }
}

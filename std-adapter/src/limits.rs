//! Every bound the std adapter puts on what it reads from outside, in one place.
//!
//! Core's capacities (header bytes, token lengths, …) are in `aws_session_core::limits`; these are
//! the adapter's own: how much of a file named by a setting is read, how long a read from
//! something that is not a regular file may wait, how much a `credential_process` may write and
//! how long it may run, and how long a network exchange may stall.
//! Going past a bound is a typed error naming the file or the host and the bound
//! ([`crate::bounded_read::FileReadError`], [`crate::transport::TransportError`]); nothing is
//! truncated and nothing grows without limit.

use core::time::Duration;

/// Most bytes read from a shared config or credentials file (`~/.aws/config`,
/// `~/.aws/credentials`, `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`): 4 MiB. Real files are
/// a few KiB; generated files with thousands of SSO profiles stay under 1 MiB. A larger file —
/// or `/dev/zero` — stops session creation with an error naming the file and this limit, instead
/// of growing memory until the process is killed.
pub const MAX_SHARED_FILE_LEN: usize = 4 * 1024 * 1024;

/// Most bytes read from a CA bundle (`AWS_CA_BUNDLE`, `ca_bundle`): 4 MiB. The whole Mozilla
/// root store is about 220 KiB as PEM.
pub const MAX_CA_BUNDLE_LEN: usize = 4 * 1024 * 1024;

/// Most bytes of a `--data-file` that is not a regular file (a pipe, `/dev/stdin`, a process
/// substitution): 16 MiB. Such a body cannot be read twice (once to hash, once to send), so it is
/// held in memory, up to this bound; a regular file is streamed at any size.
pub const MAX_PIPED_BODY_LEN: usize = 16 * 1024 * 1024;

/// How long a read from something that is not a regular file (a FIFO, a character device, a
/// socket) may wait for its next bytes: 5 s. A FIFO nobody writes to would otherwise block the
/// process forever (Go v1 does); with this bound the read ends with an error naming the file.
pub const SPECIAL_FILE_WAIT: Duration = Duration::from_secs(5);

/// Most bytes of `credential_process` output read: 64 KiB (Go v1 reads into an 8 KiB buffer; we
/// allow more for long session tokens and report anything longer as an error).
pub const MAX_PROCESS_OUTPUT: usize = 64 * 1024;

/// How long `credential_process` may run before it is killed with everything it started: one
/// minute, Go v1's timeout.
pub const DEFAULT_PROCESS_TIMEOUT: Duration = Duration::from_secs(60);

/// Default time allowed to open a TCP connection and finish the TLS handshake.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Default time allowed between sending the request and receiving the response head.
pub const DEFAULT_RESPONSE_TIMEOUT: Duration = Duration::from_secs(60);

/// Default time a network exchange may go without sending or receiving a byte once connected
/// (the response body and the request body included): 60 s, as the response-head timeout. A
/// stalled download, or an upload to a server that stopped reading, ends with a
/// [`TimedOut`](aws_session_core::platform::ErrorKind::TimedOut) error after this long; a slow
/// but moving transfer is never cut.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Size of the transport's receive buffer: 32 KiB, one per transport. It must hold a whole
/// response head (AWS heads are a few KiB; S3's largest, with 2 KiB of user metadata, stay under
/// 8 KiB) and it is the piece a small body is read in (larger reads go straight to the caller's
/// buffer). The ureq transport used before allocated 128 KiB for each direction by default:
/// allocating and zeroing 256 KiB per transport was about a fifth of the CPU time of a small STS
/// call (docs/performance.md, "Credentials").
pub const RECEIVE_BUFFER_LEN: usize = 32 * 1024;

/// Initial size of the transport's send buffer: 16 KiB, room for the largest request head core
/// builds (`aws_session_core::limits::MAX_REQUEST_HEADER_BYTES` plus the request line). A small
/// body (up to `transport::INLINE_BODY_LIMIT`) is collected after the head and the buffer grows
/// for it; larger bodies go to the socket piece by piece.
pub const SEND_BUFFER_LEN: usize = 16 * 1024;

/// Most header lines in a response head: 256. AWS heads have a few dozen (S3 with user metadata
/// stays far below); the parser keeps this many slots on the stack. More is a
/// [`Capacity`](aws_session_core::platform::ErrorKind::Capacity) error, not retried, as a head
/// over [`RECEIVE_BUFFER_LEN`] is.
pub const MAX_RESPONSE_HEADERS: usize = 256;

/// Most idle kept-alive connections a transport holds (to different scheme, host and port
/// triples): 4. A session talks to a few hosts (STS, the service, maybe SSO); past this the
/// oldest is closed.
pub const MAX_IDLE_CONNECTIONS: usize = 4;

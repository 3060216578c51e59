//! In-memory fakes for tests and examples (feature `test-util`): a scripted transport, a fixed
//! clock, predictable entropy, a recording sleep, a slice body source, a phase recorder and a
//! tiny `block_on` for async drivers. Environment and shared-file fakes live in [`config`].
//!
//! None of them allocate, so they run inside the QEMU self-test firmware too.

pub mod config;
pub use config::{config_file, credentials_file, session_with_config, MemEnv, MemFiles};

use crate::handlers::{Phase, Request, TransportStage};
use crate::http::{BodySource, HttpRequest, ResponseHead};
use crate::platform::{AsyncTransport, Clock, Entropy, ErrorKind, Sleep, Transport};
use crate::time::UnixTime;

// ---- transport -----------------------------------------------------------------------------------

/// One scripted answer of a [`FakeTransport`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// A response with this status, headers and body.
    Response {
        /// HTTP status.
        status: u16,
        /// Response headers.
        headers: &'static [(&'static str, &'static str)],
        /// Response body.
        body: &'static [u8],
    },
    /// The exchange fails at `stage` with `kind`.
    Fail {
        /// Where it fails.
        stage: TransportStage,
        /// How.
        kind: ErrorKind,
    },
}

impl Reply {
    /// A response with `status`, no headers and no body.
    pub const fn status(status: u16) -> Self {
        Reply::Response {
            status,
            headers: &[],
            body: &[],
        }
    }

    /// A response with `status` and `body`.
    pub const fn with_body(status: u16, body: &'static [u8]) -> Self {
        Reply::Response {
            status,
            headers: &[],
            body,
        }
    }

    /// A response with `status`, `headers` and `body`.
    pub const fn with_headers(
        status: u16,
        headers: &'static [(&'static str, &'static str)],
        body: &'static [u8],
    ) -> Self {
        Reply::Response {
            status,
            headers,
            body,
        }
    }

    /// A connection failure while sending the head.
    pub const fn fail(kind: ErrorKind) -> Self {
        Reply::Fail {
            stage: TransportStage::Begin,
            kind,
        }
    }

    /// A failure at a given stage of the exchange.
    pub const fn fail_at(stage: TransportStage, kind: ErrorKind) -> Self {
        Reply::Fail { stage, kind }
    }
}

/// A transport that answers each exchange with the next [`Reply`] of a script and records what it
/// was sent. Past the end of the script every exchange fails with [`ErrorKind::Other`].
#[derive(Debug)]
pub struct FakeTransport<'s> {
    script: &'s [Reply],
    next: usize,
    current: Option<Reply>,
    body_pos: usize,
    exchanges: usize,
    body_bytes: usize,
    last_had_content_length: bool,
}

impl<'s> FakeTransport<'s> {
    /// A transport that plays `script` in order.
    pub const fn new(script: &'s [Reply]) -> Self {
        FakeTransport {
            script,
            next: 0,
            current: None,
            body_pos: 0,
            exchanges: 0,
            body_bytes: 0,
            last_had_content_length: false,
        }
    }

    /// Exchanges begun so far.
    pub fn exchanges(&self) -> usize {
        self.exchanges
    }

    /// Request body bytes written in the last exchange.
    pub fn body_bytes_last(&self) -> usize {
        self.body_bytes
    }

    /// True when the last request carried a `Content-Length` header.
    pub fn last_had_content_length(&self) -> bool {
        self.last_had_content_length
    }

    fn fails_at(&self, stage: TransportStage) -> Result<(), ErrorKind> {
        match self.current {
            Some(Reply::Fail { stage: s, kind }) if s == stage => Err(kind),
            None => Err(ErrorKind::Other),
            _ => Ok(()),
        }
    }
}

impl Transport for FakeTransport<'_> {
    type Error = ErrorKind;

    fn begin(&mut self, request: &HttpRequest<'_>) -> Result<(), ErrorKind> {
        self.exchanges = self.exchanges.saturating_add(1);
        self.current = self.script.get(self.next).copied();
        self.next = self.next.saturating_add(1);
        self.body_pos = 0;
        self.body_bytes = 0;
        self.last_had_content_length = request.headers().contains("content-length");
        self.fails_at(TransportStage::Begin)
    }

    fn write_body(&mut self, bytes: &[u8]) -> Result<(), ErrorKind> {
        self.fails_at(TransportStage::WriteBody)?;
        self.body_bytes = self.body_bytes.saturating_add(bytes.len());
        Ok(())
    }

    fn finish(&mut self, response: &mut ResponseHead) -> Result<(), ErrorKind> {
        self.fails_at(TransportStage::Finish)?;
        if let Some(Reply::Response {
            status, headers, ..
        }) = self.current
        {
            response.set_status(status);
            for (name, value) in headers {
                let _ = response.push_header(name, value);
            }
        }
        Ok(())
    }

    fn read_body(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        self.fails_at(TransportStage::ReadBody)?;
        let Some(Reply::Response { body, .. }) = self.current else {
            return Ok(0);
        };
        let rest = body.get(self.body_pos..).unwrap_or(&[]);
        let n = rest.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), rest.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.body_pos = self.body_pos.saturating_add(n);
        Ok(n)
    }
}

impl AsyncTransport for FakeTransport<'_> {
    type Error = ErrorKind;

    async fn begin(&mut self, request: &HttpRequest<'_>) -> Result<(), ErrorKind> {
        Transport::begin(self, request)
    }
    async fn write_body(&mut self, bytes: &[u8]) -> Result<(), ErrorKind> {
        Transport::write_body(self, bytes)
    }
    async fn finish(&mut self, response: &mut ResponseHead) -> Result<(), ErrorKind> {
        Transport::finish(self, response)
    }
    async fn read_body(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        Transport::read_body(self, buf)
    }
}

// ---- clock, entropy, sleep -----------------------------------------------------------------------

/// A clock stopped at one time, or one that is not set.
#[derive(Debug, Clone, Copy)]
pub struct FakeClock {
    now: Option<UnixTime>,
}

impl FakeClock {
    /// Always `secs` seconds after the epoch.
    pub const fn at(secs: u64) -> Self {
        FakeClock {
            now: Some(UnixTime::from_secs(secs)),
        }
    }

    /// Always fails with [`ErrorKind::ClockUnset`].
    pub const fn unset() -> Self {
        FakeClock { now: None }
    }
}

impl Clock for FakeClock {
    type Error = ErrorKind;
    fn now(&self) -> Result<UnixTime, ErrorKind> {
        self.now.ok_or(ErrorKind::ClockUnset)
    }
}

/// Entropy that returns the same number every time (so back-off delays are exact in tests).
#[derive(Debug, Clone, Copy)]
pub struct FakeEntropy {
    value: u32,
}

impl FakeEntropy {
    /// Always `value`.
    pub const fn new(value: u32) -> Self {
        FakeEntropy { value }
    }
}

impl Entropy for FakeEntropy {
    fn next_u32(&mut self) -> u32 {
        self.value
    }
}

/// A sleep that returns at once and records how long it was asked to wait.
#[derive(Debug, Default)]
pub struct RecordingSleep {
    calls: heapless::Vec<u32, 16>,
    total_ms: u64,
}

impl RecordingSleep {
    /// No calls yet.
    pub const fn new() -> Self {
        RecordingSleep {
            calls: heapless::Vec::new(),
            total_ms: 0,
        }
    }

    /// The first 16 requested delays, in order.
    pub fn calls(&self) -> &[u32] {
        &self.calls
    }

    /// Sum of every requested delay.
    pub fn total_ms(&self) -> u64 {
        self.total_ms
    }
}

impl Sleep for RecordingSleep {
    fn sleep_ms(&mut self, millis: u32) {
        let _ = self.calls.push(millis);
        self.total_ms = self.total_ms.saturating_add(u64::from(millis));
    }
}

// ---- bodies --------------------------------------------------------------------------------------

/// A [`BodySource`] over a byte slice (stands in for flash or a file).
#[derive(Debug)]
pub struct SliceSource<'d> {
    data: &'d [u8],
    pos: usize,
    rewinds: u32,
}

impl<'d> SliceSource<'d> {
    /// A source that yields `data`.
    pub const fn new(data: &'d [u8]) -> Self {
        SliceSource {
            data,
            pos: 0,
            rewinds: 0,
        }
    }

    /// How many times it was rewound.
    pub fn rewinds(&self) -> u32 {
        self.rewinds
    }
}

impl BodySource for SliceSource<'_> {
    fn length(&self) -> u64 {
        u64::try_from(self.data.len()).unwrap_or(u64::MAX)
    }
    fn rewind(&mut self) -> Result<(), ErrorKind> {
        self.pos = 0;
        self.rewinds = self.rewinds.saturating_add(1);
        Ok(())
    }
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        let rest = self.data.get(self.pos..).unwrap_or(&[]);
        let n = rest.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), rest.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.pos = self.pos.saturating_add(n);
        Ok(n)
    }
}

// ---- handler tracing -----------------------------------------------------------------------------

/// The phases a request went through, recorded by [`record_phase`] into the request's data slot.
pub type PhaseTrace = heapless::Vec<Phase, 96>;

/// A handler that appends the running phase to the [`PhaseTrace`] in the request's data slot
/// (nothing happens when the slot holds something else). Put it in every list to see the order.
pub fn record_phase(r: &mut Request<'_>) {
    let phase = r.phase();
    if let Some(trace) = r.data_mut::<PhaseTrace>() {
        let _ = trace.push(phase);
    }
}

// ---- async ---------------------------------------------------------------------------------------

/// Polls a future that never really waits to completion (the fakes above): core's executor-free
/// poll loop.
pub use crate::fetch::block_on;

//! One HTTP/1.1 connection: request writing, response parsing, body framing, keep-alive.

use core::fmt;

use aws_session_core::http::{BodyFraming, FramingHeaders, HttpRequest, Method, ResponseHead};
use aws_session_core::platform::AsyncTransport;
use embassy_time::{with_timeout, Duration, Instant};
use embedded_io_async::{Read, Write};

use crate::limits::{
    HTTP_IDLE_LIMIT_MS, HTTP_IO_TIMEOUT_MS, MAX_HTTP_DRAIN_LEN, MAX_HTTP_RESPONSE_HEADER_LINES,
};

use super::HttpError;
use crate::clock::WallClock;

/// Settings of an [`HttpConnection`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HttpConfig {
    /// Longest wait for one read or write ([`HTTP_IO_TIMEOUT_MS`] by default).
    pub io_timeout: Duration,
    /// Longest a kept-alive connection may sit unused and still carry a request
    /// ([`HTTP_IDLE_LIMIT_MS`] by default); past it the connection counts as closed, and the
    /// transports that reconnect open a new one instead of writing into one the server (or a
    /// NAT on the way) may have dropped.
    pub idle_limit: Duration,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            io_timeout: Duration::from_millis(u64::from(HTTP_IO_TIMEOUT_MS)),
            idle_limit: Duration::from_millis(u64::from(HTTP_IDLE_LIMIT_MS)),
        }
    }
}

/// Where a chunked body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    /// Before a chunk-size line.
    Size,
    /// Inside a chunk, with this many data bytes left.
    Data(u64),
    /// After a chunk's data, before its CRLF.
    DataEnd,
    /// After the last chunk, reading trailer lines.
    Trailers,
}

/// How the current response body ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// `Content-Length`: this many bytes left.
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked(Chunk),
    /// Until the server closes the connection.
    UntilClose,
    /// Read to the end.
    Done,
}

/// Where the connection is in an exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Ready for a request.
    Idle,
    /// Head written; this many body bytes still to write.
    Request { remaining: u64 },
    /// Response head read; body framed so.
    Response(Framing),
    /// An error left the stream in an unknown state.
    Broken,
}

/// An HTTP/1.1 client connection over `stream` (see the [module docs](super)).
///
/// `buf` holds the response head and bytes read ahead of the caller; the whole head must fit.
/// The connection does not reconnect: when the server closes it, `begin` fails with
/// [`HttpError::Closed`] and the owner opens a new stream (the TCP transport does this itself).
pub struct HttpConnection<'b, S> {
    stream: S,
    buf: &'b mut [u8],
    start: usize,
    end: usize,
    state: State,
    reusable: bool,
    head_request: bool,
    config: HttpConfig,
    clock: Option<&'b WallClock>,
    /// When bytes last went either way.
    last_io: Instant,
}

impl<S> fmt::Debug for HttpConnection<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpConnection")
            .field("state", &self.state)
            .field("reusable", &self.reusable)
            .field("buffered", &(self.end - self.start))
            .finish()
    }
}

async fn timed<T, E: embedded_io_async::Error>(
    timeout: Duration,
    fut: impl core::future::Future<Output = Result<T, E>>,
) -> Result<T, HttpError> {
    match with_timeout(timeout, fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(HttpError::Io(e.kind())),
        Err(_) => Err(HttpError::TimedOut),
    }
}

impl<'b, S: Read + Write> HttpConnection<'b, S> {
    /// A connection over an open `stream`, with `buf` for response heads.
    pub fn new(stream: S, buf: &'b mut [u8], config: HttpConfig) -> Self {
        HttpConnection {
            stream,
            buf,
            start: 0,
            end: 0,
            state: State::Idle,
            reusable: true,
            head_request: false,
            config,
            clock: None,
            last_io: Instant::now(),
        }
    }

    /// Hands every response's `Date` header to `clock` ([`WallClock::observe`]).
    pub fn with_clock(mut self, clock: &'b WallClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// True when the connection can carry another request (nothing unread, no `close`).
    pub fn is_reusable(&self) -> bool {
        self.reusable
            && matches!(self.state, State::Idle | State::Response(Framing::Done))
            && !self.idle_too_long()
    }

    /// True when the connection sat unused past [`HttpConfig::idle_limit`].
    fn idle_too_long(&self) -> bool {
        self.last_io.elapsed() > self.config.idle_limit
    }

    /// The connection's settings.
    pub fn config(&self) -> HttpConfig {
        self.config
    }

    /// The stream.
    pub fn stream(&self) -> &S {
        &self.stream
    }

    /// The stream, to close or replace it.
    pub fn stream_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    /// Starts over on a fresh stream (after the owner reconnected `stream_mut`).
    pub fn reset(&mut self) {
        self.start = 0;
        self.end = 0;
        self.state = State::Idle;
        self.reusable = true;
        self.last_io = Instant::now();
    }

    /// The stream back.
    pub fn into_inner(self) -> S {
        self.stream
    }

    fn buffered(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or(&[])
    }

    /// Reads more bytes into the buffer after moving unread bytes to its front; `Ok(0)` at the end
    /// of the stream.
    async fn fill(&mut self) -> Result<usize, HttpError> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        let limit = self.buf.len();
        let space = self
            .buf
            .get_mut(self.end..)
            .filter(|s| !s.is_empty())
            .ok_or(HttpError::HeadTooLarge { limit })?;
        let n = timed(self.config.io_timeout, self.stream.read(space)).await?;
        self.end += n.min(limit - self.end);
        self.last_io = Instant::now();
        Ok(n)
    }

    async fn write_all(&mut self, bytes: &[u8]) -> Result<(), HttpError> {
        timed(self.config.io_timeout, self.stream.write_all(bytes)).await?;
        self.last_io = Instant::now();
        Ok(())
    }

    /// Gets rid of the unread rest of the previous response, when it is short enough.
    async fn settle(&mut self) -> Result<(), HttpError> {
        match self.state {
            State::Idle => Ok(()),
            State::Response(Framing::Done) => {
                self.state = State::Idle;
                Ok(())
            }
            State::Response(Framing::Length(_) | Framing::Chunked(_)) if self.reusable => {
                let mut scratch = [0u8; 64];
                let mut drained = 0usize;
                loop {
                    let n = self.read_body(&mut scratch).await?;
                    if n == 0 {
                        self.state = State::Idle;
                        return Ok(());
                    }
                    drained += n;
                    if drained > MAX_HTTP_DRAIN_LEN {
                        self.state = State::Broken;
                        return Err(HttpError::Closed);
                    }
                }
            }
            _ => {
                self.state = State::Broken;
                Err(HttpError::Closed)
            }
        }
    }

    /// Writes the request head. See [`AsyncTransport::begin`].
    ///
    /// # Errors
    /// [`HttpError::Closed`] when the connection cannot carry another request; stream failures.
    pub async fn send_head(&mut self, request: &HttpRequest<'_>) -> Result<(), HttpError> {
        self.settle().await?;
        if !self.reusable || self.idle_too_long() {
            self.state = State::Broken;
            return Err(HttpError::Closed);
        }
        self.state = State::Broken;
        let method = request.method();
        // The body length is the `Content-Length` the Sign phase (or a streaming operation such
        // as an aws-chunked upload, whose body is not the request's) set, else the body's own.
        let length = match request.headers().get("content-length") {
            Some(value) => value.trim().parse().map_err(|_| HttpError::Usage)?,
            None => request.body().length(),
        };
        self.head_request = method == Method::Head;
        for piece in [
            method.as_str(),
            " ",
            request.target(),
            " HTTP/1.1\r\nhost: ",
            request.headers().get("host").unwrap_or(request.host()),
            "\r\n",
        ] {
            self.write_all(piece.as_bytes()).await?;
        }
        let mut has_length = false;
        for (name, value) in request.headers().iter() {
            if name.eq_ignore_ascii_case("host") {
                continue;
            }
            has_length |= name.eq_ignore_ascii_case("content-length");
            for piece in [name, ": ", value, "\r\n"] {
                self.write_all(piece.as_bytes()).await?;
            }
        }
        let needs_length =
            length > 0 || matches!(method, Method::Put | Method::Post | Method::Patch);
        if !has_length && needs_length {
            // 16 + 20 digits + 2 bytes: always fits.
            let mut line: heapless::String<40> = heapless::String::new();
            let _ = core::fmt::Write::write_fmt(
                &mut line,
                format_args!("content-length: {length}\r\n"),
            );
            self.write_all(line.as_bytes()).await?;
        }
        self.write_all(b"\r\n").await?;
        self.state = State::Request { remaining: length };
        Ok(())
    }

    /// Writes body bytes. See [`AsyncTransport::write_body`].
    ///
    /// # Errors
    /// [`HttpError::Usage`] past the declared length or out of order; stream failures.
    pub async fn send_body(&mut self, bytes: &[u8]) -> Result<(), HttpError> {
        let State::Request { remaining } = self.state else {
            self.state = State::Broken;
            return Err(HttpError::Usage);
        };
        let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        let Some(left) = remaining.checked_sub(len) else {
            self.state = State::Broken;
            return Err(HttpError::Usage);
        };
        self.state = State::Broken;
        self.write_all(bytes).await?;
        self.state = State::Request { remaining: left };
        Ok(())
    }

    /// Ends the request and reads the response head into `response`. See
    /// [`AsyncTransport::finish`].
    ///
    /// # Errors
    /// [`HttpError::Closed`] when the server closed without answering, [`HttpError::Malformed`],
    /// [`HttpError::HeadTooLarge`], [`HttpError::Truncated`], timeouts and stream failures.
    pub async fn read_head(&mut self, response: &mut ResponseHead) -> Result<(), HttpError> {
        if self.state != (State::Request { remaining: 0 }) {
            self.state = State::Broken;
            return Err(HttpError::Usage);
        }
        self.state = State::Broken;
        timed(self.config.io_timeout, self.stream.flush()).await?;
        response.clear();
        let mut received_any = self.end > self.start;
        loop {
            let mut lines = [httparse::EMPTY_HEADER; MAX_HTTP_RESPONSE_HEADER_LINES];
            let mut parsed = httparse::Response::new(&mut lines);
            let status = parsed.parse(self.buf.get(self.start..self.end).unwrap_or(&[]));
            match status {
                Ok(httparse::Status::Partial) => {
                    if self.fill().await? == 0 {
                        return Err(if received_any {
                            HttpError::Truncated
                        } else {
                            HttpError::Closed
                        });
                    }
                    received_any = true;
                }
                Ok(httparse::Status::Complete(used)) => {
                    // httparse takes any three digits; HTTP status codes start at 100 (and core
                    // reads status 0 as "no response arrived").
                    let code = parsed
                        .code
                        .filter(|c| *c >= 100)
                        .ok_or(HttpError::Malformed)?;
                    if (100..200).contains(&code) && code != 101 {
                        self.start += used;
                        continue;
                    }
                    let (framing, keep) = apply_head(&parsed, response, self.head_request)?;
                    self.reusable &= keep;
                    self.start += used;
                    self.state = State::Response(framing);
                    if let Some(clock) = self.clock {
                        clock.observe(response);
                    }
                    debug!("http: response {}", code);
                    return Ok(());
                }
                Err(_) => return Err(HttpError::Malformed),
            }
        }
    }
}

/// Copies status and headers into `response`; returns the body's framing and whether the
/// connection may carry another request (core's rules: [`FramingHeaders`]).
fn apply_head(
    parsed: &httparse::Response<'_, '_>,
    response: &mut ResponseHead,
    head_request: bool,
) -> Result<(Framing, bool), HttpError> {
    let code = parsed.code.ok_or(HttpError::Malformed)?;
    response.set_status(code);
    let mut framing = FramingHeaders::new();
    for h in parsed.headers.iter() {
        framing
            .header(h.name, h.value)
            .map_err(|_| HttpError::Malformed)?;
        // A header that is not UTF-8 or does not fit is counted by the response head as
        // dropped, never truncated (it still frames the body above).
        let Ok(value) = core::str::from_utf8(h.value) else {
            response.drop_header();
            continue;
        };
        let _ = response.push_header(h.name, value);
    }
    let framing = framing.finish(parsed.version.unwrap_or(1), code, head_request);
    let body = match framing.body {
        BodyFraming::Empty => Framing::Done,
        BodyFraming::Length(n) => Framing::Length(n),
        BodyFraming::Chunked => Framing::Chunked(Chunk::Size),
        BodyFraming::UntilClose => Framing::UntilClose,
    };
    Ok((body, framing.keep_alive))
}

impl<'b, S: Read + Write> HttpConnection<'b, S> {
    /// Copies up to `limit` body bytes into `out`: buffered ones first, else one stream read.
    /// `Ok(0)` means the stream ended.
    async fn body_bytes(&mut self, out: &mut [u8], limit: u64) -> Result<usize, HttpError> {
        let want = usize::try_from(limit).unwrap_or(usize::MAX).min(out.len());
        let Some(dst) = out.get_mut(..want) else {
            return Ok(0);
        };
        let buffered = self.buffered();
        if !buffered.is_empty() {
            let n = buffered.len().min(want);
            if let (Some(d), Some(s)) = (dst.get_mut(..n), buffered.get(..n)) {
                d.copy_from_slice(s);
            }
            self.start += n;
            return Ok(n);
        }
        let n = timed(self.config.io_timeout, self.stream.read(dst)).await?;
        self.last_io = Instant::now();
        Ok(n)
    }

    /// The next line (without CRLF) in the buffer, reading more as needed; returns its length and
    /// consumes it.
    async fn line(&mut self) -> Result<usize, HttpError> {
        loop {
            if let Some(pos) = self.buffered().windows(2).position(|w| w == b"\r\n") {
                self.start += pos + 2;
                return Ok(pos);
            }
            if self.fill().await? == 0 {
                return Err(HttpError::Truncated);
            }
        }
    }

    /// The next chunk-size line (`1a;ext=x`), read as httparse reads it, and consumed.
    async fn chunk_size(&mut self) -> Result<u64, HttpError> {
        loop {
            match httparse::parse_chunk_size(self.buffered()) {
                Ok(httparse::Status::Complete((used, size))) => {
                    self.start += used;
                    return Ok(size);
                }
                Ok(httparse::Status::Partial) => {
                    if self.fill().await? == 0 {
                        return Err(HttpError::Truncated);
                    }
                }
                Err(_) => return Err(HttpError::Malformed),
            }
        }
    }

    /// Reads body bytes into `out`; `Ok(0)` is the end of the body. See
    /// [`AsyncTransport::read_body`].
    ///
    /// # Errors
    /// [`HttpError::Truncated`] when the body ends early, [`HttpError::Malformed`] for bad chunk
    /// framing, timeouts and stream failures.
    pub async fn read_body(&mut self, out: &mut [u8]) -> Result<usize, HttpError> {
        let State::Response(framing) = self.state else {
            return match self.state {
                State::Idle => Ok(0),
                _ => Err(HttpError::Usage),
            };
        };
        if out.is_empty() && framing != Framing::Done {
            return Ok(0);
        }
        self.state = State::Broken;
        let (n, next) = match framing {
            Framing::Done => (0, Framing::Done),
            Framing::Length(0) => (0, Framing::Done),
            Framing::Length(left) => match self.body_bytes(out, left).await? {
                0 => return Err(HttpError::Truncated),
                n => (n, Framing::Length(left - n as u64)),
            },
            Framing::UntilClose => match self.body_bytes(out, u64::MAX).await? {
                0 => (0, Framing::Done),
                n => (n, Framing::UntilClose),
            },
            Framing::Chunked(mut chunk) => loop {
                match chunk {
                    Chunk::Size => match self.chunk_size().await? {
                        0 => chunk = Chunk::Trailers,
                        size => chunk = Chunk::Data(size),
                    },
                    Chunk::Data(0) => chunk = Chunk::DataEnd,
                    Chunk::Data(left) => match self.body_bytes(out, left).await? {
                        0 => return Err(HttpError::Truncated),
                        n => break (n, Framing::Chunked(Chunk::Data(left - n as u64))),
                    },
                    Chunk::DataEnd => match self.line().await? {
                        0 => chunk = Chunk::Size,
                        _ => return Err(HttpError::Malformed),
                    },
                    Chunk::Trailers => {
                        if self.line().await? == 0 {
                            break (0, Framing::Done);
                        }
                    }
                }
            },
        };
        if next == Framing::Done && framing == Framing::UntilClose {
            self.reusable = false;
        }
        self.state = State::Response(next);
        Ok(n)
    }
}

impl<S: Read + Write> AsyncTransport for HttpConnection<'_, S> {
    type Error = HttpError;
    async fn begin(&mut self, request: &HttpRequest<'_>) -> Result<(), HttpError> {
        self.send_head(request).await
    }
    async fn write_body(&mut self, bytes: &[u8]) -> Result<(), HttpError> {
        self.send_body(bytes).await
    }
    async fn finish(&mut self, response: &mut ResponseHead) -> Result<(), HttpError> {
        self.read_head(response).await
    }
    async fn read_body(&mut self, buf: &mut [u8]) -> Result<usize, HttpError> {
        HttpConnection::read_body(self, buf).await
    }
}

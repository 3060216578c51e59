//! `aws-session curl`: send a signed request and stream the response body to stdout.

use std::io::Write;

use aws_session_core::handlers::{run_blocking, Handlers, Pipeline, Request};
use aws_session_core::http::{Body, HttpError, HttpPart, HttpRequest, Method, ResponseHead};
use aws_session_core::platform::Transport;
use aws_session_core::text::Escaped;

use super::request::Prepared;
use super::{CliError, EXIT_HTTP_ERROR};
use crate::load::LoadedSession;
use crate::transport::{HttpsConfig, HttpsTransport, TransportError};
use crate::{StdEntropy, SystemClock, ThreadSleep};

/// How much of an error body `--fail` reads to find the service's error code.
const ERROR_BODY_PEEK: usize = 64 * 1024;

fn method(m: &str) -> Result<Method, CliError> {
    Method::from_name(m).ok_or_else(|| {
        CliError::failed(format!("curl cannot send method {m:?} (sign can sign it)"))
    })
}

/// The HTTPS transport, remembering the message of its last error (the pipeline keeps only the
/// error's kind).
struct Recording<'t> {
    inner: &'t mut HttpsTransport,
    last_error: Option<String>,
}

impl Recording<'_> {
    fn note<T>(&mut self, r: Result<T, TransportError>) -> Result<T, TransportError> {
        if let Err(e) = &r {
            self.last_error = Some(e.to_string());
        }
        r
    }
}

impl Transport for Recording<'_> {
    type Error = TransportError;
    fn begin(&mut self, request: &HttpRequest<'_>) -> Result<(), TransportError> {
        self.last_error = None;
        let r = self.inner.begin(request);
        self.note(r)
    }
    fn write_body(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        let r = self.inner.write_body(bytes);
        self.note(r)
    }
    fn finish(&mut self, response: &mut ResponseHead) -> Result<(), TransportError> {
        let r = self.inner.finish(response);
        self.note(r)
    }
    fn read_body(&mut self, buf: &mut [u8]) -> Result<usize, TransportError> {
        let r = self.inner.read_body(buf);
        self.note(r)
    }
}

/// Sends the signed request through the session's retryer (Go v1's default: up to
/// `max_retries` + 1 attempts, 4 by default, for 500, throttling statuses and codes, and
/// transient network failures, with `Retry-After` honoured), then prints; returns the exit
/// status. The connection goes to the URL's host; a `Host` header given with `-H` is signed and
/// sent as it is (as curl and Go's `Request.Host` do).
pub(super) fn send(
    loaded: &LoadedSession,
    p: &mut Prepared,
    include: bool,
    fail: bool,
    out: &mut dyn Write,
) -> Result<u8, CliError> {
    let build = |e: HttpError| CliError::failed(format!("cannot build the request: {e}"));
    let mut request = Request::new("curl");
    request.http =
        HttpRequest::new(method(&p.method)?, p.scheme, &p.authority, &p.target).map_err(build)?;
    if p.host != p.authority {
        request
            .http
            .headers_mut()
            .append("Host", &p.host)
            .map_err(build)?;
    }
    for (name, value) in &p.headers {
        request
            .http
            .headers_mut()
            .append(name, value)
            .map_err(|e| header_error(p, name, e))?;
    }
    // A file body goes out piece by piece, rewound before every attempt: memory stays constant
    // whatever its size.
    let mut file_source;
    let body = match &mut p.body {
        super::request::Body::Bytes(bytes) => Body::Bytes(bytes),
        super::request::Body::File { file, len, .. } => {
            file_source = super::request::FileSource::new(file, *len);
            Body::Stream(&mut file_source)
        }
    };
    request.http.set_body(body);
    if let Some(n) = loaded.session().config().max_retries.as_ref() {
        request.set_max_retries(n.value);
    }
    let handlers = Handlers::with_core_defaults()
        .map_err(|_| CliError::failed("cannot set up the retry handlers"))?;
    let config = HttpsConfig::for_session(loaded.session());
    let mut https = HttpsTransport::new(&config).map_err(|e| CliError::failed(e.to_string()))?;
    let mut transport = Recording {
        inner: &mut https,
        last_error: None,
    };
    let outcome = run_blocking(
        Pipeline::new(&handlers, &mut request),
        &mut transport,
        &SystemClock,
        &mut ThreadSleep,
        &mut StdEntropy::new(),
    );
    let attempts = request.retry_count.saturating_add(1);
    let net = |e: &dyn core::fmt::Display| {
        let tries = if attempts > 1 {
            format!(" (after {attempts} attempts)")
        } else {
            String::new()
        };
        CliError::failed(format!("request to {} failed{tries}: {e}", p.authority))
    };
    let head = &request.response;
    match outcome {
        // An HTTP error status (after its retries) is printed like any response.
        Err(_) if head.status() != 0 => {}
        Err(e) => {
            return Err(match &transport.last_error {
                Some(m) => net(m),
                None => net(&e),
            })
        }
        Ok(()) => {}
    }
    let status = head.status();
    let transport = &mut *transport.inner;
    let net = |e: TransportError| net(&e);

    if fail && status >= 400 {
        let mut body = Vec::new();
        let mut buf = [0u8; 8192];
        while body.len() < ERROR_BODY_PEEK {
            let n = transport.read_body(&mut buf).map_err(net)?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(buf.get(..n).unwrap_or_default());
        }
        let detail = match error_code(&body) {
            Some(code) => format!(" ({code})"),
            None => String::new(),
        };
        return Err(CliError {
            message: format!("the server answered HTTP {status}{detail}"),
            code: EXIT_HTTP_ERROR,
        });
    }

    if include {
        let mut text = format!("HTTP/1.1 {status}\r\n");
        for (name, value) in transport.response_headers() {
            text.push_str(&format!("{}: {}\r\n", Escaped(name), Escaped(value)));
        }
        text.push_str("\r\n");
        out.write_all(text.as_bytes()).map_err(CliError::output)?;
    }
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = transport.read_body(&mut buf).map_err(net)?;
        if n == 0 {
            break;
        }
        out.write_all(buf.get(..n).unwrap_or_default())
            .map_err(CliError::output)?;
    }
    out.flush().map_err(CliError::output)?;
    Ok(0)
}

/// Why the headers of `p` do not fit core's request: the capacity that ran out, and for the byte
/// capacity the headers that take the most room and who added them — not merely the header that
/// happened to be added last (often the signer's `Authorization`).
fn header_error(p: &Prepared, adding: &str, e: HttpError) -> CliError {
    match e {
        HttpError::Capacity {
            part: HttpPart::HeaderBytes,
            limit,
            ..
        } => {
            let mut sizes: Vec<(usize, &str, &str)> = p
                .headers
                .iter()
                .enumerate()
                .map(|(i, (n, v))| {
                    let origin = if i < p.caller_headers {
                        "-H"
                    } else if n.eq_ignore_ascii_case("x-amz-security-token") {
                        "the session token"
                    } else {
                        "the signer"
                    };
                    (n.len() + v.len(), n.as_str(), origin)
                })
                .collect();
            let total: usize = sizes.iter().map(|(len, _, _)| len).sum();
            sizes.sort_by_key(|s| core::cmp::Reverse(s.0));
            let largest: Vec<String> = sizes
                .iter()
                .take(3)
                .map(|(len, name, origin)| format!("{name} {len} bytes (from {origin})"))
                .collect();
            CliError::failed(format!(
                "the request headers take {total} bytes, over the {limit}-byte capacity \
                 (MAX_REQUEST_HEADER_BYTES); the largest: {}",
                largest.join(", ")
            ))
        }
        HttpError::Capacity {
            part: HttpPart::HeaderCount,
            limit,
            ..
        } => CliError::failed(format!(
            "the request has {} headers, over the capacity of {limit} (MAX_REQUEST_HEADERS); {} \
             of them from -H",
            p.headers.len(),
            p.caller_headers
        )),
        other => CliError::failed(format!("cannot add header {adding}: {other}")),
    }
}

/// The service error code in an error body: `<Code>…</Code>` (XML protocols) or `"__type"` /
/// `"code"` (JSON protocols, `namespace#Code` shortened to `Code`).
fn error_code(body: &[u8]) -> Option<String> {
    let text = core::str::from_utf8(body).ok()?;
    if let Some(start) = text.find("<Code>") {
        let rest = text.get(start + "<Code>".len()..)?;
        let end = rest.find("</Code>")?;
        return Some(rest.get(..end)?.trim().to_owned())
            .filter(|c| !c.is_empty() && c.len() <= 128);
    }
    let json: serde_json::Value = serde_json::from_str(text).ok()?;
    let raw = ["__type", "code", "Code"]
        .iter()
        .find_map(|k| json.get(*k).and_then(|v| v.as_str()))?;
    let code = raw.rsplit('#').next().unwrap_or(raw);
    Some(code.to_owned()).filter(|c| !c.is_empty() && c.len() <= 128)
}

#[cfg(test)]
mod tests {
    use super::error_code;

    #[test]
    fn error_codes_from_xml_and_json_bodies() {
        let xml = b"<?xml version='1.0'?><ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code></Error></ErrorResponse>";
        assert_eq!(error_code(xml).as_deref(), Some("SignatureDoesNotMatch"));
        let json =
            br#"{"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"x"}"#;
        assert_eq!(
            error_code(json).as_deref(),
            Some("UnrecognizedClientException")
        );
        assert_eq!(error_code(b"plain"), None);
    }
}

//! Building and signing the request of `sign`, `presign` and `curl`.

use std::io::{Read, Seek, SeekFrom, Write};

use aws_session_core::credentials::Credentials;
use aws_session_core::http::Scheme;
use aws_session_core::platform::Clock;
use aws_session_core::sigv4::{
    SignableBody, SignableRequest, Signer, SigningOutput, SigningParams, SigningSettings,
};
use aws_session_core::text::Escaped;
use aws_session_core::time::UnixTime;

use super::{configure, CliError, PresignArgs, ScopeArgs, SignArgs};
use crate::bounded_read::{open_body, Opened, ReadLimit};
use crate::clock::SystemClock;
use crate::limits::MAX_PIPED_BODY_LEN;
use crate::load::LoadedSession;

/// A URL split into the pieces a request needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Url<'a> {
    pub scheme: Scheme,
    /// `host[:port]` as written.
    pub authority: &'a str,
    /// Path as written (already percent-encoded), `/` when empty.
    pub path: &'a str,
    /// Raw query without `?`.
    pub query: &'a str,
}

impl<'a> Url<'a> {
    /// The part before the path: `scheme://authority`.
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme.as_str(), self.authority)
    }
}

/// Splits `http(s)://host[:port][/path][?query][#fragment]`; the fragment is dropped.
pub(super) fn parse_url(url: &str) -> Result<Url<'_>, CliError> {
    let bad = |why: &str| CliError::failed(format!("invalid URL {url:?}: {why}"));
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("expected http:// or https://"))?;
    let scheme = if scheme.eq_ignore_ascii_case("https") {
        Scheme::Https
    } else if scheme.eq_ignore_ascii_case("http") {
        Scheme::Http
    } else {
        return Err(bad("expected http:// or https://"));
    };
    let rest = rest.split('#').next().unwrap_or_default();
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, rest) = rest.split_at(end);
    if authority.is_empty() {
        return Err(bad("no host"));
    }
    if authority.contains('@') {
        return Err(bad("user information in the URL is not supported"));
    }
    if authority
        .bytes()
        .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
    {
        return Err(bad("the host contains spaces or control characters"));
    }
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, q),
        None => (rest, ""),
    };
    if query
        .bytes()
        .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
    {
        return Err(bad(
            "the query must be percent-encoded (it contains spaces or control characters)",
        ));
    }
    let path = if path.is_empty() { "/" } else { path };
    if path
        .bytes()
        .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
    {
        return Err(bad(
            "the path must be percent-encoded (it contains spaces or control characters)",
        ));
    }
    Ok(Url {
        scheme,
        authority,
        path,
        query,
    })
}

/// Splits `Name: value`.
fn parse_header(h: &str) -> Result<(String, String), CliError> {
    let (name, value) = h
        .split_once(':')
        .ok_or_else(|| CliError::failed(format!("invalid header {h:?}: expected 'Name: value'")))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(CliError::failed(format!(
            "invalid header {h:?}: the name is empty"
        )));
    }
    Ok((name.to_owned(), value.trim().to_owned()))
}

/// A request body: bytes in memory, or a regular file streamed from disk.
pub(super) enum Body {
    /// `--data`, or a `--data-file` that is not a regular file (read whole, within
    /// [`MAX_PIPED_BODY_LEN`]).
    Bytes(Vec<u8>),
    /// A regular `--data-file`, rewound to its start: read in pieces, never whole.
    File {
        file: std::fs::File,
        /// Its length when it was opened (the `Content-Length` that was signed).
        len: u64,
        path: std::path::PathBuf,
    },
}

impl Body {
    /// The length announced in `Content-Length`.
    pub fn len(&self) -> u64 {
        match self {
            Body::Bytes(b) => b.len() as u64,
            Body::File { len, .. } => *len,
        }
    }

    /// Hands the body to `sink` in pieces of at most [`BODY_PIECE_LEN`] bytes; a file gives
    /// exactly the length it had when opened.
    pub fn for_each_piece(
        &mut self,
        mut sink: impl FnMut(&[u8]) -> Result<(), CliError>,
    ) -> Result<(), CliError> {
        match self {
            Body::Bytes(bytes) => bytes.chunks(BODY_PIECE_LEN).try_for_each(sink),
            Body::File { file, len, path } => {
                let read_err = |e: std::io::Error| {
                    CliError::failed(format!("cannot read --data-file {}: {e}", path.display()))
                };
                file.seek(SeekFrom::Start(0)).map_err(read_err)?;
                let mut buf = vec![0u8; BODY_PIECE_LEN];
                let mut left = *len;
                while left > 0 {
                    let want = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
                    let piece = buf.get_mut(..want).unwrap_or_default();
                    let n = match file.read(piece) {
                        Ok(0) => {
                            return Err(CliError::failed(format!(
                                "--data-file {} became shorter while it was read",
                                path.display()
                            )))
                        }
                        Ok(n) => n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(read_err(e)),
                    };
                    sink(buf.get(..n).unwrap_or_default())?;
                    left -= n as u64;
                }
                Ok(())
            }
        }
    }

    /// The hex SHA-256 of the body, in one streaming pass (constant memory).
    fn sha256_hex(&mut self) -> Result<String, CliError> {
        use sha2::Digest;
        let mut hasher = sha2::Sha256::new();
        self.for_each_piece(|piece| {
            hasher.update(piece);
            Ok(())
        })?;
        let digest = hasher.finalize();
        let mut hex = String::with_capacity(64);
        for b in digest.iter() {
            hex.push(char::from(HEX_DIGITS[usize::from(b >> 4)]));
            hex.push(char::from(HEX_DIGITS[usize::from(b & 15)]));
        }
        Ok(hex)
    }
}

/// A regular `--data-file` as core's [`BodySource`](aws_session_core::http::BodySource): the
/// pipeline reads it in pieces and rewinds it before every attempt, so a retried request sends
/// the same bytes without holding them.
pub(super) struct FileSource<'f> {
    file: &'f mut std::fs::File,
    len: u64,
    left: u64,
}

impl<'f> FileSource<'f> {
    /// The first `len` bytes of `file` (its length when it was opened and signed).
    pub fn new(file: &'f mut std::fs::File, len: u64) -> Self {
        FileSource {
            file,
            len,
            left: len,
        }
    }
}

impl aws_session_core::http::BodySource for FileSource<'_> {
    fn length(&self) -> u64 {
        self.len
    }

    fn rewind(&mut self) -> Result<(), aws_session_core::platform::ErrorKind> {
        self.file
            .seek(SeekFrom::Start(0))
            .map_err(|e| crate::transport::io_kind(e.kind()))?;
        self.left = self.len;
        Ok(())
    }

    fn read(&mut self, buf: &mut [u8]) -> Result<usize, aws_session_core::platform::ErrorKind> {
        let want = usize::try_from(self.left)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        if want == 0 {
            return Ok(0);
        }
        loop {
            match self.file.read(buf.get_mut(..want).unwrap_or_default()) {
                // Shorter than when it was signed: never send a truncated body as complete.
                Ok(0) => return Err(aws_session_core::platform::ErrorKind::InvalidData),
                Ok(n) => {
                    self.left -= n as u64;
                    return Ok(n);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(crate::transport::io_kind(e.kind())),
            }
        }
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// The size of the pieces a body is hashed and sent in (64 KiB).
pub(super) const BODY_PIECE_LEN: usize = 64 * 1024;

/// Opens `--data-file`: a regular file is streamed; anything else (a pipe, `/dev/stdin`) is read
/// whole within [`MAX_PIPED_BODY_LEN`], waiting at most [`SPECIAL_FILE_WAIT`] for each piece.
///
/// [`SPECIAL_FILE_WAIT`]: crate::limits::SPECIAL_FILE_WAIT
fn open_data_file(path: &std::path::Path) -> Result<Body, CliError> {
    let limit = ReadLimit::new(MAX_PIPED_BODY_LEN, "MAX_PIPED_BODY_LEN");
    match open_body(path, limit) {
        Ok(Opened::Regular(file, len)) => Ok(Body::File {
            file,
            len,
            path: path.to_owned(),
        }),
        Ok(Opened::Contents(bytes)) => Ok(Body::Bytes(bytes)),
        Err(e) => Err(CliError::failed(format!("cannot read --data-file {e}"))),
    }
}

/// A signed request, ready to print or send.
pub(super) struct Prepared {
    pub method: String,
    pub scheme: Scheme,
    /// Where `curl` connects: the URL's `host[:port]`, whatever `Host` header is sent.
    pub authority: String,
    /// The `Host` value that was signed and is sent (the URL's, or a `-H 'Host: …'`).
    pub host: String,
    /// Path and query as sent.
    pub target: String,
    /// Every header after `Host`, in sending order: first the caller's (`-H`), then the ones
    /// this tool and the signer add.
    pub headers: Vec<(String, String)>,
    /// How many of `headers`, from the start, the caller gave with `-H`.
    pub caller_headers: usize,
    pub body: Body,
}

/// The session's keys (resolved through its providers), or why there are none.
fn credentials(loaded: &LoadedSession) -> Result<Credentials, CliError> {
    crate::credentials::resolve(loaded.session())
        .map(|(c, _)| c)
        .map_err(|e| {
            CliError::failed(format!(
                "no credentials to sign with: {}",
                configure::why_no_credentials(loaded, &e)
            ))
        })
}

/// What a signature is for, resolved from the command line and the session.
struct Scope<'a> {
    /// The region, or with SigV4a the region set.
    region: &'a str,
    /// The signing time.
    time: UnixTime,
    /// The service's signing rules, SigV4a when asked for.
    settings: SigningSettings,
}

/// The scope of a signature: the service's rules; `--region`, else the session's region; SigV4a
/// with `--sigv4a` or `--region-set`, for the region set `--region-set`, else the session's
/// (`AWS_SIGV4A_SIGNING_REGION_SET`, profile `sigv4a_signing_region_set`), else the region;
/// `--time`, else now.
fn resolve_scope<'a>(
    loaded: &'a LoadedSession,
    scope: &'a ScopeArgs,
) -> Result<Scope<'a>, CliError> {
    let mut settings = SigningSettings::for_service(&scope.service);
    let v4a = scope.sigv4a || scope.region_set.is_some();
    if v4a {
        settings = settings.sigv4a();
    }
    let config = loaded.session().config();
    let configured_set = config.sigv4a_signing_region_set.as_ref();
    let (region, source) = match (scope.region_set.as_deref(), configured_set) {
        (Some(set), _) => (set, "option".to_owned()),
        (None, Some(set)) if v4a => (
            set.value.as_str(),
            config.provenance.display(set.source).to_string(),
        ),
        _ => region(loaded, scope.region.as_deref())?,
    };
    // Checked here, so the message can say which value is wrong and where it came from.
    let (what, check, rule): (_, fn(&str) -> Result<(), _>, _) = if v4a {
        (
            "SigV4a region set",
            aws_session_core::sigv4::v4a::validate_region_set,
            "one or more comma-separated regions or patterns (us-east-1,us-*,*), no empty entry",
        )
    } else {
        (
            "region",
            aws_session_core::sigv4::validate_region,
            "1 to 32 characters of A-Z a-z 0-9 - _ .",
        )
    };
    if check(region).is_err() {
        return Err(CliError::failed(format!(
            "invalid {what} {:?} from {source}: expected {rule}",
            Escaped(region)
        )));
    }
    Ok(Scope {
        region,
        time: signing_time(scope.time.as_deref())?,
        settings,
    })
}

/// `--region`, else the session's region; with where it came from.
fn region<'a>(
    loaded: &'a LoadedSession,
    arg: Option<&'a str>,
) -> Result<(&'a str, String), CliError> {
    if let Some(r) = arg {
        return Ok((r, "option".to_owned()));
    }
    let config = loaded.session().config();
    match &config.region {
        Some(r) => Ok((
            r.value.as_str(),
            config.provenance.display(r.source).to_string(),
        )),
        None => Err(CliError::failed(
            "no region: pass --region, or set AWS_REGION (or region in ~/.aws/config with AWS_SDK_LOAD_CONFIG=1)",
        )),
    }
}

/// `--time`, else now.
fn signing_time(arg: Option<&str>) -> Result<UnixTime, CliError> {
    match arg {
        Some(t) => UnixTime::parse_amz(t).map_err(|e| {
            CliError::failed(format!(
                "invalid --time {t:?}: {e} (expected YYYYMMDDTHHMMSSZ)"
            ))
        }),
        None => SystemClock
            .now()
            .map_err(|e| CliError::failed(format!("cannot read the clock: {e}"))),
    }
}

/// Builds and signs the request of `sign` / `curl`.
pub(super) fn prepare(loaded: &LoadedSession, args: &SignArgs) -> Result<Prepared, CliError> {
    let url = parse_url(&args.url)?;
    let creds = credentials(loaded)?;
    let scope = resolve_scope(loaded, &args.scope)?;

    let mut body = match (&args.data, &args.data_file) {
        (Some(d), _) => Body::Bytes(d.clone().into_bytes()),
        (None, Some(path)) => open_data_file(path)?,
        (None, None) => Body::Bytes(Vec::new()),
    };
    let has_body = args.data.is_some() || args.data_file.is_some();
    let method = match &args.method {
        Some(m) => m.to_ascii_uppercase(),
        None if has_body => "POST".to_owned(),
        None => "GET".to_owned(),
    };

    let mut host = url.authority.to_owned();
    let mut user_headers = Vec::with_capacity(args.headers.len());
    for h in &args.headers {
        let (name, value) = parse_header(h)?;
        if name.eq_ignore_ascii_case("host") {
            host = value;
        } else {
            user_headers.push((name, value));
        }
    }
    let borrowed: Vec<(&str, &str)> = user_headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    // A file is hashed in a first streaming pass; UNSIGNED-PAYLOAD skips it.
    let file_hash = match &body {
        Body::File { .. } if !args.unsigned_payload => Some(body.sha256_hex()?),
        _ => None,
    };
    let signable_body = match (&body, &file_hash) {
        _ if args.unsigned_payload => SignableBody::Unsigned,
        (_, Some(hash)) => SignableBody::Precomputed(hash),
        (Body::Bytes(bytes), None) => SignableBody::Bytes(bytes),
        (Body::File { .. }, None) => SignableBody::Unsigned,
    };
    let request = SignableRequest::new(&method, url.path, url.query, &borrowed, signable_body)
        .with_host(&host);
    let params = SigningParams {
        credentials: creds.signing(),
        region: scope.region,
        service: &args.scope.service,
        time: scope.time,
        settings: scope.settings,
    };
    let mut out = SigningOutput::new();
    let signed = Signer::<0>::new()
        .sign(&request, &params, &mut out)
        .map_err(|e| CliError::failed(format!("cannot sign the request: {e}")))?;

    // The signer's headers replace the caller's of the same name (Go v1 `Header.Set`).
    let mut headers: Vec<(String, String)> = user_headers
        .iter()
        .filter(|(name, _)| !signed.replaces_header(name))
        .cloned()
        .collect();
    let caller_headers = headers.len();
    let user_sets_length = user_headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-length"));
    if (has_body || method_needs_length(&method)) && !user_sets_length {
        headers.push(("Content-Length".to_owned(), body.len().to_string()));
    }
    for (name, value) in signed.headers() {
        headers.push((name.to_owned(), value.to_owned()));
    }
    let target = if url.query.is_empty() {
        url.path.to_owned()
    } else {
        format!("{}?{}", url.path, url.query)
    };
    Ok(Prepared {
        method,
        scheme: url.scheme,
        authority: url.authority.to_owned(),
        host,
        target,
        headers,
        caller_headers,
        body,
    })
}

/// Methods whose requests carry a body, so an empty one is still announced (`Content-Length: 0`).
fn method_needs_length(method: &str) -> bool {
    matches!(
        method.to_ascii_uppercase().as_str(),
        "POST" | "PUT" | "PATCH"
    )
}

/// Prints the request line and every header.
pub(super) fn print_signed(p: &Prepared, out: &mut dyn Write) -> Result<(), CliError> {
    let mut text = format!(
        "{} {} HTTP/1.1\nHost: {}\n",
        Escaped(&p.method),
        Escaped(&p.target),
        Escaped(&p.host)
    );
    for (name, value) in &p.headers {
        text.push_str(&format!("{}: {}\n", Escaped(name), Escaped(value)));
    }
    out.write_all(text.as_bytes()).map_err(CliError::output)
}

/// Builds the presigned URL of `presign`.
pub(super) fn presign(loaded: &LoadedSession, args: &PresignArgs) -> Result<String, CliError> {
    let url = parse_url(&args.url)?;
    let creds = credentials(loaded)?;
    let scope = resolve_scope(loaded, &args.scope)?;
    let settings = scope.settings.presigned(args.expires);
    // S3 presigned URLs never cover the payload; other services sign the empty body's hash.
    let body = if settings.content_sha256_header {
        SignableBody::Unsigned
    } else {
        SignableBody::Bytes(b"")
    };
    let request =
        SignableRequest::new(&args.method, url.path, url.query, &[], body).with_host(url.authority);
    let params = SigningParams {
        credentials: creds.signing(),
        region: scope.region,
        service: &args.scope.service,
        time: scope.time,
        settings,
    };
    let mut out = SigningOutput::new();
    let signed = Signer::<0>::new()
        .sign(&request, &params, &mut out)
        .map_err(|e| CliError::failed(format!("cannot presign the URL: {e}")))?;
    let base = if url.query.is_empty() {
        format!("{}{}", url.origin(), url.path)
    } else {
        format!("{}{}?{}", url.origin(), url.path, url.query)
    };
    let mut text = String::new();
    signed
        .write_url(&mut text, &base)
        .map_err(|_| CliError::failed("cannot write the presigned URL"))?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_their_parts() {
        let u = parse_url("https://example.com:8443/a%20b/c?x=1&y#frag").unwrap();
        assert_eq!(
            (u.scheme, u.authority, u.path, u.query),
            (Scheme::Https, "example.com:8443", "/a%20b/c", "x=1&y")
        );
        let u = parse_url("http://127.0.0.1:5055").unwrap();
        assert_eq!((u.path, u.query), ("/", ""));
        let u = parse_url("HTTP://h?q").unwrap();
        assert_eq!((u.scheme, u.path, u.query), (Scheme::Http, "/", "q"));
        for bad in [
            "ftp://h/",
            "h/path",
            "https:///x",
            "https://u:p@h/",
            "https://h/a b",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn headers_split_at_the_first_colon() {
        assert_eq!(
            parse_header("X-A:  b: c ").unwrap(),
            ("X-A".into(), "b: c".into())
        );
        assert!(parse_header("nocolon").is_err());
        assert!(parse_header(": v").is_err());
    }
}

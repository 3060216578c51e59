//! Signing an [`http::Request`] (feature `http`): the adapter for SDKs built on the `http` crate.
//!
//! The adapter only translates: it lends the signer a [`SignableRequest`] view of the request
//! (method, path, query, headers, and the URI's authority when there is no `Host` header), then
//! applies the [`SigningInstructions`] — headers inserted (replacing any of the same name), or the
//! presigned query parameters appended to the URI. This module is the only one in the crate that
//! allocates, and only because `http` does.

extern crate alloc;

use alloc::string::String;
use core::fmt;

use ::http::header::{HeaderName, HeaderValue};
use ::http::{Request, Uri};

use crate::limits::MAX_SIGNER_HEADERS;

use super::{
    SignableBody, SignableRequest, Signer, SigningError, SigningInstructions, SigningOutput,
    SigningParams, MAX_SIGNING_HEADERS,
};

/// Signing an `http::Request` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HttpSignError {
    /// The signer refused the request.
    Signing(SigningError),
    /// A header value is not visible ASCII text (`http` exposes only those as `&str`).
    HeaderNotText {
        /// Position of the header in the request's header map iteration.
        index: usize,
    },
    /// The request has more headers than [`MAX_SIGNER_HEADERS`].
    TooManyHeaders {
        /// The limit.
        limit: usize,
    },
    /// The presigned URI or a signed header value was rejected by `http`.
    InvalidResult,
}

impl fmt::Display for HttpSignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpSignError::Signing(e) => write!(f, "signing failed: {e}"),
            HttpSignError::HeaderNotText { index } => {
                write!(f, "header #{index} is not visible ASCII text")
            }
            HttpSignError::TooManyHeaders { limit } => write!(f, "more than {limit} headers"),
            HttpSignError::InvalidResult => {
                f.write_str("the signed URI or header was rejected by the http crate")
            }
        }
    }
}

impl core::error::Error for HttpSignError {}

impl From<SigningError> for HttpSignError {
    fn from(e: SigningError) -> Self {
        HttpSignError::Signing(e)
    }
}

/// Signs `req` in place: adds the signing headers, or rewrites the URI into a presigned URL when
/// `params.settings` asks for query signing. `body` says how the payload is signed (the body
/// type is opaque to the adapter; see [`sign_request_bytes`] for in-memory bodies).
///
/// # Errors
/// [`HttpSignError`] naming what the signer or `http` refused; `req` is unchanged then.
pub fn sign_request<B, const N: usize>(
    signer: &mut Signer<N>,
    req: &mut Request<B>,
    body: SignableBody<'_>,
    params: &SigningParams<'_>,
) -> Result<(), HttpSignError> {
    let mut out = SigningOutput::new();
    let instructions = sign_view(signer, req, body, params, &mut out)?;
    apply(req, &instructions)
}

/// [`sign_request`] for a body held in memory: the signer hashes it.
///
/// # Errors
/// As [`sign_request`].
pub fn sign_request_bytes<B: AsRef<[u8]>, const N: usize>(
    signer: &mut Signer<N>,
    req: &mut Request<B>,
    params: &SigningParams<'_>,
) -> Result<(), HttpSignError> {
    let mut out = SigningOutput::new();
    let instructions = sign_view(
        signer,
        req,
        SignableBody::Bytes(req.body().as_ref()),
        params,
        &mut out,
    )?;
    apply(req, &instructions)
}

/// Lends the signer a view of `req` (headers copied as `&str` pairs into a fixed array).
fn sign_view<'o, B, const N: usize>(
    signer: &mut Signer<N>,
    req: &Request<B>,
    body: SignableBody<'_>,
    params: &SigningParams<'o>,
    out: &'o mut SigningOutput,
) -> Result<SigningInstructions<'o>, HttpSignError> {
    let mut headers: [(&str, &str); MAX_SIGNER_HEADERS] = [("", ""); MAX_SIGNER_HEADERS];
    let mut count = 0;
    for (index, (name, value)) in req.headers().iter().enumerate() {
        let slot = headers
            .get_mut(index)
            .ok_or(HttpSignError::TooManyHeaders {
                limit: MAX_SIGNER_HEADERS,
            })?;
        *slot = (
            name.as_str(),
            value
                .to_str()
                .map_err(|_| HttpSignError::HeaderNotText { index })?,
        );
        count += 1;
    }
    let headers = headers.get(..count).unwrap_or(&[]);
    let uri = req.uri();
    let mut view = SignableRequest::new(
        req.method().as_str(),
        uri.path(),
        uri.query().unwrap_or(""),
        headers,
        body,
    );
    if !req.headers().contains_key(::http::header::HOST) {
        if let Some(authority) = uri.authority() {
            view = view.with_host(authority.as_str());
        }
    }
    Ok(signer.sign(&view, params, out)?)
}

/// Applies the instructions: all checks first, then the changes, so a refusal changes nothing.
fn apply<B>(
    req: &mut Request<B>,
    instructions: &SigningInstructions<'_>,
) -> Result<(), HttpSignError> {
    if instructions.is_presigned() {
        let uri = req.uri();
        let mut text = String::new();
        if let Some(scheme) = uri.scheme_str() {
            text.push_str(scheme);
            text.push_str("://");
        }
        if let Some(authority) = uri.authority() {
            text.push_str(authority.as_str());
        }
        text.push_str(uri.path());
        text.push('?');
        if let Some(q) = uri.query().filter(|q| !q.is_empty()) {
            text.push_str(q);
            text.push('&');
        }
        instructions
            .write_query(&mut text)
            .map_err(|_| HttpSignError::InvalidResult)?;
        let signed: Uri = text.parse().map_err(|_| HttpSignError::InvalidResult)?;
        *req.uri_mut() = signed;
        return Ok(());
    }
    let mut pending: [Option<(HeaderName, HeaderValue)>; MAX_SIGNING_HEADERS] =
        [const { None }; MAX_SIGNING_HEADERS];
    for (slot, (name, value)) in pending.iter_mut().zip(instructions.headers()) {
        let name =
            HeaderName::from_bytes(name.as_bytes()).map_err(|_| HttpSignError::InvalidResult)?;
        let mut value = HeaderValue::from_str(value).map_err(|_| HttpSignError::InvalidResult)?;
        if name == ::http::header::AUTHORIZATION || name.as_str() == "x-amz-security-token" {
            value.set_sensitive(true);
        }
        *slot = Some((name, value));
    }
    for (name, value) in pending.into_iter().flatten() {
        req.headers_mut().insert(name, value);
    }
    Ok(())
}

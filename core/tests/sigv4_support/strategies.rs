//! Request generators for the property tests (proptest): mostly valid requests, settings and
//! credentials, with enough bad bytes, escapes and odd settings to reach every refusal.

use aws_session_core::sigv4::{SessionTokenMode, SignableBody, SigningSettings, UriEncoding};
use proptest::prelude::*;

/// Text that is mostly URL-ish but reaches control characters, escapes and multi-byte UTF-8.
fn texty() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            8 => prop::sample::select(vec!['a', 'Z', '0', '-', '_', '.', '~', '/', '=', '&', '%', '+', ' ', '?']),
            2 => prop::sample::select(vec!['\t', '\n', '\r', '\0', '\x7f', 'é', 'ሴ', '😀', ';', ',', ':']),
            1 => any::<char>(),
        ],
        0..40,
    )
    .prop_map(|v| v.into_iter().collect())
}

/// Mostly valid header names (any case), sometimes anything.
fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        16 => "[A-Za-z][A-Za-z0-9!#$&'*+.^_`|~-]{0,12}",
        2 => Just("Host".to_owned()),
        2 => Just("x-amz-date".to_owned()),
        1 => texty(),
    ]
}

/// Mostly printable header values (with runs of spaces and tabs), sometimes anything.
fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![16 => "[ -~\t]{0,24}", 3 => "[ -~\u{80}-\u{10ffff}]{0,8}", 1 => texty()]
}

/// A hex SHA-256 most of the time, sometimes something else.
fn hexish() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[0-9a-fA-F]{64}",
        1 => prop::collection::vec(prop::sample::select(vec!['0', '9', 'a', 'f', 'A', 'x']), 0..66)
            .prop_map(|v| v.into_iter().collect()),
    ]
}

#[derive(Debug, Clone)]
pub struct Input {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub host: Option<String>,
    pub body: Vec<u8>,
    pub body_kind: u8,
    pub hash: String,
    pub double: bool,
    pub normalize: bool,
    pub sha_header: bool,
    pub presign: Option<u32>,
    pub token: Option<String>,
    pub after: bool,
    pub region: String,
    pub service: String,
    pub time: u64,
    pub v4a: bool,
}

pub fn input() -> impl Strategy<Value = Input> {
    (
        (
            prop_oneof![
                19 => prop::sample::select(vec!["GET", "PUT", "POST", "HEAD", "DELETE"]),
                1 => prop::sample::select(vec!["G ET", "", "GET\n"]),
            ]
            .prop_map(String::from),
            texty(),
            texty(),
        ),
        prop::collection::vec((header_name(), header_value()), 0..6),
        (
            prop::option::weighted(0.9, header_value()),
            prop::collection::vec(any::<u8>(), 0..64),
            prop_oneof![4 => Just(0u8), 1 => Just(1u8), 2 => Just(2u8), 1 => 3u8..6],
            hexish(),
        ),
        (
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            prop_oneof![12 => Just(None), 6 => (1u32..=604_800).prop_map(Some), 1 => any::<u32>().prop_map(Some)],
        ),
        (
            prop_oneof![12 => Just(None), 6 => "[A-Za-z0-9+/=]{1,40}".prop_map(Some), 1 => texty().prop_map(Some)],
            any::<bool>(),
        ),
        (
            prop_oneof![19 => Just("us-east-1".to_owned()), 1 => texty()],
            prop_oneof![9 => Just("s3".to_owned()), 9 => Just("service".to_owned()), 1 => texty()],
        ),
        (prop_oneof![19 => Just(1_440_938_160u64), 1 => any::<u64>()], prop::bool::weighted(0.1)),
    )
        .prop_map(
            |((method, path, query), headers, (host, body, body_kind, hash), (double, normalize, sha_header, presign), (token, after), (region, service), (time, v4a))| Input {
                method,
                path: if path.starts_with('/') { path } else { format!("/{path}") },
                query,
                headers,
                host,
                body,
                body_kind,
                hash,
                double,
                normalize,
                sha_header,
                presign,
                token,
                after,
                region,
                service,
                time,
                v4a,
            },
        )
}

pub fn settings(i: &Input) -> SigningSettings {
    let mut s = SigningSettings::standard();
    s.uri_encoding = if i.double {
        UriEncoding::Double
    } else {
        UriEncoding::Single
    };
    s.normalize_path = i.normalize;
    s.content_sha256_header = i.sha_header;
    if i.after {
        s.session_token = SessionTokenMode::AfterSigning;
    }
    if let Some(secs) = i.presign {
        s = s.presigned(secs);
    }
    if i.v4a {
        s = s.sigv4a();
    }
    s
}

pub fn body(i: &Input) -> SignableBody<'_> {
    match i.body_kind {
        0 => SignableBody::Bytes(&i.body),
        1 => SignableBody::Precomputed(&i.hash),
        2 => SignableBody::Unsigned,
        3 => SignableBody::StreamingSigned,
        4 => SignableBody::StreamingSignedWithTrailer,
        _ => SignableBody::StreamingUnsignedWithTrailer,
    }
}

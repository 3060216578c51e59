//! The embassy adapter's own capacities and timeouts: the flash profile store, the HTTP/1.1 client
//! and the wall clock.
//!
//! Like `aws_session_core::limits`, each limit is a named constant with its default and the reason
//! for the number; the core's limits (names, tokens, request views, signer) stay in the core.

// ---- flash-stored profiles ---------------------------------------------------------------------

/// Longest encoded profile record (JSON, see the [`store`](crate::store) module) kept in flash.
/// A full record — region, endpoint, role settings, a key pair and a 2048-byte session token — is
/// under 3 KiB; 3584 leaves room and, with the key and the storage's item header, still fits one
/// 4 KiB NOR sector, the smallest page most parts offer.
pub const MAX_PROFILE_RECORD_LEN: usize = 3584;
/// Distinct profile names one flash store tracks while listing (deleted names still present in
/// flash count until their page is reclaimed). Devices keep one to three profiles.
pub const MAX_STORED_PROFILES: usize = 16;
/// Longest device certificate (DER) the profile store keeps: AWS IoT's certificates are about
/// 0.6 KiB (P-256) to 1 KiB (RSA 2048); this leaves room for long subject names.
pub const MAX_DEVICE_CERTIFICATE_LEN: usize = 2048;
/// Bytes of config text a flash profile source renders for one session: the selected profile and
/// its `source_profile` chain, in `~/.aws/config` syntax. One full record renders to under 3 KiB.
pub const MAX_FLASH_PROFILE_TEXT_LEN: usize = 4096;

// ---- HTTP/1.1 client and clock ----------------------------------------------------------------

/// Header lines of one HTTP response the embassy client can parse (the response keeps at most
/// [`MAX_RESPONSE_HEADERS`](aws_session_core::limits::MAX_RESPONSE_HEADERS) of them). S3 and CloudFront responses carry 10–20.
pub const MAX_HTTP_RESPONSE_HEADER_LINES: usize = 32;
/// How far (in seconds) the embassy adapter's wall clock may be from a response's `Date` before the
/// header resets it. `Date` has whole seconds, so a smaller value would move the clock back and
/// forth; SigV4 tolerates 300 s of skew, so 2 s costs nothing.
pub const MAX_DATE_DRIFT_SECS: u64 = 2;
/// Longest wait for one read or write of the embassy HTTP client, in milliseconds. AWS endpoints
/// answer within a few seconds; S3 may pause up to 20 s before a large response.
pub const HTTP_IO_TIMEOUT_MS: u32 = 30_000;
/// Longest a kept-alive connection of the embassy HTTP client may sit unused and still carry a
/// request, in milliseconds. AWS's load balancers drop connections idle for 60 s by default (a
/// NAT may drop them sooner, silently); past this limit the transports that reconnect open a new
/// connection rather than find out with a failed attempt.
pub const HTTP_IDLE_LIMIT_MS: u32 = 50_000;
/// Bytes of an unread response body the embassy HTTP client reads and drops so that the
/// connection can carry the next request; a longer rest closes the connection instead.
pub const MAX_HTTP_DRAIN_LEN: usize = 8192;

// ---- TLS -----------------------------------------------------------------------------------------

/// Trust anchors given as DER certificates ([`TrustAnchors::new`](crate::tls::TrustAnchors::new))
/// that one handshake parses and tries; pre-parsed anchors
/// ([`TrustAnchors::from_anchors`](crate::tls::TrustAnchors::from_anchors)) have no limit. A
/// device trusts a handful of roots; AWS needs five.
pub const MAX_DER_TRUST_ANCHORS: usize = 8;

//! Every fixed capacity in the crate, in one place.
//!
//! Each limit is a named constant with its default and the reason for the number. Public types take
//! const generics that default to these values where a caller may want another size. Going past a
//! limit is never a truncation or a panic: the operation returns a typed error that names the limit
//! (see [`crate::text::CapacityError`]) and leaves the target unchanged.

// ---- identity and naming ------------------------------------------------------------------------

/// Longest region name. Real regions are at most 14 characters (`ap-southeast-5`, `us-isob-east-1`);
/// pseudo regions such as `fips-us-gov-west-1` or `aws-us-gov-global` stay under 24. 32 leaves room.
pub const MAX_REGION_LEN: usize = 32;
/// Longest SigV4a region set (`x-amz-region-set`): `*`, a wildcard such as `us-*`, or a
/// comma-separated list; 128 holds eight full region names.
pub const MAX_REGION_SET_LEN: usize = 128;
/// Longest profile name. The cross-SDK profile suites use short names; 64 covers the longest names
/// seen in the wild (CI-generated names with account ids).
pub const MAX_PROFILE_NAME_LEN: usize = 64;
/// Longest access key id. IAM documents 16..=128 characters.
pub const MAX_ACCESS_KEY_ID_LEN: usize = 128;
/// Longest secret access key. IAM keys are 40 characters; 128 matches the access-key-id bound.
pub const MAX_SECRET_KEY_LEN: usize = 128;
/// Longest session token. STS tokens are commonly 400–1100 characters and grow with session tags;
/// 2048 covers STS, SSO and IoT credential-provider tokens with headroom.
pub const MAX_SESSION_TOKEN_LEN: usize = 2048;
/// Longest role ARN kept for an assume-role hop. IAM allows long paths, but real role ARNs are
/// `arn:PARTITION:iam::ACCOUNT:role/NAME` (under 100 characters); 256 keeps a 4-hop plan small
/// enough for a microcontroller stack. A longer ARN is a capacity error naming this limit.
pub const MAX_ROLE_ARN_LEN: usize = 256;
/// Longest role session name, external id or MFA serial kept for a hop. IAM allows 64 for a
/// session name (exactly this limit), up to 1224 for an external id and 256 for an MFA serial, but
/// real external ids are UUID-sized and MFA serials are ARNs under 64; longer ones are a capacity
/// error naming this limit. Kept small because a plan holds [`MAX_ROLE_HOPS`] of each.
pub const MAX_ROLE_PARAM_LEN: usize = 64;
/// How many `AssumeRole` hops a credential plan holds. Real chains take 1–2.
pub const MAX_ROLE_HOPS: usize = 4;
/// Longest MFA token code an `AssumeRoleTokenProvider` may return (codes are 6 digits).
pub const MAX_MFA_TOKEN_LEN: usize = 16;
/// Longest endpoint URL (`AWS_ENDPOINT_URL`, `Config.Endpoint`). Hosts are at most 253 characters;
/// 256 leaves room for a scheme and a port in typical local endpoints.
pub const MAX_ENDPOINT_LEN: usize = 256;
/// Longest application id / user-agent suffix (`sdk_ua_app_id` is limited to 50 by the SDK spec).
pub const MAX_APP_ID_LEN: usize = 50;
/// Longest file path kept for provenance and for the shared-file list.
pub const MAX_PATH_LEN: usize = 256;
/// Longest `credential_source`, `credential_process` or token-file value we keep.
pub const MAX_SETTING_LEN: usize = 256;

// ---- IAM Identity Center (SSO) tokens -----------------------------------------------------------

/// Longest SSO access token (`accessToken` in `~/.aws/sso/cache/*.json`, and from SSO OIDC
/// `CreateToken`). The tokens are opaque; those seen in the wild are 1–1.5 KiB (`aoa…` strings),
/// so 2048 matches [`MAX_SESSION_TOKEN_LEN`]. Also bounds the refresh token, which has the same
/// shape. A longer token is a capacity error naming this limit.
pub const MAX_SSO_TOKEN_LEN: usize = 2048;
/// Longest SSO OIDC client id (`clientId`). Registered client ids are about 22–40 characters; 128
/// matches [`MAX_ACCESS_KEY_ID_LEN`].
pub const MAX_SSO_CLIENT_ID_LEN: usize = 128;
/// Longest SSO OIDC client secret (`clientSecret`): a JWT-like string of about 1–1.5 KiB that grows
/// with the registration's scopes; 2048 leaves headroom.
pub const MAX_SSO_CLIENT_SECRET_LEN: usize = 2048;
/// Longest SSO start URL (`startUrl`): `https://<name>.awsapps.com/start` or a custom domain;
/// 256 matches [`MAX_ENDPOINT_LEN`].
pub const MAX_SSO_START_URL_LEN: usize = 256;

/// Longest text an error keeps of a path, profile name or value it reports. Errors own what they
/// name (so `?` can carry them past the text they were read from) without a heap; a longer path
/// keeps its end and a longer name its start, marked with `…`. 128 holds a typical home-relative
/// path or a role ARN whole while keeping a `Result` small on a microcontroller stack.
pub const MAX_ERROR_TEXT_LEN: usize = 128;

// ---- config files -------------------------------------------------------------------------------

/// How many shared config files one session reads (Go v1 reads two by default: config, credentials).
pub const MAX_SHARED_FILES: usize = 4;
/// How many `source_profile` hops a credential chain may take before it is reported as too long.
/// Real chains are 1–3 hops; 8 also bounds the work done on a cyclic graph.
pub const MAX_PROFILE_CHAIN: usize = 8;
/// How many service-specific endpoint overrides (`AWS_ENDPOINT_URL_<SERVICE>`) a session keeps.
/// Local test setups override two or three services (S3, STS, DynamoDB); more is a capacity error.
pub const MAX_SERVICE_ENDPOINTS: usize = 4;
/// Longest service id in an endpoint override (`AWS_ENDPOINT_URL_<SERVICE>`).
pub const MAX_SERVICE_ID_LEN: usize = 32;

// ---- handlers ------------------------------------------------------------------------------------

/// Handlers per list. Go v1's default session uses at most 3 per list (Build); services add one or
/// two. 8 leaves room for application handlers without growing every list.
pub const MAX_HANDLERS_PER_LIST: usize = 8;
/// Attempts the pipeline makes at most for one request (1 + retries), whatever `max_retries` says.
pub const MAX_ATTEMPTS: u32 = 16;

// ---- HTTP views and the request pipeline -------------------------------------------------------

/// Longest request host (`host[:port]`). DNS names are at most 253 characters; a colon and a
/// five-digit port make 259.
pub const MAX_HOST_LEN: usize = 260;
/// Longest request target (percent-encoded path plus `?query`). S3 keys may be 1024 bytes before
/// encoding; 1024 encoded bytes covers every non-S3 operation and typical keys. A longer target is a
/// capacity error naming this limit.
pub const MAX_REQUEST_TARGET_LEN: usize = 1024;
/// Headers one request carries. A signed request with a session token uses about eight
/// (`host` is kept apart); 16 leaves room for service and application headers.
pub const MAX_REQUEST_HEADERS: usize = 16;
/// Bytes of header names and values one request keeps. A session token alone may be
/// [`MAX_SESSION_TOKEN_LEN`] (2048) bytes; `Authorization` adds about 250, the rest about 300.
pub const MAX_REQUEST_HEADER_BYTES: usize = 3072;
/// Response headers kept. The pipeline needs a handful (`x-amzn-requestid`, `content-type`,
/// `content-length`, `retry-after`, `date`); extra ones are counted as dropped, never truncated.
pub const MAX_RESPONSE_HEADERS: usize = 16;
/// Bytes of response header names and values kept.
pub const MAX_RESPONSE_HEADER_BYTES: usize = 1024;
/// How deep the STS response scanner (`credentials::sts`) lets elements nest. STS responses are
/// four deep (`AssumeRoleResponse/AssumeRoleResult/Credentials/AccessKeyId`); 8 leaves room for
/// other query-protocol error bodies. Each level costs 24 bytes of scanner stack.
pub const MAX_XML_DEPTH: usize = 8;
/// Longest service error code kept (`ProvisionedThroughputExceededException` is 38 bytes).
pub const MAX_ERROR_CODE_LEN: usize = 64;
/// Stack buffer the blocking and async drivers use to copy a streamed request body to the
/// transport. Small on purpose: it lives on the driver's stack for the whole exchange.
pub const BODY_CHUNK_LEN: usize = 256;

// ---- retry policy (Go v1 `client.DefaultRetryer`) ----------------------------------------------

/// Retries of one request when the caller does not say (Go v1 `DefaultRetryerMaxNumRetries`).
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// Shortest back-off before a retry, before jitter (Go v1: 30 ms).
pub const MIN_RETRY_DELAY_MS: u32 = 30;
/// Shortest back-off after a throttling error, before jitter (Go v1: 500 ms).
pub const MIN_THROTTLE_DELAY_MS: u32 = 500;
/// Longest back-off before a retry (Go v1: 300 s).
pub const MAX_RETRY_DELAY_MS: u32 = 300_000;
/// Longest back-off after a throttling error (Go v1: 300 s). Also caps a `Retry-After` header,
/// which Go v1 adds without a bound.
pub const MAX_THROTTLE_DELAY_MS: u32 = 300_000;

// ---- SigV4 signing -------------------------------------------------------------------------------

/// Headers one request may carry into the signer (signed or not). Real SDK requests carry 5–12
/// (S3 PUT with checksum and storage class: about 10); 32 leaves room for user metadata headers.
/// Each costs one byte of signer stack.
pub const MAX_SIGNER_HEADERS: usize = 32;
/// Query parameters one request may carry into the signer, not counting the `X-Amz-*` ones a
/// presigned URL adds. S3 list calls use up to 8; 48 covers Query-protocol APIs with list members.
/// Each costs two bytes of signer stack.
pub const MAX_QUERY_PARAMS: usize = 48;
/// Longest raw (percent-encoded) query string the signer accepts. Offsets are kept as `u16`, so it
/// must stay below 65 520; 8 KiB covers long S3 continuation tokens and Query-protocol bodies moved
/// into the URL.
pub const MAX_QUERY_LEN: usize = 8192;
/// Longest request path the signer accepts. S3 object keys are at most 1024 bytes, up to 3072 once
/// percent-encoded; 4096 leaves room for the bucket and a prefix.
pub const MAX_URI_PATH_LEN: usize = 4096;
/// Longest signing name of a service (`s3-object-lambda` is 16; the longest in the AWS models is
/// under 40).
pub const MAX_SERVICE_NAME_LEN: usize = 64;
/// Capacity of the `Authorization` value a signature produces (`AWS4-HMAC-SHA256 Credential=…,
/// SignedHeaders=…, Signature=…`): 182 bytes of fixed text with the longest key id, region and
/// service, plus the signed-header list. 1024 fits about 40 typical header names.
pub const MAX_AUTHORIZATION_LEN: usize = 1024;
/// Signing keys a [`crate::sigv4::SigningKeyCache`] keeps by default, one per (date, region,
/// service). A session usually talks to one or two services at a time (e.g. STS and S3).
pub const MAX_CACHED_SIGNING_KEYS: usize = 2;
/// Longest validity of a presigned URL, in seconds: SigV4 refuses more than 7 days.
pub const MAX_PRESIGN_EXPIRES_SECS: u32 = 604_800;
/// Smallest aws-chunked chunk, in bytes: S3 requires every chunk but the last to hold at least
/// 8 KiB. The chunk buffer the caller lends the encoder must be at least this large.
pub const MIN_AWS_CHUNK_LEN: usize = 8192;
/// Trailing headers one aws-chunked body may end with. S3 sends one checksum trailer; 8 is plenty.
pub const MAX_TRAILERS: usize = 8;

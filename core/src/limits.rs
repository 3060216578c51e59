//! Every fixed capacity in the crate, in one place.
//!
//! Each limit is a named constant with its default and the reason for the number. Public types take
//! const generics that default to these values where a caller may want another size. Going past a
//! limit is never a truncation or a panic: the operation returns a typed error that names the limit
//! (see [`crate::text::CapacityError`]) and leaves the target unchanged.

/// The narrow or the wide value of a capacity: wide where the build has room for AWS's documented
/// maxima (cfg `wide_limits`: the `wide-limits` feature, or a 64-bit target unless
/// `AWS_SESSION_NARROW_LIMITS=1`; see `core/build.rs`), narrow on a device, where each value is
/// sized for what real configurations hold and a longer one is a capacity error naming the limit.
const fn narrow_or_wide(narrow: usize, wide: usize) -> usize {
    if cfg!(wide_limits) {
        wide
    } else {
        narrow
    }
}

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
/// Longest session token. STS documents no maximum ("make no assumptions about the maximum
/// size. As of this writing, the typical size is less than 4096 bytes": the `Credentials` note of
/// the STS API reference); session tags, session policies and chained roles make tokens longer.
/// Wide: 4096; narrow: 2048 (STS, SSO and IoT credential-provider tokens without large tags).
pub const MAX_SESSION_TOKEN_LEN: usize = narrow_or_wide(2048, 4096);
/// Longest role ARN (`role_arn`, `AWS_ROLE_ARN`). Wide: 2048, IAM's maximum for an ARN (STS
/// `AssumeRole` `RoleArn`: 20..=2048). Narrow: 256; real role ARNs are
/// `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`, under 100 characters.
pub const MAX_ROLE_ARN_LEN: usize = narrow_or_wide(256, 2048);
/// Longest `external_id`. Wide: 1224, STS `AssumeRole` `ExternalId` (2..=1224). Narrow: 64;
/// real external ids are UUID-sized.
pub const MAX_EXTERNAL_ID_LEN: usize = narrow_or_wide(64, 1224);
/// Longest `mfa_serial`. Wide: 256, STS `AssumeRole` `SerialNumber` (9..=256). Narrow: 64; MFA
/// device ARNs are `arn:aws:iam::ACCOUNT:mfa/NAME`.
pub const MAX_MFA_SERIAL_LEN: usize = narrow_or_wide(64, 256);
/// Longest `role_session_name` (`AWS_ROLE_SESSION_NAME`): 64, STS `RoleSessionName` (2..=64),
/// in every build.
pub const MAX_ROLE_SESSION_NAME_LEN: usize = 64;
/// Bytes of role ARNs, external ids, MFA serials and session names one credential plan holds for
/// all its hops together: each hop's texts are stored once, end to end, so a plan does not keep
/// [`MAX_ROLE_HOPS`] copies of every maximum. Wide: 4096, one hop at every maximum (3592 bytes)
/// or four typical hops. Narrow: 1024, four hops of 256 bytes.
pub const MAX_ROLE_TEXT_LEN: usize = narrow_or_wide(1024, 4096);
/// How many `AssumeRole` hops a credential plan holds. Real chains take 1–2.
pub const MAX_ROLE_HOPS: usize = 4;
/// Longest MFA token code an `AssumeRoleTokenProvider` may return (codes are 6 digits).
pub const MAX_MFA_TOKEN_LEN: usize = 16;
/// Longest endpoint URL (`AWS_ENDPOINT_URL`, `Config.Endpoint`). Hosts are at most 253 characters;
/// 256 leaves room for a scheme and a port in typical local endpoints.
pub const MAX_ENDPOINT_LEN: usize = 256;
/// Longest application id / user-agent suffix (`sdk_ua_app_id` is limited to 50 by the SDK spec).
pub const MAX_APP_ID_LEN: usize = 50;
/// Longest `AWS_EXECUTION_ENV` (the host sets it: `AWS_Lambda_python3.12`, `AWS_ECS_FARGATE`, …).
pub const MAX_EXECUTION_ENV_LEN: usize = 100;
/// Longest `User-Agent` header the user-agent handlers build (the SDK's name and version, the
/// platform, `exec-env/…`, `app/…` and what a caller set before them); a longer one is left as
/// it was.
pub const MAX_USER_AGENT_LEN: usize = 256;
/// Most bytes of a request or response body the request log shows (`debug-with-http-body`);
/// the rest is left out and the full length is logged.
pub const MAX_LOGGED_BODY: usize = 1024;
/// Longest file path kept for provenance and for the shared-file list.
pub const MAX_PATH_LEN: usize = 256;
/// Longest `credential_source`, `sso_session` or other plain setting value we keep.
pub const MAX_SETTING_LEN: usize = 256;
/// Longest `credential_process` command line. Wide: 4096 (a shell command line; Linux allows a
/// single argument of 128 KiB, but helpers with long argument lists stay well under 4 KiB).
/// Narrow: 256 (a device has no processes; the setting is only stored and listed).
pub const MAX_COMMAND_LEN: usize = narrow_or_wide(256, 4096);
/// Longest token-file path (`web_identity_token_file`, `AWS_WEB_IDENTITY_TOKEN_FILE`,
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`). Wide: 4096, Linux `PATH_MAX`. Narrow: 256.
pub const MAX_TOKEN_FILE_LEN: usize = narrow_or_wide(256, 4096);
/// Longest `sso_start_url`. AWS documents no maximum for an IAM Identity Center start URL; they
/// are `https://NAME.awsapps.com/start` or a custom domain's. Wide: 1024; narrow: 256.
pub const MAX_SSO_START_URL_LEN: usize = narrow_or_wide(256, 1024);
/// Longest `sso_account_id`: an AWS account id is 12 digits; 32 leaves room.
pub const MAX_ACCOUNT_ID_LEN: usize = 32;
/// Longest `sso_role_name`: an IAM role name is at most 64 characters.
pub const MAX_ROLE_NAME_LEN: usize = 64;
/// An AWS IoT role alias or thing name: AWS allows 128 characters for each.
pub const MAX_IOT_NAME_LEN: usize = 128;
/// Longest container credentials URI (`AWS_CONTAINER_CREDENTIALS_FULL_URI`,
/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`): a URL like an endpoint's.
pub const MAX_CONTAINER_URI_LEN: usize = MAX_ENDPOINT_LEN;
/// Longest `AWS_CONTAINER_AUTHORIZATION_TOKEN`. ECS tokens are short; an EKS Pod Identity token
/// (read from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`, not this variable) is a JWT of 1–2 KiB.
/// Wide: 4096; narrow: 256 (an ECS task token).
pub const MAX_CONTAINER_TOKEN_LEN: usize = narrow_or_wide(256, 4096);

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
/// Longest service id or signing name a resolved endpoint keeps. The endpoint model's longest
/// service id is 35 bytes (`bedrock-agentcore-control`-like names); 48 leaves room.
pub const MAX_SIGNING_NAME_LEN: usize = 48;

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
/// [`MAX_SESSION_TOKEN_LEN`] bytes; the signer's own headers add up to about 600 (`Authorization`
/// about 250 with SigV4, about 400 with SigV4a; the date, payload hash, length and region set the
/// rest). Narrow: the token's limit plus 1024, room for the signer and a few short application
/// headers. Wide: the token's limit plus 2048, so a request carrying the longest session token the
/// build accepts still has room for a caller's header of 1000 bytes (the CLI's `curl -H`).
pub const MAX_REQUEST_HEADER_BYTES: usize = MAX_SESSION_TOKEN_LEN + narrow_or_wide(1024, 2048);
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
/// Longest `X-Amz-Target` of a JSON 1.0/1.1 call (`DynamoDB_20120810.TransactWriteItems` is 37
/// bytes; the longest target prefixes are about 60).
pub const MAX_JSON_TARGET_LEN: usize = 128;
/// Most messages one SQS `ReceiveMessage` answer is read into (`ops::sqs`): SQS returns at most
/// 10 (`MaxNumberOfMessages` is 1–10).
pub const MAX_RECEIVE_MESSAGES: usize = 10;
/// Longest IoT Data topic name (`ops::iot_data`): AWS IoT allows 256 bytes of UTF-8.
pub const MAX_IOT_TOPIC_LEN: usize = 256;
/// Longest S3 bucket name (`ops::s3`): S3 allows 3–63 characters.
pub const MAX_S3_BUCKET_LEN: usize = 63;
/// Longest S3 object key (`ops::s3`): S3 allows 1024 bytes of UTF-8. Once percent-encoded a key
/// may need up to three times that; the request target ([`MAX_REQUEST_TARGET_LEN`]) bounds it.
pub const MAX_S3_KEY_LEN: usize = 1024;
/// How far the server's `Date` may be from the time a request was signed at before a clock-skew
/// error code is taken as a wrong clock and corrected (the Java v2 SDK's four minutes; AWS refuses
/// signatures more than five minutes off).
pub const MAX_CLOCK_SKEW_SECS: u32 = 240;
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

// ---- credential providers ------------------------------------------------------------------------

/// Seconds after which a credential refresh still marked as running is taken to have died with
/// its caller, and the next caller refreshes instead of waiting. Longer than the slowest provider
/// (`credential_process` may run 60 s; an STS call with retries takes a few seconds).
pub const REFRESH_STALE_SECS: u64 = 90;
/// How long a caller waits before asking the cache again while another caller refreshes.
pub const REFRESH_WAIT_MS: u32 = 5;
/// Largest provider response body or `credential_process` output read: Go v1 reads a process's
/// output into 8 KiB, and STS XML with a 4 KiB session token is about 5.5 KiB (the SSO and
/// container JSON bodies are smaller). Narrow: 4 KiB, since a session token there is at most
/// 2 KiB ([`MAX_SESSION_TOKEN_LEN`]) and an answer that carries one is about 3 KiB. Lives in the
/// refreshing call's frame or future (on a device, in the task's static memory).
pub const MAX_PROVIDER_RESPONSE_LEN: usize = narrow_or_wide(4 * 1024, 8 * 1024);
/// Largest provider request body or file read (an `AssumeRoleWithWebIdentity` body carries the
/// whole OIDC token; EKS service-account tokens are about 1 KiB, other IdPs' up to 4 KiB; an SSO
/// token cache file is a few hundred bytes plus its tokens).
pub const MAX_PROVIDER_REQUEST_LEN: usize = 6 * 1024;
/// Room for an `AssumeRole` form body: its fixed text (under 256 bytes) and every value
/// percent-encoded at worst (3 bytes per byte), at most [`MAX_PROVIDER_REQUEST_LEN`]. With the
/// narrow capacities every body fits (about 1.6 KiB); with the wide ones, a body past
/// `MAX_PROVIDER_REQUEST_LEN` is the capacity error it always was. Lives in the provider's future.
pub const MAX_ASSUME_ROLE_BODY_LEN: usize = {
    let worst = 256
        + 3 * (MAX_ROLE_ARN_LEN
            + MAX_ROLE_SESSION_NAME_LEN
            + MAX_EXTERNAL_ID_LEN
            + MAX_MFA_SERIAL_LEN
            + MAX_MFA_TOKEN_LEN);
    if worst < MAX_PROVIDER_REQUEST_LEN {
        worst
    } else {
        MAX_PROVIDER_REQUEST_LEN
    }
};

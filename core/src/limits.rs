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
/// Longest role ARN. IAM allows a 64-character role name under a 512-character path:
/// `arn:aws:iam::123456789012:role` + path + name stays under 640.
pub const MAX_ROLE_ARN_LEN: usize = 640;
/// Longest role session name, external id or MFA serial (IAM: 64, 1224 and 256; we keep 256 and
/// report longer external ids as a capacity error naming this limit).
pub const MAX_ROLE_PARAM_LEN: usize = 256;
/// Longest endpoint URL (`AWS_ENDPOINT_URL`, `Config.Endpoint`). Hosts are at most 253 characters;
/// 256 leaves room for a scheme and a port in typical local endpoints.
pub const MAX_ENDPOINT_LEN: usize = 256;
/// Longest application id / user-agent suffix (`sdk_ua_app_id` is limited to 50 by the SDK spec).
pub const MAX_APP_ID_LEN: usize = 50;
/// Longest file path kept for provenance and for the shared-file list.
pub const MAX_PATH_LEN: usize = 256;
/// Longest `credential_source`, `credential_process` or token-file value we keep.
pub const MAX_SETTING_LEN: usize = 256;

// ---- config files -------------------------------------------------------------------------------

/// How many shared config files one session reads (Go v1 reads two by default: config, credentials).
pub const MAX_SHARED_FILES: usize = 4;
/// How many `source_profile` hops a credential chain may take before it is reported as too long.
/// Real chains are 1–3 hops; 8 also bounds the work done on a cyclic graph.
pub const MAX_PROFILE_CHAIN: usize = 8;
/// How many service-specific endpoint overrides (`AWS_ENDPOINT_URL_<SERVICE>`) a session keeps.
pub const MAX_SERVICE_ENDPOINTS: usize = 8;
/// Longest service id in an endpoint override (`AWS_ENDPOINT_URL_<SERVICE>`).
pub const MAX_SERVICE_ID_LEN: usize = 32;

// ---- handlers ------------------------------------------------------------------------------------

/// Handlers per list. Go v1's default session uses at most 3 per list (Build); services add one or
/// two. 8 leaves room for application handlers without growing every list.
pub const MAX_HANDLERS_PER_LIST: usize = 8;
/// Attempts the pipeline makes at most for one request (1 + retries), whatever `max_retries` says.
pub const MAX_ATTEMPTS: u32 = 16;

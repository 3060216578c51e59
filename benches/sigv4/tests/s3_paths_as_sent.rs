//! S3 paths are signed exactly as sent: our signer and the official Rust signer (aws-sigv4, with
//! S3's settings: single encoding, no normalisation) give the same signature for paths holding
//! escapes — `%2F` signed as `%2F`, not as the `/` it decodes to (issue 14 item 7).

use std::time::{Duration, SystemTime};

use aws_session_core::secret::SecretKey;
use aws_session_core::sigv4::{
    sign, SignableBody, SignableRequest, SigningCredentials, SigningOutput, SigningParams,
    SigningSettings,
};
use aws_session_core::text::Field;
use aws_session_core::time::UnixTime;

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TIME: u64 = 1_440_938_160;
const HOST: &str = "bucket.s3.amazonaws.com";

fn aws_sigv4_signature(path: &str) -> String {
    use aws_sigv4::http_request::{
        sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
        SigningSettings, UriPathNormalizationMode,
    };
    let identity = aws_credential_types::Credentials::new(AKID, SECRET, None, None, "test").into();
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params: aws_sigv4::http_request::SigningParams<'_> =
        aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("s3")
            .time(SystemTime::UNIX_EPOCH + Duration::from_secs(TIME))
            .settings(settings)
            .build()
            .unwrap()
            .into();
    let url = format!("https://{HOST}{path}");
    let headers = [("host", HOST)];
    let req = SignableRequest::new(
        "GET",
        &url,
        headers.into_iter(),
        SignableBody::UnsignedPayload,
    )
    .unwrap();
    let (_, signature) = sign(req, &params).unwrap().into_parts();
    signature
}

fn our_signature(path: &str) -> String {
    let secret = SecretKey::new(SECRET, Field::SecretAccessKey).unwrap();
    let params = SigningParams {
        credentials: SigningCredentials {
            access_key_id: AKID,
            secret: &secret,
            session_token: None,
        },
        region: "us-east-1",
        service: "s3",
        time: UnixTime::from_secs(TIME),
        settings: SigningSettings::s3(),
    };
    let headers = [("host", HOST)];
    let req = SignableRequest::new("GET", path, "", &headers, SignableBody::Unsigned);
    let mut out = SigningOutput::new();
    sign(&req, &params, &mut out)
        .unwrap()
        .signature()
        .to_owned()
}

#[test]
fn s3_paths_with_escapes_sign_as_aws_sigv4_signs_them() {
    for path in [
        "/dir%2Fkey.txt",
        "/dir%2fkey.txt",
        "/a%20b/%41%2B",
        "/plain/key.txt",
        "/100%25",
    ] {
        assert_eq!(our_signature(path), aws_sigv4_signature(path), "{path}");
    }
}

//! Kinesis (JSON 1.1, `X-Amz-Target: Kinesis_20131202.*`): `PutRecord`.

use core::fmt::{self, Write};

use base64ct::{Base64, Encoding};
use serde::Deserialize;
use serde_json_core::str::EscapedStr;

use super::{utf8, JsonError, Value};
use crate::client::Client;
use crate::credentials::json::sso::write_json_str;
use crate::handlers::Request;
use crate::protocol::{prepare_json, Protocol};
use crate::text::SliceWriter;

/// The `X-Amz-Target` prefix of Kinesis.
pub const TARGET_PREFIX: &str = "Kinesis_20131202";

/// The answer of `PutRecord`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PutRecordOutput<'a> {
    /// `ShardId`: the shard the record went to.
    pub shard_id: Value<'a>,
    /// `SequenceNumber`: the record's sequence number in its shard.
    pub sequence_number: Value<'a>,
}

/// Writes `data` base64-encoded (standard alphabet, padded), in pieces.
fn write_base64(w: &mut impl Write, data: &[u8]) -> fmt::Result {
    // 48 input bytes are 64 output characters; whole groups of 3 concatenate exactly.
    let mut out = [0u8; 64];
    for chunk in data.chunks(48) {
        w.write_str(Base64::encode(chunk, &mut out).map_err(|_| fmt::Error)?)?;
    }
    Ok(())
}

/// The JSON body of `PutRecord` of `data` to `stream` (a stream name, or its ARN when it starts
/// with `arn:`) under `partition_key`, written into `buf`: `Data` is base64.
///
/// # Errors
/// [`JsonError::Missing`] for an empty stream or partition key; [`JsonError::BodyTooLong`]
/// naming the member being written when `buf` is too small (`data` needs 4/3 of its length).
pub fn put_record_body<'b>(
    buf: &'b mut [u8],
    stream: &str,
    partition_key: &str,
    data: &[u8],
) -> Result<&'b [u8], JsonError> {
    if stream.is_empty() {
        return Err(JsonError::Missing("StreamName"));
    }
    if partition_key.is_empty() {
        return Err(JsonError::Missing("PartitionKey"));
    }
    let limit = buf.len();
    let mut w = SliceWriter::new(buf);
    let too_long = |param| move |_| JsonError::BodyTooLong { limit, param };
    let stream_member = if stream.starts_with("arn:") {
        "StreamARN"
    } else {
        "StreamName"
    };
    write!(w, "{{\"{stream_member}\":")
        .and_then(|()| write_json_str(&mut w, stream))
        .map_err(too_long(stream_member))?;
    w.write_str(",\"PartitionKey\":")
        .and_then(|()| write_json_str(&mut w, partition_key))
        .map_err(too_long("PartitionKey"))?;
    w.write_str(",\"Data\":\"")
        .and_then(|()| write_base64(&mut w, data))
        .and_then(|()| w.write_str("\"}"))
        .map_err(too_long("Data"))?;
    let len = w.len();
    Ok(buf.get(..len).unwrap_or(&[]))
}

/// The `PutRecord` request of `client` (a `kinesis` client); its body is written into `buf`.
///
/// # Errors
/// As [`put_record_body`]; [`JsonError::Http`] when a header does not fit.
pub fn put_record<'a>(
    client: &'a Client<'_>,
    buf: &'a mut [u8],
    stream: &str,
    partition_key: &str,
    data: &[u8],
) -> Result<Request<'a>, JsonError> {
    let body = put_record_body(buf, stream, partition_key, data)?;
    let mut r = client.request("PutRecord");
    prepare_json(
        &mut r.http,
        Protocol::Json11,
        TARGET_PREFIX,
        "PutRecord",
        body,
    )?;
    Ok(r)
}

#[derive(Deserialize)]
struct Wire<'a> {
    #[serde(borrow, rename = "ShardId")]
    shard_id: Option<EscapedStr<'a>>,
    #[serde(borrow, rename = "SequenceNumber")]
    sequence_number: Option<EscapedStr<'a>>,
}

/// A required, non-empty JSON string member.
fn member<'a>(raw: Option<EscapedStr<'a>>, name: &'static str) -> Result<Value<'a>, JsonError> {
    let value =
        Value::json(raw.ok_or(JsonError::Missing(name))?.0).ok_or(JsonError::BadText(name))?;
    if value.is_empty() {
        return Err(JsonError::Missing(name));
    }
    Ok(value)
}

/// Reads a `PutRecord` answer (`{"ShardId": …, "SequenceNumber": …, "EncryptionType": …}`).
///
/// # Errors
/// [`JsonError`]: not UTF-8, not a JSON object, or `Missing` naming `ShardId` or
/// `SequenceNumber`.
pub fn parse_put_record(body: &[u8]) -> Result<PutRecordOutput<'_>, JsonError> {
    let text = utf8(body).ok_or(JsonError::NotUtf8)?;
    let w = crate::credentials::json::wire::<Wire<'_>>(text).map_err(|_| JsonError::Malformed)?;
    Ok(PutRecordOutput {
        shard_id: member(w.shard_id, "ShardId")?,
        sequence_number: member(w.sequence_number, "SequenceNumber")?,
    })
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;

    selftests! {
        fn put_record_body_encodes_data() {
            let mut buf = [0u8; 256];
            let body = put_record_body(&mut buf, "s\"1", "pk", b"hello world").unwrap();
            assert_eq!(core::str::from_utf8(body).unwrap(), r#"{"StreamName":"s\"1","PartitionKey":"pk","Data":"aGVsbG8gd29ybGQ="}"#);
            let body = put_record_body(&mut buf, "arn:aws:kinesis:us-east-1:123456789012:stream/s", "pk", b"").unwrap();
            assert!(core::str::from_utf8(body).unwrap().starts_with("{\"StreamARN\":\"arn:"));
            // Longer than one 48-byte piece: the pieces join into the encoding of the whole.
            let data = [0xA5u8; 100];
            let body = put_record_body(&mut buf, "s", "k", &data).unwrap();
            let mut whole = [0u8; 160];
            let expected = Base64::encode(&data, &mut whole).unwrap();
            assert!(core::str::from_utf8(body).unwrap().contains(expected));
            let mut small = [0u8; 40];
            assert_eq!(put_record_body(&mut small, "s", "k", &data), Err(JsonError::BodyTooLong { limit: 40, param: "Data" }));
            assert_eq!(put_record_body(&mut buf, "", "k", b"x"), Err(JsonError::Missing("StreamName")));
            assert_eq!(put_record_body(&mut buf, "s", "", b"x"), Err(JsonError::Missing("PartitionKey")));
        }

        fn put_record_answer() {
            // Shaped like the answer in the Kinesis API reference.
            let ok = r#"{"SequenceNumber": "21269319989653637946712965403778482177", "ShardId": "shardId-000000000001", "EncryptionType": "NONE"}"#;
            let out = parse_put_record(ok.as_bytes()).unwrap();
            assert!(out.shard_id.eq_str("shardId-000000000001"));
            assert!(out.sequence_number.eq_str("21269319989653637946712965403778482177"));
            assert_eq!(parse_put_record(br#"{"ShardId":"s"}"#), Err(JsonError::Missing("SequenceNumber")));
            assert_eq!(parse_put_record(br#"{"ShardId":"","SequenceNumber":"1"}"#), Err(JsonError::Missing("ShardId")));
            assert!(matches!(parse_put_record(br#"{"ShardId":"s\q","SequenceNumber":"1"}"#), Err(JsonError::Malformed | JsonError::BadText("ShardId"))));
            assert_eq!(parse_put_record(br#"{"ShardId":"s""#), Err(JsonError::Malformed));
            assert_eq!(parse_put_record(b"\xff"), Err(JsonError::NotUtf8));
        }
    }
}

//! AWS IoT Data (REST-JSON, signing name `iotdata`; the client's service id is `data-ats.iot`):
//! `Publish`, `POST /topics/{topic}?qos=N` with the payload as the body.

use core::fmt::Write;

use super::RawError;
use crate::client::Client;
use crate::handlers::Request;
use crate::http::Method;
use crate::limits::{MAX_IOT_TOPIC_LEN, MAX_REQUEST_TARGET_LEN};
use crate::protocol::{prepare_rest, Protocol};
use crate::text::Text;

/// The service id of an IoT Data client (its endpoint prefix; signed as `iotdata`).
pub const SERVICE: &str = "data-ats.iot";

/// The request target of `Publish`: `/topics/{topic}?qos={qos}`, the topic percent-encoded
/// (every byte but RFC 3986 unreserved characters, `/` included: the topic is one path label).
///
/// # Errors
/// [`RawError::Invalid`] naming `topic` when it is empty or `qos` when it is not 0 or 1;
/// [`RawError::TooLong`] for a topic over [`MAX_IOT_TOPIC_LEN`] bytes.
pub fn publish_target(topic: &str, qos: u8) -> Result<Text<MAX_REQUEST_TARGET_LEN>, RawError> {
    if topic.is_empty() {
        return Err(RawError::Invalid("topic"));
    }
    if qos > 1 {
        return Err(RawError::Invalid("qos"));
    }
    if topic.len() > MAX_IOT_TOPIC_LEN {
        return Err(RawError::TooLong {
            param: "topic",
            limit: MAX_IOT_TOPIC_LEN,
            len: topic.len(),
        });
    }
    let mut target = Text::<MAX_REQUEST_TARGET_LEN>::new();
    // At most 8 + 3 × 256 + 6 bytes: it fits.
    let written = target.push_str("/topics/").map_err(|_| ()).and_then(|()| {
        for b in topic.bytes() {
            let r = if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                target.push(char::from(b)).map_err(|_| ())
            } else {
                write!(target, "%{b:02X}").map_err(|_| ())
            };
            r?;
        }
        write!(target, "?qos={qos}").map_err(|_| ())
    });
    written.map_err(|()| RawError::TooLong {
        param: "topic",
        limit: MAX_IOT_TOPIC_LEN,
        len: topic.len(),
    })?;
    Ok(target)
}

/// The `Publish` request of `client` (a [`SERVICE`] client): `payload` to `topic` with `qos`
/// (0 or 1). A successful answer has no output (IoT answers `200` with an empty or `{}` body).
///
/// # Errors
/// As [`publish_target`]; [`RawError::Http`] when the target or a header does not fit.
pub fn publish<'a>(
    client: &'a Client<'_>,
    topic: &str,
    qos: u8,
    payload: &'a [u8],
) -> Result<Request<'a>, RawError> {
    let target = publish_target(topic, qos)?;
    let mut r = client.request("Publish");
    prepare_rest(
        &mut r.http,
        Protocol::RestJson,
        Method::Post,
        &target,
        payload,
    )?;
    Ok(r)
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;

    selftests! {
        fn publish_targets() {
            assert_eq!(publish_target("dt/room 1/temp", 1).unwrap().as_str(), "/topics/dt%2Froom%201%2Ftemp?qos=1");
            assert_eq!(publish_target("a", 0).unwrap().as_str(), "/topics/a?qos=0");
            assert_eq!(publish_target("", 0), Err(RawError::Invalid("topic")));
            assert_eq!(publish_target("a", 2), Err(RawError::Invalid("qos")));
            let mut big = Text::<300>::new();
            for _ in 0..=MAX_IOT_TOPIC_LEN { big.push('#').unwrap(); }
            assert_eq!(publish_target(&big, 0), Err(RawError::TooLong { param: "topic", limit: MAX_IOT_TOPIC_LEN, len: MAX_IOT_TOPIC_LEN + 1 }));
            // The longest topic, every byte escaped, still fits the target.
            big.pop();
            assert_eq!(publish_target(&big, 1).unwrap().len(), 8 + 3 * MAX_IOT_TOPIC_LEN + 6);
        }
    }
}

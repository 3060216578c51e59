//! SNS (query protocol, version `2010-03-31`): `Publish`.

use super::query::{self, param, required};
use super::{QueryError, Value};
use crate::client::Client;
use crate::handlers::Request;
use crate::protocol::FormBody;

/// The SNS API version.
pub const VERSION: &str = "2010-03-31";

/// The answer of `Publish`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Published<'a> {
    /// `MessageId`.
    pub message_id: Value<'a>,
}

/// The form body of `Publish` of `message` to the topic `topic_arn` (an optional `subject`),
/// written into `buf`.
///
/// # Errors
/// [`QueryError::Missing`] for an empty topic ARN or message; [`QueryError::Body`] when `buf`
/// is too small.
pub fn publish_body<'b>(
    buf: &'b mut [u8],
    topic_arn: &str,
    message: &str,
    subject: Option<&str>,
) -> Result<&'b str, QueryError> {
    let topic_arn = param(topic_arn, "TopicArn")?;
    let message = param(message, "Message")?;
    let mut form = FormBody::new(buf, "Publish", VERSION)?;
    form.param("TopicArn", topic_arn)?
        .param("Message", message)?;
    if let Some(subject) = subject.filter(|s| !s.is_empty()) {
        form.param("Subject", subject)?;
    }
    Ok(form.finish())
}

/// The `Publish` request of `client` (an `sns` client); its body is written into `buf`.
///
/// # Errors
/// As [`publish_body`]; [`QueryError::Http`] when a header does not fit.
pub fn publish<'a>(
    client: &'a Client<'_>,
    buf: &'a mut [u8],
    topic_arn: &str,
    message: &str,
    subject: Option<&str>,
) -> Result<Request<'a>, QueryError> {
    let body = publish_body(buf, topic_arn, message, subject)?;
    query::request(client, "Publish", body)
}

/// Reads a `PublishResponse`.
///
/// # Errors
/// [`QueryError`]: malformed XML, or `Missing("MessageId")`.
pub fn parse_publish(body: &[u8]) -> Result<Published<'_>, QueryError> {
    let [id] = query::result_values(body, "Publish", ["MessageId"])?;
    Ok(Published {
        message_id: required(id, "MessageId")?,
    })
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;

    selftests! {
        fn publish_body_and_answer() {
            let mut buf = [0u8; 128];
            let arn = "arn:aws:sns:us-east-1:123456789012:t";
            assert_eq!(publish_body(&mut buf, arn, "hi", Some("s")).unwrap(), "Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3At&Message=hi&Subject=s");
            assert_eq!(publish_body(&mut buf, "", "hi", None), Err(QueryError::Missing("TopicArn")));
            assert_eq!(publish_body(&mut buf, arn, "", None), Err(QueryError::Missing("Message")));
            // Shaped like the answer in the SNS API reference.
            let ok = r#"<PublishResponse xmlns="https://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>567910cd-659e-55d4-8ccb-5aaf14679dc0</MessageId></PublishResult><ResponseMetadata><RequestId>d74b8436-ae13-5ab4-a9ff-ce54dfea72a0</RequestId></ResponseMetadata></PublishResponse>"#;
            assert!(parse_publish(ok.as_bytes()).unwrap().message_id.eq_str("567910cd-659e-55d4-8ccb-5aaf14679dc0"));
            assert_eq!(parse_publish(b"<PublishResponse><PublishResult/></PublishResponse>"), Err(QueryError::Missing("MessageId")));
            assert_eq!(parse_publish(b"<PublishResponse><PublishResult>"), Err(QueryError::Malformed));
        }
    }
}

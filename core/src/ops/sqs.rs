//! SQS (query protocol, version `2012-11-05`): `SendMessage`, `ReceiveMessage`,
//! `DeleteMessage`.

use core::fmt::Write;

use super::query::{self, param, required};
use super::{QueryError, Value};
use crate::client::Client;
use crate::handlers::Request;
use crate::limits::MAX_RECEIVE_MESSAGES;
use crate::protocol::FormBody;
use crate::xml::{local, walk};

/// The SQS API version of the query protocol.
pub const VERSION: &str = "2012-11-05";

/// The answer of `SendMessage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SentMessage<'a> {
    /// `MessageId`.
    pub message_id: Value<'a>,
    /// `MD5OfMessageBody`: the hex MD5 of the body SQS received.
    pub md5_of_body: Value<'a>,
}

/// One message of a `ReceiveMessage` answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Message<'a> {
    /// `MessageId`.
    pub message_id: Value<'a>,
    /// `ReceiptHandle`: what `DeleteMessage` takes.
    pub receipt_handle: Value<'a>,
    /// `Body`.
    pub body: Value<'a>,
}

/// The messages of a `ReceiveMessage` answer (none when the queue had none).
pub type Messages<'a> = heapless::Vec<Message<'a>, MAX_RECEIVE_MESSAGES>;

/// The form body of `SendMessage` of `body` to `queue_url`, written into `buf`.
///
/// # Errors
/// [`QueryError::Missing`] for an empty queue URL or body; [`QueryError::Body`] when `buf` is
/// too small.
pub fn send_message_body<'b>(
    buf: &'b mut [u8],
    queue_url: &str,
    body: &str,
) -> Result<&'b str, QueryError> {
    let queue_url = param(queue_url, "QueueUrl")?;
    let body = param(body, "MessageBody")?;
    let mut form = FormBody::new(buf, "SendMessage", VERSION)?;
    form.param("QueueUrl", queue_url)?
        .param("MessageBody", body)?;
    Ok(form.finish())
}

/// The `SendMessage` request of `client` (an `sqs` client); its body is written into `buf`.
///
/// # Errors
/// As [`send_message_body`]; [`QueryError::Http`] when a header does not fit.
pub fn send_message<'a>(
    client: &'a Client<'_>,
    buf: &'a mut [u8],
    queue_url: &str,
    body: &str,
) -> Result<Request<'a>, QueryError> {
    let body = send_message_body(buf, queue_url, body)?;
    query::request(client, "SendMessage", body)
}

/// Reads a `SendMessageResponse`.
///
/// # Errors
/// [`QueryError`]: malformed XML, or `Missing` naming `MessageId` or `MD5OfMessageBody`.
pub fn parse_send_message(body: &[u8]) -> Result<SentMessage<'_>, QueryError> {
    let [id, md5] = query::result_values(body, "SendMessage", ["MessageId", "MD5OfMessageBody"])?;
    Ok(SentMessage {
        message_id: required(id, "MessageId")?,
        md5_of_body: required(md5, "MD5OfMessageBody")?,
    })
}

/// The most seconds `ReceiveMessage` may wait for a message (SQS's limit).
pub const MAX_WAIT_SECS: u8 = 20;

/// The form body of `ReceiveMessage` from `queue_url`: at most `max` messages (1 to
/// [`MAX_RECEIVE_MESSAGES`], SQS's range), waiting up to `wait_secs` seconds for one (0: answer
/// at once; at most [`MAX_WAIT_SECS`]), written into `buf`.
///
/// # Errors
/// [`QueryError::Missing`] for an empty queue URL; [`QueryError::OutOfRange`] naming
/// `MaxNumberOfMessages` or `WaitTimeSeconds`; [`QueryError::Body`] when `buf` is too small.
pub fn receive_message_body<'b>(
    buf: &'b mut [u8],
    queue_url: &str,
    max: u8,
    wait_secs: u8,
) -> Result<&'b str, QueryError> {
    let queue_url = param(queue_url, "QueueUrl")?;
    if max == 0 || usize::from(max) > MAX_RECEIVE_MESSAGES {
        return Err(QueryError::OutOfRange("MaxNumberOfMessages"));
    }
    if wait_secs > MAX_WAIT_SECS {
        return Err(QueryError::OutOfRange("WaitTimeSeconds"));
    }
    let mut form = FormBody::new(buf, "ReceiveMessage", VERSION)?;
    let mut number = crate::text::Text::<4>::new();
    let _ = write!(number, "{max}");
    let mut wait = crate::text::Text::<4>::new();
    let _ = write!(wait, "{wait_secs}");
    form.param("QueueUrl", queue_url)?
        .param("MaxNumberOfMessages", &number)?
        .param("WaitTimeSeconds", &wait)?;
    Ok(form.finish())
}

/// The `ReceiveMessage` request of `client` (see [`receive_message_body`]). Give the request a
/// response buffer large enough for `max` messages (a message body is up to 256 KiB).
///
/// # Errors
/// As [`receive_message_body`]; [`QueryError::Http`] when a header does not fit.
pub fn receive_message<'a>(
    client: &'a Client<'_>,
    buf: &'a mut [u8],
    queue_url: &str,
    max: u8,
    wait_secs: u8,
) -> Result<Request<'a>, QueryError> {
    let body = receive_message_body(buf, queue_url, max, wait_secs)?;
    query::request(client, "ReceiveMessage", body)
}

/// Which child of a `Message` an element is.
fn message_field<'m, 'a>(
    m: &'m mut [Option<Value<'a>>; 3],
    name: &str,
) -> Option<(&'m mut Option<Value<'a>>, &'static str)> {
    let [id, handle, body] = m;
    match local(name) {
        "MessageId" => Some((id, "MessageId")),
        "ReceiptHandle" => Some((handle, "ReceiptHandle")),
        "Body" => Some((body, "Body")),
        _ => None,
    }
}

/// Reads a `ReceiveMessageResponse`: every `ReceiveMessageResult/Message`, in order.
///
/// # Errors
/// [`QueryError`]: malformed XML, `Missing` naming the `MessageId`, `ReceiptHandle` or `Body`
/// of a message without one (an empty body is allowed), or `TooMany` past
/// [`MAX_RECEIVE_MESSAGES`].
pub fn parse_receive_message(body: &[u8]) -> Result<Messages<'_>, QueryError> {
    let xml = query::text(body)?;
    let mut out = Messages::new();
    let mut current: [Option<Value<'_>>; 3] = [None; 3];
    let mut root = false;
    walk(xml, |path, content| {
        match path {
            [r] => root = query::named(r, "ReceiveMessage", "Response"),
            [r, res, msg, name]
                if query::named(r, "ReceiveMessage", "Response")
                    && query::named(res, "ReceiveMessage", "Result")
                    && local(msg) == "Message" =>
            {
                if let Some((slot, field)) = message_field(&mut current, name) {
                    if slot.is_none() {
                        *slot = Some(Value::xml(content).ok_or(QueryError::BadText(field))?);
                    }
                }
            }
            [r, res, msg]
                if query::named(r, "ReceiveMessage", "Response")
                    && query::named(res, "ReceiveMessage", "Result")
                    && local(msg) == "Message" =>
            {
                let [id, handle, text] = core::mem::take(&mut current);
                let message = Message {
                    message_id: required(id, "MessageId")?,
                    receipt_handle: required(handle, "ReceiptHandle")?,
                    body: text.ok_or(QueryError::Missing("Body"))?,
                };
                out.push(message).map_err(|_| QueryError::TooMany {
                    element: "Message",
                    limit: MAX_RECEIVE_MESSAGES,
                })?;
            }
            _ => {}
        }
        Ok::<(), QueryError>(())
    })?;
    if root {
        Ok(out)
    } else {
        Err(QueryError::Missing("ReceiveMessageResponse"))
    }
}

/// The form body of `DeleteMessage` of the message with `receipt_handle` from `queue_url`,
/// written into `buf`.
///
/// # Errors
/// [`QueryError::Missing`] for an empty queue URL or receipt handle; [`QueryError::Body`] when
/// `buf` is too small.
pub fn delete_message_body<'b>(
    buf: &'b mut [u8],
    queue_url: &str,
    receipt_handle: &str,
) -> Result<&'b str, QueryError> {
    let queue_url = param(queue_url, "QueueUrl")?;
    let handle = param(receipt_handle, "ReceiptHandle")?;
    let mut form = FormBody::new(buf, "DeleteMessage", VERSION)?;
    form.param("QueueUrl", queue_url)?
        .param("ReceiptHandle", handle)?;
    Ok(form.finish())
}

/// The `DeleteMessage` request of `client`; its body is written into `buf`.
///
/// # Errors
/// As [`delete_message_body`]; [`QueryError::Http`] when a header does not fit.
pub fn delete_message<'a>(
    client: &'a Client<'_>,
    buf: &'a mut [u8],
    queue_url: &str,
    receipt_handle: &str,
) -> Result<Request<'a>, QueryError> {
    let body = delete_message_body(buf, queue_url, receipt_handle)?;
    query::request(client, "DeleteMessage", body)
}

/// Checks a `DeleteMessageResponse` (it has no output).
///
/// # Errors
/// [`QueryError`]: malformed XML or another document (`Missing("DeleteMessageResponse")`).
pub fn parse_delete_message(body: &[u8]) -> Result<(), QueryError> {
    query::check_root(body, "DeleteMessage", "DeleteMessageResponse")
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use crate::ops::selftests::replaced;

    const QUEUE: &str = "https://sqs.us-east-1.amazonaws.com/123456789012/q";

    /// Shaped like the answers in the SQS API reference.
    const SENT: &str = "<SendMessageResponse><SendMessageResult><MD5OfMessageBody>fafb00f5732ab283681e124bf8747ed1</MD5OfMessageBody><MessageId>5fea7756-0ea4-451a-a703-a558b933e274</MessageId></SendMessageResult><ResponseMetadata><RequestId>27daac76-34dd-47df-bd01-1f6e873584a0</RequestId></ResponseMetadata></SendMessageResponse>";

    const RECEIVED: &str = r#"<ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">
  <ReceiveMessageResult>
    <Message>
      <MessageId>5fea7756-0ea4-451a-a703-a558b933e274</MessageId>
      <ReceiptHandle>MbZj6wDWli+JvwwJaBV+3dcjk2YW2vA3+STFFljTM8tJJg6HRG6PYSasuWXPJB+Cw</ReceiptHandle>
      <MD5OfBody>fafb00f5732ab283681e124bf8747ed1</MD5OfBody>
      <Body>a &lt;b&gt; &amp; c</Body>
      <Attribute><Name>SenderId</Name><Value>195004372649</Value></Attribute>
    </Message>
    <Message>
      <MessageId>second</MessageId>
      <ReceiptHandle>h2</ReceiptHandle>
      <Body></Body>
    </Message>
  </ReceiveMessageResult>
  <ResponseMetadata><RequestId>b6633655-283d-45b4-aee4-4e84e0ae6afa</RequestId></ResponseMetadata>
</ReceiveMessageResponse>"#;

    selftests! {
        fn send_message_body_and_answer() {
            let mut buf = [0u8; 160];
            let body = send_message_body(&mut buf, QUEUE, "hi & bye").unwrap();
            assert_eq!(body, "Action=SendMessage&Version=2012-11-05&QueueUrl=https%3A%2F%2Fsqs.us-east-1.amazonaws.com%2F123456789012%2Fq&MessageBody=hi+%26+bye");
            assert_eq!(send_message_body(&mut buf, "", "x"), Err(QueryError::Missing("QueueUrl")));
            assert_eq!(send_message_body(&mut buf, QUEUE, ""), Err(QueryError::Missing("MessageBody")));
            let mut small = [0u8; 60];
            assert!(matches!(send_message_body(&mut small, QUEUE, "x"), Err(QueryError::Body(_))));
            let sent = parse_send_message(SENT.as_bytes()).unwrap();
            assert!(sent.message_id.eq_str("5fea7756-0ea4-451a-a703-a558b933e274"));
            assert!(sent.md5_of_body.eq_str("fafb00f5732ab283681e124bf8747ed1"));
            let no_md5 = replaced(SENT, "MD5OfMessageBody>", "Other>");
            assert_eq!(parse_send_message(no_md5.as_bytes()), Err(QueryError::Missing("MD5OfMessageBody")));
        }

        fn receive_message_body_and_answer() {
            let mut buf = [0u8; 160];
            let body = receive_message_body(&mut buf, "u", 10, 0).unwrap();
            assert_eq!(body, "Action=ReceiveMessage&Version=2012-11-05&QueueUrl=u&MaxNumberOfMessages=10&WaitTimeSeconds=0");
            assert_eq!(receive_message_body(&mut buf, "u", 0, 0), Err(QueryError::OutOfRange("MaxNumberOfMessages")));
            assert_eq!(receive_message_body(&mut buf, "u", 11, 0), Err(QueryError::OutOfRange("MaxNumberOfMessages")));
            assert_eq!(receive_message_body(&mut buf, "u", 1, 21), Err(QueryError::OutOfRange("WaitTimeSeconds")));
            assert_eq!(receive_message_body(&mut buf, "", 1, 0), Err(QueryError::Missing("QueueUrl")));
            let msgs = parse_receive_message(RECEIVED.as_bytes()).unwrap();
            assert_eq!(msgs.len(), 2);
            assert!(msgs[0].body.eq_str("a <b> & c"));
            assert!(msgs[0].receipt_handle.raw().starts_with("MbZj6wDWli+"));
            assert!(msgs[1].message_id.eq_str("second") && msgs[1].body.is_empty());
            let none = "<ReceiveMessageResponse><ReceiveMessageResult/><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ReceiveMessageResponse>";
            assert!(parse_receive_message(none.as_bytes()).unwrap().is_empty());
        }

        fn receive_message_refuses_bad_answers() {
            let no_handle = replaced(RECEIVED, "<ReceiptHandle>h2</ReceiptHandle>", "");
            assert_eq!(parse_receive_message(no_handle.as_bytes()), Err(QueryError::Missing("ReceiptHandle")));
            let bad = replaced(RECEIVED, "&amp; c", "&zz; c");
            assert_eq!(parse_receive_message(bad.as_bytes()), Err(QueryError::BadText("Body")));
            let mut many = heapless::String::<4096>::new();
            many.push_str("<ReceiveMessageResponse><ReceiveMessageResult>").unwrap();
            for _ in 0..=MAX_RECEIVE_MESSAGES {
                many.push_str("<Message><MessageId>i</MessageId><ReceiptHandle>h</ReceiptHandle><Body>b</Body></Message>").unwrap();
            }
            many.push_str("</ReceiveMessageResult></ReceiveMessageResponse>").unwrap();
            assert_eq!(parse_receive_message(many.as_bytes()), Err(QueryError::TooMany { element: "Message", limit: MAX_RECEIVE_MESSAGES }));
            assert_eq!(parse_receive_message(b"<SendMessageResponse/>"), Err(QueryError::Missing("ReceiveMessageResponse")));
            assert_eq!(parse_receive_message(b"<ReceiveMessageResponse>"), Err(QueryError::Malformed));
        }

        fn delete_message_body_and_answer() {
            let mut buf = [0u8; 128];
            assert_eq!(delete_message_body(&mut buf, "u", "a+b/c=").unwrap(), "Action=DeleteMessage&Version=2012-11-05&QueueUrl=u&ReceiptHandle=a%2Bb%2Fc%3D");
            assert_eq!(delete_message_body(&mut buf, "u", ""), Err(QueryError::Missing("ReceiptHandle")));
            let ok = "<DeleteMessageResponse><ResponseMetadata><RequestId>b5293cb5-d306-4a17-9048-b263635abe42</RequestId></ResponseMetadata></DeleteMessageResponse>";
            assert_eq!(parse_delete_message(ok.as_bytes()), Ok(()));
            assert_eq!(parse_delete_message(b"<ErrorResponse/>"), Err(QueryError::Missing("DeleteMessageResponse")));
            assert_eq!(parse_delete_message(b"<DeleteMessageResponse><x></DeleteMessageResponse>"), Err(QueryError::Malformed));
        }
    }
}

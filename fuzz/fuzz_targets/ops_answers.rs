//! Fuzzes the answer parsers of core's typed operations (`aws_session_core::ops`).
//!
//! The input is one answer body, given to every parser. Properties:
//! * nothing panics; every refusal is a typed error;
//! * every accepted value decodes: its length is what it writes, it compares equal to its own
//!   decoding, and it fits a text of its length (and is refused by a shorter one);
//! * `ReceiveMessage` never returns more than `MAX_RECEIVE_MESSAGES`.
#![no_main]

use aws_session_core::limits::MAX_RECEIVE_MESSAGES;
use aws_session_core::ops::{self, Value};
use aws_session_core::text::Field;
use libfuzzer_sys::fuzz_target;

fn check(v: Value<'_>) {
    let decoded = v.to_string();
    assert_eq!(decoded.len(), v.len());
    assert!(v.eq_str(&decoded));
    if decoded.len() <= 64 {
        assert_eq!(v.to_text::<64>(Field::Setting).unwrap().as_str(), decoded);
    } else {
        assert!(v.to_text::<64>(Field::Setting).is_err());
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(id) = ops::sts::parse_get_caller_identity(data) {
        [id.account, id.arn, id.user_id].into_iter().for_each(check);
    }
    if let Ok(sent) = ops::sqs::parse_send_message(data) {
        check(sent.message_id);
        check(sent.md5_of_body);
    }
    if let Ok(messages) = ops::sqs::parse_receive_message(data) {
        assert!(messages.len() <= MAX_RECEIVE_MESSAGES);
        for m in &messages {
            [m.message_id, m.receipt_handle, m.body]
                .into_iter()
                .for_each(check);
        }
    }
    let _ = ops::sqs::parse_delete_message(data);
    if let Ok(p) = ops::sns::parse_publish(data) {
        check(p.message_id);
    }
    if let Ok(r) = ops::kinesis::parse_put_record(data) {
        check(r.shard_id);
        check(r.sequence_number);
    }
    if let Ok(json) = ops::dynamodb::parse_answer(data) {
        assert!(json.starts_with('{') && json.ends_with('}'));
    }
});

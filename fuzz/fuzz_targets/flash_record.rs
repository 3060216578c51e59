//! Fuzzes the embassy adapter's flash-record decoder (`ProfileData::decode`): the input is one
//! record as read from flash. Whole flash images are the `flash_store` target's.
//!
//! Properties:
//! * nothing panics; a refusal is the typed `DecodeError`;
//! * a decoded record encodes, decodes to the same profile, and encodes to the same bytes again
//!   (or is refused by the encoder as longer than the record limit);
//! * every decoded value is one `ProfileData::set` accepts; `Debug` never shows a secret value.
#![no_main]

use aws_session_embassy::limits::MAX_PROFILE_RECORD_LEN;
use aws_session_embassy::store::ProfileData;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| record(data));

fn record(bytes: &[u8]) {
    let Ok(p) = ProfileData::decode(bytes) else {
        return;
    };
    let mut buf = vec![0u8; MAX_PROFILE_RECORD_LEN];
    // The decoder takes a record of any length; one whose values add up to more than the
    // record limit is refused by the encoder, naming the limit.
    let n = match p.encode(&mut buf) {
        Ok(n) => n,
        Err(e) => {
            assert_eq!(e.limit, MAX_PROFILE_RECORD_LEN);
            return;
        }
    };
    let again = ProfileData::decode(&buf[..n]).expect("an encoded record decodes");
    assert_eq!(again, p);
    let mut buf2 = vec![0u8; MAX_PROFILE_RECORD_LEN];
    let n2 = again.encode(&mut buf2).unwrap();
    assert_eq!(&buf2[..n2], &buf[..n]);

    let shown = format!("{p:?}");
    for (setting, value) in p.iter_exposed() {
        ProfileData::new()
            .set(setting, value)
            .expect("a decoded value is a storable value");
        if setting.info().secret {
            assert_eq!(p.get(setting), None);
            let elsewhere = value.len() < 8
                || "** redacted **".contains(value)
                || p.iter_exposed().any(|(s, v)| {
                    s.name().contains(value) || (!s.info().secret && v.contains(value))
                });
            assert!(elsewhere || !shown.contains(value), "Debug shows a secret");
        } else {
            assert_eq!(p.get(setting), Some(value));
        }
    }
}

//! Fuzzes the credentials JSON parsers: `credential_process` output, container / IMDS bodies and
//! SSO `GetRoleCredentials` bodies.
//!
//! Properties: nothing panics; every refusal is a typed `CredentialsJsonError` whose text never
//! holds the input's secrets; accepted credentials have keys; on refusal the target is empty.
#![no_main]

use aws_session_core::credentials::json::{
    fill_process_output, parse_container_credentials, parse_sso_role_credentials,
    CredentialsJsonError,
};
use aws_session_core::credentials::Credentials;
use libfuzzer_sys::fuzz_target;

type Parser = fn(&str, &mut Credentials) -> Result<(), CredentialsJsonError>;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsers: [Parser; 3] = [
        fill_process_output,
        parse_container_credentials,
        parse_sso_role_credentials,
    ];
    for parse in parsers {
        let mut c = Credentials::new("OLD", "OLDSECRET", Some("OLDTOKEN")).unwrap();
        match parse(text, &mut c) {
            Ok(()) => assert!(c.has_keys()),
            Err(e) => {
                assert!(!c.has_keys() && c.session_token.is_none() && c.expires.is_none());
                let shown = format!("{e} {e:?}");
                assert!(!shown.contains("OLDSECRET"));
            }
        }
    }
});

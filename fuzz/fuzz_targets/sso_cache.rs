//! Fuzzes the SSO token cache: parse, write back, parse again (round trip), and the OIDC
//! `CreateToken` refresh.
//!
//! Properties: nothing panics; a token that parses writes back (into a buffer large enough for
//! the largest token) and parses again to the same token, and writing that again gives the same
//! bytes; a refused `CreateToken` response leaves the token unchanged.
#![no_main]

use aws_session_core::credentials::json::{
    parse_oidc_create_token, parse_sso_cache, write_sso_cache, CredentialsJsonError, SsoToken,
};
use aws_session_core::time::UnixTime;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut token = Box::new(SsoToken::EMPTY);
    if parse_sso_cache(text, &mut token).is_ok() {
        // Escaping at most sextuples a byte (`\u00XX`); keys and times add a few hundred bytes.
        let mut buf = vec![0u8; 6 * 8192 + 1024];
        let n = write_sso_cache(&token, &mut buf).expect("a parsed token writes back");
        let written = std::str::from_utf8(&buf[..n]).unwrap().to_owned();
        let mut again = Box::new(SsoToken::EMPTY);
        parse_sso_cache(&written, &mut again).expect("written JSON parses");
        assert_eq!(*again, *token);
        let n2 = write_sso_cache(&again, &mut buf).unwrap();
        assert_eq!(&buf[..n2], written.as_bytes());
    } else {
        assert!(token.access_token.is_empty() && token.refresh_token.is_none());
    }
    let before = token.clone();
    match parse_oidc_create_token(text, UnixTime::from_secs(1_700_000_000), &mut token) {
        Ok(()) => assert!(!token.access_token.is_empty()),
        Err(CredentialsJsonError::BufferTooSmall { .. }) => panic!("not a writer"),
        Err(_) => assert_eq!(token, before),
    }
});

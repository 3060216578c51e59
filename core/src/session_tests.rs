//! Self-tests for session creation: Go v1 precedence rules, provenance
//! and typed errors. They run on the host and inside the QEMU firmware image.

use super::*;
use crate::config::merge::{At, MergeError};
use crate::config::shared::SharedError;
use crate::credentials::{BaseCredentials, CredentialPlan, PlanError, ProviderKind};
use crate::text::ErrorText;

/// Owned error text, for comparing errors.
fn et(s: &str) -> ErrorText {
    ErrorText::head(s)
}
use crate::test_util::{config_file, credentials_file, MemEnv, MemFiles};
use core::fmt::Write;

type F<'a> = (&'a str, FileKind, Option<&'a str>);

/// Creates a session into `slot` and returns it. Tests reuse one slot, so a test frame holds one
/// session however many it makes (the target has 64 KiB of RAM).
#[inline(never)]
fn session_in<'s, 'a>(
    slot: &'s mut Session,
    opts: &Options<'a>,
    env: &'a MemEnv<'a>,
    files: &'a MemFiles<'a>,
) -> &'s Session {
    match slot.rebuild(opts, env, files) {
        Ok(()) => slot,
        Err(e) => {
            let mut msg = heapless::String::<256>::new();
            let _ = write!(msg, "{e}");
            panic!("session failed: {}", msg.as_str());
        }
    }
}

/// The creation error (panics when creation succeeds). Kept out of line so the `Result<Session, _>`
/// temporaries of many call sites do not pile up in one test frame on a 64 KiB target.
#[inline(never)]
fn error_of<'a>(opts: &Options<'a>, env: &'a MemEnv<'a>, files: &'a MemFiles<'a>) -> SessionError {
    let mut slot = Session::unconfigured();
    match slot.rebuild(opts, env, files) {
        Ok(()) => panic!("session creation succeeded"),
        Err(e) => {
            assert!(
                slot.credentials() == &CredentialPlan::Anonymous,
                "a failed creation leaves nothing behind"
            );
            e
        }
    }
}

/// The client-TLS pair error of a creation with `option_cert` as the only client-TLS option and
/// `vars` as the environment. Out of line: options and a session are large on a 64 KiB target.
#[inline(never)]
fn client_tls_pair_error(
    option_cert: Option<&str>,
    vars: &[(&'static str, &'static str)],
) -> (bool, bool) {
    let mut opts = Options::default();
    if let Some(c) = option_cert {
        opts.config = Config::new().with_client_tls_cert(c).unwrap();
    }
    let env = MemEnv::new(vars);
    match error_of(&opts, &env, &MemFiles::new(&[])) {
        SessionError::Merge(MergeError::ClientTlsPair { cert, key }) => (cert, key),
        other => panic!("{other:?}"),
    }
}

/// The client certificate and key a session resolves to, as `value source`, with `vars` as the
/// environment and, with `options`, `/o.pem` and `/ok.pem` as options.
#[inline(never)]
fn client_tls_resolved(
    options: bool,
    vars: &[(&'static str, &'static str)],
) -> [(heapless::String<16>, Source); 2] {
    let mut opts = Options::default();
    if options {
        opts.config = Config::new()
            .with_client_tls_cert("/o.pem")
            .and_then(|c| c.with_client_tls_key("/ok.pem"))
            .unwrap();
    }
    let env = MemEnv::new(vars);
    let mut slot = Session::unconfigured();
    let s = session_in(&mut slot, &opts, &env, &MemFiles::new(&[]));
    let shown = |v: &Option<
        crate::config::Resolved<crate::text::Text<{ crate::limits::MAX_PATH_LEN }>>,
    >| {
        let r = v.as_ref().expect("resolved");
        (
            heapless::String::<16>::try_from(r.value.as_str()).unwrap(),
            r.source,
        )
    };
    [
        shown(&s.config().client_tls_cert),
        shown(&s.config().client_tls_key),
    ]
}

/// A `fmt::Write` that keeps only whether `needle` went through it (also across pieces) and how
/// many bytes did.
struct Scan {
    needle: &'static str,
    tail: heapless::String<64>,
    found: bool,
    bytes: usize,
}

impl Scan {
    fn new(needle: &'static str) -> Self {
        Scan {
            needle,
            tail: heapless::String::new(),
            found: false,
            bytes: 0,
        }
    }
}

impl core::fmt::Write for Scan {
    fn write_str(&mut self, piece: &str) -> core::fmt::Result {
        self.bytes += piece.len();
        self.found |= piece.contains(self.needle);
        // The needle split between the last piece and this one.
        let head = piece
            .char_indices()
            .nth(self.needle.len())
            .map_or(piece, |(i, _)| &piece[..i]);
        let _ = self.tail.push_str(head);
        self.found |= self.tail.contains(self.needle);
        let keep = piece
            .char_indices()
            .rev()
            .nth(self.needle.len())
            .map_or(piece, |(i, _)| &piece[i..]);
        self.tail.clear();
        let _ = self.tail.push_str(keep);
        Ok(())
    }
}

/// The SigV4a region set of `s.copy_with` an option of `set`, with its source. Out of line: the
/// copy is a whole session, too much beside the test's own on a 64 KiB target.
#[inline(never)]
fn region_set_of_copy(s: &Session, set: &str) -> (heapless::String<32>, Source) {
    let o = Config {
        sigv4a_signing_region_set: Some(
            crate::text::text(set, crate::text::Field::RegionSet).unwrap(),
        ),
        ..Config::default()
    };
    let c = s.copy_with(&o);
    let v = c.config().sigv4a_signing_region_set.as_ref().unwrap();
    (
        heapless::String::try_from(v.value.as_str()).unwrap(),
        v.source,
    )
}

/// Whether creation succeeds, without keeping the session.
#[inline(never)]
fn creates<'a>(opts: &Options<'a>, env: &'a MemEnv<'a>, files: &'a MemFiles<'a>) -> bool {
    Session::unconfigured().rebuild(opts, env, files).is_ok()
}

fn shown(s: &Session, source: Source) -> heapless::String<128> {
    let mut out = heapless::String::new();
    let _ = write!(out, "{}", s.config().provenance.display(source));
    out
}

fn region(s: &Session) -> Option<&str> {
    s.config().region.as_ref().map(|r| r.value.as_str())
}

fn static_akid(s: &Session) -> Option<&str> {
    s.credentials()
        .static_credentials()
        .map(|c| c.access_key_id.as_str())
}

const LOAD: (&str, &str) = ("AWS_SDK_LOAD_CONFIG", "1");
const CFG_REGION: &str = "[default]\nregion = eu-north-1\n";
const CREDS_DEFAULT: &str =
    "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = SECRETFILE\n";

/// A valid sample value for a row: the first accepted word, or plain text.
fn sample(info: &crate::config::SettingInfo) -> &'static str {
    match info.capacity {
        // An endpoint must be a URL (checked at creation).
        Some(_) if info.key == crate::config::Key::EndpointUrl => "http://sample-value",
        Some(_) => "sample-value",
        None => info.accepted.split(", ").next().unwrap_or(""),
    }
}

/// The resolved value and source of `key` in `s`, as text.
fn resolved_of(s: &Session, key: crate::config::Key) -> Option<(crate::text::Text<64>, Source)> {
    let mut found = None;
    s.config().visit(&mut |info, value| {
        if info.key == key {
            found = value.map(|v| {
                let mut t = crate::text::Text::new();
                let _ = write!(t, "{}", v.value);
                (t, v.source)
            });
        }
    });
    found
}

selftests! {
    fn every_table_setting_refuses_a_bad_value_with_go_v1s_error() {
        use crate::config::{Merge, SETTINGS};
        let bad = "no-such-value";
        for info in SETTINGS.iter().filter(|i| i.merge != Merge::Credentials && i.capacity.is_none()) {
            for &var in info.env {
                let vars = [(var, bad)];
                let env = MemEnv::new(&vars);
                if info.lenient_in_env {
                    // Go v1 `setBoolPtrFromEnvVal`: another value is ignored, as if unset.
                    let mut slot = Session::unconfigured();
                    let s = session_in(&mut slot, &Options::default(), &env, &MemFiles::new(&[]));
                    assert!(resolved_of(s, info.key).is_none_or(|(_, src)| src == Source::Default), "{var}");
                    continue;
                }
                let err = error_of(&Options::default(), &env, &MemFiles::new(&[]));
                assert_eq!(err, SessionError::Env(EnvError::InvalidValue { var, accepted: info.accepted }));
            }
            if let (Some(key), false) = (info.file_key, info.lenient_in_files) {
                let mut text = crate::text::Text::<128>::new();
                let _ = write!(text, "[default]\n{key} = {bad}\n");
                let list: [F; 1] = [config_file(&text)];
                let env = MemEnv::new(&[LOAD]);
                let err = error_of(&Options::default(), &env, &MemFiles::new(&list));
                assert_eq!(
                    err,
                    SessionError::Shared(SharedError::InvalidValue {
                        key,
                        path: et("/home/.aws/config"),
                        line: 2,
                        accepted: info.accepted,
                    })
                );
            }
        }
        // Go v1 reads the IMDS endpoint mode in any case, with surrounding whitespace.
        let mut slot = Session::unconfigured();
        let env = MemEnv::new(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", " ipv6 ")]);
        let s = session_in(&mut slot, &Options::default(), &env, &MemFiles::new(&[]));
        assert_eq!(s.config().ec2_imds_endpoint_mode.value, crate::config::Ec2ImdsEndpointMode::IPv6);
        let err = error_of(&Options::default(), &MemEnv::new(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv5")]), &MemFiles::new(&[]));
        let mut text = crate::text::Text::<256>::new();
        let _ = write!(text, "{err}");
        assert_eq!(
            text.as_str(),
            "failed to load environment config, invalid value for environment variable \
             AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE, need IPv4, IPv6"
        );
    }

    fn every_table_setting_resolves_from_its_variable_and_its_file_key() {
        // Driven by the table: a row added to config/settings.rs is covered here with no edit.
        use crate::config::{Merge, Read, SETTINGS};
        let mut slot = Session::unconfigured();
        for info in SETTINGS.iter().filter(|i| i.merge != Merge::Credentials) {
            let value = sample(info);
            for &var in info.env.iter().chain(info.env_when_loading) {
                // A setting that only comes in a pair is given with its partner.
                let partner = match var {
                    "AWS_SDK_GO_CLIENT_TLS_CERT" => ("AWS_SDK_GO_CLIENT_TLS_KEY", "key.pem"),
                    "AWS_SDK_GO_CLIENT_TLS_KEY" => ("AWS_SDK_GO_CLIENT_TLS_CERT", "cert.pem"),
                    _ => LOAD,
                };
                let vars = [LOAD, partner, (var, value)];
                let env = MemEnv::new(&vars);
                let s = session_in(&mut slot, &Options::default(), &env, &MemFiles::new(&[]));
                let (got, source) = resolved_of(s, info.key).expect(var);
                // A secret row is listed redacted, never as its value.
                let shown = if info.secret { crate::config::table::REDACTED } else { value };
                assert_eq!((got.as_str(), source), (shown, Source::Env(var)), "{var}");
            }
            if let Some(key) = info.file_key {
                let mut text = crate::text::Text::<128>::new();
                let _ = write!(text, "[default]\n{key} = {value}\n");
                let list: [F; 1] = [config_file(&text)];
                let files = MemFiles::new(&list);
                let env = MemEnv::new(&[LOAD]);
                let s = session_in(&mut slot, &Options::default(), &env, &files);
                let (got, source) = resolved_of(s, info.key).expect(key);
                assert_eq!(got.as_str(), value, "{key}");
                assert!(matches!(source, Source::File { line: 2, .. }), "{key}");
                // Without shared config, only keys read always count.
                let s = session_in(&mut slot, &Options::default(), &MemEnv::new(&[]), &files);
                let from_file = matches!(resolved_of(s, info.key), Some((_, Source::File { .. })));
                assert_eq!(from_file, info.read == Read::Always, "{key}");
            }
        }
    }

    fn region_precedence_option_env_default_region_file() {
        let mut slot = Session::unconfigured();
        let files_list: [F; 1] = [config_file(CFG_REGION)];
        let files = MemFiles::new(&files_list);
        let env = MemEnv::new(&[LOAD, ("AWS_REGION", "us-west-2"), ("AWS_DEFAULT_REGION", "ap-south-1")]);
        let mut opts = Options::default();
        opts.config.region = Some(crate::text::text("eu-central-1", crate::text::Field::Region).unwrap());
        let s = session_in(&mut slot, &opts, &env, &files);
        assert_eq!(region(s), Some("eu-central-1"));
        assert_eq!(s.config().region.as_ref().unwrap().source, Source::Option);

        let s = session_in(&mut slot, &Options::default(), &env, &files);
        assert_eq!(region(s), Some("us-west-2"));
        assert_eq!(shown(s, s.config().region.as_ref().unwrap().source).as_str(), "env:AWS_REGION");

        let env = MemEnv::new(&[LOAD, ("AWS_REGION", ""), ("AWS_DEFAULT_REGION", "ap-south-1")]);
        let s = session_in(&mut slot, &Options::default(), &env, &files);
        assert_eq!(region(s), Some("ap-south-1"), "an empty AWS_REGION counts as unset");
        assert_eq!(s.config().region.as_ref().unwrap().source, Source::Env("AWS_DEFAULT_REGION"));

        let env = MemEnv::new(&[LOAD]);
        let s = session_in(&mut slot, &Options::default(), &env, &files);
        assert_eq!(region(s), Some("eu-north-1"));
        assert_eq!(shown(s, s.config().region.as_ref().unwrap().source).as_str(), "file:/home/.aws/config:2");
    }

    fn empty_options_are_unset() {
        // Go v1: `Config{Region: aws.String("")}` or an empty endpoint is no value: the
        // environment still applies (`len(aws.StringValue(...)) == 0`).
        let mut slot = Session::unconfigured();
        let files = MemFiles::new(&[]);
        let env = MemEnv::new(&[("AWS_REGION", "us-west-2"), ("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000")]);
        let mut opts = Options::default();
        opts.config.region = Some(crate::text::Text::new());
        opts.config.endpoint = Some(crate::text::Text::new());
        let s = session_in(&mut slot, &opts, &env, &files);
        assert_eq!(region(s), Some("us-west-2"));
        assert_eq!(s.config().region.as_ref().unwrap().source, Source::Env("AWS_REGION"));
        assert_eq!(s.config().endpoint_for("s3").map(|e| e.value.as_str()), Some("http://127.0.0.1:9000"));
        // A client of such a session resolves from the model, never to `https://`: the client
        // self-test `empty_endpoint_option_resolves_from_the_model`.
    }

    fn default_region_needs_load() {
        let mut slot = Session::unconfigured();
        // without load AWS_DEFAULT_REGION is not read, and the config file is not read.
        let files_list: [F; 1] = [credentials_file("[default]\nregion = eu-north-1\n")];
        let files = MemFiles::new(&files_list);
        let env = MemEnv::new(&[("AWS_DEFAULT_REGION", "ap-south-1")]);
        let s = session_in(&mut slot, &Options::default(), &env, &files);
        assert_eq!(region(s), None, "no region from the file without shared config");
        // with load, a region in the credentials file counts.
        let env = MemEnv::new(&[LOAD]);
        let s = session_in(&mut slot, &Options::default(), &env, &files);
        assert_eq!(region(s), Some("eu-north-1"));
    }

    fn load_config_accepts_exactly_go_parsebool_truthy() {
        let mut slot = Session::unconfigured();
        let files_list: [F; 1] = [config_file(CFG_REGION)];
        let files = MemFiles::new(&files_list);
        for v in ["1", "t", "T", "TRUE", "true", "True"] {
            let vars = [("AWS_SDK_LOAD_CONFIG", v)];
            let env = MemEnv::new(&vars);
            assert!(session_in(&mut slot, &Options::default(), &env, &files).config().shared_config_loaded, "{v}");
        }
        for v in ["yes", "on", "0", "tRUE", "enabled", ""] {
            let vars = [("AWS_SDK_LOAD_CONFIG", v)];
            let env = MemEnv::new(&vars);
            assert!(!session_in(&mut slot, &Options::default(), &env, &files).config().shared_config_loaded, "{v}");
        }
        let env = MemEnv::new(&[LOAD]);
        let opts = Options { shared_config_state: SharedConfigState::Disable, ..Options::default() };
        assert!(!session_in(&mut slot, &opts, &env, &files).config().shared_config_loaded);
        let env = MemEnv::new(&[]);
        let opts = Options { shared_config_state: SharedConfigState::Enable, ..Options::default() };
        let s = session_in(&mut slot, &opts, &env, &files);
        assert!(s.config().shared_config_loaded);
        assert_eq!(region(s), Some("eu-north-1"));
    }

    fn profile_selection_order() {
        let mut slot = Session::unconfigured();
        let files_list: [F; 1] = [credentials_file("[a]\naws_access_key_id = A\naws_secret_access_key = S\n[b]\naws_access_key_id = B\naws_secret_access_key = S\n")];
        let files = MemFiles::new(&files_list);
        // option > AWS_PROFILE > AWS_DEFAULT_PROFILE (load only) > default.
        let env = MemEnv::new(&[("AWS_PROFILE", "a"), ("AWS_DEFAULT_PROFILE", "b")]);
        let opts = Options { profile: Some("b"), ..Options::default() };
        let s = session_in(&mut slot, &opts, &env, &files);
        assert_eq!(s.config().profile.value.as_str(), "b");
        assert_eq!(s.config().profile.source, Source::Option);
        let s = session_in(&mut slot, &Options::default(), &env, &files);
        assert_eq!(s.config().profile.source, Source::Env("AWS_PROFILE"));
        assert_eq!(static_akid(s), Some("A"));
        // without load AWS_DEFAULT_PROFILE is ignored entirely.
        let env = MemEnv::new(&[("AWS_DEFAULT_PROFILE", "b")]);
        let s = session_in(&mut slot, &Options::default(), &env, &files);
        assert_eq!(s.config().profile.value.as_str(), "default");
        assert_eq!(s.config().profile.source, Source::Default);
        let env = MemEnv::new(&[LOAD, ("AWS_DEFAULT_PROFILE", "b")]);
        let s = session_in(&mut slot, &Options::default(), &env, &files);
        assert_eq!(s.config().profile.source, Source::Env("AWS_DEFAULT_PROFILE"));
        assert_eq!(static_akid(s), Some("B"));
    }

    fn env_keys_beat_aws_profile_but_not_profile_option() {
        let mut slot = Session::unconfigured();
        let files_list: [F; 1] = [credentials_file("[p]\naws_access_key_id = AKIDFILE\naws_secret_access_key = S\n")];
        let files = MemFiles::new(&files_list);
        let env = MemEnv::new(&[("AWS_PROFILE", "p"), ("AWS_ACCESS_KEY_ID", "AKIDENV"), ("AWS_SECRET_ACCESS_KEY", "SENV")]);
        // env keys beat a profile named by AWS_PROFILE.
        let s = session_in(&mut slot, &Options::default(), &env, &files);
        assert_eq!(static_akid(s), Some("AKIDENV"));
        assert_eq!(s.credentials().provider(), ProviderKind::Environment);
        assert_eq!(shown(s, s.credentials().source()).as_str(), "env:AWS_ACCESS_KEY_ID");
        // Options.Profile beats env keys.
        let opts = Options { profile: Some("p"), ..Options::default() };
        let s = session_in(&mut slot, &opts, &env, &files);
        assert_eq!(static_akid(s), Some("AKIDFILE"));
        assert_eq!(s.credentials().provider(), ProviderKind::SharedConfig);
        assert_eq!(shown(s, s.credentials().source()).as_str(), "file:/home/.aws/credentials:2");
    }

    fn env_key_aliases_halves_and_token() {
        let mut slot = Session::unconfigured();
        let files_list: [F; 1] = [credentials_file(CREDS_DEFAULT)];
        let files = MemFiles::new(&files_list);
        // AWS_ACCESS_KEY is used when AWS_ACCESS_KEY_ID is empty; per variable.
        let env = MemEnv::new(&[("AWS_ACCESS_KEY_ID", ""), ("AWS_ACCESS_KEY", "X"), ("AWS_SECRET_KEY", "Y"), ("AWS_SESSION_TOKEN", "T")]);
        let s = session_in(&mut slot, &Options::default(), &env, &files);
        let c = s.credentials().static_credentials().unwrap();
        assert_eq!(c.access_key_id.as_str(), "X");
        assert_eq!(c.secret_access_key.expose(), "Y");
        assert_eq!(c.session_token.as_ref().unwrap().expose(), "T");
        assert_eq!(s.credentials().source(), Source::Env("AWS_ACCESS_KEY"));
        // One half only → env ignored (token too), files used.
        let env = MemEnv::new(&[("AWS_ACCESS_KEY_ID", "X"), ("AWS_SESSION_TOKEN", "T")]);
        let s = session_in(&mut slot, &Options::default(), &env, &files);
        assert_eq!(static_akid(s), Some("AKIDFILE"));
        assert!(s.credentials().static_credentials().unwrap().session_token.is_none());
    }

    fn explicit_credentials_stop_resolution() {
        let mut slot = Session::unconfigured();
        let files_list: [F; 1] = [credentials_file(CREDS_DEFAULT)];
        let files = MemFiles::new(&files_list);
        let env = MemEnv::new(&[("AWS_ACCESS_KEY_ID", "X"), ("AWS_SECRET_ACCESS_KEY", "Y")]);
        let mut opts = Options::default();
        opts.config.credentials = Some(crate::config::ExplicitCredentials::Anonymous);
        assert_eq!(session_in(&mut slot, &opts, &env, &files).credentials(), &CredentialPlan::Anonymous);
        opts.config.credentials = Some(crate::config::ExplicitCredentials::Static(crate::credentials::Credentials::new("OPT", "S", None).unwrap()));
        let s = session_in(&mut slot, &opts, &env, &files);
        assert_eq!(static_akid(s), Some("OPT"));
        assert_eq!(s.credentials().provider(), ProviderKind::Static);
        assert_eq!(s.credentials().source(), Source::Option);
    }

    fn credentials_file_beats_config_file_and_pairs_stay_whole() {
        let mut slot = Session::unconfigured();
        let files_list: [F; 2] = [
            config_file("[default]\naws_access_key_id = AKIDCFG\naws_secret_access_key = SCFG\nregion = us-east-2\n"),
            credentials_file("[default]\naws_access_key_id = AKIDCRED\naws_secret_access_key = SCRED\nregion = us-west-1\n"),
        ];
        let files = MemFiles::new(&files_list);
        let env = MemEnv::new(&[LOAD]);
        let s = session_in(&mut slot, &Options::default(), &env, &files);
        assert_eq!(static_akid(s), Some("AKIDCRED"), "credentials-file keys");
        assert_eq!(region(s), Some("us-west-1"));
        assert_eq!(shown(s, s.config().region.as_ref().unwrap().source).as_str(), "file:/home/.aws/credentials:4");
        // halves split across files give no static credentials.
        let files_list: [F; 2] = [
            config_file("[default]\naws_access_key_id = AKIDCFG\n"),
            credentials_file("[default]\naws_secret_access_key = SCRED\n"),
        ];
        let files = MemFiles::new(&files_list);
        let s = session_in(&mut slot, &Options::default(), &env, &files);
        assert!(s.credentials().static_credentials().is_none());
        assert_eq!(s.credentials().provider(), ProviderKind::RemoteFallback);
    }

    fn config_file_ignored_without_load() {
        // keys only in the config file are not seen without load.
        let files_list: [F; 1] = [config_file("[default]\naws_access_key_id = A\naws_secret_access_key = S\n")];
        let files = MemFiles::new(&files_list);
        let env = MemEnv::new(&[]);
        let plan = Session::plan_files(&Options::default(), &env).unwrap();
        assert_eq!(plan.len(), 1);
        assert_eq!(plan[0].kind, FileKind::Credentials);
        let env_load = MemEnv::new(&[LOAD, ("AWS_CONFIG_FILE", "/etc/aws/config")]);
        let plan = Session::plan_files(&Options::default(), &env_load).unwrap();
        assert_eq!(plan.len(), 2);
        assert_eq!(plan[0].location, FileLocation::Path("/etc/aws/config"));
        assert_eq!(plan[1].location, FileLocation::Default);
        assert!(creates(&Options::default(), &env, &files));
    }

    fn missing_profile_is_not_an_error() {
        let mut slot = Session::unconfigured();
        // a missing profile leaves no shared credentials, no error.
        let files_list: [F; 1] = [credentials_file(CREDS_DEFAULT)];
        let files = MemFiles::new(&files_list);
        let env = MemEnv::new(&[("AWS_PROFILE", "nope")]);
        let s = session_in(&mut slot, &Options::default(), &env, &files);
        assert!(s.credentials().static_credentials().is_none());
        assert_eq!(s.credentials().provider(), ProviderKind::RemoteFallback);
        let opts = Options { profile: Some("nope"), ..Options::default() };
        assert!(creates(&opts, &env, &files));
        // A missing file is skipped silently.
        let files_list: [F; 1] = [("/nowhere/credentials", FileKind::Credentials, None)];
        let files = MemFiles::new(&files_list);
        assert!(creates(&Options::default(), &env, &files));
    }

    fn unparsable_file_fails_except_go_v1_special_case() {
        let mut slot = Session::unconfigured();
        let files_list: [F; 1] = [credentials_file("[default\naws_access_key_id = A\n")];
        let files = MemFiles::new(&files_list);
        let env = MemEnv::new(&[]);
        let err = error_of(&Options::default(), &env, &files);
        match err {
            SessionError::Shared(SharedError::Parse { path, error }) => {
                assert_eq!(path, "/home/.aws/credentials");
                assert_eq!(error.line, 1);
            }
            other => panic!("unexpected {other:?}"),
        }
        // no profile named, load off, env keys present → the broken file is ignored.
        let env = MemEnv::new(&[("AWS_ACCESS_KEY_ID", "X"), ("AWS_SECRET_ACCESS_KEY", "Y")]);
        let s = session_in(&mut slot, &Options::default(), &env, &files);
        assert_eq!(static_akid(s), Some("X"));
        // ... but AWS_PROFILE, Options.Profile or load turn the error back on.
        let env = MemEnv::new(&[("AWS_ACCESS_KEY_ID", "X"), ("AWS_SECRET_ACCESS_KEY", "Y"), ("AWS_PROFILE", "default")]);
        assert!(!creates(&Options::default(), &env, &files));
        let env = MemEnv::new(&[("AWS_ACCESS_KEY_ID", "X"), ("AWS_SECRET_ACCESS_KEY", "Y"), LOAD]);
        assert!(!creates(&Options::default(), &env, &files));
    }

    fn role_graph_errors() {
        let mut slot = Session::unconfigured();
        let env = MemEnv::new(&[LOAD]);
        // source_profile without role_arn.
        let list: [F; 1] = [config_file("[profile a]\nsource_profile = b\n[profile b]\naws_access_key_id = K\naws_secret_access_key = S\n")];
        let files = MemFiles::new(&list);
        let opts = Options { profile: Some("a"), ..Options::default() };
        assert_eq!(
            error_of(&opts, &env, &files),
            SessionError::Shared(SharedError::CredentialRequiresArn { kind: "source_profile", profile: et("a") })
        );
        // two credential types.
        let list: [F; 1] = [config_file("[profile a]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = b\ncredential_source = Environment\n")];
        let files = MemFiles::new(&list);
        assert_eq!(
            error_of(&opts, &env, &files),
            SessionError::Shared(SharedError::SourceCollision { profile: et("a") })
        );
        // missing source profile, and a source with no credentials.
        let list: [F; 1] = [config_file("[profile a]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = b\n")];
        let files = MemFiles::new(&list);
        assert_eq!(
            error_of(&opts, &env, &files),
            SessionError::Shared(SharedError::AssumeRole { role_arn: et("arn:aws:iam::1:role/r"), source_profile: et("b") })
        );
        let list: [F; 1] = [config_file("[profile a]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = b\n[profile b]\nregion = us-east-1\n")];
        let files = MemFiles::new(&list);
        assert!(matches!(error_of(&opts, &env, &files), SessionError::Shared(SharedError::AssumeRole { .. })));
        // a→b→a with no keys on a fails with the role of b and source a.
        let list: [F; 1] = [config_file("[profile a]\nrole_arn = ra\nsource_profile = b\n[profile b]\nrole_arn = rb\nsource_profile = a\n")];
        let files = MemFiles::new(&list);
        assert_eq!(
            error_of(&opts, &env, &files),
            SessionError::Shared(SharedError::AssumeRole { role_arn: et("rb"), source_profile: et("a") })
        );
        // unknown credential_source, and EcsContainer without its variable.
        let list: [F; 1] = [config_file("[profile a]\nrole_arn = ra\ncredential_source = Ec2\n")];
        let files = MemFiles::new(&list);
        assert!(matches!(
            error_of(&opts, &env, &files),
            SessionError::Credentials(PlanError::InvalidCredentialSource { ref profile, at: At::File { line: 3, .. } }) if profile == &"a"
        ));
        let list: [F; 1] = [config_file("[profile a]\nrole_arn = ra\ncredential_source = EcsContainer\n")];
        let files = MemFiles::new(&list);
        assert_eq!(
            error_of(&opts, &env, &files),
            SessionError::Credentials(PlanError::EcsContainerEnvVarEmpty { profile: et("a") })
        );
        let env_ecs = MemEnv::new(&[LOAD, ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/creds")]);
        let s = session_in(&mut slot, &opts, &env_ecs, &files);
        assert!(matches!(s.credentials(), CredentialPlan::Chain { base: BaseCredentials::Remote { provider: ProviderKind::EcsContainer, .. }, hops } if hops.len() == 1));
        // mfa_serial without a token provider fails at creation.
        let list: [F; 1] = [config_file("[profile a]\nrole_arn = ra\nmfa_serial = arn:aws:iam::1:mfa/u\nsource_profile = a\naws_access_key_id = K\naws_secret_access_key = S\n")];
        let files = MemFiles::new(&list);
        assert_eq!(
            error_of(&opts, &env, &files),
            SessionError::Credentials(PlanError::TokenProviderNotSet { profile: et("a") })
        );
        fn code(out: &mut crate::text::Text<{ crate::limits::MAX_MFA_TOKEN_LEN }>) -> Result<(), TokenError> {
            out.push_str("123456").map_err(|_| TokenError)
        }
        let opts_mfa = Options { profile: Some("a"), assume_role_token_provider: Some(crate::session::TokenProvider::new(&code)), ..Options::default() };
        assert!(creates(&opts_mfa, &env, &files));
    }

    fn role_chains_follow_go_v1() {
        let mut slot = Session::unconfigured();
        let env = MemEnv::new(&[LOAD]);
        let opts = Options { profile: Some("a"), ..Options::default() };
        let hops = |s: &Session| -> heapless::Vec<heapless::String<32>, 4> {
            let mut out = heapless::Vec::new();
            if let CredentialPlan::Chain { hops, .. } = s.credentials() {
                for h in hops.iter() {
                    let _ = out.push(heapless::String::try_from(h.role_arn).unwrap());
                }
            }
            out
        };
        let base_akid = |s: &Session| -> heapless::String<16> {
            match s.credentials() {
                CredentialPlan::Chain { base: BaseCredentials::Static { credentials, .. }, .. } => {
                    heapless::String::try_from(credentials.access_key_id.as_str()).unwrap()
                }
                _ => heapless::String::new(),
            }
        };
        // A profile met twice, with keys on a: a's keys → rb → ra.
        let list: [F; 1] = [config_file("[profile a]\nrole_arn = ra\nsource_profile = b\naws_access_key_id = KA\naws_secret_access_key = S\n[profile b]\nrole_arn = rb\nsource_profile = a\n")];
        let files = MemFiles::new(&list);
        let s = session_in(&mut slot, &opts, &env, &files);
        assert_eq!(base_akid(s).as_str(), "KA");
        assert_eq!(hops(s).as_slice(), ["rb", "ra"]);
        assert_eq!(s.credentials().provider(), ProviderKind::AssumeRole);
        // self reference with keys: one AssumeRole.
        let list: [F; 1] = [config_file("[profile a]\nrole_arn = ra\nsource_profile = a\naws_access_key_id = KA\naws_secret_access_key = S\n")];
        let files = MemFiles::new(&list);
        let s = session_in(&mut slot, &opts, &env, &files);
        assert_eq!(base_akid(s).as_str(), "KA");
        assert_eq!(hops(s).as_slice(), ["ra"]);
        // b's own keys are ignored because b has role_arn + source_profile: C → rb → ra.
        let list: [F; 1] = [config_file("[profile a]\nrole_arn = ra\nsource_profile = b\n[profile b]\nrole_arn = rb\nsource_profile = c\naws_access_key_id = KB\naws_secret_access_key = S\n[profile c]\naws_access_key_id = KC\naws_secret_access_key = S\n")];
        let files = MemFiles::new(&list);
        let s = session_in(&mut slot, &opts, &env, &files);
        assert_eq!(base_akid(s).as_str(), "KC");
        assert_eq!(hops(s).as_slice(), ["rb", "ra"]);
        // Provenance of the plan: the outermost role_arn, line 2 of profile a.
        assert_eq!(shown(s, s.credentials().source()).as_str(), "file:/home/.aws/config:2");
        let mut long = heapless::String::<128>::new();
        let _ = write!(long, "{}", s.config().provenance.display_long(s.credentials().source()));
        assert_eq!(long.as_str(), "file:/home/.aws/config:2 (profile a)");
        // role_arn + own keys, no source: the keys assume the role.
        let list: [F; 1] = [config_file("[profile a]\nrole_arn = ra\naws_access_key_id = KA\naws_secret_access_key = S\n")];
        let files = MemFiles::new(&list);
        let s = session_in(&mut slot, &opts, &env, &files);
        assert_eq!(base_akid(s).as_str(), "KA");
        assert_eq!(hops(s).as_slice(), ["ra"]);
        // Without load, role_arn is not read: the keys are used directly.
        let env_off = MemEnv::new(&[]);
        let list: [F; 1] = [credentials_file("[a]\nrole_arn = ra\naws_access_key_id = KA\naws_secret_access_key = S\n")];
        let files = MemFiles::new(&list);
        let s = session_in(&mut slot, &opts, &env_off, &files);
        assert_eq!(static_akid(s), Some("KA"));
    }

    fn assume_role_duration_rule() {
        let mut slot = Session::unconfigured();
        let env = MemEnv::new(&[LOAD]);
        let mut dur = |text: &'static str, opt: u32| -> u32 {
            let list: [F; 1] = [config_file(text)];
            let files = MemFiles::new(&list);
            let opts = Options { profile: Some("a"), assume_role_duration_secs: opt, ..Options::default() };
            match session_in(&mut slot, &opts, &env, &files).credentials() {
                CredentialPlan::Chain { hops, .. } => hops.get(0).map_or(0, |h| h.duration_secs),
                _ => 0,
            }
        };
        const P959: &str = "[profile a]\nrole_arn = r\nduration_seconds = 959\naws_access_key_id = K\naws_secret_access_key = S\n";
        const P960: &str = "[profile a]\nrole_arn = r\nduration_seconds = 960\naws_access_key_id = K\naws_secret_access_key = S\n";
        const PABC: &str = "[profile a]\nrole_arn = r\nduration_seconds = abc\naws_access_key_id = K\naws_secret_access_key = S\n";
        const P3600: &str = "[profile a]\nrole_arn = r\nduration_seconds = 3600\naws_access_key_id = K\naws_secret_access_key = S\n";
        assert_eq!(dur(P959, 0), 900);
        assert_eq!(dur(P960, 0), 960);
        assert_eq!(dur(PABC, 0), 900);
        assert_eq!(dur(P3600, 1200), 1200);
    }

    fn credential_source_environment_and_web_identity() {
        let mut slot = Session::unconfigured();
        let list: [F; 1] = [config_file("[profile a]\nrole_arn = ra\ncredential_source = Environment\n")];
        let files = MemFiles::new(&list);
        // With AWS_PROFILE and env keys, the raw env keys win (no role).
        let env = MemEnv::new(&[LOAD, ("AWS_PROFILE", "a"), ("AWS_ACCESS_KEY_ID", "E"), ("AWS_SECRET_ACCESS_KEY", "S")]);
        let s = session_in(&mut slot, &Options::default(), &env, &files);
        assert_eq!(s.credentials().provider(), ProviderKind::Environment);
        // With Options.Profile, the env keys assume the role.
        let opts = Options { profile: Some("a"), ..Options::default() };
        let s = session_in(&mut slot, &opts, &env, &files);
        assert_eq!(s.credentials().provider(), ProviderKind::AssumeRole);
        // Env web identity needs AWS_ROLE_ARN.
        let env = MemEnv::new(&[("AWS_WEB_IDENTITY_TOKEN_FILE", "/tok")]);
        assert_eq!(
            error_of(&Options::default(), &env, &MemFiles::new(&[])),
            SessionError::Credentials(PlanError::WebIdentityEmptyRoleArn)
        );
        let env = MemEnv::new(&[("AWS_WEB_IDENTITY_TOKEN_FILE", "/tok"), ("AWS_ROLE_ARN", "arn:r")]);
        let empty = MemFiles::new(&[]);
        let s = session_in(&mut slot, &Options::default(), &env, &empty);
        assert_eq!(s.credentials().provider(), ProviderKind::WebIdentity);
        assert_eq!(s.credentials().source(), Source::Env("AWS_WEB_IDENTITY_TOKEN_FILE"));
    }

    fn strict_env_values_and_lenient_file_values() {
        let mut slot = Session::unconfigured();
        let empty = MemFiles::new(&[]);
        for (var, val) in [
            ("AWS_USE_FIPS_ENDPOINT", "1"),
            ("AWS_USE_DUALSTACK_ENDPOINT", "yes"),
            ("AWS_STS_REGIONAL_ENDPOINTS", "global"),
            ("AWS_S3_US_EAST_1_REGIONAL_ENDPOINT", "x"),
            ("AWS_S3_USE_ARN_REGION", "1"),
        ] {
            let vars = [(var, val)];
            let env = MemEnv::new(&vars);
            match error_of(&Options::default(), &env, &empty) {
                SessionError::Env(EnvError::InvalidValue { var: v, .. }) => assert_eq!(v, var),
                other => panic!("{var}: {other:?}"),
            }
        }
        let env = MemEnv::new(&[("AWS_USE_FIPS_ENDPOINT", "TRUE"), ("AWS_STS_REGIONAL_ENDPOINTS", "Regional")]);
        let s = session_in(&mut slot, &Options::default(), &env, &empty);
        assert!(s.config().use_fips_endpoint.value);
        assert_eq!(s.config().sts_regional_endpoint.value, crate::config::RegionalEndpoint::Regional);
        // a file non-bool silently means false; a bad regional value in a file is an error.
        let env = MemEnv::new(&[LOAD]);
        let list: [F; 1] = [config_file("[default]\nuse_fips_endpoint = yes\nuse_dualstack_endpoint = true\n")];
        let files = MemFiles::new(&list);
        let s = session_in(&mut slot, &Options::default(), &env, &files);
        assert!(!s.config().use_fips_endpoint.value);
        assert!(matches!(s.config().use_fips_endpoint.source, Source::File { line: 2, .. }));
        assert!(s.config().use_dualstack_endpoint.value);
        let list: [F; 1] = [config_file("[default]\nsts_regional_endpoints = global\n")];
        let files = MemFiles::new(&list);
        assert_eq!(
            error_of(&Options::default(), &env, &files),
            SessionError::Shared(SharedError::InvalidValue {
                key: "sts_regional_endpoints",
                path: et("/home/.aws/config"),
                line: 2,
                accepted: "legacy, regional"
            })
        );
        // Defaults: legacy STS endpoint, sourced "default".
        let s = session_in(&mut slot, &Options::default(), &MemEnv::new(&[]), &empty);
        assert_eq!(s.config().sts_regional_endpoint.source, Source::Default);
    }

    fn s3_use_arn_region_from_file_is_applied() {
        let mut slot = Session::unconfigured();
        // Divergence from Go v1 (which never applies the file value): docs/divergences.md.
        let env = MemEnv::new(&[]);
        let list: [F; 1] = [credentials_file("[default]\ns3_use_arn_region = true\n")];
        let files = MemFiles::new(&list);
        let s = session_in(&mut slot, &Options::default(), &env, &files);
        assert!(s.config().s3_use_arn_region.value);
    }

    fn overflow_is_a_typed_error_naming_field_limit_and_source() {
        let long = "us-east-1-but-far-too-long-for-any-region-name";
        let vars = [("AWS_REGION", long)];
        let env = MemEnv::new(&vars);
        match error_of(&Options::default(), &env, &MemFiles::new(&[])) {
            SessionError::Merge(MergeError::Capacity { error, at }) => {
                assert_eq!(error.field, crate::text::Field::Region);
                assert_eq!(error.limit, crate::limits::MAX_REGION_LEN);
                assert_eq!(error.len, long.len());
                assert_eq!(at, At::Env("AWS_REGION"));
            }
            other => panic!("{other:?}"),
        }
        let env = MemEnv::new(&[LOAD]);
        let list: [F; 1] = [config_file("[default]\n\nregion = us-east-1-but-far-too-long-for-any-region-name\n")];
        let files = MemFiles::new(&list);
        match error_of(&Options::default(), &env, &files) {
            SessionError::Merge(MergeError::Capacity { at, .. }) => {
                assert_eq!(at, At::File { path: et("/home/.aws/config"), line: 3 })
            }
            other => panic!("{other:?}"),
        }
    }

    fn a_source_profile_chain_over_the_limit_names_profile_file_and_line() {
        // p0 -> p1 -> … -> p10, three lines a profile: p(n)'s source_profile is on line 3n + 3.
        let mut text = heapless::String::<1024>::new();
        for i in 0..10 {
            write!(text, "[profile p{i}]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = p{}\n", i + 1).unwrap();
        }
        text.push_str("[profile p10]\naws_access_key_id = A\naws_secret_access_key = B\n").unwrap();
        let vars = [LOAD, ("AWS_PROFILE", "p0")];
        let env = MemEnv::new(&vars);
        let list: [F; 1] = [config_file(text.as_str())];
        let files = MemFiles::new(&list);
        let last = crate::limits::MAX_PROFILE_CHAIN - 1;
        match error_of(&Options::default(), &env, &files) {
            SessionError::Shared(SharedError::ChainTooLong { limit, profile, path, line }) => {
                assert_eq!(limit, crate::limits::MAX_PROFILE_CHAIN);
                let mut want = heapless::String::<8>::new();
                write!(want, "p{last}").unwrap();
                assert_eq!(profile, et(&want));
                assert_eq!((path, line), (et("/home/.aws/config"), 3 * last as u32 + 3));
            }
            other => panic!("{other:?}"),
        }
    }

    fn endpoint_urls_that_are_not_urls_fail_creation_naming_their_source() {
        for bad in ["not a url", "ftp://x", "http://[::1", "http://h:port", "https://", "http://a b"] {
            let vars = [("AWS_ENDPOINT_URL", bad)];
            let env = MemEnv::new(&vars);
            match error_of(&Options::default(), &env, &MemFiles::new(&[])) {
                SessionError::Merge(MergeError::InvalidEndpoint { value, at, .. }) => {
                    assert_eq!((value.as_str(), at), (bad, At::Env("AWS_ENDPOINT_URL")));
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
        let vars = [("AWS_ENDPOINT_URL_S3", "ftp://x\u{1b}[31m")];
        let env = MemEnv::new(&vars);
        let e = error_of(&Options::default(), &env, &MemFiles::new(&[]));
        let mut text = heapless::String::<256>::new();
        write!(text, "{e}").unwrap();
        assert_eq!(
            text.as_str(),
            "endpoint URL \"ftp://x\\u{1b}[31m\" from env:AWS_ENDPOINT_URL_S3 is not an http:// or \
             https:// URL with a host and an optional port"
        );
        let env = MemEnv::new(&[LOAD]);
        let list: [F; 1] = [config_file("[default]\nendpoint_url = not a url\n")];
        let files = MemFiles::new(&list);
        match error_of(&Options::default(), &env, &files) {
            SessionError::Merge(MergeError::InvalidEndpoint { at, .. }) => {
                assert_eq!(at, At::File { path: et("/home/.aws/config"), line: 2 })
            }
            other => panic!("{other:?}"),
        }
        // Real URLs pass, and an application option may leave out the scheme (Go v1).
        let vars = [("AWS_ENDPOINT_URL", "http://[::1]:9000/prefix"), ("AWS_ENDPOINT_URL_STS", "https://h")];
        assert!(creates(&Options::default(), &MemEnv::new(&vars), &MemFiles::new(&[])));
    }

    fn endpoint_overrides_with_provenance() {
        let mut slot = Session::unconfigured();
        let env = MemEnv::new(&[LOAD, ("AWS_ENDPOINT_URL", "http://127.0.0.1:5055"), ("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:8014")]);
        let list: [F; 1] = [config_file("[default]\nendpoint_url = http://file:1\n")];
        let files = MemFiles::new(&list);
        let s = session_in(&mut slot, &Options::default(), &env, &files);
        assert_eq!(s.config().endpoint_for("s3").unwrap().value.as_str(), "http://127.0.0.1:8014");
        assert_eq!(s.config().endpoint_for("sts").unwrap().value.as_str(), "http://127.0.0.1:5055");
        assert_eq!(s.config().endpoint_for("sts").unwrap().source, Source::Env("AWS_ENDPOINT_URL"));
        let env = MemEnv::new(&[LOAD]);
        let s = session_in(&mut slot, &Options::default(), &env, &files);
        assert_eq!(shown(s, s.config().endpoint_for("dynamodb").unwrap().source).as_str(), "file:/home/.aws/config:2");
        let env = MemEnv::new(&[LOAD, ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")]);
        let s = session_in(&mut slot, &Options::default(), &env, &files);
        assert!(s.config().endpoint_for("dynamodb").is_none());
    }

    fn default_handlers_are_go_v1s_and_an_empty_set_means_them() {
        use crate::handlers::{Handlers, NamedHandler, Phase, Request, SEND};
        let mut slot = Session::unconfigured();
        let env = MemEnv::new(&[("AWS_REGION", "eu-west-1")]);
        let files = MemFiles::new(&[]);
        let s = session_in(&mut slot, &Options::default(), &env, &files);
        let h = s.handlers();
        assert_eq!(h.validate.names().next(), Some("core.ValidateEndpointHandler"));
        let build: heapless::Vec<&str, 4> = h.build.names().collect();
        assert_eq!(build.as_slice(), ["core.SDKVersionUserAgentHandler", "core.AddHostExecEnvUserAgentHander", "awssession.AppIdUserAgentHandler"]);
        assert_eq!(h.sign.names().next(), Some("core.BuildContentLengthHandler"));
        assert_eq!(h.send.names().next(), Some(SEND.name));
        assert_eq!(h.retry.names().next(), Some(crate::skew::CLOCK_SKEW.name));
        assert_eq!(h.after_retry.names().next(), Some("core.AfterRetryHandler"));
        let counts: heapless::Vec<usize, 14> = Phase::ALL.iter().map(|p| h.list(*p).len()).collect();
        assert_eq!(counts.as_slice(), [1, 3, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0]);
        // An empty set means the defaults (Go v1: `handlers.IsEmpty()`); a non-empty one replaces
        // them entirely.
        let empty = Handlers::new();
        let opts = Options { handlers: Some(&empty), ..Options::default() };
        let s = session_in(&mut slot, &opts, &env, &files);
        assert_eq!(s.handlers().build.len(), 3);
        fn mine(_: &mut Request<'_>) {}
        let mut own = Handlers::new();
        own.complete.push_back_named(NamedHandler::new("user.only", mine)).unwrap();
        let opts = Options { handlers: Some(&own), ..Options::default() };
        let s = session_in(&mut slot, &opts, &env, &files);
        assert!(s.handlers().validate.is_empty() && s.handlers().send.is_empty());
    }

    fn app_id_and_sigv4a_region_set_with_provenance() {
        // Later-SDK settings: option > env > profile (the profile only with the config file loaded).
        let mut slot = Session::unconfigured();
        let opts = Options::default();
        let list: [F; 1] = [config_file("[default]\nsdk_ua_app_id = file-app\nsigv4a_signing_region_set = eu-*\n")];
        let files = MemFiles::new(&list);
        let env = MemEnv::new(&[LOAD]);
        let s = session_in(&mut slot, &opts, &env, &files);
        let set = s.config().sigv4a_signing_region_set.as_ref().unwrap();
        assert_eq!(set.value.as_str(), "eu-*");
        assert_eq!(shown(s, set.source).as_str(), "file:/home/.aws/config:3");
        assert_eq!(s.config().app_id.as_ref().unwrap().value.as_str(), "file-app");
        let env = MemEnv::new(&[LOAD, ("AWS_SIGV4A_SIGNING_REGION_SET", "*"), ("AWS_SDK_UA_APP_ID", "env-app")]);
        let s = session_in(&mut slot, &opts, &env, &files);
        let set = s.config().sigv4a_signing_region_set.as_ref().unwrap();
        assert_eq!((set.value.as_str(), set.source), ("*", Source::Env("AWS_SIGV4A_SIGNING_REGION_SET")));
        assert_eq!(s.config().app_id.as_ref().unwrap().source, Source::Env("AWS_SDK_UA_APP_ID"));
        let (set, source) = region_set_of_copy(s, "us-east-1,us-west-2");
        assert_eq!((set.as_str(), source), ("us-east-1,us-west-2", Source::Option));
        let env = MemEnv::new(&[]);
        let s = session_in(&mut slot, &opts, &env, &files);
        assert!(s.config().sigv4a_signing_region_set.is_none(), "the config file is not loaded");
    }

    fn copy_with_overrides_only_named_fields() {
        let mut slot = Session::unconfigured();
        let list: [F; 1] = [credentials_file(CREDS_DEFAULT)];
        let files = MemFiles::new(&list);
        let env = MemEnv::new(&[("AWS_REGION", "us-west-2")]);
        let s = session_in(&mut slot, &Options::default(), &env, &files);
        let o = Config { region: Some(crate::text::text("eu-west-3", crate::text::Field::Region).unwrap()), ..Config::default() };
        let c = s.copy_with(&o);
        assert_eq!(region(&c), Some("eu-west-3"));
        assert_eq!(c.config().region.as_ref().unwrap().source, Source::Option);
        assert_eq!(region(s), Some("us-west-2"), "a copy leaves the original's region alone");
        assert_eq!(c.credentials(), s.credentials(), "the credential plan is shared");
    }

    fn imds_flags_follow_go_v1() {
        let mut slot = Session::unconfigured();
        let empty = MemFiles::new(&[]);
        // AWS_EC2_METADATA_V1_DISABLED: true/false in any case; another value is ignored, so the
        // file's value (read only with shared config) applies.
        let list: [F; 1] = [config_file("[default]\nec2_metadata_v1_disabled = True\n")];
        let files = MemFiles::new(&list);
        for (val, want, from_env) in [("TRUE", true, true), ("false", false, true), ("yes", true, false), ("1", true, false)] {
            let vars = [LOAD, ("AWS_EC2_METADATA_V1_DISABLED", val)];
            let env = MemEnv::new(&vars);
            let s = session_in(&mut slot, &Options::default(), &env, &files);
            let got = &s.config().ec2_imds_v1_disabled;
            assert_eq!((got.value, matches!(got.source, Source::Env(_))), (want, from_env), "{val}");
        }
        // In a file, `true` in any case, anything else false (Go v1 `updateBoolPtr`).
        let list: [F; 1] = [config_file("[default]\nec2_metadata_v1_disabled = yes\n")];
        let files = MemFiles::new(&list);
        let s = session_in(&mut slot, &Options::default(), &MemEnv::new(&[LOAD]), &files);
        assert!(!s.config().ec2_imds_v1_disabled.value);
        assert!(matches!(s.config().ec2_imds_v1_disabled.source, Source::File { line: 2, .. }));
        // The option beats both.
        let opts = Options { config: Config::new().with_ec2_imds_v1_disabled(false).unwrap(), ..Options::default() };
        let env = MemEnv::new(&[("AWS_EC2_METADATA_V1_DISABLED", "true")]);
        assert!(!session_in(&mut slot, &opts, &env, &empty).config().ec2_imds_v1_disabled.value);
        // AWS_EC2_METADATA_DISABLED: only a value equal to `true` in any case disables IMDS.
        for (val, want) in [("true", true), ("TRUE", true), ("false", false), ("1", false), ("yes", false)] {
            let vars = [("AWS_EC2_METADATA_DISABLED", val)];
            let env = MemEnv::new(&vars);
            let s = session_in(&mut slot, &Options::default(), &env, &empty);
            assert_eq!(s.config().ec2_imds_disabled.value, want, "{val}");
        }
        // A bad endpoint mode in a file is Go v1's error, naming the key and the file.
        let list: [F; 1] = [config_file("[default]\nec2_metadata_service_endpoint_mode = IPv5\n")];
        let files = MemFiles::new(&list);
        let err = error_of(&Options::default(), &MemEnv::new(&[LOAD]), &files);
        let mut text = crate::text::Text::<256>::new();
        let _ = write!(text, "{err}");
        assert!(text.contains("failed to load ec2_metadata_service_endpoint_mode from shared config, /home/.aws/config:2"), "{text}");
    }

    fn a_client_certificate_and_its_key_resolve_as_a_pair() {
        let (cert, key) = (("AWS_SDK_GO_CLIENT_TLS_CERT", "/c.pem"), ("AWS_SDK_GO_CLIENT_TLS_KEY", "/k.pem"));
        // Half a pair in the environment: Go v1's LoadClientTLSCertError.
        assert_eq!(client_tls_pair_error(None, &[cert]), (true, false));
        assert_eq!(client_tls_pair_error(None, &[key]), (false, true));
        let mut text = crate::text::Text::<160>::new();
        let _ = write!(text, "{}", MergeError::ClientTlsPair { cert: true, key: false });
        assert!(text.starts_with("client TLS cert(true) and key(false) must both be provided"), "{text}");
        // Options replace the environment's pair as a whole; half a pair of options is refused
        // even when the environment holds the other half.
        assert_eq!(client_tls_pair_error(Some("/o.pem"), &[cert, key]), (true, false));
        let [c, k] = client_tls_resolved(false, &[cert, key]);
        assert_eq!((c.0.as_str(), c.1, k.0.as_str(), k.1), ("/c.pem", Source::Env(cert.0), "/k.pem", Source::Env(key.0)));
        let [c, k] = client_tls_resolved(true, &[cert, key]);
        assert_eq!((c.0.as_str(), c.1, k.0.as_str(), k.1), ("/o.pem", Source::Option, "/ok.pem", Source::Option));
    }

    fn container_settings_are_captured_and_the_token_stays_secret() {
        let mut slot = Session::unconfigured();
        let vars = [
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials"),
            ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc"),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok-SECRET-0123"),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/var/run/secrets/pods.eks.amazonaws.com/token"),
        ];
        let env = MemEnv::new(&vars);
        let s = session_in(&mut slot, &Options::default(), &env, &MemFiles::new(&[]));
        let c = s.config();
        assert_eq!(c.container_credentials_full_uri.as_ref().unwrap().value.as_str(), "http://169.254.170.23/v1/credentials");
        assert_eq!(c.container_credentials_relative_uri.as_ref().unwrap().value.as_str(), "/v2/credentials/abc");
        let token = c.container_authorization_token.as_ref().unwrap();
        assert_eq!((token.value.expose(), token.source), ("tok-SECRET-0123", Source::Env("AWS_CONTAINER_AUTHORIZATION_TOKEN")));
        assert_eq!(
            c.container_authorization_token_file.as_ref().unwrap().value.as_str(),
            "/var/run/secrets/pods.eks.amazonaws.com/token"
        );
        // The token never shows: not in Debug of the configuration, the options, the environment
        // layer or the session, nor in a listing.
        // Scanned as it is written (a 64 KiB target has no room to keep it all).
        let mut secret = Scan::new("SECRET");
        let _ = write!(secret, "{c:?}");
        let opts = Options { config: Config::new().with_container_authorization_token("tok-SECRET-0123").unwrap(), ..Options::default() };
        let _ = write!(secret, "{opts:?}");
        let env_cfg = crate::config::env::EnvConfig::load(&env, crate::config::SharedConfigState::FromEnv).unwrap();
        let _ = write!(secret, "{env_cfg:?}");
        let mut redacted = Scan::new(crate::config::table::REDACTED);
        c.visit(&mut |_, v| {
            if let Some(v) = v {
                let _ = write!(secret, "{}", v.value);
                let _ = write!(redacted, "{}", v.value);
            }
        });
        assert!(secret.bytes > 1000 && !secret.found, "the token shows");
        assert!(redacted.found);
    }

    fn sso_profiles_are_checked_with_go_v1s_errors() {
        let mut slot = Session::unconfigured();
        let env = MemEnv::new(&[LOAD]);
        let opts = Options { profile: Some("p"), ..Options::default() };
        let message = |err: SessionError| {
            let mut text = crate::text::Text::<256>::new();
            let _ = write!(text, "{err}");
            text
        };
        // A missing [sso-session X] fails when the files are read.
        let list: [F; 1] = [config_file("[profile p]\nsso_session = X\nsso_account_id = 1\nsso_role_name = r\n")];
        let files = MemFiles::new(&list);
        let err = error_of(&opts, &env, &files);
        assert_eq!(err, SessionError::Shared(SharedError::SsoSessionNotFound { name: et("X") }));
        assert!(message(err).ends_with("failed to find SSO session section, X"));
        // Legacy keys: exactly the missing ones, in Go v1's order.
        for (profile, missing) in [
            ("[profile p]\nsso_account_id = 1\nsso_role_name = r\n", "sso_region, sso_start_url"),
            ("[profile p]\nsso_region = us-east-1\n", "sso_start_url, sso_account_id, sso_role_name"),
            ("[profile p]\nsso_start_url = https://x\nsso_region = r\nsso_account_id = 1\n", "sso_role_name"),
        ] {
            let list: [F; 1] = [config_file(profile)];
            let files = MemFiles::new(&list);
            let err = error_of(&opts, &env, &files);
            assert_eq!(err, SessionError::Credentials(PlanError::SsoMissingConfiguration { profile: et("p"), missing }));
            let mut want = crate::text::Text::<160>::new();
            let _ = write!(want, "profile \"p\" is configured to use SSO but is missing required configuration: {missing}");
            assert!(message(err).ends_with(want.as_str()));
        }
        // The sso-session form: its section supplies region and start URL; the profile's must match.
        let ok = "[profile p]\nsso_session = s\nsso_account_id = 1\nsso_role_name = r\n[sso-session s]\nsso_region = eu-west-1\nsso_start_url = https://d.awsapps.com/start\n";
        let list: [F; 1] = [config_file(ok)];
        let files = MemFiles::new(&list);
        let s = session_in(&mut slot, &opts, &env, &files);
        match s.credentials() {
            CredentialPlan::Chain { base: BaseCredentials::Sso { settings, source }, .. } => {
                assert_eq!(settings.start_url.as_str(), "https://d.awsapps.com/start");
                assert_eq!(settings.region.as_str(), "eu-west-1");
                assert_eq!((settings.account_id.as_str(), settings.role_name.as_str()), ("1", "r"));
                assert_eq!(settings.session_name.as_deref(), Some("s"));
                assert!(matches!(source, Source::File { line: 2, .. }));
            }
            other => panic!("{other:?}"),
        }
        let list: [F; 1] = [config_file("[profile p]\nsso_session = s\nsso_region = us-east-1\n[sso-session s]\nsso_region = eu-west-1\nsso_start_url = https://d\n")];
        let files = MemFiles::new(&list);
        let err = error_of(&opts, &env, &files);
        assert_eq!(err, SessionError::Credentials(PlanError::SsoSessionMismatch { profile: et("p"), key: "sso_region" }));
        assert!(message(err).ends_with("sso_region in profile \"p\" must match sso_region in sso-session "));
        let list: [F; 1] = [config_file("[profile p]\nsso_session = s\nsso_start_url = https://e\n[sso-session s]\nsso_region = eu-west-1\nsso_start_url = https://d\n")];
        let files = MemFiles::new(&list);
        assert_eq!(
            error_of(&opts, &env, &files),
            SessionError::Credentials(PlanError::SsoSessionMismatch { profile: et("p"), key: "sso_start_url" })
        );
        let list: [F; 1] = [config_file("[profile p]\nsso_session = s\n[sso-session s]\nsso_region = eu-west-1\n")];
        let files = MemFiles::new(&list);
        assert_eq!(
            error_of(&opts, &env, &files),
            SessionError::Credentials(PlanError::SsoMissingConfiguration { profile: et("p"), missing: "sso_start_url" })
        );
        // Go v1 checks the keys lazily: environment keys bypass an invalid SSO profile selected by
        // AWS_PROFILE (F11); the missing section is still an error (it is checked on load).
        let list: [F; 1] = [config_file("[profile p]\nsso_account_id = 1\n")];
        let files = MemFiles::new(&list);
        let env_keys = MemEnv::new(&[LOAD, ("AWS_PROFILE", "p"), ("AWS_ACCESS_KEY", "AK"), ("AWS_SECRET_KEY", "SK")]);
        let s = session_in(&mut slot, &Options::default(), &env_keys, &files);
        assert_eq!(static_akid(s), Some("AK"));
    }
}

/// AWS's documented maxima fit where the build has room for them (cfg `wide_limits`, the host).
#[cfg(all(test, wide_limits))]
mod wide_limits {
    use super::*;
    use crate::limits::{
        MAX_EXTERNAL_ID_LEN, MAX_MFA_SERIAL_LEN, MAX_ROLE_ARN_LEN, MAX_ROLE_TEXT_LEN,
    };
    use std::format;
    use std::string::String;

    fn profile(role_arn: &str, external_id: &str, mfa: &str) -> String {
        format!(
            "[profile a]\nrole_arn = {role_arn}\nexternal_id = {external_id}\nmfa_serial = {mfa}\n\
             source_profile = b\n[profile b]\naws_access_key_id = K\naws_secret_access_key = S\n"
        )
    }

    fn code(
        out: &mut crate::text::Text<{ crate::limits::MAX_MFA_TOKEN_LEN }>,
    ) -> Result<(), TokenError> {
        out.push_str("123456").map_err(|_| TokenError)
    }

    /// Profile `a`, with an MFA token provider.
    fn profile_a_with_mfa() -> Options<'static> {
        Options {
            profile: Some("a"),
            assume_role_token_provider: Some(crate::session::TokenProvider::new(&code)),
            ..Options::default()
        }
    }

    /// A role ARN of exactly IAM's maximum length.
    fn full_role_arn() -> String {
        format!(
            "arn:aws:iam::123456789012:role/{}",
            "p".repeat(MAX_ROLE_ARN_LEN - 31)
        )
    }

    /// The limit and length of a creation's capacity error, and its line when it has one.
    fn capacity(err: SessionError) -> (usize, usize, Option<u32>) {
        match err {
            SessionError::Credentials(PlanError::Capacity { error, at }) => {
                let line = match at {
                    At::File { line, .. } => Some(line),
                    _ => None,
                };
                (error.limit, error.len, line)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_aws_maximum_fits_in_one_hop() {
        let role = full_role_arn();
        assert_eq!(role.len(), MAX_ROLE_ARN_LEN);
        let text = profile(
            &role,
            &"e".repeat(MAX_EXTERNAL_ID_LEN),
            &"m".repeat(MAX_MFA_SERIAL_LEN),
        );
        let list: [F; 1] = [config_file(&text)];
        let files = MemFiles::new(&list);
        let opts = profile_a_with_mfa();
        let mut slot = Session::unconfigured();
        let s = session_in(&mut slot, &opts, &MemEnv::new(&[LOAD]), &files);
        let CredentialPlan::Chain { hops, .. } = s.credentials() else {
            panic!()
        };
        let hop = hops.get(0).unwrap();
        assert_eq!(
            (hop.role_arn.len(), hop.external_id.unwrap().len()),
            (MAX_ROLE_ARN_LEN, MAX_EXTERNAL_ID_LEN)
        );
        assert_eq!(hop.mfa_serial.map(str::len), Some(MAX_MFA_SERIAL_LEN));
        // One more byte than AWS allows is a capacity error naming the limit.
        let text = profile(&format!("{role}x"), "e", "m");
        let list: [F; 1] = [config_file(&text)];
        let files = MemFiles::new(&list);
        assert_eq!(
            capacity(error_of(&opts, &MemEnv::new(&[LOAD]), &files)),
            (MAX_ROLE_ARN_LEN, MAX_ROLE_ARN_LEN + 1, Some(2))
        );
    }

    #[test]
    fn hops_share_one_text_and_overflow_names_its_limit() {
        // Two hops each with a full-length role ARN: 4096 bytes of ARNs fill the plan's text, so
        // the second hop's session name no longer fits.
        let role = full_role_arn();
        let text = format!(
            "[profile a]\nrole_arn = {role}\nsource_profile = b\n[profile b]\nrole_arn = {role}\n\
             role_session_name = n\nsource_profile = c\n[profile c]\naws_access_key_id = K\naws_secret_access_key = S\n"
        );
        let list: [F; 1] = [config_file(&text)];
        let files = MemFiles::new(&list);
        let opts = Options {
            profile: Some("a"),
            ..Options::default()
        };
        let (limit, len, _) = capacity(error_of(&opts, &MemEnv::new(&[LOAD]), &files));
        assert_eq!((limit, len), (MAX_ROLE_TEXT_LEN, MAX_ROLE_TEXT_LEN + 1));
    }

    #[test]
    fn long_commands_external_ids_and_token_files_are_accepted() {
        // The issue's cases: a 305-character credential_process and a 100-character external id.
        let command = format!("/usr/local/bin/helper{}", " --flag".repeat(40));
        assert!(command.len() > 300);
        let text = format!("[default]\ncredential_process = {command}\n");
        let list: [F; 1] = [credentials_file(&text)];
        let files = MemFiles::new(&list);
        let mut slot = Session::unconfigured();
        let s = session_in(&mut slot, &Options::default(), &MemEnv::new(&[]), &files);
        assert!(
            matches!(s.credentials(), CredentialPlan::Chain { base: BaseCredentials::Process { command: c, .. }, .. } if c.as_str() == command)
        );
        let text = profile(
            "arn:aws:iam::1:role/r",
            &"x".repeat(100),
            "arn:aws:iam::1:mfa/u",
        );
        let list: [F; 1] = [config_file(&text)];
        let files = MemFiles::new(&list);
        let opts = profile_a_with_mfa();
        assert!(creates(&opts, &MemEnv::new(&[LOAD]), &files));
        let path = format!("/{}", "d/".repeat(1500));
        let vars = [
            ("AWS_WEB_IDENTITY_TOKEN_FILE", path.as_str()),
            ("AWS_ROLE_ARN", "arn:r"),
        ];
        let s = session_in(
            &mut slot,
            &Options::default(),
            &MemEnv::new(&vars),
            &MemFiles::new(&[]),
        );
        assert_eq!(s.credentials().provider(), ProviderKind::WebIdentity);
    }
}

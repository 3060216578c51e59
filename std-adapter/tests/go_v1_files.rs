//! Go v1 rules about the environment and the files on disk, with real temporary files.
//!
//! Core unit-tests the merge rules on in-memory files (core/src/session_tests.rs); these tests
//! cover what the std adapter adds: the home directory, the override variables, explicit file
//! lists, missing / unreadable / unparsable / non-UTF-8 files, and the process environment.

mod common;

use aws_session_core::config::{FileKind, SharedConfigState};
use aws_session_core::credentials::ProviderKind;
use aws_session_core::session::{Options, SharedFile};
use aws_session_std::{
    load_with, FileStatus, HomeFallback, HomeResolver, LoadErrorKind, LoadedSession, Platform,
    StdEnv,
};
use common::write;
use tempfile::TempDir;

const KEYS: &str =
    "[default]\naws_access_key_id = AKIDFILE0000000001\naws_secret_access_key = fileSecret\n";

fn unix() -> HomeResolver {
    HomeResolver {
        platform: Platform::Unix,
        fallback: HomeFallback::Nothing,
    }
}

fn load(
    options: &Options<'_>,
    vars: &[(&str, &str)],
) -> Result<LoadedSession, aws_session_std::LoadError> {
    load_with(options, StdEnv::from_vars(vars.iter().copied()), &unix())
}

fn region(l: &LoadedSession) -> Option<(String, String)> {
    let c = l.session().config();
    c.region.as_ref().map(|r| {
        (
            r.value.as_str().to_owned(),
            c.provenance.display(r.source).to_string(),
        )
    })
}

fn access_key(l: &LoadedSession) -> Option<(String, String)> {
    let plan = l.session().credentials();
    let c = l.session().config();
    plan.static_credentials().map(|k| {
        (
            k.access_key_id.as_str().to_owned(),
            c.provenance.display(plan.source()).to_string(),
        )
    })
}

fn home_with(config: Option<&str>, creds: Option<&str>) -> (TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    if let Some(c) = config {
        write(dir.path(), ".aws/config", c);
    }
    if let Some(c) = creds {
        write(dir.path(), ".aws/credentials", c);
    }
    let home = dir.path().to_str().expect("utf-8").to_owned();
    (dir, home)
}

#[test]
fn default_files_are_found_under_home() {
    let (_d, home) = home_with(None, Some(KEYS));
    let l = load(&Options::default(), &[("HOME", &home)]).unwrap();
    let (id, src) = access_key(&l).expect("keys from ~/.aws/credentials");
    assert_eq!(id, "AKIDFILE0000000001");
    assert_eq!(src, format!("file:{home}/.aws/credentials:2"));
    assert_eq!(
        l.session().credentials().provider(),
        ProviderKind::SharedConfig
    );
}

#[test]
fn config_file_is_read_only_when_load_config_is_truthy() {
    let (_d, home) = home_with(Some("[default]\nregion = eu-central-1\n"), None);
    // Off: the config file is not in the plan at all (Go v1 reads it only with AWS_SDK_LOAD_CONFIG).
    let off = load(&Options::default(), &[("HOME", &home)]).unwrap();
    assert_eq!(region(&off), None);
    assert!(off
        .files()
        .entries()
        .iter()
        .all(|e| e.kind == FileKind::Credentials));
    // `yes` is not in Go's ParseBool set (1, t, T, TRUE, true, True), so it means off.
    let yes = load(
        &Options::default(),
        &[("HOME", &home), ("AWS_SDK_LOAD_CONFIG", "yes")],
    )
    .unwrap();
    assert_eq!(region(&yes), None);
    let on = load(
        &Options::default(),
        &[("HOME", &home), ("AWS_SDK_LOAD_CONFIG", "1")],
    )
    .unwrap();
    assert_eq!(
        region(&on),
        Some(("eu-central-1".into(), format!("file:{home}/.aws/config:2")))
    );
    assert!(on.session().config().shared_config_loaded);
    // The option beats the variable both ways (Go v1 `SharedConfigState` over AWS_SDK_LOAD_CONFIG).
    let disabled = Options {
        shared_config_state: SharedConfigState::Disable,
        ..Options::default()
    };
    assert_eq!(
        region(
            &load(
                &disabled,
                &[("HOME", &home), ("AWS_SDK_LOAD_CONFIG", "true")]
            )
            .unwrap()
        ),
        None
    );
    let enabled = Options {
        shared_config_state: SharedConfigState::Enable,
        ..Options::default()
    };
    assert!(region(&load(&enabled, &[("HOME", &home)]).unwrap()).is_some());
}

#[test]
fn override_variables_replace_the_default_paths() {
    let (_d, home) = home_with(Some("[default]\nregion = home-region\n"), Some(KEYS));
    let other = tempfile::tempdir().unwrap();
    let cfg = write(
        other.path(),
        "cfg",
        "# comment\n[default]\nregion = other-region\n",
    );
    let creds = write(
        other.path(),
        "creds",
        "[default]\naws_access_key_id=AKIDOTHER\naws_secret_access_key=s\n",
    );
    let l = load(
        &Options::default(),
        &[
            ("HOME", &home),
            ("AWS_SDK_LOAD_CONFIG", "1"),
            ("AWS_CONFIG_FILE", &cfg),
            ("AWS_SHARED_CREDENTIALS_FILE", &creds),
        ],
    )
    .unwrap();
    assert_eq!(
        region(&l),
        Some(("other-region".into(), format!("file:{cfg}:3")))
    );
    assert_eq!(
        access_key(&l).unwrap(),
        ("AKIDOTHER".into(), format!("file:{creds}:2"))
    );
}

#[test]
fn tilde_in_an_override_variable_is_not_expanded() {
    // Go v1 uses an override variable's path literally (no `~` expansion), so `~/creds` is a
    // (missing) relative path.
    let (_d, home) = home_with(None, Some(KEYS));
    let l = load(
        &Options::default(),
        &[
            ("HOME", &home),
            ("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"),
        ],
    )
    .unwrap();
    assert_eq!(access_key(&l), None);
    assert_eq!(l.files().entries()[0].path, "~/.aws/credentials");
    assert_eq!(l.files().entries()[0].status, FileStatus::Missing);
}

#[test]
fn explicit_file_list_replaces_both_files_and_the_variables() {
    let (_d, home) = home_with(Some("[default]\nregion = home-region\n"), Some(KEYS));
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a",
        "[default]\naws_access_key_id=AKIDA\naws_secret_access_key=sa\nregion=a-region\n",
    );
    let b = write(
        dir.path(),
        "b",
        "[default]\naws_access_key_id=AKIDB\naws_secret_access_key=sb\n",
    );
    let list = [
        SharedFile {
            path: &a,
            kind: FileKind::Config,
        },
        SharedFile {
            path: &b,
            kind: FileKind::Credentials,
        },
    ];
    let vars = [
        ("HOME", home.as_str()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/creds"),
    ];
    // Load off: the list is still read, but only the "always" keys (those Go v1 reads whether
    // or not shared config loading is on, such as the keys and credential_process) count.
    let off = Options {
        shared_config_files: Some(&list),
        ..Options::default()
    };
    let l = load(&off, &vars).unwrap();
    assert_eq!(l.files().entries().len(), 2);
    assert_eq!(
        access_key(&l).unwrap(),
        ("AKIDB".into(), format!("file:{b}:2")),
        "a later file wins"
    );
    assert_eq!(region(&l), None, "region is a load-only key");
    let on = Options {
        shared_config_state: SharedConfigState::Enable,
        ..off
    };
    let l = load(&on, &vars).unwrap();
    assert_eq!(region(&l), Some(("a-region".into(), format!("file:{a}:4"))));
}

#[test]
fn credentials_file_wins_over_config_file() {
    let (_d, home) = home_with(
        Some("[default]\naws_access_key_id=AKIDCONFIG\naws_secret_access_key=c\nregion=cfg\n"),
        Some("[default]\naws_access_key_id=AKIDCREDS\naws_secret_access_key=k\n"),
    );
    let l = load(
        &Options::default(),
        &[("HOME", &home), ("AWS_SDK_LOAD_CONFIG", "true")],
    )
    .unwrap();
    assert_eq!(access_key(&l).unwrap().0, "AKIDCREDS");
}

#[test]
fn missing_and_unreadable_files_are_skipped() {
    let (_d, home) = home_with(None, None);
    // A directory where the file should be cannot be read: skipped like a missing file.
    std::fs::create_dir_all(format!("{home}/.aws/credentials")).unwrap();
    let l = load(
        &Options::default(),
        &[("HOME", &home), ("AWS_SDK_LOAD_CONFIG", "1")],
    )
    .unwrap();
    let statuses: Vec<_> = l.files().entries().iter().map(|e| e.status).collect();
    assert_eq!(statuses[0], FileStatus::Missing);
    assert!(
        matches!(statuses[1], FileStatus::Unreadable(_)),
        "{statuses:?}"
    );
    assert_eq!(access_key(&l), None);
}

#[cfg(unix)]
#[test]
fn a_file_without_read_permission_is_skipped() {
    use std::os::unix::fs::PermissionsExt;
    let (_d, home) = home_with(None, Some(KEYS));
    let path = format!("{home}/.aws/credentials");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&path).is_ok() {
        eprintln!("SKIPPED: running as a user that can read mode-000 files (root)");
        return;
    }
    let l = load(&Options::default(), &[("HOME", &home)]).unwrap();
    assert!(matches!(
        l.files().entries()[0].status,
        FileStatus::Unreadable(_)
    ));
    assert_eq!(access_key(&l), None);
}

#[test]
fn an_unparsable_file_is_an_error_naming_the_path() {
    let (_d, home) = home_with(None, Some("[default\naws_access_key_id = x\n"));
    let err = load(&Options::default(), &[("HOME", &home)]).unwrap_err();
    assert_eq!(err.kind(), LoadErrorKind::SharedConfig);
    assert!(
        err.to_string()
            .contains(&format!("{home}/.aws/credentials")),
        "{err}"
    );
}

#[test]
fn an_unparsable_file_is_ignored_in_the_go_v1_p21_case() {
    let (_d, home) = home_with(None, Some("[default\n"));
    let env_keys = [
        ("HOME", home.as_str()),
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "e"),
    ];
    let l = load(&Options::default(), &env_keys).unwrap();
    assert_eq!(
        access_key(&l).unwrap(),
        ("AKIDENV".into(), "env:AWS_ACCESS_KEY_ID".into())
    );
    // Naming the profile (here through AWS_PROFILE) turns the error back on.
    let mut named = env_keys.to_vec();
    named.push(("AWS_PROFILE", "default"));
    assert_eq!(
        load(&Options::default(), &named).unwrap_err().kind(),
        LoadErrorKind::SharedConfig
    );
}

#[test]
fn a_non_utf8_file_is_an_error_naming_the_path() {
    let (_d, home) = home_with(None, None);
    let path = write(
        std::path::Path::new(&home),
        ".aws/credentials",
        b"[default]\nregion = \xff\n",
    );
    let err = load(&Options::default(), &[("HOME", &home)]).unwrap_err();
    assert_eq!(err.kind(), LoadErrorKind::SharedConfig);
    assert!(
        err.to_string().contains(&path) && err.to_string().contains("UTF-8"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn a_non_utf8_variable_is_an_error_naming_it() {
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;
    let env = StdEnv::from_os_vars([(
        OsString::from("AWS_REGION"),
        OsString::from_vec(vec![b'e', 0xff]),
    )]);
    let err = load_with(&Options::default(), env, &unix()).unwrap_err();
    assert_eq!(err.kind(), LoadErrorKind::Environment);
    assert!(err.to_string().contains("AWS_REGION"), "{err}");
}

#[test]
fn strict_variables_name_the_variable_and_the_accepted_values() {
    let err = load(&Options::default(), &[("AWS_USE_FIPS_ENDPOINT", "1")]).unwrap_err();
    assert_eq!(err.kind(), LoadErrorKind::Environment);
    let msg = err.to_string();
    assert!(
        msg.contains("AWS_USE_FIPS_ENDPOINT") && msg.contains("true, false"),
        "{msg}"
    );
}

#[test]
fn without_a_home_directory_the_default_files_are_skipped() {
    let l = load(
        &Options::default(),
        &[
            ("AWS_ACCESS_KEY_ID", "AKIDENV"),
            ("AWS_SECRET_ACCESS_KEY", "e"),
        ],
    )
    .unwrap();
    assert_eq!(l.files().entries()[0].status, FileStatus::NoHome);
    assert_eq!(access_key(&l).unwrap().0, "AKIDENV");
}

#[test]
fn a_missing_named_profile_is_not_an_error() {
    let (_d, home) = home_with(None, Some(KEYS));
    let opts = Options {
        profile: Some("nope"),
        ..Options::default()
    };
    let l = load(&opts, &[("HOME", &home)]).unwrap();
    assert_eq!(l.session().config().profile.value.as_str(), "nope");
    assert_eq!(access_key(&l), None);
}

#[test]
fn per_service_endpoint_variables_are_listed_from_the_environment() {
    let l = load(
        &Options::default(),
        &[
            ("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5055"),
        ],
    )
    .unwrap();
    let c = l.session().config();
    assert_eq!(
        c.endpoint_for("dynamodb").unwrap().value.as_str(),
        "http://127.0.0.1:8000"
    );
    assert_eq!(
        c.endpoint_for("sqs").unwrap().value.as_str(),
        "http://127.0.0.1:5055"
    );
}

#[test]
fn ca_bundle_comes_from_the_variable() {
    let l = load(
        &Options::default(),
        &[("AWS_CA_BUNDLE", "/etc/ssl/custom.pem")],
    )
    .unwrap();
    let ca = l.session().config().ca_bundle.as_ref().unwrap();
    assert_eq!(ca.value.as_str(), "/etc/ssl/custom.pem");
    assert_eq!(
        l.session()
            .config()
            .provenance
            .display(ca.source)
            .to_string(),
        "env:AWS_CA_BUNDLE"
    );
}

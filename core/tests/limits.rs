//! Every configuration capacity of `aws_session_core::limits`, at the limit and one past it,
//! through the public API: a session made from an in-memory environment and config file.
//!
//! Each row of [`ROWS`] names a limit, how a value reaches it (an environment variable or a key
//! of the `[default]` profile, with whatever else the setting needs to be valid), and how to make
//! a value of a given length. At the limit the session is created; one byte past it creation
//! fails with a capacity error naming that limit and the length. The rows use the constants, so
//! the test holds in the narrow build (`AWS_SESSION_NARROW_LIMITS=1`) as in the wide one.
//! docs/limits.md lists every limit and the test that covers it.

// The helpers return what `Session::new` returns; a host test has room for its error.
#![allow(clippy::result_large_err)]

use aws_session_core::config::merge::MergeError;
use aws_session_core::config::FileKind;
use aws_session_core::credentials::PlanError;
use aws_session_core::limits::*;
use aws_session_core::session::{Options, Session, SessionError, TokenError, TokenProvider};
use aws_session_core::test_util::{MemEnv, MemFiles};
use aws_session_core::text::{CapacityError, Text};

/// How a value of a row reaches the session.
#[derive(Clone, Copy)]
enum Via {
    /// This environment variable (with `AWS_SDK_LOAD_CONFIG=1` and the row's extra variables).
    Env(&'static str),
    /// This key of `[default]` in the config file (after the row's extra lines).
    File(&'static str),
}

/// How a value of `n` bytes looks for a row.
#[derive(Clone, Copy)]
enum Shape {
    /// `n` lowercase letters.
    Letters,
    /// `https://` and a host of dot-separated labels: a valid endpoint URL.
    Url,
    /// `/` and letters: a container credentials path.
    Path,
    /// `arn:aws:iam::123456789012:role/` and letters.
    RoleArn,
    /// `arn:aws:iam::123456789012:mfa/` and letters.
    MfaArn,
    /// Digits (an account id).
    Digits,
}

struct Row {
    name: &'static str,
    limit: usize,
    via: Via,
    shape: Shape,
    /// Other environment variables the setting needs to be read.
    env: &'static [(&'static str, &'static str)],
    /// Lines of `[default]` before the tested key (or the whole file for an `Env` row).
    file: &'static str,
    /// The file also has a section named by the tested value: its header before the name
    /// (`profile`, `sso-session`) and its lines.
    named_section: Option<(&'static str, &'static str)>,
}

const KEYS: &[(&str, &str)] = &[
    ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
    (
        "AWS_SECRET_ACCESS_KEY",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    ),
];
const ROLE: &str = "role_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\n";

const fn row(name: &'static str, limit: usize, via: Via, shape: Shape) -> Row {
    Row {
        name,
        limit,
        via,
        shape,
        env: &[],
        file: "",
        named_section: None,
    }
}

const ROWS: &[Row] = &[
    row("MAX_REGION_LEN", MAX_REGION_LEN, Via::Env("AWS_REGION"), Shape::Letters),
    Row {
        file: "sso_start_url = https://d-0123456789.awsapps.com/start\nsso_account_id = 123456789012\n\
               sso_role_name = Admin\n",
        ..row("MAX_REGION_LEN (sso_region)", MAX_REGION_LEN, Via::File("sso_region"), Shape::Letters)
    },
    row(
        "MAX_REGION_SET_LEN",
        MAX_REGION_SET_LEN,
        Via::Env("AWS_SIGV4A_SIGNING_REGION_SET"),
        Shape::Letters,
    ),
    Row {
        named_section: Some(("profile", "region = eu-west-1\n")),
        ..row("MAX_PROFILE_NAME_LEN", MAX_PROFILE_NAME_LEN, Via::Env("AWS_PROFILE"), Shape::Letters)
    },
    Row {
        env: &[("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")],
        ..row(
            "MAX_ACCESS_KEY_ID_LEN",
            MAX_ACCESS_KEY_ID_LEN,
            Via::Env("AWS_ACCESS_KEY_ID"),
            Shape::Letters,
        )
    },
    Row {
        env: &[("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")],
        ..row(
            "MAX_SECRET_KEY_LEN",
            MAX_SECRET_KEY_LEN,
            Via::Env("AWS_SECRET_ACCESS_KEY"),
            Shape::Letters,
        )
    },
    Row {
        env: KEYS,
        ..row(
            "MAX_SESSION_TOKEN_LEN",
            MAX_SESSION_TOKEN_LEN,
            Via::Env("AWS_SESSION_TOKEN"),
            Shape::Letters,
        )
    },
    Row {
        file: "source_profile = base\n",
        ..row("MAX_ROLE_ARN_LEN", MAX_ROLE_ARN_LEN, Via::File("role_arn"), Shape::RoleArn)
    },
    Row {
        file: ROLE,
        ..row("MAX_EXTERNAL_ID_LEN", MAX_EXTERNAL_ID_LEN, Via::File("external_id"), Shape::Letters)
    },
    Row {
        file: ROLE,
        ..row("MAX_MFA_SERIAL_LEN", MAX_MFA_SERIAL_LEN, Via::File("mfa_serial"), Shape::MfaArn)
    },
    Row {
        file: ROLE,
        ..row(
            "MAX_ROLE_SESSION_NAME_LEN",
            MAX_ROLE_SESSION_NAME_LEN,
            Via::File("role_session_name"),
            Shape::Letters,
        )
    },
    row("MAX_ENDPOINT_LEN", MAX_ENDPOINT_LEN, Via::Env("AWS_ENDPOINT_URL"), Shape::Url),
    row("MAX_APP_ID_LEN", MAX_APP_ID_LEN, Via::Env("AWS_SDK_UA_APP_ID"), Shape::Letters),
    row("MAX_PATH_LEN", MAX_PATH_LEN, Via::Env("AWS_CA_BUNDLE"), Shape::Path),
    row("MAX_COMMAND_LEN", MAX_COMMAND_LEN, Via::File("credential_process"), Shape::Letters),
    Row {
        env: &[("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/r")],
        ..row(
            "MAX_TOKEN_FILE_LEN",
            MAX_TOKEN_FILE_LEN,
            Via::Env("AWS_WEB_IDENTITY_TOKEN_FILE"),
            Shape::Path,
        )
    },
    Row {
        file: "sso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Admin\n",
        ..row("MAX_SSO_START_URL_LEN", MAX_SSO_START_URL_LEN, Via::File("sso_start_url"), Shape::Url)
    },
    Row {
        file: "sso_start_url = https://d-0123456789.awsapps.com/start\nsso_region = us-east-1\n\
               sso_role_name = Admin\n",
        ..row("MAX_ACCOUNT_ID_LEN", MAX_ACCOUNT_ID_LEN, Via::File("sso_account_id"), Shape::Digits)
    },
    Row {
        file: "sso_start_url = https://d-0123456789.awsapps.com/start\nsso_region = us-east-1\n\
               sso_account_id = 123456789012\n",
        ..row("MAX_ROLE_NAME_LEN", MAX_ROLE_NAME_LEN, Via::File("sso_role_name"), Shape::Letters)
    },
    Row {
        file: "sso_account_id = 123456789012\nsso_role_name = Admin\n",
        named_section: Some((
            "sso-session",
            "sso_start_url = https://d-0123456789.awsapps.com/start\nsso_region = us-east-1\n",
        )),
        ..row("MAX_SETTING_LEN", MAX_SETTING_LEN, Via::File("sso_session"), Shape::Letters)
    },
    row(
        "MAX_CONTAINER_URI_LEN",
        MAX_CONTAINER_URI_LEN,
        Via::Env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
        Shape::Path,
    ),
    Row {
        env: &[("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials")],
        ..row(
            "MAX_CONTAINER_TOKEN_LEN",
            MAX_CONTAINER_TOKEN_LEN,
            Via::Env("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
            Shape::Letters,
        )
    },
];

/// A value of exactly `n` bytes in `shape`.
fn value(shape: Shape, n: usize) -> String {
    let fill = |prefix: &str, c: char| {
        let mut s = String::from(prefix);
        while s.len() < n {
            s.push(c);
        }
        s
    };
    match shape {
        Shape::Letters => fill("", 'a'),
        Shape::Digits => fill("", '1'),
        Shape::Path => fill("/", 'a'),
        Shape::RoleArn => fill("arn:aws:iam::123456789012:role/", 'a'),
        Shape::MfaArn => fill("arn:aws:iam::123456789012:mfa/", 'a'),
        Shape::Url => {
            // labels of at most 63 letters, separated by dots, never ending in a dot
            let host = n - "https://".len();
            let mut s = String::from("https://");
            for i in 0..host {
                let dot = ((i + 1) % 64 == 0 && i + 1 != host) || (host % 64 == 0 && i + 2 == host);
                s.push(if dot { '.' } else { 'a' });
            }
            s
        }
    }
}

fn mfa_code(out: &mut Text<MAX_MFA_TOKEN_LEN>) -> Result<(), TokenError> {
    out.push_str("123456").map_err(|_| TokenError)
}

/// Creates the session of `row` with a value of `n` bytes.
fn create(row: &Row, n: usize) -> Result<Session, SessionError> {
    let v = value(row.shape, n);
    assert_eq!(v.len(), n, "{}: value shape", row.name);
    let mut vars: Vec<(&str, &str)> = vec![("AWS_SDK_LOAD_CONFIG", "1")];
    vars.extend_from_slice(row.env);
    let mut text = String::from("[default]\n");
    text.push_str(row.file);
    match row.via {
        Via::Env(name) => vars.push((name, &v)),
        Via::File(key) => text.push_str(&format!("{key} = {v}\n")),
    }
    text.push_str("[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = S\n");
    if let Some((kind, lines)) = row.named_section {
        // the section the tested value names exists
        text.push_str(&format!("[{kind} {v}]\n{lines}"));
    }
    let env = MemEnv::new(&vars);
    let list = [("/home/.aws/config", FileKind::Config, Some(text.as_str()))];
    let files = MemFiles::new(&list);
    let options = Options {
        assume_role_token_provider: Some(TokenProvider::new(&mfa_code)),
        ..Options::default()
    };
    Session::new(&options, &env, &files)
}

/// The capacity error a creation failed with, if that is what it was.
fn capacity(e: &SessionError) -> Option<CapacityError> {
    match e {
        SessionError::Merge(MergeError::Capacity { error, .. })
        | SessionError::Credentials(PlanError::Capacity { error, .. }) => Some(*error),
        _ => None,
    }
}

/// What is wrong with `row` at and one past its limit, if anything.
fn check(row: &Row) -> Option<String> {
    if let Err(e) = create(row, row.limit) {
        return Some(format!("a value of {} bytes should fit: {e}", row.name));
    }
    let e = match create(row, row.limit + 1) {
        Ok(_) => return Some(format!("{} bytes should not fit", row.limit + 1)),
        Err(e) => e,
    };
    let Some(error) = capacity(&e) else {
        return Some(format!("not a capacity error: {e}"));
    };
    if (error.limit, error.len) != (row.limit, row.limit + 1) {
        return Some(format!(
            "limit {} and length {}: {e}",
            error.limit, error.len
        ));
    }
    let shown = e.to_string();
    if !shown.contains(&row.limit.to_string()) {
        return Some(format!("the message does not name the limit: {shown}"));
    }
    None
}

#[test]
fn every_configuration_limit_holds_its_maximum_and_refuses_one_more_byte() {
    let failures: Vec<String> = ROWS
        .iter()
        .filter_map(|row| check(row).map(|f| format!("{}: {f}", row.name)))
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// A session from these variables and config files (shared config loading on).
fn session_from(vars: &[(String, String)], texts: &[String]) -> Result<Session, SessionError> {
    let mut all: Vec<(&str, &str)> = vec![("AWS_SDK_LOAD_CONFIG", "1")];
    all.extend(vars.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    let paths: Vec<String> = (0..texts.len())
        .map(|i| format!("/home/.aws/config{i}"))
        .collect();
    let list: Vec<(&str, FileKind, Option<&str>)> = paths
        .iter()
        .zip(texts)
        .map(|(p, t)| (p.as_str(), FileKind::Config, Some(t.as_str())))
        .collect();
    let env = MemEnv::new(&all);
    let files = MemFiles::new(&list);
    Session::new(&Options::default(), &env, &files)
}

/// `n` endpoint overrides, one per service.
fn service_endpoints(n: usize) -> Result<Session, SessionError> {
    let vars: Vec<(String, String)> = (0..n)
        .map(|i| {
            (
                format!("AWS_ENDPOINT_URL_S{i}"),
                format!("https://s{i}.example"),
            )
        })
        .collect();
    session_from(&vars, &[])
}

/// An endpoint override for a service id of `n` letters.
fn service_id(n: usize) -> Result<Session, SessionError> {
    let vars = [(
        format!("AWS_ENDPOINT_URL_{}", "S".repeat(n)),
        "https://s.example".into(),
    )];
    session_from(&vars, &[])
}

/// `n` config files.
fn shared_files(n: usize) -> Result<Session, SessionError> {
    session_from(
        &[],
        &vec![String::from("[default]\nregion = eu-west-1\n"); n],
    )
}

/// Profile `p0` assumes a role from `p1`, … `p(n-1)` from `base`: `n` role hops.
fn role_hops(n: usize) -> Result<Session, SessionError> {
    let mut text = String::new();
    for i in 0..n {
        let source = if i + 1 == n {
            "base".into()
        } else {
            format!("p{}", i + 1)
        };
        text.push_str(&format!(
            "[profile p{i}]\nrole_arn = arn:aws:iam::123456789012:role/r{i}\nsource_profile = {source}\n"
        ));
    }
    text.push_str("[profile base]\naws_access_key_id = AKID\naws_secret_access_key = S\n");
    let vars = [("AWS_PROFILE".into(), "p0".into())];
    session_from(&vars, &[text])
}

#[test]
fn every_count_limit_holds_its_maximum_and_refuses_one_more() {
    type Create = fn(usize) -> Result<Session, SessionError>;
    /// `Some(limit)` when `e` is the typed error of this count.
    type Limit = fn(&SessionError) -> Option<usize>;
    let rows: [(&str, usize, Create, Limit); 4] = [
        (
            "MAX_SERVICE_ENDPOINTS",
            MAX_SERVICE_ENDPOINTS,
            service_endpoints,
            |e| capacity(e).map(|c| c.limit),
        ),
        ("MAX_SERVICE_ID_LEN", MAX_SERVICE_ID_LEN, service_id, |e| {
            capacity(e).map(|c| c.limit)
        }),
        (
            "MAX_SHARED_FILES",
            MAX_SHARED_FILES,
            shared_files,
            |e| match e {
                SessionError::TooManyFiles { limit } => Some(*limit),
                _ => None,
            },
        ),
        ("MAX_ROLE_HOPS", MAX_ROLE_HOPS, role_hops, |e| match e {
            SessionError::Credentials(PlanError::TooManyRoleHops { limit }) => Some(*limit),
            _ => None,
        }),
    ];
    let mut failures = Vec::new();
    for (name, limit, create, limit_of) in rows {
        if let Err(e) = create(limit) {
            failures.push(format!("{name}: {limit} should fit: {e}"));
        }
        match create(limit + 1) {
            Ok(_) => failures.push(format!("{name}: {} should not fit", limit + 1)),
            Err(e) if limit_of(&e) == Some(limit) => {
                if !e.to_string().contains(&limit.to_string()) {
                    failures.push(format!("{name}: the message does not name the limit: {e}"));
                }
            }
            Err(e) => failures.push(format!("{name}: not the typed error: {e}")),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// The request view's capacities: host, target, header count and header bytes. At the limit the
/// setter succeeds; one past it is `HttpError::Capacity` naming the part and the limit, and the
/// request is unchanged.
#[test]
fn request_view_limits_hold_their_maximum_and_refuse_one_more() {
    use aws_session_core::http::{HttpError, HttpPart, HttpRequest};
    let refused = |part, limit| HttpError::Capacity {
        part,
        limit,
        needed: limit + 1,
    };

    let mut r = HttpRequest::empty();
    r.set_host(&"h".repeat(MAX_HOST_LEN)).unwrap();
    assert_eq!(
        r.set_host(&"h".repeat(MAX_HOST_LEN + 1)),
        Err(refused(HttpPart::Host, MAX_HOST_LEN))
    );
    assert_eq!(r.host().len(), MAX_HOST_LEN);

    let target = |n: usize| format!("/{}", "t".repeat(n - 1));
    r.set_target(&target(MAX_REQUEST_TARGET_LEN)).unwrap();
    assert_eq!(
        r.set_target(&target(MAX_REQUEST_TARGET_LEN + 1)),
        Err(refused(HttpPart::Target, MAX_REQUEST_TARGET_LEN))
    );
    assert_eq!(r.target().len(), MAX_REQUEST_TARGET_LEN);

    let headers = r.headers_mut();
    for i in 0..MAX_REQUEST_HEADERS {
        headers.append(&format!("x-h{i}"), "v").unwrap();
    }
    assert!(matches!(
        headers.append("x-one-more", "v"),
        Err(HttpError::Capacity { part: HttpPart::HeaderCount, limit, .. }) if limit == MAX_REQUEST_HEADERS
    ));
    assert_eq!(headers.len(), MAX_REQUEST_HEADERS);

    headers.clear();
    let name = "x-amz-security-token";
    let fill = MAX_REQUEST_HEADER_BYTES - name.len();
    headers.append(name, &"v".repeat(fill)).unwrap();
    assert_eq!(headers.bytes_used(), MAX_REQUEST_HEADER_BYTES);
    headers.clear();
    assert_eq!(
        headers.append(name, &"v".repeat(fill + 1)),
        Err(refused(HttpPart::HeaderBytes, MAX_REQUEST_HEADER_BYTES))
    );
    assert!(headers.is_empty());
}

//! The user-agent handlers of Go v1's default Build list, and the app id of later SDKs.
//!
//! Each appends one part to the request's `User-Agent` header, after a space, as Go v1
//! `request.AddToUserAgent` does, so a caller's own value (or one a handler set earlier) stays in
//! front:
//!
//! | handler | part |
//! |---|---|
//! | [`SDK_VERSION`] (`core.SDKVersionUserAgentHandler`) | `aws-session/<version> (rust; <os>; <arch>)`, e.g. `aws-session/0.1.0 (rust; none; arm)` on a microcontroller |
//! | [`EXEC_ENV`] (`core.AddHostExecEnvUserAgentHander`, Go v1's spelling) | `exec-env/<AWS_EXECUTION_ENV>` when the variable is set |
//! | [`APP_ID`] (`awssession.AppIdUserAgentHandler`; later SDKs) | `app/<id>` from `AWS_SDK_UA_APP_ID` / `sdk_ua_app_id` / the option |
//!
//! The last two read the session's settings (with a client's overrides on top) through the
//! request's context, so they add nothing to a request made without a client. A header that
//! would pass [`MAX_USER_AGENT_LEN`] or the request's header capacity is left as it was: the
//! user agent is informational, and Go v1 never fails a request over it.

use crate::config::{Config, SettingsView};
use crate::handlers::{NamedHandler, Request};
use crate::limits::MAX_USER_AGENT_LEN;
use crate::session::Session;
use crate::text::Text;

/// Go v1 `core.SDKVersionUserAgentHandler`: the SDK's name, version and platform.
pub const SDK_VERSION: NamedHandler =
    NamedHandler::new("core.SDKVersionUserAgentHandler", sdk_version);

/// Go v1 `core.AddHostExecEnvUserAgentHander`: `exec-env/` and the host's `AWS_EXECUTION_ENV`.
pub const EXEC_ENV: NamedHandler =
    NamedHandler::new("core.AddHostExecEnvUserAgentHander", exec_env);

/// `app/` and the application id (`AWS_SDK_UA_APP_ID`, `sdk_ua_app_id`; not in Go v1).
pub const APP_ID: NamedHandler = NamedHandler::new("awssession.AppIdUserAgentHandler", app_id);

/// The product part every request carries: name and version of this crate.
pub const SDK_NAME_VERSION: &str = concat!("aws-session/", env!("CARGO_PKG_VERSION"));

/// The operating system in the user agent (`none` for bare-metal firmware).
const OS: &str = if cfg!(target_os = "linux") {
    "linux"
} else if cfg!(target_os = "macos") {
    "macos"
} else if cfg!(target_os = "windows") {
    "windows"
} else if cfg!(target_os = "none") {
    "none"
} else {
    "other"
};

/// The processor architecture in the user agent.
const ARCH: &str = if cfg!(target_arch = "x86_64") {
    "x86_64"
} else if cfg!(target_arch = "aarch64") {
    "aarch64"
} else if cfg!(target_arch = "arm") {
    "arm"
} else if cfg!(target_arch = "riscv32") {
    "riscv32"
} else if cfg!(target_arch = "xtensa") {
    "xtensa"
} else {
    "other"
};

fn sdk_version(r: &mut Request<'_>) {
    add(r, &[SDK_NAME_VERSION, " (rust; ", OS, "; ", ARCH, ")"]);
}

fn exec_env(r: &mut Request<'_>) {
    if let Some(env) = settings(r).and_then(|s| s.execution_env()) {
        add(r, &["exec-env/", env.as_str()]);
    }
}

fn app_id(r: &mut Request<'_>) {
    if let Some(id) = settings(r).and_then(|s| s.app_id()) {
        add(r, &["app/", id.as_str()]);
    }
}

/// The settings of the client that made `r`: its session's, with its overrides on top.
fn settings<'a>(r: &Request<'a>) -> Option<SettingsView<'a>> {
    let session = r.context::<Session>()?;
    Some(SettingsView::new(session.config(), r.context::<Config>()))
}

/// Appends `parts` (joined) to the `User-Agent` header after a space, or sets it.
fn add(r: &mut Request<'_>, parts: &[&str]) {
    let mut value: Text<MAX_USER_AGENT_LEN> = Text::new();
    let old = r.http.headers().get("User-Agent").filter(|v| !v.is_empty());
    let built = old
        .iter()
        .copied()
        .chain(old.map(|_| " "))
        .chain(parts.iter().copied())
        .try_for_each(|p| value.push_str(p));
    if built.is_err() || r.http.headers_mut().insert("User-Agent", &value).is_err() {
        debug!("user agent: no room for another part; left as it was");
    }
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use crate::handlers::Request;

    selftests! {
        fn parts_are_appended_after_a_space() {
            let mut r = Request::new("Op");
            sdk_version(&mut r);
            let ua = r.http.headers().get("User-Agent").unwrap();
            assert!(ua.starts_with("aws-session/"), "{ua}");
            assert!(ua.ends_with(")") && ua.contains("(rust; "), "{ua}");
            r.http.headers_mut().insert("User-Agent", "my-tool/2").unwrap();
            add(&mut r, &["app/", "x"]);
            assert_eq!(r.http.headers().get("User-Agent"), Some("my-tool/2 app/x"));
        }

        fn a_part_that_does_not_fit_leaves_the_header() {
            let mut r = Request::new("Op");
            r.http.headers_mut().insert("User-Agent", "a").unwrap();
            let long = [b'x'; MAX_USER_AGENT_LEN];
            add(&mut r, &[core::str::from_utf8(&long).unwrap()]);
            assert_eq!(r.http.headers().get("User-Agent"), Some("a"));
        }

        fn without_a_client_only_the_sdk_part_is_added() {
            let mut r = Request::new("Op");
            exec_env(&mut r);
            app_id(&mut r);
            assert_eq!(r.http.headers().get("User-Agent"), None);
        }
    }
}

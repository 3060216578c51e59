//! Resolving a session's credentials on std ([`resolve`]: core's providers over the HTTPS
//! transport, with this machine as their host), and running `credential_process`.
//!
//! `credential_process` follows Go v1's `processcreds` provider: the command runs through `sh -c` (`cmd.exe /C` on
//! Windows), its standard output is read (at most [`MAX_PROCESS_OUTPUT`] bytes) and parsed as
//! `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?}`, and a
//! process still running after the timeout (default one minute) is killed with everything it
//! started: when its stdin is not a terminal it runs in a process group of its own and the group is
//! killed; on Linux every descendant still attached to it is killed as well (the only way when
//! stdin is a terminal: a helper that may prompt must stay in the terminal's foreground group).
//! So nothing it started keeps the inherited stderr open, and `$(aws-session … 2>&1)` returns at
//! the timeout.

use core::fmt;
use core::time::Duration;
use std::io::{IsTerminal, Read};
use std::process::{Command, Stdio};
use std::time::Instant;

use aws_session_core::credentials::cache::HostError;
use aws_session_core::credentials::error::FetchError;
use aws_session_core::credentials::json::{parse_process_output, CredentialsJsonError};
use aws_session_core::credentials::Credentials;
#[cfg(feature = "https")]
use aws_session_core::credentials::{CredentialPlan, ProviderKind};
use aws_session_core::limits::MAX_MFA_TOKEN_LEN;
#[cfg(feature = "https")]
use aws_session_core::session::Session;
use aws_session_core::session::TokenError;
use aws_session_core::text::Text;

#[cfg(feature = "https")]
use crate::platform::StdPlatform;

pub use crate::limits::{DEFAULT_PROCESS_TIMEOUT, MAX_PROCESS_OUTPUT};

/// Why no keys could be produced.
#[derive(Debug)]
#[non_exhaustive]
pub enum ResolveError {
    /// Requests are not signed (anonymous credentials).
    Anonymous,
    /// A provider failed (core's error names it and says why).
    Fetch(Box<FetchError>),
    /// The HTTPS transport for provider calls could not be made (the CA bundle).
    #[cfg(feature = "https")]
    Transport(crate::transport::TlsFileError),
    /// `credential_process` could not be started.
    ProcessSpawn(std::io::Error),
    /// `credential_process` exited unsuccessfully.
    ProcessExit(Option<i32>),
    /// `credential_process` ran longer than the timeout and was killed.
    ProcessTimeout(Duration),
    /// `credential_process` wrote more than [`MAX_PROCESS_OUTPUT`] bytes.
    ProcessOutputTooLong,
    /// `credential_process` output is not valid credentials JSON.
    ProcessOutput(CredentialsJsonError),
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveError::Anonymous => {
                f.write_str("anonymous credentials: requests are not signed")
            }
            ResolveError::Fetch(e) => write!(f, "{e}"),
            #[cfg(feature = "https")]
            ResolveError::Transport(e) => write!(f, "{e}"),
            ResolveError::ProcessSpawn(e) => {
                write!(f, "credential_process could not be started: {e}")
            }
            ResolveError::ProcessExit(Some(code)) => {
                write!(f, "credential_process exited with code {code}")
            }
            ResolveError::ProcessExit(None) => {
                f.write_str("credential_process was ended by a signal")
            }
            ResolveError::ProcessTimeout(t) => write!(
                f,
                "credential_process did not finish within {t:?} and was killed"
            ),
            ResolveError::ProcessOutputTooLong => write!(
                f,
                "credential_process wrote more than {MAX_PROCESS_OUTPUT} bytes"
            ),
            ResolveError::ProcessOutput(e) => write!(f, "credential_process output: {e}"),
        }
    }
}

impl core::error::Error for ResolveError {}

#[cfg(feature = "https")]
/// The session's credentials now (Go v1 `Credentials.Get`): from its shared cache when they are
/// valid, else from its providers, run over HTTPS with the session's trust settings; with the
/// provider that produced them.
///
/// # Errors
/// [`ResolveError`] saying why there are none.
pub fn resolve(session: &Session) -> Result<(Credentials, ProviderKind), ResolveError> {
    if matches!(session.credentials(), CredentialPlan::Anonymous) {
        return Err(ResolveError::Anonymous);
    }
    let mut platform = StdPlatform::new(session).map_err(ResolveError::Transport)?;
    let mut out = Credentials::EMPTY;
    let provider = session
        .retrieve_credentials(&mut platform, &mut out)
        .map_err(|e| ResolveError::Fetch(Box::new(e)))?;
    Ok((out, provider))
}

/// The CLI's MFA prompt (Go v1 `stscreds.StdinTokenProvider`): asks on stderr, reads a line from
/// standard input.
///
/// # Errors
/// [`TokenError`] when no code was entered.
pub fn terminal_mfa_prompt(out: &mut Text<MAX_MFA_TOKEN_LEN>) -> Result<(), TokenError> {
    use std::io::{BufRead, Write};
    let mut stderr = std::io::stderr();
    let _ = write!(stderr, "Assume Role MFA token code: ");
    let _ = stderr.flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|_| TokenError)?;
    let code = line.trim();
    if code.is_empty() {
        return Err(TokenError);
    }
    out.clear();
    out.push_str(code).map_err(|_| TokenError)
}

/// Kills the process group `child` leads (it was spawned with `process_group(0)`): the shell and
/// everything it started, such as `sleep` in `sleep 777 & wait`.
fn kill_group(child: &std::process::Child) {
    #[cfg(unix)]
    {
        use rustix::process::{kill_process_group, Pid, Signal};
        let pgid = i32::try_from(child.id()).ok().and_then(Pid::from_raw);
        if let Some(pgid) = pgid {
            let _ = kill_process_group(pgid, Signal::KILL);
        }
    }
    #[cfg(not(unix))]
    let _ = child;
}

/// The descendants of `child` that can be found now (Linux: through `/proc`), to be killed with
/// it: none is then orphaned onto init and keeps running with our stderr, as `sleep` in
/// `sh -c 'sleep 777'` would. They are listed before `child` is killed (a killed parent's children
/// are re-parented and could no longer be found) and killed after it (a shell that outlived its
/// child would print "Killed" on our stderr).
fn list_descendants(child: &std::process::Child) -> Vec<u32> {
    #[cfg(target_os = "linux")]
    return descendants(child.id());
    #[cfg(not(target_os = "linux"))]
    {
        let _ = child;
        Vec::new()
    }
}

/// Sends `SIGKILL` to each of `pids`.
fn kill_all(pids: &[u32]) {
    #[cfg(unix)]
    for &pid in pids {
        use rustix::process::{kill_process, Pid, Signal};
        if let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
            let _ = kill_process(pid, Signal::KILL);
        }
    }
    #[cfg(not(unix))]
    let _ = pids;
}

/// The descendants of `root`, parents before their children, from `/proc/*/stat`.
#[cfg(target_os = "linux")]
fn descendants(root: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut parent_of = Vec::new();
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        // `pid (comm) state ppid …`; comm may hold spaces and parentheses, so split at the last ')'.
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(ppid) = ppid {
            parent_of.push((pid, ppid));
        }
    }
    let mut found = vec![root];
    let mut at = 0;
    while let Some(&parent) = found.get(at) {
        for &(pid, ppid) in &parent_of {
            if ppid == parent && !found.contains(&pid) {
                found.push(pid);
            }
        }
        at += 1;
    }
    found.remove(0);
    found
}

/// Runs `command` as Go v1 runs `credential_process` and parses its output.
///
/// # Errors
/// Spawn failure, non-zero exit, timeout, oversized or invalid output.
pub fn run_credential_process(
    command: &str,
    timeout: Duration,
) -> Result<Credentials, ResolveError> {
    let output = run_process_bytes(command, timeout)?;
    let text = core::str::from_utf8(&output)
        .map_err(|_| ResolveError::ProcessOutput(CredentialsJsonError::InvalidJson))?;
    parse_process_output(text).map_err(ResolveError::ProcessOutput)
}

/// `credential_process` for core's providers: its standard output in `buf`.
///
/// # Errors
/// The failure as a [`HostError`] (start failure, exit status, timeout, oversized output).
pub fn run_process_output(
    command: &str,
    timeout: Duration,
    buf: &mut [u8],
) -> Result<usize, HostError> {
    let output = run_process_bytes(command, timeout).map_err(|e| match e {
        ResolveError::ProcessExit(code) => HostError::Exit(code),
        ResolveError::ProcessTimeout(_) => HostError::Timeout,
        ResolveError::ProcessOutputTooLong => HostError::TooLarge {
            limit: MAX_PROCESS_OUTPUT,
        },
        _ => HostError::Io(aws_session_core::error_kind::ErrorKind::Other),
    })?;
    let limit = buf.len();
    let dst = buf
        .get_mut(..output.len())
        .ok_or(HostError::TooLarge { limit })?;
    dst.copy_from_slice(&output);
    Ok(output.len())
}

/// Runs `command` through the shell with Go v1's rules and returns its standard output.
fn run_process_bytes(command: &str, timeout: Duration) -> Result<Vec<u8>, ResolveError> {
    // A helper that may prompt on the terminal must stay in the terminal's foreground process
    // group (a background group is stopped by SIGTTIN when it reads the terminal). Otherwise it
    // gets a group of its own, so that a timeout kills everything it started.
    let own_group = !std::io::stdin().is_terminal();
    run_process(command, timeout, own_group)
}

/// [`run_process_bytes`], with the choice of a process group of its own made by the caller.
fn run_process(command: &str, timeout: Duration, own_group: bool) -> Result<Vec<u8>, ResolveError> {
    let mut cmd = if cfg!(windows) {
        let mut c = Command::new("cmd.exe");
        c.arg("/C").arg(command);
        c
    } else {
        let mut c = Command::new("sh");
        c.arg("-c").arg(command);
        c
    };
    #[cfg(unix)]
    if own_group {
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    }
    #[cfg(not(unix))]
    let _ = own_group;
    // Go v1 passes its stdin, so a helper can ask for an MFA code.
    let mut child = cmd
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(ResolveError::ProcessSpawn)?;
    let Some(stdout) = child.stdout.take() else {
        return Err(ResolveError::ProcessSpawn(std::io::Error::other(
            "no stdout pipe",
        )));
    };
    // Read on a helper thread so a process that never closes its output cannot outlive the timeout.
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let n = stdout
            .take(MAX_PROCESS_OUTPUT as u64 + 1)
            .read_to_end(&mut out);
        n.map(|_| out)
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait().map_err(ResolveError::ProcessSpawn)? {
            Some(status) => break status,
            None if Instant::now() >= deadline => {
                let started = list_descendants(&child);
                if own_group {
                    kill_group(&child);
                }
                let _ = child.kill();
                kill_all(&started);
                let _ = child.wait();
                return Err(ResolveError::ProcessTimeout(timeout));
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    };
    let output = reader
        .join()
        .map_err(|_| ResolveError::ProcessSpawn(std::io::Error::other("output reader failed")))?
        .map_err(ResolveError::ProcessSpawn)?;
    // Too much output first: the reader stops at the limit, and a writer cut off by the closed
    // pipe then exits on SIGPIPE, which is a consequence, not the cause.
    if output.len() > MAX_PROCESS_OUTPUT {
        return Err(ResolveError::ProcessOutputTooLong);
    }
    if !status.success() {
        return Err(ResolveError::ProcessExit(status.code()));
    }
    Ok(output)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    const JSON: &str = r#"{"Version": 1, "AccessKeyId": "ASIARTESTID", "SecretAccessKey": "TESTSECRETKEY", "SessionToken": "TESTSESSIONTOKEN", "Expiration": "2022-05-02T18:36:00+00:00"}"#;

    #[test]
    fn runs_the_command_through_the_shell() {
        let c = run_credential_process(&format!("printf '%s' '{JSON}'"), DEFAULT_PROCESS_TIMEOUT)
            .unwrap();
        assert_eq!(c.access_key_id.as_str(), "ASIARTESTID");
        assert_eq!(c.expires.unwrap().secs(), 1_651_516_560);
    }

    #[test]
    fn failures_are_typed() {
        assert!(matches!(
            run_credential_process("exit 3", DEFAULT_PROCESS_TIMEOUT),
            Err(ResolveError::ProcessExit(Some(3)))
        ));
        assert!(matches!(
            run_credential_process("echo 'invalid json'", DEFAULT_PROCESS_TIMEOUT),
            Err(ResolveError::ProcessOutput(
                CredentialsJsonError::InvalidJson
            ))
        ));
        let started = Instant::now();
        assert!(matches!(
            run_credential_process("sleep 5", Duration::from_millis(200)),
            Err(ResolveError::ProcessTimeout(_))
        ));
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "the process is killed at the timeout"
        );
        assert!(matches!(
            run_credential_process("head -c 70000 /dev/zero", DEFAULT_PROCESS_TIMEOUT),
            Err(ResolveError::ProcessOutputTooLong)
        ));
    }

    /// Whether process `pid` is gone (or a zombie no one has reaped yet: it runs no more).
    #[cfg(target_os = "linux")]
    fn is_gone(pid: &str) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            Ok(stat) => stat
                .rsplit(')')
                .next()
                .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        }
    }

    /// Runs a command whose shell starts `sleep` in the background and waits, with a short
    /// timeout, and checks that the `sleep` is gone soon after (before the fix only `sh` was
    /// killed and `sleep` ran on, holding the output pipe).
    #[cfg(target_os = "linux")]
    fn a_timeout_leaves_nothing_running(own_group: bool) {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        let command = format!("sleep 777 & echo $! > '{}'; wait", pid_file.display());
        let result = run_process(&command, Duration::from_millis(300), own_group);
        assert!(matches!(result, Err(ResolveError::ProcessTimeout(_))));
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        let pid = pid.trim();
        let deadline = Instant::now() + Duration::from_secs(5);
        while !is_gone(pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(is_gone(pid), "sleep {pid} outlived the timeout");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_timeout_kills_the_whole_process_group() {
        a_timeout_leaves_nothing_running(true);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_timeout_kills_what_the_command_started_without_a_group_of_its_own() {
        // The path taken when stdin is a terminal: no process group of its own.
        a_timeout_leaves_nothing_running(false);
    }
}

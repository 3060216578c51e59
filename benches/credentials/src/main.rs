//! The credential machinery of aws-session against the official SDKs, in one run.
//!
//! Run: `benches/credentials/run.sh` (installs botocore's venv, builds this binary with
//! `--release`, runs it; about a minute). Without the script:
//! `cargo run --release --manifest-path benches/credentials/Cargo.toml -- --python <venv python>`.
//! `--breakdown` times the parts of ours instead (session creation, transport, whole iteration);
//! `--profile-ours N` runs only ours, N times, for `perf record`.
//!
//! **1. Cache hit.** What a request pays for its credentials when the cache holds valid ones:
//! * **ours** — the credential gate's `with_slot(claim)` (core `fetch::claim`), then the
//!   signer's `with_slot(valid)` (core `client::sign_request`), through `&dyn SharedCredentials`
//!   on `aws_session_std::StdCredentials` (a `std::sync::Mutex` around a `CacheSlot`). The gate is
//!   given the driver's clock reading, which the attempt needs anyway for its signing time, so a
//!   hit adds no clock read; the row with the clock read shows a request path that reads it twice;
//! * **aws-config** — the identity cache every SDK client uses by default
//!   (`aws_smithy_runtime::client::identity::IdentityCache::lazy()`, `LazyCache`): what the
//!   orchestrator does per attempt, `resolve_cached_identity(resolver.clone(), &components, &cfg)`
//!   polled to completion and the `Credentials` read out of the `Identity`, inside a tokio runtime
//!   (its load timeout is a tokio sleep). The resolver is a `SharedCredentialsProvider`.
//! * Heap allocations: counted by a counting global allocator over 100 000 hits (totals).
//!
//! **2. Session creation + first credentials** from a `~/.aws` with 20 profiles in a temporary
//! `HOME`, profile `chain` → `role_arn` + `source_profile = hop1` → `role_arn` +
//! `source_profile = base` (static keys): two `AssumeRole` calls, served by [`stub`] on 127.0.0.1
//! through `AWS_ENDPOINT_URL_STS`. Per iteration, a fresh session and an empty cache:
//! * **ours** — `aws_session_std::load_with(options, StdEnv::capture(), &HomeResolver::default())`
//!   (profile `chain`, shared config enabled) + `aws_session_std::credentials::resolve`;
//! * **aws-config** — `aws_config::defaults(BehaviorVersion::latest()).profile_name("chain")
//!   .load()` + `credentials_provider().provide_credentials()`, on one current-thread tokio
//!   runtime kept for the whole run (as a program keeps its runtime);
//! * **botocore** — `Session(profile="chain").get_credentials().get_frozen_credentials()`, timed
//!   in Python (`botocore_bench.py`, `time.perf_counter`).
//!
//! The stub's own time (first byte read to answer written) is subtracted: **local** = client
//! time − stub time. Ours and aws-config are interleaved batch by batch (median of batch means);
//! botocore runs after them in a child process (mean over its timed iterations, stub time of that
//! window subtracted).

mod measure;
mod stub;

use std::hint::black_box;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use aws_session_core::config::SharedConfigState;
use aws_session_core::credentials::cache::{Claim, SharedCredentials};
use aws_session_core::credentials::{Credentials, ProviderKind};
use aws_session_core::platform::Clock;
use aws_session_core::session::Options;
use aws_session_core::time::UnixTime;
use aws_session_std::{HomeResolver, StdCredentials, StdEnv, StdHost, SystemClock};

use aws_session_bench::{interleaved_medians, CountingAlloc};
use measure::{allocs_during, median};
use stub::{Snapshot, StubStats};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const PROFILE: &str = "chain";
const ROLE_AKID: &str = "ASIAJEXAMPLEXEG2JICEA";

// ---- settings ---------------------------------------------------------------------------------

struct Settings {
    /// The venv's Python for botocore (`None`: botocore is skipped).
    python: Option<PathBuf>,
    /// Rounds of the interleaved session measurement.
    session_rounds: usize,
    /// botocore iterations timed (after 3 warm-up iterations).
    botocore_iterations: u32,
    /// Only run ours, this many sessions (for `perf record`).
    profile_ours: Option<u32>,
    /// Only time the parts of ours (session creation, transport, credentials).
    breakdown: bool,
}

fn settings() -> Settings {
    let mut s = Settings {
        python: None,
        session_rounds: 51,
        botocore_iterations: 50,
        profile_ours: None,
        breakdown: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--python" => s.python = Some(PathBuf::from(value())),
            "--rounds" => s.session_rounds = value().parse().expect("--rounds N"),
            "--botocore-iterations" => {
                s.botocore_iterations = value().parse().expect("--botocore-iterations N");
            }
            "--profile-ours" => s.profile_ours = Some(value().parse().expect("--profile-ours N")),
            "--breakdown" => s.breakdown = true,
            "--help" | "-h" => {
                println!(
                    "usage: aws-session-bench-credentials [--python PATH] [--rounds N] \
                     [--botocore-iterations N] [--profile-ours N] [--breakdown]"
                );
                std::process::exit(0);
            }
            other => panic!("unknown argument {other}"),
        }
    }
    s
}

// ---- 1. cache hit -----------------------------------------------------------------------------

fn role_credentials(expires: UnixTime) -> Credentials {
    let token = "FwoGZXIvYXdzEBYaDHVtZXhhbXBsZXRva2VuIkQ".repeat(12);
    let mut c = Credentials::new(
        ROLE_AKID,
        "9drTJvcXLB89EXAMPLELB8923FB892xMFI",
        Some(&token),
    )
    .unwrap();
    c.expires = Some(expires);
    c
}

/// One hit of ours as a request pays it: the gate's clock read and claim, the signer's `valid`.
#[inline(never)]
fn our_hit(cache: &dyn SharedCredentials, clock: &SystemClock) -> usize {
    let now = clock.now().unwrap();
    our_hit_at(cache, now)
}

/// The cache alone: the gate's claim and the signer's `valid` at a given time.
#[inline(never)]
fn our_hit_at(cache: &dyn SharedCredentials, now: UnixTime) -> usize {
    let mut claim = Claim::Refresh;
    cache.with_slot(&mut |slot| claim = slot.claim(now));
    debug_assert_eq!(claim, Claim::Use);
    let mut len = 0;
    cache.with_slot(&mut |slot| {
        if let Some(c) = slot.valid(now) {
            len = c.access_key_id.len();
        }
    });
    len
}

struct AwsHit {
    rt: tokio::runtime::Runtime,
    cache: aws_smithy_runtime_api::client::identity::SharedIdentityCache,
    resolver: aws_smithy_runtime_api::client::identity::SharedIdentityResolver,
    components: aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
    cfg: aws_smithy_types::config_bag::ConfigBag,
}

impl AwsHit {
    fn new() -> AwsHit {
        use aws_credential_types::provider::SharedCredentialsProvider;
        use aws_smithy_async::rt::sleep::{SharedAsyncSleep, TokioSleep};
        use aws_smithy_async::time::SharedTimeSource;
        use aws_smithy_runtime::client::identity::IdentityCache;
        use aws_smithy_runtime_api::client::identity::SharedIdentityResolver;
        use aws_smithy_runtime_api::client::runtime_components::RuntimeComponentsBuilder;

        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let credentials = aws_credential_types::Credentials::new(
            ROLE_AKID,
            "9drTJvcXLB89EXAMPLELB8923FB892xMFI",
            Some("FwoGZXIvYXdzEBYaDHVtZXhhbXBsZXRva2VuIkQ".repeat(12)),
            Some(SystemTime::now() + Duration::from_secs(3600)),
            "bench",
        );
        let resolver = SharedIdentityResolver::new(SharedCredentialsProvider::new(credentials));
        let components = RuntimeComponentsBuilder::for_tests()
            .with_time_source(Some(SharedTimeSource::default()))
            .with_sleep_impl(Some(SharedAsyncSleep::new(TokioSleep::new())))
            .build()
            .unwrap();
        AwsHit {
            rt,
            cache: IdentityCache::lazy().build(),
            resolver,
            components,
            cfg: aws_smithy_types::config_bag::ConfigBag::base(),
        }
    }

    /// One cached resolution, polled once (a hit completes on its first poll; checked). Call
    /// inside the runtime (`self.rt.enter()`).
    #[inline(never)]
    fn hit(&self) -> usize {
        use aws_smithy_runtime_api::client::identity::ResolveCachedIdentity;
        use std::future::Future;
        use std::task::{Context, Poll, Waker};
        let fut =
            self.cache
                .resolve_cached_identity(self.resolver.clone(), &self.components, &self.cfg);
        let mut fut = std::pin::pin!(fut);
        let mut cx = Context::from_waker(Waker::noop());
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(Ok(identity)) => identity
                .data::<aws_credential_types::Credentials>()
                .expect("credentials")
                .access_key_id()
                .len(),
            Poll::Ready(Err(e)) => panic!("aws-config identity cache: {e}"),
            Poll::Pending => panic!("aws-config identity cache hit did not complete at once"),
        }
    }
}

fn bench_cache_hit() {
    println!("## 1. Cache hit (valid credentials in the cache)\n");
    let clock = SystemClock;
    let cache: &'static StdCredentials = StdCredentials::leak(StdHost::new(None));
    let shared: &dyn SharedCredentials = cache;
    let now = clock.now().unwrap();
    shared.with_slot(&mut |slot| {
        assert_eq!(slot.claim(now), Claim::Refresh, "an empty slot refreshes");
        let c = role_credentials(UnixTime::from_secs(now.secs() + 3600));
        slot.store(&c, ProviderKind::AssumeRole, 0);
    });
    assert_eq!(our_hit(shared, &clock), ROLE_AKID.len());

    let aws = AwsHit::new();
    let _guard = aws.rt.enter();
    // The first resolution is a miss that loads the credentials into the cache.
    {
        use aws_smithy_runtime_api::client::identity::ResolveCachedIdentity;
        let id = aws.rt.block_on(aws.cache.resolve_cached_identity(
            aws.resolver.clone(),
            &aws.components,
            &aws.cfg,
        ));
        assert!(id.is_ok());
    }
    assert_eq!(aws.hit(), ROLE_AKID.len());

    let n = 100_000;
    let (ours_allocs, ours_bytes) = allocs_during(n, || {
        black_box(our_hit(black_box(shared), &clock));
    });
    let (ours_bare_allocs, _) = allocs_during(n, || {
        black_box(our_hit_at(black_box(shared), black_box(now)));
    });
    let (aws_allocs, aws_bytes) = allocs_during(n, || {
        black_box(aws.hit());
    });

    let mut f_ours = || {
        black_box(our_hit(black_box(shared), &clock));
    };
    let mut f_bare = || {
        black_box(our_hit_at(black_box(shared), black_box(now)));
    };
    let mut f_clock = || {
        black_box(clock.now().unwrap());
    };
    let mut f_aws = || {
        black_box(aws.hit());
    };
    let t = interleaved_medians(
        201,
        20_000,
        &mut [&mut f_ours, &mut f_bare, &mut f_clock, &mut f_aws],
    );
    let (ours, bare, clock_ns, aws_ns) = (t[0], t[1], t[2], t[3]);
    let per = |a: u64, b: u64| format!("{} ({} B) in {n} hits", a, b);
    println!("| path | ns per hit | heap allocations | aws-config / ours |");
    println!("|---|---:|---|---:|");
    println!(
        "| ours: clock read + `with_slot(claim)` + `with_slot(valid)` | {ours:.1} | {} | {:.1}× |",
        per(ours_allocs, ours_bytes),
        aws_ns / ours
    );
    println!(
        "| ours: `with_slot(claim)` + `with_slot(valid)` (no clock read) | {bare:.1} | {ours_bare_allocs} in {n} hits | {:.1}× |",
        aws_ns / bare
    );
    println!("| (the clock read alone: `SystemClock::now()`) | {clock_ns:.1} | | |");
    println!(
        "| aws-config: `LazyCache::resolve_cached_identity` hit | {aws_ns:.1} | {} ({:.1} per hit) | 1.0× |",
        per(aws_allocs, aws_bytes),
        aws_allocs as f64 / f64::from(n)
    );
    let target = if bare <= 50.0 && ours_bare_allocs == 0 {
        "met"
    } else {
        "NOT met"
    };
    println!(
        "\nTarget ≤ 50 ns and 0 allocations per hit (what a hit adds to a request: the gate reuses the \
         driver's clock reading): {target} ({bare:.1} ns, {ours_bare_allocs} allocations).\n"
    );
}

// ---- 2. session + first credentials ---------------------------------------------------------

/// Writes `~/.aws/config` and `~/.aws/credentials` with 20 profiles under `home`.
fn write_aws_dir(home: &Path) {
    let aws = home.join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    let mut config = String::from("[default]\nregion = us-east-1\noutput = json\n\n");
    let mut credentials = String::new();
    // 16 unrelated profiles, as a developer's machine has them: 8 with keys, 8 roles on top of
    // them (plus default, base, hop1 and chain).
    for i in 0..8 {
        let region = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"][i % 4];
        config.push_str(&format!(
            "[profile team{i:02}]\nregion = {region}\noutput = json\ncli_pager =\n\n\
             [profile team{i:02}-admin]\nrole_arn = arn:aws:iam::1111111111{i:02}:role/admin\n\
             source_profile = team{i:02}\nregion = {region}\n\n"
        ));
        credentials.push_str(&format!(
            "[team{i:02}]\naws_access_key_id = AKIATEAM{i:02}EXAMPLE00\n\
             aws_secret_access_key = team{i:02}wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLE\n\n"
        ));
    }
    config.push_str(
        "[profile base]\nregion = us-east-1\n\n\
         [profile hop1]\nrole_arn = arn:aws:iam::123456789012:role/hop1\nsource_profile = base\n\
         role_session_name = bench-hop1\n\n\
         [profile chain]\nregion = us-east-1\nrole_arn = arn:aws:iam::210987654321:role/chain\n\
         source_profile = hop1\nrole_session_name = bench-chain\n",
    );
    credentials.push_str(
        "[default]\naws_access_key_id = AKIADEFAULTEXAMPLE00\n\
         aws_secret_access_key = defaultwJalrXUtnFEMI/K7MDENG/bPxRfiCYEX\n\n\
         [base]\naws_access_key_id = AKIABASEEXAMPLE00000\n\
         aws_secret_access_key = basewJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMP\n",
    );
    std::fs::write(aws.join("config"), &config).unwrap();
    std::fs::write(aws.join("credentials"), &credentials).unwrap();
    let count = |t: &str| t.lines().filter(|l| l.starts_with('[')).count();
    let names: std::collections::BTreeSet<String> = config
        .lines()
        .chain(credentials.lines())
        .filter(|l| l.starts_with('['))
        .map(|l| {
            l.trim_matches(|c| c == '[' || c == ']')
                .trim_start_matches("profile ")
                .to_owned()
        })
        .collect();
    assert_eq!(names.len(), 20, "20 profiles: {names:?}");
    println!(
        "`~/.aws`: {} sections in config, {} in credentials, 20 distinct profiles.\n",
        count(&config),
        count(&credentials)
    );
}

/// Ours: a fresh session from the process environment and files, then its first credentials.
#[inline(never)]
fn ours_session() -> Credentials {
    let options = Options {
        profile: Some(PROFILE),
        shared_config_state: SharedConfigState::Enable,
        ..Options::default()
    };
    let loaded = aws_session_std::load_with(&options, StdEnv::capture(), &HomeResolver::default())
        .expect("session");
    let (c, provider) =
        aws_session_std::credentials::resolve(loaded.session()).expect("credentials");
    debug_assert_eq!(provider, ProviderKind::AssumeRole);
    c
}

/// Where ours spends its time: the parts of [`ours_session`] timed separately, interleaved.
fn breakdown(stats: &StubStats, rounds: usize) {
    let options = Options {
        profile: Some(PROFILE),
        shared_config_state: SharedConfigState::Enable,
        ..Options::default()
    };
    let load = || {
        aws_session_std::load_with(&options, StdEnv::capture(), &HomeResolver::default())
            .expect("session")
    };
    let loaded = load();
    let session = loaded.session();
    let batch = 40;
    let mut parts: Vec<(&str, Vec<f64>)> = vec![
        ("StdEnv::capture()", Vec::new()),
        ("load_with (env, files, Session::new, cache)", Vec::new()),
        ("StdPlatform::new (HTTPS transport)", Vec::new()),
        (
            "load_with + resolve (the benchmark's iteration)",
            Vec::new(),
        ),
        (
            "2 × std::thread::spawn + join (for scale: what a helper thread per request would cost)",
            Vec::new(),
        ),
    ];
    for round in 0..=rounds {
        let samples = [
            local_batch(stats, batch, || {
                black_box(StdEnv::capture());
            })
            .0,
            local_batch(stats, batch, || {
                black_box(load());
            })
            .0,
            local_batch(stats, batch, || {
                black_box(aws_session_std::StdPlatform::new(session).unwrap());
            })
            .0,
            local_batch(stats, batch, || {
                black_box(ours_session());
            })
            .0,
            local_batch(stats, batch, || {
                for _ in 0..2 {
                    std::thread::spawn(|| black_box(1)).join().unwrap();
                }
            })
            .0,
        ];
        if round > 0 {
            for (p, t) in parts.iter_mut().zip(samples) {
                p.1.push(t);
            }
        }
    }
    println!("| part of ours | local µs (median of {rounds} batches of {batch}) |");
    println!("|---|---:|");
    for (name, samples) in parts {
        println!("| {name} | {:.1} |", median(samples) / 1000.0);
    }
}

/// aws-config: a fresh `SdkConfig` for profile `chain`, then its first credentials.
async fn aws_session() -> aws_credential_types::Credentials {
    use aws_credential_types::provider::ProvideCredentials;
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .profile_name(PROFILE)
        .load()
        .await;
    config
        .credentials_provider()
        .expect("a credentials provider")
        .provide_credentials()
        .await
        .expect("aws-config credentials")
}

/// Times `n` calls of `f` and the stub's time meanwhile: (local ns per call, stub delta).
fn local_batch(stats: &StubStats, n: u32, mut f: impl FnMut()) -> (f64, Snapshot) {
    let before = stats.snapshot();
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    let elapsed = start.elapsed().as_nanos() as f64;
    let delta = stats.snapshot() - before;
    ((elapsed - delta.busy_ns as f64) / f64::from(n), delta)
}

struct SessionResult {
    local_us: f64,
    stub_us_per_iter: f64,
    assume_role_per_iter: f64,
    connections_per_iter: f64,
    iterations: u64,
}

fn bench_sessions(stats: &Arc<StubStats>, s: &Settings) -> (SessionResult, SessionResult) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // Check both first: the right keys, two AssumeRole calls each.
    let before = stats.snapshot();
    let ours = ours_session();
    assert_eq!(ours.access_key_id.as_str(), ROLE_AKID);
    let d = stats.snapshot() - before;
    assert_eq!(
        (d.assume_role, d.other),
        (2, 0),
        "ours: two AssumeRole calls"
    );
    let before = stats.snapshot();
    let theirs = rt.block_on(aws_session());
    assert_eq!(theirs.access_key_id(), ROLE_AKID);
    let d = stats.snapshot() - before;
    assert_eq!(
        (d.assume_role, d.other),
        (2, 0),
        "aws-config: two AssumeRole calls"
    );

    // Batches sized so that each takes some tens of milliseconds.
    let (ours_batch, aws_batch) = (40u32, 10u32);
    let mut ours_samples = Vec::new();
    let mut aws_samples = Vec::new();
    let (mut ours_total, mut aws_total) = (Snapshot::default(), Snapshot::default());
    for round in 0..=s.session_rounds {
        let (t, d) = local_batch(stats, ours_batch, || {
            black_box(ours_session());
        });
        let (ta, da) = local_batch(stats, aws_batch, || {
            black_box(rt.block_on(aws_session()));
        });
        if round > 0 {
            ours_samples.push(t);
            aws_samples.push(ta);
            ours_total = add(ours_total, d);
            aws_total = add(aws_total, da);
        }
    }
    let result = |samples: Vec<f64>, total: Snapshot, batch: u32| {
        let iterations = samples.len() as u64 * u64::from(batch);
        SessionResult {
            local_us: median(samples) / 1000.0,
            stub_us_per_iter: total.busy_ns as f64 / iterations as f64 / 1000.0,
            assume_role_per_iter: total.assume_role as f64 / iterations as f64,
            connections_per_iter: total.connections as f64 / iterations as f64,
            iterations,
        }
    };
    (
        result(ours_samples, ours_total, ours_batch),
        result(aws_samples, aws_total, aws_batch),
    )
}

fn add(a: Snapshot, b: Snapshot) -> Snapshot {
    Snapshot {
        busy_ns: a.busy_ns + b.busy_ns,
        assume_role: a.assume_role + b.assume_role,
        caller_identity: a.caller_identity + b.caller_identity,
        other: a.other + b.other,
        connections: a.connections + b.connections,
    }
}

/// botocore in the venv's Python: warm-up, then the timed iterations; the stub's time of the
/// timed window is subtracted.
fn bench_botocore(stats: &StubStats, python: &Path, iterations: u32) -> Option<SessionResult> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("botocore_bench.py");
    let mut child = Command::new(python)
        .arg(&script)
        .arg(iterations.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| eprintln!("botocore: cannot start {}: {e}", python.display()))
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let mut lines = BufReader::new(child.stdout.take()?).lines();
    let mut line = || lines.next().and_then(Result::ok).unwrap_or_default();
    let versions = line();
    if !versions.starts_with("botocore ") {
        eprintln!("botocore: unexpected first line {versions:?}");
        return None;
    }
    let warm = line();
    assert_eq!(warm, "warm", "botocore warm-up");
    let before = stats.snapshot();
    writeln!(stdin, "go").ok()?;
    stdin.flush().ok()?;
    let result = line(); // "elapsed_ns N"
    let delta = stats.snapshot() - before;
    let _ = child.wait();
    let elapsed: f64 = result.strip_prefix("elapsed_ns ")?.trim().parse().ok()?;
    let n = f64::from(iterations);
    println!("botocore measured: {versions}");
    Some(SessionResult {
        local_us: (elapsed - delta.busy_ns as f64) / n / 1000.0,
        stub_us_per_iter: delta.busy_ns as f64 / n / 1000.0,
        assume_role_per_iter: delta.assume_role as f64 / n,
        connections_per_iter: delta.connections as f64 / n,
        iterations: u64::from(iterations),
    })
}

// ---- main -------------------------------------------------------------------------------------

/// The process environment every peer sees: no AWS variables but the stub's endpoint and a
/// `HOME` holding the test `~/.aws`.
fn set_environment(home: &Path, stub: std::net::SocketAddr) {
    let aws_vars: Vec<String> = std::env::vars()
        .map(|(k, _)| k)
        .filter(|k| k.starts_with("AWS_"))
        .collect();
    for k in aws_vars {
        std::env::remove_var(k);
    }
    std::env::set_var("HOME", home);
    std::env::set_var("AWS_ENDPOINT_URL_STS", format!("http://{stub}"));
    // No instance-metadata lookups from any peer (none of them needs one here).
    std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
}

fn main() {
    let s = settings();
    let home = tempfile::tempdir().unwrap();
    let (addr, stats) = stub::start();
    set_environment(home.path(), addr);

    if let Some(n) = s.profile_ours {
        write_aws_dir(home.path());
        let start = Instant::now();
        for _ in 0..n {
            black_box(ours_session());
        }
        let snap = stats.snapshot();
        println!(
            "ours: {n} sessions in {:?}; stub {:.1} µs per session; local {:.1} µs per session",
            start.elapsed(),
            snap.busy_ns as f64 / f64::from(n) / 1000.0,
            (start.elapsed().as_nanos() as f64 - snap.busy_ns as f64) / f64::from(n) / 1000.0
        );
        return;
    }

    if s.breakdown {
        write_aws_dir(home.path());
        breakdown(&stats, s.session_rounds);
        return;
    }

    println!("# Credentials: aws-session against aws-config and botocore\n");
    bench_cache_hit();

    println!("## 2. Session creation + first credentials (two-hop assume-role chain, STS stub on {addr})\n");
    write_aws_dir(home.path());
    let (ours, aws) = bench_sessions(&stats, &s);
    let boto = match &s.python {
        Some(p) => bench_botocore(&stats, p, s.botocore_iterations),
        None => {
            println!("botocore skipped (no --python)");
            None
        }
    };
    println!();
    println!("| peer | local µs per session + credentials | stub µs per iteration (excluded) | AssumeRole calls | connections | iterations | peer / ours |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let row = |name: &str, r: &SessionResult| {
        println!(
            "| {name} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {:.1}× |",
            r.local_us,
            r.stub_us_per_iter,
            r.assume_role_per_iter,
            r.connections_per_iter,
            r.iterations,
            r.local_us / ours.local_us
        );
    };
    row("ours (aws-session)", &ours);
    row("aws-config", &aws);
    if let Some(b) = &boto {
        row("botocore", b);
    }
    let ratio = aws.local_us / ours.local_us;
    println!(
        "\nGoal ≥ 10× faster than aws-config: {} ({ratio:.1}×).",
        if ratio >= 10.0 { "met" } else { "NOT met" }
    );
}

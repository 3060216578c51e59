#!/usr/bin/env bash
# The whole test suite: what a newcomer runs, and what CI runs (.ci/run calls this script with no
# arguments, which runs every job). Run `scripts/test-all.sh --help` for the jobs.
#
# Each job installs only what it needs (rustup targets and components, Debian packages); the
# end-to-end jobs install their python peers themselves (scripts/peers.sh, scripts/netns-e2e.sh).
# Conformance suites are read from ../shared/testdata unless AWS_SESSION_TESTDATA says otherwise;
# under CI=true they must be there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Targets, named once. Core and the embassy adapter build for every embedded target; the feature
# matrix is checked on the host and on the first one. The QEMU images (core/qemu and
# examples/firmware/qemu-mps2-an385) build for QEMU_TARGET by default: their .cargo/config.toml
# must agree. Core's self-tests also run for QEMU_RISCV_TARGET (core/qemu's config has its runner).
EMBEDDED_TARGETS=(thumbv7em-none-eabihf thumbv6m-none-eabi riscv32imc-unknown-none-elf)
MATRIX_TARGET="${EMBEDDED_TARGETS[0]}"
QEMU_TARGET=thumbv7m-none-eabi
QEMU_RISCV_TARGET=riscv32imc-unknown-none-elf
SELFTEST_TARGETS=("$QEMU_TARGET" "$QEMU_RISCV_TARGET")
QEMU_CRATES=(core/qemu examples/firmware/qemu-mps2-an385)

# Jobs in the order they run by default.
JOBS=(host lint miri e2e qemu embassy netns fuzz)

usage() {
  cat <<EOF
Usage: scripts/test-all.sh [JOB...]

Runs the named jobs in the order given; with no JOB, runs all of them: ${JOBS[*]}.

Jobs:
  host     core for the embedded targets, with and without defmt
           (${EMBEDDED_TARGETS[*]});
           each feature of the library crates alone and all together (host and $MATRIX_TARGET);
           cargo test --workspace; core's tests again with AWS_SESSION_NARROW_PATHS=1 and
           with AWS_SESSION_NARROW_LIMITS=1
  lint     cargo fmt --check (the workspace and the excluded firmware crates);
           cargo doc --no-deps with warnings denied (core, std, embassy); clippy with warnings denied
  miri     a subset of core's host unit tests under Miri (nightly and its miri component,
           installed by the job): parsers, text and header stores, secrets, SigV4 encoding,
           time; whole sessions, pipelines, SigV4a and exhaustive sweeps are left out as too
           slow (MIRI_TESTS in this script says which and why); the embassy adapter's unsafe
           module (lend) under Stacked and Tree Borrows
  e2e      the CLI and the std adapter against moto and s3s-fs on 127.0.0.1 (scripts/e2e.sh)
  qemu     core's self-tests as firmware images under QEMU, one per shard, for a Cortex-M3
           ($QEMU_TARGET, lm3s6965evb) and a RISC-V core ($QEMU_RISCV_TARGET,
           virt); on each, a deliberately failing test must fail the run
  embassy  the embassy adapter for the embedded targets, its QEMU firmware example (mps2-an385),
           the STM32F4 and ESP32-C3 firmware examples
  netns    the embassy adapter over a TAP device in a network namespace against moto, s3s-fs
           and a TLS 1.3 server (scripts/netns-e2e.sh); the firmware examples' device application
           on QEMU (mps2-an385), its Ethernet frames over UART0 to a TAP device, against the AWS
           IoT credentials provider and moto, with its peak stack (scripts/qemu-full.sh). Needs
           root: skipped with a SKIPPED line when not root, a failure under CI=true
  fuzz     every cargo-fuzz target in fuzz/ for 20 s each (scripts/fuzz.sh 20: installs nightly
           and cargo-fuzz, seeds each corpus from the testdata, prints executions per target,
           fails on any crash); longer runs: scripts/fuzz.sh SECONDS

Environment: AWS_SESSION_TESTDATA (conformance suites, default ../shared/testdata),
CI=true (missing testdata or root is a failure, not a skip).
EOF
}

usage_error() {
  printf '%s\nUsage: scripts/test-all.sh [JOB...]  (jobs: %s; --help describes them)\n' "$1" "${JOBS[*]}" >&2
  exit 2
}

step() { printf '\n==> %s\n' "$*"; }
under_ci() { [ "${CI:-}" = "true" ]; }

# Installs the rustup targets that are missing.
need_targets() {
  local installed missing=() t
  installed="$(rustup target list --installed)"
  for t in "$@"; do grep -qx "$t" <<<"$installed" || missing+=("$t"); done
  [ ${#missing[@]} -eq 0 ] || rustup target add "${missing[@]}"
}

# Installs the rustup components that are missing.
need_components() {
  local installed c
  installed="$(rustup component list --installed)"
  for c in "$@"; do grep -q "^$c" <<<"$installed" || rustup component add "$c"; done
}

# need_apt PACKAGE:PROBE...: installs each Debian PACKAGE whose PROBE is missing. A PROBE is a
# command name, or a path when it starts with /.
need_apt() {
  local missing=() spec pkg probe sudo=""
  for spec in "$@"; do
    pkg="${spec%%:*}" probe="${spec#*:}"
    if [[ "$probe" == /* ]]; then [ -e "$probe" ] || missing+=("$pkg")
    else command -v "$probe" >/dev/null || missing+=("$pkg"); fi
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  step "installing ${missing[*]}"
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null && return 0
  # A package installed from the backports (such as a newer qemu-utils) can break the stable
  # versions of its siblings (qemu-system-*): take them from the same backports suite.
  local suite
  suite="$(. /etc/os-release && echo "$VERSION_CODENAME")-backports"
  dpkg-query -W -f '${Version}\n' | grep '~bpo' >/dev/null || return 1
  echo "retrying ${missing[*]} from $suite (an installed package comes from there)"
  echo "deb http://deb.debian.org/debian $suite main" |
    $sudo tee /etc/apt/sources.list.d/aws-session-backports.list >/dev/null
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -t "$suite" "${missing[@]}" >/dev/null
}

# --- host ---------------------------------------------------------------------------------------

# Features of the library crates for the feature matrix. Core's `http` and `sigv4a-tables` need std.
CORE_FEATURES=(defmt test-util selftest sigv4a wide-paths wide-limits endpoint-model host-providers)
CORE_STD_FEATURES=(http sigv4a-tables)
EMBASSY_FEATURES=(net tls tls-p384 tls-rsa insecure-skip-tls-verify-for-tests-only defmt test-util)

job_host() {
  need_targets "${EMBEDDED_TARGETS[@]}"
  # RSA keys of the test PKI (tls-verify/tests/pki.rs, the embassy RSA TLS test).
  need_apt openssl:openssl

  step "core builds for the embedded targets (with and without defmt)"
  local t f all
  for t in "${EMBEDDED_TARGETS[@]}"; do
    cargo build -q -p aws-session-core --target "$t"
    cargo build -q -p aws-session-core --target "$t" --features defmt
  done

  step "tls-verify builds for the embedded targets (each feature set)"
  for t in "${EMBEDDED_TARGETS[@]}"; do
    cargo build -q -p aws-session-tls-verify --target "$t"
    cargo build -q -p aws-session-tls-verify --target "$t" --no-default-features --features defmt
  done

  step "each feature of the library crates alone, and all together (host and $MATRIX_TARGET)"
  for f in "${CORE_FEATURES[@]}" "${CORE_STD_FEATURES[@]}"; do
    cargo check -q -p aws-session-core --features "$f"
  done
  cargo check -q -p aws-session-core --all-features
  all="$(IFS=,; echo "${CORE_FEATURES[*]}")"
  for f in "${CORE_FEATURES[@]}" "$all"; do
    cargo check -q -p aws-session-core --target "$MATRIX_TARGET" --features "$f"
  done
  cargo check -q -p aws-session-std --no-default-features
  cargo check -q -p aws-session-std --no-default-features --features https
  for t in host "$MATRIX_TARGET"; do
    local on=()
    [ "$t" = host ] || on=(--target "$t")
    cargo check -q -p aws-session-embassy "${on[@]}" --no-default-features
    for f in "${EMBASSY_FEATURES[@]}"; do
      cargo check -q -p aws-session-embassy "${on[@]}" --no-default-features --features "$f"
      cargo check -q -p aws-session-embassy "${on[@]}" --features "$f"
    done
    cargo check -q -p aws-session-embassy "${on[@]}" --all-features
  done

  step "host tests (workspace)"
  cargo test --workspace
  # The embassy TLS tests again with RSA and P-384: an RSA server, a cross-signed chain.
  cargo test -p aws-session-embassy --features tls-rsa,tls-p384 --test tls_two_stacks
  # core again with the word-at-a-time paths off (see core/build.rs)
  AWS_SESSION_NARROW_PATHS=1 cargo test -p aws-session-core --tests --features host-providers
  # core again with the narrow capacities a 32-bit device gets (see core/build.rs)
  AWS_SESSION_NARROW_LIMITS=1 cargo test -p aws-session-core --tests --features host-providers
  # core as firmware builds it, without the host providers: they are refused by name
  cargo test -p aws-session-core --lib fetch::left_out
}

# --- lint ---------------------------------------------------------------------------------------

job_lint() {
  need_targets "$MATRIX_TARGET"
  need_components rustfmt clippy

  step "formatting (rustfmt.toml): the workspace, then every tracked Rust file (firmware crates too)"
  cargo fmt --all --check
  git ls-files -z '*.rs' | xargs -0 rustfmt --edition 2021 --check

  step "docs build with warnings denied"
  RUSTDOCFLAGS="-D warnings" cargo doc -q --no-deps -p aws-session-core
  RUSTDOCFLAGS="-D warnings" cargo doc -q --no-deps -p aws-session-core --all-features
  RUSTDOCFLAGS="-D warnings" cargo doc -q --no-deps -p aws-session-std
  RUSTDOCFLAGS="-D warnings" cargo doc -q --no-deps -p aws-session-embassy
  RUSTDOCFLAGS="-D warnings" cargo doc -q --no-deps -p aws-session-embassy --all-features
  RUSTDOCFLAGS="-D warnings" cargo doc -q --no-deps -p aws-session-tls-verify --all-features

  step "clippy (warnings denied)"
  cargo clippy -q --workspace --all-targets -- -D warnings
  cargo clippy -q -p aws-session-core --target "$MATRIX_TARGET" -- -D warnings
  cargo clippy -q -p aws-session-embassy --target "$MATRIX_TARGET" --features defmt -- -D warnings
  cargo clippy -q -p aws-session-embassy --all-targets --features tls-p384,tls-rsa,insecure-skip-tls-verify-for-tests-only -- -D warnings
  cargo clippy -q -p aws-session-tls-verify --target "$MATRIX_TARGET" --no-default-features -- -D warnings
}

# --- miri ---------------------------------------------------------------------------------------

# Core's unit tests that Miri runs (libtest filters: module paths). Miri interprets every step, so
# the whole lib suite takes over half an hour on 2 cores; this subset (90 of 245 tests) takes about
# 3 minutes (190 s for the whole job with the toolchain already installed, 2026-12-07). It keeps
# the code that handles outside bytes and fixed capacities, where a bad index or arithmetic slip
# would hide: text and HTTP header stores, the profile parser, credentials JSON and STS XML, secret
# zeroization, SigV4 percent-encoding and canonical tables, time parsing, handler lists. Left out:
# whole sessions, clients and pipelines (each signs with SHA-256/HMAC many times over: minutes per
# test), SigV4a (P-256 key derivation: over ten minutes for one test), the signing tests of
# sigv4::conformance and sigv4::signing_key (hashing again), and MIRI_SKIP's long sweeps. The
# integration suites under core/tests (and ../shared/testdata) are not lib tests: Miri skips them.
MIRI_TESTS=(text:: http:: profile::parse profile::value profile::normalize credentials::json
  credentials::sts credentials::fill secret:: sigv4::encoding sigv4::canonical_request time::
  handlers::list)
# Sweeps too long to interpret (the host and QEMU runs keep them): the word-at-a-time query scanner
# against a byte loop (millions of cases), an STS response cut at every byte, and a date round trip
# every 37 days over ten thousand years.
MIRI_SKIP=(word_scan_matches_byte_scan malformed_and_hostile_responses_are_typed
  round_trip_every_day_boundary_sample)

job_miri() {
  step "nightly toolchain with Miri"
  rustup toolchain install nightly --component miri --profile minimal
  cargo +nightly miri setup

  step "core's unit tests under Miri (subset: ${MIRI_TESTS[*]})"
  local skip=() t
  for t in "${MIRI_SKIP[@]}"; do skip+=(--skip "$t"); done
  cargo +nightly miri test -p aws-session-core --lib -- "${MIRI_TESTS[@]}" "${skip[@]}"

  step "the embassy adapter's one unsafe module (lend: buffers lent to one connection after another), Stacked and Tree Borrows"
  cargo +nightly miri test -p aws-session-embassy --lib -- lend::
  MIRIFLAGS="-Zmiri-tree-borrows" cargo +nightly miri test -p aws-session-embassy --lib -- lend::
}

# --- e2e ----------------------------------------------------------------------------------------

job_e2e() {
  # curl probes the test servers; CA certificates for pip.
  need_apt curl:curl ca-certificates:/etc/ssl/certs/ca-certificates.crt
  step "end-to-end tests against moto and s3s-fs (127.0.0.1)"
  bash scripts/e2e.sh
}

# --- qemu ---------------------------------------------------------------------------------------

# The QEMU crates build for their .cargo/config.toml target; it must be QEMU_TARGET. core/qemu
# must also have a runner for QEMU_RISCV_TARGET.
check_qemu_target() {
  local c
  for c in "${QEMU_CRATES[@]}"; do
    grep -qx "target = \"$QEMU_TARGET\"" "$c/.cargo/config.toml" ||
      { echo "$c/.cargo/config.toml does not build for $QEMU_TARGET (QEMU_TARGET in $0)" >&2; exit 1; }
  done
  grep -qx "\[target.$QEMU_RISCV_TARGET\]" core/qemu/.cargo/config.toml ||
    { echo "core/qemu/.cargo/config.toml has no runner for $QEMU_RISCV_TARGET (QEMU_RISCV_TARGET in $0)" >&2; exit 1; }
}

# run_selftests TARGET: core's self-tests as one core/qemu image per shard (the shards are
# selftest::SHARDS in core, plus the classic SigV4 suite; image 0 reports how many there are), then
# the deliberately failing test, which must fail the run. Appends a line per image to `summary`.
run_selftests() {
  local target="$1" log shards i fail_log
  step "core self-tests on $target under QEMU (one firmware image per shard)"
  log="$(mktemp)"
  (cd core/qemu && SELFTEST_SHARD=0 cargo run -q --release --target "$target") | tee "$log"
  shards="$(sed -n 's/.*of shard 0\/\([0-9]*\).*/\1/p' "$log" | head -n1)"
  [ -n "$shards" ] || { echo "could not read the shard count from the firmware output" >&2; exit 1; }
  summary+=("$target image 0/$shards: $(tail -n1 "$log")")
  for ((i = 1; i < shards; i++)); do
    (cd core/qemu && SELFTEST_SHARD=$i cargo run -q --release --target "$target") | tee "$log"
    summary+=("$target image $i/$shards: $(tail -n1 "$log")")
  done
  rm -f "$log"

  step "a deliberately failing self-test must fail the QEMU run ($target)"
  fail_log="$(mktemp)"
  if (cd core/qemu && SELFTEST_SHARD=1 cargo run -q --release --target "$target" --features fail-demo) >"$fail_log" 2>&1; then
    cat "$fail_log"; echo "the failing firmware test did not fail the run on $target" >&2; exit 1
  fi
  grep -q 'FAILED' "$fail_log" || { cat "$fail_log"; echo "the failing run did not report FAILED on $target" >&2; exit 1; }
  rm -f "$fail_log"
  echo "ok: the failing test made QEMU exit non-zero"
  summary+=("$target fail-demo: failed the run, as it must")
}

job_qemu() {
  need_targets "${SELFTEST_TARGETS[@]}"
  # qemu-system-arm for the Cortex-M3; qemu-system-misc has qemu-system-riscv32.
  need_apt qemu-system-arm:qemu-system-arm qemu-system-misc:qemu-system-riscv32
  check_qemu_target

  local summary=() t line
  for t in "${SELFTEST_TARGETS[@]}"; do run_selftests "$t"; done
  step "self-test images: tests passed, peak stack of the deepest test, flash and statics"
  for line in "${summary[@]}"; do echo "  $line"; done
}

# --- embassy ------------------------------------------------------------------------------------

job_embassy() {
  need_targets "${EMBEDDED_TARGETS[@]}" "$QEMU_TARGET"
  # QEMU for the mps2-an385 example; CA certificates for the firmware examples' trust anchors.
  need_apt qemu-system-arm:qemu-system-arm ca-certificates:/etc/ssl/certs/Amazon_Root_CA_1.pem
  check_qemu_target

  step "embassy adapter: embedded builds"
  local t
  for t in "${EMBEDDED_TARGETS[@]}"; do
    cargo build -q -p aws-session-embassy --target "$t"
    cargo build -q -p aws-session-embassy --target "$t" --no-default-features
  done

  step "embassy firmware example on QEMU (mps2-an385)"
  (cd examples/firmware/qemu-mps2-an385 && cargo run -q --release)

  step "STM32F4 and ESP32-C3 firmware examples build"
  (cd examples/firmware/stm32f4-eth && cargo build -q --release)
  (cd examples/firmware/esp32c3-wifi && cargo build -q --release)
}

# --- netns --------------------------------------------------------------------------------------

job_netns() {
  if [ "$(id -u)" -ne 0 ]; then
    if under_ci; then
      echo "FAILED: netns needs root (ip netns, a TAP device); required under CI" >&2
      exit 1
    fi
    echo "SKIPPED: netns needs root (ip netns, a TAP device); run this job as root"
    skipped+=(netns)
    return 0
  fi
  need_targets "$QEMU_TARGET"
  need_apt iproute2:ip curl:curl ca-certificates:/etc/ssl/certs/ca-certificates.crt \
    qemu-system-arm:qemu-system-arm
  check_qemu_target
  step "embassy adapter over a TAP device in a network namespace (moto, TLS 1.3)"
  bash scripts/netns-e2e.sh
  step "the device application as firmware on QEMU, its network over a serial line to a TAP device (scripts/qemu-full.sh)"
  bash scripts/qemu-full.sh
}

# --- fuzz ---------------------------------------------------------------------------------------

job_fuzz() {
  need_apt openssl:openssl # x509_chain's seeds come from the test PKI
  step "fuzz targets, 20 s each, seeded from the testdata (scripts/fuzz.sh)"
  bash scripts/fuzz.sh 20
}

# --- main ---------------------------------------------------------------------------------------

selected=()
for arg in "$@"; do
  case "$arg" in
    -h | --help) usage; exit 0 ;;
    -*) usage_error "unknown option: $arg" ;;
  esac
  [[ " ${JOBS[*]} " == *" $arg "* ]] || usage_error "unknown job: $arg"
  selected+=("$arg")
done
[ ${#selected[@]} -gt 0 ] || selected=("${JOBS[@]}")

# Conformance suites: ../shared/testdata unless AWS_SESSION_TESTDATA says otherwise.
export AWS_SESSION_TESTDATA="${AWS_SESSION_TESTDATA:-$root/../shared/testdata}"
if [ ! -d "$AWS_SESSION_TESTDATA" ]; then
  if under_ci; then echo "testdata not found at $AWS_SESSION_TESTDATA (required under CI)" >&2; exit 1; fi
  echo "NOTICE: testdata not found at $AWS_SESSION_TESTDATA; conformance tests will be SKIPPED" >&2
fi

# Disk: a CI run builds each crate once, so incremental caches and full debug info would only fill
# the disk (a run once stopped on "No space left on device"). Line tables keep test backtraces.
if under_ci; then
  export CARGO_INCREMENTAL=0
  export CARGO_PROFILE_DEV_DEBUG=line-tables-only
fi
step "disk before the jobs: $(df -h --output=avail . | tail -n1 | tr -d ' ') free"

ran=()
skipped=() # jobs add themselves when they skip
for job in "${selected[@]}"; do
  printf '\n######## job: %s ########\n' "$job"
  "job_$job"
  [[ " ${skipped[*]} " == *" $job "* ]] || ran+=("$job")
done

step "disk after the jobs: $(df -h --output=avail . | tail -n1 | tr -d ' ') free; target/ holds $(du -sh target 2>/dev/null | cut -f1)"
step "passed: ${ran[*]:-none}${skipped[*]:+; SKIPPED: ${skipped[*]}}"

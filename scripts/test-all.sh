#!/usr/bin/env bash
# The whole test suite: what a newcomer runs, and what CI runs (.ci/run calls this script).
#
# It installs what it needs (rustup targets, clippy, qemu-system-arm), then:
#   1. builds aws-session-core for thumbv7em-none-eabihf, thumbv6m-none-eabi and riscv32imc-unknown-none-elf,
#      with and without the defmt feature;
#   2. runs every host test of the workspace (conformance suites read from ../shared/testdata);
#   3. runs core's self-tests as a Cortex-M3 firmware image under QEMU (lm3s6965evb), and checks that a
#      deliberately failing test makes that run exit non-zero;
#   4. runs the end-to-end tests: the aws-session CLI and the std adapter against a signature-checking
#      moto server and the strict s3s-fs S3 server, both started on 127.0.0.1 by scripts/e2e.sh;
#   5. builds the embassy adapter for the embedded targets, runs its QEMU firmware example, builds the
#      STM32F4 and ESP32-C3 examples, and runs it over a TAP device in a network namespace against
#      moto and a TLS 1.3 test server;
#   6. runs clippy with warnings denied.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
step() { printf '\n==> %s\n' "$*"; }

# Conformance suites: ../shared/testdata unless AWS_SESSION_TESTDATA says otherwise.
export AWS_SESSION_TESTDATA="${AWS_SESSION_TESTDATA:-$root/../shared/testdata}"
if [ ! -d "$AWS_SESSION_TESTDATA" ]; then
  if [ "${CI:-}" = "true" ]; then echo "testdata not found at $AWS_SESSION_TESTDATA (required under CI)" >&2; exit 1; fi
  echo "NOTICE: testdata not found at $AWS_SESSION_TESTDATA; conformance tests will be SKIPPED" >&2
fi

step "toolchain: targets and components"
targets=(thumbv7em-none-eabihf thumbv6m-none-eabi riscv32imc-unknown-none-elf thumbv7m-none-eabi)
missing=()
installed="$(rustup target list --installed)"
for t in "${targets[@]}"; do grep -qx "$t" <<<"$installed" || missing+=("$t"); done
[ ${#missing[@]} -eq 0 ] || rustup target add "${missing[@]}"
rustup component list --installed | grep -q '^clippy' || rustup component add clippy

# Debian packages the suite needs: QEMU for the firmware, curl and iproute2 for the test servers and
# the network namespace, CA certificates for the firmware examples' trust anchors.
apt_missing=()
command -v qemu-system-arm >/dev/null || apt_missing+=(qemu-system-arm)
command -v curl >/dev/null || apt_missing+=(curl)
command -v ip >/dev/null || apt_missing+=(iproute2)
[ -f /etc/ssl/certs/Amazon_Root_CA_1.pem ] || apt_missing+=(ca-certificates)
if [ ${#apt_missing[@]} -gt 0 ]; then
  step "installing ${apt_missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_missing[@]}" >/dev/null
fi

step "core builds for the embedded targets (with and without defmt)"
for t in thumbv7em-none-eabihf thumbv6m-none-eabi riscv32imc-unknown-none-elf; do
  cargo build -q -p aws-session-core --target "$t"
  cargo build -q -p aws-session-core --target "$t" --features defmt
done

step "each feature of the library crates alone, and all together"
for f in defmt test-util selftest http defmt,test-util,selftest,http; do
  cargo check -q -p aws-session-core --features "$f"
done
cargo check -q -p aws-session-std --no-default-features
cargo check -q -p aws-session-std --no-default-features --features https

step "host tests (workspace)"
cargo test --workspace

step "end-to-end tests against moto and s3s-fs (127.0.0.1)"
bash scripts/e2e.sh

step "core self-tests on Cortex-M3 under QEMU (one firmware image per shard of selftest::SHARDS)"
qemu_log="$(mktemp)"
(cd core/qemu && SELFTEST_SHARD=0 cargo run -q --release) | tee "$qemu_log"
shards="$(sed -n 's/.*of shard 0\/\([0-9]*\).*/\1/p' "$qemu_log" | head -n1)"
[ -n "$shards" ] || { echo "could not read the shard count from the firmware output" >&2; exit 1; }
for ((i = 1; i < shards; i++)); do
  (cd core/qemu && SELFTEST_SHARD=$i cargo run -q --release)
done
step "a deliberately failing self-test must fail the QEMU run"
if (cd core/qemu && SELFTEST_SHARD=1 cargo run -q --release --features fail-demo) >/tmp/aws-session-qemu-fail.log 2>&1; then
  cat /tmp/aws-session-qemu-fail.log; echo "the failing firmware test did not fail the run" >&2; exit 1
fi
grep -q 'FAILED' /tmp/aws-session-qemu-fail.log && echo "ok: the failing test made QEMU exit non-zero"

step "embassy adapter: embedded builds"
for t in thumbv7em-none-eabihf thumbv6m-none-eabi riscv32imc-unknown-none-elf; do
  cargo build -q -p aws-session-embassy --target "$t"
  cargo build -q -p aws-session-embassy --target "$t" --no-default-features
done

step "embassy firmware example on QEMU (mps2-an385)"
(cd examples/firmware/qemu-mps2-an385 && cargo run -q --release)

step "STM32F4 and ESP32-C3 firmware examples build"
(cd examples/firmware/stm32f4-eth && cargo build -q --release)
(cd examples/firmware/esp32c3-wifi && cargo build -q --release)

step "embassy adapter over a TAP device in a network namespace (moto, TLS 1.3)"
bash scripts/netns-e2e.sh

step "clippy (warnings denied)"
cargo clippy -q --workspace --all-targets -- -D warnings
cargo clippy -q -p aws-session-core --target thumbv7em-none-eabihf -- -D warnings
cargo clippy -q -p aws-session-embassy --target thumbv7em-none-eabihf --features defmt -- -D warnings
cargo clippy -q -p aws-session-embassy --all-targets --features tls-p384,tls-rsa,insecure-skip-tls-verify-for-tests-only -- -D warnings

step "all checks passed"

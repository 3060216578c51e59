#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for SECONDS each (default 20) and prints the executions
# each one made. Fails when any target crashes, panics on a broken property, or times out.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Every input in fuzz/regressions/TARGET (inputs that once failed, kept after the fix) is run
# first, as part of the corpus.
#
# Installs what it needs: the nightly toolchain (rustup) and cargo-fuzz (cargo install --locked).
# Each target's corpus is fuzz/corpus/TARGET (untracked: it grows from run to run on one machine)
# plus seeds written for this run into a temporary folder by fuzz/seeds.py from the conformance
# suites in ../shared/testdata (or $AWS_SESSION_TESTDATA), and for x509_chain by the test PKI of
# tls-verify's tests. Under CI=true missing testdata is a
# failure; elsewhere the targets run unseeded after a notice. A crashing input is saved in
# fuzz/artifacts/TARGET/; rerun it with `cargo +nightly fuzz run TARGET FILE` from fuzz/.
#
# FUZZ_RUNS=N also stops each target after N executions (for long runs that aim at a count:
# FUZZ_RUNS=10000000 scripts/fuzz.sh 7200 profile_file).
#
# The targets are built without AddressSanitizer (`-s none`: the code under test has no unsafe
# code) and with debug assertions and overflow checks on (`-a`), so arithmetic overflow is a
# crash too.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/fuzz"

usage() { sed -n '2,/^set -e/p' "$root/scripts/fuzz.sh" | sed '$d; s/^# \{0,1\}//'; }

seconds=20
if [ $# -gt 0 ]; then
  case "$1" in
    -h | --help) usage; exit 0 ;;
    *[!0-9]* | "" | 0) echo "SECONDS must be a positive whole number, not '$1'" >&2; usage >&2; exit 2 ;;
    *) seconds="$1"; shift ;;
  esac
fi

step() { printf '\n==> %s\n' "$*"; }

# --- tools -------------------------------------------------------------------------------------
if ! rustup toolchain list | grep -q '^nightly'; then
  step "installing the nightly toolchain (cargo-fuzz needs it)"
  rustup toolchain install nightly --profile minimal
fi
if ! command -v cargo-fuzz >/dev/null; then
  step "installing cargo-fuzz"
  cargo install --locked cargo-fuzz
fi
command -v python3 >/dev/null || { echo "python3 is needed to write the seed corpus" >&2; exit 1; }

all_targets=()
while IFS= read -r t; do all_targets+=("$t"); done < <(cargo +nightly fuzz list)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "unknown target: $t (targets: ${all_targets[*]})" >&2; exit 2; }
done

# --- seeds -------------------------------------------------------------------------------------
testdata="${AWS_SESSION_TESTDATA:-$root/../shared/testdata}"
if [ ! -d "$testdata" ]; then
  if [ "${CI:-}" = "true" ]; then echo "testdata not found at $testdata (required under CI)" >&2; exit 1; fi
  echo "NOTICE: testdata not found at $testdata; the targets run without its seeds" >&2
fi
seeds="$(mktemp -d)"
trap 'rm -rf "$seeds"' EXIT
step "seed corpus from $testdata"
python3 seeds.py "$testdata" "$seeds"
if [[ " ${targets[*]} " == *" x509_chain "* ]]; then
  # Certificate chains come from the test PKI that tls-verify's tests build (nothing committed).
  step "seed chains for x509_chain from the test PKI (tls-verify/tests/pki.rs)"
  (cd "$root" && TLS_VERIFY_FUZZ_SEEDS="$seeds/x509_chain" cargo test -q -p aws-session-tls-verify --test pki >/dev/null)
  echo "$(ls "$seeds/x509_chain" | wc -l) chains"
fi

# --- build and run -----------------------------------------------------------------------------
flags=(-O -a -s none)
step "building the fuzz targets"
cargo +nightly fuzz build "${flags[@]}"

failed=()
report=()
for t in "${targets[@]}"; do
  step "fuzzing $t for ${seconds}s"
  mkdir -p "corpus/$t" "$seeds/$t"
  log="$seeds/$t.log"
  status=0
  regressions=()
  [ -d "regressions/$t" ] && regressions=("regressions/$t")
  cargo +nightly fuzz run "${flags[@]}" "$t" "corpus/$t" "$seeds/$t" "${regressions[@]}" -- \
    -max_total_time="$seconds" ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)"
  if [ "$status" -ne 0 ]; then
    # The panic message or sanitizer report, and the failing input's path.
    grep -m1 -A12 -E "panicked at|ERROR: libFuzzer|==ERROR" "$log" || tail -n 40 "$log"
    grep -A2 -E "^Failing input:" "$log" || true
    failed+=("$t")
    report+=("$(printf '%-18s %12s executions  %8s/s  FAILED (input in fuzz/artifacts/%s/)' "$t" "${execs:-?}" "${rate:-?}" "$t")")
  else
    report+=("$(printf '%-18s %12s executions  %8s/s  ok' "$t" "${execs:-?}" "${rate:-?}")")
  fi
  echo "${report[-1]}"
done

step "fuzzing summary (${seconds}s per target)"
printf '%s\n' "${report[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi

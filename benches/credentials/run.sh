#!/usr/bin/env bash
# The credentials benchmark in one run (docs/performance.md, "Credentials"):
#   1. a cache hit, ours against aws-config's identity cache;
#   2. session creation + first credentials through a two-hop assume-role chain (STS stub on
#      127.0.0.1), ours against aws-config (Rust) and botocore (Python).
#
#   benches/credentials/run.sh [--rounds N] [--botocore-iterations N]
#   benches/credentials/run.sh --breakdown      # where ours spends its time, part by part
#   benches/credentials/run.sh --requests [--rounds N]   # requests per second against aws-sdk-sts
#                                               # (STS GetCallerIdentity, one keep-alive connection)
#
# Installs botocore's venv with `scripts/peers.sh install` (moto, boto3; PEERS_ONLY=moto, so the
# s3s-fs build is skipped) when it is missing, then builds and runs the --release binary. The crate
# is outside the workspace (it pulls in aws-config); its target folder is CARGO_TARGET_DIR, else
# benches/credentials/target. Builds run under `nice`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${PEERS_VENV:-${PEERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/aws-session-peers}/venv}"

if ! "$venv/bin/python" -c 'import botocore' 2>/dev/null; then
  PEERS_ONLY=moto "$root/scripts/peers.sh" install
fi

nice -n 10 cargo build --release --locked --manifest-path "$here/Cargo.toml"
target="${CARGO_TARGET_DIR:-$here/target}"
if [ "${1:-}" = "--requests" ]; then
  shift
  exec "$target/release/requests" "$@"
fi
exec "$target/release/aws-session-bench-credentials" --python "$venv/bin/python" "$@"

#!/usr/bin/env bash
# End-to-end tests: start moto and s3s-fs on 127.0.0.1 (installing them on first use), run the
# aws-session-tests crate against them with AWS_SESSION_E2E=1, and stop them whatever happens.
# The crate's SigV4a differential test also runs here: it signs with botocore's CRT signer from
# the peers venv (installed by `peers.sh install`) in a local python subprocess.
#
#   scripts/e2e.sh                 # all end-to-end tests
#   scripts/e2e.sh presigned       # extra arguments go to `cargo test` (a test name filter, ...)
#
# Ports: MOTO_PORT (default 5056) and S3S_PORT (default 8015), kept apart from the defaults of
# scripts/peers.sh so that peers you started by hand keep running.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export MOTO_PORT="${MOTO_PORT:-5056}" S3S_PORT="${S3S_PORT:-8015}"

scripts/peers.sh install
trap 'scripts/peers.sh stop' EXIT
exports="$(scripts/peers.sh start)"
eval "$exports"

cargo build -q -p aws-session-std --bin aws-session
AWS_SESSION_E2E=1 cargo test -p aws-session-tests "$@"

#!/usr/bin/env bash
# Local, signature-checking AWS peers for the end-to-end tests, on 127.0.0.1 only.
#
#   scripts/peers.sh install   install moto and botocore's CRT signer (Python venv) and s3s-fs (cargo)
#                              into the cache folder
#   scripts/peers.sh start     start both, print `export NAME=value` lines (also kept in $STATE)
#   scripts/peers.sh stop      stop both (by their recorded pids)
#   scripts/peers.sh env       print the exports of the running peers again
#
#   eval "$(scripts/peers.sh start)"; AWS_SESSION_E2E=1 cargo test -p aws-session-tests; scripts/peers.sh stop
#
# Peers:
#   moto server (PyPI `moto[server]`): STS, S3, DynamoDB, SQS, IAM. Started with authentication off
#     so that an IAM user, an access key and the test resources can be created, then switched to
#     checking every signature (POST /moto-api/reset-auth with 0: INITIAL_NO_AUTH_ACTION_COUNT=0).
#     Exports MOTO_ENDPOINT MOTO_REGION MOTO_AKID MOTO_SECRET MOTO_BUCKET MOTO_TABLE MOTO_QUEUE_URL.
#     Once checks are on, four IAM roles are created with that key (trust and inline policy allow
#     everything), for assume-role chains and MFA: MOTO_ROLE_ARNS (space-separated).
#   a second moto server with authentication left off: STS `AssumeRoleWithWebIdentity` is unsigned,
#     and moto takes an unsigned call only with its checks off.
#     Exports MOTO_NOAUTH_ENDPOINT MOTO_NOAUTH_ROLE_ARN.
#   botocore's CRT signer (PyPI `awscrt`, aws-c-auth) in the same venv: not a server, the SigV4a
#     differential test (tests/tests/e2e_crt_sigv4a.rs) runs tests/peers/crt_sigv4a.py with it.
#   s3s-fs 0.14.1 (crates.io): a strict S3 server over a folder; checks header signatures, presigned
#     URLs, payload hashes and every aws-chunked chunk signature.
#     Exports S3S_ENDPOINT S3S_AKID S3S_SECRET S3S_BUCKET.
#
# When ../shared/tools/{moto,s3s}.sh exist beside the workspace they are used; otherwise this
# script performs the same steps itself.
#
# Settings (environment): PEERS_DIR (cache, default ${XDG_CACHE_HOME:-$HOME/.cache}/aws-session-peers),
# MOTO_PORT (5055), MOTO_NOAUTH_PORT (MOTO_PORT + 10), S3S_PORT (8014), PEERS_ONLY=moto|s3s to start
# one of them (moto starts both moto servers), PEERS_HOST (127.0.0.1; scripts/netns-e2e.sh binds
# s3s-fs to its namespace's own address with it).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared_tools="$root/../shared/tools"
export PEERS_DIR="${PEERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/aws-session-peers}"
STATE="$PEERS_DIR/state"
MOTO_PORT="${MOTO_PORT:-5055}"
MOTO_NOAUTH_PORT="${MOTO_NOAUTH_PORT:-$((MOTO_PORT + 10))}"
S3S_PORT="${S3S_PORT:-8014}"
S3S_VERSION=0.14.1
S3S_ROOT="${S3S_TOOLS:-$PEERS_DIR/s3s}"
VENV="${PEERS_VENV:-$PEERS_DIR/venv}"
HOST="${PEERS_HOST:-127.0.0.1}"
mkdir -p "$STATE"

log() { printf 'peers.sh: %s\n' "$*" >&2; }
have_shared() { [ -f "$shared_tools/$1" ]; }
wants() { [ -z "${PEERS_ONLY:-}" ] || [ "$PEERS_ONLY" = "$1" ]; }

# ---- installation -----------------------------------------------------------------------------

install_moto() {
  [ -x "$VENV/bin/moto_server" ] && return 0
  log "installing moto[server] and boto3 into $VENV"
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install -q 'moto[server]' boto3 >&2
}

# awscrt beside botocore, for the CRT SigV4a signer (botocore.crt.auth). botocore.auth is imported
# first: the two modules import each other.
install_crt() {
  "$VENV/bin/python" -c 'import awscrt, botocore.auth, botocore.crt.auth' 2>/dev/null && return 0
  log "installing botocore[crt] (awscrt) into $VENV"
  "$VENV/bin/pip" install -q 'botocore[crt]' >&2
}

install_s3s() {
  [ -x "$S3S_ROOT/bin/s3s-fs" ] && return 0
  log "installing s3s-fs $S3S_VERSION into $S3S_ROOT (takes several minutes)"
  CARGO_TARGET_DIR="$S3S_ROOT/target" cargo install --locked --root "$S3S_ROOT" "s3s-fs@$S3S_VERSION" --features binary >&2
}

# ---- moto -------------------------------------------------------------------------------------

wait_http() { # url pid logfile
  for _ in $(seq 1 150); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)
    [ "$code" != "000" ] && return 0
    kill -0 "$2" 2>/dev/null || { log "server exited; log follows"; cat "$3" >&2; return 1; }
    sleep 0.1
  done
  log "no answer from $1"; return 1
}

# Starts moto on port $1 with authentication off, records its pid file and waits until it
# answers; prints the pid.
launch_moto() {
  install_moto
  local port="$1"
  local pidf="$STATE/moto-$port.pid" logf="$STATE/moto-$port.log"
  if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
    log "moto already running on $port (pid $(cat "$pidf"))"; return 1
  fi
  env -u INITIAL_NO_AUTH_ACTION_COUNT "$VENV/bin/moto_server" -H "$HOST" -p "$port" >"$logf" 2>&1 &
  local pid=$!
  echo "$pid" >"$pidf"
  wait_http "http://$HOST:$port/moto-api/" "$pid" "$logf" || { kill "$pid" 2>/dev/null; rm -f "$pidf"; return 1; }
  echo "$pid"
}

start_moto_here() { # prints MOTO_* lines
  local pidf="$STATE/moto-$MOTO_PORT.pid" ep="http://$HOST:$MOTO_PORT" pid
  pid="$(launch_moto "$MOTO_PORT")" || return 1
  # Bootstrap while authentication is still off: a user allowed everything, its key, resources.
  local keys
  keys="$(MOTO_ENDPOINT="$ep" "$VENV/bin/python" - <<'PY'
import json, os, boto3
ep = os.environ["MOTO_ENDPOINT"]
kw = dict(endpoint_url=ep, region_name="us-east-1", aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
iam = boto3.client("iam", **kw)
iam.create_user(UserName="aws-session-e2e")
iam.put_user_policy(UserName="aws-session-e2e", PolicyName="everything", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
key = iam.create_access_key(UserName="aws-session-e2e")["AccessKey"]
boto3.client("s3", **kw).create_bucket(Bucket="sigv4-test-bucket")
boto3.client("dynamodb", **kw).create_table(
    TableName="sigv4-test-table", BillingMode="PAY_PER_REQUEST",
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
boto3.client("sqs", **kw).create_queue(QueueName="sigv4-test-queue")
print(f"MOTO_AKID={key['AccessKeyId']}")
print(f"MOTO_SECRET={key['SecretAccessKey']}")
PY
)" || { kill "$pid" 2>/dev/null; rm -f "$pidf"; return 1; }
  # From now on every request must be signed by a key moto knows (threshold 0, counter reset).
  curl -fsS -X POST -H 'Content-Type: text/plain' --data-binary 0 "$ep/moto-api/reset-auth" >/dev/null
  echo "MOTO_PID=$pid"
  echo "MOTO_ENDPOINT=$ep"
  echo "MOTO_REGION=us-east-1"
  echo "$keys"
}

# The assume-role test roles, created through the signature-checking moto with its user's key
# (the same way whichever script started moto). Prints MOTO_ROLE_ARNS.
create_roles() { # endpoint akid secret
  MOTO_ENDPOINT="$1" MOTO_AKID="$2" MOTO_SECRET="$3" "$VENV/bin/python" - <<'PY'
import json, os, boto3
iam = boto3.client("iam", endpoint_url=os.environ["MOTO_ENDPOINT"], region_name="us-east-1",
                   aws_access_key_id=os.environ["MOTO_AKID"],
                   aws_secret_access_key=os.environ["MOTO_SECRET"])
anyone = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
everything = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"}]}
arns = []
for name in ["aws-session-e2e-hop-1", "aws-session-e2e-hop-2", "aws-session-e2e-hop-3",
             "aws-session-e2e-mfa"]:
    arns.append(iam.create_role(RoleName=name,
                                AssumeRolePolicyDocument=json.dumps(anyone))["Role"]["Arn"])
    iam.put_role_policy(RoleName=name, PolicyName="everything",
                        PolicyDocument=json.dumps(everything))
print(f"MOTO_ROLE_ARNS='{' '.join(arns)}'")
PY
}

start_moto() {
  local lines
  if have_shared moto.sh; then
    lines="$(PEERS_VENV="$VENV" MOTO_STATE_DIR="$STATE" bash "$shared_tools/moto.sh" start "$MOTO_PORT" | sed 's/^export //')"
  else
    lines="$(start_moto_here)"
  fi
  printf '%s\n' "$lines" | grep -E '^MOTO_(PID|ENDPOINT|REGION|AKID|SECRET)='
  echo "MOTO_BUCKET=sigv4-test-bucket"
  echo "MOTO_TABLE=sigv4-test-table"
  echo "MOTO_QUEUE_URL=http://$HOST:$MOTO_PORT/123456789012/sigv4-test-queue"
  local akid secret
  akid="$(printf '%s\n' "$lines" | sed -n 's/^MOTO_AKID=//p')"
  secret="$(printf '%s\n' "$lines" | sed -n 's/^MOTO_SECRET=//p')"
  create_roles "http://$HOST:$MOTO_PORT" "$akid" "$secret"
}

# The second moto, authentication off (never reset-auth): for unsigned AssumeRoleWithWebIdentity.
start_moto_noauth() {
  local pidf="$STATE/moto-$MOTO_NOAUTH_PORT.pid" ep="http://$HOST:$MOTO_NOAUTH_PORT" pid role
  pid="$(launch_moto "$MOTO_NOAUTH_PORT")" || return 1
  role="$(MOTO_ENDPOINT="$ep" "$VENV/bin/python" - <<'PY'
import json, os, boto3
iam = boto3.client("iam", endpoint_url=os.environ["MOTO_ENDPOINT"], region_name="us-east-1",
                   aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
         "Principal": {"Federated": "accounts.example.com"},
         "Action": "sts:AssumeRoleWithWebIdentity"}]}
print(iam.create_role(RoleName="aws-session-e2e-web-identity",
                      AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"])
PY
)" || { kill "$pid" 2>/dev/null; rm -f "$pidf"; return 1; }
  echo "MOTO_NOAUTH_PID=$pid"
  echo "MOTO_NOAUTH_ENDPOINT=$ep"
  echo "MOTO_NOAUTH_ROLE_ARN=$role"
}

# Stops the server whose pid file is $1 (named $2 in the log), waiting up to 5 s for it to exit.
stop_pidfile() {
  local pidf="$1"
  if [ -f "$pidf" ]; then
    local pid; pid="$(cat "$pidf")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$pidf"; log "stopped $2 (pid $pid)"
  fi
}

stop_moto() {
  stop_pidfile "$STATE/moto-$MOTO_PORT.pid" moto
  stop_pidfile "$STATE/moto-$MOTO_NOAUTH_PORT.pid" "moto (no auth)"
}

# ---- s3s-fs -----------------------------------------------------------------------------------

S3S_AKID="${S3S_AKID:-AKIAS3SFSTEST0000001}"
S3S_SECRET="${S3S_SECRET:-s3sfsSecretKey/Example+0123456789abcdefXY}"

start_s3s() {
  if have_shared s3s.sh && [ ! -x "$S3S_ROOT/bin/s3s-fs" ]; then
    S3S_TOOLS="$S3S_ROOT" bash "$shared_tools/s3s.sh" install >&2
  fi
  install_s3s
  local pidf="$STATE/s3s-$S3S_PORT.pid" logf="$STATE/s3s-$S3S_PORT.log" data="$STATE/s3s-data-$S3S_PORT"
  if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
    log "s3s-fs already running on $S3S_PORT (pid $(cat "$pidf"))"; return 1
  fi
  rm -rf "$data"; mkdir -p "$data/sigv4-test-bucket"   # a folder is a bucket
  RUST_LOG="${RUST_LOG:-info}" "$S3S_ROOT/bin/s3s-fs" --host "$HOST" --port "$S3S_PORT" \
    --access-key "$S3S_AKID" --secret-key "$S3S_SECRET" "$data" >"$logf" 2>&1 &
  local pid=$!
  echo "$pid" >"$pidf"
  wait_http "http://$HOST:$S3S_PORT/" "$pid" "$logf" || { kill "$pid" 2>/dev/null; rm -f "$pidf"; return 1; }
  echo "S3S_PID=$pid"
  echo "S3S_ENDPOINT=http://$HOST:$S3S_PORT"
  echo "S3S_AKID=$S3S_AKID"
  echo "S3S_SECRET=$S3S_SECRET"
  echo "S3S_BUCKET=sigv4-test-bucket"
}

stop_s3s() { stop_pidfile "$STATE/s3s-$S3S_PORT.pid" s3s-fs; }

# ---- commands ---------------------------------------------------------------------------------

envf="$STATE/peers-$MOTO_PORT-$S3S_PORT.env"
case "${1:-}" in
install)
  if wants moto; then install_moto; install_crt; fi
  if wants s3s; then install_s3s; fi
  ;;
start)
  : >"$envf.tmp"
  trap 'rm -f "$envf.tmp"' EXIT
  if wants moto; then
    { start_moto && start_moto_noauth; } >>"$envf.tmp" || { stop_moto; exit 1; }
  fi
  if wants s3s; then start_s3s >>"$envf.tmp" || { stop_moto; stop_s3s; exit 1; }; fi
  mv "$envf.tmp" "$envf"
  sed 's/^/export /' "$envf"
  ;;
stop)
  wants moto && stop_moto
  wants s3s && stop_s3s
  rm -f "$envf"
  ;;
env)
  [ -f "$envf" ] || { log "no peers running (no $envf)"; exit 1; }
  sed 's/^/export /' "$envf"
  ;;
*)
  echo "usage: $0 install|start|stop|env" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# The embassy adapter against real servers, over a real TAP device, inside a network namespace.
#
# Needs root (ip netns, a TAP device). Everything happens inside the namespace `aws-session-e2e`,
# with addresses that exist only there:
#
#   tap0, kernel side   10.77.0.1/24   moto (signature verification on) via a forwarder on :5055,
#                                      s3s-fs (every signature and aws-chunked chunk checked) on
#                                      :8014, a rustls TLS 1.3 test server on :8443 (started by
#                                      the test)
#   embassy-net stack   10.77.0.2/24   our client, in the test process, on tap0 (embassy-net-tuntap)
#
# Steps: build the test (outside: the namespace has no network), create the namespace and tap0,
# start moto inside it with /work/shared/tools/moto.sh (which binds the namespace's 127.0.0.1 and
# switches signature checking on), forward 10.77.0.1:5055 to it, start s3s-fs on 10.77.0.1:8014
# (scripts/peers.sh, installed outside first), then run
# `embassy-adapter/tests/netns_e2e.rs` inside the namespace. Everything is torn down on exit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

NS=aws-session-e2e
. "$root/scripts/netns-common.sh"
netns_prerequisites netns-e2e
netns_venv
PEERS_ONLY=s3s bash "$root/scripts/peers.sh" install

echo "==> building the test"
cargo test -q -p aws-session-embassy --test netns_e2e --no-run

fwd=""
cleanup() {
  set +e
  [ -n "$fwd" ] && kill "$fwd" 2>/dev/null
  PEERS_ONLY=s3s S3S_PORT=8014 MOTO_PORT=5055 bash "$root/scripts/peers.sh" stop >/dev/null 2>&1
  netns_cleanup
}
trap cleanup EXIT
netns_up tap0 10.77.0.1/24

# moto listens on the namespace's loopback; the embassy stack reaches the kernel side of tap0.
ip netns exec "$NS" python3 - <<'PY' &
import asyncio

async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()

async def handle(client_r, client_w):
    server_r, server_w = await asyncio.open_connection("127.0.0.1", 5055)
    await asyncio.gather(pipe(client_r, server_w), pipe(server_r, client_w), return_exceptions=True)

async def main():
    server = await asyncio.start_server(handle, "10.77.0.1", 5055)
    async with server:
        await server.serve_forever()

asyncio.run(main())
PY
fwd=$!
for _ in $(seq 1 50); do
  ip netns exec "$NS" bash -c 'exec 3<>/dev/tcp/10.77.0.1/5055' 2>/dev/null && break
  sleep 0.1
done

echo "==> s3s-fs inside the namespace, on 10.77.0.1:8014"
eval "$(ip netns exec "$NS" env PEERS_ONLY=s3s PEERS_HOST=10.77.0.1 S3S_PORT=8014 MOTO_PORT=5055 \
  bash "$root/scripts/peers.sh" start)"

echo "==> the embassy adapter over tap0"
ip netns exec "$NS" env AWS_SESSION_NETNS_E2E=1 MOTO_AKID="$MOTO_AKID" MOTO_SECRET="$MOTO_SECRET" \
  S3S_ENDPOINT="$S3S_ENDPOINT" S3S_AKID="$S3S_AKID" S3S_SECRET="$S3S_SECRET" S3S_BUCKET="$S3S_BUCKET" \
  cargo test -q -p aws-session-embassy --test netns_e2e -- --nocapture

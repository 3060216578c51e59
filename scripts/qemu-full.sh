#!/usr/bin/env bash
# The device application (examples/firmware/common/app.rs) as firmware on QEMU's mps2-an385
# (Cortex-M3), against real servers in a network namespace: the measurement of its peak stack.
#
# Needs root (ip netns, a TAP device). Inside the namespace `aws-session-qemu`:
#
#   tap1, kernel side   10.77.1.1/24   moto (signature verification on) on the namespace's
#                                      127.0.0.1:5055; tests/peers/iot_provider.py on :8444 (the
#                                      AWS IoT credentials provider, client certificates required)
#                                      and, with the same certificate, HTTPS in front of moto on
#                                      :8443. The firmware runs four times: with an AWS-shaped
#                                      server chain (RSA-2048 root, intermediate and leaf), with a
#                                      P-256 one, trusting another CA than the server's (it must
#                                      refuse the server), and with an assume-role profile instead
#                                      of the IoT one (AssumeRole from moto over the STS call's own
#                                      link, moto's HTTP/1.0 answers closing it each time).
#                                      A fifth run is the `publish` firmware: the provider on :8443
#                                      plays IoT Core's certificate port too, and on :443 its ALPN
#                                      port (x-amzn-http-ca: client certificate), with moto (SigV4)
#                                      behind :443 for connections without the ALPN protocol.
#   the firmware        10.77.1.2/24   embassy-net, its Ethernet frames over UART0 in SLIP, joined
#                                      to tap1 by tests/peers/slip_tap.py
#
# Steps: build the firmware (`full` in examples/firmware/qemu-mps2-an385) and the CLI; start moto;
# get role credentials from it with `aws-session credentials` (AssumeRole, which moto checks);
# start the IoT provider, which hands out those credentials; write the device's profile and
# identity into a store image with `aws-session device image`, as a developer provisions a board;
# start QEMU with the image, the PKI's root and an RNG seed loaded into PSRAM. The firmware loads
# the profile, gets credentials over mutual TLS (or, for the assume-role profile, lets the STS
# call's pipeline get them from AssumeRole), calls STS `GetCallerIdentity` over TLS with them
# (moto verifies the signature), prints the deepest stack it used, and exits 0 on HTTP 200.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

NS=aws-session-qemu
FIRMWARE=examples/firmware/qemu-mps2-an385
BINS="${CARGO_TARGET_DIR:-$FIRMWARE/target}/thumbv7m-none-eabi/release"
# Where the firmware expects its blobs (src/device/board.rs) and the store's geometry.
STORE_ADDR=0x21000000 ANCHOR_ADDR=0x21010000 SEED_ADDR=0x21020000
STORE_GEOMETRY=(--write-size 4 --erase-size 4096 --size 16384)
# QEMU gets this long; the run takes a few seconds.
QEMU_TIMEOUT=300
. "$root/scripts/netns-common.sh"
netns_prerequisites qemu-full
command -v qemu-system-arm >/dev/null ||
  { echo "qemu-full: qemu-system-arm not found (scripts/test-all.sh netns installs it)" >&2; exit 1; }
netns_venv

echo "==> building the firmware and the CLI"
(cd "$FIRMWARE" && cargo build -q --release --bin full --bin publish)
cargo build -q -p aws-session-std --bin aws-session
CLI="${CARGO_TARGET_DIR:-$root/target}/debug/aws-session"

work="$(mktemp -d)"
chmod 700 "$work"
pids=()
cleanup() {
  set +e
  exec 4>&- 2>/dev/null
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  netns_cleanup
  rm -rf "$work"
}
trap cleanup EXIT
netns_up tap1 10.77.1.1/24

echo "==> the device's role in moto's IAM, allowed to publish to IoT Core and to ask who it is"
# moto authorizes a role's temporary keys against the role's policies (a signed IoT Data publish
# with keys of a role it does not know fails with a 500). IAM names the publish `iot:Publish`;
# moto checks `<signing name>:<operation>`, `iotdata:Publish`: the policy allows both.
ip netns exec "$NS" env -i PATH="$PATH" AWS_ACCESS_KEY_ID="$MOTO_AKID" AWS_SECRET_ACCESS_KEY="$MOTO_SECRET" \
  "$VENV/bin/python" - "$MOTO_ENDPOINT" <<'PY'
import json, sys
import boto3
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1")
statement = lambda action, **more: {"Effect": "Allow", "Action": action, **more}
trust = {"Version": "2012-10-17",
         "Statement": [statement("sts:AssumeRole", Principal={"AWS": "*"})]}
iam.create_role(RoleName="device-role", AssumeRolePolicyDocument=json.dumps(trust))
allowed = {"Version": "2012-10-17",
           "Statement": [statement(["iot:Publish", "iotdata:Publish", "sts:GetCallerIdentity"],
                                     Resource="*")]}
iam.put_role_policy(RoleName="device-role", PolicyName="device", PolicyDocument=json.dumps(allowed))
PY

echo "==> role credentials from moto (AssumeRole with the moto user's keys)"
cat >"$work/config" <<EOF
[profile base]
aws_access_key_id = $MOTO_AKID
aws_secret_access_key = $MOTO_SECRET
[profile role]
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/device-role
source_profile = base
role_session_name = device
EOF
issued="$(ip netns exec "$NS" env -i PATH="$PATH" HOME="$work" AWS_CONFIG_FILE="$work/config" \
  AWS_SHARED_CREDENTIALS_FILE="$work/none" AWS_SDK_LOAD_CONFIG=1 AWS_ENDPOINT_URL_STS="$MOTO_ENDPOINT" \
  "$CLI" credentials --profile role --format process)"

# stop PID: waits a second for PID to end (the bridge ends when QEMU hangs up, the provider when its
# stdin closes), then kills it: a peer stuck on a connection the firmware left half-open (QEMU is
# gone, nothing will close it) must not hold the script.
stop() {
  for _ in $(seq 1 10); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# run_device NAME CHAIN [ANCHOR] [KIND]: one run of the firmware with the server chain CHAIN (rsa:
# AWS-shaped, RSA-2048 root, intermediate and leaf; ecdsa: a P-256 CA and leaf). Each run has its
# own PKI, provider, store image and seed. With ANCHOR (a DER file), the firmware trusts that
# instead of the run's own CA, and the run passes only when the device refuses the server and the
# provider saw no request. KIND is the device's profile: iot (the default: the AWS IoT credentials
# provider with the stored identity), role (the moto user's keys as source_profile of a
# role_arn: the STS call's pipeline first calls AssumeRole itself, over the same link) or publish
# (the `publish` firmware with an IoT profile: three publishes to IoT Core, played by the
# provider on 8443 and 443 and by moto behind 443).
run_device() {
  local name="$1" chain="$2" anchor="${3:-}" kind="${4:-iot}" dir="$work/${1//[^a-zA-Z0-9]/-}" flag=() status=0 provider bridge
  local elf="$BINS/full" ports=(--port 8444 --front "8443:$MOTO_PORT_NS") endpoint=https://10.77.1.1:8443 provider_at=10.77.1.1:8444
  [ "$chain" = rsa ] && flag=(--rsa)
  if [ "$kind" = publish ]; then
    elf="$BINS/publish" ports=(--port 8443 --iot-core "443:$MOTO_PORT_NS") endpoint=https://10.77.1.1 provider_at=10.77.1.1:8443
  fi
  mkdir "$dir" "$dir/pki"
  echo "==> [$name] the AWS IoT credentials provider and its fronts (${ports[*]})"
  mkfifo "$dir/iot.in"
  ip netns exec "$NS" "$VENV/bin/python" tests/peers/iot_provider.py "$dir/pki" "$issued" \
    --host 10.77.1.1 "${ports[@]}" "${flag[@]}" \
    <"$dir/iot.in" >"$dir/iot.out" 2>"$dir/iot.log" &
  provider=$!
  pids+=("$provider")
  exec 4>"$dir/iot.in" # the provider runs until this closes
  for _ in $(seq 1 100); do grep -q '^PORT' "$dir/iot.out" && break; sleep 0.1; done
  grep -q '^PORT' "$dir/iot.out" || { cat "$dir/iot.log" >&2; echo "qemu-full: the IoT provider did not start" >&2; exit 1; }

  echo "==> [$name] the device's store image (aws-session device image)"
  if [ "$kind" = role ]; then
    printf '%s\n' "[profile device]" "region = us-east-1" "endpoint_url = $endpoint" \
      "role_arn = arn:aws:iam::123456789012:role/device-role" "source_profile = base" \
      "role_session_name = device" "[profile base]" "aws_access_key_id = $MOTO_AKID" \
      "aws_secret_access_key = $MOTO_SECRET" >"$dir/device"
  else
    printf '%s\n' "[profile device]" "region = us-east-1" "endpoint_url = $endpoint" \
      "iot_credentials_endpoint = $provider_at" "iot_role_alias = device-role" \
      "iot_thing_name = device-7" "iot_certificate = $dir/pki/device.pem" \
      "iot_private_key = $dir/pki/device.key" >"$dir/device"
  fi
  env -i PATH="$PATH" HOME="$work" AWS_CONFIG_FILE="$dir/device" AWS_SHARED_CREDENTIALS_FILE="$work/none" \
    "$CLI" device image --profile device "${STORE_GEOMETRY[@]}" -o "$dir/store.bin"
  head -c 32 /dev/urandom >"$dir/seed.bin"
  [ -n "$anchor" ] || anchor="$dir/pki/ca.der"

  echo "==> [$name] the serial line: UART0 <-> tap1"
  ip netns exec "$NS" python3 tests/peers/slip_tap.py "$dir/link.sock" tap1 >"$dir/link.out" 2>"$dir/link.log" &
  bridge=$!
  pids+=("$bridge")
  for _ in $(seq 1 100); do grep -q READY "$dir/link.out" && break; sleep 0.1; done

  echo "==> [$name] the firmware on QEMU"
  timeout "$QEMU_TIMEOUT" qemu-system-arm -cpu cortex-m3 -machine mps2-an385 -display none -monitor none \
    -chardev socket,id=link,path="$dir/link.sock" -serial chardev:link \
    -semihosting-config enable=on,target=native \
    -device loader,file="$dir/store.bin",addr=$STORE_ADDR \
    -device loader,file="$anchor",addr=$ANCHOR_ADDR \
    -device loader,file="$dir/seed.bin",addr=$SEED_ADDR \
    -kernel "$elf" | tee "$dir/qemu.log" || status=$?
  exec 4>&- # the provider's stdin: it stops
  stop "$bridge"
  stop "$provider"
  sed 's/^/  /' "$dir/link.log" "$dir/iot.log"
  if [ "$anchor" != "$dir/pki/ca.der" ]; then
    if [ "$status" -eq 0 ] || ! grep -q 'device application failed: ' "$dir/qemu.log" ||
      grep -q 'GET /role-aliases' "$dir/iot.log"; then
      echo "qemu-full: FAILED: the device did not refuse a server its anchor does not vouch for" >&2
      exit 1
    fi
    summary+=("$name: refused ($(grep -o 'device application failed: .*' "$dir/qemu.log"))")
    return 0
  fi
  if [ "$kind" = publish ]; then
    # Each way reached its server: the two certificate ways the provider's IoT Core (one with
    # ALPN), the signed one moto, which checked the signature.
    if [ "$status" -ne 0 ] || [ "$(grep -c 'publish, .*: HTTP 200' "$dir/qemu.log")" -ne 3 ] ||
      ! grep -q 'published dt/device-7/temperature qos=1 (20 bytes, ALPN none)' "$dir/iot.log" ||
      ! grep -q 'published dt/device-7/temperature qos=1 (20 bytes, ALPN x-amzn-http-ca)' "$dir/iot.log" ||
      ! grep -q '"POST /topics/dt%2Fdevice-7%2Ftemperature?qos=1 HTTP/1.1" 200' "$MOTO_STATE_DIR/moto-$MOTO_PORT_NS.log"; then
      echo "qemu-full: FAILED: the device did not publish in all three ways (QEMU exit status $status)" >&2
      exit 1
    fi
  elif [ "$status" -ne 0 ] || ! grep -q 'GetCallerIdentity: HTTP 200' "$dir/qemu.log"; then
    echo "qemu-full: FAILED with the $chain chain (QEMU exit status $status)" >&2
    exit 1
  fi
  summary+=("$name: $(grep -o 'stack: [0-9]* bytes at most during the \(device\|publishing\)' "$dir/qemu.log" | grep -o '[0-9]*') B peak stack, $(grep -o 'static RAM: [0-9]*' "$dir/qemu.log" | grep -o '[0-9]*') B static RAM")
}

summary=()
run_device "rsa chain" rsa
run_device "ecdsa chain" ecdsa
run_device "rsa chain, another CA trusted" rsa "$work/ecdsa-chain/pki/ca.der"
run_device "rsa chain, assume-role profile" rsa "" role
run_device "rsa chain, IoT Core publishing" rsa "" publish
echo "==> the device application on the Cortex-M3: peak stack (whole run) and static RAM"
for line in "${summary[@]}"; do echo "  $line"; done
echo "qemu-full: passed"

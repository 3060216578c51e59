# Shared by scripts/netns-e2e.sh and scripts/qemu-full.sh (sourced, not run): the checks, moto's
# virtualenv and a network namespace with one TAP device and moto inside. The caller sets `root`
# and `NS` first and calls `netns_cleanup` from its EXIT trap.

MOTO_SH="${MOTO_SH:-$root/../shared/tools/moto.sh}"
MOTO_PORT_NS=5055 # moto's port on the namespace's loopback

# netns_prerequisites NAME: root, moto.sh and `ip` (installed when missing), or exit naming NAME.
netns_prerequisites() {
  [ "$(id -u)" -eq 0 ] || { echo "$1: needs root (ip netns, TAP device)" >&2; exit 1; }
  [ -f "$MOTO_SH" ] || { echo "$1: moto.sh not found at $MOTO_SH (set MOTO_SH)" >&2; exit 1; }
  command -v ip >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 >/dev/null; }
}

# netns_venv: moto's virtualenv (which has `cryptography` too), made outside the namespace, which
# has no network; same paths as moto.sh uses. Exports PEERS_DIR, PEERS_VENV, VENV, MOTO_STATE_DIR.
netns_venv() {
  PEERS_DIR="${PEERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/aws-session-peers}"
  VENV="${PEERS_VENV:-$PEERS_DIR/venv}"
  if [ ! -x "$VENV/bin/moto_server" ]; then
    echo "==> creating moto's virtualenv at $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q 'moto[server]' boto3
  fi
  export PEERS_DIR PEERS_VENV="$VENV" VENV
  export MOTO_STATE_DIR="${MOTO_STATE_DIR:-$(mktemp -d)}"
}

# netns_up TAP CIDR: the namespace NS (made anew) with the TAP device TAP at CIDR, then moto with
# signature verification on the namespace's 127.0.0.1:MOTO_PORT_NS (sets MOTO_AKID, MOTO_SECRET,
# MOTO_ENDPOINT).
netns_up() {
  ip netns del "$NS" 2>/dev/null || true
  echo "==> namespace $NS with $1 ($2)"
  ip netns add "$NS"
  ip -n "$NS" link set lo up
  ip -n "$NS" tuntap add dev "$1" mode tap
  ip -n "$NS" addr add "$2" dev "$1"
  ip -n "$NS" link set "$1" up
  echo "==> moto with signature verification, inside the namespace"
  eval "$(ip netns exec "$NS" bash "$MOTO_SH" start "$MOTO_PORT_NS")"
}

# netns_cleanup: stops moto and deletes the namespace (for EXIT traps; never fails).
netns_cleanup() {
  ip netns exec "$NS" bash "$MOTO_SH" stop "$MOTO_PORT_NS" >/dev/null 2>&1 || true
  ip netns del "$NS" 2>/dev/null || true
}

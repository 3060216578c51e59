#!/usr/bin/env bash
# Flash and static RAM of the embassy adapter on thumbv7em-none-eabihf (Cortex-M4F), against the
# size budgets (<= 128 KiB flash, <= 40 KiB static RAM). Builds the three binaries of
# examples/firmware/size-thumbv7em with fat LTO and codegen-units = 1, at opt-level "s" and "z",
# with ECDSA-only certificate verification and with RSA (feature `rsa`), and prints a Markdown
# table (the one recorded in docs/performance.md):
#
#   full          flash profile store + session + wall clock + core's async pipeline and SigV4
#                 signer + our HTTP/1.1 client + TLS 1.3 with certificate verification + embassy-net
#                 (TCP, DHCP, DNS) + embassy executor
#   http_tls      our HTTP/1.1 client + TLS 1.3 + embassy-net, one HTTPS GET
#   reqwless_tls  reqwless + its embedded-tls integration + embassy-net, one HTTPS GET
#
# flash = .vector_table + .text + .rodata + .data; static RAM = .data + .bss + .uninit (no stack,
# no heap beyond the 24 KiB one reqwless_tls declares in the `rsa` variant; full and http_tls need
# none). The network device is an in-memory channel and the flash a stand-in, so board drivers come
# on top.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/examples/firmware/size-thumbv7em"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/size-thumbv7em}"
rustup target list --installed | grep -qx thumbv7em-none-eabihf || rustup target add thumbv7em-none-eabihf
size_tool="$(command -v llvm-size || command -v size)"

KiB() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1024 }'; }

echo "| binary | certificates | opt-level | flash (KiB) | static RAM (KiB) |"
echo "|---|---|---|---:|---:|"
for variant in ecdsa rsa; do
  features=()
  [ "$variant" = rsa ] && features=(--features rsa)
  for profile in release release-z; do
    cargo build -q --profile "$profile" "${features[@]}"
    opt=s; [ "$profile" = release-z ] && opt=z
    for bin in full http_tls reqwless_tls; do
      read -r flash ram < <("$size_tool" -A "$CARGO_TARGET_DIR/thumbv7em-none-eabihf/$profile/$bin" |
        awk '/^\.(vector_table|text|rodata|data|bss|uninit) / { s[$1] = $2 }
             END { print s[".vector_table"] + s[".text"] + s[".rodata"] + s[".data"], s[".data"] + s[".bss"] + s[".uninit"] }')
      echo "| $bin | $variant | $opt | $(KiB "$flash") | $(KiB "$ram") |"
    done
  done
done

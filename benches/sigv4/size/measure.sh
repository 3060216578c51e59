#!/usr/bin/env bash
# Flash of the SigV4 signer on thumbv7em-none-eabihf at opt-level "s" (fat LTO, panic=abort):
# .text + .rodata of each variant minus the baseline image. Run from anywhere.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
size_of() {
  local dir="target/$1${RUSTFLAGS:+-compact}"
  cargo build -q --release --no-default-features --features "$1" --target-dir "$dir"
  local elf="$dir/thumbv7em-none-eabihf/release/aws-session-sigv4-size"
  llvm-size -A "$elf" | awk '$1==".text"||$1==".rodata"{s+=$2} END{print s}'
}
base=$(size_of baseline)
for v in crypto canonical sign all sigv4a; do
  s=$(size_of "$v")
  printf '%-9s %6d bytes (%.1f KiB) over the baseline\n' "$v" $((s - base)) "$(echo "($s - $base)/1024" | bc -l)"
done

# The same with sha2's compact software backend, which trades SHA-256 speed for flash.
export RUSTFLAGS='--cfg sha2_backend_soft="compact"'
base=$(size_of baseline)
for v in crypto canonical sign all sigv4a; do
  s=$(size_of "$v")
  printf '%-9s %6d bytes (%.1f KiB) over the baseline, sha2 compact\n' "$v" $((s - base)) "$(echo "($s - $base)/1024" | bc -l)"
done

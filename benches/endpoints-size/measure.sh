#!/usr/bin/env bash
# Flash of the endpoint resolver and its tables on thumbv7em-none-eabihf at opt-level "s" (fat LTO,
# panic=abort): .text + .rodata of each variant minus the baseline image. Run from anywhere.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
size_of() {
  local dir="${CARGO_TARGET_DIR:-target}/$1"
  cargo build -q --release --no-default-features --features "$1" --target-dir "$dir"
  local elf="$dir/thumbv7em-none-eabihf/release/aws-session-endpoints-size"
  llvm-size -A "$elf" | awk '$1==".text"||$1==".rodata"{s+=$2} END{print s}'
}
base=$(size_of baseline)
for v in one session full; do
  s=$(size_of "$v")
  printf '%-8s %7d bytes (%.1f KiB) over the baseline\n' "$v" $((s - base)) "$(echo "($s - $base)/1024" | bc -l)"
done

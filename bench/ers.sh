#!/usr/bin/env bash
# RFC 4998 evidence records for a batch: hash tree + every record's DER for
# N synthetic archive records (document + signature hash each) under one
# loopback TSA token, then every record written durably (hozon-io group
# commit) as its own file. CPU seconds per phase, files/s, and ratios to
# `openssl dgst -sha256` over comparable bytes:
#   tree      vs dgst over the bytes the tree hashes (2 x 32 per leaf group
#             and per inner node);
#   records   vs dgst over the bytes of all records (what producing them
#             amounts to: copying the token and the reduced tree per record).
# Target: tree + records <= 5 s CPU for 1,000,000 records.
#
#   bench/ers.sh [N] [WRITE_N]     (default 1000000 records, all written)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
WRITE_N=${2:-$N}
cargo build --release -q -p hozon-ers --example ers_bench
BIN=target/release/examples/ers_bench

mkdir -p "${BENCH_DIR:-target}"
WORK=$(mktemp -d "${BENCH_DIR:-target}/hozon-ersbench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Tree + records for N, writing WRITE_N of them (the same code path).
"$BIN" "$N" "$WORK/out" 0 | tee "$WORK/build.txt"
if [ "$WRITE_N" -gt 0 ]; then
  rm -rf "$WORK/out"
  "$BIN" "$WRITE_N" "$WORK/out" "$WRITE_N" | grep -E '^(write|files|record bytes)' | tee "$WORK/write.txt"
  written=$(find "$WORK/out" -name '*.ers' | wc -l)
  [ "$written" -eq "$WRITE_N" ] || { echo "only $written of $WRITE_N written" >&2; exit 1; }
  rm -rf "$WORK/out"
fi

tree_bytes=$(( N * 64 * 2 ))
record_bytes=$(awk '/^total_bytes/ {print $2}' "$WORK/build.txt")
dgst_cpu() {
  head -c "$1" /dev/zero > "$WORK/blob"
  /usr/bin/time -f "%U %S" -o "$WORK/time" openssl dgst -sha256 "$WORK/blob" > /dev/null
  rm -f "$WORK/blob"
  awk '{print $1 + $2}' "$WORK/time"
}
# Record bytes can be several GB: measure dgst over 512 MiB and scale.
chunk=$(( 512 * 1024 * 1024 ))
tree_dgst=$(dgst_cpu "$tree_bytes")
chunk_dgst=$(dgst_cpu "$chunk")
tree_cpu=$(awk '/^tree cpu s/ {print $4}' "$WORK/build.txt")
records_cpu=$(awk '/^records cpu s/ {print $4}' "$WORK/build.txt")
awk -v tb="$tree_bytes" -v td="$tree_dgst" -v tc="$tree_cpu" \
    -v rb="$record_bytes" -v cd="$chunk_dgst" -v ch="$chunk" -v rc="$records_cpu" 'BEGIN {
  rd = cd * rb / ch;
  printf "openssl dgst over %.0f tree bytes: %.2f s CPU; tree / dgst = %.2f\n", tb, td, (td > 0 ? tc / td : 0);
  printf "openssl dgst over %.0f record bytes (scaled): %.2f s CPU; records / dgst = %.2f\n", rb, rd, (rd > 0 ? rc / rd : 0) }'

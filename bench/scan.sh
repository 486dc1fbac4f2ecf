#!/usr/bin/env bash
# Throughput and peak memory of `hozon scan` over A4 300-dpi colour JPEG pages, measured against
# decoding the same files alone (djpeg when installed, else the `image` crate by itself) in the
# same run, and printed as a ratio.
#
#   bench/scan.sh [PAGES]      (default: 200 pages)
#
# Targets (issue 5): >= 40 pages/s on 2 cores; peak memory bounded by one decoded page per
# worker (a 2480x3508 RGB page is 26 MB), not by the batch.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200}
CORES=$(nproc)

cargo build --release -q -p hozon
cargo build --release -q -p hozon-scan --examples
HOZON=target/release/hozon
EXAMPLES=target/release/examples

mkdir -p "${BENCH_DIR:-target}"
WORK=$(mktemp -d "${BENCH_DIR:-target}/hozon-scan-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
"$EXAMPLES/make-bench-pages" "$WORK/pages" "$N"

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.1f", n / (b - a) }'; }
# Runs "$@" under /usr/bin/time; sets SECONDS_TAKEN and PEAK_KB.
measure() {
  local t0 t1
  t0=$(now)
  /usr/bin/time -f %M -o "$WORK/rss" "$@" >"$WORK/out" 2>"$WORK/err" || true
  t1=$(now)
  SECONDS_TAKEN=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  PEAK_KB=$(tail -n 1 "$WORK/rss")
  START=$t0 END=$t1
}

bytes=$(du -sb "$WORK/pages" | cut -f1)
echo "machine: $CORES cores; $N pages of 2480x3508 px (A4 at 300 dpi), RGB JPEG q85, $((bytes / N / 1024)) KiB each"
# Warm the page cache so that both runs read from memory.
cat "$WORK"/pages/* >/dev/null

measure "$HOZON" scan "$WORK/pages" --json
hozon_rate=$(rate "$N" "$START" "$END")
hozon_kb=$PEAK_KB
passed=$(grep -o '"passed": [0-9]*' "$WORK/out" | head -1 | awk '{print $2}')
echo "hozon scan:       $hozon_rate pages/s, peak RSS $((hozon_kb / 1024)) MiB, ${SECONDS_TAKEN}s, ${passed:-?} of $N passed"

if command -v djpeg >/dev/null; then
  baseline="djpeg, $CORES processes"
  measure bash -c 'ls "$1"/*.jpg | xargs -P "$2" -n 1 sh -c '"'"'djpeg "$0" >/dev/null'"'" _ "$WORK/pages" "$CORES"
else
  baseline="image crate alone, $CORES threads"
  measure "$EXAMPLES/decode-pages" "$WORK"/pages/*.jpg
fi
base_rate=$(rate "$N" "$START" "$END")
echo "baseline ($baseline): $base_rate pages/s, peak RSS $((PEAK_KB / 1024)) MiB, ${SECONDS_TAKEN}s"
echo "hozon scan / baseline: $(awk -v a="$hozon_rate" -v b="$base_rate" 'BEGIN { printf "%.2f", a / b }')"
awk -v r="$hozon_rate" 'BEGIN { exit !(r >= 40) }' && echo "target >= 40 pages/s: met" || echo "target >= 40 pages/s: NOT met"

#!/usr/bin/env bash
# Time-stamping throughput against the loopback TSA (OpenSSL's own
# `openssl ts -reply`, one process per request, on 127.0.0.1), with one and
# with eight requests in flight, and the client's CPU per stamp as a share of
# the TSA's CPU per stamp (target: < 5 %).
#
#   bench/timestamp.sh [FILES]        (default 1000 files of 4 KiB)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
cargo build --release -q -p hozon
cargo build --release -q -p hozon-testkit --example serve
HOZON=target/release/hozon
SERVE=target/release/examples/serve

mkdir -p "${BENCH_DIR:-target}"
WORK=$(mktemp -d "${BENCH_DIR:-target}/hozon-tsbench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/docs"
head -c $((N * 4096)) /dev/urandom | (cd "$WORK/docs" && split -b 4096 -a 6 -d - doc.)

printf '%-14s %10s %12s %16s %16s %10s\n' concurrency "stamps/s" "TSA busy" "client CPU/stamp" "TSA CPU/stamp" "client/TSA"
for c in 1 8; do
  rm -f "$WORK"/docs/*.tsr
  mkfifo "$WORK/ctl"
  "$SERVE" < "$WORK/ctl" > "$WORK/serve.out" &
  server=$!
  exec 3> "$WORK/ctl"
  for _ in $(seq 50); do grep -q '^tsa ' "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
  url=$(awk '/^tsa / {print $2}' "$WORK/serve.out")
  /usr/bin/time -f "%e %U %S" -o "$WORK/time" \
    "$HOZON" timestamp "$WORK/docs" --tsa "$url" --tsa-concurrency "$c" -j "$c" 2> /dev/null
  echo >&3
  exec 3>&-
  wait "$server"
  rm -f "$WORK/ctl"
  stamped=$(find "$WORK/docs" -name '*.tsr' | wc -l)
  [ "$stamped" -eq "$N" ] || { echo "only $stamped of $N stamped" >&2; exit 1; }
  # "tsa: N requests, 12.34s openssl CPU" (a Rust Duration: s, ms or µs)
  tsa_cpu=$(sed -n 's/^tsa: [0-9]* requests, \([0-9.]*\)\([mµ]*\)s openssl CPU.*/\1 \2/p' "$WORK/serve.out" |
    awk '{ v = $1; if ($2 == "m") v /= 1000; if ($2 == "µ") v /= 1000000; print v }')
  read -r elapsed user sys < "$WORK/time"
  awk -v n="$N" -v c="$c" -v e="$elapsed" -v u="$user" -v s="$sys" -v t="$tsa_cpu" 'BEGIN {
    client = (u + s) / n; tsa = t / n;
    printf "%-14s %10.0f %11.0f%% %14.2f ms %14.2f ms %9.1f%%\n", c, n / e, 100 * t / e, 1000 * client, 1000 * tsa, 100 * client / tsa }'
done
echo "(TSA busy: the TSA's CPU time over wall time; with 2 cores, 200 % is all of the machine)"

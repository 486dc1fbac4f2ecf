#!/usr/bin/env bash
# Time-stamping throughput against the loopback TSA (OpenSSL's own
# `openssl ts -reply`, one process per request, on 127.0.0.1), with one and
# with eight requests in flight, and the client's CPU per stamp as a share of
# the TSA's CPU per stamp (target: < 5 %).
#
# The client's CPU is reported two ways: all-in (the whole run divided by the
# number of stamps) and per additional stamp (the run minus a one-file run of
# the same command, divided by N - 1): the second is what a batch of 10^4 to
# 10^7 files pays per file; the difference is the run's fixed start-up, most
# of it the TLS backend loading the system CA bundle.
#
# Every run stamps files in a directory of its own and nothing is deleted
# until the end: on a journal-less ext4 (this VM's root file system), files
# created within ~35 s of deleting thousands make the inode allocator check
# every recently deleted inode it passes (ext4's recently_deleted), which once
# tripled the client's kernel time in the second run of this script.
#
# CPU times are only comparable on an otherwise idle machine; ROUNDS=N
# repeats the pair of runs N times (the VM varies by up to 50 % between
# runs, so read the spread, not one number). `--instructions`
# counts instructions instead (valgrind's callgrind, client and every
# `openssl ts -reply` process), which does not depend on what else runs; it
# leaves out kernel time and is slow (use N of 200-500).
#
#   bench/timestamp.sh [--instructions] [FILES]   (default 1000 files of 4 KiB)
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=time
if [ "${1:-}" = "--instructions" ]; then MODE=instructions; shift; fi
N=${1:-1000}
[ "$N" -ge 2 ] || { echo "FILES must be at least 2" >&2; exit 2; }
# Callgrind attributes instructions to functions by the debug info, which the
# stripped release profile no longer has: --instructions builds the
# `profiling` profile (release optimisation, with debug info).
PROFILE=release
if [ "$MODE" = instructions ]; then PROFILE=profiling; fi
cargo build --profile "$PROFILE" -q -p hozon
cargo build --profile "$PROFILE" -q -p hozon-testkit --example serve
HOZON=target/$PROFILE/hozon
SERVE=target/$PROFILE/examples/serve

mkdir -p "${BENCH_DIR:-target}"
WORK=$(realpath "$(mktemp -d "${BENCH_DIR:-target}/hozon-tsbench.XXXXXX")")
trap 'rm -rf "$WORK"' EXIT
head -c $((N * 4096)) /dev/urandom > "$WORK/data"
# fresh_dirs TAG: makes $WORK/docs-TAG (N files) and $WORK/one-TAG (one file).
fresh_dirs() {
  mkdir "$WORK/docs-$1" "$WORK/one-$1"
  (cd "$WORK/docs-$1" && split -b 4096 -a 6 -d - doc. < "$WORK/data")
  head -c 4096 "$WORK/data" > "$WORK/one-$1/doc"
}

# start_tsa [WRAPPER...]: starts the loopback TSA (optionally under a
# wrapper command) and sets $url; stop_tsa ends it.
start_tsa() {
  mkfifo "$WORK/ctl"
  "$@" "$SERVE" < "$WORK/ctl" > "$WORK/serve.out" 2> "$WORK/serve.err" &
  server=$!
  exec 3> "$WORK/ctl"
  for _ in $(seq 300); do grep -q '^tsa ' "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
  url=$(awk '/^tsa / {print $2}' "$WORK/serve.out")
  [ -n "$url" ] || { echo "the loopback TSA did not start" >&2; cat "$WORK/serve.err" >&2; exit 1; }
}
stop_tsa() {
  echo >&3
  exec 3>&-
  wait "$server"
  rm -f "$WORK/ctl"
}
# cpu_of FILE: user + system seconds recorded by /usr/bin/time -f "%e %U %S".
cpu_of() { awk '{ print $2 + $3 }' "$1"; }

if [ "$MODE" = instructions ]; then
  command -v valgrind > /dev/null || { echo "valgrind is needed for --instructions" >&2; exit 1; }
  start_tsa valgrind --tool=callgrind --trace-children=yes \
    --trace-children-skip='*/serve' --callgrind-out-file="$WORK/tsa.%p.cg"
  fresh_dirs cg
  for run in one docs; do
    valgrind --tool=callgrind --callgrind-out-file="$WORK/client-$run.cg" \
      "$HOZON" timestamp "$WORK/$run-cg" --tsa "$url" --tsa-concurrency 1 -j 1 2> /dev/null
  done
  stop_tsa
  total() { awk '/^(summary|totals):/ { print $2; exit }' "$1"; }
  one=$(total "$WORK/client-one.cg")
  all=$(total "$WORK/client-docs.cg")
  tsa=$(for f in "$WORK"/tsa.*.cg; do
          grep -q '^cmd:.*openssl ts -reply' "$f" && total "$f"
        done | awk '{ s += $1; n++ } END { if (n) printf "%.0f %d", s / n, n }')
  read -r tsa_per requests <<< "$tsa"
  [ "${requests:-0}" -eq $((N + 1)) ] || { echo "expected $((N + 1)) TSA requests, saw ${requests:-0}" >&2; exit 1; }
  awk -v n="$N" -v one="$one" -v all="$all" -v t="$tsa_per" 'BEGIN {
    marginal = (all - one) / (n - 1);
    printf "instructions per stamp (callgrind, concurrency 1, %d files)\n", n;
    printf "  client, all-in:          %12.0f  (%.1f %% of the TSA)\n", all / n, 100 * all / n / t;
    printf "  client, per extra stamp: %12.0f  (%.1f %% of the TSA)\n", marginal, 100 * marginal / t;
    printf "  client start-up (1 file):%12.0f\n", one;
    printf "  TSA (openssl ts -reply): %12.0f per request\n", t }'
  exit 0
fi

printf '%-12s %9s %9s %14s %14s %14s %9s %9s %14s\n' concurrency "stamps/s" "TSA busy" "start-up CPU" "client/stamp" "extra stamp" "TSA/stamp" "client/TSA" "(whole TSA)"
for round in $(seq "${ROUNDS:-1}"); do for c in 1 8; do
  fresh_dirs "$round-$c"
  start_tsa
  /usr/bin/time -f "%e %U %S" -o "$WORK/time-one" \
    "$HOZON" timestamp "$WORK/one-$round-$c" --tsa "$url" --tsa-concurrency "$c" -j "$c" 2> /dev/null
  /usr/bin/time -f "%e %U %S" -o "$WORK/time" \
    "$HOZON" timestamp "$WORK/docs-$round-$c" --tsa "$url" --tsa-concurrency "$c" -j "$c" 2> /dev/null
  stop_tsa
  stamped=$(find "$WORK/docs-$round-$c" -name '*.tsr' | wc -l)
  [ "$stamped" -eq "$N" ] || { echo "only $stamped of $N stamped" >&2; exit 1; }
  # "tsa: N requests, 12.34s openssl CPU, 1.2s server CPU" (Rust Durations)
  seconds() { awk '{ v = $1; if ($2 == "m") v /= 1e3; if ($2 == "µ") v /= 1e6; if ($2 == "n") v /= 1e9; print v }'; }
  tsa_cpu=$(sed -n 's/^tsa: [0-9]* requests, \([0-9.]*\)\([mµn]*\)s openssl CPU.*/\1 \2/p' "$WORK/serve.out" | seconds)
  server_cpu=$(sed -n 's/^tsa: .* openssl CPU, \([0-9.]*\)\([mµn]*\)s server CPU.*/\1 \2/p' "$WORK/serve.out" | seconds)
  one=$(cpu_of "$WORK/time-one")
  all=$(cpu_of "$WORK/time")
  elapsed=$(awk '{ print $1 }' "$WORK/time")
  awk -v n="$N" -v c="$c" -v e="$elapsed" -v one="$one" -v all="$all" -v t="$tsa_cpu" -v s="$server_cpu" 'BEGIN {
    tsa = t / (n + 1); whole = (t + s) / (n + 1); client = all / n; extra = (all - one) / (n - 1);
    printf "%-12s %9.0f %8.0f%% %11.1f ms %11.2f ms %11.2f ms %6.2f ms %4.1f%% / %.1f%% %6.2f ms %.1f%%\n",
      c, n / e, 100 * t / e, 1000 * one, 1000 * client, 1000 * extra, 1000 * tsa, 100 * client / tsa, 100 * extra / tsa,
      1000 * whole, 100 * extra / whole }'
done; done
echo "(TSA busy: openssl's CPU over wall time; 200 % is the whole 2-core machine. client/TSA: all-in / per extra stamp,"
echo " against openssl ts -reply alone; whole TSA: also the server's own CPU (HTTP, starting and reaping openssl), and the extra stamp against it.)"

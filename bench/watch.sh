#!/usr/bin/env bash
# Watch-folder intake at scanner scale (issue 21, "Done when"): SCANS
# A4 300-dpi JPEG scans (default 1,000; eight page images, every file's
# bytes distinct through a JPEG comment) are dropped into the scan
# folder of a running `hozon archive watch`, each written under a .part
# name and renamed, as a scanner's transfer does. Every scan is checked
# against the scan policy, signed and archived; the run ends when every
# input is in done/ or quarantine/. Reported: records, quarantined inputs,
# windows (evidence batches) and TSA requests — one per window is the
# target — and the rate, beside `hozon archive ingest --scans` of the same
# files as one batch (the peer measured in the same run).
#
#   bench/watch.sh [SCANS] [BATCH_RECORDS]
#
# PROFILE=debug measures the debug build (say so beside its numbers).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
BATCH=${2:-250}
PKI=testdata/pki
PROFILE=${PROFILE:-release}
case $PROFILE in
  release) build=(cargo build --release -q) ;;
  debug) build=(cargo build -q) ;;
  *) echo "PROFILE: release or debug" >&2; exit 2 ;;
esac
"${build[@]}" -p hozon
"${build[@]}" -p hozon-testkit --example serve
"${build[@]}" -p hozon-scan --example make-bench-pages
HOZON=target/$PROFILE/hozon
SERVE=target/$PROFILE/examples/serve

mkdir -p "${BENCH_DIR:-target}"
WORK=$(mktemp -d "${BENCH_DIR:-target}/hozon-watchbench.XXXXXX")
WORK=$(cd "$WORK" && pwd)
watcher=
server=
cleanup() {
  [ -n "$watcher" ] && kill "$watcher" 2> /dev/null || true
  [ -n "$server" ] && kill "$server" 2> /dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
now() { date +%s.%N; }

target/$PROFILE/examples/make-bench-pages "$WORK/pages" "$N"
mkfifo "$WORK/ctl"
"$SERVE" < "$WORK/ctl" > "$WORK/serve.out" &
server=$!
exec 3> "$WORK/ctl"
for _ in $(seq 50); do grep -q '^tsa ' "$WORK/serve.out" 2> /dev/null && break; sleep 0.1; done
url=$(awk '/^tsa / {print $2}' "$WORK/serve.out")
echo "machine: $(nproc) cores; $(openssl version); $PROFILE build; $N scans of $(($(du -sb "$WORK/pages" | cut -f1) / N / 1024)) KiB"

init() {
  $HOZON archive init "$1" --key $PKI/signer-doctor.key --cert $PKI/signer-doctor.crt \
    --chain $PKI/chain.pem --tsa "$url" --trust $PKI/root-ca.crt --crl $PKI/crls.pem --offline 2> /dev/null
}
init "$WORK/arc"
printf '\n[watch]\nsettle_seconds = 0.5\nbatch_records = %s\nbatch_seconds = 30\n' "$BATCH" >> "$WORK/arc/hozon.toml"
mkdir -p "$WORK/in" "$WORK/scans"
$HOZON archive --archive "$WORK/arc" watch "$WORK/in" --scans "$WORK/scans" > "$WORK/watch.out" 2> "$WORK/watch.err" &
watcher=$!
for _ in $(seq 100); do grep -q '"running": true' "$WORK/arc/watch.json" 2> /dev/null && break; sleep 0.1; done

t0=$(now)
for f in "$WORK"/pages/*.jpg; do
  b=$(basename "$f")
  cp "$f" "$WORK/scans/$b.part"
  mv "$WORK/scans/$b.part" "$WORK/scans/$b"
done
t_fed=$(now)
placed() {
  local d q
  d=$(find "$WORK/scans/done" -name '*.jpg' 2> /dev/null | wc -l)
  q=$(find "$WORK/scans/quarantine" -name '*.jpg' 2> /dev/null | wc -l)
  echo $((d + q))
}
deadline=$(($(date +%s) + 3600))
while [ "$(placed)" -lt "$N" ]; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "not all scans placed after an hour" >&2; exit 1; }
  kill -0 "$watcher" 2> /dev/null || { echo "the watcher stopped:" >&2; cat "$WORK/watch.err" >&2; exit 1; }
  sleep 0.2
done
t1=$(now)
kill -TERM "$watcher"
wait "$watcher" || { echo "the watcher did not exit 0 on SIGTERM" >&2; exit 1; }
watcher=

$HOZON archive --archive "$WORK/arc" status --json > "$WORK/status.json"
python3 - "$WORK/status.json" > "$WORK/counts" << 'PY'
import json, sys
s = json.load(open(sys.argv[1]))
t = s["watch"]["totals"]
print(s["total"], t["records"], t["quarantined"], t["batches"])
PY
read -r total records quarantined batches < "$WORK/counts"

# The peer, same run: the same scans checked, signed and archived by one
# `archive ingest --scans` (one evidence batch).
init "$WORK/arc2"
mkdir -p "$WORK/batch"
cp "$WORK"/pages/*.jpg "$WORK/batch/"
t2=$(now)
$HOZON archive --archive "$WORK/arc2" ingest --scans "$WORK/batch" --json > "$WORK/ingest.json"
t3=$(now)
echo >&3
exec 3>&-
wait "$server"
server=
requests=$(sed -n 's/^tsa: \([0-9]*\) requests.*/\1/p' "$WORK/serve.out")
# Each `archive init` asks for one test stamp; the batch ingest for one.
watch_requests=$((requests - 3))

printf '%-62s %10s\n' measure value
printf '%-62s %10s\n' "scans fed to the watched folder" "$N"
printf '%-62s %10s\n' "  records archived (catalog total)" "$total"
printf '%-62s %10s\n' "  quarantined" "$quarantined"
printf '%-62s %10s\n' "  windows (evidence batches of up to $BATCH records)" "$batches"
printf '%-62s %10s\n' "  TSA requests of the watcher" "$watch_requests"
awk -v n="$N" -v a="$t0" -v b="$t1" 'BEGIN { printf "%-62s %10.1f\n", "  watch: first scan fed to last placed (scans/s)", n / (b - a) }'
awk -v a="$t0" -v b="$t_fed" 'BEGIN { printf "%-62s %10.1f\n", "  time to feed them (s)", b - a }'
awk -v n="$N" -v a="$t2" -v b="$t3" 'BEGIN { printf "%-62s %10.1f\n", "archive ingest --scans of the same files, one batch (scans/s)", n / (b - a) }'
awk -v n="$N" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN { printf "%-62s %10.2f\n", "  ratio watch / batch ingest", (n / (b - a)) / (n / (d - c)) }'
[ "$((records + quarantined))" -eq "$N" ] || { echo "records + quarantined != $N" >&2; exit 1; }
[ "$records" -eq "$total" ] || { echo "the catalog holds $total records, the watcher says $records" >&2; exit 1; }
[ "$watch_requests" -eq "$batches" ] || { echo "$watch_requests TSA requests for $batches windows" >&2; exit 1; }

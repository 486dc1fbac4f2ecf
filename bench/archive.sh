#!/usr/bin/env bash
# The batch archive (issue 6):
#  1. `hozon archive ingest` of FILES small unsigned documents (default
#     10,000 of 1 KiB) against the loopback TSA: each is copied byte for
#     byte, signed (B-B with its validation data, after a strict check of
#     the new signature), published as a record directory, catalogued and
#     logged, and the whole run gets one evidence batch (one TSA request).
#     Target: >= 1,000 files/s on 2 cores. For scale, the same files are
#     signed with `hozon sign` (B-B, durable writes) in the same run.
#     Durability is not switched off: every group of 256 records costs two
#     syncfs(2) calls, the month directories' fsyncs, a catalog transaction
#     and an fsynced audit append. BENCH_DIR=/dev/shm takes the disk out
#     (the difference is the honest cost of the flushes on this disk).
#  2. `hozon archive status` on a catalog of ROWS records (default
#     1,000,000, filled directly by the fill-catalog example). Target: < 2 s.
#
#   bench/archive.sh [FILES] [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
ROWS=${2:-1000000}
PKI=testdata/pki
cargo build --release -q -p hozon
cargo build --release -q -p hozon-testkit --example serve
cargo build --release -q -p hozon-archive --example fill-catalog
HOZON=target/release/hozon
SERVE=target/release/examples/serve
FILL=target/release/examples/fill-catalog

mkdir -p "${BENCH_DIR:-target}"
WORK=$(mktemp -d "${BENCH_DIR:-target}/hozon-archivebench.XXXXXX")
WORK=$(cd "$WORK" && pwd)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/docs" "$WORK/signed"
head -c $((N * 768)) /dev/urandom | base64 -w 76 > "$WORK/all.txt"
(cd "$WORK/docs" && split -n "$N" -a 6 -d --additional-suffix=.txt "$WORK/all.txt" note.)
rm "$WORK/all.txt"

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }

mkfifo "$WORK/ctl"
"$SERVE" < "$WORK/ctl" > "$WORK/serve.out" &
server=$!
exec 3> "$WORK/ctl"
for _ in $(seq 50); do grep -q '^tsa ' "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(awk '/^tsa / {print $2}' "$WORK/serve.out")
echo "machine: $(nproc) cores; $(openssl version); work dir on $(df -T "$WORK" | awk 'NR==2 {print $2}')"

$HOZON archive init "$WORK/arc" --key $PKI/signer-doctor.key --cert $PKI/signer-doctor.crt \
  --chain $PKI/chain.pem --tsa "$url" --trust $PKI/root-ca.crt --crl $PKI/crls.pem --offline 2> /dev/null
t0=$(now)
$HOZON archive --archive "$WORK/arc" ingest "$WORK/docs" --json > "$WORK/ingest.json"
t1=$(now)
archived=$(grep -c '"kind": "document"' "$WORK/ingest.json" || true)
[ "$archived" -eq "$N" ] || { echo "only $archived of $N archived" >&2; exit 1; }
grep -q '"error": null' "$WORK/ingest.json" || { echo "no evidence batch" >&2; exit 1; }
ingest_rate=$(rate "$N" "$t0" "$t1")

t2=$(now)
$HOZON sign "$WORK/docs" --out-dir "$WORK/signed" --key $PKI/signer-doctor.key \
  --cert $PKI/signer-doctor.crt --chain $PKI/chain.pem 2> /dev/null
t3=$(now)
sign_rate=$(rate "$N" "$t2" "$t3")

t4=$(now)
$HOZON archive --archive "$WORK/arc" verify --json > "$WORK/verify.json"
t5=$(now)
verify_rate=$(rate "$N" "$t4" "$t5")
echo >&3
exec 3>&-
wait "$server"
tsa_requests=$(sed -n 's/^tsa: \([0-9]*\) requests.*/\1/p' "$WORK/serve.out")

$FILL "$WORK/big" "$ROWS" > /dev/null
best=999
for _ in 1 2 3; do
  s0=$(now)
  $HOZON archive --archive "$WORK/big" status --json > "$WORK/status.json"
  s1=$(now)
  best=$(awk -v a="$s0" -v b="$s1" -v c="$best" 'BEGIN { d = b - a; print (d < c ? d : c) }')
done
grep -q "\"total\": $ROWS" "$WORK/status.json" || { echo "status total wrong" >&2; exit 1; }

printf '%-62s %10s\n' measure value
printf '%-62s %10s\n' "archive ingest, $N x 1 KiB unsigned docs (files/s)" "$ingest_rate"
printf '%-62s %10s\n' "  TSA requests for the whole ingest (one evidence batch)" "$tsa_requests"
printf '%-62s %10s\n' "hozon sign B-B of the same files, --out-dir (files/s)" "$sign_rate"
awk -v a="$ingest_rate" -v b="$sign_rate" 'BEGIN { printf "%-62s %10.2f\n", "  ratio ingest / sign", a / b }'
printf '%-62s %10s\n' "archive verify of the $N records, evidence included (records/s)" "$verify_rate"
printf '%-62s %10.3f\n' "archive status on $ROWS catalogued records (s, best of 3)" "$best"

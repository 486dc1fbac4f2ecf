#!/usr/bin/env bash
# Offline verification throughput of B-LTA signatures (target: >= 2,000/s on
# 2 cores), measured against `openssl cms -verify` on the same files in the
# same run.
#
#   bench/lta-verify.sh [FILES]        (default 2000 files of 4 KiB)
#
# The signatures are made here: `hozon sign --level t` and `hozon extend
# --level lta` against the loopback TSA (hozon-testkit's `serve` example,
# 127.0.0.1 only), with the test PKI's CRLs embedded. Each carries the
# signer's chain, two CRLs, a signature time stamp and an archive time stamp
# (archive-time-stamp-v3 with its ats-hash-index-v3), so verifying one means:
# three RSA signature checks (signature, signature stamp, archive stamp), the
# content digest, the ATSv3 imprint, path validation of the signer and the
# TSA at two times each, and revocation from embedded CRLs, with no network.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
SAMPLE=${SAMPLE:-200}
CORES=$(nproc)
PKI=testdata/pki
cargo build --release -q -p hozon
cargo build --release -q -p hozon-testkit --example serve
HOZON=target/release/hozon
SERVE=target/release/examples/serve

mkdir -p "${BENCH_DIR:-target}"
WORK=$(mktemp -d "${BENCH_DIR:-target}/hozon-ltabench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/docs"
head -c $((N * 4096)) /dev/urandom | (cd "$WORK/docs" && split -b 4096 -a 6 -d - doc.)

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }

mkfifo "$WORK/ctl"
"$SERVE" < "$WORK/ctl" > "$WORK/serve.out" &
server=$!
exec 3> "$WORK/ctl"
for _ in $(seq 50); do grep -q '^tsa ' "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(awk '/^tsa / {print $2}' "$WORK/serve.out")
echo "making $N B-LTA signatures against the loopback TSA ($url)..."
$HOZON sign "$WORK/docs" --key $PKI/signer-doctor.key --cert $PKI/signer-doctor.crt \
  --chain $PKI/chain.pem --level t --tsa "$url" --tsa-concurrency 8 -j 8 2> /dev/null
$HOZON extend "$WORK/docs" --level lta --trust $PKI/root-ca.crt --crl $PKI/crls.pem \
  --tsa "$url" --tsa-concurrency 8 -j 8 --offline 2> /dev/null
echo >&3
exec 3>&-
wait "$server"

echo "machine: $CORES cores; $(openssl version)"
t0=$(now)
$HOZON verify "$WORK/docs" --trust $PKI/root-ca.crt --offline --json > "$WORK/report.json"
t1=$(now)
verify_rate=$(rate "$N" "$t0" "$t1")
passed=$(grep -c '"indication": "TOTAL_PASSED"' "$WORK/report.json" || true)
lta=$(grep -c '"level": "B-LTA"' "$WORK/report.json" || true)
[ "$passed" -eq "$N" ] || { echo "only $passed of $N verified TOTAL_PASSED" >&2; exit 1; }
[ "$lta" -eq "$N" ] || { echo "only $lta of $N reported as B-LTA" >&2; exit 1; }

# openssl cms -verify, one process per file, on a sample: the signature and
# the signer's chain only (OpenSSL does not validate the time stamps).
cat $PKI/root-ca.crt $PKI/crls.pem > "$WORK/root-and-crls.pem"
i=0
t0=$(now)
for f in "$WORK"/docs/doc.*[0-9]; do
  [ "$i" -lt "$SAMPLE" ] || break
  openssl cms -verify -cades -binary -inform DER -in "$f.p7s" -content "$f" \
    -CAfile "$WORK/root-and-crls.pem" -purpose any -crl_check_all -out /dev/null 2> /dev/null
  i=$((i + 1))
done
t1=$(now)
ossl_rate=$(rate "$i" "$t0" "$t1")

echo
printf '%-60s %10s\n' "measure" "per second"
printf '%-60s %10s\n' "hozon verify --offline, B-LTA (batch, $CORES threads)" "$verify_rate"
printf '%-60s %10s\n' "openssl cms -verify -cades, one process per file" "$ossl_rate"
echo
echo "hozon verify B-LTA / openssl cms -verify per file: $(awk -v a="$verify_rate" -v b="$ossl_rate" 'BEGIN { printf "%.1f", a / b }')"
echo "hozon verify --offline B-LTA: $verify_rate signatures/s   (target >= 2000)"

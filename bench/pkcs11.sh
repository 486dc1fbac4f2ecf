#!/usr/bin/env bash
# Batch signing throughput through a PKCS#11 token (SoftHSM2) against the same
# key in software, in one run, printed as a ratio.
#
#   bench/pkcs11.sh [FILES] [SIZE_BYTES]      (defaults: 1000 files of 4096 bytes)
#
# Both runs sign the same files with the test doctor's RSA-2048 key (CAdES B-B,
# RSA PKCS#1 v1.5 with SHA-256, durable writes), with the same number of
# worker threads (one per core): once from testdata/pki/signer-doctor.key,
# once from a SoftHSM token the script creates in a temporary directory
# (the key and certificates imported with softhsm2-util and pkcs11-tool).
# SoftHSM computes RSA with OpenSSL too, so the ratio is the cost of the
# PKCS#11 layer (C_Sign calls, sessions, SoftHSM's object store); a real HPKI
# card signs a few times per second and an HSM at its own rated speed.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
SIZE=${2:-4096}
MODULE=${MODULE:-/usr/lib/softhsm/libsofthsm2.so}
PKI=testdata/pki
command -v softhsm2-util >/dev/null && [ -e "$MODULE" ] || { echo "bench/pkcs11.sh: softhsm2 is not installed (scripts/setup installs it)" >&2; exit 1; }

cargo build --release -q -p hozon
HOZON=target/release/hozon

mkdir -p "${BENCH_DIR:-target}"
WORK=$(mktemp -d "${BENCH_DIR:-target}/hozon-bench-pkcs11.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/soft" "$WORK/token" "$WORK/softhsm/tokens"
head -c $((N * SIZE)) /dev/urandom | (cd "$WORK/soft" && split -b "$SIZE" -a 6 -d - doc.)
cp "$WORK"/soft/doc.* "$WORK/token/"

# A SoftHSM token with the doctor's key, certificate and the CA certificates.
export SOFTHSM2_CONF="$WORK/softhsm/softhsm2.conf"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$WORK/softhsm/tokens" > "$SOFTHSM2_CONF"
# Benchmark PIN, for this throw-away token only; hozon reads it from the environment.
export BENCH_PIN=bench-1234
softhsm2-util --init-token --free --label bench --pin "$BENCH_PIN" --so-pin bench-so >/dev/null
softhsm2-util --import "$PKI/signer-doctor.key" --token bench --label doctor --id 01 --pin "$BENCH_PIN" >/dev/null
for c in signer-doctor:01 signing-ca:10 root-ca:11; do
  openssl x509 -in "$PKI/${c%%:*}.crt" -outform DER -out "$WORK/softhsm/cert.der"
  pkcs11-tool --module "$MODULE" --token-label bench --login --pin "$BENCH_PIN" \
    --write-object "$WORK/softhsm/cert.der" --type cert --id "${c##*:}" --label "${c%%:*}" >/dev/null 2>&1
done

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "machine: $(nproc) cores; $(openssl version); $N files of $SIZE bytes; $MODULE"

t0=$(now)
"$HOZON" sign "$WORK/soft" --key "$PKI/signer-doctor.key" --cert "$PKI/signer-doctor.crt" --chain "$PKI/chain.pem" 2>/dev/null
t1=$(now)
"$HOZON" sign "$WORK/token" --pkcs11-module "$MODULE" --pkcs11-token bench --pkcs11-key doctor --pin-env BENCH_PIN 2>/dev/null
t2=$(now)
[ "$(find "$WORK/token" -name '*.p7s' | wc -l)" -eq "$N" ] || { echo "bench/pkcs11.sh: not every file was signed through the token" >&2; exit 1; }

soft=$(rate "$N" "$t0" "$t1")
token=$(rate "$N" "$t1" "$t2")
echo "hozon sign, software key (RSA-2048):   $soft files/s"
echo "hozon sign, SoftHSM token (RSA-2048):  $token files/s"
echo "ratio token / software: $(ratio "$token" "$soft")"

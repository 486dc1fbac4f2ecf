#!/usr/bin/env bash
# Batch signing and verification throughput of hozon, measured against OpenSSL
# on the same machine in the same run, and printed as ratios.
#
#   bench/sign-verify.sh [FILES] [SIZE_BYTES]      (defaults: 10000 files of 4096 bytes)
#
# What is compared:
#   * `openssl speed rsa2048` sign/s with one process per core: the physical
#     limit for RSA-2048 signing on this machine. hozon's batch signing rate is
#     reported as a fraction of it (target: >= 0.85).
#   * `openssl cms -sign` run once per file (how a shell script would do it),
#     on a sample of the files, extrapolated to files/s.
#   * hozon verify (CAdES B-B, full chain, CRL) in signatures/s (target:
#     >= 10,000/s), and `openssl cms -verify` once per file on a sample.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
SIZE=${2:-4096}
SAMPLE=${SAMPLE:-300}
CORES=$(nproc)
PKI=testdata/pki

cargo build --release -q -p hozon
HOZON=target/release/hozon

# Where the files go: BENCH_DIR (e.g. /dev/shm to take the disk out of the
# measurement), default a fresh directory under target/.
mkdir -p "${BENCH_DIR:-target}"
WORK=$(mktemp -d "${BENCH_DIR:-target}/hozon-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/docs" "$WORK/sample"
# N files of SIZE random bytes, made in one pass.
head -c $((N * SIZE)) /dev/urandom | (cd "$WORK/docs" && split -b "$SIZE" -a 6 -d - doc.)
i=0
for f in "$WORK"/docs/doc.*; do
  [ "$i" -lt "$SAMPLE" ] || break
  cp "$f" "$WORK/sample/"
  i=$((i + 1))
done

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "machine: $CORES cores; $(openssl version); $N files of $SIZE bytes in $(df -T "$WORK" | awk 'NR==2 {print $2}') ($WORK)"

# The physical limit: RSA-2048 private-key operations per second on all cores.
speed_multi=$(openssl speed -seconds 3 -multi "$CORES" rsa2048 2>/dev/null | awk '/^rsa 2048/ {print $(NF-1)}')
speed_one=$(openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048/ {print $(NF-1)}')
echo "openssl speed rsa2048: ${speed_one} sign/s on 1 core, ${speed_multi} sign/s with -multi $CORES"

# The file system's share: the I/O of one signature (read the document,
# create a new file, write 4.5 KiB), done alone in one process without any
# cryptography. With it, the limit for "one RSA-2048 signature and one new
# file per document" on all cores is cores / (1/speed_one + io_seconds_per_file).
t0=$(now)
python3 - "$WORK/docs" "$WORK/copy" <<'PY'
import os, sys
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst)
out = b"\x30" * 4540
for name in sorted(os.listdir(src)):
    fd = os.open(os.path.join(src, name), os.O_RDONLY)
    os.read(fd, 1 << 20)
    os.close(fd)
    fd = os.open(os.path.join(dst, name + ".p7s"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    os.write(fd, out)
    os.close(fd)
PY
t1=$(now)
copy_rate=$(rate "$N" "$t0" "$t1")
io_limit=$(awk -v s="$speed_one" -v c="$CORES" -v r="$copy_rate" 'BEGIN { printf "%.0f", c / (1 / s + 1 / r) }')

# hozon sign, whole batch.
t0=$(now)
$HOZON sign "$WORK/docs" --key $PKI/signer-doctor.key --cert $PKI/signer-doctor.crt --chain $PKI/chain.pem 2>/dev/null
t1=$(now)
sign_rate=$(rate "$N" "$t0" "$t1")
signed=$(find "$WORK/docs" -name '*.p7s' | wc -l)
[ "$signed" -eq "$N" ] || { echo "only $signed of $N signed" >&2; exit 1; }

# openssl cms -sign, one process per file, on a sample.
t0=$(now)
for f in "$WORK"/sample/doc.*; do
  openssl cms -sign -binary -cades -outform DER -in "$f" -out "$f.p7s" \
    -signer $PKI/signer-doctor.crt -inkey $PKI/signer-doctor.key -certfile $PKI/chain.pem
done
t1=$(now)
ossl_sign_rate=$(rate "$SAMPLE" "$t0" "$t1")

# hozon verify, whole batch (chain to the root, CRLs for every certificate).
t0=$(now)
$HOZON verify "$WORK/docs" --trust $PKI/root-ca.crt --crl $PKI/crls.pem --json > "$WORK/report.json"
t1=$(now)
verify_rate=$(rate "$N" "$t0" "$t1")
passed=$(grep -c '"indication": "TOTAL_PASSED"' "$WORK/report.json" || true)
[ "$passed" -eq "$N" ] || { echo "only $passed of $N verified TOTAL_PASSED" >&2; exit 1; }

# openssl cms -verify, one process per file, on the sample. (`openssl cms`
# has no -CRLfile: CRLs are read from the -CAfile bundle.)
cat $PKI/root-ca.crt $PKI/crls.pem > "$WORK/root-and-crls.pem"
t0=$(now)
for f in "$WORK"/sample/doc.*[0-9]; do
  openssl cms -verify -cades -binary -inform DER -in "$f.p7s" -content "$f" \
    -CAfile "$WORK/root-and-crls.pem" -purpose any -crl_check_all -out /dev/null 2>/dev/null
done
t1=$(now)
ossl_verify_rate=$(rate "$SAMPLE" "$t0" "$t1")

echo
printf '%-48s %10s\n' "measure" "per second"
printf '%-48s %10s\n' "hozon sign (batch, $CORES threads)" "$sign_rate"
printf '%-48s %10s\n' "openssl speed rsa2048 -multi $CORES (limit)" "$speed_multi"
printf '%-48s %10s\n' "I/O alone: read + create + write, one process" "$copy_rate"
printf '%-48s %10s\n' "limit with one file creation per signature" "$io_limit"
printf '%-48s %10s\n' "openssl cms -sign, one process per file" "$ossl_sign_rate"
printf '%-48s %10s\n' "hozon verify (batch, B-B + chain + CRL)" "$verify_rate"
printf '%-48s %10s\n' "openssl cms -verify, one process per file" "$ossl_verify_rate"
echo
echo "hozon sign / openssl speed (all cores):   $(ratio "$sign_rate" "$speed_multi")   (target >= 0.85)"
echo "hozon sign / openssl speed x cores (1-core figure x $CORES): $(ratio "$sign_rate" "$(awk -v s="$speed_one" -v c="$CORES" 'BEGIN{print s*c}')")"
echo "hozon sign / limit with file creation:   $(ratio "$sign_rate" "$io_limit")"
echo "hozon sign / openssl cms -sign per file:  $(ratio "$sign_rate" "$ossl_sign_rate")"
echo "hozon verify / openssl cms -verify per file: $(ratio "$verify_rate" "$ossl_verify_rate")"
echo "hozon verify: $verify_rate signatures/s   (target >= 10000)"

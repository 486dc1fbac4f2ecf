#!/usr/bin/env bash
# PAdES signing and verification of many ten-page PDFs: hozon against
# pyHanko 0.38.0 (the PAdES oracle scripts/setup installs), measured on the
# same machine in the same run, printed as ratios (docs/performance.md).
#
#   bench/pades.sh [N]        (default 1000 PDFs)
#
#   * hozon sign --format pades, all N files in one run, B-B (RSA-2048);
#     pyHanko signs copies of the same files in one Python process (no
#     start-up cost per file): tests/oracles/pades-pyhanko.py bench-sign.
#   * hozon verify of the N signed files (chain to the root, CRLs, and the
#     analysis of what changed after each signature); pyHanko validates the
#     same files in one process (validate, with its difference analysis).
#
# HOZON=path/to/hozon uses that binary instead of building a release one.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
PKI=testdata/pki
TOOLS="${HOZON_TOOLS:-${HOME:-/root}/.cache/hozon-tools}"
PY="${HOZON_PYHANKO:-$TOOLS/pyhanko-0.38.0/bin/python}"
[ -x "$PY" ] || { echo "pyHanko is missing: run scripts/setup" >&2; exit 1; }
command -v qpdf >/dev/null || { echo "qpdf is missing: run scripts/setup" >&2; exit 1; }
if [ -z "${HOZON:-}" ]; then
  cargo build --release -q -p hozon
  HOZON=target/release/hozon
fi

mkdir -p "${BENCH_DIR:-target}"
WORK=$(mktemp -d "${BENCH_DIR:-target}/hozon-pades-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/hozon" "$WORK/pyhanko"

# One ten-page born-digital PDF (the lab report's page ten times, qpdf),
# copied N times for each signer.
pages=()
for _ in $(seq 10); do pages+=(testdata/docs/lab-report.pdf); done
qpdf --empty --pages "${pages[@]}" -- "$WORK/ten-pages.pdf"
[ "$(qpdf --show-npages "$WORK/ten-pages.pdf")" -eq 10 ]
for i in $(seq -w 1 "$N"); do
  cp "$WORK/ten-pages.pdf" "$WORK/hozon/record-$i.pdf"
  cp "$WORK/ten-pages.pdf" "$WORK/pyhanko/record-$i.pdf"
done

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.1f", n / (b - a) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "machine: $(nproc) cores; $(openssl version); $N PDFs of 10 pages ($(stat -c %s "$WORK/ten-pages.pdf") bytes)"

t0=$(now)
"$HOZON" sign --format pades "$WORK"/hozon/record-*.pdf --key $PKI/signer-doctor.key \
  --cert $PKI/signer-doctor.crt --chain $PKI/chain.pem --trust $PKI/trust.pem \
  --crl $PKI/crls.pem --offline --json > "$WORK/signed.json"
t1=$(now)
hozon_sign=$(rate "$N" "$t0" "$t1")
signed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["signed"])' "$WORK/signed.json")
[ "$signed" -eq "$N" ] || { echo "hozon signed only $signed of $N" >&2; exit 1; }

t0=$(now)
"$PY" tests/oracles/pades-pyhanko.py bench-sign "$WORK"/pyhanko/record-*.pdf --pki $PKI
t1=$(now)
py_sign=$(rate "$N" "$t0" "$t1")

t0=$(now)
"$HOZON" verify "$WORK/hozon" --trust $PKI/trust.pem --crl $PKI/crls.pem --offline --json \
  > "$WORK/report.json"
t1=$(now)
hozon_verify=$(rate "$N" "$t0" "$t1")
passed=$(grep -c '"indication": "TOTAL_PASSED"' "$WORK/report.json" || true)
[ "$passed" -eq "$N" ] || { echo "only $passed of $N verified TOTAL_PASSED" >&2; exit 1; }

t0=$(now)
"$PY" tests/oracles/pades-pyhanko.py validate "$WORK"/pyhanko/record-*.pdf --pki $PKI \
  > "$WORK/pyhanko.json"
t1=$(now)
py_verify=$(rate "$N" "$t0" "$t1")
py_passed=$(grep -c '"bottom_line": true' "$WORK/pyhanko.json" || true)
[ "$py_passed" -eq "$N" ] || { echo "pyHanko: only $py_passed of $N valid" >&2; exit 1; }

echo
printf '%-52s %10s\n' "measure" "PDFs/s"
printf '%-52s %10s\n' "hozon sign --format pades (B-B, one run)" "$hozon_sign"
printf '%-52s %10s\n' "pyHanko sign (B-B, one process)" "$py_sign"
printf '%-52s %10s\n' "hozon verify (chain, CRLs, change analysis)" "$hozon_verify"
printf '%-52s %10s\n' "pyHanko validate (one process, difference analysis)" "$py_verify"
echo
echo "hozon sign / pyHanko sign:         $(ratio "$hozon_sign" "$py_sign")"
echo "hozon verify / pyHanko validate:   $(ratio "$hozon_verify" "$py_verify")"

#!/usr/bin/env bash
# XAdES verification of many small enveloped-signed XML documents against
# CAdES verification of as many small documents, same machine, same run,
# printed as a ratio (docs/performance.md; target: XAdES >= half the CAdES
# rate).
#
#   bench/xades.sh [N]        (default 10000 documents)
#
#   * N e-prescription-like XML documents (testdata/xml/prescription.xml with
#     a different prescription number in each), signed enveloped at XAdES
#     B-B by `hozon sign --format xades` in one run (rate reported too);
#   * the same N documents signed as detached CAdES B-B by `hozon sign`;
#   * `hozon verify DIR` over each set (chain to the root, CRLs, offline):
#     every signature must be TOTAL_PASSED; signatures/s of each, and the
#     ratio XAdES / CAdES.
#
# HOZON=path/to/hozon uses that binary instead of building a release one.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
PKI=testdata/pki
if [ -z "${HOZON:-}" ]; then
  cargo build --release -q -p hozon
  HOZON=target/release/hozon
fi

mkdir -p "${BENCH_DIR:-target}"
WORK=$(mktemp -d "${BENCH_DIR:-target}/hozon-xades-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/xml" "$WORK/cades" "$WORK/xades"

# N small documents, each its own prescription number.
python3 - "$WORK" "$N" testdata/xml/prescription.xml <<'PY'
import os, sys
work, n, sample = sys.argv[1], int(sys.argv[2]), open(sys.argv[3], encoding="utf-8").read()
assert '<PrescriptionData Id="prescription-data">' in sample
for i in range(n):
    doc = sample.replace("<Days>28</Days>", "<Days>28</Days>\n      <Number>RX-%08d</Number>" % i)
    # The CAdES set as .txt: a directory walk reads every .xml to tell XAdES.
    for d, ext in (("xml", "xml"), ("cades", "txt")):
        with open(os.path.join(work, d, "rx-%06d.%s" % (i, ext)), "w", encoding="utf-8") as f:
            f.write(doc)
PY

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
signer=(--key $PKI/signer-doctor.key --cert $PKI/signer-doctor.crt --chain $PKI/chain.pem
        --trust $PKI/trust.pem --crl $PKI/crls.pem --offline)
check=(--trust $PKI/trust.pem --crl $PKI/crls.pem --offline --json)
passed() { grep -c '"indication": "TOTAL_PASSED"' "$1" || true; }

echo "machine: $(nproc) cores; $(openssl version); $N documents of $(stat -c %s "$WORK/xml/rx-000000.xml") bytes"

t0=$(now)
"$HOZON" sign --format xades "$WORK/xml" --out-dir "$WORK/xades" "${signer[@]}" --json > "$WORK/xs.json"
t1=$(now)
xades_sign=$(rate "$N" "$t0" "$t1")
t0=$(now)
"$HOZON" sign "$WORK/cades" "${signer[@]}" --json > "$WORK/cs.json"
t1=$(now)
cades_sign=$(rate "$N" "$t0" "$t1")
[ "$(find "$WORK/xades" -name '*.signed.xml' | wc -l)" -eq "$N" ] || { echo "XAdES: not all signed" >&2; exit 1; }

t0=$(now)
"$HOZON" verify "$WORK/xades" "${check[@]}" > "$WORK/xv.json"
t1=$(now)
xades_verify=$(rate "$N" "$t0" "$t1")
[ "$(passed "$WORK/xv.json")" -eq "$N" ] || { echo "XAdES: only $(passed "$WORK/xv.json") of $N passed" >&2; exit 1; }

t0=$(now)
"$HOZON" verify "$WORK/cades" "${check[@]}" > "$WORK/cv.json"
t1=$(now)
cades_verify=$(rate "$N" "$t0" "$t1")
[ "$(passed "$WORK/cv.json")" -eq "$N" ] || { echo "CAdES: only $(passed "$WORK/cv.json") of $N passed" >&2; exit 1; }

echo
printf '%-52s %12s\n' "measure" "documents/s"
printf '%-52s %12s\n' "hozon sign --format xades (enveloped B-B, one run)" "$xades_sign"
printf '%-52s %12s\n' "hozon sign (detached CAdES B-B, one run)" "$cades_sign"
printf '%-52s %12s\n' "hozon verify, XAdES B-B (chain, CRLs)" "$xades_verify"
printf '%-52s %12s\n' "hozon verify, CAdES B-B (chain, CRLs)" "$cades_verify"
echo
echo "XAdES verify / CAdES verify:   $(ratio "$xades_verify" "$cades_verify")  (target >= 0.50)"

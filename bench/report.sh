#!/usr/bin/env bash
# The printable report at scale (docs/performance.md, docs/reports.md): 10,000 synthetic
# verification results (a third failed, a sixth indeterminate) rendered by hozon-report as
# PDF/A-2b and as HTML, then, as the peer on the same data in the same run, headless Chromium
# printing that HTML to PDF (--print-to-pdf). Prints both times and the ratio.
#
#   bench/report.sh [N]        (default N=10000; needs a Japanese font and chromium, see
#                               scripts/setup)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
OUT=$(mktemp -d "${TMPDIR:-/tmp}/hozon-report-bench.XXXXXX")
trap 'rm -rf "$OUT"' EXIT

cargo build --release -q -p hozon-report --example report_scale
line=$(target/release/examples/report_scale "$OUT" "$N")
echo "hozon-report: $line"
pdf_s=$(sed -n 's/.*pdf_seconds=\([0-9.]*\).*/\1/p' <<<"$line")

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { echo "no chromium: run scripts/setup" >&2; exit 1; }
start=$(date +%s.%N)
"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
  --user-data-dir="$OUT/profile" --no-pdf-header-footer \
  --print-to-pdf="$OUT/chromium.pdf" "file://$OUT/report.html" 2>/dev/null
end=$(date +%s.%N)
chrome_s=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
pages() { qpdf --show-npages "$1" 2>/dev/null || echo "?"; }
printf 'hozon PDF/A-2b: %.2f s, %s pages, %s bytes\n' "$pdf_s" "$(pages "$OUT/report.pdf")" "$(stat -c %s "$OUT/report.pdf")"
printf 'chromium --print-to-pdf of the HTML: %.2f s, %s pages, %s bytes\n' "$chrome_s" "$(pages "$OUT/chromium.pdf")" "$(stat -c %s "$OUT/chromium.pdf")"
printf 'ratio chromium / hozon: %.1f\n' "$(awk -v c="$chrome_s" -v p="$pdf_s" 'BEGIN { print c / p }')"

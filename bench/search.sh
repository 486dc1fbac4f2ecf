#!/usr/bin/env bash
# Search on a large catalog (issue 21): ROWS synthetic records with
# metadata (default 1,000,000; 20 per patient) filled by the
# fill-search-catalog example, which also times the catalog queries
# alone; then `hozon archive search --patient ID --from --to --json`
# end to end (opening the archive, the query, the audit log's access
# line with its fsync), best of 5. Target (issue 21): < 50 ms.
#
#   bench/search.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
cargo build --release -q -p hozon
cargo build --release -q -p hozon-archive --example fill-search-catalog
HOZON=target/release/hozon
FILL=target/release/examples/fill-search-catalog

mkdir -p "${BENCH_DIR:-target}"
WORK=$(mktemp -d "${BENCH_DIR:-target}/hozon-searchbench.XXXXXX")
WORK=$(cd "$WORK" && pwd)
trap 'rm -rf "$WORK"' EXIT
now() { date +%s.%N; }

$FILL "$WORK/arc" "$ROWS" > "$WORK/fill.out"
read -r _ patient from to < <(grep '^patient ' "$WORK/fill.out")
best=999
for _ in 1 2 3 4 5; do
  s0=$(now)
  $HOZON archive --archive "$WORK/arc" search --patient "$patient" --from "$from" --to "$to" --json > "$WORK/search.json"
  s1=$(now)
  best=$(awk -v a="$s0" -v b="$s1" -v c="$best" 'BEGIN { d = b - a; print (d < c ? d : c) }')
done
found=$(grep -c '"id":' "$WORK/search.json" || true)
[ "$found" -gt 0 ] || { echo "the search found nothing" >&2; exit 1; }

echo "machine: $(nproc) cores; work dir on $(df -T "$WORK" | awk 'NR==2 {print $2}')"
printf '%-62s %10s\n' measure value
while read -r _ name count ms; do
  printf '%-62s %10s\n' "catalog query $name on $ROWS rows, $count found (ms)" "$ms"
done < <(grep '^query ' "$WORK/fill.out")
awk -v b="$best" -v n="$found" -v r="$ROWS" 'BEGIN { printf "%-62s %10.1f\n", "hozon archive search --patient --from --to, " n " found, " r " rows (ms)", b * 1000 }'

#!/usr/bin/env bash
# Replication to a loopback SeaweedFS (Object Lock bucket), release build:
#   1. N small files (default 10,000 of 2-6 KiB, like signatures and small
#      records): hozon-replica's ensure_all (hash check, HEAD, PUT with lock
#      headers and x-amz-checksum-sha256, HEAD read-back) vs boto3 uploading
#      the same files with the same lock headers and a SHA-256 checksum
#      (PUT only), both with P uploads in flight, in this run;
#      objects/s and the ratio hozon / boto3. Then a rerun of hozon
#      (everything present: what a resumed run costs).
#   2. One large file (default 2 GiB) as a streamed multipart upload: wall
#      time, MiB/s and peak RSS (/usr/bin/time -v); the target is < 128 MiB.
#
#   bench/replicate.sh [N] [BIG_MIB] [P]      (defaults 10000 2048 8)
#
# Needs scripts/setup (weed), python3 with venv (boto3 is installed into a
# venv in the bench's temporary directory), /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
BIG_MIB=${2:-2048}
P=${3:-8}
. bench/lib/seaweed.sh

cargo build --release -q -p hozon-replica --example replica_bench
BIN=target/release/examples/replica_bench

start_seaweed hozon-replbench
UNTIL=$(( $(date +%s) + 86400 ))

python3 - "$WORK" "$N" <<'PY'
import os, random, sys
work, n = sys.argv[1], int(sys.argv[2])
d = os.path.join(work, "small")
os.makedirs(d)
rng = random.Random(1)
for i in range(n):
    with open(os.path.join(d, f"record-{i:06d}.p7s"), "wb") as f:
        f.write(rng.randbytes(rng.randint(2048, 6144)))
PY

echo "== $N small files, $P in flight"
"$BIN" "$ENDPOINT" bench hozon "$WORK/small" "$P" "$UNTIL" | tee "$WORK/hozon.txt"
"$WORK/venv/bin/python" - "$ENDPOINT" "$WORK/small" "$P" "$UNTIL" <<'PY' | tee "$WORK/boto3.txt"
import datetime, os, sys, time, boto3
from concurrent.futures import ThreadPoolExecutor
endpoint, d, p, until = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
cfg = boto3.session.Config(s3={"addressing_style": "path"}, max_pool_connections=p)
s3 = boto3.client("s3", endpoint_url=endpoint, config=cfg)
until = datetime.datetime.fromtimestamp(until, datetime.timezone.utc)
names = sorted(os.listdir(d))
def put(name):
    with open(os.path.join(d, name), "rb") as f:
        s3.put_object(Bucket="bench", Key="boto3/" + name, Body=f,
                      ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until,
                      ChecksumAlgorithm="SHA256")
start = time.monotonic()
with ThreadPoolExecutor(p) as pool:
    list(pool.map(put, names))
s = time.monotonic() - start
print(f"boto3 objects {len(names)}")
print(f"boto3 seconds {s:.3f}")
print(f"boto3 objects/s {len(names) / s:.1f}")
PY
echo "== rerun (all present)"
"$BIN" "$ENDPOINT" bench hozon "$WORK/small" "$P" "$UNTIL" | tee "$WORK/rerun.txt"
awk '/^objects\/s/ {h=$2} FNR==1 {f++} f==2 && /^boto3 objects\/s/ {b=$3}
     END {printf "ratio hozon / boto3 objects/s: %.2f\n", (b > 0 ? h / b : 0)}' "$WORK/hozon.txt" "$WORK/boto3.txt"
rm -rf "$WORK/small"

echo "== one ${BIG_MIB} MiB file (multipart, streamed)"
head -c "$(( BIG_MIB * 1024 * 1024 ))" /dev/urandom > "$WORK/big.bin"
/usr/bin/time -v -o "$WORK/time.txt" "$BIN" "$ENDPOINT" bench hozon-big "$WORK/big.bin" 1 "$UNTIL" | tee "$WORK/big.txt"
rss_kib=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$WORK/time.txt")
awk -v mib="$BIG_MIB" -v rss="$rss_kib" '/^seconds/ {s=$2}
  END {printf "large file: %.1f s, %.1f MiB/s, peak RSS %.1f MiB (target < 128 MiB)\n", s, mib / s, rss / 1024}' "$WORK/big.txt"

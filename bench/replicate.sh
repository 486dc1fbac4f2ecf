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
WEED=${HOZON_WEED:-${HOZON_TOOLS:-$HOME/.cache/hozon-tools}/seaweedfs-4.48/bin/weed}
[ -x "$WEED" ] || { echo "no weed at $WEED: run scripts/setup" >&2; exit 1; }

cargo build --release -q -p hozon-replica --example replica_bench
BIN=target/release/examples/replica_bench

mkdir -p "${BENCH_DIR:-target}"
WORK=$(realpath "$(mktemp -d "${BENCH_DIR:-target}/hozon-replbench.XXXXXX")")
WEED_PID=
cleanup() {
  [ -n "$WEED_PID" ] && kill "$WEED_PID" 2>/dev/null && wait "$WEED_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --disable-pip-version-check boto3

# Twelve free loopback ports for weed mini.
read -r -a PORTS <<<"$("$WORK/venv/bin/python" - <<'PY'
import socket
socks = [socket.socket() for _ in range(12)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
)"
export AWS_ACCESS_KEY_ID=bench-access AWS_SECRET_ACCESS_KEY=bench-secret-key AWS_DEFAULT_REGION=us-east-1
mkdir -p "$WORK/weed"
"$WEED" mini -dir="$WORK/weed" -ip=127.0.0.1 -ip.bind=127.0.0.1 -admin.ui=false -master.telemetry=false \
  -s3.port.iceberg=0 -s3.port.lance=0 -s3.localSocket="$WORK/s3.sock" -filer.localSocket="$WORK/filer.sock" \
  -master.port="${PORTS[0]}" -master.port.grpc="${PORTS[1]}" -volume.port="${PORTS[2]}" \
  -volume.port.grpc="${PORTS[3]}" -filer.port="${PORTS[4]}" -filer.port.grpc="${PORTS[5]}" \
  -s3.port="${PORTS[6]}" -s3.port.grpc="${PORTS[7]}" -webdav.port="${PORTS[8]}" \
  -admin.port="${PORTS[9]}" -admin.port.grpc="${PORTS[10]}" -debug.port="${PORTS[11]}" \
  >"$WORK/weed.log" 2>&1 &
WEED_PID=$!
ENDPOINT="http://127.0.0.1:${PORTS[6]}"
UNTIL=$(( $(date +%s) + 86400 ))

"$WORK/venv/bin/python" - "$ENDPOINT" "$WORK" "$N" <<'PY'
import os, random, sys, time, boto3
endpoint, work, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
s3 = boto3.client("s3", endpoint_url=endpoint,
                  config=boto3.session.Config(s3={"addressing_style": "path"}))
for _ in range(300):
    try:
        s3.create_bucket(Bucket="bench", ObjectLockEnabledForBucket=True)
        break
    except Exception:
        time.sleep(0.1)
else:
    sys.exit("cannot create the bucket")
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

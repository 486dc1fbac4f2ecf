#!/usr/bin/env bash
# `hozon archive replicate` of an archive of N small records (default
# 10,000; each a 1-4 KiB document, its CAdES signature and record.json, so
# about 3 objects per record) to a loopback SeaweedFS bucket with Object
# Lock, release build, against boto3 uploading the same files (same keys
# layout, COMPLIANCE lock headers, SHA-256 checksum, PUT only) with the same
# number of uploads in flight, in the same run. Prints objects/s of both,
# the ratio hozon / boto3, and the cost of a rerun (everything known from
# the catalog: no request per object).
#
#   bench/archive-replicate.sh [N] [P]      (defaults 10000 16)
#
# Needs scripts/setup (weed), python3 with venv (boto3 goes into a venv in
# the bench's temporary directory). The archive is made with the test PKI
# (testdata/pki) and no TSA, so the records have no evidence yet; that does
# not change what is replicated per record beyond one .ers.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
P=${2:-16}
WEED=${HOZON_WEED:-${HOZON_TOOLS:-$HOME/.cache/hozon-tools}/seaweedfs-4.48/bin/weed}
[ -x "$WEED" ] || { echo "no weed at $WEED: run scripts/setup" >&2; exit 1; }

cargo build --release -q -p hozon
HOZON=$(realpath target/release/hozon)

mkdir -p "${BENCH_DIR:-target}"
WORK=$(realpath "$(mktemp -d "${BENCH_DIR:-target}/hozon-arcrepl.XXXXXX")")
WEED_PID=
cleanup() {
  [ -n "$WEED_PID" ] && kill "$WEED_PID" 2>/dev/null && wait "$WEED_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --disable-pip-version-check boto3

read -r -a PORTS <<<"$("$WORK/venv/bin/python" - <<'PY'
import socket
socks = [socket.socket() for _ in range(12)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
)"
export AWS_ACCESS_KEY_ID=bench-access AWS_SECRET_ACCESS_KEY=bench-secret-key AWS_DEFAULT_REGION=us-east-1
export AWS_SHARED_CREDENTIALS_FILE=/nonexistent
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

# The bucket, and N small input documents.
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
rng = random.Random(1)
for i in range(n):
    d = os.path.join(work, "in", f"{i // 1000:03d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"note-{i:06d}.txt"), "w") as f:
        f.write(f"clinical note {i}\n" + "x" * rng.randint(1000, 4000) + "\n")
PY

cp -r testdata/pki "$WORK/pki"
(cd "$WORK" && "$HOZON" archive init arc --key pki/signer-doctor.key --cert pki/signer-doctor.crt \
  --chain pki/chain.pem --trust pki/trust.pem --crl pki/crls.pem --offline >/dev/null 2>&1)
echo "== ingest of $N records (not timed here)"
(cd "$WORK" && "$HOZON" archive --archive arc ingest in --json >/dev/null 2>&1) || true
(cd "$WORK" && "$HOZON" archive --archive arc replica add bench --s3-endpoint "$ENDPOINT" --bucket bench \
  --prefix hozon --no-auto 2>&1)

echo "== hozon archive replicate, $P in flight"
start=$(date +%s.%N)
(cd "$WORK" && "$HOZON" archive --archive arc replicate -j "$P" --json) > "$WORK/hozon.json"
end=$(date +%s.%N)
objects=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["replicas"][0]; print(r["uploaded"]); assert not r["failed"], r["failed"][:3]' "$WORK/hozon.json")
python3 - "$objects" "$start" "$end" <<'PY' | tee "$WORK/hozon.txt"
import sys
n, s = int(sys.argv[1]), float(sys.argv[3]) - float(sys.argv[2])
print(f"hozon objects {n}\nhozon seconds {s:.3f}\nhozon objects/s {n / s:.1f}")
PY

"$WORK/venv/bin/python" - "$ENDPOINT" "$WORK/arc" "$P" <<'PY' | tee "$WORK/boto3.txt"
import datetime, os, sys, time, boto3
from concurrent.futures import ThreadPoolExecutor
endpoint, root, p = sys.argv[1], sys.argv[2], int(sys.argv[3])
cfg = boto3.session.Config(s3={"addressing_style": "path"}, max_pool_connections=p)
s3 = boto3.client("s3", endpoint_url=endpoint, config=cfg)
until = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=365 * 11)
files = []
for d, _, names in os.walk(root):
    for name in names:
        rel = os.path.relpath(os.path.join(d, name), root)
        if rel.startswith(("catalog.sqlite", "lock", "records/.staging")):
            continue
        files.append(rel)
def put(rel):
    with open(os.path.join(root, rel), "rb") as f:
        s3.put_object(Bucket="bench", Key="boto3/" + rel, Body=f,
                      ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until,
                      ChecksumAlgorithm="SHA256")
start = time.monotonic()
with ThreadPoolExecutor(p) as pool:
    list(pool.map(put, files))
s = time.monotonic() - start
print(f"boto3 objects {len(files)}\nboto3 seconds {s:.3f}\nboto3 objects/s {len(files) / s:.1f}")
PY

echo "== rerun (everything known from the catalog)"
start=$(date +%s.%N)
(cd "$WORK" && "$HOZON" archive --archive arc replicate -j "$P" --json) > "$WORK/rerun.json"
end=$(date +%s.%N)
python3 - "$WORK/rerun.json" "$start" "$end" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["replicas"][0]
s = float(sys.argv[3]) - float(sys.argv[2])
print(f"rerun: {r['skipped']} skipped, {r['uploaded']} uploaded in {s:.2f} s")
PY
awk '/^hozon objects\/s/ {h=$3} /^boto3 objects\/s/ {b=$3}
     END {printf "ratio hozon / boto3 objects/s: %.2f\n", (b > 0 ? h / b : 0)}' "$WORK/hozon.txt" "$WORK/boto3.txt"

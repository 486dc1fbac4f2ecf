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
. bench/lib/seaweed.sh

cargo build --release -q -p hozon
HOZON=$(realpath target/release/hozon)

start_seaweed hozon-arcrepl

# N small input documents.
python3 - "$WORK" "$N" <<'PY'
import os, random, sys
work, n = sys.argv[1], int(sys.argv[2])
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

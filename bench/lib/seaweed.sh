# Sourced by the replication benchmarks: a loopback SeaweedFS with an Object
# Lock bucket and boto3 (the comparison client) in a venv, in a temporary
# work directory removed on exit.
#
#   start_seaweed PREFIX    sets WORK (the work directory), ENDPOINT (the S3
#                           URL), the AWS credentials for the bench, and
#                           creates bucket "bench" with Object Lock.
# Needs scripts/setup (weed) and python3 with venv.

WEED=${HOZON_WEED:-${HOZON_TOOLS:-$HOME/.cache/hozon-tools}/seaweedfs-4.48/bin/weed}
WEED_PID=

start_seaweed() {
  [ -x "$WEED" ] || { echo "no weed at $WEED: run scripts/setup" >&2; exit 1; }
  mkdir -p "${BENCH_DIR:-target}"
  WORK=$(realpath "$(mktemp -d "${BENCH_DIR:-target}/$1.XXXXXX")")
  trap 'stop_seaweed' EXIT

  python3 -m venv "$WORK/venv"
  "$WORK/venv/bin/pip" install -q --disable-pip-version-check boto3

  # Twelve free loopback ports for weed mini.
  local -a ports
  read -r -a ports <<<"$("$WORK/venv/bin/python" - <<'PY'
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
    -master.port="${ports[0]}" -master.port.grpc="${ports[1]}" -volume.port="${ports[2]}" \
    -volume.port.grpc="${ports[3]}" -filer.port="${ports[4]}" -filer.port.grpc="${ports[5]}" \
    -s3.port="${ports[6]}" -s3.port.grpc="${ports[7]}" -webdav.port="${ports[8]}" \
    -admin.port="${ports[9]}" -admin.port.grpc="${ports[10]}" -debug.port="${ports[11]}" \
    >"$WORK/weed.log" 2>&1 &
  WEED_PID=$!
  ENDPOINT="http://127.0.0.1:${ports[6]}"

  "$WORK/venv/bin/python" - "$ENDPOINT" <<'PY'
import sys, time, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1],
                  config=boto3.session.Config(s3={"addressing_style": "path"}))
for _ in range(300):
    try:
        s3.create_bucket(Bucket="bench", ObjectLockEnabledForBucket=True)
        break
    except Exception:
        time.sleep(0.1)
else:
    sys.exit("cannot create the bucket")
PY
}

stop_seaweed() {
  [ -n "$WEED_PID" ] && kill "$WEED_PID" 2>/dev/null && wait "$WEED_PID" 2>/dev/null
  rm -rf "$WORK"
}

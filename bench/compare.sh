#!/usr/bin/env bash
# hozon against OpenSSL on this machine, in one run, printed as ratios
# (issue 8); or two revisions of hozon against each other (issue 14).
# Builds release binaries first.
#
#   bench/compare.sh                   all benchmarks of BENCHES below
#   bench/compare.sh batch large       only those
#   bench/compare.sh REV_A REV_B [BENCH...]
#                                      the same benchmarks for two git
#                                      revisions (before/after), interleaved,
#                                      with the ratio B/A of every measure
#
# Environment: FILES (10000) and SIZE (4096) for the batch, SAMPLE (300) for
# the once-per-file OpenSSL loops, LARGE_MIB (1024) for the large file,
# ERS_N (1000000) for the evidence records, BENCH_DIR (default target/;
# /dev/shm takes the disk out), COMPARE_DIR (/tmp/hozon-compare: the
# revisions' sources and their build directory, kept for the next run).
#
# What is compared:
#   batch  `hozon sign` and `hozon verify` over FILES x SIZE files (one
#          process, all cores) against `openssl cms -sign` / `-verify` run
#          once per file (a sample, extrapolated) and against
#          `openssl speed rsa2048 -multi CORES`, the physical limit (sign/s
#          for signing, verify/s for verifying).
#   large  `hozon sign` of one LARGE_MIB file against `openssl dgst -sha256`
#          of it (the hashing floor), with the peak RSS of each.
#   ers    RFC 4998 evidence records (hozon-ers's ers_bench example).
#
# Two revisions: each is exported with `git archive` into
# COMPARE_DIR/src-<commit> and built in release mode with
# CARGO_TARGET_DIR=COMPARE_DIR/target-<commit> (its own target directory;
# a commit already built there is not built again). A revision that is the
# worktree's clean HEAD is built in place instead (its target/ is warm).
# Every benchmark then runs for A and right after for B, so that the load
# of a shared machine hits both alike; the B/A column is the comparison
# (for rates, above 1 means B is faster; for times and RSS, below 1).
#
# Needs: the README's set-up (scripts/setup), python3 (peak RSS from
# getrusage), coreutils, git.
set -euo pipefail
cd "$(dirname "$0")/.."

# The benchmarks, in order; each is a function below that appends rows to
# the result table. One line each, so a new one is one more line here.
BENCHES=(
    batch
    large
    ers
)
# Arguments: benchmark names, and none or two revisions (anything that is
# not a benchmark name).
SELECTED=()
REVS=()
for arg in "$@"; do
    if [[ " ${BENCHES[*]} " == *" $arg "* ]]; then
        SELECTED+=("$arg")
    else
        REVS+=("$arg")
    fi
done
[ ${#SELECTED[@]} -gt 0 ] && BENCHES=("${SELECTED[@]}")
case ${#REVS[@]} in
    0 | 2) ;;
    *) echo "compare.sh: give no revision or two (REV_A REV_B), not: ${REVS[*]}" >&2; exit 2 ;;
esac

FILES=${FILES:-10000}
SIZE=${SIZE:-4096}
SAMPLE=${SAMPLE:-300}
LARGE_MIB=${LARGE_MIB:-1024}
CORES=$(nproc)
PKI=testdata/pki

command -v python3 >/dev/null || { echo "compare.sh: python3 is required" >&2; exit 2; }
COMPARE_DIR=${COMPARE_DIR:-/tmp/hozon-compare}

# Builds the release binaries of revision $1 (a commit) and prints the
# directory holding `hozon` and `examples/ers_bench`.
build_rev() {
    local commit=$1 src target
    if [ "$commit" = "$(git rev-parse HEAD)" ] && [ -z "$(git status --porcelain --untracked-files=no)" ]; then
        src=$PWD
        target=${CARGO_TARGET_DIR:-$PWD/target}
    else
        src=$COMPARE_DIR/src-$commit
        target=$COMPARE_DIR/target-$commit
        if [ ! -f "$src/Cargo.toml" ]; then
            rm -rf "$src.part"
            mkdir -p "$src.part"
            git archive "$commit" | tar -x -C "$src.part"
            mv "$src.part" "$src"
        fi
    fi
    (
        cd "$src"
        CARGO_TARGET_DIR=$target cargo build --release -q -p hozon >&2
        if [[ " ${BENCHES[*]} " == *" ers "* ]]; then
            CARGO_TARGET_DIR=$target cargo build --release -q -p hozon-ers --example ers_bench >&2
        fi
    )
    echo "$target/release"
}

if [ ${#REVS[@]} -eq 2 ]; then
    COMMIT_A=$(git rev-parse --verify "${REVS[0]}^{commit}") || { echo "compare.sh: ${REVS[0]} is not a revision" >&2; exit 2; }
    COMMIT_B=$(git rev-parse --verify "${REVS[1]}^{commit}") || { echo "compare.sh: ${REVS[1]} is not a revision" >&2; exit 2; }
    mkdir -p "$COMPARE_DIR"
    BIN_A=$(build_rev "$COMMIT_A")
    BIN_B=$(build_rev "$COMMIT_B")
    SIDES=(A B)
else
    cargo build --release -q -p hozon
    BIN_A=$PWD/target/release
    SIDES=(A)
fi
HOZON=$BIN_A/hozon
ERS_BENCH=$BIN_A/examples/ers_bench

mkdir -p "${BENCH_DIR:-target}"
WORK=$(mktemp -d "${BENCH_DIR:-target}/hozon-compare.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
for side in "${SIDES[@]}"; do
    : >"$WORK/table.$side"
    : >"$WORK/ratios.$side"
done
TABLE=$WORK/table.A
RATIOS=$WORK/ratios.A

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# Results are kept as "label<TAB>value" lines and laid out at the end.
row() { printf '%s\t%s\n' "$1" "$2" >>"$TABLE"; }
say_ratio() { printf '%s\t%s\n' "$1" "$2" >>"$RATIOS"; }
show() { awk -F'\t' '{ printf "%-58s %14s\n", $1, $2 }' "$1"; }

# Runs a command; prints "SECONDS PEAK_RSS_KIB CPU_SECONDS" (wall time, and
# the child's getrusage: peak RSS, user + system time).
measure() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
dt = time.monotonic() - t
if r.returncode != 0:
    sys.exit(f"{sys.argv[1:]} exited {r.returncode}: {r.stderr.decode(errors='replace')}")
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{dt:.3f} {u.ru_maxrss} {u.ru_utime + u.ru_stime:.3f}")
PY
}

# The physical limit, measured once: RSA-2048 operations/s on all cores.
speed_rsa() {
    if [ -z "${SPEED_SIGN:-}" ]; then
        local out
        out=$(openssl speed -seconds 3 -multi "$CORES" rsa2048 2>/dev/null | awk '/^rsa 2048/ {print $(NF-1), $NF}')
        SPEED_SIGN=${out% *}
        SPEED_VERIFY=${out#* }
        out=$(openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048/ {print $(NF-1), $NF}')
        SPEED1_SIGN=${out% *}
        SPEED1_VERIFY=${out#* }
    fi
    # Measured once; in every table (two revisions: both).
    row "openssl speed rsa2048 -multi $CORES: sign/s (limit)" "$SPEED_SIGN"
    row "openssl speed rsa2048 -multi $CORES: verify/s (limit)" "$SPEED_VERIFY"
    row "openssl speed rsa2048, 1 core: sign/s" "$SPEED1_SIGN"
    row "openssl speed rsa2048, 1 core: verify/s" "$SPEED1_VERIFY"
}

batch() {
    speed_rsa
    mkdir -p "$WORK/docs" "$WORK/sample"
    head -c $((FILES * SIZE)) /dev/urandom | (cd "$WORK/docs" && split -b "$SIZE" -a 6 -d - doc.)
    local i=0 f t0 t1
    for f in "$WORK"/docs/doc.*; do
        [ "$i" -lt "$SAMPLE" ] || break
        cp "$f" "$WORK/sample/"
        i=$((i + 1))
    done

    local secs rss sign_cpu verify_cpu sign_rate
    read -r secs rss sign_cpu < <(measure "$HOZON" sign "$WORK/docs" --key $PKI/signer-doctor.key \
        --cert $PKI/signer-doctor.crt --chain $PKI/chain.pem --crl $PKI/crls.pem)
    sign_rate=$(awk -v n="$FILES" -v t="$secs" 'BEGIN { printf "%.0f", n / t }')
    [ "$(find "$WORK/docs" -name '*.p7s' | wc -l)" -eq "$FILES" ] || { echo "not every file was signed" >&2; exit 1; }

    t0=$(now)
    for f in "$WORK"/sample/doc.*; do
        openssl cms -sign -binary -cades -outform DER -in "$f" -out "$f.p7s" \
            -signer $PKI/signer-doctor.crt -inkey $PKI/signer-doctor.key -certfile $PKI/chain.pem
    done
    t1=$(now)
    local ossl_sign
    ossl_sign=$(rate "$SAMPLE" "$t0" "$t1")

    local verify_rate passed
    python3 - "$HOZON" verify "$WORK/docs" --trust $PKI/trust.pem --crl $PKI/crls.pem --offline --json \
        >"$WORK/report.json" 3>"$WORK/verify.time" <<'PY'
import os, resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[1:])
dt = time.monotonic() - t
u = resource.getrusage(resource.RUSAGE_CHILDREN)
os.write(3, f"{dt:.3f} {u.ru_utime + u.ru_stime:.3f}\n".encode())
sys.exit(r.returncode)
PY
    read -r secs verify_cpu <"$WORK/verify.time"
    verify_rate=$(awk -v n="$FILES" -v t="$secs" 'BEGIN { printf "%.0f", n / t }')
    passed=$(grep -c '"indication": "TOTAL_PASSED"' "$WORK/report.json" || true)
    [ "$passed" -eq "$FILES" ] || { echo "only $passed of $FILES verified TOTAL_PASSED" >&2; exit 1; }

    cat $PKI/root-ca.crt $PKI/crls.pem >"$WORK/root-and-crls.pem"
    t0=$(now)
    for f in "$WORK"/sample/doc.*[0-9]; do
        openssl cms -verify -cades -binary -inform DER -in "$f.p7s" -content "$f" \
            -CAfile "$WORK/root-and-crls.pem" -purpose any -crl_check_all -out /dev/null 2>/dev/null
    done
    t1=$(now)
    local ossl_verify
    ossl_verify=$(rate "$SAMPLE" "$t0" "$t1")
    rm -rf "$WORK/docs" "$WORK/sample"

    row "hozon sign, $FILES x $SIZE B, batch: files/s" "$sign_rate"
    row "hozon sign: CPU ms per file (user + system)" "$(awk -v c="$sign_cpu" -v n="$FILES" 'BEGIN { printf "%.3f", 1000 * c / n }')"
    row "openssl cms -sign, one process per file: files/s" "$ossl_sign"
    row "hozon verify (B-B, chain, CRLs), batch: files/s" "$verify_rate"
    row "hozon verify: CPU ms per file (user + system)" "$(awk -v c="$verify_cpu" -v n="$FILES" 'BEGIN { printf "%.3f", 1000 * c / n }')"
    row "openssl cms -verify -crl_check_all, per file: files/s" "$ossl_verify"
    say_ratio "hozon sign / openssl speed rsa2048 sign (limit)" "$(ratio "$sign_rate" "$SPEED_SIGN")"
    # CPU efficiency: an RSA signature's CPU time (1 core) over hozon's CPU
    # time per file. Unlike the wall-clock ratio it holds on a shared machine.
    say_ratio "CPU: openssl speed sign time / hozon sign CPU per file" "$(awk -v s="$SPEED1_SIGN" -v c="$sign_cpu" -v n="$FILES" 'BEGIN { printf "%.2f", (1 / s) / (c / n) }')"
    say_ratio "hozon sign / openssl cms -sign per file" "$(ratio "$sign_rate" "$ossl_sign")"
    say_ratio "hozon verify / openssl speed rsa2048 verify (limit)" "$(ratio "$verify_rate" "$SPEED_VERIFY")"
    say_ratio "CPU: openssl speed verify time / hozon verify CPU per file" "$(awk -v s="$SPEED1_VERIFY" -v c="$verify_cpu" -v n="$FILES" 'BEGIN { printf "%.2f", (1 / s) / (c / n) }')"
    say_ratio "hozon verify / openssl cms -verify per file" "$(ratio "$verify_rate" "$ossl_verify")"
}

large() {
    local big=$WORK/large.bin
    head -c $((LARGE_MIB * 1024 * 1024)) /dev/urandom >"$big"
    # Warm the page cache for both (same conditions), then measure.
    cat "$big" >/dev/null
    local d_secs d_rss s_secs s_rss
    read -r d_secs d_rss _ < <(measure openssl dgst -sha256 "$big")
    read -r s_secs s_rss _ < <(measure "$HOZON" sign "$big" --key $PKI/signer-doctor.key \
        --cert $PKI/signer-doctor.crt --chain $PKI/chain.pem --crl $PKI/crls.pem --force)
    [ -s "$big.p7s" ] || { echo "the large file was not signed" >&2; exit 1; }
    rm -f "$big" "$big.p7s"
    local mib_d mib_s
    mib_d=$(awk -v m="$LARGE_MIB" -v t="$d_secs" 'BEGIN { printf "%.0f", m / t }')
    mib_s=$(awk -v m="$LARGE_MIB" -v t="$s_secs" 'BEGIN { printf "%.0f", m / t }')
    row "openssl dgst -sha256, $LARGE_MIB MiB: s (MiB/s)" "$d_secs ($mib_d)"
    row "hozon sign, $LARGE_MIB MiB: s (MiB/s)" "$s_secs ($mib_s)"
    row "openssl dgst -sha256: peak RSS MiB" "$((d_rss / 1024))"
    row "hozon sign (large file): peak RSS MiB" "$((s_rss / 1024))"
    say_ratio "hozon sign time / openssl dgst -sha256 time (1 GiB)" "$(ratio "$s_secs" "$d_secs")"
    say_ratio "hozon sign peak RSS / openssl dgst peak RSS" "$(ratio "$s_rss" "$d_rss")"
}

# RFC 4998 evidence records over ERS_N (default 1,000,000) record hashes
# (document + signature per record): the hash tree and every record's DER
# under one loopback TSA token, against `openssl dgst -sha256` over the
# bytes the tree hashes (target: tree + records <= 5 s CPU). Writing the
# million files is bench/ers.sh's job.
ers() {
    local n=${ERS_N:-1000000}
    if [ ${#REVS[@]} -eq 0 ]; then
        cargo build --release -q -p hozon-ers --example ers_bench
    fi
    "$ERS_BENCH" "$n" "$WORK/ers" 0 >"$WORK/ers.txt"
    rm -rf "$WORK/ers"
    local tree records total tree_bytes d_secs d_cpu
    tree=$(awk '/^tree cpu s/ {print $4}' "$WORK/ers.txt")
    records=$(awk '/^records cpu s/ {print $4}' "$WORK/ers.txt")
    total=$(awk '/^tree\+records cpu s/ {print $4}' "$WORK/ers.txt")
    tree_bytes=$((n * 64 * 2))
    head -c "$tree_bytes" /dev/zero >"$WORK/ers.blob"
    read -r d_secs _ d_cpu < <(measure openssl dgst -sha256 "$WORK/ers.blob")
    rm -f "$WORK/ers.blob"
    row "ERS, $n records: hash tree CPU s" "$tree"
    row "ERS, $n records: all evidence records (DER) CPU s" "$records"
    row "ERS, $n records: tree + records CPU s (target <= 5)" "$total"
    row "openssl dgst -sha256 over the tree's $((tree_bytes / 1048576)) MiB: CPU s" "$d_cpu"
    say_ratio "ERS tree CPU / openssl dgst CPU over the same bytes" "$(ratio "$tree" "$d_cpu")"
}

echo "machine: $CORES cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GiB RAM", $2/1048576}' /proc/meminfo); $(openssl version); files in $(df -T "$WORK" | awk 'NR==2 {print $2}') ($WORK); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ${#REVS[@]} -eq 0 ]; then
    for b in "${BENCHES[@]}"; do
        "$b"
    done
    echo
    printf '%-58s %14s\n' "measure" "value"
    show "$TABLE"
    echo
    printf '%-58s %14s\n' "ratio" ""
    show "$RATIOS"
    exit 0
fi

# Two revisions: each benchmark for A, then for B.
echo "A = ${REVS[0]} ($COMMIT_A)"
echo "B = ${REVS[1]} ($COMMIT_B)"
for b in "${BENCHES[@]}"; do
    for side in A B; do
        TABLE=$WORK/table.$side
        RATIOS=$WORK/ratios.$side
        if [ "$side" = A ]; then BIN=$BIN_A; else BIN=$BIN_B; fi
        HOZON=$BIN/hozon
        ERS_BENCH=$BIN/examples/ers_bench
        "$b"
    done
done
# One line per measure: its value for A, for B, and B/A (of the first
# number of each value).
side_by_side() {
    paste -d '\t' "$1" <(cut -f2 "$2") |
        awk -F'\t' '{
            a = $2 + 0; b = $3 + 0
            r = (a != 0) ? sprintf("%.2f", b / a) : "-"
            printf "%-58s %16s %16s %6s\n", $1, $2, $3, r
        }'
}
echo
printf '%-58s %16s %16s %6s\n' "measure" "A" "B" "B/A"
side_by_side "$WORK/table.A" "$WORK/table.B"
echo
printf '%-58s %16s %16s %6s\n' "ratio" "A" "B" "B/A"
side_by_side "$WORK/ratios.A" "$WORK/ratios.B"

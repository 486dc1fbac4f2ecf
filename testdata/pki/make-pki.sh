#!/usr/bin/env bash
# make-pki.sh -- generate the hozon test PKI into the directory this script
# lives in (testdata/pki/).
#
# Requirements: bash, coreutils, grep/sed/awk and the `openssl` command
# (written against OpenSSL 3.0).  No other tools.
#
# Usage: ./make-pki.sh [--force]
#   Without --force the script refuses to run if any of its outputs already
#   exist.  With --force it first deletes all of its previous outputs.
#
# Every certificate is issued with `openssl ca` using ./openssl.cnf and an
# explicit -startdate/-enddate.  Names are UTF-8 (`-utf8`, string_mask =
# utf8only) so Japanese names are encoded as UTF8String.  All signatures are
# SHA-256.  The CA databases (index.txt, serial, crlnumber, newcerts/) live in
# a temporary directory that is removed on exit.
#
# See ../README.md for what each generated file is used for.
set -euo pipefail

PKI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CNF="$PKI_DIR/openssl.cnf"

# Default validity window for end entities (UTC).
NB=20250101000000Z
NA=20600101000000Z
# Fixed CRL nextUpdate (deterministic, ~2059, before NA).
CRL_NEXT_UPDATE=20590101000000Z

P12_PASS_FILE=signer-doctor.p12.pass
P12_PASS=hozon-test-pass

# Everything this script writes into $PKI_DIR (and deletes with --force).
OUTPUTS=(
  root-ca.key root-ca.crt root-ca.crl root-ca.crl.pem
  signing-ca.key signing-ca.crt signing-ca.crl signing-ca.crl.pem
  signer-doctor.key signer-doctor.crt signer-doctor.p12 "$P12_PASS_FILE"
  signer-doctor-pass.key signer-doctor.txt
  signer-ec.key signer-ec.crt
  signer-ec384.key signer-ec384.crt
  signer-expired.key signer-expired.crt
  signer-notyet.key signer-notyet.crt
  signer-revoked.key signer-revoked.crt
  signer-rsa1024.key signer-rsa1024.crt
  signer-nokeyusage-wrong.key signer-nokeyusage-wrong.crt
  untrusted-root.key untrusted-root.crt untrusted-root.crl untrusted-root.crl.pem
  signer-untrusted.key signer-untrusted.crt
  tsa.key tsa.crt
  tsa-noeku.key tsa-noeku.crt
  ocsp.key ocsp.crt
  chain.pem trust.pem crls.pem
)

usage() {
  echo "usage: $0 [--force]" >&2
  exit 2
}

FORCE=0
while (($#)); do
  case "$1" in
    --force) FORCE=1 ;;
    -h | --help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
  shift
done

cd "$PKI_DIR"

existing=()
for f in "${OUTPUTS[@]}"; do
  if [[ -e "$f" ]]; then existing+=("$f"); fi
done
if ((${#existing[@]})); then
  if ((FORCE)); then
    echo "--force: removing ${#existing[@]} previous output(s)"
    rm -f -- "${existing[@]}"
  else
    echo "refusing to overwrite existing outputs in $PKI_DIR (use --force):" >&2
    printf '  %s\n' "${existing[@]}" >&2
    exit 1
  fi
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/hozon-pki.XXXXXX")"
trap 'rm -rf -- "$TMP"' EXIT
# openssl.cnf expands $ENV::HOZON_CA_DB when loaded, so it must always be set
# (even for `openssl req`); ca_sign() overrides it per CA.
export HOZON_CA_DB="$TMP/none"

############################################################################
# Helpers

# Run a command quietly; show its output only if it fails.
run() {
  local log="$TMP/last.log"
  if ! "$@" >"$log" 2>&1; then
    echo "command failed: $*" >&2
    cat "$log" >&2
    exit 1
  fi
}

# rsa_key NAME BITS -> NAME.key (unencrypted PKCS#8 PEM)
rsa_key() {
  run openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" -out "$1.key"
}

# ec_key NAME CURVE -> NAME.key (unencrypted PKCS#8 PEM, named curve)
ec_key() {
  run openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$2" \
    -pkeyopt ec_param_enc:named_curve -out "$1.key"
}

# csr NAME SUBJECT -> $TMP/NAME.csr
csr() {
  run openssl req -new -utf8 -config "$CNF" -key "$1.key" -subj "$2" \
    -out "$TMP/$1.csr"
}

# init_ca CA FIRST_SERIAL_HEX: create an empty CA database in $TMP/CA.
init_ca() {
  local db="$TMP/$1"
  mkdir -p "$db/newcerts"
  : >"$db/index.txt"
  echo "$2" >"$db/serial"
  echo 01 >"$db/crlnumber"
}

# ca_sign CA NAME EXT_SECTION STARTDATE ENDDATE
#   Issue NAME.crt from $TMP/NAME.csr with CA (CA.crt/CA.key).
#   CA == NAME means self-signed (openssl ca -selfsign).
ca_sign() {
  local ca="$1" name="$2" ext="$3" start="$4" end="$5"
  local signer=(-cert "$ca.crt" -keyfile "$ca.key")
  if [[ "$ca" == "$name" ]]; then
    signer=(-selfsign -keyfile "$ca.key")
  fi
  HOZON_CA_DB="$TMP/$ca" run openssl ca -batch -utf8 -config "$CNF" \
    "${signer[@]}" -md sha256 -preserveDN -notext \
    -extensions "$ext" -startdate "$start" -enddate "$end" \
    -in "$TMP/$name.csr" -out "$name.crt"
}

# gen_crl CA -> CA.crl.pem (PEM) and CA.crl (DER)
gen_crl() {
  local ca="$1"
  HOZON_CA_DB="$TMP/$ca" run openssl ca -batch -config "$CNF" \
    -cert "$ca.crt" -keyfile "$ca.key" -md sha256 \
    -gencrl -crl_nextupdate "$CRL_NEXT_UPDATE" -out "$ca.crl.pem"
  run openssl crl -in "$ca.crl.pem" -outform DER -out "$ca.crl"
}

# Issue a signing-ca end entity: ee NAME KEYTYPE KEYPARAM SUBJECT EXT [START END]
ee() {
  local name="$1" ktype="$2" kparam="$3" subj="$4" ext="$5"
  local start="${6:-$NB}" end="${7:-$NA}"
  "${ktype}_key" "$name" "$kparam"
  csr "$name" "$subj"
  ca_sign signing-ca "$name" "$ext" "$start" "$end"
}

############################################################################
# Certificate authorities

# Trust anchor of the test PKI.  Everything "good" chains to it.
make_root_ca() {
  init_ca root-ca 1000
  rsa_key root-ca 4096
  csr root-ca "/C=JP/O=hozon Test/CN=hozon Test Root CA"
  ca_sign root-ca root-ca ext_root_ca 20240101000000Z 20700101000000Z
}

# HPKI-like intermediate that issues the signer and OCSP certificates.
make_signing_ca() {
  init_ca signing-ca 2000
  rsa_key signing-ca 2048
  csr signing-ca "/C=JP/O=hozon Test/CN=hozon Test HPKI Signing CA"
  ca_sign root-ca signing-ca ext_signing_ca 20240601000000Z 20650101000000Z
}

# A second, unrelated root: signatures chaining to it must be rejected when
# only root-ca is trusted.
make_untrusted_root() {
  init_ca untrusted-root 9000
  rsa_key untrusted-root 2048
  csr untrusted-root "/C=JP/O=hozon Untrusted Test/CN=Untrusted Root CA"
  ca_sign untrusted-root untrusted-root ext_root_ca 20240101000000Z 20700101000000Z
}

############################################################################
# End entities

# Main positive test: HPKI-style doctor signature certificate (RSA), plus
# the PKCS#12 and an encrypted-PEM copy of its key.
make_signer_doctor() {
  ee signer-doctor rsa 2048 "/C=JP/O=hozon Test Hospital/CN=山田 太郎" \
    ext_signer_doctor

  printf '%s\n' "$P12_PASS" >"$P12_PASS_FILE"
  run openssl pkcs12 -export -inkey signer-doctor.key -in signer-doctor.crt \
    -certfile chain.pem -name signer-doctor \
    -passout "file:$P12_PASS_FILE" -out signer-doctor.p12
  run openssl pkcs8 -topk8 -v2 aes-256-cbc -in signer-doctor.key \
    -passout "file:$P12_PASS_FILE" -out signer-doctor-pass.key
}

# Positive test for ECDSA P-256 signatures with a Japanese name.
make_signer_ec() {
  ee signer-ec ec P-256 "/C=JP/O=hozon Test Hospital/CN=佐藤 花子" ext_signer_ec
}

# Positive test for ECDSA P-384 signatures.
make_signer_ec384() {
  ee signer-ec384 ec P-384 "/C=JP/O=hozon Test Hospital/CN=EC384 Signer" \
    ext_signer_ds_nr
}

# Negative: certificate expired (validity ended 2025-01-01).
make_signer_expired() {
  ee signer-expired rsa 2048 "/C=JP/O=hozon Test Hospital/CN=Expired Signer" \
    ext_signer_nr 20240701000000Z 20250101000000Z
}

# Negative: certificate not yet valid (valid from 2058).
make_signer_notyet() {
  ee signer-notyet rsa 2048 "/C=JP/O=hozon Test Hospital/CN=Not Yet Valid Signer" \
    ext_signer_nr 20580101000000Z 20600101000000Z
}

# Negative: revoked (keyCompromise) in signing-ca's CRL.
make_signer_revoked() {
  ee signer-revoked rsa 2048 "/C=JP/O=hozon Test Hospital/CN=Revoked Signer" \
    ext_signer_nr
  HOZON_CA_DB="$TMP/signing-ca" run openssl ca -batch -config "$CNF" \
    -cert signing-ca.crt -keyfile signing-ca.key \
    -revoke signer-revoked.crt -crl_reason keyCompromise
}

# Negative: weak 1024-bit RSA key (otherwise a valid chain).
make_signer_rsa1024() {
  ee signer-rsa1024 rsa 1024 "/C=JP/O=hozon Test Hospital/CN=Weak RSA1024 Signer" \
    ext_signer_nr
}

# Negative: keyUsage = keyEncipherment only (not allowed to sign).
make_signer_nokeyusage_wrong() {
  ee signer-nokeyusage-wrong rsa 2048 \
    "/C=JP/O=hozon Test Hospital/CN=Encipherment Only Signer" ext_signer_wrong_ku
}

# Negative: chains to untrusted-root, not to the trusted root-ca.
make_signer_untrusted() {
  rsa_key signer-untrusted 2048
  csr signer-untrusted "/C=JP/O=hozon Untrusted Test/CN=Untrusted Signer"
  ca_sign untrusted-root signer-untrusted ext_signer_untrusted "$NB" "$NA"
}

# Time-stamping unit for RFC 3161 tests (issued directly by root-ca).
make_tsa() {
  rsa_key tsa 2048
  csr tsa "/C=JP/O=hozon Test TSA/CN=hozon Test TSA"
  ca_sign root-ca tsa ext_tsa 20250101000000Z 20450101000000Z
}

# Negative: TSA certificate without extendedKeyUsage timeStamping.
make_tsa_noeku() {
  rsa_key tsa-noeku 2048
  csr tsa-noeku "/C=JP/O=hozon Test TSA/CN=hozon Test TSA without EKU"
  ca_sign root-ca tsa-noeku ext_tsa_noeku 20250101000000Z 20450101000000Z
}

# Delegated OCSP responder for signing-ca (id-pkix-ocsp-nocheck).
make_ocsp() {
  ee ocsp rsa 2048 "/C=JP/O=hozon Test/CN=hozon Test OCSP Responder" ext_ocsp
}

# CRLs: signing-ca (lists signer-revoked), root-ca (empty; covers
# signing-ca, tsa, tsa-noeku), untrusted-root (empty).
make_crls() {
  gen_crl signing-ca
  gen_crl root-ca
  gen_crl untrusted-root
}

# Convenience bundles.  chain.pem (intermediate first) is needed early, by
# the PKCS#12 of signer-doctor.
make_chain() {
  cat signing-ca.crt root-ca.crt >chain.pem
}
make_bundles() {
  cat root-ca.crt >trust.pem
  cat signing-ca.crl.pem root-ca.crl.pem >crls.pem
}

# Human-readable dump of the doctor certificate (documentation).
make_doctor_txt() {
  {
    openssl x509 -in signer-doctor.crt -noout -text -nameopt utf8
    echo
    echo "# subjectAltName (2.5.29.17) extension value:"
    ext_asn1parse signer-doctor.crt "X509v3 Subject Alternative Name"
    echo
    echo "# subjectDirectoryAttributes (2.5.29.9) extension value:"
    ext_asn1parse signer-doctor.crt "X509v3 Subject Directory Attributes"
  } >signer-doctor.txt
}

############################################################################
# Extension inspection helpers

# ext_offset CERT EXTNAME: DER offset of the extnValue OCTET STRING.
ext_offset() {
  local dump
  dump="$(openssl x509 -in "$1" -outform DER | openssl asn1parse -inform DER)"
  awk -v name="$2" '
    found && /OCTET STRING/ { sub(/:.*/, ""); print $1; exit }
    index($0, ":" name) { found = 1 }
  ' <<<"$dump"
}

# ext_asn1parse CERT EXTNAME: asn1parse -i of the extension value.
ext_asn1parse() {
  local off
  off="$(ext_offset "$1" "$2")"
  [[ -n "$off" ]] || { echo "extension $2 not found in $1" >&2; exit 1; }
  openssl x509 -in "$1" -outform DER | openssl asn1parse -inform DER -i -strparse "$off"
}

# ext_hex CERT EXTNAME: upper-case hex of the extension value (extnValue contents).
ext_hex() {
  local off
  off="$(ext_offset "$1" "$2")"
  [[ -n "$off" ]] || { echo "extension $2 not found in $1" >&2; exit 1; }
  openssl x509 -in "$1" -outform DER | openssl asn1parse -inform DER -strparse "$off" \
    -noout -out "$TMP/ext.der"
  od -An -v -tx1 "$TMP/ext.der" | tr -d ' \n' | tr a-f A-F
}

############################################################################
# Self checks

FAILURES=0
ok() { echo "  ok   $*"; }
bad() { echo "  FAIL $*" >&2; FAILURES=$((FAILURES + 1)); }

# expect_ok DESCRIPTION CMD...: CMD must succeed.
expect_ok() {
  local desc="$1" out
  shift
  if out="$("$@" 2>&1)"; then
    ok "$desc"
  else
    bad "$desc"
    echo "$out" | sed 's/^/       /' >&2
  fi
}

# expect_fail DESCRIPTION PATTERN CMD...: CMD must fail and print PATTERN.
expect_fail() {
  local desc="$1" pattern="$2" out rc=0
  shift 2
  out="$("$@" 2>&1)" || rc=$?
  if ((rc != 0)) && grep -qF -- "$pattern" <<<"$out"; then
    ok "$desc (fails: $pattern)"
  else
    bad "$desc (expected failure with '$pattern', rc=$rc)"
    echo "$out" | sed 's/^/       /' >&2
  fi
}

# expect_eq DESCRIPTION EXPECTED ACTUAL
expect_eq() {
  if [[ "$2" == "$3" ]]; then ok "$1"; else bad "$1: expected '$2', got '$3'"; fi
}

verify_chain() { openssl verify -CAfile root-ca.crt -untrusted signing-ca.crt "$@"; }

pubkey_of_cert() { openssl x509 -in "$1" -noout -pubkey; }
pubkey_of_key() { openssl pkey -in "$1" -pubout "${@:2}"; }

self_checks() {
  echo "self checks:"
  local c

  # Chain building (at the current time).
  for c in signer-doctor signer-ec signer-ec384 signer-revoked signer-rsa1024 \
    signer-nokeyusage-wrong ocsp; do
    expect_ok "verify $c.crt" verify_chain "$c.crt"
  done
  expect_ok "verify signing-ca.crt" openssl verify -CAfile root-ca.crt signing-ca.crt
  expect_fail "verify signer-expired.crt" "certificate has expired" \
    verify_chain signer-expired.crt
  expect_fail "verify signer-notyet.crt" "certificate is not yet valid" \
    verify_chain signer-notyet.crt
  expect_fail "verify signer-untrusted.crt against root-ca" \
    "unable to get local issuer certificate" verify_chain signer-untrusted.crt
  expect_ok "verify signer-untrusted.crt against untrusted-root" \
    openssl verify -CAfile untrusted-root.crt signer-untrusted.crt

  # Revocation.
  expect_fail "verify -crl_check signer-revoked.crt" "certificate revoked" \
    verify_chain -crl_check -CRLfile signing-ca.crl.pem signer-revoked.crt
  expect_ok "verify -crl_check_all signer-doctor.crt (crls.pem)" \
    verify_chain -crl_check_all -CRLfile crls.pem signer-doctor.crt
  expect_ok "verify -crl_check_all signer-ec.crt (DER CRLs via crls.pem)" \
    verify_chain -crl_check_all -CRLfile crls.pem signer-ec.crt
  local crltext
  crltext="$(openssl crl -in signing-ca.crl -inform DER -noout -text)"
  expect_eq "signing-ca.crl revokes signer-revoked (serial)" \
    "$(openssl x509 -in signer-revoked.crt -noout -serial | cut -d= -f2)" \
    "$(awk '/Serial Number:/ {print $3}' <<<"$crltext")"
  expect_eq "signing-ca.crl reason keyCompromise" "Key Compromise" \
    "$(grep -A1 'CRL Reason Code' <<<"$crltext" | tail -n1 | sed 's/^ *//')"
  for c in root-ca untrusted-root; do
    expect_eq "$c.crl is empty" "No Revoked Certificates." \
      "$(openssl crl -in "$c.crl" -inform DER -noout -text | grep -o 'No Revoked Certificates.')"
  done

  # Time stamping / purposes.
  expect_ok "verify -purpose timestampsign tsa.crt" \
    openssl verify -purpose timestampsign -CAfile root-ca.crt tsa.crt
  expect_fail "verify -purpose timestampsign tsa-noeku.crt" \
    "unsuitable certificate purpose" \
    openssl verify -purpose timestampsign -CAfile root-ca.crt tsa-noeku.crt
  expect_ok "verify tsa-noeku.crt (no purpose)" \
    openssl verify -CAfile root-ca.crt tsa-noeku.crt

  # PKCS#12 and encrypted key.
  expect_ok "pkcs12 signer-doctor.p12 opens" \
    openssl pkcs12 -in signer-doctor.p12 -passin "file:$P12_PASS_FILE" -noout
  expect_eq "signer-doctor.p12 holds 3 certificates" 3 \
    "$(openssl pkcs12 -in signer-doctor.p12 -passin "file:$P12_PASS_FILE" -nokeys \
      | grep -c 'BEGIN CERTIFICATE')"
  expect_eq "signer-doctor.p12 key matches certificate" \
    "$(pubkey_of_cert signer-doctor.crt)" \
    "$(openssl pkcs12 -in signer-doctor.p12 -passin "file:$P12_PASS_FILE" -nocerts -nodes \
      | openssl pkey -pubout)"
  expect_eq "signer-doctor-pass.key decrypts to the doctor key" \
    "$(pubkey_of_cert signer-doctor.crt)" \
    "$(pubkey_of_key signer-doctor-pass.key -passin "file:$P12_PASS_FILE")"
  expect_eq "signer-doctor-pass.key is encrypted PKCS#8" \
    "-----BEGIN ENCRYPTED PRIVATE KEY-----" "$(head -n1 signer-doctor-pass.key)"

  # Keys match certificates and are unencrypted PKCS#8.
  for c in root-ca signing-ca signer-doctor signer-ec signer-ec384 signer-expired \
    signer-notyet signer-revoked signer-rsa1024 signer-nokeyusage-wrong \
    untrusted-root signer-untrusted tsa tsa-noeku ocsp; do
    if [[ "$(head -n1 "$c.key")" == "-----BEGIN PRIVATE KEY-----" ]] &&
      [[ "$(pubkey_of_cert "$c.crt")" == "$(pubkey_of_key "$c.key")" ]]; then
      ok "$c.key is PKCS#8 and matches $c.crt"
    else
      bad "$c.key is not PKCS#8 or does not match $c.crt"
    fi
  done

  # Signatures are SHA-256 everywhere.
  for c in *.crt; do
    expect_eq "$c signed with sha256WithRSAEncryption" sha256WithRSAEncryption \
      "$(openssl x509 -in "$c" -noout -text | awk '/Signature Algorithm:/ {print $3; exit}')"
  done
  for c in *.crl.pem; do
    expect_eq "$c signed with sha256WithRSAEncryption" sha256WithRSAEncryption \
      "$(openssl crl -in "$c" -noout -text | awk '/Signature Algorithm:/ {print $3; exit}')"
  done

  # Doctor certificate details.
  expect_eq "signer-doctor subjectDirectoryAttributes DER" \
    3030302E0606288185420001312431223020A01E301C060A2A830886910F01060101130E4D65646963616C20446F63746F72 \
    "$(ext_hex signer-doctor.crt 'X509v3 Subject Directory Attributes')"
  local dump
  dump="$(openssl x509 -in signer-doctor.crt -outform DER | openssl asn1parse -inform DER)"
  expect_eq "signer-doctor subject CN is a UTF8String" 1 \
    "$(grep -c 'UTF8STRING *:山田 太郎' <<<"$dump")"
  expect_eq "signer-doctor SAN dirName CN is UTF-8 山田 太郎" 1 \
    "$(ext_asn1parse signer-doctor.crt 'X509v3 Subject Alternative Name' \
      | grep -c 'UTF8STRING *:山田 太郎')"
  local text
  text="$(openssl x509 -in signer-doctor.crt -noout -text)"
  expect_eq "signer-doctor certificatePolicies is critical" 1 \
    "$(grep -c 'X509v3 Certificate Policies: critical' <<<"$text")"
  expect_eq "signer-doctor keyUsage is critical nonRepudiation only" "Non Repudiation" \
    "$(grep -A1 'X509v3 Key Usage: critical' <<<"$text" | tail -n1 | sed 's/^ *//')"

  if ((FAILURES)); then
    echo "$FAILURES self check(s) FAILED" >&2
    exit 1
  fi
  echo "all self checks passed"
}

############################################################################
# Main

make_root_ca
make_signing_ca
make_untrusted_root
make_chain
make_signer_doctor
make_signer_ec
make_signer_ec384
make_signer_expired
make_signer_notyet
make_signer_revoked
make_signer_rsa1024
make_signer_nokeyusage_wrong
make_signer_untrusted
make_tsa
make_tsa_noeku
make_ocsp
make_crls
make_bundles
make_doctor_txt

self_checks

echo "generated in $PKI_DIR:"
printf '  %s\n' "${OUTPUTS[@]}"

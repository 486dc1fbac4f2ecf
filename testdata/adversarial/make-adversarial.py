#!/usr/bin/env python3
"""Generates the adversarial corpus: hostile and malformed signatures.

Every case is a file that a foreign (possibly hostile) system could send us,
made from the test PKI in ../pki with nothing but Python's standard library
and the `openssl` command. `manifest.json` lists each case with the exact
verdict `hozon verify` must give (or "anything but TOTAL_PASSED" where the
precise sub-indication is not the point) and a one-line description;
tests/e2e/adversarial.rs runs them all. The committed files are what the
test uses: CI never regenerates them.

Usage: python3 testdata/adversarial/make-adversarial.py [--force]

Regenerate whenever testdata/pki is regenerated (new keys invalidate every
signature here). Signing times and time stamps are the time of the run.
"""

import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PKI = os.path.normpath(os.path.join(HERE, "..", "pki"))
DOCS = os.path.normpath(os.path.join(HERE, "..", "docs"))
CASES = os.path.join(HERE, "cases")
EXTRA = os.path.join(HERE, "extra")
CONTENT = os.path.join(HERE, "content")

ANY_FAIL = "NOT_TOTAL_PASSED"
# An unusable --crl/--ocsp/--trust file: exit 4 naming the file, no report.
REFUSED = "REFUSED"

# ---------------------------------------------------------------------------
# Minimal DER: a tree of (tag, children | content). Single-byte tags only,
# which is all CMS and X.509 use.
# ---------------------------------------------------------------------------


class Node:
    __slots__ = ("tag", "content", "children", "start", "hlen", "end", "raw")

    def __init__(self, tag, content=b"", children=None):
        self.tag = tag
        self.content = content
        self.children = children
        self.start = self.hlen = self.end = 0
        self.raw = None

    @property
    def constructed(self):
        return bool(self.tag & 0x20)

    def enc(self):
        if self.raw is not None:
            return self.raw
        if self.children is not None:
            body = b"".join(c.enc() for c in self.children)
        else:
            body = self.content
        return bytes([self.tag]) + enc_len(len(body)) + body

    def copy(self):
        n = Node(self.tag, self.content, None if self.children is None else [c.copy() for c in self.children])
        n.start, n.hlen, n.end = self.start, self.hlen, self.end
        return n

    def __getitem__(self, i):
        return self.children[i]


def enc_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def parse(data, pos=0, base=0, depth=0):
    """Parses one DER TLV at `pos`; returns (node, end)."""
    tag = data[pos]
    l0 = data[pos + 1]
    if l0 < 0x80:
        length, hl = l0, 2
    else:
        k = l0 & 0x7F
        length = int.from_bytes(data[pos + 2 : pos + 2 + k], "big")
        hl = 2 + k
    body = data[pos + hl : pos + hl + length]
    n = Node(tag)
    n.start, n.hlen, n.end = base + pos, hl, base + pos + hl + length
    # Universal constructed types and context/application-constructed tags
    # hold TLVs. OCTET/BIT STRINGs are left primitive.
    if tag & 0x20:
        kids, p = [], 0
        while p < len(body):
            kid, p = parse(body, p, base + pos + hl, depth + 1)
            kids.append(kid)
        n.children = kids
    else:
        n.content = body
    return n, pos + hl + length


def der(data):
    node, end = parse(data)
    assert end == len(data), "trailing bytes"
    return node


def walk(node, depth=0, path=()):
    yield node, depth, path
    if node.children is not None:
        for i, c in enumerate(node.children):
            yield from walk(c, depth + 1, path + (i,))


def tlv(tag, body):
    return bytes([tag]) + enc_len(len(body)) + body


def oid_bytes(dotted):
    arcs = [int(a) for a in dotted.split(".")]
    out = bytearray([40 * arcs[0] + arcs[1]])
    for a in arcs[2:]:
        chunk = [a & 0x7F]
        a >>= 7
        while a:
            chunk.append(0x80 | (a & 0x7F))
            a >>= 7
        out += bytes(reversed(chunk))
    return tlv(0x06, bytes(out))


def leaf(raw):
    return der(raw)


def raw_node(raw):
    """A node written exactly as given (BER the parser above cannot read)."""
    n = Node(raw[0])
    n.raw = raw
    return n


def set_of(nodes):
    """A DER SET OF: elements sorted by their encodings."""
    return Node(0x31, children=sorted(nodes, key=lambda n: n.enc()))


def utc(dt):
    return tlv(0x17, dt.strftime("%y%m%d%H%M%SZ").encode())


def gentime(dt):
    return tlv(0x18, dt.strftime("%Y%m%d%H%M%SZ").encode())


OID = {
    "data": "1.2.840.113549.1.7.1",
    "signedData": "1.2.840.113549.1.7.2",
    "contentType": "1.2.840.113549.1.9.3",
    "messageDigest": "1.2.840.113549.1.9.4",
    "signingTime": "1.2.840.113549.1.9.5",
    "signingCertV2": "1.2.840.113549.1.9.16.2.47",
    "signingCert": "1.2.840.113549.1.9.16.2.12",
    "sigTST": "1.2.840.113549.1.9.16.2.14",
    "tstInfo": "1.2.840.113549.1.9.16.1.4",
    "sha1": "1.3.14.3.2.26",
    "sha256": "2.16.840.1.101.3.4.2.1",
    "sha384": "2.16.840.1.101.3.4.2.2",
    "sha512": "2.16.840.1.101.3.4.2.3",
    "md5": "1.2.840.113549.2.5",
    "sha256WithRSA": "1.2.840.113549.1.1.11",
    "sha512WithRSA": "1.2.840.113549.1.1.13",
}


def oid_of(node):
    return node.enc()


# ---------------------------------------------------------------------------
# openssl helpers
# ---------------------------------------------------------------------------

TMP = tempfile.mkdtemp(prefix="hozon-adv-")


def run(*args, stdin=None):
    r = subprocess.run(list(args), input=stdin, capture_output=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{r.stderr.decode(errors='replace')}")
    return r.stdout


def tmp(name):
    return os.path.join(TMP, name)


def pki(name):
    return os.path.join(PKI, name)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def sign_raw(key, data, md="sha256"):
    """RSA PKCS#1 v1.5 or ECDSA signature of `data` with `key`."""
    return run("openssl", "dgst", "-" + md, "-sign", key, stdin=data)


def pem_to_der_cert(path):
    return run("openssl", "x509", "-in", path, "-outform", "DER")


def cms_sign(content_path, signer, extra=(), cades=True, md="sha256"):
    args = [
        "openssl", "cms", "-sign", "-binary", "-md", md, "-in", content_path,
        "-signer", pki(signer + ".crt"), "-inkey", pki(signer + ".key"),
        "-certfile", pki("chain.pem"), "-outform", "DER",
    ]
    if cades:
        args.append("-cades")
    args += list(extra)
    return run(*args)


def cms_sign_with(content_path, cert_pem, key, extra=(), cades=True):
    args = [
        "openssl", "cms", "-sign", "-binary", "-md", "sha256", "-in", content_path,
        "-signer", cert_pem, "-inkey", key, "-certfile", pki("chain.pem"), "-outform", "DER",
    ]
    if cades:
        args.append("-cades")
    args += list(extra)
    return run(*args)


# ---------------------------------------------------------------------------
# CMS navigation (on a parsed ContentInfo)
# ---------------------------------------------------------------------------


def sd_of(ci):
    return ci[1][0]


def sd_field(sd, tag):
    for c in sd.children:
        if c.tag == tag:
            return c
    return None


def signer_infos(sd):
    return sd.children[-1]


def si_signed_attrs(si):
    for c in si.children:
        if c.tag == 0xA0:
            return c
    return None


def si_signature(si):
    for c in si.children:
        if c.tag == 0x04:
            return c
    raise ValueError("no signature")


def attr(attrs, oid):
    want = oid_bytes(OID[oid])
    for a in attrs.children:
        if a[0].enc() == want:
            return a
    return None


def signed_attrs_der(si):
    attrs = si_signed_attrs(si)
    return bytes([0x31]) + attrs.enc()[1:]


def resign(si, key, md="sha256", attrs_bytes=None):
    """Signs the SignerInfo's signed attributes again (as DER SET)."""
    data = attrs_bytes if attrs_bytes is not None else signed_attrs_der(si)
    si_signature(si).content = sign_raw(key, data, md)


def sort_attrs(si):
    attrs = si_signed_attrs(si)
    attrs.children = sorted(attrs.children, key=lambda n: n.enc())


def make_attr(oid, *values):
    return Node(0x30, children=[leaf(oid_bytes(OID[oid])), Node(0x31, children=[leaf(v) for v in values])])


def add_unsigned(si, attr_node):
    last = si.children[-1]
    if last.tag == 0xA1:
        last.children.append(attr_node)
    else:
        si.children.append(Node(0xA1, children=[attr_node]))


# ---------------------------------------------------------------------------
# Certificates: edit a TBS and sign it again
# ---------------------------------------------------------------------------


def cert_tbs_fields(cert):
    tbs = cert[0]
    has_version = tbs[0].tag == 0xA0
    o = 1 if has_version else 0
    return tbs, {
        "serial": o,
        "sigalg": o + 1,
        "issuer": o + 2,
        "validity": o + 3,
        "subject": o + 4,
        "spki": o + 5,
    }


def cert_exts(cert):
    tbs = cert[0]
    for c in tbs.children:
        if c.tag == 0xA3:
            return c[0]
    return None


def ext_oid(ext):
    return ext[0].enc()


def sign_cert(cert, ca_key):
    tbs = cert[0]
    sig = sign_raw(ca_key, tbs.enc())
    cert.children[2] = leaf(tlv(0x03, b"\x00" + sig))
    return cert.enc()


def load_cert(name):
    return der(pem_to_der_cert(pki(name + ".crt")))


def set_serial(cert, serial):
    tbs, f = cert_tbs_fields(cert)
    tbs.children[f["serial"]] = leaf(tlv(0x02, serial.to_bytes((serial.bit_length() + 8) // 8, "big")))


def der_to_pem(der_bytes, path):
    write(tmp("c.der"), der_bytes)
    run("openssl", "x509", "-inform", "DER", "-in", tmp("c.der"), "-out", path)


def ext(oid, value_der, critical=False):
    kids = [leaf(oid_bytes(oid))]
    if critical:
        kids.append(leaf(b"\x01\x01\xff"))
    kids.append(leaf(tlv(0x04, value_der)))
    return Node(0x30, children=kids)


# ---------------------------------------------------------------------------
# Time stamps (RFC 3161) with `openssl ts -reply`
# ---------------------------------------------------------------------------

TSA_CONF = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = {serial}
crypto_device = builtin
signer_cert = {cert}
certs = {certs}
signer_key = {key}
signer_digest = sha256
default_policy = 1.2.392.200091.100.901.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def tst_response(digest):
    """A granted TimeStampResp over the SHA-256 `digest` (certReq set)."""
    write(tmp("serial"), b"01\n")
    write(tmp("tsa.cnf"), TSA_CONF.format(
        serial=tmp("serial"), cert=pki("tsa.crt"), certs=pki("root-ca.crt"), key=pki("tsa.key")).encode())
    run("openssl", "ts", "-query", "-digest", digest.hex(), "-sha256", "-cert", "-out", tmp("q.tsq"))
    return run("openssl", "ts", "-reply", "-config", tmp("tsa.cnf"), "-queryfile", tmp("q.tsq"))


def tst_token(digest):
    resp = der(tst_response(digest))
    return resp[1].enc()  # TimeStampResp.timeStampToken


def tst_token_by(digest, signer_cert, signer_key):
    """A token over `digest` whose TSTInfo is signed by another key
    (`openssl ts -reply` refuses signers without the timeStamping EKU)."""
    token = der(tst_token(digest))
    sd = sd_of(token)
    tstinfo = sd[2][1][0].content  # encapContentInfo [0] OCTET STRING
    write(tmp("tstinfo.der"), tstinfo)
    return run(
        "openssl", "cms", "-sign", "-binary", "-nodetach", "-cades", "-md", "sha256",
        "-econtent_type", OID["tstInfo"], "-in", tmp("tstinfo.der"),
        "-signer", signer_cert, "-inkey", signer_key, "-certfile", pki("root-ca.crt"), "-outform", "DER")


def add_signature_timestamp(ci, token=None, digest=None):
    sd = sd_of(ci)
    si = signer_infos(sd)[0]
    if token is None:
        token = tst_token(digest or hashlib.sha256(si_signature(si).content).digest())
    add_unsigned(si, Node(0x30, children=[leaf(oid_bytes(OID["sigTST"])), Node(0x31, children=[leaf(token)])]))
    return ci


# ---------------------------------------------------------------------------
# CRLs and OCSP
# ---------------------------------------------------------------------------


def resign_crl(crl_der, key):
    crl = der(crl_der)
    sig = sign_raw(key, crl[0].enc())
    crl.children[2] = leaf(tlv(0x03, b"\x00" + sig))
    return crl.enc()


def ocsp_response(cert_name, status="V", rev_time=None):
    """An OCSP response from the test responder for `cert_name`."""
    cert_pem = pki(cert_name + ".crt")
    serial = run("openssl", "x509", "-in", cert_pem, "-noout", "-serial").decode().strip().split("=")[1]
    subject = run("openssl", "x509", "-in", cert_pem, "-noout", "-subject", "-nameopt", "compat").decode().strip()
    subject = subject.split("=", 1)[1].strip()
    if status == "R":
        line = f"R\t600101000000Z\t{rev_time}\t{serial}\tunknown\t{subject}\n"
    else:
        line = f"V\t600101000000Z\t\t{serial}\tunknown\t{subject}\n"
    write(tmp("index.txt"), line.encode())
    run("openssl", "ocsp", "-issuer", pki("signing-ca.crt"), "-cert", cert_pem, "-no_nonce", "-reqout", tmp("req.der"))
    run("openssl", "ocsp", "-index", tmp("index.txt"), "-CA", pki("signing-ca.crt"), "-rsigner", pki("ocsp.crt"),
        "-rkey", pki("ocsp.key"), "-reqin", tmp("req.der"), "-respout", tmp("resp.der"), "-ndays", "11000")
    return read(tmp("resp.der"))


def resign_ocsp(resp_der, key, edit=None):
    resp = der(resp_der)
    basic = der(resp[1][0][1].content)  # responseBytes [0] { type, OCTET STRING }
    if edit:
        edit(basic[0])
    basic.children[2] = leaf(tlv(0x03, b"\x00" + sign_raw(key, basic[0].enc())))
    resp[1][0].children[1] = leaf(tlv(0x04, basic.enc()))
    return resp.enc()


# ---------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------

MANIFEST = []
CRL_ARGS = ["--crl", "../pki/crls.pem"]


def case(name, data, expect, description, content="content/doc.txt", args=None, ext="p7s",
         warning=None):
    """Writes cases/NNN-name.ext and records it.

    `expect`: a list with one (indication, sub_indication) per SignerInfo,
    or ANY_FAIL (every report must be something other than TOTAL_PASSED).
    `warning`: a text some signature's warnings must contain."""
    n = len(MANIFEST) + 1
    fname = f"cases/{n:03d}-{name}.{ext}"
    write(os.path.join(HERE, fname), data)
    entry = {"id": f"{n:03d}-{name}", "file": fname, "content": content,
             "args": CRL_ARGS if args is None else args, "description": description}
    if expect in (ANY_FAIL, REFUSED):
        entry["expect"] = expect
    else:
        entry["expect"] = [{"indication": i, "sub_indication": s} for (i, s) in expect]
    if warning is not None:
        entry["warning"] = warning
    MANIFEST.append(entry)


def extra(name, data):
    path = os.path.join(EXTRA, name)
    write(path, data)
    return "extra/" + name


PASSED = [("TOTAL_PASSED", None)]
FORMAT = [("TOTAL_FAILED", "FORMAT_FAILURE")]
HASH = [("TOTAL_FAILED", "HASH_FAILURE")]
SIGCRYPTO = [("TOTAL_FAILED", "SIG_CRYPTO_FAILURE")]
NOCERT = [("INDETERMINATE", "NO_SIGNING_CERTIFICATE_FOUND")]
CONSTRAINTS = [("INDETERMINATE", "CHAIN_CONSTRAINTS_FAILURE")]
GENERAL = [("INDETERMINATE", "CERTIFICATE_CHAIN_GENERAL_FAILURE")]
NOCHAIN = [("INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND")]
TRY_LATER = [("INDETERMINATE", "TRY_LATER")]
REVOKED = [("TOTAL_FAILED", "REVOKED")]


def main():
    force = "--force" in sys.argv[1:]
    if os.path.exists(os.path.join(HERE, "manifest.json")) and not force:
        sys.exit("manifest.json exists; use --force to regenerate the corpus")
    for d in (CASES, EXTRA, CONTENT):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    shutil.copy(os.path.join(DOCS, "referral-letter.txt"), os.path.join(CONTENT, "doc.txt"))
    shutil.copy(os.path.join(DOCS, "discharge-summary.xml"), os.path.join(CONTENT, "other.xml"))
    doc = os.path.join(CONTENT, "doc.txt")
    other = os.path.join(CONTENT, "other.xml")
    doc_bytes = read(doc)
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)

    base = cms_sign(doc, "signer-doctor")
    base_ec = cms_sign(doc, "signer-ec")
    base_other = cms_sign(other, "signer-ec")
    key = pki("signer-doctor.key")

    def fresh(b=base):
        return der(b)

    # --- positive controls: the machinery below makes signatures that pass ---
    case("control-rsa", base, PASSED, "control: openssl cms -sign -cades by signer-doctor verifies")
    case("control-ec", base_ec, PASSED, "control: openssl cms -sign -cades by signer-ec verifies")
    ci = fresh()
    resign(signer_infos(sd_of(ci))[0], key)
    case("control-resigned", ci.enc(), PASSED, "control: signed attributes re-signed by this script verify")
    bt = add_signature_timestamp(fresh())
    bt_bytes = bt.enc()
    case("control-bt", bt_bytes, PASSED, "control: B-T with a token from openssl ts -reply verifies")
    attached = cms_sign(doc, "signer-doctor", extra=["-nodetach"])
    case("control-attached", attached, PASSED, "control: enveloping signature verifies", content=None, ext="p7m")
    write(tmp("doc.pem"), b"")
    pem = run("openssl", "cms", "-cmsout", "-inform", "DER", "-in", "/dev/stdin", "-outform", "PEM", stdin=base)
    case("control-pem", pem, PASSED, "control: PEM form verifies")

    # --- 0-byte and 1-byte files, garbage ---
    case("empty", b"", FORMAT, "0-byte file")
    for b in (0x00, 0x30, 0x80, 0xFF, 0x2D, 0x0A):
        case(f"one-byte-{b:02x}", bytes([b]), FORMAT, f"1-byte file 0x{b:02x}")
    case("two-bytes-indef", b"\x30\x80", FORMAT, "SEQUENCE with indefinite length and no end")
    case("eoc-only", b"\x00\x00", FORMAT, "end-of-contents octets alone")
    case("pem-header-only", b"-----BEGIN CMS-----\n-----END CMS-----\n", FORMAT, "PEM armour with no body")
    case("pem-bad-base64", b"-----BEGIN CMS-----\n!!!!\n-----END CMS-----\n", FORMAT, "PEM with invalid base64")
    case("pem-no-end", pem[: pem.index(b"-----END")], FORMAT, "PEM without its END line")
    case("text", b"This is not a signature.\n", FORMAT, "plain text")
    case("trailing-byte", base + b"\x00", FORMAT, "valid DER followed by one byte")
    case("trailing-signature", base + base, FORMAT, "two signatures concatenated")

    # --- memory bombs: huge length fields, deep nesting ---
    case("len-2gib", b"\x30\x84\x7f\xff\xff\xff" + base[4:100], FORMAT, "outer length 2 GiB, 100 bytes present")
    case("len-8-bytes", b"\x30\x88\xff\xff\xff\xff\xff\xff\xff\xff" + base[4:100], FORMAT, "8-byte length field of all ones")
    case("len-127-octets", b"\x30\xff" + b"\xff" * 127 + base[4:64], FORMAT, "length of 127 length octets")
    case("len-reserved-0xff", b"\x30\xff\x00", FORMAT, "reserved length octet 0xFF")
    case("len-non-minimal", b"\x30\x84" + (len(base) - 4).to_bytes(4, "big") + base[4:], PASSED,
         "outer length in non-minimal long form: legal BER, read as its DER form")
    deep_indef = b"\x30\x80" * 200_000
    case("deep-indef-200k", deep_indef, FORMAT, "200,000 nested indefinite-length SEQUENCEs, no end")
    deep_def = b""
    for _ in range(5000):
        deep_def = tlv(0x30, deep_def)
    case("deep-definite-5000", deep_def, FORMAT, "5,000 nested definite-length SEQUENCEs")
    nested_os = b"\x24\x80" * 10_000 + b"\x00\x00" * 10_000
    case("deep-octet-string", b"\x30\x80\x06\x09" + oid_bytes(OID["signedData"])[2:] + b"\xa0\x80" + nested_os + b"\x00\x00\x00\x00",
         FORMAT, "10,000 nested constructed OCTET STRINGs (BER)")
    ci = fresh()
    sd = sd_of(ci)
    inner_len = b"\x04\x84\x7f\xff\xff\xff"
    case("econtent-len-2gib", ci.enc()[:60] + inner_len, FORMAT, "truncated file claiming a 2 GiB inner OCTET STRING")
    ci = fresh()
    sd = sd_of(ci)
    certs = sd_field(sd, 0xA0)
    certs.children += [leaf(b"\x30\x00")] * 20_000
    case("many-empty-certs", ci.enc(), FORMAT, "20,000 empty SEQUENCEs among the certificates")
    ci = fresh()
    sd = sd_of(ci)
    sis = signer_infos(sd)
    sis.children += [leaf(b"\x30\x00")] * 20_000
    case("many-empty-signerinfos", ci.enc(), FORMAT, "one real SignerInfo and 20,000 empty ones")
    ci = fresh()
    si = signer_infos(sd_of(ci))[0]
    si.children[1][1].content = b"\x01" * 4000  # serial number of the sid
    case("sid-huge-serial", ci.enc(), FORMAT, "sid serial number of 4,000 bytes")
    ci = fresh()
    sd = sd_of(ci)
    sd.children[1].children.append(leaf(b"\x30\x0c\x06\x08\x2a" + b"\xff" * 6 + b"\x7f\x05\x00"))
    case("digestalg-huge-arc", ci.enc(), FORMAT, "digestAlgorithms with an OID of a 49-bit arc")
    chunked = bytearray()
    for b in doc_bytes:
        chunked += b"\x04\x01" + bytes([b])
    att = der(attached)
    econt = att[1][0][2]
    ber = bytearray()
    # Rebuild the attached signature as BER with a 1-byte-chunked content.
    ber_econt = b"\x30\x80" + econt[0].enc() + b"\xa0\x80\x24\x80" + bytes(chunked) + b"\x00\x00\x00\x00\x00\x00"
    sd_kids = att[1][0].children
    sd_body = sd_kids[0].enc() + sd_kids[1].enc() + ber_econt + b"".join(k.enc() for k in sd_kids[3:])
    ber = b"\x30\x80" + att[0].enc() + b"\xa0\x80\x30\x80" + sd_body + b"\x00\x00\x00\x00\x00\x00"
    case("ber-content-1-byte-chunks", ber, PASSED,
         "legal BER: indefinite lengths, content as one constructed OCTET STRING of 1-byte chunks", content=None, ext="p7m")

    # --- signature wrapping ---
    ci = fresh()
    extra_si = signer_infos(sd_of(fresh(base_other)))[0]
    signer_infos(sd_of(ci)).children.append(extra_si)
    signer_infos(sd_of(ci)).children.sort(key=lambda n: n.enc())
    order = [c.enc() == extra_si.enc() for c in signer_infos(sd_of(ci)).children]
    exp = [HASH[0] if is_extra else PASSED[0] for is_extra in order]
    case("wrap-second-signerinfo-other-content", ci.enc(), exp,
         "a second SignerInfo (signer-ec over another document) added: it must fail, the genuine one pass")
    ci = fresh()
    extra_si = signer_infos(sd_of(fresh(base_ec)))[0].copy()
    extra_si.children[1] = signer_infos(sd_of(ci))[0].children[1].copy()  # claims signer-doctor
    signer_infos(sd_of(ci)).children.append(extra_si)
    signer_infos(sd_of(ci)).children.sort(key=lambda n: n.enc())
    order = [c.enc() == extra_si.enc() for c in signer_infos(sd_of(ci)).children]
    exp = [SIGCRYPTO[0] if e else PASSED[0] for e in order]
    case("wrap-second-signerinfo-wrong-sid", ci.enc(), exp,
         "a second SignerInfo made by signer-ec that names signer-doctor as its signer")
    case("wrap-swapped-content", base, HASH, "detached signature checked against another document",
         content="content/other.xml")
    ci = fresh()
    encap = sd_of(ci)[2]
    encap.children.append(Node(0xA0, children=[leaf(tlv(0x04, read(other)))]))
    case("wrap-econtent-injected", ci.enc(), HASH,
         "detached signature turned enveloping with another document as eContent (file content given)")
    case("wrap-econtent-injected-alone", ci.enc(), HASH,
         "detached signature turned enveloping with another document as eContent", content=None, ext="p7m")
    att = der(attached)
    att[1][0][2][1].children[0] = leaf(tlv(0x04, read(other)))
    case("wrap-attached-content-swapped", att.enc(), HASH, "enveloping signature whose eContent was replaced",
         content=None, ext="p7m")
    ci = fresh()
    sd_of(ci)[2].children[0] = leaf(oid_bytes(OID["tstInfo"]))
    case("wrap-econtent-type-changed", ci.enc(), FORMAT,
         "eContentType changed to id-ct-TSTInfo; the content-type attribute still says id-data")
    ci = fresh()
    si = signer_infos(sd_of(ci))[0]
    si_signature(si).content = si_signature(signer_infos(sd_of(fresh(base_other)))[0]).content
    case("wrap-signature-value-from-other", ci.enc(), SIGCRYPTO,
         "signature value replaced by the one of another signature (signer-ec over another document)")
    case("control-second-signature", cms_sign(doc, "signer-doctor"), PASSED,
         "control: a second, independent signature of the same document")
    outer = tlv(0x30, oid_bytes(OID["data"]) + tlv(0xA0, tlv(0x04, base)))
    case("wrap-inside-data", outer, FORMAT, "the signature wrapped as the content of an id-data ContentInfo")
    ci = fresh()
    sd = sd_of(ci)
    sd.children[2] = fresh(attached)[1][0][2]
    case("wrap-encap-of-other-signature", ci.enc(), PASSED,
         "detached signature given the (identical) eContent of the enveloping one: same content, passes")

    # --- certificate substitution ---
    doctor = load_cert("signer-doctor")
    sub = doctor.copy()
    tbs, f = cert_tbs_fields(sub)
    subj = sub[0][f["subject"]]
    # Change the common name (the last RDN) to another doctor's name.
    cn_set = subj.children[-1]
    cn_set[0].children[1] = leaf(tlv(0x0C, "鈴木 次郎".encode()))
    sub_der = sign_cert(sub, pki("signing-ca.key"))
    der_to_pem(sub_der, tmp("sub.pem"))
    ci = fresh()
    certs = sd_field(sd_of(ci), 0xA0)
    certs.children = [leaf(sub_der) if c.enc() == pem_to_der_cert(pki("signer-doctor.crt")) else c for c in certs.children]
    case("subst-same-serial-v2", ci.enc(), NOCERT,
         "signer certificate replaced by a CA-issued one with the same issuer, serial and key but another name; signing-certificate-v2 present")
    plain = cms_sign(doc, "signer-doctor", cades=False)
    case("subst-control-no-ess", plain, NOCERT, "plain CMS (no signing-certificate attribute) is never TOTAL_PASSED")
    ci = der(plain)
    certs = sd_field(sd_of(ci), 0xA0)
    certs.children = [leaf(sub_der) if c.enc() == pem_to_der_cert(pki("signer-doctor.crt")) else c for c in certs.children]
    case("subst-same-serial-no-ess", ci.enc(), NOCERT,
         "the same substitution without signing-certificate-v2")
    ci = fresh()
    certs = sd_field(sd_of(ci), 0xA0)
    certs.children = [c for c in certs.children if c.enc() != pem_to_der_cert(pki("signer-doctor.crt"))]
    case("subst-signer-cert-removed", ci.enc(), NOCERT, "signer certificate removed from the SignedData")
    ci = fresh()
    certs = sd_field(sd_of(ci), 0xA0)
    certs.children.append(leaf(sub_der))
    certs.children.sort(key=lambda n: n.enc())
    case("subst-both-certs", ci.enc(), PASSED,
         "a look-alike certificate (same issuer and serial) added beside the genuine one: signing-certificate-v2 picks the genuine one")
    # Substitution with another key: the signature itself fails.
    ci = fresh()
    certs = sd_field(sd_of(ci), 0xA0)
    certs.children.append(leaf(pem_to_der_cert(pki("signer-ec.crt"))))
    si = signer_infos(sd_of(ci))[0]
    ec = load_cert("signer-ec")
    _, fe = cert_tbs_fields(ec)
    si.children[1] = Node(0x30, children=[ec[0][fe["issuer"]].copy(), ec[0][fe["serial"]].copy()])
    case("subst-sid-other-cert", ci.enc(), SIGCRYPTO, "sid changed to name signer-ec's certificate")
    # signing-certificate-v2 variants
    ci = fresh()
    si = signer_infos(sd_of(ci))[0]
    scv2 = attr(si_signed_attrs(si), "signingCertV2")
    h = scv2[1][0][0][0]  # SigningCertificateV2.certs[0] ESSCertIDv2
    # ESSCertIDv2 ::= SEQ { hashAlgorithm DEFAULT sha256, certHash, issuerSerial }
    hash_node = [c for c in h.children if c.tag == 0x04][0]
    hash_node.content = bytes(32)
    resign(si, key)
    case("scv2-wrong-hash", ci.enc(), NOCERT, "signing-certificate-v2 with a wrong certificate hash (re-signed)")
    ci = fresh()
    si = signer_infos(sd_of(ci))[0]
    scv2 = attr(si_signed_attrs(si), "signingCertV2")
    h = scv2[1][0][0][0]
    h.children.insert(0, leaf(tlv(0x30, oid_bytes(OID["sha512"]))))
    resign(si, key)
    case("scv2-declares-sha512", ci.enc(), NOCERT,
         "signing-certificate-v2 declaring SHA-512 over a SHA-256 hash (re-signed)")
    ci = fresh()
    si = signer_infos(sd_of(ci))[0]
    scv2 = attr(si_signed_attrs(si), "signingCertV2")
    h = scv2[1][0][0][0]
    iss = [c for c in h.children if c.tag == 0x30][-1]
    iss.children[1] = leaf(b"\x02\x02\x7f\x7f")
    resign(si, key)
    case("scv2-wrong-serial", ci.enc(), NOCERT, "signing-certificate-v2 issuerSerial names another serial (re-signed)")
    ci = fresh()
    si = signer_infos(sd_of(ci))[0]
    scv2 = attr(si_signed_attrs(si), "signingCertV2")
    sha1 = hashlib.sha1(pem_to_der_cert(pki("signer-doctor.crt"))).digest()
    v1 = make_attr("signingCert", tlv(0x30, tlv(0x30, tlv(0x30, tlv(0x04, sha1)))))
    si_signed_attrs(si).children = [a for a in si_signed_attrs(si).children if a is not scv2] + [v1]
    sort_attrs(si)
    resign(si, key)
    case("scv1-genuine", ci.enc(), PASSED, "signing-certificate (v1, SHA-1 ESSCertID) binding the genuine certificate")
    certs = sd_field(sd_of(ci), 0xA0)
    certs.children = [leaf(sub_der) if c.enc() == pem_to_der_cert(pki("signer-doctor.crt")) else c for c in certs.children]
    case("scv1-substituted", ci.enc(), NOCERT, "signing-certificate v1 and a substituted certificate")

    # --- signed attributes re-encoded as BER ---
    def with_raw_attrs(raw_set_body, sign_over):
        """Replaces the signed attributes by [0] IMPLICIT with a BER body."""
        ci = fresh()
        si = signer_infos(sd_of(ci))[0]
        der_attrs = signed_attrs_der(si)
        i = si.children.index(si_signed_attrs(si))
        if sign_over == "der":
            si_signature(si).content = sign_raw(key, der_attrs)
        raw = b"\xa0" + raw_set_body
        if sign_over == "ber":
            si_signature(si).content = sign_raw(key, b"\x31" + raw_set_body)
        si.children[i] = Node(0xA0)
        parts = []
        for k, c in enumerate(si.children):
            parts.append(raw if k == i else c.enc())
        si_raw = b"".join(parts)
        # Re-assemble the SignedData around the modified SignerInfo by hand.
        sd = sd_of(ci)
        sis_body = tlv(0x30, si_raw)
        sd_body = b"".join(c.enc() for c in sd.children[:-1]) + tlv(0x31, sis_body)
        return tlv(0x30, ci[0].enc() + tlv(0xA0, tlv(0x30, sd_body)))

    si0 = signer_infos(sd_of(fresh()))[0]
    attrs_body = si_signed_attrs(si0).enc()[1:]
    _, hl = (None, si_signed_attrs(si0).hlen)
    content_attrs = si_signed_attrs(si0).enc()[hl:]
    long_form = b"\x84" + len(content_attrs).to_bytes(4, "big") + content_attrs
    indef = b"\x80" + content_attrs + b"\x00\x00"
    case("ber-attrs-long-length-signed-der", with_raw_attrs(long_form, "der"), FORMAT,
         "signed attributes with a non-minimal length (BER), signature over their DER form: refused, CAdES signed attributes must be DER")
    case("ber-attrs-long-length-signed-ber", with_raw_attrs(long_form, "ber"), FORMAT,
         "signed attributes with a non-minimal length, signature over those BER bytes rather than DER")
    case("ber-attrs-indefinite-signed-der", with_raw_attrs(indef, "der"), FORMAT,
         "signed attributes with indefinite length (BER), signature over their DER form: refused, CAdES signed attributes must be DER")
    case("ber-attrs-indefinite-signed-ber", with_raw_attrs(indef, "ber"), FORMAT,
         "signed attributes with indefinite length, signature over the BER bytes")
    ci = fresh()
    si = signer_infos(sd_of(ci))[0]
    si_signed_attrs(si).children.reverse()
    resign(si, key, attrs_bytes=b"\x31" + si_signed_attrs(si).enc()[1:])
    case("ber-attrs-unsorted-signed-as-is", ci.enc(), PASSED,
         "signed attributes out of DER SET order, signature over the unsorted bytes: verified over them as received (as OpenSSL, Bouncy Castle and DSS do), with a warning",
         warning="verifies over them as received")
    ci = fresh()
    si = signer_infos(sd_of(ci))[0]
    resign(si, key)
    si_signed_attrs(si).children.reverse()
    case("ber-attrs-unsorted-signed-der", ci.enc(), PASSED,
         "signed attributes out of DER SET order, signature over the sorted DER form: passes",
         warning="verifies over their DER encoding")
    ci = fresh()
    si = signer_infos(sd_of(ci))[0]
    st = attr(si_signed_attrs(si), "signingTime")
    t = st[1][0].content
    st[1].children[0] = raw_node(b"\x37\x80\x04" + bytes([len(t)]) + t + b"\x00\x00")
    resign(si, key, attrs_bytes=b"\x31" + si_signed_attrs(si).enc()[1:])
    case("ber-signing-time-constructed", ci.enc(), FORMAT,
         "signing-time as a constructed, indefinite-length UTCTime inside the signed attributes")

    # --- duplicated and missing attributes ---
    def dup(oid, alt=None, description=""):
        ci = fresh()
        si = signer_infos(sd_of(ci))[0]
        a = attr(si_signed_attrs(si), oid).copy()
        if alt is not None:
            a[1].children[0] = leaf(alt)
        si_signed_attrs(si).children.append(a)
        sort_attrs(si)
        resign(si, key)
        return ci.enc()

    right_md = hashlib.sha256(doc_bytes).digest()
    wrong_md = hashlib.sha256(read(other)).digest()
    case("dup-message-digest-same", dup("messageDigest"), FORMAT, "message-digest attribute twice, same value")
    case("dup-message-digest-other", dup("messageDigest", tlv(0x04, wrong_md)), FORMAT,
         "message-digest twice: one of this document, one of another")
    case("dup-content-type", dup("contentType"), FORMAT, "content-type attribute twice")
    case("dup-content-type-other", dup("contentType", oid_bytes(OID["tstInfo"])), FORMAT,
         "content-type twice, one id-data and one id-ct-TSTInfo")
    case("dup-signing-cert-v2", dup("signingCertV2"), FORMAT, "signing-certificate-v2 twice")
    case("dup-signing-time", dup("signingTime"), FORMAT, "signing-time twice (RFC 5652 11.3: one instance)")
    case("dup-signing-time-other", dup("signingTime", utc(now - datetime.timedelta(days=400))), FORMAT,
         "signing-time twice with different times")
    for oid, label in (("messageDigest", "message-digest"), ("contentType", "content-type")):
        ci = fresh()
        si = signer_infos(sd_of(ci))[0]
        a = attr(si_signed_attrs(si), oid)
        a[1].children.append(a[1][0].copy() if oid == "contentType" else leaf(tlv(0x04, wrong_md)))
        a[1].children.sort(key=lambda n: n.enc())
        resign(si, key)
        case(f"two-values-{label}", ci.enc(), FORMAT, f"{label} attribute whose SET holds two values")
        ci = fresh()
        si = signer_infos(sd_of(ci))[0]
        si_signed_attrs(si).children.remove(attr(si_signed_attrs(si), oid))
        resign(si, key)
        case(f"missing-{label}", ci.enc(), FORMAT, f"{label} attribute absent (re-signed)")
        ci = fresh()
        si = signer_infos(sd_of(ci))[0]
        attr(si_signed_attrs(si), oid)[1].children = []
        resign(si, key)
        case(f"empty-values-{label}", ci.enc(), FORMAT, f"{label} attribute with an empty SET of values")
    ci = fresh()
    si = signer_infos(sd_of(ci))[0]
    si.children.remove(si_signed_attrs(si))
    si_signature(si).content = sign_raw(key, doc_bytes)
    case("no-signed-attrs", ci.enc(), NOCERT,
         "no signed attributes at all (signature over the content): no signing-certificate binding")
    ci = fresh()
    si = signer_infos(sd_of(ci))[0]
    si.children.remove(si_signed_attrs(si))
    si_signature(si).content = sign_raw(key, doc_bytes)
    sd_of(ci)[2].children[0] = leaf(oid_bytes(OID["tstInfo"]))
    case("no-signed-attrs-non-data", ci.enc(), NOCERT,
         "no signed attributes while eContentType is not id-data (RFC 5652 5.3 requires them)")

    # --- message digest of another algorithm than declared ---
    def digest_case(declared, md_bytes, sig_md="sha256"):
        ci = fresh()
        si = signer_infos(sd_of(ci))[0]
        alg = leaf(tlv(0x30, oid_bytes(OID[declared]))) if declared != "sha256-null" else None
        if alg is not None:
            si.children[2] = alg
        attr(si_signed_attrs(si), "messageDigest")[1].children[0] = leaf(tlv(0x04, md_bytes))
        resign(si, key, md=sig_md)
        return ci.enc()

    case("md-sha384-declared-sha256-value", digest_case("sha384", right_md), HASH,
         "digestAlgorithm SHA-384, message-digest holds the SHA-256 of the content")
    case("md-sha256-declared-sha512-value", digest_case("sha256", hashlib.sha512(doc_bytes).digest()), HASH,
         "digestAlgorithm SHA-256, message-digest holds the SHA-512 of the content")
    case("md-sha512-declared-sha384-value", digest_case("sha512", hashlib.sha384(doc_bytes).digest()), HASH,
         "digestAlgorithm SHA-512, message-digest holds the SHA-384")
    case("md-sha384-sigalg-sha256", digest_case("sha384", hashlib.sha384(doc_bytes).digest()), SIGCRYPTO,
         "digestAlgorithm SHA-384 with the SHA-384 digest, but the attributes signed with SHA-256 (sha256WithRSA)")
    case("md-sha384-control", cms_sign(doc, "signer-doctor", md="sha384"), PASSED,
         "control: openssl cms -sign -md sha384 verifies")
    case("md-md5", digest_case("md5", hashlib.md5(doc_bytes).digest()), SIGCRYPTO,
         "digestAlgorithm MD5 with a correct MD5 digest")
    case("md-sha1-truncated", digest_case("sha1", right_md[:20]), HASH,
         "digestAlgorithm SHA-1, message-digest the first 20 bytes of the SHA-256")
    case("md-empty", digest_case("sha256", b""), HASH, "empty message-digest")
    ci = fresh()
    si = signer_infos(sd_of(ci))[0]
    si.children[2] = leaf(tlv(0x30, oid_bytes("1.2.3.4.5.6.7")))
    resign(si, key)
    case("md-unknown-algorithm", ci.enc(), [("INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE")], "digestAlgorithm an unknown OID")
    ci = fresh()
    si = signer_infos(sd_of(ci))[0]
    sigalg_i = si.children.index(si_signature(si)) - 1
    si.children[sigalg_i] = leaf(tlv(0x30, oid_bytes(OID["sha512WithRSA"]) + b"\x05\x00"))
    case("sigalg-sha512-signed-sha256", ci.enc(), PASSED,
         "signatureAlgorithm sha512WithRSAEncryption over a SHA-256 signature: verified with the digestAlgorithm's hash (SHA-256, named by the DigestInfo) as OpenSSL and DSS do, with a warning",
         warning="names another hash than the digestAlgorithm")
    ci = fresh()
    si = signer_infos(sd_of(ci))[0]
    si.children[sigalg_i] = leaf(tlv(0x30, oid_bytes("1.2.840.113549.1.1.4") + b"\x05\x00"))
    resign(si, key, md="md5")
    case("sigalg-md5-rsa", ci.enc(), [("INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE_NO_POE")], "md5WithRSAEncryption signature value (MD5 is never accepted)")

    # --- crafted certificates (same keys, re-signed by the test CAs) ---
    signing_ca = load_cert("signing-ca")
    root_key = pki("root-ca.key")
    ca_key = pki("signing-ca.key")
    serial_counter = [0x7A000]

    def next_serial():
        serial_counter[0] += 1
        return serial_counter[0]

    def with_chain(signer_der, ca_der=None, signer_key=key, cades=True):
        """Signs doc with a crafted signer certificate (key `signer_key`);
        the SignedData carries the crafted CA instead of signing-ca when given."""
        der_to_pem(signer_der, tmp("signer.pem"))
        chain = [pem_to_der_cert(pki("root-ca.crt"))]
        chain.append(ca_der if ca_der is not None else pem_to_der_cert(pki("signing-ca.crt")))
        sig = cms_sign_with(doc, tmp("signer.pem"), signer_key, cades=cades, extra=["-nocerts"])
        ci = der(sig)
        sd = ci[1][0]
        certs = Node(0xA0, children=sorted([leaf(signer_der)] + [leaf(c) for c in chain], key=lambda n: n.enc()))
        sd.children.insert(3, certs)
        return ci.enc()

    def doctor_variant(edit, ca_key_path=ca_key):
        c = load_cert("signer-doctor")
        set_serial(c, next_serial())
        edit(c)
        return sign_cert(c, ca_key_path)

    def ca_variant(edit):
        c = load_cert("signing-ca")
        edit(c)
        return sign_cert(c, root_key)

    def add_ext(e):
        return lambda c: cert_exts(c).children.append(e)

    def drop_ext(oid):
        def f(c):
            exts = cert_exts(c)
            exts.children = [x for x in exts.children if ext_oid(x) != oid_bytes(oid)]
        return f

    def replace_ext(oid, e):
        def f(c):
            exts = cert_exts(c)
            exts.children = [e if ext_oid(x) == oid_bytes(oid) else x for x in exts.children]
        return f

    unknown = "1.3.6.1.4.1.55555.1.1"
    case("cert-control-crafted", with_chain(doctor_variant(lambda c: None)), PASSED,
         "control: a signer certificate re-issued by this script (new serial) verifies")
    case("cert-signer-unknown-critical-ext",
         with_chain(doctor_variant(add_ext(ext(unknown, b"\x05\x00", critical=True)))), CONSTRAINTS,
         "signer certificate with an unknown critical extension")
    case("cert-signer-unknown-noncritical-ext",
         with_chain(doctor_variant(add_ext(ext(unknown, b"\x05\x00")))), PASSED,
         "control: the same extension non-critical is ignored")
    case("cert-ca-unknown-critical-ext",
         with_chain(pem_to_der_cert(pki("signer-doctor.crt")), ca_variant(add_ext(ext(unknown, b"\x05\x00", critical=True)))),
         CONSTRAINTS, "intermediate CA certificate with an unknown critical extension")
    BC = "2.5.29.19"
    case("cert-ca-no-basic-constraints",
         with_chain(pem_to_der_cert(pki("signer-doctor.crt")), ca_variant(drop_ext(BC))), CONSTRAINTS,
         "intermediate CA without basicConstraints")
    case("cert-ca-basic-constraints-false",
         with_chain(pem_to_der_cert(pki("signer-doctor.crt")), ca_variant(replace_ext(BC, ext(BC, b"\x30\x00", critical=True)))),
         CONSTRAINTS, "intermediate CA with basicConstraints cA FALSE")
    case("cert-ca-control",
         with_chain(pem_to_der_cert(pki("signer-doctor.crt")), ca_variant(lambda c: None)), PASSED,
         "control: intermediate re-issued unchanged by this script verifies")
    KU = "2.5.29.15"
    case("cert-ca-no-keycertsign",
         with_chain(pem_to_der_cert(pki("signer-doctor.crt")),
                    ca_variant(replace_ext(KU, ext(KU, b"\x03\x02\x01\x02", critical=True)))), CONSTRAINTS,
         "intermediate CA whose keyUsage lacks keyCertSign (cRLSign only)")
    NC = "2.5.29.30"
    other_o = tlv(0x30, tlv(0x31, tlv(0x30, oid_bytes("2.5.4.6") + tlv(0x13, b"JP"))) +
                  tlv(0x31, tlv(0x30, oid_bytes("2.5.4.10") + tlv(0x0C, b"Other Hospital"))))
    permitted_other = tlv(0x30, tlv(0xA0, tlv(0x30, tlv(0xA4, other_o))))
    case("nc-permitted-other-org",
         with_chain(pem_to_der_cert(pki("signer-doctor.crt")), ca_variant(add_ext(ext(NC, permitted_other, critical=True)))),
         CONSTRAINTS, "intermediate permits only O=Other Hospital; the signer is O=hozon Test Hospital")
    excluded_email = tlv(0x30, tlv(0xA1, tlv(0x30, tlv(0x81, b"hospital.example"))))
    case("nc-excluded-email-domain",
         with_chain(pem_to_der_cert(pki("signer-doctor.crt")), ca_variant(add_ext(ext(NC, excluded_email, critical=True)))),
         CONSTRAINTS, "intermediate excludes e-mail domain hospital.example; the signer's SAN is yamada@hospital.example")
    own_o = tlv(0x30, tlv(0x31, tlv(0x30, oid_bytes("2.5.4.6") + tlv(0x13, b"JP"))) +
                tlv(0x31, tlv(0x30, oid_bytes("2.5.4.10") + tlv(0x0C, b"hozon Test Hospital"))))
    excluded_dn = tlv(0x30, tlv(0xA1, tlv(0x30, tlv(0xA4, own_o))))
    case("nc-excluded-own-org",
         with_chain(pem_to_der_cert(pki("signer-doctor.crt")), ca_variant(add_ext(ext(NC, excluded_dn, critical=True)))),
         CONSTRAINTS, "intermediate excludes the directory subtree O=hozon Test Hospital")
    permitted_own = tlv(0x30, tlv(0xA0, tlv(0x30, tlv(0xA4, own_o))))
    case("nc-permitted-own-org",
         with_chain(pem_to_der_cert(pki("signer-doctor.crt")), ca_variant(add_ext(ext(NC, permitted_own, critical=True)))),
         PASSED, "control: intermediate permits only O=hozon Test Hospital, which the signer's names satisfy")
    # pathLen: a sub-CA below signing-ca (pathlen 0), with the untrusted root's key.
    sub_ca = load_cert("signing-ca")
    set_serial(sub_ca, next_serial())
    tbs, f = cert_tbs_fields(sub_ca)
    untrusted = load_cert("untrusted-root")
    _, fu = cert_tbs_fields(untrusted)
    tbs.children[f["issuer"]] = load_cert("signing-ca")[0][f["subject"]].copy()
    sub_name = leaf(tlv(0x30, tlv(0x31, tlv(0x30, oid_bytes("2.5.4.6") + tlv(0x13, b"JP"))) +
                        tlv(0x31, tlv(0x30, oid_bytes("2.5.4.3") + tlv(0x0C, b"Rogue Sub CA")))))
    tbs.children[f["subject"]] = sub_name
    tbs.children[f["spki"]] = untrusted[0][fu["spki"]].copy()
    exts = cert_exts(sub_ca)
    exts.children = [x for x in exts.children if ext_oid(x) not in (oid_bytes("2.5.29.14"), oid_bytes("2.5.29.35"), oid_bytes("2.5.29.31"), oid_bytes("1.3.6.1.5.5.7.1.1"))]
    sub_ca_der = sign_cert(sub_ca, ca_key)

    def under_sub_ca(c):
        t, ff = cert_tbs_fields(c)
        t.children[ff["issuer"]] = sub_name.copy()
        cert_exts(c).children = [x for x in cert_exts(c).children if ext_oid(x) not in (oid_bytes("2.5.29.35"),)]

    leaf_der = doctor_variant(under_sub_ca, pki("untrusted-root.key"))
    s = with_chain(leaf_der, None)
    ci = der(s)
    sd_field(ci[1][0], 0xA0).children.append(leaf(sub_ca_der))
    case("pathlen-violation", ci.enc(), CONSTRAINTS,
         "signer issued by a sub-CA below signing-ca, whose pathLenConstraint is 0")
    doctor_as_ca = load_cert("signer-ec")
    # signer-ec's certificate used as an issuing CA for a doctor certificate.
    ecc = load_cert("signer-ec")
    _, fec = cert_tbs_fields(ecc)

    def issued_by_ec(c):
        t, ff = cert_tbs_fields(c)
        t.children[ff["issuer"]] = ecc[0][fec["subject"]].copy()
        cert_exts(c).children = [x for x in cert_exts(c).children if ext_oid(x) != oid_bytes("2.5.29.35")]

    leaf_der = doctor_variant(issued_by_ec, pki("signer-ec.key"))
    s = der(with_chain(leaf_der))
    sd_field(s[1][0], 0xA0).children.append(leaf(pem_to_der_cert(pki("signer-ec.crt"))))
    case("end-entity-as-ca", s.enc(), NOCHAIN, "signer certificate issued by an end-entity (CA:FALSE) certificate")
    case("cert-signer-bad-signature",
         with_chain(doctor_variant(lambda c: None, pki("untrusted-root.key"))), GENERAL,
         "signer certificate claiming signing-ca as issuer but signed by another key")
    case("cert-signer-v1",
         with_chain(doctor_variant(lambda c: c[0].children.pop(0) and None)), CONSTRAINTS,
         "signer certificate as X.509 v1 with extensions (version field removed)")
    case("cert-signer-notafter-before-notbefore",
         with_chain(doctor_variant(lambda c: c[0].children.__setitem__(cert_tbs_fields(c)[1]["validity"],
                                                                      leaf(tlv(0x30, utc(datetime.datetime(2030, 1, 1)) + utc(datetime.datetime(2025, 1, 1))))))),
         [("TOTAL_FAILED", "NOT_YET_VALID")], "signer certificate whose notAfter precedes notBefore")

    # --- revocation: CRL signed by the wrong key, OCSP for another certificate or stale ---
    signing_crl = read(pki("signing-ca.crl"))
    root_crl = read(pki("root-ca.crl"))
    forged = extra("signing-ca-crl-wrong-key.crl", resign_crl(signing_crl, pki("untrusted-root.key")))
    rootc = extra("root-ca.crl", root_crl)
    case("crl-wrong-key", base, TRY_LATER,
         "the signing CA's CRL re-signed by another key (given with --crl)", args=["--crl", forged, "--crl", rootc])
    case("crl-only-root", base, TRY_LATER, "no CRL for the signer's CA at all", args=["--crl", rootc])
    ci = fresh()
    sd = sd_of(ci)
    sd.children.insert(4, Node(0xA1, children=[leaf(resign_crl(signing_crl, pki("untrusted-root.key")))]))
    case("crl-wrong-key-embedded", ci.enc(), TRY_LATER, "the forged CRL embedded in SignedData crls",
         args=["--crl", rootc])
    crl = der(signing_crl)
    revoked_list = [c for c in crl[0].children if c.tag == 0x30 and c.children and c.children[0].tag == 0x30]
    crl[0].children = [c for c in crl[0].children if c not in revoked_list]
    nocert_crl = crl.enc()
    revoked_sig = cms_sign(doc, "signer-revoked")
    case("crl-revoked-control", revoked_sig, REVOKED,
         "control: signer-revoked with the genuine CRL")
    case("crl-entry-removed-unsigned", revoked_sig, TRY_LATER,
         "revoked entry removed from the CRL without re-signing it",
         args=["--crl", extra("signing-ca-crl-entry-removed.crl", nocert_crl), "--crl", rootc])
    case("crl-entry-removed-wrong-key", revoked_sig, TRY_LATER,
         "revoked entry removed and the CRL re-signed by another key",
         args=["--crl", extra("signing-ca-crl-entry-removed-wrong-key.crl", resign_crl(nocert_crl, pki("untrusted-root.key"))),
               "--crl", rootc])
    case("crl-of-other-ca", base, TRY_LATER, "only the untrusted root's (validly signed) CRL and the root's",
         args=["--crl", extra("untrusted-root.crl", read(pki("untrusted-root.crl"))), "--crl", rootc])
    # A CRL that the right key signed but that was already stale: nextUpdate in the past.
    stale = der(nocert_crl)
    tb = stale[0]
    times = [i for i, c in enumerate(tb.children) if c.tag in (0x17, 0x18)]
    tb.children[times[0]] = leaf(utc(datetime.datetime(2025, 1, 2)))
    tb.children[times[1]] = leaf(utc(datetime.datetime(2025, 2, 1)))
    stale_crl = resign_crl(stale.enc(), ca_key)
    case("crl-stale-signed", revoked_sig, TRY_LATER,
         "an old CRL (2025-01, without the revocation) signed by the CA: does not cover the validation time",
         args=["--crl", extra("signing-ca-stale.crl", stale_crl), "--crl", rootc])

    ocsp_doctor = ocsp_response("signer-doctor")
    ocsp_ec = ocsp_response("signer-ec")
    case("ocsp-control", base, PASSED, "control: a good OCSP response for the signer instead of the CRL",
         args=["--ocsp", extra("ocsp-doctor.der", ocsp_doctor), "--crl", rootc])
    case("ocsp-other-cert", base, TRY_LATER, "an OCSP response about signer-ec given for signer-doctor",
         args=["--ocsp", extra("ocsp-ec.der", ocsp_ec), "--crl", rootc])

    def set_times(rd, produced, this, nxt):
        # ResponseData: [0] version? responderID producedAt responses ...
        idx = [i for i, c in enumerate(rd.children) if c.tag == 0x18][0]
        rd.children[idx] = leaf(gentime(produced))
        single = rd.children[idx + 1][0]
        st = [i for i, c in enumerate(single.children) if c.tag == 0x18][0]
        single.children[st] = leaf(gentime(this))
        for i, c in enumerate(single.children):
            if c.tag == 0xA0 and i > st:
                single.children[i] = Node(0xA0, children=[leaf(gentime(nxt))])

    stale_ocsp = resign_ocsp(ocsp_doctor, pki("ocsp.key"), lambda rd: set_times(
        rd, datetime.datetime(2025, 3, 1), datetime.datetime(2025, 3, 1), datetime.datetime(2025, 3, 2)))
    case("ocsp-stale", base, TRY_LATER, "an OCSP response for the signer whose nextUpdate passed in 2025",
         args=["--ocsp", extra("ocsp-doctor-stale.der", stale_ocsp), "--crl", rootc])
    future_ocsp = resign_ocsp(ocsp_doctor, pki("ocsp.key"), lambda rd: set_times(
        rd, datetime.datetime(2055, 3, 1), datetime.datetime(2055, 3, 1), datetime.datetime(2055, 3, 2)))
    case("ocsp-future", base, TRY_LATER, "an OCSP response produced in 2055",
         args=["--ocsp", extra("ocsp-doctor-future.der", future_ocsp), "--crl", rootc])
    case("ocsp-wrong-key", base, TRY_LATER, "a good OCSP response re-signed by a key that is not the responder's",
         args=["--ocsp", extra("ocsp-doctor-wrong-key.der", resign_ocsp(ocsp_doctor, pki("signer-ec.key"))), "--crl", rootc])
    case("ocsp-signed-by-signer", base, TRY_LATER,
         "a good OCSP response signed by signer-ec (no OCSPSigning EKU), its certificate swapped in",
         args=["--ocsp", extra("ocsp-doctor-by-ec.der", ocsp_swap_signer(ocsp_doctor, "signer-ec")), "--crl", rootc])
    rev = ocsp_response("signer-revoked", status="R", rev_time="250601000000Z")
    case("ocsp-revoked", revoked_sig, REVOKED,
         "an OCSP response saying revoked overrides nothing and is honoured",
         args=["--ocsp", extra("ocsp-revoked.der", rev), "--crl", rootc])
    case("ocsp-good-vs-crl-revoked", revoked_sig, REVOKED,
         "a good OCSP response for the revoked signer beside the CRL that revokes it: revocation wins",
         args=["--ocsp", extra("ocsp-revoked-good.der", ocsp_response("signer-revoked")), "--crl", "../pki/crls.pem"])
    ocsp_flip = bytearray(ocsp_doctor)
    ocsp_flip[-5] ^= 1
    case("ocsp-bitflip", base, TRY_LATER, "a good OCSP response with one bit of its signature flipped",
         args=["--ocsp", extra("ocsp-doctor-flip.der", bytes(ocsp_flip)), "--crl", rootc])
    case("ocsp-garbage", base, REFUSED, "an OCSP file of garbage",
         args=["--ocsp", extra("ocsp-garbage.der", b"\x30\x03\x0a\x01\x00"), "--crl", rootc])

    # --- time stamps ---
    sig_value = si_signature(signer_infos(sd_of(fresh()))[0]).content
    ci = add_signature_timestamp(fresh(), digest=hashlib.sha256(b"something else").digest())
    case("tst-wrong-data", ci.enc(), HASH, "signature time stamp over other data than the signature value")
    ci = add_signature_timestamp(fresh(), digest=hashlib.sha256(doc_bytes).digest())
    case("tst-over-content", ci.enc(), HASH, "signature time stamp over the document instead of the signature value")
    tok = tst_token_by(hashlib.sha256(sig_value).digest(), pki("tsa-noeku.crt"), pki("tsa-noeku.key"))
    ci = add_signature_timestamp(fresh(), token=tok)
    case("tst-tsa-without-eku", ci.enc(), CONSTRAINTS, "time stamp token signed by a TSA certificate without the timeStamping EKU")
    tok = tst_token_by(hashlib.sha256(sig_value).digest(), pki("signer-ec.crt"), pki("signer-ec.key"))
    ci = add_signature_timestamp(fresh(), token=tok)
    case("tst-by-end-entity", ci.enc(), CONSTRAINTS, "time stamp token signed by a doctor's certificate")
    tok = tst_token_by(hashlib.sha256(sig_value).digest(), pki("signer-untrusted.crt"), pki("signer-untrusted.key"))
    ci = add_signature_timestamp(fresh(), token=tok)
    case("tst-untrusted", ci.enc(), CONSTRAINTS, "time stamp token signed by a certificate of an untrusted root")
    # signing-time after the time stamp
    ci = fresh()
    si = signer_infos(sd_of(ci))[0]
    attr(si_signed_attrs(si), "signingTime")[1].children[0] = leaf(utc(now + datetime.timedelta(hours=2)))
    resign(si, key)
    late = ci.enc()
    ci = add_signature_timestamp(der(late))
    case("tst-signing-time-after", ci.enc(), [("INDETERMINATE", "TIMESTAMP_ORDER_FAILURE")],
         "signing-time two hours after the signature time stamp's genTime")
    ci = der(bt_bytes)
    si = signer_infos(sd_of(ci))[0]
    tokn = si.children[-1][0][1][0]
    tok_sd = sd_of(tokn)
    tsi = signer_infos(tok_sd)[0]
    sv = si_signature(tsi)
    sv.content = sv.content[:-1] + bytes([sv.content[-1] ^ 1])
    case("tst-signature-flipped", ci.enc(), SIGCRYPTO, "signature time stamp whose own signature has one bit flipped")
    ci = der(bt_bytes)
    si = signer_infos(sd_of(ci))[0]
    tokn = si.children[-1][0][1][0]
    octet = tokn[1][0][2][1][0]
    info = der(octet.content)
    gi = [i for i, c in enumerate(info.children) if c.tag == 0x18][0]
    info.children[gi] = leaf(gentime(now - datetime.timedelta(days=300)))
    octet.content = info.enc()
    case("tst-gentime-backdated-unsigned", ci.enc(), HASH,
         "the time stamp's genTime moved 300 days back without re-signing the token")
    ci = der(bt_bytes)
    si = signer_infos(sd_of(ci))[0]
    si.children[-1][0][1].children[0] = leaf(tlv(0x04, b"not a token"))
    # Issue 15: an unsigned attribute anyone could append must not fail a
    # valid signature; the unreadable stamp is a warning and proves nothing.
    case("tst-not-a-token", ci.enc(), PASSED, "signature-time-stamp attribute whose value is an OCTET STRING: ignored with a warning, the signature judged without it")
    ci = der(bt_bytes)
    si = signer_infos(sd_of(ci))[0]
    si.children[-1][0][1].children.append(si.children[-1][0][1][0].copy())
    case("tst-moved-to-other-sig", add_signature_timestamp(fresh(base_ec), token=tst_token(hashlib.sha256(sig_value).digest())).enc(),
         HASH, "the doctor's signature time stamp moved onto signer-ec's signature")
    tsr_other = tst_response(hashlib.sha256(read(other)).digest())
    case("tsr-other-file", tsr_other, HASH, "stand-alone time stamp (.tsr) of another file", ext="txt.tsr")
    tsr = tst_response(hashlib.sha256(doc_bytes).digest())
    case("tsr-control", tsr, PASSED, "control: stand-alone time stamp of the document", ext="txt.tsr")
    resp = der(tsr)
    resp.children[0] = leaf(tlv(0x30, b"\x02\x01\x02"))
    case("tsr-status-rejection-with-token", resp.enc(), FORMAT, "TimeStampResp with status rejection that still carries a token",
         ext="txt.tsr")
    case("tsr-truncated", tsr[: len(tsr) // 2], FORMAT, "TimeStampResp cut in half", ext="txt.tsr")
    case("tsr-empty", b"", FORMAT, "empty .tsr", ext="txt.tsr")
    case("tsr-is-a-signature", base, FORMAT, "a CMS signature named .tsr", ext="txt.tsr")

    # --- systematic: truncation at every structural boundary ---
    bt_node = der(bt_bytes)
    offsets = set()
    for n, depth, _ in walk(bt_node):
        if depth <= 7:
            for o in (n.start, n.start + 1, n.start + n.hlen, (n.start + n.hlen + n.end) // 2, n.end - 1):
                if 0 < o < len(bt_bytes):
                    offsets.add(o)
    offsets = sorted(offsets)
    step = max(1, len(offsets) // 110)
    for o in offsets[::step]:
        case(f"truncate-{o}", bt_bytes[:o], FORMAT, f"B-T signature truncated to {o} of {len(bt_bytes)} bytes")

    # --- systematic: one bit flipped in each signed field ---
    def flip_in(b, off, bit=0x01):
        m = bytearray(b)
        m[off] ^= bit
        return bytes(m)

    b0 = der(base)
    si = signer_infos(sd_of(b0))[0]
    attrs = si_signed_attrs(si)
    for a in attrs.children:
        name = {oid_bytes(OID[k]): k for k in ("contentType", "messageDigest", "signingTime", "signingCertV2")}.get(a[0].enc(), "attr")
        val = a[1][0]
        # Last byte of the OID, a middle byte and the penultimate byte of the value.
        for label, off in (("type", a[0].end - 1), ("value-mid", (val.start + val.hlen + val.end) // 2),
                           ("value-end", val.end - 2)):
            exp = ANY_FAIL
            if name == "messageDigest" and label != "type":
                exp = HASH
            elif name in ("signingTime", "signingCertV2") and label == "value-end":
                exp = SIGCRYPTO
            case(f"flip-{name}-{label}", flip_in(base, off), exp, f"one bit of the signed attribute {name} ({label}) flipped")
    sv = si_signature(si)
    for i in (0, len(sv.content) // 2, len(sv.content) - 1):
        case(f"flip-signature-value-{i}", flip_in(base, sv.start + sv.hlen + i), SIGCRYPTO,
             f"bit flipped in byte {i} of the signature value")
    for i, field in enumerate(si.children):
        if field.tag in (0x04, 0xA0):
            continue
        off = field.end - 1
        case(f"flip-signerinfo-field-{i}", flip_in(base, off), FORMAT if i == 0 else ANY_FAIL,
             f"bit flipped in the last byte of SignerInfo field {i} (tag 0x{field.tag:02x})")
    certs = sd_field(sd_of(b0), 0xA0)
    root_der = pem_to_der_cert(pki("root-ca.crt"))
    for ci_, c in enumerate(certs.children):
        tbs = c[0]
        is_root = c.enc() == root_der
        for j, fld in enumerate(tbs.children):
            off = fld.end - 1
            if is_root:
                # The embedded copy of the anchor is never used (the anchor
                # is --trust's): a flip passes unless it breaks the DER.
                exp = FORMAT if j in (0, 2, 4) else PASSED
                what = "the embedded copy of the trust anchor (unused: anchors come from --trust)"
            else:
                exp, what = ANY_FAIL, f"certificate {ci_}"
            case(f"flip-cert{ci_}-tbs{j}", flip_in(base, off), exp,
                 f"bit flipped in {what}, TBS field {j} (tag 0x{fld.tag:02x})")
    encap = sd_of(b0)[2]
    case("flip-econtent-type", flip_in(base, encap[0].end - 1), FORMAT, "bit flipped in eContentType")
    for i, da in enumerate(sd_of(b0)[1].children):
        case(f"flip-digest-algorithms-{i}", flip_in(base, da.end - 1), PASSED,
             "bit flipped in the SignedData digestAlgorithms (an unsigned hint; the SignerInfo's own algorithm counts)")

    # --- systematic: wrong tags ---
    for n, depth, path in walk(b0):
        if depth > 4 or n.start == 0 and depth > 0:
            continue
        new = {0x30: 0x31, 0x31: 0x30, 0x02: 0x04, 0x04: 0x02, 0x06: 0x04, 0xA0: 0xA1, 0xA1: 0xA2, 0x17: 0x18,
               0x03: 0x04, 0x05: 0x04, 0x0C: 0x13, 0x13: 0x0C}.get(n.tag, 0x04)
        data = bytearray(base)
        data[n.start] = new
        path_s = ".".join(map(str, path)) or "root"
        exp = FORMAT if depth <= 2 else ANY_FAIL
        case(f"tag-{path_s}-{n.tag:02x}-to-{new:02x}", bytes(data), exp,
             f"tag of the element at {path_s} changed from 0x{n.tag:02x} to 0x{new:02x}")

    with open(os.path.join(HERE, "manifest.json"), "w") as f:
        json.dump({
            "about": "Adversarial corpus for hozon verify; generated by make-adversarial.py. Each case: file, content "
                     "(--content; null for an enveloping signature), args (added to: verify FILE --trust ../pki/trust.pem "
                     "--offline --json, run from this directory), expect (one {indication, sub_indication} per SignerInfo "
                     "in report order, or NOT_TOTAL_PASSED), description.",
            "generated": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "cases": MANIFEST,
        }, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"{len(MANIFEST)} cases written to {HERE}")


def ocsp_swap_signer(resp_der, signer):
    """Re-signs a BasicOCSPResponse with `signer`'s key and puts its
    certificate in place of the responder's."""
    resp = der(resp_der)
    basic = der(resp[1][0][1].content)
    basic.children[2] = leaf(tlv(0x03, b"\x00" + sign_raw(pki(signer + ".key"), basic[0].enc())))
    if len(basic.children) > 3:
        basic.children[3] = Node(0xA0, children=[Node(0x30, children=[leaf(pem_to_der_cert(pki(signer + ".crt")))])])
    resp[1][0].children[1] = leaf(tlv(0x04, basic.enc()))
    return resp.enc()


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)

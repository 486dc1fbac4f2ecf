#!/usr/bin/env python3
"""endesive as a third PAdES signer (tests/e2e/pades_levels.rs; pinned:
endesive==3.0.1 with elements-oscrypto 1.4.0b1 in place of oscrypto 1.3.0,
whose libcrypto version detection fails with OpenSSL 3.0.10 and later;
installed by scripts/setup into $HOZON_TOOLS/endesive-3.0.1).

  pades-endesive.py sign IN.pdf OUT.pdf --key KEY.pem --cert CERT.pem --chain CA.pem
      signs IN.pdf as an incremental update (PAdES-Basic/BES: SubFilter
      adbe.pkcs7.detached, signed attributes content-type, message-digest and
      signing-certificate-v2, no signing-time, /M the signing time) and
      writes the result to OUT.pdf.
"""

import argparse
import datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from endesive.pdf import cms


def cmd_sign(args):
    with open(args.key, "rb") as f:
        key = load_pem_private_key(f.read(), password=None)
    with open(args.cert, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    with open(args.chain, "rb") as f:
        chain = x509.load_pem_x509_certificates(f.read())
    with open(args.input, "rb") as f:
        data = f.read()
    now = datetime.datetime.now(datetime.timezone.utc)
    udct = {
        "sigflags": 3,
        "sigfield": "Signature1",
        "auto_sigfield": True,
        "contact": "records@hospital.example",
        "location": "Tokyo",
        "reason": "endesive interoperability test",
        "signingdate": now.strftime("D:%Y%m%d%H%M%S+00'00'"),
    }
    update = cms.sign(data, udct, key, cert, chain, "sha256")
    with open(args.output, "wb") as f:
        f.write(data)
        f.write(update)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sign")
    s.add_argument("input")
    s.add_argument("output")
    s.add_argument("--key", required=True)
    s.add_argument("--cert", required=True)
    s.add_argument("--chain", required=True)
    args = ap.parse_args()
    {"sign": cmd_sign}[args.cmd](args)


if __name__ == "__main__":
    main()
